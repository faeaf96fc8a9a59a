//! `questions.toml`: how a question is read before topics are scored.
//!
//! - the domain: words that put a message about back and leg pain at all ("my lower back is
//!   killing me" is in it, "back up my phone" is not), and the other senses of those words;
//! - intents (what the question asks: relief, outlook, seeing a professional ...) and subjects
//!   (what it is about: sciatica, a disc, stenosis ...), and the route table that sends each pair
//!   to a topic ("treatment options for piriformis syndrome" -> what you can do);
//! - which sentences are the question, and what makes a short message a follow-up;
//! - questions about the bot itself.

use std::collections::{BTreeMap, HashSet};

use serde::Deserialize;
use toml::Spanned;

use super::{folded_nonempty, Problems, TopicId};
use crate::domain::{KbFile, KbProblem};

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

// ---------------------------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawQuestionsFile {
    domain: RawDomain,
    #[serde(default)]
    senses: RawSenses,
    #[serde(rename = "intent", default)]
    intents: Vec<RawIntent>,
    #[serde(rename = "subject", default)]
    subjects: Vec<RawSubject>,
    #[serde(default)]
    routes: BTreeMap<String, BTreeMap<String, Spanned<String>>>,
    route_boost: f32,
    intent_min: f32,
    orientation_topic: Spanned<String>,
    #[serde(default)]
    orientation_related: Vec<Spanned<String>>,
    sentences: RawSentences,
    follow_up: RawFollowUp,
    #[serde(default)]
    about_bot: Vec<String>,
    #[serde(default)]
    spoken: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    fillers: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDomain {
    words: Vec<String>,
    #[serde(default)]
    levels: bool,
    #[serde(default)]
    anchored: Vec<RawAnchored>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAnchored {
    word: String,
    #[serde(default)]
    before: Vec<String>,
    #[serde(default)]
    after: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawSenses {
    #[serde(default)]
    other: Vec<String>,
    #[serde(default)]
    animals: Vec<String>,
    #[serde(default)]
    animal_body: Vec<String>,
    #[serde(default)]
    outside: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIntent {
    id: Spanned<String>,
    #[serde(default)]
    keywords: BTreeMap<String, f32>,
    #[serde(default)]
    phrases: BTreeMap<String, f32>,
    #[serde(default)]
    said: BTreeMap<String, f32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSubject {
    id: Spanned<String>,
    topic: Spanned<String>,
    words: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSentences {
    openers: Vec<String>,
    history_weight: f32,
    #[serde(default)]
    circumstance: Vec<String>,
    #[serde(default)]
    reporting: Vec<String>,
    #[serde(default)]
    about_history: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFollowUp {
    max_words: usize,
    refer_back: Vec<String>,
}

fn folded_all(list: &[String], what: &str, p: &mut Problems<'_>) -> Vec<String> {
    let mut out = Vec::with_capacity(list.len());
    for entry in list {
        match folded_nonempty(entry) {
            Some(folded) => out.push(folded),
            None => p.at(None, format!("`{what}` has an empty entry")),
        }
    }
    out
}

/// Validates `questions.toml` against the topic ids (when topics.toml parsed).
pub(super) fn validate(
    file: &KbFile,
    raw: RawQuestionsFile,
    topic_ids: &HashSet<&str>,
    topics_known: bool,
    out: &mut Vec<KbProblem>,
) -> Questions {
    let mut p = Problems { file, out };
    let known_topic = |id: &str| !topics_known || topic_ids.contains(id);

    let domain = folded_all(&raw.domain.words, "domain.words", &mut p);
    if domain.is_empty() {
        p.at(
            None,
            "`domain.words` is empty: no message could be in the domain",
        );
    }
    let mut anchored = Vec::new();
    for a in &raw.domain.anchored {
        match folded_nonempty(&a.word).filter(|w| !w.contains(' ')) {
            Some(word) => anchored.push(Anchored {
                word,
                before: folded_all(&a.before, "domain.anchored.before", &mut p),
                after: folded_all(&a.after, "domain.anchored.after", &mut p),
            }),
            None => p.at(
                None,
                format!("`domain.anchored`: `{}` must be one word", a.word),
            ),
        }
    }
    let other_senses = folded_all(&raw.senses.other, "senses.other", &mut p);
    let animals = folded_all(&raw.senses.animals, "senses.animals", &mut p);
    let animal_body = folded_all(&raw.senses.animal_body, "senses.animal_body", &mut p);
    let outside = folded_all(&raw.senses.outside, "senses.outside", &mut p);

    let mut intent_ids = HashSet::new();
    let mut intents = Vec::new();
    for intent in raw.intents {
        let id = intent.id.get_ref().trim().to_owned();
        if id.is_empty() || !intent_ids.insert(id.clone()) {
            p.at(
                Some(intent.id.span()),
                format!("intent id `{id}` is empty or used twice"),
            );
        }
        for (word, weight) in intent
            .keywords
            .iter()
            .chain(intent.phrases.iter())
            .chain(intent.said.iter())
        {
            if !weight.is_finite() || *weight <= 0.0 {
                p.at(
                    Some(intent.id.span()),
                    format!("intent `{id}`: `{word}` needs a positive weight"),
                );
            }
            if folded_nonempty(word).is_none() {
                p.at(
                    Some(intent.id.span()),
                    format!("intent `{id}` has an empty word"),
                );
            }
        }
        if intent.keywords.is_empty() && intent.phrases.is_empty() && intent.said.is_empty() {
            p.at(
                Some(intent.id.span()),
                format!("intent `{id}` has no words"),
            );
        }
        intents.push(Intent {
            id,
            keywords: intent.keywords,
            phrases: intent.phrases,
            said: intent.said,
        });
    }

    let mut subject_ids = HashSet::new();
    let mut subjects = Vec::new();
    for subject in raw.subjects {
        let id = subject.id.get_ref().trim().to_owned();
        if id.is_empty() || id == ANY_SUBJECT || !subject_ids.insert(id.clone()) {
            p.at(
                Some(subject.id.span()),
                format!("subject id `{id}` is empty, `*` or used twice"),
            );
        }
        if !known_topic(subject.topic.get_ref()) {
            p.at(
                Some(subject.topic.span()),
                format!(
                    "subject `{id}` names unknown topic `{}`",
                    subject.topic.get_ref()
                ),
            );
        }
        let words = folded_all(&subject.words, &format!("subject {id}: words"), &mut p);
        if words.is_empty() {
            p.at(
                Some(subject.id.span()),
                format!("subject `{id}` has no words"),
            );
        }
        subjects.push(Subject {
            id,
            topic: TopicId(subject.topic.into_inner()),
            words,
        });
    }

    let mut routes = Vec::new();
    for (intent, row) in &raw.routes {
        if !intent_ids.contains(intent) {
            let span = row.values().next().map(Spanned::span);
            p.at(span, format!("routes: unknown intent `{intent}`"));
        }
        for (subject, topic) in row {
            if subject != ANY_SUBJECT && !subject_ids.contains(subject) {
                p.at(
                    Some(topic.span()),
                    format!("routes.{intent}: unknown subject `{subject}`"),
                );
            }
            if !known_topic(topic.get_ref()) {
                p.at(
                    Some(topic.span()),
                    format!(
                        "routes.{intent}.{subject}: unknown topic `{}`",
                        topic.get_ref()
                    ),
                );
            }
            routes.push((
                intent.clone(),
                subject.clone(),
                TopicId(topic.get_ref().clone()),
            ));
        }
    }
    for intent in &intents {
        if !routes
            .iter()
            .any(|(i, s, _)| i == &intent.id && s == ANY_SUBJECT)
        {
            p.at(
                None,
                format!(
                    "routes: intent `{}` has no `\"*\"` route (the topic for any other subject)",
                    intent.id
                ),
            );
        }
    }
    for topic in std::iter::once(&raw.orientation_topic).chain(&raw.orientation_related) {
        if !known_topic(topic.get_ref()) {
            p.at(
                Some(topic.span()),
                format!("orientation: unknown topic `{}`", topic.get_ref()),
            );
        }
    }
    let mut about_history = Vec::new();
    for intent in &raw.sentences.about_history {
        if !intent_ids.contains(intent.get_ref()) {
            p.at(
                Some(intent.span()),
                format!(
                    "sentences.about_history: unknown intent `{}`",
                    intent.get_ref()
                ),
            );
        }
        about_history.push(intent.get_ref().clone());
    }
    if !raw.route_boost.is_finite() || raw.route_boost < 0.0 {
        p.at(None, "`route_boost` must be zero or more");
    }
    if !(0.0..=1.0).contains(&raw.sentences.history_weight) {
        p.at(None, "`sentences.history_weight` must be between 0 and 1");
    }
    Questions {
        domain,
        levels: raw.domain.levels,
        anchored,
        other_senses,
        animals,
        outside,
        animal_body,
        intents,
        subjects,
        routes,
        route_boost: raw.route_boost,
        intent_min: raw.intent_min,
        orientation_topic: TopicId(raw.orientation_topic.get_ref().clone()),
        orientation_related: raw
            .orientation_related
            .iter()
            .map(|t| TopicId(t.get_ref().clone()))
            .collect(),
        openers: folded_all(&raw.sentences.openers, "sentences.openers", &mut p),
        history_weight: raw.sentences.history_weight,
        circumstance: folded_all(
            &raw.sentences.circumstance,
            "sentences.circumstance",
            &mut p,
        ),
        reporting: folded_all(&raw.sentences.reporting, "sentences.reporting", &mut p),
        about_history,
        follow_up_max_words: raw.follow_up.max_words,
        refer_back: folded_all(&raw.follow_up.refer_back, "follow_up.refer_back", &mut p),
        about_bot: folded_all(&raw.about_bot, "about_bot", &mut p),
        spoken: raw
            .spoken
            .iter()
            .filter_map(|(w, forms)| {
                Some((folded_nonempty(w)?, folded_all(forms, "spoken", &mut p)))
            })
            .collect(),
        fillers: folded_all(&raw.fillers, "fillers", &mut p),
    }
}
