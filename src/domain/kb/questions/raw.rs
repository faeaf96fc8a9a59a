//! Raw shape of `questions.toml`, as serde reads it: seen only by `validate`. Unknown fields
//! are refused.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(in crate::domain::kb) struct RawQuestionsFile {
    pub(super) domain: RawDomain,
    #[serde(default)]
    pub(super) senses: RawSenses,
    #[serde(rename = "intent", default)]
    pub(super) intents: Vec<RawIntent>,
    #[serde(rename = "subject", default)]
    pub(super) subjects: Vec<RawSubject>,
    #[serde(default)]
    pub(super) routes: BTreeMap<String, BTreeMap<String, Spanned<String>>>,
    pub(super) route_boost: f32,
    pub(super) intent_min: f32,
    pub(super) orientation_topic: Spanned<String>,
    #[serde(default)]
    pub(super) orientation_related: Vec<Spanned<String>>,
    pub(super) sentences: RawSentences,
    pub(super) follow_up: RawFollowUp,
    #[serde(default)]
    pub(super) about_bot: Vec<String>,
    #[serde(default)]
    pub(super) spoken: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub(super) fillers: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDomain {
    pub(super) words: Vec<String>,
    #[serde(default)]
    pub(super) levels: bool,
    #[serde(default)]
    pub(super) anchored: Vec<RawAnchored>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAnchored {
    pub(super) word: String,
    #[serde(default)]
    pub(super) before: Vec<String>,
    #[serde(default)]
    pub(super) after: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSenses {
    #[serde(default)]
    pub(super) other: Vec<String>,
    #[serde(default)]
    pub(super) animals: Vec<String>,
    #[serde(default)]
    pub(super) animal_body: Vec<String>,
    #[serde(default)]
    pub(super) outside: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawIntent {
    pub(super) id: Spanned<String>,
    #[serde(default)]
    pub(super) keywords: BTreeMap<String, f32>,
    #[serde(default)]
    pub(super) phrases: BTreeMap<String, f32>,
    #[serde(default)]
    pub(super) said: BTreeMap<String, f32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSubject {
    pub(super) id: Spanned<String>,
    pub(super) topic: Spanned<String>,
    pub(super) words: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSentences {
    pub(super) openers: Vec<String>,
    pub(super) history_weight: f32,
    #[serde(default)]
    pub(super) circumstance: Vec<String>,
    #[serde(default)]
    pub(super) reporting: Vec<String>,
    #[serde(default)]
    pub(super) about_history: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFollowUp {
    pub(super) max_words: usize,
    pub(super) refer_back: Vec<String>,
}
