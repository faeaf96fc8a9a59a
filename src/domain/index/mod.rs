//! The keyword index: built once from a validated `Kb`, then read-only.
//!
//! It owns every lookup structure the per-message path needs: the known-word set and the
//! spelling index, the synonym rewriter (the lexicon the engine compiled), the stemmed term ->
//! topics postings, the phrase automaton and the out-of-scope markers. `analyze` turns a message
//! into the words triage reads and the terms the matcher scores.
//!
//! Here the types, `stats` and `lookup`; `build` compiles a `Kb`, `analyze` reads a message.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use std::sync::Arc;

use super::kb::WordList;
use super::lexicon::{Lexicon, StemCache};
use super::normalize::Break;
use super::phrase::PhraseSet;
use super::spell::SpellIndex;

mod analyze;
mod build;

/// A topic's position in `Kb::topics`.
pub type TopicIdx = usize;

/// The topics a term or phrase points at, with their weights.
type Postings = [(TopicIdx, f32)];

/// Lookup structures over one knowledge base.
#[derive(Debug)]
pub struct Index {
    lexicon: Arc<Lexicon>,
    /// Folded words of the knowledge base itself: never spell-corrected.
    known_words: HashSet<String>,
    /// Common English words: never spell-corrected either.
    common_words: WordList,
    /// Stems that appear in the index: a word whose stem is here is known too.
    known_stems: HashSet<String>,
    /// Stems of every word the knowledge base uses, so reading a message rarely stems.
    stems: StemCache,
    spell: SpellIndex,
    /// Stemmed single-word keyword -> (topic, weight).
    terms: HashMap<String, Vec<(TopicIdx, f32)>>,
    /// Stemmed multi-word keywords and the out-of-scope markers, in one automaton: one pass
    /// over a message's terms finds both.
    term_phrases: PhraseSet,
    /// Parallel to `term_phrases`' patterns.
    term_phrase_kinds: Vec<TermPhrase>,
    /// Postings of each multi-word keyword (`TermPhrase::Keyword` holds the slot).
    phrase_postings: Vec<Vec<(TopicIdx, f32)>>,
    /// (scope kind, age): a stated age under it marks the kind (children).
    age_kinds: Vec<(usize, u32)>,
    /// Other senses of domain words ("back up", "leg of lamb"): their words are read as nothing.
    senses: PhraseSet,
    /// Animals, and the body words that are theirs when no person owns one ("his back leg").
    animals: HashSet<String>,
    animal_body: HashSet<String>,
    /// Things that are not a body: with one named and no person's body, nothing scores.
    outside: PhraseSet,
    /// Words a question sentence opens with.
    openers: HashSet<String>,
    /// Weight of a sentence that is neither a question nor the last.
    history_weight: f32,
    /// Red-flag words only, for triage's own spelling correction.
    flag_spell: SpellIndex,
    /// Words the spelling corrector can map to.
    n_vocabulary: usize,
}

/// What a pattern of `Index::term_phrases` is.
#[derive(Debug, Clone, Copy)]
enum TermPhrase {
    /// A topic's multi-word keyword: its slot in `phrase_postings`.
    Keyword(usize),
    /// An out-of-scope marker of this kind (position in `Scope::kinds`).
    OffTopic(usize),
}

/// A message after normalization.
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    /// Folded words with misspellings corrected, stop words kept.
    pub words: Vec<String>,
    /// `words`, except that a word that is not itself a known word is corrected towards the
    /// red-flag vocabulary first: what triage reads. ("numbe" stems like the known "numb", so the
    /// general corrector leaves it alone, but triage matches whole words and needs "numb".)
    pub flag_words: Vec<String>,
    /// The punctuation break before each of `words`.
    pub breaks: Vec<Break>,
    /// The byte range in the original text of each of `words` (`normalize::Folded::spans`).
    pub spans: Vec<(u32, u32)>,
    /// (typed, corrected) pairs, for tests and the eval report.
    pub corrections: Vec<(String, String)>,
    /// Whether each of `words` was read as nothing (another sense: "back up my phone").
    pub masked: Vec<bool>,
    /// The message is about a thing, not a body ("do I need new discs for my brakes?"): no
    /// topic answers it and it is not in the domain (its out-of-scope words still count).
    pub about_a_thing: bool,
    /// The sentence each of `words` is in (0-based).
    pub word_sentence: Vec<usize>,
    /// Stemmed content terms after synonym rewriting: what the matcher scores.
    pub terms: Vec<String>,
    /// The word (position in `words`) each of `terms` came from.
    pub term_word: Vec<usize>,
    /// The sentence each of `terms` came from.
    pub term_sentence: Vec<usize>,
    /// How much each sentence counts: 1 for the question sentences and the last one, less for
    /// the history before them; all 1 when no sentence is a question.
    pub sentence_weights: Vec<f32>,
    /// Multi-word keywords found in `terms`: (slot in the index's postings, first term, end).
    pub keyword_phrases: Vec<(usize, usize, usize)>,
    /// Number of distinct out-of-scope markers found.
    pub n_off_topic: usize,
    /// The out-of-scope kinds whose markers were found (positions in `Scope::kinds`), each once,
    /// in knowledge-base order.
    pub scope_kinds: Vec<usize>,
    /// Kinds whose markers are only in the history before the question: they count when the
    /// question points back at it ("My MRI report says ... What does that mean?").
    pub history_scope_kinds: Vec<usize>,
    /// Whether the message joins two requests ("and", "also", two question marks).
    pub joins_requests: bool,
    /// Whether it asks two questions outright: two question marks, or "and" before a question
    /// word ("what is sciatica and what are the symptoms").
    pub two_questions: bool,
}

/// Size figures for `kb check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexStats {
    /// Distinct stemmed single-word keywords.
    pub n_terms: usize,
    /// Distinct multi-word keywords.
    pub n_phrases: usize,
    /// Synonym variants.
    pub n_synonyms: usize,
    /// Words the spelling corrector can map to.
    pub n_vocabulary: usize,
}

impl Index {
    /// Size figures.
    pub fn stats(&self) -> IndexStats {
        IndexStats {
            n_terms: self.terms.len(),
            n_phrases: self.phrase_postings.len(),
            n_synonyms: self.lexicon.len(),
            n_vocabulary: self.n_vocabulary,
        }
    }
    /// Topic hits for analyzed terms: (topic, weight, matched key) for every keyword and
    /// phrase found, each distinct key counted once, at the weight of the sentence it counts
    /// most in.
    pub fn lookup(&self, analysis: &Analysis) -> Vec<(TopicIdx, f32, String)> {
        if analysis.about_a_thing {
            return Vec::new();
        }
        let terms = &analysis.terms;
        let weight_at = |pos: usize| {
            analysis
                .term_sentence
                .get(pos)
                .and_then(|&s| analysis.sentence_weights.get(s))
                .copied()
                .unwrap_or(1.0)
        };
        // key -> (best sentence weight, postings)
        let mut best: HashMap<&str, (f32, &Postings)> = HashMap::default();
        for (pos, term) in terms.iter().enumerate() {
            if let Some(postings) = self.terms.get(term) {
                let entry = best.entry(term.as_str()).or_insert((0.0, postings));
                entry.0 = entry.0.max(weight_at(pos));
            }
        }
        let mut hits: Vec<(TopicIdx, f32, String)> = Vec::new();
        for (key, (w, postings)) in best {
            hits.extend(
                postings
                    .iter()
                    .map(|&(topic, weight)| (topic, weight * w, key.to_owned())),
            );
        }
        let mut seen_phrases: HashMap<usize, usize> = HashMap::default();
        for &(slot, start, end) in &analysis.keyword_phrases {
            let w = weight_at(start);
            match seen_phrases.get(&slot) {
                Some(&at) if hits[at].1 >= w * self.phrase_postings[slot][0].1 => continue,
                _ => {}
            }
            let key = terms[start..end].join(" ");
            // A phrase seen again in a weightier sentence replaces its first reading.
            hits.retain(|h| h.2 != key);
            seen_phrases.insert(slot, hits.len());
            hits.extend(
                self.phrase_postings[slot]
                    .iter()
                    .map(|&(topic, weight)| (topic, weight * w, key.clone())),
            );
        }
        // Deterministic order (topic, key) for the matcher's tie-breaks and reports.
        hits.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.2.cmp(&b.2)));
        hits
    }
}

#[cfg(test)]
mod tests;
