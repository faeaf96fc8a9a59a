//! The keyword index: built once from a validated `Kb`, then read-only.
//!
//! It owns every lookup structure the per-message path needs: the known-word set and the
//! spelling index, the synonym rewriter, the stemmed term -> topics postings, the phrase
//! automaton and the out-of-scope markers. `analyze` turns a message into the words triage reads
//! and the terms the matcher scores.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use std::sync::Arc;

use super::kb::{Kb, WordList};
use super::lexicon::{Lexicon, StemCache};
use super::normalize::{fold, fold_with_breaks, is_stop_word, words, Break, MAX_WORD_LEN};
use super::phrase::PhraseSet;
use super::spell::SpellIndex;

/// A topic's position in `Kb::topics`.
pub type TopicIdx = usize;

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
    /// Builds the index, reading keywords through `lexicon` (compiled from `kb.synonyms` by the
    /// engine). `extra_vocabulary` adds words other parts of the engine match on (the red flags),
    /// so that their misspellings are corrected too.
    pub fn build<'a>(
        kb: &Kb,
        lexicon: Arc<Lexicon>,
        extra_vocabulary: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        let mut vocabulary: HashSet<String> = HashSet::default();
        let add_words = |text: &str, vocabulary: &mut HashSet<String>| {
            vocabulary.extend(words(text).map(str::to_owned));
        };

        for synonym in &kb.synonyms {
            add_words(&synonym.canonical, &mut vocabulary);
            for variant in &synonym.variants {
                add_words(variant, &mut vocabulary);
            }
        }
        let mut index = Self {
            known_words: HashSet::default(),
            common_words: WordList::default(),
            known_stems: HashSet::default(),
            stems: StemCache::default(),
            spell: SpellIndex::default(),
            lexicon,
            terms: HashMap::default(),
            term_phrases: PhraseSet::new::<&str>(&[]),
            term_phrase_kinds: Vec::new(),
            phrase_postings: Vec::new(),
            age_kinds: kb
                .scope
                .kinds
                .iter()
                .enumerate()
                .filter_map(|(i, k)| k.under_age.map(|age| (i, age)))
                .collect(),
            senses: PhraseSet::new(&kb.questions.other_senses),
            animals: kb.questions.animals.iter().cloned().collect(),
            animal_body: kb.questions.animal_body.iter().cloned().collect(),
            outside: PhraseSet::new(&kb.questions.outside),
            openers: kb.questions.openers.iter().cloned().collect(),
            history_weight: kb.questions.history_weight,
            flag_spell: SpellIndex::default(),
            n_vocabulary: 0,
        };

        let mut phrase_keys: Vec<String> = Vec::new();
        let mut phrase_slot: HashMap<String, usize> = HashMap::default();
        for (topic_idx, topic) in kb.topics.iter().enumerate() {
            for keyword in topic.keywords.keys().chain(topic.phrases.keys()) {
                add_words(&fold(keyword), &mut vocabulary);
            }
            // Validation read every keyword the way the matcher does: reuse it.
            for (key, weight) in &topic.matched_as {
                if key.is_empty() {
                    continue;
                }
                if !key.contains(' ') {
                    add_posting(
                        index.terms.entry(key.clone()).or_default(),
                        topic_idx,
                        *weight,
                    );
                    continue;
                }
                let slot = *phrase_slot.entry(key.clone()).or_insert_with(|| {
                    phrase_keys.push(key.clone());
                    index.phrase_postings.push(Vec::new());
                    index.phrase_postings.len() - 1
                });
                add_posting(&mut index.phrase_postings[slot], topic_idx, *weight);
            }
        }
        let mut term_patterns: Vec<String> = Vec::new();
        for (slot, key) in phrase_keys.iter().enumerate() {
            term_patterns.push(key.clone());
            index.term_phrase_kinds.push(TermPhrase::Keyword(slot));
        }
        for (kind_idx, kind) in kb.scope.kinds.iter().enumerate() {
            for marker in &kind.markers {
                add_words(marker, &mut vocabulary);
                let key = index.lexicon.terms(words(marker)).join(" ");
                if !key.is_empty() {
                    term_patterns.push(key);
                    index.term_phrase_kinds.push(TermPhrase::OffTopic(kind_idx));
                }
            }
        }
        index.term_phrases = PhraseSet::new(&term_patterns);
        // Red-flag words are known words, but only triage corrects towards them: "flossing" is
        // not "flopping" for the topics.
        let mut flag_vocabulary: HashSet<String> = HashSet::default();
        for text in extra_vocabulary {
            add_words(text, &mut flag_vocabulary);
        }
        index.flag_spell = SpellIndex::build(flag_vocabulary.iter().map(String::as_str));
        index.known_words.extend(flag_vocabulary);
        // The words red-flag rules read as context ("slimming", "insulin", "asleep") are words
        // too: correcting one towards a flag word would turn a look-alike into an alarm.
        index
            .known_words
            .extend(super::triage::Scanner::context_vocabulary(&kb.red_flags).map(str::to_owned));

        // The reading rules' own words (intents, subjects, the domain, other senses) are words.
        let q = &kb.questions;
        let listed = q
            .domain
            .iter()
            .chain(&q.other_senses)
            .chain(&q.animals)
            .chain(&q.openers)
            .chain(&q.refer_back)
            .chain(&q.about_bot);
        let intents = q
            .intents
            .iter()
            .flat_map(|i| i.keywords.keys().chain(i.phrases.keys()));
        let subjects = q.subjects.iter().flat_map(|s| s.words.iter());
        for text in listed.chain(intents).chain(subjects) {
            add_words(&fold(text), &mut vocabulary);
        }
        index.common_words = kb.common_words.clone();
        index.known_words.extend(vocabulary.iter().cloned());
        for list in [
            &kb.messages.greeting_words,
            &kb.messages.thanks_words,
            &kb.messages.filler_words,
        ] {
            index.known_words.extend(list.iter().map(|w| fold(w)));
        }
        index.known_stems = index.terms.keys().cloned().collect();
        index.known_stems.extend(index.lexicon.known_stems());
        for key in &phrase_keys {
            index.known_stems.extend(key.split(' ').map(str::to_owned));
        }
        index.spell = SpellIndex::build(vocabulary.iter().map(String::as_str));
        index.n_vocabulary = index.spell.len();
        index
    }

    /// Size figures.
    pub fn stats(&self) -> IndexStats {
        IndexStats {
            n_terms: self.terms.len(),
            n_phrases: self.phrase_postings.len(),
            n_synonyms: self.lexicon.len(),
            n_vocabulary: self.n_vocabulary,
        }
    }

    /// Whether `word` is an ordinary word plus an ending ("squealing" = "squeal" + "ing",
    /// "revising" = "revise" + "ing"): a word of its own, not a misspelling.
    fn inflects_a_known_word(&self, word: &str) -> bool {
        ["ing", "ed", "es", "s", "er", "ers", "ly", "ment", "ments"]
            .iter()
            .any(|ending| {
                word.strip_suffix(ending).is_some_and(|base| {
                    base.len() >= 3
                        && (self.is_known_word(base)
                            || self.is_known_word(&format!("{base}e"))
                            || base.len() >= 4
                                && base.as_bytes()[base.len() - 1]
                                    == base.as_bytes()[base.len() - 2]
                                && self.is_known_word(&base[..base.len() - 1]))
                })
            })
    }

    /// Whether a folded word is a word as such: never spell-corrected.
    fn is_known_word(&self, word: &str) -> bool {
        self.known_words.contains(word)
            || is_stop_word(word)
            || word.len() > MAX_WORD_LEN
            || word.bytes().any(|b| !b.is_ascii_lowercase())
            || self.common_words.contains(word)
    }

    /// Normalizes a message: fold, correct misspellings, drop stop words, stem, rewrite synonyms.
    pub fn analyze(&self, text: &str) -> Analysis {
        let (folded, breaks) = fold_with_breaks(text);
        let mut corrections = Vec::new();
        let mut corrected: Vec<String> = Vec::new();
        let mut flag_words: Vec<String> = Vec::new();
        for word in words(&folded) {
            if self.is_known_word(word) {
                corrected.push(word.to_owned());
                flag_words.push(word.to_owned());
                continue;
            }
            // An inflection of an indexed word ("radiating") needs no correction for matching, nor
            // does an inflection of an ordinary word ("squealing", "revising").
            let stem = self
                .stems
                .get(word)
                .map_or_else(|| self.lexicon.stem(word), std::borrow::Cow::Borrowed);
            let general =
                if self.known_stems.contains(stem.as_ref()) || self.inflects_a_known_word(word) {
                    word
                } else if let Some(fixed) = self
                    .spell
                    .correct(word)
                    .filter(|fixed| !is_inflection_of(word, fixed))
                {
                    corrections.push((word.to_owned(), fixed.to_owned()));
                    fixed
                } else {
                    word
                };
            // An inflection of a flag word ("transplanted", "injects") is a word of its own, not a
            // misspelling of it: only a real misspelling is pulled towards the red-flag words.
            let towards_flag = self
                .flag_spell
                .correct(word)
                .filter(|flag_word| !is_inflection_of(word, flag_word));
            flag_words.push(towards_flag.unwrap_or(general).to_owned());
            corrected.push(general.to_owned());
        }
        let (word_sentence, sentence_weights) = self.sentences(text, &corrected, &breaks);
        let (masked, about_a_thing) = self.other_senses(&corrected);
        let (terms, term_word) = self.lexicon.terms_with_origin(
            corrected
                .iter()
                .enumerate()
                .filter(|(i, _)| !masked[*i])
                .map(|(i, w)| (w.as_str(), i)),
            &self.stems,
        );
        let term_sentence: Vec<usize> = term_word.iter().map(|&w| word_sentence[w]).collect();
        let mut markers: Vec<(usize, usize)> = Vec::new();
        let mut history_scope_kinds: Vec<usize> = Vec::new();
        let mut keyword_phrases = Vec::new();
        for hit in self.term_phrases.find_all(&terms) {
            match self.term_phrase_kinds[hit.pattern] {
                TermPhrase::Keyword(slot) => keyword_phrases.push((slot, hit.start, hit.end)),
                // Out-of-scope words in the history before the question ("had a fusion in 2017
                // ... will this settle?") do not make the question out of scope.
                TermPhrase::OffTopic(kind) if sentence_weights[term_sentence[hit.start]] >= 1.0 => {
                    markers.push((hit.pattern, kind))
                }
                TermPhrase::OffTopic(kind) => history_scope_kinds.push(kind),
            }
        }
        markers.sort_unstable();
        markers.dedup();
        let mut n_off_topic = markers.len();
        let mut scope_kinds: Vec<usize> = markers.iter().map(|&(_, kind)| kind).collect();
        if !self.age_kinds.is_empty() {
            let youngest = super::numbers::ages(&corrected)
                .into_iter()
                .map(|(_, age)| age)
                .min();
            for &(kind, under) in &self.age_kinds {
                // "my 7 year old": an age under the kind's bound is a marker of its own.
                if youngest.is_some_and(|age| age < under) && !scope_kinds.contains(&kind) {
                    scope_kinds.push(kind);
                    n_off_topic += 1;
                }
            }
        }
        scope_kinds.sort_unstable();
        scope_kinds.dedup();
        history_scope_kinds.sort_unstable();
        history_scope_kinds.dedup();
        history_scope_kinds.retain(|k| !scope_kinds.contains(k));
        let joins_requests = text.matches('?').count() >= 2
            || corrected
                .iter()
                .any(|w| matches!(w.as_str(), "and" | "also" | "plus"));
        let two_questions = text.matches('?').count() >= 2
            || corrected.windows(2).any(|pair| {
                matches!(pair[0].as_str(), "and" | "also" | "plus")
                    && self.openers.contains(pair[1].as_str())
            });
        Analysis {
            words: corrected,
            flag_words,
            breaks,
            corrections,
            masked,
            about_a_thing,
            word_sentence,
            terms,
            term_word,
            term_sentence,
            sentence_weights,
            keyword_phrases,
            n_off_topic,
            scope_kinds,
            history_scope_kinds,
            joins_requests,
            two_questions,
        }
    }

    /// The sentence of each word, and each sentence's weight: a question (it ends with "?" or
    /// opens with a question word) and the last sentence count fully, the history before them
    /// less. A message with no question counts every sentence fully.
    fn sentences(&self, text: &str, words: &[String], breaks: &[Break]) -> (Vec<usize>, Vec<f32>) {
        let mut word_sentence = Vec::with_capacity(words.len());
        let mut is_question: Vec<bool> = Vec::new();
        let mut sentence = 0;
        for i in 0..words.len() {
            let brk = breaks.get(i).copied().unwrap_or_default();
            if i == 0 || brk.is_sentence() {
                if i > 0 {
                    // The break before this word ended the previous sentence.
                    let last = is_question.len() - 1;
                    is_question[last] |= brk == Break::Question;
                    sentence += 1;
                }
                is_question.push(self.openers.contains(words[i].as_str()));
            }
            word_sentence.push(sentence);
        }
        if let Some(last) = is_question.last_mut() {
            *last |= text
                .trim_end_matches(|c: char| !c.is_alphanumeric() && c != '?')
                .ends_with('?');
        }
        let n = is_question.len();
        let weights = if n <= 1 || !is_question.contains(&true) {
            vec![1.0; n]
        } else {
            (0..n)
                .map(|s| {
                    if is_question[s] || s + 1 == n {
                        1.0
                    } else {
                        self.history_weight
                    }
                })
                .collect()
        };
        (word_sentence, weights)
    }

    /// Words read as nothing: other senses of domain words, and an animal's body ("my dog keeps
    /// holding up his back leg") when no person's body is named ("my back").
    fn other_senses(&self, words: &[String]) -> (Vec<bool>, bool) {
        let mut masked = vec![false; words.len()];
        for hit in self.senses.find_all(words) {
            masked[hit.start..hit.end]
                .iter_mut()
                .for_each(|m| *m = true);
        }
        // "My back", "my lower back"; not "my dog's back".
        let owned_by_person = |i: usize| {
            (1..=2).any(|back| {
                i >= back
                    && matches!(words[i - back].as_str(), "my" | "i" | "me" | "your")
                    && !words[i - back + 1..i]
                        .iter()
                        .any(|w| self.animals.contains(w.as_str()))
            })
        };
        let body: Vec<usize> = (0..words.len())
            .filter(|&i| self.animal_body.contains(words[i].as_str()))
            .collect();
        let persons_body = body.iter().any(|&i| owned_by_person(i));
        // "Rear disc brakes are squealing, do I need new discs?": about a thing, not a body.
        let mut about_a_thing = !persons_body && !self.outside.find_all(words).is_empty();
        // "My old Labrador has arthritis in his hips": about an animal, unless the writer speaks
        // of themselves too ("can I walk my dog with sciatica?").
        let animals: Vec<usize> = (0..words.len())
            .filter(|&i| self.animals.contains(words[i].as_str()))
            .collect();
        let animal = !animals.is_empty();
        // A rider is a person too: "fell off my horse", "is horse riding ok with a bad back".
        let ridden = animals.iter().any(|&i| {
            (1..=2).any(|back| {
                i >= back
                    && matches!(
                        words[i - back].as_str(),
                        "off" | "on" | "from" | "riding" | "ride" | "rode"
                    )
            }) || words
                .get(i + 1)
                .is_some_and(|w| matches!(w.as_str(), "riding" | "ride" | "rides" | "rider"))
        });
        let writer = persons_body
            || ridden
            || words
                .iter()
                .any(|w| matches!(w.as_str(), "i" | "me" | "im" | "ive" | "myself"));
        if animal && !writer {
            about_a_thing = true;
        }
        if animal && !persons_body && !ridden {
            for &i in &body {
                masked[i] = true;
            }
        }
        (masked, about_a_thing)
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
        let mut best: HashMap<&str, (f32, &[(TopicIdx, f32)])> = HashMap::default();
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

/// Whether `word` is `base` plus an ending English adds to a word ("transplanted", "falls").
fn is_inflection_of(word: &str, base: &str) -> bool {
    word.strip_prefix(base).is_some_and(|ending| {
        matches!(
            ending,
            "s" | "es" | "d" | "ed" | "ing" | "er" | "ers" | "ly" | "ment" | "ments"
        )
    })
}

/// Adds a (topic, weight) posting; a topic listed twice for one term keeps its higher weight
/// (validation reports the duplicate, this keeps the index sane if it is ignored).
fn add_posting(postings: &mut Vec<(TopicIdx, f32)>, topic: TopicIdx, weight: f32) {
    match postings.iter_mut().find(|(t, _)| *t == topic) {
        Some(existing) => existing.1 = existing.1.max(weight),
        None => postings.push((topic, weight)),
    }
}

#[cfg(test)]
mod tests;
