//! Splitting rendered HTML to Telegram's 4,096-character limit.

/// Telegram's limit for one message's text.
pub const MAX_MESSAGE_LEN: usize = 4096;

/// Length as Telegram counts it (UTF-16 code units), taken over the HTML source: the tags make
/// it an over-estimate, which is the safe side of the limit.
fn telegram_len(text: &str) -> usize {
    text.encode_utf16().count()
}

/// Splits rendered HTML into messages of at most `max` characters, at paragraph boundaries
/// ("\n\n") where possible, then at line boundaries, and only as a last resort inside a line
/// (never inside an HTML entity). Tags never span a paragraph in our rendering, and only a
/// group's folded list of signs (`<blockquote expandable>`, far under the limit, no blank line
/// inside) spans lines, so every piece stays valid HTML.
pub fn split_message(html: &str, max: usize) -> Vec<String> {
    // The common case: it fits (UTF-16 units never outnumber UTF-8 bytes).
    if html.len() <= max || telegram_len(html) <= max {
        let text = html.trim_end();
        return if text.trim_start().is_empty() {
            Vec::new()
        } else {
            vec![text.to_owned()]
        };
    }
    let mut pieces: Vec<String> = Vec::new();
    let mut current = String::new();
    let push = |pieces: &mut Vec<String>, current: &mut String| {
        if !current.trim().is_empty() {
            pieces.push(std::mem::take(current).trim_end().to_owned());
        }
        current.clear();
    };
    for paragraph in html.split("\n\n") {
        let joined_len = telegram_len(&current) + 2 + telegram_len(paragraph);
        if !current.is_empty() && joined_len > max {
            push(&mut pieces, &mut current);
        }
        if telegram_len(paragraph) <= max {
            if !current.is_empty() {
                current.push_str("\n\n");
            }
            current.push_str(paragraph);
            continue;
        }
        // One paragraph is too long on its own: split by lines, then inside lines.
        push(&mut pieces, &mut current);
        for line in paragraph.split('\n') {
            for chunk in split_line(line, max) {
                if !current.is_empty() && telegram_len(&current) + 1 + telegram_len(&chunk) > max {
                    push(&mut pieces, &mut current);
                }
                if !current.is_empty() {
                    current.push('\n');
                }
                current.push_str(&chunk);
            }
        }
        push(&mut pieces, &mut current);
    }
    push(&mut pieces, &mut current);
    pieces
}

/// Splits one line into chunks of at most `max` UTF-16 units, preferring spaces, never inside
/// an `&...;` entity or a character.
fn split_line(line: &str, max: usize) -> Vec<String> {
    let mut chunks = Vec::new();
    let mut rest = line;
    while telegram_len(rest) > max {
        let mut cut = 0;
        let mut units = 0;
        let mut last_space = None;
        let mut entity_start = None;
        for (i, c) in rest.char_indices() {
            if units + c.len_utf16() > max {
                break;
            }
            units += c.len_utf16();
            match c {
                '&' => entity_start = Some(i),
                ';' => entity_start = None,
                ' ' => last_space = Some(i),
                _ => {}
            }
            cut = i + c.len_utf8();
        }
        if let Some(start) = entity_start {
            cut = start;
        }
        if let Some(space) = last_space.filter(|&s| s > cut / 2 && s < cut) {
            cut = space + 1;
        }
        if cut == 0 {
            // A single entity longer than the limit cannot happen with our escaping; guard anyway.
            cut = rest.char_indices().nth(1).map_or(rest.len(), |(i, _)| i);
        }
        chunks.push(rest[..cut].to_owned());
        rest = &rest[cut..];
    }
    if !rest.is_empty() {
        chunks.push(rest.to_owned());
    }
    chunks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_one_piece() {
        assert_eq!(
            split_message("<b>a</b>\nb\n\nc", 4096),
            vec!["<b>a</b>\nb\n\nc"]
        );
    }

    #[test]
    fn long_text_splits_at_paragraphs_under_the_limit() {
        let paragraph = "word ".repeat(300); // 1,500 chars
        let text = [paragraph.as_str(); 5].join("\n\n");
        let pieces = split_message(&text, MAX_MESSAGE_LEN);
        assert!(pieces.len() >= 2);
        assert!(pieces.iter().all(|p| telegram_len(p) <= MAX_MESSAGE_LEN));
        assert_eq!(
            pieces.join("\n\n").replace(char::is_whitespace, ""),
            text.replace(char::is_whitespace, "")
        );
    }

    #[test]
    fn a_folded_list_of_signs_stays_whole_in_one_piece() {
        let paragraph = "word ".repeat(300);
        let quote = format!(
            "<blockquote expandable>{}</blockquote>",
            "• a sign\n".repeat(100)
        );
        let text = [paragraph.as_str(), paragraph.as_str(), &quote, &paragraph].join("\n\n");
        let pieces = split_message(&text, MAX_MESSAGE_LEN);
        assert!(pieces.len() >= 2);
        let holding: Vec<&String> = pieces.iter().filter(|p| p.contains("blockquote")).collect();
        assert_eq!(holding.len(), 1, "{pieces:#?}");
        assert!(holding[0].contains(&quote), "{pieces:#?}");
    }

    #[test]
    fn a_giant_line_is_cut_outside_entities_and_characters() {
        let line = "a&amp;😀".repeat(2000);
        let pieces = split_message(&line, 100);
        assert!(pieces.iter().all(|p| telegram_len(p) <= 100));
        for piece in &pieces {
            let amps = piece.matches('&').count();
            assert_eq!(
                amps,
                piece.matches("&amp;").count(),
                "entity cut in {piece:?}"
            );
        }
        assert_eq!(pieces.concat(), line);
    }
}
