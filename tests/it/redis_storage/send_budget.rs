//! The send budget replicas share (`SharedSendBudget` of `RedisStorage`) against a real
//! `redis-server`: many concurrent reservations from two store handles (two replicas) come out
//! spaced at the overall rate, a chat gets its burst then its rate in order, a chat held back
//! by its own rate does not hold up the others, the keys expire, and a hung server holds a
//! reservation a quarter of a second at most. Ignored like the rest of
//! `redis_storage` (`.ci/run` runs them with `--ignored`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use backleg::storage::{RedisStorage, SendPace, Storage};

use crate::common::redis::Redis as RedisServer;

/// 50 messages a second overall: a slot every 20 ms.
const OVERALL: Duration = Duration::from_millis(20);
/// Slack for the time between Redis's clock and this process's (a loopback round trip, and a
/// busy two-core machine).
const SLACK: Duration = Duration::from_millis(15);

fn pace(chat_interval: Duration, chat_burst: u32) -> SendPace {
    SendPace {
        overall_interval: OVERALL,
        chat_interval,
        chat_burst,
    }
}

fn private() -> SendPace {
    pace(Duration::from_secs(1), 3)
}

async fn reserve(store: &RedisStorage, chat: i64, pace: SendPace) -> Duration {
    store
        .shared_send_budget()
        .expect("Redis shares a budget")
        .reserve_send(chat, pace)
        .await
        .expect("a reservation")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs redis-server; .ci/run runs it with --ignored"]
async fn two_replicas_reservations_are_spaced_at_the_overall_rate() {
    let server = RedisServer::start();
    let replicas = [
        Arc::new(RedisStorage::new(&server.url()).unwrap()),
        Arc::new(RedisStorage::new(&server.url()).unwrap()),
    ];
    // Connect both first, so that the reservations below race each other.
    for replica in &replicas {
        reserve(replica, 1, private()).await;
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let n = 100;
    let started = Instant::now();
    let tasks: Vec<_> = (0..n)
        .map(|i| {
            let replica = Arc::clone(&replicas[i % 2]);
            tokio::spawn(async move {
                let asked = Instant::now();
                let wait = reserve(&replica, 1_000 + i as i64, private()).await;
                asked + wait
            })
        })
        .collect();
    let mut planned = Vec::new();
    for task in tasks {
        planned.push(task.await.expect("task"));
    }
    planned.sort();
    // One message a slot: two planned sends are a slot apart, less the clocks' slack.
    for pair in planned.windows(2) {
        let gap = pair[1] - pair[0];
        assert!(gap + SLACK >= OVERALL, "sends {gap:?} apart: {planned:?}");
    }
    // And nothing is wasted: the queue of 100 ends near 100 slots on.
    let span = planned[n - 1] - started;
    assert!(
        span <= OVERALL * n as u32 + Duration::from_millis(200),
        "{n} sends planned over {span:?}"
    );
}

#[tokio::test]
#[ignore = "needs redis-server; .ci/run runs it with --ignored"]
async fn a_chat_gets_its_burst_then_its_rate_in_order_on_either_replica() {
    let server = RedisServer::start();
    let replicas = [
        RedisStorage::new(&server.url()).unwrap(),
        RedisStorage::new(&server.url()).unwrap(),
    ];
    let mut planned = Vec::new();
    for k in 0..6 {
        let asked = Instant::now();
        planned.push(asked + reserve(&replicas[k % 2], 7, private()).await);
    }
    let first = planned[0];
    let after: Vec<Duration> = planned.iter().map(|&at| at - first).collect();
    // The burst of three goes a slot apart (in order), then one a second.
    assert!(after[2] < Duration::from_millis(200), "{after:?}");
    for (k, expected) in [(3, 1), (4, 2), (5, 3)] {
        let expected = Duration::from_secs(expected);
        assert!(
            after[k] + SLACK >= expected && after[k] <= expected + Duration::from_millis(200),
            "message {k} at {after:?}"
        );
    }
    assert!(
        planned.windows(2).all(|p| p[0] < p[1]),
        "in order: {after:?}"
    );
}

#[tokio::test]
#[ignore = "needs redis-server; .ci/run runs it with --ignored"]
async fn a_chat_held_back_by_its_rate_does_not_hold_up_the_others() {
    let server = RedisServer::start();
    let store = RedisStorage::new(&server.url()).unwrap();
    let group = pace(Duration::from_secs(3), 1);
    reserve(&store, -5, group).await;
    let held = reserve(&store, -5, group).await;
    assert!(held + SLACK >= Duration::from_secs(3), "{held:?}");
    // Other chats are not queued behind the group's slot three seconds out.
    for chat in 10..20 {
        let wait = reserve(&store, chat, private()).await;
        assert!(
            wait < Duration::from_millis(400),
            "chat {chat} waits {wait:?}"
        );
    }
    // The group's own queue goes on from its slot.
    let next = reserve(&store, -5, group).await;
    assert!(next + SLACK >= Duration::from_secs(6), "{next:?}");
}

#[tokio::test]
#[ignore = "needs redis-server; .ci/run runs it with --ignored"]
async fn the_budget_keeps_chat_ids_and_times_for_seconds_only() {
    let server = RedisServer::start();
    let store = RedisStorage::new(&server.url()).unwrap();
    for _ in 0..4 {
        reserve(&store, 42, private()).await;
    }
    reserve(&store, -42, pace(Duration::from_secs(3), 1)).await;
    reserve(&store, -42, pace(Duration::from_secs(3), 1)).await;
    let mut raw = redis::Client::open(server.url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let mut keys: Vec<String> = redis::cmd("KEYS")
        .arg("*")
        .query_async(&mut raw)
        .await
        .unwrap();
    keys.sort();
    assert_eq!(
        keys,
        [
            "backleg:send-budget:ahead",
            "backleg:send-budget:chat:-42",
            "backleg:send-budget:chat:42",
            "backleg:send-budget:overall",
        ]
    );
    for key in &keys {
        let ttl: i64 = redis::cmd("PTTL")
            .arg(key)
            .query_async(&mut raw)
            .await
            .unwrap();
        // The private chat's fourth message is a second out, its rate two more; the group's
        // second three seconds out, its rate three more.
        assert!((1..=7_000).contains(&ttl), "{key} expires (PTTL {ttl})");
    }
    let fields: Vec<String> = redis::cmd("HKEYS")
        .arg("backleg:send-budget:chat:42")
        .query_async(&mut raw)
        .await
        .unwrap();
    assert_eq!(fields, ["tat", "slot"]);
}

#[tokio::test]
#[ignore = "needs redis-server; .ci/run runs it with --ignored"]
async fn a_hung_server_holds_a_reservation_a_quarter_second_at_most() {
    let server = RedisServer::start();
    let store = RedisStorage::new(&server.url()).unwrap();
    reserve(&store, 1, private()).await;
    // SIGSTOP: connected, and nothing answers.
    super::signal(&server, "-STOP");
    for _ in 0..3 {
        let started = Instant::now();
        let budget = store.shared_send_budget().expect("a shared budget");
        let result = budget.reserve_send(2, private()).await;
        let took = started.elapsed();
        assert!(result.is_err(), "{result:?}");
        // 250 ms, and the scheduler's slack on a busy machine.
        assert!(took < Duration::from_millis(400), "held {took:?}");
    }
    super::signal(&server, "-CONT");
}
