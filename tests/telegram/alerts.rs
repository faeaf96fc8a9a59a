//! Moderator alerts (issue 11 section 3): `/alerts on|off` for group admins who started the
//! bot in private (getChatMember; a private message that gets through); on an emergency-tier
//! red flag (the watch, or an addressed question) each opted-in admin gets a private alert:
//! the group's title, the time, the tier, and a button to the message (supergroups and public
//! groups) or the title alone (a basic group). Never the message's text or its author, in the
//! alert or the logs. One alert per group per cooldown; admins who were demoted or blocked the
//! bot are dropped; the list follows a migration.

use std::time::Duration;

use serde_json::json;

use crate::common::fake_api::{Sent, BOT_USERNAME};
use crate::common::updates::{self, FIRST_NAME, USERNAME};
use crate::harness::Harness;

const GROUP: i64 = -5001;
const SUPERGROUP: i64 = -1_001_234_567_890;
const USER: i64 = 7001;
const ADMIN: i64 = 7100;
const ADMIN_2: i64 = 7200;

/// An emergency-tier red flag (loss of bladder control), with a marker word to look for.
const EMERGENCY: &str = "QUOKKA my friend lost control of her bladder this morning";
const EMERGENCY_2: &str = "QUOKKA he suddenly can't control his bowels";
const MARKER: &str = "QUOKKA";
const ALERT: &str = "Red-flag alert";

/// Sends a command from `user` in `chat` and returns the bot's reply quoting it.
async fn command(h: &Harness, chat: i64, user: i64, text: &str) -> Sent {
    let id = h.uid();
    h.push(updates::group_command(id, chat, user, text));
    h.api
        .wait_delivered_where(&format!("a reply to {text:?} (message {id})"), |s| {
            s.chat_id() == chat && s.reply_to() == Some(id)
        })
        .await
}

/// `/alerts on` by an admin of `chat` who has started the bot: the group's reply says on, and
/// the admin gets a private confirmation.
async fn turn_on(h: &Harness, chat: i64, admin: i64) {
    h.api.set_member_status(chat, admin, "administrator");
    let before = h.api.delivered_to(admin).len();
    let reply = command(h, chat, admin, "/alerts on").await;
    assert!(reply.text().contains("<b>on</b>"), "{}", reply.text());
    let private = h.api.wait_delivered_to(admin, before + 1).await;
    assert!(
        private[before].text().contains("Moderator alerts are on"),
        "{}",
        private[before].text()
    );
}

/// Posts an unaddressed emergency in `chat`; returns its message id once the notice is out.
async fn post_emergency(h: &Harness, chat: i64, text: &str) -> i64 {
    let id = h.uid();
    h.push(updates::group_text(id, chat, USER, text));
    h.api
        .wait_delivered_where(&format!("the red-flag notice for message {id}"), |s| {
            s.chat_id() == chat && s.reply_to() == Some(id)
        })
        .await;
    id
}

/// Waits for the `n`-th alert to `admin` (1-based).
async fn alert(h: &Harness, admin: i64, n: usize) -> Sent {
    h.api
        .wait_until(
            &format!("alert {n} to {admin}"),
            Duration::from_secs(10),
            |r| {
                r.delivered
                    .iter()
                    .filter(|s| s.chat_id() == admin && s.text().contains(ALERT))
                    .nth(n - 1)
                    .cloned()
            },
        )
        .await
}

fn alerts_to(h: &Harness, admin: i64) -> usize {
    h.api
        .delivered_to(admin)
        .iter()
        .filter(|s| s.text().contains(ALERT))
        .count()
}

fn urls(sent: &Sent) -> Vec<String> {
    sent.buttons()
        .iter()
        .filter_map(|b| b["url"].as_str().map(str::to_owned))
        .collect()
}

/// Nothing of the message or its author: not the text, not the name or the username.
fn assert_nothing_personal(text: &str, what: &str) {
    for secret in [MARKER, "bladder", "bowels", FIRST_NAME, "Zorro", USERNAME] {
        assert!(
            !text.contains(secret),
            "{what} contains {secret:?}:\n{text}"
        );
    }
}

/// The logs may name a flag id ("bladder-bowel"), never the text or its author.
fn assert_no_text_in_logs(logs: &str) {
    for secret in [MARKER, "this morning", FIRST_NAME, "Zorro", USERNAME] {
        assert!(!logs.contains(secret), "the logs contain {secret:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_turns_alerts_on_and_gets_a_link_for_a_supergroup() {
    let h = Harness::start_with(|options, _| options.rust_log = Some("trace".to_owned())).await;
    turn_on(&h, SUPERGROUP, ADMIN).await;
    let state = command(&h, SUPERGROUP, ADMIN, "/alerts").await;
    assert!(state.text().contains("<b>on</b>"), "{}", state.text());

    let id = post_emergency(&h, SUPERGROUP, EMERGENCY).await;
    let sent = alert(&h, ADMIN, 1).await;
    let text = sent.text();
    assert!(text.contains("Sciatica support (supergroup)"), "{text}");
    assert!(text.contains("UTC"), "{text}");
    assert!(text.contains("emergency"), "{text}");
    assert_eq!(urls(&sent), vec![format!("https://t.me/c/1234567890/{id}")]);
    assert_nothing_personal(text, "the alert");
    assert_eq!(alerts_to(&h, USER), 0, "nobody else is alerted");

    let logs = h.bot.stderr();
    assert!(logs.contains("red_flag_alert"), "the alert is logged");
    assert_no_text_in_logs(&logs);
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_public_group_links_by_username_and_a_basic_group_gives_its_title() {
    let h = Harness::start().await;
    // A public supergroup: its link uses the username.
    const PUBLIC: i64 = -1_001_234_000_001;
    let chat = json!({ "id": PUBLIC, "type": "supergroup", "title": "Open back club", "username": "openbackclub" });
    turn_on(&h, PUBLIC, ADMIN).await;
    let id = h.uid();
    h.push(updates::update(
        id,
        "message",
        updates::text_message(id, chat, USER, EMERGENCY),
    ));
    let sent = alert(&h, ADMIN, 1).await;
    assert_eq!(urls(&sent), vec![format!("https://t.me/openbackclub/{id}")]);

    // A basic group: no message links, the title instead.
    turn_on(&h, GROUP, ADMIN_2).await;
    post_emergency(&h, GROUP, EMERGENCY).await;
    let sent = alert(&h, ADMIN_2, 1).await;
    let text = sent.text();
    assert!(text.contains("<b>Sciatica support</b>"), "{text}");
    assert!(text.contains("no message links"), "{text}");
    assert!(urls(&sent).is_empty(), "no link for a basic group");
    assert_nothing_personal(text, "the alert");
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_non_admin_is_refused_and_gets_no_alert() {
    let h = Harness::start().await;
    // The group menu lists /alerts; the private one does not (it works in groups only).
    for call in h.api.calls_of("setMyCommands") {
        let names: Vec<&str> = call.body["commands"]
            .as_array()
            .map(|list| list.iter().filter_map(|c| c["command"].as_str()).collect())
            .unwrap_or_default();
        let group = call.body["scope"]["type"] == "all_group_chats";
        assert_eq!(
            names.contains(&"alerts"),
            group,
            "{names:?} ({})",
            call.body["scope"]
        );
    }
    let reply = command(&h, SUPERGROUP, USER, "/alerts on").await;
    assert!(
        reply.text().contains("only group admins"),
        "{}",
        reply.text()
    );
    let state = command(&h, SUPERGROUP, USER, "/alerts").await;
    assert!(state.text().contains("<b>off</b>"), "{}", state.text());
    turn_on(&h, SUPERGROUP, ADMIN).await;
    post_emergency(&h, SUPERGROUP, EMERGENCY).await;
    alert(&h, ADMIN, 1).await;
    h.barrier(SUPERGROUP, USER).await;
    assert!(
        h.api.delivered_to(USER).is_empty(),
        "nothing private to the non-admin"
    );
    // In private, /alerts explains where it works.
    h.push(updates::private_text(h.uid(), USER, "/alerts on"));
    let private = h.api.wait_delivered_to(USER, 1).await;
    assert!(
        private[0].text().contains("group admins"),
        "{}",
        private[0].text()
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_who_never_started_the_bot_is_told_how_and_not_stored() {
    let h = Harness::start().await;
    h.api.set_member_status(SUPERGROUP, ADMIN, "administrator");
    h.api.never_started(ADMIN);
    let reply = command(&h, SUPERGROUP, ADMIN, "/alerts on").await;
    assert!(
        reply.text().contains("can't message you"),
        "{}",
        reply.text()
    );
    assert_eq!(
        urls(&reply),
        vec![format!("https://t.me/{BOT_USERNAME}?start=alerts")]
    );
    let state = command(&h, SUPERGROUP, ADMIN, "/alerts").await;
    assert!(
        state.text().contains("<b>off</b>"),
        "not stored: {}",
        state.text()
    );
    let failed_before = h.api.failed().len();
    post_emergency(&h, SUPERGROUP, EMERGENCY).await;
    h.barrier(SUPERGROUP, USER).await;
    assert_eq!(
        h.api.failed().len(),
        failed_before,
        "no alert was even tried"
    );

    // The admin taps the button: /start alerts in private, then /alerts on again.
    h.api.started(ADMIN);
    h.push(updates::private_text(h.uid(), ADMIN, "/start alerts"));
    let private = h.api.wait_delivered_to(ADMIN, 1).await;
    assert!(
        private[0].text().contains("/alerts on"),
        "{}",
        private[0].text()
    );
    turn_on(&h, SUPERGROUP, ADMIN).await;
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_alert_per_cooldown_from_an_addressed_question_or_the_watch() {
    let h = Harness::start().await;
    turn_on(&h, SUPERGROUP, ADMIN).await;
    // An addressed question of the emergency tier alerts too.
    let reply = command(&h, SUPERGROUP, USER, &format!("/ask {EMERGENCY}")).await;
    assert!(reply.text().contains("emergency"), "{}", reply.text());
    alert(&h, ADMIN, 1).await;
    // Within the cooldown: the watch's notice is posted (its own cooldown), no second alert.
    post_emergency(&h, SUPERGROUP, EMERGENCY_2).await;
    h.barrier(SUPERGROUP, USER).await;
    assert_eq!(alerts_to(&h, ADMIN), 1, "one alert per cooldown");
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_urgent_red_flag_is_not_an_emergency_and_alerts_nobody() {
    let h = Harness::start().await;
    turn_on(&h, SUPERGROUP, ADMIN).await;
    let id = h.uid();
    h.push(updates::group_text(
        id,
        SUPERGROUP,
        USER,
        "I have back pain and a high fever with chills",
    ));
    h.barrier(SUPERGROUP, USER).await;
    assert_eq!(alerts_to(&h, ADMIN), 0);
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blocked_admin_and_a_demoted_admin_are_dropped() {
    let h = Harness::start().await;
    const DEMOTED: i64 = 7050;
    const BLOCKED: i64 = 7060;
    for admin in [DEMOTED, BLOCKED, ADMIN] {
        turn_on(&h, SUPERGROUP, admin).await;
    }
    h.api.set_member_status(SUPERGROUP, DEMOTED, "member");
    h.api.block_chat(BLOCKED);
    post_emergency(&h, SUPERGROUP, EMERGENCY).await;
    // Admins are alerted in id order: the last one's alert means the others were handled.
    alert(&h, ADMIN, 1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(alerts_to(&h, DEMOTED), 0, "no alert to a former admin");
    assert!(
        h.api.failed().iter().any(|f| f.chat_id() == BLOCKED),
        "the blocked admin's alert was refused"
    );
    for admin in [DEMOTED, BLOCKED] {
        h.api.set_member_status(SUPERGROUP, admin, "administrator");
        let state = command(&h, SUPERGROUP, admin, "/alerts").await;
        assert!(
            state.text().contains("<b>off</b>"),
            "{admin} dropped: {}",
            state.text()
        );
    }
    let state = command(&h, SUPERGROUP, ADMIN, "/alerts").await;
    assert!(state.text().contains("<b>on</b>"), "{}", state.text());
    // Off is off: an admin can stop their own alerts.
    let off = command(&h, SUPERGROUP, ADMIN, "/alerts off").await;
    assert!(off.text().contains("<b>off</b>"), "{}", off.text());
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_list_follows_a_group_to_its_supergroup() {
    let h = Harness::start().await;
    turn_on(&h, GROUP, ADMIN).await;
    for service in updates::migration(h.uid(), GROUP, SUPERGROUP, USER) {
        h.push(service);
    }
    h.uid();
    // The old group's updates are handled in order: once this is answered, the migration
    // message has been handled too.
    h.barrier(GROUP, USER).await;
    h.api.set_member_status(SUPERGROUP, ADMIN, "administrator");
    let id = post_emergency(&h, SUPERGROUP, EMERGENCY).await;
    let sent = alert(&h, ADMIN, 1).await;
    assert_eq!(urls(&sent), vec![format!("https://t.me/c/1234567890/{id}")]);
    h.finish().await;
}

/// Two webhook replicas on one Redis (`common::cluster`): the opt-in made through one holds on
/// the other, and emergencies posted to both at once send one alert (the claim is atomic).
/// Ignored like the other cluster tests: `cargo test --test telegram cluster -- --ignored
/// --test-threads=1`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs redis-server and nginx; .ci/run installs them and runs these with --ignored"]
async fn cluster_of_two_replicas_sends_one_alert() {
    use crate::common::cluster::Cluster;

    let c = Cluster::start().await;
    let group = -1_006_300_000_000;
    c.api.set_member_status(group, ADMIN, "administrator");
    let id = c.uid();
    c.post(
        &c.replicas[0].webhook(),
        &updates::group_command(id, group, ADMIN, "/alerts on"),
    )
    .await;
    c.api.wait_delivered_to(ADMIN, 1).await;
    // Six emergencies at once, alternating replicas.
    let posts: Vec<_> = (0..6)
        .map(|k| {
            (
                c.replicas[k % 2].webhook(),
                updates::group_text(c.uid(), group, USER, EMERGENCY),
            )
        })
        .collect();
    futures::future::join_all(posts.iter().map(|(url, update)| c.post(url, update))).await;
    c.api
        .wait_until("an alert", Duration::from_secs(10), |r| {
            r.delivered
                .iter()
                .find(|s| s.chat_id() == ADMIN && s.text().contains(ALERT))
                .cloned()
        })
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let alerts: Vec<Sent> = c
        .api
        .delivered_to(ADMIN)
        .into_iter()
        .filter(|s| s.text().contains(ALERT))
        .collect();
    assert_eq!(
        alerts.len(),
        1,
        "one alert for 6 emergencies on 2 replicas\n{}",
        c.summary()
    );
}
