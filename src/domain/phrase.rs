//! Multi-word phrase search over a word sequence, on top of Aho-Corasick.
//!
//! Phrases and text are both sequences of words joined by single spaces; a hit must start and
//! end on word boundaries, so "fall" never matches inside "fallen" and "both legs" matches in
//! "pain in both legs now". All boundary-respecting hits are returned, overlapping ones included;
//! `leftmost_longest` picks a non-overlapping cover when a rewrite needs one.

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

/// A set of phrases, each a sequence of words.
#[derive(Debug, Clone)]
pub struct PhraseSet {
    automaton: Option<AhoCorasick>,
    n_patterns: usize,
}

/// One phrase found in a word sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhraseHit {
    /// Index of the phrase in the list given to `PhraseSet::new`.
    pub pattern: usize,
    /// Index of the first word.
    pub start: usize,
    /// Index one past the last word.
    pub end: usize,
}

impl PhraseSet {
    /// Builds the set from phrases given as space-separated words (already folded or stemmed).
    pub fn new<S: AsRef<str>>(phrases: &[S]) -> Self {
        let patterns: Vec<&str> = phrases.iter().map(AsRef::as_ref).collect();
        let automaton = if patterns.is_empty() {
            None
        } else {
            // Standard semantics are required for overlapping search. A contiguous NFA rather
            // than the DFA the builder would pick: it builds several times faster, and with a
            // few hundred short patterns searching a message is just as quick. A few hundred
            // short strings cannot fail for size.
            Some(
                AhoCorasick::builder()
                    .match_kind(MatchKind::Standard)
                    .kind(Some(AhoCorasickKind::ContiguousNFA))
                    .build(&patterns)
                    .expect("phrase automaton of a few hundred short patterns"),
            )
        };
        Self {
            automaton,
            n_patterns: patterns.len(),
        }
    }

    /// Number of phrases.
    pub fn len(&self) -> usize {
        self.n_patterns
    }

    /// Whether the set holds no phrase.
    pub fn is_empty(&self) -> bool {
        self.n_patterns == 0
    }

    /// All hits on word boundaries, in order of their end position.
    pub fn find_all<S: AsRef<str>>(&self, words: &[S]) -> Vec<PhraseHit> {
        let Some(automaton) = &self.automaton else {
            return Vec::new();
        };
        if words.is_empty() {
            return Vec::new();
        }
        let mut joined = String::new();
        // starts[i] = byte offset of word i in `joined`; used to map matches back to words.
        let mut starts = Vec::with_capacity(words.len());
        for (i, word) in words.iter().enumerate() {
            if i > 0 {
                joined.push(' ');
            }
            starts.push(joined.len());
            joined.push_str(word.as_ref());
        }
        let bytes = joined.as_bytes();
        automaton
            .find_overlapping_iter(&joined)
            .filter_map(|m| {
                let (start, end) = (m.start(), m.end());
                let starts_word = start == 0 || bytes[start - 1] == b' ';
                let ends_word = end == bytes.len() || bytes[end] == b' ';
                if !starts_word || !ends_word {
                    return None;
                }
                let first = starts.binary_search(&start).ok()?;
                let last = starts.partition_point(|&s| s < end);
                Some(PhraseHit {
                    pattern: m.pattern().as_usize(),
                    start: first,
                    end: last,
                })
            })
            .collect()
    }

    /// Non-overlapping hits, preferring the leftmost and then the longest.
    pub fn leftmost_longest<S: AsRef<str>>(&self, words: &[S]) -> Vec<PhraseHit> {
        let mut hits = self.find_all(words);
        hits.sort_by(|a, b| {
            a.start
                .cmp(&b.start)
                .then(b.end.cmp(&a.end))
                .then(a.pattern.cmp(&b.pattern))
        });
        let mut chosen: Vec<PhraseHit> = Vec::new();
        for hit in hits {
            if chosen.last().is_none_or(|last| hit.start >= last.end) {
                chosen.push(hit);
            }
        }
        chosen
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<&str> {
        s.split(' ').collect()
    }

    #[test]
    fn finds_phrases_on_word_boundaries_only() {
        let set = PhraseSet::new(&["fall", "both legs"]);
        let hits = set.find_all(&words("fallen in both legs"));
        assert_eq!(
            hits,
            vec![PhraseHit {
                pattern: 1,
                start: 2,
                end: 4
            }]
        );
    }

    #[test]
    fn finds_overlapping_and_adjacent_phrases() {
        let set = PhraseSet::new(&["slipped", "slipped disc", "disc"]);
        let hits = set.find_all(&words("my slipped disc"));
        assert_eq!(hits.len(), 3);
        let cover = set.leftmost_longest(&words("my slipped disc disc"));
        assert_eq!(
            cover,
            vec![
                PhraseHit {
                    pattern: 1,
                    start: 1,
                    end: 3
                },
                PhraseHit {
                    pattern: 2,
                    start: 3,
                    end: 4
                }
            ]
        );
    }

    #[test]
    fn empty_set_and_empty_text_find_nothing() {
        let empty: [&str; 0] = [];
        assert!(PhraseSet::new(&empty).find_all(&words("a b")).is_empty());
        assert!(PhraseSet::new(&["a"]).find_all::<&str>(&[]).is_empty());
    }
}
