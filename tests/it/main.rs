//! The integration tests, as one binary (STYLE.md section 7): one link step, one place for
//! shared helpers (`support`); the service helpers (`redis-server`, child processes) are
//! `common`'s (`tests/common/`, shared with `tests/telegram` and the benches).
//!
//! - `eval_bars`: the quality bars on tests/data/questions.jsonl (and on the shared dev
//!   set when it is there);
//! - `triage`: red flags in the ways people write them, and look-alikes that must stay quiet;
//! - `matching`: synonyms, misspellings, out-of-scope, small talk, reply shape and HTML;
//! - `kb_validation`: a broken knowledge base gives one clear error naming file and line;
//! - `cli`: every subcommand and error path of the `backleg` binary;
//! - `properties`: no panic on any input; a red-flag phrase anywhere always triggers.
//! - `wording`: plain language, one complete list of warning signs, the safety net, no self-care
//!   answer for a danger sign;
//! - `safety`: the table of red-flag cases (tests/data/safety.tsv), with recall per flag;
//! - `redis_storage`: the Redis settings store against a real `redis-server` (ignored unless
//!   asked with `--ignored`; `.ci/run` installs the server and runs them);
//! - `reading`: the domain, other senses, intent and subject routes, follow-ups, about-the-bot
//!   and compact group replies.

mod cli;
#[path = "../common/mod.rs"]
mod common;
mod eval_bars;
mod kb_validation;
mod matching;
mod properties;
mod quotes;
mod reading;
mod redis_storage;
mod safety;
mod support;
mod triage;
mod wording;
