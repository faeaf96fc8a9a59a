//! Two webhook replicas behind nginx, sharing one Redis (`common::cluster`: the production
//! recipe of `deploy/nginx/` run as shipped, only the ports substituted), against the fake Bot
//! API. The load generator (`common::load`) POSTs thousands of updates the way Telegram does
//! (with the secret; again after a connection error or a 5xx) and every reply is matched to its
//! update:
//!
//! - every update is answered exactly once while both replicas run;
//! - a replica killed (SIGKILL) mid-load loses nothing: nginx sends its requests in flight to
//!   the other replica, and only those may be answered twice;
//! - one red-flag notice per group across replicas (the cooldown claim is atomic in Redis), and
//!   an admin's `/redflags off` holds on both;
//! - a wrong or missing secret is refused through nginx; only the webhook is public;
//! - Redis down: both replicas keep answering and posting notices (fail open) and `/readyz`
//!   says 503; Redis back: ready again and shared state works, without restarting anything;
//! - the full server example `deploy/nginx/backleg.conf` passes `nginx -t`.
//!
//! The figures (updates/s, latency, peak RSS) of the same set-up are the cluster bench's
//! (`benches/cluster.rs`); these tests only assert.
//!
//! Ignored by default (they need `redis-server` and `nginx`; set `REDIS_SERVER` or `NGINX` to
//! other paths). Run: `cargo test --release --test telegram cluster -- --ignored
//! --test-threads=1`.

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::bot::SECRET;
use crate::common::cluster::{Cluster, LOAD};
use crate::common::fake_api::{FakeApi, Sent};
use crate::common::http::{deliver, free_ports, get, post, post_update, Answer};
use crate::common::load::{tally, traffic, Expect, Traffic, CONCURRENCY, RED_FLAGS};
use crate::common::nginx::nginx_binary;
use crate::common::updates;
use crate::harness::{words, SCIATICA_TITLE, SEEK_HELP};

const ADMIN: i64 = 8_100;
const MEMBER: i64 = 8_101;

// ---- helpers for single updates -----------------------------------------------------------------

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
async fn cluster_answers_every_update_exactly_once() {
    let c = Cluster::start().await;

    // Warm-up through nginx (connections, allocator, Redis), checked like the rest.
    let warm_up = traffic(c.ids(300), 300, 0);
    c.load(&warm_up, &[c.public()]).await;

    let direct = traffic(c.ids(LOAD), LOAD, 1);
    c.load(&direct, &[c.replicas[0].webhook()]).await;

    let before = [c.updates_handled(0).await, c.updates_handled(1).await];
    let balanced = traffic(c.ids(LOAD), LOAD, 2);
    c.load(&balanced, &[c.public()]).await;

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
    // Kill replica 2 once a third of the load is answered: it has requests in flight.
    let load = c.load_in_background_until(&run, LOAD / 3).await;
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
    c.load(&after, &[c.public()]).await;
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
    let binary = nginx_binary();
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
