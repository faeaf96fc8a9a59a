//! `config`: a config file's text through `RunSettings::parse_text`, then the merge and the
//! validation (`resolve`). Invariants: never a panic; a parse error is a `ParseFile` error that
//! names the file and a line within it.
#![no_main]

use std::path::Path;

use backleg::config::{ConfigError, RunSettings};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match RunSettings::parse_text(&text, Path::new("fuzz.toml")) {
        Ok(settings) => {
            // The file alone, then under flags that set nothing: both validate without a panic.
            let _ = settings.clone().resolve();
            let _ = RunSettings::default().over(settings).resolve();
        }
        Err(ConfigError::ParseFile { line, path, .. }) => {
            let lines = text.lines().count().max(1) + 1;
            assert!(line >= 1 && line <= lines, "line {line} of {lines}");
            assert_eq!(path, Path::new("fuzz.toml"));
        }
        Err(other) => panic!("parsing text gave {other}"),
    }
});
