use std::collections::{BTreeMap, HashSet};

use super::*;
use crate::domain::Tier;

/// One sample line of the exposition format.
#[derive(Debug)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

/// Parses `text` as Prometheus text exposition format 0.0.4, as strictly as our output should
/// be: every family opens with `# HELP` then `# TYPE`, its samples follow in one group, each
/// sample is `name{labels} value` or `name value` (no timestamp), no series repeats and no family
/// is empty.
fn parse(text: &str) -> Result<Vec<Sample>, String> {
    let body = text
        .strip_suffix('\n')
        .ok_or("output must end with a newline")?;
    let mut samples = Vec::new();
    let mut families = HashSet::new();
    let mut series = HashSet::new();
    // The open family: its name, type, and whether it has a sample yet.
    let mut open: Option<(String, String, bool)> = None;
    let mut help_of: Option<String> = None;
    for (number, line) in body.split('\n').enumerate() {
        let fail = |why: &str| format!("line {}: {why}: {line:?}", number + 1);
        if let Some(rest) = line.strip_prefix("# HELP ") {
            if matches!(&open, Some((_, _, false))) {
                return Err(fail("previous family has no sample"));
            }
            let (name, _help) = rest
                .split_once(' ')
                .ok_or_else(|| fail("HELP without text"))?;
            check_name(name).map_err(|why| fail(&why))?;
            if !families.insert(name.to_owned()) {
                return Err(fail("family declared twice"));
            }
            help_of = Some(name.to_owned());
            open = None;
        } else if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest
                .split_once(' ')
                .ok_or_else(|| fail("TYPE without type"))?;
            if help_of.as_deref() != Some(name) || open.is_some() {
                return Err(fail("TYPE must follow its family's HELP"));
            }
            if !["counter", "gauge", "histogram", "summary", "untyped"].contains(&kind) {
                return Err(fail("unknown type"));
            }
            open = Some((name.to_owned(), kind.to_owned(), false));
        } else if line.starts_with('#') || line.is_empty() {
            return Err(fail("we write no other comments and no blank lines"));
        } else {
            let Some((family, kind, has_sample)) = &mut open else {
                return Err(fail("sample before its family's HELP and TYPE"));
            };
            let sample = parse_sample(line).map_err(|why| fail(&why))?;
            let suffixes: &[&str] = if kind == "histogram" {
                &["_bucket", "_sum", "_count"]
            } else {
                &[""]
            };
            if !suffixes
                .iter()
                .any(|suffix| sample.name == format!("{family}{suffix}"))
            {
                return Err(fail("sample outside its family's group"));
            }
            if !series.insert((sample.name.clone(), sample.labels.clone())) {
                return Err(fail("duplicate series"));
            }
            *has_sample = true;
            samples.push(sample);
        }
    }
    match open {
        Some((_, _, true)) => Ok(samples),
        _ => Err("last family has no sample".to_owned()),
    }
}

fn check_name(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':');
    if first_ok && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':') {
        Ok(())
    } else {
        Err(format!("bad name {name:?}"))
    }
}

fn parse_sample(line: &str) -> Result<Sample, String> {
    let name_end = line.find(['{', ' ']).ok_or("no value")?;
    let name = &line[..name_end];
    check_name(name)?;
    let mut labels = BTreeMap::new();
    let mut rest = &line[name_end..];
    if let Some(mut inner) = rest.strip_prefix('{') {
        loop {
            let (label, after) = inner.split_once("=\"").ok_or("label without =\"")?;
            check_name(label)?;
            let mut value = String::new();
            let mut chars = after.char_indices();
            let end = loop {
                match chars.next().ok_or("unterminated label value")? {
                    (_, '\\') => match chars.next().ok_or("dangling backslash")?.1 {
                        '\\' => value.push('\\'),
                        '"' => value.push('"'),
                        'n' => value.push('\n'),
                        other => return Err(format!("bad escape \\{other}")),
                    },
                    (i, '"') => break i + 1,
                    (_, c) => value.push(c),
                }
            };
            if labels.insert(label.to_owned(), value).is_some() {
                return Err(format!("label {label} twice"));
            }
            let after = &after[end..];
            if let Some(next) = after.strip_prefix(',') {
                inner = next;
            } else {
                rest = after
                    .strip_prefix('}')
                    .ok_or("expected , or } after a label")?;
                break;
            }
        }
    }
    let value = rest
        .strip_prefix(' ')
        .ok_or("expected one space before the value")?;
    let value = value
        .parse()
        .map_err(|_| format!("value {value:?} is not a float"))?;
    Ok(Sample {
        name: name.to_owned(),
        labels,
        value,
    })
}

/// The value of the one series named `name` with exactly `labels`.
#[track_caller]
fn value(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> f64 {
    let want: BTreeMap<String, String> = labels
        .iter()
        .map(|&(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    let found = samples.iter().find(|s| s.name == name && s.labels == want);
    found
        .unwrap_or_else(|| panic!("no series {name} {labels:?}"))
        .value
}

fn count(samples: &[Sample], name: &str) -> usize {
    samples.iter().filter(|s| s.name == name).count()
}

fn rendered(metrics: &Metrics) -> Vec<Sample> {
    let text = metrics.render();
    parse(&text).unwrap_or_else(|why| panic!("{why}\n{text}"))
}

#[test]
fn fresh_registry_renders_every_series_at_zero() {
    let samples = rendered(&Metrics::new(&["sciatica", "exercises"]));
    assert_eq!(
        value(
            &samples,
            "backleg_build_info",
            &[("version", env!("CARGO_PKG_VERSION"))]
        ),
        1.0
    );
    assert!(value(&samples, "backleg_uptime_seconds", &[]) >= 0.0);
    let expected = [
        ("backleg_updates_total", UpdateKind::ALL.len()),
        ("backleg_replies_sent_total", 1),
        ("backleg_answers_total", 3),
        ("backleg_fallbacks_total", 1),
        (
            "backleg_red_flag_notices_total",
            NoticeTier::ALL.len() * NoticeTrigger::ALL.len(),
        ),
        ("backleg_send_failures_total", FailureClass::ALL.len()),
        ("backleg_retries_total", 1),
        ("backleg_send_budget_fallbacks_total", 1),
        (
            "backleg_reply_latency_seconds_bucket",
            LATENCY_BUCKETS.len() + 1,
        ),
        ("backleg_reply_latency_seconds_sum", 1),
        ("backleg_reply_latency_seconds_count", 1),
    ];
    for (name, n_series) in expected {
        assert_eq!(count(&samples, name), n_series, "{name}");
    }
    let zeros = samples
        .iter()
        .filter(|s| !matches!(&*s.name, "backleg_build_info" | "backleg_uptime_seconds"));
    for sample in zeros {
        assert_eq!(sample.value, 0.0, "{sample:?}");
    }
}

#[test]
fn counters_count_by_label() {
    let metrics = Metrics::new(&["sciatica", "exercises"]);
    metrics.update_received(UpdateKind::Message);
    metrics.update_received(UpdateKind::Message);
    metrics.update_received(UpdateKind::Unparseable);
    metrics.reply_sent();
    metrics.answered(Some("sciatica"));
    metrics.answered(Some("sciatica"));
    metrics.answered(None);
    metrics.red_flag_notice(NoticeTier::Emergency, NoticeTrigger::GroupWatch);
    metrics.red_flag_notice(Tier::Urgent.into(), NoticeTrigger::Check);
    metrics.send_failure(FailureClass::TooManyRequests);
    metrics.send_failure(FailureClass::Forbidden);
    metrics.retry();
    metrics.send_budget_fallback();

    let samples = rendered(&metrics);
    let updates = |kind| value(&samples, "backleg_updates_total", &[("kind", kind)]);
    assert_eq!(
        (
            updates("message"),
            updates("unparseable"),
            updates("callback_query")
        ),
        (2.0, 1.0, 0.0)
    );
    assert_eq!(value(&samples, "backleg_replies_sent_total", &[]), 1.0);
    let answers = |topic| value(&samples, "backleg_answers_total", &[("topic", topic)]);
    assert_eq!(
        (answers("sciatica"), answers("exercises"), answers("other")),
        (2.0, 0.0, 0.0)
    );
    assert_eq!(value(&samples, "backleg_fallbacks_total", &[]), 1.0);
    let notices = |tier, trigger| {
        value(
            &samples,
            "backleg_red_flag_notices_total",
            &[("tier", tier), ("trigger", trigger)],
        )
    };
    assert_eq!(notices("emergency", "group_watch"), 1.0);
    assert_eq!(notices("urgent", "check"), 1.0);
    assert_eq!(notices("urgent", "group_watch"), 0.0);
    let failures = |class| value(&samples, "backleg_send_failures_total", &[("class", class)]);
    assert_eq!(
        (failures("429"), failures("403"), failures("5xx")),
        (1.0, 1.0, 0.0)
    );
    assert_eq!(value(&samples, "backleg_retries_total", &[]), 1.0);
    assert_eq!(
        value(&samples, "backleg_send_budget_fallbacks_total", &[]),
        1.0
    );
}

#[test]
fn unknown_topic_counts_as_other() {
    let metrics = Metrics::new(&["sciatica", "sciatica", "other"]);
    metrics.answered(Some("not-a-topic"));
    metrics.answered(Some("other"));
    let samples = rendered(&metrics);
    assert_eq!(
        count(&samples, "backleg_answers_total"),
        2,
        "duplicates merged, `other` once"
    );
    assert_eq!(
        value(&samples, "backleg_answers_total", &[("topic", "other")]),
        2.0
    );
    assert_eq!(
        value(&samples, "backleg_answers_total", &[("topic", "sciatica")]),
        0.0
    );
}

#[test]
fn latency_buckets_are_cumulative_and_inf_equals_count() {
    let metrics = Metrics::new(&[]);
    let observed = [3, 5, 70, 3_000, 60_000].map(Duration::from_millis);
    for latency in observed {
        metrics.observe_latency(latency);
    }
    let samples = rendered(&metrics);
    let bucket = |le| {
        value(
            &samples,
            "backleg_reply_latency_seconds_bucket",
            &[("le", le)],
        )
    };
    // `le` is inclusive: 5 ms falls in the 0.005 bucket.
    let want = [
        ("0.005", 2.0),
        ("0.01", 2.0),
        ("0.05", 2.0),
        ("0.1", 3.0),
        ("1", 3.0),
        ("5", 4.0),
        ("30", 4.0),
    ];
    for (le, n) in want {
        assert_eq!(bucket(le), n, "le={le}");
    }
    let buckets: Vec<f64> = samples
        .iter()
        .filter(|s| s.name.ends_with("_bucket"))
        .map(|s| s.value)
        .collect();
    assert!(buckets.is_sorted(), "cumulative: {buckets:?}");
    let n_observed = observed.len() as f64;
    assert_eq!(bucket("+Inf"), n_observed);
    assert_eq!(
        value(&samples, "backleg_reply_latency_seconds_count", &[]),
        n_observed
    );
    assert_eq!(
        value(&samples, "backleg_reply_latency_seconds_sum", &[]),
        63.078
    );
}

#[test]
fn label_values_are_escaped() {
    let odd = "a\"b\\c\nd";
    let metrics = Metrics::new(&[odd]);
    metrics.answered(Some(odd));
    assert!(metrics
        .render()
        .contains(r#"backleg_answers_total{topic="a\"b\\c\nd"} 1"#));
    let samples = rendered(&metrics);
    assert_eq!(
        value(&samples, "backleg_answers_total", &[("topic", odd)]),
        1.0
    );
}

#[test]
fn checker_rejects_malformed_output() {
    let head = "# HELP x_total X.\n# TYPE x_total counter\n";
    assert!(parse(&format!("{head}x_total 1\n")).is_ok());
    let bad = [
        "x_total 1\n".to_owned(),                           // no HELP/TYPE
        format!("{head}x_total 1\nx_total 2\n"),            // duplicate series
        format!("{head}x_total one\n"),                     // not a float
        format!("{head}x_total{{a=\"1\"}} 1 1700000000\n"), // timestamp
        format!("{head}x_total{{a=\"\\t\"}} 1\n"),          // bad escape
        format!("{head}y_total 1\n"),                       // outside its family
        head.to_owned(),                                    // empty family
        format!("{head}x_total 1"),                         // no final newline
    ];
    for text in bad {
        assert!(parse(&text).is_err(), "{text:?}");
    }
}

#[test]
fn concurrent_increments_add_up() {
    const THREADS: usize = 4;
    const PER_THREAD: usize = 10_000;
    let metrics = Metrics::new(&["sciatica"]);
    std::thread::scope(|scope| {
        for _ in 0..THREADS {
            scope.spawn(|| {
                for _ in 0..PER_THREAD {
                    metrics.update_received(UpdateKind::Message);
                    metrics.answered(Some("sciatica"));
                    metrics.observe_latency(Duration::from_millis(20));
                }
            });
        }
    });
    let samples = rendered(&metrics);
    let total = (THREADS * PER_THREAD) as f64;
    assert_eq!(
        value(&samples, "backleg_updates_total", &[("kind", "message")]),
        total
    );
    assert_eq!(
        value(&samples, "backleg_answers_total", &[("topic", "sciatica")]),
        total
    );
    assert_eq!(
        value(&samples, "backleg_reply_latency_seconds_count", &[]),
        total
    );
    assert_eq!(
        value(
            &samples,
            "backleg_reply_latency_seconds_bucket",
            &[("le", "0.025")]
        ),
        total
    );
    assert_eq!(
        value(&samples, "backleg_reply_latency_seconds_sum", &[]),
        total * 20.0 / 1000.0
    );
}

#[test]
fn enums_index_their_arrays_in_order() {
    fn check<T: Copy>(all: &[T], index: impl Fn(T) -> usize) {
        assert!(all.iter().enumerate().all(|(i, &v)| index(v) == i));
    }
    check(UpdateKind::ALL, UpdateKind::index);
    check(NoticeTier::ALL, NoticeTier::index);
    check(NoticeTrigger::ALL, NoticeTrigger::index);
    check(FailureClass::ALL, FailureClass::index);
    assert_eq!(NoticeTier::from(Tier::Emergency).label(), "emergency");
    assert_eq!(NoticeTier::from(Tier::Urgent).label(), "urgent");
}

#[test]
fn metrics_is_send_and_sync() {
    fn shareable<T: Send + Sync>() {}
    shareable::<Metrics>();
}

#[test]
fn replies_count_by_kind_with_every_kind_at_zero_first() {
    let metrics = Metrics::new(&["sciatica"]);
    let samples = rendered(&metrics);
    for label in ReplyKind::LABELS {
        assert_eq!(
            value(&samples, "backleg_replies_total", &[("kind", label)]),
            0.0,
            "{label}"
        );
    }
    metrics.reply_kind(ReplyKind::Orientation);
    metrics.reply_kind(ReplyKind::Orientation);
    metrics.reply_kind(ReplyKind::Fallback);
    metrics.reply_kind(ReplyKind::UrgentCare);
    metrics.reply_kind(ReplyKind::Greeting);
    metrics.reply_kind(ReplyKind::FollowUp);
    let samples = rendered(&metrics);
    let kind = |label| value(&samples, "backleg_replies_total", &[("kind", label)]);
    assert_eq!(kind("orientation"), 2.0);
    assert_eq!(kind("fallback"), 1.0);
    assert_eq!(kind("topic"), 1.0, "the urgent-care topic is a topic");
    assert_eq!(kind("chit-chat"), 1.0);
    assert_eq!(kind("follow-up"), 1.0);
    assert_eq!(kind("out-of-scope"), 0.0);
}

#[test]
fn webhook_rejections_count_every_one_by_class() {
    let metrics = Metrics::new(&[]);
    for _ in 0..3 {
        metrics.webhook_rejected(RejectionClass::WrongSecret);
    }
    metrics.webhook_rejected(RejectionClass::NotAnUpdate);
    let samples = rendered(&metrics);
    let rejections = |class| {
        value(
            &samples,
            "backleg_webhook_rejections_total",
            &[("class", class)],
        )
    };
    assert_eq!(
        (
            rejections("wrong-secret"),
            rejections("too-large"),
            rejections("not-an-update")
        ),
        (3.0, 0.0, 1.0)
    );
    assert_eq!(
        count(&samples, "backleg_webhook_rejections_total"),
        RejectionClass::ALL.len()
    );
}

#[test]
fn tasks_alive_is_a_gauge_set_from_outside() {
    let metrics = Metrics::new(&[]);
    assert_eq!(
        value(&rendered(&metrics), "backleg_runtime_tasks_alive", &[]),
        0.0
    );
    metrics.set_tasks_alive(17);
    metrics.set_tasks_alive(9);
    assert_eq!(
        value(&rendered(&metrics), "backleg_runtime_tasks_alive", &[]),
        9.0
    );
}
