//! End-to-end tests of the Telegram side (`backleg run`, issue 3 section 7), as one test
//! binary: each test starts a fake Telegram Bot API server on 127.0.0.1 (`common::fake_api`),
//! runs the real `backleg` binary against it with `TELOXIDE_API_URL`, feeds it updates shaped
//! exactly like Telegram's through `getUpdates` (`common::updates`), and asserts on the calls it makes
//! (`sendMessage`, `answerCallbackQuery`, ...). Tests are independent and run in parallel:
//! each has its own server, temp dir, SQLite file and bot process (`harness`).
//!
//! Run: `cargo test --release --test telegram`.
//!
//! - `fake_api_selftest`: the fake server and the update builders against teloxide's own
//!   client and types (no bot process);
//! - `startup`: start-up calls and the command menu, bad tokens (exit 2), an unreachable API,
//!   SIGTERM/SIGINT (exit 0), long polls held as long as Telegram holds them, the data file,
//!   the config file and `--emergency-number`;
//! - `private`: private chats: answers, buttons, red flags, non-text, edits, commands;
//! - `callbacks`: topic buttons, forged and stale callback data, the `/check` flow;
//! - `groups`: when the bot speaks in groups and how it replies (quotes, forum topics);
//! - `group_limit`: one person cannot drown a group: the per-member answer rate, its note, red
//!   flags never held back, private chats not limited, 0 = off, topic buttons, fail open;
//! - `red_flags`: the group red-flag watch, its cooldown, `/redflags` and its persistence;
//! - `alerts`: moderator alerts: `/alerts on|off`, who may, the private alert (link or title,
//!   never text or author), its cooldown, dropped admins, migration;
//! - `notices`: the `/check` summary, the watch's reply quote, the expandable blockquote in
//!   groups, no link previews;
//! - `limits`: Telegram's limits and failures: HTML escaping, 4,096-character split (also in a
//!   forum topic), 429, 5xx, dropped connections, bounded retries, 403, migrated groups, a batch
//!   of 100 chats, in-order answers;
//! - `privacy`: no message text, names or usernames in the logs or the data file, no token in
//!   the logs; JSON logs;
//! - `webhook`: webhook mode (`--webhook-url`), updates POSTed as Telegram does: setWebhook,
//!   answered before acknowledged, the secret, body limits, malformed bodies, `/healthz`,
//!   `/readyz`, `/metrics`, SIGTERM, a reply that keeps failing; polling's `--metrics-listen`;
//! - `hostile`: a flood of 10,000 bad webhook requests logs a few lines (the first of each
//!   class, then a count per minute) while the metrics count every one;
//! - `cluster` (ignored by default: needs `redis-server` and `nginx`): two webhook replicas
//!   behind nginx (`deploy/nginx/`) sharing Redis, under load: exactly once, a replica killed
//!   mid-load, the shared cooldown and setting, a Redis outage. Their figures (throughput,
//!   latency, RSS) are `benches/cluster.rs`'s. Run: `cargo test --release --test telegram
//!   cluster -- --ignored --test-threads=1`.
//! - `cluster_budget` (ignored, the same filter): two and three replicas under Telegram's flood
//!   control share one send budget through Redis: the fake Bot API, enforcing Telegram's
//!   limits, sees no more than the overall rate and refuses nothing; with Redis down each
//!   replica paces itself.
//! - `soak` (ignored by default: minutes, and needs `redis-server`): one webhook replica on
//!   Redis driven with mixed traffic, Bot API failures and a Redis restart; every answerable
//!   update answered exactly once, RSS, fds and tasks flat, no text in the debug log. Run:
//!   `SOAK_SECS=180 cargo test --release --test telegram soak -- --ignored --nocapture`.
//!
//! The fake server, the update builders, the bot process, webhook replicas, Redis, nginx and the
//! load generator are `common`'s (`tests/common/`, shared with `tests/it` and the benches);
//! `harness` is this binary's own.

#[path = "../common/mod.rs"]
mod common;
mod harness;

mod alerts;
mod callbacks;
mod cluster;
mod cluster_budget;
mod emergency;
mod fake_api_selftest;
mod group_limit;
mod groups;
mod hostile;
mod limits;
mod notices;
mod privacy;
mod private;
mod red_flags;
mod soak;
mod startup;
mod webhook;
