//! `/card`: the red-flag card, one compact message to pin in a group or keep in a private
//! chat, with a button that copies the chat's emergency number (the Bot API's copy-text
//! button). `/card pin` in a group: an admin asks the bot to pin it, which it does only when
//! it may pin there; otherwise it says how to let it.

use teloxide::prelude::*;
use teloxide::types::{
    ChatMemberKind, CopyTextButton, InlineKeyboardButton, InlineKeyboardMarkup, Me,
};
use tracing::warn;

use super::{emergency, record_action, red_flag_watch, HandlerResult, Turn};
use crate::domain::card::Card;
use crate::domain::reply::escape_html;
use crate::telegram::outbound::{with_retry, Target};
use crate::telegram::text;

/// `/card [pin]`.
pub(super) async fn send(turn: Turn<'_>, me: &Me, msg: &Message, arg: &str) -> HandlerResult {
    let target = Target::reply_to(msg);
    let private = msg.chat.is_private();
    let pin = match arg.to_ascii_lowercase().as_str() {
        "" => false,
        "pin" if !private => true,
        "pin" => false,
        _ => return turn.send_html(target, text::CARD_USAGE, None).await,
    };
    if pin {
        if !red_flag_watch::is_admin(turn.bot, msg).await {
            record_action("card-pin-not-admin");
            return turn.send_html(target, text::CARD_PIN_NOT_ADMIN, None).await;
        }
        if !bot_may_pin(turn, me, msg).await {
            record_action("card-cannot-pin");
            return turn.send_html(target, text::CARD_CANNOT_PIN, None).await;
        }
    }
    let contact = emergency::contact(turn.ctx, msg.chat.id).await;
    let card = turn.ctx.engine.card(&contact);
    let keyboard = keyboard(&card, private);
    let mut html = render(&card);
    if card.number.is_none() && !private {
        html.push_str("\n\n");
        html.push_str(text::CARD_SET_COUNTRY_HINT);
    }
    // Not a reply: a card to pin stands on its own.
    let target = Target {
        reply_to: None,
        ..target
    };
    let sent = turn.send(target, &html, keyboard).await?;
    if !pin {
        record_action("card");
        return Ok(());
    }
    record_action("card-pin");
    let Some(&first) = sent.first() else {
        return Ok(());
    };
    let chat = msg.chat.id;
    let pinned = with_retry(Some(&turn.ctx.metrics), || {
        turn.bot
            .pin_chat_message(chat, first)
            .disable_notification(true)
            .send()
    })
    .await;
    if let Err(e) = pinned {
        warn!(class = e.label(), "pinChatMessage failed");
        return turn
            .send_html(Target::reply_to(msg), text::CARD_CANNOT_PIN, None)
            .await;
    }
    Ok(())
}

/// Whether the bot may pin in this group: it is the owner, or an admin allowed to pin (in a
/// basic group every admin may pin).
async fn bot_may_pin(turn: Turn<'_>, me: &Me, msg: &Message) -> bool {
    let chat = msg.chat.id;
    match with_retry(None, || turn.bot.get_chat_member(chat, me.id).send()).await {
        Ok(member) => match member.kind {
            ChatMemberKind::Owner(_) => true,
            ChatMemberKind::Administrator(admin) => admin.can_pin_messages || msg.chat.is_group(),
            _ => false,
        },
        Err(e) => {
            warn!(
                class = e.label(),
                "getChatMember (the bot) failed; not pinning"
            );
            false
        }
    }
}

/// The card's HTML: title, each tier's heading and signs, what to do, the non-emergency line,
/// the disclaimer.
pub(super) fn render(card: &Card<'_>) -> String {
    let mut out = String::from(text::CARD_TITLE);
    for (heading, signs) in &card.tiers {
        out.push_str(&format!("\n\n<b>{}</b>", escape_html(heading)));
        for sign in signs {
            out.push_str(&format!("\n• {}", escape_html(sign)));
        }
    }
    out.push_str(&format!("\n\n<b>{}</b>", escape_html(&card.what_to_do)));
    if let Some(line) = &card.non_emergency {
        out.push_str(&format!("\n{}", escape_html(line)));
    }
    out.push_str(&format!("\n\n<i>{}</i>", escape_html(card.disclaimer)));
    out
}

/// A button that copies the number; with no setting, "Set your country" in a private chat
/// (a group's admins are told about `/emergency` by the card's text instead).
fn keyboard(card: &Card<'_>, private: bool) -> Option<InlineKeyboardMarkup> {
    match &card.number {
        Some(number) => Some(InlineKeyboardMarkup::new([[
            InlineKeyboardButton::copy_text_button(
                format!("{} {number}", text::CARD_COPY_BUTTON),
                CopyTextButton {
                    text: number.clone(),
                },
            ),
        ]])),
        None if private => Some(InlineKeyboardMarkup::new([[
            emergency::set_country_button(),
        ]])),
        None => None,
    }
}
