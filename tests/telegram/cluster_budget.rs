//! Telegram's limits are per bot, not per replica (issue 12 §1): two and three replicas behind
//! nginx, sharing one Redis, under Telegram's flood control at a low overall rate, against a
//! fake Bot API that enforces Telegram's limits (`FakeApi::enforce_flood_limits`: 429 past
//! the overall rate or a chat's). A burst of questions across many private chats, a few chats
//! asking several at once and groups asking more than their burst:
//!
//! - every update is answered, and not one send is refused (no 429 from the bot's own pace);
//! - the fake's call log never holds more than the overall rate (and a small tolerance) in
//!   any second, whichever replicas sent;
//! - with Redis down the replicas still answer, each pacing its sends alone (fail open).
//!
//! Each replica alone keeps the rate; without the shared budget two replicas send twice it
//! and the fake refuses the excess. Ignored like the other cluster tests (they need
//! `redis-server` and `nginx`). Run: `cargo test --release --test telegram cluster --
//! --ignored --test-threads=1`.

use std::time::Duration;

use axum::body::Bytes;

use crate::common::cluster::{Cluster, Setup};
use crate::common::fake_api::FloodLimits;
use crate::common::http::metric;
use crate::common::load::{tally, Expect, Traffic, QUESTIONS};
use crate::common::updates;

/// The overall rate the replicas are given: low, so that a burst of a few hundred messages
/// outruns it for seconds and the test stays short.
const RATE: u32 = 30;
/// Sends beyond the rate the fake still takes in a second: a send leaves a few milliseconds
/// after its slot (timers, a loaded two-core machine), which can bring one more into a window.
const TOLERANCE: usize = 2;
/// Private chats asking one question each.
const SINGLE_CHATS: usize = 120;
/// Private chats asking `PER_CHATTY_CHAT` questions at once (over their burst of three).
const CHATTY_CHATS: usize = 8;
const PER_CHATTY_CHAT: usize = 5;
/// Groups asking `PER_GROUP` `/ask`s at once (over their burst of five).
const GROUPS: usize = 4;
const PER_GROUP: usize = 7;

/// The burst, all through nginx: every message whose reply the tally checks, and the chatty
/// chats (counted apart: `tally` expects one reply per private chat).
struct Burst {
    all: Traffic,
    tallied: Traffic,
    chatty: Vec<i64>,
}

fn push(traffic: &mut Traffic, id: i64, update: &serde_json::Value, expect: Expect) {
    traffic.ids.push(id);
    traffic
        .bodies
        .push(Bytes::from(serde_json::to_vec(update).expect("json")));
    traffic.expects.push(expect);
}

fn burst(c: &Cluster, tag: i64) -> Burst {
    let empty = || Traffic {
        ids: Vec::new(),
        bodies: Vec::new(),
        expects: Vec::new(),
    };
    let (mut all, mut tallied, mut chatty) = (empty(), empty(), Vec::new());
    for k in 0..SINGLE_CHATS {
        let id = c.uid();
        let chat = 2_000_000_000 + tag * 10_000 + k as i64;
        let update = updates::private_text(id, chat, QUESTIONS[k % 6]);
        push(&mut all, id, &update, Expect::Private { chat });
        push(&mut tallied, id, &update, Expect::Private { chat });
    }
    for k in 0..CHATTY_CHATS {
        let chat = 2_100_000_000 + tag * 10_000 + k as i64;
        chatty.push(chat);
        for q in 0..PER_CHATTY_CHAT {
            let id = c.uid();
            let update = updates::private_text(id, chat, QUESTIONS[q % 6]);
            push(&mut all, id, &update, Expect::Private { chat });
        }
    }
    for g in 0..GROUPS {
        let chat = -(8_000_000 + tag * 100 + g as i64);
        for q in 0..PER_GROUP {
            let id = c.uid();
            let ask = format!("/ask {}", QUESTIONS[q % 6]);
            let update = updates::group_command(id, chat, 8_200 + q as i64, &ask);
            push(&mut all, id, &update, Expect::Addressed { chat });
            push(&mut tallied, id, &update, Expect::Addressed { chat });
        }
    }
    // Interleaved, so that every replica gets some of each kind.
    let mut order: Vec<usize> = (0..all.ids.len()).collect();
    order.sort_by_key(|&i| (i * 7919) % all.ids.len());
    let all = Traffic {
        ids: order.iter().map(|&i| all.ids[i]).collect(),
        bodies: order.iter().map(|&i| all.bodies[i].clone()).collect(),
        expects: order.iter().map(|&i| all.expects[i]).collect(),
    };
    Burst {
        all,
        tallied,
        chatty,
    }
}

fn sends_in(burst: &Burst) -> usize {
    burst.all.ids.len()
}

/// Sends the burst through nginx and checks every reply, no refusal and the overall rate.
async fn burst_keeps_the_bots_pace(replicas: usize) {
    let c = Cluster::start_with(Setup {
        replicas,
        messages_per_second: Some(RATE),
    })
    .await;
    c.api
        .enforce_flood_limits(FloodLimits::per_second(RATE as usize + TOLERANCE));
    // A few questions one by one first: each replica opens its connections (to Redis, to
    // the Bot API) outside the burst, whose first second would otherwise hold sends that left
    // late behind a connect and the ones on time after them.
    for k in 0..2 * replicas as i64 {
        let update = updates::private_text(c.uid(), 2_200_000_000 + k, QUESTIONS[0]);
        c.post(&c.public(), &update).await;
    }
    let burst = burst(&c, replicas as i64);
    let report = c.load(&burst.all, &[c.public()]).await;

    let delivered = c.api.delivered();
    tally(&burst.tallied, &delivered).assert_exactly_once("the burst");
    for &chat in &burst.chatty {
        assert_eq!(
            c.api.delivered_to(chat).len(),
            PER_CHATTY_CHAT,
            "every question of chat {chat} answered\n{}",
            c.summary()
        );
    }
    let refusals = c.api.with_record(|r| r.flood_refusals);
    assert_eq!(refusals, 0, "429s from the bot's own pace\n{}", c.summary());
    assert!(c.api.failed().is_empty(), "{}", c.summary());

    let busiest = c.api.busiest_send_window(Duration::from_secs(1));
    let sends = sends_in(&burst);
    eprintln!(
        "{replicas} replicas at {RATE}/s: {sends} sends in {:.1} s, at most {busiest} in any second",
        report.elapsed.as_secs_f64()
    );
    assert!(
        busiest <= RATE as usize + TOLERANCE,
        "{busiest} sends in one second at {RATE}/s"
    );
    // The pace held the burst back rather than the fake: it took about sends / rate.
    assert!(
        report.elapsed >= Duration::from_secs_f64(sends as f64 / f64::from(RATE)) * 9 / 10,
        "{sends} sends in {:?}",
        report.elapsed
    );
    for (i, replica) in c.replicas.iter().enumerate() {
        let metrics = replica.metrics(&c.client).await;
        assert_eq!(
            metric(&metrics, "backleg_send_budget_fallbacks_total"),
            Some(0.0),
            "{} paced from the shared budget only",
            replica.name
        );
        assert!(
            c.updates_handled(i).await > 0.0,
            "{} took part",
            replica.name
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs redis-server and nginx; .ci/run installs them and runs these with --ignored"]
async fn cluster_of_two_keeps_telegrams_overall_and_per_chat_rate() {
    burst_keeps_the_bots_pace(2).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs redis-server and nginx; .ci/run installs them and runs these with --ignored"]
async fn cluster_of_three_keeps_telegrams_overall_and_per_chat_rate() {
    burst_keeps_the_bots_pace(3).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs redis-server and nginx; .ci/run installs them and runs these with --ignored"]
async fn cluster_paces_sends_alone_while_redis_is_down() {
    let mut c = Cluster::start_with(Setup {
        replicas: 2,
        messages_per_second: Some(RATE),
    })
    .await;
    c.redis.kill();
    let burst = burst(&c, 9);
    let report = c.load(&burst.all, &[c.public()]).await;
    tally(&burst.tallied, &c.api.delivered()).assert_exactly_once("the burst, Redis down");
    for &chat in &burst.chatty {
        assert_eq!(c.api.delivered_to(chat).len(), PER_CHATTY_CHAT);
    }
    // Each replica keeps the rate alone: the burst goes out about twice as fast as one
    // budget would let it, and no send waited on Redis for long.
    let one_budget = Duration::from_secs_f64(sends_in(&burst) as f64 / f64::from(RATE));
    eprintln!(
        "Redis down: {} sends in {:.1} s (at the overall rate: {:.1} s)",
        sends_in(&burst),
        report.elapsed.as_secs_f64(),
        one_budget.as_secs_f64()
    );
    assert!(
        report.elapsed < one_budget,
        "{:?}: replies waited on Redis",
        report.elapsed
    );
    for replica in &c.replicas {
        let fallbacks = metric(
            &replica.metrics(&c.client).await,
            "backleg_send_budget_fallbacks_total",
        );
        assert!(
            fallbacks.is_some_and(|n| n > 0.0),
            "{} counts its fallbacks: {fallbacks:?}",
            replica.name
        );
        assert!(
            replica.process.stderr().contains("paces its sends alone"),
            "{} logs the fallback",
            replica.name
        );
        let lines = replica
            .process
            .stderr()
            .matches("paces its sends alone")
            .count();
        assert_eq!(lines, 1, "{} logs it once, not per send", replica.name);
    }
}
