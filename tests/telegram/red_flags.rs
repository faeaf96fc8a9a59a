//! The group red-flag watch: an unaddressed red flag gets the urgent-care criteria as a reply,
//! once per cooldown per chat; admins (checked with getChatMember) turn it off and on with
//! `/redflags`, non-admins are refused; the setting survives a restart and follows a group's
//! migration to a supergroup.

use std::time::Duration;

use crate::common::updates;
use crate::harness::{words, Harness, SEEK_HELP};

const GROUP: i64 = -5001;
const SUPERGROUP: i64 = -1_001_234_567_890;
const USER: i64 = 7001;
const ADMIN: i64 = 7100;

const RED_FLAG: &str = "my dad fell and now he can't feel his legs";
const RED_FLAG_2: &str = "I lost control of my bladder this morning";

/// Sends an unaddressed red-flag message and waits for the urgent reply quoting it.
async fn expect_urgent_reply(h: &Harness, chat: i64, text: &str) {
    let id = h.uid();
    h.push(updates::group_text(id, chat, USER, text));
    let reply = h
        .api
        .wait_delivered_where(
            &format!("an urgent-care reply to red-flag message {id}"),
            |s| s.chat_id() == chat && s.reply_to() == Some(id),
        )
        .await;
    assert!(reply.text().contains(SEEK_HELP), "{}", reply.text());
}

/// Sends an unaddressed red-flag message and checks, with a barrier, that nothing answers it.
async fn expect_no_reply(h: &Harness, chat: i64, text: &str, why: &str) {
    let id = h.uid();
    let before = h.api.delivered_to(chat).len();
    h.push(updates::group_text(id, chat, USER, text));
    h.barrier(chat, USER).await;
    let sent = h.api.delivered_to(chat);
    assert_eq!(
        sent.len(),
        before + 1,
        "{why}: expected only the barrier's answer, got:\n{:#?}",
        sent[before..].iter().map(|s| s.text()).collect::<Vec<_>>()
    );
}

/// Sends a command from `user` and returns the bot's reply quoting it.
async fn command(h: &Harness, chat: i64, user: i64, text: &str) -> String {
    let id = h.uid();
    h.push(updates::group_command(id, chat, user, text));
    h.api
        .wait_delivered_where(&format!("a reply to {text:?} (message {id})"), |s| {
            s.chat_id() == chat && s.reply_to() == Some(id)
        })
        .await
        .text()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unaddressed_red_flag_gets_one_urgent_reply_then_none_within_the_cooldown() {
    let h = Harness::start().await;
    expect_urgent_reply(&h, GROUP, RED_FLAG).await;
    expect_no_reply(
        &h,
        GROUP,
        RED_FLAG_2,
        "a second red flag within the cooldown",
    )
    .await;
    let urgent = h
        .api
        .delivered_to(GROUP)
        .iter()
        .filter(|s| s.text().contains(SEEK_HELP))
        .count();
    assert_eq!(urgent, 1, "one urgent reply in all");
    // The cooldown is per chat: another group still gets its reply.
    expect_urgent_reply(&h, SUPERGROUP, RED_FLAG).await;
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn red_flag_cooldown_expires() {
    let h = Harness::start_with(|options, _| {
        options
            .args
            .extend(["--red-flag-cooldown".to_owned(), "1".to_owned()])
    })
    .await;
    expect_urgent_reply(&h, GROUP, RED_FLAG).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    expect_urgent_reply(&h, GROUP, RED_FLAG_2).await;
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redflags_off_from_a_member_is_refused() {
    let h = Harness::start().await;
    h.api.set_member_status(GROUP, USER, "member");
    let reply = command(&h, GROUP, USER, "/redflags off").await;
    assert!(
        reply.to_lowercase().contains("admin"),
        "the refusal should say admins can do it: {reply}"
    );
    expect_urgent_reply(&h, GROUP, RED_FLAG).await;
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redflags_off_from_an_admin_is_obeyed_and_survives_a_restart() {
    let mut h = Harness::start().await;
    h.api.set_member_status(GROUP, ADMIN, "administrator");
    let reply = command(&h, GROUP, ADMIN, "/redflags off").await;
    assert!(
        words(&reply).iter().any(|w| w == "off"),
        "the confirmation should say off: {reply}"
    );
    expect_no_reply(&h, GROUP, RED_FLAG, "red-flag watch turned off by an admin").await;

    h.restart().await;
    expect_no_reply(
        &h,
        GROUP,
        RED_FLAG_2,
        "red-flag watch off, after a restart on the same data file",
    )
    .await;
    let status = command(&h, GROUP, USER, "/redflags").await;
    assert!(
        words(&status).iter().any(|w| w == "off"),
        "after the restart /redflags should say off: {status}"
    );

    let reply = command(&h, GROUP, ADMIN, "/redflags on").await;
    assert!(
        words(&reply).iter().any(|w| w == "on"),
        "the confirmation should say on: {reply}"
    );
    expect_urgent_reply(&h, GROUP, RED_FLAG).await;
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redflags_alone_says_whether_the_watch_is_on() {
    let h = Harness::start().await;
    h.api.set_member_status(GROUP, ADMIN, "administrator");
    let on = command(&h, GROUP, USER, "/redflags").await;
    assert!(
        words(&on).iter().any(|w| w == "on"),
        "by default the watch is on: {on}"
    );
    command(&h, GROUP, ADMIN, "/redflags off").await;
    let off = command(&h, GROUP, USER, "/redflags").await;
    assert!(
        words(&off).iter().any(|w| w == "off"),
        "after /redflags off: {off}"
    );
    assert_ne!(on, off, "the two states read differently");
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn group_creator_can_turn_the_watch_off() {
    let h = Harness::start().await;
    h.api.set_member_status(SUPERGROUP, ADMIN, "creator");
    let reply = command(&h, SUPERGROUP, ADMIN, "/redflags off").await;
    assert!(
        words(&reply).iter().any(|w| w == "off"),
        "the creator is an admin: {reply}"
    );
    expect_no_reply(
        &h,
        SUPERGROUP,
        RED_FLAG,
        "red-flag watch turned off by the creator",
    )
    .await;
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redflags_setting_follows_the_group_to_its_supergroup() {
    let h = Harness::start().await;
    let new = -1_000_000_005_001;
    h.api.set_member_status(GROUP, ADMIN, "administrator");
    h.api.set_member_status(new, ADMIN, "administrator");
    command(&h, GROUP, ADMIN, "/redflags off").await;
    for service in updates::migration(h.uid(), GROUP, new, ADMIN) {
        h.push(service);
    }
    h.uid();
    // The old group's updates are handled in order: once this is answered, the migration
    // message has been handled too (the new chat's updates run in another worker).
    h.barrier(GROUP, ADMIN).await;
    expect_no_reply(
        &h,
        new,
        RED_FLAG,
        "watch turned off in the group, which became a supergroup",
    )
    .await;
    h.finish().await;
}
