//! A `backleg run` process in webhook mode, and the HTTP side of talking to it: free loopback
//! ports, POSTing updates the way Telegram does (JSON body, `X-Telegram-Bot-Api-Secret-Token`),
//! GETting `/healthz`, `/readyz` and `/metrics`, reading one series out of the Prometheus text,
//! and a process's peak RSS. Shared by `webhook` (one replica, SQLite) and `cluster` (two
//! replicas behind nginx, Redis).

use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::time::{Duration, Instant};

use axum::body::Bytes;

use crate::fake_api::WAIT;
use crate::harness::{BotOptions, BotProcess};

/// The secret token every webhook test gives its replicas.
pub const SECRET: &str = "test-Secret_0123456789abcdef";
/// The header Telegram puts the secret in.
pub const SECRET_HEADER: &str = "X-Telegram-Bot-Api-Secret-Token";

/// A loopback port nothing listens on right now (bound, then released).
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local address").port()
}

/// `n` distinct loopback ports nothing listens on right now (all bound at once, then released).
pub fn free_ports<const N: usize>() -> [u16; N] {
    let listeners: Vec<TcpListener> = (0..N)
        .map(|_| TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0"))
        .collect();
    std::array::from_fn(|i| listeners[i].local_addr().expect("local address").port())
}

/// An HTTP client for loopback: no proxy from the environment, a timeout longer than any reply
/// with retries (the bot answers the webhook only after its reply is sent, and five attempts
/// that each get a 5xx take about a minute).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(120))
        .pool_max_idle_per_host(256)
        .build()
        .expect("an HTTP client")
}

/// An HTTP answer: status, body text and content type.
#[derive(Debug, Clone)]
pub struct Answer {
    /// Status code.
    pub status: u16,
    /// Body.
    pub body: String,
    /// `Content-Type`, if any.
    pub content_type: Option<String>,
}

/// POSTs `body` to `url` as Telegram does (with `secret` in the header when given).
///
/// # Errors
/// The request could not be sent or its answer read (connection refused or reset, timeout).
pub async fn post(
    client: &reqwest::Client,
    url: &str,
    secret: Option<&str>,
    body: impl Into<Bytes>,
) -> Result<Answer, reqwest::Error> {
    let mut request = client
        .post(url)
        .header("Content-Type", "application/json")
        .body(body.into());
    if let Some(secret) = secret {
        request = request.header(SECRET_HEADER, secret);
    }
    read(request.send().await?).await
}

/// POSTs an update (JSON) with `secret`; panics if the request fails at the HTTP level.
pub async fn post_update(
    client: &reqwest::Client,
    url: &str,
    secret: Option<&str>,
    update: &serde_json::Value,
) -> Answer {
    let body = serde_json::to_vec(update).expect("serialize the update");
    post(client, url, secret, body)
        .await
        .unwrap_or_else(|e| panic!("POST {url}: {e:?}"))
}

/// GETs `url`.
///
/// # Errors
/// The request could not be sent or its answer read.
pub async fn get(client: &reqwest::Client, url: &str) -> Result<Answer, reqwest::Error> {
    read(client.get(url).send().await?).await
}

async fn read(response: reqwest::Response) -> Result<Answer, reqwest::Error> {
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = response.text().await?;
    Ok(Answer {
        status,
        body,
        content_type,
    })
}

/// The value of one series in Prometheus text (`name` or `name{labels}` exactly as rendered).
pub fn metric(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .find_map(|line| {
            line.strip_prefix(series)
                .and_then(|rest| rest.strip_prefix(' '))
                .and_then(|value| value.trim().parse().ok())
        })
}

/// Peak resident set size (`VmHWM`) of a running process, in KiB.
pub fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// A `backleg run` process in webhook mode.
pub struct Replica {
    /// The process (killed on drop).
    pub process: BotProcess,
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
        let process = BotProcess::spawn(api_url, &options, log_dir, name);
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
