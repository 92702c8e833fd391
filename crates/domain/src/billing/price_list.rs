//! The network's price list (SPEC §3): a connection fee and a fee per quarter for ЦСО and
//! every module, and the price of each support-hour package — versioned by the date a
//! version takes effect, so a bill is always priced by the version in force for its days
//! and an issued bill never changes when a price does.
//!
//! The seed ([`PriceList::seed`]) is the price list of SPEC §3; the admin adds versions
//! from a date on ([`PriceLists::add`]). Versions are only ever appended, and never from a
//! day already past: what was billed stays billed at the prices of its time.

use crate::access::Actor;
use crate::billing::SupportPackage;
use crate::error::ValidationError;
use crate::kernel::{FieldError, Refusal, RefusalKind, Refuse};
use crate::role::Role;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

crate::coded_enum! {
    /// An item of the price list: ЦСО itself or a module connected to it.
    pub enum PriceItem {
        Cso = "cso" / "ЦСО + мобильная версия",
        StockOrUsed = "stock_or_used" / "Автомобили в наличии или автомобили с пробегом",
        StockAndUsed = "stock_and_used" / "Автомобили в наличии + автомобили с пробегом",
        CalculatorOne = "calculator_one" / "Кредитный калькулятор или калькулятор ТО",
        CalculatorBoth = "calculator_both" / "Кредитный калькулятор + калькулятор ТО",
        Landing = "landing" / "Конструктор посадочных страниц",
        MultiDealer = "multi_dealer" / "Мультидилерность (несколько ДЦ на одном сайте)",
        Hosting = "hosting" / "Облачный хостинг на платформе",
        Ssl = "ssl" / "SSL-сертификат",
        TradeIn = "trade_in" / "Trade-in",
        OnlinePayment = "online_payment" / "Онлайн-оплата",
        ServiceContract = "service_contract" / "Сервисный контракт / продлённая гарантия",
        AccessoriesShop = "accessories_shop" / "Интернет-магазин аксессуаров",
    }
}

crate::coded_enum! {
    /// An "or / +" pair of the price list: one module of the pair or both as a bundle,
    /// never the single and the bundle together.
    pub enum Bundle {
        Cars = "cars" / "Автомобили в наличии и автомобили с пробегом",
        Calculators = "calculators" / "Кредитный калькулятор и калькулятор ТО",
    }
}

impl PriceItem {
    /// The "or / +" pair the item belongs to, if any.
    pub fn bundle(self) -> Option<Bundle> {
        match self {
            PriceItem::StockOrUsed | PriceItem::StockAndUsed => Some(Bundle::Cars),
            PriceItem::CalculatorOne | PriceItem::CalculatorBoth => Some(Bundle::Calculators),
            _ => None,
        }
    }

    /// Sold to dealers in Russia only.
    pub fn russia_only(self) -> bool {
        matches!(self, PriceItem::TradeIn | PriceItem::OnlinePayment)
    }

    /// Needs the dealer's АВН/АСП agreement (online payment takes money on the dealer's
    /// behalf).
    pub fn needs_avn_asp(self) -> bool {
        self == PriceItem::OnlinePayment
    }

    /// Whether the item is a module (everything but ЦСО, which every subscription has).
    pub fn is_module(self) -> bool {
        self != PriceItem::Cso
    }

    /// The label with the price list's conditions, as the price list shows it.
    pub fn full_label(self) -> String {
        match (self.russia_only(), self.needs_avn_asp()) {
            (true, true) => format!("{} (только Россия, нужен АВН/АСП)", self.label()),
            (true, false) => format!("{} (только Россия)", self.label()),
            _ => self.label().to_string(),
        }
    }
}

/// One item's prices, ₽.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemPrice {
    pub item: PriceItem,
    /// Paid once, in the quarter the item is connected.
    pub connection: Decimal,
    /// Paid every quarter, pro rata by days in the quarter of connection.
    pub quarterly: Decimal,
}

/// One package's price per quarter, ₽.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackagePrice {
    pub package: SupportPackage,
    pub price: Decimal,
}

/// One version of the price list: every item and package priced, from a date on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceList {
    /// The first day these prices apply.
    pub effective_from: NaiveDate,
    /// Every item, in [`PriceItem::ALL`] order.
    pub items: Vec<ItemPrice>,
    /// Every package, smallest first.
    pub packages: Vec<PackagePrice>,
}

/// The day the seed price list applies from: before any bill the platform issues.
pub fn seed_effective_from() -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 1, 1).expect("a valid date")
}

impl PriceList {
    /// The price list of SPEC §3.
    pub fn seed() -> PriceList {
        let rub = |v: i64| Decimal::from(v);
        let items = PriceItem::ALL
            .into_iter()
            .map(|item| {
                let (connection, quarterly) = match item {
                    PriceItem::Cso => (78_900, 29_300),
                    PriceItem::StockOrUsed => (14_900, 10_900),
                    PriceItem::StockAndUsed => (14_900, 17_400),
                    PriceItem::CalculatorOne => (2_900, 8_700),
                    PriceItem::CalculatorBoth => (2_900, 10_900),
                    PriceItem::Landing => (9_900, 29_700),
                    PriceItem::MultiDealer => (0, 10_900),
                    PriceItem::Hosting => (0, 9_000),
                    PriceItem::Ssl => (0, 2_500),
                    PriceItem::TradeIn => (14_900, 14_700),
                    PriceItem::OnlinePayment => (49_900, 20_700),
                    PriceItem::ServiceContract => (9_800, 10_900),
                    PriceItem::AccessoriesShop => (14_900, 14_700),
                };
                ItemPrice {
                    item,
                    connection: rub(connection),
                    quarterly: rub(quarterly),
                }
            })
            .collect();
        let packages = SupportPackage::ALL
            .into_iter()
            .map(|package| PackagePrice {
                package,
                price: package.price(),
            })
            .collect();
        PriceList {
            effective_from: seed_effective_from(),
            items,
            packages,
        }
    }

    /// The prices of `item` (every version prices every item).
    pub fn item(&self, item: PriceItem) -> ItemPrice {
        self.items
            .iter()
            .copied()
            .find(|p| p.item == item)
            .unwrap_or(ItemPrice {
                item,
                connection: Decimal::ZERO,
                quarterly: Decimal::ZERO,
            })
    }

    /// The price of `package` per quarter.
    pub fn package(&self, package: SupportPackage) -> Decimal {
        self.packages
            .iter()
            .find(|p| p.package == package)
            .map_or_else(|| package.price(), |p| p.price)
    }
}

/// Every version of a network's price list, oldest first, and its optimistic-lock
/// version (how many versions the admin added; 0 while only the seed is in force).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PriceLists {
    versions: Vec<PriceList>,
    /// Grows by one with each version the admin adds.
    pub version: u64,
}

impl Default for PriceLists {
    fn default() -> Self {
        PriceLists::new(Vec::new(), 0)
    }
}

impl PriceLists {
    /// The seed followed by the stored versions (in any order).
    pub fn new(mut stored: Vec<PriceList>, version: u64) -> PriceLists {
        stored.sort_by_key(|p| p.effective_from);
        let mut versions = Vec::with_capacity(stored.len() + 1);
        if stored
            .first()
            .is_none_or(|p| p.effective_from > seed_effective_from())
        {
            versions.push(PriceList::seed());
        }
        versions.extend(stored);
        PriceLists { versions, version }
    }

    /// Every version, oldest first (the seed first).
    pub fn versions(&self) -> &[PriceList] {
        &self.versions
    }

    /// The version in force on `date`.
    pub fn price_at(&self, date: NaiveDate) -> &PriceList {
        self.versions
            .iter()
            .rev()
            .find(|p| p.effective_from <= date)
            .unwrap_or(&self.versions[0])
    }

    /// The newest version (possibly one that takes effect later).
    pub fn latest(&self) -> &PriceList {
        self.versions.last().expect("the seed is always there")
    }

    /// The admin adds a version from `draft.effective_from` on, `today` being the
    /// platform's date: every item and package the draft names gets its new price, the
    /// rest keep those of the version in force the day before.
    pub fn add(
        &self,
        actor: &Actor,
        draft: &PriceListDraft,
        today: NaiveDate,
    ) -> Result<PriceList, PriceListError> {
        if actor.role != Role::Admin {
            return Err(PriceListError::NotAdmin);
        }
        let mut errors = Vec::new();
        let from = match draft.effective_from.as_deref().map(str::trim) {
            None | Some("") => {
                errors.push(FieldError {
                    field: "effective_from",
                    message: "Укажите дату, с которой действуют новые цены.".into(),
                });
                None
            }
            Some(raw) => match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
                Ok(d) => Some(d),
                Err(_) => {
                    errors.push(FieldError {
                        field: "effective_from",
                        message: "Дата начала действия цен — в формате ГГГГ-ММ-ДД.".into(),
                    });
                    None
                }
            },
        };
        let base = from.map_or_else(|| self.latest().clone(), |d| self.price_at(d).clone());
        let mut next = base.clone();
        let mut seen_items = Vec::new();
        for row in &draft.items {
            let Some(item) = PriceItem::from_code(row.item.trim()) else {
                errors.push(FieldError {
                    field: "items",
                    message: format!("Неизвестная позиция прайс-листа «{}».", row.item.trim()),
                });
                continue;
            };
            if seen_items.contains(&item) {
                errors.push(FieldError {
                    field: "items",
                    message: format!("Позиция «{}» указана дважды.", item.label()),
                });
                continue;
            }
            seen_items.push(item);
            let current = base.item(item);
            let connection = amount(row.connection.as_deref(), "items", item.label());
            let quarterly = amount(row.quarterly.as_deref(), "items", item.label());
            match (connection, quarterly) {
                (Ok(c), Ok(q)) => {
                    let slot = next
                        .items
                        .iter_mut()
                        .find(|p| p.item == item)
                        .expect("every version prices every item");
                    slot.connection = c.unwrap_or(current.connection);
                    slot.quarterly = q.unwrap_or(current.quarterly);
                }
                (c, q) => errors.extend(c.err().into_iter().chain(q.err())),
            }
        }
        let mut seen_packages = Vec::new();
        for row in &draft.packages {
            let Some(package) = SupportPackage::from_code(row.package.trim()) else {
                errors.push(FieldError {
                    field: "packages",
                    message: format!("Неизвестный пакет часов «{}».", row.package.trim()),
                });
                continue;
            };
            if seen_packages.contains(&package) {
                errors.push(FieldError {
                    field: "packages",
                    message: format!("Пакет «{}» указан дважды.", package.label()),
                });
                continue;
            }
            seen_packages.push(package);
            match amount(row.price.as_deref(), "packages", package.label()) {
                Ok(Some(price)) => {
                    if let Some(slot) = next.packages.iter_mut().find(|p| p.package == package) {
                        slot.price = price;
                    }
                }
                Ok(None) => errors.push(FieldError {
                    field: "packages",
                    message: format!("Укажите цену пакета «{}».", package.label()),
                }),
                Err(e) => errors.push(e),
            }
        }
        if !errors.is_empty() {
            return Err(PriceListError::Invalid(ValidationError { errors }));
        }
        let from = from.expect("checked above");
        if from < today {
            return Err(PriceListError::InThePast);
        }
        if from <= self.latest().effective_from {
            return Err(PriceListError::NotAfterLatest {
                latest: self.latest().effective_from,
            });
        }
        next.effective_from = from;
        Ok(next)
    }
}

/// The largest amount a price may be, ₽: a typo guard.
const MAX_PRICE: i64 = 100_000_000;

/// A price as typed: empty keeps the old one; otherwise rubles with at most two decimals,
/// not negative.
fn amount(
    raw: Option<&str>,
    field: &'static str,
    what: &str,
) -> Result<Option<Decimal>, FieldError> {
    let raw = match raw.map(str::trim) {
        None | Some("") => return Ok(None),
        Some(raw) => raw.replace(',', "."),
    };
    raw.parse::<Decimal>()
        .ok()
        .filter(|d| !d.is_sign_negative() && d.scale() <= 2 && *d <= Decimal::from(MAX_PRICE))
        .map(|d| Some(d.normalize()))
        .ok_or_else(|| FieldError {
            field,
            message: format!(
                "Цена «{what}» — сумма в рублях не меньше нуля, не больше двух знаков после запятой."
            ),
        })
}

/// One item's new prices as typed (empty: unchanged).
#[derive(Clone, Debug, Default)]
pub struct ItemPriceDraft {
    pub item: String,
    pub connection: Option<String>,
    pub quarterly: Option<String>,
}

/// One package's new price as typed.
#[derive(Clone, Debug, Default)]
pub struct PackagePriceDraft {
    pub package: String,
    pub price: Option<String>,
}

/// A new version of the price list as the admin sent it.
#[derive(Clone, Debug, Default)]
pub struct PriceListDraft {
    /// `YYYY-MM-DD`.
    pub effective_from: Option<String>,
    pub items: Vec<ItemPriceDraft>,
    pub packages: Vec<PackagePriceDraft>,
}

/// Why a new version of the price list is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PriceListError {
    /// Only the platform's admin changes prices.
    #[error("only the admin changes the price list")]
    NotAdmin,
    /// Prices never change for days already past: those may be billed.
    #[error("a price version cannot start in the past")]
    InThePast,
    /// Versions are appended: a new one starts after the newest.
    #[error("a price version must start after {latest}")]
    NotAfterLatest { latest: NaiveDate },
    #[error(transparent)]
    Invalid(#[from] ValidationError),
}

impl Refuse for PriceListError {
    fn refusal(&self) -> Refusal {
        let field = |message: String| {
            Refusal::new(RefusalKind::Invalid, "validation_failed", message.clone()).with_fields(
                vec![FieldError {
                    field: "effective_from",
                    message,
                }],
            )
        };
        match self {
            PriceListError::NotAdmin => Refusal::new(
                RefusalKind::Forbidden,
                "forbidden",
                "Прайс-лист меняет только администратор.",
            ),
            PriceListError::InThePast => field(
                "Новые цены не могут действовать с прошедшей даты: за прошедшие дни уже могли выставить счета."
                    .into(),
            ),
            PriceListError::NotAfterLatest { latest } => field(format!(
                "Новые цены должны действовать позже последней версии прайс-листа (с {}).",
                latest.format("%d.%m.%Y")
            )),
            PriceListError::Invalid(e) => e.refusal(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::UserId;
    use rust_decimal_macros::dec;

    fn admin() -> Actor {
        Actor {
            user_id: UserId::new("admin"),
            role: Role::Admin,
            dealer_id: None,
        }
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn the_seed_is_the_price_list_of_the_spec() {
        let p = PriceList::seed();
        assert_eq!(p.items.len(), PriceItem::ALL.len());
        let cso = p.item(PriceItem::Cso);
        assert_eq!((cso.connection, cso.quarterly), (dec!(78900), dec!(29300)));
        let both = p.item(PriceItem::StockAndUsed);
        assert_eq!(
            (both.connection, both.quarterly),
            (dec!(14900), dec!(17400))
        );
        let pay = p.item(PriceItem::OnlinePayment);
        assert_eq!((pay.connection, pay.quarterly), (dec!(49900), dec!(20700)));
        assert_eq!(p.item(PriceItem::Ssl).connection, Decimal::ZERO);
        assert_eq!(p.package(SupportPackage::Hours15), dec!(30000));
        assert_eq!(p.package(SupportPackage::Hours30), dec!(54000));
        assert_eq!(p.package(SupportPackage::Hours60), dec!(99000));
    }

    #[test]
    fn the_or_and_plus_items_are_pairs_and_the_conditions_are_in_the_label() {
        assert_eq!(PriceItem::StockOrUsed.bundle(), Some(Bundle::Cars));
        assert_eq!(
            PriceItem::CalculatorBoth.bundle(),
            Some(Bundle::Calculators)
        );
        assert_eq!(PriceItem::Landing.bundle(), None);
        assert_eq!(
            PriceItem::OnlinePayment.full_label(),
            "Онлайн-оплата (только Россия, нужен АВН/АСП)"
        );
        assert_eq!(PriceItem::TradeIn.full_label(), "Trade-in (только Россия)");
    }

    fn draft(from: &str, item: &str, quarterly: &str) -> PriceListDraft {
        PriceListDraft {
            effective_from: Some(from.into()),
            items: vec![ItemPriceDraft {
                item: item.into(),
                connection: None,
                quarterly: Some(quarterly.into()),
            }],
            packages: vec![],
        }
    }

    #[test]
    fn a_new_version_from_a_date_changes_prices_from_that_day_on_only() {
        let lists = PriceLists::default();
        let next = lists
            .add(
                &admin(),
                &draft("2027-01-01", "cso", "31 000"),
                day(2026, 12, 3),
            )
            .unwrap_err();
        // «31 000» with a space is not a number.
        assert_eq!(next.refusal().kind, RefusalKind::Invalid);
        let next = lists
            .add(
                &admin(),
                &draft("2027-01-01", "cso", "31000"),
                day(2026, 12, 3),
            )
            .unwrap();
        assert_eq!(next.item(PriceItem::Cso).quarterly, dec!(31000));
        assert_eq!(next.item(PriceItem::Cso).connection, dec!(78900));
        let lists = PriceLists::new(vec![next], 1);
        assert_eq!(
            lists
                .price_at(day(2026, 12, 31))
                .item(PriceItem::Cso)
                .quarterly,
            dec!(29300)
        );
        assert_eq!(
            lists
                .price_at(day(2027, 1, 1))
                .item(PriceItem::Cso)
                .quarterly,
            dec!(31000)
        );
    }

    #[test]
    fn prices_never_change_for_past_days_nor_before_the_newest_version() {
        let lists = PriceLists::default();
        assert_eq!(
            lists.add(&admin(), &draft("2026-12-01", "cso", "1"), day(2026, 12, 3)),
            Err(PriceListError::InThePast)
        );
        let next = lists
            .add(
                &admin(),
                &draft("2027-04-01", "ssl", "3000"),
                day(2026, 12, 3),
            )
            .unwrap();
        let lists = PriceLists::new(vec![next], 1);
        assert_eq!(
            lists.add(&admin(), &draft("2027-01-01", "ssl", "1"), day(2026, 12, 3)),
            Err(PriceListError::NotAfterLatest {
                latest: day(2027, 4, 1)
            })
        );
    }

    #[test]
    fn only_the_admin_changes_prices_and_bad_rows_name_their_item() {
        let manager = Actor {
            role: Role::AccountManager,
            ..admin()
        };
        assert_eq!(
            PriceLists::default().add(&manager, &draft("2027-01-01", "cso", "1"), day(2026, 1, 1)),
            Err(PriceListError::NotAdmin)
        );
        for (item, price) in [("cso", "-1"), ("cso", "1.005"), ("nope", "1")] {
            let r = PriceLists::default()
                .add(&admin(), &draft("2027-01-01", item, price), day(2026, 1, 1))
                .unwrap_err()
                .refusal();
            assert_eq!(r.kind, RefusalKind::Invalid, "{item} {price}");
            assert_eq!(r.fields[0].field, "items");
        }
    }
}
