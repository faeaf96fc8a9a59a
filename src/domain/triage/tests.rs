use super::*;
use crate::domain::normalize::{fold, words};

fn flag(id: &str, tier: Tier, terms: &[&str], phrases: &[&str], near: &[&[&str]]) -> RedFlag {
    RedFlag {
        id: id.to_owned(),
        tier,
        label: id.to_owned(),
        source: "test".to_owned(),
        topic_boost: 4.0,
        terms: terms.iter().map(|t| (*t).to_owned()).collect(),
        phrases: phrases.iter().map(|p| (*p).to_owned()).collect(),
        near: near
            .iter()
            .map(|rule| rule.iter().map(|alts| alts.split('|').map(str::to_owned).collect()).collect())
            .collect(),
    }
}

/// The fixture's red flags with the flags replaced by a set made for these tests (built from
/// the fixture so new fields of `RedFlags` need no change here).
fn red_flags() -> RedFlags {
    let mut red_flags = crate::domain::testing::kb().red_flags;
    red_flags.window = 3;
    red_flags.benign = vec!["fell asleep".to_owned(), "slipped disc".to_owned()];
    red_flags.flags = vec![
        flag("bladder", Tier::Emergency, &["bladder", "incontinent"], &["wet myself"], &[&["control", "bladder|pee"]]),
        flag("weakness", Tier::Emergency, &["numb*"], &["gave way"], &[]),
        flag("fall", Tier::Emergency, &["fell", "fall", "slipped"], &["fell asleep driving"], &[]),
        flag("fever", Tier::Urgent, &["fever"], &["high temperature"], &[]),
    ];
    red_flags
}

fn scan(text: &str) -> Triage {
    let folded = fold(text);
    let words: Vec<&str> = words(&folded).collect();
    Scanner::build(&red_flags()).scan(&words)
}

#[track_caller]
fn check(text: &str, want: Option<Tier>, want_terms: &[&str]) {
    let triage = scan(text);
    assert_eq!(triage.urgency, want, "{text:?}: {triage:?}");
    assert_eq!(triage.terms(), want_terms, "{text:?}");
}

#[test]
fn single_words() {
    check("my bladder is fine", Some(Tier::Emergency), &["bladder"]);
    check("I am incontinent", Some(Tier::Emergency), &["incontinent"]);
    check("FEVER!", Some(Tier::Urgent), &["fever"]);
    check("sciatica", None, &[]);
    check("", None, &[]);
    check("bladders", None, &[]);
}

#[test]
fn prefixes_match_word_starts_only() {
    check("numbness in my leg", Some(Tier::Emergency), &["numbness"]);
    check("numb", Some(Tier::Emergency), &["numb"]);
    check("benumbed", None, &[]);
}

#[test]
fn phrases_match_whole_words() {
    check("I wet myself", Some(Tier::Emergency), &["wet myself"]);
    check("my leg gave way", Some(Tier::Emergency), &["gave way"]);
    check("a high temperature", Some(Tier::Urgent), &["high temperature"]);
    check("wet myselfie", None, &[]);
}

#[test]
fn near_rules_within_the_window_in_any_order() {
    check("cant control my pee", Some(Tier::Emergency), &["control … pee"]);
    // The words are reported in the rule's order, wherever they stand.
    check("pee control", Some(Tier::Emergency), &["control … pee"]);
    check("control of the whole thing then pee", None, &[]);
    check("control", None, &[]);
}

#[test]
fn negation_never_switches_a_flag_off() {
    check("no bladder problems", Some(Tier::Emergency), &["bladder"]);
    check("I have not fallen, no fever", Some(Tier::Urgent), &["fever"]);
    check("never incontinent", Some(Tier::Emergency), &["incontinent"]);
}

#[test]
fn benign_phrases_mask_single_words_only() {
    check("I fell asleep on the sofa", None, &[]);
    check("my slipped disc", None, &[]);
    // Only the covered word is masked.
    check("I fell, then I fell asleep", Some(Tier::Emergency), &["fell"]);
    // A red-flag phrase is never masked, even over a benign phrase.
    check("I fell asleep driving", Some(Tier::Emergency), &["fell asleep driving"]);
}

#[test]
fn the_highest_tier_wins_and_hits_come_in_reading_order() {
    let triage = scan("fever and then my bladder, fever again, bladder");
    assert_eq!(triage.urgency, Some(Tier::Emergency));
    assert_eq!(triage.terms(), ["fever", "bladder"]);
    assert_eq!(triage.flag_ids(), ["fever", "bladder"]);
    assert_eq!(triage.hits.len(), 2, "one hit per (flag, term): {:?}", triage.hits);
    assert_eq!(triage.hits[0], FlagHit { flag: "fever".into(), tier: Tier::Urgent, term: "fever".into() });

    let triage = scan("I wet myself, my bladder");
    assert_eq!(triage.flag_ids(), ["bladder"], "one flag, several terms");
    assert_eq!(triage.terms(), ["wet myself", "bladder"]);
}

#[test]
fn vocabulary_lists_every_exact_word_but_no_prefix() {
    let red_flags = red_flags();
    let vocabulary: Vec<&str> = Scanner::vocabulary(&red_flags).collect();
    for word in ["bladder", "incontinent", "wet myself", "control", "pee", "fever", "high temperature"] {
        assert!(vocabulary.contains(&word), "{word} missing");
    }
    assert!(!vocabulary.iter().any(|w| w.ends_with('*')), "{vocabulary:?}");
}
