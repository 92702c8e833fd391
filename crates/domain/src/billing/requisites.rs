//! Requisites on the documents (the platform's as seller, each dealer's as buyer) checked
//! as Russian accountants check them (ИНН with its check digits, КПП, БИК, accounts), and
//! the platform's billing settings: its requisites, the VAT regime and the invoice's term.

use crate::billing::document::{BankAccount, Requisites, Vat};
use crate::error::ValidationError;
use crate::kernel::{FieldError, TextRule};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Requisites as typed, unchecked.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct RequisitesDraft {
    pub legal_name: Option<String>,
    pub inn: Option<String>,
    pub kpp: Option<String>,
    pub address: Option<String>,
    pub bank_name: Option<String>,
    pub bik: Option<String>,
    pub account: Option<String>,
    pub correspondent_account: Option<String>,
}

const LEGAL_NAME: TextRule = TextRule::line(
    "legal_name",
    "Наименование",
    "Укажите полное наименование организации.",
    300,
);
const ADDRESS: TextRule = TextRule::line(
    "address",
    "Юридический адрес",
    "Укажите юридический адрес.",
    500,
);
const BANK_NAME: TextRule = TextRule::line("bank_name", "Банк", "Укажите наименование банка.", 300);

fn digits(raw: Option<&str>) -> Option<String> {
    raw.map(|r| r.chars().filter(|c| !c.is_whitespace()).collect::<String>())
        .filter(|s| !s.is_empty())
}

fn check_digit(digits: &[u32], weights: &[u32]) -> u32 {
    let sum: u32 = digits.iter().zip(weights).map(|(d, w)| d * w).sum();
    sum % 11 % 10
}

/// Whether `inn` is a valid ИНН: 10 digits (a company) or 12 (an entrepreneur) with the
/// check digits of the tax service's algorithm.
pub fn inn_is_valid(inn: &str) -> bool {
    if !inn.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let d: Vec<u32> = inn.chars().filter_map(|c| c.to_digit(10)).collect();
    match d.len() {
        10 => check_digit(&d[..9], &[2, 4, 10, 3, 5, 9, 4, 6, 8]) == d[9],
        12 => {
            check_digit(&d[..10], &[7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) == d[10]
                && check_digit(&d[..11], &[3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) == d[11]
        }
        _ => false,
    }
}

fn n_digits(value: &str, n: usize) -> bool {
    value.len() == n && value.bytes().all(|b| b.is_ascii_digit())
}

impl RequisitesDraft {
    /// The requisites checked field by field: a company (10-digit ИНН) needs a КПП, an
    /// entrepreneur (12 digits) has none; the bank is all four fields or none.
    pub fn validate(&self) -> Result<Requisites, ValidationError> {
        let mut errors = Vec::new();
        let mut bad = |field: &'static str, message: &str| {
            errors.push(FieldError {
                field,
                message: message.to_string(),
            })
        };
        let legal_name = LEGAL_NAME.required(self.legal_name.as_deref());
        let address = ADDRESS.required(self.address.as_deref());
        let inn = digits(self.inn.as_deref());
        match &inn {
            None => bad("inn", "Укажите ИНН."),
            Some(inn) if !inn_is_valid(inn) => bad(
                "inn",
                "ИНН — 10 цифр для организации или 12 для ИП, с верными контрольными цифрами.",
            ),
            Some(_) => {}
        }
        let kpp = digits(self.kpp.as_deref());
        match (&inn, &kpp) {
            (Some(inn), None) if inn.len() == 10 => bad("kpp", "Укажите КПП организации."),
            (Some(inn), Some(_)) if inn.len() == 12 => {
                bad("kpp", "У индивидуального предпринимателя нет КПП.")
            }
            (_, Some(kpp)) if !n_digits(kpp, 9) => bad("kpp", "КПП — 9 цифр."),
            _ => {}
        }
        let bik = digits(self.bik.as_deref());
        let account = digits(self.account.as_deref());
        let corr = digits(self.correspondent_account.as_deref());
        let bank_name = BANK_NAME
            .optional(self.bank_name.as_deref())
            .unwrap_or_else(|e| {
                errors.push(e);
                None
            });
        let mut bad = |field: &'static str, message: &str| {
            errors.push(FieldError {
                field,
                message: message.to_string(),
            })
        };
        let any_bank = bank_name.is_some() || bik.is_some() || account.is_some() || corr.is_some();
        if any_bank {
            if bank_name.is_none() {
                bad("bank_name", "Укажите наименование банка.");
            }
            if !bik.as_deref().is_some_and(|b| n_digits(b, 9)) {
                bad("bik", "БИК — 9 цифр.");
            }
            if !account.as_deref().is_some_and(|a| n_digits(a, 20)) {
                bad("account", "Расчётный счёт — 20 цифр.");
            }
            if !corr.as_deref().is_some_and(|a| n_digits(a, 20)) {
                bad("correspondent_account", "Корреспондентский счёт — 20 цифр.");
            }
        }
        let legal_name = legal_name.map_err(|e| errors.insert(0, e)).ok();
        let address = address.map_err(|e| errors.push(e)).ok();
        if !errors.is_empty() {
            return Err(ValidationError { errors });
        }
        Ok(Requisites {
            legal_name: legal_name.expect("checked"),
            inn: inn.expect("checked"),
            kpp,
            address: address.expect("checked"),
            bank: any_bank.then(|| BankAccount {
                bank_name: bank_name.unwrap_or_default(),
                bik: bik.unwrap_or_default(),
                account: account.unwrap_or_default(),
                correspondent_account: corr.unwrap_or_default(),
            }),
        })
    }
}

/// The platform's billing settings: the seller on every document, the VAT regime and how
/// many days an invoice gives to pay.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillingSettings {
    /// None until the admin enters them; the bill run needs them.
    pub seller: Option<Requisites>,
    pub vat: Vat,
    /// Days from the invoice's date to its due date.
    pub payment_days: u32,
    /// 0 while nothing was saved (the defaults).
    pub version: u64,
}

/// The invoice's default term, days.
pub const DEFAULT_PAYMENT_DAYS: u32 = 10;

impl Default for BillingSettings {
    /// Russia from 2026: 22 % VAT included in the prices; ten days to pay.
    fn default() -> Self {
        BillingSettings {
            seller: None,
            vat: Vat::russia_2026(),
            payment_days: DEFAULT_PAYMENT_DAYS,
            version: 0,
        }
    }
}

/// The billing settings as the admin sent them.
#[derive(Clone, Debug, Default)]
pub struct BillingSettingsDraft {
    pub seller: RequisitesDraft,
    /// `none` (the simplified regime) or `rate`.
    pub vat_mode: Option<String>,
    /// The rate in percent when `vat_mode` is `rate`.
    pub vat_percent: Option<String>,
    /// Whether prices include VAT.
    pub vat_included: Option<bool>,
    pub payment_days: Option<String>,
}

impl BillingSettingsDraft {
    /// The settings checked field by field (the version is the caller's).
    pub fn validate(&self) -> Result<(Requisites, Vat, u32), ValidationError> {
        let mut errors = Vec::new();
        let seller = self.seller.validate().map_err(|e| errors.extend(e.errors));
        let vat = match self.vat_mode.as_deref().map(str::trim) {
            Some("none") => Some(Vat::None),
            Some("rate") | None => {
                let percent = self
                    .vat_percent
                    .as_deref()
                    .map(|p| p.trim().replace(',', "."))
                    .and_then(|p| p.parse::<Decimal>().ok())
                    .filter(|p| *p > Decimal::ZERO && *p < Decimal::ONE_HUNDRED && p.scale() <= 2);
                match percent {
                    Some(percent) => Some(Vat::Rate {
                        percent: percent.normalize(),
                        included: self.vat_included.unwrap_or(true),
                    }),
                    None => {
                        errors.push(FieldError {
                            field: "vat_percent",
                            message: "Ставка НДС — число процентов больше 0 и меньше 100.".into(),
                        });
                        None
                    }
                }
            }
            Some(_) => {
                errors.push(FieldError {
                    field: "vat_mode",
                    message: "Режим НДС — rate (с НДС) или none (без НДС).".into(),
                });
                None
            }
        };
        let days = match self.payment_days.as_deref().map(str::trim) {
            None | Some("") => Some(DEFAULT_PAYMENT_DAYS),
            Some(raw) => raw.parse::<u32>().ok().filter(|d| (1..=90).contains(d)),
        };
        if days.is_none() {
            errors.push(FieldError {
                field: "payment_days",
                message: "Срок оплаты счёта — целое число дней от 1 до 90.".into(),
            });
        }
        match (seller, vat, days) {
            (Ok(seller), Some(vat), Some(days)) if errors.is_empty() => Ok((seller, vat, days)),
            _ => Err(ValidationError { errors }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn company() -> RequisitesDraft {
        RequisitesDraft {
            legal_name: Some("ООО \"Автоцентр Север\"".into()),
            inn: Some("7707083893".into()),
            kpp: Some("770701001".into()),
            address: Some("г. Москва, ул. Северная, д. 1".into()),
            bank_name: Some("ПАО Сбербанк".into()),
            bik: Some("044525225".into()),
            account: Some("40702810938000000001".into()),
            correspondent_account: Some("30101810400000000225".into()),
        }
    }

    #[test]
    fn an_inn_has_its_check_digits() {
        assert!(inn_is_valid("7707083893"));
        assert!(!inn_is_valid("7707083894"));
        assert!(inn_is_valid("500100732259"));
        assert!(!inn_is_valid("500100732250"));
        assert!(!inn_is_valid("77070838"));
    }

    #[test]
    fn a_company_with_its_bank_is_accepted() {
        let r = company().validate().unwrap();
        assert_eq!(r.inn, "7707083893");
        assert_eq!(r.kpp.as_deref(), Some("770701001"));
        assert_eq!(r.bank.unwrap().bik, "044525225");
    }

    #[test]
    fn a_company_needs_a_kpp_and_a_bank_needs_all_its_numbers() {
        let mut d = company();
        d.kpp = None;
        d.account = Some("4070".into());
        let e = d.validate().unwrap_err();
        let fields: Vec<_> = e.errors.iter().map(|f| f.field).collect();
        assert_eq!(fields, vec!["kpp", "account"]);
    }

    #[test]
    fn vat_is_22_percent_included_by_default_or_none_on_the_simplified_regime() {
        assert_eq!(BillingSettings::default().vat, Vat::russia_2026());
        let draft = BillingSettingsDraft {
            seller: company(),
            vat_mode: Some("none".into()),
            ..Default::default()
        };
        assert_eq!(draft.validate().unwrap().1, Vat::None);
        let bad = BillingSettingsDraft {
            seller: company(),
            vat_mode: Some("rate".into()),
            vat_percent: Some("120".into()),
            ..Default::default()
        };
        assert_eq!(bad.validate().unwrap_err().errors[0].field, "vat_percent");
    }
}
