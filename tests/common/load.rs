//! Webhook traffic the way Telegram sends it, and what came of it: `traffic` builds a mix of
//! updates with what each should get, `run_load` POSTs them (with the secret; again after a
//! connection error or a 5xx) and times each delivery, `tally` matches every reply the fake Bot
//! API received to its update. The cluster tests assert on the tally; the cluster bench prints
//! the timings.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;

use super::bot::SECRET;
use super::fake_api::Sent;
use super::http::post;
use super::updates;

/// Requests in flight at once from the load generator (Telegram opens up to `max_connections`,
/// 40 by default, per bot).
pub const CONCURRENCY: usize = 48;
/// Longest wait for a load run; a generous bound, not a performance target.
pub const LOAD_DEADLINE: Duration = Duration::from_secs(120);
/// Private questions the load rotates through (each answered in one message; the last two
/// carry red flags, so their answer has the urgent-care block too).
pub const QUESTIONS: [&str; 8] = [
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
pub const RED_FLAGS: [&str; 2] = [
    "my dad fell and now he can't feel his legs",
    "I lost control of my bladder this morning",
];
/// An unaddressed group message the bot leaves alone.
pub const SMALL_TALK: &str = "good morning everyone";

/// What an update should get.
#[derive(Debug, Clone, Copy)]
pub enum Expect {
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
pub struct Traffic {
    /// Update ids, in sending order.
    pub ids: Vec<i64>,
    /// The updates as JSON bodies.
    pub bodies: Vec<Bytes>,
    /// What each should get.
    pub expects: Vec<Expect>,
}

/// `n` updates from id `first`: 70 % private questions (a chat each), 15 % group `/ask`,
/// 10 % unaddressed red flags in 20 groups, 5 % small talk. `tag` keeps each run's groups apart.
pub fn traffic(first: i64, n: usize, tag: i64) -> Traffic {
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
pub struct Tally {
    /// Update ids never answered.
    pub missing: Vec<i64>,
    /// (update id, replies) for updates answered more than once.
    pub duplicated: Vec<(i64, usize)>,
    /// Notices per red-flag group.
    pub notices: BTreeMap<i64, usize>,
    /// Replies nothing asked for.
    pub unexpected: Vec<String>,
}

impl Tally {
    /// Red-flag groups that got no notice.
    pub fn groups_without_a_notice(&self) -> Vec<i64> {
        self.notices
            .iter()
            .filter(|(_, &n)| n == 0)
            .map(|(&g, _)| g)
            .collect()
    }

    /// Red-flag groups that got more than one notice, with their count.
    pub fn groups_with_several(&self) -> Vec<(i64, usize)> {
        self.notices
            .iter()
            .filter(|(_, &n)| n > 1)
            .map(|(&g, &n)| (g, n))
            .collect()
    }

    /// Every update answered exactly once, one notice per red-flag group, nothing else.
    #[track_caller]
    pub fn assert_exactly_once(&self, what: &str) {
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

/// Matches the messages delivered to the updates of `traffic`.
pub fn tally(traffic: &Traffic, delivered: &[Sent]) -> Tally {
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
pub struct Delivery {
    /// When its first POST was sent.
    pub first_sent: Instant,
    /// When the 2xx answer arrived.
    pub done: Instant,
    /// Latency of the POST that got the 2xx.
    pub latency: Duration,
    /// POSTs sent, the last included.
    pub attempts: u32,
}

/// A load run's figures.
pub struct LoadReport {
    /// Per update (in `Traffic` order): how it was delivered, `None` if it never was.
    pub deliveries: Vec<Option<Delivery>>,
    /// Updates given up (a 4xx, or the deadline), one line each.
    pub failures: Vec<String>,
    /// From the first POST to the last answer.
    pub elapsed: Duration,
}

impl LoadReport {
    /// Updates POSTed more than once.
    pub fn retried(&self) -> usize {
        self.deliveries
            .iter()
            .flatten()
            .filter(|d| d.attempts > 1)
            .count()
    }

    /// The `p` (0..=1) percentile of the delivery latencies.
    pub fn percentile(&self, p: f64) -> Duration {
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
}

/// POSTs one update to `target` as Telegram does: again after a connection error or a 5xx
/// (after 20 ms, where Telegram waits longer) until `deadline`, never after a 2xx or 4xx.
///
/// # Errors
/// A 4xx (with its status and body), or the deadline (with the last failure).
pub async fn post_like_telegram(
    client: &reqwest::Client,
    target: &str,
    body: Bytes,
    deadline: Instant,
) -> Result<Delivery, String> {
    let first_sent = Instant::now();
    let mut attempts = 0;
    loop {
        attempts += 1;
        let sent = Instant::now();
        let last_error = match post(client, target, Some(SECRET), body.clone()).await {
            Ok(answer) if (200..300).contains(&answer.status) => {
                let now = Instant::now();
                return Ok(Delivery {
                    first_sent,
                    done: now,
                    latency: now - sent,
                    attempts,
                });
            }
            Ok(answer) if answer.status >= 500 => {
                format!("HTTP {}: {}", answer.status, answer.body.trim())
            }
            Ok(answer) => return Err(format!("HTTP {} {}", answer.status, answer.body.trim())),
            Err(e) => format!("{e:?}"),
        };
        if Instant::now() >= deadline {
            return Err(format!(
                "gave up after {attempts} attempts; last: {last_error}"
            ));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// POSTs every update of `traffic` to `targets` (round robin by index), `concurrency` at a
/// time, as Telegram does: again after a connection error or a 5xx (after 20 ms, where
/// Telegram waits longer), never after a 2xx or 4xx.
pub async fn run_load(
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
                let outcome = post_like_telegram(&client, target, body.clone(), deadline)
                    .await
                    .map_err(|why| format!("update #{index}: {why}"));
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
