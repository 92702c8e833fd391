//! Intake (SPEC §4.1): the lead webhook's draft, from an HTML form or JSON, checked field by
//! field so the site shows every problem at once.

use super::contact::{BAD_EMAIL, BAD_PHONE, Email, Phone, normalise_email, normalise_phone};
use super::kind::{LeadSource, LeadType};
use crate::DealerId;
use crate::kernel::{FieldError, Refusal, RefusalKind, Refuse, TextRule};
use chrono::{DateTime, Duration, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

const NAME: TextRule = TextRule::line("name", "Имя", "Укажите имя.", 100);
const SURNAME: TextRule = TextRule::line("surname", "Фамилия", "Укажите фамилию.", 100);
const CITY: TextRule = TextRule::line("city", "Город", "Укажите город.", 100);
const MODEL: TextRule = TextRule::line("model", "Модель", "Укажите модель.", 100);
const VERSION: TextRule = TextRule::line("version", "Версия", "Укажите версию.", 100);
const TRIM: TextRule = TextRule::line("trim", "Комплектация", "Укажите комплектацию.", 100);
const UTM: [TextRule; 5] = [
    TextRule::line("utm_source", "Метка utm_source", "", 200),
    TextRule::line("utm_medium", "Метка utm_medium", "", 200),
    TextRule::line("utm_campaign", "Метка utm_campaign", "", 200),
    TextRule::line("utm_content", "Метка utm_content", "", 200),
    TextRule::line("utm_term", "Метка utm_term", "", 200),
];

/// The largest price a form may carry (a hundred billion rubles): beyond it the number is a
/// typo or an attack, not a car.
const PRICE_MAX: i64 = 100_000_000_000;

/// What a site posts, every field optional and textual as it arrives.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LeadDraft {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub name: Option<String>,
    pub surname: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub city: Option<String>,
    pub dealer_id: Option<String>,
    pub model: Option<String>,
    pub version: Option<String>,
    pub trim: Option<String>,
    pub price: Option<String>,
    pub consent: Option<String>,
    pub source: Option<String>,
    pub utm_source: Option<String>,
    pub utm_medium: Option<String>,
    pub utm_campaign: Option<String>,
    pub utm_content: Option<String>,
    pub utm_term: Option<String>,
}

/// UTM tags of the visit that posted the lead.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Utm {
    pub source: Option<String>,
    pub medium: Option<String>,
    pub campaign: Option<String>,
    pub content: Option<String>,
    pub term: Option<String>,
}

/// A checked draft: what a lead is created from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewLead {
    pub kind: LeadType,
    pub name: String,
    pub surname: Option<String>,
    pub phone: Option<Phone>,
    pub email: Option<Email>,
    pub city: Option<String>,
    /// The dealer the customer chose on the form, if any (routing checks it is in the
    /// network).
    pub chosen_dealer: Option<DealerId>,
    pub model: Option<String>,
    pub version: Option<String>,
    pub trim: Option<String>,
    pub price: Option<Decimal>,
    /// The source the form declared; the webhook's site decides when absent.
    pub source: Option<LeadSource>,
    pub utm: Utm,
    /// The consent as given (set by the edge that knows the time, the address and the
    /// site's consent text; `validate` only checks that it was given).
    #[serde(default)]
    pub consent: Option<Consent>,
}

/// The customer's consent to the processing of personal data (152-ФЗ): when, from which
/// address, and which version of the consent text the form showed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    pub given_at: DateTime<Utc>,
    /// The client's network address as the edge saw it (absent when it could not tell).
    pub address: Option<String>,
    pub text_version: String,
}

/// The consent-text version of a lead a dealer typed in (the customer agreed by phone or in
/// the showroom).
pub const DEALER_ENTRY_CONSENT: &str = "dealer_entry";

impl Consent {
    /// The consent given with a post at `at` from `address`: the form's own `version` of the
    /// consent text when it sent one (a line of at most 50 characters), else the site's.
    pub fn given(
        at: DateTime<Utc>,
        address: Option<String>,
        form_version: Option<&str>,
        site_version: &str,
    ) -> Consent {
        let form = form_version
            .map(crate::kernel::clean_line)
            .filter(|v| !v.is_empty() && v.chars().count() <= 50);
        Consent {
            given_at: at,
            address,
            text_version: form.unwrap_or_else(|| site_version.to_string()),
        }
    }
}

/// A draft that breaks the rules: every failing field, in form order.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("lead draft: {} field(s) invalid", .fields.len())]
pub struct LeadDraftError {
    pub fields: Vec<FieldError>,
}

impl Refuse for LeadDraftError {
    fn refusal(&self) -> Refusal {
        let message = self
            .fields
            .iter()
            .map(|f| f.message.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        Refusal::new(RefusalKind::Invalid, "validation_failed", message)
            .with_fields(self.fields.clone())
    }
}

impl LeadDraft {
    /// Checks every field; all problems at once.
    pub fn validate(&self) -> Result<NewLead, LeadDraftError> {
        let mut errors: Vec<FieldError> = Vec::new();
        let mut bad = |field: &'static str, message: &str| {
            errors.push(FieldError {
                field,
                message: message.to_string(),
            })
        };
        let kind = match self.kind.as_deref().map(str::trim) {
            None | Some("") => {
                bad("type", "Выберите тип заявки.");
                None
            }
            Some(code) => LeadType::from_code(code).or_else(|| {
                bad("type", "Такого типа заявки нет.");
                None
            }),
        };
        let mut text = |rule: &TextRule, value: &Option<String>, required: bool| {
            let result = if required {
                rule.required(value.as_deref()).map(Some)
            } else {
                rule.optional(value.as_deref())
            };
            result.unwrap_or_else(|e| {
                bad(e.field, &e.message);
                None
            })
        };
        let name = text(&NAME, &self.name, true);
        let surname = text(&SURNAME, &self.surname, false);
        let phone_text = self
            .phone
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let email_text = self
            .email
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let city = text(&CITY, &self.city, false);
        let model = text(&MODEL, &self.model, false);
        let version = text(&VERSION, &self.version, false);
        let trim = text(&TRIM, &self.trim, false);
        let utm_values = [
            &self.utm_source,
            &self.utm_medium,
            &self.utm_campaign,
            &self.utm_content,
            &self.utm_term,
        ];
        let mut utm: Vec<Option<String>> = UTM
            .iter()
            .zip(utm_values)
            .map(|(rule, value)| text(rule, value, false))
            .collect();

        let phone = phone_text.and_then(|p| {
            normalise_phone(p).or_else(|| {
                bad("phone", BAD_PHONE);
                None
            })
        });
        let email = email_text.and_then(|e| {
            normalise_email(e).or_else(|| {
                bad("email", BAD_EMAIL);
                None
            })
        });
        if phone_text.is_none() && email_text.is_none() {
            bad("phone", "Укажите телефон или электронную почту.");
        }
        let chosen_dealer = match self.dealer_id.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(id) if is_id(id) => Some(DealerId::new(id)),
            Some(_) => {
                bad("dealer_id", "Такого дилера нет.");
                None
            }
        };
        let price = match self.price.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(p) => parse_rubles(p).or_else(|| {
                bad(
                    "price",
                    "Цена — сумма в рублях не меньше нуля, например 1 990 000.",
                );
                None
            }),
        };
        let consent = self
            .consent
            .as_deref()
            .map(|c| c.trim().to_ascii_lowercase())
            .is_some_and(|c| matches!(c.as_str(), "true" | "on" | "1" | "yes"));
        if !consent {
            bad(
                "consent",
                "Нужно согласие на обработку персональных данных.",
            );
        }
        let source = match self.source.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(code) => LeadSource::from_code(code).or_else(|| {
                bad("source", "Такого источника заявки нет.");
                None
            }),
        };
        // Fields are checked in the order of the form, then reported in that order.
        let order = [
            "type",
            "name",
            "surname",
            "phone",
            "email",
            "city",
            "dealer_id",
            "model",
            "version",
            "trim",
            "price",
            "consent",
            "source",
        ];
        errors.sort_by_key(|e| {
            order
                .iter()
                .position(|f| *f == e.field)
                .unwrap_or(order.len())
        });
        match (kind, name) {
            (Some(kind), Some(name)) if errors.is_empty() => Ok(NewLead {
                kind,
                name,
                surname,
                phone,
                email,
                city,
                chosen_dealer,
                model,
                version,
                trim,
                price,
                source,
                consent: None,
                utm: Utm {
                    term: utm.pop().flatten(),
                    content: utm.pop().flatten(),
                    campaign: utm.pop().flatten(),
                    medium: utm.pop().flatten(),
                    source: utm.pop().flatten(),
                },
            }),
            _ => Err(LeadDraftError { fields: errors }),
        }
    }
}

/// The least time a person takes to fill a lead form; a faster post is a bot.
pub const MIN_FILL_TIME: Duration = Duration::seconds(3);

crate::coded_enum! {
    /// Why a post is taken for spam (SPEC §4.1: stopped without a captcha).
    pub enum SpamReason {
        /// The hidden field people never see was filled.
        Honeypot = "honeypot" / "Заполнено скрытое поле",
        /// Posted sooner after the form was shown than a person can type.
        TooFast = "too_fast" / "Форма отправлена слишком быстро",
        /// Posted with a form time from the future (forged or replayed).
        ForgedTime = "forged_time" / "Неверное время показа формы",
        /// A browser post without a valid form token (no script ran, a token of another
        /// site, a forged or expired signature).
        BadToken = "bad_token" / "Нет подписи формы",
    }
}

/// Whether a browser form post is spam. `honeypot` is the hidden field's value;
/// `rendered_at` the (signed, checked by the edge) time the form was shown, absent for
/// server-to-server posts, which are not timed. The edge answers a spam post exactly as an
/// accepted one, so a bot learns nothing, and stores no lead.
pub fn spam_reason(
    honeypot: Option<&str>,
    rendered_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Option<SpamReason> {
    if honeypot.is_some_and(|v| !v.trim().is_empty()) {
        return Some(SpamReason::Honeypot);
    }
    match rendered_at {
        Some(at) if at > now => Some(SpamReason::ForgedTime),
        Some(at) if now - at < MIN_FILL_TIME => Some(SpamReason::TooFast),
        _ => None,
    }
}

/// An identifier as the platform writes them: short, ASCII letters, digits, `-` and `_`.
fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
}

/// A ruble amount as people write it: `1 990 000`, `1990000.00`, `1 990 000 ₽`,
/// `1 990 000,50 руб.`. `None` for anything else, a negative amount, more than two kopeck
/// digits, or an absurd size.
pub fn parse_rubles(input: &str) -> Option<Decimal> {
    let mut s = input.trim().to_lowercase();
    for suffix in ["₽", "руб.", "руб", "р.", "rub"] {
        if let Some(rest) = s.strip_suffix(suffix) {
            s = rest.to_string();
            break;
        }
    }
    let compact: String = s
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}'))
        .map(|c| if c == ',' { '.' } else { c })
        .collect();
    let (whole, fraction) = match compact.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (compact.as_str(), None),
    };
    let digits_ok = !whole.is_empty()
        && whole.len() <= 15
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction
            .is_none_or(|f| (1..=2).contains(&f.len()) && f.bytes().all(|b| b.is_ascii_digit()));
    if !digits_ok {
        return None;
    }
    let value: Decimal = compact.parse().ok()?;
    (value >= Decimal::ZERO && value <= Decimal::from(PRICE_MAX)).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn draft() -> LeadDraft {
        LeadDraft {
            kind: Some("preorder".into()),
            name: Some(" Иван ".into()),
            surname: Some("Петров".into()),
            phone: Some("8 (912) 345-67-89".into()),
            email: Some("Ivan@Mail.ru".into()),
            city: Some("Владивосток".into()),
            dealer_id: Some("vostok".into()),
            model: Some("X-Trail".into()),
            version: Some("2.5 CVT".into()),
            trim: Some("SE".into()),
            price: Some("1 990 000 ₽".into()),
            consent: Some("on".into()),
            source: Some("brand_site".into()),
            utm_source: Some("yandex".into()),
            utm_campaign: Some("spring".into()),
            ..LeadDraft::default()
        }
    }

    #[test]
    fn a_complete_draft_becomes_a_new_lead() {
        let lead = draft().validate().unwrap();
        assert_eq!(lead.kind, LeadType::Preorder);
        assert_eq!(lead.name, "Иван");
        assert_eq!(lead.phone.unwrap().as_str(), "+79123456789");
        assert_eq!(lead.email.unwrap().as_str(), "ivan@mail.ru");
        assert_eq!(lead.price, Some(dec!(1990000)));
        assert_eq!(lead.chosen_dealer, Some(DealerId::new("vostok")));
        assert_eq!(lead.source, Some(LeadSource::BrandSite));
        assert_eq!(lead.utm.source.as_deref(), Some("yandex"));
        assert_eq!(lead.utm.campaign.as_deref(), Some("spring"));
        assert_eq!(lead.utm.medium, None);
    }

    #[test]
    fn every_problem_is_reported_at_once_in_form_order() {
        let bad = LeadDraft {
            kind: Some("lunch".into()),
            phone: Some("12345".into()),
            email: Some("ivan@mail".into()),
            price: Some("-5".into()),
            consent: Some("no".into()),
            source: Some("tv".into()),
            ..LeadDraft::default()
        };
        let e = bad.validate().unwrap_err();
        let fields: Vec<_> = e.fields.iter().map(|f| f.field).collect();
        assert_eq!(
            fields,
            [
                "type", "name", "phone", "email", "price", "consent", "source"
            ]
        );
        assert_eq!(e.fields[2].message, "Неверный номер телефона.");
        let r = e.refusal();
        assert_eq!(r.kind, RefusalKind::Invalid);
        assert_eq!(r.code, "validation_failed");
        assert!(r.message.contains("Укажите имя."));
    }

    #[test]
    fn name_is_required_and_phone_or_email_is_enough() {
        let only_email = LeadDraft {
            phone: None,
            ..draft()
        };
        assert!(only_email.validate().unwrap().phone.is_none());
        let only_phone = LeadDraft {
            email: Some("  ".into()),
            ..draft()
        };
        assert!(only_phone.validate().unwrap().email.is_none());
        let neither = LeadDraft {
            phone: None,
            email: None,
            name: None,
            ..draft()
        };
        let e = neither.validate().unwrap_err();
        assert_eq!(e.fields[0].message, "Укажите имя.");
        assert_eq!(e.fields[1].field, "phone");
        assert_eq!(
            e.fields[1].message,
            "Укажите телефон или электронную почту."
        );
    }

    #[test]
    fn consent_must_be_given() {
        for yes in ["true", "on", "1", "yes", "ON", " True "] {
            let d = LeadDraft {
                consent: Some(yes.into()),
                ..draft()
            };
            assert!(d.validate().is_ok(), "{yes}");
        }
        for no in [None, Some(""), Some("false"), Some("0"), Some("off")] {
            let d = LeadDraft {
                consent: no.map(String::from),
                ..draft()
            };
            let e = d.validate().unwrap_err();
            assert_eq!(e.fields[0].field, "consent");
            assert_eq!(
                e.fields[0].message,
                "Нужно согласие на обработку персональных данных."
            );
        }
    }

    #[test]
    fn prices_are_read_the_way_people_write_them() {
        let table = [
            ("1 990 000", Some(dec!(1990000))),
            ("1990000.00", Some(dec!(1990000.00))),
            ("1 990 000 ₽", Some(dec!(1990000))),
            ("1\u{a0}990\u{a0}000\u{a0}₽", Some(dec!(1990000))),
            ("1 990 000,50 руб.", Some(dec!(1990000.50))),
            ("0", Some(dec!(0))),
            ("-1", None),
            ("1.999", None),
            ("1e6", None),
            ("миллион", None),
            ("", None),
            ("1 000 000 000 000 000", None),
        ];
        for (input, expected) in table {
            assert_eq!(parse_rubles(input), expected, "{input:?}");
        }
    }

    #[test]
    fn spam_is_caught_without_a_captcha() {
        use chrono::TimeZone;
        let now = Utc.with_ymd_and_hms(2025, 3, 3, 10, 0, 0).unwrap();
        let shown = |secs| Some(now - Duration::seconds(secs));
        assert_eq!(spam_reason(None, shown(40), now), None);
        assert_eq!(spam_reason(Some(""), shown(40), now), None);
        assert_eq!(spam_reason(None, None, now), None);
        assert_eq!(
            spam_reason(Some("http://spam"), shown(40), now),
            Some(SpamReason::Honeypot)
        );
        assert_eq!(spam_reason(None, shown(1), now), Some(SpamReason::TooFast));
        assert_eq!(
            spam_reason(None, shown(-60), now),
            Some(SpamReason::ForgedTime)
        );
    }

    #[test]
    fn consent_keeps_the_forms_text_version_or_the_sites() {
        use chrono::TimeZone;
        let at = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
        let c = Consent::given(at, Some("10.0.0.1".into()), Some(" v2 "), "site-v1");
        assert_eq!(c.text_version, "v2");
        assert_eq!(c.address.as_deref(), Some("10.0.0.1"));
        assert_eq!(c.given_at, at);
        for form in [None, Some(""), Some(&*"x".repeat(51))] {
            assert_eq!(
                Consent::given(at, None, form, "site-v1").text_version,
                "site-v1"
            );
        }
        assert_eq!(draft().validate().unwrap().consent, None);
    }

    #[test]
    fn a_form_post_and_json_read_the_same_fields() {
        let json: LeadDraft = serde_json::from_str(
            r#"{"type":"test_drive","name":"Анна","phone":"+7 912 345 67 89","consent":"true","utm_term":"suv"}"#,
        )
        .unwrap();
        let lead = json.validate().unwrap();
        assert_eq!(lead.kind, LeadType::TestDrive);
        assert_eq!(lead.utm.term.as_deref(), Some("suv"));
    }
}
