//! One test's world: the real `backleg run` binary against a `FakeApi`, one process per test.
//!
//! `Harness::start()` starts a fake Bot API server and the bot (its own temp dir, SQLite file,
//! log files), and waits until the bot polls for updates. `barrier` proves everything sent to
//! a chat before it has been handled (teloxide handles one chat's updates in order), so "the
//! bot stayed silent" is checked without long sleeps. `finish` stops the bot with SIGTERM and
//! checks what every test expects of every message sent. The bot process
//! (`common::bot::spawn_bot`) is killed on drop, so a failing test never leaks one; the
//! harness's own drop prints the bot's logs and the calls it made when the test failed.

use std::path::{Path, PathBuf};
use std::process::ExitStatus;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;
use tempfile::TempDir;

use crate::common::bot::spawn_bot;
pub use crate::common::bot::BotOptions;
use crate::common::fake_api::{check_telegram_html, inline_buttons, FakeApi, Sent, TOKEN, WAIT};
pub use crate::common::process::Process as BotProcess;
use crate::common::updates;

/// What `/ask what is sciatica` and "what is sciatica" are answered with (the topic title).
pub const SCIATICA_TITLE: &str = "What sciatica is";
/// In every reply (the disclaimer).
pub const NOT_A_DIAGNOSIS: &str = "not a diagnosis";
/// In every urgent-care block.
pub const SEEK_HELP: &str = "if back or leg pain comes with:";

/// One test's world: a fake Bot API server, the bot process and a temp dir.
pub struct Harness {
    /// The fake Bot API server.
    pub api: FakeApi,
    /// The bot under test.
    pub bot: BotProcess,
    /// The options it was started with (reused by `restart`).
    pub options: BotOptions,
    /// Temp dir: data file, logs, knowledge-base copies.
    pub dir: TempDir,
    runs: usize,
    next_update_id: AtomicI64,
}

impl Harness {
    /// The default options: token, `--data <dir>/backleg.sqlite3`, `RUST_LOG=info`.
    pub fn default_options(dir: &Path) -> BotOptions {
        BotOptions {
            args: Vec::new(),
            rust_log: Some("info".to_owned()),
            token: Some(TOKEN.to_owned()),
            data: Some(dir.join("backleg.sqlite3")),
            api_url: None,
            api_url_env: true,
        }
    }

    /// Starts a fake server and the bot with the default options, and waits until it polls.
    pub async fn start() -> Self {
        Self::start_with(|_, _| {}).await
    }

    /// Like `start`, with options adjusted by `adjust(options, temp dir)`.
    pub async fn start_with(adjust: impl FnOnce(&mut BotOptions, &Path)) -> Self {
        let mut harness = Self::spawn_with(adjust).await;
        harness.wait_polling(0).await;
        harness
    }

    /// Starts the fake server and the bot, without waiting for anything.
    pub async fn spawn_with(adjust: impl FnOnce(&mut BotOptions, &Path)) -> Self {
        Self::spawn_with_api(FakeApi::start().await, |options, dir, _| {
            adjust(options, dir)
        })
        .await
    }

    /// Like `start_with`, on a fake server the test set up first; `adjust` also gets its URL.
    pub async fn start_on(api: FakeApi, adjust: impl FnOnce(&mut BotOptions, &Path, &str)) -> Self {
        let mut harness = Self::spawn_with_api(api, adjust).await;
        harness.wait_polling(0).await;
        harness
    }

    async fn spawn_with_api(
        api: FakeApi,
        adjust: impl FnOnce(&mut BotOptions, &Path, &str),
    ) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut options = Self::default_options(dir.path());
        adjust(&mut options, dir.path(), &api.url);
        let bot = spawn_bot(&api.url, &options, dir.path(), "bot-1");
        Self {
            api,
            bot,
            options,
            dir,
            runs: 1,
            next_update_id: AtomicI64::new(1),
        }
    }

    /// Waits until the bot has made more than `seen` `getUpdates` calls (it is polling).
    pub async fn wait_polling(&mut self, seen: usize) {
        let deadline = Instant::now() + WAIT;
        loop {
            let polled = self
                .api
                .try_wait_until(Duration::from_millis(250), |record| {
                    (record.calls.iter().filter(|c| c.is("getUpdates")).count() > seen)
                        .then_some(())
                })
                .await;
            if polled.is_some() {
                return;
            }
            if let Some(status) = self.bot.try_exit() {
                panic!(
                    "the bot exited ({status:?}) before polling for updates\nstderr:\n{}\n{}",
                    self.bot.stderr_tail(40),
                    self.api.dump()
                );
            }
            if Instant::now() >= deadline {
                panic!(
                    "the bot did not poll with getUpdates within {WAIT:?}\nstderr:\n{}\n{}",
                    self.bot.stderr_tail(40),
                    self.api.dump()
                );
            }
        }
    }

    /// Stops the bot (SIGTERM) and starts a new process with the same options and data file
    /// against the same fake server; waits until it polls. Returns the first one's exit status.
    pub async fn restart(&mut self) -> Option<ExitStatus> {
        let status = self.bot.stop().await;
        let polls = self.api.calls_of("getUpdates").len();
        self.runs += 1;
        let name = format!("bot-{}", self.runs);
        self.bot = spawn_bot(&self.api.url, &self.options, self.dir.path(), &name);
        self.wait_polling(polls).await;
        status
    }

    /// A fresh update id (also the message id of the message it carries).
    pub fn uid(&self) -> i64 {
        self.next_update_id.fetch_add(1, Ordering::SeqCst)
    }

    /// Queues an update.
    pub fn push(&self, update: Value) {
        self.api.push(update);
    }

    /// Asks "what is sciatica" in `chat_id` (`/ask` in a group) and waits for the answer.
    /// teloxide handles one chat's updates one after the other, so when the answer arrives,
    /// everything queued for that chat before has been handled; a short grace period covers
    /// replies sent from background tasks. Returns the answer.
    pub async fn barrier(&self, chat_id: i64, user_id: i64) -> Sent {
        let before = self.api.delivered().len();
        let id = self.uid();
        if chat_id > 0 {
            self.push(updates::private_text(id, chat_id, "what is sciatica"));
        } else {
            self.push(updates::group_command(
                id,
                chat_id,
                user_id,
                "/ask what is sciatica",
            ));
        }
        let what = format!("the barrier question's answer in chat {chat_id} (update {id})");
        let answer = self
            .api
            .wait_until(&what, WAIT, |record| {
                record.delivered[before..]
                    .iter()
                    .find(|s| s.chat_id() == chat_id && s.text().contains(SCIATICA_TITLE))
                    .cloned()
            })
            .await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        answer
    }

    /// Stops the bot with SIGTERM and checks every message it sent: `parse_mode` HTML, valid
    /// Telegram HTML, at most 4,096 characters, link previews disabled, `callback_data` within
    /// 64 bytes. Returns the
    /// exit status (`None`: it did not stop within 20 s and was killed).
    pub async fn finish(mut self) -> Option<ExitStatus> {
        let status = self.bot.stop().await;
        let problems = message_problems(&self.api);
        assert!(
            problems.is_empty(),
            "messages Telegram (or the contract) would refuse:\n{}\n{}",
            problems.join("\n"),
            self.api.dump()
        );
        status
    }

    /// A copy of knowledge/ in the temp dir; returns its path.
    pub fn copy_knowledge(dir: &Path) -> PathBuf {
        let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge");
        let to = dir.join("knowledge");
        std::fs::create_dir_all(&to).expect("knowledge copy dir");
        for entry in std::fs::read_dir(&from).expect("knowledge dir") {
            let path = entry.expect("dir entry").path();
            if path.is_file() {
                std::fs::copy(&path, to.join(path.file_name().expect("file name")))
                    .expect("copy knowledge file");
            }
        }
        to
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!(
                "--- bot stderr (last 60 lines, {}) ---\n{}",
                self.bot.stderr_path.display(),
                self.bot.stderr_tail(60)
            );
            eprintln!("{}", self.api.dump());
        }
    }
}

/// Everything wrong with the messages the bot sent or edited, one line each.
pub fn message_problems(api: &FakeApi) -> Vec<String> {
    let mut problems = Vec::new();
    let calls = api.calls();
    for call in calls
        .iter()
        .filter(|c| c.is("sendMessage") || c.is("editMessageText"))
    {
        let body = &call.body;
        let tag = format!("#{} {}", call.seq, call.method);
        if body["parse_mode"].as_str() != Some("HTML") {
            problems.push(format!(
                "{tag}: parse_mode is {}, not \"HTML\"",
                body["parse_mode"]
            ));
        }
        let text = body["text"].as_str().unwrap_or("");
        let chars = text.chars().count();
        if chars == 0 || chars > 4096 {
            problems.push(format!(
                "{tag}: text has {chars} characters (1..=4096 allowed)"
            ));
        }
        if let Err(problem) = check_telegram_html(text) {
            problems.push(format!("{tag}: invalid Telegram HTML: {problem}"));
        }
        if call.is("sendMessage") && body["link_preview_options"]["is_disabled"] != true {
            problems.push(format!("{tag}: link previews are not disabled"));
        }
    }
    for call in calls
        .iter()
        .filter(|c| c.body.get("reply_markup").is_some())
    {
        for button in inline_buttons(&call.body) {
            if let Some(data) = button["callback_data"].as_str() {
                if data.is_empty() || data.len() > 64 {
                    problems.push(format!(
                        "#{} {}: callback_data {data:?} is {} bytes (1..=64 allowed)",
                        call.seq,
                        call.method,
                        data.len()
                    ));
                }
            }
        }
    }
    problems
}

/// Asserts the process exited with `code`.
#[track_caller]
pub fn assert_exit_code(status: Option<ExitStatus>, code: i32, bot: &BotProcess) {
    match status {
        Some(status) if status.code() == Some(code) => {}
        Some(status) => panic!("expected exit code {code}, got {status:?}\nstderr:\n{}", bot.stderr_tail(40)),
        None => panic!("expected exit code {code}, but the bot did not exit in time and was killed\nstderr:\n{}", bot.stderr_tail(40)),
    }
}

/// Lowercased words of a text (letters and digits), for "says on" / "says off" checks.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The topic ids of the real knowledge base (knowledge/topics.toml).
pub fn topic_ids() -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge/topics.toml");
    let text = std::fs::read_to_string(path).expect("knowledge/topics.toml");
    text.lines()
        .filter_map(|line| line.trim().strip_prefix("id = \""))
        .filter_map(|rest| rest.split('"').next().map(str::to_owned))
        .collect()
}

/// Whether stderr has an ERROR-level log line (text or JSON format).
pub fn has_error_lines(stderr: &str) -> bool {
    stderr
        .lines()
        .any(|line| line.contains(" ERROR ") || line.contains("\"level\":\"ERROR\""))
}
