//! Helpers shared by the integration tests: the engine, paths, knowledge-base copies, the
//! HTML markup scan and the command under test.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use backleg::domain::{Answer, Engine, EngineOptions, Question};
use tempfile::TempDir;

/// What every reply's disclaimer says, in the real and in the fixture knowledge base.
pub const NOT_A_DIAGNOSIS: &str = "not a diagnosis";

/// The crate root.
pub fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The real knowledge base directory.
pub fn knowledge_dir() -> PathBuf {
    manifest_dir().join("knowledge")
}

/// The tiny fixture knowledge base (tests/it/fixtures/kb).
pub fn fixture_kb_dir() -> PathBuf {
    manifest_dir().join("tests/it/fixtures/kb")
}

/// The engine on the built-in knowledge base, built once for the whole test binary.
pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        backleg::kb_files::load_engine(None, &EngineOptions::default())
            .expect("the built-in knowledge base loads")
    })
}

/// The built-in engine's answer to a message.
pub fn answer(text: &str) -> Answer {
    engine().answer(&Question::new(text))
}

/// The engine on the fixture knowledge base.
pub fn fixture_engine() -> Engine {
    backleg::kb_files::load_engine(Some(&fixture_kb_dir()), &EngineOptions::default())
        .expect("the fixture knowledge base loads")
}

/// A temporary copy of a knowledge-base directory (its .toml and .txt files), to break.
pub fn copy_kb(from: &Path) -> TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for entry in std::fs::read_dir(from).expect("knowledge base dir") {
        let path = entry.expect("dir entry").path();
        let keep = path
            .extension()
            .is_some_and(|ext| ext == "toml" || ext == "txt");
        if keep {
            std::fs::copy(&path, dir.path().join(path.file_name().expect("file name")))
                .expect("copy");
        }
    }
    dir
}

/// Replaces the one occurrence of `from` in `dir/file` by `to` and returns the new text.
/// Panics when `from` is missing or ambiguous, so a knowledge-base edit that moves the text
/// fails loudly here instead of silently testing nothing.
#[track_caller]
pub fn edit(dir: &Path, file: &str, from: &str, to: &str) -> String {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).expect("read kb file");
    let n = text.matches(from).count();
    assert_eq!(n, 1, "{file}: expected exactly one {from:?}, found {n}");
    let new = text.replacen(from, to, 1);
    std::fs::write(&path, &new).expect("write kb file");
    new
}

/// 1-based line of the first occurrence of `needle` (which must occur).
#[track_caller]
pub fn line_of(text: &str, needle: &str) -> usize {
    let offset = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not found"));
    text[..offset].matches('\n').count() + 1
}

/// Asserts Telegram-safe HTML: every `<` opens one of `<b>`, `</b>`, `<i>`, `</i>`, every `>`
/// closes one, and every `&` starts one of the four entities `escape_html` writes.
#[track_caller]
pub fn assert_only_telegram_markup(html: &str) {
    const TAGS: [&str; 4] = ["<b>", "</b>", "<i>", "</i>"];
    const ENTITIES: [&str; 4] = ["&lt;", "&gt;", "&amp;", "&quot;"];
    assert!(
        !html.to_ascii_lowercase().contains("<script"),
        "raw <script in {html:?}"
    );
    for (i, c) in html.char_indices() {
        let rest = &html[i..];
        match c {
            '<' => assert!(
                TAGS.iter().any(|t| rest.starts_with(t)),
                "stray '<' at byte {i}: {:?}",
                excerpt(html, i)
            ),
            // '>' is one byte: html[..=i] ends on a char boundary.
            '>' => assert!(
                TAGS.iter().any(|t| html[..=i].ends_with(t)),
                "stray '>' at byte {i}: {:?}",
                excerpt(html, i)
            ),
            '&' => assert!(
                ENTITIES.iter().any(|e| rest.starts_with(e)),
                "stray '&' at byte {i}: {:?}",
                excerpt(html, i)
            ),
            _ => {}
        }
    }
}

fn excerpt(text: &str, at: usize) -> &str {
    let mut start = at.saturating_sub(30);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = (at + 30).min(text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    &text[start..end]
}

/// The `backleg` binary, with the environment it reads cleared so the developer's settings
/// cannot change a test's outcome.
pub fn backleg() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("backleg").expect("backleg binary");
    cmd.env_remove("BACKLEG_KNOWLEDGE")
        .env_remove("BACKLEG_EMERGENCY_NUMBER")
        .env_remove("BACKLEG_LOG_FORMAT")
        .env_remove("RUST_LOG");
    cmd
}
