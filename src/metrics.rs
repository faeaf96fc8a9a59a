//! Counters and a latency histogram for the bot, kept in a `prometheus-client` registry and
//! rendered in the Prometheus text exposition format (version 0.0.4) for a `/metrics` endpoint.
//!
//! Privacy: counts only. No message text and no user or chat id ever becomes a label; every label
//! value comes from a fixed set (the enums below, or the topic ids given to `Metrics::new`), so
//! the number of series is bounded and known at start-up. Every series is created at start,
//! zeros included, so dashboards and alerts see them before the first update.
//!
//! The hot path is one or two relaxed atomic additions on a series created up front: no lock, no
//! allocation, no label lookup. This module does no I/O; serving `render`'s output is the web
//! edge's job.
//!
//! Prometheus text 0.0.4 rather than OpenMetrics: the web edge serves it as
//! `text/plain; version=0.0.4`, and every Prometheus scraper reads it.

use std::fmt;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::time::{Duration, Instant};

use prometheus_client::encoding::{
    prometheus_text, EncodeLabelSet, EncodeMetric, MetricEncoder, NoLabelSet,
};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::Registry;

use crate::domain::ReplyKind;

mod labels;

use labels::{
    ClassLabel, NoticeLabels, RejectionLabel, ReplyKindLabel, TopicLabel, UpdateLabel, VersionLabel,
};
pub use labels::{FailureClass, NoticeTier, NoticeTrigger, RejectionClass, UpdateKind};

/// Upper bounds (inclusive, as Prometheus' `le` says) of the reply latency buckets: from a fast
/// local answer to a send held back by flood control and retries. `+Inf` comes on top.
const LATENCY_BUCKETS: [Duration; 12] = [
    Duration::from_millis(5),
    Duration::from_millis(10),
    Duration::from_millis(25),
    Duration::from_millis(50),
    Duration::from_millis(100),
    Duration::from_millis(250),
    Duration::from_millis(500),
    Duration::from_secs(1),
    Duration::from_millis(2500),
    Duration::from_secs(5),
    Duration::from_secs(10),
    Duration::from_secs(30),
];

/// The label value of answers whose topic id was not given to `Metrics::new`.
const OTHER_TOPIC: &str = "other";

/// The bot's metrics registry. Share it as `Arc<Metrics>`; every method takes `&self`.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    // Handles on series registered in `registry` (a `Counter` clone shares its value).
    updates: [Counter; UpdateKind::COUNT],
    replies_sent: Counter,
    /// Sorted and deduplicated, so `answered` can binary-search without hashing.
    topic_ids: Box<[Box<str>]>,
    /// One per `topic_ids` entry, then one for `OTHER_TOPIC`.
    answers: Box<[Counter]>,
    fallbacks: Counter,
    /// One per `ReplyKind::LABELS` entry.
    reply_kinds: [Counter; ReplyKind::LABELS.len()],
    red_flag_notices: [[Counter; NoticeTrigger::COUNT]; NoticeTier::COUNT],
    send_failures: [Counter; FailureClass::COUNT],
    retries: Counter,
    send_budget_fallbacks: Counter,
    latency: Latency,
    webhook_rejections: [Counter; RejectionClass::COUNT],
    tasks_alive: Gauge,
}

impl Metrics {
    /// A registry with every counter at zero.
    ///
    /// `topic_ids` are the knowledge base's topic ids, the label values of
    /// `backleg_answers_total`. Duplicates are merged, and an id spelled `other` is dropped
    /// because the catch-all series already has that label value.
    #[must_use]
    pub fn new(topic_ids: &[&str]) -> Self {
        let mut ids: Vec<Box<str>> = topic_ids
            .iter()
            .filter(|&&id| id != OTHER_TOPIC)
            .map(|&id| id.into())
            .collect();
        ids.sort_unstable();
        ids.dedup();

        // Counters are registered without `_total`: the encoder appends it. Help texts without
        // the final period: the registry adds it.
        let mut r = Registry::default();
        let build_info = Family::<VersionLabel, Gauge>::default();
        build_info
            .get_or_create(&VersionLabel {
                version: env!("CARGO_PKG_VERSION"),
            })
            .set(1);
        let help = "Always 1; the label is the version of the running binary";
        r.register("backleg_build_info", help, build_info);
        let help = "Seconds since the bot started";
        r.register("backleg_uptime_seconds", help, Uptime(Instant::now()));

        let help = "Updates received from Telegram, by kind";
        let updates = family(&mut r, "backleg_updates", help);
        let updates = std::array::from_fn(|i| {
            series(
                &updates,
                UpdateLabel {
                    kind: UpdateKind::ALL[i],
                },
            )
        });
        let replies_sent = Counter::default();
        let help = "Messages the bot sent successfully";
        r.register("backleg_replies_sent", help, replies_sent.clone());

        let help =
            "Questions answered, by top topic id; \"other\": an id this registry was not given";
        let answers = family(&mut r, "backleg_answers", help);
        let answers = ids
            .iter()
            .map(|id| &**id)
            .chain([OTHER_TOPIC])
            .map(|topic| {
                series(
                    &answers,
                    TopicLabel {
                        topic: topic.to_owned(),
                    },
                )
            })
            .collect();
        let fallbacks = Counter::default();
        let help =
            "Questions no topic matched: what a moderator should add to the knowledge base next";
        r.register("backleg_fallbacks", help, fallbacks.clone());

        let help = "Questions answered, by kind of reply: a topic, the orientation (about back or leg pain, no topic specific enough), the fallback (no domain signal), out-of-scope, chit-chat or a follow-up";
        let kinds = family(&mut r, "backleg_replies", help);
        let reply_kinds = std::array::from_fn(|i| {
            series(
                &kinds,
                ReplyKindLabel {
                    kind: ReplyKind::LABELS[i],
                },
            )
        });

        let help = "Red-flag notices posted, by tier and trigger";
        let notices = family(&mut r, "backleg_red_flag_notices", help);
        let red_flag_notices = std::array::from_fn(|tier| {
            std::array::from_fn(|trigger| {
                let tier = NoticeTier::ALL[tier];
                let trigger = NoticeTrigger::ALL[trigger];
                series(&notices, NoticeLabels { tier, trigger })
            })
        });

        let help = "Bot API sends that failed (then retried or given up), by class";
        let failures = family(&mut r, "backleg_send_failures", help);
        let send_failures = std::array::from_fn(|i| {
            series(
                &failures,
                ClassLabel {
                    class: FailureClass::ALL[i],
                },
            )
        });
        let retries = Counter::default();
        r.register(
            "backleg_retries",
            "Retries of Bot API calls",
            retries.clone(),
        );

        let send_budget_fallbacks = Counter::default();
        let help =
            "Sends this replica paced alone because the budget shared through Redis did not answer";
        r.register(
            "backleg_send_budget_fallbacks",
            help,
            send_budget_fallbacks.clone(),
        );

        let help = "Webhook requests refused before any update was read, by class";
        let rejections = family(&mut r, "backleg_webhook_rejections", help);
        let webhook_rejections = std::array::from_fn(|i| {
            let class = RejectionClass::ALL[i];
            series(&rejections, RejectionLabel { class })
        });

        let tasks_alive = Gauge::default();
        let help = "Tasks alive in the async runtime when scraped (handlers, connections, timers): flat under steady load, growing means a leak";
        r.register("backleg_runtime_tasks_alive", help, tasks_alive.clone());

        let latency = Latency::default();
        let help = "Time from an update's arrival to its reply being sent";
        r.register("backleg_reply_latency_seconds", help, latency.clone());

        Self {
            registry: r,
            updates,
            replies_sent,
            topic_ids: ids.into(),
            answers,
            fallbacks,
            reply_kinds,
            red_flag_notices,
            send_failures,
            retries,
            send_budget_fallbacks,
            latency,
            webhook_rejections,
            tasks_alive,
        }
    }

    /// Counts one update received from Telegram.
    pub fn update_received(&self, kind: UpdateKind) {
        self.updates[kind.index()].inc();
    }

    /// Counts one `sendMessage` that succeeded.
    pub fn reply_sent(&self) {
        self.replies_sent.inc();
    }

    /// Counts one answered question: `Some(id)` is the top topic of the answer (ids not given to
    /// `new` count under `topic="other"`), `None` a fallback, a question no topic matched.
    pub fn answered(&self, topic: Option<&str>) {
        let Some(id) = topic else {
            self.fallbacks.inc();
            return;
        };
        let other = self.topic_ids.len();
        let slot = self
            .topic_ids
            .binary_search_by(|probe| (**probe).cmp(id))
            .unwrap_or(other);
        self.answers[slot].inc();
    }

    /// Counts one reply to a question by its kind: a topic, the orientation, the fallback, ...
    pub fn reply_kind(&self, kind: ReplyKind) {
        if let Some(slot) = ReplyKind::LABELS
            .iter()
            .position(|&label| label == kind.label())
        {
            self.reply_kinds[slot].inc();
        }
    }

    /// Counts one red-flag notice posted.
    pub fn red_flag_notice(&self, tier: NoticeTier, trigger: NoticeTrigger) {
        self.red_flag_notices[tier.index()][trigger.index()].inc();
    }

    /// Counts one failed Bot API send, whether it was retried or given up.
    pub fn send_failure(&self, class: FailureClass) {
        self.send_failures[class.index()].inc();
    }

    /// Counts one refused webhook request (every one: the log summarizes, this stays exact).
    pub fn webhook_rejected(&self, class: RejectionClass) {
        self.webhook_rejections[class.index()].inc();
    }

    /// Counts one retry of a Bot API call.
    pub fn retry(&self) {
        self.retries.inc();
    }

    /// Counts one send paced by the replica's own flood gate because the shared send budget
    /// did not answer (or was skipped just after it failed).
    pub fn send_budget_fallback(&self) {
        self.send_budget_fallbacks.inc();
    }

    /// Records the time from an update's arrival to its reply being sent.
    pub fn observe_latency(&self, latency: Duration) {
        self.latency.observe(latency);
    }

    /// Sets the runtime's alive tasks, read by the web edge just before it renders (this module
    /// knows no runtime).
    pub fn set_tasks_alive(&self, tasks: usize) {
        self.tasks_alive
            .set(i64::try_from(tasks).unwrap_or(i64::MAX));
    }

    /// Every series in the Prometheus text exposition format 0.0.4 (content type
    /// `text/plain; version=0.0.4`).
    ///
    /// Each counter is read on its own, so a render taken during updates may mix instants; that
    /// is how Prometheus client libraries behave too, and counters stay monotonic.
    #[must_use]
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(8 * 1024);
        // Writing into a `String` cannot fail, and our own metrics encode without error.
        let _ = prometheus_text::encode(&mut out, &self.registry);
        out
    }
}

/// A counter family registered under `name`, its series created by [`series`].
fn family<S>(registry: &mut Registry, name: &str, help: &str) -> Family<S, Counter>
where
    S: Clone + Eq + Hash + EncodeLabelSet + fmt::Debug + Send + Sync + 'static,
{
    let family = Family::<S, Counter>::default();
    registry.register(name, help, family.clone());
    family
}

/// Creates the series `labels` of `family` (rendered from now on, zero included) and returns a
/// handle on it, so counting needs no label lookup.
fn series<S>(family: &Family<S, Counter>, labels: S) -> Counter
where
    S: Clone + Eq + Hash,
{
    family.get_or_create(&labels).clone()
}

/// `backleg_uptime_seconds`: read when rendered.
#[derive(Debug, Clone, Copy)]
struct Uptime(Instant);

impl EncodeMetric for Uptime {
    fn encode(&self, mut encoder: MetricEncoder<'_>) -> fmt::Result {
        encoder.encode_gauge(&self.0.elapsed().as_secs_f64())
    }

    fn metric_type(&self) -> MetricType {
        MetricType::Gauge
    }
}

/// The reply latency histogram. Not `prometheus-client`'s `Histogram`, which takes a lock per
/// observation and sums seconds as floats: here an observation is two relaxed atomic adds, and
/// the sum is kept in integer nanoseconds, exact whatever the order of the adds.
#[derive(Debug, Clone, Default)]
struct Latency(Arc<LatencyCounts>);

#[derive(Debug, Default)]
struct LatencyCounts {
    /// Per-bucket (not cumulative) counts, one per `LATENCY_BUCKETS` entry, then `+Inf`. The
    /// total count is their sum, so `_count` always equals the `+Inf` bucket, even mid-update.
    buckets: [AtomicU64; LATENCY_BUCKETS.len() + 1],
    sum_nanos: AtomicU64,
}

impl Latency {
    // Relaxed ordering: each count stands alone and publishes no other memory, so only the
    // atomicity of the add matters.
    fn observe(&self, latency: Duration) {
        // The first bucket whose bound is >= latency; past the last bound is the `+Inf` slot.
        let slot = LATENCY_BUCKETS.partition_point(|&bound| bound < latency);
        self.0.buckets[slot].fetch_add(1, Relaxed);
        let nanos = u64::try_from(latency.as_nanos()).unwrap_or(u64::MAX);
        self.0.sum_nanos.fetch_add(nanos, Relaxed);
    }
}

impl EncodeMetric for Latency {
    fn encode(&self, mut encoder: MetricEncoder<'_>) -> fmt::Result {
        let bounds = LATENCY_BUCKETS
            .iter()
            .map(Duration::as_secs_f64)
            .chain([f64::INFINITY]);
        let buckets: Vec<(f64, u64)> = bounds
            .zip(self.0.buckets.iter().map(|count| count.load(Relaxed)))
            .collect();
        let count = buckets.iter().map(|&(_, n)| n).sum();
        let sum = Duration::from_nanos(self.0.sum_nanos.load(Relaxed)).as_secs_f64();
        encoder.encode_histogram::<NoLabelSet>(sum, count, &buckets, None)
    }

    fn metric_type(&self) -> MetricType {
        MetricType::Histogram
    }
}

#[cfg(test)]
mod tests;
