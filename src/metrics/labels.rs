//! The label values and label sets of the metrics: every value from a fixed set, never an id.

use std::fmt;

use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue, LabelValueEncoder};

use crate::domain::Tier;

/// Defines a label enum: its variants, `ALL` (declaration order, the index into the arrays of
/// counters) and `label`, the exported value, which is also its `EncodeLabelValue` (the derive
/// would export the variant's Rust name, and ours are `edited_message` or `429`).
macro_rules! label_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $( $(#[$vmeta:meta])* $variant:ident => $label:literal, )+ }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $( $(#[$vmeta])* $variant, )+ }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];
            pub(crate) const COUNT: usize = Self::ALL.len();

            /// The label value this variant is exported under.
            pub const fn label(self) -> &'static str {
                match self { $(Self::$variant => $label,)+ }
            }

            /// Slot in the counter arrays: variants have default discriminants, 0.. in `ALL` order.
            pub(crate) const fn index(self) -> usize {
                self as usize
            }
        }

        impl EncodeLabelValue for $name {
            fn encode(&self, encoder: &mut LabelValueEncoder<'_>) -> fmt::Result {
                self.label().encode(encoder)
            }
        }
    };
}

label_enum! {
    /// What kind of update Telegram delivered (named after the `Update` field that carries it).
    pub enum UpdateKind {
        /// A new message.
        Message => "message",
        /// An edit of an earlier message.
        EditedMessage => "edited_message",
        /// A press of an inline button.
        CallbackQuery => "callback_query",
        /// The bot was added to, removed from or promoted in a chat.
        MyChatMember => "my_chat_member",
        /// A post in a channel.
        ChannelPost => "channel_post",
        /// An update the Bot API library could not parse.
        Unparseable => "unparseable",
        /// Any other kind.
        Other => "other",
    }
}

label_enum! {
    /// The tier of a red-flag notice; the values are the names of `domain::Tier`.
    pub enum NoticeTier {
        /// Seek help now, call the emergency number.
        Emergency => "emergency",
        /// See a doctor today.
        Urgent => "urgent",
        /// A bare or negated mention: the conditional list.
        Check => "check",
    }
}

label_enum! {
    /// What made the bot post a red-flag notice.
    pub enum NoticeTrigger {
        /// A question in a private chat.
        Private => "private",
        /// A question addressed to the bot in a group.
        GroupAddressed => "group_addressed",
        /// The red-flag watch on ordinary group messages.
        GroupWatch => "group_watch",
        /// The `/check` walk-through.
        Check => "check",
    }
}

label_enum! {
    /// Why a Bot API send failed.
    pub enum FailureClass {
        /// 429 Too Many Requests (flood control).
        TooManyRequests => "429",
        /// A 5xx answer from the Bot API.
        ServerError => "5xx",
        /// No answer at all: connection, TLS or timeout.
        Network => "network",
        /// 403 Forbidden: the bot was blocked or removed from the chat.
        Forbidden => "403",
        /// Anything else.
        Other => "other",
    }
}

label_enum! {
    /// Why a webhook request was refused before any update was read.
    pub enum RejectionClass {
        /// No secret token header, or the wrong one (401).
        WrongSecret => "wrong-secret",
        /// A body over the size limit, or cut off (413).
        TooLarge => "too-large",
        /// A body that is not a Telegram update (400).
        NotAnUpdate => "not-an-update",
    }
}

impl From<Tier> for NoticeTier {
    fn from(tier: Tier) -> Self {
        match tier {
            Tier::Emergency => Self::Emergency,
            Tier::Urgent => Self::Urgent,
            Tier::Check => Self::Check,
        }
    }
}

// The label sets, one per family: typed, so a series cannot get a stray label.
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub(super) struct VersionLabel {
    pub(super) version: &'static str,
}
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub(super) struct UpdateLabel {
    pub(super) kind: UpdateKind,
}
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub(super) struct TopicLabel {
    pub(super) topic: String,
}
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub(super) struct ReplyKindLabel {
    pub(super) kind: &'static str,
}
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub(super) struct NoticeLabels {
    pub(super) tier: NoticeTier,
    pub(super) trigger: NoticeTrigger,
}
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub(super) struct ClassLabel {
    pub(super) class: FailureClass,
}
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub(super) struct RejectionLabel {
    pub(super) class: RejectionClass,
}
