//! Moderator alerts (opt-in): `/alerts on|off` lets a group admin who has started the bot in
//! private get a private message when an emergency-tier red flag is posted in the group (the
//! watch, or a question addressed to the bot).
//!
//! The alert says which group (its title), when (UTC), the tier, and links to the message
//! (supergroups and public groups have message links; a basic group has none, so its title has
//! to do). Never the message's text, never its author. It goes out in its own task, so it never
//! delays the group's notice, at most once per group per cooldown (`claim_alert`, apart from the
//! notice's claim); an admin who was demoted or blocked the bot is dropped from the list. Only
//! the admins' user ids are stored.

use std::sync::Arc;
use std::time::Instant;

use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, Me};
use tracing::{field, info, info_span, warn, Instrument, Span};

use super::{record_action, store_failed, unix_now, BotContext, HandlerResult, Turn};
use crate::domain::reply::escape_html;
use crate::domain::Tier;
use crate::storage::UserId;
use crate::telegram::outbound::{with_retry, Target};
use crate::telegram::text;

/// Telegram's supergroup and channel ids are `-100` followed by the internal id.
const SUPERGROUP_ID_OFFSET: i64 = 1_000_000_000_000;

/// `/alerts [on|off]` in a group: the sender's own alerts.
pub(super) async fn setting(turn: Turn<'_>, me: &Me, msg: &Message, arg: &str) -> HandlerResult {
    let target = Target::reply_to(msg);
    let wanted = match arg.to_ascii_lowercase().as_str() {
        "" => None,
        "on" => Some(true),
        "off" => Some(false),
        _ => return turn.send_html(target, text::ALERTS_USAGE, None).await,
    };
    // Posting as the group (an anonymous admin) or as a channel: there is nobody to message.
    let user = match (&msg.sender_chat, &msg.from) {
        (None, Some(user)) => i64::try_from(user.id.0).ok(),
        _ => None,
    };
    let Some(user) = user else {
        return turn.send_html(target, text::ALERTS_ANONYMOUS, None).await;
    };
    let chat = msg.chat.id.0;
    let storage = &turn.ctx.storage;
    match wanted {
        None => {
            let html = match storage.alert_admins(chat).await {
                Ok(admins) if admins.contains(&user) => text::ALERTS_ON_FOR_YOU,
                Ok(_) => text::ALERTS_OFF_FOR_YOU,
                Err(e) => {
                    warn!(cause = %e, "could not read the alert list");
                    text::APOLOGY
                }
            };
            turn.send_html(target, html, None).await
        }
        // Anyone may stop their own alerts, admin or not any more.
        Some(false) => {
            let html = match storage.set_alert_admin(chat, user, false).await {
                Ok(()) => text::ALERTS_TURNED_OFF,
                Err(e) => {
                    warn!(cause = %e, "could not save the alert setting");
                    text::APOLOGY
                }
            };
            turn.send_html(target, html, None).await
        }
        Some(true) => turn_on(turn, me, msg, user).await,
    }
}

/// `/alerts on`: admins only, and only once a private message to them gets through.
async fn turn_on(turn: Turn<'_>, me: &Me, msg: &Message, user: UserId) -> HandlerResult {
    let target = Target::reply_to(msg);
    let chat = msg.chat.id.0;
    if still_admin(turn.bot, chat, user).await != Some(true) {
        return turn.send_html(target, text::ALERTS_NOT_ADMIN, None).await;
    }
    if let Err(e) = turn.ctx.storage.set_alert_admin(chat, user, true).await {
        warn!(cause = %e, "could not save the alert setting");
        return turn.send_html(target, text::APOLOGY, None).await;
    }
    // The confirmation in private is also the test: Telegram refuses (403) a private message
    // to someone who never started the bot, or who blocked it.
    let title = escape_html(msg.chat.title().unwrap_or(text::ALERTS_UNTITLED));
    let welcome = format!(
        "{}<b>{title}</b>.\n\n{}",
        text::ALERTS_WELCOME,
        text::ALERTS_WHAT
    );
    let sent = turn
        .ctx
        .outbound
        .send(Target::chat(ChatId(user)), &welcome, None, turn.received)
        .await;
    match sent {
        Ok(ids) if !ids.is_empty() => {
            record_action("alerts-on");
            turn.send_html(target, text::ALERTS_TURNED_ON, None).await
        }
        outcome => {
            if let Err(e) = &outcome {
                warn!(class = e.label(), "alert confirmation not sent");
            }
            // Not stored: the bot cannot reach them.
            if let Err(e) = turn.ctx.storage.set_alert_admin(chat, user, false).await {
                warn!(cause = %e, "could not undo the alert setting");
            }
            record_action("alerts-not-started");
            let keyboard = start_link(me).map(|url| {
                InlineKeyboardMarkup::new([[InlineKeyboardButton::url(
                    text::ALERTS_START_BUTTON,
                    url,
                )]])
            });
            turn.send_html(target, text::ALERTS_START_FIRST, keyboard)
                .await
        }
    }
}

/// The bot's private chat, opened with `/start alerts`.
fn start_link(me: &Me) -> Option<url::Url> {
    url::Url::parse(&format!("https://t.me/{}?start=alerts", me.username())).ok()
}

/// Whether `user` is an admin of `chat` now: None when Telegram could not say.
async fn still_admin(bot: &Bot, chat: i64, user: UserId) -> Option<bool> {
    let Ok(user) = u64::try_from(user) else {
        return Some(false);
    };
    let asked = with_retry(None, || {
        bot.get_chat_member(ChatId(chat), teloxide::types::UserId(user))
            .send()
    })
    .await;
    match asked {
        Ok(member) => Some(member.is_privileged()),
        Err(e) => {
            warn!(class = e.label(), "getChatMember failed");
            None
        }
    }
}

/// Where a red flag was posted: what an alert may say about it (no text, no author).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Place {
    chat: i64,
    message: i32,
    title: String,
    username: Option<String>,
    supergroup: bool,
    /// Unix seconds.
    at: i64,
}

impl Place {
    fn of(msg: &Message) -> Self {
        Self {
            chat: msg.chat.id.0,
            message: msg.id.0,
            title: msg.chat.title().unwrap_or(text::ALERTS_UNTITLED).to_owned(),
            username: msg.chat.username().map(str::to_owned),
            supergroup: msg.chat.is_supergroup(),
            at: msg.edit_date().unwrap_or(&msg.date).timestamp(),
        }
    }

    /// The message's link: `t.me/<username>/<id>` for a public group, `t.me/c/<internal
    /// id>/<id>` for a supergroup (members only); None for a basic group.
    fn link(&self) -> Option<String> {
        if let Some(username) = &self.username {
            return Some(format!("https://t.me/{username}/{}", self.message));
        }
        let internal = -self.chat - SUPERGROUP_ID_OFFSET;
        (self.supergroup && internal > 0)
            .then(|| format!("https://t.me/c/{internal}/{}", self.message))
    }
}

/// The alert's text and, where the message has a link, its button. A button rather than the
/// link in the text: Telegram would preview the link, and a public group's preview shows the
/// message itself.
fn alert(place: &Place, tier: Tier) -> (String, Option<InlineKeyboardMarkup>) {
    let link = place
        .link()
        .and_then(|link| url::Url::parse(&link).ok())
        .map(|url| {
            InlineKeyboardMarkup::new([[InlineKeyboardButton::url(text::ALERT_OPEN_BUTTON, url)]])
        });
    let where_line = if link.is_some() {
        text::ALERT_HAS_LINK
    } else {
        text::ALERT_NO_LINK
    };
    let html = format!(
        "{}\nGroup: <b>{}</b>\nWhen: {}\nTier: <b>{}</b>\n{where_line}\n\n{}",
        text::ALERT_HEADING,
        escape_html(&place.title),
        utc_minute(place.at),
        tier.as_str(),
        text::ALERT_FOOTER,
    );
    (html, link)
}

/// Unix seconds as `YYYY-MM-DD HH:MM UTC` (proleptic Gregorian calendar).
fn utc_minute(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let seconds = unix.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        seconds / 3_600,
        seconds % 3_600 / 60
    )
}

/// An emergency-tier red flag was posted in a group: alerts its opted-in admins, in a task of
/// its own. Any other tier, or a private chat, does nothing.
pub(super) fn raise(turn: Turn<'_>, msg: &Message, tier: Tier) {
    if tier != Tier::Emergency || !(msg.chat.is_group() || msg.chat.is_supergroup()) {
        return;
    }
    let place = Place::of(msg);
    let ctx = Arc::clone(turn.ctx);
    let bot = turn.bot.clone();
    let span = info_span!(
        parent: None,
        "red_flag_alert",
        admins = field::Empty,
        sent = field::Empty,
        dropped = field::Empty,
    );
    tokio::spawn(send_alerts(bot, ctx, place, tier).instrument(span));
}

async fn send_alerts(bot: Bot, ctx: Arc<BotContext>, place: Place, tier: Tier) {
    let chat = place.chat;
    let admins = match ctx.storage.alert_admins(chat).await {
        Ok(admins) if admins.is_empty() => return,
        Ok(admins) => admins,
        Err(e) => {
            store_failed("alert list unreadable; no alert sent", &e);
            return;
        }
    };
    let span = Span::current();
    span.record("admins", admins.len());
    // Fail open, as the notice does: a second alert is better than none.
    let claimed = ctx
        .storage
        .claim_alert(chat, unix_now(), ctx.red_flag_cooldown)
        .await
        .unwrap_or_else(|e| {
            store_failed("alert cooldown unreadable; alerting anyway", &e);
            true
        });
    if !claimed {
        info!("alert within the cooldown; not sent");
        return;
    }
    let (html, keyboard) = alert(&place, tier);
    let (mut sent, mut dropped) = (0_usize, 0_usize);
    for admin in admins {
        // Unknown (Telegram did not answer): alert anyway, and ask again next time.
        let keep = match still_admin(&bot, chat, admin).await {
            Some(false) => false,
            Some(true) | None => {
                let target = Target::chat(ChatId(admin));
                match ctx
                    .outbound
                    .send(target, &html, keyboard.clone(), Instant::now())
                    .await
                {
                    Ok(ids) => {
                        sent += usize::from(!ids.is_empty());
                        // Nothing sent: the admin blocked the bot (403).
                        !ids.is_empty()
                    }
                    Err(e) => {
                        warn!(class = e.label(), "alert not sent");
                        true
                    }
                }
            }
        };
        if !keep {
            dropped += 1;
            if let Err(e) = ctx.storage.set_alert_admin(chat, admin, false).await {
                warn!(cause = %e, "could not drop an admin from the alert list");
            }
        }
    }
    span.record("sent", sent);
    span.record("dropped", dropped);
    info!("red-flag alerts done");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(chat: i64, username: Option<&str>, supergroup: bool) -> Place {
        Place {
            chat,
            message: 42,
            title: "Back <pain> & friends".to_owned(),
            username: username.map(str::to_owned),
            supergroup,
            at: 1_796_223_840,
        }
    }

    #[test]
    fn links_follow_the_kind_of_group() {
        assert_eq!(
            place(-1_001_234_567_890, None, true).link().as_deref(),
            Some("https://t.me/c/1234567890/42")
        );
        assert_eq!(
            place(-1_001_234_567_890, Some("backpain"), true)
                .link()
                .as_deref(),
            Some("https://t.me/backpain/42")
        );
        assert_eq!(place(-5001, None, false).link(), None);
    }

    #[test]
    fn utc_minutes_are_calendar_dates() {
        assert_eq!(utc_minute(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc_minute(951_782_400), "2000-02-29 00:00 UTC");
        assert_eq!(utc_minute(1_796_223_840), "2026-12-02 15:04 UTC");
    }

    #[test]
    fn the_alert_names_the_group_escaped_and_a_basic_group_has_no_button() {
        let (html, keyboard) = alert(&place(-5001, None, false), Tier::Emergency);
        assert!(
            html.contains("<b>Back &lt;pain&gt; &amp; friends</b>"),
            "{html}"
        );
        assert!(html.contains("2026-12-02 15:04 UTC"), "{html}");
        assert!(html.contains("emergency"), "{html}");
        assert!(html.contains(text::ALERT_NO_LINK), "{html}");
        assert!(keyboard.is_none());
        let (html, keyboard) = alert(&place(-1_001_234_567_890, None, true), Tier::Emergency);
        assert!(html.contains(text::ALERT_HAS_LINK), "{html}");
        assert!(keyboard.is_some());
    }
}
