//! Edge: settings for `backleg run`, resolved once at start-up from (highest first) command-line
//! flags, environment variables, a TOML config file, and defaults. The only module that reads
//! the environment for the bot; the token's `Debug` is redacted so a dumped config is safe.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

/// Default data file for group settings.
pub const DEFAULT_DATA_FILE: &str = "backleg.sqlite3";
/// Default red-flag cooldown per group chat.
pub const DEFAULT_RED_FLAG_COOLDOWN: Duration = Duration::from_secs(600);

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
                && secret.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        });
        if valid { Ok(Self(text.to_owned())) } else { Err(ConfigError::MalformedToken) }
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
}

impl ConfigFile {
    /// Reads and parses a config file.
    ///
    /// # Errors
    /// Unreadable file, malformed TOML or unknown keys (with the line).
    pub fn read(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::ReadFile { path: path.to_owned(), source })?;
        toml::from_str(&text).map_err(|err| ConfigError::ParseFile {
            path: path.to_owned(),
            line: err.span().map_or(1, |s| crate::domain::kb::line_of(&text, s.start)),
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
}

impl RunConfig {
    /// Merges overrides over the config file over defaults, and validates.
    ///
    /// # Errors
    /// Missing or malformed token, invalid API URL.
    pub fn resolve(overrides: RunOverrides, file: ConfigFile) -> Result<Self, ConfigError> {
        let token = overrides.token.filter(|t| !t.trim().is_empty()).or(file.token).ok_or(ConfigError::MissingToken)?;
        let token = Token::parse(&token)?;
        let api_url = match overrides.api_url.filter(|u| !u.trim().is_empty()).or(file.api_url) {
            None => None,
            Some(raw) => Some(url::Url::parse(raw.trim()).map_err(|e| ConfigError::BadApiUrl { url: raw.clone(), reason: e.to_string() })?),
        };
        Ok(Self {
            token,
            api_url,
            knowledge: overrides.knowledge.or(file.knowledge),
            emergency_number: overrides.emergency_number.or(file.emergency_number),
            data: overrides.data.or(file.data).unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_FILE)),
            red_flag_cooldown: overrides
                .red_flag_cooldown_seconds
                .or(file.red_flag_cooldown_seconds)
                .map_or(DEFAULT_RED_FLAG_COOLDOWN, Duration::from_secs),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_shape_is_checked_and_never_printed() {
        let token = Token::parse("123456:ABC-def_ghi").unwrap();
        assert_eq!(format!("{token:?}"), "Token(<redacted>)");
        for bad in ["", "abc", "123456", "123456:", ":abc", "12a:abc", "123:ab c", "123:ab/c"] {
            assert!(matches!(Token::parse(bad), Err(ConfigError::MalformedToken)), "{bad:?}");
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
        let overrides = RunOverrides { token: Some("2:env".into()), red_flag_cooldown_seconds: Some(5), ..RunOverrides::default() };
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
        let overrides = RunOverrides { token: Some("1:x".into()), api_url: Some("not a url".into()), ..RunOverrides::default() };
        assert!(matches!(RunConfig::resolve(overrides, ConfigFile::default()), Err(ConfigError::BadApiUrl { .. })));
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
