//! `ask`: one question, or one per stdin line, answered as text or as JSON. Owns the JSON output
//! of `ask --json` (`AskOutput`): a wire format is a promise, so the domain types don't derive
//! `Serialize`.

use std::io::{self, BufRead, Write};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use serde::Serialize;

use super::chat::Session;
use crate::domain::{Answer, EmergencyContact, Engine, Question};

/// `ask` arguments.
#[derive(Debug, Args)]
pub struct AskArgs {
    /// Print one JSON object per question instead of the reply text.
    #[arg(long)]
    pub json: bool,
    /// Also print, on stderr, how the question was read: corrections, terms, scores, flags.
    #[arg(long)]
    pub explain: bool,
    /// With `-`: read the lines as one conversation, so a short follow-up ("is it
    /// serious?") is read with the previous answer's topic, as `chat` does. Without it
    /// every line stands alone (a batch of different people's questions).
    #[arg(long)]
    pub session: bool,
    /// The question; `-` reads one question per line from stdin.
    #[arg(required = true, num_args = 1.., value_name = "QUESTION")]
    pub question: Vec<String>,
}

/// One line of `ask --json`.
#[derive(Debug, Serialize)]
pub struct AskOutput {
    /// Top topic id, or null for the fallback, greetings and empty messages.
    pub topic: Option<String>,
    /// Every topic with a positive score, best first.
    pub topics: Vec<String>,
    /// Top score.
    pub score: f32,
    /// Whether the urgent-care criteria were added (whatever the tier, and when the list was
    /// the answer).
    pub urgent: bool,
    /// "emergency", "urgent", "check" or null: the headline the criteria came under.
    pub urgency: Option<&'static str>,
    /// Red-flag words found.
    pub urgent_terms: Vec<String>,
    /// What kind of reply: "topic", "orientation", "fallback", "out-of-scope", "chit-chat" or
    /// "follow-up".
    pub kind: &'static str,
    /// The reply as plain text.
    pub reply: String,
    /// The emergency number the urgent-care wording gives with `--country` (the country's
    /// first number, or the number given); absent without it (the wording then gives the
    /// deployment's text, and the object keeps its earlier shape).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub emergency_number: Option<String>,
}

impl From<&Answer> for AskOutput {
    fn from(answer: &Answer) -> Self {
        let reply = &answer.reply;
        Self {
            topic: reply.answered.first().map(|t| t.to_string()),
            topics: reply.ranked.iter().map(|t| t.to_string()).collect(),
            score: (reply.score * 100.0).round() / 100.0,
            urgent: reply.urgent.is_some(),
            urgency: reply.urgent.as_ref().map(|u| u.tier.as_str()),
            urgent_terms: answer
                .triage
                .terms()
                .into_iter()
                .map(str::to_owned)
                .collect(),
            kind: reply.kind.label(),
            reply: reply.to_plain(),
            emergency_number: None,
        }
    }
}

pub(super) fn ask(engine: &Engine, args: &AskArgs, contact: &EmergencyContact) -> Result<ExitCode> {
    let AskArgs {
        json,
        explain,
        session: in_session,
        ref question,
    } = *args;
    let mut out = io::BufWriter::new(io::stdout().lock());
    let mut session = Session::with_contact(contact.clone());
    let emergency_number = engine.emergency_number(contact);
    let mut answer_one = |text: String, out: &mut dyn Write| -> Result<()> {
        if explain {
            eprintln!("{}", engine.explain(&text));
        }
        let answer = if in_session {
            session.answer(engine, text)
        } else {
            engine.answer(&Question::new(text).with_contact(contact.clone()))
        };
        if json {
            let output = AskOutput {
                emergency_number: emergency_number.clone(),
                ..AskOutput::from(&answer)
            };
            serde_json::to_writer(&mut *out, &output)?;
            writeln!(out)?;
        } else {
            writeln!(out, "{}", answer.reply.to_plain())?;
        }
        Ok(())
    };
    if question.len() == 1 && question[0] == "-" {
        let mut first = true;
        for line in io::stdin().lock().lines() {
            let line = line.context("cannot read stdin")?;
            if !json && !first {
                writeln!(out)?;
            }
            first = false;
            answer_one(line, &mut out)?;
        }
    } else {
        answer_one(question.join(" "), &mut out)?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
