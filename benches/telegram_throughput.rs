//! End-to-end throughput of one bot process against a local, in-process fake Bot API server:
//! backleg (`backleg run`) side by side with the plain teloxide echo bot (`examples/echo_bot.rs`).
//!
//! Each run starts a fresh fake server (`tests/common/fake_api.rs`, the one the end-to-end tests
//! use, on 127.0.0.1:0), spawns the bot with
//! `TELOXIDE_TOKEN` and `TELOXIDE_API_URL` pointing at it, waits for its first `getUpdates`,
//! queues N private-chat questions from 500 chats at once (served in batches of up to 100, the
//! way Telegram delivers them), and measures the wall time from the first served batch to the
//! N-th `sendMessage`. Every question must get exactly one reply within the timeout, or the run
//! fails. Peak RSS is the bot's `VmHWM` after the run. Runs are interleaved (backleg and echo in
//! every round, alternating which goes first) and the medians compared.
//!
//! Targets (issue 3, section 8): backleg >= 0.9x the echo bot's updates/s, and a peak RSS at
//! most 5 MB above the echo bot's. backleg runs with `--flood-control off` (the echo bot has no
//! flood control; on the real API Telegram's limits cap every bot near 30 messages/s).
//!
//! - `cargo bench --bench telegram_throughput`: full run (N = 5000, 15 rounds).
//! - Without `--bench` (as `cargo test --benches` runs it): one smoke round with N = 200.
//! - Overrides: `BENCH_UPDATES`, `BENCH_ROUNDS`, `BENCH_TIMEOUT_SECS` (default 60), and
//!   `BENCH_BACKLEG_BIN` / `BENCH_ECHO_BIN` to measure prebuilt binaries instead of building.
//!
//! Columns: `reply_B` mean `sendMessage` request body; `time_s` first served batch to N-th
//! reply; `idleRSS_MiB` the bot's RSS at its first `getUpdates`; `peakRSS_MiB` its VmHWM;
//! `botCPU_s` / `serverCPU_s` CPU time (user + system) of the bot and of this process (fake
//! server + load generator) while the N updates are handled. The bot, the server and anything
//! else running share the machine's cores.
//!
//! The bench builds both bots first (`cargo build --release --bin backleg --example echo_bot`).
//! Linux only (reads `/proc`, stops the bot with `kill -TERM`).

#[path = "../tests/common/mod.rs"]
mod common;

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use common::fake_api::{now, FakeApi, Record, TOKEN};
use common::process::{proc_status_kib, tail, Process};

/// Distinct private chats the questions come from.
const CHATS: usize = 500;
const FIRST_CHAT_ID: i64 = 710_000_000;
const STARTUP_TIMEOUT: Duration = Duration::from_secs(30);
/// After the N-th reply: how long to watch for replies beyond N.
const EXTRA_REPLY_GRACE: Duration = Duration::from_secs(1);
const STOP_TIMEOUT: Duration = Duration::from_secs(10);
/// The methods a bot needs here; a call of any other is reported.
const EXPECTED_METHODS: [&str; 6] = [
    "getMe",
    "getUpdates",
    "sendMessage",
    "getWebhookInfo",
    "deleteWebhook",
    "setMyCommands",
];

/// Private-chat questions, cycled. The last three carry red flags.
const QUESTIONS: [&str; 20] = [
    "I've had lower back pain for two weeks and now it shoots down the back of my left leg. Is this sciatica?",
    "What causes pain that goes from the buttock down to the calf?",
    "My leg hurts more when I sit for a long time at my desk, why?",
    "Should I rest in bed or keep moving with sciatica?",
    "How long does sciatica usually last?",
    "Is it a slipped disc if the pain goes below my knee?",
    "Pins and needles in my foot together with back pain, what does that mean?",
    "Which exercises help when back pain radiates into the leg?",
    "Can I take ibuprofen for nerve pain down my leg?",
    "When should I see a doctor about back pain going into my thigh?",
    "Do I need an MRI for sciatica?",
    "My pain gets worse when I cough or sneeze, is that normal?",
    "Is heat or ice better for a pinched nerve in the lower back?",
    "I'm pregnant and have pain running down my leg, what can I do?",
    "Can sciatica affect both legs at the same time?",
    "What is piriformis syndrome and how is it different from sciatica?",
    "Will I need surgery for a herniated disc?",
    "I suddenly can't feel anything around my bottom and I'm having trouble peeing, with back pain down both legs",
    "My foot keeps slapping the floor when I walk and my leg feels weaker every day",
    "I have a fever and severe back pain that spreads into my leg, and I had cancer a few years ago",
];

fn updates(count: usize) -> Vec<Value> {
    let date = now();
    (0..count)
        .map(|i| {
            let chat = FIRST_CHAT_ID + (i % CHATS) as i64;
            let text = QUESTIONS[(i + i / CHATS) % QUESTIONS.len()];
            let id = i as i64 + 1;
            json!({
                "update_id": id,
                "message": {
                    "message_id": (i / CHATS) as i64 + 1,
                    "date": date,
                    "chat": { "id": chat, "type": "private", "first_name": "Pat" },
                    "from": { "id": chat, "is_bot": false, "first_name": "Pat", "language_code": "en" },
                    "text": text
                }
            })
        })
        .collect()
}

// ---- the bot processes ------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Backleg,
    Echo,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Self::Backleg => "backleg",
            Self::Echo => "echo",
        }
    }
}

struct Bots {
    backleg: PathBuf,
    echo: PathBuf,
}

impl Bots {
    fn exe(&self, kind: Kind) -> &Path {
        match kind {
            Kind::Backleg => &self.backleg,
            Kind::Echo => &self.echo,
        }
    }
}

/// Builds both bots (release) and returns their paths, read from cargo's JSON messages.
fn build_bots() -> Bots {
    let from_env = |name: &str| std::env::var_os(name).map(PathBuf::from);
    if let (Some(backleg), Some(echo)) = (from_env("BENCH_BACKLEG_BIN"), from_env("BENCH_ECHO_BIN"))
    {
        println!(
            "using prebuilt bots: {} and {}",
            backleg.display(),
            echo.display()
        );
        return Bots { backleg, echo };
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));
    println!("building the bots: cargo build --release --bin backleg --example echo_bot");
    let mut build = Command::new(&cargo);
    // Cargo runs this bench with the package's own build-time variables set (CARGO_PKG_NAME,
    // CARGO_MANIFEST_DIR, ...). Some build scripts (ring's, libsqlite3-sys's) track those with
    // rerun-if-env-changed, so passing them on would make the inner build, and every plain
    // `cargo build --release` after it, rebuild the TLS and SQLite stacks.
    for (key, _) in std::env::vars_os() {
        let key_text = key.to_string_lossy();
        let set_by_cargo = [
            "CARGO_PKG_",
            "CARGO_MANIFEST_",
            "CARGO_CFG_",
            "CARGO_FEATURE_",
            "CARGO_BIN_EXE_",
        ]
        .iter()
        .any(|prefix| key_text.starts_with(prefix))
            || [
                "CARGO_CRATE_NAME",
                "CARGO_BIN_NAME",
                "CARGO_PRIMARY_PACKAGE",
                "CARGO_TARGET_TMPDIR",
                "CARGO_RUSTC_CURRENT_DIR",
                "OUT_DIR",
            ]
            .contains(&key_text.as_ref());
        if set_by_cargo {
            build.env_remove(&key);
        }
    }
    let output = build
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "build",
            "--release",
            "--bin",
            "backleg",
            "--example",
            "echo_bot",
            "--message-format=json-render-diagnostics",
        ])
        .stderr(Stdio::inherit())
        .output()
        .unwrap_or_else(|e| {
            fail(&format!(
                "cannot run cargo ({}): {e}",
                cargo.to_string_lossy()
            ))
        });
    if !output.status.success() {
        fail(&format!(
            "building the bots failed ({}); see cargo's output above",
            output.status
        ));
    }
    let (mut backleg, mut echo) = (None, None);
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Ok(message) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        if message["reason"] != "compiler-artifact" {
            continue;
        }
        let Some(exe) = message["executable"].as_str() else {
            continue;
        };
        let kinds = &message["target"]["kind"];
        let has_kind = |k: &str| {
            kinds
                .as_array()
                .is_some_and(|list| list.iter().any(|v| v == k))
        };
        match message["target"]["name"].as_str() {
            Some("backleg") if has_kind("bin") => backleg = Some(PathBuf::from(exe)),
            Some("echo_bot") if has_kind("example") => echo = Some(PathBuf::from(exe)),
            _ => {}
        }
    }
    let backleg = from_env("BENCH_BACKLEG_BIN")
        .or(backleg)
        .unwrap_or_else(|| fail("cargo did not report the backleg binary"));
    let echo = from_env("BENCH_ECHO_BIN")
        .or(echo)
        .unwrap_or_else(|| fail("cargo did not report the echo_bot example binary"));
    Bots { backleg, echo }
}

/// A memory figure of a process from `/proc/<pid>/status`, in KiB (`VmHWM` is the peak RSS).
/// User + system CPU time of a process (`/proc/<pid>/stat`), in clock ticks.
fn cpu_ticks(pid: &str) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which is in parentheses and may contain spaces.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}

fn clock_ticks_per_sec() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(100.0)
}

fn describe_exit(status: ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit {code}"),
        (None, Some(signal)) => format!("signal {signal}"),
        _ => status.to_string(),
    }
}

/// One bot, one batch of N updates.
struct Run {
    kind: Kind,
    updates: u64,
    replies: u64,
    /// Mean `sendMessage` request body, bytes.
    reply_bytes: u64,
    seconds: f64,
    /// RSS when the bot first polled (started, idle).
    idle_rss_kib: u64,
    peak_rss_kib: u64,
    bot_cpu_s: f64,
    server_cpu_s: f64,
    exit: String,
    /// Why the run does not count, if it does not.
    failure: Option<String>,
}

impl Run {
    fn rate(&self) -> f64 {
        if self.seconds > 0.0 {
            self.replies.min(self.updates) as f64 / self.seconds
        } else {
            0.0
        }
    }
}

/// Stops the bot with SIGTERM within `grace` (SIGKILL after that) and says how it ended.
async fn stop(bot: &mut Process, grace: Duration) -> String {
    match bot.stop_within(grace).await {
        Some(status) => describe_exit(status),
        None => format!(
            "still running {:.0} s after SIGTERM: killed",
            grace.as_secs_f64()
        ),
    }
}

/// The last lines the bot printed (the echo bot logs on stdout, backleg on stderr).
fn log_tail(bot: &Process, lines: usize) -> String {
    let stdout = tail(&bot.stdout_path, lines);
    let stderr = tail(&bot.stderr_path, lines);
    [stdout, stderr]
        .into_iter()
        .filter(|text| !text.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// When the `n`-th `sendMessage` call arrived.
fn nth_send_at(record: &Record, n: usize) -> Option<Instant> {
    record
        .calls
        .iter()
        .filter(|c| c.is("sendMessage"))
        .nth(n.checked_sub(1)?)
        .map(|c| c.at)
}

async fn run_bot(kind: Kind, exe: &Path, n: usize, timeout: Duration, ticks: f64) -> Run {
    let api = FakeApi::start_counting().await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut command = Command::new(exe);
    if kind == Kind::Backleg {
        command
            .arg("run")
            .arg("--data")
            .arg(dir.path().join("settings.sqlite3"));
        // The echo bot has no flood control, and Telegram's limits (30 messages/s overall, about
        // 1/s per chat) would make this measure the limiter. Against the real API those limits
        // cap any bot; BENCHMARKS.md says so next to the figures. `BENCH_BACKLEG_ARGS` replaces
        // these arguments (for example with `--flood-control telegram` to see the cap).
        match std::env::var("BENCH_BACKLEG_ARGS") {
            Ok(args) => command.args(args.split_whitespace()),
            Err(_) => command.args(["--flood-control", "off"]),
        };
    }
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("BACKLEG_") {
            command.env_remove(key);
        }
    }
    command
        .env("TELOXIDE_TOKEN", TOKEN)
        .env("TELOXIDE_API_URL", &api.url)
        .env("RUST_LOG", "warn");
    let mut bot = Process::spawn(&mut command, dir.path(), "bot")
        .unwrap_or_else(|e| fail(&format!("cannot start {}: {e}", exe.display())));
    let pid = bot.pid();
    let mut run = Run {
        kind,
        updates: n as u64,
        replies: 0,
        reply_bytes: 0,
        seconds: 0.0,
        idle_rss_kib: 0,
        peak_rss_kib: 0,
        bot_cpu_s: 0.0,
        server_cpu_s: 0.0,
        exit: String::new(),
        failure: None,
    };

    // Start-up: getMe, setMyCommands, deleteWebhook, then the first getUpdates.
    let started = Instant::now();
    while !api.with_record(|r| r.calls.iter().any(|c| c.is("getUpdates"))) {
        if let Some(status) = bot.try_exit() {
            run.exit = describe_exit(status);
            run.failure = Some(format!(
                "{} exited during start-up ({}); its log:\n{}",
                kind.name(),
                run.exit,
                log_tail(&bot, 20)
            ));
            return run;
        }
        if started.elapsed() > STARTUP_TIMEOUT {
            run.exit = stop(&mut bot, Duration::from_secs(2)).await;
            run.failure = Some(format!(
                "{} never called getUpdates within {:?}",
                kind.name(),
                STARTUP_TIMEOUT
            ));
            return run;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }

    run.idle_rss_kib = proc_status_kib(pid, "VmRSS").unwrap_or(0);
    // Queued before the CPU clocks start, as written-out updates were before: the fake writes
    // each update's JSON once, when it is queued. Nothing runs until the next await (one
    // thread), so the bot cannot have started on them.
    api.push_all(updates(n));
    let bot_cpu_before = cpu_ticks(&pid.to_string()).unwrap_or(0);
    let server_cpu_before = cpu_ticks("self").unwrap_or(0);
    let enqueued_at = Instant::now();

    let mut timed_out = false;
    loop {
        if api.with_record(|r| r.send_calls >= n) {
            break;
        }
        if let Some(status) = bot.try_exit() {
            run.exit = describe_exit(status);
            run.failure = Some(format!(
                "{} exited after {} of {n} replies ({}); its log:\n{}",
                kind.name(),
                api.with_record(|r| r.send_calls),
                run.exit,
                log_tail(&bot, 20)
            ));
            break;
        }
        if enqueued_at.elapsed() > timeout {
            timed_out = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let (first_batch, done_at) = api.with_record(|r| (r.first_batch_at, nth_send_at(r, n)));
    let end = done_at.unwrap_or_else(Instant::now);
    run.seconds = first_batch.map_or(0.0, |t| end.duration_since(t).as_secs_f64());
    run.bot_cpu_s = cpu_ticks(&pid.to_string())
        .unwrap_or(bot_cpu_before)
        .saturating_sub(bot_cpu_before) as f64
        / ticks;
    run.server_cpu_s = cpu_ticks("self")
        .unwrap_or(server_cpu_before)
        .saturating_sub(server_cpu_before) as f64
        / ticks;
    if run.failure.is_none() && done_at.is_some() {
        // Replies beyond one per question would show up now.
        tokio::time::sleep(EXTRA_REPLY_GRACE).await;
    }
    let (replies, sent_bytes, served_up_to, refused, unexpected) = api.with_record(|r| {
        let refused: Vec<String> = r.failed.iter().map(|f| f.reason.clone()).collect();
        let mut unexpected: BTreeMap<String, u64> = BTreeMap::new();
        for call in &r.calls {
            if !EXPECTED_METHODS.iter().any(|m| call.is(m)) {
                *unexpected.entry(call.method.clone()).or_insert(0) += 1;
            }
        }
        (
            r.send_calls as u64,
            r.send_bytes,
            r.served_up_to,
            refused,
            unexpected,
        )
    });
    run.replies = replies;
    run.reply_bytes = sent_bytes / run.replies.max(1);
    run.peak_rss_kib = proc_status_kib(pid, "VmHWM").unwrap_or(0);

    if run.failure.is_none() {
        run.exit = stop(
            &mut bot,
            if timed_out {
                Duration::from_secs(3)
            } else {
                STOP_TIMEOUT
            },
        )
        .await;
    }

    if run.failure.is_none() {
        let mut problems = Vec::new();
        if timed_out {
            problems.push(format!(
                "only {} of {n} replies within {:?} (it had fetched {served_up_to} updates)",
                run.replies, timeout,
            ));
        } else if run.replies != n as u64 {
            problems.push(format!(
                "{} replies to {n} questions (expected exactly one each)",
                run.replies
            ));
        }
        if !refused.is_empty() {
            problems.push(format!(
                "{} sendMessage requests refused, e.g. {:?}",
                refused.len(),
                &refused[..refused.len().min(3)]
            ));
        }
        if !unexpected.is_empty() {
            problems.push(format!("unexpected API calls: {unexpected:?}"));
        }
        if !problems.is_empty() {
            run.failure = Some(format!(
                "{}: {}; log tail:\n{}",
                kind.name(),
                problems.join("; "),
                log_tail(&bot, 10)
            ));
        }
    }
    run
}

// ---- the report -------------------------------------------------------------------------------

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => f64::NAN,
        _ if n % 2 == 1 => values[n / 2],
        _ => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn print_run(round: usize, run: &Run) {
    println!(
        "{:>5}  {:<8} {:>7} {:>7} {:>7} {:>8.3} {:>10.0} {:>11.1} {:>11.1} {:>8.2} {:>11.2}  {}",
        round,
        run.kind.name(),
        run.updates,
        run.replies,
        run.reply_bytes,
        run.seconds,
        run.rate(),
        mib(run.idle_rss_kib),
        mib(run.peak_rss_kib),
        run.bot_cpu_s,
        run.server_cpu_s,
        if run.failure.is_some() {
            format!("FAILED ({})", run.exit)
        } else {
            run.exit.clone()
        }
    );
}

fn header() {
    println!(
        "{:>5}  {:<8} {:>7} {:>7} {:>7} {:>8} {:>10} {:>11} {:>11} {:>8} {:>11}  stop",
        "round",
        "bot",
        "updates",
        "replies",
        "reply_B",
        "time_s",
        "updates/s",
        "idleRSS_MiB",
        "peakRSS_MiB",
        "botCPU_s",
        "serverCPU_s"
    );
}

fn fail(message: &str) -> ! {
    eprintln!("\ntelegram_throughput: FAILED: {message}");
    std::process::exit(1);
}

fn env_number(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(value) => value
            .trim()
            .parse()
            .unwrap_or_else(|_| fail(&format!("{name}={value:?} is not a number"))),
        Err(_) => default,
    }
}

fn main() {
    // `cargo test -- --list` asks every target for its tests: a bench has none to list, and
    // running it then would start bots (and build them) just to print a list.
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let full = std::env::args().any(|a| a == "--bench");
    // 15 rounds: on 2 shared cores a 5-round median still swung from 0.87x to 0.98x between
    // runs of the same build (BENCHMARKS.md); 15 take about a minute.
    let (default_n, default_rounds) = if full { (5000, 15) } else { (200, 1) };
    let n = env_number("BENCH_UPDATES", default_n).max(1) as usize;
    let rounds = env_number("BENCH_ROUNDS", default_rounds).max(1) as usize;
    let timeout = Duration::from_secs(env_number("BENCH_TIMEOUT_SECS", 60));
    let bots = build_bots();
    let ticks = clock_ticks_per_sec();

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    println!(
        "\ntelegram_throughput ({}): {n} private-chat questions from {} chats per run, {rounds} round(s), timeout {} s",
        if full { "full" } else { "smoke; `cargo bench` for the full run" },
        CHATS.min(n),
        timeout.as_secs()
    );
    println!(
        "backleg: {}\necho:    {}\n",
        bots.backleg.display(),
        bots.echo.display()
    );
    header();
    let mut runs: Vec<(usize, Run)> = Vec::new();
    runtime.block_on(async {
        for round in 1..=rounds {
            let order = if round % 2 == 1 {
                [Kind::Backleg, Kind::Echo]
            } else {
                [Kind::Echo, Kind::Backleg]
            };
            for kind in order {
                let run = run_bot(kind, bots.exe(kind), n, timeout, ticks).await;
                print_run(round, &run);
                runs.push((round, run));
                // Let the machine settle (sockets closing, the previous process gone).
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }
    });

    let pick = |kind: Kind| runs.iter().map(|(_, r)| r).filter(move |r| r.kind == kind);
    let rate = |kind: Kind| median(pick(kind).map(Run::rate).collect());
    let rss = |kind: Kind| median(pick(kind).map(|r| mib(r.peak_rss_kib)).collect());
    let cpu_per_1k = |kind: Kind| {
        median(
            pick(kind)
                .map(|r| r.bot_cpu_s * 1000.0 / r.replies.clamp(1, r.updates) as f64)
                .collect(),
        )
    };
    let (b_rate, e_rate, b_rss, e_rss) = (
        rate(Kind::Backleg),
        rate(Kind::Echo),
        rss(Kind::Backleg),
        rss(Kind::Echo),
    );
    let ratio = b_rate / e_rate;
    let rss_diff = b_rss - e_rss;
    println!("\nmedians over {rounds} round(s):");
    println!(
        "  backleg: {b_rate:>8.0} updates/s, peak RSS {b_rss:>6.1} MiB, bot CPU {:.3} s per 1,000 replies",
        cpu_per_1k(Kind::Backleg)
    );
    println!(
        "  echo:    {e_rate:>8.0} updates/s, peak RSS {e_rss:>6.1} MiB, bot CPU {:.3} s per 1,000 replies",
        cpu_per_1k(Kind::Echo)
    );
    let verdict = |ok: bool| if ok { "met" } else { "MISSED" };
    println!(
        "  ratio backleg/echo updates/s: {ratio:.2}x (target >= 0.90x: {})",
        verdict(ratio >= 0.9)
    );
    let rss_diff_mb = rss_diff * 1024.0 * 1024.0 / 1e6;
    println!(
        "  peak RSS difference backleg - echo: {rss_diff:+.1} MiB = {rss_diff_mb:+.1} MB (target <= +5 MB: {})",
        verdict(rss_diff_mb <= 5.0)
    );

    let failures: Vec<String> = runs
        .iter()
        .filter_map(|(round, r)| r.failure.as_ref().map(|f| format!("round {round}, {f}")))
        .collect();
    if !failures.is_empty() {
        for failure in &failures {
            eprintln!("\n{failure}");
        }
        fail(&format!("{} of {} runs did not get exactly one reply per question in time (figures of failed runs are partial)", failures.len(), runs.len()));
    }
    println!("\nall {} runs: exactly one reply per question", runs.len());
}
