//! The words a group notice quotes (`Engine::red_flag_quote`), on the real knowledge base: for
//! red-flag messages written every way people write them (emoji, accents, right-to-left text,
//! capitals, typos), the quote is an exact piece of the original message, at its place, and
//! holds the words that raised the flag.

use backleg::domain::quote::MAX_QUOTE_UTF16;
use backleg::domain::{Question, Tier};

use crate::support::engine;

/// `text` must raise a flag at `Tier::Urgent` or above, and its quote must be an exact piece
/// of `text` holding each of `words` (compared case-insensitively, as written).
#[track_caller]
fn check(text: &str, words: &[&str]) {
    let question = Question::new(text);
    let tier = engine()
        .red_flag_notice(&question, Tier::Urgent)
        .map(|n| n.tier);
    assert!(tier.is_some(), "{text:?} should raise a notice");
    let quote = engine()
        .red_flag_quote(&question)
        .unwrap_or_else(|| panic!("{text:?} should have a quote"));
    assert_eq!(
        text.get(quote.start..quote.start + quote.text.len()),
        Some(quote.text),
        "{text:?}: the quote must be the piece at its offset"
    );
    assert!(text.contains(quote.text), "{text:?}: {:?}", quote.text);
    assert_eq!(
        quote.utf16_start,
        text[..quote.start].encode_utf16().count(),
        "{text:?}"
    );
    assert!(!quote.text.trim().is_empty(), "{text:?}");
    assert_eq!(
        quote.text,
        quote.text.trim(),
        "{text:?}: no edge whitespace"
    );
    assert!(
        quote.text.encode_utf16().count() <= MAX_QUOTE_UTF16,
        "{text:?}"
    );
    let lower = quote.text.to_lowercase();
    for word in words {
        assert!(
            lower.contains(&word.to_lowercase()),
            "{text:?}: quote {:?} should hold {word:?}",
            quote.text
        );
    }
}

#[test]
fn quotes_are_exact_pieces_holding_the_trigger_words() {
    check("my dad fell and now he can't feel his legs", &["fell"]);
    check("I lost control of my bladder this morning", &["bladder"]);
    check("😭😭 I LOST CONTROL of my BLADDER 😭", &["bladder"]);
    check("I wet myself last night 😳", &["wet", "myself"]);
    check("Ischiás, y ahora I wet myself 🙏", &["wet", "myself"]);
    check("שלום! I wet myself \u{200f}", &["wet", "myself"]);
    check("\u{202e}I wet myself", &["wet", "myself"]);
    check("I lost controll of my bladdr", &["controll"]);
    check("numbness around my bum and genitals", &["numb"]);
    check("I have a fever and my back hurts", &["fever"]);
    check(
        "ＩＮＣＯＮＴＩＮＥＮＴ since monday",
        &["ＩＮＣＯＮＴＩＮＥＮＴ"],
    );
}

#[test]
fn quiet_messages_have_no_quote() {
    for text in ["what is sciatica?", "", "😭😭😭", "שלום"] {
        assert_eq!(
            engine().red_flag_quote(&Question::new(text)),
            None,
            "{text:?}"
        );
    }
}

/// Whatever the message, a quote is the exact piece at its offset (or there is none).
#[track_caller]
fn assert_exact(text: &str) -> Option<String> {
    let question = Question::new(text);
    let quote = engine().red_flag_quote(&question)?;
    assert_eq!(
        text.get(quote.start..quote.start + quote.text.len()),
        Some(quote.text),
        "{text:?}"
    );
    assert_eq!(
        quote.utf16_start,
        text[..quote.start].encode_utf16().count()
    );
    assert!(!quote.text.is_empty());
    Some(quote.text.to_owned())
}

mod properties {
    use proptest::prelude::*;

    use super::assert_exact;

    const PHRASES: &[(&str, &str)] = &[
        ("lost control of my bladder", "bladder"),
        ("I wet myself", "wet"),
        ("I fell down the stairs", "fell"),
        ("I have a fever", "fever"),
    ];

    fn filler() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            proptest::sample::select(&["today", "so", "hello", "sciatica", "ok"][..])
                .prop_map(str::to_owned),
            proptest::sample::select(&["😀", "🤒", "😭", "👍🏽", "🤷‍♀️", "❤️"][..])
                .prop_map(str::to_owned),
            proptest::sample::select(&["שלום", "ألم الظهر", "\u{202e}", "\u{200f}", "Ischiás"][..])
                .prop_map(str::to_owned),
            "[0-9]{1,4}",
            "[!?.,;:*#%&<>\"()]{1,3}",
        ];
        proptest::collection::vec(piece, 0..8).prop_map(|pieces| pieces.join(" "))
    }

    proptest! {
        #[test]
        fn any_text_quotes_an_exact_piece_or_nothing(text in "\\PC{0,300}") {
            assert_exact(&text);
        }

        #[test]
        fn an_embedded_flag_is_quoted_exactly(
            before in filler(),
            pick in 0..PHRASES.len(),
            upper in any::<bool>(),
            after in filler(),
        ) {
            let (phrase, word) = PHRASES[pick];
            let phrase = if upper { phrase.to_uppercase() } else { phrase.to_owned() };
            let text = format!("{before}. {phrase}! {after}");
            let quote = assert_exact(&text);
            prop_assert!(quote.is_some(), "no quote for {:?}", text);
            let quote = quote.unwrap_or_default().to_lowercase();
            prop_assert!(quote.contains(word), "{:?} quoted {:?}", text, quote);
        }
    }
}
