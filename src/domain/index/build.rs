//! Building the index from a validated `Kb`: the vocabulary the spelling corrector maps to,
//! the term and phrase postings, and the out-of-scope markers, all read through the lexicon.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use std::sync::Arc;

use super::{Index, TermPhrase, TopicIdx};
use crate::domain::kb::{Kb, WordList};
use crate::domain::lexicon::{Lexicon, StemCache};
use crate::domain::normalize::{fold, words};
use crate::domain::phrase::PhraseSet;
use crate::domain::spell::SpellIndex;
use crate::domain::triage::Scanner;

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
            .extend(Scanner::context_vocabulary(&kb.red_flags).map(str::to_owned));

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
}

/// Adds a (topic, weight) posting; a topic listed twice for one term keeps its higher weight
/// (validation reports the duplicate, this keeps the index sane if it is ignored).
fn add_posting(postings: &mut Vec<(TopicIdx, f32)>, topic: TopicIdx, weight: f32) {
    match postings.iter_mut().find(|(t, _)| *t == topic) {
        Some(existing) => existing.1 = existing.1.max(weight),
        None => postings.push((topic, weight)),
    }
}
