//! `RedisStorage`: settings in Redis, shared by several bot replicas.
//!
//! Keys, all under `backleg:` (values are small strings; never message text):
//! - `backleg:watch:<chat>`: "0" when an admin turned the red-flag watch off; absent (or "1")
//!   means on, the default, so "on" is a `DEL`.
//! - `backleg:cooldown:<chat>`: the id of the update whose red-flag notice holds the cooldown,
//!   claimed with one atomic `SET key <claimant> NX EX <cooldown>`: the key's existence *is* the
//!   cooldown, so two replicas can never both claim it, and Redis forgets it by itself. When the
//!   `SET` finds the key taken, a `GET` tells whether it is the same update delivered again.
//! - `backleg:check:<chat>`: a running `/check`'s answers ("yny"), `SET .. EX <ttl>`.
//! - `backleg:topic:<chat>:<answer>`: a recent answer's topic id ("sciatica"), the context of a
//!   follow-up, `SET .. EX <ttl>`.
//! - `backleg:emergency:<chat>`: the chat's emergency setting, a country code ("GB") or a
//!   number ("112"); absent means the deployment's text.
//! - `backleg:group-requests:<chat>:<user>`: a member's count in a window (`group_limit.rs`).
//! - `backleg:send-budget:*`: the send slots replicas share (`send_budget.rs`).
//!
//! Availability: the bot must start and keep answering while Redis is down, and recover when
//! it comes back without a restart. So `new` does not connect; every operation is bounded by
//! [`OPERATION_TIMEOUT`] (connecting included) and fails with `StorageError::Unavailable`,
//! which callers treat as "fail open". Expiry uses the Redis server's clock: the `now`
//! arguments are not used.

use std::fmt;
use std::future::Future;
use std::sync::Mutex;
use std::time::Duration;

use ::redis::aio::{ConnectionManager, ConnectionManagerConfig};
use ::redis::{cmd, Client, Cmd, FromRedisValue, RedisResult, Value};
use futures::future::BoxFuture;

use super::{decode_answers, encode_answers, ChatId, SharedSendBudget, Storage, StorageError};
pub(super) use support::redacted_url;
use support::{cause, rename_if_exists};

mod support;

mod alerts;
mod group_limit;
mod send_budget;

/// The whole budget of one storage operation, connecting included. Callers wait at most this
/// long before failing open; `/readyz` must answer within about a second.
const OPERATION_TIMEOUT: Duration = Duration::from_secs(1);
/// One connection attempt (TCP, AUTH, SELECT). Half the budget, so a command still fits.
const CONNECT_TIMEOUT: Duration = Duration::from_millis(500);
/// One command's answer on an established connection.
const RESPONSE_TIMEOUT: Duration = Duration::from_millis(500);

/// Settings in Redis, for several replicas sharing state. Cheap to share (`Arc<dyn Storage>`);
/// all replicas must use the same database.
pub struct RedisStorage {
    client: Client,
    /// The URL without credentials, for `Debug`.
    address: String,
    slot: Mutex<Slot>,
}

/// The current connection manager, made on first use and dropped after a failed operation.
///
/// Why not one `ConnectionManager` for the life of the store: `ConnectionManager::new` fails
/// when the first connect fails, and its lazy constructor spawns a task, so it cannot be made
/// in `new` (which may run outside the Tokio runtime). And the manager only reconnects after
/// I/O errors that mean "connection dropped": a connect that failed otherwise (AUTH refused,
/// bad database index) stays failed forever, and an answer that timed out on a silently dead
/// link never triggers a reconnect. Replacing the manager after any failed operation covers
/// all of these for the price of one new connect.
#[derive(Default)]
struct Slot {
    /// Bumped for every new manager, so a late failure of an old one cannot drop a new one.
    generation: u64,
    manager: Option<ConnectionManager>,
}

/// Whether a command may be sent a second time after the connection dropped under it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Retry {
    /// Idempotent (GET, SET, DEL, RENAME of a key that is then gone, PING): one more try,
    /// which lands on the manager's fresh connection, hides a server restart from the caller.
    IfDropped,
    /// The cooldown claim: if the first `SET NX` reached the server before the connection
    /// dropped, the outcome is unknown; an error makes the caller fail open (post the notice),
    /// which is the safe side, rather than risk a lost one.
    Never,
}

impl RedisStorage {
    /// A store on the Redis server at `url` (`redis://[[user]:password@]host[:port][/db]`).
    /// Does not connect: the first operation does, and later ones reconnect as needed.
    ///
    /// # Errors
    /// The URL is malformed, or asks for TLS (`rediss://`), which this build does not include.
    pub fn new(url: &str) -> Result<Self, StorageError> {
        // The redis crate's URL errors are fixed descriptions, never the URL itself.
        let client = Client::open(url)
            .map_err(|e| StorageError::InvalidSpec(format!("the Redis URL cannot be used: {e}")))?;
        Ok(Self {
            client,
            address: redacted_url(url),
            slot: Mutex::new(Slot::default()),
        })
    }

    /// The current manager and its generation, made if there is none.
    fn connection(&self) -> RedisResult<(u64, ConnectionManager)> {
        let mut slot = self.slot.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(manager) = &slot.manager {
            return Ok((slot.generation, manager.clone()));
        }
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(CONNECT_TIMEOUT))
            .set_response_timeout(Some(RESPONSE_TIMEOUT))
            // No backoff loop inside a connect: with the default six retries a connect to a
            // down server keeps every caller waiting for seconds. One attempt fails in
            // milliseconds, and the next operation simply tries again.
            .set_number_of_retries(0);
        let manager = ConnectionManager::new_lazy_with_config(self.client.clone(), config)?;
        slot.generation += 1;
        slot.manager = Some(manager.clone());
        Ok((slot.generation, manager))
    }

    /// Drops the manager of `generation` (if it is still the current one) so that the next
    /// operation starts from a fresh connect.
    fn forget(&self, generation: u64) {
        let mut slot = self.slot.lock().unwrap_or_else(|e| e.into_inner());
        if slot.generation == generation {
            slot.manager = None;
        }
    }

    /// Runs `op` on a connection within [`OPERATION_TIMEOUT`].
    fn run<'a, T, F>(
        &'a self,
        op: impl FnOnce(ConnectionManager) -> F + Send + 'a,
    ) -> BoxFuture<'a, Result<T, StorageError>>
    where
        F: Future<Output = RedisResult<T>> + Send + 'a,
        T: Send + 'a,
    {
        self.run_within(OPERATION_TIMEOUT, op)
    }

    /// Runs `op` on a connection within `deadline`.
    fn run_within<'a, T, F>(
        &'a self,
        deadline: Duration,
        op: impl FnOnce(ConnectionManager) -> F + Send + 'a,
    ) -> BoxFuture<'a, Result<T, StorageError>>
    where
        F: Future<Output = RedisResult<T>> + Send + 'a,
        T: Send + 'a,
    {
        Box::pin(async move {
            let (generation, connection) = self
                .connection()
                .map_err(|e| StorageError::Unavailable(cause(&e)))?;
            let failure = match tokio::time::timeout(deadline, op(connection)).await {
                Ok(Ok(value)) => return Ok(value),
                Ok(Err(e)) => cause(&e),
                Err(_elapsed) => format!("no answer within {} ms", deadline.as_millis()),
            };
            self.forget(generation);
            Err(StorageError::Unavailable(failure))
        })
    }
}

/// Shows the address without credentials.
impl fmt::Debug for RedisStorage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStorage")
            .field("address", &self.address)
            .finish_non_exhaustive()
    }
}

fn key(kind: &str, chat: ChatId) -> String {
    format!("backleg:{kind}:{chat}")
}

/// Sends `command`, once more if `retry` allows and the connection had dropped.
async fn query<T: FromRedisValue>(
    connection: &mut ConnectionManager,
    command: &Cmd,
    retry: Retry,
) -> RedisResult<T> {
    match command.query_async(connection).await {
        // The manager has started a reconnect on seeing the dead connection; the second send
        // waits for it (within the caller's deadline).
        Err(e) if retry == Retry::IfDropped && e.is_connection_dropped() => {
            command.query_async(connection).await
        }
        other => other,
    }
}

impl Storage for RedisStorage {
    fn red_flag_watch(&self, chat: ChatId) -> BoxFuture<'_, Result<bool, StorageError>> {
        let command = cmd("GET").arg(key("watch", chat)).to_owned();
        self.run(move |mut connection| async move {
            let value: Option<String> = query(&mut connection, &command, Retry::IfDropped).await?;
            Ok(value.as_deref() != Some("0"))
        })
    }

    fn set_red_flag_watch(
        &self,
        chat: ChatId,
        on: bool,
    ) -> BoxFuture<'_, Result<(), StorageError>> {
        let key = key("watch", chat);
        // On is the default: forget the setting rather than store it.
        let command = if on {
            cmd("DEL").arg(key).to_owned()
        } else {
            cmd("SET").arg(key).arg("0").to_owned()
        };
        self.run(move |mut connection| async move {
            query::<()>(&mut connection, &command, Retry::IfDropped).await
        })
    }

    fn claim_red_flag_notice(
        &self,
        chat: ChatId,
        claimant: i64,
        _now: u64,
        cooldown: Duration,
    ) -> BoxFuture<'_, Result<bool, StorageError>> {
        if cooldown.as_secs() == 0 {
            // No cooldown: every notice may be posted (and `EX 0` would be an error).
            return Box::pin(async { Ok(true) });
        }
        let command = cmd("SET")
            .arg(key("cooldown", chat))
            .arg(claimant)
            .arg("NX")
            .arg("EX")
            .arg(cooldown.as_secs())
            .to_owned();
        let holder = cmd("GET").arg(key("cooldown", chat)).to_owned();
        self.run(move |mut connection| async move {
            // OK: the key was free and is now ours; nil: a notice is within the cooldown, ours
            // if the key holds our claimant (the same update, delivered again).
            match query::<Value>(&mut connection, &command, Retry::Never).await? {
                Value::Nil => {
                    let held_by: Option<i64> =
                        query(&mut connection, &holder, Retry::IfDropped).await?;
                    Ok(held_by == Some(claimant))
                }
                _ => Ok(true),
            }
        })
    }

    fn migrate_chat(&self, from: ChatId, to: ChatId) -> BoxFuture<'_, Result<(), StorageError>> {
        self.run(move |mut connection| async move {
            // The watch setting first: an admin's "off" is the one thing that must not be lost.
            // Not atomic across the two keys; a migration happens once per chat.
            rename_if_exists(&mut connection, &key("watch", from), &key("watch", to)).await?;
            rename_if_exists(
                &mut connection,
                &key("cooldown", from),
                &key("cooldown", to),
            )
            .await?;
            alerts::migrate(&mut connection, from, to).await?;
            rename_if_exists(
                &mut connection,
                &key("emergency", from),
                &key("emergency", to),
            )
            .await
        })
    }

    fn ping(&self) -> BoxFuture<'_, Result<(), StorageError>> {
        let command = cmd("PING");
        self.run(move |mut connection| async move {
            query::<String>(&mut connection, &command, Retry::IfDropped)
                .await
                .map(drop)
        })
    }

    fn check_answers(
        &self,
        chat: ChatId,
        _now: u64,
    ) -> BoxFuture<'_, Result<Option<Vec<bool>>, StorageError>> {
        let command = cmd("GET").arg(key("check", chat)).to_owned();
        self.run(move |mut connection| async move {
            let value: Option<String> = query(&mut connection, &command, Retry::IfDropped).await?;
            Ok(value.as_deref().and_then(decode_answers))
        })
    }

    fn save_check_answers(
        &self,
        chat: ChatId,
        answers: &[bool],
        _now: u64,
        ttl: Duration,
    ) -> BoxFuture<'_, Result<(), StorageError>> {
        let key = key("check", chat);
        let command = if ttl.as_secs() == 0 {
            // Expires at once (as in the other stores), and `EX 0` would be an error.
            cmd("DEL").arg(key).to_owned()
        } else {
            cmd("SET")
                .arg(key)
                .arg(encode_answers(answers))
                .arg("EX")
                .arg(ttl.as_secs())
                .to_owned()
        };
        self.run(move |mut connection| async move {
            query::<()>(&mut connection, &command, Retry::IfDropped).await
        })
    }

    fn end_check(&self, chat: ChatId) -> BoxFuture<'_, Result<(), StorageError>> {
        let command = cmd("DEL").arg(key("check", chat)).to_owned();
        self.run(move |mut connection| async move {
            query::<()>(&mut connection, &command, Retry::IfDropped).await
        })
    }

    fn answer_topic(
        &self,
        chat: ChatId,
        answer: i64,
        _now: u64,
    ) -> BoxFuture<'_, Result<Option<String>, StorageError>> {
        let command = cmd("GET")
            .arg(format!("{}:{answer}", key("topic", chat)))
            .to_owned();
        self.run(move |mut connection| async move {
            query(&mut connection, &command, Retry::IfDropped).await
        })
    }

    fn save_answer_topic(
        &self,
        chat: ChatId,
        answer: i64,
        topic: &str,
        _now: u64,
        ttl: Duration,
    ) -> BoxFuture<'_, Result<(), StorageError>> {
        let key = format!("{}:{answer}", key("topic", chat));
        let command = if ttl.as_secs() == 0 {
            cmd("DEL").arg(key).to_owned()
        } else {
            cmd("SET")
                .arg(key)
                .arg(topic)
                .arg("EX")
                .arg(ttl.as_secs())
                .to_owned()
        };
        self.run(move |mut connection| async move {
            query::<()>(&mut connection, &command, Retry::IfDropped).await
        })
    }

    fn emergency_setting(
        &self,
        chat: ChatId,
    ) -> BoxFuture<'_, Result<Option<String>, StorageError>> {
        self.get_value(key("emergency", chat))
    }

    fn set_emergency_setting(
        &self,
        chat: ChatId,
        setting: Option<&str>,
    ) -> BoxFuture<'_, Result<(), StorageError>> {
        self.set_value(key("emergency", chat), setting)
    }

    fn shared_send_budget(&self) -> Option<&dyn SharedSendBudget> {
        Some(self)
    }
}
