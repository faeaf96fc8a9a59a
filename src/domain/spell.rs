//! Spelling tolerance: maps a word the knowledge base does not know to the closest word it does.
//!
//! Cost is bounded per word, not by the vocabulary: a word is only looked at when it is not a
//! known word (exact hits first), and then only against vocabulary words with the same first
//! letter and a length within the allowed edit distance. With a vocabulary of a few thousand
//! words that is a few dozen optimal-string-alignment comparisons of short strings.

use std::collections::{HashMap, HashSet};

/// Words shorter than this are never corrected: too many real words sit one edit apart.
pub const MIN_FUZZY_LEN: usize = 4;
/// Words longer than this are never corrected (keyboard mashing, URLs).
pub const MAX_FUZZY_LEN: usize = 30;

/// How many edits a word of this length may be away from a vocabulary word.
pub fn max_edits(len: usize) -> usize {
    match len {
        0..MIN_FUZZY_LEN => 0,
        MIN_FUZZY_LEN..=7 => 1,
        _ => 2,
    }
}

/// Vocabulary words bucketed by first letter, for fuzzy lookup.
#[derive(Debug, Clone, Default)]
pub struct SpellIndex {
    buckets: HashMap<char, Vec<Candidate>>,
}

/// A vocabulary word with what the cheap filters need.
#[derive(Debug, Clone)]
struct Candidate {
    word: String,
    len: usize,
    letters: LetterCounts,
}

/// How often each letter a-z occurs (other characters are ignored). The "bag distance" between
/// two words' counts is a lower bound of their edit distance and costs 26 subtractions, so it
/// rules out most candidates before the real distance is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct LetterCounts([u8; 26]);

impl LetterCounts {
    fn of(word: &str) -> Self {
        let mut counts = [0u8; 26];
        for b in word.bytes() {
            if b.is_ascii_lowercase() {
                counts[usize::from(b - b'a')] = counts[usize::from(b - b'a')].saturating_add(1);
            }
        }
        Self(counts)
    }

    fn bag_distance(&self, other: &Self) -> usize {
        let (mut extra, mut missing) = (0usize, 0usize);
        for (a, b) in self.0.iter().zip(other.0.iter()) {
            if a > b {
                extra += usize::from(a - b);
            } else {
                missing += usize::from(b - a);
            }
        }
        extra.max(missing)
    }
}

impl SpellIndex {
    /// Builds the index from folded vocabulary words (duplicates and short words are dropped).
    pub fn build<'a>(vocabulary: impl IntoIterator<Item = &'a str>) -> Self {
        let mut unique: HashSet<&str> = HashSet::new();
        let mut buckets: HashMap<char, Vec<Candidate>> = HashMap::new();
        for word in vocabulary {
            let len = word.chars().count();
            if !(MIN_FUZZY_LEN..=MAX_FUZZY_LEN).contains(&len) || !unique.insert(word) {
                continue;
            }
            if let Some(first) = word.chars().next() {
                buckets.entry(first).or_default().push(Candidate {
                    word: word.to_owned(),
                    len,
                    letters: LetterCounts::of(word),
                });
            }
        }
        for bucket in buckets.values_mut() {
            // Sorted so that ties between equally close words resolve the same way every run.
            bucket.sort_by(|a, b| a.word.cmp(&b.word));
        }
        Self { buckets }
    }

    /// Number of words indexed.
    pub fn len(&self) -> usize {
        self.buckets.values().map(Vec::len).sum()
    }

    /// Whether nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.buckets.is_empty()
    }

    /// The closest vocabulary word within the allowed distance, if any.
    ///
    /// Only the bucket of the word's first letter is searched; candidates whose length differs
    /// by more than the allowed distance are skipped before any distance is computed.
    pub fn correct(&self, word: &str) -> Option<&str> {
        let len = word.chars().count();
        let limit = max_edits(len);
        if limit == 0 || len > MAX_FUZZY_LEN {
            return None;
        }
        let first = word.chars().next()?;
        let bucket = self.buckets.get(&first)?;
        let letters = LetterCounts::of(word);
        let mut best: Option<(usize, &str)> = None;
        for candidate in bucket {
            if candidate.len.abs_diff(len) > limit {
                continue;
            }
            // The candidate's own length bounds the distance too: a 4-letter vocabulary word is
            // not reached by two edits from a 6-letter typo.
            let allowed = limit.min(max_edits(candidate.len).max(1));
            if letters.bag_distance(&candidate.letters) > allowed {
                continue;
            }
            let distance = strsim::osa_distance(word, &candidate.word);
            if distance <= allowed && best.is_none_or(|(d, _)| distance < d) {
                best = Some((distance, &candidate.word));
            }
        }
        best.map(|(_, w)| w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> SpellIndex {
        SpellIndex::build([
            "sciatica",
            "stenosis",
            "piriformis",
            "spondylolisthesis",
            "bladder",
            "incontinent",
            "pain",
            "fever",
        ])
    }

    #[track_caller]
    fn check(word: &str, want: Option<&str>) {
        assert_eq!(index().correct(word), want, "correct({word:?})");
    }

    #[test]
    fn corrects_common_misspellings() {
        check("siatica", Some("sciatica"));
        check("stenossis", Some("stenosis"));
        check("piriformus", Some("piriformis"));
        check("spondilolistesis", Some("spondylolisthesis"));
        check("bladdr", Some("bladder"));
        check("incontinant", Some("incontinent"));
        check("pian", Some("pain"));
    }

    #[test]
    fn bag_distance_never_exceeds_edit_distance() {
        for (a, b) in [
            ("siatica", "sciatica"),
            ("bladdr", "bladder"),
            ("pian", "pain"),
            ("abc", "xyz"),
            ("", "abc"),
        ] {
            let bag = LetterCounts::of(a).bag_distance(&LetterCounts::of(b));
            assert!(bag <= strsim::osa_distance(a, b), "{a} {b}");
        }
    }

    #[test]
    fn leaves_far_and_short_words_alone() {
        check("pizza", None);
        check("pa", None);
        check("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", None);
        check("", None);
    }
}
