//! Sending replies: splitting to Telegram's 4,096-character limit, and a retry layer for what
//! teloxide does not retry.
//!
//! teloxide retries nothing: a 5xx or a dropped connection fails the request once and the
//! reply is lost. Here: bounded attempts with exponential backoff and jitter for
//! server and network errors (a duplicate reply after a lost response is acceptable, a lost
//! urgent-care reply is not); a chat that blocked the bot (403) is skipped; a group that became
//! a supergroup (400 `migrate_to_chat_id`) is followed.

use std::future::Future;
use std::time::Duration;

use teloxide::{ApiError, RequestError};

use crate::metrics::{FailureClass, Metrics};

/// Telegram's limit for one message's text.
pub const MAX_MESSAGE_LEN: usize = 4096;
/// Attempts for one request, the first included.
pub const MAX_ATTEMPTS: u32 = 5;
/// No retry starts after this long: a webhook request waits for its reply, and Telegram and
/// the load balancer give up on slow answers (nginx's recipe waits 75 s).
pub const RETRY_BUDGET: Duration = Duration::from_secs(25);

/// How a failed request should be treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// Worth another try (5xx, network, unparseable answer, 429 that slipped through).
    Transient,
    /// The chat blocked or removed the bot: skip it, serve others.
    Blocked,
    /// The group moved to a supergroup with this id.
    Migrated(i64),
    /// Anything else: give up on this request.
    Permanent,
}

/// A short, text-free name for an error, for logs. `RequestError`'s own `Display` can include
/// Telegram's raw response, which may quote message text, so it is never logged.
pub fn error_class(error: &RequestError) -> &'static str {
    match error {
        RequestError::Api(ApiError::InvalidToken) => "unauthorized",
        RequestError::Api(e) if blocked(e) => "forbidden",
        RequestError::Api(ApiError::Unknown(_)) => "api-unknown",
        RequestError::Api(_) => "api",
        RequestError::MigrateToChatId(_) => "migrated",
        RequestError::RetryAfter(_) => "429",
        RequestError::Network(_) => "network",
        RequestError::InvalidJson { .. } => "invalid-response",
        RequestError::Io(_) => "io",
    }
}

fn blocked(error: &ApiError) -> bool {
    matches!(
        error,
        ApiError::BotBlocked
            | ApiError::BotKicked
            | ApiError::BotKickedFromSupergroup
            | ApiError::BotKickedFromChannel
            | ApiError::UserDeactivated
            | ApiError::CantInitiateConversation
            | ApiError::CantTalkWithBots
            | ApiError::ChatNotFound
    )
}

/// Classifies a failed request.
pub fn classify(error: &RequestError) -> Failure {
    match error {
        RequestError::Network(_)
        | RequestError::InvalidJson { .. }
        | RequestError::Io(_)
        | RequestError::RetryAfter(_) => Failure::Transient,
        RequestError::MigrateToChatId(chat) => Failure::Migrated(chat.0),
        RequestError::Api(e) if blocked(e) => Failure::Blocked,
        // teloxide keeps only the description of errors it does not know; Telegram's 5xx
        // descriptions name the HTTP status.
        RequestError::Api(ApiError::Unknown(description)) => {
            let d = description.to_ascii_lowercase();
            let server = [
                "internal server error",
                "bad gateway",
                "service unavailable",
                "gateway timeout",
                "too many requests",
            ];
            if server.iter().any(|s| d.contains(s)) {
                Failure::Transient
            } else {
                Failure::Permanent
            }
        }
        _ => Failure::Permanent,
    }
}

/// Backoff before attempt `attempt` (1-based retries): 0.5 s, 1 s, 2 s, 4 s... capped at 8 s,
/// plus up to 50 % jitter so that many chats retrying at once do not retry in lockstep.
pub fn backoff(attempt: u32) -> Duration {
    let base = Duration::from_millis(500)
        .saturating_mul(1 << attempt.saturating_sub(1).min(4))
        .min(Duration::from_secs(8));
    base + base.mul_f64(fastrand::f64() * 0.5)
}

/// The metrics class of a failed request.
pub fn failure_class(error: &RequestError) -> FailureClass {
    match error {
        RequestError::RetryAfter(_) => FailureClass::TooManyRequests,
        RequestError::Network(_) | RequestError::Io(_) => FailureClass::Network,
        RequestError::Api(e) if blocked(e) => FailureClass::Forbidden,
        RequestError::Api(ApiError::Unknown(_)) | RequestError::InvalidJson { .. }
            if classify(error) == Failure::Transient =>
        {
            FailureClass::ServerError
        }
        _ => FailureClass::Other,
    }
}

/// Runs `op` until it succeeds, fails permanently, or `MAX_ATTEMPTS` are used. A 429 is
/// waited out for the time Telegram asked; a 5xx is retried at once (teloxide-core sleeps 10 s
/// before returning one); a network error after a backoff. No 5xx or network retry starts
/// after `RETRY_BUDGET`. Every failed attempt and
/// every retry is counted in `metrics`.
///
/// # Errors
/// The last error.
pub async fn with_retry<T, F, Fut>(metrics: Option<&Metrics>, mut op: F) -> Result<T, RequestError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, RequestError>>,
{
    let started = std::time::Instant::now();
    let mut attempt = 1;
    loop {
        let result = op().await;
        if let (Err(error), Some(metrics)) = (&result, metrics) {
            metrics.send_failure(failure_class(error));
        }
        match result {
            Ok(value) => return Ok(value),
            // A 429 is always waited out (Telegram said how long); other failures are retried
            // within the budget.
            Err(error)
                if attempt < MAX_ATTEMPTS
                    && classify(&error) == Failure::Transient
                    && (matches!(error, RequestError::RetryAfter(_))
                        || started.elapsed() < RETRY_BUDGET) =>
            {
                if let Some(metrics) = metrics {
                    metrics.retry();
                }
                let wait = match &error {
                    RequestError::RetryAfter(seconds) => seconds.duration(),
                    // teloxide-core has already slept 10 s before returning a 5xx.
                    _ if failure_class(&error) == FailureClass::ServerError => Duration::ZERO,
                    _ => backoff(attempt),
                };
                tracing::warn!(
                    attempt,
                    class = error_class(&error),
                    wait_ms = wait.as_millis() as u64,
                    "request failed, retrying"
                );
                tokio::time::sleep(wait).await;
                attempt += 1;
            }
            Err(error) => return Err(error),
        }
    }
}

/// Length as Telegram counts it (UTF-16 code units), taken over the HTML source: the tags make
/// it an over-estimate, which is the safe side of the limit.
fn telegram_len(text: &str) -> usize {
    text.encode_utf16().count()
}

/// Splits rendered HTML into messages of at most `max` characters, at paragraph boundaries
/// ("\n\n") where possible, then at line boundaries, and only as a last resort inside a line
/// (never inside an HTML entity). Tags never span a line in our rendering, so every piece stays
/// valid HTML.
pub fn split_message(html: &str, max: usize) -> Vec<String> {
    // The common case: it fits (UTF-16 units never outnumber UTF-8 bytes).
    if html.len() <= max || telegram_len(html) <= max {
        let text = html.trim_end();
        return if text.trim_start().is_empty() {
            Vec::new()
        } else {
            vec![text.to_owned()]
        };
    }
    let mut pieces: Vec<String> = Vec::new();
    let mut current = String::new();
    let push = |pieces: &mut Vec<String>, current: &mut String| {
        if !current.trim().is_empty() {
            pieces.push(std::mem::take(current).trim_end().to_owned());
        }
        current.clear();
    };
    for paragraph in html.split("\n\n") {
        let joined_len = telegram_len(&current) + 2 + telegram_len(paragraph);
        if !current.is_empty() && joined_len > max {
            push(&mut pieces, &mut current);
        }
        if telegram_len(paragraph) <= max {
            if !current.is_empty() {
                current.push_str("\n\n");
            }
            current.push_str(paragraph);
            continue;
        }
        // One paragraph is too long on its own: split by lines, then inside lines.
        push(&mut pieces, &mut current);
        for line in paragraph.split('\n') {
            for chunk in split_line(line, max) {
                if !current.is_empty() && telegram_len(&current) + 1 + telegram_len(&chunk) > max {
                    push(&mut pieces, &mut current);
                }
                if !current.is_empty() {
                    current.push('\n');
                }
                current.push_str(&chunk);
            }
        }
        push(&mut pieces, &mut current);
    }
    push(&mut pieces, &mut current);
    pieces
}

/// Splits one line into chunks of at most `max` UTF-16 units, preferring spaces, never inside
/// an `&...;` entity or a character.
fn split_line(line: &str, max: usize) -> Vec<String> {
    let mut chunks = Vec::new();
    let mut rest = line;
    while telegram_len(rest) > max {
        let mut cut = 0;
        let mut units = 0;
        let mut last_space = None;
        let mut entity_start = None;
        for (i, c) in rest.char_indices() {
            if units + c.len_utf16() > max {
                break;
            }
            units += c.len_utf16();
            match c {
                '&' => entity_start = Some(i),
                ';' => entity_start = None,
                ' ' => last_space = Some(i),
                _ => {}
            }
            cut = i + c.len_utf8();
        }
        if let Some(start) = entity_start {
            cut = start;
        }
        if let Some(space) = last_space.filter(|&s| s > cut / 2 && s < cut) {
            cut = space + 1;
        }
        if cut == 0 {
            // A single entity longer than the limit cannot happen with our escaping; guard anyway.
            cut = rest.char_indices().nth(1).map_or(rest.len(), |(i, _)| i);
        }
        chunks.push(rest[..cut].to_owned());
        rest = &rest[cut..];
    }
    if !rest.is_empty() {
        chunks.push(rest.to_owned());
    }
    chunks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_one_piece() {
        assert_eq!(
            split_message("<b>a</b>\nb\n\nc", 4096),
            vec!["<b>a</b>\nb\n\nc"]
        );
    }

    #[test]
    fn long_text_splits_at_paragraphs_under_the_limit() {
        let paragraph = "word ".repeat(300); // 1,500 chars
        let text = [paragraph.as_str(); 5].join("\n\n");
        let pieces = split_message(&text, MAX_MESSAGE_LEN);
        assert!(pieces.len() >= 2);
        assert!(pieces.iter().all(|p| telegram_len(p) <= MAX_MESSAGE_LEN));
        assert_eq!(
            pieces.join("\n\n").replace(char::is_whitespace, ""),
            text.replace(char::is_whitespace, "")
        );
    }

    #[test]
    fn a_giant_line_is_cut_outside_entities_and_characters() {
        let line = "a&amp;😀".repeat(2000);
        let pieces = split_message(&line, 100);
        assert!(pieces.iter().all(|p| telegram_len(p) <= 100));
        for piece in &pieces {
            let amps = piece.matches('&').count();
            assert_eq!(
                amps,
                piece.matches("&amp;").count(),
                "entity cut in {piece:?}"
            );
        }
        assert_eq!(pieces.concat(), line);
    }

    #[test]
    fn server_and_network_errors_are_transient_and_blocks_are_skipped() {
        assert_eq!(
            classify(&RequestError::Api(ApiError::Unknown("Bad Gateway".into()))),
            Failure::Transient
        );
        assert_eq!(
            classify(&RequestError::Api(ApiError::BotBlocked)),
            Failure::Blocked
        );
        assert_eq!(
            classify(&RequestError::MigrateToChatId(teloxide::types::ChatId(
                -100
            ))),
            Failure::Migrated(-100)
        );
        assert_eq!(
            classify(&RequestError::Api(ApiError::MessageTextIsEmpty)),
            Failure::Permanent
        );
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        assert!(
            backoff(1) >= Duration::from_millis(500) && backoff(1) <= Duration::from_millis(750)
        );
        assert!(backoff(10) <= Duration::from_secs(12));
    }
}
