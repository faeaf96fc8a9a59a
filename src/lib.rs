//! backleg: answers questions about back pain that travels into the leg, from one article, and
//! always adds the urgent-care criteria when a message carries a red flag.
//!
//! Layout:
//! - `domain`: the pure core (knowledge base, normalization, index, matcher, triage, replies);
//!   no I/O. `domain::Engine::answer` is the one door.
//! - `kb_files`: reads a knowledge base from disk or from the copy compiled into the binary.
//! - `eval`: scores an engine against a question file (the `eval` subcommand and the tests).
//! - `cli`: the command line (`chat`, `ask`, `eval`, `kb check`) and its JSON output.
//! - `logging`: tracing set-up; the privacy rule for log lines.
//! - `config`: settings of `backleg run` (flags, environment, config file).
//! - `metrics`: counters and a latency histogram, rendered for Prometheus; counts only.
//! - `storage`: group settings, cooldowns and running checks (SQLite file, Redis for several
//!   replicas, or memory for tests).
//! - `telegram`: the bot; the only module that imports teloxide.

pub mod app;
pub mod cli;
pub mod config;
pub mod domain;
pub mod eval;
pub mod kb_files;
pub mod logging;
pub mod metrics;
pub mod storage;
pub mod telegram;
