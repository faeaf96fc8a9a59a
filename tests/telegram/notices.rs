//! Notices that read well (issue 11, sections 4 and 5): the `/check` ends with a dated summary to
//! show a doctor; the group red-flag watch quotes the words that raised it (Telegram's reply
//! quote, an exact piece of the message; refused quotes fall back to a plain reply); in groups
//! the list of warning signs folds into an expandable blockquote while private chats keep their
//! layout; no message asks for a link preview.

use crate::common::fake_api::{check_telegram_html, now, Sent};
use crate::common::updates;
use crate::harness::{Harness, NOT_A_DIAGNOSIS, SEEK_HELP};

const CHAT: i64 = 7301;
const USER: i64 = 7302;
const GROUP: i64 = -7301;

/// The questions of knowledge/redflags.toml's `[[check]]`: five emergency, then four urgent.
const N_QUESTIONS: usize = 9;
const FIRST_URGENT: usize = 5;

/// Runs `/start check` in `CHAT`, answering question `i` with `yes(i)`; returns the text of its
/// end: the message without check buttons, with any piece it was split into after it (seen
/// through a barrier).
async fn run_check(h: &Harness, yes: impl Fn(usize) -> bool) -> String {
    let mut seen = h.api.delivered_to(CHAT).len();
    h.push(updates::private_text(h.uid(), CHAT, "/start check"));
    for _ in 0..=N_QUESTIONS {
        seen += 1;
        let last = h
            .api
            .wait_delivered_to(CHAT, seen)
            .await
            .pop()
            .expect("a message");
        let Some(data) = last
            .callback_data()
            .into_iter()
            .find(|d| d.starts_with("c:"))
        else {
            let barrier = h.barrier(CHAT, CHAT).await;
            let end: Vec<String> = h
                .api
                .delivered_to(CHAT)
                .into_iter()
                .skip(seen - 1)
                .take_while(|s| s.seq != barrier.seq)
                .map(|s| s.text().to_owned())
                .collect();
            return end.join("\n\n");
        };
        let index: usize = data[2..]
            .split(':')
            .next()
            .and_then(|i| i.parse().ok())
            .expect("c:<index>:<y|n>");
        let answer = format!("c:{index}:{}", if yes(index) { 'y' } else { 'n' });
        let id = h.uid();
        h.push(updates::callback(id, CHAT, CHAT, last.message_id, &answer));
    }
    panic!("the check did not end after {N_QUESTIONS} answers");
}

/// Today's date as the summary writes it ("2026-12-02"), from the test's own clock.
fn today() -> String {
    let days = now() / 86_400;
    // Howard Hinnant's civil_from_days, as the bot's; checked against fixed dates in its unit
    // tests, so here it only has to agree with the clock.
    let z = days + 719_468;
    let (era, doe) = (z.div_euclid(146_097), z.rem_euclid(146_097));
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// The summary part of the check's end: from its heading to the end.
#[track_caller]
fn summary_of(text: &str) -> &str {
    let at = text
        .find("<b>Red-flag check: summary</b>")
        .unwrap_or_else(|| panic!("no summary in the check's last message:\n{text}"));
    &text[at..]
}

#[track_caller]
fn assert_summary(last: &str, n_yes: usize, n_no: usize, outcome: &str) {
    let summary = summary_of(last);
    let date = today();
    assert!(
        summary.contains(&date) && summary.contains(" UTC"),
        "{date}: {summary}"
    );
    assert_eq!(
        summary.matches("Answer: <b>Yes</b>").count(),
        n_yes,
        "{summary}"
    );
    assert_eq!(
        summary.matches("Answer: <b>No</b>").count(),
        n_no,
        "{summary}"
    );
    assert!(
        summary.contains(&format!("Outcome: <b>{outcome}</b>")),
        "{summary}"
    );
    // The deployment's number (no --emergency-number: the knowledge base's default).
    assert!(
        summary.contains("call your local emergency number"),
        "{summary}"
    );
    assert!(
        summary.contains(NOT_A_DIAGNOSIS),
        "the disclaimer ends it: {summary}"
    );
    assert!(
        summary.trim_end().ends_with("</i>"),
        "the disclaimer is last: {summary}"
    );
    assert!(
        summary.lines().all(|l| l.chars().count() <= 200),
        "short lines: {summary}"
    );
    assert_eq!(check_telegram_html(last), Ok(()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_all_no_ends_with_a_summary_of_every_answer() {
    let h = Harness::start().await;
    let last = run_check(&h, |_| false).await;
    assert_summary(&last, 0, N_QUESTIONS, "no red flag reported");
    assert!(!summary_of(&last).contains("not asked"), "{last}");
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_yes_on_an_emergency_question_ends_with_an_emergency_summary() {
    let h = Harness::start().await;
    let last = run_check(&h, |i| i == 1).await;
    // The emergency advice comes first, the summary after it.
    let text = last.as_str();
    let summary_at = text.find("Red-flag check: summary").expect("summary");
    let emergency_at = text
        .find("This may be an emergency")
        .expect("emergency advice");
    assert!(emergency_at < summary_at, "{text}");
    assert_summary(&last, 1, 1, "emergency");
    assert!(
        summary_of(&last).contains(&format!("{} more not asked", N_QUESTIONS - 2)),
        "{text}"
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_yes_on_an_urgent_question_ends_with_an_urgent_summary() {
    let h = Harness::start().await;
    let last = run_check(&h, |i| i == FIRST_URGENT).await;
    assert!(last.contains(SEEK_HELP), "{last}");
    assert_summary(&last, 1, N_QUESTIONS - 1, "urgent");
    h.finish().await;
}

/// Posts `text` unaddressed in `group` and returns the bot's notice replying to it.
async fn notice(h: &Harness, group: i64, text: &str) -> (i64, Sent) {
    let id = h.uid();
    h.push(updates::group_text(id, group, USER, text));
    let reply = h
        .api
        .wait_delivered_where(&format!("the red-flag notice to message {id}"), |s| {
            s.chat_id() == group && s.reply_to() == Some(id)
        })
        .await;
    (id, reply)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_watch_notice_quotes_the_exact_words_that_raised_it() {
    let h = Harness::start().await;
    for (i, (text, trigger)) in [
        ("my dad fell and now he can't feel his legs", "fell"),
        ("😭😭 I LOST CONTROL of my BLADDER 😭", "bladder"),
        ("שלום! I wet myself \u{200f}", "wet myself"),
        ("Ischiás, y ahora I wet myself 🙏", "wet myself"),
        ("I lost controll of my bladdr", "controll"),
    ]
    .into_iter()
    .enumerate()
    {
        // One group each: the cooldown is per group.
        let group = GROUP - 10 * i as i64;
        let (_, reply) = notice(&h, group, text).await;
        let quote = reply
            .quote()
            .unwrap_or_else(|| panic!("{text:?}: the notice should quote: {}", reply.body));
        assert!(text.contains(quote), "{text:?}: {quote:?}");
        assert!(
            quote.to_lowercase().contains(trigger),
            "{text:?}: {quote:?} should hold {trigger:?}"
        );
        let position = reply.body["reply_parameters"]["quote_position"]
            .as_u64()
            .expect("quote_position");
        let at = text.find(quote).expect("in the text");
        assert_eq!(
            position as usize,
            text[..at].encode_utf16().count(),
            "{text:?}"
        );
    }
    // The fake refuses a quote that is not in the message: none was refused.
    assert!(h.api.failed().is_empty(), "{:#?}", h.api.failed());
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_quote_still_gets_the_notice_without_it() {
    let h = Harness::start().await;
    h.api.refuse_reply_quotes();
    let (_, reply) = notice(&h, GROUP, "I lost control of my bladder this morning").await;
    assert_eq!(reply.quote(), None, "{}", reply.body);
    assert!(reply.text().contains(SEEK_HELP), "{}", reply.text());
    let failed = h.api.failed();
    assert_eq!(failed.len(), 1, "one refused attempt: {failed:#?}");
    assert!(failed[0].reason.contains("QUOTE"), "{failed:#?}");
    h.finish().await;
}

/// The text before the blockquote, and the blockquote's content.
#[track_caller]
fn folded(text: &str) -> (&str, &str) {
    let (before, rest) = text
        .split_once("<blockquote expandable>")
        .unwrap_or_else(|| panic!("no expandable blockquote in:\n{text}"));
    let (inside, _) = rest.split_once("</blockquote>").expect("closed");
    (before, inside)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn groups_fold_the_criteria_and_private_chats_keep_their_layout() {
    let h = Harness::start().await;
    // The watch's notice in a group: the first line (what to do, the number) stays in view.
    let (_, reply) = notice(&h, GROUP, "I lost control of my bladder this morning").await;
    let (before, inside) = folded(reply.text());
    assert!(before.starts_with("<b>"), "{}", reply.text());
    assert!(
        before.contains("call your local emergency number"),
        "{}",
        reply.text()
    );
    assert!(inside.contains(SEEK_HELP), "{}", reply.text());
    assert!(!inside.contains("\n\n"), "{}", reply.text());
    // `/urgent` in a group folds too.
    let id = h.uid();
    h.push(updates::group_command(id, GROUP, USER, "/urgent"));
    let urgent = h
        .api
        .wait_delivered_where("the reply to /urgent in the group", |s| {
            s.chat_id() == GROUP && s.reply_to() == Some(id)
        })
        .await;
    assert!(
        folded(urgent.text()).1.contains(SEEK_HELP),
        "{}",
        urgent.text()
    );
    // A private chat: the same advice, unfolded.
    h.push(updates::private_text(
        h.uid(),
        CHAT,
        "I lost control of my bladder this morning",
    ));
    let private = h
        .api
        .wait_delivered_to(CHAT, 1)
        .await
        .pop()
        .expect("a reply");
    assert!(private.text().contains(SEEK_HELP), "{}", private.text());
    assert!(!private.text().contains("blockquote"), "{}", private.text());
    h.push(updates::private_text(h.uid(), CHAT, "/urgent"));
    let private = h
        .api
        .wait_delivered_to(CHAT, 2)
        .await
        .pop()
        .expect("a reply");
    assert!(!private.text().contains("blockquote"), "{}", private.text());
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_message_asks_for_a_link_preview() {
    let h = Harness::start().await;
    h.push(updates::private_text(h.uid(), CHAT, "/start"));
    h.push(updates::private_text(h.uid(), CHAT, "/about"));
    h.barrier(CHAT, CHAT).await;
    notice(&h, GROUP, "I lost control of my bladder this morning").await;
    h.barrier(GROUP, USER).await;
    let sent = h.api.delivered();
    assert!(sent.len() >= 5, "{sent:#?}");
    for message in &sent {
        assert!(message.link_preview_disabled(), "{}", message.body);
    }
    // `finish` checks every sendMessage call, refused ones included.
    h.finish().await;
}

#[test]
fn the_html_check_knows_telegrams_attributes() {
    for ok in [
        "<blockquote expandable>a\nb</blockquote>",
        "<blockquote>a</blockquote>",
        "<a href=\"https://t.me/x\">x</a>",
        "<span class=\"tg-spoiler\">x</span>",
        "<code class=\"language-rust\">x</code>",
        "<b>x</b>",
    ] {
        assert_eq!(check_telegram_html(ok), Ok(()), "{ok}");
    }
    for bad in [
        "<blockquote collapsed>a</blockquote>",
        "<blockquote expandable=\"x\">a</blockquote>",
        "<b class=\"x\">x</b>",
        "<span>x</span>",
        "<a>x</a>",
        "<blockquote expandable>a",
    ] {
        assert!(check_telegram_html(bad).is_err(), "{bad}");
    }
}
