//! The settings of `backleg run`, declared once: [`RunSettings`] is at the same time the
//! command-line parser (clap, with the environment variable of each flag), the config file format
//! (serde, same keys) and the merged result. [`RunSettings::resolve`] then applies the defaults
//! (the consts beside each field) and validates everything in one pass.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;
use serde::Deserialize;

use super::{ConfigError, FloodControl, Mode, RunConfig, Token, WebhookConfig, WebhookSecret};

/// Default of `data`.
pub const DEFAULT_DATA_FILE: &str = "backleg.sqlite3";
/// Default of `red_flag_cooldown_seconds`.
pub const DEFAULT_RED_FLAG_COOLDOWN: Duration = Duration::from_secs(600);
/// Default of `listen`.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8443";
/// Default of `webhook_max_connections` (Telegram's own default).
pub const DEFAULT_WEBHOOK_MAX_CONNECTIONS: u8 = 40;
/// Default of `messages_per_second` (Telegram's published overall limit).
pub const DEFAULT_MESSAGES_PER_SECOND: u32 = 30;
/// Default of `max_updates_in_flight`.
pub const DEFAULT_MAX_UPDATES_IN_FLIGHT: usize = 64;
/// Default of `group_answers_per_minute`.
pub const DEFAULT_GROUP_ANSWERS_PER_MINUTE: u32 = 5;
/// Largest `group_answers_per_minute` (more is no limit at all: use 0).
pub const MAX_GROUP_ANSWERS_PER_MINUTE: u32 = 1000;

/// `run` settings as given, every one optional. The help text shows each default; a test holds
/// it to the const.
#[derive(Debug, Default, Clone, Args, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunSettings {
    /// TOML config file with any of the settings below (snake_case keys, e.g. `webhook_url`),
    /// plus token and api_url. Flags and environment variables win over it.
    #[arg(long, env = "BACKLEG_CONFIG", value_name = "FILE")]
    #[serde(skip)]
    pub config: Option<PathBuf>,
    /// Bot token: `TELOXIDE_TOKEN` (no flag: a flag would show in `ps`).
    #[arg(skip)]
    pub token: Option<String>,
    /// Bot API base URL: `TELOXIDE_API_URL` (a self-hosted Bot API server) [default:
    /// Telegram's].
    #[arg(skip)]
    pub api_url: Option<String>,
    /// Knowledge-base directory: the global `--knowledge`, `BACKLEG_KNOWLEDGE`.
    #[arg(skip)]
    pub knowledge: Option<PathBuf>,
    /// Emergency number text: the global `--emergency-number`, `BACKLEG_EMERGENCY_NUMBER`.
    #[arg(skip)]
    pub emergency_number: Option<String>,
    /// SQLite file for group settings (created on first run) [default: backleg.sqlite3].
    #[arg(long, env = "BACKLEG_DATA", value_name = "FILE")]
    pub data: Option<PathBuf>,
    /// At most one red-flag notice per group per this many seconds [default: 600].
    #[arg(
        long = "red-flag-cooldown",
        env = "BACKLEG_RED_FLAG_COOLDOWN",
        value_name = "SECONDS"
    )]
    pub red_flag_cooldown_seconds: Option<u64>,
    /// Settings store: redis://HOST:PORT/DB (several replicas), sqlite:PATH, or memory
    /// [default: the SQLite file of --data].
    #[arg(long, env = "BACKLEG_STORAGE", value_name = "SPEC")]
    pub storage: Option<String>,
    /// Webhook mode: the public HTTPS URL Telegram posts updates to (its path is served).
    #[arg(long, env = "BACKLEG_WEBHOOK_URL", value_name = "URL")]
    pub webhook_url: Option<String>,
    /// Webhook mode: address to listen on for the webhook, /healthz, /readyz and /metrics
    /// [default: 127.0.0.1:8443].
    #[arg(long, env = "BACKLEG_LISTEN", value_name = "ADDR")]
    pub listen: Option<String>,
    /// Webhook mode: the secret token Telegram must send; give every replica the same one
    /// [default: generated at start, for a single replica].
    #[arg(
        long,
        env = "BACKLEG_WEBHOOK_SECRET",
        value_name = "SECRET",
        hide_env_values = true
    )]
    pub webhook_secret: Option<String>,
    /// Webhook mode: drop updates that queued up while no bot was listening.
    #[arg(long, num_args = 0, default_missing_value = "true")]
    pub drop_pending: Option<bool>,
    /// Webhook mode: connections Telegram may open at once, 1-100 [default: 40].
    #[arg(long, env = "BACKLEG_WEBHOOK_MAX_CONNECTIONS", value_name = "N")]
    pub webhook_max_connections: Option<u8>,
    /// Polling mode: address to serve /healthz, /readyz and /metrics on [default: none].
    #[arg(long, env = "BACKLEG_METRICS_LISTEN", value_name = "ADDR")]
    pub metrics_listen: Option<String>,
    /// Outgoing flood control: telegram (Telegram's limits) or off (local test servers,
    /// benchmarks) [default: telegram].
    #[arg(long, env = "BACKLEG_FLOOD_CONTROL", value_name = "MODE")]
    pub flood_control: Option<String>,
    /// Overall messages per second under flood control [default: 30].
    #[arg(long, env = "BACKLEG_MESSAGES_PER_SECOND", value_name = "N")]
    pub messages_per_second: Option<u32>,
    /// Polling mode: updates fetched but not yet handled, at most [default: 64].
    #[arg(long, env = "BACKLEG_MAX_UPDATES_IN_FLIGHT", value_name = "N")]
    pub max_updates_in_flight: Option<usize>,
    /// Answers per member per minute in a group, then one slow-down note; red-flag notices
    /// always go out; 0 = no limit [default: 5].
    #[arg(long, env = "BACKLEG_GROUP_ANSWERS_PER_MINUTE", value_name = "N")]
    pub group_answers_per_minute: Option<u32>,
}

impl RunSettings {
    /// Reads and parses a config file.
    ///
    /// # Errors
    /// Unreadable file, malformed TOML or unknown keys (with the line).
    pub fn read_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::ReadFile {
            path: path.to_owned(),
            source,
        })?;
        Self::parse_text(&text, path)
    }

    /// Parses a config file's text; `path` only names the file in an error.
    ///
    /// # Errors
    /// Malformed TOML or unknown keys (with the line).
    pub fn parse_text(text: &str, path: &Path) -> Result<Self, ConfigError> {
        toml::from_str(text).map_err(|err| ConfigError::ParseFile {
            path: path.to_owned(),
            line: err.span().map_or(1, |s| line_of(text, s.start)),
            message: err.message().trim().to_owned(),
        })
    }

    /// The one merge: `self` (flags and environment, already merged by clap, flag over
    /// variable) over `file`. A blank flag or variable counts as not given for the settings
    /// where a blank value cannot mean anything.
    #[must_use]
    pub fn over(self, file: Self) -> Self {
        // Destructured so that a new field does not compile until it is merged here.
        let Self {
            config,
            token,
            api_url,
            knowledge,
            emergency_number,
            data,
            red_flag_cooldown_seconds,
            storage,
            webhook_url,
            listen,
            webhook_secret,
            drop_pending,
            webhook_max_connections,
            metrics_listen,
            flood_control,
            messages_per_second,
            max_updates_in_flight,
            group_answers_per_minute,
        } = self;
        Self {
            config: config.or(file.config),
            token: non_empty(token).or(file.token),
            api_url: non_empty(api_url).or(file.api_url),
            knowledge: knowledge.or(file.knowledge),
            emergency_number: emergency_number.or(file.emergency_number),
            data: data.or(file.data),
            red_flag_cooldown_seconds: red_flag_cooldown_seconds.or(file.red_flag_cooldown_seconds),
            storage: non_empty(storage).or(file.storage),
            webhook_url: non_empty(webhook_url).or(file.webhook_url),
            listen: non_empty(listen).or(file.listen),
            webhook_secret: non_empty(webhook_secret).or(file.webhook_secret),
            // A flag can only switch it on; `false` on the command line means "not given".
            drop_pending: drop_pending.filter(|&on| on).or(file.drop_pending),
            webhook_max_connections: webhook_max_connections.or(file.webhook_max_connections),
            metrics_listen: non_empty(metrics_listen).or(file.metrics_listen),
            flood_control: non_empty(flood_control).or(file.flood_control),
            messages_per_second: messages_per_second.or(file.messages_per_second),
            max_updates_in_flight: max_updates_in_flight.or(file.max_updates_in_flight),
            group_answers_per_minute: group_answers_per_minute.or(file.group_answers_per_minute),
        }
    }

    /// Applies the defaults and validates, in one pass that collects every problem.
    ///
    /// # Errors
    /// The one problem found, or `ConfigError::Several` listing all of them in order.
    pub fn resolve(self) -> Result<RunConfig, ConfigError> {
        let mut problems = Problems::default();

        let token = problems.check(
            self.token
                .ok_or(ConfigError::MissingToken)
                .and_then(|t| Token::parse(&t)),
        );
        let api_url = match self.api_url {
            None => Some(None),
            Some(raw) => problems.check(url::Url::parse(raw.trim()).map(Some).map_err(|e| {
                ConfigError::BadApiUrl {
                    url: raw.clone(),
                    reason: e.to_string(),
                }
            })),
        };
        let mode = match self.webhook_url {
            None => {
                if self.listen.is_some() {
                    problems.add(bad(
                        "--listen",
                        "is for webhook mode: set --webhook-url too",
                    ));
                }
                let max_in_flight = self
                    .max_updates_in_flight
                    .unwrap_or(DEFAULT_MAX_UPDATES_IN_FLIGHT);
                if max_in_flight == 0 {
                    problems.add(bad("--max-updates-in-flight", "must be at least 1"));
                }
                let metrics_listen = match self.metrics_listen {
                    None => Some(None),
                    Some(text) => problems
                        .check(parse_addr("--metrics-listen", &text))
                        .map(Some),
                };
                metrics_listen.map(|metrics_listen| Mode::Polling {
                    metrics_listen,
                    max_in_flight,
                })
            }
            Some(raw_url) => {
                if self.metrics_listen.is_some() {
                    problems.add(bad(
                        "--metrics-listen",
                        "is for polling mode; in webhook mode /healthz, /readyz and /metrics are served on --listen",
                    ));
                }
                let url = problems.check(webhook_url(&raw_url));
                let listen = problems.check(parse_addr(
                    "--listen",
                    self.listen.as_deref().unwrap_or(DEFAULT_LISTEN),
                ));
                let secret = match self.webhook_secret {
                    Some(text) => problems
                        .check(WebhookSecret::parse(text.trim()))
                        .map(|s| (s, false)),
                    None => Some((WebhookSecret::generate(), true)),
                };
                let max_connections = self
                    .webhook_max_connections
                    .unwrap_or(DEFAULT_WEBHOOK_MAX_CONNECTIONS);
                if !(1..=100).contains(&max_connections) {
                    problems.add(bad("--webhook-max-connections", "must be 1-100"));
                }
                match (url, listen, secret) {
                    (Some(url), Some(listen), Some((secret, secret_generated))) => {
                        Some(Mode::Webhook(WebhookConfig {
                            url,
                            listen,
                            secret,
                            secret_generated,
                            drop_pending: self.drop_pending.unwrap_or(false),
                            max_connections,
                        }))
                    }
                    _ => None,
                }
            }
        };
        let flood_control = match self.flood_control.as_deref().map(str::trim) {
            None | Some("telegram") => {
                let messages_per_second = self
                    .messages_per_second
                    .unwrap_or(DEFAULT_MESSAGES_PER_SECOND);
                if messages_per_second == 0 {
                    problems.add(bad("--messages-per-second", "must be at least 1"));
                }
                Some(FloodControl::Telegram {
                    messages_per_second,
                })
            }
            Some("off") => Some(FloodControl::Off),
            Some(other) => problems.check(Err(ConfigError::BadSetting {
                setting: "--flood-control",
                reason: format!("`{other}` is not one of: telegram, off"),
            })),
        };
        let group_answers_per_minute = self
            .group_answers_per_minute
            .unwrap_or(DEFAULT_GROUP_ANSWERS_PER_MINUTE);
        if group_answers_per_minute > MAX_GROUP_ANSWERS_PER_MINUTE {
            problems.add(bad(
                "--group-answers-per-minute",
                "must be 0 (no limit) to 1000",
            ));
        }

        match (token, api_url, mode, flood_control) {
            (Some(token), Some(api_url), Some(mode), Some(flood_control))
                if problems.0.is_empty() =>
            {
                Ok(RunConfig {
                    token,
                    api_url,
                    knowledge: self.knowledge,
                    emergency_number: self.emergency_number,
                    data: self
                        .data
                        .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_FILE)),
                    red_flag_cooldown: self
                        .red_flag_cooldown_seconds
                        .map_or(DEFAULT_RED_FLAG_COOLDOWN, Duration::from_secs),
                    storage: self.storage,
                    mode,
                    flood_control,
                    group_answers_per_minute,
                })
            }
            _ if problems.0.len() == 1 => Err(problems.0.remove(0)),
            _ => Err(ConfigError::Several(problems.0)),
        }
    }
}

/// The problems found so far; validation goes on past each one.
#[derive(Default)]
struct Problems(Vec<ConfigError>);

impl Problems {
    fn add(&mut self, problem: ConfigError) {
        self.0.push(problem);
    }

    /// The value, or `None` with the error noted.
    fn check<T>(&mut self, result: Result<T, ConfigError>) -> Option<T> {
        result.map_err(|e| self.0.push(e)).ok()
    }
}

fn webhook_url(raw: &str) -> Result<url::Url, ConfigError> {
    let url = url::Url::parse(raw.trim()).map_err(|e| ConfigError::BadSetting {
        setting: "--webhook-url",
        reason: format!("`{raw}` is not a valid URL: {e}"),
    })?;
    if !matches!(url.scheme(), "https" | "http") {
        return Err(bad("--webhook-url", "must be an https:// URL"));
    }
    // The router reads `:x` and `*x` segments as captures (and refuses them).
    if url
        .path()
        .split('/')
        .any(|segment| segment.starts_with([':', '*']))
    {
        return Err(bad(
            "--webhook-url",
            "a path segment may not start with `:` or `*`",
        ));
    }
    // The listener serves these itself; a webhook on one of them could not be routed.
    if ["/healthz", "/readyz", "/metrics"].contains(&url.path().trim_end_matches('/')) {
        return Err(ConfigError::BadSetting {
            setting: "--webhook-url",
            reason: format!("its path {} is taken by the health and metrics endpoints; use another, e.g. /backleg/webhook", url.path()),
        });
    }
    Ok(url)
}

fn bad(setting: &'static str, reason: &str) -> ConfigError {
    ConfigError::BadSetting {
        setting,
        reason: reason.to_owned(),
    }
}

fn parse_addr(setting: &'static str, text: &str) -> Result<SocketAddr, ConfigError> {
    text.trim().parse().map_err(|_| ConfigError::BadSetting {
        setting,
        reason: format!("`{text}` is not an address like 127.0.0.1:8443"),
    })
}

fn non_empty(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty())
}

/// 1-based line number of a byte offset. (Its own copy: settings know nothing of the knowledge
/// base, whose loader has the same two lines.)
fn line_of(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    text.as_bytes()[..offset]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}
