//! Raw shapes of `topics.toml` and `lexicon.toml`, as serde reads them: private to `kb`, seen
//! only by the validation that turns them into the schema. Unknown fields are refused.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use super::MatchSettings;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTopicsFile {
    pub(super) matching: MatchSettings,
    #[serde(rename = "topic")]
    pub(super) topics: Vec<RawTopic>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTopic {
    pub(super) id: Spanned<String>,
    pub(super) title: String,
    pub(super) answer: Spanned<String>,
    #[serde(default)]
    pub(super) glossary: Option<String>,
    #[serde(default)]
    pub(super) explains: Vec<String>,
    #[serde(default)]
    pub(super) safety_net: bool,
    #[serde(default)]
    pub(super) related: Vec<Spanned<String>>,
    #[serde(default)]
    pub(super) keywords: BTreeMap<String, f32>,
    #[serde(default)]
    pub(super) phrases: BTreeMap<String, f32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawLexiconFile {
    #[serde(rename = "synonym", default)]
    pub(super) synonyms: Vec<RawSynonym>,
    pub(super) scope: RawScope,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSynonym {
    pub(super) canonical: Spanned<String>,
    pub(super) variants: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawScope {
    pub(super) penalty: f32,
    #[serde(rename = "kind")]
    pub(super) kinds: Vec<RawScopeKind>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawScopeKind {
    pub(super) id: Spanned<String>,
    pub(super) reply: String,
    pub(super) markers: Vec<String>,
    #[serde(default)]
    pub(super) under_age: Option<u32>,
    #[serde(default)]
    pub(super) safety_net: bool,
    #[serde(default)]
    pub(super) red_flags: Vec<Spanned<String>>,
}
