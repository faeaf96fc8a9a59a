//! Edge: the Telegram bot. The only module that imports teloxide.
//!
//! Turns updates into questions and replies into API calls; all answering happens in
//! `crate::domain`. Start-up: open storage, `getMe` ourselves (so a bad token or an unreachable
//! server is one clear error, not teloxide's panic), register commands, then long-poll through
//! a listener that drops unparseable updates. SIGINT and SIGTERM stop taking updates, let the
//! replies in flight finish, and return.

pub mod handlers;
pub mod listener;
pub mod send;
pub mod text;

use std::sync::Arc;
use std::time::Duration;

use teloxide::adaptors::throttle::Limits;
use teloxide::adaptors::Throttle;
use teloxide::dispatching::Dispatcher;
use teloxide::prelude::*;
use teloxide::types::{BotCommand, BotCommandScope, UpdateKind};
use teloxide::update_listeners::Polling;
use teloxide::utils::command::BotCommands;
use teloxide::{ApiError, RequestError};
use tracing::{debug, info, warn};

use crate::config::RunConfig;
use crate::domain::Engine;
use crate::storage::Storage;
use handlers::{BotContext, Command, HandlerError};
use listener::RedactingListener;

/// The bot type every endpoint receives: teloxide's `Bot` behind its flood-control adaptor.
pub type TgBot = Throttle<Bot>;

/// Why the bot could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// getMe said the token is not valid.
    #[error("the Bot API rejected the bot token (getMe: unauthorized); check TELOXIDE_TOKEN")]
    TokenRejected,
    /// getMe could not be completed.
    #[error("cannot reach the Bot API at {url} (getMe failed: {class})")]
    Unreachable {
        /// The API URL.
        url: String,
        /// Error class.
        class: &'static str,
    },
}

/// Runs the bot until SIGINT or SIGTERM.
///
/// # Errors
/// Start-up failures (`StartError`); once dispatching, errors are logged, never returned.
pub async fn run(config: &RunConfig, engine: Arc<Engine>, storage: Arc<dyn Storage>) -> Result<(), StartError> {
    // Register for SIGTERM before anything else: until a handler is registered, SIGTERM kills
    // the process outright, whatever is in flight.
    let stop_signal = StopSignal::register();
    let mut bot = Bot::new(config.token.expose());
    if let Some(url) = &config.api_url {
        bot = bot.set_api_url(url.clone());
    }
    let me = match bot.get_me().send().await {
        Ok(me) => me,
        Err(RequestError::Api(ApiError::InvalidToken)) => return Err(StartError::TokenRejected),
        Err(e) => {
            let url = config.api_url.as_ref().map_or_else(|| "https://api.telegram.org".to_owned(), ToString::to_string);
            return Err(StartError::Unreachable { url, class: send::error_class(&e) });
        }
    };
    info!(bot_id = me.id.0, can_read_all_group_messages = me.can_read_all_group_messages, "connected to the Bot API");
    let bot = bot.throttle(Limits::default());
    register_commands(&bot).await;

    let context = Arc::new(BotContext { engine, storage, red_flag_cooldown: config.red_flag_cooldown });
    let mut dispatcher = Dispatcher::builder(bot.clone(), handlers::schema())
        .dependencies(dptree::deps![context])
        // teloxide's own default handler logs the whole update (text, names) at WARN.
        .default_handler(|update: Arc<Update>| async move {
            debug!(update_id = update.id.0, kind = update_kind(&update), "ignored update");
        })
        .error_handler(Arc::new(|error: HandlerError| async move {
            warn!(cause = %error, "update failed");
        }))
        .build();
    // The long-poll timeout must stay under the HTTP client's own timeout (17 s in teloxide
    // 0.17, which does not lengthen it for getUpdates): a longer poll is cut off as a network
    // error on every quiet spell, and teloxide's backoff then delays the next poll by up to a
    // minute. 10 s is teloxide's own default.
    let listener = RedactingListener(Polling::builder(bot.clone()).timeout(Duration::from_secs(10)).delete_webhook().await.build());

    let shutdown = dispatcher.shutdown_token();
    tokio::spawn(async move {
        stop_signal.wait().await;
        info!("stop signal received: finishing replies in flight");
        match shutdown.shutdown() {
            Ok(done) => done.await,
            // Not dispatching yet (signal during start-up): nothing is in flight.
            Err(_) => std::process::exit(0),
        }
    });

    let listener_errors = Arc::new(|error: RequestError| async move {
        warn!(class = send::error_class(&error), "getUpdates failed");
    });
    if let Err(e) = dispatcher.try_dispatch_with_listener(listener, listener_errors).await {
        let url = config.api_url.as_ref().map_or_else(|| "https://api.telegram.org".to_owned(), ToString::to_string);
        return Err(StartError::Unreachable { url, class: send::error_class(&e) });
    }
    info!("stopped");
    Ok(())
}

/// The command lists: private chats get the personal ones, groups the group ones.
fn command_lists() -> (Vec<BotCommand>, Vec<BotCommand>) {
    let all = Command::bot_commands();
    let pick = |names: &[&str]| all.iter().filter(|c| names.contains(&c.command.trim_start_matches('/'))).cloned().collect::<Vec<_>>();
    let strip = |list: Vec<BotCommand>| list.into_iter().map(|c| BotCommand::new(c.command.trim_start_matches('/'), c.description)).collect();
    (
        strip(pick(&["start", "help", "topics", "urgent", "check", "about", "privacy"])),
        strip(pick(&["ask", "check", "urgent", "topics", "help", "redflags", "about", "privacy"])),
    )
}

async fn register_commands(bot: &TgBot) {
    let (private, group) = command_lists();
    for (commands, scope) in [(private, BotCommandScope::AllPrivateChats), (group, BotCommandScope::AllGroupChats)] {
        let result = send::with_retry(|| bot.set_my_commands(commands.clone()).scope(scope.clone()).send()).await;
        if let Err(e) = result {
            warn!(class = send::error_class(&e), "setMyCommands failed; the command menu may be out of date");
        }
    }
}

fn update_kind(update: &Update) -> &'static str {
    match &update.kind {
        UpdateKind::Message(_) => "message",
        UpdateKind::EditedMessage(_) => "edited_message",
        UpdateKind::ChannelPost(_) => "channel_post",
        UpdateKind::EditedChannelPost(_) => "edited_channel_post",
        UpdateKind::CallbackQuery(_) => "callback_query",
        UpdateKind::MyChatMember(_) => "my_chat_member",
        UpdateKind::ChatMember(_) => "chat_member",
        UpdateKind::InlineQuery(_) => "inline_query",
        UpdateKind::Error(_) => "unparseable",
        _ => "other",
    }
}

/// SIGINT or SIGTERM, registered when created (teloxide's own handler knows only SIGINT, and
/// SIGTERM is what systemd and Docker send).
struct StopSignal {
    #[cfg(unix)]
    terminate: Option<tokio::signal::unix::Signal>,
    interrupt: futures::future::BoxFuture<'static, std::io::Result<()>>,
}

impl StopSignal {
    fn register() -> Self {
        // `ctrl_c()` registers its handler on first poll; poll it once now.
        let mut interrupt: futures::future::BoxFuture<'static, std::io::Result<()>> = Box::pin(tokio::signal::ctrl_c());
        let _ = futures::FutureExt::now_or_never(&mut interrupt);
        Self {
            #[cfg(unix)]
            terminate: tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok(),
            interrupt,
        }
    }

    async fn wait(self) {
        #[cfg(unix)]
        if let Some(mut terminate) = self.terminate {
            tokio::select! {
                _ = self.interrupt => {}
                _ = terminate.recv() => {}
            }
            return;
        }
        let _ = self.interrupt.await;
    }
}
