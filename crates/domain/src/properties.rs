//! Property tests of every parser at the edge (issue 12): whatever a client sends — a
//! webhook body, a phone, an e-mail, a calendar file, free text — the parser answers
//! without panicking, and what it accepts is in the shape the rest of the code relies on.
//!
//! A short bounded run (the case counts below) is part of `cargo test`; raise
//! `PROPTEST_CASES` for a longer hunt.

use crate::YearCalendar;
use crate::kernel::{clean_line, clean_text};
use crate::lead::contact::{normalise_email, normalise_phone};
use crate::lead::intake::{LeadDraft, parse_rubles};
use proptest::prelude::*;

/// Text as clients type it and as attackers do: Cyrillic, digits, punctuation, controls,
/// bidi overrides, no-break spaces and emoji.
fn hostile_text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            4 => proptest::char::range('а', 'я'),
            3 => proptest::char::range(' ', '~'),
            1 => proptest::char::range('\u{0}', '\u{1f}'),
            1 => prop::sample::select(vec!['\u{202e}', '\u{200f}', '\u{a0}', '\u{2013}', '\u{7f}', '\u{85}', '😀', '\u{feff}']),
        ],
        0..80,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

/// Phones as people type them, and near misses.
fn phone_like() -> impl Strategy<Value = String> {
    prop_oneof![
        "(\\+7|8|7)? ?\\(?9[0-9]{2}\\)? ?[0-9]{3}[- ]?[0-9]{2}[- ]?[0-9]{2}",
        "\\+[0-9]{1,3} [0-9 ()-]{4,18}",
        "[0-9+() .-]{0,25}",
        hostile_text(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn a_phone_parser_never_panics_and_answers_e164_that_parses_to_itself(input in phone_like()) {
        if let Some(phone) = normalise_phone(&input) {
            let e164 = phone.as_str();
            prop_assert!(e164.starts_with('+'), "{e164}");
            prop_assert!(e164[1..].chars().all(|c| c.is_ascii_digit()), "{e164}");
            prop_assert!((8..=16).contains(&e164.len()), "{e164}");
            prop_assert_eq!(normalise_phone(e164).map(|p| p.as_str().to_string()), Some(e164.to_string()));
        }
    }

    #[test]
    fn an_email_parser_never_panics_and_answers_a_lower_case_address_without_spaces(
        input in prop_oneof!["[A-Za-z0-9._%+-]{0,20}@[A-Za-z0-9.-]{0,20}", hostile_text()]
    ) {
        if let Some(email) = normalise_email(&input) {
            let text = email.as_str();
            prop_assert_eq!(text.matches('@').count(), 1);
            prop_assert!(!text.chars().any(|c| c.is_whitespace() || c.is_control()), "{text}");
            prop_assert_eq!(text.to_lowercase(), text);
            prop_assert_eq!(normalise_email(text).map(|e| e.as_str().to_string()), Some(text.to_string()));
        }
    }

    #[test]
    fn cleaned_text_has_no_controls_or_bidi_overrides_and_cleaning_twice_changes_nothing(
        input in hostile_text()
    ) {
        let line = clean_line(&input);
        prop_assert!(!line.chars().any(|c| c.is_control()), "{line:?}");
        prop_assert!(!line.chars().any(|c| ('\u{202a}'..='\u{202e}').contains(&c) || ('\u{2066}'..='\u{2069}').contains(&c)), "{line:?}");
        prop_assert_eq!(clean_line(&line), line.clone());
        let text = clean_text(&input);
        prop_assert!(!text.chars().any(|c| c.is_control() && c != '\n' && c != '\t'), "{text:?}");
        prop_assert_eq!(clean_text(&text), text.clone());
    }

    #[test]
    fn a_webhook_body_is_refused_or_accepted_whole_never_a_panic(
        kind in prop::option::of(prop_oneof![Just("preorder".to_string()), Just("test_drive".to_string()), hostile_text()]),
        name in prop::option::of(hostile_text()),
        phone in prop::option::of(phone_like()),
        email in prop::option::of(prop_oneof!["[a-z]{1,8}@[a-z]{1,8}\\.ru", hostile_text()]),
        city in prop::option::of(prop_oneof![Just("Москва".to_string()), hostile_text()]),
        price in prop::option::of(prop_oneof!["[0-9 ]{1,12}([.,][0-9]{1,3})?", hostile_text()]),
        consent in prop::option::of(prop_oneof![Just("true".to_string()), Just("false".to_string()), hostile_text()]),
    ) {
        let draft = LeadDraft { kind, name, phone, email, city, price, consent, ..LeadDraft::default() };
        match draft.validate() {
            Ok(lead) => {
                prop_assert!(!lead.name.trim().is_empty());
                prop_assert!(!lead.name.chars().any(char::is_control), "{:?}", lead.name);
                prop_assert!(lead.phone.is_some() || lead.email.is_some(), "a way to reach the customer");
            }
            Err(refused) => prop_assert!(!refused.fields.is_empty()),
        }
    }

    #[test]
    fn a_price_parser_never_panics_and_never_answers_a_negative_amount(input in prop_oneof!["-?[0-9 ]{0,30}([.,][0-9]{0,5})?", hostile_text()]) {
        if let Some(amount) = parse_rubles(&input) {
            prop_assert!(!amount.is_sign_negative() || amount.is_zero(), "{input:?} → {amount}");
        }
    }

    #[test]
    fn a_calendar_file_of_any_shape_is_parsed_or_refused_never_a_panic(
        year in 1990i32..2100,
        days in prop::collection::vec((1u32..13, 1u32..32, 0u8..5, prop::option::of(1u32..13)), 0..30),
        junk in hostile_text(),
    ) {
        let mut xml = format!(r#"<?xml version="1.0" encoding="UTF-8"?><calendar year="{year}" lang="ru"><days>"#);
        for (month, day, t, from) in &days {
            xml.push_str(&format!(r#"<day d="{month:02}.{day:02}" t="{t}""#));
            if let Some(from) = from {
                xml.push_str(&format!(r#" f="{from}""#));
            }
            xml.push_str("/>");
        }
        xml.push_str("</days></calendar>");
        if let Ok(calendar) = YearCalendar::parse_xml(&xml) {
            prop_assert_eq!(calendar.year(), year);
        }
        let _ = YearCalendar::parse_xml(&junk);
        let cut = xml.char_indices().map(|(i, _)| i).nth(junk.len() % xml.len().max(1)).unwrap_or(0);
        let _ = YearCalendar::parse_xml(&xml[..cut]);
    }
}
