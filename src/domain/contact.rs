//! Whom to call: `EmergencyContact`, a chat's (or a console user's) emergency setting, passed
//! with each question (`Question::with_contact`) or to the doors that print urgent wording
//! (`Engine::urgent_care_reply_for`, `check_next_for`, `card`). The engine stays one immutable
//! value: the contact changes only the words of an urgent block, filled in when one is shown.
//!
//! Pure: parsing a setting and saying a number. Where the setting is kept is the edges' business.

use super::kb::{is_phone_number, Country};
use super::{Engine, UrgentNotice};

/// A chat's emergency setting.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum EmergencyContact {
    /// No setting: the deployment's text (`--emergency-number`, or the knowledge base's
    /// "call your local emergency number (for example 911, 999 or 112)").
    #[default]
    Default,
    /// A country of `emergency.toml`, by its ISO 3166-1 alpha-2 code, upper case ("GB").
    Country(String),
    /// A number set by hand: digits only, 2 to 15 of them.
    Custom(String),
}

impl EmergencyContact {
    /// The setting as stored and typed: the country code or the digits; `None` for the default.
    pub fn setting(&self) -> Option<&str> {
        match self {
            Self::Default => None,
            Self::Country(code) => Some(code),
            Self::Custom(number) => Some(number),
        }
    }
}

/// Why a typed setting was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContactError {
    /// Two letters, but no country of the knowledge base has that code.
    #[error("no emergency numbers are known for the country code {0}")]
    UnknownCountry(String),
    /// Digits, but too few or too many.
    #[error("a number must have 2 to 15 digits")]
    BadNumber,
    /// Neither a country code nor a number.
    #[error("expected a two-letter country code (GB) or a number of digits (112)")]
    Unreadable,
}

impl Engine {
    /// Reads a setting as typed (`/emergency gb`, `--country GB`) or stored: two letters are a
    /// country of `emergency.toml` (any case), digits a number of its own (spaces and dashes
    /// between them are dropped).
    ///
    /// # Errors
    /// An unknown country code, a number of the wrong length, anything else.
    pub fn parse_contact(&self, text: &str) -> Result<EmergencyContact, ContactError> {
        let text = text.trim();
        if text.len() == 2 && text.bytes().all(|b| b.is_ascii_alphabetic()) {
            let code = text.to_ascii_uppercase();
            return match self.country(&code) {
                Some(_) => Ok(EmergencyContact::Country(code)),
                None => Err(ContactError::UnknownCountry(code)),
            };
        }
        let digits: String = text.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ContactError::Unreadable);
        }
        if !is_phone_number(&digits) {
            return Err(ContactError::BadNumber);
        }
        Ok(EmergencyContact::Custom(digits))
    }

    /// A stored setting read back; one that no longer reads (a country dropped from the
    /// knowledge base) is the default, so an urgent block always has a number to say.
    pub fn stored_contact(&self, setting: Option<&str>) -> EmergencyContact {
        setting
            .and_then(|s| self.parse_contact(s).ok())
            .unwrap_or_default()
    }

    /// Every country of `emergency.toml`, in file order (the picker's order).
    pub fn countries(&self) -> &[Country] {
        &self.kb.emergency.countries
    }

    /// The country with this code (any case).
    pub fn country(&self, code: &str) -> Option<&Country> {
        self.kb.emergency.country(code)
    }

    /// The number a contact dials (the card's copy button, `ask --json`): the country's first
    /// emergency number or the custom one; `None` for the default.
    pub fn emergency_number(&self, contact: &EmergencyContact) -> Option<String> {
        match contact {
            EmergencyContact::Default => None,
            EmergencyContact::Country(code) => self.country(code).map(|c| c.number().to_owned()),
            EmergencyContact::Custom(number) => Some(number.clone()),
        }
    }

    /// How the urgent wording says a contact: "call 999 (emergency)", and the sentence on the
    /// non-emergency line where the country has one. `None` for the default (the engine's own
    /// wording already says it).
    pub fn said(&self, contact: &EmergencyContact) -> Option<(String, Option<String>)> {
        let text = &self.kb.emergency.text;
        let number = self.emergency_number(contact)?;
        let said = text.emergency.replace("{number}", &number);
        let non_emergency = match contact {
            EmergencyContact::Country(code) => self
                .country(code)
                .and_then(|c| c.non_emergency.as_ref())
                .map(|line| {
                    text.non_emergency
                        .replace("{number}", &line.number)
                        .replace("{name}", &line.name)
                }),
            _ => None,
        };
        Some((said, non_emergency))
    }

    /// What the urgent wording says with no setting: the deployment's `--emergency-number`, or
    /// the knowledge base's default ("call your local emergency number (for example 911, 999
    /// or 112)").
    pub fn default_said(&self) -> &str {
        self.wording.number()
    }

    /// Says `contact` in an urgent block; the default leaves it as it is.
    pub(super) fn localize(&self, notice: &mut UrgentNotice, contact: &EmergencyContact) {
        if let Some((said, non_emergency)) = self.said(contact) {
            self.wording
                .localize(notice, &said, non_emergency.as_deref());
        }
    }
}

#[cfg(test)]
mod tests;
