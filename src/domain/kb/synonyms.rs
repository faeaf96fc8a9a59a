//! `lexicon.toml`: synonyms and the out-of-scope kinds, validated. The synonyms' own problems
//! (a variant of stop words only, one claimed twice) need them compiled: `parse` asks its
//! `Terms` for those.

use std::collections::{HashMap, HashSet};

use super::raw::RawLexiconFile;
use super::{folded_nonempty, line_of, KbFile, KbProblem, Problems, Scope, ScopeKind, Synonym};
use crate::domain::normalize::fold;

/// What `validate` returns: synonyms, the scope, each kind's red-flag ids with their
/// lines (resolved against redflags.toml by `parse`), and the line of each synonym (for the
/// lexicon's own problems, found once it is built).
pub(super) type LexiconParts = (Vec<Synonym>, Scope, Vec<Vec<(String, usize)>>, Vec<usize>);

pub(super) fn validate(
    file: &KbFile,
    raw: RawLexiconFile,
    out: &mut Vec<KbProblem>,
) -> LexiconParts {
    let mut p = Problems { file, out };
    let mut variant_owner: HashMap<String, String> = HashMap::new();
    let mut synonyms = Vec::new();
    // Line of each kept synonym's `canonical`, parallel to `synonyms`, for `Terms::synonym_problems`.
    let mut lines = Vec::new();
    for raw_synonym in raw.synonyms {
        let span = Some(raw_synonym.canonical.span());
        let canonical = fold(raw_synonym.canonical.get_ref());
        if canonical.is_empty() {
            p.at(span, "synonym has an empty `canonical`");
            continue;
        }
        if raw_synonym.variants.is_empty() {
            p.at(
                span.clone(),
                format!("synonym `{canonical}` has no variants"),
            );
        }
        let mut variants = Vec::new();
        for variant in raw_synonym.variants {
            let Some(folded) = folded_nonempty(&variant) else {
                p.at(
                    span.clone(),
                    format!("synonym `{canonical}` has an empty variant"),
                );
                continue;
            };
            if let Some(other) = variant_owner.insert(folded.clone(), canonical.clone()) {
                if other != canonical {
                    p.at(
                        span.clone(),
                        format!("variant `{folded}` maps to both `{other}` and `{canonical}`"),
                    );
                }
            }
            variants.push(folded);
        }
        lines.push(line_of(&file.text, raw_synonym.canonical.span().start));
        synonyms.push(Synonym {
            canonical,
            variants,
        });
    }
    let mut kinds = Vec::new();
    // (flag id, line) named by each kind, checked against redflags.toml once both are read.
    let mut kind_flags: Vec<Vec<(String, usize)>> = Vec::new();
    let mut kind_ids = HashSet::new();
    for kind in raw.scope.kinds {
        let id = kind.id.get_ref().trim().to_owned();
        let span = Some(kind.id.span());
        if id.is_empty() || !kind_ids.insert(id.clone()) {
            p.at(
                span.clone(),
                format!("scope kind id `{id}` is empty or used twice"),
            );
        }
        if kind.reply.trim().is_empty() {
            p.at(
                span.clone(),
                format!("scope kind `{id}` has an empty reply"),
            );
        }
        let markers: Vec<String> = kind
            .markers
            .iter()
            .filter_map(|w| folded_nonempty(w))
            .collect();
        if markers.len() != kind.markers.len() {
            p.at(
                span.clone(),
                format!("scope kind `{id}` has an empty marker"),
            );
        }
        let red_flags = kind
            .red_flags
            .iter()
            .map(|f| (f.get_ref().clone(), line_of(&file.text, f.span().start)))
            .collect();
        kind_flags.push(red_flags);
        kinds.push(ScopeKind {
            id,
            reply: kind.reply.trim().to_owned(),
            markers,
            under_age: kind.under_age,
            safety_net: kind.safety_net,
            red_flags: Vec::new(),
        });
    }
    (
        synonyms,
        Scope {
            penalty: raw.scope.penalty,
            kinds,
        },
        kind_flags,
        lines,
    )
}
