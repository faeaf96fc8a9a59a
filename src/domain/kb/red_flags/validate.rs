//! `redflags.toml` validated: raw flags folded into `Patterns`, near rules and context, every
//! problem placed on its line.

use std::collections::HashSet;

use super::raw::{RawNear, RawRedFlagsFile};
use super::{AgeRule, FlagContext, Measure, NearRule, Negation, Patterns, RedFlag, RedFlags, Tier};
use crate::domain::kb::{folded_nonempty, KbFile, KbProblem, Problems, Synonym, TopicId};

/// Folds a list of words and phrases into `Patterns`; reports empty entries.
fn patterns_of(
    list: &[String],
    near: &[RawNear],
    default_window: usize,
    what: &str,
    id: &str,
    p: &mut Problems<'_>,
    span: &std::ops::Range<usize>,
) -> Patterns {
    let mut out = Patterns::default();
    for entry in list {
        match folded_nonempty(entry) {
            Some(folded) if folded.contains(' ') => out.phrases.push(folded),
            Some(folded) => out.words.push(folded),
            None => p.at(
                Some(span.clone()),
                format!("red flag `{id}`: empty entry in `{what}`"),
            ),
        }
    }
    out.near = near_rules(near, default_window, what, id, p, span);
    out
}

fn near_rules(
    near: &[RawNear],
    default_window: usize,
    what: &str,
    id: &str,
    p: &mut Problems<'_>,
    span: &std::ops::Range<usize>,
) -> Vec<NearRule> {
    let mut rules = Vec::new();
    for rule in near {
        let (groups, window, clause) = match rule {
            RawNear::Groups(groups) => (groups, default_window, false),
            RawNear::Windowed {
                window,
                clause,
                groups,
            } => (groups, window.unwrap_or(default_window), *clause),
        };
        let groups: Vec<Vec<String>> = groups
            .iter()
            .map(|alts| {
                alts.split('|')
                    .filter_map(folded_nonempty)
                    .collect::<Vec<_>>()
            })
            .collect();
        if groups.len() < 2 || groups.iter().any(Vec::is_empty) {
            p.at(
                Some(span.clone()),
                format!(
                    "red flag `{id}`: a near rule in `{what}` needs two or more non-empty groups"
                ),
            );
            continue;
        }
        if groups.iter().flatten().any(|w| w.contains(' ')) {
            p.at(Some(span.clone()), format!("red flag `{id}`: a near rule in `{what}` has a word with a space: near rules take single words"));
            continue;
        }
        if window == 0 {
            p.at(
                Some(span.clone()),
                format!("red flag `{id}`: a near rule in `{what}` needs a window of 1 or more"),
            );
            continue;
        }
        rules.push(NearRule {
            groups,
            window,
            clause,
        });
    }
    rules
}

fn folded_list(list: &[String]) -> Vec<String> {
    list.iter().filter_map(|w| folded_nonempty(w)).collect()
}

/// Validates `redflags.toml`. `topic_ids` are the known topics (empty and `topics_known` false
/// when topics.toml itself failed, so unknown-topic problems are not reported twice).
pub(in crate::domain::kb) fn validate(
    file: &KbFile,
    raw: RawRedFlagsFile,
    topic_ids: &HashSet<&str>,
    topics_known: bool,
    out: &mut Vec<KbProblem>,
) -> RedFlags {
    let mut p = Problems { file, out };
    if topics_known && !topic_ids.contains(raw.topic.get_ref().as_str()) {
        p.at(
            Some(raw.topic.span()),
            format!("unknown topic `{}`", raw.topic.get_ref()),
        );
    }
    if raw.window == 0 {
        p.at(None, "`window` must be at least 1");
    }
    let text = &raw.text;
    for (name, value) in [
        ("emergency_first_line", &text.emergency_first_line),
        ("urgent_first_line", &text.urgent_first_line),
        ("check_first_line", &text.check_first_line),
        ("emergency_heading", &text.emergency_heading),
        ("urgent_heading", &text.urgent_heading),
        ("get_help", &text.get_help),
    ] {
        if value.trim().is_empty() {
            p.at(None, format!("`text.{name}` is empty"));
        }
    }
    if !text.because.contains("{signs}") {
        p.at(None, "`text.because` must contain `{signs}`");
    }
    let mut words = Vec::new();
    let mut seen_variants: HashSet<String> = HashSet::new();
    for (canonical, variants) in &raw.words {
        let Some(canonical) = folded_nonempty(canonical).filter(|c| !c.contains(' ')) else {
            p.at(None, format!("`words`: `{canonical}` must be one word"));
            continue;
        };
        let variants = folded_list(variants);
        for variant in &variants {
            if !seen_variants.insert(variant.clone()) {
                p.at(
                    None,
                    format!("`words`: `{variant}` is listed under two words"),
                );
            }
        }
        words.push(Synonym {
            canonical,
            variants,
        });
    }
    let negation = Negation {
        before: folded_list(&raw.negation.before),
        after: folded_list(&raw.negation.after),
        bridge: folded_list(&raw.negation.bridge),
        after_bridge: folded_list(&raw.negation.after_bridge),
        stop: folded_list(&raw.negation.stop),
    };
    let context = FlagContext {
        long_ago: folded_list(&raw.context.long_ago),
        elsewhere: folded_list(&raw.context.elsewhere),
        here: folded_list(&raw.context.here),
        question: folded_list(&raw.context.question),
        general: folded_list(&raw.context.general),
        personal: folded_list(&raw.context.personal),
    };

    let mut seen = HashSet::new();
    let mut flags = Vec::new();
    for flag in raw.flags {
        let id = flag.id.get_ref().clone();
        let span = flag.id.span();
        if !seen.insert(id.clone()) {
            p.at(Some(span.clone()), format!("duplicate red flag id `{id}`"));
        }
        for (name, value) in [
            ("source", &flag.source),
            ("label", &flag.label),
            ("says", &flag.says),
        ] {
            if value.trim().is_empty() {
                p.at(
                    Some(span.clone()),
                    format!("red flag `{id}` names no {name}"),
                );
            }
        }
        let mut clear = Patterns::default();
        for term in &flag.terms {
            let prefix = term.trim_end().ends_with('*');
            match folded_nonempty(term) {
                Some(folded) if !folded.contains(' ') => {
                    if prefix && folded.len() < 4 {
                        p.at(Some(span.clone()), format!("red flag `{id}`: prefix `{term}` is too short (4 letters at least)"));
                    }
                    clear
                        .words
                        .push(if prefix { format!("{folded}*") } else { folded });
                }
                Some(_) => p.at(
                    Some(span.clone()),
                    format!(
                        "red flag `{id}`: term `{term}` has several words: put it under `phrases`"
                    ),
                ),
                None => p.at(Some(span.clone()), format!("red flag `{id}`: empty term")),
            }
        }
        for phrase in &flag.phrases {
            match folded_nonempty(phrase) {
                Some(folded) => clear.phrases.push(folded),
                None => p.at(Some(span.clone()), format!("red flag `{id}`: empty phrase")),
            }
        }
        // A zero `window` is reported once, above; rules that use it are read with 1.
        let window = raw.window.max(1);
        clear.near = near_rules(&flag.near, window, "near", &id, &mut p, &span);
        let mentions = patterns_of(
            &flag.mentions,
            &flag.mention_near,
            window,
            "mentions",
            &id,
            &mut p,
            &span,
        );
        let benign = patterns_of(
            &flag.benign,
            &flag.benign_near,
            window,
            "benign",
            &id,
            &mut p,
            &span,
        );
        let unless = patterns_of(
            &flag.unless,
            &flag.unless_near,
            window,
            "unless",
            &id,
            &mut p,
            &span,
        );
        let downgrade = patterns_of(
            &flag.downgrade,
            &[],
            window,
            "downgrade",
            &id,
            &mut p,
            &span,
        );
        let hedges = patterns_of(&flag.hedges, &[], window, "hedges", &id, &mut p, &span);
        let keep = patterns_of(&flag.keep, &[], window, "keep", &id, &mut p, &span);
        let mut measures = Vec::new();
        for m in &flag.measures {
            let words = folded_list(&m.words);
            if words.is_empty() || !(m.min.is_finite() && m.max.is_finite() && m.min <= m.max) {
                p.at(
                    Some(span.clone()),
                    format!("red flag `{id}`: a `measure` needs words and min <= max"),
                );
                continue;
            }
            measures.push(Measure {
                words,
                min: m.min,
                max: m.max,
            });
        }
        let age = flag.age.as_ref().map(|a| {
            let with = patterns_of(
                &a.with,
                &a.with_near,
                window,
                "age.with",
                &id,
                &mut p,
                &span,
            );
            if with.is_empty() {
                p.at(
                    Some(span.clone()),
                    format!("red flag `{id}`: `age` needs `with` or `with_near`"),
                );
            }
            AgeRule { over: a.over, with }
        });
        if clear.is_empty() && mentions.is_empty() && measures.is_empty() && age.is_none() {
            p.at(Some(span.clone()), format!("red flag `{id}` has no terms, phrases, near rules, mentions, measures or age rule"));
        }
        let mut vetoes = Vec::new();
        for veto in &flag.vetoes {
            if topics_known && !topic_ids.contains(veto.get_ref().as_str()) {
                p.at(
                    Some(veto.span()),
                    format!("red flag `{id}` vetoes unknown topic `{}`", veto.get_ref()),
                );
            }
            vetoes.push(TopicId(veto.get_ref().clone()));
        }
        let topic_boost = flag.topic_boost.unwrap_or(raw.topic_boost);
        if !topic_boost.is_finite() || topic_boost < 0.0 {
            p.at(
                Some(span.clone()),
                format!("red flag `{id}`: `topic_boost` must be zero or more"),
            );
        }
        if flag.tier == Tier::Check {
            p.at(Some(span.clone()), format!("red flag `{id}`: a flag's tier is `emergency` or `urgent`; `check` is what its mentions raise"));
        }
        flags.push(RedFlag {
            id,
            tier: flag.tier,
            label: flag.label.trim().to_owned(),
            says: flag.says.trim().to_owned(),
            source: flag.source.trim().to_owned(),
            topic_boost,
            clear,
            mentions,
            benign,
            unless,
            downgrade,
            hedges,
            keep,
            long_ago: flag.long_ago,
            quiet_elsewhere: flag.quiet_elsewhere,
            vetoes,
            measures,
            age,
        });
    }
    if flags.is_empty() {
        p.at(
            None,
            "no red flags: the urgent-care criteria could never be added",
        );
    }
    if raw.check.iter().any(|q| q.question.trim().is_empty()) {
        p.at(None, "a `check` question is empty");
    }
    RedFlags {
        window: raw.window,
        topic: TopicId(raw.topic.into_inner()),
        topic_boost: raw.topic_boost,
        words,
        negation,
        context,
        flags,
        text: raw.text,
        check: raw.check,
    }
}
