//! `kb::parse`: the knowledge base's files validated with the lexicon plugged in, so keywords are
//! compared the way the matcher will read them. `kb` itself knows no lexicon (it takes one as an
//! argument, `kb::parse_with`); this is where the two meet, and `kb` re-exports the result so
//! its public path stays `kb::parse`. `Engine::new` compiles its own lexicon from `Kb::synonyms`;
//! `Engine::from_files` keeps the one validation compiled.

use super::kb::{self, Kb, KbError, KbFile, Synonym, Terms};
use super::lexicon::Lexicon;

/// Parses and validates a knowledge base from its files.
///
/// # Errors
/// Every problem found: a missing file, malformed TOML, unknown fields, duplicate or unknown
/// ids, empty answers, a keyword claimed by two topics with equal weight, empty red-flag terms.
pub fn parse(files: &[KbFile]) -> Result<Kb, KbError> {
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
