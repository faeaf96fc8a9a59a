//! Raw shape of `redflags.toml`, as serde reads it: seen only by `validate`. Unknown fields
//! are refused.

use serde::Deserialize;
use toml::Spanned;

use super::{CheckQuestion, Tier, UrgentText};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(in crate::domain::kb) struct RawRedFlagsFile {
    pub(super) window: usize,
    pub(super) topic: Spanned<String>,
    pub(super) topic_boost: f32,
    #[serde(default)]
    pub(super) words: std::collections::BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub(super) negation: RawNegation,
    #[serde(default)]
    pub(super) context: RawContext,
    pub(super) text: UrgentText,
    #[serde(rename = "flag")]
    pub(super) flags: Vec<RawRedFlag>,
    #[serde(default)]
    pub(super) check: Vec<CheckQuestion>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawNegation {
    #[serde(default)]
    pub(super) before: Vec<String>,
    #[serde(default)]
    pub(super) after: Vec<String>,
    #[serde(default)]
    pub(super) bridge: Vec<String>,
    #[serde(default)]
    pub(super) after_bridge: Vec<String>,
    #[serde(default)]
    pub(super) stop: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawContext {
    #[serde(default)]
    pub(super) long_ago: Vec<String>,
    #[serde(default)]
    pub(super) elsewhere: Vec<String>,
    #[serde(default)]
    pub(super) here: Vec<String>,
    #[serde(default)]
    pub(super) question: Vec<String>,
    #[serde(default)]
    pub(super) general: Vec<String>,
    #[serde(default)]
    pub(super) personal: Vec<String>,
}

/// A near rule as written: `["a|b", "c"]`, or `{ window = 2, groups = ["a|b", "c"] }`.
#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum RawNear {
    Groups(Vec<String>),
    Windowed {
        #[serde(default)]
        window: Option<usize>,
        #[serde(default)]
        clause: bool,
        groups: Vec<String>,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMeasure {
    pub(super) words: Vec<String>,
    pub(super) min: f64,
    pub(super) max: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAge {
    pub(super) over: u32,
    #[serde(default)]
    pub(super) with: Vec<String>,
    #[serde(default)]
    pub(super) with_near: Vec<RawNear>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRedFlag {
    pub(super) id: Spanned<String>,
    pub(super) tier: Tier,
    pub(super) label: String,
    pub(super) says: String,
    pub(super) source: String,
    #[serde(default)]
    pub(super) topic_boost: Option<f32>,
    #[serde(default)]
    pub(super) terms: Vec<String>,
    #[serde(default)]
    pub(super) phrases: Vec<String>,
    #[serde(default)]
    pub(super) near: Vec<RawNear>,
    #[serde(default)]
    pub(super) mentions: Vec<String>,
    #[serde(default)]
    pub(super) mention_near: Vec<RawNear>,
    #[serde(default)]
    pub(super) benign: Vec<String>,
    #[serde(default)]
    pub(super) benign_near: Vec<RawNear>,
    #[serde(default)]
    pub(super) unless: Vec<String>,
    #[serde(default)]
    pub(super) unless_near: Vec<RawNear>,
    #[serde(default)]
    pub(super) downgrade: Vec<String>,
    #[serde(default)]
    pub(super) hedges: Vec<String>,
    #[serde(default)]
    pub(super) keep: Vec<String>,
    #[serde(default)]
    pub(super) long_ago: bool,
    #[serde(default)]
    pub(super) quiet_elsewhere: bool,
    #[serde(default)]
    pub(super) vetoes: Vec<Spanned<String>>,
    #[serde(default, rename = "measure")]
    pub(super) measures: Vec<RawMeasure>,
    #[serde(default)]
    pub(super) age: Option<RawAge>,
}
