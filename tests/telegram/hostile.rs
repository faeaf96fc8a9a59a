//! A flood of bad webhook requests (issue 12): 10,000 requests with the wrong secret, a body
//! over the limit or a body that is not an update, sent concurrently. The log shows the first
//! of each class and counts the rest (a summary per class per minute), never a line each; the
//! metrics count every one; nothing of the bodies or headers reaches the log; and the bot still
//! answers a real update afterwards.

use std::sync::Arc;
use std::time::Instant;

use crate::common::bot::{Replica, SECRET};
use crate::common::fake_api::FakeApi;
use crate::common::http::{client, free_port, metric, post, post_update};
use crate::common::updates;
use crate::harness::{assert_exit_code, Harness};

const CHAT: i64 = 7301;
const MARKER: &str = "WOMBAT-MARKER-8812";
const WRONG_SECRET: usize = 6_000;
const NOT_AN_UPDATE: usize = 3_900;
const TOO_LARGE: usize = 100;
/// Requests in flight at once.
const CONCURRENCY: usize = 64;
/// Log lines the whole flood may add: a line per class, with room for the odd summary.
const MAX_FLOOD_LINES: usize = 30;

/// What one request of the flood is.
#[derive(Clone, Copy)]
enum Bad {
    WrongSecret,
    NoSecret,
    NotAnUpdate,
    TooLarge,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_10000_bad_requests_logs_a_few_lines_and_counts_every_one() {
    let api = FakeApi::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let options = Harness::default_options(dir.path());
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}/hook");
    let mut bot = Replica::spawn(&api.url, options, &url, port, dir.path(), "hostile-bot");
    let http = client();
    bot.wait_healthy(&http).await;
    let lines_before = bot.process.stderr().lines().count();

    // The flood, mixed: every worker takes the next request of a shared plan.
    let mut plan = Vec::with_capacity(10_000);
    plan.extend((0..WRONG_SECRET).map(|i| {
        if i % 2 == 0 {
            Bad::WrongSecret
        } else {
            Bad::NoSecret
        }
    }));
    plan.extend((0..NOT_AN_UPDATE).map(|_| Bad::NotAnUpdate));
    plan.extend((0..TOO_LARGE).map(|_| Bad::TooLarge));
    fastrand::shuffle(&mut plan);
    assert_eq!(plan.len(), 10_000);
    let plan = Arc::new(plan);
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let update = serde_json::to_vec(&updates::private_text(1, CHAT, MARKER)).expect("json");
    let not_an_update = format!(r#"{{"text": "{MARKER}", "first_name": "x"}}"#).into_bytes();
    let too_large = vec![b' '; (1 << 20) + 1];
    let started = Instant::now();
    let workers: Vec<_> = (0..CONCURRENCY)
        .map(|_| {
            let (plan, next, webhook, http) = (
                Arc::clone(&plan),
                Arc::clone(&next),
                bot.webhook(),
                http.clone(),
            );
            let (update, not_an_update, too_large) =
                (update.clone(), not_an_update.clone(), too_large.clone());
            tokio::spawn(async move {
                let mut statuses = Vec::new();
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(&bad) = plan.get(i) else {
                        return statuses;
                    };
                    let wrong = format!("{MARKER}-secret");
                    let (secret, body) = match bad {
                        Bad::WrongSecret => (Some(wrong.as_str()), update.clone()),
                        Bad::NoSecret => (None, update.clone()),
                        Bad::NotAnUpdate => (Some(SECRET), not_an_update.clone()),
                        Bad::TooLarge => (Some(SECRET), too_large.clone()),
                    };
                    let answer = post(&http, &webhook, secret, body)
                        .await
                        .unwrap_or_else(|e| panic!("POST the webhook: {e:?}"));
                    statuses.push(answer.status);
                }
            })
        })
        .collect();
    let mut statuses = Vec::with_capacity(10_000);
    for worker in workers {
        statuses.extend(worker.await.expect("a flood worker"));
    }
    let took = started.elapsed();
    let count = |status| statuses.iter().filter(|&&s| s == status).count();
    assert_eq!(
        (count(401), count(400), count(413)),
        (WRONG_SECRET, NOT_AN_UPDATE, TOO_LARGE),
        "every bad request refused with its status"
    );
    eprintln!("10,000 bad requests in {:.1} s", took.as_secs_f64());

    // The bot still answers, and the metrics counted every rejection, by class.
    let answer = post_update(
        &http,
        &bot.webhook(),
        Some(SECRET),
        &updates::private_text(2, CHAT, "what is sciatica"),
    )
    .await;
    assert_eq!(
        answer.status, 200,
        "a real update after the flood: {answer:?}"
    );
    assert_eq!(api.delivered_to(CHAT).len(), 1, "{}", api.dump());
    let metrics = bot.metrics(&http).await;
    let rejections = |class| {
        metric(
            &metrics,
            &format!("backleg_webhook_rejections_total{{class=\"{class}\"}}"),
        )
    };
    let counted = [
        rejections("wrong-secret"),
        rejections("not-an-update"),
        rejections("too-large"),
    ];
    assert_eq!(
        counted,
        [
            Some(WRONG_SECRET as f64),
            Some(NOT_AN_UPDATE as f64),
            Some(TOO_LARGE as f64)
        ],
        "{metrics}"
    );
    assert_eq!(counted.iter().flatten().sum::<f64>(), 10_000.0);
    assert_eq!(
        metric(&metrics, "backleg_updates_total{kind=\"message\"}"),
        Some(1.0),
        "rejected requests are not updates:\n{metrics}"
    );

    // The log: a few lines for the whole flood, the first of each class, nothing of the bodies.
    let log = bot.process.stderr();
    let flood_lines: Vec<&str> = log.lines().skip(lines_before).collect();
    let about_rejections = flood_lines
        .iter()
        .filter(|line| line.contains("rejected webhook requests"))
        .count();
    eprintln!(
        "log lines during the flood: {} ({about_rejections} about rejections)",
        flood_lines.len()
    );
    assert!(
        flood_lines.len() <= MAX_FLOOD_LINES,
        "{} log lines for the flood (at most {MAX_FLOOD_LINES}):\n{}",
        flood_lines.len(),
        flood_lines.join("\n")
    );
    for class in ["wrong-secret", "not-an-update", "too-large"] {
        assert!(
            flood_lines
                .iter()
                .any(|line| line.contains("rejected webhook requests") && line.contains(class)),
            "the first {class} rejection is logged at once:\n{}",
            flood_lines.join("\n")
        );
    }
    assert!(!log.contains(MARKER), "a body or header in the log:\n{log}");
    assert_exit_code(bot.process.stop().await, 0, &bot.process);
}
