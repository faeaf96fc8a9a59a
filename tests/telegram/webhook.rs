//! Webhook mode, end to end: the real binary with `--webhook-url`, `--listen` and
//! `--webhook-secret` against the fake Bot API, with updates POSTed the way Telegram posts
//! them. Start-up registers the webhook (URL, secret, the four update kinds, drop-pending only
//! when asked); an update is answered before its POST is (so a replica that dies mid-update
//! leaves it unacknowledged, and Telegram delivers it again); the secret, the body size limit
//! and malformed bodies are refused without a trace of their content in the logs; `/healthz`,
//! `/readyz` and `/metrics`; SIGTERM finishes what is in flight and keeps the webhook; a reply
//! that keeps failing is answered non-2xx; polling mode serves the same GET endpoints on
//! `--metrics-listen`.

use std::collections::BTreeSet;
use std::process::ExitStatus;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tempfile::TempDir;

use crate::common::bot::{Replica, SECRET};
use crate::common::fake_api::{FakeApi, SendFailure, WAIT};
use crate::common::http::{self, client, free_port, get, metric, post, post_update, Answer};
use crate::common::updates::{self, FIRST_NAME, USERNAME};
use crate::harness::{assert_exit_code, BotOptions, Harness, SCIATICA_TITLE};

const CHAT: i64 = 7001;
const OTHER_CHAT: i64 = 7002;
const GROUP: i64 = -5001;
const USER: i64 = 7101;
const MARKER: &str = "QUOKKA-MARKER-5519";

/// One bot in webhook mode (SQLite storage in a temp dir) against its own fake Bot API.
struct Hook {
    api: FakeApi,
    bot: Replica,
    client: reqwest::Client,
    /// `--webhook-url`.
    webhook_url: String,
    _dir: TempDir,
}

impl Hook {
    async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    /// Starts with the default options (token, `--data`, `RUST_LOG=info`) adjusted by `adjust`,
    /// and waits for `/healthz`.
    async fn start_with(adjust: impl FnOnce(&mut BotOptions)) -> Self {
        let mut hook = Self::spawn_with(adjust).await;
        hook.bot.wait_healthy(&hook.client).await;
        hook
    }

    async fn spawn_with(adjust: impl FnOnce(&mut BotOptions)) -> Self {
        let api = FakeApi::start().await;
        let dir = tempfile::tempdir().expect("temp dir");
        let mut options = Harness::default_options(dir.path());
        adjust(&mut options);
        let port = free_port();
        let webhook_url = format!("http://127.0.0.1:{port}/hook");
        let bot = Replica::spawn(
            &api.url,
            options,
            &webhook_url,
            port,
            dir.path(),
            "webhook-bot",
        );
        Self {
            api,
            bot,
            client: client(),
            webhook_url,
            _dir: dir,
        }
    }

    /// POSTs an update with the right secret.
    async fn post(&self, update: &Value) -> Answer {
        post_update(&self.client, &self.bot.webhook(), Some(SECRET), update).await
    }

    /// POSTs a raw body with `secret`.
    async fn post_raw(&self, secret: Option<&str>, body: impl Into<axum::body::Bytes>) -> Answer {
        post(&self.client, &self.bot.webhook(), secret, body)
            .await
            .unwrap_or_else(|e| panic!("POST the webhook: {e:?}"))
    }

    async fn stop(&mut self) -> Option<ExitStatus> {
        self.bot.process.stop().await
    }
}

impl Drop for Hook {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!(
                "--- webhook bot stderr (last 60 lines) ---\n{}",
                self.bot.process.stderr_tail(60)
            );
            eprintln!("{}", self.api.dump());
        }
    }
}

#[track_caller]
fn assert_status(answer: &Answer, status: u16, what: &str) {
    assert_eq!(
        answer.status, status,
        "{what}: expected HTTP {status}, got {answer:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_up_registers_the_webhook_with_url_secret_and_the_four_update_kinds() {
    let mut h = Hook::start().await;
    let calls = h.api.calls();
    assert!(calls[0].is("getMe"), "getMe first\n{}", h.api.dump());
    let set: Vec<_> = calls.iter().filter(|c| c.is("setWebhook")).collect();
    assert_eq!(set.len(), 1, "one setWebhook call\n{}", h.api.dump());
    let set_at = set[0].seq;
    assert!(
        calls[..set_at].iter().any(|c| c.is("setMyCommands")),
        "the command menu before the webhook\n{}",
        h.api.dump()
    );
    let body = &set[0].body;
    assert_eq!(
        body["url"].as_str(),
        Some(h.webhook_url.as_str()),
        "setWebhook url: {body}"
    );
    assert_eq!(
        body["secret_token"].as_str(),
        Some(SECRET),
        "setWebhook secret_token: {body}"
    );
    let allowed: BTreeSet<&str> = body["allowed_updates"]
        .as_array()
        .expect("allowed_updates is a list")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(
        allowed,
        BTreeSet::from([
            "message",
            "edited_message",
            "callback_query",
            "my_chat_member"
        ]),
        "setWebhook allowed_updates: {body}"
    );
    assert_eq!(
        body["allowed_updates"].as_array().map(Vec::len),
        Some(4),
        "no kind twice: {body}"
    );
    assert!(
        body["drop_pending_updates"].is_null() || body["drop_pending_updates"] == json!(false),
        "no drop_pending_updates without --drop-pending: {body}"
    );
    assert_eq!(
        body["max_connections"].as_u64(),
        Some(40),
        "Telegram's default max_connections: {body}"
    );
    assert!(
        calls.iter().all(|c| c.authorized),
        "every call uses the token\n{}",
        h.api.dump()
    );
    assert!(
        h.api.calls_of("getUpdates").is_empty(),
        "no long polling in webhook mode\n{}",
        h.api.dump()
    );
    assert!(
        h.api.calls_of("deleteWebhook").is_empty(),
        "the webhook is not deleted at start\n{}",
        h.api.dump()
    );
    assert_exit_code(h.stop().await, 0, &h.bot.process);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drop_pending_asks_telegram_to_drop_pending_updates() {
    let mut h = Hook::start_with(|options| options.args.push("--drop-pending".to_owned())).await;
    let set = h.api.calls_of("setWebhook");
    assert_eq!(set.len(), 1, "{}", h.api.dump());
    assert_eq!(
        set[0].body["drop_pending_updates"],
        json!(true),
        "{}",
        set[0].body
    );
    assert_exit_code(h.stop().await, 0, &h.bot.process);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_update_is_answered_before_its_post_is() {
    let mut h = Hook::start().await;
    let answer = h
        .post(&updates::private_text(1, CHAT, "what is sciatica"))
        .await;
    assert_status(&answer, 200, "a private question with the right secret");
    // Read the record the moment the POST returns: the reply must already be there.
    let sent = h.api.delivered_to(CHAT);
    assert_eq!(
        sent.len(),
        1,
        "exactly one reply, sent before the webhook answered\n{}",
        h.api.dump()
    );
    assert!(
        sent[0].text().contains(SCIATICA_TITLE),
        "{}",
        sent[0].text()
    );
    assert_eq!(sent[0].reply_to(), None, "private replies do not quote");

    let answer = h
        .post(&updates::group_command(
            2,
            GROUP,
            USER,
            "/ask what is sciatica",
        ))
        .await;
    assert_status(&answer, 200, "a group /ask");
    let sent = h.api.delivered_to(GROUP);
    assert_eq!(sent.len(), 1, "{}", h.api.dump());
    assert_eq!(
        sent[0].reply_to(),
        Some(2),
        "a group reply quotes the question"
    );

    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        h.api.calls_of("sendMessage").len(),
        2,
        "nothing sent after the answers\n{}",
        h.api.dump()
    );
    assert_exit_code(h.stop().await, 0, &h.bot.process);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_or_missing_secret_is_401_and_nothing_is_sent() {
    let mut h = Hook::start().await;
    let update =
        serde_json::to_vec(&updates::private_text(1, CHAT, "what is sciatica")).expect("json");
    let mut near_miss = SECRET.to_owned();
    near_miss.pop();
    near_miss.push('X');
    for (secret, what) in [
        (None, "no secret header"),
        (Some(""), "an empty secret"),
        (Some("wrong"), "a wrong secret"),
        (
            Some(near_miss.as_str()),
            "a secret that differs in the last character",
        ),
        (Some(&SECRET[..SECRET.len() - 1]), "a prefix of the secret"),
        (
            Some(&*format!("{SECRET}x")),
            "the secret and one more character",
        ),
    ] {
        let answer = h.post_raw(secret, update.clone()).await;
        assert_status(&answer, 401, what);
    }
    // The webhook answers only once an update is handled: this one proves the bot is serving.
    assert_status(
        &h.post(&updates::private_text(2, OTHER_CHAT, "what is sciatica"))
            .await,
        200,
        "the right secret",
    );
    assert_eq!(h.api.delivered_to(OTHER_CHAT).len(), 1, "{}", h.api.dump());
    assert!(
        h.api.delivered_to(CHAT).is_empty(),
        "no reply to an unauthenticated update\n{}",
        h.api.dump()
    );
    let metrics = h.bot.metrics(&h.client).await;
    assert_eq!(
        metric(&metrics, "backleg_updates_total{kind=\"message\"}"),
        Some(1.0),
        "rejected requests are not updates:\n{metrics}"
    );
    assert_exit_code(h.stop().await, 0, &h.bot.process);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_over_1_mib_is_413() {
    let mut h = Hook::start().await;
    let mut big = updates::private_text(1, CHAT, "what is sciatica");
    big["message"]["text"] = json!("sciatica ".repeat(2 * 1024 * 1024 / 9 + 1));
    let body = serde_json::to_vec(&big).expect("json");
    assert!(body.len() > 2 * 1024 * 1024);
    assert_status(&h.post_raw(Some(SECRET), body).await, 413, "a 2 MiB body");
    // Still serving, and the big one was not answered.
    assert_status(
        &h.post(&updates::private_text(2, OTHER_CHAT, "what is sciatica"))
            .await,
        200,
        "a normal update after",
    );
    assert!(h.api.delivered_to(CHAT).is_empty(), "{}", h.api.dump());
    assert_eq!(h.api.delivered_to(OTHER_CHAT).len(), 1, "{}", h.api.dump());
    assert_exit_code(h.stop().await, 0, &h.bot.process);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_bodies_are_400_and_their_text_never_reaches_the_logs() {
    let mut h = Hook::start_with(|options| options.rust_log = Some("trace".to_owned())).await;
    let phrase = format!("{MARKER} what is sciatica");
    let truncated = format!(
        r#"{{"update_id": 7, "message": {{"message_id": 7, "date": 1700000000, "text": "{phrase}""#
    );
    for (body, what) in [
        (truncated, "truncated JSON"),
        (
            format!(r#"{{"text": "{phrase}", "first_name": "{FIRST_NAME}"}}"#),
            "JSON that is not an update",
        ),
        (
            format!(r#"{{"update_id": "{phrase}"}}"#),
            "an update id that is not a number",
        ),
        (format!("{phrase} from @{USERNAME}"), "plain text"),
        (String::new(), "an empty body"),
    ] {
        assert_status(&h.post_raw(Some(SECRET), body).await, 400, what);
    }
    // A well-formed update with a field teloxide cannot parse: acknowledged (Telegram would
    // only send it again), not answered, not logged.
    let answer = h.post(&updates::unparseable(8, CHAT, &phrase)).await;
    assert_status(&answer, 200, "an update teloxide cannot parse");
    assert_status(
        &h.post(&updates::private_text(9, OTHER_CHAT, &phrase)).await,
        200,
        "a question with the marker",
    );
    assert!(h.api.delivered_to(CHAT).is_empty(), "{}", h.api.dump());
    assert_eq!(h.api.delivered_to(OTHER_CHAT).len(), 1, "{}", h.api.dump());
    assert_exit_code(h.stop().await, 0, &h.bot.process);

    let stderr = h.bot.process.stderr();
    let stdout = h.bot.process.stdout();
    assert!(
        stderr.lines().count() > 5,
        "RUST_LOG=trace should log something:\n{stderr}"
    );
    assert!(
        stderr.contains("rejected"),
        "the rejections are logged (without their content):\n{stderr}"
    );
    for secret in [MARKER, FIRST_NAME, USERNAME, "Zorro", SECRET] {
        for (stream, output) in [("stdout", &stdout), ("stderr", &stderr)] {
            let leaks: Vec<&str> = output
                .lines()
                .filter(|line| line.contains(secret))
                .take(5)
                .collect();
            assert!(
                leaks.is_empty(),
                "{secret:?} appears in the bot's {stream} at RUST_LOG=trace:\n{}",
                leaks.join("\n")
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_readyz_and_metrics_answer_and_metrics_count_without_ids_or_text() {
    let mut h = Hook::start().await;
    let healthz = get(&h.client, &h.bot.url("/healthz"))
        .await
        .expect("GET /healthz");
    assert_status(&healthz, 200, "/healthz");
    assert_eq!(healthz.body.trim(), "ok");
    assert_status(
        &get(&h.client, &h.bot.url("/readyz"))
            .await
            .expect("GET /readyz"),
        200,
        "/readyz with SQLite storage",
    );

    let before = h.bot.metrics(&h.client).await;
    for family in [
        "backleg_updates_total",
        "backleg_replies_sent_total",
        "backleg_answers_total",
        "backleg_fallbacks_total",
        "backleg_red_flag_notices_total",
        "backleg_send_failures_total",
        "backleg_retries_total",
    ] {
        assert!(
            before.contains(&format!("# TYPE {family} counter")),
            "no counter family {family}:\n{before}"
        );
    }
    assert!(
        before.contains("# TYPE backleg_reply_latency_seconds histogram"),
        "no latency histogram:\n{before}"
    );
    assert_eq!(
        metric(&before, "backleg_updates_total{kind=\"message\"}"),
        Some(0.0),
        "{before}"
    );

    let chat = 987_654_321;
    let answer = h
        .post(&updates::private_text(
            1,
            chat,
            &format!("{MARKER} what is sciatica"),
        ))
        .await;
    assert_status(&answer, 200, "a question");
    let metrics = get(&h.client, &h.bot.url("/metrics"))
        .await
        .expect("GET /metrics");
    assert_status(&metrics, 200, "/metrics");
    assert!(
        metrics
            .content_type
            .as_deref()
            .is_some_and(|t| t.starts_with("text/plain")),
        "Prometheus text: {:?}",
        metrics.content_type
    );
    let text = &metrics.body;
    assert_eq!(
        metric(text, "backleg_updates_total{kind=\"message\"}"),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        metric(text, "backleg_replies_sent_total"),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        metric(text, "backleg_answers_total{topic=\"sciatica\"}"),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        metric(text, "backleg_reply_latency_seconds_count"),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        metric(text, "backleg_send_failures_total{class=\"5xx\"}"),
        Some(0.0),
        "{text}"
    );
    // Read from the runtime when scraped: at least the listener's own task is alive.
    assert!(
        metric(text, "backleg_runtime_tasks_alive").is_some_and(|n| n >= 1.0),
        "{text}"
    );
    for leak in [chat.to_string(), MARKER.to_owned()] {
        assert!(!text.contains(&leak), "{leak:?} in /metrics:\n{text}");
    }

    assert_status(
        &get(&h.client, &h.bot.url("/nope"))
            .await
            .expect("GET /nope"),
        404,
        "an unknown path",
    );
    assert_status(
        &get(&h.client, &h.bot.webhook())
            .await
            .expect("GET the webhook"),
        405,
        "GET on the webhook path",
    );
    assert_exit_code(h.stop().await, 0, &h.bot.process);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_finishes_the_update_in_flight_exits_0_and_keeps_the_webhook() {
    let mut h = Hook::start().await;
    h.api.delay_sends(Duration::from_millis(1500));
    let (client, url) = (h.client.clone(), h.bot.webhook());
    let in_flight = tokio::spawn(async move {
        post_update(
            &client,
            &url,
            Some(SECRET),
            &updates::private_text(1, CHAT, "what is sciatica"),
        )
        .await
    });
    h.api.wait_calls("sendMessage", 1).await;
    let stopped_at = Instant::now();
    h.bot.process.signal("TERM");
    let answer = in_flight.await.expect("the POST task");
    assert_status(&answer, 200, "the update in flight at SIGTERM");
    assert_eq!(
        h.api.delivered_to(CHAT).len(),
        1,
        "its reply was sent\n{}",
        h.api.dump()
    );
    let status = h.bot.process.wait_exit(WAIT).await;
    assert_exit_code(status, 0, &h.bot.process);
    assert!(
        stopped_at.elapsed() < Duration::from_secs(10),
        "stopping took {:?}",
        stopped_at.elapsed()
    );
    assert!(
        h.api.calls_of("deleteWebhook").is_empty(),
        "other replicas keep receiving: no deleteWebhook\n{}",
        h.api.dump()
    );
    assert!(
        get(&h.client, &h.bot.url("/healthz")).await.is_err(),
        "nothing listens after exit"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_502_is_retried_before_the_webhook_answers() {
    let mut h = Hook::start().await;
    h.api.fail_sends_to(CHAT, &[SendFailure::BadGateway]);
    let started = Instant::now();
    assert_status(
        &h.post(&updates::private_text(1, CHAT, "what is sciatica"))
            .await,
        200,
        "a reply whose first attempt got a 502",
    );
    // Over 10 s: teloxide-core sleeps 10 s after every 5xx before it returns the error
    // (net/request.rs, DELAY_ON_SERVER_ERROR). `send::with_retry` adds no backoff after a 5xx
    // and gives up after its 25 s budget, so a reply that keeps getting 5xx answers the webhook
    // 503 after about 30 s; the next test takes the same path with dropped connections (fast).
    eprintln!(
        "a reply retried once after a 502 held the webhook request for {:.1} s",
        started.elapsed().as_secs_f64()
    );
    assert_eq!(h.api.failed().len(), 1, "{}", h.api.dump());
    assert_eq!(h.api.delivered_to(CHAT).len(), 1, "{}", h.api.dump());
    let metrics = h.bot.metrics(&h.client).await;
    assert_eq!(
        metric(&metrics, "backleg_send_failures_total{class=\"5xx\"}"),
        Some(1.0),
        "{metrics}"
    );
    assert_eq!(
        metric(&metrics, "backleg_retries_total"),
        Some(1.0),
        "{metrics}"
    );
    assert_exit_code(h.stop().await, 0, &h.bot.process);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_that_keeps_failing_is_answered_503_and_a_redelivery_is_answered() {
    let mut h = Hook::start().await;
    // Every one of the MAX_ATTEMPTS (5) attempts fails: Telegram must deliver the update again.
    h.api.fail_sends_to(CHAT, &[SendFailure::DropConnection; 5]);
    let update = updates::private_text(1, CHAT, "what is sciatica");
    assert_status(
        &h.post(&update).await,
        503,
        "a reply whose every attempt lost its connection",
    );
    assert_eq!(h.api.failed().len(), 5, "five attempts\n{}", h.api.dump());
    let metrics = h.bot.metrics(&h.client).await;
    assert_eq!(
        metric(&metrics, "backleg_send_failures_total{class=\"network\"}"),
        Some(5.0),
        "{metrics}"
    );
    assert_eq!(
        metric(&metrics, "backleg_retries_total"),
        Some(4.0),
        "{metrics}"
    );
    assert!(h.api.delivered_to(CHAT).is_empty(), "{}", h.api.dump());
    assert_status(&h.post(&update).await, 200, "the redelivery");
    assert_eq!(h.api.delivered_to(CHAT).len(), 1, "{}", h.api.dump());
    assert_exit_code(h.stop().await, 0, &h.bot.process);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_red_flag_notice_whose_send_failed_is_posted_when_telegram_delivers_it_again() {
    let mut h = Hook::start().await;
    h.api
        .fail_sends_to(GROUP, &[SendFailure::DropConnection; 5]);
    let update = updates::group_text(1, GROUP, USER, "my dad fell and now he can't feel his legs");
    assert_status(
        &h.post(&update).await,
        503,
        "a red-flag notice that could not be sent",
    );
    // The cooldown was claimed for this update (its id is the claimant), so its redelivery
    // still gets the notice; another message within the cooldown does not.
    assert_status(&h.post(&update).await, 200, "the redelivery");
    assert_eq!(
        h.api.delivered_to(GROUP).len(),
        1,
        "the redelivered red flag gets its notice\n{}",
        h.api.dump()
    );
    let another = updates::group_text(2, GROUP, USER, "I also lost control of my bladder");
    assert_status(
        &h.post(&another).await,
        200,
        "another red flag within the cooldown",
    );
    assert_eq!(
        h.api.delivered_to(GROUP).len(),
        1,
        "one notice per cooldown\n{}",
        h.api.dump()
    );
    assert_exit_code(h.stop().await, 0, &h.bot.process);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chat_that_blocked_the_bot_is_acknowledged() {
    let mut h = Hook::start().await;
    h.api.block_chat(CHAT);
    // Trying again cannot help: 200, so Telegram does not deliver it again.
    assert_status(
        &h.post(&updates::private_text(1, CHAT, "what is sciatica"))
            .await,
        200,
        "a private question from a user who blocked the bot",
    );
    assert_eq!(
        h.api.failed().len(),
        1,
        "one attempt, no retries\n{}",
        h.api.dump()
    );
    assert_exit_code(h.stop().await, 0, &h.bot.process);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listen_address_in_use_exits_2_before_set_webhook() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let api = FakeApi::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let port = taken.local_addr().expect("addr").port();
    let mut bot = Replica::spawn(
        &api.url,
        Harness::default_options(dir.path()),
        &format!("http://127.0.0.1:{port}/hook"),
        port,
        dir.path(),
        "bot",
    );
    let status = bot.process.wait_exit(WAIT).await;
    assert_exit_code(status, 2, &bot.process);
    let stderr = bot.process.stderr();
    assert!(
        stderr.contains(&format!("127.0.0.1:{port}")),
        "the error names the address:\n{stderr}"
    );
    assert!(
        api.calls_of("setWebhook").is_empty(),
        "Telegram is not pointed at a port we cannot serve\n{}",
        api.dump()
    );
    drop(taken);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn polling_mode_serves_healthz_readyz_and_metrics_on_metrics_listen() {
    let port = free_port();
    let h = Harness::start_with(|options, _| {
        options
            .args
            .extend(["--metrics-listen".to_owned(), format!("127.0.0.1:{port}")])
    })
    .await;
    let client = client();
    let url = |path: &str| format!("http://127.0.0.1:{port}{path}");
    let deadline = Instant::now() + WAIT;
    while get(&client, &url("/healthz"))
        .await
        .map_or(true, |a| a.status != 200)
    {
        assert!(
            Instant::now() < deadline,
            "/healthz not served on --metrics-listen\n{}",
            h.bot.stderr_tail(40)
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_status(
        &get(&client, &url("/readyz")).await.expect("GET /readyz"),
        200,
        "/readyz in polling mode",
    );
    h.push(updates::private_text(h.uid(), CHAT, "what is sciatica"));
    h.api.wait_delivered_to(CHAT, 1).await;
    // The reply is counted once its sendMessage returns, just after the fake recorded it.
    let metrics = loop {
        let metrics = http::get(&client, &url("/metrics"))
            .await
            .expect("GET /metrics");
        assert_status(&metrics, 200, "/metrics in polling mode");
        if metric(&metrics.body, "backleg_replies_sent_total") == Some(1.0)
            || Instant::now() >= deadline
        {
            break metrics.body;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(
        metric(&metrics, "backleg_updates_total{kind=\"message\"}"),
        Some(1.0),
        "{metrics}"
    );
    assert_eq!(
        metric(&metrics, "backleg_replies_sent_total"),
        Some(1.0),
        "{metrics}"
    );
    let update = serde_json::to_vec(&updates::private_text(
        h.uid(),
        OTHER_CHAT,
        "what is sciatica",
    ))
    .expect("json");
    let hook = post(&client, &url("/hook"), Some(SECRET), update)
        .await
        .expect("POST");
    assert_status(&hook, 404, "no webhook route in polling mode");
    assert_eq!(h.finish().await.and_then(|s| s.code()), Some(0));
}
