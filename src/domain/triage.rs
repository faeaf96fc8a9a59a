//! Red-flag triage: scans a message's words for warning signs and decides the tier.
//!
//! Safety rules, in order of importance:
//! - a hit is never switched off by negation ("no bladder problems" still triggers): a false
//!   alarm costs a few lines of text, a miss can cost a person's bladder;
//! - the only thing that suppresses a single-word hit is a benign phrase from the knowledge base
//!   covering that very word ("fell asleep", "slipped disc"); multi-word red-flag phrases are
//!   never suppressed;
//! - misspellings were already corrected by `Index::analyze`, so "bladdr" arrives as "bladder".

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::kb::{RedFlag, RedFlags, Tier};
use super::phrase::PhraseSet;

/// A red-flag scanner built from the knowledge base's red flags.
#[derive(Debug)]
pub struct Scanner {
    /// Folded word -> flags it raises.
    terms: HashMap<String, Vec<usize>>,
    /// (prefix, flag) for terms written with a trailing `*`.
    prefixes: Vec<(String, usize)>,
    phrases: PhraseSet,
    /// Parallel to `phrases`' patterns.
    phrase_flags: Vec<usize>,
    /// (flag, groups of alternative words) that must occur within `window` words.
    near: Vec<(usize, Vec<HashSet<String>>)>,
    benign: PhraseSet,
    window: usize,
    /// (id, tier) per flag.
    flags: Vec<(String, Tier)>,
}

/// One red flag found in a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagHit {
    /// The flag's id.
    pub flag: String,
    /// The flag's tier.
    pub tier: Tier,
    /// The words that raised it, as they appear in the (corrected) message.
    pub term: String,
}

/// The result of a scan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Triage {
    /// The highest tier raised, if any.
    pub urgency: Option<Tier>,
    /// Every hit, in order of appearance, one per (flag, term).
    pub hits: Vec<FlagHit>,
}

impl Triage {
    /// Distinct flag ids raised.
    pub fn flag_ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = Vec::new();
        for hit in &self.hits {
            if !ids.contains(&hit.flag.as_str()) {
                ids.push(&hit.flag);
            }
        }
        ids
    }

    /// Distinct matched terms, in order of appearance.
    pub fn terms(&self) -> Vec<&str> {
        let mut terms: Vec<&str> = Vec::new();
        for hit in &self.hits {
            if !terms.contains(&hit.term.as_str()) {
                terms.push(&hit.term);
            }
        }
        terms
    }
}

impl Scanner {
    /// Builds a scanner from validated red flags.
    pub fn build(red_flags: &RedFlags) -> Self {
        let mut terms: HashMap<String, Vec<usize>> = HashMap::default();
        let mut prefixes = Vec::new();
        let mut phrase_patterns = Vec::new();
        let mut phrase_flags = Vec::new();
        let mut near = Vec::new();
        for (idx, flag) in red_flags.flags.iter().enumerate() {
            for term in &flag.terms {
                match term.strip_suffix('*') {
                    Some(prefix) => prefixes.push((prefix.to_owned(), idx)),
                    None => terms.entry(term.clone()).or_default().push(idx),
                }
            }
            for phrase in &flag.phrases {
                phrase_patterns.push(phrase.clone());
                phrase_flags.push(idx);
            }
            for rule in &flag.near {
                near.push((idx, rule.iter().map(|alts| alts.iter().cloned().collect()).collect()));
            }
        }
        Self {
            terms,
            prefixes,
            phrases: PhraseSet::new(&phrase_patterns),
            phrase_flags,
            near,
            benign: PhraseSet::new(&red_flags.benign),
            window: red_flags.window,
            flags: red_flags.flags.iter().map(|f: &RedFlag| (f.id.clone(), f.tier)).collect(),
        }
    }

    /// Every word a red flag matches on, for the spelling corrector's vocabulary.
    pub fn vocabulary(red_flags: &RedFlags) -> impl Iterator<Item = &str> {
        red_flags.flags.iter().flat_map(|flag| {
            let terms = flag.terms.iter().filter(|t| !t.ends_with('*')).map(String::as_str);
            let phrases = flag.phrases.iter().map(String::as_str);
            let near = flag.near.iter().flatten().flatten().map(String::as_str);
            terms.chain(phrases).chain(near)
        })
    }

    /// Scans folded, corrected words.
    pub fn scan<S: AsRef<str>>(&self, words: &[S]) -> Triage {
        let mut masked = vec![false; words.len()];
        for hit in self.benign.find_all(words) {
            masked[hit.start..hit.end].iter_mut().for_each(|m| *m = true);
        }
        // (position, flag, term) so hits can be reported in reading order.
        let mut found: Vec<(usize, usize, String)> = Vec::new();
        for (pos, word) in words.iter().enumerate() {
            let word = word.as_ref();
            if masked[pos] {
                continue;
            }
            if let Some(flags) = self.terms.get(word) {
                found.extend(flags.iter().map(|&flag| (pos, flag, word.to_owned())));
            }
            for (prefix, flag) in &self.prefixes {
                if word.starts_with(prefix.as_str()) {
                    found.push((pos, *flag, word.to_owned()));
                }
            }
        }
        for hit in self.phrases.find_all(words) {
            let term = words[hit.start..hit.end].iter().map(AsRef::as_ref).collect::<Vec<_>>().join(" ");
            found.push((hit.start, self.phrase_flags[hit.pattern], term));
        }
        for (flag, groups) in &self.near {
            if let Some((pos, term)) = self.find_near(words, &masked, groups) {
                found.push((pos, *flag, term));
            }
        }
        found.sort_by_key(|(pos, flag, _)| (*pos, *flag));

        let mut triage = Triage::default();
        for (_, flag, term) in found {
            let (id, tier) = &self.flags[flag];
            if triage.hits.iter().any(|h| &h.flag == id && h.term == term) {
                continue;
            }
            triage.urgency = triage.urgency.max(Some(*tier));
            triage.hits.push(FlagHit { flag: id.clone(), tier: *tier, term });
        }
        triage
    }

    /// First place where every group has a word within `window` words of a word of the first
    /// group; returns that place and the words joined.
    fn find_near<S: AsRef<str>>(&self, words: &[S], masked: &[bool], groups: &[HashSet<String>]) -> Option<(usize, String)> {
        let positions: Vec<Vec<usize>> = groups
            .iter()
            .map(|group| {
                (0..words.len()).filter(|&i| !masked[i] && group.contains(words[i].as_ref())).collect()
            })
            .collect();
        if positions.iter().any(Vec::is_empty) {
            return None;
        }
        for &anchor in &positions[0] {
            let mut picked = vec![anchor];
            for group in &positions[1..] {
                match group.iter().find(|&&p| p != anchor && p.abs_diff(anchor) <= self.window) {
                    Some(&p) => picked.push(p),
                    None => break,
                }
            }
            if picked.len() == groups.len() {
                let start = *picked.iter().min().expect("non-empty");
                let term = picked.iter().map(|&p| words[p].as_ref()).collect::<Vec<_>>().join(" … ");
                return Some((start, term));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests;
