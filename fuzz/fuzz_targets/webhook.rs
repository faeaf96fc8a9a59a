//! `webhook`: arbitrary headers and bodies through the webhook's request classification
//! (`read_update`: secret token, size limit, JSON into an `Update`), the part of the handler
//! that runs before an update is processed. Invariants: never a panic; a rejection is 400,
//! 401 or 413 (never a 5xx); nothing of the body reaches the logs.
#![no_main]

use std::sync::{Arc, Mutex, OnceLock};

use axum::body::Body;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use backleg::config::WebhookSecret;
use backleg::telegram::intake::http::{read_update, rejection_response, SECRET_HEADER};
use libfuzzer_sys::fuzz_target;
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::Layer;

const SECRET: &str = "fuzz-secret_123";

/// What `read_update` may say: its fixed sentences. Every other field must be a number.
const MESSAGES: &[&str] = &["webhook body is not a Telegram update; rejected"];

/// One log event's fields, as `(name, value)`; `message` is the sentence.
type Event = Vec<(&'static str, String)>;

/// Every event logged, field by field: the privacy check reads the values themselves, not a
/// formatted line, so a body that happens to spell a level or a fixed sentence is no false
/// alarm (three such were found when this checked formatted lines).
#[derive(Clone, Default)]
struct Events(Arc<Mutex<Vec<Event>>>);

struct Fields<'a>(&'a mut Event);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.push((field.name(), format!("{value:?}")));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.push((field.name(), value.to_owned()));
    }
}

impl<S: tracing::Subscriber> Layer<S> for Events {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        let mut fields = Event::new();
        event.record(&mut Fields(&mut fields));
        self.0.lock().unwrap().push(fields);
    }
}

fn setup() -> &'static (Events, WebhookSecret) {
    static SETUP: OnceLock<(Events, WebhookSecret)> = OnceLock::new();
    SETUP.get_or_init(|| {
        let events = Events::default();
        tracing::subscriber::set_global_default(
            tracing_subscriber::registry()
                .with(events.clone())
                .with(tracing_subscriber::filter::LevelFilter::TRACE),
        )
        .expect("one subscriber");
        let secret = WebhookSecret::parse(SECRET).expect("a valid secret");
        (events, secret)
    })
}

fuzz_target!(|data: &[u8]| {
    let (events, secret) = setup();
    // Header lines ("name: value"), a blank line, then the body. A header line "s" stands for
    // the right secret token (so the fuzzer reaches the body without guessing it).
    let split = data.windows(2).position(|w| w == b"\n\n");
    let (head, body) = match split {
        Some(at) => (&data[..at], &data[at + 2..]),
        None => (&[][..], data),
    };
    let mut headers = HeaderMap::new();
    for line in head.split(|&b| b == b'\n') {
        if line == b"s" {
            headers.insert(SECRET_HEADER, HeaderValue::from_static(SECRET));
            continue;
        }
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(&line[..colon]),
            HeaderValue::from_bytes(line[colon + 1..].trim_ascii()),
        ) else {
            continue;
        };
        headers.append(name, value);
    }
    events.0.lock().unwrap().clear();
    let result =
        futures::executor::block_on(read_update(&headers, secret, Body::from(body.to_vec())));
    if let Err(class) = result {
        let status = rejection_response(class).status();
        assert!(
            [
                StatusCode::BAD_REQUEST,
                StatusCode::UNAUTHORIZED,
                StatusCode::PAYLOAD_TOO_LARGE
            ]
            .contains(&status),
            "rejected with {status}"
        );
    }
    // Nothing of the request in the logs: each event is a fixed sentence and numbers.
    for event in events.0.lock().unwrap().iter() {
        for (name, value) in event {
            if *name == "message" {
                assert!(MESSAGES.contains(&value.as_str()), "unexpected log line: {value:?}");
            } else {
                assert!(
                    value.parse::<i64>().is_ok(),
                    "log field {name} is not a number: {value:?}"
                );
            }
        }
    }
});
