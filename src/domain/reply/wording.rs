//! The urgent-care wording resolved once per engine: the emergency number filled in and the
//! list of warning signs built from the red flags, then a notice per tier.

use super::UrgentNotice;
use crate::domain::kb::{Kb, Tier};
use crate::domain::triage::Triage;

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
    /// The same wording with `{emergency_number}` still in it, for a chat's own number
    /// (`localize`).
    templates: Templates,
    /// What `{emergency_number}` says with no setting (the deployment's text).
    number: String,
}

/// The urgent wording before the number is filled in.
#[derive(Debug, Clone)]
struct Templates {
    emergency_first_line: String,
    urgent_first_line: String,
    check_first_line: String,
    criteria: String,
}

/// The placeholder the knowledge base's urgent wording carries.
const PLACEHOLDER: &str = "{emergency_number}";

impl UrgentWording {
    /// Fills `{emergency_number}` in the knowledge base's wording and builds the list of signs.
    pub fn new(kb: &Kb, emergency_number: Option<&str>) -> Self {
        let text = &kb.red_flags.text;
        let number = emergency_number.unwrap_or(&text.default_emergency_number);
        let fill = |s: &str| s.replace(PLACEHOLDER, number).trim().to_owned();
        // The criteria are built with the placeholder kept, then filled: each piece trimmed as
        // `fill` trims it, so the default text is exactly what it was.
        let keep = |s: &str| s.trim().to_owned();
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
            criteria.push_str(&keep(heading));
            for line in lines {
                criteria.push_str("\n• ");
                criteria.push_str(&keep(line));
            }
        }
        criteria.push('\n');
        criteria.push_str(&keep(&text.get_help));
        let templates = Templates {
            emergency_first_line: keep(&text.emergency_first_line),
            urgent_first_line: keep(&text.urgent_first_line),
            check_first_line: keep(&text.check_first_line),
            criteria,
        };
        let criteria = templates.criteria.replace(PLACEHOLDER, number);
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
            templates,
            number: number.trim().to_owned(),
        }
    }

    /// What `{emergency_number}` says with no setting: the deployment's `--emergency-number`,
    /// or the knowledge base's default.
    pub fn number(&self) -> &str {
        &self.number
    }

    /// Says a chat's own number in `notice` instead of the deployment's: `said` ("call 999
    /// (emergency)") in place of `{emergency_number}`, and for the urgent tier the
    /// non-emergency line's sentence after the first line. Only the first line and the
    /// criteria change; the tier, the reason and the flags stay.
    pub fn localize(&self, notice: &mut UrgentNotice, said: &str, non_emergency: Option<&str>) {
        let template = match notice.tier {
            Tier::Emergency => &self.templates.emergency_first_line,
            Tier::Urgent => &self.templates.urgent_first_line,
            Tier::Check => &self.templates.check_first_line,
        };
        notice.first_line = template.replace(PLACEHOLDER, said);
        if let Some(line) = non_emergency.filter(|_| notice.tier == Tier::Urgent) {
            notice.first_line.push(' ');
            notice.first_line.push_str(line);
        }
        notice.criteria = self.templates.criteria.replace(PLACEHOLDER, said);
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
