//! `topics.toml`: the topics, their keywords and phrases, validated and read the way the
//! matcher will read them.

use std::collections::HashMap;

use super::raw::RawTopicsFile;
use super::{folded_nonempty, line_of, KbFile, KbProblem, Problems, Terms, Topic, TopicId};
use crate::domain::normalize::{fold, is_stop_word, words};

pub(super) fn validate(
    file: &KbFile,
    raw: RawTopicsFile,
    terms: &impl Terms,
    out: &mut Vec<KbProblem>,
) -> Vec<Topic> {
    let mut p = Problems { file, out };
    let mut seen: HashMap<String, usize> = HashMap::new();
    for topic in &raw.topics {
        let id = topic.id.get_ref();
        if id.trim().is_empty() {
            p.at(Some(topic.id.span()), "topic id is empty");
        } else if let Some(first) =
            seen.insert(id.clone(), line_of(&file.text, topic.id.span().start))
        {
            p.at(
                Some(topic.id.span()),
                format!("duplicate topic id `{id}` (first defined on line {first})"),
            );
        }
    }
    // keyword (stemmed) -> (weight, topic id) first claim, to catch equal-weight claims.
    let mut claims: HashMap<String, Vec<(f32, String)>> = HashMap::new();
    let mut topics = Vec::with_capacity(raw.topics.len());
    for raw_topic in raw.topics {
        let id = raw_topic.id.get_ref().clone();
        let id_span = raw_topic.id.span();
        if raw_topic.answer.get_ref().trim().is_empty() {
            p.at(
                Some(raw_topic.answer.span()),
                format!("topic `{id}` has an empty answer"),
            );
        }
        if raw_topic.title.trim().is_empty() {
            p.at(
                Some(id_span.clone()),
                format!("topic `{id}` has an empty title"),
            );
        }
        for related in &raw_topic.related {
            if !seen.contains_key(related.get_ref()) {
                p.at(
                    Some(related.span()),
                    format!(
                        "topic `{id}` names unknown related topic `{}`",
                        related.get_ref()
                    ),
                );
            } else if related.get_ref() == &id {
                p.at(
                    Some(related.span()),
                    format!("topic `{id}` lists itself as related"),
                );
            }
        }
        let mut own_terms: HashMap<String, String> = HashMap::new();
        let mut matched_as = Vec::with_capacity(raw_topic.keywords.len() + raw_topic.phrases.len());
        for (keyword, weight) in &raw_topic.keywords {
            let span = Some(id_span.clone());
            if !weight.is_finite() || *weight <= 0.0 {
                p.at(
                    span.clone(),
                    format!("topic `{id}`: keyword `{keyword}` needs a positive weight"),
                );
            }
            let Some(folded) = folded_nonempty(keyword) else {
                p.at(
                    span,
                    format!("topic `{id}`: keyword `{keyword}` has no letters"),
                );
                continue;
            };
            if folded.contains(' ') {
                p.at(span, format!("topic `{id}`: keyword `{keyword}` has several words: put it under `phrases`"));
                continue;
            }
            if is_stop_word(&folded) {
                p.at(
                    span,
                    format!("topic `{id}`: keyword `{keyword}` is a stop word and can never match"),
                );
                continue;
            }
            let key = terms.terms(words(&folded)).join(" ");
            if let Some(other) = own_terms.insert(key.clone(), keyword.clone()) {
                p.at(span, format!("topic `{id}`: keywords `{other}` and `{keyword}` are the same term (`{key}`) once stemmed and rewritten by the lexicon"));
            }
            matched_as.push((key.clone(), *weight));
            claims.entry(key).or_default().push((*weight, id.clone()));
        }
        for (phrase, weight) in &raw_topic.phrases {
            let span = Some(id_span.clone());
            if !weight.is_finite() || *weight <= 0.0 {
                p.at(
                    span.clone(),
                    format!("topic `{id}`: phrase `{phrase}` needs a positive weight"),
                );
            }
            let content: Vec<String> = words(&fold(phrase))
                .filter(|w| !is_stop_word(w))
                .map(str::to_owned)
                .collect();
            if content.len() < 2 {
                p.at(span, format!("topic `{id}`: phrase `{phrase}` needs two or more words that are not stop words"));
                continue;
            }
            let key = terms.terms(content.iter().map(String::as_str)).join(" ");
            if let Some(other) = own_terms.insert(key.clone(), phrase.clone()) {
                p.at(span, format!("topic `{id}`: `{other}` and `{phrase}` are the same term (`{key}`) once stemmed and rewritten by the lexicon"));
            }
            matched_as.push((key.clone(), *weight));
            claims.entry(key).or_default().push((*weight, id.clone()));
        }
        topics.push(Topic {
            id: TopicId(id),
            title: raw_topic.title.trim().to_owned(),
            answer: raw_topic.answer.into_inner().trim().to_owned(),
            glossary: raw_topic
                .glossary
                .map(|g| g.trim().to_owned())
                .filter(|g| !g.is_empty()),
            explains: raw_topic.explains,
            safety_net: raw_topic.safety_net,
            related: raw_topic
                .related
                .into_iter()
                .map(|r| TopicId(r.into_inner()))
                .collect(),
            keywords: raw_topic.keywords,
            phrases: raw_topic.phrases,
            matched_as,
        });
    }
    let mut conflicts: Vec<_> = claims
        .into_iter()
        .filter_map(|(term, mut owners)| {
            owners.sort_by(|a, b| b.0.total_cmp(&a.0));
            // Only a tie at the top is ambiguous; a lower weight elsewhere is a deliberate hint.
            owners.dedup_by(|x, y| x.1 == y.1);
            (owners.len() > 1 && owners[0].0 == owners[1].0)
                .then(|| (term, owners[0].1.clone(), owners[1].1.clone(), owners[0].0))
        })
        .collect();
    conflicts.sort_by(|x, y| (&x.0, &x.1, &x.2).cmp(&(&y.0, &y.1, &y.2)));
    for (term, a, b, weight) in conflicts {
        let line = seen.get(&b).copied();
        p.out.push(KbProblem {
            file: file.name.clone(),
            line,
            message: format!("keyword `{term}` is claimed by topics `{a}` and `{b}` with equal weight {weight}: give one of them a different weight"),
        });
    }
    topics
}
