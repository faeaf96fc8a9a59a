//! The composition root: parses nothing itself, but turns a parsed command line into a running
//! front end. The console commands go to the console edge (`cli`); `run` is wired here: settings,
//! the knowledge base, the settings store and the runtime, then the Telegram edge. Edges never
//! call each other.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};

use crate::cli::{self, Cli, Command, CommonArgs, ConsoleCommand, KbCommand};
use crate::config::{RunConfig, RunSettings};
use crate::domain::EngineOptions;
use crate::kb_files;
use crate::storage::{self, StorageSpec};

/// Runs the command the command line asked for.
///
/// # Errors
/// Anything that should end the program with `cli::EXIT_USAGE`.
pub fn run(cli: Cli) -> Result<ExitCode> {
    let console = match cli.command {
        Command::Run(settings) => return run_bot(&cli.common, *settings),
        Command::Chat => ConsoleCommand::Chat,
        Command::Ask(args) => ConsoleCommand::Ask(args),
        Command::Eval(args) => ConsoleCommand::Eval(args),
        Command::Kb {
            command: KbCommand::Check { dir },
        } => ConsoleCommand::KbCheck { dir },
    };
    cli::run(&cli.common, console)
}

fn run_bot(common: &CommonArgs, settings: RunSettings) -> Result<ExitCode> {
    if common.country.is_some() {
        anyhow::bail!(
            "--country is for chat, ask and eval; in Telegram each chat sets its own with /emergency"
        );
    }
    // The two global flags are `run` settings too (and config-file keys).
    let config = RunConfig::load(RunSettings {
        knowledge: common.knowledge.clone(),
        emergency_number: common.emergency_number.clone(),
        ..settings
    })?;
    let options = EngineOptions {
        emergency_number: config.emergency_number.clone(),
    };
    let engine = kb_files::load_engine(config.knowledge.as_deref(), &options)
        .context("cannot load the knowledge base")?;
    let spec = match &config.storage {
        Some(text) => StorageSpec::parse(text)?,
        None => StorageSpec::Sqlite(config.data.clone()),
    };
    // Opening a Redis store never waits for the server: the bot answers without it (fail
    // open) and `/readyz` reports it.
    let storage = storage::open(&spec)
        .with_context(|| format!("cannot open the settings store {}", spec.describe()))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(crate::telegram::run(&config, Arc::new(engine), storage))?;
    Ok(ExitCode::SUCCESS)
}
