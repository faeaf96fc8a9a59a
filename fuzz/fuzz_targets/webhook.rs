//! `webhook`: arbitrary headers and bodies through the webhook's request classification
//! (`read_update`: secret token, size limit, JSON into an `Update`), the part of the handler
//! that runs before an update is processed. Invariants: never a panic; a rejection is 400,
//! 401 or 413 (never a 5xx); nothing of the body reaches the logs.
#![no_main]

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use axum::body::Body;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use backleg::config::WebhookSecret;
use backleg::telegram::intake::http::{read_update, rejection_response, SECRET_HEADER};
use libfuzzer_sys::fuzz_target;

const SECRET: &str = "fuzz-secret_123";

/// The fixed wording of the handler's log lines (a body made of it is no leak).
const FIXED: &[&str] = &[
    " WARN ",
    "webhook request without the right secret token; rejected",
    "webhook body too large or cut off; rejected",
    "webhook body is not a Telegram update; rejected",
    " limit=1048576",
    " update_id=",
];

/// Every log line, for the privacy check.
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn setup() -> &'static (Logs, WebhookSecret) {
    static SETUP: OnceLock<(Logs, WebhookSecret)> = OnceLock::new();
    SETUP.get_or_init(|| {
        let logs = Logs::default();
        let writer = logs.clone();
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .without_time()
            .with_target(false)
            .init();
        let secret = WebhookSecret::parse(SECRET).expect("a valid secret");
        (logs, secret)
    })
}

fuzz_target!(|data: &[u8]| {
    let (logs, secret) = setup();
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
    logs.0.lock().unwrap().clear();
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
    // Short bodies ("1", "{}") may appear by chance in a log line's fields, and a body may be
    // a piece of the fixed wording: the check runs on what is left of the logs without it.
    let logged = logs.0.lock().unwrap();
    let mut rest = String::from_utf8_lossy(&logged).into_owned();
    for fixed in FIXED {
        rest = rest.replace(fixed, "\u{1}");
    }
    if body.len() >= 8 {
        assert!(
            !rest.as_bytes().windows(body.len()).any(|w| w == body),
            "the body reached the logs: {rest}"
        );
    }
    let secret_bytes = SECRET.as_bytes();
    assert!(
        !logged
            .windows(secret_bytes.len())
            .any(|w| w == secret_bytes),
        "the secret reached the logs"
    );
});
