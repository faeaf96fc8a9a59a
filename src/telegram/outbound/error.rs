//! The one classification of a failed Bot API request: what to do about it (retry, skip the
//! chat, follow a migration, give up), its text-free name for logs, and its metrics label.

use std::time::Duration;

use teloxide::{ApiError, RequestError};

use crate::metrics::FailureClass;

/// Why a request failed, in the detail the retry loop, the logs and the metrics need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendError {
    /// getMe (or any call) said the token is not valid.
    Unauthorized,
    /// The chat blocked or removed the bot: skip it, serve others.
    Blocked,
    /// A 5xx (or a 429 teloxide could not parse): teloxide keeps only the description of
    /// errors it does not know, and Telegram's 5xx descriptions name the HTTP status.
    ServerError,
    /// Another error teloxide does not know.
    UnknownApi,
    /// Any other error Telegram answered with.
    Api,
    /// The group moved to a supergroup with this id.
    Migrated(i64),
    /// 429: wait this long.
    RetryAfter(Duration),
    /// No answer at all: connection, TLS or timeout.
    Network,
    /// An answer that could not be parsed.
    InvalidResponse,
    /// A local I/O error.
    Io,
}

impl SendError {
    /// Classifies a failed request.
    pub fn of(error: &RequestError) -> Self {
        match error {
            RequestError::Api(ApiError::InvalidToken) => Self::Unauthorized,
            RequestError::Api(e) if blocked(e) => Self::Blocked,
            // Telegram now words this 403 "Forbidden: ..."; teloxide knows only the older
            // "Unauthorized: ..." form, so the newer one arrives as an unknown error.
            RequestError::Api(ApiError::Unknown(d)) if d.contains(CANT_INITIATE) => Self::Blocked,
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
                    Self::ServerError
                } else {
                    Self::UnknownApi
                }
            }
            RequestError::Api(_) => Self::Api,
            RequestError::MigrateToChatId(chat) => Self::Migrated(chat.0),
            RequestError::RetryAfter(seconds) => Self::RetryAfter(seconds.duration()),
            RequestError::Network(_) => Self::Network,
            RequestError::InvalidJson { .. } => Self::InvalidResponse,
            RequestError::Io(_) => Self::Io,
        }
    }

    /// A short, text-free name, for logs. `RequestError`'s own `Display` can include
    /// Telegram's raw response, which may quote message text, so it is never logged.
    pub fn label(self) -> &'static str {
        match self {
            Self::Unauthorized => "unauthorized",
            Self::Blocked => "forbidden",
            Self::ServerError | Self::UnknownApi => "api-unknown",
            Self::Api => "api",
            Self::Migrated(_) => "migrated",
            Self::RetryAfter(_) => "429",
            Self::Network => "network",
            Self::InvalidResponse => "invalid-response",
            Self::Io => "io",
        }
    }

    /// Worth another try: 5xx, network, an unparseable answer, a 429 that slipped through.
    pub fn is_transient(self) -> bool {
        matches!(
            self,
            Self::ServerError
                | Self::RetryAfter(_)
                | Self::Network
                | Self::InvalidResponse
                | Self::Io
        )
    }
}

/// The metrics label of a failure: the only mapping from `SendError` to `FailureClass`.
impl From<SendError> for FailureClass {
    fn from(error: SendError) -> Self {
        match error {
            SendError::RetryAfter(_) => Self::TooManyRequests,
            SendError::Network | SendError::Io => Self::Network,
            SendError::Blocked => Self::Forbidden,
            SendError::ServerError | SendError::InvalidResponse => Self::ServerError,
            SendError::Unauthorized
            | SendError::UnknownApi
            | SendError::Api
            | SendError::Migrated(_) => Self::Other,
        }
    }
}

/// The part of Telegram's 403 for a user who never started the bot that both wordings share.
const CANT_INITIATE: &str = "bot can't initiate conversation with a user";

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_and_network_errors_are_transient_and_blocks_are_skipped() {
        let bad_gateway =
            SendError::of(&RequestError::Api(ApiError::Unknown("Bad Gateway".into())));
        assert_eq!(bad_gateway, SendError::ServerError);
        assert!(bad_gateway.is_transient());
        assert_eq!(
            SendError::of(&RequestError::Api(ApiError::BotBlocked)),
            SendError::Blocked
        );
        assert_eq!(
            SendError::of(&RequestError::MigrateToChatId(teloxide::types::ChatId(
                -100
            ))),
            SendError::Migrated(-100)
        );
        let empty = SendError::of(&RequestError::Api(ApiError::MessageTextIsEmpty));
        assert!(!empty.is_transient());
        assert!(!SendError::Blocked.is_transient());
    }

    #[test]
    fn a_user_who_never_started_the_bot_is_skipped_in_either_wording() {
        for description in [
            "Forbidden: bot can't initiate conversation with a user",
            "Unauthorized: bot can't initiate conversation with a user",
        ] {
            let error = RequestError::Api(ApiError::Unknown(description.into()));
            assert_eq!(SendError::of(&error), SendError::Blocked, "{description}");
        }
        assert_eq!(
            SendError::of(&RequestError::Api(ApiError::CantInitiateConversation)),
            SendError::Blocked
        );
    }

    #[test]
    fn labels_and_metrics_classes_stay_as_they_were() {
        let unknown = |d: &str| SendError::of(&RequestError::Api(ApiError::Unknown(d.into())));
        assert_eq!(unknown("Bad Gateway").label(), "api-unknown");
        assert_eq!(unknown("chat is weird").label(), "api-unknown");
        assert_eq!(SendError::Unauthorized.label(), "unauthorized");
        let class = FailureClass::from;
        assert!(matches!(
            class(unknown("Bad Gateway")),
            FailureClass::ServerError
        ));
        assert!(matches!(
            class(unknown("chat is weird")),
            FailureClass::Other
        ));
        assert!(matches!(class(SendError::Blocked), FailureClass::Forbidden));
        assert!(matches!(
            class(SendError::InvalidResponse),
            FailureClass::ServerError
        ));
        assert!(matches!(class(SendError::Io), FailureClass::Network));
        assert!(matches!(
            class(SendError::RetryAfter(Duration::ZERO)),
            FailureClass::TooManyRequests
        ));
    }
}
