//! The scanner's mechanisms on the fixture's flags (tests/it/fixtures/kb/redflags.toml); the
//! real flags' phrasings are tested through the engine in tests/it/triage.rs and
//! tests/it/safety.rs.

use super::*;
use crate::domain::kb::RED_FLAGS_FILE;
use crate::domain::normalize::{fold_with_breaks, words};
use crate::domain::testing::{self, files_with};

fn scanner() -> Scanner {
    Scanner::build(&testing::kb().red_flags)
}

fn scan_with(scanner: &Scanner, text: &str) -> Triage {
    let (folded, breaks) = fold_with_breaks(text);
    let words: Vec<&str> = words(&folded).collect();
    scanner.scan(&words, &breaks)
}

fn scan(text: &str) -> Triage {
    scan_with(&scanner(), text)
}

/// The fixture with `extra` TOML appended to the flag `after` (its last line given).
fn scanner_with(from: &str, to: &str) -> Scanner {
    let kb = crate::domain::parse_kb(&files_with(RED_FLAGS_FILE, from, to))
        .unwrap_or_else(|e| panic!("{e}"));
    Scanner::build(&kb.red_flags)
}

#[track_caller]
fn check(text: &str, want: Option<Tier>, want_terms: &[&str]) {
    let triage = scan(text);
    assert_eq!(triage.urgency, want, "{text:?}: {triage:?}");
    assert_eq!(triage.terms(), want_terms, "{text:?}");
}

#[test]
fn clear_hits_raise_the_flag_tier_and_mentions_raise_check() {
    check("I am incontinent", Some(Tier::Emergency), &["incontinent"]);
    check("I wet myself", Some(Tier::Emergency), &["wet myself"]);
    check("FEVER!", Some(Tier::Urgent), &["fever"]);
    check(
        "does it affect the bladder",
        Some(Tier::Check),
        &["bladder"],
    );
    check("sciatica", None, &[]);
    check("", None, &[]);
    check("bladders", None, &[]);
}

#[test]
fn word_forms_are_rewritten_before_rules() {
    // "cannot" and "not able" read as "cant", which the near rule names.
    check("I cannot pee", Some(Tier::Emergency), &["cant pee"]);
    check(
        "I am not able to wee",
        Some(Tier::Emergency),
        &["cant … wee"],
    );
    check(
        "cannot control my bladder",
        Some(Tier::Emergency),
        &["cant … bladder", "control … bladder"],
    );
}

#[test]
fn negation_lowers_to_check_and_never_silences() {
    check("no bladder problems", Some(Tier::Check), &["bladder"]);
    check("I am not incontinent", Some(Tier::Check), &["incontinent"]);
    check("without any fever", Some(Tier::Check), &["fever"]);
    check("my bladder is fine", Some(Tier::Check), &["bladder"]);
    let triage = scan("no fever");
    assert!(triage.hits[0].negated);
    assert_eq!(triage.hits[0].tier, Tier::Check);
}

#[test]
fn negation_stops_at_a_stop_word_or_a_clause_break() {
    check(
        "no fever but incontinent",
        Some(Tier::Emergency),
        &["fever", "incontinent"],
    );
    check(
        "no fever, incontinent",
        Some(Tier::Emergency),
        &["fever", "incontinent"],
    );
    // A word that is neither a bridge nor a red-flag word ends the reach.
    check(
        "no idea why I am incontinent",
        Some(Tier::Emergency),
        &["incontinent"],
    );
}

#[test]
fn a_near_rule_prefers_asserted_words_and_a_negated_part_negates_it() {
    // "control" is negated, "cant" is not: the rule is built from "cant".
    check(
        "no control issues, cant pee",
        Some(Tier::Emergency),
        &["control … pee", "cant pee"],
    );
    let triage = scan("no control issues, cant pee");
    assert_eq!(
        triage.hits.iter().map(|h| h.tier).collect::<Vec<_>>(),
        [Tier::Check, Tier::Emergency]
    );
}

#[test]
fn benign_look_alikes_mask_words_not_phrases() {
    check("I fell asleep on the sofa", None, &[]);
    check(
        "I fell asleep, then I fell down the stairs",
        Some(Tier::Emergency),
        &["fell"],
    );
}

#[test]
fn long_ago_and_elsewhere() {
    check("I fell years ago", Some(Tier::Check), &["fell"]);
    check(
        "I fell and now my back hurts",
        Some(Tier::Emergency),
        &["fell"],
    );
    check("he fell and chipped a tooth", None, &[]);
    check(
        "he fell and chipped a tooth, and his back hurts",
        Some(Tier::Emergency),
        &["fell"],
    );
}

#[test]
fn measures_read_numbers_in_range() {
    check("temp 38.4 since monday", Some(Tier::Urgent), &["temp 38.4"]);
    check("temp of 38", Some(Tier::Urgent), &["temp … 38"]);
    check("temp 37.2", None, &[]);
    check("38.4. temp", None, &[]);
}

#[test]
fn unless_cancels_close_by_and_not_when_negated() {
    let scanner = scanner_with(
        "terms = [\"fever\"]",
        "terms = [\"fever\"]\nunless = [\"on purpose\"]",
    );
    assert_eq!(scan_with(&scanner, "fever on purpose").urgency, None);
    assert_eq!(
        scan_with(&scanner, "fever, not on purpose").urgency,
        Some(Tier::Urgent)
    );
    assert_eq!(
        scan_with(&scanner, "fever. on purpose").urgency,
        Some(Tier::Urgent),
        "another sentence"
    );
}

#[test]
fn downgrade_lowers_a_close_hit() {
    let scanner = scanner_with(
        "terms = [\"fever\"]",
        "terms = [\"fever\"]\ndowngrade = [\"family history\"]",
    );
    assert_eq!(
        scan_with(&scanner, "family history of fever").urgency,
        Some(Tier::Check)
    );
    assert_eq!(
        scan_with(&scanner, "I have a fever").urgency,
        Some(Tier::Urgent)
    );
}

#[test]
fn age_rule_needs_the_age_and_the_words() {
    let scanner = scanner_with(
        "terms = [\"fever\"]",
        "terms = [\"fever\"]\n[flag.age]\nover = 50\nwith = [\"new pain\"]",
    );
    assert_eq!(
        scan_with(&scanner, "I'm 71 with new pain").urgency,
        Some(Tier::Urgent)
    );
    assert_eq!(scan_with(&scanner, "I'm 41 with new pain").urgency, None);
    assert_eq!(scan_with(&scanner, "I'm 71 with old pain").urgency, None);
}

#[test]
fn hits_are_in_reading_order_once_each() {
    let triage = scan("fever and I wet myself and a fever");
    assert_eq!(triage.terms(), ["fever", "wet myself"]);
    assert_eq!(triage.flag_ids(), ["fever", "bladder"]);
    assert_eq!(triage.flag_ids_at_least(Tier::Emergency), ["bladder"]);
    assert_eq!(triage.urgency, Some(Tier::Emergency));
}

#[test]
fn vocabulary_lists_clear_mention_and_measure_words() {
    let kb = testing::kb();
    let vocabulary: Vec<&str> = Scanner::vocabulary(&kb.red_flags).collect();
    for word in [
        "incontinent",
        "wet",
        "myself",
        "control",
        "bladder",
        "fell",
        "fever",
        "temp",
    ] {
        assert!(vocabulary.contains(&word), "{word}");
    }
    assert!(
        !vocabulary.contains(&"asleep"),
        "benign words are not flag vocabulary"
    );
}

#[test]
fn hits_name_the_input_words_that_raised_them() {
    let words_of = |text: &str| {
        scan(text)
            .hits
            .iter()
            .map(|h| (h.term.clone(), h.words.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(words_of("FEVER!"), [("fever".to_owned(), vec![0])]);
    assert_eq!(
        words_of("so I wet myself"),
        [("wet myself".to_owned(), vec![2, 3])]
    );
    // "not able" is rewritten to "cant": the hit still names both of its words.
    assert_eq!(
        words_of("I am not able to wee"),
        [("cant … wee".to_owned(), vec![2, 3, 5])]
    );
    assert_eq!(
        words_of("temp 38.4 since monday"),
        [("temp 38.4".to_owned(), vec![0, 1])]
    );
    assert!(words_of("sciatica").is_empty());
}
