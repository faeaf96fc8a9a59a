//! The pure core: knowledge base, normalization, index, matcher, triage and replies.
//!
//! No I/O, no async, no environment: plain data in, plain data out. `Engine` is built once at
//! start-up and is immutable afterwards, so the bot shares it between tasks as `Arc<Engine>`.
//! `Engine::answer` is the one door every front end (console, batch, Telegram) goes through.
//!
//! - `kb`: the knowledge base's schema and validation (`KbError`); `parse_kb` validates files
//!   with the lexicon plugged in;
//! - `normalize`, `lexicon`, `spell`, `phrase`, `numbers`: words as the matcher and triage read
//!   them;
//! - `index` (keyword postings, `Index::analyze`), `reading` (intent, subject, follow-up),
//!   `matcher` (ranked topics), `triage` (red flags), `reply` (composing and rendering);
//! - `engine`: `Engine`, which builds the lexicon and everything above from a `Kb`; `question`:
//!   `Question` in, `Answer` out; `check`: the `/check` questionnaire; `doors`: what the Telegram
//!   edge asks of the knowledge base (topic lists, about text, the next `/check` step, notices); `readability`: the
//!   plain-language check; `quote`: the words of a message that raised its red flag;
//!   `contact`: `EmergencyContact`, whom an urgent block tells them to
//!   call (a country of `emergency.toml`, a number of the chat's own, or the default); `card`:
//!   the red-flag card (`/card`).

#![warn(missing_docs)]

pub mod card;
pub mod check;
mod contact;
pub mod doors;
mod engine;
pub mod index;
pub mod kb;
pub mod lexicon;
mod load;
pub mod matcher;
pub mod normalize;
pub mod numbers;
pub mod phrase;
mod question;
pub mod quote;
pub mod readability;
pub mod reading;
pub mod reply;
pub mod spell;
pub mod triage;

pub use contact::{ContactError, EmergencyContact};
pub use engine::{Engine, EngineOptions, EngineStats};
pub use index::{Analysis, Index, IndexStats};
pub use kb::{Kb, KbError, KbFile, KbProblem, Tier, Topic, TopicId};
pub use load::parse_kb;
pub use matcher::{Decision, Route};
pub use question::{Answer, Question, FOLLOW_UP_WINDOW};
pub use quote::Quote;
pub use reading::{Reader, Reading};
pub use reply::{Reply, ReplyKind, TopicRef, UrgentNotice};
pub use triage::{Scanner, Triage};

#[cfg(test)]
mod testing;
#[cfg(test)]
mod tests;
