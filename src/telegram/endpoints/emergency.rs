//! The chat's emergency number: `/emergency` (a country, a number of the chat's own, or the
//! current setting with a paged country picker), its buttons, and `contact`, the one way every
//! endpoint that prints urgent wording learns whom to tell people to call. In a group only
//! admins change it (checked with getChatMember, as `/redflags` is); in a private chat anyone
//! sets their own.

use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, MessageId, UserId};
use tracing::warn;

use super::buttons::ButtonAction;
use super::{record_action, red_flag_watch, store_failed, BotContext, HandlerResult, Turn};
use crate::domain::reply::escape_html;
use crate::domain::{ContactError, EmergencyContact, Engine};
use crate::telegram::outbound::{with_retry, Target};
use crate::telegram::text;

/// Countries per picker page (two a row).
pub(super) const PAGE_SIZE: usize = 8;

/// The chat's emergency contact: its stored setting read through the engine, or the default
/// (the deployment's text) when there is none or the store cannot be read. Fails open: an
/// urgent block always says a number.
pub(super) async fn contact(ctx: &BotContext, chat: ChatId) -> EmergencyContact {
    match ctx.storage.emergency_setting(chat.0).await {
        Ok(setting) => ctx.engine.stored_contact(setting.as_deref()),
        Err(e) => {
            store_failed("emergency setting unreadable; using the default number", &e);
            EmergencyContact::Default
        }
    }
}

/// `/emergency [CODE|NUMBER|off]`.
pub(super) async fn setting(turn: Turn<'_>, msg: &Message, arg: &str) -> HandlerResult {
    let target = Target::reply_to(msg);
    let engine = &turn.ctx.engine;
    if arg.is_empty() {
        let current = contact(turn.ctx, msg.chat.id).await;
        let html = format!("{}\n\n{}", describe(engine, &current), text::EMERGENCY_PICK);
        return turn.send_html(target, &html, Some(picker(engine, 0))).await;
    }
    let wanted = if matches!(
        arg.to_ascii_lowercase().as_str(),
        "off" | "reset" | "default"
    ) {
        Ok(EmergencyContact::Default)
    } else {
        engine.parse_contact(arg)
    };
    let wanted = match wanted {
        Ok(wanted) => wanted,
        Err(e) => return turn.send_html(target, &refusal(&e), None).await,
    };
    if !msg.chat.is_private() && !red_flag_watch::is_admin(turn.bot, msg).await {
        record_action("emergency-not-admin");
        return turn
            .send_html(target, text::EMERGENCY_NOT_ADMIN, None)
            .await;
    }
    save(turn, target, &wanted).await
}

/// Saves a setting and says what it is now.
async fn save(turn: Turn<'_>, target: Target, wanted: &EmergencyContact) -> HandlerResult {
    record_action("emergency-set");
    if let Err(e) = turn
        .ctx
        .storage
        .set_emergency_setting(target.chat.0, wanted.setting())
        .await
    {
        warn!(cause = %e, "could not save the emergency setting");
        return turn.send_html(target, text::APOLOGY, None).await;
    }
    let html = format!(
        "{}\n{}",
        describe(&turn.ctx.engine, wanted),
        text::EMERGENCY_SAVED
    );
    turn.send_html(target, &html, None).await
}

/// What a setting means, in one or two lines of HTML.
pub(super) fn describe(engine: &Engine, contact: &EmergencyContact) -> String {
    match (contact, engine.emergency_number(contact)) {
        (EmergencyContact::Country(code), Some(number)) => {
            let country = engine.country(code);
            let name = country.map_or(code.as_str(), |c| c.name.as_str());
            let mut out = format!(
                "{} <b>{}</b>: {} <b>{}</b>.",
                text::EMERGENCY_CURRENT,
                escape_html(name),
                text::EMERGENCY_CALL,
                escape_html(&number)
            );
            if let Some(line) = country.and_then(|c| c.non_emergency.as_ref()) {
                out.push_str(&format!(
                    "\n{} {} (<b>{}</b>).",
                    text::EMERGENCY_NON_EMERGENCY,
                    escape_html(&line.name),
                    escape_html(&line.number)
                ));
            }
            out
        }
        (_, Some(number)) => format!(
            "{} {} <b>{}</b>.",
            text::EMERGENCY_CURRENT_CUSTOM,
            text::EMERGENCY_CALL,
            escape_html(&number)
        ),
        (_, None) => format!(
            "{} “{}”.",
            text::EMERGENCY_CURRENT_DEFAULT,
            escape_html(engine.default_said())
        ),
    }
}

fn refusal(error: &ContactError) -> String {
    match error {
        ContactError::UnknownCountry(code) => format!(
            "{} <b>{}</b>. {}",
            text::EMERGENCY_UNKNOWN_COUNTRY,
            escape_html(code),
            text::EMERGENCY_USAGE
        ),
        ContactError::BadNumber => {
            format!("{} {}", text::EMERGENCY_BAD_NUMBER, text::EMERGENCY_USAGE)
        }
        ContactError::Unreadable => text::EMERGENCY_USAGE.to_owned(),
    }
}

/// The country picker's page `page` (0-based): two countries a row, then the page buttons.
pub(super) fn picker(engine: &Engine, page: usize) -> InlineKeyboardMarkup {
    let countries = engine.countries();
    let pages = countries.len().div_ceil(PAGE_SIZE).max(1);
    let page = page.min(pages - 1);
    let buttons: Vec<InlineKeyboardButton> = countries
        .iter()
        .skip(page * PAGE_SIZE)
        .take(PAGE_SIZE)
        .map(|c| {
            InlineKeyboardButton::callback(
                format!("{} ({})", c.name, c.number()),
                ButtonAction::EmergencyCountry(c.code.clone()).encode(),
            )
        })
        .collect();
    let mut rows: Vec<Vec<InlineKeyboardButton>> = buttons
        .chunks(2)
        .map(<[InlineKeyboardButton]>::to_vec)
        .collect();
    let mut nav = Vec::new();
    if page > 0 {
        nav.push(InlineKeyboardButton::callback(
            text::PICKER_BACK,
            ButtonAction::EmergencyPage(page - 1).encode(),
        ));
    }
    if page + 1 < pages {
        nav.push(InlineKeyboardButton::callback(
            text::PICKER_MORE,
            ButtonAction::EmergencyPage(page + 1).encode(),
        ));
    }
    if !nav.is_empty() {
        rows.push(nav);
    }
    InlineKeyboardMarkup::new(rows)
}

/// `keyboard` with "Set your country" added under an urgent reply in a private chat with no
/// setting (`private` and the default contact); otherwise as it is.
pub(super) fn offer_country(
    keyboard: Option<InlineKeyboardMarkup>,
    private: bool,
    contact: &EmergencyContact,
) -> Option<InlineKeyboardMarkup> {
    if private && *contact == EmergencyContact::Default {
        Some(
            keyboard
                .unwrap_or_default()
                .append_row([set_country_button()]),
        )
    } else {
        keyboard
    }
}

/// The button under urgent replies in a private chat with no setting.
pub(super) fn set_country_button() -> InlineKeyboardButton {
    InlineKeyboardButton::callback(
        text::SET_COUNTRY_BUTTON,
        ButtonAction::EmergencyOpen.encode(),
    )
}

/// A picker button: "Set your country" under a reply (the picker, in a new message), a page
/// (edits the picker in place) or a country (saved; in a group, only an admin's press).
pub(super) async fn on_button(
    turn: Turn<'_>,
    query: &CallbackQuery,
    action: &ButtonAction,
) -> HandlerResult {
    let engine = &turn.ctx.engine;
    let Some(message) = query.message.as_ref() else {
        return answer_query(turn, query, Some(text::STALE_BUTTON)).await;
    };
    let chat = message.chat();
    let private = chat.is_private();
    let thread = message
        .regular_message()
        .filter(|r| r.is_topic_message)
        .and_then(|r| r.thread_id);
    let target = Target {
        chat: chat.id,
        thread,
        reply_to: None,
    };
    match action {
        ButtonAction::EmergencyOpen => {
            // The "Set your country" button under a reply: the picker in a new message.
            record_action("emergency-picker");
            answer_query(turn, query, None).await?;
            let html = format!(
                "{}\n\n{}",
                describe(engine, &contact(turn.ctx, chat.id).await),
                text::EMERGENCY_PICK
            );
            turn.send_html(target, &html, Some(picker(engine, 0))).await
        }
        ButtonAction::EmergencyPage(page) => {
            record_action("emergency-page");
            answer_query(turn, query, None).await?;
            edit_picker(turn, chat.id, message.id(), picker(engine, *page)).await;
            Ok(())
        }
        ButtonAction::EmergencyCountry(code) => {
            let Ok(wanted) = engine.parse_contact(code) else {
                return answer_query(turn, query, Some(text::STALE_BUTTON)).await;
            };
            if !private && !is_admin_user(turn.bot, chat.id, query.from.id).await {
                record_action("emergency-not-admin");
                return answer_query(turn, query, Some(text::EMERGENCY_NOT_ADMIN)).await;
            }
            answer_query(turn, query, None).await?;
            save(turn, target, &wanted).await
        }
        _ => answer_query(turn, query, Some(text::STALE_BUTTON)).await,
    }
}

/// Answers the callback query, so the button stops spinning; a failure is only logged.
async fn answer_query(turn: Turn<'_>, query: &CallbackQuery, says: Option<&str>) -> HandlerResult {
    let mut answer = turn.bot.answer_callback_query(query.id.clone());
    if let Some(says) = says {
        answer = answer.text(says);
    }
    if let Err(e) = with_retry(Some(&turn.ctx.metrics), || answer.clone().send()).await {
        warn!(class = e.label(), "answerCallbackQuery failed");
    }
    Ok(())
}

async fn edit_picker(
    turn: Turn<'_>,
    chat: ChatId,
    message: MessageId,
    markup: InlineKeyboardMarkup,
) {
    let result = with_retry(Some(&turn.ctx.metrics), || {
        turn.bot
            .edit_message_reply_markup(chat, message)
            .reply_markup(markup.clone())
            .send()
    })
    .await;
    if let Err(e) = result {
        warn!(class = e.label(), "editMessageReplyMarkup failed");
    }
}

/// Whether `user` is an admin (or the owner) of `chat`; a failed check says no.
pub(super) async fn is_admin_user(bot: &Bot, chat: ChatId, user: UserId) -> bool {
    match with_retry(None, || bot.get_chat_member(chat, user).send()).await {
        Ok(member) => member.is_privileged(),
        Err(e) => {
            warn!(
                class = e.label(),
                "getChatMember failed; treating the user as not an admin"
            );
            false
        }
    }
}
