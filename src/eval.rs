//! Scores an engine against a question file (format: `shared/eval/README.md`).
//!
//! Pure: rows in, report out. The `eval` subcommand reads the file and prints the report; the
//! test suite runs the same function on `tests/data/questions.jsonl`.

use std::fmt;

use serde::Deserialize;

use crate::domain::{EmergencyContact, Engine, Question, TopicId};

/// One question of an eval file.
#[derive(Debug, Clone, Deserialize)]
pub struct EvalRow {
    /// The message as a user would type it.
    pub q: String,
    /// Acceptable topic ids; empty = out of scope.
    pub topics: Vec<String>,
    /// Whether the urgent-care criteria must (true) or must not (false) be added; null = either.
    pub urgent: Option<bool>,
    /// Where the question came from.
    #[serde(default)]
    pub source: Option<String>,
    /// Related but not covered: no topic or one of `topics` is right.
    #[serde(default)]
    pub oos: bool,
    /// A follow-up: asked right after the row before it, in the same conversation.
    #[serde(default)]
    pub follows: bool,
}

impl EvalRow {
    /// Whether the row is out of scope.
    pub fn out_of_scope(&self) -> bool {
        self.oos || self.topics.is_empty()
    }
}

/// A row that could not be parsed.
#[derive(Debug, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct EvalParseError {
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// Parses JSONL text; blank lines are skipped.
///
/// # Errors
/// The first line that is not a valid row.
pub fn parse_rows(text: &str) -> Result<Vec<EvalRow>, EvalParseError> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| {
            serde_json::from_str(line).map_err(|e| EvalParseError {
                line: i + 1,
                message: e.to_string(),
            })
        })
        .collect()
}

/// How one row went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FailureKind {
    /// In scope, and the top topic is not acceptable (or there is none).
    WrongTopic,
    /// Out of scope, and a topic was answered.
    NotRejected,
    /// Urgent expected, not added.
    MissedUrgent,
    /// Urgent not expected, added anyway.
    FalseAlarm,
}

/// One failure, for the report.
#[derive(Debug, Clone)]
pub struct Failure {
    /// 1-based row number (non-blank rows).
    pub row: usize,
    /// What went wrong.
    pub kind: FailureKind,
    /// The question.
    pub question: String,
    /// Acceptable topics.
    pub expected: Vec<String>,
    /// What was answered (top topic) or "-".
    pub got: Option<String>,
    /// Red-flag terms found.
    pub urgent_terms: Vec<String>,
}

/// A rate as hits over total.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rate {
    /// Rows that went right (or, for false alarms, that raised one).
    pub hits: usize,
    /// Rows counted.
    pub total: usize,
}

impl Rate {
    /// As a percentage; 100 for an empty set when `empty_is_full`, else 0.
    pub fn percent(&self, empty_is_full: bool) -> f64 {
        if self.total == 0 {
            return if empty_is_full { 100.0 } else { 0.0 };
        }
        100.0 * self.hits as f64 / self.total as f64
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.hits, self.total)
    }
}

/// The four figures and every failure.
#[derive(Debug, Clone, Default)]
pub struct EvalReport {
    /// In-scope rows whose top topic is acceptable.
    pub accuracy: Rate,
    /// Out-of-scope rows answered with no topic (or an acceptable one when `oos`).
    pub rejection: Rate,
    /// `urgent: true` rows that got the urgent block.
    pub urgent_recall: Rate,
    /// `urgent: false` rows that got it anyway.
    pub false_alarms: Rate,
    /// Every failure, in row order.
    pub failures: Vec<Failure>,
    /// The four figures for each `source` (style) of the rows, by name.
    pub by_source: std::collections::BTreeMap<String, Figures>,
}

/// The four rates of one group of rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Figures {
    /// In-scope top-1 accuracy.
    pub accuracy: Rate,
    /// Out-of-scope rejection.
    pub rejection: Rate,
    /// Urgent recall.
    pub urgent_recall: Rate,
    /// Urgent false alarms.
    pub false_alarms: Rate,
}

/// Bars a report must meet, in percent. Declared once for the library and the `eval` flags
/// (the doc comments are the flags' help).
#[derive(Debug, Clone, Copy, Default, clap::Args)]
pub struct Bars {
    /// Fail (exit 1) below this in-scope top-1 accuracy, in percent.
    #[arg(long, value_name = "PERCENT")]
    pub min_accuracy: Option<f64>,
    /// Fail below this out-of-scope rejection rate, in percent.
    #[arg(long, value_name = "PERCENT")]
    pub min_rejection: Option<f64>,
    /// Fail below this urgent recall, in percent.
    #[arg(long, value_name = "PERCENT")]
    pub min_urgent_recall: Option<f64>,
    /// Fail above this urgent false-alarm rate, in percent.
    #[arg(long, value_name = "PERCENT")]
    pub max_false_alarms: Option<f64>,
}

impl EvalReport {
    /// The bars this report misses, as sentences.
    pub fn missed_bars(&self, bars: &Bars) -> Vec<String> {
        let mut missed = Vec::new();
        let mut below = |name: &str, value: f64, bar: Option<f64>| {
            if let Some(bar) = bar {
                if value + 1e-9 < bar {
                    missed.push(format!("{name} {value:.1}% is below the bar of {bar}%"));
                }
            }
        };
        below(
            "in-scope accuracy",
            self.accuracy.percent(true),
            bars.min_accuracy,
        );
        below(
            "out-of-scope rejection",
            self.rejection.percent(true),
            bars.min_rejection,
        );
        below(
            "urgent recall",
            self.urgent_recall.percent(true),
            bars.min_urgent_recall,
        );
        if let Some(bar) = bars.max_false_alarms {
            let value = self.false_alarms.percent(false);
            if value > bar + 1e-9 {
                missed.push(format!(
                    "urgent false alarms {value:.1}% are above the bar of {bar}%"
                ));
            }
        }
        missed
    }
}

/// Runs every row through the engine and scores it. A row marked `follows` is asked in the
/// conversation of the row before it (the previous answer's topic as context).
pub fn evaluate(engine: &Engine, rows: &[EvalRow]) -> EvalReport {
    evaluate_for(engine, rows, &EmergencyContact::Default)
}

/// `evaluate`, every urgent block saying `contact` (`eval --country`): the wording changes,
/// the scores cannot.
pub fn evaluate_for(engine: &Engine, rows: &[EvalRow], contact: &EmergencyContact) -> EvalReport {
    let mut report = EvalReport::default();
    let mut previous: Option<TopicId> = None;
    for (i, row) in rows.iter().enumerate() {
        let context = if row.follows { previous.as_ref() } else { None };
        let question = Question::new(row.q.clone()).with_contact(contact.clone());
        let answer = engine.answer_in_context(&question, context);
        previous = answer.reply.answered.first().cloned();
        let top = answer.reply.answered.first().map(|t| t.as_str().to_owned());
        // Appended in any tier, or given as the answer: what a reader of the reply sees.
        let urgent = answer.reply.urgent.is_some();
        let acceptable = top.as_ref().is_some_and(|t| row.topics.contains(t));
        let figures = report
            .by_source
            .entry(row.source.clone().unwrap_or_else(|| "-".to_owned()))
            .or_default();
        if row.out_of_scope() {
            figures.rejection.total += 1;
            figures.rejection.hits += usize::from(top.is_none() || (row.oos && acceptable));
        } else {
            figures.accuracy.total += 1;
            figures.accuracy.hits += usize::from(acceptable);
        }
        match row.urgent {
            Some(true) => {
                figures.urgent_recall.total += 1;
                figures.urgent_recall.hits += usize::from(urgent);
            }
            Some(false) => {
                figures.false_alarms.total += 1;
                figures.false_alarms.hits += usize::from(urgent);
            }
            None => {}
        }
        let mut fail = |kind: FailureKind| {
            report.failures.push(Failure {
                row: i + 1,
                kind,
                question: row.q.clone(),
                expected: row.topics.clone(),
                got: top.clone(),
                urgent_terms: answer
                    .triage
                    .terms()
                    .into_iter()
                    .map(str::to_owned)
                    .collect(),
            });
        };
        if row.out_of_scope() {
            let rejected = top.is_none() || (row.oos && acceptable);
            report.rejection.total += 1;
            if rejected {
                report.rejection.hits += 1;
            } else {
                fail(FailureKind::NotRejected);
            }
        } else {
            report.accuracy.total += 1;
            if acceptable {
                report.accuracy.hits += 1;
            } else {
                fail(FailureKind::WrongTopic);
            }
        }
        match row.urgent {
            Some(true) => {
                report.urgent_recall.total += 1;
                if urgent {
                    report.urgent_recall.hits += 1;
                } else {
                    fail(FailureKind::MissedUrgent);
                }
            }
            Some(false) => {
                report.false_alarms.total += 1;
                if urgent {
                    report.false_alarms.hits += 1;
                    fail(FailureKind::FalseAlarm);
                }
            }
            None => {}
        }
    }
    report
}

impl EvalReport {
    /// The figures of each source (style), one line each.
    pub fn by_source_table(&self) -> String {
        let pct = |r: &Rate, empty_full: bool| {
            if r.total == 0 {
                "    -  ".to_owned()
            } else {
                format!("{:5.1}% ", r.percent(empty_full))
            }
        };
        let mut out =
            String::from("source              in-scope  rejection  urgent recall  false alarms\n");
        for (source, f) in &self.by_source {
            out.push_str(&format!(
                "{source:<18} {}({:>3}) {}({:>3})  {}({:>3})    {}({:>3})\n",
                pct(&f.accuracy, true),
                f.accuracy.total,
                pct(&f.rejection, true),
                f.rejection.total,
                pct(&f.urgent_recall, true),
                f.urgent_recall.total,
                pct(&f.false_alarms, false),
                f.false_alarms.total
            ));
        }
        out
    }
}

impl fmt::Display for EvalReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "in-scope top-1 accuracy  {:5.1}%  ({})",
            self.accuracy.percent(true),
            self.accuracy
        )?;
        writeln!(
            f,
            "out-of-scope rejection   {:5.1}%  ({})",
            self.rejection.percent(true),
            self.rejection
        )?;
        writeln!(
            f,
            "urgent recall            {:5.1}%  ({})",
            self.urgent_recall.percent(true),
            self.urgent_recall
        )?;
        writeln!(
            f,
            "urgent false alarms      {:5.1}%  ({})",
            self.false_alarms.percent(false),
            self.false_alarms
        )?;
        if !self.failures.is_empty() {
            writeln!(f, "\nfailures ({}):", self.failures.len())?;
            for failure in &self.failures {
                let what = match failure.kind {
                    FailureKind::WrongTopic => "wrong topic",
                    FailureKind::NotRejected => "not rejected",
                    FailureKind::MissedUrgent => "MISSED URGENT",
                    FailureKind::FalseAlarm => "false alarm",
                };
                write!(
                    f,
                    "  row {:>3} {:<13} got {:<18} want [{}]",
                    failure.row,
                    what,
                    failure.got.as_deref().unwrap_or("-"),
                    failure.expected.join(", ")
                )?;
                if !failure.urgent_terms.is_empty() {
                    write!(f, " flags [{}]", failure.urgent_terms.join(", "))?;
                }
                writeln!(f, "  {:?}", failure.question)?;
            }
        }
        Ok(())
    }
}
