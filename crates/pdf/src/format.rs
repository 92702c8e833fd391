//! How numbers and dates are printed on a Russian document: «30 000,00», «1,5», «31.12.2026»,
//! «31 декабря 2026 г.».

use chrono::{Datelike, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};

/// Rubles with kopecks and digit groups: `30000` → «30 000,00», `-1500.5` → «-1 500,50».
///
/// The groups are split by an ordinary space: a PDF has no line breaking of its own, and a
/// text extractor (what an accountant's software does with the file) reads it as one number.
pub(crate) fn money(amount: Decimal) -> String {
    let rounded = amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    let negative = rounded.is_sign_negative() && !rounded.is_zero();
    let abs = rounded.abs();
    let whole = abs.trunc();
    let kopecks = ((abs - whole) * Decimal::ONE_HUNDRED).trunc();
    let digits = whole.to_string();
    let mut text = String::with_capacity(digits.len() * 2 + 4);
    if negative {
        text.push('-');
    }
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            text.push(' ');
        }
        text.push(ch);
    }
    text.push_str(&format!(",{kopecks:0>2}"));
    text
}

/// A quantity without trailing zeros and with a decimal comma: `1.50` → «1,5», `3` → «3».
pub(crate) fn quantity(value: Decimal) -> String {
    value.normalize().to_string().replace('.', ",")
}

/// A VAT rate: `22` → «22%», `10.5` → «10,5%».
pub(crate) fn percent(value: Decimal) -> String {
    format!("{}%", quantity(value))
}

/// `2026-12-31` → «31.12.2026».
pub(crate) fn date(day: NaiveDate) -> String {
    day.format("%d.%m.%Y").to_string()
}

const MONTHS_GENITIVE: [&str; 12] = [
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
];

/// `2026-12-31` → «31 декабря 2026 г.», as a document's title names its date.
pub(crate) fn date_in_words(day: NaiveDate) -> String {
    let month = MONTHS_GENITIVE[day.month0() as usize];
    format!("{} {month} {} г.", day.day(), day.year())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn money_has_groups_and_two_kopeck_digits() {
        assert_eq!(money(dec!(30000)), "30 000,00");
        assert_eq!(money(dec!(5409.84)), "5 409,84");
        assert_eq!(money(dec!(1234567.5)), "1 234 567,50");
        assert_eq!(money(dec!(999)), "999,00");
        assert_eq!(money(Decimal::ZERO), "0,00");
        assert_eq!(money(dec!(-1500.5)), "-1 500,50");
        assert_eq!(money(dec!(0.005)), "0,01");
    }

    #[test]
    fn quantities_drop_trailing_zeros() {
        assert_eq!(quantity(dec!(1.50)), "1,5");
        assert_eq!(quantity(dec!(3.000)), "3");
        assert_eq!(percent(dec!(22)), "22%");
    }

    #[test]
    fn dates_in_figures_and_in_words() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
        assert_eq!(date(day), "31.12.2026");
        assert_eq!(date_in_words(day), "31 декабря 2026 г.");
        let first = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
        assert_eq!(date_in_words(first), "1 января 2027 г.");
    }
}
