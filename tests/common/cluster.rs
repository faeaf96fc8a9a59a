//! Two (or three) webhook replicas behind nginx, sharing one Redis: the production recipe of
//! `deploy/nginx/` run as shipped (only the ports substituted), against the fake Bot API, all on
//! free loopback ports. Used by the cluster tests (`tests/telegram/cluster.rs` and
//! `cluster_budget.rs`, which assert) and the cluster bench (`benches/cluster.rs`, which prints
//! figures).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI64, Ordering};

use tempfile::TempDir;

use super::bot::{BotOptions, Replica};
use super::fake_api::{FakeApi, TOKEN};
use super::http::{client, deliver, free_ports, metric};
use super::load::{run_load, LoadReport, Traffic, CONCURRENCY, LOAD_DEADLINE};
use super::nginx::Nginx;
use super::redis::Redis;

/// Updates per load run.
pub const LOAD: usize = 10_000;
/// The public webhook path: what nginx's location serves and every replica's `--webhook-url`.
pub const WEBHOOK_PATH: &str = "/backleg/webhook";
/// Longer than any test: one notice per group for the whole run.
pub const COOLDOWN_SECONDS: &str = "3600";

/// How to start a cluster.
#[derive(Debug, Clone, Copy)]
pub struct Setup {
    /// Replicas behind nginx: 2 or 3.
    pub replicas: usize,
    /// `--messages-per-second` under Telegram's flood control; `None`: flood control off (the
    /// throughput runs measure the bot, not the limiter).
    pub messages_per_second: Option<u32>,
}

impl Default for Setup {
    fn default() -> Self {
        Self {
            replicas: 2,
            messages_per_second: None,
        }
    }
}

/// The fake Bot API, Redis, the replicas and nginx. Fields drop in order: nginx, the replicas,
/// Redis, the fake server, then the temp dir with the logs.
pub struct Cluster {
    /// nginx in front of both replicas.
    pub nginx: Nginx,
    /// `replica-1`, `replica-2` (and `replica-3`).
    pub replicas: Vec<Replica>,
    /// The Redis both share.
    pub redis: Redis,
    /// The fake Bot API both talk to.
    pub api: FakeApi,
    /// An HTTP client for loopback.
    pub client: reqwest::Client,
    next_id: AtomicI64,
    /// Logs of every process, removed on drop.
    pub dir: TempDir,
}

impl Cluster {
    /// Starts the fake Bot API, Redis, two replicas without flood control (each sets the
    /// webhook) and nginx, and checks both replicas are ready.
    pub async fn start() -> Self {
        Self::start_with(Setup::default()).await
    }

    /// `start` as `setup` says.
    pub async fn start_with(setup: Setup) -> Self {
        assert!((2..=3).contains(&setup.replicas), "{setup:?}");
        let dir = tempfile::tempdir().expect("temp dir");
        let api = FakeApi::start().await;
        let [redis_port, nginx_port, ports @ ..] = free_ports::<5>();
        let replica_ports = &ports[..setup.replicas];
        let redis = Redis::start_in(redis_port, dir.path());
        let public = format!("http://127.0.0.1:{nginx_port}{WEBHOOK_PATH}");
        let client = client();
        let flood_control = match setup.messages_per_second {
            Some(rate) => vec![
                "--flood-control".to_owned(),
                "telegram".to_owned(),
                "--messages-per-second".to_owned(),
                rate.to_string(),
            ],
            None => vec!["--flood-control".to_owned(), "off".to_owned()],
        };
        let mut replicas = Vec::new();
        for (i, &port) in replica_ports.iter().enumerate() {
            let options = BotOptions {
                args: [
                    "--storage",
                    &redis.url(),
                    "--red-flag-cooldown",
                    COOLDOWN_SECONDS,
                    // The load sends each (group, member) pair about ten `/ask`s a run and
                    // expects every one answered: it measures throughput, not the per-person
                    // limit (`tests/telegram/group_limit.rs` does).
                    "--group-answers-per-minute",
                    "0",
                ]
                .map(str::to_owned)
                .into_iter()
                .chain(flood_control.iter().cloned())
                .collect(),
                rust_log: Some("info".to_owned()),
                token: Some(TOKEN.to_owned()),
                data: None,
                api_url: None,
                api_url_env: true,
            };
            replicas.push(Replica::spawn(
                &api.url,
                options,
                &public,
                port,
                dir.path(),
                &format!("replica-{}", i + 1),
            ));
        }
        for replica in &mut replicas {
            replica.wait_healthy(&client).await;
        }
        // nginx serves the directory of the webhook path.
        let location = WEBHOOK_PATH
            .rsplit_once('/')
            .map_or("/", |(prefix, _)| prefix)
            .to_owned()
            + "/";
        let nginx = Nginx::start(dir.path(), nginx_port, replica_ports, &location).await;
        let cluster = Self {
            nginx,
            replicas,
            redis,
            api,
            client,
            next_id: AtomicI64::new(1),
            dir,
        };
        for replica in &cluster.replicas {
            assert_eq!(
                replica.readyz(&cluster.client).await,
                200,
                "{} not ready with Redis up",
                replica.name
            );
        }
        assert_eq!(
            cluster.api.calls_of("setWebhook").len(),
            setup.replicas,
            "each replica sets the webhook\n{}",
            cluster.summary()
        );
        cluster
    }

    /// The webhook through nginx.
    pub fn public(&self) -> String {
        format!("http://127.0.0.1:{}{WEBHOOK_PATH}", self.nginx.port)
    }

    /// `path` through nginx.
    pub fn nginx_url(&self, path: &str) -> String {
        self.nginx.url(path)
    }

    /// `n` fresh update ids (also the message ids of the messages they carry).
    pub fn ids(&self, n: usize) -> i64 {
        self.next_id.fetch_add(n as i64, Ordering::SeqCst)
    }

    /// A fresh update id.
    pub fn uid(&self) -> i64 {
        self.ids(1)
    }

    /// The fake server's record, summed up (the full dump of thousands of calls is no help).
    pub fn summary(&self) -> String {
        self.api.with_record(|r| {
            let mut by_method: BTreeMap<String, usize> = BTreeMap::new();
            for call in &r.calls {
                *by_method.entry(call.method.clone()).or_default() += 1;
            }
            let last: Vec<String> = r
                .calls
                .iter()
                .rev()
                .take(15)
                .rev()
                .map(|c| {
                    format!(
                        "#{} {} {}",
                        c.seq,
                        c.method,
                        truncate(&c.body.to_string(), 200)
                    )
                })
                .collect();
            format!(
                "--- fake Bot API: calls {by_method:?}; delivered {}, refused {}; last calls:\n{}",
                r.delivered.len(),
                r.failed.len(),
                last.join("\n")
            )
        })
    }

    /// Runs `traffic` through `targets` (round robin) and checks nothing failed for good.
    pub async fn load(&self, traffic: &Traffic, targets: &[String]) -> LoadReport {
        let report = run_load(&self.client, targets, traffic, CONCURRENCY).await;
        assert!(
            report.failures.is_empty(),
            "{} update(s) failed for good, e.g. {:?}\n{}",
            report.failures.len(),
            &report.failures[..report.failures.len().min(5)],
            self.summary()
        );
        report
    }

    /// Starts `traffic` through nginx in the background and returns once `answered` updates
    /// have been answered: the moment the kill tests strike, with requests in flight.
    pub async fn load_in_background_until(
        &self,
        traffic: &Traffic,
        answered: usize,
    ) -> tokio::task::JoinHandle<LoadReport> {
        let load = {
            let (client, target, traffic) = (self.client.clone(), self.public(), traffic.clone());
            tokio::spawn(async move { run_load(&client, &[target], &traffic, CONCURRENCY).await })
        };
        let reached = self
            .api
            .try_wait_until(LOAD_DEADLINE, |r| {
                (r.delivered.len() >= answered).then_some(())
            })
            .await;
        assert!(
            reached.is_some(),
            "{answered} updates were not answered in {LOAD_DEADLINE:?}\n{}",
            self.summary()
        );
        load
    }

    /// POSTs `update` to `url` as Telegram would (with the secret) and asserts a 2xx: the
    /// webhook answers once the reply is sent, so the reply is in when this returns.
    pub async fn post(&self, url: &str, update: &serde_json::Value) {
        deliver(&self.client, url, update).await;
    }

    /// Message updates replica `replica` has handled (its `/metrics`).
    pub async fn updates_handled(&self, replica: usize) -> f64 {
        metric(
            &self.replicas[replica].metrics(&self.client).await,
            "backleg_updates_total{kind=\"message\"}",
        )
        .unwrap_or(0.0)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if std::thread::panicking() {
            for replica in &self.replicas {
                eprintln!(
                    "--- {} stderr (last 40 lines) ---\n{}",
                    replica.name,
                    replica.process.stderr_tail(40)
                );
            }
            eprintln!("--- {} ---", self.nginx.logs(30));
            eprintln!("--- redis log ---\n{}", self.redis.log_tail(20));
            eprintln!("{}", self.summary());
            eprintln!("(logs in {}, removed on exit)", self.dir.path().display());
        }
    }
}

/// The first `n` characters of `text`, with `…` when cut.
pub fn truncate(text: &str, n: usize) -> String {
    if text.chars().count() > n {
        format!("{}…", text.chars().take(n).collect::<String>())
    } else {
        text.to_owned()
    }
}
