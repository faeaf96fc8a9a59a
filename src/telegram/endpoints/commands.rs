//! Commands: the list Telegram shows in its menus, and what each command does. The longer
//! flows live with their feature: `/check` in `check.rs`, `/redflags` in `red_flag_watch.rs`.

use teloxide::prelude::*;
use teloxide::types::{
    BotCommand, BotCommandScope, InlineKeyboardButton, InlineKeyboardMarkup, Me,
};
use teloxide::utils::command::BotCommands;
use tracing::warn;

use super::question::Conversation;
use super::{
    alerts, buttons, card, check, emergency, question, record_action, red_flag_watch,
    HandlerResult, Turn,
};
use crate::domain::reply::escape_html;
use crate::domain::Engine;
use crate::telegram::outbound::{with_retry, Target};
use crate::telegram::text;

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
    // Moderator alerts (opt-in, per admin).
    #[command(description = "admins: a private alert on an emergency")]
    Alerts(String),
    // The chat's emergency number (issue 11).
    #[command(description = "the emergency number I give: your country")]
    Emergency(String),
    // The red-flag card (issue 11).
    #[command(description = "the red-flag card, to keep or pin")]
    Card(String),
}

impl Command {
    /// The command's name, for the update's span.
    fn name(&self) -> &'static str {
        match self {
            Self::Start(_) => "start",
            Self::Help => "help",
            Self::Topics => "topics",
            Self::Urgent => "urgent",
            Self::Check => "check",
            Self::Ask(_) => "ask",
            Self::About => "about",
            Self::Privacy => "privacy",
            Self::Redflags(_) => "redflags",
            Self::Alerts(_) => "alerts",
            Self::Emergency(_) => "emergency",
            Self::Card(_) => "card",
        }
    }
}

/// Runs `command`, sent in `msg`.
pub(super) async fn handle(
    turn: Turn<'_>,
    me: &Me,
    msg: &Message,
    command: Command,
) -> HandlerResult {
    let private = msg.chat.is_private();
    let target = Target::reply_to(msg);
    let engine = &turn.ctx.engine;
    record_action(command.name());
    match command {
        Command::Start(payload) if private && payload.trim() == "check" => {
            check::start(turn, target).await
        }
        Command::Start(payload) if private && payload.trim() == "alerts" => {
            turn.send_html(target, text::ALERTS_START, None).await
        }
        Command::Start(_) if private => {
            let keyboard = buttons::topic_keyboard(engine);
            turn.send_html(target, text::START, Some(keyboard)).await
        }
        Command::Start(_) | Command::Help => turn.send_html(target, text::HELP, None).await,
        Command::Topics => {
            let keyboard = buttons::topic_keyboard(engine);
            turn.send_html(target, text::TOPICS, Some(keyboard)).await
        }
        Command::Urgent => urgent(turn, target, private).await,
        Command::Check if private => check::start(turn, target).await,
        Command::Check => {
            let keyboard = check_link(me).map(|url| {
                InlineKeyboardMarkup::new([[InlineKeyboardButton::url(text::CHECK_BUTTON, url)]])
            });
            turn.send_html(target, text::CHECK_IN_GROUP, keyboard).await
        }
        Command::Ask(asked) if asked.trim().is_empty() => {
            turn.send_html(target, text::ASK_EMPTY, None).await
        }
        Command::Ask(asked) => {
            let conversation = if private {
                Conversation::Private
            } else {
                Conversation::Group
            };
            question::answer(turn, target, &asked, conversation, msg).await
        }
        Command::About => turn.send_html(target, &about(engine), None).await,
        Command::Privacy => turn.send_html(target, text::PRIVACY, None).await,
        Command::Redflags(_) if private => {
            turn.send_html(target, text::REDFLAGS_PRIVATE, None).await
        }
        Command::Redflags(arg) => red_flag_watch::setting(turn, msg, arg.trim()).await,
        Command::Alerts(_) if private => turn.send_html(target, text::ALERTS_PRIVATE, None).await,
        Command::Alerts(arg) => alerts::setting(turn, me, msg, arg.trim()).await,
        Command::Emergency(arg) => emergency::setting(turn, msg, arg.trim()).await,
        Command::Card(arg) => card::send(turn, me, msg, arg.trim()).await,
    }
}

/// `/urgent`: the criteria, saying the chat's number; in a private chat with no setting, a
/// "Set your country" button under them.
async fn urgent(turn: Turn<'_>, target: Target, private: bool) -> HandlerResult {
    let engine = &turn.ctx.engine;
    let contact = emergency::contact(turn.ctx, target.chat).await;
    let reply = engine.urgent_care_reply_for(&contact);
    let keyboard =
        emergency::offer_country(buttons::reply_keyboard(engine, &reply), private, &contact);
    // The group layout folds the list of signs, as every urgent reply in a group does.
    turn.send_html(target, &super::reply_html(target, &reply), keyboard)
        .await
}

fn check_link(me: &Me) -> Option<url::Url> {
    url::Url::parse(&format!("https://t.me/{}?start=check", me.username())).ok()
}

/// `/about`: our heading, every red flag with its source, then the disclaimer.
fn about(engine: &Engine) -> String {
    let about = engine.about();
    let mut out = String::from(text::ABOUT);
    for (label, source) in about.sources {
        out.push_str(&format!(
            "\n• {}: {}",
            escape_html(label),
            escape_html(source)
        ));
    }
    out.push_str(&format!("\n\n<i>{}</i>", escape_html(about.disclaimer)));
    out
}

/// The command lists: private chats get the personal ones, groups the group ones.
fn command_lists() -> (Vec<BotCommand>, Vec<BotCommand>) {
    let all = Command::bot_commands();
    let pick = |names: &[&str]| {
        all.iter()
            .filter(|c| names.contains(&c.command.trim_start_matches('/')))
            .cloned()
            .collect::<Vec<_>>()
    };
    let strip = |list: Vec<BotCommand>| {
        list.into_iter()
            .map(|c| BotCommand::new(c.command.trim_start_matches('/'), c.description))
            .collect()
    };
    (
        strip(pick(&[
            "start",
            "help",
            "topics",
            "urgent",
            "check",
            "about",
            "privacy",
            "emergency",
            "card",
        ])),
        strip(pick(&[
            "ask",
            "check",
            "urgent",
            "topics",
            "help",
            "redflags",
            "about",
            "privacy",
            "emergency",
            "card",
            "alerts",
        ])),
    )
}

/// Registers the command menus: the personal list for private chats, the group list for
/// groups. A failure is logged: the bot works without a menu.
pub async fn register_commands(bot: &Bot) {
    let (private, group) = command_lists();
    for (commands, scope) in [
        (private, BotCommandScope::AllPrivateChats),
        (group, BotCommandScope::AllGroupChats),
    ] {
        let result = with_retry(None, || {
            bot.set_my_commands(commands.clone())
                .scope(scope.clone())
                .send()
        })
        .await;
        if let Err(e) = result {
            warn!(
                class = e.label(),
                "setMyCommands failed; the command menu may be out of date"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_list_has_every_command() {
        let descriptions = Command::bot_commands();
        assert_eq!(descriptions.len(), 12);
        assert!(descriptions.iter().any(|c| c.command == "/redflags"));
        assert!(descriptions.iter().any(|c| c.command == "/alerts"));
    }

    #[test]
    fn both_menus_offer_the_emergency_number_and_the_card() {
        let (private, group) = command_lists();
        for list in [&private, &group] {
            for name in ["emergency", "card"] {
                assert!(list.iter().any(|c| c.command == name), "{name}");
            }
        }
    }
}
