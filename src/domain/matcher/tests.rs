use super::*;
use std::sync::Arc;

use crate::domain::kb::Kb;
use crate::domain::lexicon::Lexicon;
use crate::domain::testing;
use crate::domain::triage::Scanner;

struct Setup {
    kb: Kb,
    index: Index,
    scanner: Scanner,
}

impl Setup {
    fn new() -> Self {
        Self::with(testing::kb())
    }

    fn with(kb: Kb) -> Self {
        let index = Index::build(
            &kb,
            Arc::new(Lexicon::build(&kb.synonyms)),
            Scanner::vocabulary(&kb.red_flags),
        );
        let scanner = Scanner::build(&kb.red_flags);
        Self { kb, index, scanner }
    }

    fn decide(&self, text: &str) -> Decision {
        let analysis = self.index.analyze(text);
        let triage = self.scanner.scan(&analysis.flag_words, &analysis.breaks);
        decide(
            &self.kb,
            &analysis,
            rank(&self.kb, &self.index, &analysis, &triage, Route::default()),
            Route::default(),
        )
    }

    fn id(&self, idx: TopicIdx) -> &str {
        self.kb.topics[idx].id.as_str()
    }

    fn ids(&self, list: &[TopicIdx]) -> Vec<&str> {
        list.iter().map(|&i| self.id(i)).collect()
    }

    fn scores(&self, decision: &Decision) -> Vec<(&str, f32)> {
        decision
            .ranked
            .iter()
            .map(|m| (self.id(m.topic), m.score))
            .collect()
    }
}

#[test]
fn scores_add_distinct_keyword_and_phrase_weights() {
    let s = Setup::new();
    let decision = s.decide("the sciatic nerve");
    assert_eq!(s.scores(&decision), [("sciatica", 4.0)]);
    assert_eq!(
        decision.ranked[0].evidence.len(),
        3,
        "{:?}",
        decision.ranked[0].evidence
    );
    assert_eq!(
        s.scores(&s.decide("sciatica sciatica sciatica")),
        [("sciatica", 3.0)],
        "a word counts once"
    );
}

#[test]
fn below_the_minimum_no_topic_is_answered() {
    let s = Setup::new();
    let decision = s.decide("nerve");
    assert_eq!(s.scores(&decision), [("sciatica", 1.0)]);
    assert!(decision.answered.is_empty() && decision.also.is_empty());
    assert_eq!(s.decide("pizza"), Decision::default());
}

#[test]
fn red_flags_boost_the_urgent_topic() {
    let s = Setup::new();
    let decision = s.decide("I wet myself");
    assert_eq!(s.ids(&decision.answered), ["urgent"]);
    assert_eq!(decision.ranked[0].score, 4.0);
    assert_eq!(decision.ranked[0].evidence, ["flag:bladder"]);
    // One boost per distinct flag.
    let decision = s.decide("I wet myself, my bladder, I fell");
    assert_eq!(decision.ranked[0].score, 8.0);
}

#[test]
fn off_topic_markers_subtract_a_penalty() {
    let s = Setup::new();
    // The penalty takes sciatica below zero: it is no longer ranked at all.
    let decision = s.decide("ibuprofen dose for sciatica");
    assert_eq!(s.scores(&decision), []);
    assert!(decision.answered.is_empty());
}

#[test]
fn runners_up_are_offered_and_two_requests_answered() {
    let s = Setup::new();
    let decision = s.decide("sciatica heat");
    assert_eq!(s.ids(&decision.answered), ["sciatica"]);
    assert_eq!(s.ids(&decision.also), ["self-care"]);
    let decision = s.decide("sciatica and heat");
    assert_eq!(s.ids(&decision.answered), ["sciatica", "self-care"]);
    assert!(decision.also.is_empty());
    // A weak runner-up is neither.
    let decision = s.decide("sciatica and help");
    assert_eq!(s.ids(&decision.answered), ["sciatica"]);
    assert!(decision.also.is_empty());
}

#[test]
fn max_also_bounds_the_runners_up() {
    let mut kb = testing::kb();
    kb.matching.max_also = 0;
    let s = Setup::with(kb);
    let decision = s.decide("sciatica heat");
    assert_eq!(s.ids(&decision.answered), ["sciatica"]);
    assert!(decision.also.is_empty());
}

#[test]
fn ties_keep_knowledge_base_order() {
    let s = Setup::new();
    for text in ["sciatic urgent", "urgent sciatic"] {
        let decision = s.decide(text);
        assert_eq!(
            s.scores(&decision),
            [("sciatica", 2.0), ("urgent", 2.0)],
            "{text:?}"
        );
        assert_eq!(s.ids(&decision.answered), ["sciatica"], "{text:?}");
    }
}
