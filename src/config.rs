//! Edge: settings for `backleg run`, resolved once at start-up from (highest first) command-line
//! flags, environment variables, a TOML config file, and defaults. The only module that reads
//! the environment for the bot; the token's `Debug` is redacted so a dumped config is safe.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

/// Default data file for group settings.
pub const DEFAULT_DATA_FILE: &str = "backleg.sqlite3";
/// Default red-flag cooldown per group chat.
pub const DEFAULT_RED_FLAG_COOLDOWN: Duration = Duration::from_secs(600);
/// Default address of the webhook listener.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8443";
/// Default bound on updates fetched by long polling but not yet handled.
pub const DEFAULT_MAX_UPDATES_IN_FLIGHT: usize = 64;
/// Default `max_connections` asked of Telegram for the webhook (Telegram's own default).
pub const DEFAULT_WEBHOOK_MAX_CONNECTIONS: u8 = 40;

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
}

/// The optional config file (`--config FILE`, `BACKLEG_CONFIG`). Every key is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// Bot token (prefer the TELOXIDE_TOKEN environment variable).
    pub token: Option<String>,
    /// Bot API base URL (a self-hosted Bot API server).
    pub api_url: Option<String>,
    /// Knowledge-base directory.
    pub knowledge: Option<PathBuf>,
    /// Emergency number text.
    pub emergency_number: Option<String>,
    /// SQLite data file.
    pub data: Option<PathBuf>,
    /// Red-flag cooldown per group, in seconds.
    pub red_flag_cooldown_seconds: Option<u64>,
    /// Settings store: `redis://...`, `sqlite:PATH` or `memory` (default: SQLite at `data`).
    pub storage: Option<String>,
    /// Public HTTPS URL Telegram posts updates to; setting it switches to webhook mode.
    pub webhook_url: Option<String>,
    /// Address the webhook listener binds (webhook mode).
    pub listen: Option<String>,
    /// The webhook's secret token, shared by all replicas.
    pub webhook_secret: Option<String>,
    /// Webhook mode: ask Telegram to drop updates that arrived while no bot was listening.
    pub drop_pending: Option<bool>,
    /// Webhook mode: how many connections Telegram may open at once (1-100).
    pub webhook_max_connections: Option<u8>,
    /// Polling mode: address for `/healthz`, `/readyz` and `/metrics`.
    pub metrics_listen: Option<String>,
    /// `telegram` (default: Telegram's published limits) or `off`.
    pub flood_control: Option<String>,
    /// Overall messages per second under `telegram` flood control (default 30).
    pub messages_per_second: Option<u32>,
    /// Polling mode: updates fetched but not yet handled, at most.
    pub max_updates_in_flight: Option<usize>,
}

impl ConfigFile {
    /// Reads and parses a config file.
    ///
    /// # Errors
    /// Unreadable file, malformed TOML or unknown keys (with the line).
    pub fn read(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::ReadFile {
            path: path.to_owned(),
            source,
        })?;
        toml::from_str(&text).map_err(|err| ConfigError::ParseFile {
            path: path.to_owned(),
            line: err.span().map_or(1, |s| line_of(&text, s.start)),
            message: err.message().trim().to_owned(),
        })
    }
}

/// What the command line and environment gave (already merged by clap: flag over env).
#[derive(Debug, Default, Clone)]
pub struct RunOverrides {
    /// `TELOXIDE_TOKEN`.
    pub token: Option<String>,
    /// `TELOXIDE_API_URL`.
    pub api_url: Option<String>,
    /// `--knowledge`, `BACKLEG_KNOWLEDGE`.
    pub knowledge: Option<PathBuf>,
    /// `--emergency-number`, `BACKLEG_EMERGENCY_NUMBER`.
    pub emergency_number: Option<String>,
    /// `--data`, `BACKLEG_DATA`.
    pub data: Option<PathBuf>,
    /// `--red-flag-cooldown`, `BACKLEG_RED_FLAG_COOLDOWN`.
    pub red_flag_cooldown_seconds: Option<u64>,
    /// `--storage`, `BACKLEG_STORAGE`.
    pub storage: Option<String>,
    /// `--webhook-url`, `BACKLEG_WEBHOOK_URL`.
    pub webhook_url: Option<String>,
    /// `--listen`, `BACKLEG_LISTEN`.
    pub listen: Option<String>,
    /// `--webhook-secret`, `BACKLEG_WEBHOOK_SECRET`.
    pub webhook_secret: Option<String>,
    /// `--drop-pending`.
    pub drop_pending: bool,
    /// `--webhook-max-connections`, `BACKLEG_WEBHOOK_MAX_CONNECTIONS`.
    pub webhook_max_connections: Option<u8>,
    /// `--metrics-listen`, `BACKLEG_METRICS_LISTEN`.
    pub metrics_listen: Option<String>,
    /// `--flood-control`, `BACKLEG_FLOOD_CONTROL`.
    pub flood_control: Option<String>,
    /// `--messages-per-second`, `BACKLEG_MESSAGES_PER_SECOND`.
    pub messages_per_second: Option<u32>,
    /// `--max-updates-in-flight`, `BACKLEG_MAX_UPDATES_IN_FLIGHT`.
    pub max_updates_in_flight: Option<usize>,
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

impl RunConfig {
    /// Merges overrides over the config file over defaults, and validates.
    ///
    /// # Errors
    /// Missing or malformed token, invalid API URL.
    pub fn resolve(overrides: RunOverrides, file: ConfigFile) -> Result<Self, ConfigError> {
        let token = overrides
            .token
            .filter(|t| !t.trim().is_empty())
            .or(file.token)
            .ok_or(ConfigError::MissingToken)?;
        let token = Token::parse(&token)?;
        let api_url = match overrides
            .api_url
            .filter(|u| !u.trim().is_empty())
            .or(file.api_url)
        {
            None => None,
            Some(raw) => Some(
                url::Url::parse(raw.trim()).map_err(|e| ConfigError::BadApiUrl {
                    url: raw.clone(),
                    reason: e.to_string(),
                })?,
            ),
        };
        Ok(Self {
            token,
            api_url,
            knowledge: overrides.knowledge.or(file.knowledge),
            emergency_number: overrides.emergency_number.or(file.emergency_number),
            data: overrides
                .data
                .or(file.data)
                .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_FILE)),
            red_flag_cooldown: overrides
                .red_flag_cooldown_seconds
                .or(file.red_flag_cooldown_seconds)
                .map_or(DEFAULT_RED_FLAG_COOLDOWN, Duration::from_secs),
            storage: non_empty(overrides.storage).or(file.storage),
            mode: Self::resolve_mode(
                WebhookSettings {
                    url: non_empty(overrides.webhook_url).or(file.webhook_url),
                    listen: non_empty(overrides.listen).or(file.listen),
                    secret: non_empty(overrides.webhook_secret).or(file.webhook_secret),
                    drop_pending: overrides.drop_pending || file.drop_pending.unwrap_or(false),
                    max_connections: overrides
                        .webhook_max_connections
                        .or(file.webhook_max_connections),
                },
                non_empty(overrides.metrics_listen).or(file.metrics_listen),
                overrides
                    .max_updates_in_flight
                    .or(file.max_updates_in_flight),
            )?,
            flood_control: match non_empty(overrides.flood_control)
                .or(file.flood_control)
                .as_deref()
                .map(str::trim)
            {
                None | Some("telegram") => FloodControl::Telegram {
                    messages_per_second: match overrides
                        .messages_per_second
                        .or(file.messages_per_second)
                    {
                        Some(0) => {
                            return Err(ConfigError::BadSetting {
                                setting: "--messages-per-second",
                                reason: "must be at least 1".into(),
                            });
                        }
                        Some(n) => n,
                        None => 30,
                    },
                },
                Some("off") => FloodControl::Off,
                Some(other) => {
                    return Err(ConfigError::BadSetting {
                        setting: "--flood-control",
                        reason: format!("`{other}` is not one of: telegram, off"),
                    });
                }
            },
        })
    }

    fn resolve_mode(
        webhook: WebhookSettings,
        metrics_listen: Option<String>,
        max_in_flight: Option<usize>,
    ) -> Result<Mode, ConfigError> {
        let Some(raw_url) = webhook.url else {
            if webhook.listen.is_some() {
                return Err(ConfigError::BadSetting {
                    setting: "--listen",
                    reason: "is for webhook mode: set --webhook-url too".into(),
                });
            }
            let max_in_flight = max_in_flight.unwrap_or(DEFAULT_MAX_UPDATES_IN_FLIGHT);
            if max_in_flight == 0 {
                return Err(ConfigError::BadSetting {
                    setting: "--max-updates-in-flight",
                    reason: "must be at least 1".into(),
                });
            }
            let metrics_listen = metrics_listen
                .map(|a| parse_addr("--metrics-listen", &a))
                .transpose()?;
            return Ok(Mode::Polling {
                metrics_listen,
                max_in_flight,
            });
        };
        if metrics_listen.is_some() {
            return Err(ConfigError::BadSetting {
                setting: "--metrics-listen",
                reason: "is for polling mode; in webhook mode /healthz, /readyz and /metrics are served on --listen".into(),
            });
        }
        let url = url::Url::parse(raw_url.trim()).map_err(|e| ConfigError::BadSetting {
            setting: "--webhook-url",
            reason: format!("`{raw_url}` is not a valid URL: {e}"),
        })?;
        if !matches!(url.scheme(), "https" | "http") {
            return Err(ConfigError::BadSetting {
                setting: "--webhook-url",
                reason: "must be an https:// URL".into(),
            });
        }
        // The router reads `:x` and `*x` segments as captures (and refuses them).
        if url
            .path()
            .split('/')
            .any(|segment| segment.starts_with([':', '*']))
        {
            return Err(ConfigError::BadSetting {
                setting: "--webhook-url",
                reason: "a path segment may not start with `:` or `*`".into(),
            });
        }
        // The listener serves these itself; a webhook on one of them could not be routed.
        if ["/healthz", "/readyz", "/metrics"].contains(&url.path().trim_end_matches('/')) {
            return Err(ConfigError::BadSetting {
                setting: "--webhook-url",
                reason: format!("its path {} is taken by the health and metrics endpoints; use another, e.g. /backleg/webhook", url.path()),
            });
        }
        let listen = parse_addr(
            "--listen",
            webhook.listen.as_deref().unwrap_or(DEFAULT_LISTEN),
        )?;
        let (secret, secret_generated) = match webhook.secret {
            Some(text) => (WebhookSecret::parse(text.trim())?, false),
            None => (WebhookSecret::generate(), true),
        };
        let max_connections = webhook
            .max_connections
            .unwrap_or(DEFAULT_WEBHOOK_MAX_CONNECTIONS);
        if !(1..=100).contains(&max_connections) {
            return Err(ConfigError::BadSetting {
                setting: "--webhook-max-connections",
                reason: "must be 1-100".into(),
            });
        }
        Ok(Mode::Webhook(WebhookConfig {
            url,
            listen,
            secret,
            secret_generated,
            drop_pending: webhook.drop_pending,
            max_connections,
        }))
    }
}

/// Webhook settings as given, before validation.
struct WebhookSettings {
    url: Option<String>,
    listen: Option<String>,
    secret: Option<String>,
    drop_pending: bool,
    max_connections: Option<u8>,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_shape_is_checked_and_never_printed() {
        let token = Token::parse("123456:ABC-def_ghi").unwrap();
        assert_eq!(format!("{token:?}"), "Token(<redacted>)");
        for bad in [
            "", "abc", "123456", "123456:", ":abc", "12a:abc", "123:ab c", "123:ab/c",
        ] {
            assert!(
                matches!(Token::parse(bad), Err(ConfigError::MalformedToken)),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn flags_win_over_the_config_file_and_defaults_fill_the_rest() {
        let file = ConfigFile {
            token: Some("1:file".into()),
            data: Some("file.sqlite3".into()),
            red_flag_cooldown_seconds: Some(30),
            ..ConfigFile::default()
        };
        let overrides = RunOverrides {
            token: Some("2:env".into()),
            red_flag_cooldown_seconds: Some(5),
            ..RunOverrides::default()
        };
        let config = RunConfig::resolve(overrides, file).unwrap();
        assert_eq!(config.token.expose(), "2:env");
        assert_eq!(config.data, PathBuf::from("file.sqlite3"));
        assert_eq!(config.red_flag_cooldown, Duration::from_secs(5));
        assert!(config.api_url.is_none());
    }

    #[test]
    fn missing_token_and_bad_url_are_clear_errors() {
        let err = RunConfig::resolve(RunOverrides::default(), ConfigFile::default()).unwrap_err();
        assert!(err.to_string().contains("TELOXIDE_TOKEN"));
        let overrides = RunOverrides {
            token: Some("1:x".into()),
            api_url: Some("not a url".into()),
            ..RunOverrides::default()
        };
        assert!(matches!(
            RunConfig::resolve(overrides, ConfigFile::default()),
            Err(ConfigError::BadApiUrl { .. })
        ));
    }

    #[test]
    fn webhook_mode_is_chosen_by_the_url_and_validated() {
        let base = || RunOverrides {
            token: Some("1:x".into()),
            ..RunOverrides::default()
        };
        let polling = RunConfig::resolve(base(), ConfigFile::default()).unwrap();
        assert!(matches!(
            polling.mode,
            Mode::Polling {
                metrics_listen: None,
                max_in_flight: DEFAULT_MAX_UPDATES_IN_FLIGHT
            }
        ));
        assert_eq!(
            polling.flood_control,
            FloodControl::Telegram {
                messages_per_second: 30
            }
        );

        let file = ConfigFile {
            webhook_url: Some("https://example.org/backleg".into()),
            webhook_secret: Some("s3cret_-X".into()),
            ..ConfigFile::default()
        };
        let config = RunConfig::resolve(
            RunOverrides {
                listen: Some("127.0.0.1:9000".into()),
                ..base()
            },
            file,
        )
        .unwrap();
        let Mode::Webhook(webhook) = config.mode else {
            panic!("webhook mode expected")
        };
        assert_eq!(webhook.url.path(), "/backleg");
        assert_eq!(webhook.listen, "127.0.0.1:9000".parse().unwrap());
        assert_eq!(webhook.secret.expose(), "s3cret_-X");
        assert!(!webhook.secret_generated);
        assert_eq!(format!("{:?}", webhook.secret), "WebhookSecret(<redacted>)");

        let generated = RunConfig::resolve(
            RunOverrides {
                webhook_url: Some("https://example.org/x".into()),
                ..base()
            },
            ConfigFile::default(),
        )
        .unwrap();
        let Mode::Webhook(webhook) = generated.mode else {
            panic!("webhook mode expected")
        };
        assert!(webhook.secret_generated && WebhookSecret::parse(webhook.secret.expose()).is_ok());

        for (overrides, setting) in [
            (
                RunOverrides {
                    webhook_url: Some("https://e.org/x".into()),
                    webhook_secret: Some("has space".into()),
                    ..base()
                },
                "--webhook-secret",
            ),
            (
                RunOverrides {
                    webhook_url: Some("https://e.org/x".into()),
                    listen: Some("nowhere".into()),
                    ..base()
                },
                "--listen",
            ),
            (
                RunOverrides {
                    listen: Some("127.0.0.1:1".into()),
                    ..base()
                },
                "--listen",
            ),
            (
                RunOverrides {
                    webhook_url: Some("https://e.org/metrics".into()),
                    ..base()
                },
                "--webhook-url",
            ),
            (
                RunOverrides {
                    webhook_url: Some("ftp://e.org/x".into()),
                    ..base()
                },
                "--webhook-url",
            ),
            (
                RunOverrides {
                    webhook_url: Some("https://e.org/:hook".into()),
                    ..base()
                },
                "--webhook-url",
            ),
            (
                RunOverrides {
                    webhook_url: Some("https://e.org/x".into()),
                    metrics_listen: Some("127.0.0.1:9".into()),
                    ..base()
                },
                "--metrics-listen",
            ),
            (
                RunOverrides {
                    flood_control: Some("sometimes".into()),
                    ..base()
                },
                "--flood-control",
            ),
            (
                RunOverrides {
                    metrics_listen: Some("x".into()),
                    ..base()
                },
                "--metrics-listen",
            ),
        ] {
            let err = RunConfig::resolve(overrides, ConfigFile::default()).unwrap_err();
            assert!(err.to_string().starts_with(setting), "{err}");
            assert!(!err.to_string().contains("has space"), "{err}");
        }
    }

    #[test]
    fn config_file_errors_name_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("backleg.toml");
        std::fs::write(&path, "data = \"x\"\nunknown_key = 1\n").unwrap();
        let err = ConfigFile::read(&path).unwrap_err();
        assert!(err.to_string().contains(":2:"), "{err}");
    }
}
