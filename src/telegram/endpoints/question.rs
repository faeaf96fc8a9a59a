//! A question: a private message, or a group message addressed to the bot (`group.rs`). Asks
//! the engine in the context of the answer it follows, counts the reply, sends it, and keeps
//! its topic as the context of a follow-up.

use tracing::Span;

use super::{buttons, emergency, store_failed, unix_now, HandlerResult, Turn};
use crate::domain::Tier;
use crate::domain::{EmergencyContact, Question, ReplyKind, TopicId, FOLLOW_UP_WINDOW};
use crate::metrics::NoticeTrigger;
use crate::storage::LATEST_ANSWER;
use crate::telegram::outbound::Target;
use teloxide::types::{Message, MessageId};

/// Where a question was asked, which decides its follow-up context and how long a reply may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Conversation {
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

/// Answers `question` at `target`.
pub(super) async fn answer(
    turn: Turn<'_>,
    target: Target,
    question: &str,
    conversation: Conversation,
    asked_in: &Message,
) -> HandlerResult {
    let ctx = turn.ctx;
    let chat = target.chat.0;
    let now = unix_now();
    // Context fails closed to "none": without it a follow-up gets the answer its own words give.
    let previous = match conversation.context_key() {
        Some(key) => ctx
            .storage
            .answer_topic(chat, key, now)
            .await
            .unwrap_or_else(|e| {
                store_failed(
                    "previous answer's topic unreadable; answering without it",
                    &e,
                );
                None
            }),
        None => None,
    };
    let previous = previous.map(TopicId);
    let mut answer = ctx
        .engine
        .answer_in_context(&Question::new(question), previous.as_ref());
    // One person cannot drown a group; a red flag at urgent or emergency tier always goes out.
    let red_flag = answer.triage.urgency >= Some(Tier::Urgent);
    if conversation != Conversation::Private
        && !red_flag
        && !super::group_limit::allows(turn, target, asked_in.from.as_ref().map(|u| u.id)).await?
    {
        return Ok(());
    }
    // The chat's emergency number is read only when the reply has an urgent block (the
    // answer is then worded again with it: only messages with a red flag pay for it).
    let contact = match answer.reply.urgent {
        Some(_) => Some(emergency::contact(ctx, target.chat).await),
        None => None,
    };
    if let Some(contact) = contact.clone().filter(|c| *c != EmergencyContact::Default) {
        let question = Question::new(question).with_contact(contact);
        answer = ctx.engine.answer_in_context(&question, previous.as_ref());
    }
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
        // Moderator alerts (a group, emergency tier only), in their own task.
        super::alerts::raise(turn, asked_in, tier);
    }
    let group = conversation != Conversation::Private;
    // In a group every reply stays compact: no list of every topic, no wall of buttons.
    let reply = if group {
        ctx.engine.compact_reply(&answer.reply)
    } else {
        answer.reply
    };
    let mut keyboard = if group && reply.kind == ReplyKind::Fallback {
        None
    } else {
        buttons::reply_keyboard(&ctx.engine, &reply)
    };
    // An urgent reply (the contact was read for it) in private with no country set.
    if let Some(contact) = &contact {
        keyboard = emergency::offer_country(keyboard, !group, contact);
    }
    let sent = turn
        .send(target, &super::reply_html(target, &reply), keyboard)
        .await?;
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
                store_failed("could not keep the answer's topic for follow-ups", &e);
            }
        }
    }
    Ok(())
}
