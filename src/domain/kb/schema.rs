//! The validated knowledge base: what the engine reads. Built only by `parse`.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;

use super::{EmergencyNumbers, Questions, RedFlags, WordList};

/// A topic's stable id, as written in `topics.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TopicId(pub String);

impl TopicId {
    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TopicId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One answerable topic.
#[derive(Debug, Clone)]
pub struct Topic {
    /// Stable id.
    pub id: TopicId,
    /// Short title shown above the answer and on buttons.
    pub title: String,
    /// The answer, plain text; lines starting with "• " are list items.
    pub answer: String,
    /// A line that explains a word the article uses but does not define ("people also say
    /// slipped disc"); shown after the answer, marked as a glossary line.
    pub glossary: Option<String>,
    /// Terms the answer needs and explains (a condition's name): the plain-language check
    /// grades the answer with these counted as short words.
    pub explains: Vec<String>,
    /// Whether the answer ends with the safety net (symptoms and self-care topics).
    pub safety_net: bool,
    /// Related topics, offered as "You may also mean" when nothing else competes.
    pub related: Vec<TopicId>,
    /// Single-word keywords with weights, as written (unstemmed).
    pub keywords: BTreeMap<String, f32>,
    /// Multi-word keywords with weights, as written.
    pub phrases: BTreeMap<String, f32>,
    /// The keywords and phrases as the matcher reads them (stemmed, rewritten by the lexicon,
    /// words joined by spaces), with their weights: computed once, by validation.
    pub matched_as: Vec<(String, f32)>,
}

/// Knobs of the matcher, kept with the data they tune.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatchSettings {
    /// Below this score no topic is answered: the fallback is.
    pub min_score: f32,
    /// A runner-up scoring at least this share of the top score is offered as "You may also mean".
    pub also_ratio: f32,
    /// How many "You may also mean" topics at most.
    pub max_also: usize,
    /// A runner-up scoring at least this share of the top, matched on different words, in a
    /// message that joins two requests ("and", "also", two question marks), is answered too.
    pub second_answer_ratio: f32,
    /// The bar instead of `min_score` for a message with no sign of back or leg pain (no body
    /// part, condition, level or scan; no subject, no red flag, no context): generic words
    /// alone ("walk", "cause", "garden") are weak evidence of a back-pain question.
    #[serde(default = "default_out_of_domain_min_score")]
    pub out_of_domain_min_score: f32,
}

fn default_out_of_domain_min_score() -> f32 {
    3.0
}

/// Rewrites lay terms and variants to the knowledge base's own words before matching.
#[derive(Debug, Clone)]
pub struct Synonym {
    /// The knowledge base's word(s), e.g. "herniated disc".
    pub canonical: String,
    /// What people type instead, e.g. "slipped disc".
    pub variants: Vec<String>,
}

/// What the article does not cover, by kind, each with its own short reply.
#[derive(Debug, Clone)]
pub struct Scope {
    /// Subtracted from every topic's score per out-of-scope marker found.
    pub penalty: f32,
    /// The kinds, in the order they win when a message holds markers of several.
    pub kinds: Vec<ScopeKind>,
}

/// One kind of question the article does not cover (medicines, surgery, pregnancy ...).
#[derive(Debug, Clone)]
pub struct ScopeKind {
    /// Stable id, e.g. "medicines".
    pub id: String,
    /// The short reply: who can help instead.
    pub reply: String,
    /// Words or phrases that mark the kind, folded.
    pub markers: Vec<String>,
    /// An age under this, said in the message, marks the kind too (children).
    pub under_age: Option<u32>,
    /// Whether the reply ends with the safety net.
    pub safety_net: bool,
    /// Red flags that are this kind's own subject (chest pain for "chest"): when the message names
    /// no topic of its own, they add their block to the kind's reply instead of making the
    /// urgent topic answer.
    pub red_flags: Vec<String>,
}

/// Fixed wording of replies that are not topic answers.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Messages {
    /// One line at the end of every reply.
    pub disclaimer: String,
    /// Ends answers to topics with `safety_net = true`.
    pub safety_net: String,
    /// Heading of the runner-up list.
    pub also_label: String,
    /// Starts a glossary line (a word explained beyond the article).
    pub glossary_label: String,
    /// Said when no topic is confident enough; followed by the topic list.
    pub fallback: String,
    /// The fallback where a list would be a wall of text (groups): it points at `/topics`.
    pub fallback_short: String,
    /// A message about back or leg pain that names no topic: a short orientation from the
    /// article (what commonly causes it, what you can do now, when to see a doctor).
    pub orientation: String,
    /// What the bot is, for questions about it ("who made you?").
    pub about_bot: String,
    /// Answer to an empty message (or one with no words at all).
    pub empty: String,
    /// Answer to "hi".
    pub greeting: String,
    /// Answer to "thanks".
    pub thanks: String,
    /// Words that make a message a greeting when it holds nothing else.
    pub greeting_words: Vec<String>,
    /// Words that make a message a thank-you when it holds nothing else.
    pub thanks_words: Vec<String>,
    /// Words allowed around greetings and thanks ("so much", "bot", "mate").
    pub filler_words: Vec<String>,
}

/// A validated knowledge base.
#[derive(Debug, Clone)]
pub struct Kb {
    /// Topics in file order (the order `/topics` lists them).
    pub topics: Vec<Topic>,
    /// Matcher settings.
    pub matching: MatchSettings,
    /// Synonyms and variants.
    pub synonyms: Vec<Synonym>,
    /// Out-of-scope markers.
    pub scope: Scope,
    /// Red flags.
    pub red_flags: RedFlags,
    /// Fixed wording.
    pub messages: Messages,
    /// How questions are read.
    pub questions: Questions,
    /// Common English words that are never spell-corrected.
    pub common_words: WordList,
    /// Emergency numbers by country (`emergency.toml`; empty without it).
    pub emergency: EmergencyNumbers,
}

impl Kb {
    /// Finds a topic by id.
    pub fn topic(&self, id: &str) -> Option<&Topic> {
        self.topics.iter().find(|t| t.id.as_str() == id)
    }
}
