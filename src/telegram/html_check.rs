//! A checker of Telegram's HTML parse mode, shared by the tests' fake Bot API
//! (`tests/common/fake_api.rs`) and the fuzz targets (`fuzz/`): test-only, behind the
//! `testing` feature.

/// The attributes Telegram accepts on a tag of its HTML (`<blockquote expandable>`, `<a href>`,
/// `<span class="tg-spoiler">`, `<tg-emoji emoji-id>`, `<code class="language-...">`); none on
/// the others.
fn attributes_ok(name: &str, attributes: &str) -> bool {
    let quoted = |value: &str, prefix: &str| {
        value
            .strip_prefix(prefix)
            .and_then(|v| v.strip_suffix('"'))
            .is_some_and(|v| !v.contains('"'))
    };
    match name {
        "blockquote" => attributes.is_empty() || attributes.eq_ignore_ascii_case("expandable"),
        "a" => quoted(attributes, "href=\""),
        "span" => attributes == "class=\"tg-spoiler\"",
        "tg-emoji" => quoted(attributes, "emoji-id=\""),
        "code" => attributes.is_empty() || quoted(attributes, "class=\"language-"),
        _ => attributes.is_empty(),
    }
}

/// Checks text against Telegram's HTML parse mode: only the supported tags with their own
/// attributes (`<blockquote expandable>`, `<a href="...">`), properly nested and closed; `<`,
/// `>` and `&` only as part of a tag or an entity (`&lt;`, `&gt;`, `&amp;`, `&quot;`, numeric).
pub fn check_telegram_html(text: &str) -> Result<(), String> {
    const TAGS: &[&str] = &[
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "a",
        "tg-emoji",
        "code",
        "pre",
        "blockquote",
    ];
    let mut open: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(pos) = rest.find(['<', '>', '&']) {
        let after = &rest[pos..];
        match after.as_bytes()[0] {
            b'>' => return Err(format!("unescaped '>' at …{}", snippet(after))),
            b'&' => {
                let end = after
                    .find(';')
                    .filter(|&end| end <= 10)
                    .ok_or_else(|| format!("unescaped '&' at …{}", snippet(after)))?;
                let entity = &after[1..end];
                let known = matches!(entity, "lt" | "gt" | "amp" | "quot")
                    || entity.strip_prefix("#x").is_some_and(|hex| {
                        !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit())
                    })
                    || entity.strip_prefix('#').is_some_and(|dec| {
                        !dec.is_empty() && dec.chars().all(|c| c.is_ascii_digit())
                    });
                if !known {
                    return Err(format!(
                        "unsupported entity &{entity}; at …{}",
                        snippet(after)
                    ));
                }
                rest = &after[end + 1..];
            }
            _ => {
                let end = after
                    .find('>')
                    .ok_or_else(|| format!("unclosed '<' at …{}", snippet(after)))?;
                let tag = &after[1..end];
                if let Some(name) = tag.strip_prefix('/') {
                    let name = name.trim().to_ascii_lowercase();
                    match open.pop() {
                        Some(top) if top == name => {}
                        Some(top) => return Err(format!("</{name}> closes <{top}>")),
                        None => return Err(format!("</{name}> closes nothing")),
                    }
                } else {
                    let (name, attributes) = tag
                        .trim()
                        .split_once(char::is_whitespace)
                        .unwrap_or((tag.trim(), ""));
                    let name = name.to_ascii_lowercase();
                    if !TAGS.contains(&name.as_str()) {
                        return Err(format!("unsupported tag <{tag}>"));
                    }
                    if !attributes_ok(&name, attributes.trim()) {
                        return Err(format!("unsupported attributes in <{tag}>"));
                    }
                    open.push(name);
                }
                rest = &after[end + 1..];
            }
        }
    }
    match open.pop() {
        Some(tag) => Err(format!("<{tag}> is never closed")),
        None => Ok(()),
    }
}

fn snippet(text: &str) -> String {
    text.chars().take(30).collect()
}
