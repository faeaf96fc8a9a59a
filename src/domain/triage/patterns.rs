//! Where a message's words match red-flag patterns (words, prefixes, phrases, near rules,
//! measures) and where a negation or a general question reaches: the raw findings the scan
//! weighs.

use super::scan::{Event, Found, Positions, Words};
use super::{Owner, PhraseKind, Role, Scanner};
use crate::domain::numbers;
use crate::domain::phrase::PhraseHit;

impl Scanner {
    /// Every pattern found: single words, prefixes, phrases, near rules.
    pub(super) fn events(
        &self,
        words: &Words<'_>,
        phrase_hits: &[PhraseHit],
        negated: &[bool],
    ) -> Vec<Event> {
        let mut events = Vec::new();
        // (rule, group, position) of every word that belongs to a near rule; sorted, each rule's
        // words are one run, each group's positions one run inside it.
        let mut members: Vec<(usize, usize, usize)> = Vec::new();
        for (pos, &word) in words.words.iter().enumerate() {
            if let Some(owners) = self.words.get(word) {
                events.extend(owners.iter().map(|&owner| Event {
                    owner,
                    positions: vec![pos],
                    found: Found::Word,
                }));
            }
            for (prefix, owner) in &self.prefixes {
                if word.starts_with(prefix.as_str()) {
                    events.push(Event {
                        owner: *owner,
                        positions: vec![pos],
                        found: Found::Word,
                    });
                }
            }
            if let Some(memberships) = self.near_words.get(word) {
                members.extend(memberships.iter().map(|&(rule, group)| (rule, group, pos)));
            }
        }
        for hit in phrase_hits {
            let PhraseKind::Flag(owner) = self.phrase_kinds[hit.pattern] else {
                continue;
            };
            if (hit.start + 1..hit.end).all(|i| words.sentence[i] == words.sentence[hit.start]) {
                events.push(Event {
                    owner,
                    positions: (hit.start..hit.end).collect(),
                    found: Found::Phrase,
                });
            }
        }
        members.sort_unstable();
        for run in members.chunk_by(|a, b| a.0 == b.0) {
            let rule = run[0].0;
            let n_groups = self.near[rule].n_groups;
            let groups: Vec<&[(usize, usize, usize)]> = run.chunk_by(|a, b| a.1 == b.1).collect();
            if groups.len() < n_groups {
                continue;
            }
            let window = self.near[rule].window;
            let scope = if self.near[rule].clause {
                &words.clause
            } else {
                &words.sentence
            };
            for &(_, _, anchor) in groups[0] {
                // Prefer words no negation reaches: "no numbness, but my foot is dragging" must
                // find the asserted words when they are there.
                let pick = |skip_negated: bool| {
                    let mut picked: Positions = Vec::with_capacity(n_groups);
                    picked.push(anchor);
                    for group in &groups[1..] {
                        let close = group.iter().map(|m| m.2).filter(|&p| {
                            !picked.contains(&p)
                                && p.abs_diff(anchor) <= window
                                && scope[p] == scope[anchor]
                                && !(skip_negated && negated[p])
                        });
                        picked.push(close.min_by_key(|&p| p.abs_diff(anchor))?);
                    }
                    picked.sort_unstable();
                    Some(picked)
                };
                // Even a negated anchor may find its negation among the rule's own words ("things
                // aren't working in the bedroom"): that hit says the negation, it is not negated.
                let picked = pick(true).or_else(|| pick(false));
                if let Some(positions) = picked {
                    events.push(Event {
                        owner: self.near[rule].owner,
                        positions,
                        found: Found::Near,
                    });
                }
            }
        }
        events
    }

    /// Sentences that ask in general, not about anyone: they open with a question word, use a
    /// general verb ("cause", "mean", "go into") and name nobody ("I", "my", "his").
    pub(super) fn general_questions(&self, words: &Words<'_>) -> Vec<usize> {
        let mut general = Vec::new();
        let mut start = 0;
        while start < words.words.len() {
            let sentence = words.sentence[start];
            let end = words.sentence[start..]
                .iter()
                .position(|&s| s != sentence)
                .map_or(words.words.len(), |n| start + n);
            let words_here = &words.words[start..end];
            let opens = words_here
                .first()
                .is_some_and(|w| self.question.contains(*w));
            if opens
                && words_here.iter().any(|w| self.general.contains(*w))
                && !words_here.iter().any(|w| self.personal.contains(*w))
            {
                general.push(sentence);
            }
            start = end;
        }
        general
    }

    /// Numbers in range with a measure word close by, in one sentence ("temp 38.4").
    pub(super) fn measured(&self, words: &Words<'_>) -> Vec<Event> {
        if self.measures.is_empty() {
            return Vec::new();
        }
        let mut events = Vec::new();
        for (pos, &word) in words.words.iter().enumerate() {
            let Some(value) = numbers::value(word) else {
                continue;
            };
            for (flag, measure_words, min, max) in &self.measures {
                if !(*min..=*max).contains(&value) {
                    continue;
                }
                let lo = pos.saturating_sub(self.window);
                let hi = (pos + self.window).min(words.words.len() - 1);
                if let Some(at) = (lo..=hi).find(|&i| {
                    words.sentence[i] == words.sentence[pos]
                        && measure_words.contains(words.words[i])
                }) {
                    let mut positions = vec![at, pos];
                    positions.sort_unstable();
                    events.push(Event {
                        owner: Owner {
                            flag: *flag,
                            role: Role::Clear,
                        },
                        positions,
                        found: Found::Measure,
                    });
                }
            }
        }
        events
    }

    /// Which positions a negation reaches: (the trigger before that reaches each, whether
    /// "fine"/"normal" after reaches it).
    pub(super) fn negation(
        &self,
        words: &Words<'_>,
        phrase_hits: &[PhraseHit],
    ) -> (Vec<Option<usize>>, Vec<bool>) {
        let n = words.words.len();
        let mut before = vec![None; n];
        let mut after = vec![false; n];
        let reaches = |i: usize| {
            let word = words.words[i];
            !self.stop.contains(word)
                && (self.bridge.contains(word) || self.flag_vocabulary.contains(word))
        };
        for hit in phrase_hits
            .iter()
            .filter(|h| matches!(self.phrase_kinds[h.pattern], PhraseKind::NegationBefore))
        {
            let clause = words.clause[hit.end - 1];
            let mut i = hit.end;
            while i < n && words.clause[i] == clause && !self.stop.contains(words.words[i]) {
                before[i] = before[i].or(Some(hit.start));
                // The first word that is neither a bridge nor a red-flag word is what is negated
                // ("not dieting", "no idea"): the reach ends with it.
                if !reaches(i) {
                    break;
                }
                i += 1;
            }
        }
        let reaches_back = |i: usize| {
            let word = words.words[i];
            self.after_bridge.contains(word) || self.flag_vocabulary.contains(word)
        };
        for hit in phrase_hits
            .iter()
            .filter(|h| matches!(self.phrase_kinds[h.pattern], PhraseKind::NegationAfter))
        {
            let clause = words.clause[hit.start];
            let mut i = hit.start;
            while i > 0 && words.clause[i - 1] == clause && reaches_back(i - 1) {
                after[i - 1] = true;
                i -= 1;
            }
        }
        (before, after)
    }
}
