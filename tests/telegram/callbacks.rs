//! Inline buttons: a topic button answers that topic; every callback query is answered, forged
//! and stale ones politely; the `/check` flow asks one yes/no question at a time.

use serde_json::Value;

use crate::common::fake_api::{inline_buttons, Record, WAIT};
use crate::common::updates;
use crate::harness::{has_error_lines, Harness, NOT_A_DIAGNOSIS, SCIATICA_TITLE, SEEK_HELP};

const CHAT: i64 = 7001;

/// Asks "what is sciatica" and returns the bot's answer's message id (buttons hang under it).
async fn bot_message_id(h: &Harness) -> i64 {
    h.push(updates::private_text(h.uid(), CHAT, "what is sciatica"));
    let answer = h.api.wait_delivered_to(CHAT, 1).await.swap_remove(0);
    assert!(answer.text().contains(SCIATICA_TITLE), "{}", answer.text());
    answer.message_id
}

/// Waits for `answerCallbackQuery` on callback query `id`.
async fn wait_answered(h: &Harness, id: &str) -> crate::common::fake_api::Call {
    h.api
        .wait_call_where(
            "answerCallbackQuery",
            &format!("for callback query {id}"),
            |c| c.body["callback_query_id"].as_str() == Some(id),
        )
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn topic_button_answers_that_topic() {
    let h = Harness::start().await;
    let under = bot_message_id(&h).await;
    let id = h.uid();
    h.push(updates::callback(id, CHAT, CHAT, under, "t:symptoms"));
    wait_answered(&h, &updates::callback_id(id)).await;
    let topic = h
        .api
        .wait_delivered_where("the symptoms topic (\"What it feels like\")", |s| {
            s.chat_id() == CHAT && s.text().contains("What it feels like")
        })
        .await;
    assert!(topic.text().contains(NOT_A_DIAGNOSIS), "{}", topic.text());
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_callback_data_gets_a_polite_answer() {
    let h = Harness::start().await;
    let under = bot_message_id(&h).await;
    let forged = [
        "t:nope",
        "zzz",
        "t:",
        "c:999:maybe",
        "t:sciatica:extra",
        "t:../../etc/passwd",
        "🙂",
    ];
    let mut ids = Vec::new();
    for data in forged {
        let id = h.uid();
        h.push(updates::callback(id, CHAT, CHAT, under, data));
        ids.push(updates::callback_id(id));
    }
    let mut answers = Vec::new();
    for id in &ids {
        answers.push(wait_answered(&h, id).await);
    }
    // Still serving.
    h.barrier(CHAT, CHAT).await;
    // Politely: a toast on the button (answerCallbackQuery text) or a message in the chat.
    let messages_after = h.api.delivered_to(CHAT).len() - 2;
    let silent: Vec<&str> = answers
        .iter()
        .filter(|a| a.body["text"].as_str().is_none_or(str::is_empty))
        .filter_map(|a| a.body["callback_query_id"].as_str())
        .collect();
    assert!(
        silent.len() <= messages_after,
        "forged buttons should get a short explanation; {} of {} got neither a toast nor a message: {silent:?}",
        silent.len(),
        ids.len()
    );
    let stderr = h.bot.stderr();
    assert!(
        !has_error_lines(&stderr),
        "forged callback data is not an error:\n{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callback_on_an_inaccessible_old_message_is_answered() {
    let h = Harness::start().await;
    let id = h.uid();
    h.push(updates::callback_on(
        id,
        CHAT,
        updates::inaccessible_message(99, CHAT),
        "t:symptoms",
    ));
    wait_answered(&h, &updates::callback_id(id)).await;
    h.barrier(CHAT, CHAT).await;
    assert!(!has_error_lines(&h.bot.stderr()), "{}", h.bot.stderr());
    h.finish().await;
}

/// One step of the `/check` flow as the user sees it: the message (sent or edited) and its id.
#[derive(Debug)]
struct Shown {
    message_id: i64,
    body: Value,
}

impl Shown {
    fn text(&self) -> &str {
        self.body["text"].as_str().unwrap_or("")
    }

    fn check_buttons(&self) -> Vec<Value> {
        inline_buttons(&self.body)
            .into_iter()
            .filter(|b| {
                b["callback_data"]
                    .as_str()
                    .is_some_and(|d| d.starts_with("c:"))
            })
            .collect()
    }

    /// The `c:` button whose label says `label` ("yes" / "no").
    fn button(&self, label: &str) -> String {
        let buttons = self.check_buttons();
        buttons
            .iter()
            .find(|b| {
                b["text"]
                    .as_str()
                    .is_some_and(|t| crate::harness::words(t).iter().any(|w| w == label))
            })
            .and_then(|b| b["callback_data"].as_str().map(str::to_owned))
            .unwrap_or_else(|| panic!("no {label:?} button among {buttons:?}"))
    }
}

/// Counts of what the bot has shown in the chat so far: (messages delivered, text edits).
fn shown_counts(record: &Record) -> (usize, usize) {
    let delivered = record
        .delivered
        .iter()
        .filter(|s| s.chat_id() == CHAT)
        .count();
    let edits = record
        .edits
        .iter()
        .filter(|e| e.body.get("text").is_some())
        .count();
    (delivered, edits)
}

/// Everything the bot showed in the chat after `before` (new messages and text edits), in the
/// order it sent them.
fn shown_since(record: &Record, before: (usize, usize)) -> Vec<(usize, Shown)> {
    let mut shown: Vec<(usize, Shown)> = record
        .delivered
        .iter()
        .filter(|s| s.chat_id() == CHAT)
        .skip(before.0)
        .map(|s| {
            (
                s.seq,
                Shown {
                    message_id: s.message_id,
                    body: s.body.clone(),
                },
            )
        })
        .collect();
    shown.extend(
        record
            .edits
            .iter()
            .filter(|e| e.body.get("text").is_some())
            .skip(before.1)
            .map(|e| {
                (
                    e.seq,
                    Shown {
                        message_id: e.body["message_id"].as_i64().unwrap_or(0),
                        body: e.body.clone(),
                    },
                )
            }),
    );
    shown.sort_by_key(|(seq, _)| *seq);
    shown
}

/// Waits for what the bot shows after `before`: the last step with check buttons (the next
/// question) if there is one, else the last text shown (the end of the check). A bot may edit
/// the old question ("Yes ✓") and then send the next one, so it waits a moment for more.
async fn next_shown(h: &Harness, before: (usize, usize)) -> Shown {
    h.api
        .wait_until(
            "the next step of the check (a new message or an edit)",
            WAIT,
            |record| (!shown_since(record, before).is_empty()).then_some(()),
        )
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let mut shown = h.api.with_record(|record| shown_since(record, before));
    match shown
        .iter()
        .rposition(|(_, s)| !s.check_buttons().is_empty())
    {
        Some(question) => shown.swap_remove(question).1,
        None => shown.pop().expect("something was shown").1,
    }
}

/// Starts `/start check` and answers every question with `label` until the check ends;
/// returns every step shown. Checks each callback query is answered.
async fn run_check(h: &Harness, label: &str) -> Vec<Shown> {
    let before = h.api.with_record(shown_counts);
    h.push(updates::private_text(h.uid(), CHAT, "/start check"));
    let mut steps = vec![next_shown(h, before).await];
    for _ in 0..15 {
        let last = steps.last().expect("a step");
        if last.check_buttons().is_empty() {
            return steps;
        }
        let data = last.button(label);
        let before = h.api.with_record(shown_counts);
        let id = h.uid();
        h.push(updates::callback(id, CHAT, CHAT, last.message_id, &data));
        wait_answered(h, &updates::callback_id(id)).await;
        steps.push(next_shown(h, before).await);
    }
    panic!("the check did not end after 15 answers: {steps:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_check_in_private_asks_the_first_question_with_yes_no_buttons() {
    let h = Harness::start().await;
    h.push(updates::private_text(h.uid(), CHAT, "/start check"));
    let first = h.api.wait_delivered_to(CHAT, 1).await.swap_remove(0);
    let check: Vec<String> = first
        .callback_data()
        .into_iter()
        .filter(|d| d.starts_with("c:"))
        .collect();
    assert!(
        check.len() >= 2,
        "the first check question should come with yes/no buttons (callback_data \"c:...\"): {}",
        first.body
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_answered_yes_ends_in_urgent_care() {
    let h = Harness::start().await;
    let steps = run_check(&h, "yes").await;
    let last = steps.last().expect("a step");
    assert!(
        last.text().contains(SEEK_HELP),
        "answering yes to red-flag questions should end in urgent care:\n{}",
        last.text()
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_private_check_ending_in_urgent_care_offers_to_set_the_country() {
    let h = Harness::start().await;
    let steps = run_check(&h, "yes").await;
    let last = steps.last().expect("a step");
    assert!(last.text().contains(SEEK_HELP), "{}", last.text());
    let data: Vec<String> = inline_buttons(&last.body)
        .iter()
        .filter_map(|b| b["callback_data"].as_str().map(str::to_owned))
        .collect();
    assert!(
        data.iter().any(|d| d == "e:o"),
        "no country set: the check's urgent end should offer \"Set your country\": {data:?}"
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_answered_no_ends_without_an_emergency() {
    let h = Harness::start().await;
    let steps = run_check(&h, "no").await;
    assert!(
        steps.len() >= 3,
        "the check should ask more than one question: {steps:#?}"
    );
    let last = steps.last().expect("a step");
    assert!(
        !last.text().contains("This may be an emergency"),
        "no red flag, no emergency:\n{}",
        last.text()
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_check_button_pressed_after_the_check_ended_says_so() {
    let h = Harness::start().await;
    let steps = run_check(&h, "no").await;
    // The check ended, so its answers are gone from the store: the first question's button
    // now starts nothing and says why.
    let data = steps[0].button("no");
    let before = h.api.delivered_to(CHAT).len();
    let id = h.uid();
    h.push(updates::callback(
        id,
        CHAT,
        CHAT,
        steps[0].message_id,
        &data,
    ));
    wait_answered(&h, &updates::callback_id(id)).await;
    let after = h.api.wait_delivered_to(CHAT, before + 1).await;
    let reply = after.last().expect("a reply");
    assert!(
        reply.text().contains("ended or expired") && reply.text().contains("/check"),
        "{}",
        reply.text()
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_earlier_question_s_button_pressed_again_changes_nothing() {
    let h = Harness::start().await;
    let before = h.api.with_record(shown_counts);
    h.push(updates::private_text(h.uid(), CHAT, "/start check"));
    let first = next_shown(&h, before).await;
    let before = h.api.with_record(shown_counts);
    let id = h.uid();
    h.push(updates::callback(
        id,
        CHAT,
        CHAT,
        first.message_id,
        &first.button("no"),
    ));
    wait_answered(&h, &updates::callback_id(id)).await;
    let second = next_shown(&h, before).await;
    assert_ne!(
        second.text(),
        first.text(),
        "the second question follows the first"
    );
    // The first question's other button, pressed late: already answered, so nothing is shown.
    let shown = h.api.delivered_to(CHAT).len();
    let id = h.uid();
    h.push(updates::callback(
        id,
        CHAT,
        CHAT,
        first.message_id,
        &first.button("yes"),
    ));
    wait_answered(&h, &updates::callback_id(id)).await;
    h.barrier(CHAT, CHAT).await;
    assert_eq!(
        h.api.delivered_to(CHAT).len(),
        shown + 1,
        "only the barrier's reply: the old button was ignored\n{}",
        h.api.dump()
    );
    h.finish().await;
}
