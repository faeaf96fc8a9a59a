//! The cost per send of the send budget replicas share (issue 12 §1): one reservation from
//! `RedisStorage` (one `EVAL` round trip to a local `redis-server`, the script doing the
//! overall slot and the chat's rate) against one from the replica's own `FloodGate` (no I/O).
//!
//! - `cargo bench --bench send_budget`: criterion's figures for one reservation at a time, then
//!   a `BENCH` line per concurrency: reservations/s with 1 and 32 in flight on one store (one
//!   multiplexed connection, as a replica has).
//! - Without `--bench` (as `cargo test --benches` runs it): each once, and a short throughput
//!   run; skipped with a note when `redis-server` is missing.
//! - `REDIS_SERVER` names another binary.
//!
//! The pace is the bot's default (30 messages/s, private chats), so reservations queue far
//! ahead of the clock, as they would in a burst: the script's work is the same either way.

#[path = "../tests/common/mod.rs"]
mod common;

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use backleg::config::FloodControl;
use backleg::storage::{RedisStorage, Storage};
use backleg::telegram::flood::FloodGate;
use criterion::Criterion;

use common::process::binary;
use common::redis::Redis;

const SETTING: FloodControl = FloodControl::Telegram {
    messages_per_second: 30,
};
/// Chats the reservations go round.
const CHATS: u64 = 10_000;

async fn reserve(store: &RedisStorage, gate: &FloodGate, i: u64) -> Duration {
    let chat = 1_000_000 + (i % CHATS) as i64;
    let pace = gate.pace(chat).expect("flood control on");
    store
        .shared_send_budget()
        .expect("Redis shares a budget")
        .reserve_send(chat, pace)
        .await
        .expect("a reservation")
}

/// Reservations per second with `in_flight` at once, `total` in all.
fn throughput(
    runtime: &tokio::runtime::Runtime,
    store: &Arc<RedisStorage>,
    total: u64,
    in_flight: u64,
) {
    let gate = Arc::new(FloodGate::new(SETTING));
    let elapsed = runtime.block_on(async {
        let started = Instant::now();
        let tasks: Vec<_> = (0..in_flight)
            .map(|t| {
                let (store, gate) = (Arc::clone(store), Arc::clone(&gate));
                tokio::spawn(async move {
                    for i in (t..total).step_by(in_flight as usize) {
                        reserve(&store, &gate, i).await;
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.expect("a reserving task");
        }
        started.elapsed()
    });
    let per_second = total as f64 / elapsed.as_secs_f64();
    println!(
        "BENCH send_budget redis: {in_flight} in flight: {per_second:.0} reservations/s ({:.1} µs each on average, {total} in {:.2} s)",
        1e6 / per_second,
        elapsed.as_secs_f64()
    );
}

fn main() {
    // `cargo test -- --list` asks every target for its tests: this bench has none to list.
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let full = std::env::args().any(|a| a == "--bench");
    let redis_server = binary(
        "REDIS_SERVER",
        &["/usr/bin/redis-server", "/usr/local/bin/redis-server"],
    );
    let runs = Command::new(redis_server)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !runs {
        if full {
            eprintln!("send_budget: FAILED: redis-server is not available");
            std::process::exit(1);
        }
        println!("send_budget (smoke): skipped, redis-server is not available");
        return;
    }
    let redis = Redis::start();
    let store = Arc::new(RedisStorage::new(&redis.url()).expect("a valid URL"));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let gate = FloodGate::new(SETTING);
    // Connect first: the first reservation pays for it.
    runtime.block_on(reserve(&store, &gate, 0));

    let mut criterion = Criterion::default().configure_from_args();
    criterion.bench_function("send_budget/redis_reservation", |b| {
        let mut i = 0;
        b.iter_custom(|iters| {
            runtime.block_on(async {
                let started = Instant::now();
                for _ in 0..iters {
                    i += 1;
                    std::hint::black_box(reserve(&store, &gate, i).await);
                }
                started.elapsed()
            })
        });
    });
    criterion.bench_function("send_budget/local_gate_reservation", |b| {
        let local = FloodGate::new(SETTING);
        let mut i = 0;
        b.iter(|| {
            i += 1;
            local.reserve(1_000_000 + (i % CHATS) as i64)
        });
    });
    let total = if full { 20_000 } else { 200 };
    for in_flight in [1, 32] {
        throughput(&runtime, &store, total, in_flight);
    }
    criterion.final_summary();
}
