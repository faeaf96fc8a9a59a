//! Edge: settings for `backleg run`, resolved once at start-up from (highest first) command-line
//! flags, environment variables, a TOML config file, and defaults.
//!
//! `run` declares the settings once ([`RunSettings`]: flags, variables and file keys in one
//! struct) and resolves them in one pass; this file holds what comes out, the validated
//! [`RunConfig`] the Telegram edge consumes. The token's and the webhook secret's `Debug` are
//! redacted so a dumped config is safe.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

mod run;

pub use run::{
    RunSettings, DEFAULT_DATA_FILE, DEFAULT_LISTEN, DEFAULT_MAX_UPDATES_IN_FLIGHT,
    DEFAULT_MESSAGES_PER_SECOND, DEFAULT_RED_FLAG_COOLDOWN, DEFAULT_WEBHOOK_MAX_CONNECTIONS,
};
pub use run::{DEFAULT_GROUP_ANSWERS_PER_MINUTE, MAX_GROUP_ANSWERS_PER_MINUTE};

/// A bot token. Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// Validates the shape Telegram issues: `<bot id digits>:<secret of [A-Za-z0-9_-]>`.
    ///
    /// # Errors
    /// `ConfigError::MalformedToken` (the error never contains the token).
    pub fn parse(text: &str) -> Result<Self, ConfigError> {
        let text = text.trim();
        let valid = text.split_once(':').is_some_and(|(id, secret)| {
            !id.is_empty()
                && id.bytes().all(|b| b.is_ascii_digit())
                && !secret.is_empty()
                && secret
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        });
        if valid {
            Ok(Self(text.to_owned()))
        } else {
            Err(ConfigError::MalformedToken)
        }
    }

    /// The token text, for the HTTP client only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

/// Why the settings are unusable.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// No token anywhere.
    #[error("no bot token: set TELOXIDE_TOKEN (or `token` in the config file) to the token from @BotFather")]
    MissingToken,
    /// A token of the wrong shape.
    #[error("the bot token is malformed: expected `<digits>:<letters, digits, _ or ->` as given by @BotFather")]
    MalformedToken,
    /// The API URL does not parse.
    #[error("the Bot API URL `{url}` is not a valid URL: {reason}")]
    BadApiUrl {
        /// What was given.
        url: String,
        /// Why it is invalid.
        reason: String,
    },
    /// The config file cannot be read.
    #[error("cannot read the config file {path}")]
    ReadFile {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A setting has a value it cannot take.
    #[error("{setting}: {reason}")]
    BadSetting {
        /// The setting (flag name).
        setting: &'static str,
        /// Why, without echoing secrets.
        reason: String,
    },
    /// The config file is not valid.
    #[error("{path}:{line}: {message}")]
    ParseFile {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// More than one of the above, in the order the settings are checked.
    #[error("{} problems with the settings:\n  {}", .0.len(), list(.0))]
    Several(Vec<ConfigError>),
}

fn list(problems: &[ConfigError]) -> String {
    let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
    lines.join("\n  ")
}

/// How updates reach the bot.
#[derive(Debug, Clone)]
pub enum Mode {
    /// Long polling (`getUpdates`): one process per bot. The default.
    Polling {
        /// Where to serve `/healthz`, `/readyz` and `/metrics`, if anywhere.
        metrics_listen: Option<SocketAddr>,
        /// Updates fetched but not yet handled, at most (back-pressure on `getUpdates`).
        max_in_flight: usize,
    },
    /// Telegram posts updates to `url`; this process listens on `listen`. Several replicas can
    /// share one webhook behind a load balancer.
    Webhook(WebhookConfig),
}

/// Webhook settings.
#[derive(Debug, Clone)]
pub struct WebhookConfig {
    /// The public URL given to `setWebhook`; its path is the route served.
    pub url: url::Url,
    /// Listener address (webhook, `/healthz`, `/readyz`, `/metrics`).
    pub listen: SocketAddr,
    /// The secret Telegram sends in `X-Telegram-Bot-Api-Secret-Token`.
    pub secret: WebhookSecret,
    /// Whether the secret was generated here (one replica only) rather than configured.
    pub secret_generated: bool,
    /// Drop updates that queued up while no bot listened.
    pub drop_pending: bool,
    /// `max_connections` for `setWebhook`.
    pub max_connections: u8,
}

/// The webhook secret token. Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret(String);

impl WebhookSecret {
    /// Validates Telegram's rule: 1-256 characters of `A-Z a-z 0-9 _ -`.
    ///
    /// # Errors
    /// `ConfigError::BadSetting` (without the secret).
    pub fn parse(text: &str) -> Result<Self, ConfigError> {
        let ok = (1..=256).contains(&text.len())
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if ok {
            Ok(Self(text.to_owned()))
        } else {
            Err(ConfigError::BadSetting {
                setting: "--webhook-secret",
                reason: "must be 1-256 characters of A-Z, a-z, 0-9, _ and -".into(),
            })
        }
    }

    /// A random 48-character secret (for a single replica that was given none).
    pub fn generate() -> Self {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
        let mut rng = fastrand::Rng::new();
        Self(
            (0..48)
                .map(|_| char::from(ALPHABET[rng.usize(..ALPHABET.len())]))
                .collect(),
        )
    }

    /// The secret, for `setWebhook` and the header comparison only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret(<redacted>)")
    }
}

/// Flood control for outgoing messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FloodControl {
    /// Telegram's published limits: about one message per second per chat, 20 per minute per
    /// group, and `messages_per_second` overall.
    Telegram {
        /// Overall messages per second.
        messages_per_second: u32,
    },
    /// No limiter: for a local Bot API test server or benchmarks. 429s are still waited out.
    Off,
}

/// Validated settings of `backleg run`.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// Bot token.
    pub token: Token,
    /// Bot API base URL; `None` = Telegram's.
    pub api_url: Option<url::Url>,
    /// Knowledge-base directory; `None` = built in.
    pub knowledge: Option<PathBuf>,
    /// Emergency number text; `None` = the knowledge base's default.
    pub emergency_number: Option<String>,
    /// SQLite data file.
    pub data: PathBuf,
    /// At most one red-flag notice per group per this long.
    pub red_flag_cooldown: Duration,
    /// Settings store spec as given (`redis://...`, `sqlite:PATH`, `memory`); `None` = SQLite
    /// at `data`.
    pub storage: Option<String>,
    /// Polling or webhook.
    pub mode: Mode,
    /// Outgoing flood control.
    pub flood_control: FloodControl,
    /// Answers per member per minute in a group (`--group-answers-per-minute`); 0 = no limit.
    pub group_answers_per_minute: u32,
}

impl RunConfig {
    /// Resolves `run`'s settings: reads the config file named by `given` (if any), merges
    /// `given` over it, applies the defaults and validates.
    ///
    /// # Errors
    /// An unreadable or invalid config file, or every problem with the merged settings.
    pub fn load(given: RunSettings) -> Result<Self, ConfigError> {
        // The token and the API URL have a variable and no flag; they rank as flags do.
        let env = |name: &str| std::env::var(name).ok();
        let given = RunSettings {
            token: given.token.or_else(|| env("TELOXIDE_TOKEN")),
            api_url: given.api_url.or_else(|| env("TELOXIDE_API_URL")),
            ..given
        };
        let file = match &given.config {
            Some(path) => RunSettings::read_file(path)?,
            None => RunSettings::default(),
        };
        given.over(file).resolve()
    }
}

#[cfg(test)]
mod tests;
