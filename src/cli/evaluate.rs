//! `eval`: scores the engine on a question file and prints the report; exit 1 below a bar.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;

use super::EXIT_FAILED;
use crate::domain::{EmergencyContact, Engine};
use crate::eval::{self, Bars};

/// `eval` arguments.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Question file: one JSON object per line with `q`, `topics`, `urgent` (and optional `oos`).
    pub file: PathBuf,
    /// The bars; their flags are declared with them.
    #[command(flatten)]
    pub bars: Bars,
    /// Print only the figures, not each failure.
    #[arg(long)]
    pub quiet: bool,
    /// Also print the figures for each `source` (style) of the rows.
    #[arg(long)]
    pub by_source: bool,
}

pub(super) fn run_eval(
    engine: &Engine,
    args: &EvalArgs,
    contact: &EmergencyContact,
) -> Result<ExitCode> {
    let text = std::fs::read_to_string(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let rows = eval::parse_rows(&text)
        .with_context(|| format!("{} is not a valid question file", args.file.display()))?;
    let report = eval::evaluate_for(engine, &rows, contact);
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
    let missed = report.missed_bars(&args.bars);
    if missed.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        for line in missed {
            eprintln!("eval failed: {line}");
        }
        Ok(ExitCode::from(EXIT_FAILED))
    }
}
