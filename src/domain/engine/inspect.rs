//! Tools for whoever tunes the knowledge base: how one message was read (`explain`, for
//! `ask --explain`) and every text people read (`texts_people_read`, for the plain-language
//! check). Neither is on the answering path.

use super::Engine;
use crate::domain::kb;
use crate::domain::matcher;
use crate::domain::readability;

impl Engine {
    /// A human-readable account of how a message was read: corrections, terms, scores, flags.
    /// For a moderator tuning the knowledge base on their own machine; never logged.
    pub fn explain(&self, text: &str) -> String {
        let analysis = self.index.analyze(text);
        let triage = self.triage(&analysis);
        let reading = self.reader.read(&analysis);
        let (route, _) = self.route(&reading, None, !analysis.scope_kinds.is_empty());
        let ranked = matcher::rank(&self.kb, &self.index, &analysis, &triage, route);
        let mut out = String::new();
        let corrections: Vec<String> = analysis
            .corrections
            .iter()
            .map(|(a, b)| format!("{a}->{b}"))
            .collect();
        out.push_str(&format!("corrections: [{}]\n", corrections.join(", ")));
        out.push_str(&format!("terms: [{}]\n", analysis.terms.join(", ")));
        out.push_str(&format!("off-topic markers: {}\n", analysis.n_off_topic));
        let hits: Vec<String> = triage
            .hits
            .iter()
            .map(|h| {
                format!(
                    "{}:{}:{}{}",
                    h.flag,
                    h.tier.as_str(),
                    h.term,
                    if h.negated { " (negated)" } else { "" }
                )
            })
            .collect();
        out.push_str(&format!("flags: [{}]\n", hits.join(", ")));
        let kinds: Vec<&str> = analysis
            .scope_kinds
            .iter()
            .map(|&k| self.kb.scope.kinds[k].id.as_str())
            .collect();
        out.push_str(&format!("out-of-scope kinds: [{}]\n", kinds.join(", ")));
        let q = &self.kb.questions;
        out.push_str(&format!(
            "reading: in domain {}, intent {}, subject {}, about the bot {}, follow-up {}\n",
            reading.in_domain,
            reading.intent.map_or("-".to_owned(), |(i, w)| format!(
                "{} ({w:.1})",
                q.intents[i].id
            )),
            reading.subject.map_or("-", |s| q.subjects[s].id.as_str()),
            reading.about_bot,
            reading.follow_up,
        ));
        let weights: Vec<String> = analysis
            .sentence_weights
            .iter()
            .map(|w| format!("{w:.1}"))
            .collect();
        out.push_str(&format!("sentence weights: [{}]\n", weights.join(", ")));
        for m in ranked.iter().take(5) {
            out.push_str(&format!(
                "  {:>5.2} {:<18} {}\n",
                m.score,
                self.kb.topics[m.topic].id,
                m.evidence.join(" + ")
            ));
        }
        out
    }

    /// Every text people read from the knowledge base, as they read it (the emergency number
    /// filled in), for the plain-language check (`kb check`, tests/it/wording.rs).
    pub fn texts_people_read(&self) -> Vec<readability::ReadText> {
        let kb = &self.kb;
        let mut out = Vec::new();
        let mut push = |place: String, text: &str, explains: &[String]| {
            out.push(readability::ReadText {
                place,
                text: text.trim().to_owned(),
                explains: explains.to_vec(),
            });
        };
        for topic in &kb.topics {
            push(
                format!("{}: topic `{}`", kb::TOPICS_FILE, topic.id),
                &topic.answer,
                &topic.explains,
            );
            if let Some(glossary) = &topic.glossary {
                push(
                    format!("{}: topic `{}` glossary", kb::TOPICS_FILE, topic.id),
                    glossary,
                    &topic.explains,
                );
            }
        }
        let m = &kb.messages;
        for (name, text) in [
            ("disclaimer", &m.disclaimer),
            ("safety_net", &m.safety_net),
            ("fallback", &m.fallback),
            ("empty", &m.empty),
            ("greeting", &m.greeting),
            ("thanks", &m.thanks),
        ] {
            push(format!("{}: `{name}`", kb::MESSAGES_FILE,), text, &[]);
        }
        for kind in &kb.scope.kinds {
            push(
                format!("{}: scope kind `{}`", kb::LEXICON_FILE, kind.id),
                &kind.reply,
                &[],
            );
        }
        for (i, question) in kb.red_flags.check.iter().enumerate() {
            push(
                format!("{}: check question {}", kb::RED_FLAGS_FILE, i + 1),
                &question.question,
                &[],
            );
        }
        let w = &self.wording;
        for (name, text) in [
            ("emergency_first_line", &w.emergency_first_line),
            ("urgent_first_line", &w.urgent_first_line),
            ("check_first_line", &w.check_first_line),
        ] {
            push(format!("{}: `text.{name}`", kb::RED_FLAGS_FILE), text, &[]);
        }
        if let Some(flag) = kb.red_flags.flags.first() {
            let because = kb.red_flags.text.because.replace("{signs}", &flag.label);
            push(
                format!("{}: `text.because`", kb::RED_FLAGS_FILE),
                &because,
                &[],
            );
        }
        for line in w.criteria.lines() {
            push(
                format!("{}: the list of warning signs", kb::RED_FLAGS_FILE),
                line.trim_start_matches("• "),
                &[],
            );
        }
        out
    }
}
