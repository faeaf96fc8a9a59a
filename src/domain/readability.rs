//! Plain language: the Flesch–Kincaid grade of the texts people read.
//!
//! Answers are read on a phone by people in pain, so they should read at about school grade 6
//! to 8. The grade is the usual formula with a simple syllable counter (vowel groups, a silent
//! final "e"); it is a rough measure, which is why it only runs on texts of a few words or more
//! and why an answer may name the terms it needs and explains ("spondylolisthesis"), which then
//! count as short words.

/// The grade above which a text needs rewriting.
pub const MAX_GRADE: f64 = 9.0;

/// Texts shorter than this are labels or fragments: the formula says nothing about them.
pub const MIN_WORDS: usize = 6;

/// One text people read, where it comes from, and the terms it explains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadText {
    /// Where the text lives ("topics.toml: sciatica").
    pub place: String,
    /// The text.
    pub text: String,
    /// Terms counted as one syllable: the answer needs them and explains them.
    pub explains: Vec<String>,
}

/// Syllables in one word, by vowel groups; at least one.
pub fn syllables(word: &str) -> usize {
    let word: String = word
        .chars()
        .filter(char::is_ascii_alphabetic)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if word.len() <= 3 {
        return 1;
    }
    let mut stem = word.as_str();
    // A silent final "e" ("make"), and "-es"/"-ed" that add no syllable ("takes", "walked"),
    // but not "-le" after a consonant ("ankle").
    for suffix in ["es", "ed", "e"] {
        if let Some(rest) = stem.strip_suffix(suffix) {
            let keeps_le = suffix == "e"
                && rest.ends_with('l')
                && rest.len() >= 2
                && !is_vowel(rest.as_bytes()[rest.len() - 2]);
            if !keeps_le && rest.bytes().any(is_vowel) {
                stem = rest;
            }
            break;
        }
    }
    let stem = stem.strip_prefix('y').unwrap_or(stem);
    let mut groups = 0;
    let mut in_vowels = false;
    for b in stem.bytes() {
        let vowel = is_vowel(b);
        if vowel && !in_vowels {
            groups += 1;
        }
        in_vowels = vowel;
    }
    groups.max(1)
}

fn is_vowel(b: u8) -> bool {
    matches!(b, b'a' | b'e' | b'i' | b'o' | b'u' | b'y')
}

/// The Flesch–Kincaid grade of a text, or `None` when it has fewer than `MIN_WORDS` words.
/// Sentences end at `.`, `!`, `?`, `:`, `;` and line breaks (list items are sentences).
pub fn grade(text: &str, explains: &[String]) -> Option<f64> {
    let is_short = |word: &str| {
        explains.iter().any(|term| {
            term.eq_ignore_ascii_case(word.trim_end_matches(['s', '\'']))
                || term.eq_ignore_ascii_case(word)
        })
    };
    let mut n_words = 0usize;
    let mut n_syllables = 0usize;
    let mut n_sentences = 0usize;
    for sentence in text.split(['.', '!', '?', ':', ';', '\n']) {
        let words: Vec<&str> = sentence
            .split(|c: char| !(c.is_alphabetic() || c == '\'' || c == '’'))
            .filter(|w| w.chars().any(char::is_alphabetic))
            .collect();
        if words.is_empty() {
            continue;
        }
        n_sentences += 1;
        n_words += words.len();
        n_syllables += words
            .iter()
            .map(|w| if is_short(w) { 1 } else { syllables(w) })
            .sum::<usize>();
    }
    if n_words < MIN_WORDS {
        return None;
    }
    Some(
        0.39 * n_words as f64 / n_sentences as f64 + 11.8 * n_syllables as f64 / n_words as f64
            - 15.59,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syllables_by_vowel_groups() {
        for (word, want) in [
            ("leg", 1),
            ("back", 1),
            ("pain", 1),
            ("make", 1),
            ("walked", 1),
            ("takes", 1),
            ("ankle", 2),
            ("sciatica", 3),
            ("doctor", 2),
            ("physiotherapist", 5),
            ("spondylolisthesis", 6),
            ("yes", 1),
            ("every", 3),
        ] {
            assert_eq!(syllables(word), want, "{word}");
        }
    }

    #[test]
    fn grade_of_plain_and_hard_text() {
        let plain = grade(
            "Stay active. Walk a little every day. Rest when you need to.",
            &[],
        )
        .expect("graded");
        assert!(plain < 3.0, "{plain}");
        let hard = "Spondylolisthesis represents a comparatively uncommon etiological explanation for radiating symptomatology.";
        assert!(grade(hard, &[]).expect("graded") > 15.0);
        let explained = grade(
            hard,
            &[
                "Spondylolisthesis".into(),
                "symptomatology".into(),
                "etiological".into(),
            ],
        )
        .expect("graded");
        assert!(explained < grade(hard, &[]).expect("graded"));
        assert_eq!(grade("Glossary:", &[]), None, "too short to grade");
    }
}
