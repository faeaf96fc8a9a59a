//! The words of a message that raised its red flag, as an exact piece of the original text: what
//! a group notice quotes, so the group sees why the bot spoke. (Telegram's reply quote must be an
//! exact substring of the message, or the reply is refused.)
//!
//! Triage reads folded words; `Analysis::spans` keeps where each word was in the original text
//! and `FlagHit::words` which words raised a hit, so the quote is cut from the original, never
//! rebuilt from folded words.

use unicode_normalization::char::is_combining_mark;

use super::triage::Triage;

/// The longest quote, in UTF-16 units (Telegram counts so; it allows 1,024). Short enough to
/// read at a glance: a hit whose words lie further apart quotes its first place only.
pub const MAX_QUOTE_UTF16: usize = 200;

/// An exact piece of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quote<'a> {
    /// The piece, as written.
    pub text: &'a str,
    /// Its byte offset in the message.
    pub start: usize,
    /// Its offset in UTF-16 units (Telegram's `quote_position`).
    pub utf16_start: usize,
}

/// The piece of `text` that raised `triage`'s loudest hit: its first hit at the highest tier,
/// from its first word to its last, joined by the other hits at that tier that overlap or touch
/// it ("lost control" and "control … bladder" quote "lost control of my bladder"), widened to
/// whole words. When that runs past `MAX_QUOTE_UTF16`: the first hit alone, then its first word
/// alone (cut to the limit if it is a giant). `spans` are the byte ranges in `text` of the words
/// triage read (`Analysis::spans`). `None` when nothing was hit or the spans do not fit the text
/// (never a panic, never a piece that is not in `text`).
pub fn quote<'a>(text: &'a str, spans: &[(u32, u32)], triage: &Triage) -> Option<Quote<'a>> {
    // Each loudest hit as (first word, last word).
    let loudest: Vec<(usize, usize)> = triage
        .hits
        .iter()
        .filter(|h| Some(h.tier) == triage.urgency)
        .filter_map(|h| Some((*h.words.first()?, *h.words.last()?)))
        .collect();
    let &own = loudest.first()?;
    let mut joined = own;
    loop {
        let before = joined;
        for &(first, last) in &loudest {
            if first <= joined.1 + 1 && last + 1 >= joined.0 {
                joined = (joined.0.min(first), joined.1.max(last));
            }
        }
        if joined == before {
            break;
        }
    }
    let span_of = |word: usize| {
        let &(start, end) = spans.get(word)?;
        let range = (start as usize, end as usize);
        text.get(range.0..range.1).map(|_| range)
    };
    let piece = |(first, last): (usize, usize)| {
        let (start, end) = (span_of(first)?.0, span_of(last)?.1);
        (start < end).then(|| widen(text, start, end))
    };
    let (start, end) = [joined, own]
        .into_iter()
        .filter_map(piece)
        .find(|&(start, end)| utf16_len(&text[start..end]) <= MAX_QUOTE_UTF16)
        .or_else(|| {
            let (start, end) = piece((own.0, own.0))?;
            Some((start, cut(text, start, end)))
        })?;
    Some(Quote {
        text: &text[start..end],
        start,
        utf16_start: utf16_len(&text[..start]),
    })
}

/// Whether `c` belongs to a word as written: a letter or digit, or a mark on one.
fn in_word(c: char) -> bool {
    c.is_alphanumeric() || is_combining_mark(c)
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | '‘' | 'ʼ' | '`' | '´')
}

/// `start..end` grown to whole words: over letters, digits and marks on either side, and over
/// an apostrophe inside a word ("can't", "bladder's").
fn widen(text: &str, mut start: usize, mut end: usize) -> (usize, usize) {
    loop {
        let mut before = text[..start].chars().rev();
        match (before.next(), before.next()) {
            (Some(c), _) if in_word(c) => start -= c.len_utf8(),
            (Some(a), Some(c)) if is_apostrophe(a) && in_word(c) => {
                start -= a.len_utf8() + c.len_utf8();
            }
            _ => break,
        }
    }
    loop {
        let mut after = text[end..].chars();
        match (after.next(), after.next()) {
            (Some(c), _) if in_word(c) => end += c.len_utf8(),
            (Some(a), Some(c)) if is_apostrophe(a) && in_word(c) => {
                end += a.len_utf8() + c.len_utf8();
            }
            _ => break,
        }
    }
    (start, end)
}

/// The end of the longest piece from `start`, at most `end`, within `MAX_QUOTE_UTF16` units,
/// on a character boundary.
fn cut(text: &str, start: usize, end: usize) -> usize {
    let mut units = 0;
    for (i, c) in text[start..end].char_indices() {
        units += c.len_utf16();
        if units > MAX_QUOTE_UTF16 {
            return start + i;
        }
    }
    end
}

fn utf16_len(text: &str) -> usize {
    text.encode_utf16().count()
}

#[cfg(test)]
mod tests;
