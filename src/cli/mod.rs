//! Edge: the console. The command line's definitions (`Cli`: clap, with each command's
//! arguments declared once, beside the command) and the console commands, one file each:
//! `chat`, `ask` (and its JSON output), `eval` (`evaluate.rs`), `kb check` (`kb.rs`). `run`
//! takes [`RunSettings`] and is wired by the composition root (`app.rs`), not here.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};

use crate::config::RunSettings;
use crate::domain::{EmergencyContact, Engine, EngineOptions};
use crate::kb_files;
use crate::logging::LogFormat;

mod ask;
mod chat;
mod evaluate;
mod kb;

pub use ask::{AskArgs, AskOutput};
pub use evaluate::EvalArgs;

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
    /// For chat, ask and eval: the country whose emergency number the urgent-care text gives
    /// (an ISO code of knowledge/emergency.toml, e.g. GB), or a number of your own (112). In
    /// Telegram each chat sets its own with /emergency.
    #[arg(long, global = true, env = "BACKLEG_COUNTRY", value_name = "CODE")]
    pub country: Option<String>,
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
    Ask(AskArgs),
    /// Score the engine on a question file (JSONL) and list every failure.
    Eval(EvalArgs),
    /// Run the Telegram bot: long polling by default, webhook mode with --webhook-url. Token
    /// from TELOXIDE_TOKEN, API URL from TELOXIDE_API_URL (default: Telegram's).
    Run(Box<RunSettings>),
    /// Knowledge-base tools.
    Kb {
        /// What to do with the knowledge base.
        #[command(subcommand)]
        command: KbCommand,
    },
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
    if let ConsoleCommand::KbCheck { dir } = command {
        return kb::kb_check(dir.or_else(|| common.knowledge.clone()));
    }
    let engine = load_engine(common)?;
    let contact = contact(&engine, common)?;
    match command {
        ConsoleCommand::Chat => chat::chat(&engine, &contact),
        ConsoleCommand::Ask(args) => ask::ask(&engine, &args, &contact),
        ConsoleCommand::Eval(args) => evaluate::run_eval(&engine, &args, &contact),
        ConsoleCommand::KbCheck { .. } => unreachable!("handled above"),
    }
}

/// The contact `--country` names; the default without it.
///
/// # Errors
/// An unknown country code or a malformed number.
pub fn contact(engine: &Engine, common: &CommonArgs) -> Result<EmergencyContact> {
    match &common.country {
        None => Ok(EmergencyContact::Default),
        Some(text) => engine
            .parse_contact(text)
            .with_context(|| format!("--country {text:?} cannot be used")),
    }
}

/// A command the console edge runs itself; `run` (the bot) is wired by the composition root
/// (`app.rs`).
#[derive(Debug)]
pub enum ConsoleCommand {
    /// `chat`.
    Chat,
    /// `ask`.
    Ask(AskArgs),
    /// `eval`.
    Eval(EvalArgs),
    /// `kb check [DIR]`.
    KbCheck {
        /// The directory to check, if not the built-in knowledge base.
        dir: Option<PathBuf>,
    },
}
