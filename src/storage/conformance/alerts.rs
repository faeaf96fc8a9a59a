//! The moderator alerts' part of the suite: the opt-in list per group, the alerts' own
//! cooldown (apart from the notice's), and both following a migration.

use std::time::Duration;

use super::Clock;
use crate::storage::{ChatId, Storage};

const GROUP: ChatId = -200_001;
const OTHER: ChatId = -200_002;
const MIGRATED: ChatId = -1_000_200_001;
const ADMIN: i64 = 200_101;
const SECOND: i64 = 200_102;
const THIRD: i64 = 200_103;

/// Runs the alerts' cases on `store`, which must hold nothing about the chats above.
///
/// # Panics
/// When `store` misbehaves (or fails).
pub async fn conformance(store: &dyn Storage, clock: Clock) {
    let cooldown = Duration::from_secs(1);
    let mut now = 2_000_000;
    let admins = |chat: ChatId| async move { store.alert_admins(chat).await.expect("read admins") };

    // The list: empty by default, admins added once, removed, per group.
    assert_eq!(admins(GROUP).await, Vec::<i64>::new(), "nobody by default");
    for user in [SECOND, ADMIN, SECOND, THIRD] {
        store
            .set_alert_admin(GROUP, user, true)
            .await
            .expect("alerts on");
    }
    assert_eq!(
        admins(GROUP).await,
        vec![ADMIN, SECOND, THIRD],
        "each admin once, ascending"
    );
    store
        .set_alert_admin(GROUP, THIRD, false)
        .await
        .expect("alerts off");
    store
        .set_alert_admin(GROUP, THIRD, false)
        .await
        .expect("turning off twice is fine");
    store
        .set_alert_admin(OTHER, THIRD, false)
        .await
        .expect("turning off someone never on is fine");
    assert_eq!(admins(GROUP).await, vec![ADMIN, SECOND], "turned off");
    assert_eq!(
        admins(OTHER).await,
        Vec::<i64>::new(),
        "other groups are independent"
    );
    store
        .set_alert_admin(OTHER, THIRD, true)
        .await
        .expect("alerts on");

    // The cooldown: one alert per window per group, apart from the notice's claim.
    let claim = |chat: ChatId, now: u64| async move {
        store
            .claim_alert(chat, now, cooldown)
            .await
            .expect("claim alert")
    };
    assert!(claim(GROUP, now).await, "first alert");
    assert!(!claim(GROUP, now).await, "within the cooldown");
    assert!(claim(OTHER, now).await, "other groups are independent");
    assert!(
        store
            .claim_red_flag_notice(GROUP, 1, now, cooldown)
            .await
            .expect("claim notice"),
        "the alert does not take the notice's cooldown"
    );
    assert!(!claim(GROUP, now).await, "nor the notice the alert's");

    match clock {
        Clock::Caller => now += cooldown.as_secs(),
        Clock::Server => {
            now += cooldown.as_secs();
            tokio::time::sleep(cooldown + Duration::from_millis(300)).await;
        }
    }
    assert!(claim(GROUP, now).await, "after the cooldown");

    // Migration: the list and the running cooldown follow the group to its new id.
    store.migrate_chat(GROUP, MIGRATED).await.expect("migrate");
    assert_eq!(
        admins(MIGRATED).await,
        vec![ADMIN, SECOND],
        "the list follows a migrated group"
    );
    assert_eq!(
        admins(GROUP).await,
        Vec::<i64>::new(),
        "the old id has none"
    );
    assert!(
        !claim(MIGRATED, now).await,
        "the cooldown follows a migrated group"
    );
    assert!(claim(GROUP, now).await, "the old id has no cooldown");
    assert_eq!(
        admins(OTHER).await,
        vec![THIRD],
        "a migration leaves other groups alone"
    );
}
