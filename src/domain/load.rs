//! `parse_kb`: the knowledge base's files validated with the lexicon plugged in, so keywords are
//! compared the way the matcher will read them. `kb` itself knows no lexicon (it takes one as an
//! argument, `kb::parse_with`), so the dependency runs one way, lexicon -> kb; this is where the
//! two meet. `Engine::new` compiles its own lexicon from `Kb::synonyms`; `Engine::from_files`
//! keeps the one compiled for validation, which is what the bot and `kb check` use.

use super::kb::{self, Kb, KbError, KbFile, Synonym, Terms};
use super::lexicon::Lexicon;

/// Parses and validates a knowledge base from its files.
///
/// # Errors
/// Every problem found: a missing file, malformed TOML, unknown fields, duplicate or unknown
/// ids, empty answers, a keyword claimed by two topics with equal weight, empty red-flag terms.
pub fn parse_kb(files: &[KbFile]) -> Result<Kb, KbError> {
    kb::parse_with(files, Lexicon::build).map(|(kb, _)| kb)
}

impl Terms for Lexicon {
    fn terms<'a>(&self, words: impl IntoIterator<Item = &'a str>) -> Vec<String> {
        Lexicon::terms(self, words)
    }

    fn synonym_problems(&self, synonyms: &[Synonym]) -> Vec<(usize, String)> {
        self.problems(synonyms)
            .into_iter()
            .map(|p| (p.synonym, p.message))
            .collect()
    }
}
