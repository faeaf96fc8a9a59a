//! The HTTP listener: Telegram's webhook, `/healthz`, `/readyz` and `/metrics`.
//!
//! Our own axum router rather than teloxide's webhook listener, which answers 200 before an
//! update is handled (a replica that dies loses what it acknowledged), answers a bad secret
//! with 400, logs unparseable bodies in full, and routes only the webhook path. Here the
//! webhook answers only after the update is handled and its reply sent: a replica killed
//! mid-request leaves the request unanswered, and Telegram (or the load balancer) sends it
//! again.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use teloxide::types::Update;
use tracing::{debug, warn};

use super::dispatch::{Outcome, UpdateProcessor};
use crate::config::WebhookSecret;
use crate::metrics::{Metrics, RejectionClass};
use crate::storage::Storage;
use crate::telegram::quiet::{Line, SharedQuietLog};

/// The header Telegram puts the webhook's secret token in.
pub const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";
/// Largest update body accepted. Telegram's updates are a few KB; a message is at most 4,096
/// characters plus entities.
pub const MAX_BODY_BYTES: usize = 1 << 20;
/// `/readyz` gives the store this long to answer.
const READY_TIMEOUT: Duration = Duration::from_millis(1500);

/// Rejected requests between log lines, per class: a flood of bad requests logs a line per
/// class per `quiet::INTERVAL`, not one each. One per process, like the log it guards.
static REJECTIONS: SharedQuietLog<RejectionClass> = SharedQuietLog::new();

/// Counts a refused webhook request in the metrics (always) and logs it if it is the first of
/// its class in an interval or its summary is due. Nothing of the request is logged.
fn rejected(metrics: &Metrics, class: RejectionClass) {
    metrics.webhook_rejected(class);
    if let Some(line) = REJECTIONS.record(class) {
        log_rejections(line);
    }
}

/// Logs the rejection summaries due at `now` (a flood that stopped still gets its count).
pub fn flush_rejection_log(now: Instant) {
    REJECTIONS.flush(now).into_iter().for_each(log_rejections);
}

fn log_rejections(line: Line<RejectionClass>) {
    match line {
        Line::First { class } => warn!(
            class = class.label(),
            summary_every_s = crate::telegram::quiet::INTERVAL.as_secs(),
            "rejected webhook requests: first of this class (more are counted, summarized every 60 s)"
        ),
        Line::Summary {
            class,
            count,
            since,
        } => warn!(
            class = class.label(),
            count,
            in_s = since.as_secs(),
            "rejected webhook requests: summary"
        ),
    }
}

/// What the routes need.
pub struct HttpState {
    /// Handles webhook updates (`None`: health and metrics only, for polling mode).
    pub webhook: Option<(Arc<UpdateProcessor>, WebhookSecret)>,
    /// Probed by `/readyz`.
    pub storage: Arc<dyn Storage>,
    /// Rendered by `/metrics`.
    pub metrics: Arc<Metrics>,
}

/// The router: `/healthz`, `/readyz`, `/metrics`, and `webhook_path` when `state.webhook` is set.
pub fn router(state: Arc<HttpState>, webhook_path: &str) -> Router {
    let router = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics));
    let router = if state.webhook.is_some() {
        router.route(webhook_path, post(webhook))
    } else {
        router
    };
    router.with_state(state)
}

async fn healthz() -> &'static str {
    "ok\n"
}

/// Ready when the knowledge base is loaded (it is, or the process would not be serving) and
/// the store answers. A load balancer or orchestrator may take an unready replica out of
/// rotation; it still answers whatever reaches it (fail open).
async fn readyz(State(state): State<Arc<HttpState>>) -> Response {
    match tokio::time::timeout(READY_TIMEOUT, state.storage.ping()).await {
        Ok(Ok(())) => (StatusCode::OK, "ready\n").into_response(),
        Ok(Err(e)) => {
            debug!(cause = %e, "not ready");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "not ready: settings store unreachable\n",
            )
                .into_response()
        }
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "not ready: settings store not answering\n",
        )
            .into_response(),
    }
}

async fn metrics(State(state): State<Arc<HttpState>>) -> Response {
    state.metrics.set_tasks_alive(
        tokio::runtime::Handle::current()
            .metrics()
            .num_alive_tasks(),
    );
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(),
    )
        .into_response()
}

/// Compares in time independent of where the strings differ.
fn same_secret(given: &[u8], expected: &[u8]) -> bool {
    given.len() == expected.len()
        && given
            .iter()
            .zip(expected)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// Just the id of an update, to log a body that is not a valid update.
#[derive(serde::Deserialize)]
struct UpdateId {
    update_id: Option<i64>,
}

async fn webhook(State(state): State<Arc<HttpState>>, headers: HeaderMap, body: Body) -> Response {
    let Some((processor, secret)) = &state.webhook else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let update = match read_update(&headers, secret, body).await {
        Ok(update) => update,
        Err(class) => {
            // Counted exactly; logged as a count per interval (`rejected`), never one line each.
            rejected(&state.metrics, class);
            return rejection_response(class);
        }
    };
    match processor.process(update).await {
        Outcome::Done | Outcome::Failed => StatusCode::OK.into_response(),
        // Telegram delivers an update again after a non-2xx answer.
        Outcome::Retry => (StatusCode::SERVICE_UNAVAILABLE, "try again\n").into_response(),
    }
}

/// Classifies a webhook request before anything is processed: the secret token (checked
/// first: nothing from an unauthenticated request is read), the size limit, and the body as a
/// Telegram update. `Err` is the class of a rejected request (`rejection_response` answers it);
/// nothing of the body is logged. Pure apart from reading the body; the fuzz target `webhook`
/// drives it directly.
///
/// # Errors
/// The class of a request that is not an authorized, well-formed update.
pub async fn read_update(
    headers: &HeaderMap,
    secret: &WebhookSecret,
    body: Body,
) -> Result<Update, RejectionClass> {
    let authorized = headers
        .get(SECRET_HEADER)
        .is_some_and(|given| same_secret(given.as_bytes(), secret.expose().as_bytes()));
    if !authorized {
        return Err(RejectionClass::WrongSecret);
    }
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY_BYTES).await else {
        return Err(RejectionClass::TooLarge);
    };
    serde_json::from_slice(&bytes).map_err(|_| {
        let update_id = serde_json::from_slice::<UpdateId>(&bytes)
            .ok()
            .and_then(|u| u.update_id);
        // The id alone (a body with one is likely Telegram's, worth finding), not counted.
        debug!(update_id, "webhook body is not a Telegram update; rejected");
        RejectionClass::NotAnUpdate
    })
}

/// The answer to a rejected webhook request: 401, 413 (and the connection closed: the rest of
/// an oversized body is not read) or 400. No text of the request in it.
pub fn rejection_response(class: RejectionClass) -> Response {
    match class {
        RejectionClass::WrongSecret => (StatusCode::UNAUTHORIZED, "unauthorized\n").into_response(),
        RejectionClass::TooLarge => (
            StatusCode::PAYLOAD_TOO_LARGE,
            [(header::CONNECTION, "close")],
            "payload too large\n",
        )
            .into_response(),
        RejectionClass::NotAnUpdate => (StatusCode::BAD_REQUEST, "bad request\n").into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::same_secret;

    #[test]
    fn secrets_compare_exactly() {
        assert!(same_secret(b"abc", b"abc"));
        assert!(!same_secret(b"abd", b"abc"));
        assert!(!same_secret(b"ab", b"abc"));
        assert!(!same_secret(b"", b"abc"));
    }
}
