use super::*;
use crate::domain::kb::Tier;
use crate::domain::testing;
use crate::domain::triage::FlagHit;
use crate::domain::{Engine, EngineOptions, Question};

fn engine() -> Engine {
    Engine::new(testing::kb(), &EngineOptions::default())
}

/// The quote of `text` must be `want`, an exact piece of `text` at its place.
#[track_caller]
fn check(engine: &Engine, text: &str, want: Option<&str>) {
    let question = Question::new(text);
    let quote = engine.red_flag_quote(&question);
    assert_eq!(quote.map(|q| q.text), want, "{text:?}");
    if let Some(quote) = quote {
        assert_eq!(
            &text[quote.start..quote.start + quote.text.len()],
            quote.text
        );
        assert_eq!(
            quote.utf16_start,
            text[..quote.start].encode_utf16().count()
        );
    }
}

#[test]
fn the_quote_is_the_words_that_raised_the_loudest_flag() {
    let engine = engine();
    check(&engine, "FEVER!", Some("FEVER"));
    check(&engine, "so I wet myself 😭😭", Some("wet myself"));
    check(&engine, "I am NOT able to wee…", Some("NOT able to wee"));
    check(
        &engine,
        "I can't control my bladder",
        Some("can't control my bladder"),
    );
    check(&engine, "temp 38.4 since monday", Some("temp 38.4"));
    // The bladder mention is a check; the emergency is the word that counts.
    check(
        &engine,
        "my bladder's ok but I am incontinent",
        Some("incontinent"),
    );
    // The fever comes first, the emergency wins.
    check(&engine, "fever and I wet myself", Some("wet myself"));
    check(&engine, "what is sciatica?", None);
    check(&engine, "", None);
}

#[test]
fn accents_typos_emoji_and_rtl_text_quote_the_original() {
    let engine = engine();
    check(&engine, "😭 I wét mysélf", Some("wét mysélf"));
    check(&engine, "I we\u{301}t myself", Some("we\u{301}t myself"));
    check(&engine, "ＦＥＶＥＲ", Some("ＦＥＶＥＲ"));
    check(&engine, "שלום, I have a fevr \u{200f}", Some("fevr"));
    check(&engine, "I am incontinant!!", Some("incontinant"));
}

fn hit(words: Vec<usize>, tier: Tier) -> FlagHit {
    FlagHit {
        flag: "f".to_owned(),
        tier,
        term: "t".to_owned(),
        negated: false,
        words,
    }
}

fn triage(hits: Vec<FlagHit>) -> Triage {
    Triage {
        urgency: hits.iter().map(|h| h.tier).max(),
        hits,
    }
}

#[test]
fn a_hit_spread_too_far_quotes_its_first_place() {
    let text = format!("numb {} legs", "x ".repeat(150));
    let end = text.len() as u32;
    let spans = [(0, 4), (end - 4, end)];
    let quote = quote(&text, &spans, &triage(vec![hit(vec![0, 1], Tier::Urgent)]));
    assert_eq!(quote.map(|q| q.text), Some("numb"));
}

#[test]
fn a_giant_word_is_cut_on_a_character_boundary() {
    let text = "é".repeat(500);
    let spans = [(0, text.len() as u32)];
    let quote = quote(&text, &spans, &triage(vec![hit(vec![0], Tier::Urgent)])).expect("quote");
    assert_eq!(quote.text, "é".repeat(MAX_QUOTE_UTF16));
}

#[test]
fn spans_that_do_not_fit_the_text_give_no_quote() {
    let text = "é fever";
    let urgent = triage(vec![hit(vec![0], Tier::Urgent)]);
    assert_eq!(quote(text, &[(1, 2)], &urgent), None, "inside a character");
    assert_eq!(quote(text, &[(0, 99)], &urgent), None, "past the end");
    assert_eq!(quote(text, &[], &urgent), None, "no span");
    assert_eq!(quote(text, &[(0, 2)], &triage(Vec::new())), None);
}

#[test]
fn widening_takes_whole_words_and_apostrophes_inside_them() {
    let text = "I can't feel x";
    // "an" inside "can't": widened to the whole word.
    assert_eq!(widen(text, 3, 5), (2, 7));
    assert_eq!(widen("'quoted'", 1, 7), (1, 7));
    assert_eq!(widen("bladder's", 0, 7), (0, 9));
}

#[test]
fn loudest_hits_that_touch_are_quoted_together() {
    let text = "so lost control of my bladder and then fever";
    let spans = [
        (0, 2),
        (3, 7),
        (8, 15),
        (16, 18),
        (19, 21),
        (22, 29),
        (30, 33),
        (34, 38),
        (39, 44),
    ];
    let emergency = |words| hit(words, Tier::Emergency);
    let both = triage(vec![
        emergency(vec![1, 2]),
        emergency(vec![2, 5]),
        hit(vec![8], Tier::Urgent),
    ]);
    let got = quote(text, &spans, &both).map(|q| q.text);
    assert_eq!(got, Some("lost control of my bladder"));
    // A loudest hit further away is not joined.
    let apart = triage(vec![emergency(vec![1, 2]), emergency(vec![8])]);
    assert_eq!(
        quote(text, &spans, &apart).map(|q| q.text),
        Some("lost control")
    );
}

#[test]
fn each_hit_gives_the_original_spans_of_its_words() {
    let text = "Oh no, I am NOT able to wée 😭";
    let engine = engine();
    let analysis = engine.analyze(text);
    let triage = engine.triage(&analysis);
    let pieces: Vec<&str> = triage.hits[0]
        .spans(&analysis.spans)
        .map(|(start, end)| &text[start as usize..end as usize])
        .collect();
    assert_eq!(pieces, ["NOT", "able", "wée"]);
}
