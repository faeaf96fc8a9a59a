//! `RedisStorage` against a real `redis-server` (each test starts its own on a free loopback
//! port): the shared conformance suite, two replicas racing for one cooldown, keys that expire,
//! and the availability promises — fail fast while Redis is down, recover by itself after a
//! restart. Ignored by default because they need the `redis-server` binary (set
//! `REDIS_SERVER` to use another path); `.ci/run` runs them with `--ignored`. The server is
//! `common::redis::Redis`, the one the cluster tests run.

use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use backleg::storage::conformance::emergency_conformance;
use backleg::storage::conformance::{conformance, Clock};
use backleg::storage::GroupLimitStorage;
use backleg::storage::{RedisStorage, Storage, StorageError};

mod send_budget;

use crate::common::http::free_port;
use crate::common::redis::{url, Redis as RedisServer};

/// A bound on "fails fast": the store promises about a second per operation.
const FAST: Duration = Duration::from_secs(2);

fn store(server: &RedisServer) -> RedisStorage {
    RedisStorage::new(&server.url()).expect("a valid URL")
}

/// Asserts that an operation begun at `started` has failed, within [`FAST`].
#[track_caller]
fn assert_fails_fast<T: std::fmt::Debug>(
    what: &str,
    started: Instant,
    result: &Result<T, StorageError>,
) {
    let elapsed = started.elapsed();
    assert!(
        result.is_err(),
        "{what} should fail while Redis is down, got {result:?}"
    );
    assert!(elapsed < FAST, "{what} took {elapsed:?}");
}

/// Every operation of the trait, each timed, while nothing answers.
async fn assert_every_operation_fails_fast(store: &dyn Storage) {
    let cooldown = Duration::from_secs(600);
    let ttl = Duration::from_secs(1800);
    let t = Instant::now();
    assert_fails_fast("ping", t, &store.ping().await);
    let t = Instant::now();
    assert_fails_fast("red_flag_watch", t, &store.red_flag_watch(-1).await);
    let t = Instant::now();
    assert_fails_fast(
        "set_red_flag_watch",
        t,
        &store.set_red_flag_watch(-1, false).await,
    );
    let t = Instant::now();
    assert_fails_fast(
        "claim_red_flag_notice",
        t,
        &store.claim_red_flag_notice(-1, 112, 1000, cooldown).await,
    );
    let t = Instant::now();
    assert_fails_fast("migrate_chat", t, &store.migrate_chat(-1, -1001).await);
    let t = Instant::now();
    assert_fails_fast("check_answers", t, &store.check_answers(-1, 1000).await);
    let t = Instant::now();
    assert_fails_fast(
        "save_check_answers",
        t,
        &store.save_check_answers(-1, &[true], 1000, ttl).await,
    );
    let t = Instant::now();
    assert_fails_fast("end_check", t, &store.end_check(-1).await);
    let t = Instant::now();
    assert_fails_fast("alert_admins", t, &store.alert_admins(-1).await);
    let t = Instant::now();
    assert_fails_fast(
        "set_alert_admin",
        t,
        &store.set_alert_admin(-1, 501, true).await,
    );
    let t = Instant::now();
    assert_fails_fast(
        "claim_alert",
        t,
        &store.claim_alert(-1, 1000, cooldown).await,
    );
    let pace = backleg::storage::SendPace {
        overall_interval: Duration::from_millis(34),
        chat_interval: Duration::from_secs(1),
        chat_burst: 3,
    };
    let t = Instant::now();
    let budget = store.shared_send_budget().expect("a shared budget");
    assert_fails_fast("reserve_send", t, &budget.reserve_send(-1, pace).await);
}

#[tokio::test]
#[ignore = "needs redis-server; .ci/run runs it with --ignored"]
async fn redis_storage_conforms() {
    let server = RedisServer::start();
    conformance(&store(&server), Clock::Server).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs redis-server; .ci/run runs it with --ignored"]
async fn two_replicas_racing_for_one_cooldown_claim_it_once() {
    let server = RedisServer::start();
    let replicas = [Arc::new(store(&server)), Arc::new(store(&server))];
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let replica = Arc::clone(&replicas[i % 2]);
            tokio::spawn(async move {
                replica
                    .claim_red_flag_notice(-42, 1000 + i as i64, 1000, Duration::from_secs(600))
                    .await
            })
        })
        .collect();
    let mut n_claimed = 0;
    for task in tasks {
        if task.await.expect("task").expect("claim") {
            n_claimed += 1;
        }
    }
    assert_eq!(n_claimed, 1, "exactly one of 20 concurrent claims wins");
}

#[tokio::test]
#[ignore = "needs redis-server; .ci/run runs it with --ignored"]
async fn a_setting_written_by_one_replica_is_read_by_the_other() {
    let server = RedisServer::start();
    let (first, second) = (store(&server), store(&server));
    first.set_red_flag_watch(-7, false).await.unwrap();
    assert!(!second.red_flag_watch(-7).await.unwrap());
    second
        .save_check_answers(-7, &[true, false], 1000, Duration::from_secs(1800))
        .await
        .unwrap();
    assert_eq!(
        first.check_answers(-7, 1000).await.unwrap(),
        Some(vec![true, false])
    );
    first.migrate_chat(-7, -1007).await.unwrap();
    assert!(
        !second.red_flag_watch(-1007).await.unwrap(),
        "a migration is seen by the other replica"
    );
}

#[tokio::test]
#[ignore = "needs redis-server; .ci/run runs it with --ignored"]
async fn keys_are_prefixed_and_expire_on_the_server() {
    let server = RedisServer::start();
    let store = store(&server);
    store
        .save_check_answers(-9, &[true, false, true], 1000, Duration::from_secs(1800))
        .await
        .unwrap();
    assert!(store
        .claim_red_flag_notice(-9, 114, 1000, Duration::from_secs(600))
        .await
        .unwrap());
    store.set_red_flag_watch(-9, false).await.unwrap();

    let mut raw = redis::Client::open(server.url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let ttl: i64 = redis::cmd("TTL")
        .arg("backleg:check:-9")
        .query_async(&mut raw)
        .await
        .unwrap();
    assert!(
        (1..=1800).contains(&ttl),
        "the check state expires (TTL {ttl})"
    );
    let value: String = redis::cmd("GET")
        .arg("backleg:check:-9")
        .query_async(&mut raw)
        .await
        .unwrap();
    assert_eq!(value, "yny");
    let ttl: i64 = redis::cmd("TTL")
        .arg("backleg:cooldown:-9")
        .query_async(&mut raw)
        .await
        .unwrap();
    assert!((1..=600).contains(&ttl), "the cooldown expires (TTL {ttl})");
    let value: String = redis::cmd("GET")
        .arg("backleg:watch:-9")
        .query_async(&mut raw)
        .await
        .unwrap();
    assert_eq!(value, "0");
    let mut keys: Vec<String> = redis::cmd("KEYS")
        .arg("*")
        .query_async(&mut raw)
        .await
        .unwrap();
    keys.sort();
    assert_eq!(
        keys,
        [
            "backleg:check:-9",
            "backleg:cooldown:-9",
            "backleg:watch:-9"
        ]
    );

    store.migrate_chat(-9, -1009).await.unwrap();
    let ttl: i64 = redis::cmd("TTL")
        .arg("backleg:cooldown:-1009")
        .query_async(&mut raw)
        .await
        .unwrap();
    assert!(
        (1..=600).contains(&ttl),
        "the cooldown keeps its TTL through a migration (TTL {ttl})"
    );
    store.set_red_flag_watch(-1009, true).await.unwrap();
    let exists: i64 = redis::cmd("EXISTS")
        .arg("backleg:watch:-1009")
        .query_async(&mut raw)
        .await
        .unwrap();
    assert_eq!(exists, 0, "\"on\" is the default, so it is not stored");
}

#[tokio::test]
#[ignore = "needs redis-server; .ci/run runs it with --ignored"]
async fn while_redis_is_down_the_store_is_created_and_fails_fast() {
    let started = Instant::now();
    let store = RedisStorage::new(&url(free_port())).expect("new does not connect");
    assert!(
        started.elapsed() < Duration::from_millis(100),
        "new does not wait for Redis"
    );
    assert_every_operation_fails_fast(&store).await;
    // Again: failures must not pile up into longer waits.
    assert_every_operation_fails_fast(&store).await;
}

#[tokio::test]
#[ignore = "needs redis-server; .ci/run runs it with --ignored"]
async fn the_same_store_recovers_after_a_redis_restart() {
    let server = RedisServer::start();
    let port = server.port;
    let store = store(&server);
    store.set_red_flag_watch(-3, false).await.unwrap();
    store.ping().await.unwrap();

    drop(server);
    assert_every_operation_fails_fast(&store).await;

    let _server = RedisServer::start_on(port);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match store.ping().await {
            Ok(()) => break,
            Err(e) => assert!(
                Instant::now() < deadline,
                "the store did not reconnect within 10 s: {e}"
            ),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The new server is empty (no persistence): the default is back, and writes work again.
    assert!(store.red_flag_watch(-3).await.unwrap());
    store.set_red_flag_watch(-3, false).await.unwrap();
    assert!(!store.red_flag_watch(-3).await.unwrap());
}

#[tokio::test]
#[ignore = "needs redis-server; .ci/run runs it with --ignored"]
async fn a_restart_while_connected_costs_no_failed_read() {
    // The store retries idempotent commands once on a dropped connection, so a server that is
    // back before the next call is invisible to it.
    let server = RedisServer::start();
    let port = server.port;
    let store = store(&server);
    store.ping().await.unwrap();
    drop(server);
    let _server = RedisServer::start_on(port);
    store
        .ping()
        .await
        .expect("the first call after a restart succeeds");
    assert!(store.red_flag_watch(-4).await.unwrap());
}

#[tokio::test]
#[ignore = "needs redis-server; .ci/run runs it with --ignored"]
async fn the_store_recovers_once_a_refused_password_is_accepted() {
    // redis-rs's ConnectionManager keeps a connect that failed on AUTH failed forever (it
    // reconnects only after I/O errors); the store replaces its manager instead.
    let server = RedisServer::start_with(free_port(), &["--requirepass", "right-one"]);
    let store =
        RedisStorage::new(&format!("redis://:s3cret-new@127.0.0.1:{}/0", server.port)).unwrap();
    let err = store.ping().await.unwrap_err();
    assert!(!err.to_string().contains("s3cret"), "{err}");

    let admin_url = format!("redis://:right-one@127.0.0.1:{}/0", server.port);
    let mut admin = redis::Client::open(admin_url)
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let () = redis::cmd("CONFIG")
        .arg("SET")
        .arg("requirepass")
        .arg("s3cret-new")
        .query_async(&mut admin)
        .await
        .unwrap();

    let deadline = Instant::now() + Duration::from_secs(10);
    while let Err(e) = store.ping().await {
        assert!(
            Instant::now() < deadline,
            "the store did not recover within 10 s: {e}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
#[ignore = "needs redis-server; .ci/run runs it with --ignored"]
async fn a_hung_server_does_not_hang_callers() {
    // SIGSTOP: the kernel still accepts connections and data, but nothing answers; only the
    // store's own timeouts end the wait.
    let server = RedisServer::start();
    let store = store(&server);
    store.ping().await.unwrap();
    signal(&server, "-STOP");
    assert_every_operation_fails_fast(&store).await;
    signal(&server, "-CONT");
    let deadline = Instant::now() + Duration::from_secs(10);
    while let Err(e) = store.ping().await {
        assert!(
            Instant::now() < deadline,
            "the store did not recover within 10 s: {e}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn signal(server: &RedisServer, which: &str) {
    let status = Command::new("kill")
        .args([which, &server.pid().to_string()])
        .status()
        .expect("run kill");
    assert!(status.success(), "kill {which} failed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs redis-server; .ci/run runs it with --ignored"]
async fn two_replicas_racing_for_one_alert_claim_it_once_and_share_the_list() {
    use backleg::storage::AlertStorage;
    let server = RedisServer::start();
    let replicas = [Arc::new(store(&server)), Arc::new(store(&server))];
    replicas[0].set_alert_admin(-43, 501, true).await.unwrap();
    assert_eq!(
        replicas[1].alert_admins(-43).await.unwrap(),
        vec![501],
        "one replica's opt-in is the other's"
    );
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let replica = Arc::clone(&replicas[i % 2]);
            tokio::spawn(async move {
                replica
                    .claim_alert(-43, 1000, Duration::from_secs(600))
                    .await
            })
        })
        .collect();
    let mut n_claimed = 0;
    for task in tasks {
        if task.await.expect("task").expect("claim") {
            n_claimed += 1;
        }
    }
    assert_eq!(
        n_claimed, 1,
        "exactly one of 20 concurrent alert claims wins"
    );
    assert!(
        replicas[0]
            .claim_red_flag_notice(-43, 1, 1000, Duration::from_secs(600))
            .await
            .unwrap(),
        "the alert's claim leaves the notice's free"
    );
}

#[tokio::test]
#[ignore = "needs redis-server; .ci/run runs it with --ignored"]
async fn redis_storage_keeps_the_emergency_setting() {
    let server = RedisServer::start();
    emergency_conformance(&store(&server)).await;
}

#[tokio::test]
#[ignore = "needs redis-server; .ci/run runs it with --ignored"]
async fn an_emergency_setting_written_by_one_replica_is_read_by_the_other() {
    let server = RedisServer::start();
    let (first, second) = (store(&server), store(&server));
    first.set_emergency_setting(-8, Some("GB")).await.unwrap();
    assert_eq!(
        second.emergency_setting(-8).await.unwrap().as_deref(),
        Some("GB")
    );
    // One key, `backleg:emergency:<chat>`, holding the setting and kept without expiry.
    let mut raw = redis::Client::open(server.url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let value: String = redis::cmd("GET")
        .arg("backleg:emergency:-8")
        .query_async(&mut raw)
        .await
        .unwrap();
    assert_eq!(value, "GB");
    let ttl: i64 = redis::cmd("TTL")
        .arg("backleg:emergency:-8")
        .query_async(&mut raw)
        .await
        .unwrap();
    assert_eq!(ttl, -1, "a setting does not expire");
    second.migrate_chat(-8, -1008).await.unwrap();
    assert_eq!(
        first.emergency_setting(-1008).await.unwrap().as_deref(),
        Some("GB"),
        "a migration is seen by the other replica"
    );
    first.set_emergency_setting(-1008, None).await.unwrap();
    assert_eq!(second.emergency_setting(-1008).await.unwrap(), None);
}

#[tokio::test]
#[ignore = "needs redis-server; .ci/run runs it with --ignored"]
async fn a_group_members_count_is_shared_by_replicas_and_expires_with_its_window() {
    let server = RedisServer::start();
    let (first, second) = (store(&server), store(&server));
    let minute = Duration::from_secs(60);
    assert_eq!(
        first.count_group_request(-9, 901, 0, minute).await.unwrap(),
        1
    );
    assert_eq!(
        second
            .count_group_request(-9, 901, 0, minute)
            .await
            .unwrap(),
        2,
        "one count for all replicas"
    );
    // One key, `backleg:group-requests:<chat>:<user>`, that Redis forgets after the window.
    let mut raw = redis::Client::open(server.url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let ttl: i64 = redis::cmd("TTL")
        .arg("backleg:group-requests:-9:901")
        .query_async(&mut raw)
        .await
        .unwrap();
    assert!((1..=60).contains(&ttl), "expires with the window: {ttl}");
}
