//! The composition root: parses nothing itself, but turns a parsed command line into a running
//! front end. The console commands go to the console edge (`cli`); `run` is wired here: settings,
//! the knowledge base, the settings store and the runtime, then the Telegram edge. Edges never
//! call each other.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};

use crate::cli::{self, Cli, Command, CommonArgs, ConsoleCommand, KbCommand, RunArgs};
use crate::config::{ConfigFile, RunConfig, RunOverrides};
use crate::domain::EngineOptions;
use crate::kb_files;
use crate::storage::{self, StorageSpec};

/// Runs the command the command line asked for.
///
/// # Errors
/// Anything that should end the program with `cli::EXIT_USAGE`.
pub fn run(cli: Cli) -> Result<ExitCode> {
    let console = match cli.command {
        Command::Run(args) => return run_bot(&cli.common, &args),
        Command::Chat => ConsoleCommand::Chat,
        Command::Ask {
            json,
            explain,
            session,
            question,
        } => ConsoleCommand::Ask {
            json,
            explain,
            session,
            question,
        },
        Command::Eval(args) => ConsoleCommand::Eval(args),
        Command::Kb {
            command: KbCommand::Check { dir },
        } => ConsoleCommand::KbCheck { dir },
    };
    cli::run(&cli.common, console)
}

fn run_bot(common: &CommonArgs, args: &RunArgs) -> Result<ExitCode> {
    let file = match &args.config {
        Some(path) => ConfigFile::read(path)?,
        None => ConfigFile::default(),
    };
    let env = |name: &str| std::env::var(name).ok();
    let overrides = RunOverrides {
        token: env("TELOXIDE_TOKEN"),
        api_url: env("TELOXIDE_API_URL"),
        knowledge: common.knowledge.clone(),
        emergency_number: common.emergency_number.clone(),
        data: args.data.clone(),
        red_flag_cooldown_seconds: args.red_flag_cooldown,
        storage: args.storage.clone(),
        webhook_url: args.webhook_url.clone(),
        listen: args.listen.clone(),
        webhook_secret: args.webhook_secret.clone(),
        drop_pending: args.drop_pending,
        webhook_max_connections: args.webhook_max_connections,
        metrics_listen: args.metrics_listen.clone(),
        flood_control: args.flood_control.clone(),
        messages_per_second: args.messages_per_second,
        max_updates_in_flight: args.max_updates_in_flight,
    };
    let config = RunConfig::resolve(overrides, file)?;
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
