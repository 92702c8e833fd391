//! How billing looks on the outside: the API's JSON of the price list, a subscription with
//! its priced lines and history, requisites and the billing settings.

use crate::billing::DealerSubscription;
use crate::kernel::time::{local, utc};
use chrono::NaiveDate;
use dealerdesk_domain::billing::document::{Requisites, Vat};
use dealerdesk_domain::billing::price_list::{PriceList, PriceLists};
use dealerdesk_domain::billing::requisites::BillingSettings;
use dealerdesk_domain::billing::subscription::SubscriptionChange;
use dealerdesk_domain::{DealerId, NetworkId, UserId, format_rub, platform_date};
use dealerdesk_store::{DealerRecord, DealerRequisites};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;

/// One item of a price version.
#[derive(Serialize, ToSchema)]
pub struct PriceItemView {
    /// `cso`, `stock_or_used`, …
    pub item: &'static str,
    pub label: String,
    /// ₽, paid once in the quarter of connection.
    #[schema(value_type = String)]
    pub connection: Decimal,
    /// ₽ per quarter.
    #[schema(value_type = String)]
    pub quarterly: Decimal,
    /// The "or / +" pair it belongs to (`cars`, `calculators`), if any.
    pub bundle: Option<&'static str>,
    pub russia_only: bool,
    pub needs_avn_asp: bool,
}

/// One package of a price version.
#[derive(Serialize, ToSchema)]
pub struct PackagePriceView {
    /// `hours_15`, `hours_30`, `hours_60`.
    pub package: &'static str,
    pub label: &'static str,
    pub hours: u32,
    /// ₽ per quarter.
    #[schema(value_type = String)]
    pub price: Decimal,
}

/// One version of the price list.
#[derive(Serialize, ToSchema)]
pub struct PriceVersionView {
    /// `YYYY-MM-DD`: the first day these prices apply.
    #[schema(value_type = String)]
    pub effective_from: NaiveDate,
    pub items: Vec<PriceItemView>,
    pub packages: Vec<PackagePriceView>,
}

impl PriceVersionView {
    fn new(p: &PriceList) -> Self {
        PriceVersionView {
            effective_from: p.effective_from,
            items: p
                .items
                .iter()
                .map(|i| PriceItemView {
                    item: i.item.code(),
                    label: i.item.full_label(),
                    connection: i.connection,
                    quarterly: i.quarterly,
                    bundle: i.item.bundle().map(|b| b.code()),
                    russia_only: i.item.russia_only(),
                    needs_avn_asp: i.item.needs_avn_asp(),
                })
                .collect(),
            packages: p
                .packages
                .iter()
                .map(|p| PackagePriceView {
                    package: p.package.code(),
                    label: p.package.label(),
                    hours: p.package.hours(),
                    price: p.price,
                })
                .collect(),
        }
    }
}

/// A network's price list: the version in force today and every version.
#[derive(Serialize, ToSchema)]
pub struct PriceListView {
    #[schema(value_type = String)]
    pub network: NetworkId,
    /// The version to send back with a change (0 while only the seed is in force).
    pub version: u64,
    /// The version in force today.
    pub current: PriceVersionView,
    /// Every version, oldest first (the seed first).
    pub versions: Vec<PriceVersionView>,
}

impl PriceListView {
    /// The price list as of `today`.
    pub fn new(network: &NetworkId, lists: &PriceLists, today: NaiveDate) -> Self {
        PriceListView {
            network: network.clone(),
            version: lists.version,
            current: PriceVersionView::new(lists.price_at(today)),
            versions: lists.versions().iter().map(PriceVersionView::new).collect(),
        }
    }
}

/// A module of a subscription, priced by today's price list.
#[derive(Serialize, ToSchema)]
pub struct ModuleView {
    pub item: &'static str,
    pub label: String,
    #[schema(value_type = String)]
    pub connected_on: NaiveDate,
    #[schema(value_type = Option<String>)]
    pub disconnected_on: Option<NaiveDate>,
    /// Whether it works today.
    pub active: bool,
    #[schema(value_type = String)]
    pub connection: Decimal,
    #[schema(value_type = String)]
    pub quarterly: Decimal,
}

/// One change of a subscription.
#[derive(Serialize, ToSchema)]
pub struct SubscriptionChangeView {
    /// RFC 3339 UTC.
    pub at: String,
    /// Moscow time, `03.12.2026 09:00`.
    pub at_local: String,
    #[schema(value_type = String)]
    pub actor_id: UserId,
    pub actor_name: String,
    pub version: u64,
    /// What changed, in Russian.
    pub lines: Vec<String>,
}

/// A dealer's subscription with its lines priced by today's price list and its history.
#[derive(Serialize, ToSchema)]
pub struct SubscriptionView {
    #[schema(value_type = String)]
    pub dealer_id: DealerId,
    pub dealer_name: String,
    /// Whether it was ever set (otherwise the fields below are empty).
    pub set: bool,
    #[schema(value_type = Option<String>)]
    pub cso_since: Option<NaiveDate>,
    /// ЦСО's quarterly fee today.
    #[schema(value_type = String)]
    pub cso_quarterly: Decimal,
    pub modules: Vec<ModuleView>,
    /// `hours_15`, `hours_30`, `hours_60`, or none.
    pub package: Option<&'static str>,
    pub package_label: String,
    #[schema(value_type = String)]
    pub package_price: Decimal,
    pub in_russia: bool,
    pub avn_asp: bool,
    pub contract: Option<String>,
    /// ЦСО, the modules working today and the package: the quarter's fee at today's prices.
    #[schema(value_type = String)]
    pub quarterly_total: Decimal,
    /// «69 200 ₽».
    pub quarterly_total_text: String,
    /// The version to send back with a change (0 while never set).
    pub version: u64,
    /// Newest first.
    pub history: Vec<SubscriptionChangeView>,
}

impl SubscriptionView {
    /// The subscription as of `now`, with the authors' names from `names`.
    pub fn new(
        s: &DealerSubscription,
        now: chrono::DateTime<chrono::Utc>,
        names: &HashMap<UserId, String>,
    ) -> Self {
        let today = platform_date(now);
        let prices = s.prices.price_at(today);
        let sub = s.subscription.as_ref();
        let cso_quarterly = prices
            .item(dealerdesk_domain::billing::price_list::PriceItem::Cso)
            .quarterly;
        let modules: Vec<ModuleView> = sub
            .map(|sub| {
                sub.modules
                    .iter()
                    .map(|m| {
                        let price = prices.item(m.item);
                        ModuleView {
                            item: m.item.code(),
                            label: m.item.label().to_string(),
                            connected_on: m.connected_on,
                            disconnected_on: m.disconnected_on,
                            active: m.active_on(today),
                            connection: price.connection,
                            quarterly: price.quarterly,
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        let package = sub.and_then(|s| s.package);
        let package_price = package.map_or(Decimal::ZERO, |p| prices.package(p));
        let quarterly_total = match sub {
            None => Decimal::ZERO,
            Some(_) => {
                cso_quarterly
                    + modules
                        .iter()
                        .filter(|m| m.active)
                        .map(|m| m.quarterly)
                        .sum::<Decimal>()
                    + package_price
            }
        };
        SubscriptionView {
            dealer_id: s.dealer.id.clone(),
            dealer_name: s.dealer.name.clone(),
            set: sub.is_some(),
            cso_since: sub.map(|s| s.cso_since),
            cso_quarterly,
            modules,
            package: package.map(|p| p.code()),
            package_label: package
                .map_or("Без пакета часов", |p| p.label())
                .to_string(),
            package_price,
            in_russia: sub.is_none_or(|s| s.in_russia),
            avn_asp: sub.is_some_and(|s| s.avn_asp),
            contract: sub.and_then(|s| s.contract.clone()),
            quarterly_total,
            quarterly_total_text: format_rub(quarterly_total),
            version: sub.map_or(0, |s| s.version),
            history: s
                .history
                .iter()
                .rev()
                .map(|c| change_view(c, names))
                .collect(),
        }
    }
}

fn change_view(c: &SubscriptionChange, names: &HashMap<UserId, String>) -> SubscriptionChangeView {
    SubscriptionChangeView {
        at: utc(c.at),
        at_local: local(c.at),
        actor_id: c.actor_id.clone(),
        actor_name: names
            .get(&c.actor_id)
            .cloned()
            .unwrap_or_else(|| c.actor_id.to_string()),
        version: c.version,
        lines: c.lines.clone(),
    }
}

/// Requisites on a document.
#[derive(Serialize, ToSchema)]
pub struct RequisitesView {
    pub legal_name: String,
    /// ИНН.
    pub inn: String,
    /// КПП (none for an entrepreneur).
    pub kpp: Option<String>,
    pub address: String,
    pub bank_name: Option<String>,
    /// БИК.
    pub bik: Option<String>,
    /// Расчётный счёт.
    pub account: Option<String>,
    /// Корреспондентский счёт.
    pub correspondent_account: Option<String>,
}

impl RequisitesView {
    /// The requisites as the API shows them.
    pub fn new(r: &Requisites) -> Self {
        RequisitesView {
            legal_name: r.legal_name.clone(),
            inn: r.inn.clone(),
            kpp: r.kpp.clone(),
            address: r.address.clone(),
            bank_name: r.bank.as_ref().map(|b| b.bank_name.clone()),
            bik: r.bank.as_ref().map(|b| b.bik.clone()),
            account: r.bank.as_ref().map(|b| b.account.clone()),
            correspondent_account: r.bank.as_ref().map(|b| b.correspondent_account.clone()),
        }
    }
}

/// A dealer's requisites (admin only).
#[derive(Serialize, ToSchema)]
pub struct DealerRequisitesView {
    #[schema(value_type = String)]
    pub dealer_id: DealerId,
    pub dealer_name: String,
    /// None until the admin enters them.
    pub requisites: Option<RequisitesView>,
    /// RFC 3339 UTC of the last change.
    pub updated_at: Option<String>,
    /// The version to send back with a change (0 while none).
    pub version: u64,
}

impl DealerRequisitesView {
    /// The dealer and its stored requisites.
    pub fn new(dealer: &DealerRecord, stored: Option<&DealerRequisites>) -> Self {
        DealerRequisitesView {
            dealer_id: dealer.id.clone(),
            dealer_name: dealer.name.clone(),
            requisites: stored.map(|r| RequisitesView::new(&r.requisites)),
            updated_at: stored.map(|r| utc(r.updated_at)),
            version: stored.map_or(0, |r| r.version),
        }
    }
}

/// The VAT regime.
#[derive(Serialize, ToSchema)]
pub struct VatView {
    /// `rate` or `none` (the simplified regime).
    pub mode: &'static str,
    /// The rate in percent under `rate`.
    #[schema(value_type = Option<String>)]
    pub percent: Option<Decimal>,
    /// Whether prices include VAT.
    pub included: bool,
    /// «НДС 22 %, включён в цены» / «Без НДС».
    pub label: String,
}

impl VatView {
    /// The regime as the API shows it.
    pub fn new(vat: Vat) -> Self {
        match vat {
            Vat::None => VatView {
                mode: "none",
                percent: None,
                included: false,
                label: "Без НДС".into(),
            },
            Vat::Rate { percent, included } => VatView {
                mode: "rate",
                percent: Some(percent),
                included,
                label: format!(
                    "НДС {percent}\u{a0}%, {}",
                    if included {
                        "включён в цены"
                    } else {
                        "сверх цен"
                    }
                ),
            },
        }
    }
}

/// The platform's billing settings.
#[derive(Serialize, ToSchema)]
pub struct BillingSettingsView {
    /// The platform as seller; none until entered (the bill run needs them).
    pub seller: Option<RequisitesView>,
    pub vat: VatView,
    /// Days an invoice gives to pay.
    pub payment_days: u32,
    /// The version to send back with a change (0 while the defaults are in force).
    pub version: u64,
}

impl BillingSettingsView {
    /// The settings as the API shows them.
    pub fn new(s: &BillingSettings) -> Self {
        BillingSettingsView {
            seller: s.seller.as_ref().map(RequisitesView::new),
            vat: VatView::new(s.vat),
            payment_days: s.payment_days,
            version: s.version,
        }
    }
}

/// An issued document in a list.
#[derive(Serialize, ToSchema)]
pub struct DocumentView {
    pub id: String,
    #[schema(value_type = String)]
    pub dealer_id: DealerId,
    pub dealer_name: String,
    /// `invoice` or `act`.
    pub kind: &'static str,
    /// «Счёт на оплату» / «Акт выполненных работ (оказанных услуг)».
    pub kind_label: &'static str,
    /// `2026-0042`.
    pub number: String,
    #[schema(value_type = String)]
    pub date: NaiveDate,
    /// «31.12.2026».
    pub date_text: String,
    /// `2026-Q4`.
    pub quarter: String,
    /// «IV квартал 2026 г.».
    pub quarter_label: String,
    /// To pay, ₽.
    #[schema(value_type = String)]
    pub total: Decimal,
    /// The VAT in the total, ₽ (0 without VAT).
    #[schema(value_type = String)]
    pub vat: Decimal,
    /// «59 300 ₽».
    pub total_text: String,
    /// `issued` or `paid`.
    pub status: &'static str,
    pub status_label: &'static str,
    /// An invoice's due date.
    #[schema(value_type = Option<String>)]
    pub due: Option<NaiveDate>,
    /// «15.01.2027».
    pub due_text: Option<String>,
    /// An unpaid invoice past its due date.
    pub overdue: bool,
    /// For a corrective document: the number of the one it corrects.
    pub corrects: Option<String>,
    /// The corrective document that replaced this one.
    pub corrected_by: Option<String>,
    /// `/api/documents/<id>`: the PDF.
    pub download_url: String,
    /// The version to send with the admin's moves.
    pub version: u64,
}

impl DocumentView {
    /// The document as of `today`, with its dealer's name from `names`.
    pub fn new(
        d: &dealerdesk_domain::billing::issued::IssuedDocument,
        today: NaiveDate,
        names: &HashMap<DealerId, String>,
    ) -> Self {
        let totals = d.document.totals();
        DocumentView {
            id: d.id.clone(),
            dealer_id: d.dealer_id.clone(),
            dealer_name: names
                .get(&d.dealer_id)
                .cloned()
                .unwrap_or_else(|| d.dealer_id.to_string()),
            kind: d.kind().code(),
            kind_label: dealerdesk_domain::billing::issued::kind_label(d.kind()),
            number: d.document.number.clone(),
            date: d.document.date,
            date_text: d.document.date.format("%d.%m.%Y").to_string(),
            quarter: d.quarter.code(),
            quarter_label: d.quarter.label(),
            total: totals.total.normalize(),
            vat: totals.vat.normalize(),
            total_text: format_rub(totals.total),
            status: d.status.code(),
            status_label: d.status.label(),
            due: d.document.due,
            due_text: d.document.due.map(|due| due.format("%d.%m.%Y").to_string()),
            overdue: d.is_overdue(today),
            corrects: d.document.corrects.as_ref().map(|r| r.number.clone()),
            corrected_by: d.corrected_by.clone(),
            download_url: format!("/api/documents/{}", d.id),
            version: d.version,
        }
    }
}

/// A list of documents, newest first.
#[derive(Serialize, ToSchema)]
pub struct DocumentListView {
    pub items: Vec<DocumentView>,
}
