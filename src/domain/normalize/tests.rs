use super::*;

#[track_caller]
fn check_fold(input: &str, want: &str) {
    assert_eq!(fold(input), want, "fold({input:?})");
}

#[test]
fn fold_lowercases_and_strips_accents() {
    check_fold("Ischiás IS Painful", "ischias is painful");
    check_fold("ＳＣＩＡＴＩＣＡ", "sciatica");
}

#[test]
fn fold_joins_contractions_and_splits_punctuation() {
    check_fold("I can't hold my pee!!", "i cant hold my pee");
    check_fold("I’ve got back-to-leg pain", "i got back to leg pain");
    check_fold("'quoted'", "quoted");
    check_fold(
        "my bladder's fine, it's ok, let’s go",
        "my bladder fine it ok let go",
    );
    check_fold(
        "I wee'd myself, I'm sure, we'll see, they've gone, you're ok",
        "i wee myself i sure we see they gone you ok",
    );
    check_fold("don't won't can't", "dont wont cant");
}

#[test]
fn fold_drops_emoji_control_and_rtl_marks() {
    check_fold("pain 😭\u{0}\u{202e}leg\u{7}", "pain leg");
    check_fold("", "");
    check_fold("   \t\n ", "");
}

#[test]
fn fold_keeps_decimals_and_drops_thousands_commas() {
    check_fold(
        "temp 38.5, then 1,000 steps. L4.",
        "temp 38.5 then 1000 steps l4",
    );
    check_fold("lost 15lbs, 63M, L5S1, 2am", "lost 15 lbs 63 m l5 s1 2 am");
    check_fold("3. 5", "3 5");
    check_fold("go to A&E? back & leg", "go to ae back leg");
}

#[test]
fn breaks_mark_clauses_and_sentences() {
    use Break::{Clause, None, Sentence};
    let (text, breaks) = fold_with_breaks(
        "No numbness, but my leg - it hurts! Back-to-back. Wet myself\nhelp + more",
    );
    assert_eq!(
        text,
        "no numbness but my leg it hurts back to back wet myself help more"
    );
    assert_eq!(
        breaks,
        [
            Sentence, None, Clause, None, None, Clause, None, Sentence, None, None, Sentence, None,
            Sentence, Clause
        ]
    );
    assert_eq!(fold_with_breaks("").1, []);
    assert_eq!(fold_with_breaks("  ...hi").1, [Sentence]);
}

#[test]
fn fold_keeps_non_latin_letters() {
    check_fold("ألم الظهر", "الم الظهر");
}

#[test]
fn stop_words_are_sorted_for_binary_search() {
    assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn stop_words_are_recognised() {
    assert!(is_stop_word("the"));
    assert!(!is_stop_word("why"));
    assert!(!is_stop_word("sciatica"));
}

#[test]
fn stemmer_merges_word_forms() {
    let stemmer = WordStemmer::english();
    assert_eq!(stemmer.stem("radiating"), stemmer.stem("radiates"));
    assert_eq!(stemmer.stem("discs"), "disc");
}

/// The original piece of each folded word.
fn pieces(text: &str) -> Vec<&str> {
    let folded = fold_with_spans(text);
    assert_eq!(folded.spans.len(), words(&folded.text).count(), "{text:?}");
    folded
        .spans
        .iter()
        .map(|&(start, end)| &text[start as usize..end as usize])
        .collect()
}

#[test]
fn spans_point_at_each_word_in_the_original_text() {
    assert_eq!(
        pieces("I can't FEEL my legs!"),
        ["I", "can't", "FEEL", "my", "legs"]
    );
    assert_eq!(pieces("my bladder's gone"), ["my", "bladder", "gone"]);
    assert_eq!(
        pieces("A&E, 38.5 and 1,000"),
        ["A&E", "38.5", "and", "1,000"]
    );
    assert_eq!(pieces("lost 15lbs"), ["lost", "15", "lbs"]);
    assert_eq!(pieces(""), Vec::<&str>::new());
    assert_eq!(pieces("😭😭 ...!"), Vec::<&str>::new());
}

#[test]
fn spans_cover_whole_characters_of_accented_emoji_and_rtl_text() {
    assert_eq!(pieces("Ischiás 😭 pain"), ["Ischiás", "pain"]);
    // Decomposed: a mark inside a word is inside its span; one at its end is dropped before
    // the word ends (a quote widens over it).
    assert_eq!(pieces("Ischia\u{301}s"), ["Ischia\u{301}s"]);
    assert_eq!(pieces("cafe\u{301} numb"), ["cafe", "numb"]);
    assert_eq!(pieces("ＳＣＩＡＴＩＣＡ ﬁne"), ["ＳＣＩＡＴＩＣＡ", "ﬁne"]);
    assert_eq!(pieces("ألم الظهر\u{200f} numb"), ["ألم", "الظهر", "numb"]);
    assert_eq!(pieces("½"), ["½", "½"]);
}

#[test]
fn spans_and_breaks_fold_as_fold_does() {
    for text in [
        "I can't FEEL my legs!",
        "Ischia\u{301}s, e\u{301}\u{327}\u{301}a\u{308}\u{323}",
        "ＳＣＩＡＴＩＣＡ ﬁne ½ 😭\u{202e}leg",
        "ألم الظهر. שלום? 背中が痛い",
        "wee'd myself, I’m sure: 38.5c & A&E",
    ] {
        let folded = fold_with_spans(text);
        assert_eq!(folded.text, fold(text), "{text:?}");
        assert_eq!(
            (folded.text.clone(), folded.breaks.clone()),
            fold_with_breaks(text),
            "{text:?}"
        );
        assert_eq!(folded.spans.len(), folded.breaks.len(), "{text:?}");
        for &(start, end) in &folded.spans {
            assert!(start < end, "{text:?}");
            assert!(text.get(start as usize..end as usize).is_some(), "{text:?}");
        }
    }
}

/// `fold_with_spans` decomposes one character at a time; the whole-text decomposition `fold`
/// uses also reorders characters of a non-zero combining class. Both agree because every such
/// character is a combining mark, and those are dropped.
#[test]
fn every_reorderable_character_is_a_combining_mark() {
    use unicode_normalization::char::canonical_combining_class;
    let odd: Vec<char> = (0..=char::MAX as u32)
        .filter_map(char::from_u32)
        .filter(|&c| canonical_combining_class(c) != 0 && !is_combining_mark(c))
        .collect();
    assert!(odd.is_empty(), "{odd:?}");
}
