//! `questions.toml`: how a question is read before topics are scored.
//!
//! - the domain: words that put a message about back and leg pain at all ("my lower back is
//!   killing me" is in it, "back up my phone" is not), and the other senses of those words;
//! - intents (what the question asks: relief, outlook, seeing a professional ...) and subjects
//!   (what it is about: sciatica, a disc, stenosis ...), and the route table that sends each pair
//!   to a topic ("treatment options for piriformis syndrome" -> what you can do);
//! - which sentences are the question, and what makes a short message a follow-up;
//! - questions about the bot itself.

use std::collections::BTreeMap;

use super::TopicId;

mod raw;
mod validate;

pub(super) use raw::RawQuestionsFile;
pub(super) use validate::validate;

/// The route table's key for "any other subject".
pub const ANY_SUBJECT: &str = "*";

/// What a question asks, as weighted words and phrases (read like topic keywords).
#[derive(Debug, Clone)]
pub struct Intent {
    /// Stable id, e.g. "relief".
    pub id: String,
    /// Single words with weights, as written.
    pub keywords: BTreeMap<String, f32>,
    /// Phrases with weights, as written.
    pub phrases: BTreeMap<String, f32>,
    /// Phrases matched on folded words, stop words included ("what is it"), with weights.
    pub said: BTreeMap<String, f32>,
}

/// A word that is in the domain only next to one of its companions ("my back", "back hurts";
/// not "come back").
#[derive(Debug, Clone)]
pub struct Anchored {
    /// The folded word.
    pub word: String,
    /// Words that may come just before it.
    pub before: Vec<String>,
    /// Words that may come just after it.
    pub after: Vec<String>,
}

/// What a question is about.
#[derive(Debug, Clone)]
pub struct Subject {
    /// Stable id, e.g. "piriformis".
    pub id: String,
    /// The topic that defines it.
    pub topic: TopicId,
    /// Words and phrases that name it, as written.
    pub words: Vec<String>,
}

/// The reading rules of `questions.toml`, validated.
#[derive(Debug, Clone)]
pub struct Questions {
    /// Words and phrases that put a message in the domain.
    pub domain: Vec<String>,
    /// Whether a spinal level ("L4-L5", "S1", "C5C6") puts a message in the domain.
    pub levels: bool,
    /// Words in the domain only next to a companion.
    pub anchored: Vec<Anchored>,
    /// Phrases whose words are read as nothing ("back up my phone", "leg of lamb").
    pub other_senses: Vec<String>,
    /// Animals: with one named and no person's body ("my back"), body words are the animal's.
    pub animals: Vec<String>,
    /// Things that are not a body (brakes, a boiler, a marathon): with one named and no
    /// person's body, the message is about the thing and reads as out of the domain.
    pub outside: Vec<String>,
    /// The body words an animal has too ("back", "leg", "hip").
    pub animal_body: Vec<String>,
    /// What questions ask.
    pub intents: Vec<Intent>,
    /// What questions are about.
    pub subjects: Vec<Subject>,
    /// (intent, subject or `*`) -> topic.
    pub routes: Vec<(String, String, TopicId)>,
    /// How much a route adds to its topic's score.
    pub route_boost: f32,
    /// An intent weaker than this is not read as what the question asks.
    pub intent_min: f32,
    /// The topic the orientation answer stands for in the batch output and the metrics.
    pub orientation_topic: TopicId,
    /// Topics offered as buttons under the orientation answer.
    pub orientation_related: Vec<TopicId>,
    /// Words a question sentence opens with ("what", "can", "is").
    pub openers: Vec<String>,
    /// The weight of a sentence that is neither a question nor the last one (history).
    pub history_weight: f32,
    /// Words that make the intent word after them a circumstance, not a question ("sore after
    /// running", "hurts when I walk").
    pub circumstance: Vec<String>,
    /// Words that make the intent word just before them the one who spoke, not what is asked
    /// ("physio says my core is weak, which exercises?" asks about exercise).
    pub reporting: Vec<String>,
    /// Intents with which a question that points back ("what does that mean?") asks about the
    /// history before it, so an out-of-scope history (a scan report, an operation) makes the
    /// question out of scope; with any other intent ("what can I do to ease it?") it asks about
    /// the pain.
    pub about_history: Vec<String>,
    /// A follow-up is at most this many words.
    pub follow_up_max_words: usize,
    /// Words that point back at what was said before ("it", "that", "what about").
    pub refer_back: Vec<String>,
    /// Questions about the bot itself ("who made you?"), matched on folded words.
    pub about_bot: Vec<String>,
    /// Texting forms of words, for said-phrases: word -> forms ("what" -> ["wat", "wot"]).
    pub spoken: BTreeMap<String, Vec<String>>,
    /// Words left out before said-phrases are looked for ("even", "actually").
    pub fillers: Vec<String>,
}

impl Questions {
    /// The topic a pair routes to: the pair's own route, else the intent's `*` route.
    pub fn route(&self, intent: &str, subject: Option<&str>) -> Option<&TopicId> {
        let exact = subject.and_then(|s| {
            self.routes
                .iter()
                .find(|(i, sub, _)| i == intent && sub == s)
        });
        exact
            .or_else(|| {
                self.routes
                    .iter()
                    .find(|(i, sub, _)| i == intent && sub == ANY_SUBJECT)
            })
            .map(|(_, _, t)| t)
    }
}
