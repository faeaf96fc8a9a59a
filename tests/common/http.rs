//! Talking HTTP to the bot's webhook and health endpoints over loopback: free ports, POSTing
//! updates the way Telegram does (JSON body, `X-Telegram-Bot-Api-Secret-Token`), GETs, and one
//! series read out of the Prometheus text.

use std::net::TcpListener;
use std::time::Duration;

use axum::body::Bytes;

/// The header Telegram puts the secret in.
pub const SECRET_HEADER: &str = "X-Telegram-Bot-Api-Secret-Token";

/// A loopback port nothing listens on right now (bound, then released).
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local address").port()
}

/// `n` distinct loopback ports nothing listens on right now (all bound at once, then released).
pub fn free_ports<const N: usize>() -> [u16; N] {
    let listeners: Vec<TcpListener> = (0..N)
        .map(|_| TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0"))
        .collect();
    std::array::from_fn(|i| listeners[i].local_addr().expect("local address").port())
}

/// An HTTP client for loopback: no proxy from the environment, a timeout longer than any reply
/// with retries (the bot answers the webhook only after its reply is sent, and five attempts
/// that each get a 5xx take about a minute).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(120))
        .pool_max_idle_per_host(256)
        .build()
        .expect("an HTTP client")
}

/// An HTTP answer: status, body text and content type.
#[derive(Debug, Clone)]
pub struct Answer {
    /// Status code.
    pub status: u16,
    /// Body.
    pub body: String,
    /// `Content-Type`, if any.
    pub content_type: Option<String>,
}

/// POSTs `body` to `url` as Telegram does (with `secret` in the header when given).
///
/// # Errors
/// The request could not be sent or its answer read (connection refused or reset, timeout).
pub async fn post(
    client: &reqwest::Client,
    url: &str,
    secret: Option<&str>,
    body: impl Into<Bytes>,
) -> Result<Answer, reqwest::Error> {
    let mut request = client
        .post(url)
        .header("Content-Type", "application/json")
        .body(body.into());
    if let Some(secret) = secret {
        request = request.header(SECRET_HEADER, secret);
    }
    read(request.send().await?).await
}

/// POSTs an update with the replicas' secret and asserts a 2xx: the webhook answers once the
/// reply is sent, so the reply is in when this returns.
pub async fn deliver(client: &reqwest::Client, url: &str, update: &serde_json::Value) {
    let answer = post_update(client, url, Some(super::bot::SECRET), update).await;
    assert!(
        (200..300).contains(&answer.status),
        "POST {url}: {answer:?}"
    );
}

/// POSTs an update (JSON) with `secret`; panics if the request fails at the HTTP level.
pub async fn post_update(
    client: &reqwest::Client,
    url: &str,
    secret: Option<&str>,
    update: &serde_json::Value,
) -> Answer {
    let body = serde_json::to_vec(update).expect("serialize the update");
    post(client, url, secret, body)
        .await
        .unwrap_or_else(|e| panic!("POST {url}: {e:?}"))
}

/// GETs `url`.
///
/// # Errors
/// The request could not be sent or its answer read.
pub async fn get(client: &reqwest::Client, url: &str) -> Result<Answer, reqwest::Error> {
    read(client.get(url).send().await?).await
}

async fn read(response: reqwest::Response) -> Result<Answer, reqwest::Error> {
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = response.text().await?;
    Ok(Answer {
        status,
        body,
        content_type,
    })
}

/// The value of one series in Prometheus text (`name` or `name{labels}` exactly as rendered).
pub fn metric(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .find_map(|line| {
            line.strip_prefix(series)
                .and_then(|rest| rest.strip_prefix(' '))
                .and_then(|value| value.trim().parse().ok())
        })
}
