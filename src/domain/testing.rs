//! Test-only: the tiny knowledge base of `tests/it/fixtures/kb/`, in memory, for the domain's
//! unit tests (one fixture for unit and integration tests, trimmed to what they need).

use super::kb::{self, Kb, KbFile};

const FILES: [(&str, &str); 5] = [
    (
        kb::TOPICS_FILE,
        include_str!("../../tests/it/fixtures/kb/topics.toml"),
    ),
    (
        kb::LEXICON_FILE,
        include_str!("../../tests/it/fixtures/kb/lexicon.toml"),
    ),
    (
        kb::RED_FLAGS_FILE,
        include_str!("../../tests/it/fixtures/kb/redflags.toml"),
    ),
    (
        kb::MESSAGES_FILE,
        include_str!("../../tests/it/fixtures/kb/messages.toml"),
    ),
    (
        kb::QUESTIONS_FILE,
        include_str!("../../tests/it/fixtures/kb/questions.toml"),
    ),
];

/// The fixture's files.
pub(crate) fn files() -> Vec<KbFile> {
    FILES
        .iter()
        .map(|(name, text)| KbFile {
            name: (*name).to_owned(),
            text: (*text).to_owned(),
        })
        .collect()
}

/// The fixture's files with the one occurrence of `from` in `file` replaced by `to`.
#[track_caller]
pub(crate) fn files_with(file: &str, from: &str, to: &str) -> Vec<KbFile> {
    let mut files = files();
    let target = files
        .iter_mut()
        .find(|f| f.name == file)
        .unwrap_or_else(|| panic!("no fixture file {file}"));
    assert_eq!(
        target.text.matches(from).count(),
        1,
        "{file}: {from:?} must occur once"
    );
    target.text = target.text.replacen(from, to, 1);
    files
}

/// The fixture, parsed.
pub(crate) fn kb() -> Kb {
    super::parse_kb(&files()).unwrap_or_else(|e| panic!("fixture knowledge base: {e}"))
}
