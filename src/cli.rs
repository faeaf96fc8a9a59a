//! Edge: the command line. Parses arguments, loads the engine, and runs `chat`, `ask`, `eval`
//! and `kb check`. Owns the JSON output of `ask --json` (`AskOutput`): a wire format is a
//! promise, so the domain types don't derive `Serialize`.

use std::io::{self, BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use serde::Serialize;

use crate::domain::{
    readability, Answer, Engine, EngineOptions, Question, TopicId, FOLLOW_UP_WINDOW,
};
use crate::eval::{self, Bars};
use crate::kb_files::{self, KbLoadError};
use crate::logging::LogFormat;

/// Exit code: a check or an eval bar failed.
pub const EXIT_FAILED: u8 = 1;
/// Exit code: bad usage, unreadable input, broken configuration or knowledge base.
pub const EXIT_USAGE: u8 = 2;

/// backleg: answers questions about back pain that travels into the leg.
///
/// General information from one article, not a diagnosis. Messages that mention red flags
/// (bladder or bowel control, severe weakness or numbness, pain after an accident or fall, ...)
/// always get the urgent-care criteria.
#[derive(Debug, Parser)]
#[command(name = "backleg", version, about, long_about)]
pub struct Cli {
    /// Shared settings.
    #[command(flatten)]
    pub common: CommonArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Settings every subcommand understands.
#[derive(Debug, Clone, Args)]
pub struct CommonArgs {
    /// Load the knowledge base from DIR instead of the copy built into the binary.
    #[arg(long, global = true, env = "BACKLEG_KNOWLEDGE", value_name = "DIR")]
    pub knowledge: Option<PathBuf>,
    /// What the urgent-care text tells people to call [default: "call your local emergency
    /// number (for example 911, 999 or 112)"].
    #[arg(
        long,
        global = true,
        env = "BACKLEG_EMERGENCY_NUMBER",
        value_name = "TEXT"
    )]
    pub emergency_number: Option<String>,
    /// Log format on stderr; levels come from RUST_LOG (default: warn).
    #[arg(long, global = true, env = "BACKLEG_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Chat in the console (interactive, or one question per line on stdin).
    Chat,
    /// Answer one question, or one per stdin line with `-`.
    Ask {
        /// Print one JSON object per question instead of the reply text.
        #[arg(long)]
        json: bool,
        /// Also print, on stderr, how the question was read: corrections, terms, scores, flags.
        #[arg(long)]
        explain: bool,
        /// With `-`: read the lines as one conversation, so a short follow-up ("is it
        /// serious?") is read with the previous answer's topic, as `chat` does. Without it
        /// every line stands alone (a batch of different people's questions).
        #[arg(long)]
        session: bool,
        /// The question; `-` reads one question per line from stdin.
        #[arg(required = true, num_args = 1.., value_name = "QUESTION")]
        question: Vec<String>,
    },
    /// Score the engine on a question file (JSONL) and list every failure.
    Eval(EvalArgs),
    /// Run the Telegram bot: long polling by default, webhook mode with --webhook-url. Token
    /// from TELOXIDE_TOKEN, API URL from TELOXIDE_API_URL (default: Telegram's).
    Run(RunArgs),
    /// Knowledge-base tools.
    Kb {
        /// What to do with the knowledge base.
        #[command(subcommand)]
        command: KbCommand,
    },
}

/// `run` arguments. Each can also come from the config file.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// TOML config file with any of the settings below (snake_case keys, e.g. `webhook_url`),
    /// plus token and api_url. Flags and environment variables win over it.
    #[arg(long, env = "BACKLEG_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// SQLite file for group settings (created on first run) [default: backleg.sqlite3].
    #[arg(long, env = "BACKLEG_DATA", value_name = "FILE")]
    pub data: Option<PathBuf>,
    /// At most one red-flag notice per group per this many seconds [default: 600].
    #[arg(long, env = "BACKLEG_RED_FLAG_COOLDOWN", value_name = "SECONDS")]
    pub red_flag_cooldown: Option<u64>,
    /// Settings store: redis://HOST:PORT/DB (several replicas), sqlite:PATH, or memory
    /// [default: the SQLite file of --data].
    #[arg(long, env = "BACKLEG_STORAGE", value_name = "SPEC")]
    pub storage: Option<String>,
    /// Webhook mode: the public HTTPS URL Telegram posts updates to (its path is served).
    #[arg(long, env = "BACKLEG_WEBHOOK_URL", value_name = "URL")]
    pub webhook_url: Option<String>,
    /// Webhook mode: address to listen on for the webhook, /healthz, /readyz and /metrics
    /// [default: 127.0.0.1:8443].
    #[arg(long, env = "BACKLEG_LISTEN", value_name = "ADDR")]
    pub listen: Option<String>,
    /// Webhook mode: the secret token Telegram must send; give every replica the same one
    /// [default: generated at start, for a single replica].
    #[arg(
        long,
        env = "BACKLEG_WEBHOOK_SECRET",
        value_name = "SECRET",
        hide_env_values = true
    )]
    pub webhook_secret: Option<String>,
    /// Webhook mode: drop updates that queued up while no bot was listening.
    #[arg(long)]
    pub drop_pending: bool,
    /// Webhook mode: connections Telegram may open at once, 1-100 [default: 40].
    #[arg(long, env = "BACKLEG_WEBHOOK_MAX_CONNECTIONS", value_name = "N")]
    pub webhook_max_connections: Option<u8>,
    /// Polling mode: address to serve /healthz, /readyz and /metrics on [default: none].
    #[arg(long, env = "BACKLEG_METRICS_LISTEN", value_name = "ADDR")]
    pub metrics_listen: Option<String>,
    /// Outgoing flood control: telegram (Telegram's limits) or off (local test servers,
    /// benchmarks) [default: telegram].
    #[arg(long, env = "BACKLEG_FLOOD_CONTROL", value_name = "MODE")]
    pub flood_control: Option<String>,
    /// Overall messages per second under flood control [default: 30].
    #[arg(long, env = "BACKLEG_MESSAGES_PER_SECOND", value_name = "N")]
    pub messages_per_second: Option<u32>,
    /// Polling mode: updates fetched but not yet handled, at most [default: 64].
    #[arg(long, env = "BACKLEG_MAX_UPDATES_IN_FLIGHT", value_name = "N")]
    pub max_updates_in_flight: Option<usize>,
}

/// `eval` arguments.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Question file: one JSON object per line with `q`, `topics`, `urgent` (and optional `oos`).
    pub file: PathBuf,
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
    /// Print only the figures, not each failure.
    #[arg(long)]
    pub quiet: bool,
    /// Also print the figures for each `source` (style) of the rows.
    #[arg(long)]
    pub by_source: bool,
}

/// `kb` subcommands.
#[derive(Debug, Subcommand)]
pub enum KbCommand {
    /// Validate a knowledge base and print its size.
    Check {
        /// Directory to check [default: --knowledge, else the built-in knowledge base].
        dir: Option<PathBuf>,
    },
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
        }
    }
}

/// Builds the engine from the common settings.
///
/// # Errors
/// The knowledge base cannot be read or is invalid.
pub fn load_engine(common: &CommonArgs) -> Result<Engine> {
    let options = EngineOptions {
        emergency_number: common.emergency_number.clone(),
    };
    let source = match &common.knowledge {
        Some(dir) => dir.display().to_string(),
        None => "the built-in knowledge base".to_owned(),
    };
    kb_files::load_engine(common.knowledge.as_deref(), &options)
        .with_context(|| format!("cannot load {source}"))
}

/// Runs a console command (`chat`, `ask`, `eval`, `kb check`).
///
/// # Errors
/// Anything that should end the program with `EXIT_USAGE`.
pub fn run(common: &CommonArgs, command: ConsoleCommand) -> Result<ExitCode> {
    match command {
        ConsoleCommand::Chat => chat(&load_engine(common)?),
        ConsoleCommand::Ask {
            json,
            explain,
            session,
            question,
        } => ask(&load_engine(common)?, json, explain, session, &question),
        ConsoleCommand::Eval(args) => run_eval(&load_engine(common)?, &args),
        ConsoleCommand::KbCheck { dir } => kb_check(dir.or_else(|| common.knowledge.clone())),
    }
}

/// A command the console edge runs itself; `run` (the bot) is wired by the composition root
/// (`app.rs`).
#[derive(Debug)]
pub enum ConsoleCommand {
    /// `chat`.
    Chat,
    /// `ask`.
    Ask {
        /// `--json`.
        json: bool,
        /// `--explain`.
        explain: bool,
        /// `--session`.
        session: bool,
        /// The question words, or `-`.
        question: Vec<String>,
    },
    /// `eval`.
    Eval(EvalArgs),
    /// `kb check [DIR]`.
    KbCheck {
        /// The directory to check, if not the built-in knowledge base.
        dir: Option<PathBuf>,
    },
}

fn chat(engine: &Engine) -> Result<ExitCode> {
    let stdin = io::stdin();
    let interactive = stdin.is_terminal();
    let mut out = io::stdout().lock();
    if interactive {
        writeln!(out, "backleg: ask about back pain that travels into your leg. Empty line or Ctrl-D to quit.\n")?;
    }
    let mut lines = stdin.lock().lines();
    let mut session = Session::default();
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
struct Session {
    previous: Option<(TopicId, Instant)>,
}

impl Session {
    fn answer(&mut self, engine: &Engine, text: String) -> Answer {
        let previous = self
            .previous
            .as_ref()
            .filter(|(_, at)| at.elapsed() < FOLLOW_UP_WINDOW)
            .map(|(topic, _)| topic);
        let answer = engine.answer_in_context(&Question::new(text), previous);
        if let Some(topic) = answer.reply.answered.first() {
            self.previous = Some((topic.clone(), Instant::now()));
        }
        answer
    }
}

fn ask(
    engine: &Engine,
    json: bool,
    explain: bool,
    in_session: bool,
    question: &[String],
) -> Result<ExitCode> {
    let mut out = io::BufWriter::new(io::stdout().lock());
    let mut session = Session::default();
    let mut answer_one = |text: String, out: &mut dyn Write| -> Result<()> {
        if explain {
            eprintln!("{}", engine.explain(&text));
        }
        let answer = if in_session {
            session.answer(engine, text)
        } else {
            engine.answer(&Question::new(text))
        };
        if json {
            serde_json::to_writer(&mut *out, &AskOutput::from(&answer))?;
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

fn run_eval(engine: &Engine, args: &EvalArgs) -> Result<ExitCode> {
    let text = std::fs::read_to_string(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let rows = eval::parse_rows(&text)
        .with_context(|| format!("{} is not a valid question file", args.file.display()))?;
    let report = eval::evaluate(engine, &rows);
    let mut out = io::stdout().lock();
    if args.quiet {
        let mut figures = report.clone();
        figures.failures.clear();
        write!(out, "{figures}")?;
    } else {
        write!(out, "{report}")?;
    }
    if args.by_source {
        write!(out, "\n{}", report.by_source_table())?;
    }
    let bars = Bars {
        min_accuracy: args.min_accuracy,
        min_rejection: args.min_rejection,
        min_urgent_recall: args.min_urgent_recall,
        max_false_alarms: args.max_false_alarms,
    };
    let missed = report.missed_bars(&bars);
    if missed.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        for line in missed {
            eprintln!("eval failed: {line}");
        }
        Ok(ExitCode::from(EXIT_FAILED))
    }
}

fn kb_check(dir: Option<PathBuf>) -> Result<ExitCode> {
    let name = dir.as_ref().map_or_else(
        || "built-in knowledge base".to_owned(),
        |d| d.display().to_string(),
    );
    match kb_files::load_kb(dir.as_deref()) {
        Ok(kb) => {
            let engine = Engine::new(kb, &EngineOptions::default());
            let stats = engine.stats();
            println!(
                "ok: {name}: {} topics, {} terms, {} phrases, {} synonyms, {} spelling words, {} red flags ({} patterns)",
                stats.n_topics,
                stats.index.n_terms,
                stats.index.n_phrases,
                stats.index.n_synonyms,
                stats.index.n_vocabulary,
                stats.n_red_flags,
                stats.n_red_flag_patterns
            );
            // Plain language is advice, not validity: a hard sentence never stops the bot.
            for text in engine.texts_people_read() {
                if let Some(grade) = readability::grade(&text.text, &text.explains)
                    .filter(|&g| g > readability::MAX_GRADE)
                {
                    eprintln!(
                        "note: {}: reads at school grade {grade:.1} (aim for {} or below): shorter sentences and words, or list the terms it explains under `explains`",
                        text.place,
                        readability::MAX_GRADE
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(KbLoadError::Invalid(err)) => {
            eprintln!("{name}: {err}");
            Ok(ExitCode::from(EXIT_FAILED))
        }
        Err(err) => Err(err).with_context(|| format!("cannot check {name}")),
    }
}
