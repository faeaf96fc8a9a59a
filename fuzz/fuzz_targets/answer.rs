//! `answer`: any text through `Engine::answer`. Invariants: a red flag found by the triage always
//! carries the urgent notice; the private and group HTML are valid Telegram HTML; every piece
//! of `split_message` is within Telegram's limit and valid HTML on its own.
#![no_main]

use std::sync::OnceLock;

use backleg::domain::{EmergencyContact, Engine, EngineOptions, Question};
use backleg::telegram::html_check::check_telegram_html;
use backleg::telegram::outbound::{split_message, MAX_MESSAGE_LEN};
use libfuzzer_sys::fuzz_target;

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        Engine::from_files(
            &backleg::kb_files::embedded_files(),
            &EngineOptions::default(),
        )
        .expect("the embedded knowledge base loads")
    })
}

fn check_html(what: &str, html: &str) {
    if let Err(problem) = check_telegram_html(html) {
        panic!("{what} is not valid Telegram HTML: {problem}\n{html}");
    }
    for piece in split_message(html, MAX_MESSAGE_LEN) {
        let len = piece.encode_utf16().count();
        assert!(len <= MAX_MESSAGE_LEN, "{what}: a piece of {len} units");
        if let Err(problem) = check_telegram_html(&piece) {
            panic!("{what}: a piece is not valid Telegram HTML: {problem}\n{piece}");
        }
    }
}

fuzz_target!(|data: &[u8]| {
    // The first byte picks the chat's emergency contact; the rest is the message.
    let (contact, text) = match data.split_first() {
        Some((b, rest)) if b % 4 == 1 => (EmergencyContact::Country("DE".into()), rest),
        Some((b, rest)) if b % 4 == 2 => (EmergencyContact::Custom("911".into()), rest),
        Some((_, rest)) => (EmergencyContact::Default, rest),
        None => (EmergencyContact::Default, data),
    };
    let text = String::from_utf8_lossy(text);
    let question = Question::new(text.as_ref()).with_contact(contact);
    let answer = engine().answer(&question);
    if let Some(tier) = answer.triage.urgency {
        assert!(
            answer.reply.urgent.is_some(),
            "red flag ({tier:?}) without the urgent notice"
        );
    }
    check_html("the private reply", &answer.reply.to_html());
    check_html("the group reply", &answer.reply.to_group_html());
});
