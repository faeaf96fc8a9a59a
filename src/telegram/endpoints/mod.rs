//! Endpoints: the handler tree (`schema`) and the routing of each update to one feature, one
//! file per feature. An endpoint pulls what it needs from the update, asks the engine, and
//! hands the reply to outbound (`Turn::send_html`, `Turn::send_reply`). No medical wording
//! here (see `text.rs` and the knowledge base), and nothing a user wrote is logged: spans
//! carry ids, topic ids, flags and timings only.

mod alerts;
mod buttons;
mod card;
mod check;
mod commands;
mod emergency;
mod group;
mod group_limit;
mod question;
mod red_flag_watch;
mod store_log;

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use teloxide::dispatching::UpdateHandler;
use teloxide::prelude::*;
use teloxide::types::{ChatKind, InlineKeyboardMarkup, Me, MessageId, UpdateId};
use teloxide::utils::command::{BotCommands, ParseError};
use tracing::{field, info, info_span, warn, Instrument, Span};

pub use buttons::ButtonAction;
pub use check::CHECK_TTL;
pub use commands::{register_commands, Command};
pub use store_log::flush_store_failure_log;

use super::intake::Received;
use super::outbound::{Outbound, SendError, Target};
use super::text;
use crate::domain::{Engine, Quote, Reply};
use crate::metrics::Metrics;
use crate::storage::Storage;
use question::Conversation;
use store_log::store_failed;

/// What every endpoint needs besides the bot.
pub struct BotContext {
    /// The answering engine.
    pub engine: Arc<Engine>,
    /// Group settings, cooldowns, check answers and follow-up topics.
    pub storage: Arc<dyn Storage>,
    /// At most one red-flag notice per group per this long.
    pub red_flag_cooldown: Duration,
    /// Counters for `/metrics`.
    pub metrics: Arc<Metrics>,
    /// Answers per member per minute in a group, then one slow-down note (`group_limit.rs`);
    /// 0 = no limit.
    pub group_answers_per_minute: u32,
    /// The way out for replies.
    pub outbound: Outbound,
}

/// An endpoint failure, described without any message text.
#[derive(Debug, thiserror::Error)]
#[error("{action} failed: {class}")]
pub struct HandlerError {
    /// What the endpoint was doing.
    pub action: &'static str,
    /// The error class (`SendError::label`).
    pub class: &'static str,
    /// Whether the same update may succeed if delivered again (network, 5xx).
    pub retryable: bool,
}

impl HandlerError {
    /// A reply that could not be sent.
    fn send(error: SendError) -> Self {
        Self {
            action: "sendMessage",
            class: error.label(),
            retryable: error.is_transient(),
        }
    }
}

type HandlerResult = Result<(), HandlerError>;

/// One update being handled: the bot, the shared context, and when the update arrived.
#[derive(Clone, Copy)]
struct Turn<'a> {
    bot: &'a Bot,
    /// An `Arc`, so that work in a task of its own (moderator alerts) can keep the context.
    ctx: &'a Arc<BotContext>,
    received: Instant,
}

impl Turn<'_> {
    /// Sends HTML (see `Outbound::send`); returns the ids of the messages sent.
    async fn send(
        &self,
        target: Target,
        html: &str,
        keyboard: Option<InlineKeyboardMarkup>,
    ) -> Result<Vec<MessageId>, HandlerError> {
        self.ctx
            .outbound
            .send(target, html, keyboard, self.received)
            .await
            .map_err(HandlerError::send)
    }

    /// Sends HTML, with optional buttons.
    async fn send_html(
        &self,
        target: Target,
        html: &str,
        keyboard: Option<InlineKeyboardMarkup>,
    ) -> HandlerResult {
        self.send(target, html, keyboard).await.map(drop)
    }

    /// Sends a reply of the engine, with its buttons (in a group, the list of signs folded:
    /// `reply_html`).
    async fn send_reply(&self, target: Target, reply: &Reply) -> HandlerResult {
        let keyboard = buttons::reply_keyboard(&self.ctx.engine, reply);
        self.send_html(target, &reply_html(target, reply), keyboard)
            .await
    }

    /// `send_reply`, quoting `quote`, the words of the message replied to that called for it.
    async fn send_reply_quoting(
        &self,
        target: Target,
        reply: &Reply,
        quote: Option<Quote<'_>>,
    ) -> HandlerResult {
        let keyboard = buttons::reply_keyboard(&self.ctx.engine, reply);
        self.ctx
            .outbound
            .send_quoting(
                target,
                quote,
                &reply_html(target, reply),
                keyboard,
                self.received,
            )
            .await
            .map(drop)
            .map_err(HandlerError::send)
    }
}

/// A reply's HTML for where it goes: a private chat keeps the whole layout; in a group the long
/// list of warning signs folds into an expandable blockquote (`Reply::to_group_html`).
fn reply_html(target: Target, reply: &Reply) -> String {
    if target.chat.is_user() {
        reply.to_html()
    } else {
        reply.to_group_html()
    }
}

/// The handler tree: a plain function so tests can dispatch it.
pub fn schema() -> UpdateHandler<HandlerError> {
    dptree::entry()
        .branch(Update::filter_message().endpoint(on_message))
        .branch(Update::filter_edited_message().endpoint(on_message))
        .branch(Update::filter_callback_query().endpoint(on_callback))
        .branch(Update::filter_my_chat_member().endpoint(on_my_chat_member))
}

/// The name of a chat's kind, for logs.
pub fn chat_kind(chat: &teloxide::types::Chat) -> &'static str {
    match &chat.kind {
        ChatKind::Private(_) => "private",
        ChatKind::Public(public) => match public.kind {
            teloxide::types::PublicChatKind::Group => "group",
            teloxide::types::PublicChatKind::Supergroup(_) => "supergroup",
            teloxide::types::PublicChatKind::Channel(_) => "channel",
        },
    }
}

/// Runs `work` in the update's span, then logs how long it took.
async fn traced(
    update_id: UpdateId,
    chat_kind: &'static str,
    work: impl Future<Output = HandlerResult>,
) -> HandlerResult {
    let started = Instant::now();
    let span = info_span!(
        "update",
        update_id = update_id.0,
        chat_kind,
        action = field::Empty,
        topic = field::Empty,
        urgency = field::Empty,
        kind = field::Empty,
        n_messages = field::Empty,
    );
    let result = work.instrument(span.clone()).await;
    span.in_scope(|| {
        info!(
            latency_ms = started.elapsed().as_secs_f64() * 1000.0,
            "handled"
        );
    });
    result
}

/// Records what the update turned out to be, in its span.
fn record_action(action: &'static str) {
    Span::current().record("action", action);
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

// Endpoints take the update's id (`UpdateId`, put in the dependencies by `intake::dispatch`),
// not the `Update`: dptree clones every value it injects, and an `Update` is a deep copy of the
// message a second time.
async fn on_message(
    bot: Bot,
    me: Me,
    ctx: Arc<BotContext>,
    update_id: UpdateId,
    Received(received): Received,
    msg: Message,
) -> HandlerResult {
    let turn = Turn {
        bot: &bot,
        ctx: &ctx,
        received,
    };
    let work = handle_message(turn, &me, update_id.0, &msg);
    traced(update_id, chat_kind(&msg.chat), work).await
}

async fn handle_message(turn: Turn<'_>, me: &Me, update_id: u32, msg: &Message) -> HandlerResult {
    if let Some(new_chat) = msg.migrate_to_chat_id() {
        record_action("migrate");
        if let Err(e) = turn
            .ctx
            .storage
            .migrate_chat(msg.chat.id.0, new_chat.0)
            .await
        {
            warn!(cause = %e, "could not move group settings to the new supergroup");
        }
        return Ok(());
    }
    let private = msg.chat.is_private();
    if !(private || msg.chat.is_group() || msg.chat.is_supergroup()) {
        return Ok(());
    }
    let Some(text) = msg.text() else {
        // Stickers, photos, voice notes, files, service messages.
        if private && !is_service(msg) {
            record_action("non-text");
            turn.send_html(Target::reply_to(msg), text::TEXT_ONLY, None)
                .await?;
        }
        return Ok(());
    };
    if text.starts_with('/') {
        match Command::parse(text, me.username()) {
            Ok(command) => return commands::handle(turn, me, msg, command).await,
            // Addressed to another bot in the group: not ours.
            Err(ParseError::WrongBotName(_)) => return Ok(()),
            Err(_) if !private => return Ok(()),
            Err(_) => {
                record_action("unknown-command");
                return turn
                    .send_html(Target::reply_to(msg), text::HELP, None)
                    .await;
            }
        }
    }
    let target = Target::reply_to(msg);
    if private {
        return question::answer(turn, target, text, Conversation::Private, msg).await;
    }
    match group::addressed_question(msg, me, text) {
        Some((question, conversation)) => {
            question::answer(turn, target, &question, conversation, msg).await
        }
        None => red_flag_watch::watch(turn, update_id, msg, text).await,
    }
}

fn is_service(msg: &Message) -> bool {
    use teloxide::types::MessageKind;
    !matches!(msg.kind, MessageKind::Common(_))
}

async fn on_callback(
    bot: Bot,
    ctx: Arc<BotContext>,
    update_id: UpdateId,
    Received(received): Received,
    query: CallbackQuery,
) -> HandlerResult {
    let turn = Turn {
        bot: &bot,
        ctx: &ctx,
        received,
    };
    let kind = query
        .message
        .as_ref()
        .map_or("unknown", |m| chat_kind(m.chat()));
    traced(update_id, kind, buttons::handle_callback(turn, &query)).await
}

async fn on_my_chat_member(
    bot: Bot,
    me: Me,
    ctx: Arc<BotContext>,
    update_id: UpdateId,
    Received(received): Received,
    change: ChatMemberUpdated,
) -> HandlerResult {
    let turn = Turn {
        bot: &bot,
        ctx: &ctx,
        received,
    };
    let work = group::on_joined(turn, &me, &change);
    traced(update_id, chat_kind(&change.chat), work).await
}
