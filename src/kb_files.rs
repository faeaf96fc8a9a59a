//! Edge: where knowledge-base files come from — the copy compiled into the binary, or a
//! directory on disk (`--knowledge DIR`, `BACKLEG_KNOWLEDGE`). Hands `(name, text)` pairs to
//! `domain::parse_kb` and nothing more.

use std::path::{Path, PathBuf};

use crate::domain::kb::{self, KbFile, COMMON_WORDS_FILE, EMERGENCY_FILE, REQUIRED_FILES};
use crate::domain::{parse_kb, Engine, EngineOptions, Kb, KbError};

/// The knowledge base compiled into the binary, so it runs anywhere on its own.
const EMBEDDED: [(&str, &str); 7] = [
    (kb::TOPICS_FILE, include_str!("../knowledge/topics.toml")),
    (kb::LEXICON_FILE, include_str!("../knowledge/lexicon.toml")),
    (
        kb::RED_FLAGS_FILE,
        include_str!("../knowledge/redflags.toml"),
    ),
    (
        kb::MESSAGES_FILE,
        include_str!("../knowledge/messages.toml"),
    ),
    (
        kb::QUESTIONS_FILE,
        include_str!("../knowledge/questions.toml"),
    ),
    (
        kb::COMMON_WORDS_FILE,
        include_str!("../knowledge/common_words.txt"),
    ),
    (
        kb::EMERGENCY_FILE,
        include_str!("../knowledge/emergency.toml"),
    ),
];

/// Why a knowledge base could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum KbLoadError {
    /// A file could not be read.
    #[error("cannot read {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The directory does not exist or is not a directory.
    #[error("{0} is not a directory")]
    NotADirectory(PathBuf),
    /// The files were read but are invalid.
    #[error(transparent)]
    Invalid(#[from] KbError),
}

/// The embedded knowledge base's files.
pub fn embedded_files() -> Vec<KbFile> {
    EMBEDDED
        .iter()
        .map(|(name, text)| KbFile {
            name: format!("knowledge/{name}"),
            text: (*text).to_owned(),
        })
        .collect()
}

/// Reads a knowledge-base directory. Missing required files are left for `parse` to report
/// (with all other problems at once); other read errors stop here.
///
/// # Errors
/// The directory is missing, or a file exists but cannot be read (permissions, not UTF-8).
pub fn read_dir(dir: &Path) -> Result<Vec<KbFile>, KbLoadError> {
    if !dir.is_dir() {
        return Err(KbLoadError::NotADirectory(dir.to_owned()));
    }
    let mut files = Vec::new();
    for name in REQUIRED_FILES
        .iter()
        .chain([&COMMON_WORDS_FILE, &EMERGENCY_FILE])
    {
        let path = dir.join(name);
        match std::fs::read_to_string(&path) {
            Ok(text) => files.push(KbFile {
                name: path.display().to_string(),
                text,
            }),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(KbLoadError::Read { path, source }),
        }
    }
    Ok(files)
}

/// Loads and validates a knowledge base: from `dir` when given, else the embedded one.
///
/// # Errors
/// See `read_dir` and `domain::parse_kb`.
pub fn load_kb(dir: Option<&Path>) -> Result<Kb, KbLoadError> {
    Ok(parse_kb(&files(dir)?)?)
}

/// Loads a knowledge base and builds the engine (the lexicon compiled once, for validation and
/// matching alike).
///
/// # Errors
/// See `load_kb`.
pub fn load_engine(dir: Option<&Path>, options: &EngineOptions) -> Result<Engine, KbLoadError> {
    Ok(Engine::from_files(&files(dir)?, options)?)
}

/// The files of `dir` when given, else the embedded ones.
fn files(dir: Option<&Path>) -> Result<Vec<KbFile>, KbLoadError> {
    match dir {
        Some(dir) => read_dir(dir),
        None => Ok(embedded_files()),
    }
}
