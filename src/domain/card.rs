//! The red-flag card (`/card`): one compact message to pin in a group or keep in a private
//! chat. The warning signs one line each under their tier's heading, what to do, the number to
//! call, the disclaimer; as plain data, rendered by the edge.

use super::kb::Tier;
use super::{EmergencyContact, Engine};

/// The card's parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Card<'a> {
    /// (heading, signs) for the emergency tier, then the urgent tier; one line per sign.
    pub tiers: Vec<(String, Vec<&'a str>)>,
    /// What to do: "To get help now: call 999 (emergency). Or go to an emergency department."
    pub what_to_do: String,
    /// The sentence on the non-emergency line, where the chat's country has one.
    pub non_emergency: Option<String>,
    /// The number the copy button copies: `None` with no setting (the default text names none).
    pub number: Option<String>,
    /// The knowledge base's disclaimer.
    pub disclaimer: &'a str,
}

impl Engine {
    /// The red-flag card, saying `contact`.
    pub fn card(&self, contact: &EmergencyContact) -> Card<'_> {
        let text = &self.kb.red_flags.text;
        let said = self.said(contact);
        let number_text = said
            .as_ref()
            .map_or(self.wording.number(), |(said, _)| said.as_str());
        let fill = |s: &str| {
            s.replace("{emergency_number}", number_text)
                .trim()
                .to_owned()
        };
        let mut tiers = Vec::new();
        for (tier, heading) in [
            (Tier::Emergency, &text.emergency_heading),
            (Tier::Urgent, &text.urgent_heading),
        ] {
            let mut lines: Vec<&str> = Vec::new();
            for flag in self.kb.red_flags.flags.iter().filter(|f| f.tier == tier) {
                let line = flag.says.trim();
                if !lines.contains(&line) {
                    lines.push(line);
                }
            }
            if !lines.is_empty() {
                tiers.push((fill(heading), lines));
            }
        }
        Card {
            tiers,
            what_to_do: fill(&text.get_help),
            non_emergency: said.and_then(|(_, line)| line),
            number: self.emergency_number(contact),
            disclaimer: self.kb.messages.disclaimer.trim(),
        }
    }
}
