//! Group addressing: which group messages are questions for the bot, and the introduction
//! when the bot joins a group.

use teloxide::types::{ChatMemberUpdated, Me, Message, MessageEntityKind};

use super::question::Conversation;
use super::{record_action, HandlerResult, Turn};
use crate::telegram::outbound::Target;
use crate::telegram::text;

/// The question of a group message addressed to the bot (a mention or a reply to the bot), with
/// the mention removed, and whether it replies to one of the bot's messages; `None` when the
/// message is not addressed to the bot.
pub(super) fn addressed_question(
    msg: &Message,
    me: &Me,
    text: &str,
) -> Option<(String, Conversation)> {
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

/// The bot's membership changed: when it was added to a group, introduce itself and say
/// whether the red-flag watch can see the group's messages.
pub(super) async fn on_joined(
    turn: Turn<'_>,
    me: &Me,
    change: &ChatMemberUpdated,
) -> HandlerResult {
    let joined = !change.old_chat_member.is_present() && change.new_chat_member.is_present();
    let is_group = change.chat.is_group() || change.chat.is_supergroup();
    if !(joined && is_group && change.new_chat_member.user.id == me.id) {
        return Ok(());
    }
    record_action("intro");
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
    turn.send_html(Target::chat(change.chat.id), &html, None)
        .await
}
