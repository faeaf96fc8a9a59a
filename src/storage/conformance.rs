//! The behaviour every `Storage` must have, as one suite run against each implementation:
//! memory and SQLite in the unit tests (`storage::tests`), Redis in `tests/it/redis_storage.rs`.
//!
//! Test code. It lives in the library so that the integration tests can reuse it (they link
//! the library without `cfg(test)`), behind the `testing` feature that only the tests and
//! benches turn on (Cargo.toml): a release build does not contain it. Hence `#[doc(hidden)]`,
//! and panics on failure.

use std::time::Duration;

use super::{ChatId, Storage, LATEST_ANSWER};

mod alerts;
mod group_limit;

/// Whose clock decides when a cooldown or a check expires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// The store compares the caller's `now` (memory, SQLite): the suite moves `now` forward
    /// without waiting.
    Caller,
    /// The server expires keys on its own clock (Redis): the suite waits for real (about a
    /// second).
    Server,
}

const CHAT: ChatId = -100_001;
const OTHER: ChatId = -100_002;
const MIGRATED: ChatId = -1_000_100_001;
const UNKNOWN: ChatId = -100_003;
const UNKNOWN_TARGET: ChatId = -1_000_100_003;

/// Runs the suite on `store`, which must hold nothing about the chats above.
///
/// # Panics
/// When `store` misbehaves (or fails).
pub async fn conformance(store: &dyn Storage, clock: Clock) {
    // The shortest durations Redis can express (`EX 1`), so the real-time wait stays short.
    let cooldown = Duration::from_secs(1);
    let ttl = Duration::from_secs(1);
    let mut now = 1_000_000;

    // Watch setting: on by default, an admin can turn it off and on again.
    assert!(
        store.red_flag_watch(CHAT).await.expect("read watch"),
        "the watch is on by default"
    );
    store
        .set_red_flag_watch(CHAT, false)
        .await
        .expect("watch off");
    assert!(
        !store.red_flag_watch(CHAT).await.expect("read watch"),
        "turned off"
    );
    store
        .set_red_flag_watch(CHAT, true)
        .await
        .expect("watch on");
    assert!(
        store.red_flag_watch(CHAT).await.expect("read watch"),
        "turned on again"
    );
    store
        .set_red_flag_watch(CHAT, false)
        .await
        .expect("watch off");
    assert!(
        store.red_flag_watch(OTHER).await.expect("read watch"),
        "other chats are independent"
    );

    // Cooldown: one claim per window.
    assert!(
        store
            .claim_red_flag_notice(CHAT, 106, now, cooldown)
            .await
            .expect("claim"),
        "first claim"
    );
    assert!(
        !store
            .claim_red_flag_notice(CHAT, 107, now, cooldown)
            .await
            .expect("claim"),
        "within the cooldown"
    );
    assert!(
        store
            .claim_red_flag_notice(CHAT, 106, now, cooldown)
            .await
            .expect("claim"),
        "the same update again (redelivered) keeps its claim"
    );
    assert!(
        store
            .claim_red_flag_notice(OTHER, 108, now, cooldown)
            .await
            .expect("claim"),
        "other chats are independent"
    );

    // Check answers: saved, read back, replaced, ended.
    assert_eq!(
        store.check_answers(CHAT, now).await.expect("read check"),
        None,
        "no check running"
    );
    store
        .save_check_answers(CHAT, &[true, false, true], now, ttl)
        .await
        .expect("save check");
    assert_eq!(
        store.check_answers(CHAT, now).await.expect("read check"),
        Some(vec![true, false, true])
    );
    store
        .save_check_answers(CHAT, &[true, false, true, true], now, ttl)
        .await
        .expect("save check");
    assert_eq!(
        store.check_answers(CHAT, now).await.expect("read check"),
        Some(vec![true, false, true, true]),
        "saving replaces"
    );
    store
        .save_check_answers(OTHER, &[], now, ttl)
        .await
        .expect("save check");
    assert_eq!(
        store.check_answers(OTHER, now).await.expect("read check"),
        Some(vec![]),
        "a started check with no answer yet"
    );
    store.end_check(CHAT).await.expect("end check");
    assert_eq!(
        store.check_answers(CHAT, now).await.expect("read check"),
        None,
        "ended"
    );
    store.end_check(CHAT).await.expect("ending twice is fine");
    store
        .save_check_answers(CHAT, &[false], now, ttl)
        .await
        .expect("save check");

    // Answer topics: the latest per private chat, one per bot message in a group, replaced by
    // a newer answer, and expired with the check below.
    const PRIVATE: ChatId = 100_001;
    assert_eq!(
        store
            .answer_topic(PRIVATE, LATEST_ANSWER, now)
            .await
            .expect("read topic"),
        None,
        "nothing answered yet"
    );
    store
        .save_answer_topic(PRIVATE, LATEST_ANSWER, "sciatica", now, ttl)
        .await
        .expect("save topic");
    assert_eq!(
        store
            .answer_topic(PRIVATE, LATEST_ANSWER, now)
            .await
            .expect("read topic")
            .as_deref(),
        Some("sciatica")
    );
    store
        .save_answer_topic(PRIVATE, LATEST_ANSWER, "outlook", now, ttl)
        .await
        .expect("save topic");
    assert_eq!(
        store
            .answer_topic(PRIVATE, LATEST_ANSWER, now)
            .await
            .expect("read topic")
            .as_deref(),
        Some("outlook"),
        "a newer answer replaces it"
    );
    store
        .save_answer_topic(CHAT, 42, "spinal-stenosis", now, ttl)
        .await
        .expect("save topic");
    store
        .save_answer_topic(CHAT, 43, "exercise", now, ttl)
        .await
        .expect("save topic");
    assert_eq!(
        store
            .answer_topic(CHAT, 42, now)
            .await
            .expect("read topic")
            .as_deref(),
        Some("spinal-stenosis"),
        "each group answer keeps its own"
    );
    assert_eq!(
        store
            .answer_topic(CHAT, 43, now)
            .await
            .expect("read topic")
            .as_deref(),
        Some("exercise")
    );
    assert_eq!(
        store.answer_topic(CHAT, 44, now).await.expect("read topic"),
        None,
        "a message that is not an answer"
    );
    assert_eq!(
        store
            .answer_topic(OTHER, 42, now)
            .await
            .expect("read topic"),
        None,
        "other chats are independent"
    );

    // Time passes: the cooldown is over and the check has expired.
    match clock {
        Clock::Caller => now += cooldown.as_secs(),
        Clock::Server => {
            now += cooldown.as_secs();
            // A little past the second, so the server's clock has certainly moved on.
            tokio::time::sleep(cooldown + Duration::from_millis(300)).await;
        }
    }
    assert_eq!(
        store.check_answers(CHAT, now).await.expect("read check"),
        None,
        "the check expired"
    );
    assert_eq!(
        store.check_answers(OTHER, now).await.expect("read check"),
        None,
        "the check expired"
    );
    assert_eq!(
        store
            .answer_topic(PRIVATE, LATEST_ANSWER, now)
            .await
            .expect("read topic"),
        None,
        "the answer topic expired"
    );
    assert_eq!(
        store.answer_topic(CHAT, 42, now).await.expect("read topic"),
        None,
        "the answer topic expired"
    );
    assert!(
        store
            .claim_red_flag_notice(CHAT, 109, now, cooldown)
            .await
            .expect("claim"),
        "after the cooldown"
    );

    // Migration: the "off" setting and the running cooldown follow the chat to its new id.
    store.migrate_chat(CHAT, MIGRATED).await.expect("migrate");
    assert!(
        !store.red_flag_watch(MIGRATED).await.expect("read watch"),
        "\"off\" follows a migrated chat"
    );
    assert!(
        !store
            .claim_red_flag_notice(MIGRATED, 110, now, cooldown)
            .await
            .expect("claim"),
        "the cooldown follows a migrated chat"
    );
    assert!(
        store.red_flag_watch(CHAT).await.expect("read watch"),
        "the old id is back to the default"
    );
    assert!(
        store
            .claim_red_flag_notice(CHAT, 111, now, cooldown)
            .await
            .expect("claim"),
        "the old id has no cooldown"
    );
    store
        .migrate_chat(UNKNOWN, UNKNOWN_TARGET)
        .await
        .expect("migrating a chat with nothing stored is fine");
    assert!(store
        .red_flag_watch(UNKNOWN_TARGET)
        .await
        .expect("read watch"));

    store.ping().await.expect("ping");

    // Moderator alerts (`conformance/alerts.rs`).
    alerts::conformance(store, clock).await;
    // Per-person request counts in groups (`conformance/group_limit.rs`).
    group_limit::conformance(store, clock).await;
}

/// The emergency setting (issue 11): none by default, set, replaced, cleared, per chat, and it
/// follows a migrated chat. Uses its own chats, so it may run on a store the suite above used.
///
/// # Panics
/// When `store` misbehaves (or fails).
pub async fn emergency_conformance(store: &dyn Storage) {
    const GROUP: ChatId = -100_011;
    const PERSON: ChatId = 100_012;
    const NEW_GROUP: ChatId = -1_000_100_011;
    let read = |chat| store.emergency_setting(chat);
    assert_eq!(
        read(GROUP).await.expect("read"),
        None,
        "no setting by default"
    );
    store
        .set_emergency_setting(GROUP, Some("GB"))
        .await
        .expect("set a country");
    assert_eq!(read(GROUP).await.expect("read").as_deref(), Some("GB"));
    store
        .set_emergency_setting(GROUP, Some("112"))
        .await
        .expect("set a number");
    assert_eq!(
        read(GROUP).await.expect("read").as_deref(),
        Some("112"),
        "a new setting replaces the old one"
    );
    store
        .set_emergency_setting(PERSON, Some("NZ"))
        .await
        .expect("set a private chat's own");
    assert_eq!(read(PERSON).await.expect("read").as_deref(), Some("NZ"));
    assert_eq!(
        read(GROUP).await.expect("read").as_deref(),
        Some("112"),
        "chats are independent"
    );
    store
        .set_emergency_setting(PERSON, None)
        .await
        .expect("clear");
    assert_eq!(read(PERSON).await.expect("read"), None, "cleared");
    // The setting does not disturb the chat's other settings.
    assert!(store.red_flag_watch(GROUP).await.expect("read watch"));
    store.migrate_chat(GROUP, NEW_GROUP).await.expect("migrate");
    assert_eq!(
        read(NEW_GROUP).await.expect("read").as_deref(),
        Some("112"),
        "the setting follows a migrated chat"
    );
    assert_eq!(
        read(GROUP).await.expect("read"),
        None,
        "the old id has none"
    );
}
