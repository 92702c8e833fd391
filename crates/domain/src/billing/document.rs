//! A billing document as data: the invoice («Счёт на оплату») and the act («Акт выполненных
//! работ (оказанных услуг)», a УПД when the platform charges VAT). The bill run fills a
//! [`Document`]; the PDF renderer draws one; neither knows how the other works.
//!
//! Amounts are exact [`Decimal`] rubles. Line amounts and VAT are rounded to kopecks
//! half away from zero, as Russian documents show them.

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

/// What a document is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// «Счёт на оплату».
    Invoice,
    /// «Акт выполненных работ (оказанных услуг)»; drawn as a УПД when VAT is charged.
    Act,
}

impl DocumentKind {
    /// The API code (`invoice`, `act`).
    pub fn code(self) -> &'static str {
        match self {
            DocumentKind::Invoice => "invoice",
            DocumentKind::Act => "act",
        }
    }

    /// Parses an API code.
    pub fn from_code(code: &str) -> Option<DocumentKind> {
        match code {
            "invoice" => Some(DocumentKind::Invoice),
            "act" => Some(DocumentKind::Act),
            _ => None,
        }
    }
}

/// How the platform charges VAT (a platform setting).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum Vat {
    /// No VAT: a platform on the simplified regime («Без НДС»).
    None,
    /// VAT at `percent` (22 in Russia from 2026); `included` when prices already contain it.
    Rate {
        /// The rate in percent, e.g. `22`.
        percent: Decimal,
        /// Whether the price list's prices already include VAT.
        included: bool,
    },
}

impl Vat {
    /// Russia from 2026: 22 %, included in the prices.
    pub fn russia_2026() -> Vat {
        Vat::Rate {
            percent: Decimal::from(22),
            included: true,
        }
    }
}

/// The act's form: a УПД (status 1 with VAT, status 2 without) or a plain act.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActForm {
    /// «Универсальный передаточный документ» with its status (1 or 2).
    Upd {
        /// 1 — счёт-фактура and transfer document; 2 — transfer document only.
        status: u8,
    },
}

impl ActForm {
    /// The form for a VAT regime: status 1 when VAT is charged, status 2 when not.
    pub fn for_vat(vat: Vat) -> ActForm {
        match vat {
            Vat::None => ActForm::Upd { status: 2 },
            Vat::Rate { .. } => ActForm::Upd { status: 1 },
        }
    }
}

/// A bank account on a document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct BankAccount {
    /// The bank's name, e.g. «ПАО Сбербанк».
    pub bank_name: String,
    /// БИК, 9 digits.
    pub bik: String,
    /// Расчётный счёт, 20 digits.
    pub account: String,
    /// Корреспондентский счёт, 20 digits.
    pub correspondent_account: String,
}

/// One party's requisites (the platform as seller, a dealer as buyer).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Requisites {
    /// The legal name, e.g. «ООО "Автоцентр Север"».
    pub legal_name: String,
    /// ИНН: 10 digits for a company, 12 for an entrepreneur.
    pub inn: String,
    /// КПП, 9 digits; none for an entrepreneur.
    pub kpp: Option<String>,
    /// The legal address.
    pub address: String,
    /// The bank account, when known.
    pub bank: Option<BankAccount>,
}

/// One line of a document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentLine {
    /// What was sold, in Russian, e.g. «ЦСО + мобильная версия, 4 квартал 2026».
    pub title: String,
    /// How many units (1 for a quarter's fee; hours for ticket work).
    pub quantity: Decimal,
    /// The unit's Russian abbreviation («шт», «усл», «ч»).
    pub unit: String,
    /// The price of one unit in rubles, as the price list has it (VAT included or not
    /// as [`Vat`] says).
    pub price: Decimal,
    /// The line's amount in rubles: normally `quantity × price` in kopecks, but a line may
    /// carry its own rounded amount (ticket overage is rounded up to 10 ₽).
    pub amount: Decimal,
}

impl DocumentLine {
    /// A line whose amount is `quantity × price`, rounded to kopecks.
    pub fn new(title: impl Into<String>, quantity: Decimal, unit: &str, price: Decimal) -> Self {
        DocumentLine {
            title: title.into(),
            quantity,
            unit: unit.to_owned(),
            price,
            amount: kopecks(quantity * price),
        }
    }
}

/// The number and date of an earlier document, named by a corrective one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentRef {
    /// The earlier document's number.
    pub number: String,
    /// The earlier document's date.
    pub date: NaiveDate,
}

/// A complete document: everything its PDF shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    /// Invoice or act.
    pub kind: DocumentKind,
    /// The number in its year's sequence, e.g. `2026-0042`.
    pub number: String,
    /// The issue date.
    pub date: NaiveDate,
    /// The first day of the period billed (the quarter).
    pub period_from: NaiveDate,
    /// The last day of the period billed.
    pub period_to: NaiveDate,
    /// The platform.
    pub seller: Requisites,
    /// The dealer.
    pub buyer: Requisites,
    /// The basis, e.g. «Договор № 17 от 01.02.2025».
    pub basis: Option<String>,
    /// The lines, in the order they are printed.
    pub lines: Vec<DocumentLine>,
    /// The VAT regime in force when the document was issued.
    pub vat: Vat,
    /// The day an invoice is due; none for an act.
    pub due: Option<NaiveDate>,
    /// For a corrective document: the document it corrects.
    pub corrects: Option<DocumentRef>,
}

/// A document's sums.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// Without VAT.
    pub net: Decimal,
    /// The VAT (zero under [`Vat::None`]).
    pub vat: Decimal,
    /// To pay.
    pub total: Decimal,
}

impl Document {
    /// The document's sums under its VAT regime.
    ///
    /// With VAT included the total is the sum of the lines and the VAT is extracted from it
    /// (`total × rate / (100 + rate)`); with VAT on top it is added to the lines' sum.
    pub fn totals(&self) -> Totals {
        totals(&self.lines, self.vat)
    }

    /// The act's form (only meaningful for [`DocumentKind::Act`]).
    pub fn act_form(&self) -> ActForm {
        ActForm::for_vat(self.vat)
    }
}

/// The sums of `lines` under `vat`.
pub fn totals(lines: &[DocumentLine], vat: Vat) -> Totals {
    let sum: Decimal = lines.iter().map(|l| l.amount).sum();
    match vat {
        Vat::None => Totals {
            net: sum,
            vat: Decimal::ZERO,
            total: sum,
        },
        Vat::Rate {
            percent,
            included: true,
        } => {
            let vat = kopecks(sum * percent / (Decimal::ONE_HUNDRED + percent));
            Totals {
                net: sum - vat,
                vat,
                total: sum,
            }
        }
        Vat::Rate {
            percent,
            included: false,
        } => {
            let vat = kopecks(sum * percent / Decimal::ONE_HUNDRED);
            Totals {
                net: sum,
                vat,
                total: sum + vat,
            }
        }
    }
}

/// Rounds to kopecks, half away from zero.
pub fn kopecks(amount: Decimal) -> Decimal {
    amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn line(amount: Decimal) -> DocumentLine {
        DocumentLine::new("ЦСО", Decimal::ONE, "усл", amount)
    }

    #[test]
    fn vat_22_included_in_30_000_is_5_409_84() {
        let t = totals(&[line(dec!(30000))], Vat::russia_2026());
        assert_eq!(t.total, dec!(30000));
        assert_eq!(t.vat, dec!(5409.84));
        assert_eq!(t.net, dec!(24590.16));
    }

    #[test]
    fn vat_22_on_top_of_30_000_makes_36_600() {
        let vat = Vat::Rate {
            percent: dec!(22),
            included: false,
        };
        let t = totals(&[line(dec!(30000))], vat);
        assert_eq!(t.vat, dec!(6600));
        assert_eq!(t.total, dec!(36600));
    }

    #[test]
    fn without_vat_the_total_is_the_lines_sum() {
        let t = totals(&[line(dec!(29300)), line(dec!(10900))], Vat::None);
        assert_eq!(t.net, dec!(40200));
        assert_eq!(t.vat, Decimal::ZERO);
        assert_eq!(t.total, dec!(40200));
    }

    #[test]
    fn act_is_a_upd_with_status_1_under_vat_and_2_without() {
        assert_eq!(
            ActForm::for_vat(Vat::russia_2026()),
            ActForm::Upd { status: 1 }
        );
        assert_eq!(ActForm::for_vat(Vat::None), ActForm::Upd { status: 2 });
    }

    #[test]
    fn a_line_amount_is_quantity_times_price_in_kopecks() {
        let l = DocumentLine::new("Работы", dec!(1.5), "ч", dec!(2833.333));
        assert_eq!(l.amount, dec!(4250.00));
    }
}
