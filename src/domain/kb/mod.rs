//! The knowledge base: schema of the TOML files under `knowledge/`, parsing and validation.
//!
//! Files arrive as `(name, text)` pairs already in memory; reading them from disk or from the
//! binary is the caller's business (`crate::kb_files`). Raw serde structs stay private (`raw`,
//! and the `raw` module of each file with its own folder); `parse_with` turns them into the
//! validated `Kb` or a `KbError` listing every problem with file and line.
//!
//! - `schema`: the validated types (`Kb`, `Topic`, `TopicId`, `Messages`, ...);
//! - `problem`: `KbError`, `KbProblem` and the helpers that put a file and line on a problem;
//! - `parse` (module): all files at once, in a fixed order, gathering every problem;
//! - `topics`, `synonyms`, `red_flags`, `questions`: the validation of one file each;
//! - `words`: `WordList`, the common-words file;
//! - `emergency`: `EmergencyNumbers`, the optional `emergency.toml` (numbers by country).
//!
//! Nothing here knows the lexicon: the checks that compare keywords the way the matcher reads
//! them take it as an argument (`parse_with` and its `Terms`). `crate::domain::parse_kb` plugs the
//! lexicon in, so the dependency runs one way: lexicon -> kb.

mod emergency;
mod parse;
mod problem;
mod questions;
mod raw;
mod red_flags;
mod schema;
mod synonyms;
mod topics;
mod words;

pub use emergency::{is_phone_number, Country, EmergencyNumbers, EmergencyText, Line};
pub use parse::{parse_with, Terms};
pub use problem::{line_of, KbError, KbProblem};
pub use questions::{Intent, Questions, Subject, ANY_SUBJECT};
pub use red_flags::{
    AgeRule, CheckQuestion, FlagContext, Measure, NearRule, Negation, Patterns, RedFlag, RedFlags,
    Tier, UrgentText,
};
pub use schema::{Kb, MatchSettings, Messages, Scope, ScopeKind, Synonym, Topic, TopicId};
pub use words::WordList;

use problem::{folded_nonempty, Problems};

/// The file names a knowledge base is made of.
pub const TOPICS_FILE: &str = "topics.toml";
/// Synonyms, lay terms, spelling variants and out-of-scope markers.
pub const LEXICON_FILE: &str = "lexicon.toml";
/// Red flags and the urgent-care text.
pub const RED_FLAGS_FILE: &str = "redflags.toml";
/// Fixed wording: disclaimer, fallback, greetings, safety net.
pub const MESSAGES_FILE: &str = "messages.toml";
/// How a question is read: domain, other senses, intents, subjects, routes, follow-ups.
pub const QUESTIONS_FILE: &str = "questions.toml";
/// Common English words: never spell-corrected (optional file).
pub const COMMON_WORDS_FILE: &str = "common_words.txt";
/// Emergency numbers by country, with their sources (optional file: without it, no countries).
pub const EMERGENCY_FILE: &str = "emergency.toml";

/// The files `parse` needs, in the order they are reported.
pub const REQUIRED_FILES: [&str; 5] = [
    TOPICS_FILE,
    LEXICON_FILE,
    RED_FLAGS_FILE,
    MESSAGES_FILE,
    QUESTIONS_FILE,
];

/// A knowledge-base file's name and its whole text.
#[derive(Clone)]
pub struct KbFile {
    /// The name used in error messages (a path when loaded from disk).
    pub name: String,
    /// The file's text.
    pub text: String,
}

#[cfg(test)]
mod tests;
