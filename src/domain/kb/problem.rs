//! What goes wrong in a knowledge base: `KbProblem` (file, line, message) gathered into one
//! `KbError`, and the helpers every file's validation uses to place a problem.

use std::fmt;
use std::ops::Range;

use super::KbFile;
use crate::domain::normalize::fold;

/// One problem found while loading a knowledge base.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KbProblem {
    /// File name as given to `parse`.
    pub file: String,
    /// 1-based line, when the problem has a place.
    pub line: Option<usize>,
    /// What is wrong, lowercase, no final period.
    pub message: String,
}

impl fmt::Display for KbProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.file, line, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// Why a knowledge base could not be loaded: every problem found, not just the first.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct KbError {
    /// The problems, in file order.
    pub problems: Vec<KbProblem>,
}

impl fmt::Display for KbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        write!(
            f,
            "invalid knowledge base ({n} problem{})",
            if n == 1 { "" } else { "s" }
        )?;
        for problem in &self.problems {
            write!(f, "\n  {problem}")?;
        }
        Ok(())
    }
}

/// Collects problems against one file, turning byte spans into line numbers.
pub(super) struct Problems<'a> {
    pub(super) file: &'a KbFile,
    pub(super) out: &'a mut Vec<KbProblem>,
}

impl Problems<'_> {
    pub(super) fn at(&mut self, span: Option<Range<usize>>, message: impl Into<String>) {
        let line = span.map(|s| line_of(&self.file.text, s.start));
        self.out.push(KbProblem {
            file: self.file.name.clone(),
            line,
            message: message.into(),
        });
    }
}

/// 1-based line number of a byte offset.
pub fn line_of(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    text.as_bytes()[..offset]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

pub(super) fn parse_toml<T: serde::de::DeserializeOwned>(
    file: &KbFile,
    out: &mut Vec<KbProblem>,
) -> Option<T> {
    match toml::from_str::<T>(&file.text) {
        Ok(value) => Some(value),
        Err(err) => {
            let message = err.message().trim().to_owned();
            Problems { file, out }.at(err.span(), message);
            None
        }
    }
}

/// Folds a keyword or phrase the way user text is folded; `None` if nothing is left.
pub(super) fn folded_nonempty(text: &str) -> Option<String> {
    let folded = fold(text);
    (!folded.is_empty()).then_some(folded)
}
