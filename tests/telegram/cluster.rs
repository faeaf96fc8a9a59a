//! Two webhook replicas behind nginx, sharing one Redis: the production recipe of
//! `deploy/nginx/` run as shipped (only the ports substituted), against the fake Bot API.
//!
//! Each test starts everything itself on free loopback ports: the fake Bot API (in this
//! process), `redis-server`, two `backleg run` webhook replicas (same secret, same webhook
//! URL, `--storage redis://...`), and nginx built from `deploy/nginx/backleg-upstream.conf` and
//! `deploy/nginx/backleg-location.conf`. A load generator POSTs thousands of updates the way
//! Telegram does (with the secret; again after a connection error or a 5xx) and every reply is
//! matched to its update:
//!
//! - every update is answered exactly once while both replicas run;
//! - a replica killed (SIGKILL) mid-load loses nothing: nginx sends its requests in flight to
//!   the other replica, and only those may be answered twice;
//! - one red-flag notice per group across replicas (the cooldown claim is atomic in Redis), and
//!   an admin's `/redflags off` holds on both;
//! - a wrong or missing secret is refused through nginx; only the webhook is public;
//! - Redis down: both replicas keep answering and posting notices (fail open) and `/readyz`
//!   says 503; Redis back: ready again and shared state works, without restarting anything.
//!
//! Figures for BENCHMARKS.md are printed (never asserted): updates/s and reply latency for one
//! replica directly and for two behind nginx, and each replica's peak RSS.
//!
//! Ignored by default (they need `redis-server` and `nginx`; set `REDIS_SERVER` or `NGINX` to
//! other paths). Run: `cargo test --release --test telegram cluster -- --ignored --nocapture
//! --test-threads=1`.

use std::collections::{BTreeMap, HashMap};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use serde_json::Value;
use tempfile::TempDir;

use crate::fake_api::{FakeApi, Sent, TOKEN};
use crate::harness::{words, BotOptions, SCIATICA_TITLE, SEEK_HELP};
use crate::replica::{
    client, free_ports, get, metric, peak_rss_kib, post, post_update, Answer, Replica, SECRET,
};
use crate::updates;

/// Updates per load run.
const LOAD: usize = 10_000;
/// Requests in flight at once from the load generator (Telegram opens up to `max_connections`,
/// 40 by default, per bot).
const CONCURRENCY: usize = 48;
/// The public webhook path: what nginx's location serves and every replica's `--webhook-url`.
const WEBHOOK_PATH: &str = "/backleg/webhook";
/// Longer than any test: one notice per group for the whole run.
const COOLDOWN_SECONDS: &str = "3600";
/// Longest wait for a load run; a generous bound, not a performance target.
const LOAD_DEADLINE: Duration = Duration::from_secs(120);

const ADMIN: i64 = 8_100;
const MEMBER: i64 = 8_101;

/// Private questions the load rotates through (each answered in one message; the last two
/// carry red flags, so their answer has the urgent-care block too).
const QUESTIONS: [&str; 8] = [
    "what is sciatica",
    "is walking good for sciatica",
    "how long does sciatica last",
    "should I get an MRI for my back pain",
    "my leg hurts when I sit",
    "what exercises help a herniated disc",
    "I can't feel my legs and I lost control of my bladder",
    "numbness in my groin and can't pee",
];
/// Unaddressed group messages that carry a red flag.
const RED_FLAGS: [&str; 2] = [
    "my dad fell and now he can't feel his legs",
    "I lost control of my bladder this morning",
];
/// An unaddressed group message the bot leaves alone.
const SMALL_TALK: &str = "good morning everyone";

// ---- processes ------------------------------------------------------------------------------

/// A binary from `$var`, else the first of `candidates` that exists, else the bare name (PATH).
fn binary(var: &str, candidates: &[&str]) -> PathBuf {
    if let Ok(path) = std::env::var(var) {
        return PathBuf::from(path);
    }
    candidates
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            PathBuf::from(Path::new(candidates[0]).file_name().expect("a file name"))
        })
}

fn tail(path: &Path, n: usize) -> String {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| format!("({}: {e})", path.display()));
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// `redis-server` on a loopback port, no persistence; killed on drop.
struct Redis {
    child: Option<Child>,
    port: u16,
    log: PathBuf,
    dir: PathBuf,
}

impl Redis {
    fn start(port: u16, dir: &Path) -> Self {
        let mut redis = Self {
            child: None,
            port,
            log: dir.join("redis.log"),
            dir: dir.to_owned(),
        };
        redis.start_again();
        redis
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    /// Starts the server (again) on the same port and waits until it answers PING.
    fn start_again(&mut self) {
        assert!(self.child.is_none(), "redis-server is already running");
        let binary = binary(
            "REDIS_SERVER",
            &["/usr/bin/redis-server", "/usr/local/bin/redis-server"],
        );
        let child = Command::new(&binary)
            .args([
                "--port",
                &self.port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ])
            .arg("--dir")
            .arg(&self.dir)
            .arg("--logfile")
            .arg(&self.log)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while !answers_ping(self.port) {
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                panic!("redis-server exited ({status}):\n{}", tail(&self.log, 20));
            }
            assert!(
                Instant::now() < deadline,
                "redis-server did not answer on port {}:\n{}",
                self.port,
                tail(&self.log, 20)
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// SIGKILL, like a crash.
    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        assert!(
            !answers_ping(self.port),
            "redis-server still answers after SIGKILL"
        );
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Whether a server on `port` answers a raw RESP PING.
fn answers_ping(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    let mut reply = [0u8; 7];
    stream.write_all(b"PING\r\n").is_ok()
        && stream.read_exact(&mut reply).is_ok()
        && &reply == b"+PONG\r\n"
}

/// nginx (master and worker, in their own process group) with the `deploy/nginx/` snippets;
/// stopped on drop.
struct Nginx {
    child: Child,
    port: u16,
    dir: PathBuf,
}

/// The snippets as shipped, with the replicas' ports (the files say 127.0.0.1:8443 and
/// 127.0.0.1:8444) and the location path substituted, in a minimal main config whose
/// paths (pid, logs, temp files) are all inside `dir`.
fn nginx_config(dir: &Path, port: u16, replica_ports: [u16; 2], location: &str) -> String {
    let deploy = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/nginx");
    let read = |name: &str| {
        std::fs::read_to_string(deploy.join(name))
            .unwrap_or_else(|e| panic!("deploy/nginx/{name}: {e}"))
    };
    let upstream = read("backleg-upstream.conf");
    assert!(
        upstream.contains("server 127.0.0.1:8443 ") && upstream.contains("server 127.0.0.1:8444 "),
        "the upstream names 8443 and 8444:\n{upstream}"
    );
    let upstream = upstream
        .replace(
            "server 127.0.0.1:8443 ",
            &format!("server 127.0.0.1:{} ", replica_ports[0]),
        )
        .replace(
            "server 127.0.0.1:8444 ",
            &format!("server 127.0.0.1:{} ", replica_ports[1]),
        );
    let location_conf = read("backleg-location.conf");
    assert!(
        location_conf.contains("location /backleg/ {"),
        "the location is /backleg/:\n{location_conf}"
    );
    let location_conf =
        location_conf.replace("location /backleg/ {", &format!("location {location} {{"));
    let d = dir.display();
    format!(
        "worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log info;
events {{
    worker_connections 1024;
}}
http {{
    access_log {d}/access.log;
    client_body_temp_path {d}/client_body_temp;
    proxy_temp_path {d}/proxy_temp;
    fastcgi_temp_path {d}/fastcgi_temp;
    uwsgi_temp_path {d}/uwsgi_temp;
    scgi_temp_path {d}/scgi_temp;

{upstream}
    server {{
        listen 127.0.0.1:{port};

{location_conf}
        location / {{
            return 404;
        }}
    }}
}}
"
    )
}

impl Nginx {
    async fn start(dir: &Path, port: u16, replica_ports: [u16; 2]) -> Self {
        let dir = dir.join("nginx");
        std::fs::create_dir_all(&dir).expect("nginx dir");
        // Run as root, nginx's workers run as `nobody`: they must reach the temp dirs.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            for path in [dir.parent().expect("parent"), &dir] {
                let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755));
            }
        }
        let location = WEBHOOK_PATH
            .rsplit_once('/')
            .map_or("/", |(prefix, _)| prefix)
            .to_owned()
            + "/";
        let config = nginx_config(&dir, port, replica_ports, &location);
        let config_path = dir.join("nginx.conf");
        std::fs::write(&config_path, &config).expect("write nginx.conf");
        let binary = binary(
            "NGINX",
            &[
                "/usr/sbin/nginx",
                "/usr/local/sbin/nginx",
                "/usr/local/nginx/sbin/nginx",
            ],
        );
        let mut command = Command::new(&binary);
        command
            .arg("-p")
            .arg(&dir)
            .arg("-c")
            .arg(&config_path)
            .arg("-e")
            .arg(dir.join("error.log"))
            .args(["-g", "daemon off;"])
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(dir.join("stdout")).expect("nginx stdout"))
            .stderr(std::fs::File::create(dir.join("stderr")).expect("nginx stderr"))
            // Master and workers in a group of their own, so that drop stops them all.
            .process_group(0);
        let child = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        let mut nginx = Self { child, port, dir };
        let client = client();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if get(&client, &format!("http://127.0.0.1:{port}/probe"))
                .await
                .is_ok()
            {
                break;
            }
            if let Ok(Some(status)) = nginx.child.try_wait() {
                panic!(
                    "nginx exited ({status}):\n{}\n{}\nconfig:\n{config}",
                    tail(&nginx.dir.join("stderr"), 20),
                    tail(&nginx.dir.join("error.log"), 20)
                );
            }
            assert!(
                Instant::now() < deadline,
                "nginx did not answer on port {port}:\n{}",
                nginx.logs(20)
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        nginx
    }

    fn logs(&self, n: usize) -> String {
        format!(
            "nginx stderr:\n{}\nnginx error.log:\n{}",
            tail(&self.dir.join("stderr"), n),
            tail(&self.dir.join("error.log"), n)
        )
    }

    fn signal_group(&self, signal: &str) {
        let _ = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg("--")
            .arg(format!("-{}", self.child.id()))
            .stderr(Stdio::null())
            .status();
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // Fast shutdown of master and workers; SIGKILL to the whole group if that hangs.
        self.signal_group("TERM");
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.signal_group("KILL");
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---- the cluster ------------------------------------------------------------------------------

/// The fake Bot API, Redis, two replicas and nginx. Fields drop in order: nginx, the replicas,
/// Redis, the fake server, then the temp dir with the logs.
struct Cluster {
    nginx: Nginx,
    replicas: Vec<Replica>,
    redis: Redis,
    api: FakeApi,
    client: reqwest::Client,
    next_id: AtomicI64,
    dir: TempDir,
}

impl Cluster {
    async fn start() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let api = FakeApi::start().await;
        let [redis_port, nginx_port, port_a, port_b] = free_ports::<4>();
        let redis = Redis::start(redis_port, dir.path());
        let public = format!("http://127.0.0.1:{nginx_port}{WEBHOOK_PATH}");
        let client = client();
        let mut replicas = Vec::new();
        for (i, port) in [port_a, port_b].into_iter().enumerate() {
            let options = BotOptions {
                args: [
                    "--storage",
                    &redis.url(),
                    "--flood-control",
                    "off",
                    "--red-flag-cooldown",
                    COOLDOWN_SECONDS,
                ]
                .map(str::to_owned)
                .to_vec(),
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
        let nginx = Nginx::start(dir.path(), nginx_port, [port_a, port_b]).await;
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
            2,
            "each replica sets the webhook\n{}",
            cluster.summary()
        );
        cluster
    }

    /// The webhook through nginx.
    fn public(&self) -> String {
        format!("http://127.0.0.1:{}{WEBHOOK_PATH}", self.nginx.port)
    }

    fn nginx_url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.nginx.port)
    }

    /// `n` fresh update ids (also the message ids of the messages they carry).
    fn ids(&self, n: usize) -> i64 {
        self.next_id.fetch_add(n as i64, Ordering::SeqCst)
    }

    fn uid(&self) -> i64 {
        self.ids(1)
    }

    /// The fake server's record, summed up (the full dump of thousands of calls is no help).
    fn summary(&self) -> String {
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
    async fn load(&self, traffic: &Traffic, targets: &[String]) -> LoadReport {
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

    async fn updates_handled(&self, replica: usize) -> f64 {
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
            eprintln!("--- redis log ---\n{}", tail(&self.redis.log, 20));
            eprintln!("{}", self.summary());
            eprintln!("(logs in {}, removed on exit)", self.dir.path().display());
        }
    }
}

fn truncate(text: &str, n: usize) -> String {
    if text.chars().count() > n {
        format!("{}…", text.chars().take(n).collect::<String>())
    } else {
        text.to_owned()
    }
}

// ---- traffic and its replies ------------------------------------------------------------------

/// What an update should get.
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// A private question: one reply in its own chat.
    Private { chat: i64 },
    /// A group `/ask`: one reply quoting it.
    Addressed { chat: i64 },
    /// An unaddressed red flag in a group: one notice per group, quoting one of them.
    RedFlag { group: i64 },
    /// Unaddressed small talk in a group: nothing.
    Silent { chat: i64 },
}

/// Updates (as JSON bodies) and what each should get.
#[derive(Clone)]
struct Traffic {
    ids: Vec<i64>,
    bodies: Vec<Bytes>,
    expects: Vec<Expect>,
}

/// `n` updates from id `first`: 70 % private questions (a chat each), 15 % group `/ask`,
/// 10 % unaddressed red flags in 20 groups, 5 % small talk. `tag` keeps each run's groups apart.
fn traffic(first: i64, n: usize, tag: i64) -> Traffic {
    let mut traffic = Traffic {
        ids: Vec::with_capacity(n),
        bodies: Vec::with_capacity(n),
        expects: Vec::with_capacity(n),
    };
    for i in 0..n {
        let id = first + i as i64;
        let user = 10_000 + (i as i64 % 500);
        let (update, expect) = match i % 20 {
            0..=13 => {
                let chat = 1_000_000_000 + id;
                (
                    updates::private_text(id, chat, QUESTIONS[i % QUESTIONS.len()]),
                    Expect::Private { chat },
                )
            }
            14..=16 => {
                let chat = -(4_000_000 + tag * 1000 + (i as i64 % 40));
                (
                    updates::group_command(id, chat, user, &format!("/ask {}", QUESTIONS[i % 6])),
                    Expect::Addressed { chat },
                )
            }
            17 | 18 => {
                let group = -(5_000_000 + tag * 1000 + (i as i64 / 20 % 20));
                (
                    updates::group_text(id, group, user, RED_FLAGS[i % 2]),
                    Expect::RedFlag { group },
                )
            }
            _ => {
                let chat = -(4_000_000 + tag * 1000 + (i as i64 % 40));
                (
                    updates::group_text(id, chat, user, SMALL_TALK),
                    Expect::Silent { chat },
                )
            }
        };
        traffic.ids.push(id);
        traffic
            .bodies
            .push(Bytes::from(serde_json::to_vec(&update).expect("json")));
        traffic.expects.push(expect);
    }
    traffic
}

/// How the replies matched the traffic.
#[derive(Debug, Default)]
struct Tally {
    /// Update ids never answered.
    missing: Vec<i64>,
    /// (update id, replies) for updates answered more than once.
    duplicated: Vec<(i64, usize)>,
    /// Notices per red-flag group.
    notices: BTreeMap<i64, usize>,
    /// Replies nothing asked for.
    unexpected: Vec<String>,
}

impl Tally {
    fn groups_without_a_notice(&self) -> Vec<i64> {
        self.notices
            .iter()
            .filter(|(_, &n)| n == 0)
            .map(|(&g, _)| g)
            .collect()
    }

    fn groups_with_several(&self) -> Vec<(i64, usize)> {
        self.notices
            .iter()
            .filter(|(_, &n)| n > 1)
            .map(|(&g, &n)| (g, n))
            .collect()
    }

    /// Every update answered exactly once, one notice per red-flag group, nothing else.
    #[track_caller]
    fn assert_exactly_once(&self, what: &str) {
        assert!(
            self.missing.is_empty(),
            "{what}: {} update(s) never answered, e.g. {:?}",
            self.missing.len(),
            &self.missing[..self.missing.len().min(10)]
        );
        assert!(
            self.duplicated.is_empty(),
            "{what}: {} update(s) answered more than once, e.g. {:?}",
            self.duplicated.len(),
            &self.duplicated[..self.duplicated.len().min(10)]
        );
        assert!(
            self.groups_without_a_notice().is_empty(),
            "{what}: red-flag groups without a notice: {:?}",
            self.groups_without_a_notice()
        );
        assert!(
            self.groups_with_several().is_empty(),
            "{what}: red-flag groups with more than one notice: {:?}",
            self.groups_with_several()
        );
        assert!(
            self.unexpected.is_empty(),
            "{what}: replies nothing asked for: {:?}",
            &self.unexpected[..self.unexpected.len().min(10)]
        );
    }
}

fn tally(traffic: &Traffic, delivered: &[Sent]) -> Tally {
    let mut by_chat: HashMap<i64, usize> = HashMap::new();
    let mut by_quote: HashMap<(i64, i64), usize> = HashMap::new();
    for sent in delivered {
        *by_chat.entry(sent.chat_id()).or_default() += 1;
        if let Some(quoted) = sent.reply_to() {
            *by_quote.entry((sent.chat_id(), quoted)).or_default() += 1;
        }
    }
    let mut result = Tally::default();
    let mut group_replies: HashMap<i64, usize> = HashMap::new();
    for (&id, expect) in traffic.ids.iter().zip(&traffic.expects) {
        let replies = match *expect {
            Expect::Private { chat } => by_chat.get(&chat).copied().unwrap_or(0),
            Expect::Addressed { chat } => {
                *group_replies.entry(chat).or_default() +=
                    by_quote.get(&(chat, id)).copied().unwrap_or(0);
                by_quote.get(&(chat, id)).copied().unwrap_or(0)
            }
            Expect::RedFlag { group } => {
                let notices = by_quote.get(&(group, id)).copied().unwrap_or(0);
                *result.notices.entry(group).or_default() += notices;
                *group_replies.entry(group).or_default() += notices;
                continue;
            }
            Expect::Silent { chat } => {
                if let Some(n) = by_quote.get(&(chat, id)) {
                    result
                        .unexpected
                        .push(format!("{n} reply(ies) to small talk {id} in {chat}"));
                }
                continue;
            }
        };
        match replies {
            0 => result.missing.push(id),
            1 => {}
            n => result.duplicated.push((id, n)),
        }
    }
    // Group messages that quote nothing of this traffic (or nothing at all).
    for (group, replies) in group_replies {
        let all = by_chat.get(&group).copied().unwrap_or(0);
        if all != replies {
            result.unexpected.push(format!(
                "{} message(s) in group {group} that answer none of its updates",
                all - replies
            ));
        }
    }
    result
}

/// What happened to one update in a load run.
#[derive(Debug, Clone)]
struct Delivery {
    /// When its first POST was sent.
    first_sent: Instant,
    /// When the 2xx answer arrived.
    done: Instant,
    /// Latency of the POST that got the 2xx.
    latency: Duration,
    /// POSTs sent, the last included.
    attempts: u32,
}

/// A load run's figures.
struct LoadReport {
    deliveries: Vec<Option<Delivery>>,
    failures: Vec<String>,
    elapsed: Duration,
}

impl LoadReport {
    fn retried(&self) -> usize {
        self.deliveries
            .iter()
            .flatten()
            .filter(|d| d.attempts > 1)
            .count()
    }

    fn percentile(&self, p: f64) -> Duration {
        let mut latencies: Vec<Duration> = self
            .deliveries
            .iter()
            .flatten()
            .map(|d| d.latency)
            .collect();
        latencies.sort_unstable();
        if latencies.is_empty() {
            return Duration::ZERO;
        }
        latencies[((latencies.len() - 1) as f64 * p).round() as usize]
    }

    fn print(&self, what: &str) {
        let n = self.deliveries.iter().flatten().count();
        eprintln!(
            "BENCH {what}: {n} updates in {:.2} s = {:.0} updates/s; latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; {} update(s) POSTed more than once; concurrency {CONCURRENCY}",
            self.elapsed.as_secs_f64(),
            n as f64 / self.elapsed.as_secs_f64(),
            self.percentile(0.5).as_secs_f64() * 1000.0,
            self.percentile(0.99).as_secs_f64() * 1000.0,
            self.percentile(1.0).as_secs_f64() * 1000.0,
            self.retried(),
        );
    }
}

/// POSTs every update of `traffic` to `targets` (round robin by index), `concurrency` at a
/// time, as Telegram does: again after a connection error or a 5xx (after 20 ms, where
/// Telegram waits longer), never after a 2xx or 4xx.
async fn run_load(
    client: &reqwest::Client,
    targets: &[String],
    traffic: &Traffic,
    concurrency: usize,
) -> LoadReport {
    let bodies = Arc::new(traffic.bodies.clone());
    let targets = Arc::new(targets.to_vec());
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let deadline = started + LOAD_DEADLINE;
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (client, bodies, targets, next) = (
            client.clone(),
            Arc::clone(&bodies),
            Arc::clone(&targets),
            Arc::clone(&next),
        );
        workers.push(tokio::spawn(async move {
            let mut done: Vec<(usize, Result<Delivery, String>)> = Vec::new();
            loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some(body) = bodies.get(index) else { break };
                let target = &targets[index % targets.len()];
                let first_sent = Instant::now();
                let mut attempts = 0;
                let outcome = loop {
                    attempts += 1;
                    let sent = Instant::now();
                    let last_error = match post(&client, target, Some(SECRET), body.clone()).await {
                        Ok(answer) if (200..300).contains(&answer.status) => {
                            let now = Instant::now();
                            break Ok(Delivery { first_sent, done: now, latency: now - sent, attempts });
                        }
                        Ok(answer) if answer.status >= 500 => format!("HTTP {}: {}", answer.status, answer.body.trim()),
                        Ok(answer) => break Err(format!("update #{index}: HTTP {} {}", answer.status, answer.body.trim())),
                        Err(e) => format!("{e:?}"),
                    };
                    if Instant::now() >= deadline {
                        break Err(format!("update #{index}: gave up after {attempts} attempts; last: {last_error}"));
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                };
                done.push((index, outcome));
            }
            done
        }));
    }
    let mut deliveries = vec![None; traffic.bodies.len()];
    let mut failures = Vec::new();
    for worker in workers {
        for (index, outcome) in worker.await.expect("a load worker") {
            match outcome {
                Ok(delivery) => deliveries[index] = Some(delivery),
                Err(failure) => failures.push(failure),
            }
        }
    }
    LoadReport {
        deliveries,
        failures,
        elapsed: started.elapsed(),
    }
}

fn print_rss(cluster: &Cluster, when: &str) {
    for replica in &cluster.replicas {
        match peak_rss_kib(replica.process.pid()) {
            Some(kib) => eprintln!(
                "BENCH peak RSS (VmHWM) of {} {when}: {:.1} MiB",
                replica.name,
                kib as f64 / 1024.0
            ),
            None => eprintln!("BENCH peak RSS of {} {when}: not available", replica.name),
        }
    }
}

// ---- helpers for single updates -----------------------------------------------------------------

/// POSTs an update and asserts the answer is 2xx.
async fn deliver(client: &reqwest::Client, url: &str, update: &Value) {
    let answer = post_update(client, url, Some(SECRET), update).await;
    assert!(
        (200..300).contains(&answer.status),
        "POST {url}: {answer:?}"
    );
}

/// Messages delivered to `chat` quoting message `id`.
fn replies_to(api: &FakeApi, chat: i64, id: i64) -> Vec<Sent> {
    api.delivered_to(chat)
        .into_iter()
        .filter(|s| s.reply_to() == Some(id))
        .collect()
}

/// A group command through `url`; returns the bot's reply (the POST answers after it is sent).
async fn command(c: &Cluster, url: &str, chat: i64, user: i64, text: &str) -> String {
    let id = c.uid();
    deliver(
        &c.client,
        url,
        &updates::group_command(id, chat, user, text),
    )
    .await;
    let replies = replies_to(&c.api, chat, id);
    assert_eq!(
        replies.len(),
        1,
        "one reply to {text:?} ({id}) via {url}\n{}",
        c.summary()
    );
    replies[0].text().to_owned()
}

#[track_caller]
fn assert_says(reply: &str, word: &str) {
    assert!(
        words(reply).iter().any(|w| w == word),
        "the reply should say {word:?}: {reply}"
    );
}

/// Posts red-flag messages to each group, alternating between the replicas (directly, so both
/// see some), all at once; returns their ids per group.
async fn red_flags_across_replicas(
    c: &Cluster,
    groups: &[i64],
    per_group: usize,
) -> HashMap<i64, Vec<i64>> {
    let mut ids: HashMap<i64, Vec<i64>> = HashMap::new();
    let mut posts = Vec::new();
    for &group in groups {
        for k in 0..per_group {
            let id = c.uid();
            ids.entry(group).or_default().push(id);
            let url = c.replicas[k % 2].webhook();
            let update = updates::group_text(id, group, MEMBER + k as i64, RED_FLAGS[k % 2]);
            let client = c.client.clone();
            posts.push(tokio::spawn(async move {
                (post_update(&client, &url, Some(SECRET), &update).await, url)
            }));
        }
    }
    for post in posts {
        let (answer, url) = post.await.expect("a POST task");
        assert!(
            (200..300).contains(&answer.status),
            "POST {url}: {answer:?}"
        );
    }
    ids
}

/// Notices in `group` (messages quoting one of `ids`); asserts nothing else was sent there.
fn notices(api: &FakeApi, group: i64, ids: &[i64]) -> Vec<Sent> {
    let all = api.delivered_to(group);
    let notices: Vec<Sent> = all
        .iter()
        .filter(|s| s.reply_to().is_some_and(|r| ids.contains(&r)))
        .cloned()
        .collect();
    assert_eq!(
        notices.len(),
        all.len(),
        "group {group} got messages that are not red-flag notices: {:?}",
        all.iter().map(Sent::text).collect::<Vec<_>>()
    );
    for notice in &notices {
        assert!(
            notice.text().contains(SEEK_HELP),
            "a red-flag notice: {}",
            notice.text()
        );
    }
    notices
}

// ---- the tests ------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs redis-server and nginx; .ci/run installs them and runs these with --ignored"]
async fn cluster_answers_every_update_exactly_once_and_prints_figures() {
    let c = Cluster::start().await;

    // Warm-up through nginx (connections, allocator, Redis), checked like the rest.
    let warm_up = traffic(c.ids(300), 300, 0);
    c.load(&warm_up, &[c.public()]).await;

    let direct = traffic(c.ids(LOAD), LOAD, 1);
    let report = c.load(&direct, &[c.replicas[0].webhook()]).await;
    report.print("webhook, 1 replica directly (Redis storage)");
    print_rss(&c, "after the 1-replica run");

    let before = [c.updates_handled(0).await, c.updates_handled(1).await];
    let balanced = traffic(c.ids(LOAD), LOAD, 2);
    let report = c.load(&balanced, &[c.public()]).await;
    report.print("webhook, 2 replicas behind nginx (Redis storage)");
    print_rss(&c, "after the 2-replica run");

    let delivered = c.api.delivered();
    for (run, what) in [
        (&warm_up, "warm-up"),
        (&direct, "one replica directly"),
        (&balanced, "two replicas behind nginx"),
    ] {
        tally(run, &delivered).assert_exactly_once(what);
    }
    // nginx spreads the load: both replicas handled a fair share.
    let shares = [
        c.updates_handled(0).await - before[0],
        c.updates_handled(1).await - before[1],
    ];
    eprintln!(
        "updates handled behind nginx: replica-1 {}, replica-2 {}",
        shares[0], shares[1]
    );
    assert_eq!(
        shares[0] + shares[1],
        LOAD as f64,
        "every update handled once by one replica"
    );
    assert!(
        shares.iter().all(|&s| s >= LOAD as f64 * 0.2),
        "both replicas take part: {shares:?}"
    );
    assert!(c.api.failed().is_empty(), "{}", c.summary());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs redis-server and nginx; .ci/run installs them and runs these with --ignored"]
async fn killing_a_replica_mid_load_loses_no_update() {
    let mut c = Cluster::start().await;
    let run = traffic(c.ids(LOAD), LOAD, 3);
    let load = {
        let (client, target, run) = (c.client.clone(), c.public(), run.clone());
        tokio::spawn(async move { run_load(&client, &[target], &run, CONCURRENCY).await })
    };
    // Kill replica 2 once a third of the load is answered: it has requests in flight.
    let third = c
        .api
        .try_wait_until(LOAD_DEADLINE, |r| {
            (r.delivered.len() >= LOAD / 3).then_some(())
        })
        .await;
    assert!(
        third.is_some(),
        "a third of the load was not answered in {LOAD_DEADLINE:?}\n{}",
        c.summary()
    );
    let handled_by_victim = c.updates_handled(1).await;
    let kill_from = Instant::now();
    c.replicas[1].process.signal("KILL");
    let kill_to = Instant::now();
    let report = load.await.expect("the load task");
    assert!(
        report.failures.is_empty(),
        "updates given up: {:?}\n{}",
        &report.failures[..report.failures.len().min(5)],
        c.summary()
    );
    report.print("webhook, 2 replicas behind nginx, one SIGKILLed a third of the way");
    // nginx sent the killed replica's requests to the other one (`non_idempotent`): Telegram
    // would have seen no error at all.
    assert_eq!(report.retried(), 0, "updates nginx answered 5xx or dropped during the kill (Telegram would deliver them again later)");
    let status = c.replicas[1]
        .process
        .wait_exit(Duration::from_secs(5))
        .await;
    assert!(
        status.is_some_and(|s| s.code().is_none()),
        "replica-2 was killed: {status:?}"
    );
    assert!(
        handled_by_victim > 0.0,
        "replica-2 took part before the kill"
    );

    let delivered = c.api.delivered();
    let result = tally(&run, &delivered);
    assert!(
        result.missing.is_empty(),
        "{} update(s) lost with the killed replica, e.g. {:?}\n{}",
        result.missing.len(),
        &result.missing[..result.missing.len().min(10)],
        c.summary()
    );
    assert!(result.unexpected.is_empty(), "{:?}", result.unexpected);
    // Twice only what was in flight at the kill: at most one per concurrent request, and only
    // updates whose POST began before the kill and ended after it.
    eprintln!(
        "updates answered twice (in flight on the killed replica): {}",
        result.duplicated.len()
    );
    assert!(
        result.duplicated.len() <= CONCURRENCY,
        "{} duplicates for {CONCURRENCY} requests in flight: {:?}",
        result.duplicated.len(),
        result.duplicated
    );
    let index_of: HashMap<i64, usize> =
        run.ids.iter().enumerate().map(|(i, &id)| (id, i)).collect();
    for &(id, n) in &result.duplicated {
        assert_eq!(n, 2, "update {id} answered {n} times");
        let delivery = report.deliveries[index_of[&id]]
            .as_ref()
            .expect("delivered");
        assert!(
            delivery.first_sent <= kill_to && delivery.done >= kill_from,
            "update {id} answered twice but was not in flight at the kill: {delivery:?}"
        );
    }
    // A red-flag notice is never posted twice. (One may be missing: see the report on the
    // cooldown claimed before a notice is sent.)
    assert!(
        result.groups_with_several().is_empty(),
        "{:?}",
        result.groups_with_several()
    );
    if !result.groups_without_a_notice().is_empty() {
        eprintln!(
            "red-flag groups left without a notice by the kill: {:?}",
            result.groups_without_a_notice()
        );
    }

    // With one replica down, nginx keeps sending everything to the other: exactly once.
    let after = traffic(c.ids(600), 600, 4);
    let report = c.load(&after, &[c.public()]).await;
    report.print("webhook, 1 of 2 replicas left behind nginx");
    tally(&after, &c.api.delivered()).assert_exactly_once("after the kill");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs redis-server and nginx; .ci/run installs them and runs these with --ignored"]
async fn red_flag_cooldown_and_watch_setting_hold_across_replicas() {
    let c = Cluster::start().await;

    // Many red flags per group at once, half on each replica: one notice per group.
    let groups: Vec<i64> = (0..8).map(|g| -6_000_000 - g).collect();
    let ids = red_flags_across_replicas(&c, &groups, 6).await;
    for &group in &groups {
        assert_eq!(
            notices(&c.api, group, &ids[&group]).len(),
            1,
            "one notice in group {group} for 6 red flags on 2 replicas\n{}",
            c.summary()
        );
    }
    // The same through nginx.
    let mut through_nginx: HashMap<i64, Vec<i64>> = HashMap::new();
    let mut posts = Vec::new();
    for g in 0..4 {
        let group = -6_100_000 - g;
        for k in 0..6 {
            let id = c.uid();
            through_nginx.entry(group).or_default().push(id);
            let (client, url, update) = (
                c.client.clone(),
                c.public(),
                updates::group_text(id, group, MEMBER, RED_FLAGS[k % 2]),
            );
            posts.push(tokio::spawn(async move {
                deliver(&client, &url, &update).await
            }));
        }
    }
    for post in posts {
        post.await.expect("a POST task");
    }
    for (group, ids) in &through_nginx {
        assert_eq!(
            notices(&c.api, *group, ids).len(),
            1,
            "one notice in group {group} through nginx\n{}",
            c.summary()
        );
    }

    // An admin turns the watch off through nginx; neither replica posts a notice after that.
    let group = -6_200_000;
    c.api.set_member_status(group, ADMIN, "administrator");
    assert_says(
        &command(&c, &c.public(), group, ADMIN, "/redflags off").await,
        "off",
    );
    let mut red = Vec::new();
    for k in 0..6 {
        let id = c.uid();
        red.push(id);
        deliver(
            &c.client,
            &c.replicas[k % 2].webhook(),
            &updates::group_text(id, group, MEMBER, RED_FLAGS[k % 2]),
        )
        .await;
    }
    for id in &red {
        assert!(
            replies_to(&c.api, group, *id).is_empty(),
            "a notice for {id} with the watch off\n{}",
            c.summary()
        );
    }
    for replica in &c.replicas {
        assert_says(
            &command(&c, &replica.webhook(), group, MEMBER, "/redflags").await,
            "off",
        );
    }
    // A member cannot turn it back on; the admin can, on the other replica, and it holds on both.
    let refusal = command(&c, &c.replicas[1].webhook(), group, MEMBER, "/redflags on").await;
    assert!(refusal.to_lowercase().contains("admin"), "{refusal}");
    assert_says(
        &command(&c, &c.replicas[0].webhook(), group, MEMBER, "/redflags").await,
        "off",
    );
    assert_says(
        &command(&c, &c.replicas[1].webhook(), group, ADMIN, "/redflags on").await,
        "on",
    );
    let id = c.uid();
    deliver(
        &c.client,
        &c.replicas[0].webhook(),
        &updates::group_text(id, group, MEMBER, RED_FLAGS[0]),
    )
    .await;
    assert_eq!(
        replies_to(&c.api, group, id).len(),
        1,
        "the watch is on again on the other replica\n{}",
        c.summary()
    );
    assert!(c.api.failed().is_empty(), "{}", c.summary());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs redis-server and nginx; .ci/run installs them and runs these with --ignored"]
async fn only_the_webhook_is_public_and_it_wants_the_secret() {
    let c = Cluster::start().await;
    let chat = 1_500_000_001;
    let update = serde_json::to_vec(&updates::private_text(c.uid(), chat, "what is sciatica"))
        .expect("json");
    for (secret, what) in [
        (None, "no secret"),
        (Some("wrong"), "a wrong secret"),
        (Some(""), "an empty secret"),
    ] {
        let answer = post(&c.client, &c.public(), secret, update.clone())
            .await
            .expect("POST through nginx");
        assert_eq!(answer.status, 401, "{what} through nginx: {answer:?}");
    }
    let big = vec![b' '; 2 << 20];
    let answer = post(&c.client, &c.public(), Some(SECRET), big)
        .await
        .expect("POST 2 MiB through nginx");
    assert_eq!(answer.status, 413, "a 2 MiB body through nginx: {answer:?}");
    let get_hook = get(&c.client, &c.public()).await.expect("GET the webhook");
    assert_eq!(get_hook.status, 403, "only POST: {get_hook:?}");

    let other = 1_500_000_002;
    deliver(
        &c.client,
        &c.public(),
        &updates::private_text(c.uid(), other, "what is sciatica"),
    )
    .await;
    assert_eq!(c.api.delivered_to(other).len(), 1, "{}", c.summary());
    assert!(
        c.api.delivered_to(chat).is_empty(),
        "no reply without the secret\n{}",
        c.summary()
    );
    assert!(c.api.delivered_to(other)[0].text().contains(SCIATICA_TITLE));

    // Health and metrics are on the replicas' own ports, not through nginx.
    for path in ["/healthz", "/readyz", "/metrics"] {
        let answer: Answer = get(&c.client, &c.nginx_url(path))
            .await
            .expect("GET through nginx");
        assert_eq!(answer.status, 404, "{path} is not public: {answer:?}");
        for replica in &c.replicas {
            let direct = get(&c.client, &replica.url(path))
                .await
                .expect("GET on the replica");
            assert_eq!(direct.status, 200, "{path} on {}: {direct:?}", replica.name);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs redis-server and nginx; .ci/run installs them and runs these with --ignored"]
async fn redis_outage_fails_open_and_recovers_without_restarting_the_replicas() {
    let mut c = Cluster::start().await;
    c.redis.kill();
    for replica in &c.replicas {
        let took = replica
            .wait_readyz(&c.client, 503, Duration::from_secs(5))
            .await;
        assert!(
            took.is_some(),
            "{} still ready with Redis down",
            replica.name
        );
    }

    // Down: private questions through nginx are answered, once each.
    let run = traffic(c.ids(200), 200, 5);
    let private: Vec<usize> = (0..run.ids.len())
        .filter(|&i| {
            matches!(
                run.expects[i],
                Expect::Private { .. } | Expect::Addressed { .. }
            )
        })
        .collect();
    let questions = Traffic {
        ids: private.iter().map(|&i| run.ids[i]).collect(),
        bodies: private.iter().map(|&i| run.bodies[i].clone()).collect(),
        expects: private.iter().map(|&i| run.expects[i]).collect(),
    };
    c.load(&questions, &[c.public()]).await;
    tally(&questions, &c.api.delivered()).assert_exactly_once("questions while Redis is down");
    // ... and every red flag gets its notice on either replica: neither the watch setting nor
    // the cooldown can be read, so the notice is posted (fail open).
    let groups: Vec<i64> = (0..3).map(|g| -7_000_000 - g).collect();
    let ids = red_flags_across_replicas(&c, &groups, 4).await;
    for &group in &groups {
        assert_eq!(
            notices(&c.api, group, &ids[&group]).len(),
            4,
            "every red flag noticed in group {group} while Redis is down\n{}",
            c.summary()
        );
    }
    for replica in &c.replicas {
        assert_eq!(
            replica.readyz(&c.client).await,
            503,
            "{} still not ready",
            replica.name
        );
        assert!(
            replica.process.stderr().contains("posting anyway"),
            "{} logs the fail-open",
            replica.name
        );
    }

    // Back on the same port: ready again within seconds, shared state works again.
    c.redis.start_again();
    for replica in &c.replicas {
        let took = replica
            .wait_readyz(&c.client, 200, Duration::from_secs(10))
            .await;
        eprintln!(
            "{} ready again after Redis restarted: {took:?}",
            replica.name
        );
        assert!(
            took.is_some(),
            "{} not ready 10 s after Redis came back",
            replica.name
        );
    }
    let group = -7_100_000;
    c.api.set_member_status(group, ADMIN, "administrator");
    assert_says(
        &command(&c, &c.replicas[0].webhook(), group, ADMIN, "/redflags off").await,
        "off",
    );
    let id = c.uid();
    deliver(
        &c.client,
        &c.replicas[1].webhook(),
        &updates::group_text(id, group, MEMBER, RED_FLAGS[0]),
    )
    .await;
    assert!(
        replies_to(&c.api, group, id).is_empty(),
        "the watch turned off on replica-1 holds on replica-2\n{}",
        c.summary()
    );
    let cooled = -7_200_000;
    let ids = red_flags_across_replicas(&c, &[cooled], 4).await;
    assert_eq!(
        notices(&c.api, cooled, &ids[&cooled]).len(),
        1,
        "the cooldown is shared again\n{}",
        c.summary()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs redis-server and nginx; .ci/run installs them and runs these with --ignored"]
async fn the_full_server_example_passes_nginx_t() {
    // deploy/nginx/backleg.conf as shipped, with a throwaway certificate, its includes pointed
    // at deploy/nginx/ and its log in the temp dir: `nginx -t` must accept it.
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    let cert = d.join("fullchain.pem");
    let key = d.join("privkey.pem");
    let openssl = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=bot.example.org",
            "-keyout",
        ])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if !openssl.is_ok_and(|s| s.success()) {
        eprintln!("openssl is not available: the TLS example is not checked");
        return;
    }
    let deploy = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/nginx");
    let example =
        std::fs::read_to_string(deploy.join("backleg.conf")).expect("deploy/nginx/backleg.conf");
    let [port] = free_ports::<1>();
    let site = example
        .replace("/etc/nginx/snippets/", &format!("{}/", deploy.display()))
        .replace(
            "/etc/letsencrypt/live/bot.example.org/fullchain.pem",
            &cert.display().to_string(),
        )
        .replace(
            "/etc/letsencrypt/live/bot.example.org/privkey.pem",
            &key.display().to_string(),
        )
        .replace("/var/log/nginx/", &format!("{}/", d.display()))
        .replace("listen 443 ssl;", &format!("listen 127.0.0.1:{port} ssl;"))
        .replace("listen [::]:443 ssl;", "");
    let directives: Vec<&str> = site
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .collect();
    assert!(
        !directives
            .iter()
            .any(|l| l.contains("/etc/") || l.contains("/var/")),
        "every system path substituted:\n{site}"
    );
    std::fs::write(d.join("backleg.conf"), &site).expect("write the site");
    let main = format!(
        "pid {d}/nginx.pid;\nerror_log {d}/error.log;\nevents {{}}\nhttp {{\n    client_body_temp_path {d}/client_body_temp;\n    proxy_temp_path {d}/proxy_temp;\n    fastcgi_temp_path {d}/fastcgi_temp;\n    uwsgi_temp_path {d}/uwsgi_temp;\n    scgi_temp_path {d}/scgi_temp;\n    include {d}/backleg.conf;\n}}\n",
        d = d.display()
    );
    std::fs::write(d.join("nginx.conf"), main).expect("write nginx.conf");
    let binary = binary(
        "NGINX",
        &[
            "/usr/sbin/nginx",
            "/usr/local/sbin/nginx",
            "/usr/local/nginx/sbin/nginx",
        ],
    );
    let output = Command::new(&binary)
        .arg("-t")
        .arg("-p")
        .arg(d)
        .arg("-c")
        .arg(d.join("nginx.conf"))
        .arg("-e")
        .arg(d.join("error.log"))
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", binary.display()));
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "nginx -t refuses deploy/nginx/backleg.conf:\n{said}\n{site}"
    );
}
