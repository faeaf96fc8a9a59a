//! Helpers of `RedisStorage`: a loggable cause for a failed command, the URL without its
//! credentials, a plain string value read or written (`GET`, `SET` or `DEL`), and a key moved
//! if it exists (`RENAME`).

use ::redis::aio::ConnectionManager;
use ::redis::{cmd, ErrorKind, RedisError, RedisResult, ServerErrorKind};
use futures::future::BoxFuture;

use super::{query, RedisStorage, Retry};
use crate::storage::StorageError;

/// A short, loggable reason: the error's class, never the server's full message.
pub(super) fn cause(e: &RedisError) -> String {
    let class = if e.is_timeout() {
        "timed out"
    } else if e.is_connection_refusal() {
        "connection refused"
    } else if e.is_connection_dropped() {
        "connection dropped"
    } else {
        e.category()
    };
    match e.code() {
        Some(code) => format!("{class} ({code})"),
        None => class.to_owned(),
    }
}

/// The URL for logs: scheme, host, port and database, without user name, password, query and
/// fragment. Anything unparsable is hidden whole.
pub(crate) fn redacted_url(text: &str) -> String {
    const HIDDEN: &str = "redis://(address hidden)";
    let Ok(mut url) = url::Url::parse(text) else {
        return HIDDEN.to_owned();
    };
    // These setters only refuse URLs without a host; then show nothing rather than risk a password.
    if url.set_username("").is_err() || url.set_password(None).is_err() {
        return HIDDEN.to_owned();
    }
    url.set_query(None);
    url.set_fragment(None);
    url.to_string()
}

impl RedisStorage {
    /// `GET key`: the value, or None when the key is absent.
    pub(super) fn get_value(
        &self,
        key: String,
    ) -> BoxFuture<'_, Result<Option<String>, StorageError>> {
        let command = cmd("GET").arg(key).to_owned();
        self.run(move |mut connection| async move {
            query(&mut connection, &command, Retry::IfDropped).await
        })
    }

    /// `SET key value`, or `DEL key` for None.
    pub(super) fn set_value(
        &self,
        key: String,
        value: Option<&str>,
    ) -> BoxFuture<'_, Result<(), StorageError>> {
        let command = match value {
            Some(value) => cmd("SET").arg(key).arg(value).to_owned(),
            None => cmd("DEL").arg(key).to_owned(),
        };
        self.run(move |mut connection| async move {
            query::<()>(&mut connection, &command, Retry::IfDropped).await
        })
    }
}

/// `RENAME from to`, moving the value and its remaining TTL in one step; nothing to do when
/// `from` does not exist.
pub(super) async fn rename_if_exists(
    connection: &mut ConnectionManager,
    from: &str,
    to: &str,
) -> RedisResult<()> {
    match query::<()>(
        connection,
        cmd("RENAME").arg(from).arg(to),
        Retry::IfDropped,
    )
    .await
    {
        // Redis's fixed reply for a missing source key ("ERR no such key").
        Err(e)
            if e.kind() == ErrorKind::Server(ServerErrorKind::ResponseError)
                && e.detail() == Some("no such key") =>
        {
            Ok(())
        }
        other => other,
    }
}
