//! Text normalization: Unicode folding, case, punctuation and apostrophes, word splitting,
//! stop words and stemming.
//!
//! Everything that compares words (the index, the red-flag scanner, the fuzzy matcher) goes
//! through these functions, so a keyword written in `knowledge/` and a word typed by a user
//! meet in the same form. No I/O, no allocation beyond the returned strings.

use std::borrow::Cow;

use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Words longer than this are not words people type (base64, URLs, keyboard mashing);
/// they are kept as tokens but never stemmed or spell-corrected, which bounds the work
/// a hostile 100 KB message can cause.
pub const MAX_WORD_LEN: usize = 40;

/// Folds text to lowercase ASCII-ish words separated by single spaces.
///
/// - compatibility decomposition (NFKD) and removal of combining marks: "Ischiás" -> "ischias",
///   full-width letters and ligatures become plain letters;
/// - apostrophes (straight and curly): "n't" contractions stay one word ("can't" -> "cant"); a
///   clitic at a word's end is dropped ("bladder's" -> "bladder", "wee'd" -> "wee", "I’ve" -> "i");
/// - a decimal point between digits stays ("38.5"), a thousands comma goes ("1,000" -> "1000");
/// - every other non-alphanumeric character (punctuation, emoji, control characters, RTL marks)
///   separates words.
pub fn fold(text: &str) -> String {
    if text.is_ascii() {
        fold_chars(text.chars().map(unlocated), None, None)
    } else {
        fold_chars(
            text.nfkd()
                .filter(|&c| !is_combining_mark(c))
                .map(unlocated),
            None,
            None,
        )
    }
}

/// A folded character with the byte range of the original character it came from (`fold`
/// does not need them: zero).
type Located = (u32, u32, char);

fn unlocated(c: char) -> Located {
    (0, 0, c)
}

/// A byte offset as stored in a span (a message is far below 4 GiB; past that, offsets stick
/// at the end and `str::get` refuses them rather than cut a character).
fn offset(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

/// What separates a word from the one before it, beyond a space. Triage keeps a negation ("no
/// numbness, but ...") and a near rule inside one clause or sentence, so it needs to know where
/// the writer's punctuation was.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum Break {
    /// Just a space (or an emoji, a hyphen inside a word ...).
    #[default]
    None,
    /// A comma, colon, semicolon, bracket, quote, a dash between spaces, a plus.
    Clause,
    /// A full stop, exclamation mark, a line break; also the first word.
    Sentence,
    /// A question mark: the sentence before was a question.
    Question,
}

impl Break {
    /// Whether the break ends a sentence.
    pub fn is_sentence(self) -> bool {
        matches!(self, Self::Sentence | Self::Question)
    }
}

/// `fold`, plus the break before each word of the result (`breaks[i]` belongs to word `i`).
pub fn fold_with_breaks(text: &str) -> (String, Vec<Break>) {
    let mut breaks = Vec::new();
    let folded = fold_located(text, &mut breaks, None);
    (folded, breaks)
}

/// A message folded for reading: the words, the break before each, and where each word was in
/// the original text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Folded {
    /// `fold(text)`: folded words separated by single spaces.
    pub text: String,
    /// The break before each word (`breaks[i]` belongs to word `i`).
    pub breaks: Vec<Break>,
    /// The byte range in the original text of each word: from the first original character
    /// that went into it to the end of the last one (a clitic dropped at its end is outside:
    /// "bladder's" -> "bladder"; a joined contraction is inside: "can't" -> "cant"). Always on
    /// character boundaries of the original, so `&text[start..end]` is an exact piece of it.
    pub spans: Vec<(u32, u32)>,
}

/// `fold_with_breaks`, plus each word's byte range in `text` (`Folded::spans`): what lets a
/// red-flag notice quote the very words that raised it.
pub fn fold_with_spans(text: &str) -> Folded {
    let mut breaks = Vec::new();
    let mut spans = Vec::new();
    let folded = fold_located(text, &mut breaks, Some(&mut spans));
    Folded {
        text: folded,
        breaks,
        spans,
    }
}

/// Folds `text` keeping each character's origin. The decomposition runs one original
/// character at a time, so every folded character knows where it came from. It equals
/// decomposing the whole text: decomposition is per character but for the reordering of
/// combining marks, and every mark is dropped here (see the test
/// `every_reorderable_character_is_a_combining_mark`).
fn fold_located(
    text: &str,
    breaks: &mut Vec<Break>,
    spans: Option<&mut Vec<(u32, u32)>>,
) -> String {
    if text.is_ascii() {
        // Most messages are plain ASCII: decomposition would change nothing, so skip its cost.
        let chars = text
            .char_indices()
            .map(|(i, c)| (offset(i), offset(i + 1), c));
        fold_chars(chars, Some(breaks), spans)
    } else {
        let chars = text.char_indices().flat_map(|(i, c)| {
            let (start, end) = (offset(i), offset(i + c.len_utf8()));
            c.nfkd()
                .filter(|&d| !is_combining_mark(d))
                .map(move |d| (start, end, d))
        });
        fold_chars(chars, Some(breaks), spans)
    }
}

fn break_of(c: char, after_space: bool) -> Break {
    match c {
        '?' | '？' => Break::Question,
        '.' | '!' | '\n' | '\r' | '…' | '。' | '！' => Break::Sentence,
        ',' | ':' | ';' | '(' | ')' | '[' | ']' | '{' | '}' | '"' | '“' | '”' | '«' | '»' | '—'
        | '–' | '•' | '|' | '+' | '/' | '=' => Break::Clause,
        // "back-to-back" is one clause; "pain - and now" is two.
        '-' if after_space => Break::Clause,
        _ => Break::None,
    }
}

/// Folds `chars`; with `breaks`, records the break before each word (knowledge-base words,
/// folded by the thousand at start-up, need none); with `spans`, each word's byte range in the
/// original text.
fn fold_chars(
    chars: impl Iterator<Item = Located> + Clone,
    mut breaks: Option<&mut Vec<Break>>,
    mut spans: Option<&mut Vec<(u32, u32)>>,
) -> String {
    let mut out = String::with_capacity(chars.size_hint().0);
    let mut pending_space = false;
    let mut pending_break = Break::Sentence;
    let mut after_space = true;
    let mut last_was_digit = false;
    let mut chars = chars.peekable();
    while let Some((start, end, c)) = chars.next() {
        if is_apostrophe(c) {
            // A clitic at the end of a word goes: possessive "'s" and "'d", "'ll", "'ve", "'re",
            // "'m" ("bladder's" -> "bladder", "wee'd" -> "wee", "I'm" -> "i"); "n't" stays joined
            // ("can't" -> "cant"). A quote at a word edge is just dropped.
            let clitic_len = [
                &['s'][..],
                &['d'],
                &['l', 'l'],
                &['v', 'e'],
                &['r', 'e'],
                &['m'],
            ]
            .iter()
            .find(|suffix| {
                let mut ahead = chars.clone();
                suffix
                    .iter()
                    .all(|&s| ahead.next().is_some_and(|n| n.2.to_ascii_lowercase() == s))
                    && ahead.next().is_none_or(|n| !n.2.is_alphanumeric())
            })
            .map_or(0, |suffix| suffix.len());
            for _ in 0..clitic_len {
                chars.next();
            }
            last_was_digit = false;
            continue;
        }
        if c == '&'
            && !pending_space
            && !out.is_empty()
            && chars.peek().is_some_and(|n| n.2.is_alphanumeric())
        {
            // "A&E", "R&D": one word ("ae"); "back & leg" has spaces and splits.
            continue;
        }
        if (c == '.' || c == ',')
            && last_was_digit
            && !pending_space
            && chars.peek().is_some_and(|n| n.2.is_ascii_digit())
        {
            // "38.5" stays one number; "1,000" becomes "1000".
            if c == '.' {
                out.push('.');
            }
            continue;
        }
        if c.is_alphanumeric() {
            // "15lbs", "8kg", "38c", "63m": a number and its unit are two words ("l4" stays one).
            if last_was_digit && !pending_space && !c.is_numeric() {
                pending_space = true;
            }
            if out.is_empty() || pending_space {
                if !out.is_empty() {
                    out.push(' ');
                }
                if let Some(breaks) = breaks.as_deref_mut() {
                    breaks.push(pending_break);
                }
                if let Some(spans) = spans.as_deref_mut() {
                    spans.push((start, end));
                }
                pending_break = Break::None;
            } else if let Some(span) = spans.as_deref_mut().and_then(|s| s.last_mut()) {
                span.1 = end;
            }
            pending_space = false;
            after_space = false;
            last_was_digit = c.is_ascii_digit();
            for lower in c.to_lowercase() {
                out.push(lower);
            }
        } else {
            pending_space = true;
            if breaks.is_some() {
                pending_break = pending_break.max(break_of(c, after_space));
            }
            after_space = c.is_whitespace();
            last_was_digit = false;
        }
    }
    out
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | '‘' | 'ʼ' | '`' | '´')
}

/// Splits folded text into words.
pub fn words(folded: &str) -> impl Iterator<Item = &str> {
    folded.split(' ').filter(|w| !w.is_empty())
}

/// Whether a folded word is a stop word.
pub fn is_stop_word(word: &str) -> bool {
    STOP_WORD_SET.contains(word)
}

/// The English Snowball stemmer, wrapped so callers need not know the crate.
pub struct WordStemmer(Stemmer);

impl WordStemmer {
    /// Creates the English stemmer.
    pub fn english() -> Self {
        Self(Stemmer::create(Algorithm::English))
    }

    /// Stems one folded word ("radiating" -> "radiat"). Over-long words are returned as they are.
    pub fn stem<'a>(&self, word: &'a str) -> Cow<'a, str> {
        if word.len() > MAX_WORD_LEN {
            return Cow::Borrowed(word);
        }
        self.0.stem(word)
    }
}

impl Default for WordStemmer {
    fn default() -> Self {
        Self::english()
    }
}

impl std::fmt::Debug for WordStemmer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WordStemmer(english)")
    }
}

mod stop_words;

#[cfg(test)]
use stop_words::STOP_WORDS;
use stop_words::STOP_WORD_SET;

#[cfg(test)]
mod tests;
