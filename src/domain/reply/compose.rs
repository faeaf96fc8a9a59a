//! `compose`: a `Reply` from what the engine decided (intent, matched topics, triage, context),
//! and the replies that need no message (a topic chosen directly, the list of signs).

use super::{Reply, ReplyKind, Section, TopicRef, UrgentWording};
use crate::domain::kb::Kb;
use crate::domain::matcher::{self, Decision};
use crate::domain::triage::Triage;

fn topic_ref(kb: &Kb, idx: usize) -> TopicRef {
    let topic = &kb.topics[idx];
    TopicRef {
        id: topic.id.clone(),
        title: topic.title.clone(),
    }
}

/// What the engine decided the message is, before composing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    /// A question for the matcher.
    Question,
    /// Greeting only.
    Greeting,
    /// Thanks only.
    Thanks,
    /// No words at all.
    Empty,
    /// About the bot itself ("who made you?").
    AboutBot,
}

/// What the message was read as besides its topics.
#[derive(Debug, Clone, Copy, Default)]
pub struct Context {
    /// Position of the message's out-of-scope kind in `Scope::kinds`.
    pub scope_kind: Option<usize>,
    /// It is about back or leg pain (with no topic, it gets the orientation, not the fallback).
    pub in_domain: bool,
    /// It was read as a follow-up to the previous answer.
    pub follow_up: bool,
}

/// Composes a reply. The urgent block is added whenever `triage` raised a tier, whatever the
/// rest of the reply is, and whenever the urgent topic answers (as the full list).
pub fn compose(
    kb: &Kb,
    wording: &UrgentWording,
    intent: Intent,
    decision: &Decision,
    triage: &Triage,
    context: Context,
) -> Reply {
    let messages = &kb.messages;
    let mut urgent = triage
        .urgency
        .map(|tier| wording.notice(tier, Some(triage)));
    let mut sections = Vec::new();
    let mut safety_net = None;
    let mut related = Vec::new();
    let scope_kind = context.scope_kind.map(|k| &kb.scope.kinds[k]);
    let kind = match intent {
        Intent::Empty => {
            sections.push(Section::plain(&messages.empty));
            ReplyKind::Empty
        }
        Intent::Greeting => {
            sections.push(Section::plain(&messages.greeting));
            ReplyKind::Greeting
        }
        Intent::Thanks => {
            sections.push(Section::plain(&messages.thanks));
            ReplyKind::Thanks
        }
        Intent::AboutBot => {
            sections.push(Section::plain(&messages.about_bot));
            ReplyKind::AboutBot
        }
        Intent::Question if decision.answered.is_empty() => match scope_kind {
            Some(scope) => {
                sections.push(Section::plain(&scope.reply));
                if scope.safety_net {
                    safety_net = Some(messages.safety_net.trim().to_owned());
                }
                ReplyKind::OutOfScope
            }
            None if context.in_domain => {
                sections.push(Section::plain(&messages.orientation));
                safety_net = Some(messages.safety_net.trim().to_owned());
                related = kb
                    .questions
                    .orientation_related
                    .iter()
                    .filter_map(|id| kb.topics.iter().position(|t| &t.id == id))
                    .map(|i| topic_ref(kb, i))
                    .collect();
                ReplyKind::Orientation
            }
            None => {
                sections.push(fallback_section(kb));
                ReplyKind::Fallback
            }
        },
        Intent::Question => {
            for &idx in &decision.answered {
                let topic = &kb.topics[idx];
                if topic.id == kb.red_flags.topic {
                    // The urgent topic's answer is the full list of signs: the block itself.
                    urgent.get_or_insert_with(|| wording.list());
                    continue;
                }
                let glossary = topic
                    .glossary
                    .as_ref()
                    .map(|g| format!("{} {g}", messages.glossary_label.trim()));
                sections.push(Section {
                    title: Some(topic.title.clone()),
                    text: topic.answer.clone(),
                    glossary,
                });
                if topic.safety_net {
                    safety_net = Some(messages.safety_net.trim().to_owned());
                }
            }
            // A red flag won over an out-of-scope kind: the kind still says who can help.
            if let Some(scope) =
                scope_kind.filter(|_| kb.topics[decision.answered[0]].id == kb.red_flags.topic)
            {
                sections.push(Section::plain(&scope.reply));
            }
            let first = &kb.topics[decision.answered[0]];
            related = first
                .related
                .iter()
                .filter_map(|id| kb.topics.iter().position(|t| &t.id == id))
                .filter(|idx| !decision.answered.contains(idx) && !decision.also.contains(idx))
                .map(|idx| topic_ref(kb, idx))
                .collect();
            if context.follow_up {
                ReplyKind::FollowUp
            } else {
                ReplyKind::Answer
            }
        }
    };
    if urgent.is_some() {
        // The urgent block already says when to seek help, and says it more strongly.
        safety_net = None;
    }
    // The orientation stands for a topic in the batch output and the metrics.
    let answered = match kind {
        ReplyKind::Orientation => vec![kb.questions.orientation_topic.clone()],
        _ => decision
            .answered
            .iter()
            .map(|&i| kb.topics[i].id.clone())
            .collect(),
    };
    Reply {
        kind,
        answered,
        ranked: decision
            .ranked
            .iter()
            .map(|m| kb.topics[m.topic].id.clone())
            .collect(),
        score: decision.ranked.first().map_or(0.0, |m| m.score.max(0.0)),
        sections,
        safety_net,
        urgent,
        also: decision.also.iter().map(|&i| topic_ref(kb, i)).collect(),
        related,
        scope_kind: scope_kind
            .filter(|_| {
                matches!(
                    kind,
                    ReplyKind::OutOfScope | ReplyKind::Answer | ReplyKind::FollowUp
                )
            })
            .map(|s| s.id.clone()),
        also_label: messages.also_label.trim().to_owned(),
        disclaimer: messages.disclaimer.trim().to_owned(),
    }
}

fn fallback_section(kb: &Kb) -> Section {
    let mut text = kb.messages.fallback.trim().to_owned();
    for topic in &kb.topics {
        text.push_str("\n• ");
        text.push_str(&topic.title);
    }
    Section {
        title: None,
        text,
        glossary: None,
    }
}

/// The reply to a topic chosen directly (a button, `/topics`).
pub fn topic_reply(kb: &Kb, idx: usize, wording: &UrgentWording) -> Reply {
    let decision = Decision {
        ranked: vec![matcher::Match {
            topic: idx,
            score: 0.0,
            evidence: Vec::new(),
        }],
        answered: vec![idx],
        also: Vec::new(),
    };
    let mut reply = compose(
        kb,
        wording,
        Intent::Question,
        &decision,
        &Triage::default(),
        Context::default(),
    );
    if kb.topics[idx].id == kb.red_flags.topic {
        // Asking for the urgent topic is asking for the full list.
        reply.kind = ReplyKind::UrgentCare;
    }
    reply
}

/// The urgent-care criteria on their own (`/urgent`).
pub fn urgent_care_reply(kb: &Kb, wording: &UrgentWording) -> Reply {
    Reply {
        kind: ReplyKind::UrgentCare,
        answered: Vec::new(),
        ranked: Vec::new(),
        score: 0.0,
        sections: Vec::new(),
        safety_net: None,
        urgent: Some(wording.list()),
        also: Vec::new(),
        related: Vec::new(),
        scope_kind: None,
        also_label: kb.messages.also_label.trim().to_owned(),
        disclaimer: kb.messages.disclaimer.trim().to_owned(),
    }
}
