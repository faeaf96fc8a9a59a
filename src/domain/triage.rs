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

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::kb::{Patterns, RedFlags, Tier};
use super::normalize::Break;
use super::numbers;
use super::phrase::{PhraseHit, PhraseSet};

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

/// Rewrites word forms before matching: single words by lookup, phrases leftmost-longest.
#[derive(Debug)]
struct Rewriter {
    singles: HashMap<String, String>,
    phrases: PhraseSet,
    targets: Vec<String>,
    /// First words of the phrases: a text with none of them needs no phrase pass.
    first_words: HashSet<String>,
}

impl Rewriter {
    fn build(red_flags: &RedFlags) -> Self {
        let mut singles = HashMap::default();
        let mut patterns = Vec::new();
        let mut targets = Vec::new();
        for synonym in &red_flags.words {
            for variant in &synonym.variants {
                if variant.contains(' ') {
                    patterns.push(variant.clone());
                    targets.push(synonym.canonical.clone());
                } else {
                    singles.insert(variant.clone(), synonym.canonical.clone());
                }
            }
        }
        // Phrases are looked for after single words are rewritten: read them that way too.
        let patterns: Vec<String> = patterns
            .iter()
            .map(|p| {
                p.split(' ')
                    .map(|w| singles.get(w).map_or(w, String::as_str))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        let first_words = patterns
            .iter()
            .filter_map(|p| p.split(' ').next())
            .map(str::to_owned)
            .collect();
        Self {
            singles,
            phrases: PhraseSet::new(&patterns),
            targets,
            first_words,
        }
    }

    /// The rewritten words, each with the break before it: single words first, then phrases
    /// over the result (so "couldnt feel a thing" reads as "cant feel a thing" before the
    /// phrase "cant feel a thing" is looked for).
    fn rewrite<'a, S: AsRef<str>>(
        &'a self,
        words: &'a [S],
        breaks: &[Break],
    ) -> (Vec<&'a str>, Vec<Break>) {
        let break_at = |i: usize| {
            breaks
                .get(i)
                .copied()
                .unwrap_or(if i == 0 { Break::Sentence } else { Break::None })
        };
        let singles: Vec<&'a str> = words
            .iter()
            .map(|w| {
                self.singles
                    .get(w.as_ref())
                    .map_or(w.as_ref(), String::as_str)
            })
            .collect();
        if !singles.iter().any(|w| self.first_words.contains(*w)) {
            let out_breaks = (0..words.len()).map(break_at).collect();
            return (singles, out_breaks);
        }
        let mut out = Vec::with_capacity(words.len());
        let mut out_breaks = Vec::with_capacity(words.len());
        let mut next = 0;
        for hit in self.phrases.leftmost_longest(&singles) {
            // A rewrite must not swallow a break: "can. Not able" is two sentences.
            if hit.start < next || (hit.start + 1..hit.end).any(|i| break_at(i) != Break::None) {
                continue;
            }
            out.extend_from_slice(&singles[next..hit.start]);
            out_breaks.extend((next..hit.start).map(break_at));
            out.push(self.targets[hit.pattern].as_str());
            out_breaks.push(break_at(hit.start));
            next = hit.end;
        }
        out.extend_from_slice(&singles[next..]);
        out_breaks.extend((next..words.len()).map(break_at));
        (out, out_breaks)
    }
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

/// Word positions of one pattern (a phrase or near rule has a handful).
type Positions = Vec<usize>;

/// How a pattern was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Found {
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
struct Event {
    owner: Owner,
    /// Word positions of the pattern, ascending.
    positions: Vec<usize>,
    found: Found,
}

/// Per-message word data the rules look at.
struct Words<'a> {
    words: Vec<&'a str>,
    sentence: Vec<usize>,
    clause: Vec<usize>,
}

impl Scanner {
    /// Builds a scanner from validated red flags.
    pub fn build(red_flags: &RedFlags) -> Self {
        let rewriter = Rewriter::build(red_flags);
        // Patterns are written in plain words; read them the way messages are read.
        let rewrite_word = |w: &str| {
            rewriter
                .singles
                .get(w)
                .cloned()
                .unwrap_or_else(|| w.to_owned())
        };
        let rewrite_phrase = |p: &str| {
            // Most patterns hold no word form to rewrite: keep those as they are.
            if !p
                .split(' ')
                .any(|w| rewriter.singles.contains_key(w) || rewriter.first_words.contains(w))
            {
                return p.to_owned();
            }
            let words: Vec<&str> = p.split(' ').collect();
            let (out, _) = rewriter.rewrite(&words, &[]);
            out.join(" ")
        };
        let mut scanner = Self {
            words: HashMap::default(),
            prefixes: Vec::new(),
            phrases: PhraseSet::new::<&str>(&[]),
            phrase_kinds: Vec::new(),
            near: Vec::new(),
            near_words: HashMap::default(),
            flag_vocabulary: HashSet::default(),
            bridge: red_flags
                .negation
                .bridge
                .iter()
                .map(|w| rewrite_word(w))
                .collect(),
            after_bridge: red_flags
                .negation
                .after_bridge
                .iter()
                .map(|w| rewrite_word(w))
                .collect(),
            stop: red_flags
                .negation
                .stop
                .iter()
                .map(|w| rewrite_word(w))
                .collect(),
            elsewhere: red_flags.context.elsewhere.iter().cloned().collect(),
            here: red_flags.context.here.iter().cloned().collect(),
            question: red_flags
                .context
                .question
                .iter()
                .map(|w| rewrite_word(w))
                .collect(),
            general: red_flags
                .context
                .general
                .iter()
                .map(|w| rewrite_word(w))
                .collect(),
            personal: red_flags
                .context
                .personal
                .iter()
                .map(|w| rewrite_word(w))
                .collect(),
            measures: Vec::new(),
            window: red_flags.window,
            flags: Vec::new(),
            rewriter: Rewriter {
                singles: HashMap::default(),
                phrases: PhraseSet::new::<&str>(&[]),
                targets: Vec::new(),
                first_words: HashSet::default(),
            },
        };
        let mut phrase_patterns: Vec<String> = Vec::new();
        for (idx, flag) in red_flags.flags.iter().enumerate() {
            let mut add = |patterns: &Patterns, role: Role, scanner: &mut Self| {
                let owner = Owner { flag: idx, role };
                for word in &patterns.words {
                    match word.strip_suffix('*') {
                        Some(prefix) => scanner.prefixes.push((prefix.to_owned(), owner)),
                        None => scanner
                            .words
                            .entry(rewrite_word(word))
                            .or_default()
                            .push(owner),
                    }
                }
                for phrase in &patterns.phrases {
                    phrase_patterns.push(rewrite_phrase(phrase));
                    scanner.phrase_kinds.push(PhraseKind::Flag(owner));
                }
                for rule in &patterns.near {
                    let rule_idx = scanner.near.len();
                    scanner.near.push(CompiledNear {
                        owner,
                        n_groups: rule.groups.len(),
                        window: rule.window,
                        clause: rule.clause,
                    });
                    for (group, alternatives) in rule.groups.iter().enumerate() {
                        for word in alternatives {
                            let entry = scanner.near_words.entry(rewrite_word(word)).or_default();
                            if !entry.contains(&(rule_idx, group)) {
                                entry.push((rule_idx, group));
                            }
                        }
                    }
                }
                if matches!(role, Role::Clear | Role::Mention | Role::AgeWith) {
                    for word in patterns.vocabulary() {
                        let word = rewriter.singles.get(word).map_or(word, String::as_str);
                        if !scanner.flag_vocabulary.contains(word) {
                            scanner.flag_vocabulary.insert(word.to_owned());
                        }
                    }
                }
            };
            add(&flag.clear, Role::Clear, &mut scanner);
            add(&flag.mentions, Role::Mention, &mut scanner);
            add(&flag.benign, Role::Benign, &mut scanner);
            add(&flag.unless, Role::Unless, &mut scanner);
            add(&flag.downgrade, Role::Downgrade, &mut scanner);
            add(&flag.hedges, Role::Hedge, &mut scanner);
            add(&flag.keep, Role::Keep, &mut scanner);
            if let Some(age) = &flag.age {
                add(&age.with, Role::AgeWith, &mut scanner);
            }
            for measure in &flag.measures {
                let words: HashSet<String> =
                    measure.words.iter().map(|w| rewrite_word(w)).collect();
                scanner.flag_vocabulary.extend(words.iter().cloned());
                scanner
                    .measures
                    .push((idx, words, measure.min, measure.max));
            }
            scanner.flags.push(FlagMeta {
                id: flag.id.clone(),
                tier: flag.tier,
                long_ago: flag.long_ago,
                quiet_elsewhere: flag.quiet_elsewhere,
                age_over: flag.age.as_ref().map(|a| a.over),
            });
        }
        for (list, kind) in [
            (&red_flags.negation.before, PhraseKind::NegationBefore),
            (&red_flags.negation.after, PhraseKind::NegationAfter),
            (&red_flags.context.long_ago, PhraseKind::LongAgo),
        ] {
            for phrase in list {
                phrase_patterns.push(rewrite_phrase(phrase));
                scanner.phrase_kinds.push(kind);
            }
        }
        scanner.phrases = PhraseSet::new(&phrase_patterns);
        scanner.rewriter = rewriter;
        scanner
    }

    /// Every word a red flag matches on, for the spelling corrector's vocabulary.
    pub fn vocabulary(red_flags: &RedFlags) -> impl Iterator<Item = &str> {
        red_flags.flags.iter().flat_map(|flag| {
            let measures = flag
                .measures
                .iter()
                .flat_map(|m| m.words.iter().map(String::as_str));
            let age = flag.age.iter().flat_map(|a| a.with.vocabulary());
            flag.clear
                .vocabulary()
                .chain(flag.mentions.vocabulary())
                .chain(measures)
                .chain(age)
        })
    }

    /// Every word red-flag rules read as context (look-alikes, `unless`, downgrades, hedges,
    /// negation, word forms): known words that the spelling corrector must leave alone.
    pub fn context_vocabulary(red_flags: &RedFlags) -> impl Iterator<Item = &str> {
        let per_flag = red_flags
            .flags
            .iter()
            .flat_map(|f| [&f.benign, &f.unless, &f.downgrade, &f.hedges, &f.keep])
            .flat_map(Patterns::vocabulary);
        let negation = &red_flags.negation;
        let context = &red_flags.context;
        let lists = [
            &negation.before,
            &negation.after,
            &negation.bridge,
            &negation.after_bridge,
            &negation.stop,
            &context.long_ago,
            &context.elsewhere,
            &context.here,
            &context.personal,
            &context.question,
            &context.general,
        ];
        let listed = lists.into_iter().flatten().flat_map(|p| p.split(' '));
        let forms = red_flags.words.iter().flat_map(|w| {
            w.variants
                .iter()
                .flat_map(|v| v.split(' '))
                .chain(std::iter::once(w.canonical.as_str()))
        });
        per_flag.chain(listed).chain(forms)
    }

    /// Scans folded, corrected words; `breaks[i]` is the break before word `i` (missing
    /// entries read as none).
    pub fn scan<S: AsRef<str>>(&self, words: &[S], breaks: &[Break]) -> Triage {
        let (rewritten, breaks) = self.rewriter.rewrite(words, breaks);
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

        // (first position, flag, tier, term, negated)
        let mut found: Vec<(usize, usize, Tier, String, bool)> = Vec::new();
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
            found.push((start, flag_idx, tier, term, negated_hit));
        }
        found.sort_by_key(|(pos, flag, ..)| (*pos, *flag));
        debug_assert!(found.iter().all(|f| f.0 < n));
        // A mention inside a louder hit of its own flag says nothing more ("cant control my
        // bladder" needs no separate "bladder").
        let covered: Vec<bool> = found
            .iter()
            .map(|(_, flag, tier, term, _)| {
                *tier == Tier::Check
                    && found.iter().any(|(_, f, t, other, _)| {
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
        for (_, flag, tier, term, negated) in found {
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
                    }
                }
                None => triage.hits.push(FlagHit {
                    flag: id.clone(),
                    tier,
                    term,
                    negated,
                }),
            }
            triage.urgency = triage.urgency.max(Some(tier));
        }
        triage
    }

    /// Every pattern found: single words, prefixes, phrases, near rules.
    fn events(&self, words: &Words<'_>, phrase_hits: &[PhraseHit], negated: &[bool]) -> Vec<Event> {
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
    fn general_questions(&self, words: &Words<'_>) -> Vec<usize> {
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
    fn measured(&self, words: &Words<'_>) -> Vec<Event> {
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
    fn negation(
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
fn distance(a: &[usize], b: &[usize]) -> usize {
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

#[cfg(test)]
mod tests;
