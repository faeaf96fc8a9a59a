use std::path::PathBuf;
use std::time::Duration;

use super::conformance::emergency_conformance;
use super::conformance::{conformance, Clock};
use super::*;

/// Exact cooldown boundaries, which only stores on the caller's clock can promise.
async fn exercise(store: &dyn Storage) {
    let cooldown = Duration::from_secs(600);
    assert!(
        store.red_flag_watch(-1).await.unwrap(),
        "watch is on by default"
    );
    store.set_red_flag_watch(-1, false).await.unwrap();
    assert!(!store.red_flag_watch(-1).await.unwrap());
    assert!(store
        .claim_red_flag_notice(-1, 101, 1000, cooldown)
        .await
        .unwrap());
    assert!(
        !store
            .claim_red_flag_notice(-1, 102, 1599, cooldown)
            .await
            .unwrap(),
        "within the cooldown"
    );
    assert!(
        store
            .claim_red_flag_notice(-1, 103, 1600, cooldown)
            .await
            .unwrap(),
        "after the cooldown"
    );
    assert!(
        store
            .claim_red_flag_notice(-2, 104, 1000, cooldown)
            .await
            .unwrap(),
        "other chats are independent"
    );
    assert!(store
        .claim_red_flag_notice(-3, 7, 1000, cooldown)
        .await
        .unwrap());
    assert!(
        store
            .claim_red_flag_notice(-3, 7, 1001, cooldown)
            .await
            .unwrap(),
        "the same update, delivered again, still gets its notice"
    );
    assert!(
        !store
            .claim_red_flag_notice(-3, 8, 1002, cooldown)
            .await
            .unwrap(),
        "another update within the cooldown does not"
    );
    store.migrate_chat(-1, -1001).await.unwrap();
    assert!(
        !store.red_flag_watch(-1001).await.unwrap(),
        "settings follow a migrated chat"
    );
    assert!(store.red_flag_watch(-1).await.unwrap());
}

/// Exact check-state expiry: alive until `now + ttl`, gone from then on.
async fn check_expiry(store: &dyn Storage) {
    let ttl = Duration::from_secs(1800);
    store
        .save_check_answers(-5, &[true, true], 1000, ttl)
        .await
        .unwrap();
    assert_eq!(
        store.check_answers(-5, 2799).await.unwrap(),
        Some(vec![true, true])
    );
    assert_eq!(
        store.check_answers(-5, 2800).await.unwrap(),
        None,
        "expired at now + ttl"
    );
    store
        .save_check_answers(-5, &[false], 2800, ttl)
        .await
        .unwrap();
    assert_eq!(
        store.check_answers(-5, 4599).await.unwrap(),
        Some(vec![false]),
        "saving again extends"
    );
}

fn sqlite_path(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("data.sqlite3")
}

#[tokio::test]
async fn memory_storage_conforms() {
    conformance(&MemoryStorage::default(), Clock::Caller).await;
}

#[tokio::test]
async fn sqlite_storage_conforms() {
    let dir = tempfile::tempdir().unwrap();
    conformance(
        &SqliteStorage::open(&sqlite_path(&dir)).unwrap(),
        Clock::Caller,
    )
    .await;
}

#[test]
fn only_a_store_replicas_share_has_a_shared_send_budget() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = SqliteStorage::open(&sqlite_path(&dir)).unwrap();
    assert!(MemoryStorage::default().shared_send_budget().is_none());
    assert!(sqlite.shared_send_budget().is_none());
    // Redis has one without connecting (`new` does not).
    let redis = super::RedisStorage::new("redis://127.0.0.1:1").unwrap();
    assert!(redis.shared_send_budget().is_some());
}

#[tokio::test]
async fn memory_storage_keeps_settings_and_cooldowns() {
    exercise(&MemoryStorage::default()).await;
    check_expiry(&MemoryStorage::default()).await;
}

#[tokio::test]
async fn sqlite_storage_keeps_settings_across_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = sqlite_path(&dir);
    exercise(&SqliteStorage::open(&path).unwrap()).await;
    check_expiry(&SqliteStorage::open(&path).unwrap()).await;
    let reopened = SqliteStorage::open(&path).unwrap();
    assert!(
        !reopened.red_flag_watch(-1001).await.unwrap(),
        "settings survive a restart"
    );
    assert_eq!(
        reopened.check_answers(-5, 4599).await.unwrap(),
        Some(vec![false]),
        "a running check survives a restart"
    );
}

#[test]
fn sqlite_storage_reports_an_unusable_file() {
    let dir = tempfile::tempdir().unwrap();
    let err = SqliteStorage::open(&dir.path().join("missing-dir/data.sqlite3")).unwrap_err();
    assert!(err.to_string().contains("missing-dir"), "{err}");
}

#[tokio::test]
async fn sqlite_storage_opens_a_data_file_of_the_previous_version() {
    let dir = tempfile::tempdir().unwrap();
    let path = sqlite_path(&dir);
    {
        // The schema as the previous version created it: no check_state table.
        let old = rusqlite::Connection::open(&path).unwrap();
        old.execute_batch(
            "PRAGMA journal_mode = WAL;
             CREATE TABLE chats (
                 chat_id INTEGER PRIMARY KEY,
                 red_flag_watch INTEGER NOT NULL DEFAULT 1,
                 last_red_flag_notice INTEGER
             );
             INSERT INTO chats (chat_id, red_flag_watch, last_red_flag_notice) VALUES (-7, 0, 1000);",
        )
        .unwrap();
    }
    let store = SqliteStorage::open(&path).unwrap();
    assert!(
        !store.red_flag_watch(-7).await.unwrap(),
        "old settings are kept"
    );
    assert!(
        !store
            .claim_red_flag_notice(-7, 105, 1100, Duration::from_secs(600))
            .await
            .unwrap(),
        "old cooldowns are kept"
    );
    store
        .save_check_answers(-7, &[true], 1100, Duration::from_secs(1800))
        .await
        .unwrap();
    assert_eq!(
        store.check_answers(-7, 1100).await.unwrap(),
        Some(vec![true])
    );
}

#[tokio::test]
async fn sqlite_storage_purges_expired_checks_on_save() {
    let dir = tempfile::tempdir().unwrap();
    let path = sqlite_path(&dir);
    let store = SqliteStorage::open(&path).unwrap();
    let ttl = Duration::from_secs(1800);
    store
        .save_check_answers(-1, &[true], 1000, ttl)
        .await
        .unwrap();
    store
        .save_check_answers(-2, &[true], 5000, ttl)
        .await
        .unwrap();
    let rows: i64 = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row("SELECT COUNT(*) FROM check_state", [], |row| row.get(0))
        .unwrap();
    assert_eq!(rows, 1, "the expired check of chat -1 is gone");
}

#[test]
fn answers_round_trip_as_letters() {
    assert_eq!(encode_answers(&[true, false, true]), "yny");
    assert_eq!(encode_answers(&[]), "");
    assert_eq!(decode_answers("yny"), Some(vec![true, false, true]));
    assert_eq!(decode_answers(""), Some(vec![]));
    assert_eq!(
        decode_answers("yx"),
        None,
        "an unreadable value counts as no check"
    );
}

#[test]
fn storage_spec_parses_the_accepted_forms() {
    assert_eq!(StorageSpec::parse("memory").unwrap(), StorageSpec::Memory);
    assert_eq!(
        StorageSpec::parse("sqlite:/var/lib/backleg/data.sqlite3").unwrap(),
        StorageSpec::Sqlite("/var/lib/backleg/data.sqlite3".into())
    );
    assert_eq!(
        StorageSpec::parse("sqlite:data.sqlite3").unwrap(),
        StorageSpec::Sqlite("data.sqlite3".into())
    );
    assert_eq!(
        StorageSpec::parse("redis://127.0.0.1:6379/0").unwrap(),
        StorageSpec::Redis("redis://127.0.0.1:6379/0".into())
    );
    assert_eq!(
        StorageSpec::parse("rediss://:pw@cache.example:6380").unwrap(),
        StorageSpec::Redis("rediss://:pw@cache.example:6380".into())
    );
}

#[test]
fn storage_spec_rejects_anything_else_naming_the_accepted_forms() {
    for bad in [
        "",
        "sqlite:",
        "postgres://db",
        "redis://",
        "Memory",
        "/var/lib/data.sqlite3",
        "redis:/:secret@host",
    ] {
        let err = StorageSpec::parse(bad).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("sqlite:PATH") && text.contains("redis://") && text.contains("memory"),
            "{bad:?}: {text}"
        );
        assert!(
            !text.contains("secret"),
            "the input is not repeated: {text}"
        );
    }
}

#[test]
fn storage_spec_describe_hides_credentials() {
    let spec = StorageSpec::parse("redis://user:s3cret@127.0.0.1:6379/0?protocol=resp3").unwrap();
    assert_eq!(spec.describe(), "redis://127.0.0.1:6379/0");
    assert!(!format!("{spec:?}").contains("s3cret"), "{spec:?}");
    assert_eq!(
        StorageSpec::parse("redis://:s3cret@cache")
            .unwrap()
            .describe(),
        "redis://cache"
    );
    assert_eq!(
        StorageSpec::parse("sqlite:/data/x.sqlite3")
            .unwrap()
            .describe(),
        "sqlite:/data/x.sqlite3"
    );
    assert_eq!(StorageSpec::Memory.describe(), "memory");
}

#[test]
fn redis_storage_new_does_not_connect_and_hides_the_password() {
    // Nothing listens on port 1; `new` must succeed anyway (the bot starts while Redis is down).
    let store = RedisStorage::new("redis://:s3cret@127.0.0.1:1/2").unwrap();
    let debug = format!("{store:?}");
    assert!(
        debug.contains("127.0.0.1:1/2") && !debug.contains("s3cret"),
        "{debug}"
    );
}

#[test]
fn redis_storage_new_rejects_a_malformed_url() {
    let err = RedisStorage::new("redis://:s3cret@/").unwrap_err();
    assert!(matches!(err, StorageError::InvalidSpec(_)), "{err:?}");
    assert!(!err.to_string().contains("s3cret"), "{err}");
}

#[tokio::test]
async fn open_builds_each_kind_of_store() {
    let dir = tempfile::tempdir().unwrap();
    let memory = open(&StorageSpec::Memory).unwrap();
    memory.ping().await.unwrap();
    let sqlite = open(&StorageSpec::Sqlite(sqlite_path(&dir))).unwrap();
    sqlite.ping().await.unwrap();
    assert!(
        open(&StorageSpec::Redis("redis://127.0.0.1:1".into())).is_ok(),
        "opening does not connect"
    );
}

#[tokio::test]
async fn memory_storage_keeps_the_emergency_setting() {
    emergency_conformance(&MemoryStorage::default()).await;
}

#[tokio::test]
async fn sqlite_storage_keeps_the_emergency_setting_across_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = sqlite_path(&dir);
    emergency_conformance(&SqliteStorage::open(&path).unwrap()).await;
    let reopened = SqliteStorage::open(&path).unwrap();
    assert_eq!(
        reopened
            .emergency_setting(-1_000_100_011)
            .await
            .unwrap()
            .as_deref(),
        Some("112"),
        "kept in the file"
    );
}

#[tokio::test]
async fn sqlite_storage_gives_an_older_data_file_the_emergency_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = sqlite_path(&dir);
    {
        // The schema before issue 11: no `emergency` column.
        let old = rusqlite::Connection::open(&path).unwrap();
        old.execute_batch(
            "CREATE TABLE chats (
                 chat_id INTEGER PRIMARY KEY,
                 red_flag_watch INTEGER NOT NULL DEFAULT 1,
                 last_red_flag_notice INTEGER,
                 red_flag_claimant INTEGER
             );
             INSERT INTO chats (chat_id, red_flag_watch) VALUES (-7, 0);",
        )
        .unwrap();
    }
    let store = SqliteStorage::open(&path).unwrap();
    assert_eq!(store.emergency_setting(-7).await.unwrap(), None);
    store.set_emergency_setting(-7, Some("IE")).await.unwrap();
    assert_eq!(
        store.emergency_setting(-7).await.unwrap().as_deref(),
        Some("IE")
    );
    assert!(
        !store.red_flag_watch(-7).await.unwrap(),
        "the chat's other settings are kept"
    );
    drop(store);
    SqliteStorage::open(&path).expect("opens again once the column exists");
}

#[tokio::test]
async fn sqlite_storage_holds_a_group_members_count_for_its_window_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = sqlite_path(&dir);
    let store = SqliteStorage::open(&path).unwrap();
    let minute = Duration::from_secs(60);
    for expected in 1..=3 {
        assert_eq!(
            store
                .count_group_request(-9, 901, 5_000, minute)
                .await
                .unwrap(),
            expected
        );
    }
    assert_eq!(
        store
            .count_group_request(-9, 901, 5_059, minute)
            .await
            .unwrap(),
        4,
        "one fixed window from the first request"
    );
    // Another member's count, after the first window ended, drops the first member's row.
    store
        .count_group_request(-9, 902, 5_060, minute)
        .await
        .unwrap();
    drop(store);
    let raw = rusqlite::Connection::open(&path).unwrap();
    let users: Vec<i64> = raw
        .prepare("SELECT user FROM group_requests")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(users, vec![902], "an expired count is deleted");
}
