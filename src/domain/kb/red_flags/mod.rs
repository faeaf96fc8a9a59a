//! `redflags.toml`: the warning signs, how each is said, and the wording of the urgent-care block.
//!
//! A flag is matched in three strengths. Its `terms`, `phrases` and `near` rules say the sign is
//! happening ("I wet myself", "can't lift my foot"): they raise the flag's own tier. Its
//! `mentions` only name the area of the sign ("bladder", "numb"): alone they raise `check`, the
//! conditional list without the emergency banner. Context can lower a hit to `check` (a negation,
//! a `downgrade` phrase, an accident years ago) or remove it (an `unless` phrase, a `benign`
//! look-alike), but nothing removes a clear hit that is not masked: see `domain::triage`.

use serde::Deserialize;

use super::{Synonym, TopicId};

mod raw;
mod validate;

pub(super) use raw::RawRedFlagsFile;
pub(super) use validate::validate;

/// How urgent a warning is, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    /// A bare or negated mention: the whole list, under "if any of these are happening".
    Check,
    /// See a doctor today.
    Urgent,
    /// Seek help now, call the emergency number.
    Emergency,
}

impl Tier {
    /// The tier's name in the JSON output, logs and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Check => "check",
            Self::Urgent => "urgent",
            Self::Emergency => "emergency",
        }
    }
}

/// Words that must all occur within `window` words of each other, in one sentence (or one
/// clause): one word of each group (`["foot|feet", "slap|slaps"]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NearRule {
    /// Groups of folded alternatives.
    pub groups: Vec<Vec<String>>,
    /// Largest distance in words from the first group's word.
    pub window: usize,
    /// Whether all words must be in one clause (not just one sentence).
    pub clause: bool,
}

/// Single words (a trailing `*` matches any word starting with the rest), phrases and near rules.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Patterns {
    /// Single folded words.
    pub words: Vec<String>,
    /// Folded phrases of two or more words.
    pub phrases: Vec<String>,
    /// Near rules.
    pub near: Vec<NearRule>,
}

impl Patterns {
    /// Whether there is nothing to match.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty() && self.phrases.is_empty() && self.near.is_empty()
    }

    /// Every word the patterns match on (prefix terms excluded).
    pub fn vocabulary(&self) -> impl Iterator<Item = &str> {
        let words = self
            .words
            .iter()
            .filter(|w| !w.ends_with('*'))
            .map(String::as_str);
        let phrases = self.phrases.iter().flat_map(|p| p.split(' '));
        let near = self
            .near
            .iter()
            .flat_map(|r| r.groups.iter().flatten())
            .map(String::as_str);
        words.chain(phrases).chain(near)
    }
}

/// A number near a word, within bounds: a temperature of 38 °C or more.
#[derive(Debug, Clone, PartialEq)]
pub struct Measure {
    /// Folded words one of which must be within the window of the number.
    pub words: Vec<String>,
    /// Lowest value that counts.
    pub min: f64,
    /// Highest value that counts (above it the number means something else).
    pub max: f64,
}

/// An age over a threshold, said together with one of `with` ("58F, new low back pain").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgeRule {
    /// The age must be above this.
    pub over: u32,
    /// What must be said too (new pain).
    pub with: Patterns,
}

/// One red flag: a warning sign and the ways people say it.
#[derive(Debug, Clone)]
pub struct RedFlag {
    /// Stable id, e.g. "bladder-bowel".
    pub id: String,
    /// The tier a clear hit raises.
    pub tier: Tier,
    /// Short name, shown in "your message mentions: ..." and in `/about`.
    pub label: String,
    /// Its line in the list of warning signs people see.
    pub says: String,
    /// Where this flag comes from (the article, NICE, NHS).
    pub source: String,
    /// How much a clear hit adds to the urgent topic's score.
    pub topic_boost: f32,
    /// Says the sign is happening: raises `tier`.
    pub clear: Patterns,
    /// Names the sign's area only: raises `check`.
    pub mentions: Patterns,
    /// Look-alikes: their words never count for this flag ("fell asleep", "slipped disc").
    pub benign: Patterns,
    /// In the same sentence, not negated, they cancel this flag ("lost 12 kg on purpose").
    pub unless: Patterns,
    /// Close by in the same clause, they lower a hit to `check` ("family history of cancer").
    pub downgrade: Patterns,
    /// Uncertainty close by ("could my back pain be cancer?"): lowers a hit to `check`, unless
    /// a `keep` word is close by too ("I had cancer and I'm worried").
    pub hedges: Patterns,
    /// Words that say the sign is the person's own and real; they cancel `hedges`.
    pub keep: Patterns,
    /// An event long ago ("years ago", "when I was 19") is only a `check`.
    pub long_ago: bool,
    /// Quiet when the message is about another part of the body and never about the back or legs.
    pub quiet_elsewhere: bool,
    /// Topics that must not answer while this flag is raised (a hot swollen calf is not heat
    /// therapy).
    pub vetoes: Vec<TopicId>,
    /// Numbers that say the sign (a temperature of 38 or more).
    pub measures: Vec<Measure>,
    /// An age threshold.
    pub age: Option<AgeRule>,
}

/// How negation is recognised: a `before` trigger reaches forward over `bridge` words and the
/// red flags' own words, until a `stop` word or a clause break; an `after` trigger ("fine",
/// "normal") reaches back the same way.
#[derive(Debug, Clone, Default)]
pub struct Negation {
    /// "no", "not", "never", "without", "free of".
    pub before: Vec<String>,
    /// "fine", "normal".
    pub after: Vec<String>,
    /// Words a negation reaches over: "any", "problems", "with", "my".
    pub bridge: Vec<String>,
    /// Words "fine" and "normal" reach back over ("bladder and bowels are completely normal").
    pub after_bridge: Vec<String>,
    /// Words that end a negation's reach: "but", "now".
    pub stop: Vec<String>,
}

/// Context the rules need.
#[derive(Debug, Clone, Default)]
pub struct FlagContext {
    /// Phrases that put an event long ago.
    pub long_ago: Vec<String>,
    /// Other parts of the body (tooth, wrist): with none of `here`, flags marked
    /// `quiet_elsewhere` stay quiet.
    pub elsewhere: Vec<String>,
    /// The back, the legs and what is in between.
    pub here: Vec<String>,
    /// Words a general question opens with ("can", "does").
    pub question: Vec<String>,
    /// Verbs of a general question ("cause", "mean", "go").
    pub general: Vec<String>,
    /// Words that make a sentence about someone ("I", "my", "his", "mum").
    pub personal: Vec<String>,
}

/// Fixed text of the urgent-care block.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UrgentText {
    /// First line for the emergency tier; `{emergency_number}` is replaced.
    pub emergency_first_line: String,
    /// First line for the urgent tier.
    pub urgent_first_line: String,
    /// First line for a bare or negated mention, and for the list asked for.
    pub check_first_line: String,
    /// Why the block is there; `{signs}` is replaced by the labels of the flags raised.
    pub because: String,
    /// Heads the emergency-tier signs.
    pub emergency_heading: String,
    /// Heads the urgent-tier signs.
    pub urgent_heading: String,
    /// Ends the list: how to get help now (`{emergency_number}` is replaced).
    pub get_help: String,
    /// Default for `{emergency_number}`.
    pub default_emergency_number: String,
}

/// One question of the red-flag check.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckQuestion {
    /// The tier a "yes" raises.
    pub tier: Tier,
    /// The question, answerable with yes or no.
    pub question: String,
}

/// All red flags and the text that goes with them.
#[derive(Debug, Clone)]
pub struct RedFlags {
    /// Default distance in words between the parts of a near rule.
    pub window: usize,
    /// The topic that answers "when is it urgent"; red-flag hits add to its score.
    pub topic: TopicId,
    /// Default of each flag's `topic_boost`.
    pub topic_boost: f32,
    /// Word forms rewritten before matching ("cannot", "not able" -> "cant").
    pub words: Vec<Synonym>,
    /// How negation is read.
    pub negation: Negation,
    /// Context words.
    pub context: FlagContext,
    /// The flags.
    pub flags: Vec<RedFlag>,
    /// The block's wording.
    pub text: UrgentText,
    /// The red-flag check, one yes/no question at a time.
    pub check: Vec<CheckQuestion>,
}

impl RedFlags {
    /// The flag with this id.
    pub fn flag(&self, id: &str) -> Option<&RedFlag> {
        self.flags.iter().find(|f| f.id == id)
    }
}
