//! Word forms rewritten before red-flag patterns are looked for ("cannot", "not able" ->
//! "cant"), so one rule covers every way of saying it.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::domain::kb::RedFlags;
use crate::domain::normalize::Break;
use crate::domain::phrase::PhraseSet;

/// Rewrites word forms before matching: single words by lookup, phrases leftmost-longest.
#[derive(Debug)]
pub(super) struct Rewriter {
    pub(super) singles: HashMap<String, String>,
    pub(super) phrases: PhraseSet,
    pub(super) targets: Vec<String>,
    /// First words of the phrases: a text with none of them needs no phrase pass.
    pub(super) first_words: HashSet<String>,
}

impl Rewriter {
    pub(super) fn build(red_flags: &RedFlags) -> Self {
        let mut singles = HashMap::default();
        let mut patterns = Vec::new();
        let mut targets = Vec::new();
        for synonym in &red_flags.words {
            for variant in &synonym.variants {
                if variant.contains(' ') {
                    patterns.push(variant.clone());
                    targets.push(synonym.canonical.clone());
                } else {
                    singles.insert(variant.clone(), synonym.canonical.clone());
                }
            }
        }
        // Phrases are looked for after single words are rewritten: read them that way too.
        let patterns: Vec<String> = patterns
            .iter()
            .map(|p| {
                p.split(' ')
                    .map(|w| singles.get(w).map_or(w, String::as_str))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        let first_words = patterns
            .iter()
            .filter_map(|p| p.split(' ').next())
            .map(str::to_owned)
            .collect();
        Self {
            singles,
            phrases: PhraseSet::new(&patterns),
            targets,
            first_words,
        }
    }

    /// The rewritten words, each with the break before it and the position of the first input
    /// word it came from: single words first, then phrases over the result (so "couldnt feel a
    /// thing" reads as "cant feel a thing" before the phrase "cant feel a thing" is looked for).
    /// Rewritten word `i` stands for input words `origin[i]..origin[i + 1]` (the last, to the end).
    pub(super) fn rewrite<'a, S: AsRef<str>>(
        &'a self,
        words: &'a [S],
        breaks: &[Break],
    ) -> Rewritten<'a> {
        let break_at = |i: usize| {
            breaks
                .get(i)
                .copied()
                .unwrap_or(if i == 0 { Break::Sentence } else { Break::None })
        };
        let singles: Vec<&'a str> = words
            .iter()
            .map(|w| {
                self.singles
                    .get(w.as_ref())
                    .map_or(w.as_ref(), String::as_str)
            })
            .collect();
        if !singles.iter().any(|w| self.first_words.contains(*w)) {
            return Rewritten {
                breaks: (0..words.len()).map(break_at).collect(),
                origin: (0..words.len()).collect(),
                words: singles,
            };
        }
        let mut out = Vec::with_capacity(words.len());
        let mut out_breaks = Vec::with_capacity(words.len());
        let mut origin = Vec::with_capacity(words.len());
        let mut next = 0;
        for hit in self.phrases.leftmost_longest(&singles) {
            // A rewrite must not swallow a break: "can. Not able" is two sentences.
            if hit.start < next || (hit.start + 1..hit.end).any(|i| break_at(i) != Break::None) {
                continue;
            }
            out.extend_from_slice(&singles[next..hit.start]);
            out_breaks.extend((next..hit.start).map(break_at));
            origin.extend(next..hit.start);
            out.push(self.targets[hit.pattern].as_str());
            out_breaks.push(break_at(hit.start));
            origin.push(hit.start);
            next = hit.end;
        }
        out.extend_from_slice(&singles[next..]);
        out_breaks.extend((next..words.len()).map(break_at));
        origin.extend(next..words.len());
        Rewritten {
            words: out,
            breaks: out_breaks,
            origin,
        }
    }
}

/// Words after rewriting, with where each came from.
pub(super) struct Rewritten<'a> {
    pub(super) words: Vec<&'a str>,
    pub(super) breaks: Vec<Break>,
    /// The first input word of each rewritten word.
    pub(super) origin: Vec<usize>,
}

/// The input words that rewritten words `positions` came from (`origin` as in `Rewritten`),
/// ascending, each once.
pub(super) fn input_words(origin: &[usize], positions: &[usize], n_input: usize) -> Vec<usize> {
    let mut input = Vec::with_capacity(positions.len());
    for &p in positions {
        let Some(&start) = origin.get(p) else {
            continue;
        };
        let end = origin.get(p + 1).copied().unwrap_or(n_input);
        input.extend(start..end.max(start + 1));
    }
    input.sort_unstable();
    input.dedup();
    input
}
