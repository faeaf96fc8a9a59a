//! The group red-flag watch: an unaddressed group message that says a warning sign is
//! happening gets the urgent-care notice, at most once per cooldown, quoting the words that
//! raised it; and `/redflags`, the admins' switch for it.

use teloxide::prelude::*;
use tracing::{warn, Span};

use super::{record_action, store_failed, unix_now, HandlerResult, Turn};
use crate::domain::Question;
use crate::metrics::NoticeTrigger;
use crate::telegram::outbound::{with_retry, Target};
use crate::telegram::text;

/// Watches an unaddressed group message.
pub(super) async fn watch(
    turn: Turn<'_>,
    update_id: u32,
    msg: &Message,
    text: &str,
) -> HandlerResult {
    let ctx = turn.ctx;
    // Unaddressed messages need triage only: no topic matching, no reply composition.
    let question = Question::new(text);
    let Some(notice) = ctx.engine.watch_notice(&question) else {
        return Ok(());
    };
    Span::current().record("urgency", notice.tier.as_str());
    let chat = msg.chat.id.0;
    // Fail open: if the store cannot be read, post the notice. A duplicate is better than a miss.
    let watching = ctx.storage.red_flag_watch(chat).await.unwrap_or_else(|e| {
        store_failed("red-flag setting unreadable; posting anyway", &e);
        true
    });
    if !watching {
        record_action("red-flag-watch-off");
        return Ok(());
    }
    // Moderator alerts (emergency tier only), in their own task and with their own cooldown.
    super::alerts::raise(turn, msg, notice.tier);
    // The update id as claimant: if this update comes again (its reply failed, or a replica
    // died before sending it), it still gets its notice; an edit is a new update.
    let claimed = ctx
        .storage
        .claim_red_flag_notice(
            chat,
            i64::from(update_id),
            unix_now(),
            ctx.red_flag_cooldown,
        )
        .await
        .unwrap_or_else(|e| {
            store_failed("red-flag cooldown unreadable; posting anyway", &e);
            true
        });
    if !claimed {
        record_action("red-flag-cooldown");
        return Ok(());
    }
    record_action("red-flag-notice");
    // The chat's emergency number, read only now that a notice is going out.
    let contact = super::emergency::contact(ctx, msg.chat.id).await;
    let notice = ctx.engine.notice_for(notice, &contact);
    ctx.metrics
        .red_flag_notice(notice.tier.into(), NoticeTrigger::GroupWatch);
    // The words that called for it, quoted from the message, so the group sees why the bot
    // spoke (worked out only now that a notice is due).
    let quote = ctx.engine.red_flag_quote(&question);
    turn.send_reply_quoting(Target::reply_to(msg), &notice.reply, quote)
        .await
}

/// `/redflags [on|off]` in a group: admins switch the watch; anyone may see its state.
pub(super) async fn setting(turn: Turn<'_>, msg: &Message, arg: &str) -> HandlerResult {
    let target = Target::reply_to(msg);
    let chat = msg.chat.id.0;
    let wanted = match arg.to_ascii_lowercase().as_str() {
        "" => None,
        "on" => Some(true),
        "off" => Some(false),
        _ => return turn.send_html(target, text::REDFLAGS_USAGE, None).await,
    };
    if let Some(on) = wanted {
        if !is_admin(turn.bot, msg).await {
            return turn.send_html(target, text::REDFLAGS_NOT_ADMIN, None).await;
        }
        if let Err(e) = turn.ctx.storage.set_red_flag_watch(chat, on).await {
            warn!(cause = %e, "could not save the red-flag setting");
            return turn.send_html(target, text::APOLOGY, None).await;
        }
    }
    // Reading fails open: the watch is on unless we know it was turned off.
    let on = turn.ctx.storage.red_flag_watch(chat).await.unwrap_or(true);
    let html = if on {
        text::REDFLAGS_ON
    } else {
        text::REDFLAGS_OFF
    };
    turn.send_html(target, html, None).await
}

/// Whether the sender of `msg` is an admin of its group (an anonymous admin is).
pub(super) async fn is_admin(bot: &Bot, msg: &Message) -> bool {
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
    match with_retry(None, || bot.get_chat_member(msg.chat.id, user.id).send()).await {
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
