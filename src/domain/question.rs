//! What goes into the engine and what comes out: `Question` (a message as written) and
//! `Answer` (the reply plus how the message was read), and how long an answer stays the context
//! of a follow-up.

use std::fmt;

use super::{EmergencyContact, Reading, Reply, Triage};

/// A message as the user wrote it, and whom its urgent wording tells them to call. Its `Debug`
/// shows only its length, so a stray `{:?}` in a log line cannot leak health data.
#[derive(Clone, PartialEq, Eq)]
pub struct Question(String, EmergencyContact);

impl Question {
    /// Wraps message text; the urgent wording says the deployment's number.
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into(), EmergencyContact::Default)
    }

    /// The same question, its urgent wording saying `contact` (the chat's setting).
    #[must_use]
    pub fn with_contact(mut self, contact: EmergencyContact) -> Self {
        self.1 = contact;
        self
    }

    /// The text.
    pub fn text(&self) -> &str {
        &self.0
    }

    /// Whom the urgent wording tells them to call.
    pub fn contact(&self) -> &EmergencyContact {
        &self.1
    }
}

impl fmt::Debug for Question {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Question({} bytes)", self.0.len())
    }
}

/// How long an answer's topic stays the context of a follow-up ("is it serious?"): the bot's
/// private chats and group replies, and the console's `chat` and `ask --session`, all use this.
pub const FOLLOW_UP_WINDOW: std::time::Duration = std::time::Duration::from_secs(30 * 60);

/// Everything the engine found out about one message, for the batch output and the eval.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The reply to show.
    pub reply: Reply,
    /// The triage result.
    pub triage: Triage,
    /// How the message read (domain, intent, subject, follow-up).
    pub reading: Reading,
}
