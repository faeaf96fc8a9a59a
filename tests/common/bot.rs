//! The `backleg run` process under test: its options, the process itself (polling mode), and
//! a replica in webhook mode with its health, readiness and metrics endpoints. Shared by the
//! end-to-end tests (`tests/telegram`) and the cluster bench.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use super::fake_api::WAIT;
use super::http::get;
use super::process::Process;

/// The secret token every webhook test gives its replicas.
pub const SECRET: &str = "test-Secret_0123456789abcdef";

/// How the bot process is started.
#[derive(Clone, Debug)]
pub struct BotOptions {
    /// Arguments after `run --data FILE`.
    pub args: Vec<String>,
    /// `RUST_LOG`; `None` leaves it unset.
    pub rust_log: Option<String>,
    /// `TELOXIDE_TOKEN`; `None` leaves it unset.
    pub token: Option<String>,
    /// The `--data` file; `None` omits the flag.
    pub data: Option<PathBuf>,
    /// `TELOXIDE_API_URL` override (default: the fake server's URL).
    pub api_url: Option<String>,
    /// Whether to set `TELOXIDE_API_URL` at all (false: e.g. it comes from a config file).
    pub api_url_env: bool,
}

/// Spawns `backleg run` with `options` against the fake Bot API at `api_url`, logging to
/// `<log_dir>/<name>.stdout|stderr`. Nothing of the caller's environment that configures the
/// bot (`TELOXIDE_*`, `RUST_LOG`, `BACKLEG_*`, a config file) leaks in.
pub fn spawn_bot(api_url: &str, options: &BotOptions, log_dir: &Path, name: &str) -> Process {
    let mut command = Command::new(env!("CARGO_BIN_EXE_backleg"));
    command.arg("run");
    if let Some(data) = &options.data {
        command.arg("--data").arg(data);
    }
    command.args(&options.args);
    for var in [
        "TELOXIDE_TOKEN",
        "TELOXIDE_API_URL",
        "RUST_LOG",
        "BACKLEG_KNOWLEDGE",
        "BACKLEG_EMERGENCY_NUMBER",
        "BACKLEG_LOG_FORMAT",
    ] {
        command.env_remove(var);
    }
    for (var, _) in std::env::vars() {
        if var.starts_with("BACKLEG_") {
            command.env_remove(var);
        }
    }
    if options.api_url_env {
        command.env(
            "TELOXIDE_API_URL",
            options.api_url.as_deref().unwrap_or(api_url),
        );
    }
    if let Some(token) = &options.token {
        command.env("TELOXIDE_TOKEN", token);
    }
    if let Some(level) = &options.rust_log {
        command.env("RUST_LOG", level);
    }
    // No stray config file from the developer's machine.
    let xdg = log_dir.join("xdg");
    std::fs::create_dir_all(&xdg).expect("xdg dir");
    command.env("XDG_CONFIG_HOME", &xdg).current_dir(log_dir);
    Process::spawn(&mut command, log_dir, name).expect("spawn the backleg binary")
}

/// A `backleg run` process in webhook mode.
pub struct Replica {
    /// The process (killed on drop).
    pub process: Process,
    /// Where it listens: the webhook, `/healthz`, `/readyz`, `/metrics`.
    pub listen: SocketAddr,
    /// The path of `--webhook-url`, the route it serves.
    pub path: String,
    /// Its name in logs (`<log dir>/<name>.stderr`).
    pub name: String,
}

impl Replica {
    /// Starts `backleg run --webhook-url <webhook_url> --listen 127.0.0.1:<port>
    /// --webhook-secret SECRET` plus `options.args`, against the fake Bot API at `api_url`.
    pub fn spawn(
        api_url: &str,
        mut options: BotOptions,
        webhook_url: &str,
        port: u16,
        log_dir: &Path,
        name: &str,
    ) -> Self {
        let listen: SocketAddr = ([127, 0, 0, 1], port).into();
        let mut args = vec![
            "--webhook-url".to_owned(),
            webhook_url.to_owned(),
            "--listen".to_owned(),
            listen.to_string(),
            "--webhook-secret".to_owned(),
            SECRET.to_owned(),
        ];
        args.append(&mut options.args);
        options.args = args;
        let path = webhook_url
            .splitn(4, '/')
            .nth(3)
            .map_or_else(|| "/".to_owned(), |p| format!("/{p}"));
        let process = spawn_bot(api_url, &options, log_dir, name);
        Self {
            process,
            listen,
            path,
            name: name.to_owned(),
        }
    }

    /// `http://<listen><path>`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.listen)
    }

    /// The webhook URL on this replica itself (bypassing any load balancer).
    pub fn webhook(&self) -> String {
        self.url(&self.path)
    }

    /// Waits until `/healthz` answers 200; panics with the replica's log if it exits first or
    /// takes longer than `WAIT`.
    pub async fn wait_healthy(&mut self, client: &reqwest::Client) {
        let deadline = Instant::now() + WAIT;
        let url = self.url("/healthz");
        loop {
            if let Ok(answer) = get(client, &url).await {
                if answer.status == 200 {
                    return;
                }
            }
            if let Some(status) = self.process.try_exit() {
                panic!(
                    "{} exited ({status:?}) before serving /healthz\nstderr:\n{}",
                    self.name,
                    self.process.stderr_tail(40)
                );
            }
            assert!(
                Instant::now() < deadline,
                "{} did not serve /healthz within {WAIT:?}\nstderr:\n{}",
                self.name,
                self.process.stderr_tail(40)
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// `/metrics` as text.
    pub async fn metrics(&self, client: &reqwest::Client) -> String {
        let answer = get(client, &self.url("/metrics"))
            .await
            .unwrap_or_else(|e| panic!("GET /metrics of {}: {e:?}", self.name));
        assert_eq!(
            answer.status, 200,
            "GET /metrics of {}: {answer:?}",
            self.name
        );
        answer.body
    }

    /// The status `/readyz` answers (0 when it cannot be reached).
    pub async fn readyz(&self, client: &reqwest::Client) -> u16 {
        get(client, &self.url("/readyz"))
            .await
            .map_or(0, |a| a.status)
    }

    /// Waits up to `timeout` for `/readyz` to answer `status`; returns how long it took, or
    /// `None`.
    pub async fn wait_readyz(
        &self,
        client: &reqwest::Client,
        status: u16,
        timeout: Duration,
    ) -> Option<Duration> {
        let started = Instant::now();
        loop {
            if self.readyz(client).await == status {
                return Some(started.elapsed());
            }
            if started.elapsed() >= timeout {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}
