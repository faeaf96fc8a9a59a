//! The `/check` flow: yes/no questions one at a time, the answers so far in the storage, the
//! next step and its reply from the engine (`Engine::check_next`), and at the end a summary to
//! show a doctor (`Engine::check_summary`).

use std::time::Duration;

use tracing::{warn, Span};

use super::{buttons, record_action, unix_now, HandlerResult, Turn};
use crate::domain::doors::CheckNext;
use crate::domain::reply::escape_html;
use crate::domain::EmergencyContact;
use crate::metrics::NoticeTrigger;
use crate::storage::StorageError;
use crate::telegram::outbound::Target;
use crate::telegram::text;

/// How long an unfinished red-flag check keeps its answers.
pub const CHECK_TTL: Duration = Duration::from_secs(30 * 60);

/// `/check`: forget any earlier check in this chat and ask the first question.
pub(super) async fn start(turn: Turn<'_>, target: Target) -> HandlerResult {
    if let Err(e) = turn
        .ctx
        .storage
        .save_check_answers(target.chat.0, &[], unix_now(), CHECK_TTL)
        .await
    {
        return unavailable(turn, target, &e).await;
    }
    send_step(
        turn,
        target,
        turn.ctx.engine.check_next(&[]),
        &[],
        &EmergencyContact::Default,
    )
    .await
}

/// A yes/no button of the check: record the answer, then ask the next question or end.
pub(super) async fn answer(
    turn: Turn<'_>,
    target: Target,
    index: usize,
    yes: bool,
) -> HandlerResult {
    let storage = &turn.ctx.storage;
    let chat = target.chat.0;
    let mut answers = match storage.check_answers(chat, unix_now()).await {
        Ok(Some(answers)) => answers,
        Ok(None) => return turn.send_html(target, text::CHECK_EXPIRED, None).await,
        Err(e) => return unavailable(turn, target, &e).await,
    };
    if answers.len() != index {
        // A button of an earlier question, pressed again: that answer is already in.
        record_action("check-old-button");
        return Ok(());
    }
    answers.push(yes);
    let contact = super::emergency::contact(turn.ctx, target.chat).await;
    let next = turn.ctx.engine.check_next_for(&answers, &contact);
    let result = if next.is_done() {
        storage.end_check(chat).await
    } else {
        storage
            .save_check_answers(chat, &answers, unix_now(), CHECK_TTL)
            .await
    };
    if let Err(e) = result {
        return unavailable(turn, target, &e).await;
    }
    send_step(turn, target, next, &answers, &contact).await
}

/// The check cannot keep its answers (storage down): the safe end is the full urgent-care
/// criteria, so nobody is left without them.
async fn unavailable(turn: Turn<'_>, target: Target, cause: &StorageError) -> HandlerResult {
    warn!(cause = %cause, "check state unavailable; sending the urgent-care criteria instead");
    record_action("check-unavailable");
    turn.send_html(target, text::CHECK_UNAVAILABLE, None)
        .await?;
    turn.send_reply(target, &turn.ctx.engine.urgent_care_reply())
        .await
}

/// Sends the next step after `answers`: a question, or the end of the check, whose message
/// ends with the summary to show a doctor (the answers in hand, dated now; the stored ones are
/// already gone).
async fn send_step(
    turn: Turn<'_>,
    target: Target,
    next: CheckNext<'_>,
    answers: &[bool],
    contact: &EmergencyContact,
) -> HandlerResult {
    let engine = &turn.ctx.engine;
    let summary = || engine.check_summary(answers, unix_now(), contact).to_html();
    match next {
        CheckNext::Ask {
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
            turn.send_html(target, &html, Some(buttons::check_keyboard(index)))
                .await
        }
        CheckNext::Found(notice) => {
            Span::current().record("urgency", notice.tier.as_str());
            turn.ctx
                .metrics
                .red_flag_notice(notice.tier.into(), NoticeTrigger::Check);
            let keyboard = super::emergency::offer_country(
                buttons::reply_keyboard(engine, &notice.reply),
                target.chat.is_user(),
                contact,
            );
            let html = notice.reply.to_html_with(&summary());
            turn.send_html(target, &html, keyboard).await
        }
        CheckNext::AllClear {
            criteria,
            disclaimer,
        } => {
            let html = format!(
                "{}\n\n{}\n\n{}\n\n<i>{}</i>",
                text::CHECK_ALL_CLEAR,
                escape_html(&criteria),
                summary(),
                escape_html(disclaimer)
            );
            turn.send_html(target, &html, None).await
        }
    }
}
