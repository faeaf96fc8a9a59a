//! Red-flag triage: reads a message's words for warning signs and decides how loudly to warn.
//!
//! Safety rules, in order of importance:
//! - nothing but a flag's own `benign` look-alikes and `unless` context removes a hit: negation,
//!   a hedge or an old date only lowers it to `check`, which still shows the whole list ("no
//!   bladder problems" is a check, never silence);
//! - a clear hit (the sign is happening) raises its flag's tier; a mention (the sign's area only:
//!   "numb", "bladder") raises `check`, so a bare "numb" does not open with an emergency banner;
//! - misspellings were corrected by `Index::analyze` ("bladdr" arrives as "bladder"), and word
//!   forms are rewritten here first ("cannot", "not able" -> "cant"), so one rule covers them.
//!
//! Negation works like a small NegEx: a trigger ("no", "without", "free of") reaches forward over
//! bridge words ("any", "problems", "with") and red-flag words until a stop word ("but") or a
//! clause break; "fine" and "normal" reach back the same way. A hit is negated only when every
//! word of it is inside such a reach, so "I haven't been able to pee" (rewritten "cant pee") or
//! "I don't feel my foot" (a rule that contains its negation) stay clear.
//!
//! Here the types; `rewrite` (word forms), `build` (compiling the flags into a `Scanner`),
//! `patterns` (what matches where, what a negation reaches) and `scan` (weighing it all into a
//! `Triage`) hold the rest.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::kb::Tier;
use super::phrase::PhraseSet;

mod build;
mod patterns;
mod rewrite;
mod scan;

use rewrite::Rewriter;

/// What a pattern does for its flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// The sign is happening: the flag's tier.
    Clear,
    /// The sign's area is named: `check`.
    Mention,
    /// A look-alike: masks the flag's single words.
    Benign,
    /// Cancels a hit of the flag close by in its sentence, unless negated itself.
    Unless,
    /// Lowers a nearby hit to `check`.
    Downgrade,
    /// Uncertainty: lowers a nearby hit to `check` unless a `Keep` word is near too.
    Hedge,
    /// Affirms the hit: cancels a hedge.
    Keep,
    /// Said with an age over the flag's threshold, raises the flag.
    AgeWith,
}

/// What a phrase of the one automaton is.
#[derive(Debug, Clone, Copy)]
enum PhraseKind {
    /// A flag's pattern.
    Flag(Owner),
    /// "no", "without", "free of".
    NegationBefore,
    /// "fine", "normal".
    NegationAfter,
    /// "years ago".
    LongAgo,
}

/// A pattern's owner: flag index and role.
#[derive(Debug, Clone, Copy)]
struct Owner {
    flag: usize,
    role: Role,
}

#[derive(Debug)]
struct CompiledNear {
    owner: Owner,
    n_groups: usize,
    window: usize,
    clause: bool,
}

#[derive(Debug)]
struct FlagMeta {
    id: String,
    tier: Tier,
    long_ago: bool,
    quiet_elsewhere: bool,
    age_over: Option<u32>,
}

/// A red-flag scanner built from the knowledge base's red flags.
#[derive(Debug)]
pub struct Scanner {
    rewriter: Rewriter,
    /// Single word -> patterns it completes on its own.
    words: HashMap<String, Vec<Owner>>,
    /// (prefix, owner) for words written with a trailing `*`.
    prefixes: Vec<(String, Owner)>,
    /// Every phrase the scan looks for, in one automaton (one pass per message): the flags'
    /// phrases, the negation triggers and the long-ago phrases.
    phrases: PhraseSet,
    /// Parallel to `phrases`' patterns.
    phrase_kinds: Vec<PhraseKind>,
    near: Vec<CompiledNear>,
    /// Word -> (near rule, group) it belongs to.
    near_words: HashMap<String, Vec<(usize, usize)>>,
    /// Every word a flag pattern uses: a negation reaches over them.
    flag_vocabulary: HashSet<String>,
    bridge: HashSet<String>,
    after_bridge: HashSet<String>,
    stop: HashSet<String>,
    elsewhere: HashSet<String>,
    here: HashSet<String>,
    /// A sentence that opens with one of these, asks about a general verb and names nobody is a
    /// general question ("can sciatica go into both legs?"): its clear hits are checks.
    question: HashSet<String>,
    general: HashSet<String>,
    personal: HashSet<String>,
    /// (flag, words, min, max).
    measures: Vec<(usize, HashSet<String>, f64, f64)>,
    window: usize,
    flags: Vec<FlagMeta>,
}

/// One red flag found in a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagHit {
    /// The flag's id.
    pub flag: String,
    /// The tier this hit raises: the flag's own, or `check` for a mention or a negated,
    /// downgraded or long-ago hit.
    pub tier: Tier,
    /// The words that raised it, as they read after correction and rewriting.
    pub term: String,
    /// Whether the hit was negated ("no numbness").
    pub negated: bool,
    /// The positions, in the words `Scanner::scan` was given, of the words that raised it,
    /// ascending (a rewritten phrase, "not able" -> "cant", counts all its words): with
    /// `Analysis::spans`, where in the original message they were.
    pub words: Vec<usize>,
}

impl FlagHit {
    /// The byte ranges in the original message of the words that raised the hit, given the
    /// message's word spans (`Analysis::spans`); a position past them is skipped.
    pub fn spans<'s>(&'s self, spans: &'s [(u32, u32)]) -> impl Iterator<Item = (u32, u32)> + 's {
        self.words.iter().filter_map(|&w| spans.get(w).copied())
    }
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

    /// Distinct flag ids raised at `tier` or above.
    pub fn flag_ids_at_least(&self, tier: Tier) -> Vec<&str> {
        let mut ids: Vec<&str> = Vec::new();
        for hit in self.hits.iter().filter(|h| h.tier >= tier) {
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

#[cfg(test)]
mod tests;
