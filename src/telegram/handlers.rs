//! The update handler tree and its endpoints. Endpoints stay short: pull the text out of the
//! update, call the engine, render, send. No medical wording here (see `text.rs` and the
//! knowledge base), and nothing a user wrote is logged: spans carry ids, topic ids, flags and
//! timings only.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use teloxide::dispatching::UpdateHandler;
use teloxide::prelude::*;
use teloxide::types::{
    ChatKind, InlineKeyboardButton, InlineKeyboardMarkup, Me, MessageEntityKind, MessageId,
    ParseMode, ReplyParameters, ThreadId, UpdateId,
};
use teloxide::utils::command::{BotCommands, ParseError};
use tracing::{field, info, info_span, warn, Instrument, Span};

use super::dispatch::RECEIVED;
use super::flood::FloodGate;
use super::send::{self, classify, error_class, Failure};
use super::text;
use super::TgBot;
use crate::domain::check::{self, CheckStep};
use crate::domain::{
    reply::escape_html, Engine, Question, Reply, ReplyKind, Tier, TopicId, FOLLOW_UP_WINDOW,
};
use crate::metrics::{Metrics, NoticeTrigger};
use crate::storage::{Storage, LATEST_ANSWER};

/// How long an unfinished red-flag check keeps its answers.
pub const CHECK_TTL: Duration = Duration::from_secs(30 * 60);

/// What every endpoint needs besides the bot.
pub struct BotContext {
    /// The answering engine.
    pub engine: Arc<Engine>,
    /// Group settings and cooldowns.
    pub storage: Arc<dyn Storage>,
    /// At most one red-flag notice per group per this long.
    pub red_flag_cooldown: Duration,
    /// Counters for `/metrics`.
    pub metrics: Arc<Metrics>,
    /// Outgoing flood control.
    pub flood: FloodGate,
}

/// An endpoint failure, described without any message text.
#[derive(Debug, thiserror::Error)]
#[error("{action} failed: {class}")]
pub struct HandlerError {
    /// What the endpoint was doing.
    pub action: &'static str,
    /// The error class (`send::error_class`).
    pub class: &'static str,
    /// Whether the same update may succeed if delivered again (network, 5xx).
    pub retryable: bool,
}

type HandlerResult = Result<(), HandlerError>;

/// The bot's commands. Private chats and groups get different lists in `setMyCommands`.
/// (Plain `//` comments on the variants: the derive would append `///` docs to the
/// descriptions users see in the command menu.)
#[derive(BotCommands, Clone, Debug, PartialEq, Eq)]
#[command(rename_rule = "lowercase")]
pub enum Command {
    // What the bot does.
    #[command(description = "what I do and don't do")]
    Start(String),
    // How to use it.
    #[command(description = "how to use me")]
    Help,
    // Topics as buttons.
    #[command(description = "what I can answer")]
    Topics,
    // The urgent-care criteria.
    #[command(description = "when to seek medical help immediately")]
    Urgent,
    // The red-flag check.
    #[command(description = "a short red-flag check")]
    Check,
    // A question (groups).
    #[command(description = "ask a question")]
    Ask(String),
    // Sources.
    #[command(description = "where my answers come from")]
    About,
    // What is kept.
    #[command(description = "what I keep: no message text, ever")]
    Privacy,
    // The group red-flag watch.
    #[command(description = "admins: red-flag watch on or off")]
    Redflags(String),
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

fn update_span(update_id: UpdateId, kind: &'static str) -> Span {
    info_span!(
        "update",
        update_id = update_id.0,
        chat_kind = kind,
        action = field::Empty,
        topic = field::Empty,
        urgency = field::Empty,
        kind = field::Empty,
        n_messages = field::Empty,
    )
}

fn record_done(started: Instant) {
    info!(
        latency_ms = started.elapsed().as_secs_f64() * 1000.0,
        "handled"
    );
}

/// Where a reply goes: chat, forum topic, and the message it quotes.
#[derive(Debug, Clone, Copy)]
struct Target {
    chat: ChatId,
    thread: Option<ThreadId>,
    reply_to: Option<MessageId>,
}

impl Target {
    /// A reply to `msg`: quoted in groups, in the same forum topic.
    fn reply_to(msg: &Message) -> Self {
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
}

// Endpoints take the update's id (`UpdateId`, put in the dependencies by `dispatch.rs`), not
// the `Update`: dptree clones every value it injects, and an `Update` is a deep copy of the
// message a second time.
async fn on_message(
    bot: TgBot,
    me: Me,
    ctx: Arc<BotContext>,
    update_id: UpdateId,
    msg: Message,
) -> HandlerResult {
    let started = Instant::now();
    let span = update_span(update_id, chat_kind(&msg.chat));
    let result = handle_message(&bot, &me, &ctx, update_id.0, &msg)
        .instrument(span.clone())
        .await;
    span.in_scope(|| record_done(started));
    result
}

async fn handle_message(
    bot: &TgBot,
    me: &Me,
    ctx: &BotContext,
    update_id: u32,
    msg: &Message,
) -> HandlerResult {
    if let Some(new_chat) = msg.migrate_to_chat_id() {
        Span::current().record("action", "migrate");
        if let Err(e) = ctx.storage.migrate_chat(msg.chat.id.0, new_chat.0).await {
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
            Span::current().record("action", "non-text");
            send_html(bot, ctx, Target::reply_to(msg), text::TEXT_ONLY, None).await?;
        }
        return Ok(());
    };
    if text.starts_with('/') {
        match Command::parse(text, me.username()) {
            Ok(command) => return handle_command(bot, me, ctx, msg, command).await,
            // Addressed to another bot in the group: not ours.
            Err(ParseError::WrongBotName(_)) => return Ok(()),
            Err(_) if !private => return Ok(()),
            Err(_) => {
                Span::current().record("action", "unknown-command");
                return send_html(bot, ctx, Target::reply_to(msg), text::HELP, None).await;
            }
        }
    }
    if private {
        return answer_question(bot, ctx, Target::reply_to(msg), text, Conversation::Private).await;
    }
    match addressed_question(msg, me, text) {
        Some((question, conversation)) => {
            answer_question(bot, ctx, Target::reply_to(msg), &question, conversation).await
        }
        None => watch_red_flags(bot, ctx, update_id, msg, text).await,
    }
}

/// Where a question was asked, which decides its follow-up context and how long a reply may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Conversation {
    /// A private chat: the context is the chat's latest answer.
    Private,
    /// A group message replying to one of the bot's answers: the context is that answer.
    GroupReply(MessageId),
    /// Any other group question (a mention, `/ask`): no context, since the bot cannot tell
    /// whose earlier question a short "is it serious?" follows.
    Group,
}

impl Conversation {
    /// The storage key of the answer that gives a follow-up its context.
    fn context_key(self) -> Option<i64> {
        match self {
            Self::Private => Some(LATEST_ANSWER),
            Self::GroupReply(id) => Some(i64::from(id.0)),
            Self::Group => None,
        }
    }
}

fn is_service(msg: &Message) -> bool {
    use teloxide::types::MessageKind;
    !matches!(msg.kind, MessageKind::Common(_))
}

/// The question of a group message addressed to the bot (a mention or a reply to the bot), with
/// the mention removed, and whether it replies to one of the bot's messages; `None` when the
/// message is not addressed to the bot.
fn addressed_question(msg: &Message, me: &Me, text: &str) -> Option<(String, Conversation)> {
    let bot_message = msg
        .reply_to_message()
        .filter(|m| m.from.as_ref().is_some_and(|u| u.id == me.id));
    let replies_to_bot = bot_message.is_some();
    let handle = format!("@{}", me.username()).to_lowercase();
    let mut mentioned = false;
    let mut question = text.to_owned();
    if let Some(entities) = msg.parse_entities() {
        for entity in entities {
            let hit = match entity.kind() {
                MessageEntityKind::Mention => entity.text().to_lowercase() == handle,
                MessageEntityKind::TextMention { user } => user.id == me.id,
                _ => false,
            };
            if hit {
                mentioned = true;
                question = question.replacen(entity.text(), " ", 1);
            }
        }
    }
    let conversation = bot_message.map_or(Conversation::Group, |m| Conversation::GroupReply(m.id));
    (mentioned || replies_to_bot).then_some((question, conversation))
}

async fn handle_command(
    bot: &TgBot,
    me: &Me,
    ctx: &BotContext,
    msg: &Message,
    command: Command,
) -> HandlerResult {
    let private = msg.chat.is_private();
    let target = Target::reply_to(msg);
    let name = match &command {
        Command::Start(_) => "start",
        Command::Help => "help",
        Command::Topics => "topics",
        Command::Urgent => "urgent",
        Command::Check => "check",
        Command::Ask(_) => "ask",
        Command::About => "about",
        Command::Privacy => "privacy",
        Command::Redflags(_) => "redflags",
    };
    Span::current().record("action", name);
    match command {
        Command::Start(payload) if private && payload.trim() == "check" => {
            start_check(bot, ctx, target).await
        }
        Command::Start(_) if private => {
            send_html(
                bot,
                ctx,
                target,
                text::START,
                Some(topic_keyboard(&ctx.engine)),
            )
            .await
        }
        Command::Start(_) | Command::Help => send_html(bot, ctx, target, text::HELP, None).await,
        Command::Topics => {
            send_html(
                bot,
                ctx,
                target,
                text::TOPICS,
                Some(topic_keyboard(&ctx.engine)),
            )
            .await
        }
        Command::Urgent => send_reply(bot, ctx, target, &ctx.engine.urgent_care_reply()).await,
        Command::Check if private => start_check(bot, ctx, target).await,
        Command::Check => {
            let keyboard = check_link(me).map(|url| {
                InlineKeyboardMarkup::new([[InlineKeyboardButton::url(text::CHECK_BUTTON, url)]])
            });
            send_html(bot, ctx, target, text::CHECK_IN_GROUP, keyboard).await
        }
        Command::Ask(question) if question.trim().is_empty() => {
            send_html(bot, ctx, target, text::ASK_EMPTY, None).await
        }
        Command::Ask(question) => {
            let conversation = if private {
                Conversation::Private
            } else {
                Conversation::Group
            };
            answer_question(bot, ctx, target, &question, conversation).await
        }
        Command::About => send_html(bot, ctx, target, &about(&ctx.engine), None).await,
        Command::Privacy => send_html(bot, ctx, target, text::PRIVACY, None).await,
        Command::Redflags(_) if private => {
            send_html(bot, ctx, target, text::REDFLAGS_PRIVATE, None).await
        }
        Command::Redflags(arg) => red_flags_setting(bot, ctx, msg, arg.trim()).await,
    }
}

fn check_link(me: &Me) -> Option<url::Url> {
    url::Url::parse(&format!("https://t.me/{}?start=check", me.username())).ok()
}

fn about(engine: &Engine) -> String {
    let mut out = String::from(text::ABOUT);
    for flag in &engine.kb().red_flags.flags {
        out.push_str(&format!(
            "\n• {}: {}",
            escape_html(&flag.label),
            escape_html(&flag.source)
        ));
    }
    out.push_str(&format!(
        "\n\n<i>{}</i>",
        escape_html(&engine.kb().messages.disclaimer)
    ));
    out
}

async fn red_flags_setting(
    bot: &TgBot,
    ctx: &BotContext,
    msg: &Message,
    arg: &str,
) -> HandlerResult {
    let target = Target::reply_to(msg);
    let chat = msg.chat.id.0;
    let wanted = match arg.to_ascii_lowercase().as_str() {
        "" => None,
        "on" => Some(true),
        "off" => Some(false),
        _ => return send_html(bot, ctx, target, text::REDFLAGS_USAGE, None).await,
    };
    if let Some(on) = wanted {
        if !is_admin(bot, msg).await {
            return send_html(bot, ctx, target, text::REDFLAGS_NOT_ADMIN, None).await;
        }
        if let Err(e) = ctx.storage.set_red_flag_watch(chat, on).await {
            warn!(cause = %e, "could not save the red-flag setting");
            return send_html(bot, ctx, target, text::APOLOGY, None).await;
        }
    }
    // Reading fails open: the watch is on unless we know it was turned off.
    let on = ctx.storage.red_flag_watch(chat).await.unwrap_or(true);
    send_html(
        bot,
        ctx,
        target,
        if on {
            text::REDFLAGS_ON
        } else {
            text::REDFLAGS_OFF
        },
        None,
    )
    .await
}

async fn is_admin(bot: &TgBot, msg: &Message) -> bool {
    // An anonymous admin posts as the group itself.
    if msg
        .sender_chat
        .as_ref()
        .is_some_and(|c| c.id == msg.chat.id)
    {
        return true;
    }
    let Some(user) = msg.from.as_ref() else {
        return false;
    };
    match send::with_retry(None, || bot.get_chat_member(msg.chat.id, user.id).send()).await {
        Ok(member) => member.is_privileged(),
        Err(e) => {
            warn!(
                class = error_class(&e),
                "getChatMember failed; treating the user as not an admin"
            );
            false
        }
    }
}

async fn answer_question(
    bot: &TgBot,
    ctx: &BotContext,
    target: Target,
    question: &str,
    conversation: Conversation,
) -> HandlerResult {
    let chat = target.chat.0;
    let now = unix_now();
    // Context fails closed to "none": without it a follow-up gets the answer its own words give.
    let previous = match conversation.context_key() {
        Some(key) => ctx
            .storage
            .answer_topic(chat, key, now)
            .await
            .unwrap_or_else(|e| {
                warn!(cause = %e, "previous answer's topic unreadable; answering without it");
                None
            }),
        None => None,
    };
    let answer = ctx
        .engine
        .answer_in_context(&Question::new(question), previous.map(TopicId).as_ref());
    let span = Span::current();
    let topic = answer.reply.answered.first();
    if let Some(topic) = topic {
        span.record("topic", topic.as_str());
    }
    span.record("kind", answer.reply.kind.label());
    ctx.metrics.reply_kind(answer.reply.kind);
    match (topic, answer.reply.kind) {
        (Some(topic), _) => ctx.metrics.answered(Some(topic.as_str())),
        (None, ReplyKind::Fallback) => ctx.metrics.answered(None),
        _ => {}
    }
    if let Some(tier) = answer.triage.urgency {
        span.record("urgency", tier.as_str());
        let trigger = if conversation == Conversation::Private {
            NoticeTrigger::Private
        } else {
            NoticeTrigger::GroupAddressed
        };
        ctx.metrics.red_flag_notice(tier.into(), trigger);
    }
    let group = conversation != Conversation::Private;
    // In a group every reply stays compact: no list of every topic, no wall of buttons.
    let reply = if group {
        answer.reply.compact(ctx.engine.kb())
    } else {
        answer.reply
    };
    let keyboard = if group && reply.kind == ReplyKind::Fallback {
        None
    } else {
        reply_keyboard(&ctx.engine, &reply)
    };
    let sent = send_pieces(bot, ctx, target, &reply.to_html(), keyboard).await?;
    // The topic is the context of a follow-up: in private the chat's latest answer, in a group
    // each of the bot's messages (a follow-up there replies to one of them).
    if let Some(topic) = reply.answered.first() {
        let keys: Vec<i64> = if group {
            sent.iter().map(|id| i64::from(id.0)).collect()
        } else {
            vec![LATEST_ANSWER]
        };
        for key in keys {
            if let Err(e) = ctx
                .storage
                .save_answer_topic(chat, key, topic.as_str(), now, FOLLOW_UP_WINDOW)
                .await
            {
                warn!(cause = %e, "could not keep the answer's topic for follow-ups");
            }
        }
    }
    Ok(())
}

async fn watch_red_flags(
    bot: &TgBot,
    ctx: &BotContext,
    update_id: u32,
    msg: &Message,
    text: &str,
) -> HandlerResult {
    // Unaddressed messages need triage only: no topic matching, no reply composition.
    // Only what needs a doctor today or help now is posted unasked: a bare or negated mention
    // ("a bit numb", "no numbness") in a group's chatter would teach people to ignore the notice.
    let Some(notice) = ctx
        .engine
        .red_flag_notice(&Question::new(text), Tier::Urgent)
    else {
        return Ok(());
    };
    Span::current().record("urgency", notice.tier.as_str());
    let chat = msg.chat.id.0;
    // Fail open: if the store cannot be read, post the notice. A duplicate is better than a miss.
    let watching = ctx.storage.red_flag_watch(chat).await.unwrap_or_else(|e| {
        warn!(cause = %e, "red-flag setting unreadable; posting anyway");
        true
    });
    if !watching {
        Span::current().record("action", "red-flag-watch-off");
        return Ok(());
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    // The update id as claimant: if this update comes again (its reply failed, or a replica
    // died before sending it), it still gets its notice; an edit is a new update.
    let claimed = ctx
        .storage
        .claim_red_flag_notice(chat, i64::from(update_id), now, ctx.red_flag_cooldown)
        .await
        .unwrap_or_else(|e| {
            warn!(cause = %e, "red-flag cooldown unreadable; posting anyway");
            true
        });
    if !claimed {
        Span::current().record("action", "red-flag-cooldown");
        return Ok(());
    }
    Span::current().record("action", "red-flag-notice");
    ctx.metrics
        .red_flag_notice(notice.tier.into(), NoticeTrigger::GroupWatch);
    let mut reply = ctx.engine.urgent_care_reply();
    reply.urgent = Some(notice);
    send_reply(bot, ctx, Target::reply_to(msg), &reply).await
}

async fn on_callback(
    bot: TgBot,
    ctx: Arc<BotContext>,
    update_id: UpdateId,
    query: CallbackQuery,
) -> HandlerResult {
    let started = Instant::now();
    let kind = query
        .message
        .as_ref()
        .map_or("unknown", |m| chat_kind(m.chat()));
    let span = update_span(update_id, kind);
    let result = handle_callback(&bot, &ctx, &query)
        .instrument(span.clone())
        .await;
    span.in_scope(|| record_done(started));
    result
}

/// What a button's callback data means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ButtonAction {
    /// Answer a topic: `t:<topic id>`.
    Topic(String),
    /// The answer to question `index` of the running check: `c:<index>:<y|n>`. The answers
    /// before it live in the storage, for as long as the check runs.
    Check {
        /// Which question the button belongs to (0-based): an old button is recognized.
        index: usize,
        /// Yes or no.
        yes: bool,
    },
}

impl ButtonAction {
    /// Callback data, always within Telegram's 64 bytes for our ids and check length.
    pub fn encode(&self) -> String {
        match self {
            Self::Topic(id) => format!("t:{id}"),
            Self::Check { index, yes } => format!("c:{index}:{}", if *yes { 'y' } else { 'n' }),
        }
    }

    /// Parses callback data; `None` for stale or forged data.
    pub fn decode(data: &str) -> Option<Self> {
        if data.len() > 64 {
            return None;
        }
        if let Some(id) = data.strip_prefix("t:") {
            return Some(Self::Topic(id.to_owned()));
        }
        let (index, answer) = data.strip_prefix("c:")?.split_once(':')?;
        let index: usize = index.parse().ok().filter(|&i| i < check::MAX_QUESTIONS)?;
        let yes = match answer {
            "y" => true,
            "n" => false,
            _ => return None,
        };
        Some(Self::Check { index, yes })
    }
}

async fn handle_callback(bot: &TgBot, ctx: &BotContext, query: &CallbackQuery) -> HandlerResult {
    let action = query.data.as_deref().and_then(ButtonAction::decode);
    let message = query.message.as_ref();
    let target = message.map(|m| {
        let regular = m.regular_message();
        let thread = regular
            .filter(|r| r.is_topic_message)
            .and_then(|r| r.thread_id);
        Target {
            chat: m.chat().id,
            thread,
            reply_to: None,
        }
    });
    let topic_reply = match &action {
        Some(ButtonAction::Topic(id)) => ctx.engine.topic_reply(id),
        _ => None,
    };
    let valid = topic_reply.is_some() || matches!(action, Some(ButtonAction::Check { .. }));
    // Every callback query is answered, so the button stops spinning; a stale one politely.
    let mut answer = bot.answer_callback_query(query.id.clone());
    if !valid || target.is_none() {
        Span::current().record("action", "stale-button");
        answer = answer.text(text::STALE_BUTTON);
    }
    if let Err(e) = send::with_retry(Some(&ctx.metrics), || answer.clone().send()).await {
        warn!(class = error_class(&e), "answerCallbackQuery failed");
    }
    let Some(target) = target.filter(|_| valid) else {
        return Ok(());
    };
    match action {
        Some(ButtonAction::Topic(id)) => {
            Span::current().record("action", "topic-button");
            Span::current().record("topic", id.as_str());
            match topic_reply {
                Some(reply) => send_reply(bot, ctx, target, &reply).await,
                None => Ok(()),
            }
        }
        Some(ButtonAction::Check { index, yes }) => {
            Span::current().record("action", "check");
            continue_check(bot, ctx, target, index, yes).await
        }
        None => Ok(()),
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// `/check`: forget any earlier check in this chat and ask the first question.
async fn start_check(bot: &TgBot, ctx: &BotContext, target: Target) -> HandlerResult {
    if let Err(e) = ctx
        .storage
        .save_check_answers(target.chat.0, &[], unix_now(), CHECK_TTL)
        .await
    {
        return check_unavailable(bot, ctx, target, &e).await;
    }
    send_check_step(bot, ctx, target, &[]).await
}

/// A yes/no button of the check: record the answer, then ask the next question or end.
async fn continue_check(
    bot: &TgBot,
    ctx: &BotContext,
    target: Target,
    index: usize,
    yes: bool,
) -> HandlerResult {
    let chat = target.chat.0;
    let mut answers = match ctx.storage.check_answers(chat, unix_now()).await {
        Ok(Some(answers)) => answers,
        Ok(None) => return send_html(bot, ctx, target, text::CHECK_EXPIRED, None).await,
        Err(e) => return check_unavailable(bot, ctx, target, &e).await,
    };
    if answers.len() != index {
        // A button of an earlier question, pressed again: that answer is already in.
        Span::current().record("action", "check-old-button");
        return Ok(());
    }
    answers.push(yes);
    let result = match check::step(ctx.engine.kb(), &answers) {
        CheckStep::Done(_) => ctx.storage.end_check(chat).await,
        CheckStep::Ask { .. } => {
            ctx.storage
                .save_check_answers(chat, &answers, unix_now(), CHECK_TTL)
                .await
        }
    };
    if let Err(e) = result {
        return check_unavailable(bot, ctx, target, &e).await;
    }
    send_check_step(bot, ctx, target, &answers).await
}

/// The check cannot keep its answers (storage down): the safe end is the full urgent-care
/// criteria, so nobody is left without them.
async fn check_unavailable(
    bot: &TgBot,
    ctx: &BotContext,
    target: Target,
    cause: &crate::storage::StorageError,
) -> HandlerResult {
    warn!(cause = %cause, "check state unavailable; sending the urgent-care criteria instead");
    Span::current().record("action", "check-unavailable");
    send_html(bot, ctx, target, text::CHECK_UNAVAILABLE, None).await?;
    send_reply(bot, ctx, target, &ctx.engine.urgent_care_reply()).await
}

async fn send_check_step(
    bot: &TgBot,
    ctx: &BotContext,
    target: Target,
    answers: &[bool],
) -> HandlerResult {
    let engine = &ctx.engine;
    match check::step(engine.kb(), answers) {
        CheckStep::Ask {
            index,
            total,
            question,
        } => {
            let mut html = String::new();
            if index == 0 {
                html.push_str(text::CHECK_INTRO);
                html.push_str("\n\n");
            }
            html.push_str(&format!(
                "<b>{}/{}</b> {}",
                index + 1,
                total,
                escape_html(question)
            ));
            let with = |yes: bool| ButtonAction::Check { index, yes }.encode();
            let keyboard = InlineKeyboardMarkup::new([[
                InlineKeyboardButton::callback(text::YES, with(true)),
                InlineKeyboardButton::callback(text::NO, with(false)),
            ]]);
            send_html(bot, ctx, target, &html, Some(keyboard)).await
        }
        CheckStep::Done(Some(tier)) => {
            Span::current().record("urgency", tier.as_str());
            ctx.metrics
                .red_flag_notice(tier.into(), NoticeTrigger::Check);
            let mut reply = engine.urgent_care_reply();
            reply.urgent = Some(engine.urgent_notice(tier));
            send_reply(bot, ctx, target, &reply).await
        }
        CheckStep::Done(None) => {
            let notice = engine.urgent_notice(Tier::Urgent);
            let html = format!(
                "{}\n\n{}\n\n<i>{}</i>",
                text::CHECK_ALL_CLEAR,
                escape_html(&notice.criteria),
                escape_html(&engine.kb().messages.disclaimer)
            );
            send_html(bot, ctx, target, &html, None).await
        }
    }
}

async fn on_my_chat_member(
    bot: TgBot,
    me: Me,
    ctx: Arc<BotContext>,
    update_id: UpdateId,
    change: ChatMemberUpdated,
) -> HandlerResult {
    let started = Instant::now();
    let span = update_span(update_id, chat_kind(&change.chat));
    let result = async {
        let joined = !change.old_chat_member.is_present() && change.new_chat_member.is_present();
        let is_group = change.chat.is_group() || change.chat.is_supergroup();
        if !(joined && is_group && change.new_chat_member.user.id == me.id) {
            return Ok(());
        }
        Span::current().record("action", "intro");
        let can_watch = me.can_read_all_group_messages || change.new_chat_member.is_administrator();
        let html = format!(
            "{}\n\n{}",
            text::GROUP_INTRO,
            if can_watch {
                text::GROUP_WATCH_WORKS
            } else {
                text::GROUP_WATCH_BLIND
            }
        );
        let target = Target {
            chat: change.chat.id,
            thread: None,
            reply_to: None,
        };
        send_html(&bot, &ctx, target, &html, None).await
    }
    .instrument(span.clone())
    .await;
    span.in_scope(|| record_done(started));
    result
}

fn topic_keyboard(engine: &Engine) -> InlineKeyboardMarkup {
    let buttons: Vec<InlineKeyboardButton> = engine
        .kb()
        .topics
        .iter()
        .map(|t| {
            InlineKeyboardButton::callback(
                t.title.clone(),
                ButtonAction::Topic(t.id.to_string()).encode(),
            )
        })
        .collect();
    InlineKeyboardMarkup::new(buttons.chunks(2).map(<[InlineKeyboardButton]>::to_vec))
}

/// Buttons for a reply: "You may also mean" first, then related topics; the full list after a
/// fallback.
fn reply_keyboard(engine: &Engine, reply: &Reply) -> Option<InlineKeyboardMarkup> {
    if reply.kind == crate::domain::ReplyKind::Fallback {
        return Some(topic_keyboard(engine));
    }
    let buttons: Vec<InlineKeyboardButton> = reply
        .also
        .iter()
        .chain(&reply.related)
        .take(4)
        .map(|t| {
            InlineKeyboardButton::callback(
                t.title.clone(),
                ButtonAction::Topic(t.id.to_string()).encode(),
            )
        })
        .collect();
    (!buttons.is_empty())
        .then(|| InlineKeyboardMarkup::new(buttons.chunks(2).map(<[InlineKeyboardButton]>::to_vec)))
}

async fn send_reply(bot: &TgBot, ctx: &BotContext, target: Target, reply: &Reply) -> HandlerResult {
    send_html(
        bot,
        ctx,
        target,
        &reply.to_html(),
        reply_keyboard(&ctx.engine, reply),
    )
    .await
}

/// Sends HTML: see [`send_pieces`].
async fn send_html(
    bot: &TgBot,
    ctx: &BotContext,
    target: Target,
    html: &str,
    keyboard: Option<InlineKeyboardMarkup>,
) -> HandlerResult {
    send_pieces(bot, ctx, target, html, keyboard)
        .await
        .map(drop)
}

/// Sends HTML, split under the limit; the first piece quotes the message, the last carries the
/// buttons. Transient failures are retried; a chat that blocked the bot is skipped; a migrated
/// group is followed once. Returns the ids of the messages sent.
async fn send_pieces(
    bot: &TgBot,
    ctx: &BotContext,
    target: Target,
    html: &str,
    keyboard: Option<InlineKeyboardMarkup>,
) -> Result<Vec<MessageId>, HandlerError> {
    let mut sent = Vec::new();
    let pieces = send::split_message(html, send::MAX_MESSAGE_LEN);
    let n = pieces.len();
    Span::current().record("n_messages", n);
    let mut chat = target.chat;
    for (i, piece) in pieces.into_iter().enumerate() {
        let reply_to = if i == 0 { target.reply_to } else { None };
        let markup = if i + 1 == n { keyboard.clone() } else { None };
        let mut migrated = false;
        loop {
            // Built once; every attempt serializes it by reference (no copy of the text).
            let mut request = bot
                .send_message(chat, piece.as_str())
                .parse_mode(ParseMode::Html);
            if let Some(thread) = target.thread {
                request = request.message_thread_id(thread);
            }
            if let Some(id) = reply_to {
                request = request
                    .reply_parameters(ReplyParameters::new(id).allow_sending_without_reply());
            }
            if let Some(markup) = markup.clone() {
                request = request.reply_markup(markup);
            }
            ctx.flood.wait(chat.0).await;
            match send::with_retry(Some(&ctx.metrics), || request.send_ref()).await {
                Ok(message) => {
                    sent.push(message.id);
                    ctx.metrics.reply_sent();
                    if i + 1 == n {
                        if let Ok(received) = RECEIVED.try_with(|t| *t) {
                            ctx.metrics.observe_latency(received.elapsed());
                        }
                    }
                    break;
                }
                Err(error) => match classify(&error) {
                    Failure::Blocked => {
                        info!(
                            class = error_class(&error),
                            "chat has blocked or removed the bot; skipped"
                        );
                        return Ok(sent);
                    }
                    Failure::Migrated(new_chat) if !migrated => {
                        info!("group became a supergroup; following it");
                        if let Err(e) = ctx.storage.migrate_chat(chat.0, new_chat).await {
                            warn!(cause = %e, "could not move group settings");
                        }
                        chat = ChatId(new_chat);
                        migrated = true;
                    }
                    failure => {
                        return Err(HandlerError {
                            action: "sendMessage",
                            class: error_class(&error),
                            retryable: failure == Failure::Transient,
                        });
                    }
                },
            }
        }
    }
    Ok(sent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callback_data_round_trips_and_fits_telegram() {
        for action in [
            ButtonAction::Topic("spondylolisthesis".into()),
            ButtonAction::Check {
                index: 5,
                yes: true,
            },
            ButtonAction::Check {
                index: 0,
                yes: false,
            },
        ] {
            let data = action.encode();
            assert!(data.len() <= 64);
            assert_eq!(ButtonAction::decode(&data), Some(action));
        }
        for forged in [
            "",
            "x",
            "c:yq",
            "c:1",
            "c:1:maybe",
            "c:-1:y",
            "c:999:y",
            "c:yyyyyyyyyyyyyyyyyyyyyyyyyyyy",
            &"t:".repeat(40),
        ] {
            assert_eq!(
                ButtonAction::decode(forged).filter(|a| matches!(a, ButtonAction::Check { .. })),
                None,
                "{forged:?}"
            );
        }
    }

    #[test]
    fn command_list_has_every_command() {
        let descriptions = Command::bot_commands();
        assert_eq!(descriptions.len(), 9);
        assert!(descriptions.iter().any(|c| c.command == "/redflags"));
    }
}
