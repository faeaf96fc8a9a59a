//! Logs: at the most verbose level, nothing a user wrote, nor their name or username, reaches
//! the bot's output, whatever the update (handled, unhandled, unparseable); `--log-format
//! json` writes one JSON object per line.

use crate::common::fake_api::{SendFailure, BOT_USERNAME, TOKEN};
use crate::common::updates::{self, FIRST_NAME, USERNAME};
use crate::harness::{Harness, SCIATICA_TITLE};

const CHAT: i64 = 7001;
const GROUP: i64 = -5001;
const SUPERGROUP: i64 = -1_001_234_567_890;
const USER: i64 = 7001;

const MARKER: &str = "ZEBRA-MARKER-7731";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn message_text_names_and_usernames_never_reach_the_logs() {
    let mut h = Harness::start_with(|options, _| options.rust_log = Some("trace".to_owned())).await;
    let phrase = format!("{MARKER} bladder sciatica");

    // Handled: private question, group /ask, mention, unaddressed red flag, edit, callback.
    h.push(updates::private_text(h.uid(), CHAT, &phrase));
    h.push(updates::group_command(
        h.uid(),
        GROUP,
        USER,
        &format!("/ask {phrase}"),
    ));
    h.push(updates::group_text(
        h.uid(),
        SUPERGROUP,
        USER,
        &format!("@{BOT_USERNAME} {phrase}"),
    ));
    h.push(updates::group_text(
        h.uid(),
        GROUP,
        USER + 1,
        &format!("{phrase}: my dad fell and can't feel his legs"),
    ));
    let edited = h.uid();
    h.push(updates::edited_text(
        edited,
        CHAT,
        CHAT,
        1,
        &format!("{phrase} edited"),
    ));
    let mut callback = updates::callback(h.uid(), CHAT, CHAT, 100_000, "t:symptoms");
    callback["callback_query"]["message"]["text"] = serde_json::json!(phrase);
    h.push(callback);
    let mut forged = updates::callback(h.uid(), CHAT, CHAT, 100_000, &format!("t:{MARKER}"));
    forged["callback_query"]["message"]["text"] = serde_json::json!(phrase);
    h.push(forged);
    // Ignored or unhandled: unaddressed group text, sticker, channel post, inline query, the
    // bot added to a group, a command for another bot.
    h.push(updates::group_text(
        h.uid(),
        GROUP,
        USER,
        &format!("{phrase} unaddressed"),
    ));
    h.push(updates::sticker(h.uid(), GROUP, USER));
    h.push(updates::channel_post(h.uid(), -1_009_999_999_999, &phrase));
    h.push(updates::inline_query(h.uid(), USER, &phrase));
    h.push(updates::bot_added(h.uid(), -5002, USER));
    h.push(updates::group_command(
        h.uid(),
        GROUP,
        USER,
        &format!("/help@otherbot {phrase}"),
    ));
    // Unparseable: teloxide turns it into UpdateKind::Error holding the raw JSON.
    h.push(updates::unparseable(h.uid(), CHAT, &phrase));
    // A user who blocked the bot.
    h.api.block_chat(7009);
    h.push(updates::private_text(h.uid(), 7009, &phrase));

    h.api.wait_delivered_to(SUPERGROUP, 1).await;
    h.api.wait_failed(1).await;
    h.barrier(CHAT, CHAT).await;
    h.barrier(GROUP, USER).await;
    let status = h.bot.stop().await;

    let stdout = h.bot.stdout();
    let stderr = h.bot.stderr();
    assert!(
        stderr.lines().count() > 5,
        "RUST_LOG=trace should log something (is RUST_LOG read?):\n{stderr}"
    );
    for secret in [MARKER, FIRST_NAME, USERNAME, "Zorro"] {
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
    assert!(status.is_some(), "the bot stopped on SIGTERM");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_log_format_writes_one_json_object_per_line() {
    let mut h = Harness::start_with(|options, _| {
        options
            .args
            .extend(["--log-format".to_owned(), "json".to_owned()]);
        options.rust_log = Some("debug".to_owned());
    })
    .await;
    h.push(updates::private_text(h.uid(), CHAT, "what is sciatica"));
    let answer = h.api.wait_delivered_to(CHAT, 1).await.swap_remove(0);
    assert!(answer.text().contains(SCIATICA_TITLE));
    h.bot.stop().await;
    let stderr = h.bot.stderr();
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(!lines.is_empty(), "RUST_LOG=debug should log something");
    for line in lines {
        let parsed: Result<serde_json::Value, _> = serde_json::from_str(line);
        assert!(
            parsed.is_ok_and(|v| v.is_object()),
            "not a JSON object: {line}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bot_token_never_reaches_the_logs() {
    let mut h = Harness::start_with(|options, _| options.rust_log = Some("trace".to_owned())).await;
    // Network errors: reqwest's error text carries the request URL, which carries the token.
    h.api.fail_next_polls(&[SendFailure::DropConnection]);
    h.api.fail_next_sends(&[SendFailure::DropConnection]);
    h.push(updates::private_text(h.uid(), CHAT, "what is sciatica"));
    h.api.wait_delivered_to(CHAT, 1).await;
    h.bot.stop().await;
    let secret = TOKEN.split(':').nth(1).expect("token secret part");
    for (stream, output) in [("stdout", h.bot.stdout()), ("stderr", h.bot.stderr())] {
        let leaks: Vec<&str> = output
            .lines()
            .filter(|line| line.contains(secret))
            .take(3)
            .collect();
        assert!(
            leaks.is_empty(),
            "the bot token appears in the bot's {stream}:\n{}",
            leaks.join("\n")
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_file_keeps_no_message_text_or_names() {
    let mut h = Harness::start().await;
    let admin = 7100;
    h.api.set_member_status(GROUP, admin, "administrator");
    h.api.set_member_status(SUPERGROUP, admin, "administrator");
    h.push(updates::group_text(
        h.uid(),
        GROUP,
        USER,
        &format!("{MARKER}: my dad fell and can't feel his legs"),
    ));
    h.push(updates::group_command(
        h.uid(),
        GROUP,
        admin,
        &format!("/redflags off {MARKER}"),
    ));
    h.push(updates::group_command(
        h.uid(),
        SUPERGROUP,
        admin,
        "/redflags off",
    ));
    h.push(updates::group_command(
        h.uid(),
        GROUP,
        USER,
        &format!("/ask {MARKER} sciatica"),
    ));
    h.push(updates::private_text(
        h.uid(),
        CHAT,
        &format!("{MARKER} bladder"),
    ));
    h.push(updates::bot_added(h.uid(), -5003, USER));
    h.barrier(GROUP, USER).await;
    h.barrier(SUPERGROUP, USER).await;
    h.barrier(CHAT, CHAT).await;
    h.bot.stop().await;
    let mut files = 0;
    for entry in std::fs::read_dir(h.dir.path()).expect("temp dir") {
        let path = entry.expect("entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if !name.starts_with("backleg.sqlite3") {
            continue;
        }
        files += 1;
        let bytes = std::fs::read(&path).expect("data file");
        for secret in [MARKER, FIRST_NAME, USERNAME, "Zorro", "Sciatica support"] {
            let found = bytes.windows(secret.len()).any(|w| w == secret.as_bytes());
            assert!(!found, "{secret:?} is stored in {}", path.display());
        }
    }
    assert!(files >= 1, "the data file should exist");
}
