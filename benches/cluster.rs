//! Figures of the multi-replica set-up (issue 4): two `backleg run` webhook replicas behind
//! nginx sharing one Redis (`tests/common/cluster.rs`, the `deploy/nginx/` recipe as shipped),
//! against the fake Bot API, under the load generator of the cluster tests
//! (`tests/common/load.rs`). The tests in `tests/telegram/cluster.rs` assert on this set-up;
//! this bench prints what it measures, for BENCHMARKS.md, and checks only that every update
//! got its reply.
//!
//! Runs, each printed as a `BENCH` line (updates/s, reply latency p50/p99/max, updates POSTed
//! more than once) and followed by each replica's peak RSS where the tests printed it:
//! a warm-up through nginx (not printed); N updates to one replica directly; N through nginx to
//! both; then, on a fresh cluster, N through nginx with one replica SIGKILLed a third of the
//! way, and 600 more to the replica left.
//!
//! - `cargo bench --bench cluster`: full run (N = 10,000, 48 requests in flight).
//! - Without `--bench` (as `cargo test --benches` runs it): a smoke run with N = 500; skipped
//!   with a note when `redis-server` or nginx is missing.
//! - Overrides: `BENCH_CLUSTER_UPDATES`; `REDIS_SERVER` and `NGINX` name the binaries.
//!
//! Linux only (reads `/proc`, signals with `kill`).

#[path = "../tests/common/mod.rs"]
mod common;

use std::process::{Command, Stdio};
use std::time::Duration;

use common::cluster::{Cluster, LOAD};
use common::load::{tally, traffic, LoadReport, CONCURRENCY};
use common::nginx::nginx_binary;
use common::process::binary;

fn main() {
    // `cargo test -- --list` asks every target for its tests: a bench has none to list, and
    // running it then would start bots (and build them) just to print a list.
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let full = std::env::args().any(|a| a == "--bench");
    let n = match std::env::var("BENCH_CLUSTER_UPDATES") {
        Ok(value) => value.trim().parse().unwrap_or_else(|_| {
            eprintln!("cluster: BENCH_CLUSTER_UPDATES={value:?} is not a number");
            std::process::exit(1)
        }),
        Err(_) if full => LOAD,
        Err(_) => 500,
    };
    if let Some(missing) = missing_service() {
        if full {
            eprintln!("cluster: FAILED: {missing} is not available");
            std::process::exit(1);
        }
        println!("cluster (smoke): skipped, {missing} is not available");
        return;
    }
    println!(
        "\ncluster ({}): {n} updates per run, {CONCURRENCY} requests in flight",
        if full {
            "full"
        } else {
            "smoke; `cargo bench --bench cluster` for the full run"
        }
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(async {
        balanced(n).await;
        one_replica_killed(n).await;
    });
    println!("\ncluster: every update answered");
}

/// The first service that cannot be run, if any.
fn missing_service() -> Option<&'static str> {
    let runs = |program: std::path::PathBuf, arg: &str| {
        Command::new(program)
            .arg(arg)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    let redis = binary(
        "REDIS_SERVER",
        &["/usr/bin/redis-server", "/usr/local/bin/redis-server"],
    );
    if !runs(redis, "--version") {
        return Some("redis-server");
    }
    if !runs(nginx_binary(), "-v") {
        return Some("nginx");
    }
    None
}

/// One replica directly, then both behind nginx.
async fn balanced(n: usize) {
    let c = Cluster::start().await;

    // Warm-up through nginx (connections, allocator, Redis), checked like the rest.
    let warm_up = traffic(c.ids(300), 300, 0);
    c.load(&warm_up, &[c.public()]).await;

    let direct = traffic(c.ids(n), n, 1);
    let report = c.load(&direct, &[c.replicas[0].webhook()]).await;
    print(&report, "webhook, 1 replica directly (Redis storage)");
    print_rss(&c, "after the 1-replica run");

    let balanced = traffic(c.ids(n), n, 2);
    let report = c.load(&balanced, &[c.public()]).await;
    print(&report, "webhook, 2 replicas behind nginx (Redis storage)");
    print_rss(&c, "after the 2-replica run");

    let delivered = c.api.delivered();
    for (run, what) in [
        (&warm_up, "warm-up"),
        (&direct, "one replica directly"),
        (&balanced, "two replicas behind nginx"),
    ] {
        tally(run, &delivered).assert_exactly_once(what);
    }
}

/// Both behind nginx, one SIGKILLed a third of the way; then the one left.
async fn one_replica_killed(n: usize) {
    let mut c = Cluster::start().await;
    let run = traffic(c.ids(n), n, 3);
    let load = c.load_in_background_until(&run, n / 3).await;
    c.replicas[1].process.signal("KILL");
    let report = load.await.expect("the load task");
    assert!(
        report.failures.is_empty(),
        "updates given up: {:?}\n{}",
        &report.failures[..report.failures.len().min(5)],
        c.summary()
    );
    print(
        &report,
        "webhook, 2 replicas behind nginx, one SIGKILLed a third of the way",
    );
    let missing = tally(&run, &c.api.delivered()).missing;
    assert!(missing.is_empty(), "{} update(s) lost", missing.len());
    let _ = c.replicas[1]
        .process
        .wait_exit(Duration::from_secs(5))
        .await;

    let after = traffic(c.ids(600), 600, 4);
    let report = c.load(&after, &[c.public()]).await;
    print(&report, "webhook, 1 of 2 replicas left behind nginx");
    tally(&after, &c.api.delivered()).assert_exactly_once("after the kill");
}

/// One `BENCH` line, as the cluster tests printed it.
fn print(report: &LoadReport, what: &str) {
    let n = report.deliveries.iter().flatten().count();
    eprintln!(
        "BENCH {what}: {n} updates in {:.2} s = {:.0} updates/s; latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; {} update(s) POSTed more than once; concurrency {CONCURRENCY}",
        report.elapsed.as_secs_f64(),
        n as f64 / report.elapsed.as_secs_f64(),
        report.percentile(0.5).as_secs_f64() * 1000.0,
        report.percentile(0.99).as_secs_f64() * 1000.0,
        report.percentile(1.0).as_secs_f64() * 1000.0,
        report.retried(),
    );
}

/// Each replica's peak RSS (`VmHWM`).
fn print_rss(cluster: &Cluster, when: &str) {
    for replica in &cluster.replicas {
        match replica.process.peak_rss_kib() {
            Some(kib) => eprintln!(
                "BENCH peak RSS (VmHWM) of {} {when}: {:.1} MiB",
                replica.name,
                kib as f64 / 1024.0
            ),
            None => eprintln!("BENCH peak RSS of {} {when}: not available", replica.name),
        }
    }
}
