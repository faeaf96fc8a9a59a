//! Groups and supergroups: the bot answers only when addressed (`/ask`, `/ask@bot`, a mention,
//! a reply to its own message), quotes the message it answers, stays in the forum topic,
//! ignores everything else, introduces itself once when added, and moves `/check` to the
//! private chat.

use crate::common::fake_api::BOT_USERNAME;
use crate::common::updates;
use crate::harness::{Harness, NOT_A_DIAGNOSIS, SCIATICA_TITLE};

/// A basic group.
const GROUP: i64 = -5001;
/// A supergroup (also a forum in the topic test).
const SUPERGROUP: i64 = -1_001_234_567_890;
const USER: i64 = 7001;

/// Waits for the bot's reply to message `message_id` in `chat` and checks it is an answer.
async fn wait_answer_to(h: &Harness, chat: i64, message_id: i64) -> crate::common::fake_api::Sent {
    let answer = h
        .api
        .wait_delivered_where(
            &format!(
                "a reply to message {message_id} in chat {chat} (reply_parameters.message_id)"
            ),
            |s| s.chat_id() == chat && s.reply_to() == Some(message_id),
        )
        .await;
    assert!(answer.text().contains(NOT_A_DIAGNOSIS), "{}", answer.text());
    answer
}

/// Asserts the bot sent nothing to `chat` except the barrier's answer (call after `barrier`).
#[track_caller]
fn assert_only_barrier_answer(h: &Harness, chat: i64, what: &str) {
    let sent = h.api.delivered_to(chat);
    assert_eq!(
        sent.len(),
        1,
        "{what}: expected no message besides the barrier's answer, got:\n{:#?}",
        sent.iter().map(|s| s.text()).collect::<Vec<_>>()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reply_to_a_bot_message_is_answered_quoting_the_message() {
    let h = Harness::start().await;
    let ask = h.uid();
    h.push(updates::group_command(
        ask,
        GROUP,
        USER,
        "/ask what is sciatica",
    ));
    let first = wait_answer_to(&h, GROUP, ask).await;
    let id = h.uid();
    h.push(updates::reply_to_bot(
        id,
        GROUP,
        USER,
        first.message_id,
        "and what does it feel like?",
    ));
    let answer = wait_answer_to(&h, GROUP, id).await;
    assert!(
        answer.text().contains("What it feels like"),
        "{}",
        answer.text()
    );
    h.finish().await;
}

/// A group message the bot must answer, quoting it: (row name, chat, the update for an id).
type Addressed = (&'static str, i64, fn(i64, i64) -> serde_json::Value);

/// Every way of addressing the bot in a group gets an answer that quotes the message (and no
/// `message_thread_id` outside a forum topic). Each row has a chat of its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn addressed_group_questions_are_answered_quoting_the_message() {
    let rows: [Addressed; 5] = [
        ("/ask in a group", GROUP, |id, chat| {
            updates::group_command(id, chat, USER, "/ask what is sciatica")
        }),
        ("/ask in a supergroup", SUPERGROUP, |id, chat| {
            updates::group_command(id, chat, USER, "/ask what is sciatica")
        }),
        ("/ask@bot", SUPERGROUP - 1, |id, chat| {
            updates::group_command(
                id,
                chat,
                USER,
                &format!("/ask@{BOT_USERNAME} what is sciatica"),
            )
        }),
        ("a mention of the bot", SUPERGROUP - 2, |id, chat| {
            updates::mention(id, chat, USER, "what is sciatica")
        }),
        (
            "a mention in the middle of a message",
            GROUP - 1,
            |id, chat| {
                updates::group_text(
                    id,
                    chat,
                    USER,
                    &format!("hey @{BOT_USERNAME} what is sciatica"),
                )
            },
        ),
    ];
    let h = Harness::start().await;
    for (row, chat, update) in rows {
        eprintln!("--- row: {row}");
        let id = h.uid();
        h.push(update(id, chat));
        let answer = wait_answer_to(&h, chat, id).await;
        assert!(
            answer.text().contains(SCIATICA_TITLE),
            "{row}: {}",
            answer.text()
        );
        assert_eq!(
            answer.thread_id(),
            None,
            "{row}: not a forum topic: no message_thread_id"
        );
    }
    h.finish().await;
}

/// Group messages the bot must leave alone: (row name, chat, the updates, given the harness
/// for fresh ids).
type Unaddressed = (
    &'static str,
    i64,
    fn(&Harness, i64) -> Vec<serde_json::Value>,
);

/// Messages not addressed to the bot get no reply: only the barrier's answer reaches the chat.
/// Each row has a chat of its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn group_messages_not_addressed_to_the_bot_get_no_reply() {
    let rows: [Unaddressed; 6] = [
        ("unaddressed question in a group", GROUP, |h, chat| {
            vec![updates::group_text(h.uid(), chat, USER, "what is sciatica")]
        }),
        (
            "unaddressed question in a supergroup",
            SUPERGROUP,
            |h, chat| {
                vec![updates::group_text(
                    h.uid(),
                    chat,
                    USER,
                    "does anyone know what sciatica is? my leg hurts",
                )]
            },
        ),
        (
            "a reply to another member, not to the bot",
            GROUP - 1,
            |h, chat| {
                let theirs = h.uid();
                let mut reply = updates::group_text(h.uid(), chat, USER, "what is sciatica then?");
                reply["message"]["reply_to_message"] = updates::message(
                    theirs,
                    updates::chat(chat),
                    USER + 1,
                    serde_json::json!({ "text": "my leg hurts" }),
                );
                vec![
                    updates::group_text(theirs, chat, USER + 1, "my leg hurts"),
                    reply,
                ]
            },
        ),
        ("commands addressed to @otherbot", GROUP - 2, |h, chat| {
            [
                "/help@otherbot",
                "/ask@otherbot what is sciatica",
                "/start@otherbot",
            ]
            .map(|text| updates::group_command(h.uid(), chat, USER, text))
            .to_vec()
        }),
        // Its reply_to_message is the topic's creation message: not a reply to the bot.
        (
            "an unaddressed message in a forum topic",
            SUPERGROUP - 1,
            |h, chat| {
                vec![updates::topic_text(
                    h.uid(),
                    chat,
                    USER,
                    77,
                    "what is sciatica",
                )]
            },
        ),
        ("a sticker and a photo in a group", GROUP - 3, |h, chat| {
            vec![
                updates::sticker(h.uid(), chat, USER),
                updates::photo(h.uid(), chat, USER, Some("my x-ray")),
            ]
        }),
    ];
    let h = Harness::start().await;
    for (row, chat, messages) in rows {
        eprintln!("--- row: {row}");
        for update in messages(&h, chat) {
            h.push(update);
        }
        h.barrier(chat, USER).await;
        assert_only_barrier_answer(&h, chat, row);
    }
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forum_topic_question_is_answered_in_the_same_topic() {
    let h = Harness::start().await;
    let id = h.uid();
    h.push(updates::topic_text(
        id,
        SUPERGROUP,
        USER,
        77,
        "/ask what is sciatica",
    ));
    let answer = wait_answer_to(&h, SUPERGROUP, id).await;
    assert_eq!(
        answer.thread_id(),
        Some(77),
        "the reply should stay in forum topic 77: {}",
        answer.body
    );
    let mention = h.uid();
    h.push(updates::topic_text(
        mention,
        SUPERGROUP,
        USER,
        78,
        &format!("@{BOT_USERNAME} what does it feel like"),
    ));
    let answer = wait_answer_to(&h, SUPERGROUP, mention).await;
    assert_eq!(
        answer.thread_id(),
        Some(78),
        "the reply should stay in forum topic 78: {}",
        answer.body
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn channel_post_gets_no_reply() {
    let h = Harness::start().await;
    let channel = -1_009_999_999_999;
    h.push(updates::channel_post(
        h.uid(),
        channel,
        &format!("@{BOT_USERNAME} what is sciatica"),
    ));
    h.push(updates::channel_post(
        h.uid(),
        channel,
        "/ask what is sciatica",
    ));
    h.barrier(GROUP, USER).await;
    assert!(
        h.api.delivered_to(channel).is_empty(),
        "nothing to a channel: {:#?}",
        h.api.delivered_to(channel)
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bot_added_to_a_group_introduces_itself_once() {
    let h = Harness::start().await;
    h.push(updates::bot_added(h.uid(), GROUP, USER));
    let intro = h.api.wait_delivered_to(GROUP, 1).await.swap_remove(0);
    assert!(
        intro.text().chars().count() <= 1200,
        "the intro should be brief ({} characters):\n{}",
        intro.text().chars().count(),
        intro.text()
    );
    // Promoted to admin later: the bot was not added again.
    h.push(updates::my_chat_member(
        h.uid(),
        GROUP,
        USER,
        "member",
        "administrator",
    ));
    h.barrier(GROUP, USER).await;
    let sent = h.api.delivered_to(GROUP);
    assert_eq!(
        sent.len(),
        2,
        "one intro, then the barrier's answer:\n{:#?}",
        sent.iter().map(|s| s.text()).collect::<Vec<_>>()
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bot_added_as_admin_introduces_itself() {
    let h = Harness::start().await;
    h.push(updates::my_chat_member(
        h.uid(),
        SUPERGROUP,
        USER,
        "left",
        "administrator",
    ));
    h.api.wait_delivered_to(SUPERGROUP, 1).await;
    h.barrier(SUPERGROUP, USER).await;
    assert_eq!(
        h.api.delivered_to(SUPERGROUP).len(),
        2,
        "one intro, then the barrier's answer"
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_in_a_group_links_to_the_private_chat() {
    let h = Harness::start().await;
    let id = h.uid();
    h.push(updates::group_command(id, GROUP, USER, "/check"));
    let reply = h
        .api
        .wait_delivered_where("a reply to /check in the group", |s| s.chat_id() == GROUP)
        .await;
    let link = format!("t.me/{BOT_USERNAME}?start=check");
    let buttons = reply.buttons();
    assert!(
        buttons
            .iter()
            .any(|b| b["url"].as_str().is_some_and(|url| url.contains(&link))),
        "a button opening {link}: {}",
        reply.body
    );
    assert!(
        reply.callback_data().iter().all(|d| !d.starts_with("c:")),
        "the check's questions are not asked in front of the group: {}",
        reply.body
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_kind_of_reply_in_a_forum_topic_stays_in_the_topic() {
    let h = Harness::start().await;
    h.api.set_member_status(SUPERGROUP, USER, "administrator");
    let first = h.uid();
    h.push(updates::topic_text(
        first,
        SUPERGROUP,
        USER,
        70,
        "/ask what is sciatica",
    ));
    let bot_message = wait_answer_to(&h, SUPERGROUP, first).await.message_id;

    let mut reply_to_bot =
        updates::topic_text(h.uid(), SUPERGROUP, USER, 70, "and what does it feel like?");
    let mut replied = updates::bot_message(
        bot_message,
        updates::forum_chat(SUPERGROUP),
        "What sciatica is",
    );
    replied["message_thread_id"] = serde_json::json!(70);
    replied["is_topic_message"] = serde_json::json!(true);
    reply_to_bot["message"]["reply_to_message"] = replied;

    let cases: Vec<(&str, i64, serde_json::Value)> = vec![
        ("reply to the bot", 70, reply_to_bot),
        (
            "mention",
            71,
            updates::topic_text(
                h.uid(),
                SUPERGROUP,
                USER,
                71,
                &format!("@{BOT_USERNAME} what is sciatica"),
            ),
        ),
        (
            "/check",
            72,
            updates::topic_text(h.uid(), SUPERGROUP, USER, 72, "/check"),
        ),
        (
            "/help",
            73,
            updates::topic_text(h.uid(), SUPERGROUP, USER, 73, "/help"),
        ),
        (
            "/redflags",
            74,
            updates::topic_text(h.uid(), SUPERGROUP, USER, 74, "/redflags"),
        ),
        (
            "/urgent",
            75,
            updates::topic_text(h.uid(), SUPERGROUP, USER, 75, "/urgent"),
        ),
        (
            "unaddressed red flag",
            76,
            updates::topic_text(
                h.uid(),
                SUPERGROUP,
                USER,
                76,
                "my dad fell and now he can't feel his legs",
            ),
        ),
        (
            "/redflags off (admin)",
            77,
            updates::topic_text(h.uid(), SUPERGROUP, USER, 77, "/redflags off"),
        ),
    ];
    for (what, thread, update) in cases {
        let id = update["update_id"].as_i64().expect("update id");
        h.push(update);
        let reply = h
            .api
            .wait_delivered_where(&format!("a reply to the {what} in topic {thread}"), |s| {
                s.chat_id() == SUPERGROUP && s.reply_to() == Some(id)
            })
            .await;
        assert_eq!(
            reply.thread_id(),
            Some(thread),
            "the reply to the {what} should stay in forum topic {thread}: {}",
            reply.body
        );
    }
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn intro_says_whether_the_watch_can_work_there() {
    let api = crate::common::fake_api::FakeApi::start().await;
    // Privacy mode on: the bot sees unaddressed group messages only where it is an admin.
    api.set_privacy_mode(true);
    let h = Harness::start_on(api, |_, _, _| {}).await;
    h.push(updates::bot_added(h.uid(), GROUP, USER));
    h.push(updates::my_chat_member(
        h.uid(),
        SUPERGROUP,
        USER,
        "left",
        "administrator",
    ));
    let blind = h.api.wait_delivered_to(GROUP, 1).await.swap_remove(0);
    let watching = h.api.wait_delivered_to(SUPERGROUP, 1).await.swap_remove(0);
    assert_ne!(
        blind.text(),
        watching.text(),
        "a member with privacy mode on cannot watch, an admin can: the intros should differ"
    );
    let lower = blind.text().to_lowercase();
    assert!(
        lower.contains("privacy") || lower.contains("admin"),
        "the intro should say how to let the watch work: {}",
        blind.text()
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn group_fallback_is_two_lines_and_a_pointer_to_topics() {
    let h = Harness::start().await;
    let id = h.uid();
    h.push(updates::mention(id, GROUP, USER, "asdf qwer zxcv"));
    let answer = wait_answer_to(&h, GROUP, id).await;
    assert!(
        answer.text().contains("/topics"),
        "points at /topics: {}",
        answer.text()
    );
    assert!(
        answer.buttons().is_empty(),
        "no wall of buttons in a group: {}",
        answer.body
    );
    let lines = answer
        .text()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .count();
    assert!(
        lines <= 3,
        "compact in a group (the fallback line and the disclaimer), got {lines} lines: {}",
        answer.text()
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_to_an_answer_is_read_with_that_answer_s_topic() {
    let h = Harness::start().await;
    let ask = h.uid();
    h.push(updates::group_command(
        ask,
        GROUP,
        USER,
        "/ask what is spinal stenosis",
    ));
    let first = wait_answer_to(&h, GROUP, ask).await;
    assert!(first.text().contains("Spinal stenosis"), "{}", first.text());
    let id = h.uid();
    h.push(updates::reply_to_bot(
        id,
        GROUP,
        USER + 1,
        first.message_id,
        "is it serious?",
    ));
    let answer = wait_answer_to(&h, GROUP, id).await;
    assert!(
        answer.text().contains("Spinal stenosis"),
        "the replied-to answer is the context: {}",
        answer.text()
    );

    // A mention is not a reply: whose earlier question it follows is unknown, so no context.
    let id = h.uid();
    h.push(updates::mention(id, GROUP, USER, "is it serious?"));
    let answer = wait_answer_to(&h, GROUP, id).await;
    assert!(
        !answer.text().contains("Spinal stenosis"),
        "no context for a mention: {}",
        answer.text()
    );
    h.finish().await;
}
