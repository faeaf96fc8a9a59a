//! Edge: the Telegram bot. The only module that imports teloxide.
//!
//! Split by direction; all answering happens in `crate::domain`:
//! - `intake/`: long polling (the default) or Telegram's webhook, each update run through the
//!   endpoints with the time it arrived;
//! - `endpoints/`: one file per feature; each pulls what it needs from the update, asks the
//!   engine, and hands the reply to outbound;
//! - `outbound/`: the one way out (`Outbound::send`): target chat and topic, splitting, flood
//!   control (`flood.rs`), retries, migration and send metrics;
//! - `text.rs`: the wording only this front end says.
//!
//! Start-up (this file): `getMe` ourselves (so a bad token or an unreachable server is one
//! clear error, not teloxide's panic), register commands, then take updates. SIGINT and
//! SIGTERM stop taking updates, let the ones in flight finish, and return.

pub mod endpoints;
pub mod flood;
// Test-only: Telegram's HTML checked like the API does (the tests' fake API and the fuzz targets).
#[cfg(any(test, feature = "testing"))]
pub mod html_check;
pub mod intake;
pub mod outbound;
pub mod quiet;
pub mod text;

use std::net::SocketAddr;
use std::sync::Arc;

use teloxide::prelude::*;
use teloxide::{ApiError, RequestError};
use tracing::{info, warn};

use crate::config::{Mode, RunConfig, WebhookConfig};
use crate::domain::Engine;
use crate::metrics::Metrics;
use crate::storage::Storage;
use endpoints::BotContext;
use flood::FloodGate;
use intake::{http, polling, StopSignal, UpdateProcessor};
use outbound::{with_retry, Outbound, SendError};

/// Why the bot could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// getMe said the token is not valid.
    #[error("the Bot API rejected the bot token (getMe: unauthorized); check TELOXIDE_TOKEN")]
    TokenRejected,
    /// getMe could not be completed.
    #[error("cannot reach the Bot API at {url} ({method} failed: {class})")]
    Unreachable {
        /// The API URL.
        url: String,
        /// The call that failed.
        method: &'static str,
        /// Error class.
        class: &'static str,
    },
    /// The HTTP listener could not bind.
    #[error("cannot listen on {addr}")]
    Listen {
        /// The address.
        addr: SocketAddr,
        /// The cause.
        source: std::io::Error,
    },
    /// Telegram refused the webhook.
    #[error("setWebhook failed ({class}); check --webhook-url (Telegram needs HTTPS on port 443, 80, 88 or 8443)")]
    SetWebhook {
        /// Error class.
        class: &'static str,
    },
}

/// Runs the bot until SIGINT or SIGTERM.
///
/// # Errors
/// Start-up failures (`StartError`); once running, errors are logged, never returned.
pub async fn run(
    config: &RunConfig,
    engine: Arc<Engine>,
    storage: Arc<dyn Storage>,
) -> Result<(), StartError> {
    // Register for SIGTERM before anything else: until a handler is registered, SIGTERM kills
    // the process outright, whatever is in flight.
    let stop_signal = StopSignal::register();
    let api_url = config.api_url.as_ref().map_or_else(
        || "https://api.telegram.org".to_owned(),
        ToString::to_string,
    );
    let unreachable = |method: &'static str, e: SendError| StartError::Unreachable {
        url: api_url.clone(),
        method,
        class: e.label(),
    };
    let mut bot = Bot::new(config.token.expose());
    if let Some(url) = &config.api_url {
        bot = bot.set_api_url(url.clone());
    }
    let me = match bot.get_me().send().await {
        Ok(me) => me,
        Err(RequestError::Api(ApiError::InvalidToken)) => return Err(StartError::TokenRejected),
        Err(e) => return Err(unreachable("getMe", SendError::of(&e))),
    };
    info!(
        bot_id = me.id.0,
        can_read_all_group_messages = me.can_read_all_group_messages,
        "connected to the Bot API"
    );
    endpoints::register_commands(&bot).await;

    let topics = engine.topic_list();
    let topic_ids: Vec<&str> = topics.iter().map(|t| t.id.as_str()).collect();
    let metrics = Arc::new(Metrics::new(&topic_ids));
    tokio::spawn(flush_quiet_logs());
    let outbound = Outbound::new(
        bot.clone(),
        FloodGate::new(config.flood_control),
        Arc::clone(&metrics),
        Arc::clone(&storage),
    );
    let context = Arc::new(BotContext {
        engine,
        storage: Arc::clone(&storage),
        red_flag_cooldown: config.red_flag_cooldown,
        group_answers_per_minute: config.group_answers_per_minute,
        metrics: Arc::clone(&metrics),
        outbound,
    });
    let processor = Arc::new(UpdateProcessor::new(bot.clone(), me, context));

    match &config.mode {
        Mode::Polling {
            metrics_listen,
            max_in_flight,
        } => {
            if let Some(addr) = metrics_listen {
                let state = Arc::new(http::HttpState {
                    webhook: None,
                    storage,
                    metrics,
                });
                let listener = bind(*addr).await?;
                info!(%addr, "serving /healthz, /readyz and /metrics");
                tokio::spawn(async move {
                    if let Err(e) = axum::serve(listener, http::router(state, "/")).await {
                        warn!(cause = %e, "metrics listener stopped");
                    }
                });
            }
            info!(max_in_flight, "long polling");
            polling::run(bot, processor, *max_in_flight, stop_signal.wait())
                .await
                .map_err(|e| unreachable("getUpdates", e))?;
        }
        Mode::Webhook(webhook) => {
            serve_webhook(&bot, webhook, processor, storage, metrics, stop_signal).await?
        }
    }
    info!("stopped");
    Ok(())
}

/// Binds the listener, registers the webhook, and serves until the stop signal. The webhook is
/// never deleted on the way out: other replicas behind the same URL keep receiving.
async fn serve_webhook(
    bot: &Bot,
    webhook: &WebhookConfig,
    processor: Arc<UpdateProcessor>,
    storage: Arc<dyn Storage>,
    metrics: Arc<Metrics>,
    stop_signal: StopSignal,
) -> Result<(), StartError> {
    // Bind first: a port in use is reported before Telegram is told to send anything here.
    let listener = bind(webhook.listen).await?;
    let set = || {
        let mut request = bot
            .set_webhook(webhook.url.clone())
            .secret_token(webhook.secret.expose().to_owned())
            .allowed_updates(polling::ALLOWED_UPDATES)
            .max_connections(webhook.max_connections);
        if webhook.drop_pending {
            request = request.drop_pending_updates(true);
        }
        request.send()
    };
    with_retry(None, set)
        .await
        .map_err(|e| StartError::SetWebhook { class: e.label() })?;
    if webhook.secret_generated {
        warn!("webhook secret token set (generated for this process: give all replicas the same --webhook-secret)");
    } else {
        info!("webhook secret token set");
    }
    let path = webhook.url.path().to_owned();
    let state = Arc::new(http::HttpState {
        webhook: Some((processor, webhook.secret.clone())),
        storage,
        metrics,
    });
    info!(addr = %webhook.listen, path = %path, "serving the webhook, /healthz, /readyz and /metrics");
    let served =
        axum::serve(listener, http::router(state, &path)).with_graceful_shutdown(async move {
            stop_signal.wait().await;
            info!("stop signal received: finishing the updates in flight");
        });
    if let Err(e) = served.await {
        warn!(cause = %e, "webhook listener failed");
    }
    Ok(())
}

/// Logs the summaries of rejected webhook requests, failed sends and failed store calls as
/// they fall due, so a flood that stops still gets its count logged within an interval and a
/// few seconds.
async fn flush_quiet_logs() {
    let mut tick = tokio::time::interval(quiet::INTERVAL / 12);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let now = std::time::Instant::now();
        http::flush_rejection_log(now);
        outbound::flush_failure_log(now);
        endpoints::flush_store_failure_log(now);
    }
}

async fn bind(addr: SocketAddr) -> Result<tokio::net::TcpListener, StartError> {
    tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| StartError::Listen { addr, source })
}
