//! `common_words.txt`: the words never spell-corrected, as one sorted buffer.

use crate::domain::normalize::fold;

/// A set of folded words kept in one buffer and searched by binary search: the common-words
/// list has ~18,000 entries, and one buffer costs one allocation where a hash set costs 18,000.
#[derive(Debug, Clone, Default)]
pub struct WordList {
    /// The words, sorted, each followed by '\n'.
    text: String,
    /// Byte offset of each word in `text`.
    starts: Vec<u32>,
}

impl WordList {
    /// Parses one word per line; blank lines and lines starting with '#' are skipped.
    pub fn parse(text: &str) -> Self {
        // The shipped list is sorted lowercase ASCII, one word a line: then the file is the
        // buffer as it is, and one pass over its bytes finds the line starts. Anything else (a
        // moderator's edit) is folded and sorted.
        let mut body = text;
        while body.starts_with('#') {
            body = body.split_once('\n').map_or("", |(_, rest)| rest);
        }
        let bytes = body.as_bytes();
        let mut starts: Vec<u32> = Vec::with_capacity(bytes.len() / 6);
        let mut line_start = 0;
        let mut previous = 0..0;
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'\n' {
                let line = line_start..i;
                if line.is_empty()
                    || bytes[previous.clone()] >= bytes[line.clone()] && !previous.is_empty()
                {
                    return Self::parse_unsorted(text);
                }
                // The list is a few hundred kilobytes at most: offsets fit in u32.
                starts.push(line.start as u32);
                previous = line;
                line_start = i + 1;
            } else if !b.is_ascii_lowercase() {
                return Self::parse_unsorted(text);
            }
        }
        if line_start != bytes.len() {
            return Self::parse_unsorted(text);
        }
        Self {
            text: body.to_owned(),
            starts,
        }
    }

    fn parse_unsorted(text: &str) -> Self {
        let mut words: Vec<String> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(fold)
            .filter(|w| !w.is_empty())
            .collect();
        words.sort_unstable();
        words.dedup();
        let mut list = Self {
            text: String::with_capacity(text.len()),
            starts: Vec::with_capacity(words.len()),
        };
        for word in words {
            list.starts.push(list.text.len() as u32);
            list.text.push_str(&word);
            list.text.push('\n');
        }
        list
    }

    fn word(&self, i: usize) -> &str {
        let start = self.starts[i] as usize;
        let end = self
            .starts
            .get(i + 1)
            .map_or(self.text.len(), |&s| s as usize)
            - 1;
        &self.text[start..end]
    }

    /// Whether the list holds `word`.
    pub fn contains(&self, word: &str) -> bool {
        let (mut lo, mut hi) = (0, self.starts.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            match self.word(mid).cmp(word) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return true,
            }
        }
        false
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }
}
