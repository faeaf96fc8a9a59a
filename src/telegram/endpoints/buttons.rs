//! Buttons: callback data (encode and decode), the keyboards under replies, and the
//! callback query a button press sends.

use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};
use tracing::{warn, Span};

use super::{check, record_action, HandlerResult, Turn};
use crate::domain::check::MAX_QUESTIONS;
use crate::domain::{Engine, Reply, ReplyKind, TopicRef};
use crate::telegram::outbound::{with_retry, Target};
use crate::telegram::text;

/// What a button's callback data means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ButtonAction {
    /// Answer a topic: `t:<topic id>`.
    Topic(String),
    /// The answer to question `index` of the running check: `c:<index>:<y|n>`. The answers
    /// before it live in the storage, for as long as the check runs.
    Check {
        /// Which question the button belongs to (0-based): an old button is recognized.
        index: usize,
        /// Yes or no.
        yes: bool,
    },
    /// Open the country picker (the "Set your country" button under an urgent reply): `e:o`.
    EmergencyOpen,
    /// Show page `n` of the country picker: `e:p:<n>`.
    EmergencyPage(usize),
    /// Set the chat's country: `e:c:<ISO code>`.
    EmergencyCountry(String),
}

/// The most picker pages a button may name (a forged page number is refused).
const MAX_PICKER_PAGES: usize = 100;

impl ButtonAction {
    /// Callback data, always within Telegram's 64 bytes for our ids and check length.
    pub fn encode(&self) -> String {
        match self {
            Self::Topic(id) => format!("t:{id}"),
            Self::Check { index, yes } => format!("c:{index}:{}", if *yes { 'y' } else { 'n' }),
            Self::EmergencyOpen => "e:o".to_owned(),
            Self::EmergencyPage(page) => format!("e:p:{page}"),
            Self::EmergencyCountry(code) => format!("e:c:{code}"),
        }
    }

    /// Parses callback data; `None` for stale or forged data.
    pub fn decode(data: &str) -> Option<Self> {
        if data.len() > 64 {
            return None;
        }
        if let Some(id) = data.strip_prefix("t:") {
            return Some(Self::Topic(id.to_owned()));
        }
        if let Some(rest) = data.strip_prefix("e:") {
            return Self::decode_emergency(rest);
        }
        let (index, answer) = data.strip_prefix("c:")?.split_once(':')?;
        let index: usize = index.parse().ok().filter(|&i| i < MAX_QUESTIONS)?;
        let yes = match answer {
            "y" => true,
            "n" => false,
            _ => return None,
        };
        Some(Self::Check { index, yes })
    }
}

impl ButtonAction {
    /// The picker's buttons, after `e:`.
    fn decode_emergency(rest: &str) -> Option<Self> {
        if rest == "o" {
            return Some(Self::EmergencyOpen);
        }
        if let Some(page) = rest.strip_prefix("p:") {
            let page: usize = page.parse().ok().filter(|&p| p < MAX_PICKER_PAGES)?;
            return Some(Self::EmergencyPage(page));
        }
        let code = rest.strip_prefix("c:")?;
        (code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase()))
            .then(|| Self::EmergencyCountry(code.to_owned()))
    }

    /// Whether the button belongs to the emergency picker (`emergency.rs` handles it).
    pub(super) fn is_emergency(&self) -> bool {
        matches!(
            self,
            Self::EmergencyOpen | Self::EmergencyPage(_) | Self::EmergencyCountry(_)
        )
    }
}

/// Two buttons a row.
fn rows(buttons: &[InlineKeyboardButton]) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new(buttons.chunks(2).map(<[InlineKeyboardButton]>::to_vec))
}

fn topic_button(topic: &TopicRef) -> InlineKeyboardButton {
    InlineKeyboardButton::callback(
        topic.title.clone(),
        ButtonAction::Topic(topic.id.to_string()).encode(),
    )
}

/// Every topic, as buttons.
pub(super) fn topic_keyboard(engine: &Engine) -> InlineKeyboardMarkup {
    let buttons: Vec<InlineKeyboardButton> = engine.topic_list().iter().map(topic_button).collect();
    rows(&buttons)
}

/// Buttons for a reply: "You may also mean" first, then related topics; the full list after a
/// fallback.
pub(super) fn reply_keyboard(engine: &Engine, reply: &Reply) -> Option<InlineKeyboardMarkup> {
    if reply.kind == ReplyKind::Fallback {
        return Some(topic_keyboard(engine));
    }
    let buttons: Vec<InlineKeyboardButton> = reply
        .also
        .iter()
        .chain(&reply.related)
        .take(4)
        .map(topic_button)
        .collect();
    (!buttons.is_empty()).then(|| rows(&buttons))
}

/// Yes and no for question `index` of the check.
pub(super) fn check_keyboard(index: usize) -> InlineKeyboardMarkup {
    let with = |yes: bool| ButtonAction::Check { index, yes }.encode();
    InlineKeyboardMarkup::new([[
        InlineKeyboardButton::callback(text::YES, with(true)),
        InlineKeyboardButton::callback(text::NO, with(false)),
    ]])
}

/// A button press: answer the query (so the button stops spinning), then act on it.
pub(super) async fn handle_callback(turn: Turn<'_>, query: &CallbackQuery) -> HandlerResult {
    let ctx = turn.ctx;
    let action = query.data.as_deref().and_then(ButtonAction::decode);
    if let Some(action) = action.as_ref().filter(|a| a.is_emergency()) {
        return super::emergency::on_button(turn, query, action).await;
    }
    let target = query.message.as_ref().map(|m| {
        let thread = m
            .regular_message()
            .filter(|r| r.is_topic_message)
            .and_then(|r| r.thread_id);
        Target {
            chat: m.chat().id,
            thread,
            reply_to: None,
        }
    });
    let topic_reply = match &action {
        Some(ButtonAction::Topic(id)) => ctx.engine.topic_reply(id),
        _ => None,
    };
    let valid = topic_reply.is_some() || matches!(action, Some(ButtonAction::Check { .. }));
    // Every callback query is answered, so the button stops spinning; a stale one politely.
    let mut answer = turn.bot.answer_callback_query(query.id.clone());
    if !valid || target.is_none() {
        record_action("stale-button");
        answer = answer.text(text::STALE_BUTTON);
    }
    if let Err(e) = with_retry(Some(&ctx.metrics), || answer.clone().send()).await {
        warn!(class = e.label(), "answerCallbackQuery failed");
    }
    let Some(target) = target.filter(|_| valid) else {
        return Ok(());
    };
    match action {
        Some(ButtonAction::Topic(id)) => {
            record_action("topic-button");
            Span::current().record("topic", id.as_str());
            // A topic answer in a group counts against the presser's rate (`group_limit.rs`).
            let group = !target.chat.is_user();
            if group && !super::group_limit::allows(turn, target, Some(query.from.id)).await? {
                return Ok(());
            }
            match topic_reply {
                Some(reply) => turn.send_reply(target, &reply).await,
                None => Ok(()),
            }
        }
        Some(ButtonAction::Check { index, yes }) => {
            record_action("check");
            check::answer(turn, target, index, yes).await
        }
        // Handled above, by `emergency::on_button`.
        Some(
            ButtonAction::EmergencyOpen
            | ButtonAction::EmergencyPage(_)
            | ButtonAction::EmergencyCountry(_),
        ) => Ok(()),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emergency_buttons_round_trip_and_forgeries_are_refused() {
        for action in [
            ButtonAction::EmergencyOpen,
            ButtonAction::EmergencyPage(0),
            ButtonAction::EmergencyPage(3),
            ButtonAction::EmergencyCountry("GB".into()),
        ] {
            let data = action.encode();
            assert!(data.len() < 64, "{data}");
            assert_eq!(ButtonAction::decode(&data), Some(action));
        }
        for forged in [
            "e:", "e:x", "e:p:", "e:p:-1", "e:p:100", "e:c:", "e:c:gb", "e:c:GBR",
        ] {
            assert_eq!(ButtonAction::decode(forged), None, "{forged:?}");
        }
    }

    #[test]
    fn callback_data_round_trips_and_fits_telegram() {
        for action in [
            ButtonAction::Topic("spondylolisthesis".into()),
            ButtonAction::Check {
                index: 5,
                yes: true,
            },
            ButtonAction::Check {
                index: 0,
                yes: false,
            },
        ] {
            let data = action.encode();
            assert!(data.len() <= 64);
            assert_eq!(ButtonAction::decode(&data), Some(action));
        }
        for forged in [
            "",
            "x",
            "c:yq",
            "c:1",
            "c:1:maybe",
            "c:-1:y",
            "c:999:y",
            "c:yyyyyyyyyyyyyyyyyyyyyyyyyyyy",
            &"t:".repeat(40),
        ] {
            assert_eq!(
                ButtonAction::decode(forged).filter(|a| matches!(a, ButtonAction::Check { .. })),
                None,
                "{forged:?}"
            );
        }
    }
}
