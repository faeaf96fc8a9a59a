//! Outbound: every reply leaves through [`Outbound::send`], which owns the target chat and
//! forum topic, splitting to Telegram's limit (`split.rs`), flood control (`budget.rs`: the
//! budget replicas share through Redis, else the local `FloodGate`), retries (`retry.rs`), a
//! group's move to a supergroup, and the send metrics. A failed request is classified once
//! (`error.rs`).

mod budget;
mod error;
mod retry;
mod split;

use std::time::Instant;

use teloxide::prelude::*;
use teloxide::types::{
    InlineKeyboardMarkup, LinkPreviewOptions, MessageId, ParseMode, ReplyParameters, ThreadId,
};
use tracing::{info, warn, Span};

pub use error::SendError;
pub use retry::{backoff, with_retry, MAX_ATTEMPTS, RETRY_BUDGET};
pub use split::{split_message, MAX_MESSAGE_LEN};

use super::flood::FloodGate;
use super::quiet::{Line, SharedQuietLog};
use crate::domain::Quote;
use crate::metrics::Metrics;
use crate::storage::Storage;
use budget::SendBudget;
use std::sync::Arc;

/// No link previews on any message: a link in an answer (a source) should not unfold into a
/// card that pushes the advice out of view.
const NO_LINK_PREVIEW: LinkPreviewOptions = LinkPreviewOptions {
    is_disabled: true,
    url: None,
    prefer_small_media: false,
    prefer_large_media: false,
    show_above_text: false,
};

/// Failed sends between log lines, per (what happened, class): a Bot API outage logs a line
/// per class per `quiet::INTERVAL`, not one per request. One per process, like the log.
static FAILURES: SharedQuietLog<(&'static str, &'static str)> = SharedQuietLog::new();

/// Whether to log a failed send now: `true` for the first of its (`what`, `class`) in an
/// interval (the caller logs its own line); a due summary is logged here; otherwise the
/// failure is only counted (the metrics count every one, elsewhere).
fn log_failure_now(what: &'static str, class: &'static str) -> bool {
    match FAILURES.record((what, class)) {
        Some(Line::First { .. }) => true,
        Some(summary) => {
            log_failure_summary(summary);
            false
        }
        None => false,
    }
}

/// Logs the failed-send summaries due at `now` (an outage that ended still gets its count).
pub fn flush_failure_log(now: Instant) {
    FAILURES
        .flush(now)
        .into_iter()
        .for_each(log_failure_summary);
}

fn log_failure_summary(line: Line<(&'static str, &'static str)>) {
    if let Line::Summary {
        class: (what, class),
        count,
        since,
    } = line
    {
        warn!(
            what,
            class,
            count,
            in_s = since.as_secs(),
            "repeated send failures: summary"
        );
    }
}

/// Where a reply goes: chat, forum topic, and the message it quotes.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    /// The chat.
    pub chat: ChatId,
    /// The forum topic, if the message came from one.
    pub thread: Option<ThreadId>,
    /// The message the first piece quotes.
    pub reply_to: Option<MessageId>,
}

impl Target {
    /// A reply to `msg`: quoted in groups, in the same forum topic.
    pub fn reply_to(msg: &Message) -> Self {
        let thread = if msg.is_topic_message {
            msg.thread_id
        } else {
            None
        };
        let reply_to = (!msg.chat.is_private()).then_some(msg.id);
        Self {
            chat: msg.chat.id,
            thread,
            reply_to,
        }
    }

    /// A new message in `chat`, outside any forum topic, quoting nothing.
    pub fn chat(chat: ChatId) -> Self {
        Self {
            chat,
            thread: None,
            reply_to: None,
        }
    }
}

/// What sending needs: the bot, flood control, the counters, and the storage (a migrated
/// group's settings follow it; a shared store holds the replicas' send budget).
pub struct Outbound {
    bot: Bot,
    budget: SendBudget,
    metrics: Arc<Metrics>,
    storage: Arc<dyn Storage>,
}

impl Outbound {
    /// Sends through `bot`.
    pub fn new(
        bot: Bot,
        flood: FloodGate,
        metrics: Arc<Metrics>,
        storage: Arc<dyn Storage>,
    ) -> Self {
        Self {
            bot,
            budget: SendBudget::new(flood),
            metrics,
            storage,
        }
    }

    /// Sends HTML to `target`, split under the limit; the first piece quotes the message, the
    /// last carries the buttons. Transient failures are retried; a chat that blocked the bot
    /// is skipped; a migrated group is followed once. The reply's latency is measured from
    /// `received`, when the update arrived. Returns the ids of the messages sent.
    ///
    /// # Errors
    /// A failure that retrying did not cure, or that retrying cannot cure.
    pub async fn send(
        &self,
        target: Target,
        html: &str,
        keyboard: Option<InlineKeyboardMarkup>,
        received: Instant,
    ) -> Result<Vec<MessageId>, SendError> {
        self.send_quoting(target, None, html, keyboard, received)
            .await
    }

    /// `send`, the first piece quoting `quote`, an exact piece of the message it replies to
    /// (Telegram's reply quote; only with `target.reply_to`). Telegram refuses a reply whose
    /// quote it cannot find in the message (or whose formatting differs): then the reply goes
    /// again without the quote, since what it says matters more than the quote.
    ///
    /// # Errors
    /// As `send`.
    pub async fn send_quoting(
        &self,
        target: Target,
        quote: Option<Quote<'_>>,
        html: &str,
        keyboard: Option<InlineKeyboardMarkup>,
        received: Instant,
    ) -> Result<Vec<MessageId>, SendError> {
        let mut quote = quote;
        let mut sent = Vec::new();
        let pieces = split_message(html, MAX_MESSAGE_LEN);
        let n = pieces.len();
        Span::current().record("n_messages", n);
        let mut chat = target.chat;
        for (i, piece) in pieces.into_iter().enumerate() {
            let reply_to = if i == 0 { target.reply_to } else { None };
            let markup = if i + 1 == n { keyboard.clone() } else { None };
            let mut migrated = false;
            loop {
                // Built once; every attempt serializes it by reference (no copy of the text).
                let mut request = self
                    .bot
                    .send_message(chat, piece.as_str())
                    .parse_mode(ParseMode::Html)
                    .link_preview_options(NO_LINK_PREVIEW);
                if let Some(thread) = target.thread {
                    request = request.message_thread_id(thread);
                }
                if let Some(id) = reply_to {
                    let mut parameters = ReplyParameters::new(id).allow_sending_without_reply();
                    if let Some(quote) = quote.filter(|_| i == 0) {
                        parameters.quote = Some(quote.text.to_owned());
                        parameters.quote_position = u32::try_from(quote.utf16_start).ok();
                    }
                    request = request.reply_parameters(parameters);
                }
                if let Some(markup) = markup.clone() {
                    request = request.reply_markup(markup);
                }
                self.budget
                    .wait(chat.0, &*self.storage, &self.metrics)
                    .await;
                match with_retry(Some(&self.metrics), || request.send_ref()).await {
                    Ok(message) => {
                        sent.push(message.id);
                        self.metrics.reply_sent();
                        if i + 1 == n {
                            self.metrics.observe_latency(received.elapsed());
                        }
                        break;
                    }
                    Err(SendError::Blocked) => {
                        let class = SendError::Blocked.label();
                        if log_failure_now("skipped", class) {
                            info!(
                                class,
                                "chat has blocked or removed the bot; skipped (repeats are counted, summarized every 60 s)"
                            );
                        }
                        return Ok(sent);
                    }
                    Err(SendError::Migrated(new_chat)) if !migrated => {
                        info!("group became a supergroup; following it");
                        if let Err(e) = self.storage.migrate_chat(chat.0, new_chat).await {
                            warn!(cause = %e, "could not move group settings");
                        }
                        chat = ChatId(new_chat);
                        migrated = true;
                    }
                    Err(SendError::Api | SendError::UnknownApi)
                        if i == 0 && reply_to.is_some() && quote.is_some() =>
                    {
                        warn!("reply quote refused; sending without it");
                        quote = None;
                    }
                    Err(error) => return Err(error),
                }
            }
        }
        Ok(sent)
    }
}
