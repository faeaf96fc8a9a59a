//! The chat's emergency number and the red-flag card (issue 11): `/emergency` in a group
//! (admins only, checked with getChatMember) and in a private chat (anyone sets their own), a
//! custom number, the paged country picker, the setting following a migration; every urgent
//! notice, `/urgent` and `/card` saying the chat's number; `/card` with its copy-text button and
//! `/card pin` (the bot may pin, or may not).

use serde_json::Value;

use crate::common::fake_api::BOT_ID;
use crate::common::updates;
use crate::harness::{Harness, SEEK_HELP};

const GROUP: i64 = -5101;
const SUPERGROUP: i64 = -1_001_234_567_101;
const PERSON: i64 = 7201;
const USER: i64 = 7202;
const ADMIN: i64 = 7203;

const RED_FLAG: &str = "I lost control of my bladder this morning";
const NOT_ADMIN: &str = "only group admins can change the emergency number";
const CARD_TITLE: &str = "Red-flag card";

/// Sends `text` from `user` in `chat` (a group command, or a private message when `chat` is
/// positive) and returns the bot's first message after it in that chat.
async fn say(h: &Harness, chat: i64, user: i64, text: &str) -> crate::common::fake_api::Sent {
    let before = h.api.delivered_to(chat).len();
    let id = h.uid();
    if chat > 0 {
        h.push(updates::private_text(id, chat, text));
    } else {
        h.push(updates::group_text(id, chat, user, text));
    }
    h.api
        .wait_until(
            &format!("an answer to {text:?} in {chat}"),
            crate::common::fake_api::WAIT,
            |r| {
                r.delivered
                    .iter()
                    .filter(|s| s.chat_id() == chat)
                    .nth(before)
                    .cloned()
            },
        )
        .await
}

/// Presses a button with `data` on bot message `message` (its keyboard `markup`) in `chat`.
fn press(h: &Harness, chat: i64, user: i64, message: i64, markup: &Value, data: &str) {
    let mut bot_message = updates::bot_message(message, updates::chat(chat), "…");
    bot_message["reply_markup"] = markup.clone();
    h.push(updates::callback_on(h.uid(), user, bot_message, data));
}

fn copy_texts(sent: &crate::common::fake_api::Sent) -> Vec<String> {
    sent.buttons()
        .iter()
        .filter_map(|b| b["copy_text"]["text"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn group_admins_set_the_country_and_every_notice_says_its_number() {
    let h = Harness::start().await;
    h.api.set_member_status(GROUP, ADMIN, "administrator");
    // Nothing set: the deployment's text.
    let shown = say(&h, GROUP, USER, "/emergency").await;
    assert!(
        shown.text().contains("No country is set"),
        "{}",
        shown.text()
    );
    assert!(
        shown.callback_data().iter().any(|d| d == "e:c:GB"),
        "the picker's first page: {:?}",
        shown.callback_data()
    );
    // A member may not change it.
    let refused = say(&h, GROUP, USER, "/emergency GB").await;
    assert!(refused.text().contains(NOT_ADMIN), "{}", refused.text());
    // An admin may.
    let saved = say(&h, GROUP, ADMIN, "/emergency gb").await;
    assert!(
        saved.text().contains("United Kingdom") && saved.text().contains("999"),
        "{}",
        saved.text()
    );
    assert!(saved.text().contains("NHS 111"), "{}", saved.text());
    // The watch's notice says it.
    let notice = say(&h, GROUP, USER, RED_FLAG).await;
    assert!(notice.text().contains(SEEK_HELP), "{}", notice.text());
    assert!(
        notice.text().contains("call 999 (emergency)"),
        "{}",
        notice.text()
    );
    assert!(
        !notice.text().contains("for example 911"),
        "{}",
        notice.text()
    );
    // `/urgent` says it.
    let urgent = say(&h, GROUP, USER, "/urgent").await;
    assert!(
        urgent.text().contains("call 999 (emergency)"),
        "{}",
        urgent.text()
    );
    // So does an addressed question.
    let asked = say(&h, GROUP, USER, &format!("/ask {RED_FLAG}")).await;
    assert!(
        asked.text().contains("call 999 (emergency)"),
        "{}",
        asked.text()
    );
    // A number of the group's own.
    let custom = say(&h, GROUP, ADMIN, "/emergency 112").await;
    assert!(custom.text().contains("set by hand"), "{}", custom.text());
    let card = say(&h, GROUP, USER, "/card").await;
    assert!(card.text().contains(CARD_TITLE), "{}", card.text());
    assert!(
        card.text().contains("call 112 (emergency)"),
        "{}",
        card.text()
    );
    assert_eq!(
        copy_texts(&card),
        vec!["112".to_owned()],
        "{:?}",
        card.buttons()
    );
    // Bad input gets a clear answer.
    let unknown = say(&h, GROUP, ADMIN, "/emergency XX").await;
    assert!(unknown.text().contains("<b>XX</b>"), "{}", unknown.text());
    let short = say(&h, GROUP, ADMIN, "/emergency 1").await;
    assert!(short.text().contains("2 to 15 digits"), "{}", short.text());
    // Back to the default.
    let off = say(&h, GROUP, ADMIN, "/emergency off").await;
    assert!(off.text().contains("No country is set"), "{}", off.text());
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_private_chat_picks_its_own_country_from_the_paged_picker() {
    let h = Harness::start().await;
    // No setting: an urgent reply offers "Set your country".
    let reply = say(&h, PERSON, PERSON, RED_FLAG).await;
    assert!(reply.text().contains(SEEK_HELP), "{}", reply.text());
    assert!(
        reply.callback_data().iter().any(|d| d == "e:o"),
        "{:?}",
        reply.buttons()
    );
    // The button opens the picker in a new message.
    let before = h.api.delivered_to(PERSON).len();
    press(
        &h,
        PERSON,
        PERSON,
        reply.message_id,
        &reply.body["reply_markup"],
        "e:o",
    );
    let picker = h.api.wait_delivered_to(PERSON, before + 1).await[before].clone();
    let data = picker.callback_data();
    assert!(data.contains(&"e:c:GB".to_owned()), "{data:?}");
    assert!(data.contains(&"e:p:1".to_owned()), "a next page: {data:?}");
    assert!(
        !data.contains(&"e:c:SE".to_owned()),
        "Sweden is on a later page: {data:?}"
    );
    // Paging edits the picker in place.
    press(
        &h,
        PERSON,
        PERSON,
        picker.message_id,
        &picker.body["reply_markup"],
        "e:p:1",
    );
    let edit = h
        .api
        .wait_call_where("editMessageReplyMarkup", "page 2 of the picker", |c| {
            c.body["message_id"].as_i64() == Some(picker.message_id)
        })
        .await;
    let page_two: Vec<String> = crate::common::fake_api::inline_buttons(&edit.body)
        .iter()
        .filter_map(|b| b["callback_data"].as_str().map(str::to_owned))
        .collect();
    assert!(page_two.contains(&"e:p:0".to_owned()), "{page_two:?}");
    assert!(!page_two.contains(&"e:c:GB".to_owned()), "{page_two:?}");
    // Picking a country saves it (anyone, in a private chat).
    let before = h.api.delivered_to(PERSON).len();
    press(
        &h,
        PERSON,
        PERSON,
        picker.message_id,
        &edit.body["reply_markup"],
        "e:c:NZ",
    );
    let saved = h.api.wait_delivered_to(PERSON, before + 1).await[before].clone();
    assert!(saved.text().contains("New Zealand"), "{}", saved.text());
    let reply = say(&h, PERSON, PERSON, RED_FLAG).await;
    assert!(
        reply.text().contains("call 111 (emergency)"),
        "{}",
        reply.text()
    );
    assert!(
        !reply.callback_data().iter().any(|d| d == "e:o"),
        "no offer once set: {:?}",
        reply.buttons()
    );
    // `/emergency GB` by hand, then the card copies 999.
    let set = say(&h, PERSON, PERSON, "/emergency GB").await;
    assert!(set.text().contains("United Kingdom"), "{}", set.text());
    let card = say(&h, PERSON, PERSON, "/card").await;
    assert_eq!(copy_texts(&card), vec!["999".to_owned()]);
    // `/check`: a "yes" to the first (emergency) question ends with the chat's number.
    let first = say(&h, PERSON, PERSON, "/check").await;
    assert!(
        first.callback_data().contains(&"c:0:y".to_owned()),
        "{:?}",
        first.buttons()
    );
    let before = h.api.delivered_to(PERSON).len();
    press(
        &h,
        PERSON,
        PERSON,
        first.message_id,
        &first.body["reply_markup"],
        "c:0:y",
    );
    let found = h.api.wait_delivered_to(PERSON, before + 1).await[before].clone();
    assert!(
        found.text().contains("call 999 (emergency)"),
        "{}",
        found.text()
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_a_group_only_an_admins_press_on_the_picker_counts() {
    let h = Harness::start().await;
    h.api.set_member_status(GROUP, ADMIN, "administrator");
    let picker = say(&h, GROUP, USER, "/emergency").await;
    let markup = picker.body["reply_markup"].clone();
    press(&h, GROUP, USER, picker.message_id, &markup, "e:c:US");
    let answered = h
        .api
        .wait_call_where("answerCallbackQuery", "the refusal", |c| {
            c.body["text"]
                .as_str()
                .is_some_and(|t| t.contains(NOT_ADMIN))
        })
        .await;
    assert!(answered.body["text"].is_string());
    let shown = say(&h, GROUP, USER, "/emergency").await;
    assert!(
        shown.text().contains("No country is set"),
        "{}",
        shown.text()
    );
    let before = h.api.delivered_to(GROUP).len();
    press(&h, GROUP, ADMIN, picker.message_id, &markup, "e:c:US");
    let saved = h.api.wait_delivered_to(GROUP, before + 1).await[before].clone();
    assert!(saved.text().contains("United States"), "{}", saved.text());
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_setting_follows_a_group_to_its_supergroup() {
    let h = Harness::start().await;
    h.api.set_member_status(GROUP, ADMIN, "administrator");
    let saved = say(&h, GROUP, ADMIN, "/emergency AU").await;
    assert!(saved.text().contains("Australia"), "{}", saved.text());
    let migration = updates::migration(h.uid(), GROUP, SUPERGROUP, ADMIN);
    h.uid();
    for update in migration {
        h.push(update);
    }
    // The old group's updates are handled in order: once this is answered, the migration
    // message has been handled too.
    h.barrier(GROUP, USER).await;
    let notice = say(&h, SUPERGROUP, USER, RED_FLAG).await;
    assert!(
        notice.text().contains("call 000 (emergency)"),
        "{}",
        notice.text()
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn card_pin_pins_when_the_bot_may_and_says_how_when_it_may_not() {
    let h = Harness::start().await;
    h.api.set_member_status(SUPERGROUP, ADMIN, "administrator");
    // A member may not ask.
    let refused = say(&h, SUPERGROUP, USER, "/card pin").await;
    assert!(
        refused.text().contains("only group admins"),
        "{}",
        refused.text()
    );
    // The bot is a plain member: it may not pin, and says how to let it.
    let cannot = say(&h, SUPERGROUP, ADMIN, "/card pin").await;
    assert!(cannot.text().contains("can't pin"), "{}", cannot.text());
    assert!(h.api.calls_of("pinChatMessage").is_empty());
    // An admin without the right to pin, in a supergroup: the same.
    h.api
        .set_member_status(SUPERGROUP, BOT_ID, "administrator-no-pin");
    let cannot = say(&h, SUPERGROUP, ADMIN, "/card pin").await;
    assert!(cannot.text().contains("can't pin"), "{}", cannot.text());
    assert!(h.api.calls_of("pinChatMessage").is_empty());
    // An admin bot allowed to pin: the card is sent and pinned.
    h.api.set_member_status(SUPERGROUP, BOT_ID, "administrator");
    let card = say(&h, SUPERGROUP, ADMIN, "/card pin").await;
    assert!(card.text().contains(CARD_TITLE), "{}", card.text());
    assert!(
        card.text().contains("/emergency"),
        "no country set: the card tells admins how: {}",
        card.text()
    );
    let pin = h.api.wait_calls("pinChatMessage", 1).await;
    assert_eq!(pin[0].body["message_id"].as_i64(), Some(card.message_id));
    assert_eq!(pin[0].body["chat_id"].as_i64(), Some(SUPERGROUP));
    // In a private chat the card has no number to copy but offers the picker.
    let private = say(&h, PERSON, PERSON, "/card").await;
    assert!(private.text().contains(CARD_TITLE), "{}", private.text());
    assert!(copy_texts(&private).is_empty());
    assert!(private.callback_data().iter().any(|d| d == "e:o"));
    h.finish().await;
}

/// Two webhook replicas on one Redis (`common::cluster`): a country set through one replica is
/// what the other's urgent notice says. Ignored like the other cluster tests: `cargo test --test
/// telegram cluster -- --ignored --test-threads=1`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs redis-server and nginx; .ci/run installs them and runs these with --ignored"]
async fn cluster_of_two_replicas_shares_the_emergency_setting() {
    use crate::common::cluster::Cluster;

    let c = Cluster::start().await;
    let group = -1_006_400_000_000;
    c.api.set_member_status(group, ADMIN, "administrator");
    // The webhook answers once the reply is sent, so each step's reply is in when it returns.
    c.post(
        &c.replicas[0].webhook(),
        &updates::group_command(c.uid(), group, ADMIN, "/emergency GB"),
    )
    .await;
    let saved = c.api.delivered_to(group);
    assert!(
        saved.iter().any(|s| s.text().contains("999")),
        "the setting is confirmed through replica 1: {saved:?}\n{}",
        c.summary()
    );
    let flag = c.uid();
    c.post(
        &c.replicas[1].webhook(),
        &updates::group_text(flag, group, USER, RED_FLAG),
    )
    .await;
    let notice = c
        .api
        .delivered_to(group)
        .into_iter()
        .find(|s| s.reply_to() == Some(flag))
        .unwrap_or_else(|| panic!("a notice through replica 2\n{}", c.summary()));
    assert!(
        notice.text().contains("call 999 (emergency)"),
        "replica 2 says the country replica 1 saved: {}",
        notice.text()
    );
}
