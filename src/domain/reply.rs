//! Reply composition and rendering.
//!
//! `compose` builds a `Reply` as plain data; `Reply::to_plain` renders it for the console and
//! `Reply::to_html` for Telegram (HTML parse mode: only `<b>` and `<i>`, everything else
//! escaped). Both renderings carry the same parts in the same order: sections, safety net,
//! urgent block, "You may also mean", disclaimer, except that an emergency block comes first:
//! someone who may need help now reads that before anything else.
//!
//! The list of warning signs is built from the red flags themselves (each flag's `says` line,
//! under its tier's heading), so every flag that can fire is on the list people see.

use super::kb::{Kb, Tier, TopicId};
use super::matcher::Decision;
use super::triage::Triage;

/// What kind of reply this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyKind {
    /// One or two topic answers.
    Answer,
    /// No confident topic: the list of what the bot can answer.
    Fallback,
    /// A question the article does not cover, answered by its kind (medicines, surgery ...).
    OutOfScope,
    /// About back or leg pain, but no topic is specific enough: a short orientation.
    Orientation,
    /// A short follow-up read with the previous answer's topic.
    FollowUp,
    /// A question about the bot itself.
    AboutBot,
    /// A greeting.
    Greeting,
    /// A thank-you.
    Thanks,
    /// An empty message.
    Empty,
    /// The urgent-care criteria, asked for directly.
    UrgentCare,
}

impl ReplyKind {
    /// The kind's name in `ask --json`, the metrics and the logs: "topic", "orientation",
    /// "fallback", "out-of-scope", "chit-chat" or "follow-up".
    pub fn label(self) -> &'static str {
        match self {
            Self::Answer | Self::UrgentCare => "topic",
            Self::Orientation => "orientation",
            Self::Fallback => "fallback",
            Self::OutOfScope => "out-of-scope",
            Self::FollowUp => "follow-up",
            Self::Greeting | Self::Thanks | Self::Empty | Self::AboutBot => "chit-chat",
        }
    }

    /// Every label, in a fixed order (the metrics' series).
    pub const LABELS: [&'static str; 6] = [
        "topic",
        "orientation",
        "fallback",
        "out-of-scope",
        "chit-chat",
        "follow-up",
    ];
}

/// A topic as offered to the user: id and title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicRef {
    /// Stable id.
    pub id: TopicId,
    /// Title.
    pub title: String,
}

/// One block of text with an optional title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// Shown in bold.
    pub title: Option<String>,
    /// Plain text; lines starting with "• " are list items.
    pub text: String,
    /// A line explaining a word, beyond the article: shown in italics, marked as a glossary line.
    pub glossary: Option<String>,
}

impl Section {
    fn plain(text: &str) -> Self {
        Self {
            title: None,
            text: text.trim().to_owned(),
            glossary: None,
        }
    }
}

/// The urgent-care block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrgentNotice {
    /// Emergency, urgent, or check (the conditional list: a bare or negated mention, or the
    /// list asked for).
    pub tier: Tier,
    /// The tier's first line (call the emergency number / see a doctor today / if any of these).
    pub first_line: String,
    /// Why the block is there ("your message mentions: ..."); none when the list was asked for.
    pub because: Option<String>,
    /// Every warning sign, under its tier's heading.
    pub criteria: String,
    /// The red-flag words found (empty when the block was asked for with `/urgent`).
    pub terms: Vec<String>,
    /// The red-flag ids raised.
    pub flags: Vec<String>,
}

/// A reply, before rendering.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// Kind.
    pub kind: ReplyKind,
    /// Topics answered (zero, one or two), best first.
    pub answered: Vec<TopicId>,
    /// Every topic with a positive score, best first.
    pub ranked: Vec<TopicId>,
    /// The top score (0 when nothing scored).
    pub score: f32,
    /// Main text.
    pub sections: Vec<Section>,
    /// Ends answers about symptoms or self-care, when no urgent block already says more.
    pub safety_net: Option<String>,
    /// Present whenever triage fired: never dropped by any edge.
    pub urgent: Option<UrgentNotice>,
    /// Close runners-up.
    pub also: Vec<TopicRef>,
    /// Related topics of the answered topic (Telegram shows them as buttons).
    pub related: Vec<TopicRef>,
    /// The out-of-scope kind the message was read as, if any ("medicines").
    pub scope_kind: Option<String>,
    /// Heading of `also`.
    pub also_label: String,
    /// "General information, not a diagnosis."
    pub disclaimer: String,
}

/// Resolved urgent-care wording (the emergency number filled in, the list of signs built).
#[derive(Debug, Clone)]
pub struct UrgentWording {
    /// First line, emergency tier.
    pub emergency_first_line: String,
    /// First line, urgent tier.
    pub urgent_first_line: String,
    /// First line, check tier and the list asked for.
    pub check_first_line: String,
    /// "This is because your message mentions: {signs}."
    because: String,
    /// Every warning sign, under its tier's heading.
    pub criteria: String,
    /// Flag id -> label, for `because`.
    labels: Vec<(String, String)>,
}

impl UrgentWording {
    /// Fills `{emergency_number}` in the knowledge base's wording and builds the list of signs.
    pub fn new(kb: &Kb, emergency_number: Option<&str>) -> Self {
        let text = &kb.red_flags.text;
        let number = emergency_number.unwrap_or(&text.default_emergency_number);
        let fill = |s: &str| s.replace("{emergency_number}", number).trim().to_owned();
        let mut criteria = String::new();
        for (tier, heading) in [
            (Tier::Emergency, &text.emergency_heading),
            (Tier::Urgent, &text.urgent_heading),
        ] {
            let mut lines: Vec<&str> = Vec::new();
            for flag in kb.red_flags.flags.iter().filter(|f| f.tier == tier) {
                if !lines.contains(&flag.says.as_str()) {
                    lines.push(&flag.says);
                }
            }
            if lines.is_empty() {
                continue;
            }
            if !criteria.is_empty() {
                criteria.push('\n');
            }
            criteria.push_str(&fill(heading));
            for line in lines {
                criteria.push_str("\n• ");
                criteria.push_str(&fill(line));
            }
        }
        criteria.push('\n');
        criteria.push_str(&fill(&text.get_help));
        Self {
            emergency_first_line: fill(&text.emergency_first_line),
            urgent_first_line: fill(&text.urgent_first_line),
            check_first_line: fill(&text.check_first_line),
            because: text.because.trim().to_owned(),
            criteria,
            labels: kb
                .red_flags
                .flags
                .iter()
                .map(|f| (f.id.clone(), f.label.clone()))
                .collect(),
        }
    }

    /// The block for a tier; with a triage, it says which signs the message mentions.
    pub fn notice(&self, tier: Tier, triage: Option<&Triage>) -> UrgentNotice {
        let first_line = match tier {
            Tier::Emergency => &self.emergency_first_line,
            Tier::Urgent => &self.urgent_first_line,
            Tier::Check => &self.check_first_line,
        };
        let flags: Vec<String> = triage
            .map(|t| t.flag_ids().into_iter().map(str::to_owned).collect())
            .unwrap_or_default();
        let labels: Vec<&str> = flags
            .iter()
            .filter_map(|id| {
                self.labels
                    .iter()
                    .find(|(flag, _)| flag == id)
                    .map(|(_, label)| label.as_str())
            })
            .collect();
        UrgentNotice {
            tier,
            first_line: first_line.clone(),
            because: (!labels.is_empty())
                .then(|| self.because.replace("{signs}", &labels.join("; "))),
            criteria: self.criteria.clone(),
            terms: triage
                .map(|t| t.terms().into_iter().map(str::to_owned).collect())
                .unwrap_or_default(),
            flags,
        }
    }

    /// The list asked for (`/urgent`, "what are the red flags"): conditional headline, no reason.
    pub fn list(&self) -> UrgentNotice {
        self.notice(Tier::Check, None)
    }
}

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
        ranked: vec![super::matcher::Match {
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

/// Escapes text for Telegram's HTML parse mode (`<`, `>`, `&`, and `"` for attributes).
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

impl Reply {
    /// The reply where a long list would be a wall of text (a group chat): the fallback's list
    /// of every topic becomes two lines pointing at `/topics`. Everything else is kept, the urgent
    /// block first of all.
    pub fn compact(&self, kb: &Kb) -> Reply {
        let mut reply = self.clone();
        if reply.kind == ReplyKind::Fallback {
            reply.sections = vec![Section::plain(&kb.messages.fallback_short)];
        }
        reply
    }

    /// Renders the reply as plain text (console, `ask --json`).
    pub fn to_plain(&self) -> String {
        self.render(|s| s.to_owned(), |s| s.to_owned(), |s| s.to_owned())
    }

    /// Renders the reply as Telegram HTML: `<b>` for titles and the urgent first line, `<i>`
    /// for the disclaimer; every piece of text escaped.
    pub fn to_html(&self) -> String {
        self.render(
            escape_html,
            |s| format!("<b>{}</b>", escape_html(s)),
            |s| format!("<i>{}</i>", escape_html(s)),
        )
    }

    fn render(
        &self,
        text: impl Fn(&str) -> String,
        bold: impl Fn(&str) -> String,
        italic: impl Fn(&str) -> String,
    ) -> String {
        let mut blocks: Vec<String> = Vec::new();
        let urgent_block = self.urgent.as_ref().map(|urgent| {
            let mut block = bold(&urgent.first_line);
            if let Some(because) = &urgent.because {
                block.push('\n');
                block.push_str(&text(because));
            }
            block.push_str("\n\n");
            block.push_str(&text(&urgent.criteria));
            block
        });
        let emergency_first = self
            .urgent
            .as_ref()
            .is_some_and(|u| u.tier == Tier::Emergency);
        if emergency_first {
            blocks.extend(urgent_block.clone());
        }
        for section in &self.sections {
            let mut block = String::new();
            if let Some(title) = &section.title {
                block.push_str(&bold(title));
                block.push('\n');
            }
            block.push_str(&text(&section.text));
            if let Some(glossary) = &section.glossary {
                block.push('\n');
                block.push_str(&italic(glossary));
            }
            blocks.push(block);
        }
        if let Some(net) = &self.safety_net {
            blocks.push(text(net));
        }
        if !emergency_first {
            blocks.extend(urgent_block);
        }
        if !self.also.is_empty() {
            let titles: Vec<&str> = self.also.iter().map(|t| t.title.as_str()).collect();
            blocks.push(text(&format!("{} {}", self.also_label, titles.join(" · "))));
        }
        blocks.push(italic(&self.disclaimer));
        blocks.join("\n\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_html_escapes_markup_and_keeps_the_rest() {
        assert_eq!(
            escape_html("<b>a & b</b> \"q\" 😀 שלום"),
            "&lt;b&gt;a &amp; b&lt;/b&gt; &quot;q&quot; 😀 שלום"
        );
        assert_eq!(escape_html(""), "");
    }
}
