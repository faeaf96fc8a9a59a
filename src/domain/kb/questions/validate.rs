//! `questions.toml` validated against the topic ids: intents, subjects, the route table and
//! the follow-up rules, every problem placed on its line.

use std::collections::HashSet;

use toml::Spanned;

use super::raw::RawQuestionsFile;
use super::{Anchored, Intent, Questions, Subject, ANY_SUBJECT};
use crate::domain::kb::{folded_nonempty, KbFile, KbProblem, Problems, TopicId};

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
pub(in crate::domain::kb) fn validate(
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
