//! A customer's phone and e-mail: normalised (they are the identity keys of the customer
//! profile, SPEC §4.2) and masked (what a foreign dealer sees, SPEC §4.3).

use phonenumber::Mode;
use phonenumber::country::Id as Region;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The message of a phone the library does not accept.
pub const BAD_PHONE: &str = "Неверный номер телефона.";
/// The message of an e-mail that is not an address.
pub const BAD_EMAIL: &str = "Неверный адрес электронной почты.";

/// The longest phone input worth parsing: a number with spaces, brackets and dashes fits
/// easily; anything longer is not a phone and never reaches the parser.
const PHONE_INPUT_MAX: usize = 40;

/// A phone number in E.164 (`+79123456789`), checked by libphonenumber's metadata.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Phone(String);

impl Phone {
    /// The E.164 form.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Only the digits (country code included), for substring search.
    pub fn digits(&self) -> String {
        self.0.chars().filter(char::is_ascii_digit).collect()
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An e-mail address, trimmed and lower-cased.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    /// The normalised address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Normalises a typed phone to E.164. Numbers without a `+` are read as Russian
/// (`8 (912) 345-67-89`, `9123456789`); foreign numbers keep their `+` code. `None` when
/// the text is not a valid number of any country.
pub fn normalise_phone(input: &str) -> Option<Phone> {
    let input = input.trim();
    // Only what people type into a phone field goes to the parser: digits, one leading
    // plus, spaces, brackets, dashes, dots (and the no-break spaces of copy-paste).
    let plausible = !input.is_empty()
        && input.chars().count() <= PHONE_INPUT_MAX
        && input.chars().enumerate().all(|(i, c)| {
            c.is_ascii_digit()
                || matches!(c, ' ' | '\u{a0}' | '(' | ')' | '-' | '.' | '\u{2013}')
                || (c == '+' && i == 0)
        });
    if !plausible {
        return None;
    }
    let cleaned: String = input
        .chars()
        .map(|c| {
            if c == '\u{a0}' || c == '\u{2013}' {
                ' '
            } else {
                c
            }
        })
        .collect();
    let number = phonenumber::parse(Some(Region::RU), cleaned).ok()?;
    if !phonenumber::is_valid(&number) {
        return None;
    }
    Some(Phone(number.format().mode(Mode::E164).to_string()))
}

/// Normalises an e-mail address: trimmed, lower-cased, and shaped like an address people
/// actually have (`local@domain.tld`). `None` otherwise.
pub fn normalise_email(input: &str) -> Option<Email> {
    let email = input.trim().to_lowercase();
    if email.chars().count() > 254 {
        return None;
    }
    let (local, domain) = email.split_once('@')?;
    let local_ok = !local.is_empty()
        && local.chars().count() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.chars().count() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.chars().count() >= 2 && tld.chars().all(char::is_alphabetic));
    (local_ok && domain_ok).then_some(Email(email))
}

/// What a foreign dealer sees of a phone: `+7 912 ***-**-89` (a Russian number), or the
/// code and the last two digits of any other (`+4930*****67`).
pub fn mask_phone(phone: &Phone) -> String {
    let digits = phone.digits();
    if digits.len() == 11 && digits.starts_with('7') {
        return format!("+7 {} ***-**-{}", &digits[1..4], &digits[9..]);
    }
    let n = digits.len();
    let head = 4.min(n.saturating_sub(2));
    format!(
        "+{}{}{}",
        &digits[..head],
        "*".repeat(n - head - 2.min(n - head)),
        &digits[n - 2.min(n - head)..]
    )
}

/// What a foreign dealer sees of an e-mail: the first character of the name, then the
/// domain (`i***@mail.ru`).
pub fn mask_email(email: &Email) -> String {
    match email.as_str().split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_normalised_to_e164() {
        let table = [
            ("8 (912) 345-67-89", Some("+79123456789")),
            ("+7 912 345 67 89", Some("+79123456789")),
            ("9123456789", Some("+79123456789")),
            ("89123456789", Some("+79123456789")),
            ("+7 (912) 345-67-89", Some("+79123456789")),
            (
                "  8\u{a0}912\u{a0}345\u{a0}67\u{a0}89 ",
                Some("+79123456789"),
            ),
            ("+7 495 123-45-67", Some("+74951234567")),
            ("8 (423) 222-33-44", Some("+74232223344")),
            ("+49 30 1234567", Some("+49301234567")),
            ("+375 29 123-45-67", Some("+375291234567")),
            ("+380 44 123 45 67", Some("+380441234567")),
            ("12345", None),
            ("8 (912) 345-67", None),
            ("+7 912 345 67 89 00 11", None),
            ("телефон", None),
            ("", None),
            ("+7 912 345 67 89; DROP TABLE", None),
            ("9123456789+", None),
            (&"9".repeat(200), None),
        ];
        for (input, expected) in table {
            assert_eq!(
                normalise_phone(input).as_ref().map(Phone::as_str),
                expected,
                "{input:?}"
            );
        }
    }

    #[test]
    fn emails_are_checked_and_lower_cased() {
        let table = [
            (" Ivan.Petrov@Mail.RU ", Some("ivan.petrov@mail.ru")),
            ("a+tag@example.com", Some("a+tag@example.com")),
            ("покупатель@почта.рф", Some("покупатель@почта.рф")),
            ("ivan@mail", None),
            ("ivan.mail.ru", None),
            ("@mail.ru", None),
            ("ivan@@mail.ru", None),
            ("iv an@mail.ru", None),
            (".ivan@mail.ru", None),
            ("ivan..p@mail.ru", None),
            ("ivan@-mail.ru", None),
            ("ivan@mail.r", None),
            ("ivan@mail.123", None),
            ("", None),
        ];
        for (input, expected) in table {
            assert_eq!(
                normalise_email(input).as_ref().map(Email::as_str),
                expected,
                "{input:?}"
            );
        }
    }

    #[test]
    fn masks_keep_only_a_hint() {
        let ru = normalise_phone("8 912 345-67-89").unwrap();
        assert_eq!(mask_phone(&ru), "+7 912 ***-**-89");
        let de = normalise_phone("+49 30 1234567").unwrap();
        assert_eq!(mask_phone(&de), "+4930*****67");
        let email = normalise_email("Ivan.Petrov@mail.ru").unwrap();
        assert_eq!(mask_email(&email), "i***@mail.ru");
    }
}
