//! Property tests (issue section 7): the engine never panics on any input, and a red-flag
//! phrase embedded anywhere in random text always adds the urgent block.

use backleg::domain::{Question, ReplyKind};
use proptest::prelude::*;

use crate::support::{assert_only_telegram_markup, engine, NOT_A_DIAGNOSIS};

/// Answers, renders both ways, and checks what must hold for every message.
fn answer_and_render(text: &str) -> backleg::domain::Answer {
    let answer = engine().answer(&Question::new(text));
    let plain = answer.reply.to_plain();
    let html = answer.reply.to_html();
    assert!(plain.contains(NOT_A_DIAGNOSIS), "no disclaimer");
    // The block is there whenever triage fired, and otherwise only as the answer to "when is it
    // urgent" (the list asked for).
    if answer.triage.urgency.is_some() {
        assert!(
            answer.reply.urgent.is_some(),
            "triage fired, no urgent block"
        );
    } else if answer.reply.urgent.is_some() {
        assert!(
            answer.reply.answered.iter().any(|t| t.as_str() == "urgent"),
            "an urgent block with no flag and no urgent topic"
        );
    }
    assert!(answer.reply.answered.len() <= 2);
    assert_only_telegram_markup(&html);
    let _ = engine().explain(text);
    answer
}

/// Words the engine knows, so random messages reach spelling correction, phrases and flags.
const KB_WORDS: &[&str] = &[
    "sciatica",
    "siatica",
    "disc",
    "disk",
    "slipped",
    "herniated",
    "leg",
    "back",
    "pain",
    "nerve",
    "bladder",
    "bladdr",
    "fell",
    "fall",
    "asleep",
    "both",
    "legs",
    "numb",
    "weak",
    "fever",
    "cancer",
    "weight",
    "lost",
    "control",
    "heat",
    "ice",
    "posture",
    "hi",
    "thanks",
    "ibuprofen",
    "dose",
    "can't",
    "cant",
    "foot",
    "drop",
    "and",
    "also",
    "?",
    "!",
    "'s",
    "don’t",
];

fn kb_word_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => proptest::sample::select(KB_WORDS).prop_map(str::to_owned),
        1 => any::<char>().prop_map(|c| c.to_string()),
        1 => "[a-z]{1,12}",
    ];
    (
        proptest::collection::vec(piece, 0..30),
        proptest::collection::vec(prop_oneof![Just(" "), Just(""), Just(", "), Just("\n")], 30),
    )
        .prop_map(|(pieces, seps)| {
            pieces
                .iter()
                .zip(seps.iter().cycle())
                .map(|(p, s)| format!("{p}{s}"))
                .collect()
        })
}

// ---- (b) red-flag phrases ------------------------------------------------------------------

/// One phrase per kind of red flag, as people write them.
const RED_FLAG_PHRASES: &[&str] = &[
    "lost control of my bladder",
    "I wet myself",
    "can't hold my pee",
    "pooped myself",
    "numb between my legs",
    "numbness around my bum",
    "both legs are weak",
    "pain in both legs",
    "I have foot drop",
    "my leg gave way",
    "can't get an erection",
    "pain after a car accident",
    "I fell down the stairs",
    "I have a fever",
    "history of cancer",
    "lost a lot of weight",
    "bladdr problems",
    "I'm incontinant",
];

/// Neutral words that cannot make or break a red flag.
const NEUTRAL_WORDS: &[&str] = &[
    "today",
    "really",
    "the",
    "maybe",
    "so",
    "hello",
    "ok",
    "um",
    "sciatica",
    "and",
    "please",
    "yesterday",
    "again",
];

/// Separators: never an apostrophe (it would join words), never a letter or digit.
const SEPARATORS: &[&str] = &[
    " ", ", ", ". ", "! ", "? ", ";", ":", " - ", "(", ")", "\n", "\t", " … ", "/", "\u{3000}",
];

/// Filler that forms no letters next to the phrase: emoji, digits, CJK, RTL text, control
/// characters, punctuation and neutral words, always joined by a separator.
fn filler() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        proptest::sample::select(NEUTRAL_WORDS).prop_map(str::to_owned),
        proptest::sample::select(&["😀", "🤒", "🚽", "😭", "👍🏽", "🤷‍♀️", "❤️"][..])
            .prop_map(str::to_owned),
        "[0-9]{1,6}",
        "[\u{4e00}-\u{9fff}]{1,6}",
        proptest::sample::select(&["שלום", "ألم الظهر", "\u{202e}", "\u{200f}", "مرحبا"][..])
            .prop_map(str::to_owned),
        "[\u{0}-\u{8}\u{b}-\u{1f}\u{7f}]{1,3}",
        "[!?.,;:*#%&<>\"()\\[\\]{}]{1,4}",
    ];
    proptest::collection::vec((piece, proptest::sample::select(SEPARATORS)), 0..12)
        .prop_map(|pieces| pieces.into_iter().map(|(p, s)| format!("{p}{s}")).collect())
}

fn cased(phrase: &str, case: u8) -> String {
    match case {
        0 => phrase.to_owned(),
        1 => phrase.to_uppercase(),
        _ => phrase.to_lowercase(),
    }
}

proptest! {
    // (a) no panic on any Unicode, control characters included.
    #[test]
    fn any_chars_never_panic(chars in proptest::collection::vec(any::<char>(), 0..400)) {
        let text: String = chars.into_iter().collect();
        answer_and_render(&text);
    }

    #[test]
    fn any_printable_string_never_panics(text in "\\PC{0,400}") {
        answer_and_render(&text);
    }

    #[test]
    fn random_messages_of_known_words_never_panic(text in kb_word_text()) {
        answer_and_render(&text);
    }

    // (b) a red-flag phrase anywhere in random text always triggers.
    #[test]
    fn embedded_red_flag_always_triggers(
        before in filler(),
        sep_before in proptest::sample::select(SEPARATORS),
        phrase in proptest::sample::select(RED_FLAG_PHRASES),
        case in 0u8..3,
        sep_after in proptest::sample::select(SEPARATORS),
        after in filler(),
    ) {
        let text = format!("{before}{sep_before}{}{sep_after}{after}", cased(phrase, case));
        let answer = answer_and_render(&text);
        prop_assert!(answer.triage.urgency.is_some(), "no urgency for {:?}", text);
        let urgent = answer.reply.urgent.as_ref().expect("urgent block");
        let plain = answer.reply.to_plain();
        prop_assert!(plain.contains(&urgent.first_line), "first line missing for {:?}", text);
        prop_assert!(plain.contains(urgent.criteria.lines().next().expect("criteria")), "criteria missing for {:?}", text);
    }

    // The tier of a phrase does not depend on the words around it (the higher tier only can
    // be added by the filler, and the filler holds no flags).
    #[test]
    fn embedded_red_flag_keeps_its_tier(
        before in filler(),
        phrase in proptest::sample::select(RED_FLAG_PHRASES),
        after in filler(),
    ) {
        let alone = engine().answer(&Question::new(phrase)).triage.urgency;
        let embedded = engine().answer(&Question::new(format!("{before} {phrase} {after}"))).triage.urgency;
        prop_assert_eq!(alone, embedded);
    }
}

#[test]
fn every_listed_phrase_triggers_on_its_own() {
    for phrase in RED_FLAG_PHRASES {
        assert!(
            engine()
                .answer(&Question::new(*phrase))
                .triage
                .urgency
                .is_some(),
            "{phrase:?}"
        );
    }
    for word in NEUTRAL_WORDS {
        assert!(
            engine()
                .answer(&Question::new(*word))
                .triage
                .urgency
                .is_none(),
            "{word:?} is not neutral"
        );
    }
}

// ---- 100 KB ----------------------------------------------------------------------------------

fn mixed_text(min_bytes: usize) -> String {
    let chunks = [
        "My lower back hurts and the pain travels down my leg, what is siatica? ",
        "😀🤒🚽 ",
        "ألم الظهر ",
        "坐骨神经痛 ",
        "\u{0}\u{7}\u{1b}[31m ",
        "\u{202e}reversed\u{202c} ",
        "<script>alert(1)</script> & ",
        "ＦＵＬＬＷＩＤＴＨ ",
        "e\u{301}\u{301}\u{301} ",
        "can't won’t it's ",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa ",
        "12345 67.89 ",
        "stenossis piriformus spondilolistesis ",
        "heat or ice? and also posture? ",
    ];
    let mut text = String::with_capacity(min_bytes + 200);
    let mut i = 0;
    while text.len() < min_bytes {
        text.push_str(chunks[i % chunks.len()]);
        i += 7;
    }
    text
}

#[test]
fn a_100_kb_message_of_mixed_text() {
    let text = mixed_text(100 * 1024);
    assert!(text.len() >= 100 * 1024);
    let answer = answer_and_render(&text);
    assert_eq!(answer.triage.urgency, None, "no red flag in the mix");

    // The same with a red flag in the middle.
    let mid = text.len() / 2;
    let mut cut = mid;
    while !text.is_char_boundary(cut) {
        cut += 1;
    }
    let flagged = format!("{} I wet myself {}", &text[..cut], &text[cut..]);
    let answer = answer_and_render(&flagged);
    assert!(
        answer.triage.urgency.is_some(),
        "a flag in the middle of 100 KB"
    );
}

#[test]
fn degenerate_100_kb_messages() {
    let cases = [
        "a".repeat(100 * 1024),
        "sciatica".repeat(13 * 1024),
        "sciatica ".repeat(12 * 1024),
        "fell ".repeat(20 * 1024),
        "? ".repeat(50 * 1024),
        "😀".repeat(25 * 1024),
        "\u{0}".repeat(100 * 1024),
        "'".repeat(100 * 1024),
        "\u{301}".repeat(50 * 1024),
        "siatica stenossis ".repeat(6 * 1024),
        "both ".repeat(10 * 1024) + &"legs ".repeat(10 * 1024),
    ];
    for text in &cases {
        assert!(text.len() >= 100 * 1000, "{} bytes", text.len());
        let answer = answer_and_render(text);
        assert!(
            matches!(
                answer.reply.kind,
                ReplyKind::Answer | ReplyKind::Fallback | ReplyKind::Empty
            ),
            "{:?}",
            answer.reply.kind
        );
    }
}
