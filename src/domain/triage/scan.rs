//! The scan: patterns found in a message's words, weighed against their context (negation,
//! look-alikes, long ago, elsewhere, general questions) into a `Triage`.

use super::rewrite::{input_words, Rewritten};
use super::{FlagHit, Owner, PhraseKind, Role, Scanner, Triage};
use crate::domain::kb::Tier;
use crate::domain::normalize::Break;
use crate::domain::numbers;

/// Word positions of one pattern (a phrase or near rule has a handful).
pub(super) type Positions = Vec<usize>;

/// How a pattern was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Found {
    /// One word (or a prefix).
    Word,
    /// Consecutive words.
    Phrase,
    /// Words near each other.
    Near,
    /// A number with its measure word.
    Measure,
}

/// One pattern found, before context is weighed.
#[derive(Debug, Clone)]
pub(super) struct Event {
    pub(super) owner: Owner,
    /// Word positions of the pattern, ascending.
    pub(super) positions: Vec<usize>,
    pub(super) found: Found,
}

/// Per-message word data the rules look at.
pub(super) struct Words<'a> {
    pub(super) words: Vec<&'a str>,
    pub(super) sentence: Vec<usize>,
    pub(super) clause: Vec<usize>,
}

impl Scanner {
    /// Scans folded, corrected words; `breaks[i]` is the break before word `i` (missing
    /// entries read as none).
    pub fn scan<S: AsRef<str>>(&self, words: &[S], breaks: &[Break]) -> Triage {
        let n_input = words.len();
        let Rewritten {
            words: rewritten,
            breaks,
            origin,
        } = self.rewriter.rewrite(words, breaks);
        let words = Words::new(rewritten, &breaks);
        let n = words.words.len();
        let phrase_hits = self.phrases.find_all(&words.words);
        let (negated_by, negated_after) = self.negation(&words, &phrase_hits);
        let negated: Vec<bool> = negated_by.iter().map(Option::is_some).collect();
        let events = self.events(&words, &phrase_hits, &negated);
        let long_ago_sentences: Vec<usize> = phrase_hits
            .iter()
            .filter(|h| matches!(self.phrase_kinds[h.pattern], PhraseKind::LongAgo))
            .map(|h| words.sentence[h.start])
            .collect();
        let about_elsewhere = words.words.iter().any(|w| self.elsewhere.contains(*w));
        let about_here = words.words.iter().any(|w| self.here.contains(*w));
        let oldest = numbers::ages(&words.words)
            .into_iter()
            .map(|(_, age)| age)
            .max();
        let general_sentences = self.general_questions(&words);

        let masked = |flag: usize, pos: usize| {
            events.iter().any(|e| {
                e.owner.flag == flag
                    && e.owner.role == Role::Benign
                    && e.positions[0] <= pos
                    && pos <= *e.positions.last().expect("non-empty")
            })
        };
        // A phrase is one statement: negated when all of it is (a context phrase, "not on
        // purpose", when its start is). A near rule composes words: when one of them is negated
        // ("no weakness, bladder fine" read as "weak ... bladder"), the composition is not asserted.
        // A negation that is one of the hit's own words is part of what it says ("I don't feel my
        // foot"); any other reaches it ("my calf isn't swollen").
        let negated_from_before = |e: &Event, p: usize| {
            negated_by[p].is_some_and(|trigger| !e.positions.contains(&trigger))
        };
        let is_negated = |e: &Event| match e.found {
            Found::Near => e.positions.iter().any(|&p| negated_from_before(e, p)),
            Found::Word => negated[e.positions[0]] || negated_after[e.positions[0]],
            Found::Phrase | Found::Measure
                if matches!(e.owner.role, Role::Unless | Role::Downgrade) =>
            {
                negated[e.positions[0]]
            }
            Found::Phrase | Found::Measure => {
                e.positions.iter().all(|&p| negated_from_before(e, p))
            }
        };

        // (first position, flag, tier, term, negated, input words)
        let mut found: Vec<(usize, usize, Tier, String, bool, Vec<usize>)> = Vec::new();
        let mut candidates: Vec<(Event, Tier)> = Vec::new();
        for event in &events {
            let flag = &self.flags[event.owner.flag];
            let tier = match event.owner.role {
                Role::Clear => flag.tier,
                Role::Mention => Tier::Check,
                Role::AgeWith
                    if oldest
                        .zip(flag.age_over)
                        .is_some_and(|(age, over)| age > over) =>
                {
                    flag.tier
                }
                _ => continue,
            };
            // Look-alikes mask a flag's words and near rules, never its phrases.
            if event.found != Found::Phrase
                && event.positions.iter().any(|&p| masked(event.owner.flag, p))
            {
                continue;
            }
            candidates.push((event.clone(), tier));
        }
        candidates.extend(self.measured(&words).into_iter().map(|e| {
            let tier = self.flags[e.owner.flag].tier;
            (e, tier)
        }));
        for (event, tier) in candidates {
            let flag_idx = event.owner.flag;
            let flag = &self.flags[flag_idx];
            let start = event.positions[0];
            let sentence = words.sentence[start];
            // An `unless` cancels only close by: "lost 12 kg on purpose", not a diet mentioned
            // three clauses away from the weight loss that matters.
            let cancelled = events.iter().any(|e| {
                e.owner.flag == flag_idx
                    && e.owner.role == Role::Unless
                    && words.sentence[e.positions[0]] == sentence
                    && distance(&e.positions, &event.positions) <= self.window
                    && !is_negated(e)
            });
            if cancelled || (flag.quiet_elsewhere && about_elsewhere && !about_here) {
                continue;
            }
            let clause = words.clause[start];
            let close = |role: Role| {
                events.iter().any(|e| {
                    e.owner.flag == flag_idx
                        && e.owner.role == role
                        && words.clause[e.positions[0]] == clause
                        && distance(&e.positions, &event.positions) <= self.window
                })
            };
            let downgraded = close(Role::Downgrade) || (close(Role::Hedge) && !close(Role::Keep));
            let old = flag.long_ago && long_ago_sentences.contains(&sentence);
            let negated_hit = is_negated(&event);
            let general = event.owner.role == Role::Clear && general_sentences.contains(&sentence);
            let tier = if downgraded || old || negated_hit || general {
                tier.min(Tier::Check)
            } else {
                tier
            };
            let term = join_positions(&words.words, &event.positions);
            let input = input_words(&origin, &event.positions, n_input);
            found.push((start, flag_idx, tier, term, negated_hit, input));
        }
        found.sort_by_key(|(pos, flag, ..)| (*pos, *flag));
        debug_assert!(found.iter().all(|f| f.0 < n));
        // A mention inside a louder hit of its own flag says nothing more ("cant control my
        // bladder" needs no separate "bladder").
        let covered: Vec<bool> = found
            .iter()
            .map(|(_, flag, tier, term, ..)| {
                *tier == Tier::Check
                    && found.iter().any(|(_, f, t, other, ..)| {
                        f == flag && t > tier && other.split([' ', '…']).any(|w| w == term)
                    })
            })
            .collect();
        let found = found
            .into_iter()
            .zip(covered)
            .filter(|(_, covered)| !covered)
            .map(|(f, _)| f);

        let mut triage = Triage::default();
        for (_, flag, tier, term, negated, input) in found {
            let id = &self.flags[flag].id;
            match triage
                .hits
                .iter_mut()
                .find(|h| &h.flag == id && h.term == term)
            {
                // The same words twice: the louder reading stands.
                Some(existing) => {
                    if tier > existing.tier {
                        existing.tier = tier;
                        existing.negated = negated;
                        existing.words = input;
                    }
                }
                None => triage.hits.push(FlagHit {
                    flag: id.clone(),
                    tier,
                    term,
                    negated,
                    words: input,
                }),
            }
            triage.urgency = triage.urgency.max(Some(tier));
        }
        triage
    }
}

impl<'a> Words<'a> {
    fn new(words: Vec<&'a str>, breaks: &[Break]) -> Self {
        let mut sentence = Vec::with_capacity(words.len());
        let mut clause = Vec::with_capacity(words.len());
        let (mut s, mut c) = (0, 0);
        for i in 0..words.len() {
            match breaks.get(i).copied().unwrap_or_default() {
                Break::Sentence | Break::Question if i > 0 => {
                    s += 1;
                    c += 1;
                }
                Break::Clause => c += 1,
                _ => {}
            }
            sentence.push(s);
            clause.push(c);
        }
        Self {
            words,
            sentence,
            clause,
        }
    }
}

/// Fewest words between two sets of positions.
pub(super) fn distance(a: &[usize], b: &[usize]) -> usize {
    a.iter()
        .flat_map(|&x| b.iter().map(move |&y| x.abs_diff(y)))
        .min()
        .unwrap_or(usize::MAX)
}

fn join_positions(words: &[&str], positions: &[usize]) -> String {
    let mut term = String::new();
    for (i, &p) in positions.iter().enumerate() {
        if i > 0 {
            term.push_str(if p == positions[i - 1] + 1 {
                " "
            } else {
                " … "
            });
        }
        term.push_str(words[p]);
    }
    term
}
