use super::*;
use crate::domain::testing;

fn engine() -> Engine {
    Engine::new(testing::kb(), &EngineOptions::default())
}

#[test]
fn question_debug_hides_the_text() {
    let shown = format!("{:?}", Question::new("I wet myself"));
    assert_eq!(shown, "Question(12 bytes)");
    assert_eq!(Question::new("x").text(), "x");
}

#[test]
fn engine_can_be_shared_between_tasks() {
    fn shareable<T: Send + Sync>() {}
    shareable::<Engine>();
}

#[track_caller]
fn check_kind(engine: &Engine, text: &str, kind: ReplyKind) {
    assert_eq!(
        engine.answer(&Question::new(text)).reply.kind,
        kind,
        "{text:?}"
    );
}

#[test]
fn small_talk_empty_and_questions() {
    let engine = engine();
    check_kind(&engine, "", ReplyKind::Empty);
    check_kind(&engine, "  😀 ?! ", ReplyKind::Empty);
    check_kind(&engine, "Hello!", ReplyKind::Greeting);
    check_kind(&engine, "hi you", ReplyKind::Greeting);
    check_kind(&engine, "thanks so much", ReplyKind::Thanks);
    check_kind(&engine, "hi, thanks", ReplyKind::Thanks);
    check_kind(&engine, "so much", ReplyKind::Fallback);
    check_kind(&engine, "hi sciatica", ReplyKind::Answer);
    check_kind(&engine, "pizza", ReplyKind::Fallback);
}

#[test]
fn small_talk_keeps_the_urgent_block() {
    let files = testing::files_with(
        kb::MESSAGES_FILE,
        "greeting_words = [\"hi\", \"hello\"]",
        "greeting_words = [\"hi\", \"hello\", \"fever\"]",
    );
    let engine = Engine::from_files(&files, &EngineOptions::default()).expect("valid");
    let answer = engine.answer(&Question::new("hi fever"));
    assert_eq!(answer.reply.kind, ReplyKind::Greeting);
    assert_eq!(
        answer.reply.urgent.as_ref().map(|u| u.tier),
        Some(Tier::Urgent)
    );
    assert!(answer.reply.to_plain().contains("Fixture criteria"));
}

#[test]
fn emergency_number_is_filled_in() {
    let engine = engine();
    assert_eq!(
        engine.urgent_notice(Tier::Emergency).first_line,
        "Fixture emergency: call the fixture number."
    );
    let engine = Engine::new(
        testing::kb(),
        &EngineOptions {
            emergency_number: Some("dial 000".into()),
        },
    );
    assert_eq!(
        engine.urgent_notice(Tier::Emergency).first_line,
        "Fixture emergency: dial 000."
    );
    assert_eq!(
        engine.urgent_notice(Tier::Urgent).first_line,
        "Fixture urgent: see a doctor today, or dial 000."
    );
}

#[test]
fn topic_replies() {
    let engine = engine();
    let reply = engine.topic_reply("self-care").expect("known topic");
    assert_eq!(reply.kind, ReplyKind::Answer);
    assert_eq!(
        reply.safety_net.as_deref(),
        Some("Fixture safety net: see a doctor if it gets worse.")
    );
    assert!(reply.urgent.is_none());
    let urgent = engine.topic_reply("urgent").expect("urgent topic");
    assert_eq!(urgent.kind, ReplyKind::UrgentCare);
    // Asked for, the list comes under the conditional headline, without the emergency banner.
    let list = urgent.urgent.as_ref().expect("the list");
    assert_eq!(list.tier, Tier::Check);
    assert_eq!(
        list.first_line,
        "Fixture check: if any of these are happening, get help."
    );
    assert!(list.because.is_none(), "nothing was mentioned");
    assert!(urgent.sections.is_empty(), "the list is the answer");
    assert!(engine.topic_reply("nope").is_none());
    assert_eq!(engine.urgent_care_reply().kind, ReplyKind::UrgentCare);
}

#[test]
fn stats_count_the_fixture() {
    let stats = engine().stats();
    assert_eq!(stats.n_topics, 3);
    assert_eq!(stats.n_red_flags, 3);
    // bladder: 2 terms, 1 phrase, 1 near rule; fall: 2 terms; fever: 1 term.
    assert_eq!(stats.n_red_flag_patterns, 7);
}

#[test]
fn explain_shows_how_a_message_was_read() {
    let text = engine().explain("sciatca, I wet myself");
    assert!(text.contains("corrections: [sciatca->sciatica]"), "{text}");
    assert!(
        text.contains("flags: [bladder:emergency:wet myself]"),
        "{text}"
    );
    assert!(text.contains("sciatica"), "{text}");
}

#[test]
fn red_flag_notice_matches_the_full_answer() {
    let engine =
        crate::kb_files::load_engine(None, &EngineOptions::default()).expect("built-in kb");
    for text in [
        "I wet myself",
        "what is sciatica",
        "fever and back pain",
        "",
        "a bit numb sometimes",
    ] {
        let question = Question::new(text);
        let answered = engine.answer(&question).reply.urgent;
        assert_eq!(
            engine.red_flag_notice(&question, Tier::Check),
            answered,
            "{text:?}"
        );
        // The group watch asks for `urgent` and above: a bare mention stays quiet there.
        let loud = answered.filter(|notice| notice.tier >= Tier::Urgent);
        assert_eq!(
            engine.red_flag_notice(&question, Tier::Urgent),
            loud,
            "{text:?}"
        );
    }
    assert!(engine
        .red_flag_notice(&Question::new("a bit numb sometimes"), Tier::Urgent)
        .is_none());
}
