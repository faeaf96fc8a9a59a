//! Test tools shared by the test binaries (`tests/it`, `tests/telegram`) and the benches
//! (`benches/telegram_throughput.rs`, `benches/cluster.rs`), each of which includes this
//! folder with `#[path = "../common/mod.rs"] mod common;` (`../tests/common/mod.rs` from a
//! bench). Not a test target itself: cargo builds only `tests/*.rs` and `tests/*/main.rs`.
//!
//! - `fake_api`: the fake Telegram Bot API server (one, for the tests and both benches);
//! - `updates`: updates shaped exactly like Telegram's, to feed it;
//! - `process`: child processes (spawn, SIGTERM stop, kill on drop), log tails, peak RSS;
//! - `bot`: the `backleg run` process under test, and a webhook replica;
//! - `http`: free loopback ports, POSTs as Telegram sends them, GETs, Prometheus series;
//! - `redis`, `nginx`: the two services of the multi-replica set-up;
//! - `cluster`: two replicas behind nginx sharing Redis;
//! - `load`: webhook traffic, a load generator, and the tally of its replies.

// Each binary that includes this folder uses only part of it.
#![allow(dead_code)]

pub mod bot;
pub mod cluster;
pub mod fake_api;
pub mod http;
pub mod load;
pub mod nginx;
pub mod process;
pub mod redis;
pub mod updates;
