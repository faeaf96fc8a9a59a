//! `kb_load`: the knowledge base with one file replaced or mutated, through `parse_kb`.
//! Invariants: never a panic; every problem names a file, and a line (when it has one) >= 1
//! and within the file.
#![no_main]

use std::sync::OnceLock;

use backleg::domain::{parse_kb, KbFile};
use libfuzzer_sys::fuzz_target;

fn originals() -> &'static [KbFile] {
    static FILES: OnceLock<Vec<KbFile>> = OnceLock::new();
    FILES.get_or_init(backleg::kb_files::embedded_files)
}

fuzz_target!(|data: &[u8]| {
    // Byte 0 picks the file; byte 1 the mutation: even replaces the whole text with the rest,
    // odd inserts the rest at the offset in bytes 2-3 (scaled to the file).
    let [pick, how, rest @ ..] = data else { return };
    let mut files = originals().to_vec();
    let i = usize::from(*pick) % files.len();
    let file = &mut files[i];
    if how % 2 == 0 {
        file.text = String::from_utf8_lossy(rest).into_owned();
    } else {
        let [hi, lo, insert @ ..] = rest else { return };
        let at = usize::from(u16::from_be_bytes([*hi, *lo])) * file.text.len() / 65536;
        let at = (0..=at)
            .rev()
            .find(|&at| file.text.is_char_boundary(at))
            .unwrap_or(0);
        file.text.insert_str(at, &String::from_utf8_lossy(insert));
    }
    if let Err(error) = parse_kb(&files) {
        assert!(!error.problems.is_empty(), "an error without problems");
        for problem in &error.problems {
            assert!(
                !problem.file.is_empty(),
                "a problem without a file: {problem}"
            );
            if let Some(line) = problem.line {
                assert!(line >= 1, "line 0: {problem}");
                if let Some(f) = files.iter().find(|f| f.name == problem.file) {
                    let lines = f.text.lines().count().max(1) + 1;
                    assert!(line <= lines, "line past the end ({lines}): {problem}");
                }
            }
        }
    }
});
