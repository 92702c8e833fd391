//! An amount in words, as a Russian invoice, act or УПД prints it under the total:
//! «Одна тысяча двести один рубль 05 копеек».
//!
//! Rubles are written in words, kopecks in two digits, each followed by its unit in the form
//! its number asks for (1 рубль, 2 рубля, 5 рублей; 11 рублей, 21 рубль). Thousands are
//! feminine («одна тысяча», «две тысячи»), rubles and the larger scales masculine.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};

/// A noun's three forms after a number: one (1, 21), few (2–4, 22–24), many (0, 5–20, 25–30).
struct Noun {
    one: &'static str,
    few: &'static str,
    many: &'static str,
    feminine: bool,
}

impl Noun {
    fn form(&self, n: u128) -> &'static str {
        if (11..=14).contains(&(n % 100)) {
            return self.many;
        }
        match n % 10 {
            1 => self.one,
            2..=4 => self.few,
            _ => self.many,
        }
    }
}

const RUBLE: Noun = Noun {
    one: "рубль",
    few: "рубля",
    many: "рублей",
    feminine: false,
};

const KOPECK: Noun = Noun {
    one: "копейка",
    few: "копейки",
    many: "копеек",
    feminine: true,
};

/// The scales by powers of a thousand, from 10³ up to 10²⁷ (a [`Decimal`] holds less than
/// 8·10²⁸, so nothing larger can occur).
const SCALES: [Noun; 9] = [
    Noun {
        one: "тысяча",
        few: "тысячи",
        many: "тысяч",
        feminine: true,
    },
    Noun {
        one: "миллион",
        few: "миллиона",
        many: "миллионов",
        feminine: false,
    },
    Noun {
        one: "миллиард",
        few: "миллиарда",
        many: "миллиардов",
        feminine: false,
    },
    Noun {
        one: "триллион",
        few: "триллиона",
        many: "триллионов",
        feminine: false,
    },
    Noun {
        one: "квадриллион",
        few: "квадриллиона",
        many: "квадриллионов",
        feminine: false,
    },
    Noun {
        one: "квинтиллион",
        few: "квинтиллиона",
        many: "квинтиллионов",
        feminine: false,
    },
    Noun {
        one: "секстиллион",
        few: "секстиллиона",
        many: "секстиллионов",
        feminine: false,
    },
    Noun {
        one: "септиллион",
        few: "септиллиона",
        many: "септиллионов",
        feminine: false,
    },
    Noun {
        one: "октиллион",
        few: "октиллиона",
        many: "октиллионов",
        feminine: false,
    },
];

const HUNDREDS: [&str; 10] = [
    "",
    "сто",
    "двести",
    "триста",
    "четыреста",
    "пятьсот",
    "шестьсот",
    "семьсот",
    "восемьсот",
    "девятьсот",
];

const TENS: [&str; 10] = [
    "",
    "",
    "двадцать",
    "тридцать",
    "сорок",
    "пятьдесят",
    "шестьдесят",
    "семьдесят",
    "восемьдесят",
    "девяносто",
];

const TEENS: [&str; 10] = [
    "десять",
    "одиннадцать",
    "двенадцать",
    "тринадцать",
    "четырнадцать",
    "пятнадцать",
    "шестнадцать",
    "семнадцать",
    "восемнадцать",
    "девятнадцать",
];

const UNITS: [&str; 10] = [
    "",
    "один",
    "два",
    "три",
    "четыре",
    "пять",
    "шесть",
    "семь",
    "восемь",
    "девять",
];

/// The words of `n` in 1..=999, pushed onto `words`; «одна»/«две» when the noun is feminine.
fn push_triad(n: u128, feminine: bool, words: &mut Vec<&'static str>) {
    let (h, t, u) = (
        (n / 100) as usize,
        (n / 10 % 10) as usize,
        (n % 10) as usize,
    );
    if h > 0 {
        words.push(HUNDREDS[h]);
    }
    if t == 1 {
        words.push(TEENS[u]);
        return;
    }
    if t > 1 {
        words.push(TENS[t]);
    }
    match (u, feminine) {
        (0, _) => {}
        (1, true) => words.push("одна"),
        (2, true) => words.push("две"),
        _ => words.push(UNITS[u]),
    }
}

/// The whole rubles of an amount in words with «рубль» in its form, lower case:
/// `1201` → «одна тысяча двести один рубль».
fn rubles_in_words(rubles: u128) -> String {
    let mut words: Vec<&'static str> = Vec::new();
    if rubles == 0 {
        words.push("ноль");
    } else {
        let mut triads = Vec::new();
        let mut rest = rubles;
        while rest > 0 {
            triads.push(rest % 1000);
            rest /= 1000;
        }
        for (power, &triad) in triads.iter().enumerate().rev() {
            if triad == 0 {
                continue;
            }
            match power.checked_sub(1).and_then(|i| SCALES.get(i)) {
                Some(scale) => {
                    push_triad(triad, scale.feminine, &mut words);
                    words.push(scale.form(triad));
                }
                None => push_triad(triad, RUBLE.feminine, &mut words),
            }
        }
    }
    words.push(RUBLE.form(rubles));
    words.join(" ")
}

/// An amount in words as Russian documents print it: rubles in words, kopecks in two digits,
/// the first letter capital — `1201.05` → «Одна тысяча двести один рубль 05 копеек».
///
/// The amount is first rounded to kopecks half away from zero; a negative amount (a
/// corrective document that lowers a sum) starts with «Минус».
pub fn amount_in_words(amount: Decimal) -> String {
    let rounded = amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    let negative = rounded.is_sign_negative() && !rounded.is_zero();
    let abs = rounded.abs();
    let rubles_part = abs.trunc();
    // A Decimal's integer part is below 2⁹⁶ and its kopecks below 100: both conversions hold.
    let rubles = rubles_part.to_u128().unwrap_or_default();
    let kopecks = ((abs - rubles_part) * Decimal::ONE_HUNDRED)
        .to_u128()
        .unwrap_or_default();
    let mut text = rubles_in_words(rubles);
    if negative {
        text.insert_str(0, "минус ");
    }
    let text = capitalised(&text);
    format!("{text} {kopecks:02} {}", KOPECK.form(kopecks))
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn thirty_thousand_is_tridtsat_tysyach_rubley_00_kopeek() {
        assert_eq!(
            amount_in_words(dec!(30000)),
            "Тридцать тысяч рублей 00 копеек"
        );
    }

    #[test]
    fn one_thousand_two_hundred_one_and_5_kopecks() {
        assert_eq!(
            amount_in_words(dec!(1201.05)),
            "Одна тысяча двести один рубль 05 копеек"
        );
    }

    #[test]
    fn two_million_is_masculine_dva() {
        assert_eq!(
            amount_in_words(dec!(2000000)),
            "Два миллиона рублей 00 копеек"
        );
    }

    #[test]
    fn zero_is_nol_rubley() {
        assert_eq!(amount_in_words(Decimal::ZERO), "Ноль рублей 00 копеек");
        assert_eq!(amount_in_words(dec!(0.01)), "Ноль рублей 01 копейка");
    }

    #[test]
    fn rubles_take_the_form_their_number_asks_for() {
        let cases = [
            (dec!(1), "Один рубль 00 копеек"),
            (dec!(2), "Два рубля 00 копеек"),
            (dec!(4), "Четыре рубля 00 копеек"),
            (dec!(5), "Пять рублей 00 копеек"),
            (dec!(11), "Одиннадцать рублей 00 копеек"),
            (dec!(12), "Двенадцать рублей 00 копеек"),
            (dec!(14), "Четырнадцать рублей 00 копеек"),
            (dec!(20), "Двадцать рублей 00 копеек"),
            (dec!(21), "Двадцать один рубль 00 копеек"),
            (dec!(22), "Двадцать два рубля 00 копеек"),
            (dec!(25), "Двадцать пять рублей 00 копеек"),
            (dec!(100), "Сто рублей 00 копеек"),
            (dec!(101), "Сто один рубль 00 копеек"),
            (dec!(111), "Сто одиннадцать рублей 00 копеек"),
            (dec!(112), "Сто двенадцать рублей 00 копеек"),
            (dec!(121), "Сто двадцать один рубль 00 копеек"),
            (dec!(999), "Девятьсот девяносто девять рублей 00 копеек"),
        ];
        for (amount, words) in cases {
            assert_eq!(amount_in_words(amount), words, "{amount}");
        }
    }

    #[test]
    fn thousands_are_feminine_and_take_their_own_form() {
        let cases = [
            (dec!(1000), "Одна тысяча рублей 00 копеек"),
            (dec!(2000), "Две тысячи рублей 00 копеек"),
            (dec!(5000), "Пять тысяч рублей 00 копеек"),
            (dec!(11000), "Одиннадцать тысяч рублей 00 копеек"),
            (dec!(21000), "Двадцать одна тысяча рублей 00 копеек"),
            (dec!(22000), "Двадцать две тысячи рублей 00 копеек"),
            (dec!(111000), "Сто одиннадцать тысяч рублей 00 копеек"),
            (dec!(54000), "Пятьдесят четыре тысячи рублей 00 копеек"),
            (dec!(99000), "Девяносто девять тысяч рублей 00 копеек"),
            (
                dec!(45321),
                "Сорок пять тысяч триста двадцать один рубль 00 копеек",
            ),
        ];
        for (amount, words) in cases {
            assert_eq!(amount_in_words(amount), words, "{amount}");
        }
    }

    #[test]
    fn millions_and_billions_are_masculine() {
        let cases = [
            (dec!(1000000), "Один миллион рублей 00 копеек"),
            (dec!(5000000), "Пять миллионов рублей 00 копеек"),
            (dec!(21000000), "Двадцать один миллион рублей 00 копеек"),
            (dec!(1000000000), "Один миллиард рублей 00 копеек"),
            (dec!(2000000000), "Два миллиарда рублей 00 копеек"),
            (dec!(1002003), "Один миллион две тысячи три рубля 00 копеек"),
            (
                dec!(1234567.89),
                "Один миллион двести тридцать четыре тысячи пятьсот шестьдесят семь рублей 89 копеек",
            ),
        ];
        for (amount, words) in cases {
            assert_eq!(amount_in_words(amount), words, "{amount}");
        }
    }

    #[test]
    fn empty_groups_are_skipped() {
        assert_eq!(
            amount_in_words(dec!(1000001)),
            "Один миллион один рубль 00 копеек"
        );
        assert_eq!(
            amount_in_words(dec!(3000000000010)),
            "Три триллиона десять рублей 00 копеек"
        );
    }

    #[test]
    fn the_largest_decimal_has_words_too() {
        let words = amount_in_words(Decimal::MAX);
        assert!(
            words.starts_with("Семьдесят девять октиллионов двести двадцать восемь септиллионов"),
            "{words}"
        );
        assert!(
            words.ends_with("триста тридцать пять рублей 00 копеек"),
            "{words}"
        );
    }

    #[test]
    fn kopecks_are_two_digits_in_their_form() {
        let cases = [
            (dec!(10.01), "Десять рублей 01 копейка"),
            (dec!(10.02), "Десять рублей 02 копейки"),
            (dec!(10.05), "Десять рублей 05 копеек"),
            (dec!(10.11), "Десять рублей 11 копеек"),
            (dec!(10.21), "Десять рублей 21 копейка"),
            (dec!(10.5), "Десять рублей 50 копеек"),
            (
                dec!(5409.84),
                "Пять тысяч четыреста девять рублей 84 копейки",
            ),
        ];
        for (amount, words) in cases {
            assert_eq!(amount_in_words(amount), words, "{amount}");
        }
    }

    #[test]
    fn amounts_are_rounded_to_kopecks_half_away_from_zero() {
        assert_eq!(amount_in_words(dec!(1.005)), "Один рубль 01 копейка");
        assert_eq!(amount_in_words(dec!(1.999)), "Два рубля 00 копеек");
    }

    #[test]
    fn a_negative_amount_starts_with_minus() {
        assert_eq!(
            amount_in_words(dec!(-1500.5)),
            "Минус одна тысяча пятьсот рублей 50 копеек"
        );
        assert_eq!(amount_in_words(dec!(-0.001)), "Ноль рублей 00 копеек");
    }
}
