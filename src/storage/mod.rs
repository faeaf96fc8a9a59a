//! Edge: what the bot remembers about chats — and nothing else.
//!
//! Stored: a chat id, whether the red-flag watch is on, when the last red-flag notice was posted
//! (for the cooldown), the yes/no answers of a running red-flag check (`/check`), and the topic
//! id of a recent answer (the context of a follow-up); the last two expire. And the chat's
//! emergency setting (a country code or a number, `/emergency`). Never anything a user wrote. `Storage` is the interface; methods return boxed futures
//! so that a networked store fits behind it.
//! For moderator alerts (`alerts`): the user ids of the admins who turned alerts on in a group,
//! and when the group's last alert went out.
//! For the per-person answer rate in groups (`group_limit`): a user id and a count, for one
//! window (a minute) only.
//! For the send budget replicas share (`send_budget`, Redis only): chat ids and send times,
//! for seconds.
//!
//! - `memory`: `MemoryStorage`, for tests and `memory` deployments (one process, nothing kept).
//! - `sqlite`: `SqliteStorage`, the default, one embedded WAL file (one replica).
//! - `redis`: `RedisStorage`, shared by several replicas; bounded in time, fails fast while
//!   Redis is down and reconnects by itself.
//!
//! `StorageSpec` is the `--storage` setting (`sqlite:PATH`, `redis://..`, `memory`); `open`
//! turns it into a store. Callers treat every error as "fail open": a safety notice is posted
//! when storage cannot be asked.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;

pub mod alerts;
pub mod group_limit;
mod memory;
mod redis;
pub mod send_budget;
mod sqlite;

// Test-only: not in a release build (the `testing` feature is on for tests and benches).
#[cfg(any(test, feature = "testing"))]
#[doc(hidden)]
pub mod conformance;
#[cfg(test)]
mod tests;

pub use self::alerts::{AlertStorage, UserId};
pub use self::group_limit::GroupLimitStorage;
pub use self::memory::MemoryStorage;
pub use self::redis::RedisStorage;
pub use self::send_budget::{SendPace, SharedSendBudget};
pub use self::sqlite::SqliteStorage;

/// A chat id as Telegram gives it (negative for groups).
pub type ChatId = i64;

/// Why the store failed.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The SQLite file could not be opened or created.
    #[error("cannot open the data file {path}")]
    Open {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: rusqlite::Error,
    },
    /// A query failed.
    #[error("data file query failed: {0}")]
    Query(#[from] rusqlite::Error),
    /// A networked store (Redis) did not answer in time, could not be reached, or answered with
    /// an error. The cause is a short description (never a key's value, never the address's
    /// password), so it is safe to log.
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    /// The storage setting is malformed. The text never repeats the setting itself, which may
    /// hold a password.
    #[error("invalid storage setting: {0}")]
    InvalidSpec(String),
}

/// Group settings, cooldowns and running checks.
///
/// Object-safe on purpose (the bot holds an `Arc<dyn Storage>`), hence boxed futures. Every
/// future owns what it needs except `self`, so callers may pass temporaries. The moderator
/// alerts' methods are in [`AlertStorage`], which every store implements too; the per-person
/// request counts of groups in [`GroupLimitStorage`].
pub trait Storage: AlertStorage + GroupLimitStorage + Send + Sync {
    /// Whether the red-flag watch is on in a chat (on unless an admin turned it off).
    fn red_flag_watch(&self, chat: ChatId) -> BoxFuture<'_, Result<bool, StorageError>>;
    /// Turns the red-flag watch on or off.
    fn set_red_flag_watch(&self, chat: ChatId, on: bool)
        -> BoxFuture<'_, Result<(), StorageError>>;
    /// Atomically claims the right to post a red-flag notice in `chat` at `now` (Unix seconds):
    /// true if no notice was posted within `cooldown`, and then records `now` and `claimant`
    /// (the id of the update the notice answers). Also true when the notice within the
    /// cooldown was claimed by the same `claimant`: an update delivered again (its reply
    /// failed, or the replica died before sending) must still get its notice.
    fn claim_red_flag_notice(
        &self,
        chat: ChatId,
        claimant: i64,
        now: u64,
        cooldown: Duration,
    ) -> BoxFuture<'_, Result<bool, StorageError>>;
    /// A group became a supergroup: its settings follow it to the new id.
    fn migrate_chat(&self, from: ChatId, to: ChatId) -> BoxFuture<'_, Result<(), StorageError>>;
    /// Whether the store answers right now (for the `/readyz` endpoint). Must return within
    /// about a second.
    fn ping(&self) -> BoxFuture<'_, Result<(), StorageError>>;
    /// The answers given so far in a chat's running red-flag check (`/check`), or None if no
    /// check is running or it expired. `now` is Unix seconds.
    ///
    /// Stores that keep their own clock (Redis expires keys on the server's clock) may ignore
    /// `now`; memory and SQLite compare it with the saved expiry time.
    fn check_answers(
        &self,
        chat: ChatId,
        now: u64,
    ) -> BoxFuture<'_, Result<Option<Vec<bool>>, StorageError>>;
    /// Saves the answers so far; the state expires `ttl` after `now` (30 minutes in the bot)
    /// unless saved again.
    ///
    /// Takes a slice for the caller's convenience; implementations copy (encode) it before
    /// building the future, which borrows only `self`.
    fn save_check_answers(
        &self,
        chat: ChatId,
        answers: &[bool],
        now: u64,
        ttl: Duration,
    ) -> BoxFuture<'_, Result<(), StorageError>>;
    /// The check ended (or was restarted): forget its answers.
    fn end_check(&self, chat: ChatId) -> BoxFuture<'_, Result<(), StorageError>>;
    /// The topic id of an earlier answer, the context for a short follow-up ("is it
    /// serious?"), or None if there is none or it expired. `answer` says which answer:
    /// [`LATEST_ANSWER`] for a private chat's latest one, or the id of the bot's message in a
    /// group (a follow-up there is a reply to that message). Only a topic id and an expiry time
    /// are kept, never what anyone wrote.
    fn answer_topic(
        &self,
        chat: ChatId,
        answer: i64,
        now: u64,
    ) -> BoxFuture<'_, Result<Option<String>, StorageError>>;
    /// Remembers an answer's topic id until `ttl` after `now` (30 minutes in the bot).
    fn save_answer_topic(
        &self,
        chat: ChatId,
        answer: i64,
        topic: &str,
        now: u64,
        ttl: Duration,
    ) -> BoxFuture<'_, Result<(), StorageError>>;
    /// The chat's emergency setting (`/emergency`): a country code ("GB") or a number of its
    /// own ("112"), as the engine reads it (`Engine::stored_contact`); None when none was set.
    /// Follows a migrated chat.
    fn emergency_setting(
        &self,
        chat: ChatId,
    ) -> BoxFuture<'_, Result<Option<String>, StorageError>>;
    /// Sets the chat's emergency setting, or clears it (`None`: back to the deployment's text).
    fn set_emergency_setting(
        &self,
        chat: ChatId,
        setting: Option<&str>,
    ) -> BoxFuture<'_, Result<(), StorageError>>;
    /// The send budget shared with the other replicas, when this store is shared (Redis).
    /// None for a store of one process (memory, SQLite): its replica paces itself alone.
    fn shared_send_budget(&self) -> Option<&dyn SharedSendBudget> {
        None
    }
}

/// The `answer` key of a private chat's latest answer (message ids are positive).
pub const LATEST_ANSWER: i64 = 0;

/// Where the bot keeps its state: the `--storage` setting.
#[derive(Clone, PartialEq, Eq)]
pub enum StorageSpec {
    /// An SQLite file (created on first run).
    Sqlite(PathBuf),
    /// A Redis URL, `redis://[[user]:password@]host[:port][/db]` or `rediss://..`. May hold a
    /// password: print it with [`StorageSpec::describe`], never as is.
    Redis(String),
    /// Nothing kept across restarts (tests, demos).
    Memory,
}

/// The accepted forms, for error messages.
const ACCEPTED_FORMS: &str =
    "expected sqlite:PATH, redis://HOST[:PORT][/DB], rediss://HOST[:PORT][/DB] or memory";

impl StorageSpec {
    /// Parses the setting: `redis://..` or `rediss://..` -> Redis, `memory` -> Memory,
    /// `sqlite:PATH` -> Sqlite(PATH).
    ///
    /// # Errors
    /// Anything else, an empty path, or a Redis URL without a host. The message names the
    /// accepted forms and does not repeat the input (it may hold a password).
    pub fn parse(text: &str) -> Result<Self, StorageError> {
        let text = text.trim();
        if text == "memory" {
            return Ok(Self::Memory);
        }
        if let Some(path) = text.strip_prefix("sqlite:") {
            if path.is_empty() {
                return Err(StorageError::InvalidSpec(format!(
                    "sqlite: needs a file path; {ACCEPTED_FORMS}"
                )));
            }
            return Ok(Self::Sqlite(PathBuf::from(path)));
        }
        if text.starts_with("redis://") || text.starts_with("rediss://") {
            let has_host = url::Url::parse(text)
                .is_ok_and(|url| url.host_str().is_some_and(|host| !host.is_empty()));
            if !has_host {
                return Err(StorageError::InvalidSpec(format!(
                    "the Redis URL does not parse or has no host; {ACCEPTED_FORMS}"
                )));
            }
            return Ok(Self::Redis(text.to_owned()));
        }
        Err(StorageError::InvalidSpec(ACCEPTED_FORMS.to_owned()))
    }

    /// The setting for logs: `sqlite:/path`, `memory`, or the Redis URL without user name,
    /// password, query and fragment (`redis://127.0.0.1:6379/0`).
    pub fn describe(&self) -> String {
        match self {
            Self::Sqlite(path) => format!("sqlite:{}", path.display()),
            Self::Redis(url) => self::redis::redacted_url(url),
            Self::Memory => "memory".to_owned(),
        }
    }
}

/// Shows [`StorageSpec::describe`], so a derived `Debug` cannot leak a Redis password.
impl fmt::Debug for StorageSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StorageSpec({})", self.describe())
    }
}

/// Opens the store a setting names. Does not contact Redis: a Redis store connects on first use,
/// so the bot starts while Redis is down (and reports "not ready" until it answers).
///
/// # Errors
/// The SQLite file cannot be opened or created, or the Redis URL is malformed or asks for
/// something this build cannot do (TLS).
pub fn open(spec: &StorageSpec) -> Result<Arc<dyn Storage>, StorageError> {
    Ok(match spec {
        StorageSpec::Sqlite(path) => Arc::new(SqliteStorage::open(path)?),
        StorageSpec::Redis(url) => Arc::new(RedisStorage::new(url)?),
        StorageSpec::Memory => Arc::new(MemoryStorage::default()),
    })
}

/// Check answers as stored: one letter per answer, "y" or "n" ("yny"). Short, readable in
/// `redis-cli`, and no serde format to version.
fn encode_answers(answers: &[bool]) -> String {
    answers
        .iter()
        .map(|&yes| if yes { 'y' } else { 'n' })
        .collect()
}

/// The inverse of [`encode_answers`]; None for anything else (a value this version cannot
/// read counts as no running check, so the user simply starts again).
fn decode_answers(text: &str) -> Option<Vec<bool>> {
    text.chars()
        .map(|c| match c {
            'y' => Some(true),
            'n' => Some(false),
            _ => None,
        })
        .collect()
}

/// Unix seconds as SQLite's signed integer, saturating (no real clock gets there).
fn to_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}
