//! The lexicon: turns folded words into the matcher's terms.
//!
//! Stop words are dropped, the rest stemmed, then the knowledge base's synonyms rewrite lay
//! terms and variants to its own words: single words first ("disk" -> "disc"), then multi-word
//! variants, leftmost-longest ("slipped disk" -> "slip disc" -> "herniat disc"). Keywords,
//! phrases and out-of-scope markers go through the same function as user text, so they always
//! meet in the same form.

use rustc_hash::FxHashMap as HashMap;
use std::borrow::Cow;

use super::kb::Synonym;
use super::normalize::{is_stop_word, words, WordStemmer};
use super::phrase::PhraseSet;

/// Stemmer plus synonym rewriting.
#[derive(Debug)]
pub struct Lexicon {
    stemmer: WordStemmer,
    /// Stems of the synonyms' own words, computed once at build.
    stems: StemCache,
    /// Single-word variant stem -> the canonical stems.
    singles: HashMap<String, Vec<String>>,
    /// Multi-word variants (stems, after single-word rewriting).
    phrases: PhraseSet,
    /// Canonical stems, parallel to `phrases`' patterns.
    targets: Vec<Vec<String>>,
}

/// A synonym variant that cannot work as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VariantProblem {
    /// Index of the synonym in the list given to `Lexicon::check`.
    pub synonym: usize,
    /// What is wrong.
    pub message: String,
}

impl Lexicon {
    /// Builds the lexicon. When two synonyms claim the same single word, the first one wins
    /// (`check` reports it).
    pub fn build(synonyms: &[Synonym]) -> Self {
        let stemmer = WordStemmer::english();
        let mut stems = StemCache::default();
        for synonym in synonyms {
            stems.add(&stemmer, words(&synonym.canonical));
            for variant in &synonym.variants {
                stems.add(&stemmer, words(variant));
            }
        }
        let mut singles: HashMap<String, Vec<String>> = HashMap::default();
        let mut multi: Vec<(Vec<String>, Vec<String>)> = Vec::new();
        for synonym in synonyms {
            let target = content_stems(&stemmer, &stems, words(&synonym.canonical));
            for variant in &synonym.variants {
                let stems = content_stems(&stemmer, &stems, words(variant));
                match stems.len() {
                    0 => {}
                    1 => {
                        singles
                            .entry(stems[0].clone())
                            .or_insert_with(|| target.clone());
                    }
                    _ => multi.push((stems, target.clone())),
                }
            }
        }
        let mut patterns = Vec::with_capacity(multi.len());
        let mut targets = Vec::with_capacity(multi.len());
        for (stems, target) in multi {
            // Multi-word variants are matched after single-word rewriting, so rewrite them too.
            patterns.push(rewrite_singles(&singles, stems).join(" "));
            targets.push(target);
        }
        Self {
            stemmer,
            stems,
            singles,
            phrases: PhraseSet::new(&patterns),
            targets,
        }
    }

    /// Variants that cannot work: a multi-word variant that is a single word once stop words
    /// are dropped ("into my leg" would rewrite every "leg"), or a single word claimed by two
    /// synonyms.
    pub fn check(synonyms: &[Synonym]) -> Vec<VariantProblem> {
        Self::build(synonyms).problems(synonyms)
    }

    /// `check` on the synonyms this lexicon was built from (their stems are cached already).
    pub fn problems(&self, synonyms: &[Synonym]) -> Vec<VariantProblem> {
        let stemmer = &self.stemmer;
        let cache = &self.stems;
        let mut problems = Vec::new();
        let mut owner: HashMap<String, usize> = HashMap::default();
        for (idx, synonym) in synonyms.iter().enumerate() {
            for variant in &synonym.variants {
                let stems = content_stems(stemmer, cache, words(variant));
                if stems.is_empty() {
                    problems.push(VariantProblem {
                        synonym: idx,
                        message: format!("variant `{variant}` has only stop words"),
                    });
                } else if stems.len() == 1 && variant.contains(' ') {
                    problems.push(VariantProblem {
                        synonym: idx,
                        message: format!("variant `{variant}` is just `{}` once stop words are dropped: it would rewrite every `{}`", stems[0], stems[0]),
                    });
                } else if stems.len() == 1 {
                    if let Some(&first) = owner.get(&stems[0]) {
                        if first != idx {
                            problems.push(VariantProblem {
                                synonym: idx,
                                message: format!(
                                    "variant `{variant}` is already a variant of `{}`",
                                    synonyms[first].canonical
                                ),
                            });
                        }
                    } else {
                        owner.insert(stems[0].clone(), idx);
                    }
                }
            }
        }
        problems
    }

    /// Number of variants.
    pub fn len(&self) -> usize {
        self.singles.len() + self.phrases.len()
    }

    /// Whether there are no variants.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Stems one word.
    pub fn stem<'a>(&'a self, word: &'a str) -> Cow<'a, str> {
        match self.stems.get(word) {
            Some(stem) => Cow::Borrowed(stem),
            None => self.stemmer.stem(word),
        }
    }

    /// Adds the stems of `words` to `cache` (those the lexicon does not know already).
    pub fn fill_cache<'a>(&self, cache: &mut StemCache, words: impl IntoIterator<Item = &'a str>) {
        cache.add(
            &self.stemmer,
            words.into_iter().filter(|w| self.stems.get(w).is_none()),
        );
    }

    /// Every stem the lexicon knows (variants and canonical words).
    pub fn known_stems(&self) -> impl Iterator<Item = String> + '_ {
        self.singles
            .iter()
            .flat_map(|(k, v)| std::iter::once(k.clone()).chain(v.iter().cloned()))
            .chain(self.targets.iter().flatten().cloned())
    }

    /// The matcher's terms for folded words.
    pub fn terms<'a>(&self, words: impl IntoIterator<Item = &'a str>) -> Vec<String> {
        self.terms_cached(words, &StemCache::default())
    }

    /// `terms`, looking stems up in `cache` first (the index keeps one for every word of the
    /// knowledge base: stemming is the largest cost of reading a message).
    pub fn terms_cached<'a>(
        &self,
        words: impl IntoIterator<Item = &'a str>,
        cache: &StemCache,
    ) -> Vec<String> {
        self.terms_with_origin(words.into_iter().map(|w| (w, 0)), cache)
            .0
    }

    /// `terms`, each with the origin of the word it came from (a sentence number, say): a
    /// rewrite takes the origin of its first word.
    pub fn terms_with_origin<'a>(
        &self,
        words: impl IntoIterator<Item = (&'a str, usize)>,
        cache: &StemCache,
    ) -> (Vec<String>, Vec<usize>) {
        let mut stems: Vec<String> = Vec::new();
        let mut origins: Vec<usize> = Vec::new();
        for (w, origin) in words.into_iter().filter(|(w, _)| !is_stop_word(w)) {
            let stem = match cache.get(w).or_else(|| self.stems.get(w)) {
                Some(stem) => stem.to_owned(),
                None => self.stemmer.stem(w).into_owned(),
            };
            match self.singles.get(&stem) {
                Some(target) => {
                    stems.extend(target.iter().cloned());
                    origins.extend(std::iter::repeat_n(origin, target.len()));
                }
                None => {
                    stems.push(stem);
                    origins.push(origin);
                }
            }
        }
        let mut terms = Vec::with_capacity(stems.len());
        let mut term_origins = Vec::with_capacity(stems.len());
        let mut next = 0;
        for hit in self.phrases.leftmost_longest(&stems) {
            terms.extend_from_slice(&stems[next..hit.start]);
            term_origins.extend_from_slice(&origins[next..hit.start]);
            terms.extend(self.targets[hit.pattern].iter().cloned());
            term_origins.extend(std::iter::repeat_n(
                origins[hit.start],
                self.targets[hit.pattern].len(),
            ));
            next = hit.end;
        }
        terms.extend_from_slice(&stems[next..]);
        term_origins.extend_from_slice(&origins[next..]);
        // A rewrite can repeat the next word ("herniated disc" -> "herniat disc" + "disc"):
        // collapse immediate repeats so a phrase is not counted twice.
        let mut i = 1;
        while i < terms.len() {
            if terms[i] == terms[i - 1] {
                terms.remove(i);
                term_origins.remove(i);
            } else {
                i += 1;
            }
        }
        (terms, term_origins)
    }
}

/// Stems of the words that are not stop words.
fn content_stems<'a>(
    stemmer: &WordStemmer,
    cache: &StemCache,
    words: impl IntoIterator<Item = &'a str>,
) -> Vec<String> {
    words
        .into_iter()
        .filter(|w| !is_stop_word(w))
        .map(|w| {
            cache
                .get(w)
                .map_or_else(|| stemmer.stem(w).into_owned(), str::to_owned)
        })
        .collect()
}

/// Word -> stem, filled at build time for the words the knowledge base uses.
#[derive(Debug, Clone, Default)]
pub struct StemCache(HashMap<String, String>);

impl StemCache {
    /// The cached stem of `word`.
    pub fn get(&self, word: &str) -> Option<&str> {
        self.0.get(word).map(String::as_str)
    }

    /// Stems and keeps every word of `words` not cached yet (stop words left out).
    pub fn add<'a>(&mut self, stemmer: &WordStemmer, words: impl IntoIterator<Item = &'a str>) {
        for word in words {
            if !is_stop_word(word) && !self.0.contains_key(word) {
                let stem = stemmer.stem(word).into_owned();
                self.0.insert(word.to_owned(), stem);
            }
        }
    }

    /// Number of words cached.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Replaces stems that have a single-word synonym by the synonym's stems.
fn rewrite_singles(singles: &HashMap<String, Vec<String>>, stems: Vec<String>) -> Vec<String> {
    if !stems.iter().any(|s| singles.contains_key(s)) {
        return stems;
    }
    stems
        .into_iter()
        .flat_map(|stem| match singles.get(&stem) {
            Some(target) => target.clone(),
            None => vec![stem],
        })
        .collect()
}

#[cfg(test)]
mod tests;
