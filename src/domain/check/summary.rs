//! The summary that ends a `/check`: when it was done (UTC), each question asked with its
//! answer, the outcome and how to get help, in short lines, meant to be forwarded to a doctor
//! or shown on a phone. Built from the answers the caller already holds; nothing is kept. It
//! goes at the end of the check's last message, before the disclaimer that ends every reply
//! (`Reply::to_html_with`).

use crate::domain::kb::{Kb, Tier};
use crate::domain::reply::escape_html;

/// The summary's heading.
const TITLE: &str = "Red-flag check: summary";
/// Before each answer.
const ANSWER: &str = "Answer:";
/// Before the outcome.
const OUTCOME: &str = "Outcome:";
/// When an emergency "yes" ended the check before its last question: `{n}` questions left.
const STOPPED: &str = "The check stopped at the first emergency sign: {n} more not asked.";

/// A finished check, as plain data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary<'a> {
    /// When the check ended: "2026-12-02 15:04 UTC".
    pub when: String,
    /// Each question asked, in order, with its answer (true = yes).
    pub answers: Vec<(&'a str, bool)>,
    /// Questions the check has in all (an emergency "yes" ends it before the rest).
    pub n_questions: usize,
    /// The highest tier answered "yes"; `None`: no red flag reported.
    pub outcome: Option<Tier>,
    /// How to get help now, with the emergency number the caller gave.
    pub get_help: String,
}

/// The summary of a check ended with `answers` (true = yes) at `unix_secs` (seconds since
/// 1970, UTC, read by the caller), with `emergency_number` in the knowledge base's "get help"
/// line. Answers beyond the questions are ignored.
pub fn summarize<'a>(
    kb: &'a Kb,
    answers: &[bool],
    unix_secs: u64,
    emergency_number: &str,
) -> Summary<'a> {
    let questions = &kb.red_flags.check;
    let answers: Vec<(&str, bool)> = questions
        .iter()
        .zip(answers)
        .map(|(q, &yes)| (q.question.as_str(), yes))
        .collect();
    let outcome = questions
        .iter()
        .zip(&answers)
        .filter(|(_, (_, yes))| *yes)
        .map(|(q, _)| q.tier)
        .max();
    let get_help = kb
        .red_flags
        .text
        .get_help
        .replace("{emergency_number}", emergency_number)
        .trim()
        .to_owned();
    Summary {
        when: utc(unix_secs),
        answers,
        n_questions: questions.len(),
        outcome,
        get_help,
    }
}

impl Summary<'_> {
    /// The outcome in one word or three: emergency, urgent, or no red flag reported.
    pub fn outcome_label(&self) -> &'static str {
        match self.outcome {
            Some(Tier::Emergency) => "emergency",
            Some(Tier::Urgent) => "urgent",
            Some(Tier::Check) => "check",
            None => "no red flag reported",
        }
    }

    /// Plain text, one short line each.
    pub fn to_plain(&self) -> String {
        self.render(str::to_owned, str::to_owned)
    }

    /// Telegram HTML: the heading, the answers and the outcome in bold, everything else
    /// escaped.
    pub fn to_html(&self) -> String {
        self.render(escape_html, |s| format!("<b>{}</b>", escape_html(s)))
    }

    fn render(&self, text: impl Fn(&str) -> String, bold: impl Fn(&str) -> String) -> String {
        let mut out = format!("{}\n{}", bold(TITLE), text(&self.when));
        for (i, (question, yes)) in self.answers.iter().enumerate() {
            let answer = if *yes { "Yes" } else { "No" };
            out.push_str(&format!(
                "\n\n{}. {}\n{} {}",
                i + 1,
                text(question.trim()),
                text(ANSWER),
                bold(answer)
            ));
        }
        let not_asked = self.n_questions.saturating_sub(self.answers.len());
        if not_asked > 0 {
            out.push_str("\n\n");
            out.push_str(&text(&STOPPED.replace("{n}", &not_asked.to_string())));
        }
        out.push_str(&format!(
            "\n\n{} {}\n{}",
            text(OUTCOME),
            bold(self.outcome_label()),
            text(&self.get_help),
        ));
        out
    }
}

/// "2026-12-02 15:04 UTC": a date no reader can misread, whatever their country's order.
fn utc(unix_secs: u64) -> String {
    let (days, secs) = (unix_secs / 86_400, unix_secs % 86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        secs / 3600,
        secs % 3600 / 60
    )
}

/// (year, month, day) of a day counted from 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::testing;

    #[test]
    fn utc_dates_are_civil_dates() {
        assert_eq!(utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00 UTC");
        assert_eq!(utc(951_782_399), "2000-02-28 23:59 UTC");
        assert_eq!(utc(1_796_223_628), "2026-12-02 15:00 UTC");
        assert_eq!(utc(4_107_542_400), "2100-03-01 00:00 UTC");
    }

    #[test]
    fn all_no_reports_no_red_flag_with_every_answer() {
        let kb = testing::kb();
        let summary = summarize(&kb, &[false, false], 1_796_223_628, "call 112");
        assert_eq!(summary.outcome, None);
        assert_eq!(summary.outcome_label(), "no red flag reported");
        assert_eq!(
            summary.to_plain(),
            "Red-flag check: summary\n2026-12-02 15:00 UTC\n\n\
             1. Fixture: have you lost control of your bladder?\nAnswer: No\n\n\
             2. Fixture: do you have a fever?\nAnswer: No\n\n\
             Outcome: no red flag reported\nFixture get help: call 112."
        );
    }

    #[test]
    fn an_emergency_yes_ends_early_and_says_what_was_not_asked() {
        let kb = testing::kb();
        let summary = summarize(&kb, &[true], 0, "call 999");
        assert_eq!(summary.outcome, Some(Tier::Emergency));
        assert_eq!(
            summary.answers,
            [(kb.red_flags.check[0].question.as_str(), true)]
        );
        let plain = summary.to_plain();
        assert!(plain.contains("Answer: Yes"), "{plain}");
        assert!(plain.contains("1 more not asked"), "{plain}");
        assert!(
            plain.contains("Outcome: emergency\nFixture get help: call 999."),
            "{plain}"
        );
    }

    #[test]
    fn an_urgent_yes_is_urgent_and_the_html_is_escaped() {
        let kb = testing::kb();
        let summary = summarize(&kb, &[false, true, true], 0, "<call> & 112");
        assert_eq!(summary.outcome, Some(Tier::Urgent));
        assert_eq!(
            summary.answers.len(),
            2,
            "answers past the questions are ignored"
        );
        let html = summary.to_html();
        assert!(
            html.starts_with("<b>Red-flag check: summary</b>\n"),
            "{html}"
        );
        assert!(html.contains("Answer: <b>Yes</b>"), "{html}");
        assert!(html.contains("Outcome: <b>urgent</b>"), "{html}");
        assert!(html.contains("&lt;call&gt; &amp; 112"), "{html}");
        assert!(!html.contains("not asked"), "{html}");
        assert!(html.lines().all(|l| l.chars().count() <= 200), "{html}");
    }
}
