//! Runs one update through the handler tree. Shared by long polling (`polling.rs`) and the
//! webhook (`http.rs`), which differ only in how updates arrive and when they are confirmed.
//!
//! teloxide's `Dispatcher` is not used: it acknowledges updates before they are handled (it
//! cannot tell a webhook when an update is done), buffers without bound, and logs updates it
//! cannot parse as raw JSON. What it did for us — inject the bot, `Me` and the update into the
//! handler's dependencies — is three lines here, plus the time the update arrived
//! (`Received`), passed as a value.

use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::Instant;

use teloxide::dispatching::UpdateHandler;
use teloxide::dptree::di::DependencyMap;
use teloxide::types::{Me, Update, UpdateKind};
use teloxide::Bot;
use tracing::{debug, warn};

use crate::metrics::{self, Metrics};
use crate::telegram::endpoints::{self, BotContext, HandlerError};

/// When the update being handled arrived: a dependency of every endpoint, which hands it to
/// `Outbound::send` so a reply's latency is measured from it.
#[derive(Debug, Clone, Copy)]
pub struct Received(pub Instant);

/// How handling an update ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Handled (answered, or deliberately left alone).
    Done,
    /// A reply could not be sent for a reason that may pass (network, 5xx): a webhook asks
    /// Telegram to deliver the update again.
    Retry,
    /// A reply could not be sent and trying again will not help.
    Failed,
}

/// The handler tree with its dependencies.
pub struct UpdateProcessor {
    handler: UpdateHandler<HandlerError>,
    deps: DependencyMap,
    metrics: Arc<Metrics>,
}

impl UpdateProcessor {
    /// A processor for `bot` (who is `me`) with `context`.
    pub fn new(bot: Bot, me: Me, context: Arc<BotContext>) -> Self {
        let metrics = Arc::clone(&context.metrics);
        Self {
            handler: endpoints::schema(),
            deps: teloxide::dptree::deps![bot, me, context],
            metrics,
        }
    }

    /// Handles one update; never panics on its content, never logs it.
    pub async fn process(&self, update: Update) -> Outcome {
        let received = Instant::now();
        let kind = update_kind(&update);
        self.metrics.update_received(kind);
        if let UpdateKind::Error(_) = update.kind {
            // A kind teloxide does not know, or a field it cannot parse. teloxide's dispatcher
            // would log the raw JSON; the id is enough to find it.
            warn!(
                update_id = update.id.0,
                "update could not be parsed; skipped"
            );
            return Outcome::Done;
        }
        let update_id = update.id.0;
        let mut deps = self.deps.clone();
        deps.insert(update.id);
        deps.insert(update);
        deps.insert(Received(received));
        match self.handler.dispatch(deps).await {
            ControlFlow::Break(Ok(())) => Outcome::Done,
            ControlFlow::Break(Err(error)) => {
                warn!(
                    update_id,
                    action = error.action,
                    class = error.class,
                    "update failed"
                );
                if error.retryable {
                    Outcome::Retry
                } else {
                    Outcome::Failed
                }
            }
            ControlFlow::Continue(_) => {
                debug!(update_id, kind = ?kind, "ignored update");
                Outcome::Done
            }
        }
    }
}

/// The kind of an update, for metrics and logs.
pub fn update_kind(update: &Update) -> metrics::UpdateKind {
    use metrics::UpdateKind as K;
    match &update.kind {
        UpdateKind::Message(_) => K::Message,
        UpdateKind::EditedMessage(_) => K::EditedMessage,
        UpdateKind::ChannelPost(_) | UpdateKind::EditedChannelPost(_) => K::ChannelPost,
        UpdateKind::CallbackQuery(_) => K::CallbackQuery,
        UpdateKind::MyChatMember(_) => K::MyChatMember,
        UpdateKind::Error(_) => K::Unparseable,
        _ => K::Other,
    }
}
