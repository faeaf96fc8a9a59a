//! Reading a question before topics are scored: is it about back or leg pain at all (the
//! domain), what does it ask (intent), what is it about (subject), is it about the bot, and is it
//! a follow-up to the previous answer. Built once from `questions.toml`; plain lookups over an
//! `Analysis`.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::index::Analysis;
use super::kb::{Kb, Questions};
use super::lexicon::Lexicon;
use super::normalize::{fold, words};
use super::phrase::PhraseSet;

/// What a pattern over terms stands for.
#[derive(Debug, Clone, Copy)]
enum TermPattern {
    Domain,
    Intent(usize, f32),
    Subject(usize),
}

/// What a pattern over folded words stands for.
#[derive(Debug, Clone, Copy)]
enum WordPattern {
    AboutBot,
    ReferBack,
    /// An intent said in words the lexicon drops ("what is it?", "what is going on").
    Intent(usize, f32),
}

/// The compiled reading rules.
#[derive(Debug)]
pub struct Reader {
    domain_terms: HashSet<String>,
    intent_terms: HashMap<String, Vec<(usize, f32)>>,
    subject_terms: HashMap<String, Vec<usize>>,
    term_patterns: PhraseSet,
    term_kinds: Vec<TermPattern>,
    word_patterns: PhraseSet,
    word_kinds: Vec<WordPattern>,
    /// (word, companions before, companions after).
    anchored: Vec<(String, HashSet<String>, HashSet<String>)>,
    levels: bool,
    follow_up_max_words: usize,
    circumstance: HashSet<String>,
    reporting: HashSet<String>,
    /// Texting forms read as the word ("wat" -> "what") before said-phrases are looked for.
    spoken: HashMap<String, String>,
    /// Words left out before said-phrases are looked for ("what does that even mean").
    fillers: HashSet<String>,
}

/// How a message reads.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reading {
    /// It names the back, the legs, a condition, a level, a scan or a spinal procedure.
    pub in_domain: bool,
    /// What it asks: (position in `Questions::intents`, weight), the strongest.
    pub intent: Option<(usize, f32)>,
    /// What it is about: position in `Questions::subjects`.
    pub subject: Option<usize>,
    /// It asks about the bot itself.
    pub about_bot: bool,
    /// It is short and points back at what was said before ("is it serious?").
    pub follow_up: bool,
    /// It points back ("that", "it", "what about").
    pub refers_back: bool,
}

impl Reader {
    /// Compiles the rules; their words go through the lexicon like topic keywords.
    pub fn build(kb: &Kb, lexicon: &Lexicon) -> Self {
        let questions: &Questions = &kb.questions;
        let key = |text: &str| lexicon.terms(words(&fold(text))).join(" ");
        let mut reader = Self {
            domain_terms: HashSet::default(),
            intent_terms: HashMap::default(),
            subject_terms: HashMap::default(),
            term_patterns: PhraseSet::new::<&str>(&[]),
            term_kinds: Vec::new(),
            word_patterns: PhraseSet::new::<&str>(&[]),
            word_kinds: Vec::new(),
            anchored: questions
                .anchored
                .iter()
                .map(|a| {
                    (
                        a.word.clone(),
                        a.before.iter().cloned().collect(),
                        a.after.iter().cloned().collect(),
                    )
                })
                .collect(),
            levels: questions.levels,
            follow_up_max_words: questions.follow_up_max_words,
            circumstance: questions.circumstance.iter().cloned().collect(),
            reporting: questions.reporting.iter().cloned().collect(),
            spoken: questions
                .spoken
                .iter()
                .flat_map(|(word, forms)| forms.iter().map(move |f| (f.clone(), word.clone())))
                .collect(),
            fillers: questions.fillers.iter().cloned().collect(),
        };
        let mut phrases: Vec<String> = Vec::new();
        let mut add = |text: &str, kind: TermPattern, reader: &mut Self| {
            let k = key(text);
            if k.is_empty() {
                return;
            }
            if k.contains(' ') {
                phrases.push(k);
                reader.term_kinds.push(kind);
                return;
            }
            match kind {
                TermPattern::Domain => {
                    reader.domain_terms.insert(k);
                }
                TermPattern::Intent(i, w) => reader.intent_terms.entry(k).or_default().push((i, w)),
                TermPattern::Subject(s) => reader.subject_terms.entry(k).or_default().push(s),
            }
        };
        for word in &questions.domain {
            add(word, TermPattern::Domain, &mut reader);
        }
        for (i, intent) in questions.intents.iter().enumerate() {
            for (word, &weight) in intent.keywords.iter().chain(intent.phrases.iter()) {
                add(word, TermPattern::Intent(i, weight), &mut reader);
            }
        }
        for (s, subject) in questions.subjects.iter().enumerate() {
            for word in &subject.words {
                add(word, TermPattern::Subject(s), &mut reader);
            }
        }
        reader.term_patterns = PhraseSet::new(&phrases);
        let mut word_phrases: Vec<String> = Vec::new();
        for phrase in &questions.about_bot {
            word_phrases.push(phrase.clone());
            reader.word_kinds.push(WordPattern::AboutBot);
        }
        for phrase in &questions.refer_back {
            word_phrases.push(phrase.clone());
            reader.word_kinds.push(WordPattern::ReferBack);
        }
        for (i, intent) in questions.intents.iter().enumerate() {
            for (phrase, &weight) in &intent.said {
                let folded = fold(phrase);
                // Folding drops a clitic ("what's" -> "what"), so "whats going on" and "what is
                // going on" are also looked for as "what going on".
                let clipped = clip_contractions(&folded);
                // Two words ("what it") would be found in too much else ("what it feels like").
                if clipped != folded && clipped.split(' ').count() >= 3 {
                    word_phrases.push(clipped);
                    reader.word_kinds.push(WordPattern::Intent(i, weight));
                }
                word_phrases.push(folded);
                reader.word_kinds.push(WordPattern::Intent(i, weight));
            }
        }
        reader.word_patterns = PhraseSet::new(&word_phrases);
        reader
    }

    /// Reads an analysed message.
    pub fn read(&self, analysis: &Analysis) -> Reading {
        let weight_of = |sentence: usize| {
            analysis
                .sentence_weights
                .get(sentence)
                .copied()
                .unwrap_or(1.0)
        };
        let mut reading = Reading::default();
        // intent -> (weight, first word position): the heaviest wins, then the one said first
        // ("can a physio figure out why my leg hurts" asks about the physio).
        let mut intents: HashMap<usize, (f32, usize)> = HashMap::default();
        // subject -> (weight, first term position): the heaviest wins, then the first said
        // ("from stenosis rather than a disc" is about stenosis).
        let mut subjects: HashMap<usize, (f32, usize)> = HashMap::default();
        // Each word or phrase counts once per intent: a question that says "help" three times is
        // not three times a request for relief.
        let mut seen_words: HashSet<(usize, &str)> = HashSet::default();
        let mut seen_phrases: HashSet<(usize, usize)> = HashSet::default();
        let words = &analysis.words;
        // "sore after running", "hurts when I walk": the word says when, not what is asked.
        // "physio says ...": the word says who spoke.
        let circumstance = |pos: usize| {
            let word = analysis.term_word.get(pos).copied().unwrap_or(0);
            (1..=2)
                .any(|back| word >= back && self.circumstance.contains(words[word - back].as_str()))
                || words
                    .get(word + 1)
                    .is_some_and(|next| self.reporting.contains(next.as_str()))
        };
        for (pos, term) in analysis.terms.iter().enumerate() {
            let sentence = analysis.term_sentence.get(pos).copied().unwrap_or(0);
            if self.domain_terms.contains(term.as_str()) {
                reading.in_domain = true;
            }
            // What it is about is read from every sentence, the history weighing less ("was
            // diagnosed with spondylolisthesis. What is that?").
            if let Some(list) = self.subject_terms.get(term.as_str()) {
                for &s in list {
                    subjects.entry(s).or_insert((0.0, pos)).0 += weight_of(sentence);
                }
            }
            // What the question asks is read from the question sentences, not from the history
            // before them ("GP did an MRI ... will it settle?" asks about the outlook).
            if circumstance(pos) || weight_of(sentence) < 1.0 {
                continue;
            }
            if let Some(list) = self.intent_terms.get(term.as_str()) {
                for &(i, w) in list {
                    if seen_words.insert((i, term.as_str())) {
                        let at = analysis.term_word.get(pos).copied().unwrap_or(0);
                        let entry = intents.entry(i).or_insert((0.0, at));
                        entry.0 += w * weight_of(sentence);
                        entry.1 = entry.1.min(at);
                    }
                }
            }
        }
        for hit in self.term_patterns.find_all(&analysis.terms) {
            let sentence = analysis.term_sentence.get(hit.start).copied().unwrap_or(0);
            match self.term_kinds[hit.pattern] {
                TermPattern::Domain => reading.in_domain = true,
                TermPattern::Intent(i, w) => {
                    if weight_of(sentence) >= 1.0 && seen_phrases.insert((i, hit.pattern)) {
                        let at = analysis.term_word.get(hit.start).copied().unwrap_or(0);
                        let entry = intents.entry(i).or_insert((0.0, at));
                        entry.0 += w;
                        entry.1 = entry.1.min(at);
                    }
                }
                TermPattern::Subject(s) => {
                    let entry = subjects.entry(s).or_insert((0.0, hit.start));
                    entry.0 += weight_of(sentence);
                    entry.1 = entry.1.min(hit.start);
                }
            }
        }
        let unmasked = |i: usize| !analysis.masked.get(i).copied().unwrap_or(false);
        for (i, word) in words.iter().enumerate().filter(|(i, _)| unmasked(*i)) {
            if !reading.in_domain
                && self.levels
                && is_spinal_level(word, words.get(i + 1).map(String::as_str))
            {
                reading.in_domain = true;
            }
            for (anchor, before, after) in &self.anchored {
                if word == anchor {
                    let prev = i.checked_sub(1).map(|j| words[j].as_str());
                    let next = words.get(i + 1).map(String::as_str);
                    if prev.is_some_and(|w| before.contains(w))
                        || next.is_some_and(|w| after.contains(w))
                    {
                        reading.in_domain = true;
                    }
                }
            }
        }
        let mut refers_back = false;
        // Said-phrases are looked for in the words as said, texting forms read and fillers left out.
        let mut said: Vec<&str> = Vec::with_capacity(words.len());
        let mut said_at: Vec<usize> = Vec::with_capacity(words.len());
        for (i, word) in words.iter().enumerate() {
            if self.fillers.contains(word.as_str()) || !unmasked(i) {
                continue;
            }
            said.push(
                self.spoken
                    .get(word.as_str())
                    .map_or(word.as_str(), String::as_str),
            );
            said_at.push(i);
        }
        for hit in self.word_patterns.find_all(&said) {
            let hit = super::phrase::PhraseHit {
                pattern: hit.pattern,
                start: said_at[hit.start],
                end: said_at[hit.end - 1] + 1,
            };
            match self.word_kinds[hit.pattern] {
                WordPattern::AboutBot => reading.about_bot = true,
                WordPattern::ReferBack => refers_back = true,
                WordPattern::Intent(i, w) => {
                    let sentence = analysis.word_sentence.get(hit.start).copied().unwrap_or(0);
                    if weight_of(sentence) >= 1.0
                        && seen_phrases.insert((i, usize::MAX - hit.pattern))
                    {
                        let entry = intents.entry(i).or_insert((0.0, hit.start));
                        entry.0 += w;
                        entry.1 = entry.1.min(hit.start);
                    }
                }
            }
        }
        // The strongest intent; a tie goes to the one listed first in questions.toml.
        reading.intent = intents
            .into_iter()
            .max_by(|a, b| a.1 .0.total_cmp(&b.1 .0).then(b.1 .1.cmp(&a.1 .1)))
            .map(|(i, (w, _))| (i, w));
        reading.subject = subjects
            .into_iter()
            .max_by(|a, b| a.1 .0.total_cmp(&b.1 .0).then(b.1 .1.cmp(&a.1 .1)))
            .map(|(s, _)| s);
        if analysis.about_a_thing {
            reading.in_domain = false;
            reading.intent = None;
        }
        let n_words = (0..words.len()).filter(|&i| unmasked(i)).count();
        // Short and pointing back, or so short it can only go on from before ("how far though?").
        let short = n_words <= self.follow_up_max_words && (refers_back || n_words <= 4);
        reading.follow_up = short && !(reading.intent.is_some() && reading.subject.is_some());
        reading.refers_back = refers_back;
        reading
    }
}

/// A said-phrase as it reads once typed with an apostrophe and folded: "whats" and "what is" are
/// "what" ("what's"), likewise for that, it, how, where, who and there.
fn clip_contractions(phrase: &str) -> String {
    const CLIPPED: [(&str, &str); 7] = [
        ("whats", "what"),
        ("thats", "that"),
        ("hows", "how"),
        ("wheres", "where"),
        ("whos", "who"),
        ("theres", "there"),
        ("its", "it"),
    ];
    let mut out: Vec<&str> = Vec::new();
    let words: Vec<&str> = phrase.split(' ').collect();
    let mut i = 0;
    while i < words.len() {
        let word = words[i];
        if let Some(&(_, short)) = CLIPPED.iter().find(|(long, _)| *long == word) {
            out.push(short);
        } else if CLIPPED.iter().any(|(_, short)| *short == word)
            && words.get(i + 1) == Some(&"is")
            && i + 2 < words.len()
        {
            // "what is going on" -> "what going on"; a final "is" ("what it is") stays.
            out.push(word);
            i += 1;
        } else {
            out.push(word);
        }
        i += 1;
    }
    out.join(" ")
}

/// "l4", "s1", "c5", "t12", or "l" followed by a number ("L 4-5" folds to "l 4 5").
fn is_spinal_level(word: &str, next: Option<&str>) -> bool {
    let mut chars = word.chars();
    let Some(letter) = chars.next() else {
        return false;
    };
    if !matches!(letter, 'l' | 's' | 'c' | 't') {
        return false;
    }
    let digits = chars.as_str();
    let number_ok = |d: &str| {
        !d.is_empty()
            && d.len() <= 2
            && d.bytes().all(|b| b.is_ascii_digit())
            && d.parse::<u8>().is_ok_and(|n| (1..=12).contains(&n))
    };
    if digits.is_empty() {
        return letter == 'l' && next.is_some_and(number_ok);
    }
    number_ok(digits)
}

#[cfg(test)]
mod tests;
