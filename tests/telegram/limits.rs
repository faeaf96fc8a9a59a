//! Telegram's limits and failures: hostile HTML is escaped; replies over 4,096 characters are
//! split at paragraph boundaries; a 429 is waited out; a 502 (JSON or a proxy's HTML page) and
//! a dropped connection are retried; a user who blocked the bot does not stop it; a group
//! upgraded to a supergroup is followed.

use std::process::Command;
use std::time::Duration;

use crate::common::fake_api::{SendFailure, WAIT};
use crate::common::updates;
use crate::harness::{has_error_lines, Harness, NOT_A_DIAGNOSIS, SCIATICA_TITLE};

const CHAT: i64 = 7001;
const OTHER_CHAT: i64 = 7002;
const GROUP: i64 = -5001;
const USER: i64 = 7001;

const HOSTILE: &str = "<b>hi</b> & <script>alert(1)</script> <a href=\"javascript:alert(1)\">x</a> &lt; what is sciatica 😀 שלום";

#[track_caller]
fn assert_not_echoed_raw(text: &str) {
    assert!(
        !text.contains("<script"),
        "raw <script> in the reply:\n{text}"
    );
    assert!(!text.contains("<b>hi"), "raw <b>hi in the reply:\n{text}");
    assert!(
        !text.contains("<a href=\"javascript"),
        "raw javascript link in the reply:\n{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_html_in_a_private_question_is_escaped() {
    let h = Harness::start().await;
    h.push(updates::private_text(h.uid(), CHAT, HOSTILE));
    let answer = h.api.wait_delivered_to(CHAT, 1).await.swap_remove(0);
    assert_not_echoed_raw(answer.text());
    assert!(answer.text().contains(NOT_A_DIAGNOSIS), "{}", answer.text());
    assert!(
        h.api.failed().is_empty(),
        "Telegram would refuse it: {:?}",
        h.api.failed()
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_html_in_a_group_question_is_escaped() {
    let h = Harness::start().await;
    let id = h.uid();
    h.push(updates::group_command(
        id,
        GROUP,
        USER,
        &format!("/ask {HOSTILE}"),
    ));
    let answer = h
        .api
        .wait_delivered_where("the answer to the hostile /ask", |s| s.chat_id() == GROUP)
        .await;
    assert_not_echoed_raw(answer.text());
    assert!(
        h.api.failed().is_empty(),
        "Telegram would refuse it: {:?}",
        h.api.failed()
    );
    h.finish().await;
}

/// Thirteen paragraphs of about 470 characters each (about 6,100 in all), each tagged "Part NN".
fn long_paragraphs() -> Vec<String> {
    let filler = "The sciatic nerve runs from the lower back through the hips and buttocks and down each leg, and this paragraph exists only to make the answer long enough to need splitting. ";
    (1..=13)
        .map(|i| format!("Part {i:02}. {}", filler.repeat(3).trim_end()))
        .collect()
}

/// A copy of knowledge/ whose `sciatica` answer is `paragraphs`, separated by blank lines;
/// checked with `backleg kb check`.
fn long_knowledge(dir: &std::path::Path, paragraphs: &[String]) -> std::path::PathBuf {
    let kb = Harness::copy_knowledge(dir);
    let topics_path = kb.join("topics.toml");
    let topics = std::fs::read_to_string(&topics_path).expect("topics.toml");
    let section = topics
        .find("id = \"sciatica\"")
        .expect("the sciatica topic");
    let start = section
        + topics[section..]
            .find("answer = \"\"\"")
            .expect("its answer")
        + "answer = \"\"\"".len();
    let end = start + topics[start..].find("\"\"\"").expect("the answer's end");
    let long = format!("\n{}", paragraphs.join("\n\n"));
    std::fs::write(
        &topics_path,
        format!("{}{}{}", &topics[..start], long, &topics[end..]),
    )
    .expect("write topics.toml");
    let check = Command::new(env!("CARGO_BIN_EXE_backleg"))
        .arg("kb")
        .arg("check")
        .arg(&kb)
        .output()
        .expect("kb check");
    assert!(
        check.status.success(),
        "the long knowledge base should be valid:\n{}",
        String::from_utf8_lossy(&check.stderr)
    );
    kb
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reply_over_4096_characters_is_split_at_paragraph_boundaries() {
    let paragraphs = long_paragraphs();
    let h = Harness::start_with(|options, dir| {
        let kb = long_knowledge(dir, &paragraphs);
        options
            .args
            .extend(["--knowledge".to_owned(), kb.display().to_string()]);
    })
    .await;
    h.push(updates::private_text(h.uid(), CHAT, "what is sciatica"));
    let last = paragraphs.last().expect("paragraphs").clone();
    let parts = h
        .api
        .wait_until(
            "every part of the long answer, ending with the disclaimer",
            WAIT * 2,
            |record| {
                let parts: Vec<String> = record
                    .delivered
                    .iter()
                    .filter(|s| s.chat_id() == CHAT)
                    .map(|s| s.text().to_owned())
                    .collect();
                let all = parts.concat();
                (all.contains(&last) && all.contains(NOT_A_DIAGNOSIS)).then_some(parts)
            },
        )
        .await;
    assert!(
        parts.len() >= 2,
        "a ~6,000-character answer needs two or more messages, got {}",
        parts.len()
    );
    for (i, part) in parts.iter().enumerate() {
        assert!(
            part.chars().count() <= 4096,
            "part {i} has {} characters",
            part.chars().count()
        );
    }
    let mut previous = (0, 0);
    for paragraph in &paragraphs {
        let found: Vec<(usize, usize)> = parts
            .iter()
            .enumerate()
            .filter_map(|(i, part)| part.find(paragraph.as_str()).map(|at| (i, at)))
            .collect();
        assert_eq!(
            found.len(),
            1,
            "{:?}… should be whole in exactly one message (split at paragraph boundaries)",
            &paragraph[..12]
        );
        assert!(
            found[0] > previous,
            "{:?}… is out of order",
            &paragraph[..12]
        );
        previous = found[0];
    }
    assert!(
        parts[0].contains(SCIATICA_TITLE),
        "the first part starts the answer: {}",
        &parts[0][..80.min(parts[0].len())]
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_after_429_is_waited_out_and_the_reply_arrives_once() {
    let h = Harness::start().await;
    h.api
        .fail_next_sends(&[SendFailure::TooManyRequests { retry_after: 1 }]);
    h.push(updates::private_text(h.uid(), CHAT, "what is sciatica"));
    let failed = h.api.wait_failed(1).await.swap_remove(0);
    let answer = h.api.wait_delivered_to(CHAT, 1).await.swap_remove(0);
    assert!(answer.text().contains(SCIATICA_TITLE), "{}", answer.text());
    let calls = h.api.calls();
    let waited = calls[answer.seq].at.duration_since(calls[failed.seq].at);
    assert!(
        waited >= Duration::from_millis(900),
        "retry_after is 1 s, the bot retried after {waited:?}"
    );
    h.barrier(CHAT, CHAT).await;
    let sent = h.api.delivered_to(CHAT);
    assert_eq!(
        sent.len(),
        2,
        "the answer exactly once, then the barrier's answer:\n{}",
        h.api.dump()
    );
    assert_eq!(h.api.failed().len(), 1);
    h.finish().await;
}

/// A scripted failure on the first sendMessage, then the reply must still arrive exactly once.
/// `row` names the case in failure messages.
async fn assert_retried_after(row: &str, failure: SendFailure) {
    let h = Harness::start().await;
    h.api.fail_next_sends(&[failure]);
    h.push(updates::private_text(h.uid(), CHAT, "what is sciatica"));
    h.api.wait_failed(1).await;
    // teloxide itself sleeps 10 s after any 5xx before the bot sees the error.
    let answer = h
        .api
        .wait_delivered_to_within(CHAT, 1, Duration::from_secs(45))
        .await
        .swap_remove(0);
    assert!(
        answer.text().contains(SCIATICA_TITLE),
        "{row}: {}",
        answer.text()
    );
    h.barrier(CHAT, CHAT).await;
    let sent = h.api.delivered_to(CHAT);
    assert_eq!(
        sent.len(),
        2,
        "{row}: the answer exactly once, then the barrier's answer\n{}",
        h.api.dump()
    );
    h.finish().await;
}

/// A sendMessage that fails the ways Telegram's front fails is retried: a 502 with Telegram's
/// JSON, a 502 with nginx's HTML page, a dropped connection. The rows run side by side (each
/// has its own bot; teloxide waits 10 s after each 5xx).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_sends_are_retried() {
    tokio::join!(
        assert_retried_after("502 with Telegram's JSON", SendFailure::BadGateway),
        assert_retried_after("502 with an HTML page", SendFailure::BadGatewayHtml),
        assert_retried_after("a dropped connection", SendFailure::DropConnection),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocked_by_one_user_the_bot_keeps_serving_others() {
    let mut h = Harness::start().await;
    h.api.block_chat(CHAT);
    h.push(updates::private_text(h.uid(), CHAT, "what is sciatica"));
    h.api.wait_failed(1).await;
    h.push(updates::private_text(
        h.uid(),
        OTHER_CHAT,
        "what is sciatica",
    ));
    let answer = h.api.wait_delivered_to(OTHER_CHAT, 1).await.swap_remove(0);
    assert!(answer.text().contains(SCIATICA_TITLE), "{}", answer.text());
    h.barrier(OTHER_CHAT, OTHER_CHAT).await;
    assert!(h.bot.try_exit().is_none(), "the bot is still running");
    let attempts = h
        .api
        .failed()
        .iter()
        .filter(|f| f.chat_id() == CHAT)
        .count();
    assert_eq!(
        attempts,
        1,
        "a 403 is skipped, not retried\n{}",
        h.api.dump()
    );
    assert!(
        !has_error_lines(&h.bot.stderr()),
        "a blocked user is logged at info, not as an error:\n{}",
        h.bot.stderr_tail(20)
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reply_to_a_migrated_group_follows_migrate_to_chat_id() {
    let h = Harness::start().await;
    let new = -1_000_000_005_001;
    h.api.migrate_chat(GROUP, new);
    h.push(updates::group_command(
        h.uid(),
        GROUP,
        USER,
        "/ask what is sciatica",
    ));
    let answer = h
        .api
        .wait_delivered_where("the answer, re-sent to the new supergroup", |s| {
            s.chat_id() == new
        })
        .await;
    assert!(answer.text().contains(SCIATICA_TITLE), "{}", answer.text());
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_reply_in_a_forum_topic_stays_in_the_topic_and_quotes_the_question() {
    let paragraphs = long_paragraphs();
    let h = Harness::start_with(|options, dir| {
        let kb = long_knowledge(dir, &paragraphs);
        options
            .args
            .extend(["--knowledge".to_owned(), kb.display().to_string()]);
    })
    .await;
    let forum = -1_001_234_567_890;
    let id = h.uid();
    h.push(updates::topic_text(
        id,
        forum,
        USER,
        77,
        "/ask what is sciatica",
    ));
    let last = paragraphs.last().expect("paragraphs").clone();
    let parts = h
        .api
        .wait_until(
            "every part of the long answer in the forum topic",
            WAIT * 2,
            |record| {
                let parts: Vec<_> = record
                    .delivered
                    .iter()
                    .filter(|s| s.chat_id() == forum)
                    .cloned()
                    .collect();
                let all: String = parts.iter().map(|s| s.text()).collect();
                (all.contains(&last) && all.contains(NOT_A_DIAGNOSIS)).then_some(parts)
            },
        )
        .await;
    assert!(parts.len() >= 2, "split into {} message(s)", parts.len());
    for (i, part) in parts.iter().enumerate() {
        assert_eq!(
            part.thread_id(),
            Some(77),
            "part {i} left forum topic 77: {}",
            part.body["message_thread_id"]
        );
    }
    assert_eq!(
        parts[0].reply_to(),
        Some(id),
        "the first part quotes the question"
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn persistent_send_failures_are_given_up_and_the_bot_keeps_serving() {
    let h = Harness::start().await;
    h.api
        .fail_sends_to(CHAT, &[SendFailure::DropConnection; 40]);
    h.push(updates::private_text(h.uid(), CHAT, "what is sciatica"));
    h.api.wait_failed(2).await;
    // Other chats are served meanwhile.
    h.push(updates::private_text(
        h.uid(),
        OTHER_CHAT,
        "what is sciatica",
    ));
    h.api.wait_delivered_to(OTHER_CHAT, 1).await;
    // The attempts stop (bounded): no new attempt for longer than the longest backoff.
    let mut attempts = h.api.failed().len();
    loop {
        let more = h
            .api
            .try_wait_until(Duration::from_secs(13), |r| {
                (r.failed.len() > attempts).then_some(r.failed.len())
            })
            .await;
        match more {
            Some(n) if n <= 40 => attempts = n,
            Some(_) => panic!("the bot kept retrying past 40 attempts"),
            None => break,
        }
    }
    assert!(
        attempts <= 10,
        "retries should be bounded; the bot tried {attempts} times\n{}",
        h.api.dump()
    );
    // Once the network is back, the same chat is served again.
    h.api.clear_failures();
    h.push(updates::private_text(h.uid(), CHAT, "what causes sciatica"));
    let answer = h
        .api
        .wait_delivered_where("an answer in the chat whose earlier reply was lost", |s| {
            s.chat_id() == CHAT
        })
        .await;
    assert!(
        answer.text().contains("Possible causes"),
        "{}",
        answer.text()
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_of_questions_from_100_chats_is_all_answered_once() {
    let h = Harness::start().await;
    let chats: Vec<i64> = (0..100).map(|i| 20_000 + i).collect();
    for &chat in &chats {
        h.push(updates::private_text(h.uid(), chat, "what is sciatica"));
    }
    h.api
        .wait_until(
            "an answer in each of the 100 chats",
            Duration::from_secs(60),
            |record| {
                chats
                    .iter()
                    .all(|chat| record.delivered.iter().any(|s| s.chat_id() == *chat))
                    .then_some(())
            },
        )
        .await;
    for &chat in &chats {
        assert_eq!(
            h.api.delivered_to(chat).len(),
            1,
            "chat {chat} got its answer once"
        );
    }
    assert!(h.api.failed().is_empty(), "{:?}", h.api.failed());
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn questions_from_one_chat_are_answered_in_order() {
    let h = Harness::start().await;
    let questions = [
        ("what is sciatica", SCIATICA_TITLE),
        ("what causes sciatica", "Possible causes"),
        ("what does it feel like", "What it feels like"),
        ("what is spinal stenosis", "Spinal stenosis"),
    ];
    for (question, _) in questions {
        h.push(updates::private_text(h.uid(), CHAT, question));
    }
    let answers = h.api.wait_delivered_to(CHAT, questions.len()).await;
    for (answer, (question, title)) in answers.iter().zip(questions) {
        assert!(
            answer.text().contains(title),
            "{question:?} should be answered in turn with {title:?}, got:\n{}",
            answer.text()
        );
    }
    h.finish().await;
}

/// Back-pressure: long polling never takes more updates than `--max-updates-in-flight` ahead of
/// the replies sent. From the call log: a `getUpdates` with offset O means every update below O
/// was taken; the replies whose `sendMessage` arrived before it are (at most) the ones done; so
/// taken - replied + limit must stay within the bound at every poll. (teloxide's polling asked
/// for 100 at a time whatever was pending.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn polling_takes_no_more_updates_than_it_has_room_for() {
    const BOUND: i64 = 8;
    const N: i64 = 40;
    let h = Harness::start_with(|options, _| {
        options.args.extend([
            "--max-updates-in-flight".to_owned(),
            BOUND.to_string(),
            "--flood-control".to_owned(),
            "off".to_owned(),
        ]);
    })
    .await;
    h.api.delay_sends(Duration::from_millis(150));
    let first_id = h.uid();
    h.push(updates::private_text(first_id, 9000, "what is sciatica"));
    for i in 1..N {
        h.push(updates::private_text(h.uid(), 9000 + i, "what is sciatica"));
    }
    h.api
        .wait_until("a reply in every chat", Duration::from_secs(60), |r| {
            (r.delivered.len() >= N as usize).then_some(())
        })
        .await;
    let calls = h.api.calls();
    let mut polls = 0;
    for call in calls.iter().filter(|c| c.is("getUpdates")) {
        let Some(offset) = call.body["offset"].as_i64().filter(|&o| o > first_id) else {
            continue;
        };
        let limit = call.body["limit"].as_i64().unwrap_or(100);
        let taken = offset - first_id;
        let replied = calls
            .iter()
            .filter(|c| c.seq < call.seq && c.is("sendMessage"))
            .count() as i64;
        assert!(
            taken - replied + limit <= BOUND,
            "poll #{}: {taken} taken, {replied} replied, asked for {limit} more (bound {BOUND})",
            call.seq
        );
        polls += 1;
    }
    assert!(
        polls >= 3,
        "the updates should have been taken in several small polls, saw {polls}"
    );
    assert_eq!(
        h.api.delivered().len(),
        N as usize,
        "exactly one reply per question"
    );
    h.finish().await;
}
