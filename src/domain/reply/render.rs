//! Rendering a `Reply`: plain text for the console, HTML for Telegram (only `<b>` and `<i>`,
//! and in groups `<blockquote expandable>` around the list of signs; everything else escaped),
//! and the compact form for group chats.

use super::{Reply, ReplyKind, Section};
use crate::domain::kb::{Kb, Tier};

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
        self.render(
            |s| s.to_owned(),
            |s| s.to_owned(),
            |s| s.to_owned(),
            |s| s.to_owned(),
        )
    }

    /// Renders the reply as Telegram HTML: `<b>` for titles and the urgent first line, `<i>`
    /// for the disclaimer; every piece of text escaped.
    pub fn to_html(&self) -> String {
        self.render(
            escape_html,
            |s| format!("<b>{}</b>", escape_html(s)),
            |s| format!("<i>{}</i>", escape_html(s)),
            escape_html,
        )
    }

    /// `to_html` for a group chat, where a long list is a wall of text for everyone: the list
    /// of warning signs folds into an expandable blockquote (`<blockquote expandable>`), while
    /// the first line (the tier and the number to call) and the reason stay in view. The
    /// blockquote holds no blank line, so splitting at paragraphs never cuts it.
    pub fn to_group_html(&self) -> String {
        self.render(
            escape_html,
            |s| format!("<b>{}</b>", escape_html(s)),
            |s| format!("<i>{}</i>", escape_html(s)),
            |s| {
                let lines: Vec<&str> = s
                    .lines()
                    .map(str::trim_end)
                    .filter(|l| !l.trim().is_empty())
                    .collect();
                format!(
                    "<blockquote expandable>{}</blockquote>",
                    escape_html(&lines.join("\n"))
                )
            },
        )
    }

    /// `to_html` with `more`, HTML already rendered (the summary that ends a `/check`), after
    /// everything else and before the disclaimer, so the reply still ends with it.
    pub fn to_html_with(&self, more: &str) -> String {
        let html = self.to_html();
        let ending = format!("<i>{}</i>", escape_html(&self.disclaimer));
        match html.strip_suffix(&ending) {
            Some(head) => format!("{head}{more}\n\n{ending}"),
            None => format!("{html}\n\n{more}"),
        }
    }

    fn render(
        &self,
        text: impl Fn(&str) -> String,
        bold: impl Fn(&str) -> String,
        italic: impl Fn(&str) -> String,
        criteria: impl Fn(&str) -> String,
    ) -> String {
        let mut blocks: Vec<String> = Vec::new();
        let urgent_block = self.urgent.as_ref().map(|urgent| {
            let mut block = bold(&urgent.first_line);
            if let Some(because) = &urgent.because {
                block.push('\n');
                block.push_str(&text(because));
            }
            block.push_str("\n\n");
            block.push_str(&criteria(&urgent.criteria));
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

    fn urgent_reply(tier: Tier) -> Reply {
        Reply {
            kind: ReplyKind::UrgentCare,
            answered: Vec::new(),
            ranked: Vec::new(),
            score: 0.0,
            sections: Vec::new(),
            safety_net: None,
            urgent: Some(super::super::UrgentNotice {
                tier,
                first_line: "Call 112 <now>".to_owned(),
                because: Some("Because: fever.".to_owned()),
                criteria: "Get help now if:\n• a & b\n\nSee a doctor today if:\n• c".to_owned(),
                terms: Vec::new(),
                flags: Vec::new(),
            }),
            also: Vec::new(),
            related: Vec::new(),
            scope_kind: None,
            also_label: String::new(),
            disclaimer: "Not a diagnosis.".to_owned(),
        }
    }

    #[test]
    fn group_html_folds_the_criteria_and_keeps_the_first_line_in_view() {
        let reply = urgent_reply(Tier::Emergency);
        let html = reply.to_group_html();
        assert_eq!(
            html,
            "<b>Call 112 &lt;now&gt;</b>\nBecause: fever.\n\n<blockquote expandable>Get help now \
             if:\n• a &amp; b\nSee a doctor today if:\n• c</blockquote>\n\n<i>Not a diagnosis.</i>"
        );
        // Private chats keep the layout they had.
        let private = reply.to_html();
        assert!(!private.contains("blockquote"), "{private}");
        assert!(private.contains("• a &amp; b\n\nSee a doctor"), "{private}");
        assert_eq!(reply.to_plain().matches("blockquote").count(), 0);
    }

    #[test]
    fn more_html_goes_before_the_disclaimer() {
        let reply = urgent_reply(Tier::Urgent);
        let html = reply.to_html_with("<b>Summary</b>\nAnswer: yes");
        assert_eq!(
            html,
            format!(
                "{}\n\n<b>Summary</b>\nAnswer: yes\n\n<i>Not a diagnosis.</i>",
                reply
                    .to_html()
                    .strip_suffix("\n\n<i>Not a diagnosis.</i>")
                    .expect("ends with the disclaimer")
            )
        );
    }
}
