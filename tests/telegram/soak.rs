//! The soak run (issue 12): one webhook replica on Redis, driven for minutes (`SOAK_SECS`,
//! 180 s by default; longer by hand) with a steady mix of what Telegram sends and what goes
//! wrong around it, every piece checked at the end:
//!
//! - private questions, each in a chat of its own, some then edited (the edit is answered too);
//! - topic buttons and forged button data under the bot's answers;
//! - group chatter in groups of their own: small talk, an `/ask`, two red flags (one notice);
//! - a user who blocked the bot (403: one attempt, no retry);
//! - webhook requests Telegram never sends (wrong secret, not an update, over 1 MiB);
//! - from the fake Bot API, one failure at a time: 429s, 502s (JSON and HTML) and dropped
//!   connections, each retried by the bot;
//! - Redis killed and started again early in the run (the bot fails open and reconnects).
//!
//! At the end: every answerable update answered exactly once (nothing else sent), RSS flat
//! over the last half, open fds and runtime tasks not growing (and back down once the traffic
//! stops), no message text, name or username in the bot's log at debug level, and no flood of
//! warnings in it (a line per kind of failure, not one per update). The time
//! series is printed (CI runs this with `--nocapture`; BENCHMARKS.md keeps one).
//!
//! Ignored by default (minutes, and needs `redis-server`). Run: `SOAK_SECS=180 cargo test
//! --release --test telegram soak -- --ignored --nocapture`; `SOAK_LOG=FILE` keeps a copy of
//! the bot's log.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokio::task::JoinSet;

use crate::common::bot::{BotOptions, Replica, SECRET};
use crate::common::fake_api::{FakeApi, SendFailure, Taken, TOKEN};
use crate::common::http::{client, free_ports, get, metric, post};
use crate::common::load::{post_like_telegram, LOAD_DEADLINE, QUESTIONS, RED_FLAGS, SMALL_TALK};
use crate::common::process::{open_fds, proc_status_kib, threads};
use crate::common::redis::Redis;
use crate::common::updates::{self, FIRST_NAME, USERNAME};

/// In every text the bot is sent: the log must never show it.
const MARKER: &str = "okapisoakmark";
/// Pieces of traffic started per second (about 1.5 updates and 1.1 replies each: under the
/// default overall flood limit of 30 messages a second, so nothing queues up for good).
const PLANS_PER_SECOND: u32 = 20;
const TICK: Duration = Duration::from_millis(100);
const SAMPLE_EVERY: Duration = Duration::from_secs(5);
/// One scripted Bot API failure at most this often, and only once the last one was used.
const FAIL_EVERY: Duration = Duration::from_secs(1);
const REDIS_OUTAGE: Duration = Duration::from_secs(10);
/// Within the first half (0.25 to 0.5 of the run): the reference the last half is held to.
const WARM_UP: f64 = 0.25;
const REDIS_KILLED_AT: f64 = 0.3;
/// RSS may end this much above its highest point between warm-up and half-time: 2 MiB or 10 %,
/// whichever is more (allocator noise and buffers sized by the busiest moment), not a leak's
/// steady climb.
const RSS_MARGIN_KIB: u64 = 2048;
const RSS_MARGIN_SHARE: f64 = 0.10;
/// Open fds and tasks vary with requests in flight; a leak adds one per update.
const FD_SLACK: usize = 8;
const TASK_SLACK: f64 = 10.0;
/// The first line of each kind of failure at the start of the Redis outage, with room for a
/// retry's line: a line per update would be 60 a second at this rate.
const MAX_WARNINGS_PER_SECOND: usize = 20;

fn soak_duration() -> Duration {
    let secs = std::env::var("SOAK_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(180);
    assert!(
        secs >= 20,
        "SOAK_SECS={secs}: at least 20 (the Redis outage alone takes 10 s)"
    );
    Duration::from_secs(secs)
}

/// A webhook request Telegram never sends.
#[derive(Debug, Clone, Copy)]
enum Bad {
    WrongSecret,
    NotAnUpdate,
    TooLarge,
}

/// One piece of traffic: what is sent, and what it should get.
#[derive(Debug, Clone, Copy)]
enum Plan {
    /// A question in a private chat of its own; with `edit`, then the same message edited.
    /// One reply each.
    Private {
        chat: i64,
        question: i64,
        edit: Option<i64>,
    },
    /// A button pressed under the bot's answer in a chat of its own: answered once
    /// (`answerCallbackQuery`); a topic button also sends the topic.
    Button {
        chat: i64,
        update: i64,
        forged: bool,
    },
    /// Chatter in a group of its own, all at once: the `/ask` gets one reply quoting it, the
    /// two red flags one notice quoting either (two when Redis lost the cooldown), small talk
    /// nothing.
    Group {
        group: i64,
        ask: i64,
        red_flags: [i64; 2],
        small_talk: [i64; 2],
    },
    /// A question from a user who blocked the bot: one attempt (403), not retried, nothing sent.
    Blocked { chat: i64, question: i64 },
    /// Refused before any update is read, with its status.
    Refused(Bad, i64),
}

impl Plan {
    /// The `n`th piece of traffic; its update ids (also message and chat ids) start at `id`.
    fn nth(n: u64, id: &mut i64) -> Self {
        let mut next = || {
            *id += 1;
            *id
        };
        match n % 20 {
            0..=8 => {
                let question = next();
                Self::Private {
                    chat: 2_000_000_000 + question,
                    question,
                    edit: None,
                }
            }
            9 | 10 => {
                let question = next();
                Self::Private {
                    chat: 2_000_000_000 + question,
                    question,
                    edit: Some(next()),
                }
            }
            11 | 12 => {
                let update = next();
                Self::Button {
                    chat: 2_000_000_000 + update,
                    update,
                    forged: n % 20 == 12,
                }
            }
            13..=15 => {
                let ask = next();
                Self::Group {
                    group: -(6_000_000 + ask),
                    ask,
                    red_flags: [next(), next()],
                    small_talk: [next(), next()],
                }
            }
            16 => {
                let question = next();
                Self::Blocked {
                    chat: 2_000_000_000 + question,
                    question,
                }
            }
            17 => Self::Refused(Bad::WrongSecret, next()),
            18 => Self::Refused(Bad::NotAnUpdate, next()),
            _ => Self::Refused(Bad::TooLarge, next()),
        }
    }

    /// What kind of traffic it is, for the summary.
    fn kind(&self) -> &'static str {
        match self {
            Self::Private { edit: None, .. } => "private question",
            Self::Private { edit: Some(_), .. } => "private question, then edited",
            Self::Button { forged: false, .. } => "topic button",
            Self::Button { forged: true, .. } => "forged button",
            Self::Group { .. } => "group chatter (5 messages)",
            Self::Blocked { .. } => "question from a user who blocked the bot",
            Self::Refused(Bad::WrongSecret, _) => "webhook request with a wrong secret",
            Self::Refused(Bad::NotAnUpdate, _) => "webhook request that is not an update",
            Self::Refused(Bad::TooLarge, _) => "webhook request over 1 MiB",
        }
    }
}

/// A plan that ran: when, and what went wrong delivering it.
struct Ran {
    plan: Plan,
    from: Instant,
    to: Instant,
    problems: Vec<String>,
}

fn question(n: i64) -> String {
    format!(
        "{} {MARKER}",
        QUESTIONS[n.unsigned_abs() as usize % QUESTIONS.len()]
    )
}

/// Sends `plan` as Telegram would (again after a 5xx or a dropped connection).
async fn run(plan: Plan, client: reqwest::Client, url: String) -> Ran {
    let from = Instant::now();
    let deadline = from + LOAD_DEADLINE;
    let mut problems = Vec::new();
    let send = |update: Value| {
        let (client, url) = (client.clone(), url.clone());
        async move {
            let body = serde_json::to_vec(&update).expect("json");
            post_like_telegram(&client, &url, body.into(), deadline)
                .await
                .err()
        }
    };
    match plan {
        Plan::Private {
            chat,
            question: id,
            edit,
        } => {
            problems.extend(send(updates::private_text(id, chat, &question(id))).await);
            if let Some(edit) = edit {
                let text = format!("{} edited", question(id + 1));
                problems.extend(send(updates::edited_text(edit, chat, chat, id, &text)).await);
            }
        }
        Plan::Button {
            chat,
            update,
            forged,
        } => {
            let data = if forged {
                format!("t:{MARKER}")
            } else {
                "t:symptoms".to_owned()
            };
            let mut pressed = updates::callback(update, chat, chat, 100_000, &data);
            pressed["callback_query"]["message"]["text"] = json!(question(update));
            problems.extend(send(pressed).await);
        }
        Plan::Group {
            group,
            ask,
            red_flags,
            small_talk,
        } => {
            let ask_text = format!("/ask {}", question(ask));
            let mut chatter = vec![send(updates::group_command(ask, group, 7, &ask_text))];
            for (k, &id) in red_flags.iter().enumerate() {
                let text = format!("{} {MARKER}", RED_FLAGS[k]);
                chatter.push(send(updates::group_text(id, group, 8 + k as i64, &text)));
            }
            for &id in &small_talk {
                let text = format!("{SMALL_TALK} {MARKER}");
                chatter.push(send(updates::group_text(id, group, 10, &text)));
            }
            problems.extend(
                futures::future::join_all(chatter)
                    .await
                    .into_iter()
                    .flatten(),
            );
        }
        Plan::Blocked { chat, question: id } => {
            problems.extend(send(updates::private_text(id, chat, &question(id))).await);
        }
        Plan::Refused(bad, id) => {
            let update =
                serde_json::to_vec(&updates::private_text(id, 3, &question(id))).expect("json");
            let wrong = format!("{MARKER}-secret");
            let (secret, body, status) = match bad {
                Bad::WrongSecret => (wrong.as_str(), update, 401),
                Bad::NotAnUpdate => (
                    SECRET,
                    format!(r#"{{"text":"{MARKER}"}}"#).into_bytes(),
                    400,
                ),
                Bad::TooLarge => (SECRET, vec![b' '; (1 << 20) + 1], 413),
            };
            match post(&client, &url, Some(secret), body).await {
                Ok(answer) if answer.status == status => {}
                other => problems.push(format!("{bad:?}: expected {status}, got {other:?}")),
            }
        }
    }
    Ran {
        plan,
        from,
        to: Instant::now(),
        problems,
    }
}

/// What the fake Bot API saw, boiled down as it is taken (the record itself is emptied every
/// few seconds, so a run of hours keeps the test's memory flat too).
#[derive(Default)]
struct Seen {
    delivered: usize,
    by_chat: HashMap<i64, u32>,
    quoting: HashMap<(i64, i64), u32>,
    refused_by_chat: HashMap<i64, u32>,
    scripted_refusals: usize,
    callback_answers: HashMap<String, u32>,
}

impl Seen {
    fn add(&mut self, taken: Taken) {
        for sent in &taken.delivered {
            self.delivered += 1;
            *self.by_chat.entry(sent.chat_id()).or_default() += 1;
            if let Some(quoted) = sent.reply_to() {
                *self.quoting.entry((sent.chat_id(), quoted)).or_default() += 1;
            }
        }
        for failed in &taken.failed {
            if failed.reason.starts_with("scripted") {
                self.scripted_refusals += 1;
            } else {
                *self.refused_by_chat.entry(failed.chat_id()).or_default() += 1;
            }
        }
        for call in taken.calls.iter().filter(|c| c.is("answerCallbackQuery")) {
            if let Some(id) = call.body["callback_query_id"].as_str() {
                *self.callback_answers.entry(id.to_owned()).or_default() += 1;
            }
        }
    }

    fn to(&self, chat: i64) -> u32 {
        self.by_chat.get(&chat).copied().unwrap_or(0)
    }

    fn quoting(&self, chat: i64, id: i64) -> u32 {
        self.quoting.get(&(chat, id)).copied().unwrap_or(0)
    }

    /// What is wrong with the answers to `ran` (`outage`: when Redis was away, cooldowns
    /// included), and how many messages it accounts for.
    fn check(&self, ran: &Ran, outage: (Instant, Instant)) -> (Vec<String>, u32) {
        let mut wrong = Vec::new();
        let mut expect = |what: String, got: u32, ok: bool| {
            if !ok {
                wrong.push(format!("{what}: got {got}"));
            }
            got
        };
        let accounted = match ran.plan {
            Plan::Private {
                chat,
                question,
                edit,
            } => {
                let want = 1 + u32::from(edit.is_some());
                let got = self.to(chat);
                expect(
                    format!(
                        "question {question} (edited: {edit:?}) in chat {chat}: {want} replies"
                    ),
                    got,
                    got == want,
                )
            }
            Plan::Button {
                chat,
                update,
                forged,
            } => {
                let id = updates::callback_id(update);
                let answers = self.callback_answers.get(&id).copied().unwrap_or(0);
                expect(
                    format!("button {id}: one answerCallbackQuery"),
                    answers,
                    answers == 1,
                );
                let got = self.to(chat);
                let want = u32::from(!forged);
                expect(
                    format!("button {id} (forged: {forged}): {want} messages in chat {chat}"),
                    got,
                    got == want,
                )
            }
            Plan::Group {
                group,
                ask,
                red_flags,
                small_talk,
            } => {
                let got = self.quoting(group, ask);
                expect(
                    format!("/ask {ask} in group {group}: one reply quoting it"),
                    got,
                    got == 1,
                );
                let notices: u32 = red_flags.iter().map(|&id| self.quoting(group, id)).sum();
                let cooldown_lost = ran.from <= outage.1 && ran.to >= outage.0;
                let ok = notices == 1 || (cooldown_lost && notices == 2);
                expect(
                    format!("red flags {red_flags:?} in group {group}: one notice"),
                    notices,
                    ok,
                );
                for id in small_talk {
                    let got = self.quoting(group, id);
                    expect(
                        format!("small talk {id} in group {group}: nothing"),
                        got,
                        got == 0,
                    );
                }
                let all = self.to(group);
                expect(
                    format!("group {group}: only the reply and the notice"),
                    all,
                    all == 1 + notices,
                )
            }
            Plan::Blocked { chat, question } => {
                let got = self.to(chat);
                expect(
                    format!(
                        "question {question} from a user who blocked the bot: nothing delivered"
                    ),
                    got,
                    got == 0,
                );
                let attempts = self.refused_by_chat.get(&chat).copied().unwrap_or(0);
                expect(
                    format!("question {question}: one attempt refused with 403, not retried"),
                    attempts,
                    attempts == 1,
                );
                0
            }
            Plan::Refused(..) => 0,
        };
        (wrong, accounted)
    }
}

/// One sample of the bot process.
#[derive(Debug, Clone, Copy)]
struct Sample {
    at: Duration,
    rss_kib: u64,
    fds: usize,
    threads: u64,
    tasks: f64,
    updates: f64,
}

async fn sample(replica: &Replica, client: &reqwest::Client, at: Duration) -> Sample {
    let pid = replica.process.pid();
    let metrics = replica.metrics(client).await;
    let updates = ["message", "edited_message", "callback_query"]
        .iter()
        .filter_map(|kind| {
            metric(
                &metrics,
                &format!("backleg_updates_total{{kind=\"{kind}\"}}"),
            )
        })
        .sum();
    Sample {
        at,
        rss_kib: proc_status_kib(pid, "VmRSS").expect("VmRSS of the bot"),
        fds: open_fds(pid).expect("/proc/<pid>/fd of the bot"),
        threads: threads(pid).expect("Threads of the bot"),
        tasks: metric(&metrics, "backleg_runtime_tasks_alive")
            .expect("backleg_runtime_tasks_alive"),
        updates,
    }
}

fn table(samples: &[Sample]) -> String {
    let mut out = String::from("    s   RSS MiB   fds  threads  tasks  updates\n");
    for s in samples {
        out += &format!(
            "{:>5}  {:>8.1}  {:>4}  {:>7}  {:>5}  {:>7}\n",
            s.at.as_secs(),
            s.rss_kib as f64 / 1024.0,
            s.fds,
            s.threads,
            s.tasks,
            s.updates
        );
    }
    out
}

/// The scripted failures, in turn.
const FAILURES: [SendFailure; 4] = [
    SendFailure::TooManyRequests { retry_after: 1 },
    SendFailure::BadGateway,
    SendFailure::DropConnection,
    SendFailure::BadGatewayHtml,
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "soak run: minutes; CI runs it with SOAK_SECS=180"]
async fn soak_a_replica_with_mixed_traffic_and_failures() {
    let soak = soak_duration();
    let dir = tempfile::tempdir().expect("temp dir");
    let api = FakeApi::start().await;
    let [redis_port, port] = free_ports::<2>();
    let mut redis = Redis::start_in(redis_port, dir.path());
    let options = BotOptions {
        args: [
            "--storage",
            &redis.url(),
            "--red-flag-cooldown",
            "3600",
            "--group-answers-per-minute",
            "0",
        ]
        .map(str::to_owned)
        .to_vec(),
        // Debug: the most a production operator would turn on to chase a problem.
        rust_log: Some("debug".to_owned()),
        token: Some(TOKEN.to_owned()),
        data: None,
        api_url: None,
        api_url_env: true,
    };
    let url = format!("http://127.0.0.1:{port}/soak/webhook");
    let mut replica = Replica::spawn(&api.url, options, &url, port, dir.path(), "soak-bot");
    let load_client = client();
    replica.wait_healthy(&load_client).await;
    let probe = client();
    let idle_before = sample(&replica, &probe, Duration::ZERO).await;

    let started = Instant::now();
    let mut ticks = tokio::time::interval(TICK);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let (mut id, mut n) = (0_i64, 0_u64);
    let mut running = JoinSet::new();
    let mut ran = Vec::new();
    let mut seen = Seen::default();
    let mut samples = Vec::new();
    let (mut last_sample, mut last_failure, mut injected) = (started, started, 0_usize);
    let kill_at = soak.mul_f64(REDIS_KILLED_AT);
    let mut outage: Option<(Instant, Option<Instant>)> = None;
    let mut ready_again: Option<tokio::task::JoinHandle<Instant>> = None;
    while started.elapsed() < soak {
        ticks.tick().await;
        let due = (started.elapsed().as_secs_f64() * f64::from(PLANS_PER_SECOND)) as u64;
        while n < due {
            let plan = Plan::nth(n, &mut id);
            if let Plan::Blocked { chat, .. } = plan {
                api.block_chat(chat);
            }
            running.spawn(run(plan, load_client.clone(), replica.webhook()));
            n += 1;
        }
        while let Some(done) = running.try_join_next() {
            ran.push(done.expect("a plan task"));
        }
        if last_failure.elapsed() >= FAIL_EVERY && api.scripted_failures_left() == 0 {
            api.fail_next_sends(&[FAILURES[injected % FAILURES.len()]]);
            injected += 1;
            last_failure = Instant::now();
        }
        match outage {
            None if started.elapsed() >= kill_at => {
                tokio::task::block_in_place(|| redis.kill());
                outage = Some((Instant::now(), None));
            }
            Some((killed, None)) if killed.elapsed() >= REDIS_OUTAGE => {
                tokio::task::block_in_place(|| redis.start_again());
                outage = Some((killed, Some(Instant::now())));
                let (probe, readyz) = (probe.clone(), replica.url("/readyz"));
                ready_again = Some(tokio::spawn(async move {
                    loop {
                        if get(&probe, &readyz).await.is_ok_and(|a| a.status == 200) {
                            return Instant::now();
                        }
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                }));
            }
            _ => {}
        }
        if last_sample.elapsed() >= SAMPLE_EVERY {
            last_sample = Instant::now();
            seen.add(api.take_record());
            samples.push(sample(&replica, &probe, started.elapsed()).await);
        }
    }
    let traffic_for = started.elapsed();
    while let Some(done) = running.join_next().await {
        ran.push(done.expect("a plan task"));
    }
    let drained_in = started.elapsed() - traffic_for;
    seen.add(api.take_record());
    let busy_end = sample(&replica, &probe, started.elapsed()).await;
    // The load's keep-alive connections closed: what is left is the bot's own.
    drop(load_client);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let idle_after = sample(&replica, &probe, started.elapsed()).await;

    let (killed, restarted) = outage.expect("Redis was killed during the run");
    let restarted = restarted.expect("Redis was started again during the run");
    let ready = tokio::time::timeout(
        Duration::from_secs(30),
        ready_again.expect("a readiness probe"),
    )
    .await
    .expect("/readyz 200 within 30 s of Redis coming back")
    .expect("the readiness probe");
    let outage_window = (killed, ready + Duration::from_secs(1));

    eprintln!(
        "soak: {n} pieces of traffic over {:.0} s (drained in {:.1} s); {injected} Bot API failures scripted \
         ({} used); Redis down {:.1} s from {:.0} s, /readyz 200 again {:.1} s after its restart",
        traffic_for.as_secs_f64(),
        drained_in.as_secs_f64(),
        seen.scripted_refusals,
        (restarted - killed).as_secs_f64(),
        (killed - started).as_secs_f64(),
        (ready - restarted).as_secs_f64(),
    );
    eprintln!(
        "idle before: {idle_before:?}\nbusy end:    {busy_end:?}\nidle after:  {idle_after:?}"
    );
    eprintln!("{}", table(&samples));

    // Every answerable update answered exactly once, and nothing else sent.
    let mut problems: Vec<String> = Vec::new();
    let mut accounted = 0;
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    let mut two_notices = 0;
    for done in &ran {
        *kinds.entry(done.plan.kind()).or_default() += 1;
        if let Plan::Group {
            group, red_flags, ..
        } = done.plan
        {
            if red_flags
                .iter()
                .map(|&id| seen.quoting(group, id))
                .sum::<u32>()
                == 2
            {
                two_notices += 1;
            }
        }
        problems.extend(done.problems.iter().cloned());
        let (wrong, messages) = seen.check(done, outage_window);
        problems.extend(wrong);
        accounted += messages as usize;
    }
    eprintln!(
        "traffic: {kinds:?}; {} messages delivered; {two_notices} group(s) with two notices (Redis lost the cooldown)",
        seen.delivered
    );
    assert_eq!(ran.len() as u64, n, "every piece of traffic ran");
    assert!(
        problems.is_empty(),
        "{} problem(s), e.g.:\n{}\n--- bot stderr ---\n{}",
        problems.len(),
        problems
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n"),
        replica.process.stderr_tail(40)
    );
    assert_eq!(accounted, seen.delivered, "messages no update asked for");
    assert!(
        seen.scripted_refusals + 1 >= injected && injected >= 10,
        "scripted failures: {injected} queued, {} used",
        seen.scripted_refusals
    );

    // Resources: flat over the last half, back down once the traffic stops.
    let at = |share: f64| soak.mul_f64(share);
    let window = |from: f64, to: f64| {
        samples
            .iter()
            .filter(move |s| s.at >= at(from) && s.at <= at(to))
    };
    let reference = window(WARM_UP, 0.5)
        .map(|s| s.rss_kib)
        .max()
        .expect("samples after warm-up");
    let last_half = window(0.5, 1.0)
        .map(|s| s.rss_kib)
        .max()
        .expect("samples in the last half");
    let margin = RSS_MARGIN_KIB.max((reference as f64 * RSS_MARGIN_SHARE) as u64);
    eprintln!(
        "RSS: {:.1} MiB at most between warm-up and half-time, {:.1} MiB at most in the last half (margin {:.1} MiB)",
        reference as f64 / 1024.0,
        last_half as f64 / 1024.0,
        margin as f64 / 1024.0
    );
    assert!(
        last_half <= reference + margin,
        "RSS grew over the last half:\n{}",
        table(&samples)
    );
    let fds_reference = window(WARM_UP, 0.5).map(|s| s.fds).max().unwrap_or(0);
    let fds_late = window(0.75, 1.0).map(|s| s.fds).max().unwrap_or(0);
    assert!(
        fds_late <= fds_reference + FD_SLACK,
        "open fds grew:\n{}",
        table(&samples)
    );
    let tasks_reference = window(WARM_UP, 0.5).map(|s| s.tasks).fold(0.0, f64::max);
    let tasks_late = window(0.75, 1.0).map(|s| s.tasks).fold(0.0, f64::max);
    assert!(
        tasks_late <= tasks_reference * 1.2 + TASK_SLACK,
        "runtime tasks grew:\n{}",
        table(&samples)
    );
    assert!(
        idle_after.tasks <= idle_before.tasks + TASK_SLACK,
        "tasks left behind once the traffic stopped: {} before, {} after",
        idle_before.tasks,
        idle_after.tasks
    );
    assert!(
        idle_after.fds <= fds_reference,
        "fds left open once the traffic stopped: {idle_after:?}"
    );
    let threads_reference = window(WARM_UP, 0.5).map(|s| s.threads).max().unwrap_or(0);
    let threads_late = window(0.75, 1.0).map(|s| s.threads).max().unwrap_or(0);
    assert!(
        threads_late <= threads_reference + 2,
        "threads grew:\n{}",
        table(&samples)
    );

    // The log, at debug level: nothing anyone wrote, no names.
    let log = replica.process.stdout() + &replica.process.stderr();
    if let Ok(copy) = std::env::var("SOAK_LOG") {
        std::fs::write(&copy, &log).unwrap_or_else(|e| panic!("SOAK_LOG={copy}: {e}"));
    }
    eprintln!(
        "bot log: {} lines, {} KiB",
        log.lines().count(),
        log.len() / 1024
    );
    let lower = log.to_lowercase();
    for leak in [
        MARKER,
        RED_FLAGS[0],
        RED_FLAGS[1],
        SMALL_TALK,
        FIRST_NAME,
        USERNAME,
    ] {
        assert!(
            !lower.contains(&leak.to_lowercase()),
            "{leak:?} in the bot's log:\n{}",
            log.lines()
                .filter(|l| l.to_lowercase().contains(&leak.to_lowercase()))
                .take(5)
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    assert!(!log.contains("panicked"), "a panic in the bot's log");
    // Failures come in floods (every update during the Redis outage fails a store read or two):
    // the log gets a line per kind and a summary per minute, not a line per update.
    let mut warnings_per_second: HashMap<&str, usize> = HashMap::new();
    for line in log.lines().filter(|l| l.contains(" WARN ")) {
        *warnings_per_second
            .entry(line.get(..19).unwrap_or(""))
            .or_default() += 1;
    }
    let (second, most) = warnings_per_second
        .iter()
        .max_by_key(|(_, &n)| n)
        .map_or(("", 0), |(&s, &n)| (s, n));
    assert!(
        most <= MAX_WARNINGS_PER_SECOND,
        "{most} WARN lines in the second {second}:\n{}",
        log.lines()
            .filter(|l| l.starts_with(second) && l.contains(" WARN "))
            .take(10)
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert_eq!(
        replica.process.stop().await.and_then(|s| s.code()),
        Some(0),
        "exit 0 on SIGTERM"
    );
}
