//! The per-person request counts of groups (issue 12): one count per (group, person), each
//! window starting at 1 again, a zero window keeping nothing, and nothing following a migration.

use std::time::Duration;

use super::Clock;
use crate::storage::{ChatId, Storage};

const GROUP: ChatId = -300_001;
const OTHER: ChatId = -300_002;
const MIGRATED: ChatId = -1_000_300_001;
const MEMBER: i64 = 300_101;
const SECOND: i64 = 300_102;

/// Runs the counts' cases on `store`, which must hold nothing about the chats above.
///
/// # Panics
/// When `store` misbehaves (or fails).
pub async fn conformance(store: &dyn Storage, clock: Clock) {
    // The shortest window Redis can express (`EXPIRE 1`), so the real-time wait stays short.
    let window = Duration::from_secs(1);
    let mut now = 3_000_000;
    let count = |chat: ChatId, user: i64, now: u64| async move {
        store
            .count_group_request(chat, user, now, window)
            .await
            .expect("count a request")
    };

    for expected in 1..=6 {
        assert_eq!(count(GROUP, MEMBER, now).await, expected, "counts up");
    }
    assert_eq!(count(GROUP, SECOND, now).await, 1, "people are independent");
    assert_eq!(count(OTHER, MEMBER, now).await, 1, "groups are independent");
    assert_eq!(
        store
            .count_group_request(GROUP, MEMBER, now, Duration::ZERO)
            .await
            .expect("count with no window"),
        1,
        "a zero window keeps nothing"
    );

    // Not moved by a migration: the new id starts afresh.
    store.migrate_chat(GROUP, MIGRATED).await.expect("migrate");
    assert_eq!(count(MIGRATED, MEMBER, now).await, 1, "not migrated");

    match clock {
        Clock::Caller => now += window.as_secs(),
        Clock::Server => {
            now += window.as_secs();
            tokio::time::sleep(window + Duration::from_millis(300)).await;
        }
    }
    assert_eq!(
        count(GROUP, MEMBER, now).await,
        1,
        "a new window starts at 1"
    );
    assert_eq!(count(GROUP, MEMBER, now).await, 2, "and counts up again");
    assert_eq!(count(GROUP, SECOND, now).await, 1, "every count expired");
}
