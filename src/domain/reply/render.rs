//! Rendering a `Reply`: plain text for the console, HTML for Telegram (only `<b>` and `<i>`,
//! everything else escaped), and the compact form for group chats.

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
