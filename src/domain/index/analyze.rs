//! `Index::analyze`: one message folded, spell-corrected against the known words, split into
//! weighted sentences and read into the terms the matcher scores and the words triage reads.

use super::{Analysis, Index, TermPhrase};
use crate::domain::normalize::{fold_with_spans, is_stop_word, words, Break, Folded, MAX_WORD_LEN};
use crate::domain::numbers;

impl Index {
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
        let Folded {
            text: folded,
            breaks,
            spans,
        } = fold_with_spans(text);
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
            let youngest = numbers::ages(&corrected)
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
            spans,
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
        for (i, word) in words.iter().enumerate() {
            let brk = breaks.get(i).copied().unwrap_or_default();
            if i == 0 || brk.is_sentence() {
                if i > 0 {
                    // The break before this word ended the previous sentence.
                    let last = is_question.len() - 1;
                    is_question[last] |= brk == Break::Question;
                    sentence += 1;
                }
                is_question.push(self.openers.contains(word.as_str()));
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
