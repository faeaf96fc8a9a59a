//! One person cannot drown a group (issue 12 section 3): a member who sends `/ask` (or mentions
//! the bot) many times a minute gets `--group-answers-per-minute` answers (default 5), then one
//! slow-down note, then silence; other members are not affected; a red-flag question is always
//! answered; private chats are not limited; 0 turns the limit off; topic buttons pressed in a
//! group count too.

use crate::common::fake_api::Sent;
use crate::common::updates;
use crate::harness::{Harness, NOT_A_DIAGNOSIS, SEEK_HELP};

const GROUP: i64 = -5201;
const LOUD: i64 = 7201;
const QUIET: i64 = 7202;
const PERSON: i64 = 7203;

/// Words of the slow-down note (`text::GROUP_SLOW_DOWN`).
const SLOW_DOWN: &str = "pause your questions for a minute";

/// A bot without Telegram's outgoing pacing (the tests send many replies to one chat).
async fn start(extra: &[&str]) -> Harness {
    let extra: Vec<String> = extra.iter().map(|&a| a.to_owned()).collect();
    Harness::start_with(move |options, _| {
        options
            .args
            .extend(["--flood-control".to_owned(), "off".to_owned()]);
        options.args.extend(extra);
    })
    .await
}

/// Pushes `n` `/ask` commands from `user` in `chat`; returns their message ids.
fn ask_many(h: &Harness, chat: i64, user: i64, n: usize) -> Vec<i64> {
    (0..n)
        .map(|_| {
            let id = h.uid();
            h.push(updates::group_command(
                id,
                chat,
                user,
                "/ask what is sciatica",
            ));
            id
        })
        .collect()
}

/// The replies to message `id` in `chat` so far.
fn replies_to(h: &Harness, chat: i64, id: i64) -> Vec<Sent> {
    h.api
        .delivered_to(chat)
        .into_iter()
        .filter(|s| s.reply_to() == Some(id))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_asking_twelve_times_a_minute_gets_five_answers_one_note_then_silence() {
    let h = start(&[]).await;
    let asked = ask_many(&h, GROUP, LOUD, 12);
    // Another member's question: answered, and (one chat's updates are handled in order) a
    // barrier behind the twelve.
    h.barrier(GROUP, QUIET).await;
    for (n, &id) in asked.iter().enumerate() {
        let replies = replies_to(&h, GROUP, id);
        let texts: Vec<&str> = replies.iter().map(Sent::text).collect();
        match n {
            0..=4 => {
                assert_eq!(replies.len(), 1, "question {n}: {texts:#?}");
                assert!(
                    texts[0].contains(NOT_A_DIAGNOSIS),
                    "question {n}: {}",
                    texts[0]
                );
            }
            5 => {
                assert_eq!(replies.len(), 1, "question {n}: {texts:#?}");
                assert!(texts[0].contains(SLOW_DOWN), "the note: {}", texts[0]);
                assert!(!texts[0].contains(NOT_A_DIAGNOSIS), "no answer in the note");
            }
            _ => assert!(replies.is_empty(), "question {n}: silence, got {texts:#?}"),
        }
    }
    let notes = h
        .api
        .delivered_to(GROUP)
        .iter()
        .filter(|s| s.text().contains(SLOW_DOWN))
        .count();
    assert_eq!(notes, 1, "one slow-down note in all");

    // A mention counts as a question too: still silence for the loud member.
    let mention = h.uid();
    h.push(updates::mention(mention, GROUP, LOUD, "what is sciatica"));
    // A red flag from the limited member is never held back.
    let red_flag = h.uid();
    h.push(updates::group_command(
        red_flag,
        GROUP,
        LOUD,
        "/ask I lost control of my bladder this morning",
    ));
    let urgent = h
        .api
        .wait_delivered_where("the urgent reply to the limited member's red flag", |s| {
            s.chat_id() == GROUP && s.reply_to() == Some(red_flag)
        })
        .await;
    assert!(urgent.text().contains(SEEK_HELP), "{}", urgent.text());
    assert!(
        replies_to(&h, GROUP, mention).is_empty(),
        "the mention is held back"
    );
    // The other member is still answered.
    h.barrier(GROUP, QUIET).await;
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_chats_are_not_limited() {
    let h = start(&["--group-answers-per-minute", "2"]).await;
    for _ in 0..6 {
        h.push(updates::private_text(h.uid(), PERSON, "what is sciatica"));
    }
    h.barrier(PERSON, PERSON).await;
    // Private replies do not quote the question: every one of the six and the barrier's.
    let sent = h.api.delivered_to(PERSON);
    let answers = sent
        .iter()
        .filter(|s| s.text().contains(NOT_A_DIAGNOSIS))
        .count();
    assert_eq!(
        answers,
        7,
        "{:#?}",
        sent.iter().map(Sent::text).collect::<Vec<_>>()
    );
    assert!(!sent.iter().any(|s| s.text().contains(SLOW_DOWN)));
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zero_turns_the_limit_off_and_another_limit_is_obeyed() {
    let h = start(&["--group-answers-per-minute", "0"]).await;
    let asked = ask_many(&h, GROUP, LOUD, 8);
    h.barrier(GROUP, QUIET).await;
    for id in asked {
        let replies = replies_to(&h, GROUP, id);
        assert!(
            replies.len() == 1 && replies[0].text().contains(NOT_A_DIAGNOSIS),
            "message {id}: {:#?}",
            replies.iter().map(Sent::text).collect::<Vec<_>>()
        );
    }
    h.finish().await;

    let h = start(&["--group-answers-per-minute", "2"]).await;
    let asked = ask_many(&h, GROUP, LOUD, 4);
    h.barrier(GROUP, QUIET).await;
    let answered: Vec<usize> = asked
        .iter()
        .map(|&id| {
            replies_to(&h, GROUP, id)
                .iter()
                .filter(|s| s.text().contains(NOT_A_DIAGNOSIS))
                .count()
        })
        .collect();
    assert_eq!(answered, vec![1, 1, 0, 0], "two answers, then the limit");
    assert!(replies_to(&h, GROUP, asked[2])[0]
        .text()
        .contains(SLOW_DOWN));
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn privacy_says_the_counts_are_kept_for_a_minute_only() {
    let h = start(&[]).await;
    let id = h.uid();
    h.push(updates::private_text(id, PERSON, "/privacy"));
    let reply = h
        .api
        .wait_delivered_where("the /privacy text", |s| s.chat_id() == PERSON)
        .await;
    assert!(
        reply.text().contains("by user id for one minute only"),
        "{}",
        reply.text()
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn topic_button_presses_in_a_group_count_against_the_presser() {
    let h = start(&["--group-answers-per-minute", "1"]).await;
    let asked = ask_many(&h, GROUP, LOUD, 1)[0];
    let answer = h
        .api
        .wait_delivered_where("the answer", |s| s.reply_to() == Some(asked))
        .await;
    let press = |user: i64| {
        let before = h.api.delivered_to(GROUP).len();
        h.push(updates::callback(
            h.uid(),
            GROUP,
            user,
            answer.message_id,
            "t:symptoms",
        ));
        before
    };
    // The loud member's second answer of the minute: the note, then nothing.
    let before = press(LOUD);
    press(LOUD);
    h.barrier(GROUP, QUIET).await;
    let sent = h.api.delivered_to(GROUP);
    let texts: Vec<&str> = sent[before..].iter().map(Sent::text).collect();
    assert_eq!(
        texts.len(),
        2,
        "the note and the barrier's answer: {texts:#?}"
    );
    assert!(texts[0].contains(SLOW_DOWN), "{}", texts[0]);
    // Another member's press is answered.
    let before = press(QUIET + 1);
    let topic = h
        .api
        .wait_until(
            "the other member's topic answer",
            crate::common::fake_api::WAIT,
            |r| {
                r.delivered[..]
                    .iter()
                    .filter(|s| s.chat_id() == GROUP)
                    .nth(before)
                    .cloned()
            },
        )
        .await;
    assert!(!topic.text().contains(SLOW_DOWN), "{}", topic.text());
    assert!(topic.text().contains(NOT_A_DIAGNOSIS), "{}", topic.text());
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn questions_are_answered_when_the_count_cannot_be_read() {
    // Redis that is not there: every count fails at once, and the bot answers (fail open).
    let port = crate::common::http::free_port();
    let storage = format!("redis://127.0.0.1:{port}/0");
    let h = start(&["--storage", &storage, "--group-answers-per-minute", "1"]).await;
    let asked = ask_many(&h, GROUP, LOUD, 4);
    h.barrier(GROUP, QUIET).await;
    for id in asked {
        let replies = replies_to(&h, GROUP, id);
        assert!(
            replies.len() == 1 && replies[0].text().contains(NOT_A_DIAGNOSIS),
            "message {id}: {:#?}",
            replies.iter().map(Sent::text).collect::<Vec<_>>()
        );
    }
    h.finish().await;
}
