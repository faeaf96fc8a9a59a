//! `kb check`: validates a knowledge base, prints its size and notes on hard-to-read texts.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};

use super::EXIT_FAILED;
use crate::domain::{readability, EngineOptions};
use crate::kb_files::{self, KbLoadError};

pub(super) fn kb_check(dir: Option<PathBuf>) -> Result<ExitCode> {
    let name = dir.as_ref().map_or_else(
        || "built-in knowledge base".to_owned(),
        |d| d.display().to_string(),
    );
    match kb_files::load_engine(dir.as_deref(), &EngineOptions::default()) {
        Ok(engine) => {
            let stats = engine.stats();
            println!(
                "ok: {name}: {} topics, {} terms, {} phrases, {} synonyms, {} spelling words, {} red flags ({} patterns)",
                stats.n_topics,
                stats.index.n_terms,
                stats.index.n_phrases,
                stats.index.n_synonyms,
                stats.index.n_vocabulary,
                stats.n_red_flags,
                stats.n_red_flag_patterns
            );
            println!(
                "emergency numbers: {} countries (knowledge/emergency.toml)",
                engine.countries().len()
            );
            // Plain language is advice, not validity: a hard sentence never stops the bot.
            for text in engine.texts_people_read() {
                if let Some(grade) = readability::grade(&text.text, &text.explains)
                    .filter(|&g| g > readability::MAX_GRADE)
                {
                    eprintln!(
                        "note: {}: reads at school grade {grade:.1} (aim for {} or below): shorter sentences and words, or list the terms it explains under `explains`",
                        text.place,
                        readability::MAX_GRADE
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(KbLoadError::Invalid(err)) => {
            eprintln!("{name}: {err}");
            Ok(ExitCode::from(EXIT_FAILED))
        }
        Err(err) => Err(err).with_context(|| format!("cannot check {name}")),
    }
}
