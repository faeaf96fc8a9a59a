//! Counters and a latency histogram for the bot, rendered in the Prometheus text exposition
//! format (version 0.0.4) for a `/metrics` endpoint.
//!
//! Privacy: counts only. No message text and no user or chat id ever becomes a label; every label
//! value comes from a fixed set (the enums below, or the topic ids given to `Metrics::new`), so
//! the number of series is bounded and known at start-up. Every series is rendered from the
//! start, zeros included, so dashboards and alerts see them before the first update.
//!
//! The hot path is one or two relaxed atomic additions: no lock, no allocation. This module does
//! no I/O; serving `render`'s output is the web edge's job.

use std::fmt::{Display, Write as _};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

use crate::domain::{ReplyKind, Tier};

/// Defines a label enum: its variants, `ALL` (declaration order, which is the order of the series
/// in `render` and the index into the counter arrays) and `label` (the exported label value).
macro_rules! label_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $( $(#[$vmeta:meta])* $variant:ident => $label:literal, )+ }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $( $(#[$vmeta])* $variant, )+ }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];
            const COUNT: usize = Self::ALL.len();

            /// The label value this variant is exported under.
            pub const fn label(self) -> &'static str {
                match self { $(Self::$variant => $label,)+ }
            }

            /// Slot in the counter arrays: variants have default discriminants, 0.. in `ALL` order.
            const fn index(self) -> usize {
                self as usize
            }
        }
    };
}

label_enum! {
    /// What kind of update Telegram delivered (named after the `Update` field that carries it).
    pub enum UpdateKind {
        /// A new message.
        Message => "message",
        /// An edit of an earlier message.
        EditedMessage => "edited_message",
        /// A press of an inline button.
        CallbackQuery => "callback_query",
        /// The bot was added to, removed from or promoted in a chat.
        MyChatMember => "my_chat_member",
        /// A post in a channel.
        ChannelPost => "channel_post",
        /// An update the Bot API library could not parse.
        Unparseable => "unparseable",
        /// Any other kind.
        Other => "other",
    }
}

label_enum! {
    /// The tier of a red-flag notice; the values are the names of `domain::Tier`.
    pub enum NoticeTier {
        /// Seek help now, call the emergency number.
        Emergency => "emergency",
        /// See a doctor today.
        Urgent => "urgent",
        /// A bare or negated mention: the conditional list.
        Check => "check",
    }
}

label_enum! {
    /// What made the bot post a red-flag notice.
    pub enum NoticeTrigger {
        /// A question in a private chat.
        Private => "private",
        /// A question addressed to the bot in a group.
        GroupAddressed => "group_addressed",
        /// The red-flag watch on ordinary group messages.
        GroupWatch => "group_watch",
        /// The `/check` walk-through.
        Check => "check",
    }
}

label_enum! {
    /// Why a Bot API send failed.
    pub enum FailureClass {
        /// 429 Too Many Requests (flood control).
        TooManyRequests => "429",
        /// A 5xx answer from the Bot API.
        ServerError => "5xx",
        /// No answer at all: connection, TLS or timeout.
        Network => "network",
        /// 403 Forbidden: the bot was blocked or removed from the chat.
        Forbidden => "403",
        /// Anything else.
        Other => "other",
    }
}

impl From<Tier> for NoticeTier {
    fn from(tier: Tier) -> Self {
        match tier {
            Tier::Emergency => Self::Emergency,
            Tier::Urgent => Self::Urgent,
            Tier::Check => Self::Check,
        }
    }
}

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
    started: Instant,
    updates: [AtomicU64; UpdateKind::COUNT],
    replies_sent: AtomicU64,
    /// Sorted and deduplicated, so `answered` can binary-search without hashing.
    topic_ids: Box<[Box<str>]>,
    /// One slot per `topic_ids` entry, then one for `OTHER_TOPIC`.
    answers: Box<[AtomicU64]>,
    fallbacks: AtomicU64,
    /// One slot per `ReplyKind::LABELS` entry.
    reply_kinds: [AtomicU64; ReplyKind::LABELS.len()],
    red_flag_notices: [[AtomicU64; NoticeTrigger::COUNT]; NoticeTier::COUNT],
    send_failures: [AtomicU64; FailureClass::COUNT],
    retries: AtomicU64,
    /// Per-bucket (not cumulative) counts, one per `LATENCY_BUCKETS` entry, then `+Inf`. The
    /// total count is their sum, so `_count` always equals the `+Inf` bucket, even mid-update.
    latency_buckets: [AtomicU64; LATENCY_BUCKETS.len() + 1],
    /// Nanoseconds: integer adds are exact and atomic, unlike a float sum.
    latency_sum_nanos: AtomicU64,
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
        let answers = (0..=ids.len()).map(|_| AtomicU64::new(0)).collect();
        Self {
            started: Instant::now(),
            updates: zeros(),
            replies_sent: AtomicU64::new(0),
            topic_ids: ids.into(),
            answers,
            fallbacks: AtomicU64::new(0),
            reply_kinds: zeros(),
            red_flag_notices: [const { zeros() }; NoticeTier::COUNT],
            send_failures: zeros(),
            retries: AtomicU64::new(0),
            latency_buckets: zeros(),
            latency_sum_nanos: AtomicU64::new(0),
        }
    }

    /// Counts one update received from Telegram.
    pub fn update_received(&self, kind: UpdateKind) {
        inc(&self.updates[kind.index()]);
    }

    /// Counts one `sendMessage` that succeeded.
    pub fn reply_sent(&self) {
        inc(&self.replies_sent);
    }

    /// Counts one answered question: `Some(id)` is the top topic of the answer (ids not given to
    /// `new` count under `topic="other"`), `None` a fallback, a question no topic matched.
    pub fn answered(&self, topic: Option<&str>) {
        let Some(id) = topic else {
            inc(&self.fallbacks);
            return;
        };
        let other = self.topic_ids.len();
        let slot = self
            .topic_ids
            .binary_search_by(|probe| (**probe).cmp(id))
            .unwrap_or(other);
        inc(&self.answers[slot]);
    }

    /// Counts one reply to a question by its kind: a topic, the orientation, the fallback, ...
    pub fn reply_kind(&self, kind: ReplyKind) {
        if let Some(slot) = ReplyKind::LABELS
            .iter()
            .position(|&label| label == kind.label())
        {
            inc(&self.reply_kinds[slot]);
        }
    }

    /// Counts one red-flag notice posted.
    pub fn red_flag_notice(&self, tier: NoticeTier, trigger: NoticeTrigger) {
        inc(&self.red_flag_notices[tier.index()][trigger.index()]);
    }

    /// Counts one failed Bot API send, whether it was retried or given up.
    pub fn send_failure(&self, class: FailureClass) {
        inc(&self.send_failures[class.index()]);
    }

    /// Counts one retry of a Bot API call.
    pub fn retry(&self) {
        inc(&self.retries);
    }

    /// Records the time from an update's arrival to its reply being sent.
    pub fn observe_latency(&self, latency: Duration) {
        // The first bucket whose bound is >= latency; past the last bound is the `+Inf` slot.
        let slot = LATENCY_BUCKETS.partition_point(|&bound| bound < latency);
        inc(&self.latency_buckets[slot]);
        let nanos = u64::try_from(latency.as_nanos()).unwrap_or(u64::MAX);
        self.latency_sum_nanos.fetch_add(nanos, Relaxed);
    }

    /// Every series in the Prometheus text exposition format 0.0.4 (content type
    /// `text/plain; version=0.0.4`).
    ///
    /// Each counter is read on its own, so a render taken during updates may mix instants; that
    /// is how Prometheus client libraries behave too, and counters stay monotonic.
    #[must_use]
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(8 * 1024);
        let o = &mut out;

        let help = "Always 1; the label is the version of the running binary.";
        header(o, "backleg_build_info", "gauge", help);
        let version = [("version", env!("CARGO_PKG_VERSION"))];
        sample(o, "backleg_build_info", &version, 1);

        header(
            o,
            "backleg_uptime_seconds",
            "gauge",
            "Seconds since the bot started.",
        );
        let uptime = self.started.elapsed().as_secs_f64();
        sample(o, "backleg_uptime_seconds", &[], uptime);

        let help = "Updates received from Telegram, by kind.";
        let updates = UpdateKind::ALL
            .iter()
            .map(|&kind| (kind.label(), &self.updates[kind.index()]));
        counter_by(o, "backleg_updates_total", help, "kind", updates);

        let help = "Messages the bot sent successfully.";
        counter(o, "backleg_replies_sent_total", help, &self.replies_sent);

        let help =
            "Questions answered, by top topic id; \"other\": an id this registry was not given.";
        let topics = self.topic_ids.iter().map(|id| &**id).chain([OTHER_TOPIC]);
        let answers = topics.zip(self.answers.iter());
        counter_by(o, "backleg_answers_total", help, "topic", answers);

        let help =
            "Questions no topic matched: what a moderator should add to the knowledge base next.";
        counter(o, "backleg_fallbacks_total", help, &self.fallbacks);

        let help = "Questions answered, by kind of reply: a topic, the orientation (about back or leg pain, no topic specific enough), the fallback (no domain signal), out-of-scope, chit-chat or a follow-up.";
        let kinds = ReplyKind::LABELS
            .iter()
            .copied()
            .zip(self.reply_kinds.iter());
        counter_by(o, "backleg_replies_total", help, "kind", kinds);

        let help = "Red-flag notices posted, by tier and trigger.";
        header(o, "backleg_red_flag_notices_total", "counter", help);
        for &tier in NoticeTier::ALL {
            for &trigger in NoticeTrigger::ALL {
                let labels = [("tier", tier.label()), ("trigger", trigger.label())];
                let count = get(&self.red_flag_notices[tier.index()][trigger.index()]);
                sample(o, "backleg_red_flag_notices_total", &labels, count);
            }
        }

        let help = "Bot API sends that failed (then retried or given up), by class.";
        let failures = FailureClass::ALL
            .iter()
            .map(|&class| (class.label(), &self.send_failures[class.index()]));
        counter_by(o, "backleg_send_failures_total", help, "class", failures);

        counter(
            o,
            "backleg_retries_total",
            "Retries of Bot API calls.",
            &self.retries,
        );

        self.render_latency(o);
        out
    }

    fn render_latency(&self, o: &mut String) {
        const NAME: &str = "backleg_reply_latency_seconds";
        header(
            o,
            NAME,
            "histogram",
            "Time from an update's arrival to its reply being sent.",
        );
        let mut cumulative = 0;
        for (bound, count) in LATENCY_BUCKETS.iter().zip(&self.latency_buckets) {
            cumulative += get(count);
            // f64's `Display` is the shortest exact form without exponent: "0.005", "1", "2.5".
            let le = bound.as_secs_f64().to_string();
            sample(o, &format!("{NAME}_bucket"), &[("le", &le)], cumulative);
        }
        cumulative += get(&self.latency_buckets[LATENCY_BUCKETS.len()]);
        sample(o, &format!("{NAME}_bucket"), &[("le", "+Inf")], cumulative);
        let sum = Duration::from_nanos(get(&self.latency_sum_nanos)).as_secs_f64();
        sample(o, &format!("{NAME}_sum"), &[], sum);
        sample(o, &format!("{NAME}_count"), &[], cumulative);
    }
}

// Relaxed ordering throughout: each counter stands alone and publishes no other memory, so only
// the atomicity of the add matters.
fn inc(counter: &AtomicU64) {
    counter.fetch_add(1, Relaxed);
}

fn get(counter: &AtomicU64) -> u64 {
    counter.load(Relaxed)
}

const fn zeros<const N: usize>() -> [AtomicU64; N] {
    [const { AtomicU64::new(0) }; N]
}

/// Writes the HELP and TYPE lines of a family. `help` is ours and fixed, so it is not escaped.
fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    // `fmt::Write` into a `String` cannot fail.
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

/// Writes a counter family with a single series.
fn counter(out: &mut String, name: &str, help: &str, count: &AtomicU64) {
    header(out, name, "counter", help);
    sample(out, name, &[], get(count));
}

/// Writes a counter family with one series per value of `label`.
fn counter_by<'a>(
    out: &mut String,
    name: &str,
    help: &str,
    label: &str,
    series: impl Iterator<Item = (&'a str, &'a AtomicU64)>,
) {
    header(out, name, "counter", help);
    for (value, count) in series {
        sample(out, name, &[(label, value)], get(count));
    }
}

/// Writes one sample line: `name{label="value",...} value`.
fn sample(out: &mut String, name: &str, labels: &[(&str, &str)], value: impl Display) {
    out.push_str(name);
    if !labels.is_empty() {
        out.push('{');
        for (i, (label, value)) in labels.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(label);
            out.push_str("=\"");
            escape_label_value(out, value);
            out.push('"');
        }
        out.push('}');
    }
    // `fmt::Write` into a `String` cannot fail.
    let _ = writeln!(out, " {value}");
}

/// Escapes a label value as the format requires: backslash, double quote and newline. Ours are
/// tame, but topic ids come from knowledge-base files, which a moderator edits.
fn escape_label_value(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '\\' => out.push_str(r"\\"),
            '"' => out.push_str(r#"\""#),
            '\n' => out.push_str(r"\n"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests;
