//! Reply composition and rendering.
//!
//! `compose` builds a `Reply` as plain data; `Reply::to_plain` renders it for the console and
//! `Reply::to_html` for Telegram (HTML parse mode: only `<b>` and `<i>`, everything else
//! escaped). Both renderings carry the same parts in the same order: sections, safety net,
//! urgent block, "You may also mean", disclaimer.

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
    /// A greeting.
    Greeting,
    /// A thank-you.
    Thanks,
    /// An empty message.
    Empty,
    /// The urgent-care criteria, asked for directly.
    UrgentCare,
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
}

/// The urgent-care block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrgentNotice {
    /// Emergency or urgent.
    pub tier: Tier,
    /// The tier's first line (call the emergency number / see a doctor today).
    pub first_line: String,
    /// What to watch for, seek help immediately.
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
    /// Heading of `also`.
    pub also_label: String,
    /// "General information, not a diagnosis."
    pub disclaimer: String,
}

/// Resolved urgent-care wording (the emergency number filled in).
#[derive(Debug, Clone)]
pub struct UrgentWording {
    /// First line, emergency tier.
    pub emergency_first_line: String,
    /// First line, urgent tier.
    pub urgent_first_line: String,
    /// Criteria.
    pub criteria: String,
}

impl UrgentWording {
    /// Fills `{emergency_number}` in the knowledge base's wording.
    pub fn new(kb: &Kb, emergency_number: Option<&str>) -> Self {
        let text = &kb.red_flags.text;
        let number = emergency_number.unwrap_or(&text.default_emergency_number);
        let fill = |s: &str| s.replace("{emergency_number}", number).trim().to_owned();
        Self {
            emergency_first_line: fill(&text.emergency_first_line),
            urgent_first_line: fill(&text.urgent_first_line),
            criteria: fill(&text.criteria),
        }
    }

    /// The block for a tier.
    pub fn notice(&self, tier: Tier, triage: Option<&Triage>) -> UrgentNotice {
        let first_line = match tier {
            Tier::Emergency => &self.emergency_first_line,
            Tier::Urgent => &self.urgent_first_line,
        };
        UrgentNotice {
            tier,
            first_line: first_line.clone(),
            criteria: self.criteria.clone(),
            terms: triage.map(|t| t.terms().into_iter().map(str::to_owned).collect()).unwrap_or_default(),
            flags: triage.map(|t| t.flag_ids().into_iter().map(str::to_owned).collect()).unwrap_or_default(),
        }
    }
}

fn topic_ref(kb: &Kb, idx: usize) -> TopicRef {
    let topic = &kb.topics[idx];
    TopicRef { id: topic.id.clone(), title: topic.title.clone() }
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
}

/// Composes a reply. The urgent block is added whenever `triage` raised a tier, whatever the
/// rest of the reply is.
pub fn compose(kb: &Kb, wording: &UrgentWording, intent: Intent, decision: &Decision, triage: &Triage, off_topic: bool) -> Reply {
    let messages = &kb.messages;
    let urgent = triage.urgency.map(|tier| wording.notice(tier, Some(triage)));
    let mut sections = Vec::new();
    let mut safety_net = None;
    let mut related = Vec::new();
    let kind = match intent {
        Intent::Empty => {
            sections.push(Section { title: None, text: messages.empty.trim().to_owned() });
            ReplyKind::Empty
        }
        Intent::Greeting => {
            sections.push(Section { title: None, text: messages.greeting.trim().to_owned() });
            ReplyKind::Greeting
        }
        Intent::Thanks => {
            sections.push(Section { title: None, text: messages.thanks.trim().to_owned() });
            ReplyKind::Thanks
        }
        Intent::Question if decision.answered.is_empty() => {
            sections.push(fallback_section(kb, off_topic));
            ReplyKind::Fallback
        }
        Intent::Question => {
            for &idx in &decision.answered {
                let topic = &kb.topics[idx];
                // The urgent topic's answer is the urgent block itself: don't say it twice.
                if urgent.is_some() && topic.id == kb.red_flags.topic {
                    continue;
                }
                sections.push(Section { title: Some(topic.title.clone()), text: topic.answer.clone() });
                if topic.safety_net {
                    safety_net = Some(messages.safety_net.trim().to_owned());
                }
            }
            let first = &kb.topics[decision.answered[0]];
            related = first
                .related
                .iter()
                .filter_map(|id| kb.topics.iter().position(|t| &t.id == id))
                .filter(|idx| !decision.answered.contains(idx) && !decision.also.contains(idx))
                .map(|idx| topic_ref(kb, idx))
                .collect();
            ReplyKind::Answer
        }
    };
    if urgent.is_some() {
        // The urgent block already says when to seek help, and says it more strongly.
        safety_net = None;
    }
    Reply {
        kind,
        answered: decision.answered.iter().map(|&i| kb.topics[i].id.clone()).collect(),
        ranked: decision.ranked.iter().map(|m| kb.topics[m.topic].id.clone()).collect(),
        score: decision.ranked.first().map_or(0.0, |m| m.score.max(0.0)),
        sections,
        safety_net,
        urgent,
        also: decision.also.iter().map(|&i| topic_ref(kb, i)).collect(),
        related,
        also_label: messages.also_label.trim().to_owned(),
        disclaimer: messages.disclaimer.trim().to_owned(),
    }
}

fn fallback_section(kb: &Kb, off_topic: bool) -> Section {
    let messages = &kb.messages;
    let mut text = String::new();
    if off_topic {
        text.push_str(messages.fallback_off_topic.trim());
        text.push_str("\n\n");
    }
    text.push_str(messages.fallback.trim());
    for topic in &kb.topics {
        text.push_str("\n• ");
        text.push_str(&topic.title);
    }
    Section { title: None, text }
}

/// The reply to a topic chosen directly (a button, `/topics`).
pub fn topic_reply(kb: &Kb, idx: usize, wording: &UrgentWording) -> Reply {
    let decision = Decision {
        ranked: vec![super::matcher::Match { topic: idx, score: 0.0, evidence: Vec::new() }],
        answered: vec![idx],
        also: Vec::new(),
    };
    let mut reply = compose(kb, wording, Intent::Question, &decision, &Triage::default(), false);
    if kb.topics[idx].id == kb.red_flags.topic {
        // Asking for the urgent topic is asking for the full criteria.
        reply.urgent = Some(wording.notice(Tier::Emergency, None));
        reply.sections.clear();
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
        urgent: Some(wording.notice(Tier::Emergency, None)),
        also: Vec::new(),
        related: Vec::new(),
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
    /// Renders the reply as plain text (console, `ask --json`).
    pub fn to_plain(&self) -> String {
        self.render(|s| s.to_owned(), |s| s.to_owned(), |s| s.to_owned())
    }

    /// Renders the reply as Telegram HTML: `<b>` for titles and the urgent first line, `<i>`
    /// for the disclaimer; every piece of text escaped.
    pub fn to_html(&self) -> String {
        self.render(escape_html, |s| format!("<b>{}</b>", escape_html(s)), |s| format!("<i>{}</i>", escape_html(s)))
    }

    fn render(&self, text: impl Fn(&str) -> String, bold: impl Fn(&str) -> String, italic: impl Fn(&str) -> String) -> String {
        let mut blocks: Vec<String> = Vec::new();
        for section in &self.sections {
            let mut block = String::new();
            if let Some(title) = &section.title {
                block.push_str(&bold(title));
                block.push('\n');
            }
            block.push_str(&text(&section.text));
            blocks.push(block);
        }
        if let Some(net) = &self.safety_net {
            blocks.push(text(net));
        }
        if let Some(urgent) = &self.urgent {
            blocks.push(format!("{}\n{}", bold(&urgent.first_line), text(&urgent.criteria)));
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
        assert_eq!(escape_html("<b>a & b</b> \"q\" 😀 שלום"), "&lt;b&gt;a &amp; b&lt;/b&gt; &quot;q&quot; 😀 שלום");
        assert_eq!(escape_html(""), "");
    }
}
