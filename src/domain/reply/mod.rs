//! Reply composition and rendering.
//!
//! `compose` builds a `Reply` as plain data; `Reply::to_plain` renders it for the console and
//! `Reply::to_html` for Telegram (HTML parse mode: only `<b>` and `<i>`, everything else
//! escaped). Both renderings carry the same parts in the same order: sections, safety net,
//! urgent block, "You may also mean", disclaimer, except that an emergency block comes first:
//! someone who may need help now reads that before anything else.
//!
//! The list of warning signs is built from the red flags themselves (each flag's `says` line,
//! under its tier's heading), so every flag that can fire is on the list people see.//!
//! - `wording`: `UrgentWording`, the urgent-care text resolved once;
//! - `compose`: `compose` and the fixed replies (a topic chosen directly, the list of signs);
//! - `render`: `Reply::to_plain`, `Reply::to_html`, `Reply::compact`, `escape_html`.

use super::kb::{Tier, TopicId};

mod compose;
mod render;
mod wording;

pub use compose::{compose, topic_reply, urgent_care_reply, Context, Intent};
pub use render::escape_html;
pub use wording::UrgentWording;

/// What kind of reply this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyKind {
    /// One or two topic answers.
    Answer,
    /// No confident topic: the list of what the bot can answer.
    Fallback,
    /// A question the article does not cover, answered by its kind (medicines, surgery ...).
    OutOfScope,
    /// About back or leg pain, but no topic is specific enough: a short orientation.
    Orientation,
    /// A short follow-up read with the previous answer's topic.
    FollowUp,
    /// A question about the bot itself.
    AboutBot,
    /// A greeting.
    Greeting,
    /// A thank-you.
    Thanks,
    /// An empty message.
    Empty,
    /// The urgent-care criteria, asked for directly.
    UrgentCare,
}

impl ReplyKind {
    /// The kind's name in `ask --json`, the metrics and the logs: "topic", "orientation",
    /// "fallback", "out-of-scope", "chit-chat" or "follow-up".
    pub fn label(self) -> &'static str {
        match self {
            Self::Answer | Self::UrgentCare => "topic",
            Self::Orientation => "orientation",
            Self::Fallback => "fallback",
            Self::OutOfScope => "out-of-scope",
            Self::FollowUp => "follow-up",
            Self::Greeting | Self::Thanks | Self::Empty | Self::AboutBot => "chit-chat",
        }
    }

    /// Every label, in a fixed order (the metrics' series).
    pub const LABELS: [&'static str; 6] = [
        "topic",
        "orientation",
        "fallback",
        "out-of-scope",
        "chit-chat",
        "follow-up",
    ];
}

/// A topic as offered to the user: id and title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicRef {
    /// Stable id.
    pub id: TopicId,
    /// Title.
    pub title: String,
}

/// One block of text with an optional title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// Shown in bold.
    pub title: Option<String>,
    /// Plain text; lines starting with "• " are list items.
    pub text: String,
    /// A line explaining a word, beyond the article: shown in italics, marked as a glossary line.
    pub glossary: Option<String>,
}

impl Section {
    fn plain(text: &str) -> Self {
        Self {
            title: None,
            text: text.trim().to_owned(),
            glossary: None,
        }
    }
}

/// The urgent-care block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrgentNotice {
    /// Emergency, urgent, or check (the conditional list: a bare or negated mention, or the
    /// list asked for).
    pub tier: Tier,
    /// The tier's first line (call the emergency number / see a doctor today / if any of these).
    pub first_line: String,
    /// Why the block is there ("your message mentions: ..."); none when the list was asked for.
    pub because: Option<String>,
    /// Every warning sign, under its tier's heading.
    pub criteria: String,
    /// The red-flag words found (empty when the block was asked for with `/urgent`).
    pub terms: Vec<String>,
    /// The red-flag ids raised.
    pub flags: Vec<String>,
}

/// A reply, before rendering.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// Kind.
    pub kind: ReplyKind,
    /// Topics answered (zero, one or two), best first.
    pub answered: Vec<TopicId>,
    /// Every topic with a positive score, best first.
    pub ranked: Vec<TopicId>,
    /// The top score (0 when nothing scored).
    pub score: f32,
    /// Main text.
    pub sections: Vec<Section>,
    /// Ends answers about symptoms or self-care, when no urgent block already says more.
    pub safety_net: Option<String>,
    /// Present whenever triage fired: never dropped by any edge.
    pub urgent: Option<UrgentNotice>,
    /// Close runners-up.
    pub also: Vec<TopicRef>,
    /// Related topics of the answered topic (Telegram shows them as buttons).
    pub related: Vec<TopicRef>,
    /// The out-of-scope kind the message was read as, if any ("medicines").
    pub scope_kind: Option<String>,
    /// Heading of `also`.
    pub also_label: String,
    /// "General information, not a diagnosis."
    pub disclaimer: String,
}
