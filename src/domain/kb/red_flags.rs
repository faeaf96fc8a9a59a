//! `redflags.toml`: the warning signs, how each is said, and the wording of the urgent-care block.
//!
//! A flag is matched in three strengths. Its `terms`, `phrases` and `near` rules say the sign is
//! happening ("I wet myself", "can't lift my foot"): they raise the flag's own tier. Its
//! `mentions` only name the area of the sign ("bladder", "numb"): alone they raise `check`, the
//! conditional list without the emergency banner. Context can lower a hit to `check` (a negation,
//! a `downgrade` phrase, an accident years ago) or remove it (an `unless` phrase, a `benign`
//! look-alike), but nothing removes a clear hit that is not masked: see `triage.rs`.

use std::collections::HashSet;

use serde::Deserialize;
use toml::Spanned;

use super::{folded_nonempty, Problems, Synonym, TopicId};
use crate::domain::KbFile;
use crate::domain::KbProblem;

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

// ---------------------------------------------------------------------------------------------
// Raw file shapes.

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRedFlagsFile {
    window: usize,
    topic: Spanned<String>,
    topic_boost: f32,
    #[serde(default)]
    words: std::collections::BTreeMap<String, Vec<String>>,
    #[serde(default)]
    negation: RawNegation,
    #[serde(default)]
    context: RawContext,
    text: UrgentText,
    #[serde(rename = "flag")]
    flags: Vec<RawRedFlag>,
    #[serde(default)]
    check: Vec<CheckQuestion>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawNegation {
    #[serde(default)]
    before: Vec<String>,
    #[serde(default)]
    after: Vec<String>,
    #[serde(default)]
    bridge: Vec<String>,
    #[serde(default)]
    after_bridge: Vec<String>,
    #[serde(default)]
    stop: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawContext {
    #[serde(default)]
    long_ago: Vec<String>,
    #[serde(default)]
    elsewhere: Vec<String>,
    #[serde(default)]
    here: Vec<String>,
    #[serde(default)]
    question: Vec<String>,
    #[serde(default)]
    general: Vec<String>,
    #[serde(default)]
    personal: Vec<String>,
}

/// A near rule as written: `["a|b", "c"]`, or `{ window = 2, groups = ["a|b", "c"] }`.
#[derive(Deserialize)]
#[serde(untagged)]
enum RawNear {
    Groups(Vec<String>),
    Windowed {
        #[serde(default)]
        window: Option<usize>,
        #[serde(default)]
        clause: bool,
        groups: Vec<String>,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeasure {
    words: Vec<String>,
    min: f64,
    max: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAge {
    over: u32,
    #[serde(default)]
    with: Vec<String>,
    #[serde(default)]
    with_near: Vec<RawNear>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRedFlag {
    id: Spanned<String>,
    tier: Tier,
    label: String,
    says: String,
    source: String,
    #[serde(default)]
    topic_boost: Option<f32>,
    #[serde(default)]
    terms: Vec<String>,
    #[serde(default)]
    phrases: Vec<String>,
    #[serde(default)]
    near: Vec<RawNear>,
    #[serde(default)]
    mentions: Vec<String>,
    #[serde(default)]
    mention_near: Vec<RawNear>,
    #[serde(default)]
    benign: Vec<String>,
    #[serde(default)]
    benign_near: Vec<RawNear>,
    #[serde(default)]
    unless: Vec<String>,
    #[serde(default)]
    unless_near: Vec<RawNear>,
    #[serde(default)]
    downgrade: Vec<String>,
    #[serde(default)]
    hedges: Vec<String>,
    #[serde(default)]
    keep: Vec<String>,
    #[serde(default)]
    long_ago: bool,
    #[serde(default)]
    quiet_elsewhere: bool,
    #[serde(default)]
    vetoes: Vec<Spanned<String>>,
    #[serde(default, rename = "measure")]
    measures: Vec<RawMeasure>,
    #[serde(default)]
    age: Option<RawAge>,
}

// ---------------------------------------------------------------------------------------------

/// Folds a list of words and phrases into `Patterns`; reports empty entries.
fn patterns_of(
    list: &[String],
    near: &[RawNear],
    default_window: usize,
    what: &str,
    id: &str,
    p: &mut Problems<'_>,
    span: &std::ops::Range<usize>,
) -> Patterns {
    let mut out = Patterns::default();
    for entry in list {
        match folded_nonempty(entry) {
            Some(folded) if folded.contains(' ') => out.phrases.push(folded),
            Some(folded) => out.words.push(folded),
            None => p.at(
                Some(span.clone()),
                format!("red flag `{id}`: empty entry in `{what}`"),
            ),
        }
    }
    out.near = near_rules(near, default_window, what, id, p, span);
    out
}

fn near_rules(
    near: &[RawNear],
    default_window: usize,
    what: &str,
    id: &str,
    p: &mut Problems<'_>,
    span: &std::ops::Range<usize>,
) -> Vec<NearRule> {
    let mut rules = Vec::new();
    for rule in near {
        let (groups, window, clause) = match rule {
            RawNear::Groups(groups) => (groups, default_window, false),
            RawNear::Windowed {
                window,
                clause,
                groups,
            } => (groups, window.unwrap_or(default_window), *clause),
        };
        let groups: Vec<Vec<String>> = groups
            .iter()
            .map(|alts| {
                alts.split('|')
                    .filter_map(folded_nonempty)
                    .collect::<Vec<_>>()
            })
            .collect();
        if groups.len() < 2 || groups.iter().any(Vec::is_empty) {
            p.at(
                Some(span.clone()),
                format!(
                    "red flag `{id}`: a near rule in `{what}` needs two or more non-empty groups"
                ),
            );
            continue;
        }
        if groups.iter().flatten().any(|w| w.contains(' ')) {
            p.at(Some(span.clone()), format!("red flag `{id}`: a near rule in `{what}` has a word with a space: near rules take single words"));
            continue;
        }
        if window == 0 {
            p.at(
                Some(span.clone()),
                format!("red flag `{id}`: a near rule in `{what}` needs a window of 1 or more"),
            );
            continue;
        }
        rules.push(NearRule {
            groups,
            window,
            clause,
        });
    }
    rules
}

fn folded_list(list: &[String]) -> Vec<String> {
    list.iter().filter_map(|w| folded_nonempty(w)).collect()
}

/// Validates `redflags.toml`. `topic_ids` are the known topics (empty and `topics_known` false
/// when topics.toml itself failed, so unknown-topic problems are not reported twice).
pub(super) fn validate(
    file: &KbFile,
    raw: RawRedFlagsFile,
    topic_ids: &HashSet<&str>,
    topics_known: bool,
    out: &mut Vec<KbProblem>,
) -> RedFlags {
    let mut p = Problems { file, out };
    if topics_known && !topic_ids.contains(raw.topic.get_ref().as_str()) {
        p.at(
            Some(raw.topic.span()),
            format!("unknown topic `{}`", raw.topic.get_ref()),
        );
    }
    if raw.window == 0 {
        p.at(None, "`window` must be at least 1");
    }
    let text = &raw.text;
    for (name, value) in [
        ("emergency_first_line", &text.emergency_first_line),
        ("urgent_first_line", &text.urgent_first_line),
        ("check_first_line", &text.check_first_line),
        ("emergency_heading", &text.emergency_heading),
        ("urgent_heading", &text.urgent_heading),
        ("get_help", &text.get_help),
    ] {
        if value.trim().is_empty() {
            p.at(None, format!("`text.{name}` is empty"));
        }
    }
    if !text.because.contains("{signs}") {
        p.at(None, "`text.because` must contain `{signs}`");
    }
    let mut words = Vec::new();
    let mut seen_variants: HashSet<String> = HashSet::new();
    for (canonical, variants) in &raw.words {
        let Some(canonical) = folded_nonempty(canonical).filter(|c| !c.contains(' ')) else {
            p.at(None, format!("`words`: `{canonical}` must be one word"));
            continue;
        };
        let variants = folded_list(variants);
        for variant in &variants {
            if !seen_variants.insert(variant.clone()) {
                p.at(
                    None,
                    format!("`words`: `{variant}` is listed under two words"),
                );
            }
        }
        words.push(Synonym {
            canonical,
            variants,
        });
    }
    let negation = Negation {
        before: folded_list(&raw.negation.before),
        after: folded_list(&raw.negation.after),
        bridge: folded_list(&raw.negation.bridge),
        after_bridge: folded_list(&raw.negation.after_bridge),
        stop: folded_list(&raw.negation.stop),
    };
    let context = FlagContext {
        long_ago: folded_list(&raw.context.long_ago),
        elsewhere: folded_list(&raw.context.elsewhere),
        here: folded_list(&raw.context.here),
        question: folded_list(&raw.context.question),
        general: folded_list(&raw.context.general),
        personal: folded_list(&raw.context.personal),
    };

    let mut seen = HashSet::new();
    let mut flags = Vec::new();
    for flag in raw.flags {
        let id = flag.id.get_ref().clone();
        let span = flag.id.span();
        if !seen.insert(id.clone()) {
            p.at(Some(span.clone()), format!("duplicate red flag id `{id}`"));
        }
        for (name, value) in [
            ("source", &flag.source),
            ("label", &flag.label),
            ("says", &flag.says),
        ] {
            if value.trim().is_empty() {
                p.at(
                    Some(span.clone()),
                    format!("red flag `{id}` names no {name}"),
                );
            }
        }
        let mut clear = Patterns::default();
        for term in &flag.terms {
            let prefix = term.trim_end().ends_with('*');
            match folded_nonempty(term) {
                Some(folded) if !folded.contains(' ') => {
                    if prefix && folded.len() < 4 {
                        p.at(Some(span.clone()), format!("red flag `{id}`: prefix `{term}` is too short (4 letters at least)"));
                    }
                    clear
                        .words
                        .push(if prefix { format!("{folded}*") } else { folded });
                }
                Some(_) => p.at(
                    Some(span.clone()),
                    format!(
                        "red flag `{id}`: term `{term}` has several words: put it under `phrases`"
                    ),
                ),
                None => p.at(Some(span.clone()), format!("red flag `{id}`: empty term")),
            }
        }
        for phrase in &flag.phrases {
            match folded_nonempty(phrase) {
                Some(folded) => clear.phrases.push(folded),
                None => p.at(Some(span.clone()), format!("red flag `{id}`: empty phrase")),
            }
        }
        // A zero `window` is reported once, above; rules that use it are read with 1.
        let window = raw.window.max(1);
        clear.near = near_rules(&flag.near, window, "near", &id, &mut p, &span);
        let mentions = patterns_of(
            &flag.mentions,
            &flag.mention_near,
            window,
            "mentions",
            &id,
            &mut p,
            &span,
        );
        let benign = patterns_of(
            &flag.benign,
            &flag.benign_near,
            window,
            "benign",
            &id,
            &mut p,
            &span,
        );
        let unless = patterns_of(
            &flag.unless,
            &flag.unless_near,
            window,
            "unless",
            &id,
            &mut p,
            &span,
        );
        let downgrade = patterns_of(
            &flag.downgrade,
            &[],
            window,
            "downgrade",
            &id,
            &mut p,
            &span,
        );
        let hedges = patterns_of(&flag.hedges, &[], window, "hedges", &id, &mut p, &span);
        let keep = patterns_of(&flag.keep, &[], window, "keep", &id, &mut p, &span);
        let mut measures = Vec::new();
        for m in &flag.measures {
            let words = folded_list(&m.words);
            if words.is_empty() || !(m.min.is_finite() && m.max.is_finite() && m.min <= m.max) {
                p.at(
                    Some(span.clone()),
                    format!("red flag `{id}`: a `measure` needs words and min <= max"),
                );
                continue;
            }
            measures.push(Measure {
                words,
                min: m.min,
                max: m.max,
            });
        }
        let age = flag.age.as_ref().map(|a| {
            let with = patterns_of(
                &a.with,
                &a.with_near,
                window,
                "age.with",
                &id,
                &mut p,
                &span,
            );
            if with.is_empty() {
                p.at(
                    Some(span.clone()),
                    format!("red flag `{id}`: `age` needs `with` or `with_near`"),
                );
            }
            AgeRule { over: a.over, with }
        });
        if clear.is_empty() && mentions.is_empty() && measures.is_empty() && age.is_none() {
            p.at(Some(span.clone()), format!("red flag `{id}` has no terms, phrases, near rules, mentions, measures or age rule"));
        }
        let mut vetoes = Vec::new();
        for veto in &flag.vetoes {
            if topics_known && !topic_ids.contains(veto.get_ref().as_str()) {
                p.at(
                    Some(veto.span()),
                    format!("red flag `{id}` vetoes unknown topic `{}`", veto.get_ref()),
                );
            }
            vetoes.push(TopicId(veto.get_ref().clone()));
        }
        let topic_boost = flag.topic_boost.unwrap_or(raw.topic_boost);
        if !topic_boost.is_finite() || topic_boost < 0.0 {
            p.at(
                Some(span.clone()),
                format!("red flag `{id}`: `topic_boost` must be zero or more"),
            );
        }
        if flag.tier == Tier::Check {
            p.at(Some(span.clone()), format!("red flag `{id}`: a flag's tier is `emergency` or `urgent`; `check` is what its mentions raise"));
        }
        flags.push(RedFlag {
            id,
            tier: flag.tier,
            label: flag.label.trim().to_owned(),
            says: flag.says.trim().to_owned(),
            source: flag.source.trim().to_owned(),
            topic_boost,
            clear,
            mentions,
            benign,
            unless,
            downgrade,
            hedges,
            keep,
            long_ago: flag.long_ago,
            quiet_elsewhere: flag.quiet_elsewhere,
            vetoes,
            measures,
            age,
        });
    }
    if flags.is_empty() {
        p.at(
            None,
            "no red flags: the urgent-care criteria could never be added",
        );
    }
    if raw.check.iter().any(|q| q.question.trim().is_empty()) {
        p.at(None, "a `check` question is empty");
    }
    RedFlags {
        window: raw.window,
        topic: TopicId(raw.topic.into_inner()),
        topic_boost: raw.topic_boost,
        words,
        negation,
        context,
        flags,
        text: raw.text,
        check: raw.check,
    }
}
