//! Scoring and choosing topics for an analyzed message.
//!
//! score(topic) = sum of the weights of the distinct keywords and phrases found
//!              - the out-of-scope penalty (per distinct marker)
//!              + the red-flag boost (urgent topic only, per distinct flag raised at `urgent` or
//!                above: a bare or negated mention does not pull the answer away from the question).
//! A flag's vetoed topics (a hot swollen calf is not heat therapy) are left out. The penalty
//! never cancels the boost: a flag beats an out-of-scope word, except that a question of an
//! out-of-scope kind that no topic answers on its own keeps its kind's reply (the block is added).
//! A topic is answered only at or above `min_score`; close runners-up become "You may also
//! mean"; a message that clearly asks two things can get a second answer.

use super::index::{Analysis, Index, TopicIdx};
use super::kb::{Kb, Tier};
use super::triage::Triage;

/// One scored topic.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    /// Position in `Kb::topics`.
    pub topic: TopicIdx,
    /// Its score.
    pub score: f32,
    /// The keywords, phrases and flags that scored, for reports and tie-breaking.
    pub evidence: Vec<String>,
}

/// What the matcher decided.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Decision {
    /// Every topic with a positive score, best first.
    pub ranked: Vec<Match>,
    /// The topics to answer (none, one, or two), best first.
    pub answered: Vec<TopicIdx>,
    /// Runners-up to offer.
    pub also: Vec<TopicIdx>,
}

/// Where the question's reading sends it: the routed topic (intent and subject, or a follow-up's
/// context) and the subject's own topic.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Route {
    /// The topic the (intent, subject) pair routes to.
    pub topic: Option<TopicIdx>,
    /// The topic that defines the subject, offered beside the answer.
    pub subject_topic: Option<TopicIdx>,
}

/// Scores every topic; best first, ties in knowledge-base order.
pub fn rank(
    kb: &Kb,
    index: &Index,
    analysis: &Analysis,
    triage: &Triage,
    route: Route,
) -> Vec<Match> {
    let mut matches: Vec<Match> = (0..kb.topics.len())
        .map(|topic| Match {
            topic,
            score: 0.0,
            evidence: Vec::new(),
        })
        .collect();
    for (topic, weight, key) in index.lookup(analysis) {
        matches[topic].score += weight;
        matches[topic].evidence.push(key);
    }
    if let Some(topic) = route.topic {
        // What the question asks decides between topics its words name: "treatment options for
        // piriformis syndrome" is answered by what you can do, not by what piriformis is. The
        // routed topic gets its boost, and at least enough to lead the words' own best.
        let best_other = matches
            .iter()
            .filter(|m| m.topic != topic)
            .map(|m| m.score)
            .fold(0.0, f32::max);
        let routed = &mut matches[topic];
        routed.score = (routed.score + kb.questions.route_boost).max(best_other + 0.5);
        routed.evidence.push("route".to_owned());
    }
    let penalty = kb.scope.penalty * analysis.n_off_topic as f32;
    for m in matches.iter_mut().filter(|m| m.score > 0.0) {
        m.score = (m.score - penalty).max(0.0);
    }
    let raised = triage.flag_ids_at_least(Tier::Urgent);
    // A question of an out-of-scope kind whose own red flag it raises ("tightness in my chest"),
    // and that names no topic, gets its kind's reply with the flag's block (first, for an
    // emergency): the flag still wins without pretending the article answered the question.
    let answered_on_its_own = matches.iter().any(|m| m.score >= kb.matching.min_score);
    let kind = analysis.scope_kinds.first().map(|&k| &kb.scope.kinds[k]);
    let own_flag_of_kind = |flag: &&str| {
        !answered_on_its_own && kind.is_some_and(|k| k.red_flags.iter().any(|f| f == flag))
    };
    let boosts: Vec<&str> = raised
        .iter()
        .copied()
        .filter(|f| !own_flag_of_kind(f))
        .collect();
    if let Some(urgent_topic) = kb.topics.iter().position(|t| t.id == kb.red_flags.topic) {
        for flag in &boosts {
            let boost = kb
                .red_flags
                .flag(flag)
                .map_or(kb.red_flags.topic_boost, |f| f.topic_boost);
            matches[urgent_topic].score += boost;
            matches[urgent_topic].evidence.push(format!("flag:{flag}"));
        }
    }
    for flag in raised.iter().filter_map(|id| kb.red_flags.flag(id)) {
        for vetoed in &flag.vetoes {
            if let Some(idx) = kb.topics.iter().position(|t| &t.id == vetoed) {
                matches[idx].score = 0.0;
            }
        }
    }
    let mut ranked: Vec<Match> = matches.into_iter().filter(|m| m.score > 0.0).collect();
    // Stable sort keeps knowledge-base order among equal scores.
    ranked.sort_by(|a, b| b.score.total_cmp(&a.score));
    ranked
}

/// Chooses the answer(s) and runners-up from ranked matches; the subject's own topic, when it is
/// not the answer, comes first among the runners-up.
pub fn decide(kb: &Kb, analysis: &Analysis, ranked: Vec<Match>, route: Route) -> Decision {
    let settings = &kb.matching;
    let Some(top) = ranked.first() else {
        return Decision::default();
    };
    if top.score < settings.min_score {
        return Decision {
            ranked,
            answered: Vec::new(),
            also: Vec::new(),
        };
    }
    let mut answered = vec![top.topic];
    let mut also = Vec::new();
    // A red flag raised at `urgent` or above makes the urgent topic the answer, whatever else
    // scored: its answer is the block of warning signs, which the reply carries anyway (first,
    // for an emergency). What the person asked still gets its answer, second.
    let flagged = ranked.iter().find(|m| {
        kb.topics[m.topic].id == kb.red_flags.topic
            && m.evidence.iter().any(|e| e.starts_with("flag:"))
    });
    if let Some(urgent) = flagged {
        answered = vec![urgent.topic];
        if let Some(asked) = ranked
            .iter()
            .find(|m| m.topic != urgent.topic && m.score >= settings.min_score)
        {
            answered.push(asked.topic);
        }
    }
    let first_answers = answered.clone();
    for runner_up in ranked.iter().filter(|m| !first_answers.contains(&m.topic)) {
        if runner_up.score < settings.min_score.min(top.score * settings.also_ratio) {
            break;
        }
        let distinct_evidence = runner_up.evidence.iter().all(|e| !top.evidence.contains(e));
        // The route names one of two requests ("what is sciatica and what are the symptoms?"):
        // the other is weighed against what the words alone gave the first.
        let top_words = if top.evidence.iter().any(|e| e == "route") {
            (top.score - kb.questions.route_boost).max(settings.min_score)
        } else {
            top.score
        };
        if answered.len() == 1
            && analysis.joins_requests
            && distinct_evidence
            && runner_up.score >= settings.min_score
            && runner_up.score >= top_words * settings.second_answer_ratio
        {
            answered.push(runner_up.topic);
        } else if runner_up.score >= top.score * settings.also_ratio
            && also.len() < settings.max_also
        {
            also.push(runner_up.topic);
        }
    }
    if let Some(subject) = route.subject_topic.filter(|t| !answered.contains(t)) {
        also.retain(|&t| t != subject);
        also.insert(0, subject);
        also.truncate(settings.max_also.max(1));
    }
    Decision {
        ranked,
        answered,
        also,
    }
}

#[cfg(test)]
mod tests;
