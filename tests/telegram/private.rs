//! Private chats: any text is a question; answers carry topic buttons and the disclaimer; red
//! flags get the urgent-care criteria; non-text gets "text messages only"; edits are answered
//! again; the commands of issue 3 section 2 answer.

use crate::common::updates;
use crate::harness::{topic_ids, Harness, NOT_A_DIAGNOSIS, SCIATICA_TITLE, SEEK_HELP};

const CHAT: i64 = 7001;

/// Sends `text` in the private chat and returns the first message the bot sends back.
async fn ask(h: &Harness, text: &str) -> crate::common::fake_api::Sent {
    ask_in(h, CHAT, text).await
}

/// Sends `text` in private chat `chat` and returns the first message the bot sends back.
async fn ask_in(h: &Harness, chat: i64, text: &str) -> crate::common::fake_api::Sent {
    let before = h.api.delivered_to(chat).len();
    h.push(updates::private_text(h.uid(), chat, text));
    h.api
        .wait_delivered_to(chat, before + 1)
        .await
        .swap_remove(before)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_question_gets_an_answer_with_topic_buttons() {
    let h = Harness::start().await;
    let answer = ask(&h, "what is sciatica").await;
    assert!(answer.text().contains(SCIATICA_TITLE), "{}", answer.text());
    assert!(answer.text().contains(NOT_A_DIAGNOSIS), "{}", answer.text());
    let data = answer.callback_data();
    let topics: Vec<&str> = data.iter().filter_map(|d| d.strip_prefix("t:")).collect();
    assert!(
        !topics.is_empty(),
        "the answer should carry topic buttons (callback_data \"t:<topic>\"): {}",
        answer.body
    );
    let known = topic_ids();
    for topic in &topics {
        assert!(
            known.iter().any(|k| k == topic),
            "button for unknown topic {topic:?}: {}",
            answer.body
        );
    }
    assert!(
        topics.contains(&"symptoms"),
        "sciatica's related topics (symptoms, causes, self-care) should be offered: {topics:?}"
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_private_answer_says_not_a_diagnosis() {
    let h = Harness::start().await;
    for question in [
        "what is sciatica",
        "hello",
        "thanks",
        "what dose of ibuprofen should I take",
        "asdf qwer zxcv",
        "what causes sciatica",
    ] {
        let answer = ask(&h, question).await;
        assert!(
            answer.text().contains(NOT_A_DIAGNOSIS),
            "{question:?} -> {}",
            answer.text()
        );
    }
    h.finish().await;
}

/// Messages and commands whose reply must say something: (message, what the reply contains).
/// Each row is sent in a chat of its own, so no row is read as a follow-up of another.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_messages_and_commands_get_their_replies() {
    let rows: [(&str, &[&str]); 6] = [
        // A red-flag question gets the urgent-care criteria.
        (
            "I wet myself and my leg is numb",
            &[SEEK_HELP, NOT_A_DIAGNOSIS],
        ),
        ("/start", &[]),
        ("/help", &[]),
        ("/privacy", &[]),
        ("/urgent", &[SEEK_HELP]),
        ("/about", &[NOT_A_DIAGNOSIS]),
    ];
    let h = Harness::start().await;
    for (chat, (text, says)) in (CHAT + 100..).zip(rows) {
        eprintln!("--- row: {text}");
        let reply = ask_in(&h, chat, text).await;
        assert!(!reply.text().trim().is_empty(), "{text}: empty reply");
        for said in says {
            assert!(
                reply.text().contains(said),
                "{text}: the reply should contain {said:?}: {}",
                reply.text()
            );
        }
    }
    h.finish().await;
}

/// A non-text message: (row name, the update for an update id and a chat).
type NonText = (&'static str, fn(i64, i64) -> serde_json::Value);

/// Non-text messages get "text messages only". Each row has a chat of its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_non_text_gets_a_text_only_reply() {
    let rows: [NonText; 2] = [
        ("a sticker", |id, chat| updates::sticker(id, chat, chat)),
        ("a photo", |id, chat| updates::photo(id, chat, chat, None)),
    ];
    let h = Harness::start().await;
    for (chat, (row, message)) in (CHAT + 200..).zip(rows) {
        eprintln!("--- row: {row}");
        h.push(message(h.uid(), chat));
        let reply = h.api.wait_delivered_to(chat, 1).await.swap_remove(0);
        assert!(
            reply.text().contains("text messages"),
            "{row}: {}",
            reply.text()
        );
    }
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edited_private_message_is_answered_again() {
    let h = Harness::start().await;
    let original = h.uid();
    h.push(updates::private_text(original, CHAT, "what is sciatica"));
    let first = h.api.wait_delivered_to(CHAT, 1).await;
    assert!(
        first[0].text().contains(SCIATICA_TITLE),
        "{}",
        first[0].text()
    );
    h.push(updates::edited_text(
        h.uid(),
        CHAT,
        CHAT,
        original,
        "how long does sciatica last",
    ));
    let both = h.api.wait_delivered_to(CHAT, 2).await;
    assert!(
        both[1].text().contains("Outlook"),
        "the edited question is answered: {}",
        both[1].text()
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn topics_command_lists_the_topics_as_buttons() {
    let h = Harness::start().await;
    let reply = ask(&h, "/topics").await;
    let known = topic_ids();
    let offered: Vec<String> = reply
        .callback_data()
        .iter()
        .filter_map(|d| d.strip_prefix("t:").map(str::to_owned))
        .collect();
    assert!(
        offered.len() >= 5,
        "/topics should offer the topics as t:<id> buttons: {}",
        reply.body
    );
    for topic in &offered {
        assert!(known.contains(topic), "unknown topic {topic:?}");
    }
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_follow_up_is_read_with_the_previous_answer_of_the_same_chat() {
    let h = Harness::start().await;
    let first = ask(&h, "what is spinal stenosis").await;
    assert!(first.text().contains("Spinal stenosis"), "{}", first.text());
    let follow_up = ask(&h, "is it serious?").await;
    assert!(
        follow_up.text().contains("Spinal stenosis"),
        "\"is it serious?\" after stenosis is about stenosis: {}",
        follow_up.text()
    );
    assert!(
        follow_up.text().contains(NOT_A_DIAGNOSIS),
        "{}",
        follow_up.text()
    );

    // Another person's chat has no context: the same words get the urgent signs.
    const OTHER: i64 = 7002;
    h.push(updates::private_text(h.uid(), OTHER, "is it serious?"));
    let alone = h.api.wait_delivered_to(OTHER, 1).await.swap_remove(0);
    assert!(
        !alone.text().contains("Spinal stenosis"),
        "no context in a chat that asked nothing before: {}",
        alone.text()
    );
    assert!(
        alone.text().contains(SEEK_HELP),
        "the urgent signs: {}",
        alone.text()
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_domain_but_unspecific_gets_the_orientation_not_the_fallback() {
    let h = Harness::start().await;
    let answer = ask(&h, "my lower back is killing me, any advice?").await;
    assert!(
        !answer.text().contains("I'm not sure I understood"),
        "{}",
        answer.text()
    );
    assert!(
        answer.text().contains("What you can do now"),
        "the orientation answer: {}",
        answer.text()
    );
    let buttons = answer.callback_data();
    assert!(
        !buttons.is_empty() && buttons.len() <= 4,
        "a few topic buttons, not the whole list: {buttons:?}"
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_domain_signal_gets_the_full_list_in_private() {
    let h = Harness::start().await;
    let answer = ask(&h, "asdf qwer zxcv").await;
    assert!(
        answer.text().contains("I'm not sure I understood"),
        "{}",
        answer.text()
    );
    assert_eq!(
        answer.callback_data().len(),
        topic_ids().len(),
        "every topic as a button in a private chat: {}",
        answer.body
    );
    h.finish().await;
}
