//! Start-up and shutdown: the calls the bot makes first, bad tokens (exit 2, one clear line, no
//! panic), SIGTERM and SIGINT (exit 0, replies in flight finished).

use std::collections::BTreeSet;
use std::time::Duration;

use crate::common::fake_api::WAIT;
use crate::common::updates;
use crate::harness::{assert_exit_code, Harness, NOT_A_DIAGNOSIS};

const CHAT: i64 = 7001;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starts_with_get_me_then_set_my_commands_then_long_polling() {
    let h = Harness::start().await;
    let poll = h
        .api
        .wait_call_where("getUpdates", "with a timeout > 0 (long polling)", |c| {
            c.body["timeout"].as_u64().is_some_and(|t| t > 0)
        })
        .await;
    let calls = h.api.calls();
    assert!(
        calls[0].is("getMe"),
        "the first call should be getMe, got {}\n{}",
        calls[0].method,
        h.api.dump()
    );
    let first_poll = calls
        .iter()
        .position(|c| c.is("getUpdates"))
        .expect("a getUpdates call");
    assert!(
        calls[..first_poll].iter().any(|c| c.is("setMyCommands")),
        "setMyCommands should come before the first getUpdates\n{}",
        h.api.dump()
    );
    assert!(
        calls.iter().all(|c| c.authorized),
        "every call uses the token\n{}",
        h.api.dump()
    );
    assert!(
        poll.body["timeout"].as_u64() <= Some(50),
        "a long-poll timeout the HTTP client can wait for: {}",
        poll.body
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_my_commands_registers_the_issue_command_list() {
    let h = Harness::start().await;
    let registered: BTreeSet<String> = h
        .api
        .calls_of("setMyCommands")
        .iter()
        .flat_map(|c| c.body["commands"].as_array().cloned().unwrap_or_default())
        .filter_map(|command| command["command"].as_str().map(str::to_owned))
        .collect();
    for command in [
        "start", "help", "topics", "urgent", "check", "ask", "about", "privacy", "redflags",
    ] {
        assert!(
            registered.contains(command),
            "/{command} is not registered; registered: {registered:?}\n{}",
            h.api.dump()
        );
    }
    for call in h.api.calls_of("setMyCommands") {
        for command in call.body["commands"]
            .as_array()
            .cloned()
            .unwrap_or_default()
        {
            let name = command["command"].as_str().unwrap_or("");
            let description = command["description"].as_str().unwrap_or("");
            assert!(
                (1..=32).contains(&name.len())
                    && name
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                "Telegram refuses command name {name:?}"
            );
            assert!(
                (1..=256).contains(&description.chars().count()),
                "Telegram refuses description {description:?} of /{name}"
            );
        }
    }
    h.finish().await;
}

/// Spawns the bot with `token` (None: unset) against a fake server that accepts only `TOKEN`,
/// waits for it to exit, and checks: exit code 2, exactly one non-empty stderr line mentioning
/// the token, no panic.
async fn assert_bad_token_exits_2(row: &str, token: Option<&str>) -> Harness {
    let mut h = Harness::spawn_with(|options, _| {
        options.token = token.map(str::to_owned);
        options.rust_log = None;
    })
    .await;
    let status = h.bot.wait_exit(WAIT).await;
    assert_exit_code(status, 2, &h.bot);
    let stderr = h.bot.stderr();
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(
        !stderr.contains("panicked"),
        "{row}: no panic on a bad token:\n{stderr}"
    );
    assert!(
        !stderr.to_lowercase().contains("backtrace"),
        "{row}: no backtrace on a bad token:\n{stderr}"
    );
    assert_eq!(
        lines.len(),
        1,
        "{row}: one clear error line, got {}:\n{stderr}",
        lines.len()
    );
    assert!(
        lines[0].to_lowercase().contains("token"),
        "{row}: the line should say it is about the token: {}",
        lines[0]
    );
    assert!(
        h.api.calls_of("getUpdates").is_empty(),
        "{row}: no polling with a bad token\n{}",
        h.api.dump()
    );
    h
}

/// A bad token: (row name, `TELOXIDE_TOKEN`, what else must hold of the calls made).
type BadToken = (&'static str, Option<&'static str>, fn(&Harness, &str));

/// Every kind of bad token exits 2 with one clear line (`assert_bad_token_exits_2`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_tokens_exit_2_with_one_clear_line() {
    let rows: [BadToken; 3] = [
        ("a missing token", None, |h, row| {
            assert!(
                h.api.calls().is_empty(),
                "{row}: no Bot API call without a token\n{}",
                h.api.dump()
            );
        }),
        ("a malformed token", Some("not-a-token"), |_, _| {}),
        (
            "a token rejected by getMe",
            Some("999999:WRONG-token-for-this-server"),
            |h, row| {
                assert!(
                    h.api.calls().iter().any(|c| c.is("getMe") && !c.authorized),
                    "{row}: a well-formed token should be tried with getMe (and get 401)\n{}",
                    h.api.dump()
                );
            },
        ),
    ];
    for (row, token, then) in rows {
        eprintln!("--- row: {row}");
        let h = assert_bad_token_exits_2(row, token).await;
        then(&h, row);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_the_bot_with_exit_code_0() {
    let mut h = Harness::start().await;
    h.push(updates::private_text(h.uid(), CHAT, "what is sciatica"));
    h.api.wait_delivered_to(CHAT, 1).await;
    h.bot.signal("TERM");
    let status = h.bot.wait_exit(WAIT).await;
    assert_exit_code(status, 0, &h.bot);
    assert!(!h.bot.stderr().contains("panicked"), "{}", h.bot.stderr());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigint_stops_the_bot_with_exit_code_0() {
    let mut h = Harness::start().await;
    h.bot.signal("INT");
    let status = h.bot.wait_exit(WAIT).await;
    assert_exit_code(status, 0, &h.bot);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_finishes_the_reply_in_flight_before_exiting() {
    let mut h = Harness::start().await;
    h.api.delay_sends(Duration::from_secs(2));
    h.push(updates::private_text(h.uid(), CHAT, "what is sciatica"));
    h.api.wait_calls("sendMessage", 1).await;
    h.bot.signal("TERM");
    let status = h.bot.wait_exit(WAIT).await;
    // The fake records a delivery before it answers; a bot that exits only after its reply
    // was answered has it recorded by the time it is gone.
    let delivered = h.api.delivered_to(CHAT);
    assert_exit_code(status, 0, &h.bot);
    assert_eq!(
        delivered.len(),
        1,
        "the reply in flight should be finished before exit\n{}",
        h.api.dump()
    );
    assert!(delivered[0].text().contains(NOT_A_DIAGNOSIS));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn command_menu_descriptions_are_one_line_each() {
    let h = Harness::start().await;
    for call in h.api.calls_of("setMyCommands") {
        for command in call.body["commands"]
            .as_array()
            .cloned()
            .unwrap_or_default()
        {
            let description = command["description"].as_str().unwrap_or("");
            assert!(
                !description.contains('\n'),
                "the menu entry of /{} has a line break (a doc comment leaked into it?): {description:?}",
                command["command"].as_str().unwrap_or("?")
            );
        }
    }
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_poll_held_for_its_whole_timeout_is_not_cut_short() {
    let h = Harness::start().await;
    // From now on getUpdates is held for the whole `timeout` the bot asks for, as Telegram
    // does when nothing happens: the bot's HTTP client must wait longer than that.
    h.api.hold_long_polls_like_telegram();
    let from = h.api.calls().len();
    let verdict = h
        .api
        .wait_until("a long poll held for its whole timeout, then the next poll", Duration::from_secs(70), |record| {
            let polls: Vec<_> = record.calls[from..].iter().filter(|c| c.is("getUpdates")).collect();
            for pair in polls.windows(2) {
                let (held, next) = (pair[0], pair[1]);
                let timeout = held.body["timeout"].as_u64().unwrap_or(0);
                let gap = next.at.duration_since(held.at);
                if !record.polls_answered.contains(&held.seq) {
                    return Some(Err(format!(
                        "getUpdates #{} asked Telegram to hold it {timeout} s, but the bot gave up on it and polled again (#{}) after {gap:.1?}: \
                         its HTTP client times out first (teloxide's default client: 17 s), so against Telegram every quiet poll \
                         is a network error and teloxide's backoff grows to 64 s between polls",
                        held.seq, next.seq
                    )));
                }
                if timeout > 0 && gap + Duration::from_secs(1) >= Duration::from_secs(timeout) {
                    return Some(Ok(()));
                }
            }
            None
        })
        .await;
    if let Err(problem) = verdict {
        panic!("{problem}\nbot stderr:\n{}", h.bot.stderr_tail(10));
    }
    assert!(
        !h.bot.stderr().contains("getUpdates failed"),
        "{}",
        h.bot.stderr_tail(10)
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_api_fails_with_a_clear_error() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    };
    let mut h = Harness::spawn_with(|options, _| {
        options.api_url = Some(format!("http://127.0.0.1:{port}/"));
        options.rust_log = None;
    })
    .await;
    let status = h.bot.wait_exit(Duration::from_secs(40)).await;
    let stderr = h.bot.stderr();
    assert!(
        status.is_some(),
        "the bot should give up on an unreachable API with an error, not hang\n{stderr}"
    );
    assert!(
        !status.is_some_and(|s| s.success()),
        "an unreachable API is an error exit\n{stderr}"
    );
    assert!(!stderr.contains("panicked"), "no panic:\n{stderr}");
    let lower = stderr.to_lowercase();
    assert!(
        lower.contains(&format!("127.0.0.1:{port}"))
            || lower.contains("reach")
            || lower.contains("connect"),
        "the error should say the API cannot be reached:\n{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_file_is_created_on_first_run() {
    let h = Harness::start_with(|options, dir| {
        let data = dir.join("settings.sqlite3");
        assert!(!data.exists());
        options.data = Some(data);
    })
    .await;
    let data = h.options.data.clone().expect("data path");
    // Created at start-up, or at the latest when the first setting is stored.
    h.api.set_member_status(-5001, 7100, "administrator");
    h.push(updates::group_command(
        h.uid(),
        -5001,
        7100,
        "/redflags off",
    ));
    h.api.wait_delivered_to(-5001, 1).await;
    assert!(
        data.is_file(),
        "{} should exist after the first run",
        data.display()
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_file_provides_the_token_and_settings() {
    let api = crate::common::fake_api::FakeApi::start().await;
    let h = Harness::start_on(api, |options, dir, url| {
        let config = dir.join("backleg.toml");
        let data = dir.join("from-config.sqlite3");
        let text = format!(
            "token = \"{}\"\napi_url = \"{url}\"\ndata = \"{}\"\nemergency_number = \"call 000 from the config file\"\n",
            crate::common::fake_api::TOKEN,
            data.display()
        );
        std::fs::write(&config, text).expect("write config");
        options.token = None;
        options.api_url_env = false;
        options.data = None;
        options.args.extend(["--config".to_owned(), config.display().to_string()]);
    })
    .await;
    h.push(updates::private_text(
        h.uid(),
        CHAT,
        "I wet myself and my leg is numb",
    ));
    let answer = h.api.wait_delivered_to(CHAT, 1).await.swap_remove(0);
    assert!(
        answer.text().contains("call 000 from the config file"),
        "{}",
        answer.text()
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emergency_number_flag_is_used_in_urgent_replies() {
    let h = Harness::start_with(|options, _| {
        options.args.extend([
            "--emergency-number".to_owned(),
            "call 000 & ask for an ambulance".to_owned(),
        ])
    })
    .await;
    h.push(updates::private_text(
        h.uid(),
        CHAT,
        "I wet myself and my leg is numb",
    ));
    let answer = h.api.wait_delivered_to(CHAT, 1).await.swap_remove(0);
    assert!(
        answer
            .text()
            .contains("call 000 &amp; ask for an ambulance"),
        "the number, HTML-escaped: {}",
        answer.text()
    );
    h.finish().await;
}
