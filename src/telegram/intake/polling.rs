//! Long polling with back-pressure.
//!
//! `getUpdates` confirms every update below the next `offset`, so whatever the bot has fetched
//! but not handled is lost if the process dies. teloxide's polling fetches as fast as it can
//! and parks updates in per-chat queues: under load (or behind a flood limiter) that was
//! thousands of confirmed, unanswered updates in memory, and a SIGTERM that took minutes to
//! drain (BENCHMARKS.md). Here at most `max_in_flight` updates are fetched but unhandled; the
//! rest wait on Telegram's side, unconfirmed. One chat's updates are handled in order, chats in
//! parallel. On a stop signal: no more fetching, the updates in flight are finished, and the
//! offset is confirmed so that nothing handled is delivered again.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use teloxide::payloads::GetUpdatesSetters;
use teloxide::requests::{Request, Requester};
use teloxide::types::{AllowedUpdate, Update};
use teloxide::Bot;
use tokio::sync::{oneshot, Semaphore};
use tracing::{info, warn};

use super::dispatch::UpdateProcessor;
use crate::telegram::outbound::{backoff, with_retry, SendError};

/// The long-poll timeout must stay under the HTTP client's own timeout (17 s in teloxide 0.17,
/// which does not lengthen it for `getUpdates`): a longer poll is cut off as a network error on
/// every quiet spell. 10 s is teloxide's own default.
const POLL_TIMEOUT_SECS: u32 = 10;
/// Telegram's maximum batch.
const BATCH: u8 = 100;

/// The update kinds the bot handles; Telegram sends nothing else.
pub const ALLOWED_UPDATES: [AllowedUpdate; 4] = [
    AllowedUpdate::Message,
    AllowedUpdate::EditedMessage,
    AllowedUpdate::CallbackQuery,
    AllowedUpdate::MyChatMember,
];

/// Polls until `stop` resolves, then finishes the updates in flight.
///
/// # Errors
/// Only if the very first `getUpdates` (or `deleteWebhook`) fails for good: later failures
/// are logged and retried with backoff.
pub async fn run(
    bot: Bot,
    processor: Arc<UpdateProcessor>,
    max_in_flight: usize,
    stop: impl Future<Output = ()>,
) -> Result<(), SendError> {
    // A webhook left set by webhook mode would make getUpdates fail with 409 Conflict.
    with_retry(None, || bot.delete_webhook().send()).await?;
    let permits = Arc::new(Semaphore::new(max_in_flight));
    let mut chains = ChatChains::default();
    let mut offset: i32 = 0;
    let mut confirmed = true;
    let mut failures: u32 = 0;
    let mut first = true;
    tokio::pin!(stop);
    'polling: loop {
        // Ask for no more than there is room for, so fetched updates never wait in memory;
        // when there is little room, wait for half the bound (at most half a batch) first: fewer, fuller polls.
        let want = max_in_flight.min(usize::from(BATCH)).div_ceil(2);
        if permits.available_permits() < want {
            tokio::select! {
                () = &mut stop => break 'polling,
                permit = Arc::clone(&permits).acquire_many_owned(u32::try_from(want).unwrap_or(1)) => drop(permit),
            }
        }
        let room = u8::try_from(permits.available_permits().min(usize::from(BATCH)))
            .unwrap_or(BATCH)
            .max(1);
        let request = bot
            .get_updates()
            .offset(offset)
            .timeout(POLL_TIMEOUT_SECS)
            .limit(room)
            .allowed_updates(ALLOWED_UPDATES);
        let batch: Vec<Update> = tokio::select! {
            () = &mut stop => break 'polling,
            result = request.send() => match result {
                Ok(batch) => {
                    failures = 0;
                    first = false;
                    confirmed = true;
                    batch
                }
                Err(error) => {
                    let error = SendError::of(&error);
                    if first && !error.is_transient() {
                        return Err(error);
                    }
                    failures += 1;
                    let wait = backoff(failures.min(6));
                    warn!(class = error.label(), wait_ms = wait.as_millis() as u64, "getUpdates failed");
                    tokio::select! {
                        () = &mut stop => break 'polling,
                        () = tokio::time::sleep(wait) => continue 'polling,
                    }
                }
            },
        };
        for update in batch {
            // Wait for room before taking the next update; a stop signal meanwhile leaves the
            // rest of the batch unconfirmed, for the next start.
            let permit = tokio::select! {
                () = &mut stop => break 'polling,
                permit = Arc::clone(&permits).acquire_owned() => match permit {
                    Ok(permit) => permit,
                    Err(_) => break 'polling,
                },
            };
            offset = update.id.as_offset();
            confirmed = false;
            let chat = update.chat().map(|c| c.id.0);
            let (previous, done) = chains.enqueue(chat);
            let processor = Arc::clone(&processor);
            tokio::spawn(async move {
                if let Some(previous) = previous {
                    // Resolves (with an error) when the chat's previous update is done.
                    let _ = previous.await;
                }
                processor.process(update).await;
                drop(done);
                drop(permit);
            });
        }
    }
    info!("stop signal received: finishing the updates in flight");
    if !confirmed {
        // Confirm what was taken, without taking more: the next start must not handle it again.
        let confirm = bot
            .get_updates()
            .offset(offset)
            .limit(1)
            .timeout(0)
            .allowed_updates(ALLOWED_UPDATES);
        if let Err(error) = with_retry(None, || confirm.clone().send()).await {
            warn!(
                class = error.label(),
                "could not confirm the last updates; they may be answered again after a restart"
            );
        }
    }
    let all = u32::try_from(max_in_flight).unwrap_or(u32::MAX);
    let _ = permits.acquire_many(all).await;
    Ok(())
}

/// Orders each chat's updates: every update waits for the previous one from its chat.
#[derive(Default)]
struct ChatChains {
    last: HashMap<i64, oneshot::Receiver<()>>,
    sweep_at: usize,
}

impl ChatChains {
    /// Registers an update of `chat`: returns what it must wait for, and what it must drop
    /// when done.
    fn enqueue(
        &mut self,
        chat: Option<i64>,
    ) -> (Option<oneshot::Receiver<()>>, oneshot::Sender<()>) {
        let (done, finished) = oneshot::channel();
        let Some(chat) = chat else {
            return (None, done);
        };
        if self.last.len() >= self.sweep_at.max(1024) {
            // Forget chats whose last update is done.
            self.last
                .retain(|_, rx| matches!(rx.try_recv(), Err(oneshot::error::TryRecvError::Empty)));
            self.sweep_at = self.last.len() * 2;
        }
        (self.last.insert(chat, finished), done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_chat_waits_for_its_previous_update_and_others_do_not() {
        let mut chains = ChatChains::default();
        let (none, first_done) = chains.enqueue(Some(1));
        assert!(none.is_none());
        let (after_first, _second_done) = chains.enqueue(Some(1));
        let (other, _) = chains.enqueue(Some(2));
        assert!(other.is_none());
        let mut after_first = after_first.expect("second update of chat 1 waits");
        assert!(matches!(
            after_first.try_recv(),
            Err(oneshot::error::TryRecvError::Empty)
        ));
        drop(first_done);
        assert!(
            after_first.await.is_err(),
            "released when the first is dropped"
        );
    }

    #[test]
    fn finished_chats_are_forgotten() {
        let mut chains = ChatChains::default();
        for chat in 0..5000 {
            let (_, done) = chains.enqueue(Some(chat));
            drop(done);
        }
        assert!(chains.last.len() < 2100, "{}", chains.last.len());
    }
}
