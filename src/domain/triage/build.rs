//! Compiling the red flags into a `Scanner`: patterns read the way messages are read, every
//! phrase in one automaton, and the vocabularies the spelling corrector needs.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::{CompiledNear, FlagMeta, Owner, PhraseKind, Rewriter, Role, Scanner};
use crate::domain::kb::{Patterns, RedFlags};
use crate::domain::phrase::PhraseSet;

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
            rewriter.rewrite(&words, &[]).words.join(" ")
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
}
