//! `emergency.toml`: emergency numbers by country, each with its public source, and how a number
//! is said in the urgent wording. Optional: a knowledge base without it has no countries, and
//! every urgent block says the deployment's default text.
//!
//! Validation: known ISO 3166-1 alpha-2 codes, numbers of digits only, no duplicate codes, a
//! name and a source on every row, `{number}` in both wordings; every problem with its line.

use std::collections::HashMap;

use serde::Deserialize;
use toml::Spanned;

use super::{KbFile, Problems};

mod iso;

/// The longest number accepted (E.164 allows 15 digits).
pub const MAX_DIGITS: usize = 15;
/// The shortest number accepted (Triple Zero has 3; a custom number may have 2).
pub const MIN_DIGITS: usize = 2;

/// The emergency numbers of the countries the knowledge base knows, and their wording.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EmergencyNumbers {
    /// Countries in file order (the order the picker shows them).
    pub countries: Vec<Country>,
    /// How a number is said.
    pub text: EmergencyText,
}

/// How a number is said in the urgent wording.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmergencyText {
    /// In place of `{emergency_number}`: "call {number} (emergency)".
    pub emergency: String,
    /// After the urgent tier's first line: "... call {number} ({name}).".
    pub non_emergency: String,
}

impl Default for EmergencyText {
    fn default() -> Self {
        Self {
            emergency: "call {number} (emergency)".to_owned(),
            non_emergency: "For medical advice that is not an emergency: call {number} ({name})."
                .to_owned(),
        }
    }
}

/// One country's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Country {
    /// ISO 3166-1 alpha-2, upper case ("GB").
    pub code: String,
    /// Its name in English.
    pub name: String,
    /// Emergency numbers, digits only; the first is the one said and copied.
    pub emergency: Vec<String>,
    /// Where the numbers are stated.
    pub source: String,
    /// The non-emergency medical line, where the country has one.
    pub non_emergency: Option<Line>,
}

impl Country {
    /// The number said and copied: the first emergency number.
    pub fn number(&self) -> &str {
        // Validation refuses a row without numbers.
        self.emergency.first().map_or("", String::as_str)
    }
}

/// A non-emergency medical line ("NHS 111", "111").
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Line {
    /// The service's name.
    pub name: String,
    /// Digits only.
    pub number: String,
    /// Where it is stated.
    pub source: String,
}

impl EmergencyNumbers {
    /// The country with this code, in any case ("gb", "GB").
    pub fn country(&self, code: &str) -> Option<&Country> {
        self.countries
            .iter()
            .find(|c| c.code.eq_ignore_ascii_case(code.trim()))
    }
}

/// Whether `text` is a number the bot accepts: digits only, 2 to 15 of them.
pub fn is_phone_number(text: &str) -> bool {
    (MIN_DIGITS..=MAX_DIGITS).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawEmergencyFile {
    #[serde(default)]
    text: Option<Spanned<EmergencyText>>,
    #[serde(rename = "country", default)]
    countries: Vec<RawCountry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCountry {
    code: Spanned<String>,
    name: Spanned<String>,
    emergency: Spanned<Vec<String>>,
    source: Spanned<String>,
    #[serde(default)]
    non_emergency: Option<Spanned<Line>>,
}

fn is_url(text: &str) -> bool {
    text.starts_with("https://") || text.starts_with("http://")
}

/// Validates the raw file, reporting every problem against `file`.
pub(super) fn validate(
    file: &KbFile,
    raw: RawEmergencyFile,
    out: &mut Vec<super::KbProblem>,
) -> EmergencyNumbers {
    let mut p = Problems { file, out };
    let text = match raw.text {
        Some(text) => {
            let span = text.span();
            let text = text.into_inner();
            for (name, wording) in [
                ("emergency", &text.emergency),
                ("non_emergency", &text.non_emergency),
            ] {
                if !wording.contains("{number}") {
                    p.at(
                        Some(span.clone()),
                        format!("`text.{name}` must contain {{number}}"),
                    );
                }
            }
            text
        }
        None => EmergencyText::default(),
    };
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut countries = Vec::new();
    for row in raw.countries {
        let code_span = row.code.span();
        let code = row.code.into_inner();
        if !iso::is_known(&code) {
            p.at(
                Some(code_span.clone()),
                format!("`{code}` is not an ISO 3166-1 alpha-2 country code (upper case)"),
            );
        }
        match seen.get(&code) {
            Some(first) => p.at(
                Some(code_span.clone()),
                format!("country `{code}` is listed twice (first on line {first})"),
            ),
            None => {
                let line = super::line_of(&file.text, code_span.start);
                seen.insert(code.clone(), line);
            }
        }
        if row.name.get_ref().trim().is_empty() {
            p.at(
                Some(row.name.span()),
                format!("country `{code}` has no name"),
            );
        }
        if !is_url(row.source.get_ref()) {
            p.at(
                Some(row.source.span()),
                format!("country `{code}`: the source must be a public URL"),
            );
        }
        let numbers_span = row.emergency.span();
        let emergency = row.emergency.into_inner();
        if emergency.is_empty() {
            p.at(
                Some(numbers_span.clone()),
                format!("country `{code}` has no emergency number"),
            );
        }
        for number in emergency.iter().filter(|n| !is_phone_number(n)) {
            p.at(
                Some(numbers_span.clone()),
                format!(
                    "country `{code}`: emergency number `{number}` must be {MIN_DIGITS} to {MAX_DIGITS} digits, digits only"
                ),
            );
        }
        let non_emergency = row.non_emergency.map(|line| {
            let span = line.span();
            let line = line.into_inner();
            if !is_phone_number(&line.number) {
                p.at(
                    Some(span.clone()),
                    format!(
                        "country `{code}`: non-emergency number `{}` must be {MIN_DIGITS} to {MAX_DIGITS} digits, digits only",
                        line.number
                    ),
                );
            }
            if line.name.trim().is_empty() || !is_url(&line.source) {
                p.at(
                    Some(span),
                    format!("country `{code}`: the non-emergency line needs a name and a source URL"),
                );
            }
            line
        });
        countries.push(Country {
            code,
            name: row.name.into_inner().trim().to_owned(),
            emergency,
            source: row.source.into_inner(),
            non_emergency,
        });
    }
    EmergencyNumbers { countries, text }
}

#[cfg(test)]
mod tests;
