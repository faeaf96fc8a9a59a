//! backleg: answers questions about back pain that travels into the leg, from one article, and
//! always adds the urgent-care criteria when a message carries a red flag.
//!
//! Layout:
//! - `domain`: the pure core (knowledge base, normalization, index, matcher, triage, replies);
//!   no I/O. `domain::Engine::answer` is the one door.
//! - `kb_files`: reads a knowledge base from disk or from the copy compiled into the binary.
//! - `eval`: scores an engine against a question file (the `eval` subcommand and the tests).
//! - `app`: the composition root: turns the parsed command line into the front end it asks for.
//! - `cli`: the console edge: the command-line definitions, `chat`, `ask` (and its JSON output),
//!   `eval` and `kb check`.
//! - `logging`: tracing set-up; the privacy rule for log lines.
//! - `config`: settings of `backleg run`, declared once (`RunSettings`: flags, environment and
//!   config file keys), merged and validated into the `RunConfig` the Telegram edge reads.
//! - `metrics`: counters and a latency histogram in a `prometheus-client` registry, rendered for
//!   Prometheus; counts only.
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
