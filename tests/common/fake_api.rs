//! A fake Telegram Bot API server on 127.0.0.1, speaking the real HTTP protocol.
//!
//! teloxide calls `POST {api_url}/bot{TOKEN}/{Method}` with a JSON body (its method names are
//! PascalCase, `GetMe`; Telegram matches them case-insensitively, and so does this server).
//! Answers use Telegram's envelope: `{"ok":true,"result":...}` or
//! `{"ok":false,"error_code":N,"description":"...","parameters":{...}}`.
//!
//! `getUpdates` serves queued updates from `offset` on, drops kinds the bot's `allowed_updates`
//! leaves out (as Telegram does), and holds an empty long poll for at most 1 s (so tests run
//! fast) or, after `hold_long_polls_like_telegram`, for the whole `timeout` asked for.
//!
//! Every call is recorded (method + JSON body; a `multipart/form-data` body, as teloxide sends
//! `setWebhook`, is recorded as a JSON object of its fields) and the test can wait on the record: each change
//! bumps a `watch` channel, so waits wake up at once instead of sleeping. `sendMessage` keeps two
//! lists besides the call log: messages delivered and attempts that failed (scripted failures,
//! blocked chats, or a text Telegram itself would refuse: longer than 4,096 characters, invalid
//! HTML, empty).
//!
//! Shared by the end-to-end tests (`tests/telegram`) and both benches. The throughput bench runs
//! it in counting mode (`start_counting`: `sendMessage` counted and timed, not recorded) and
//! reads its figures off the record (`send_calls`, `send_bytes`, `first_batch_at`).

use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt::Write as _;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::{Json, Router};
use serde_json::{json, Value};
use tokio::sync::watch;
use tokio::task::JoinHandle;

mod flood;

use flood::FloodLedger;
pub use flood::{busiest_window, FloodLimits};

/// The token the bot under test is given, and the one the fake server accepts by default.
pub const TOKEN: &str = "123456:TEST-token";
/// The bot's user id (`getMe`).
pub const BOT_ID: i64 = 4242;
/// The bot's username (`getMe`), without the `@`.
pub const BOT_USERNAME: &str = "backleg_test_bot";
/// How long a test waits for something the bot should do.
pub const WAIT: Duration = Duration::from_secs(20);
/// The longest `getUpdates` long poll the fake holds open by default, whatever `timeout` the
/// bot asks for (`hold_long_polls_like_telegram` lifts it).
const DEFAULT_LONG_POLL_CAP: Duration = Duration::from_millis(1000);
/// Message ids the fake gives the bot's own messages start here (user messages use update ids).
const FIRST_BOT_MESSAGE_ID: i64 = 100_000;

/// One HTTP call the bot made.
#[derive(Clone, Debug)]
pub struct Call {
    /// Position in the call log, from 0.
    pub seq: usize,
    /// The method name as sent (teloxide sends `SendMessage`; compare case-insensitively).
    pub method: String,
    /// The JSON body (`{}` when empty).
    pub body: Value,
    /// Whether the token in the URL was the expected one.
    pub authorized: bool,
    /// When it arrived.
    pub at: Instant,
}

impl Call {
    /// Whether this is a call of `method` (case-insensitive).
    pub fn is(&self, method: &str) -> bool {
        self.method.eq_ignore_ascii_case(method)
    }
}

/// A message the fake accepted (`sendMessage` answered ok).
#[derive(Clone, Debug)]
pub struct Sent {
    /// The call's position in the call log.
    pub seq: usize,
    /// The request body.
    pub body: Value,
    /// The message id the fake gave it.
    pub message_id: i64,
}

impl Sent {
    /// The chat it went to.
    pub fn chat_id(&self) -> i64 {
        chat_id_of(&self.body)
    }

    /// Its text (HTML as sent).
    pub fn text(&self) -> &str {
        self.body["text"].as_str().unwrap_or("")
    }

    /// `reply_parameters.message_id`, when it replies to a message.
    pub fn reply_to(&self) -> Option<i64> {
        self.body["reply_parameters"]["message_id"].as_i64()
    }

    /// `reply_parameters.quote`, when it quotes a piece of the message it replies to.
    pub fn quote(&self) -> Option<&str> {
        self.body["reply_parameters"]["quote"].as_str()
    }

    /// Whether `link_preview_options.is_disabled` is set.
    pub fn link_preview_disabled(&self) -> bool {
        self.body["link_preview_options"]["is_disabled"].as_bool() == Some(true)
    }

    /// `message_thread_id`, when set.
    pub fn thread_id(&self) -> Option<i64> {
        self.body["message_thread_id"].as_i64()
    }

    /// Every inline keyboard button, row by row.
    pub fn buttons(&self) -> Vec<Value> {
        inline_buttons(&self.body)
    }

    /// The `callback_data` of every inline button that has one.
    pub fn callback_data(&self) -> Vec<String> {
        self.buttons()
            .iter()
            .filter_map(|b| b["callback_data"].as_str().map(str::to_owned))
            .collect()
    }
}

/// A `sendMessage` attempt the fake refused.
#[derive(Clone, Debug)]
pub struct Failed {
    /// The call's position in the call log.
    pub seq: usize,
    /// The request body.
    pub body: Value,
    /// What the fake answered, for failure messages.
    pub reason: String,
}

impl Failed {
    /// The chat it was meant for.
    pub fn chat_id(&self) -> i64 {
        chat_id_of(&self.body)
    }
}

/// A scripted failure for the next `sendMessage` call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SendFailure {
    /// HTTP 429 `Too Many Requests: retry after N` with `parameters.retry_after`.
    TooManyRequests {
        /// Seconds.
        retry_after: u64,
    },
    /// HTTP 502 with Telegram's JSON envelope `{"ok":false,"error_code":502,...}`.
    BadGateway,
    /// HTTP 502 with the HTML page a reverse proxy (nginx) sends, as Telegram's front does.
    BadGatewayHtml,
    /// The request is read, then the TCP connection is closed without an answer.
    DropConnection,
}

/// What `FakeApi::take_record` took out of the record.
#[derive(Debug, Default)]
pub struct Taken {
    /// Every call, in order.
    pub calls: Vec<Call>,
    /// `sendMessage` calls answered ok, in order.
    pub delivered: Vec<Sent>,
    /// `sendMessage` calls answered with an error, in order.
    pub failed: Vec<Failed>,
}

/// Everything the fake knows; tests read it through `FakeApi`'s helpers.
#[derive(Debug, Default)]
pub struct Record {
    /// Every call, in order.
    pub calls: Vec<Call>,
    /// `sendMessage` calls answered ok, in order.
    pub delivered: Vec<Sent>,
    /// `sendMessage` calls answered with an error, in order.
    pub failed: Vec<Failed>,
    /// `editMessageText` / `editMessageReplyMarkup` calls, in order.
    pub edits: Vec<Call>,
    /// Updates queued and not yet confirmed by an `offset`, each with its JSON text (written
    /// once when queued, so serving a batch costs a copy, as it does Telegram).
    pending: VecDeque<(Value, String)>,
    /// Updates dropped because `allowed_updates` excluded their kind (Telegram would not
    /// deliver them either).
    pub filtered: Vec<Value>,
    next_message_id: i64,
    send_failures: VecDeque<SendFailure>,
    chat_failures: HashMap<i64, VecDeque<SendFailure>>,
    poll_failures: VecDeque<SendFailure>,
    long_poll_cap: Duration,
    privacy_mode: bool,
    /// `getUpdates` calls (by `seq`) the fake has answered; a call missing here was abandoned
    /// by the client (or is still held).
    pub polls_answered: HashSet<usize>,
    /// `sendMessage` calls received, whatever their outcome.
    pub send_calls: usize,
    /// Total size of their request bodies, in bytes.
    pub send_bytes: u64,
    /// When `getUpdates` first served a non-empty batch.
    pub first_batch_at: Option<Instant>,
    /// The highest update id `getUpdates` has served.
    pub served_up_to: i64,
    blocked: HashSet<i64>,
    never_started: HashSet<i64>,
    migrated: HashMap<i64, i64>,
    statuses: HashMap<(i64, i64), String>,
    chats: HashMap<i64, Value>,
    send_delay: Duration,
    /// The text (or caption) of every message in the updates pushed, by (chat, message id):
    /// what a reply quote must be an exact piece of.
    texts: HashMap<(i64, i64), String>,
    /// Refuse every reply quote, as Telegram does one it cannot find.
    refuse_quotes: bool,
    /// Telegram's flood limits, when enforced (`enforce_flood_limits`).
    flood_limits: Option<FloodLimits>,
    flood_ledger: FloodLedger,
    /// `sendMessage` calls answered 429 because they broke the enforced flood limits.
    pub flood_refusals: usize,
}

struct Shared {
    token: String,
    record: Mutex<Record>,
    version: watch::Sender<u64>,
    /// `sendMessage` is only counted (`FakeApi::start_counting`).
    counting: bool,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Record> {
        // A panicking test thread may poison the lock; the record is still readable.
        self.record
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn bump(&self) {
        self.version.send_modify(|v| *v += 1);
    }
}

/// A running fake Bot API server. Dropping it stops the server.
pub struct FakeApi {
    /// The base URL to give the bot as `TELOXIDE_API_URL` (ends with `/`).
    pub url: String,
    shared: Arc<Shared>,
    server: JoinHandle<()>,
}

impl Drop for FakeApi {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl FakeApi {
    /// Starts a server that accepts `TOKEN`.
    pub async fn start() -> Self {
        Self::start_with_token(TOKEN).await
    }

    /// Starts a server that accepts only `token`: any other answers 401 Unauthorized.
    pub async fn start_with_token(token: &str) -> Self {
        Self::start_inner(token, false).await
    }

    /// Starts a server that accepts `TOKEN` and only counts `sendMessage` calls, for the
    /// throughput bench: each is checked for what Telegram would refuse (no chat, empty text)
    /// and timed in the call log, but its body is neither kept nor checked further, and it is
    /// not in `delivered`. That keeps the fake's share of the machine what a minimal server's
    /// is, so the bench measures the bot.
    pub async fn start_counting() -> Self {
        Self::start_inner(TOKEN, true).await
    }

    async fn start_inner(token: &str, counting: bool) -> Self {
        let (version, _) = watch::channel(0);
        let record = Record {
            next_message_id: FIRST_BOT_MESSAGE_ID,
            long_poll_cap: DEFAULT_LONG_POLL_CAP,
            ..Record::default()
        };
        let shared = Arc::new(Shared {
            token: token.to_owned(),
            record: Mutex::new(record),
            version,
            counting,
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local addr");
        let app = Router::new()
            .route("/{bot}/{method}", any(handle))
            .fallback(not_found)
            .with_state(Arc::clone(&shared));
        let server = tokio::spawn(async move {
            axum::serve(listener, app)
                .await
                .expect("fake Bot API server");
        });
        Self {
            url: format!("http://{addr}/"),
            shared,
            server,
        }
    }

    // ---- scripting ------------------------------------------------------------------------

    /// Queues an update for `getUpdates` (a `serde_json::Value` shaped like Telegram's).
    pub fn push(&self, update: Value) {
        {
            let mut record = self.shared.lock();
            for chat in chats_in(&update) {
                if let Some(id) = chat["id"].as_i64() {
                    record.chats.insert(id, chat.clone());
                }
            }
            remember_text(&mut record, &update);
            let text = update.to_string();
            record.pending.push_back((update, text));
        }
        self.shared.bump();
    }

    /// Queues updates for `getUpdates` all at once (one wake-up for the whole lot, so the bot's
    /// next poll gets a full batch).
    pub fn push_all(&self, updates: impl IntoIterator<Item = Value>) {
        {
            let mut record = self.shared.lock();
            for update in updates {
                for chat in chats_in(&update) {
                    if let Some(id) = chat["id"].as_i64() {
                        record.chats.insert(id, chat.clone());
                    }
                }
                remember_text(&mut record, &update);
                let text = update.to_string();
                record.pending.push_back((update, text));
            }
        }
        self.shared.bump();
    }

    /// From now on every `sendMessage` with a reply quote is refused (400), as Telegram refuses
    /// a quote it cannot find in the message.
    pub fn refuse_reply_quotes(&self) {
        self.shared.lock().refuse_quotes = true;
    }

    /// The next `sendMessage` calls fail as listed, one failure per call, in order.
    pub fn fail_next_sends(&self, failures: &[SendFailure]) {
        self.shared
            .lock()
            .send_failures
            .extend(failures.iter().copied());
        self.shared.bump();
    }

    /// The next `sendMessage` calls to `chat_id` fail as listed (before the global list).
    pub fn fail_sends_to(&self, chat_id: i64, failures: &[SendFailure]) {
        self.shared
            .lock()
            .chat_failures
            .entry(chat_id)
            .or_default()
            .extend(failures.iter().copied());
    }

    /// Forgets every scripted failure not used yet.
    pub fn clear_failures(&self) {
        let mut record = self.shared.lock();
        record.send_failures.clear();
        record.chat_failures.clear();
        record.poll_failures.clear();
    }

    /// The next `getUpdates` calls fail as listed (`TooManyRequests`, `BadGateway`,
    /// `BadGatewayHtml`, `DropConnection`).
    pub fn fail_next_polls(&self, failures: &[SendFailure]) {
        self.shared
            .lock()
            .poll_failures
            .extend(failures.iter().copied());
    }

    /// Holds each `getUpdates` call for the whole `timeout` the bot asks for (up to 60 s), as
    /// Telegram does when there is nothing to deliver.
    pub fn hold_long_polls_like_telegram(&self) {
        self.shared.lock().long_poll_cap = Duration::from_secs(60);
    }

    /// `getMe` reports privacy mode on (`can_read_all_group_messages: false`).
    pub fn set_privacy_mode(&self, on: bool) {
        self.shared.lock().privacy_mode = on;
    }

    /// `sendMessage` to `chat_id` answers 403 "Forbidden: bot was blocked by the user".
    pub fn block_chat(&self, chat_id: i64) {
        self.shared.lock().blocked.insert(chat_id);
    }

    /// `sendMessage` to the private chat of `user_id` answers 403 "Forbidden: bot can't initiate
    /// conversation with a user": the user never started the bot.
    pub fn never_started(&self, user_id: i64) {
        self.shared.lock().never_started.insert(user_id);
    }

    /// The user opened the bot's private chat and pressed Start: `never_started` no more.
    pub fn started(&self, user_id: i64) {
        self.shared.lock().never_started.remove(&user_id);
    }

    /// `sendMessage` to `old` answers 400 with `parameters.migrate_to_chat_id = new`.
    pub fn migrate_chat(&self, old: i64, new: i64) {
        self.shared.lock().migrated.insert(old, new);
    }

    /// `getChatMember(chat_id, user_id)` answers this status ("creator", "administrator",
    /// "administrator-no-pin", "member", "restricted", "left", "kicked"); the default is
    /// "member".
    pub fn set_member_status(&self, chat_id: i64, user_id: i64, status: &str) {
        self.shared
            .lock()
            .statuses
            .insert((chat_id, user_id), status.to_owned());
    }

    /// From now on `sendMessage` answers 429 (`retry_after` 1 s) when it would break `limits`,
    /// as Telegram does a bot that sends too fast (`fake_api/flood.rs`).
    pub fn enforce_flood_limits(&self, limits: FloodLimits) {
        self.shared.lock().flood_limits = Some(limits);
    }

    /// The most `sendMessage` calls that arrived in any window of `width` (refused ones too).
    pub fn busiest_send_window(&self, width: Duration) -> usize {
        let times: Vec<Instant> = self.with_record(|r| {
            r.calls
                .iter()
                .filter(|c| c.is("sendMessage"))
                .map(|c| c.at)
                .collect()
        });
        busiest_window(&times, width)
    }

    /// Holds every `sendMessage` answer this long (the call is logged on arrival).
    pub fn delay_sends(&self, delay: Duration) {
        self.shared.lock().send_delay = delay;
    }

    // ---- reading ----------------------------------------------------------------------------

    /// A copy of everything recorded so far.
    pub fn with_record<T>(&self, read: impl FnOnce(&Record) -> T) -> T {
        read(&self.shared.lock())
    }

    /// Every call so far.
    pub fn calls(&self) -> Vec<Call> {
        self.with_record(|r| r.calls.clone())
    }

    /// Every call of `method` so far (case-insensitive).
    pub fn calls_of(&self, method: &str) -> Vec<Call> {
        self.with_record(|r| r.calls.iter().filter(|c| c.is(method)).cloned().collect())
    }

    /// Every message delivered so far.
    pub fn delivered(&self) -> Vec<Sent> {
        self.with_record(|r| r.delivered.clone())
    }

    /// Messages delivered to one chat so far.
    pub fn delivered_to(&self, chat_id: i64) -> Vec<Sent> {
        self.with_record(|r| {
            r.delivered
                .iter()
                .filter(|s| s.chat_id() == chat_id)
                .cloned()
                .collect()
        })
    }

    /// Every refused `sendMessage` attempt so far.
    pub fn failed(&self) -> Vec<Failed> {
        self.with_record(|r| r.failed.clone())
    }

    /// Every message edit so far.
    pub fn edits(&self) -> Vec<Call> {
        self.with_record(|r| r.edits.clone())
    }

    /// Takes the calls, deliveries and refusals recorded so far out of the record, which goes on
    /// from empty (the scripted behaviour stays): a long run reads it piece by piece, so the
    /// test's own memory stays flat however long it drives the bot. `seq` restarts from 0.
    pub fn take_record(&self) -> Taken {
        let mut record = self.shared.lock();
        record.edits.clear();
        Taken {
            calls: std::mem::take(&mut record.calls),
            delivered: std::mem::take(&mut record.delivered),
            failed: std::mem::take(&mut record.failed),
        }
    }

    /// Scripted `sendMessage` failures (`fail_next_sends`) not used yet.
    pub fn scripted_failures_left(&self) -> usize {
        self.shared.lock().send_failures.len()
    }

    /// Waits until `check` returns `Some`, re-checking after every change; panics after
    /// `timeout` with `what` and a dump of the calls.
    pub async fn wait_until<T>(
        &self,
        what: &str,
        timeout: Duration,
        check: impl FnMut(&Record) -> Option<T>,
    ) -> T {
        match self.try_wait_until(timeout, check).await {
            Some(found) => found,
            None => panic!(
                "timed out after {timeout:?} waiting for {what}\n{}",
                self.dump()
            ),
        }
    }

    /// Like `wait_until`, but returns `None` on timeout.
    pub async fn try_wait_until<T>(
        &self,
        timeout: Duration,
        mut check: impl FnMut(&Record) -> Option<T>,
    ) -> Option<T> {
        let mut changes = self.shared.version.subscribe();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if let Some(found) = check(&self.shared.lock()) {
                return Some(found);
            }
            match tokio::time::timeout_at(deadline, changes.changed()).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) | Err(_) => return check(&self.shared.lock()),
            }
        }
    }

    /// Waits for `n` calls of `method` in all, and returns them all.
    pub async fn wait_calls(&self, method: &str, n: usize) -> Vec<Call> {
        let what = format!("{n} {method} call(s)");
        self.wait_until(&what, WAIT, |r| {
            let calls: Vec<Call> = r.calls.iter().filter(|c| c.is(method)).cloned().collect();
            (calls.len() >= n).then_some(calls)
        })
        .await
    }

    /// Waits for the first call of `method` that satisfies `matches`.
    pub async fn wait_call_where(
        &self,
        method: &str,
        what: &str,
        matches: impl Fn(&Call) -> bool,
    ) -> Call {
        let what = format!("a {method} call: {what}");
        self.wait_until(&what, WAIT, |r| {
            r.calls.iter().find(|c| c.is(method) && matches(c)).cloned()
        })
        .await
    }

    /// Waits until at least `n` messages have been delivered to `chat_id`; returns them all.
    pub async fn wait_delivered_to(&self, chat_id: i64, n: usize) -> Vec<Sent> {
        self.wait_delivered_to_within(chat_id, n, WAIT).await
    }

    /// `wait_delivered_to` with a custom timeout.
    pub async fn wait_delivered_to_within(
        &self,
        chat_id: i64,
        n: usize,
        timeout: Duration,
    ) -> Vec<Sent> {
        let what = format!("{n} message(s) delivered to chat {chat_id}");
        self.wait_until(&what, timeout, |r| {
            let sent: Vec<Sent> = r
                .delivered
                .iter()
                .filter(|s| s.chat_id() == chat_id)
                .cloned()
                .collect();
            (sent.len() >= n).then_some(sent)
        })
        .await
    }

    /// Waits for the first delivered message that satisfies `matches`.
    pub async fn wait_delivered_where(&self, what: &str, matches: impl Fn(&Sent) -> bool) -> Sent {
        let what = format!("a delivered message: {what}");
        self.wait_until(&what, WAIT, |r| {
            r.delivered.iter().find(|s| matches(s)).cloned()
        })
        .await
    }

    /// Waits for `n` refused `sendMessage` attempts in all.
    pub async fn wait_failed(&self, n: usize) -> Vec<Failed> {
        let what = format!("{n} refused sendMessage attempt(s)");
        self.wait_until(&what, WAIT, |r| {
            (r.failed.len() >= n).then(|| r.failed.clone())
        })
        .await
    }

    /// A readable list of every call and delivery, for failure messages.
    pub fn dump(&self) -> String {
        let record = self.shared.lock();
        let mut out = String::from("--- fake Bot API calls ---\n");
        for call in &record.calls {
            let body = call.body.to_string();
            let body = if body.chars().count() > 400 {
                format!("{}…", body.chars().take(400).collect::<String>())
            } else {
                body
            };
            let auth = if call.authorized { "" } else { " [bad token]" };
            let _ = writeln!(out, "#{} {}{} {}", call.seq, call.method, auth, body);
        }
        let _ = writeln!(
            out,
            "--- delivered: {} message(s); refused: {} ---",
            record.delivered.len(),
            record.failed.len()
        );
        for failed in &record.failed {
            let _ = writeln!(out, "refused #{}: {}", failed.seq, failed.reason);
        }
        if !record.pending.is_empty() {
            let _ = writeln!(
                out,
                "--- {} update(s) never confirmed by getUpdates offset ---",
                record.pending.len()
            );
        }
        if !record.filtered.is_empty() {
            let _ = writeln!(
                out,
                "--- {} update(s) dropped by the bot's allowed_updates ---",
                record.filtered.len()
            );
        }
        out
    }
}

// ---- the server -------------------------------------------------------------------------------

async fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "Not Found", None)
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    Path((bot, method)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let body_len = body.len() as u64;
    let counted = shared.counting && method.eq_ignore_ascii_case("sendMessage");
    let raw = body.clone();
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let body: Value = if counted {
        Value::Null
    } else if body.iter().all(u8::is_ascii_whitespace) {
        json!({})
    } else if let Some(fields) = multipart_fields(content_type, &body) {
        fields
    } else {
        serde_json::from_slice(&body)
            .unwrap_or_else(|_| json!({ "_unparsed_body": String::from_utf8_lossy(&body) }))
    };
    let authorized = bot.strip_prefix("bot") == Some(shared.token.as_str());
    let seq = {
        let mut record = shared.lock();
        let seq = record.calls.len();
        record.calls.push(Call {
            seq,
            method: method.clone(),
            body: body.clone(),
            authorized,
            at: Instant::now(),
        });
        if method.eq_ignore_ascii_case("sendMessage") {
            record.send_calls += 1;
            record.send_bytes += body_len;
        }
        seq
    };
    shared.bump();
    if !authorized {
        return error(StatusCode::UNAUTHORIZED, "Unauthorized", None);
    }
    match method.to_ascii_lowercase().as_str() {
        "getme" => {
            let mut me = me();
            me["can_read_all_group_messages"] = json!(!shared.lock().privacy_mode);
            ok(me)
        }
        "getupdates" => {
            let failure = shared.lock().poll_failures.pop_front();
            if let Some(failure) = failure {
                return failure_response(failure);
            }
            let response = get_updates(&shared, &body).await;
            shared.lock().polls_answered.insert(seq);
            shared.bump();
            response
        }
        "sendmessage" if counted => count_send(&shared, seq, &raw),
        "sendmessage" => send_message(&shared, seq, body).await,
        "editmessagetext" | "editmessagereplymarkup" | "editmessagecaption" => {
            edit_message(&shared, seq, &method, body)
        }
        "getchatmember" => {
            let chat_id = chat_id_of(&body);
            let user_id = body["user_id"].as_i64().unwrap_or(0);
            let status = shared
                .lock()
                .statuses
                .get(&(chat_id, user_id))
                .cloned()
                .unwrap_or_else(|| "member".to_owned());
            ok(chat_member(user_id, &status))
        }
        "getchatadministrators" => {
            let chat_id = chat_id_of(&body);
            let admins: Vec<Value> = shared
                .lock()
                .statuses
                .iter()
                .filter(|((chat, _), status)| {
                    *chat == chat_id && (*status == "administrator" || *status == "creator")
                })
                .map(|((_, user), status)| chat_member(*user, status))
                .collect();
            ok(Value::Array(admins))
        }
        "getwebhookinfo" => {
            ok(json!({ "url": "", "has_custom_certificate": false, "pending_update_count": 0 }))
        }
        "getmycommands" => ok(json!([])),
        _ => ok(json!(true)),
    }
}

/// A `multipart/form-data` body (teloxide sends `setWebhook` that way, for its optional
/// certificate) as a JSON object: each field's value parsed as JSON where it is JSON (numbers,
/// booleans, lists: `max_connections`, `allowed_updates`), else kept as a string (`url`,
/// `secret_token`). `None` for any other content type.
fn multipart_fields(content_type: &str, body: &[u8]) -> Option<Value> {
    let boundary = content_type
        .strip_prefix("multipart/form-data")?
        .split(';')
        .find_map(|p| p.trim().strip_prefix("boundary="))?;
    let delimiter = format!("--{}", boundary.trim_matches('"'));
    let text = String::from_utf8_lossy(body);
    let mut fields = serde_json::Map::new();
    for part in text.split(delimiter.as_str()).skip(1) {
        let Some((head, value)) = part.split_once("\r\n\r\n") else {
            continue;
        };
        let Some(name) = head
            .split("name=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
        else {
            continue;
        };
        let value = value.strip_suffix("\r\n").unwrap_or(value);
        fields.insert(
            name.to_owned(),
            serde_json::from_str(value).unwrap_or_else(|_| json!(value)),
        );
    }
    Some(Value::Object(fields))
}

fn ok(result: Value) -> Response {
    Json(json!({ "ok": true, "result": result })).into_response()
}

fn error(status: StatusCode, description: &str, parameters: Option<Value>) -> Response {
    let mut body =
        json!({ "ok": false, "error_code": status.as_u16(), "description": description });
    if let Some(parameters) = parameters {
        body["parameters"] = parameters;
    }
    (status, Json(body)).into_response()
}

/// `getMe`: the bot.
pub fn me() -> Value {
    json!({
        "id": BOT_ID,
        "is_bot": true,
        "first_name": "Backleg",
        "username": BOT_USERNAME,
        "can_join_groups": true,
        "can_read_all_group_messages": true,
        "supports_inline_queries": false,
        "can_connect_to_business": false,
        "has_main_web_app": false
    })
}

/// The bot as the `from` of its own messages.
pub fn bot_user() -> Value {
    json!({ "id": BOT_ID, "is_bot": true, "first_name": "Backleg", "username": BOT_USERNAME })
}

/// A `ChatMember` object with every field its status requires.
pub fn chat_member(user_id: i64, status: &str) -> Value {
    let user = if user_id == BOT_ID {
        bot_user()
    } else {
        json!({ "id": user_id, "is_bot": false, "first_name": "Zelda", "username": "zelda_private" })
    };
    match status {
        "creator" => json!({ "status": "creator", "user": user, "is_anonymous": false }),
        "administrator" => json!({
            "status": "administrator",
            "user": user,
            "can_be_edited": false,
            "is_anonymous": false,
            "can_manage_chat": true,
            "can_delete_messages": true,
            "can_manage_video_chats": true,
            "can_restrict_members": true,
            "can_promote_members": false,
            "can_change_info": true,
            "can_invite_users": true,
            "can_post_stories": false,
            "can_edit_stories": false,
            "can_delete_stories": false,
            "can_post_messages": false,
            "can_edit_messages": false,
            "can_pin_messages": true,
            "can_manage_topics": true
        }),
        // An admin without the right to pin messages (issue 11's `/card pin`).
        "administrator-no-pin" => {
            let mut admin = chat_member(user_id, "administrator");
            admin["can_pin_messages"] = json!(false);
            admin
        }
        "restricted" => json!({
            "status": "restricted",
            "user": user,
            "is_member": true,
            "can_send_messages": true,
            "can_send_audios": true,
            "can_send_documents": true,
            "can_send_photos": true,
            "can_send_videos": true,
            "can_send_video_notes": true,
            "can_send_voice_notes": true,
            "can_send_polls": true,
            "can_send_other_messages": true,
            "can_add_web_page_previews": true,
            "can_change_info": false,
            "can_invite_users": false,
            "can_pin_messages": false,
            "can_manage_topics": false,
            "until_date": 0
        }),
        "kicked" => json!({ "status": "kicked", "user": user, "until_date": 0 }),
        "left" => json!({ "status": "left", "user": user }),
        _ => json!({ "status": "member", "user": user }),
    }
}

async fn get_updates(shared: &Shared, body: &Value) -> Response {
    let offset = body["offset"].as_i64();
    let limit = body["limit"].as_u64().unwrap_or(100).clamp(1, 100) as usize;
    let wait =
        Duration::from_secs(body["timeout"].as_u64().unwrap_or(0)).min(shared.lock().long_poll_cap);
    let allowed: Option<Vec<String>> = body["allowed_updates"]
        .as_array()
        .filter(|list| !list.is_empty())
        .map(|list| {
            list.iter()
                .filter_map(|kind| kind.as_str().map(str::to_owned))
                .collect()
        });
    let deadline = tokio::time::Instant::now() + wait;
    let mut changes = shared.version.subscribe();
    loop {
        {
            let mut record = shared.lock();
            if let Some(offset) = offset {
                record.pending.retain(|(update, _)| {
                    update["update_id"].as_i64().unwrap_or(i64::MAX) >= offset
                });
            }
            if let Some(allowed) = &allowed {
                let (keep, drop): (VecDeque<_>, VecDeque<_>) =
                    record.pending.drain(..).partition(|(update, _)| {
                        update_kind(update).is_none_or(|kind| allowed.iter().any(|a| a == kind))
                    });
                record.pending = keep;
                record
                    .filtered
                    .extend(drop.into_iter().map(|(update, _)| update));
            }
            let batch = &record.pending.range(..limit.min(record.pending.len()));
            let last = batch
                .clone()
                .filter_map(|(update, _)| update["update_id"].as_i64())
                .max();
            let any = batch.clone().next().is_some();
            if any || tokio::time::Instant::now() >= deadline {
                let mut body = String::from(r#"{"ok":true,"result":["#);
                for (i, (_, text)) in batch.clone().enumerate() {
                    if i > 0 {
                        body.push(',');
                    }
                    body.push_str(text);
                }
                body.push_str("]}");
                if any {
                    record.first_batch_at.get_or_insert_with(Instant::now);
                    record.served_up_to = record.served_up_to.max(last.unwrap_or(0));
                }
                return ([(header::CONTENT_TYPE, "application/json")], body).into_response();
            }
        }
        let _ = tokio::time::timeout_at(deadline, changes.changed()).await;
    }
}

async fn send_message(shared: &Shared, seq: usize, body: Value) -> Response {
    let delay = shared.lock().send_delay;
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let chat_id = chat_id_of(&body);
    let mut record = shared.lock();
    let refuse = |record: &mut Record, reason: String| {
        record.failed.push(Failed {
            seq,
            body: body.clone(),
            reason,
        });
    };
    if record.blocked.contains(&chat_id) {
        refuse(
            &mut record,
            format!("403 blocked by the user (chat {chat_id})"),
        );
        drop(record);
        shared.bump();
        return error(
            StatusCode::FORBIDDEN,
            "Forbidden: bot was blocked by the user",
            None,
        );
    }
    if record.never_started.contains(&chat_id) {
        refuse(
            &mut record,
            format!("403 never started the bot (chat {chat_id})"),
        );
        drop(record);
        shared.bump();
        return error(
            StatusCode::FORBIDDEN,
            "Forbidden: bot can't initiate conversation with a user",
            None,
        );
    }
    if let Some(&new) = record.migrated.get(&chat_id) {
        refuse(
            &mut record,
            format!("400 group chat {chat_id} was upgraded to supergroup {new}"),
        );
        drop(record);
        shared.bump();
        return error(
            StatusCode::BAD_REQUEST,
            "Bad Request: group chat was upgraded to a supergroup chat",
            Some(json!({ "migrate_to_chat_id": new })),
        );
    }
    if let Err(problem) = check_text(&body).and_then(|()| check_quote(&record, chat_id, &body)) {
        refuse(&mut record, format!("400 {problem}"));
        drop(record);
        shared.bump();
        return error(
            StatusCode::BAD_REQUEST,
            &format!("Bad Request: {problem}"),
            None,
        );
    }
    let failure = match record
        .chat_failures
        .get_mut(&chat_id)
        .and_then(VecDeque::pop_front)
    {
        Some(failure) => Some(failure),
        None => record.send_failures.pop_front(),
    };
    if let Some(failure) = failure {
        refuse(&mut record, format!("scripted {failure:?}"));
        drop(record);
        shared.bump();
        return failure_response(failure);
    }
    if let Some(limits) = record.flood_limits {
        if let Err(broken) = record.flood_ledger.admit(&limits, chat_id, Instant::now()) {
            record.flood_refusals += 1;
            refuse(&mut record, format!("429 flood: {broken}"));
            drop(record);
            shared.bump();
            return failure_response(SendFailure::TooManyRequests { retry_after: 1 });
        }
    }
    let message_id = record.next_message_id;
    record.next_message_id += 1;
    let mut message = json!({
        "message_id": message_id,
        "date": now(),
        "chat": chat_json(&record, chat_id),
        "from": bot_user(),
        "text": body["text"].as_str().unwrap_or(""),
    });
    if let Some(thread) = body["message_thread_id"].as_i64() {
        message["message_thread_id"] = json!(thread);
        message["is_topic_message"] = json!(true);
    }
    record.delivered.push(Sent {
        seq,
        body,
        message_id,
    });
    drop(record);
    shared.bump();
    ok(message)
}

/// `sendMessage` on a counting server: refused without a chat id or text, else answered with a
/// minimal message (text "x", as a bench server would).
fn count_send(shared: &Shared, seq: usize, body: &[u8]) -> Response {
    #[derive(serde::Deserialize)]
    struct SendMessage {
        chat_id: i64,
        text: String,
    }
    let request = serde_json::from_slice::<SendMessage>(body)
        .map_err(|_| "chat_id and text are required")
        .and_then(|r| {
            if r.text.trim().is_empty() {
                Err("message text is empty")
            } else {
                Ok(r)
            }
        });
    let mut record = shared.lock();
    let response = match request {
        Ok(request) => {
            let message_id = record.next_message_id;
            record.next_message_id += 1;
            let chat = match record.chats.get(&request.chat_id) {
                Some(chat) => chat.to_string(),
                None => super::updates::chat(request.chat_id).to_string(),
            };
            let body = format!(
                r#"{{"ok":true,"result":{{"message_id":{message_id},"date":{date},"chat":{chat},"from":{{"id":{BOT_ID},"is_bot":true,"first_name":"Backleg","username":"{BOT_USERNAME}"}},"text":"x"}}}}"#,
                date = now(),
            );
            ([(header::CONTENT_TYPE, "application/json")], body).into_response()
        }
        Err(problem) => {
            record.failed.push(Failed {
                seq,
                body: Value::Null,
                reason: format!("400 {problem}"),
            });
            error(
                StatusCode::BAD_REQUEST,
                &format!("Bad Request: {problem}"),
                None,
            )
        }
    };
    drop(record);
    shared.bump();
    response
}

fn failure_response(failure: SendFailure) -> Response {
    match failure {
        SendFailure::TooManyRequests { retry_after } => error(
            StatusCode::TOO_MANY_REQUESTS,
            &format!("Too Many Requests: retry after {retry_after}"),
            Some(json!({ "retry_after": retry_after })),
        ),
        SendFailure::BadGateway => error(StatusCode::BAD_GATEWAY, "Bad Gateway", None),
        SendFailure::BadGatewayHtml => (
            StatusCode::BAD_GATEWAY,
            [(header::CONTENT_TYPE, "text/html")],
            "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n",
        )
            .into_response(),
        // Unwinding out of the handler ends the connection task: hyper closes the socket
        // without writing a response. `resume_unwind` skips the panic hook, so nothing is
        // printed.
        SendFailure::DropConnection => std::panic::resume_unwind(Box::new("fake Bot API: connection dropped on purpose")),
    }
}

fn edit_message(shared: &Shared, seq: usize, method: &str, body: Value) -> Response {
    if body.get("text").is_some() {
        if let Err(problem) = check_text(&body) {
            return error(
                StatusCode::BAD_REQUEST,
                &format!("Bad Request: {problem}"),
                None,
            );
        }
    }
    let chat_id = chat_id_of(&body);
    let mut record = shared.lock();
    record.edits.push(Call {
        seq,
        method: method.to_owned(),
        body: body.clone(),
        authorized: true,
        at: Instant::now(),
    });
    let result = if body.get("inline_message_id").is_some() {
        json!(true)
    } else {
        json!({
            "message_id": body["message_id"].as_i64().unwrap_or(0),
            "date": now(),
            "edit_date": now(),
            "chat": chat_json(&record, chat_id),
            "from": bot_user(),
            "text": body["text"].as_str().unwrap_or("edited"),
        })
    };
    drop(record);
    shared.bump();
    ok(result)
}

/// What Telegram itself would refuse in a message text (it answers 400 to these).
fn check_text(body: &Value) -> Result<(), String> {
    let Some(text) = body["text"].as_str() else {
        return Err("message text is empty".to_owned());
    };
    if text.trim().is_empty() {
        return Err("message text is empty".to_owned());
    }
    if text.chars().count() > 4096 {
        return Err(format!(
            "message is too long ({} characters)",
            text.chars().count()
        ));
    }
    if body["parse_mode"]
        .as_str()
        .is_some_and(|mode| mode.eq_ignore_ascii_case("html"))
    {
        check_telegram_html(text).map_err(|problem| format!("can't parse entities: {problem}"))?;
    }
    Ok(())
}

/// Keeps the text (or caption) of the message an update carries, for `check_quote`.
fn remember_text(record: &mut Record, update: &Value) {
    for kind in [
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
    ] {
        let message = &update[kind];
        let text = message["text"].as_str().or(message["caption"].as_str());
        if let (Some(chat), Some(id), Some(text)) = (
            message["chat"]["id"].as_i64(),
            message["message_id"].as_i64(),
            text,
        ) {
            record.texts.insert((chat, id), text.to_owned());
        }
    }
}

/// What Telegram refuses in a reply quote (`reply_parameters.quote`): empty, over 1,024
/// characters, or not an exact piece of the message replied to (at `quote_position`, in UTF-16
/// units, when given). A message the fake never saw is taken on trust.
fn check_quote(record: &Record, chat_id: i64, body: &Value) -> Result<(), String> {
    let parameters = &body["reply_parameters"];
    let Some(quote) = parameters["quote"].as_str() else {
        return Ok(());
    };
    if record.refuse_quotes {
        return Err("QUOTE_TEXT_INVALID (refused on purpose)".to_owned());
    }
    let units: Vec<u16> = quote.encode_utf16().collect();
    if units.is_empty() || units.len() > 1024 {
        return Err(format!("QUOTE_TEXT_INVALID ({} characters)", units.len()));
    }
    let Some(original) = parameters["message_id"]
        .as_i64()
        .and_then(|id| record.texts.get(&(chat_id, id)))
    else {
        return Ok(());
    };
    let found = match parameters["quote_position"].as_u64() {
        Some(at) => {
            let original: Vec<u16> = original.encode_utf16().collect();
            usize::try_from(at)
                .ok()
                .and_then(|at| original.get(at..at + units.len()))
                .is_some_and(|piece| piece == units.as_slice())
        }
        None => original.contains(quote),
    };
    if found {
        Ok(())
    } else {
        Err(format!(
            "QUOTE_TEXT_INVALID ({quote:?} is not in the message)"
        ))
    }
}

/// Telegram's HTML parse mode, checked as the real API would (shared with the fuzz targets).
pub use backleg::telegram::html_check::check_telegram_html;

/// Every inline keyboard button of a request body, row by row.
pub fn inline_buttons(body: &Value) -> Vec<Value> {
    body["reply_markup"]["inline_keyboard"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .filter_map(Value::as_array)
                .flatten()
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

/// `chat_id` of a request body (an integer; Telegram also takes a numeric string).
pub fn chat_id_of(body: &Value) -> i64 {
    match &body["chat_id"] {
        Value::Number(n) => n.as_i64().unwrap_or(0),
        Value::String(s) => s.parse().unwrap_or(0),
        _ => 0,
    }
}

/// The kind of an update: its one key besides `update_id`.
pub fn update_kind(update: &Value) -> Option<&str> {
    update
        .as_object()?
        .keys()
        .map(String::as_str)
        .find(|key| *key != "update_id")
}

fn chats_in(update: &Value) -> Vec<&Value> {
    let mut chats = Vec::new();
    for kind in [
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "my_chat_member",
        "chat_member",
    ] {
        if update[kind]["chat"].is_object() {
            chats.push(&update[kind]["chat"]);
        }
    }
    if update["callback_query"]["message"]["chat"].is_object() {
        chats.push(&update["callback_query"]["message"]["chat"]);
    }
    chats
}

fn chat_json(record: &Record, chat_id: i64) -> Value {
    record
        .chats
        .get(&chat_id)
        .cloned()
        .unwrap_or_else(|| super::updates::chat(chat_id))
}

/// Unix time now.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(1_700_000_000)
}
