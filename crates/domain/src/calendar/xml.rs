//! The tiny XML reader the calendar files need: tags and their attributes, nothing else.
//!
//! No XML crate: the format is six lines of structure, and a hand-written reader keeps the
//! domain crate dependency-light. Entities, CDATA and text content are not interpreted
//! because the files carry nothing the platform needs there.

use super::CalendarError;

/// A start (or empty-element) tag.
pub(super) struct Tag<'a> {
    pub name: &'a str,
    pub attrs: Vec<(&'a str, &'a str)>,
    /// 1-based line of the `<`.
    pub line: usize,
}

impl<'a> Tag<'a> {
    pub fn attr(&self, name: &str) -> Option<&'a str> {
        self.attrs.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
    }
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b':' | b'.')
}

/// Every start tag in document order. Comments, declarations, processing
/// instructions and end tags are skipped; anything unterminated is an error.
pub(super) fn tags(text: &str) -> Result<Vec<Tag<'_>>, CalendarError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let bytes = text.as_bytes();
    let line_at = |pos: usize| 1 + bytes[..pos].iter().filter(|&&b| b == b'\n').count();
    let malformed = |pos: usize, reason: &'static str| CalendarError::Malformed {
        line: line_at(pos),
        reason,
    };
    // Index just past `terminator`, searching from `from`.
    let skip_past = |from: usize, terminator: &str, start: usize, reason: &'static str| {
        text[from..]
            .find(terminator)
            .map(|i| from + i + terminator.len())
            .ok_or_else(|| malformed(start, reason))
    };

    let mut out = Vec::new();
    let mut i = 0;
    while let Some(offset) = text[i..].find('<') {
        let start = i + offset;
        let rest = &text[start + 1..];
        if rest.starts_with("!--") {
            i = skip_past(start + 4, "-->", start, "unterminated comment")?;
            continue;
        }
        if rest.starts_with('?') {
            i = skip_past(start + 2, "?>", start, "unterminated <?…?>")?;
            continue;
        }
        if rest.starts_with('!') || rest.starts_with('/') {
            i = skip_past(start + 2, ">", start, "unterminated tag")?;
            continue;
        }
        let mut p = start + 1;
        let name_start = p;
        while p < bytes.len() && is_name_byte(bytes[p]) {
            p += 1;
        }
        if p == name_start {
            return Err(malformed(start, "'<' not followed by a tag name"));
        }
        let name = &text[name_start..p];
        let mut attrs = Vec::new();
        loop {
            while p < bytes.len() && bytes[p].is_ascii_whitespace() {
                p += 1;
            }
            match bytes.get(p) {
                None => return Err(malformed(start, "unterminated tag")),
                Some(b'>') => {
                    p += 1;
                    break;
                }
                Some(b'/') if bytes.get(p + 1) == Some(&b'>') => {
                    p += 2;
                    break;
                }
                Some(_) => {}
            }
            let attr_start = p;
            while p < bytes.len() && is_name_byte(bytes[p]) {
                p += 1;
            }
            if p == attr_start {
                return Err(malformed(start, "unexpected character in a tag"));
            }
            let attr = &text[attr_start..p];
            while p < bytes.len() && bytes[p].is_ascii_whitespace() {
                p += 1;
            }
            if bytes.get(p) != Some(&b'=') {
                return Err(malformed(start, "attribute without a value"));
            }
            p += 1;
            while p < bytes.len() && bytes[p].is_ascii_whitespace() {
                p += 1;
            }
            let quote = match bytes.get(p) {
                Some(&q @ (b'"' | b'\'')) => q,
                _ => return Err(malformed(start, "attribute value not in quotes")),
            };
            p += 1;
            let value_start = p;
            let Some(len) = bytes[p..].iter().position(|&b| b == quote) else {
                return Err(malformed(start, "unterminated attribute value"));
            };
            p += len;
            attrs.push((attr, &text[value_start..p]));
            p += 1;
        }
        out.push(Tag {
            name,
            attrs,
            line: line_at(start),
        });
        i = p;
    }
    Ok(out)
}
