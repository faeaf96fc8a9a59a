//! The fake server and the update builders, checked against teloxide's own client and types
//! (no bot process): if these fail, the other tests would be testing the fake, not the bot.

use teloxide::prelude::*;
use teloxide::types::{
    BotCommand, CallbackQueryId, ChatMemberKind, MessageId, ParseMode, UpdateKind,
};
use teloxide::{ApiError, RequestError};

use crate::common::fake_api::{
    check_telegram_html, FakeApi, SendFailure, BOT_ID, BOT_USERNAME, TOKEN,
};
use crate::common::updates;

fn client(api: &FakeApi, token: &str) -> Bot {
    Bot::new(token).set_api_url(api.url.parse().expect("fake API URL"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fake_api_answers_what_teloxide_expects() {
    let api = FakeApi::start().await;
    let bot = client(&api, TOKEN);

    let me = bot.get_me().await.expect("getMe");
    assert_eq!(me.id.0 as i64, BOT_ID);
    assert_eq!(me.username(), BOT_USERNAME);

    let sent = bot
        .send_message(ChatId(7001), "<b>hi</b> &amp; bye")
        .parse_mode(ParseMode::Html)
        .await
        .expect("sendMessage");
    assert_eq!(sent.chat.id, ChatId(7001));
    assert!(sent.chat.is_private());
    assert_eq!(sent.from.as_ref().map(|u| u.id.0 as i64), Some(BOT_ID));
    assert_eq!(api.delivered().len(), 1);
    assert_eq!(api.delivered()[0].message_id, i64::from(sent.id.0));

    let group = bot
        .send_message(ChatId(-1_001_234_567_890), "x")
        .await
        .expect("sendMessage to a supergroup");
    assert!(group.chat.is_supergroup());

    for (status, check) in [
        (
            "administrator",
            (|k: &ChatMemberKind| matches!(k, ChatMemberKind::Administrator(_)))
                as fn(&ChatMemberKind) -> bool,
        ),
        ("creator", |k| matches!(k, ChatMemberKind::Owner(_))),
        ("member", |k| matches!(k, ChatMemberKind::Member(_))),
        ("restricted", |k| matches!(k, ChatMemberKind::Restricted(_))),
        ("left", |k| matches!(k, ChatMemberKind::Left)),
        ("kicked", |k| matches!(k, ChatMemberKind::Banned(_))),
    ] {
        api.set_member_status(-5001, 7001, status);
        let member = bot
            .get_chat_member(ChatId(-5001), UserId(7001))
            .await
            .unwrap_or_else(|e| panic!("getChatMember {status}: {e}"));
        assert!(check(&member.kind), "{status}: {:?}", member.kind);
    }
    api.set_member_status(-5001, 7002, "creator");
    let admins = bot
        .get_chat_administrators(ChatId(-5001))
        .await
        .expect("getChatAdministrators");
    assert_eq!(
        admins.len(),
        1,
        "7001 is kicked now, 7002 is the creator: {admins:?}"
    );
    assert!(bot
        .get_chat_member(ChatId(-5001), UserId(9))
        .await
        .expect("default status")
        .is_present());

    bot.answer_callback_query(CallbackQueryId("cb-1".to_owned()))
        .await
        .expect("answerCallbackQuery");
    bot.set_my_commands(vec![BotCommand::new("ask", "Ask a question")])
        .await
        .expect("setMyCommands");
    bot.delete_webhook().await.expect("deleteWebhook");
    let info = bot.get_webhook_info().await.expect("getWebhookInfo");
    assert!(info.url.is_none());
    bot.edit_message_text(ChatId(7001), MessageId(100_000), "edited")
        .await
        .expect("editMessageText");
    assert_eq!(api.edits().len(), 1);

    api.fail_next_sends(&[SendFailure::TooManyRequests { retry_after: 1 }]);
    match bot.send_message(ChatId(7001), "x").await {
        Err(RequestError::RetryAfter(seconds)) => assert_eq!(seconds.seconds(), 1),
        other => panic!("429 should be RetryAfter: {other:?}"),
    }
    api.fail_next_sends(&[SendFailure::DropConnection]);
    match bot.send_message(ChatId(7001), "x").await {
        Err(RequestError::Network(_)) => {}
        other => panic!("a dropped connection should be a network error: {other:?}"),
    }
    api.block_chat(7003);
    match bot.send_message(ChatId(7003), "x").await {
        Err(RequestError::Api(ApiError::BotBlocked)) => {}
        other => panic!("403 should be BotBlocked: {other:?}"),
    }
    api.migrate_chat(-5001, -1_005_001);
    match bot.send_message(ChatId(-5001), "x").await {
        Err(RequestError::MigrateToChatId(new)) => assert_eq!(new, ChatId(-1_005_001)),
        other => panic!("400 migrate should be MigrateToChatId: {other:?}"),
    }
    match bot
        .send_message(ChatId(7001), "<script>")
        .parse_mode(ParseMode::Html)
        .await
    {
        Err(RequestError::Api(_)) => {}
        other => panic!("invalid HTML should be refused like Telegram does: {other:?}"),
    }
    match bot.send_message(ChatId(7001), "a".repeat(4097)).await {
        Err(RequestError::Api(_)) => {}
        other => panic!("4,097 characters should be refused like Telegram does: {other:?}"),
    }
    assert_eq!(api.delivered().len(), 2);
    assert_eq!(api.failed().len(), 6);

    match client(&api, "999:WRONG").get_me().await {
        Err(RequestError::Api(ApiError::InvalidToken)) => {}
        other => panic!("a wrong token should be InvalidToken: {other:?}"),
    }
    // teloxide sends PascalCase method names; the record keeps them as sent.
    assert!(
        api.calls()
            .iter()
            .any(|c| c.is("getMe") && c.method == "GetMe"),
        "{}",
        api.dump()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fake_api_serves_updates_by_offset_and_allowed_updates() {
    let api = FakeApi::start().await;
    let bot = client(&api, TOKEN);
    api.push(updates::private_text(1, 7001, "what is sciatica"));
    api.push(updates::private_text(2, 7001, "and the nerve?"));
    let first = bot.get_updates().timeout(1).await.expect("getUpdates");
    assert_eq!(first.iter().map(|u| u.id.0).collect::<Vec<_>>(), vec![1, 2]);
    let again = bot
        .get_updates()
        .offset(2)
        .timeout(1)
        .await
        .expect("getUpdates");
    assert_eq!(again.iter().map(|u| u.id.0).collect::<Vec<_>>(), vec![2]);
    let started = std::time::Instant::now();
    let none = bot
        .get_updates()
        .offset(3)
        .timeout(10)
        .await
        .expect("getUpdates");
    assert!(none.is_empty());
    assert!(
        started.elapsed() < std::time::Duration::from_secs(3),
        "long polls are capped at about 1 s"
    );

    // A long poll returns as soon as an update is queued.
    let poll = tokio::spawn({
        let bot = bot.clone();
        async move { bot.get_updates().offset(3).timeout(10).await }
    });
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    api.push(updates::private_text(3, 7001, "hello"));
    let woke = poll.await.expect("join").expect("getUpdates");
    assert_eq!(woke.len(), 1);

    // allowed_updates: kinds the bot did not ask for are dropped, as Telegram does.
    api.push(updates::inline_query(4, 7001, "sciatica"));
    api.push(updates::private_text(5, 7001, "hi"));
    let filtered = bot
        .get_updates()
        .offset(4)
        .timeout(1)
        .allowed_updates(vec![teloxide::types::AllowedUpdate::Message])
        .await
        .expect("getUpdates");
    assert_eq!(filtered.iter().map(|u| u.id.0).collect::<Vec<_>>(), vec![5]);
    assert_eq!(api.with_record(|r| r.filtered.len()), 1);
}

#[test]
fn builders_produce_updates_teloxide_parses() {
    let parse = |value: serde_json::Value| -> Update {
        serde_json::from_str(&value.to_string()).unwrap_or_else(|e| panic!("{e}: {value}"))
    };
    let message = |value: serde_json::Value| -> Message {
        match parse(value.clone()).kind {
            UpdateKind::Message(m) | UpdateKind::EditedMessage(m) | UpdateKind::ChannelPost(m) => m,
            other => panic!("not a message: {other:?}\n{value}"),
        }
    };

    let m = message(updates::private_text(1, 7001, "what is sciatica"));
    assert!(m.chat.is_private());
    assert_eq!(m.text(), Some("what is sciatica"));
    assert_eq!(
        m.from.as_ref().and_then(|u| u.username.as_deref()),
        Some(updates::USERNAME)
    );

    let m = message(updates::group_text(2, -5001, 7001, "what is sciatica"));
    assert!(m.chat.is_group());
    assert!(m.entities().is_none_or(<[_]>::is_empty));

    let m = message(updates::group_command(
        3,
        -1_001_234_567_890,
        7001,
        "/ask@backleg_test_bot what is sciatica",
    ));
    assert!(m.chat.is_supergroup());
    let entities = m.parse_entities().expect("entities");
    assert_eq!(entities.len(), 1, "{entities:?}");
    assert_eq!(entities[0].text(), "/ask@backleg_test_bot");

    let m = message(updates::mention(4, -5001, 7001, "what is sciatica 😀"));
    let entities = m.parse_entities().expect("entities");
    assert_eq!(entities[0].text(), "@backleg_test_bot");
    let m = message(updates::group_text(
        5,
        -5001,
        7001,
        "😀 שלום @backleg_test_bot hi",
    ));
    assert_eq!(
        m.parse_entities().expect("entities")[0].text(),
        "@backleg_test_bot"
    );

    let m = message(updates::reply_to_bot(
        6,
        -5001,
        7001,
        100_000,
        "and the nerve?",
    ));
    let replied = m.reply_to_message().expect("reply_to_message");
    assert_eq!(replied.from.as_ref().map(|u| u.id.0 as i64), Some(BOT_ID));

    let m = message(updates::topic_text(
        7,
        -1_001_234_567_890,
        7001,
        77,
        "/ask what is sciatica",
    ));
    assert!(m.is_topic_message);
    assert_eq!(m.thread_id.map(|t| t.0 .0), Some(77));

    assert!(message(updates::sticker(8, 7001, 7001)).sticker().is_some());
    assert!(message(updates::photo(9, -5001, 7001, Some("look")))
        .photo()
        .is_some());
    assert!(matches!(
        parse(updates::edited_text(10, 7001, 7001, 1, "edited")).kind,
        UpdateKind::EditedMessage(_)
    ));

    match parse(updates::callback(11, 7001, 7001, 100_000, "t:symptoms")).kind {
        UpdateKind::CallbackQuery(q) => {
            assert_eq!(q.id.0, updates::callback_id(11));
            assert_eq!(q.data.as_deref(), Some("t:symptoms"));
            assert!(q.regular_message().is_some());
        }
        other => panic!("{other:?}"),
    }
    match parse(updates::callback_on(
        12,
        7001,
        updates::inaccessible_message(5, 7001),
        "t:symptoms",
    ))
    .kind
    {
        UpdateKind::CallbackQuery(q) => {
            assert!(q.message.is_some_and(|m| m.regular_message().is_none()))
        }
        other => panic!("{other:?}"),
    }
    match parse(updates::bot_added(13, -5001, 7001)).kind {
        UpdateKind::MyChatMember(m) => {
            assert!(m.old_chat_member.kind.is_left());
            assert!(m.new_chat_member.kind.is_member());
            assert_eq!(m.new_chat_member.user.id.0 as i64, BOT_ID);
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        parse(updates::my_chat_member(
            14,
            -5001,
            7001,
            "left",
            "administrator"
        ))
        .kind,
        UpdateKind::MyChatMember(_)
    ));
    assert!(matches!(
        parse(updates::channel_post(15, -1_009_999_999_999, "news")).kind,
        UpdateKind::ChannelPost(_)
    ));
    assert!(matches!(
        parse(updates::inline_query(16, 7001, "q")).kind,
        UpdateKind::InlineQuery(_)
    ));
    let [to, from] = updates::migration(17, -5001, -1_005_001, 7001);
    assert_eq!(message(to).migrate_to_chat_id(), Some(&ChatId(-1_005_001)));
    assert_eq!(message(from).migrate_from_chat_id(), Some(&ChatId(-5001)));

    let broken = parse(updates::unparseable(19, 7001, "ZEBRA"));
    assert_eq!(broken.id.0, 19);
    assert!(matches!(broken.kind, UpdateKind::Error(_)), "{broken:?}");
}

#[test]
fn html_check_accepts_telegram_html_and_refuses_the_rest() {
    for ok in [
        "plain",
        "<b>bold</b> &lt;b&gt; &amp; &quot; &#128512; &#x1F600;",
        "<i>x <b>y</b></i>",
        "<a href=\"https://t.me/x\">x</a>",
        "😀 שלום",
    ] {
        assert_eq!(check_telegram_html(ok), Ok(()), "{ok}");
    }
    for bad in [
        "<script>alert(1)</script>",
        "<b>unclosed",
        "a & b",
        "1 < 2",
        "2 > 1",
        "<b><i>x</b></i>",
        "&nbsp;",
        "</b>",
    ] {
        assert!(check_telegram_html(bad).is_err(), "{bad}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fake_api_enforces_flood_limits_when_asked() {
    use std::time::{Duration, Instant};

    use crate::common::fake_api::{busiest_window, FloodLimits};

    let api = FakeApi::start().await;
    api.enforce_flood_limits(FloodLimits::per_second(5));
    let bot = client(&api, TOKEN);
    // Four private messages to one chat: the fourth breaks the chat's limit of three.
    for _ in 0..3 {
        bot.send_message(ChatId(7101), "x").await.expect("within");
    }
    let refused = bot.send_message(ChatId(7101), "x").await;
    assert!(
        matches!(refused, Err(RequestError::RetryAfter(_))),
        "{refused:?}"
    );
    // Two more chats fill the second; the next is refused, whatever its chat.
    bot.send_message(ChatId(7102), "x").await.expect("fourth");
    bot.send_message(ChatId(-7103), "x").await.expect("fifth");
    let refused = bot.send_message(ChatId(7104), "x").await;
    assert!(
        matches!(refused, Err(RequestError::RetryAfter(_))),
        "{refused:?}"
    );
    assert_eq!(api.with_record(|r| r.flood_refusals), 2);
    assert_eq!(api.delivered().len(), 5);
    assert_eq!(api.busiest_send_window(Duration::from_secs(10)), 7);

    let t = Instant::now();
    let ms = |n| t + Duration::from_millis(n);
    let times = [ms(0), ms(500), ms(999), ms(1000), ms(1001), ms(3000)];
    assert_eq!(busiest_window(&times, Duration::from_secs(1)), 4);
    assert_eq!(busiest_window(&times, Duration::from_millis(2)), 2);
    assert_eq!(busiest_window(&[], Duration::from_secs(1)), 0);
}
