//! Builders for updates shaped exactly like Telegram's (`getUpdates` results), as
//! `serde_json::Value`s. Field names follow core.telegram.org/bots/api; the self-test
//! `fake_api_selftest::builders_produce_updates_teloxide_parses` checks each one against
//! teloxide's own types.
//!
//! Chat ids follow Telegram's convention: positive = private chat (chat id = user id),
//! `-100…` (below -1e12) = supergroup, other negative ids = basic group. A user message's
//! `message_id` is its update id, so each is unique within a test.
//!
//! Every user is named "Zelda Zorro" (@zelda_private): the privacy test greps the bot's
//! logs for those names.

use serde_json::{json, Value};

use super::fake_api::{bot_user, now, BOT_USERNAME};

/// The name every test user has (the privacy test checks the logs never show it).
pub const FIRST_NAME: &str = "Zelda";
/// The username every test user has.
pub const USERNAME: &str = "zelda_private";

/// A user.
pub fn user(id: i64) -> Value {
    json!({ "id": id, "is_bot": false, "first_name": FIRST_NAME, "last_name": "Zorro", "username": USERNAME, "language_code": "en" })
}

/// A chat object for an id (see the module doc for the id convention).
pub fn chat(id: i64) -> Value {
    if id > 0 {
        json!({ "id": id, "type": "private", "first_name": FIRST_NAME, "last_name": "Zorro", "username": USERNAME })
    } else if id < -1_000_000_000_000 {
        json!({ "id": id, "type": "supergroup", "title": "Sciatica support (supergroup)" })
    } else {
        json!({ "id": id, "type": "group", "title": "Sciatica support" })
    }
}

/// A forum supergroup (topics enabled).
pub fn forum_chat(id: i64) -> Value {
    json!({ "id": id, "type": "supergroup", "title": "Sciatica support (forum)", "is_forum": true })
}

/// A channel.
pub fn channel_chat(id: i64) -> Value {
    json!({ "id": id, "type": "channel", "title": "Back pain news", "username": "backpain_news" })
}

/// Length in UTF-16 code units, the unit of Telegram's entity offsets and lengths.
pub fn utf16_len(text: &str) -> usize {
    text.encode_utf16().count()
}

/// A message from `user_id` in `chat` (message id = update id), with `extra` fields merged in.
pub fn message(update_id: i64, chat: Value, user_id: i64, extra: Value) -> Value {
    let mut message =
        json!({ "message_id": update_id, "date": now(), "chat": chat, "from": user(user_id) });
    merge(&mut message, extra);
    message
}

/// Wraps a message into an update.
pub fn update(update_id: i64, kind: &str, payload: Value) -> Value {
    json!({ "update_id": update_id, kind: payload })
}

/// A text message with the entities Telegram would attach: `bot_command` for a leading
/// `/command`, `mention` for each `@username`.
pub fn text_message(update_id: i64, chat: Value, user_id: i64, text: &str) -> Value {
    let mut extra = json!({ "text": text });
    let entities = entities(text);
    if !entities.is_empty() {
        extra["entities"] = Value::Array(entities);
    }
    message(update_id, chat, user_id, extra)
}

/// Telegram's entities for a text: a leading `/command[@bot]` and every `@username`.
pub fn entities(text: &str) -> Vec<Value> {
    let mut found = Vec::new();
    if text.starts_with('/') {
        let command = text.split_whitespace().next().unwrap_or("");
        found.push(json!({ "type": "bot_command", "offset": 0, "length": utf16_len(command) }));
    }
    let mut search = 0;
    while let Some(pos) = text[search..].find('@') {
        let at = search + pos;
        let name_len = text[at + 1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .map(char::len_utf8)
            .sum::<usize>();
        let in_command =
            text.starts_with('/') && at < text.split_whitespace().next().unwrap_or("").len();
        if name_len >= 5 && !in_command {
            found.push(json!({ "type": "mention", "offset": utf16_len(&text[..at]), "length": 1 + utf16_len(&text[at + 1..at + 1 + name_len]) }));
        }
        search = at + 1 + name_len;
    }
    found
}

/// A private text message from the chat's own user.
pub fn private_text(update_id: i64, chat_id: i64, text: &str) -> Value {
    update(
        update_id,
        "message",
        text_message(update_id, chat(chat_id), chat_id, text),
    )
}

/// A group (or supergroup) text message, no entities unless the text has `/command` or
/// `@mentions` in it.
pub fn group_text(update_id: i64, chat_id: i64, user_id: i64, text: &str) -> Value {
    update(
        update_id,
        "message",
        text_message(update_id, chat(chat_id), user_id, text),
    )
}

/// A group command (`/ask …`, `/ask@bot …`): a `bot_command` entity over the first word.
pub fn group_command(update_id: i64, chat_id: i64, user_id: i64, text: &str) -> Value {
    assert!(text.starts_with('/'), "a command starts with '/': {text}");
    group_text(update_id, chat_id, user_id, text)
}

/// A group message mentioning the bot: `@backleg_test_bot <text>`, with a `mention` entity.
pub fn mention(update_id: i64, chat_id: i64, user_id: i64, text: &str) -> Value {
    group_text(
        update_id,
        chat_id,
        user_id,
        &format!("@{BOT_USERNAME} {text}"),
    )
}

/// One of the bot's own messages, as Telegram embeds it in `reply_to_message`.
pub fn bot_message(message_id: i64, chat: Value, text: &str) -> Value {
    json!({ "message_id": message_id, "date": now() - 60, "chat": chat, "from": bot_user(), "text": text })
}

/// A group message replying to the bot's message `bot_message_id`.
pub fn reply_to_bot(
    update_id: i64,
    chat_id: i64,
    user_id: i64,
    bot_message_id: i64,
    text: &str,
) -> Value {
    let replied = bot_message(bot_message_id, chat(chat_id), "What sciatica is");
    let mut message = text_message(update_id, chat(chat_id), user_id, text);
    message["reply_to_message"] = replied;
    update(update_id, "message", message)
}

/// A message in forum topic `thread_id` of a forum supergroup. Like Telegram, it carries
/// `message_thread_id`, `is_topic_message` and, as `reply_to_message`, the topic's creation
/// service message (a user's, not the bot's).
pub fn topic_text(update_id: i64, chat_id: i64, user_id: i64, thread_id: i64, text: &str) -> Value {
    let mut message = text_message(update_id, forum_chat(chat_id), user_id, text);
    message["message_thread_id"] = json!(thread_id);
    message["is_topic_message"] = json!(true);
    message["reply_to_message"] = json!({
        "message_id": thread_id,
        "date": now() - 3600,
        "chat": forum_chat(chat_id),
        "from": user(user_id + 1),
        "message_thread_id": thread_id,
        "forum_topic_created": { "name": "Sciatica", "icon_color": 7_322_096 }
    });
    update(update_id, "message", message)
}

/// A sticker message (private or group, by chat id).
pub fn sticker(update_id: i64, chat_id: i64, user_id: i64) -> Value {
    let sticker = json!({
        "file_id": "CAACAgIAAxkBAAEBsticker",
        "file_unique_id": "AgADsticker",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": false,
        "is_video": false,
        "emoji": "😀",
        "set_name": "zelda_pack",
        "file_size": 25734
    });
    update(
        update_id,
        "message",
        message(
            update_id,
            chat(chat_id),
            user_id,
            json!({ "sticker": sticker }),
        ),
    )
}

/// A photo message, with an optional caption.
pub fn photo(update_id: i64, chat_id: i64, user_id: i64, caption: Option<&str>) -> Value {
    let sizes = json!([
        { "file_id": "AgACAgQAAxkBphoto-s", "file_unique_id": "AQADphoto-s", "file_size": 1500, "width": 90, "height": 67 },
        { "file_id": "AgACAgQAAxkBphoto-m", "file_unique_id": "AQADphoto-m", "file_size": 21000, "width": 320, "height": 240 }
    ]);
    let mut extra = json!({ "photo": sizes });
    if let Some(caption) = caption {
        extra["caption"] = json!(caption);
    }
    update(
        update_id,
        "message",
        message(update_id, chat(chat_id), user_id, extra),
    )
}

/// An `edited_message`: message `message_id` of `chat_id` now reads `text`.
pub fn edited_text(
    update_id: i64,
    chat_id: i64,
    user_id: i64,
    message_id: i64,
    text: &str,
) -> Value {
    let mut message = text_message(update_id, chat(chat_id), user_id, text);
    message["message_id"] = json!(message_id);
    message["date"] = json!(now() - 30);
    message["edit_date"] = json!(now());
    update(update_id, "edited_message", message)
}

/// A `callback_query`: user `user_id` pressed a button with `data` under the bot's message
/// `bot_message_id` in `chat_id`; the query id is `cb-<update_id>`.
pub fn callback(
    update_id: i64,
    chat_id: i64,
    user_id: i64,
    bot_message_id: i64,
    data: &str,
) -> Value {
    callback_on(
        update_id,
        user_id,
        bot_message(bot_message_id, chat(chat_id), "What sciatica is"),
        data,
    )
}

/// A `callback_query` on a given message (accessible, or `inaccessible_message`).
pub fn callback_on(update_id: i64, user_id: i64, message: Value, data: &str) -> Value {
    update(
        update_id,
        "callback_query",
        json!({
            "id": callback_id(update_id),
            "from": user(user_id),
            "message": message,
            "chat_instance": "-8817723431254543210",
            "data": data
        }),
    )
}

/// The callback query id `callback` and `callback_on` use for an update id.
pub fn callback_id(update_id: i64) -> String {
    format!("cb-{update_id}")
}

/// A message too old for the bot to see (Bot API 7.0 `InaccessibleMessage`: `date` 0).
pub fn inaccessible_message(message_id: i64, chat_id: i64) -> Value {
    json!({ "chat": chat(chat_id), "message_id": message_id, "date": 0 })
}

/// `my_chat_member`: `by_user` changed the bot's status in `chat_id` from `old` to `new`
/// ("left" -> "member" is "added to the group").
pub fn my_chat_member(update_id: i64, chat_id: i64, by_user: i64, old: &str, new: &str) -> Value {
    let member = |status: &str| super::fake_api::chat_member(super::fake_api::BOT_ID, status);
    update(
        update_id,
        "my_chat_member",
        json!({
            "chat": chat(chat_id),
            "from": user(by_user),
            "date": now(),
            "old_chat_member": member(old),
            "new_chat_member": member(new)
        }),
    )
}

/// The bot added to a group as a plain member.
pub fn bot_added(update_id: i64, chat_id: i64, by_user: i64) -> Value {
    my_chat_member(update_id, chat_id, by_user, "left", "member")
}

/// A `channel_post`.
pub fn channel_post(update_id: i64, chat_id: i64, text: &str) -> Value {
    let mut post = json!({ "message_id": update_id, "date": now(), "chat": channel_chat(chat_id), "sender_chat": channel_chat(chat_id), "text": text });
    let entities = entities(text);
    if !entities.is_empty() {
        post["entities"] = Value::Array(entities);
    }
    update(update_id, "channel_post", post)
}

/// An `inline_query` (the bot does not support inline mode: nobody should handle it).
pub fn inline_query(update_id: i64, user_id: i64, query: &str) -> Value {
    update(
        update_id,
        "inline_query",
        json!({ "id": format!("iq-{update_id}"), "from": user(user_id), "query": query, "offset": "", "chat_type": "private" }),
    )
}

/// A message teloxide cannot parse (`message_id` is not a number): teloxide turns it into
/// `UpdateKind::Error` holding the raw JSON, text included.
pub fn unparseable(update_id: i64, chat_id: i64, text: &str) -> Value {
    json!({
        "update_id": update_id,
        "message": { "message_id": "not-a-number", "date": now(), "chat": chat(chat_id), "from": user(chat_id), "text": text }
    })
}

/// The two service messages Telegram sends when group `old` becomes supergroup `new`.
pub fn migration(update_id: i64, old: i64, new: i64, user_id: i64) -> [Value; 2] {
    [
        update(
            update_id,
            "message",
            message(
                update_id,
                chat(old),
                user_id,
                json!({ "migrate_to_chat_id": new }),
            ),
        ),
        update(
            update_id + 1,
            "message",
            json!({
                "message_id": 1,
                "date": now(),
                "chat": chat(new),
                "from": { "id": 1_087_968_824, "is_bot": true, "first_name": "Group", "username": "GroupAnonymousBot" },
                "sender_chat": chat(new),
                "migrate_from_chat_id": old
            }),
        ),
    ]
}

fn merge(target: &mut Value, extra: Value) {
    if let (Some(target), Value::Object(extra)) = (target.as_object_mut(), extra) {
        target.extend(extra);
    }
}
