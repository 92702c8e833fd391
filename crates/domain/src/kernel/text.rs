//! Text fields of drafts: one way to read them. Every typed text is cleaned the same way
//! (control characters and bidi overrides taken out, one-line fields kept on one line,
//! whitespace trimmed), then checked against its rule (required, at most N characters), and
//! a failure names its field and its limit in Russian.

use super::refusal::FieldError;

/// The rule of one text field of a draft.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TextRule {
    /// The field's API name.
    pub field: &'static str,
    /// What the field is, for messages: «Тема обращения».
    pub noun: &'static str,
    /// The message when a required field is empty: «Укажите тему обращения.»
    pub missing: &'static str,
    /// At most this many characters (after cleaning).
    pub max_chars: usize,
    /// Whether line breaks are kept (texts, comments) or folded into spaces (titles, names).
    pub multiline: bool,
}

impl TextRule {
    /// A one-line field (title, name, city).
    pub const fn line(
        field: &'static str,
        noun: &'static str,
        missing: &'static str,
        max_chars: usize,
    ) -> TextRule {
        TextRule {
            field,
            noun,
            missing,
            max_chars,
            multiline: false,
        }
    }

    /// A multi-line field (a ticket's text, a comment).
    pub const fn text(
        field: &'static str,
        noun: &'static str,
        missing: &'static str,
        max_chars: usize,
    ) -> TextRule {
        TextRule {
            field,
            noun,
            missing,
            max_chars,
            multiline: true,
        }
    }

    /// Cleans `value` by this field's kind.
    pub fn clean(&self, value: &str) -> String {
        if self.multiline {
            clean_text(value)
        } else {
            clean_line(value)
        }
    }

    /// The cleaned value; an error when it is absent, empty or too long.
    pub fn required(&self, value: Option<&str>) -> Result<String, FieldError> {
        match self.optional(value)? {
            Some(v) => Ok(v),
            None => Err(FieldError {
                field: self.field,
                message: self.missing.to_string(),
            }),
        }
    }

    /// The cleaned value, `None` when absent or empty; an error when too long.
    pub fn optional(&self, value: Option<&str>) -> Result<Option<String>, FieldError> {
        let cleaned = self.clean(value.unwrap_or(""));
        if cleaned.is_empty() {
            return Ok(None);
        }
        if cleaned.chars().count() > self.max_chars {
            return Err(self.too_long());
        }
        Ok(Some(cleaned))
    }

    /// The "too long" error, naming the limit: «Тема обращения длиннее 200 символов.»
    pub fn too_long(&self) -> FieldError {
        FieldError {
            field: self.field,
            message: format!(
                "{} длиннее {} {}.",
                self.noun,
                group_thousands(self.max_chars),
                characters(self.max_chars)
            ),
        }
    }
}

/// A one-line value as stored: control characters and bidi overrides out, any line break
/// or tab folded to one space, runs of spaces kept, ends trimmed.
pub fn clean_line(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if matches!(c, '\n' | '\r' | '\t' | '\u{2028}' | '\u{2029}') {
            out.push(' ');
        } else if !is_hidden(c) {
            out.push(c);
        }
    }
    out.trim().to_string()
}

/// A multi-line value as stored: CR LF and lone CR become LF, tabs stay, every other
/// control character and bidi override goes, ends trimmed.
pub fn clean_text(value: &str) -> String {
    let normalised = value.replace("\r\n", "\n").replace('\r', "\n");
    let cleaned: String = normalised
        .chars()
        .filter(|&c| c == '\n' || c == '\t' || !is_hidden(c))
        .collect();
    cleaned.trim().to_string()
}

/// Characters nobody means to type: C0/C1 controls (NUL, ESC, …), bidi embeddings,
/// overrides and isolates (which can make a text read differently from what it says), and
/// the zero-width no-break space / byte-order mark.
fn is_hidden(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// `20000` → `20 000` (the way the portal writes numbers).
fn group_thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(d);
    }
    out
}

/// The Russian plural of «символ» for `n`.
fn characters(n: usize) -> &'static str {
    match (n % 10, n % 100) {
        (1, h) if h != 11 => "символа",
        _ => "символов",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TITLE: TextRule =
        TextRule::line("title", "Тема обращения", "Укажите тему обращения.", 200);
    const BODY: TextRule = TextRule::text(
        "text",
        "Текст обращения",
        "Опишите, что нужно сделать.",
        20_000,
    );

    #[test]
    fn a_missing_or_blank_required_field_names_itself() {
        for value in [None, Some(""), Some("   \n\t ")] {
            let e = TITLE.required(value).unwrap_err();
            assert_eq!(e.field, "title");
            assert_eq!(e.message, "Укажите тему обращения.");
        }
    }

    #[test]
    fn a_long_field_names_its_limit() {
        let e = TITLE.required(Some(&"я".repeat(201))).unwrap_err();
        assert_eq!(e.message, "Тема обращения длиннее 200 символов.");
        let e = BODY.required(Some(&"я".repeat(100_000))).unwrap_err();
        assert_eq!(e.message, "Текст обращения длиннее 20 000 символов.");
        assert_eq!(
            TITLE
                .required(Some(&"я".repeat(200)))
                .unwrap()
                .chars()
                .count(),
            200
        );
    }

    #[test]
    fn control_characters_and_bidi_overrides_never_reach_the_store() {
        assert_eq!(clean_line("a\u{0}b\u{1b}[31mc\u{202E}d"), "ab[31mcd");
        assert_eq!(
            clean_line(" Тема\r\nвторая\tстрока "),
            "Тема  вторая строка"
        );
        assert_eq!(
            clean_text("раз\r\nдва\rтри\u{0}\tчетыре\u{2066}"),
            "раз\nдва\nтри\tчетыре"
        );
        assert_eq!(TITLE.optional(Some("\u{0}\u{1b}")).unwrap(), None);
    }

    #[test]
    fn thousands_are_grouped_and_plurals_agree() {
        assert_eq!(group_thousands(200), "200");
        assert_eq!(group_thousands(1_000_000), "1 000 000");
        assert_eq!(characters(21), "символа");
        assert_eq!(characters(11), "символов");
    }
}
