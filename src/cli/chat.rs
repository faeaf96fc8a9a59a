//! `chat`: a console conversation, interactive or one message per stdin line.

use std::io::{self, BufRead, IsTerminal, Write};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};

use crate::domain::{Answer, EmergencyContact, Engine, Question, TopicId, FOLLOW_UP_WINDOW};

pub(super) fn chat(engine: &Engine, contact: &EmergencyContact) -> Result<ExitCode> {
    let stdin = io::stdin();
    let interactive = stdin.is_terminal();
    let mut out = io::stdout().lock();
    if interactive {
        writeln!(out, "backleg: ask about back pain that travels into your leg. Empty line or Ctrl-D to quit.\n")?;
    }
    let mut lines = stdin.lock().lines();
    let mut session = Session::with_contact(contact.clone());
    loop {
        if interactive {
            write!(out, "you> ")?;
            out.flush()?;
        }
        let Some(line) = lines.next() else { break };
        let line = line.context("cannot read stdin")?;
        if interactive && line.trim().is_empty() {
            break;
        }
        let answer = session.answer(engine, line);
        writeln!(out, "{}\n", answer.reply.to_plain())?;
        out.flush()?;
    }
    Ok(ExitCode::SUCCESS)
}

/// One console conversation: the topic of the latest answer, the context of a short follow-up
/// for [`FOLLOW_UP_WINDOW`], as in a private Telegram chat. Only the topic id is kept.
#[derive(Debug, Default)]
pub(super) struct Session {
    previous: Option<(TopicId, Instant)>,
    /// Whom the urgent wording tells them to call (`--country`).
    contact: EmergencyContact,
}

impl Session {
    /// A conversation whose urgent wording says `contact`.
    pub(super) fn with_contact(contact: EmergencyContact) -> Self {
        Self {
            previous: None,
            contact,
        }
    }

    pub(super) fn answer(&mut self, engine: &Engine, text: String) -> Answer {
        let previous = self
            .previous
            .as_ref()
            .filter(|(_, at)| at.elapsed() < FOLLOW_UP_WINDOW)
            .map(|(topic, _)| topic);
        let question = Question::new(text).with_contact(self.contact.clone());
        let answer = engine.answer_in_context(&question, previous);
        if let Some(topic) = answer.reply.answered.first() {
            self.previous = Some((topic.clone(), Instant::now()));
        }
        answer
    }
}
