//! The red-flag check: yes/no questions asked one at a time, ending in the right tier.
//!
//! Stateless: the caller keeps the answers so far (the Telegram edge keeps them in its storage
//! while the check runs; a button's callback data carries only the question's index) and asks
//! `step` what comes next. Front ends use `Engine::check_next` (`doors.rs`), which adds the
//! reply that ends the check, and `Engine::check_summary` (`summary.rs`), the summary to show a
//! doctor.

use super::kb::{Kb, Tier};

mod summary;

pub use summary::{summarize, Summary};

/// The most questions a check can have. A button's callback data (at most 64 bytes) carries
/// the question's index, and an index past this is refused as forged.
pub const MAX_QUESTIONS: usize = 16;

/// What the check does next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckStep<'a> {
    /// Ask question `index` (0-based) of `total`.
    Ask {
        /// Position of the question.
        index: usize,
        /// Number of questions.
        total: usize,
        /// The question.
        question: &'a str,
    },
    /// The check is over: the highest tier answered "yes", or `None` for all "no".
    Done(Option<Tier>),
}

/// The next step after `answers` (true = yes). Answers beyond the questions are ignored; an
/// emergency "yes" ends the check at once, since nothing else matters then.
pub fn step<'a>(kb: &'a Kb, answers: &[bool]) -> CheckStep<'a> {
    let questions = &kb.red_flags.check;
    let mut tier: Option<Tier> = None;
    for (question, &yes) in questions.iter().zip(answers) {
        if yes {
            tier = tier.max(Some(question.tier));
            if question.tier == Tier::Emergency {
                return CheckStep::Done(tier);
            }
        }
    }
    match questions.get(answers.len()) {
        Some(question) if answers.len() < MAX_QUESTIONS => CheckStep::Ask {
            index: answers.len(),
            total: questions.len(),
            question: &question.question,
        },
        _ => CheckStep::Done(tier),
    }
}
