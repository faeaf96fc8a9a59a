use super::*;
use crate::domain::kb::Kb;
use crate::domain::testing;
use crate::domain::triage::Scanner;

fn index() -> (Kb, Index) {
    let kb = testing::kb();
    let index = Index::build(
        &kb,
        Arc::new(Lexicon::build(&kb.synonyms)),
        Scanner::vocabulary(&kb.red_flags),
    );
    (kb, index)
}

fn pairs(analysis: &Analysis) -> Vec<(&str, &str)> {
    analysis
        .corrections
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect()
}

#[test]
fn unknown_words_are_corrected_known_ones_kept() {
    let (_, index) = index();
    let analysis = index.analyze("what is sciatca");
    assert_eq!(pairs(&analysis), [("sciatca", "sciatica")]);
    assert_eq!(
        analysis.words,
        ["what", "is", "sciatica"],
        "stop words stay in `words`, for triage"
    );
    // A misspelt red-flag word is corrected for triage, which reads `flag_words`.
    assert_eq!(index.analyze("bladdr").flag_words, ["bladder"]);
    assert_eq!(index.analyze("incontinant").flag_words, ["incontinent"]);
    // Known words, stop words, greeting words, short words: never corrected.
    for text in ["disk", "ischias", "hello", "the", "sci", "thanks"] {
        assert!(
            index.analyze(text).corrections.is_empty(),
            "{text:?} was corrected"
        );
    }
}

#[test]
fn words_that_are_not_plain_letters_are_kept_as_typed() {
    let (_, index) = index();
    let long = "sciatica".repeat(6);
    for text in [long.as_str(), "l5", "sciatica2", "ишиас"] {
        let analysis = index.analyze(text);
        assert!(analysis.corrections.is_empty(), "{text:?}");
        assert_eq!(analysis.words.len(), 1, "{text:?}");
    }
    // A number's unit is a word of its own, so "L5S1" reads as the two levels it names.
    assert_eq!(index.analyze("L5S1").words, ["l5", "s1"]);
}

#[test]
fn terms_drop_stop_words_and_rewrite_synonyms() {
    let (_, index) = index();
    assert_eq!(index.analyze("the disk").terms, index.analyze("disc").terms);
    assert_eq!(
        index.analyze("my hot water bottle").terms,
        index.analyze("heat").terms
    );
    assert_eq!(
        index.analyze("ischias").terms,
        index.analyze("sciatica").terms
    );
    assert!(index.analyze("the and of").terms.is_empty());
}

#[test]
fn off_topic_markers_are_counted_once_each() {
    let (_, index) = index();
    assert_eq!(index.analyze("ibuprofen ibuprofen dose").n_off_topic, 2);
    assert_eq!(index.analyze("pizza").n_off_topic, 0);
}

#[test]
fn two_requests_are_noticed() {
    let (_, index) = index();
    assert!(index.analyze("sciatica and heat").joins_requests);
    assert!(index.analyze("sciatica? heat?").joins_requests);
    assert!(index.analyze("also heat").joins_requests);
    assert!(!index.analyze("sciatica heat?").joins_requests);
}

#[test]
fn lookup_counts_each_key_once() {
    let (kb, index) = index();
    let sciatica = kb
        .topics
        .iter()
        .position(|t| t.id.as_str() == "sciatica")
        .expect("topic");
    let hits = index.lookup(&index.analyze("sciatica sciatica sciatica"));
    assert_eq!(hits, [(sciatica, 3.0, "sciatica".to_owned())]);

    let hits = index.lookup(&index.analyze("the sciatic nerve, the sciatic nerve"));
    let total: f32 = hits.iter().filter(|h| h.0 == sciatica).map(|h| h.1).sum();
    assert_eq!(
        total, 4.0,
        "sciatic 2 + nerve 1 + the phrase 1, each once: {hits:?}"
    );
    assert!(index.lookup(&index.analyze("")).is_empty());
}

#[test]
fn stats_count_the_fixture() {
    let (_, index) = index();
    let stats = index.stats();
    assert_eq!(stats.n_terms, 10);
    assert_eq!(stats.n_phrases, 2);
    assert_eq!(stats.n_synonyms, 6);
    assert!(stats.n_vocabulary > 10);
}
