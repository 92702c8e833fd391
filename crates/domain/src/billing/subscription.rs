//! A dealer's subscription (SPEC §3): ЦСО from a date, the modules connected to it with
//! their connection (and disconnection) dates, and an hour package or none — checked
//! against the price list's rules: the "or / +" pairs are exclusive, some modules are sold
//! in Russia only, online payment needs the dealer's АВН/АСП agreement.
//!
//! Admins and the dealer's account manager change it; each change is a new version with a
//! [`SubscriptionChange`] that says, in Russian, what changed and from which dates.

use crate::access::Actor;
use crate::billing::SupportPackage;
use crate::billing::price_list::{Bundle, PriceItem};
use crate::error::ValidationError;
use crate::ids::{DealerId, UserId};
use crate::kernel::{FieldError, Refusal, RefusalKind, Refuse, TextRule};
use crate::role::Role;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// A module of the subscription and the days it is connected.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectedModule {
    pub item: PriceItem,
    /// The first day it works (and is paid for).
    pub connected_on: NaiveDate,
    /// The first day it no longer works; none while connected.
    pub disconnected_on: Option<NaiveDate>,
}

impl ConnectedModule {
    /// Whether the module works on `day`.
    pub fn active_on(&self, day: NaiveDate) -> bool {
        self.connected_on <= day && self.disconnected_on.is_none_or(|off| day < off)
    }

    /// Whether its days overlap `other`'s.
    fn overlaps(&self, other: &ConnectedModule) -> bool {
        let ends_before = |a: &ConnectedModule, b: &ConnectedModule| {
            a.disconnected_on.is_some_and(|off| off <= b.connected_on)
        };
        !ends_before(self, other) && !ends_before(other, self)
    }
}

/// A dealer's subscription, at one version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscription {
    pub dealer_id: DealerId,
    /// ЦСО is paid from this day on.
    pub cso_since: NaiveDate,
    /// The modules, in the order they were given.
    pub modules: Vec<ConnectedModule>,
    /// The quarterly hour package, if any.
    pub package: Option<SupportPackage>,
    /// The dealer works in Russia (some modules are sold there only).
    pub in_russia: bool,
    /// The dealer has the АВН/АСП agreement online payment needs.
    pub avn_asp: bool,
    /// The contract the documents name as their basis, e.g. «Договор № 17 от 01.02.2025».
    pub contract: Option<String>,
    /// 1 for the first saved version.
    pub version: u64,
    pub updated_at: DateTime<Utc>,
    pub updated_by: Option<UserId>,
}

impl Subscription {
    /// The modules working on `day`.
    pub fn modules_on(&self, day: NaiveDate) -> impl Iterator<Item = &ConnectedModule> {
        self.modules.iter().filter(move |m| m.active_on(day))
    }
}

/// One change of a subscription: who, when, and what changed, in Russian.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriptionChange {
    pub dealer_id: DealerId,
    pub at: DateTime<Utc>,
    pub actor_id: UserId,
    /// The version the change produced.
    pub version: u64,
    /// «Подключён модуль «SSL-сертификат» с 01.10.2026», «Пакет часов: нет → Пакет 15 часов».
    pub lines: Vec<String>,
}

/// A subscription as the editor sent it, unchecked.
#[derive(Clone, Debug, Default)]
pub struct SubscriptionDraft {
    /// `YYYY-MM-DD`.
    pub cso_since: Option<String>,
    pub modules: Vec<ModuleDraft>,
    /// A package code, or empty for none.
    pub package: Option<String>,
    pub in_russia: bool,
    pub avn_asp: bool,
    pub contract: Option<String>,
}

/// One module as sent.
#[derive(Clone, Debug, Default)]
pub struct ModuleDraft {
    pub item: String,
    pub connected_on: Option<String>,
    pub disconnected_on: Option<String>,
}

/// Why a subscription change is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SubscriptionError {
    /// Only admins and account managers change subscriptions.
    #[error("only admins and account managers change subscriptions")]
    NotEditor,
    /// Both the single module and the bundle of an "or / +" pair at once.
    #[error("both items of the {0:?} pair")]
    BundleExclusive(Bundle),
    /// A module sold in Russia only, for a dealer outside Russia.
    #[error("{0:?} is sold in Russia only")]
    RussiaOnly(PriceItem),
    /// Online payment without the АВН/АСП agreement.
    #[error("{0:?} needs the АВН/АСП agreement")]
    NeedsAvnAsp(PriceItem),
    #[error(transparent)]
    Invalid(#[from] ValidationError),
}

impl Refuse for SubscriptionError {
    fn refusal(&self) -> Refusal {
        let rule = |code: &'static str, message: String| {
            Refusal::new(RefusalKind::Invalid, code, message.clone()).with_fields(vec![
                FieldError {
                    field: "modules",
                    message,
                },
            ])
        };
        match self {
            SubscriptionError::NotEditor => Refusal::new(
                RefusalKind::Forbidden,
                "forbidden",
                "Подписку меняют администратор и аккаунт-менеджер дилера.",
            ),
            SubscriptionError::BundleExclusive(bundle) => rule(
                "bundle_exclusive",
                format!(
                    "{}: подключается либо один модуль, либо оба вместе — не то и другое сразу.",
                    bundle.label()
                ),
            ),
            SubscriptionError::RussiaOnly(item) => rule(
                "russia_only",
                format!(
                    "Модуль «{}» доступен только дилерам в России.",
                    item.label()
                ),
            ),
            SubscriptionError::NeedsAvnAsp(item) => rule(
                "needs_avn_asp",
                format!(
                    "Для модуля «{}» нужен договор АВН/АСП с дилером.",
                    item.label()
                ),
            ),
            SubscriptionError::Invalid(e) => e.refusal(),
        }
    }
}

const CONTRACT: TextRule = TextRule::line("contract", "Договор", "Укажите договор с дилером.", 200);

fn date(raw: Option<&str>) -> Result<Option<NaiveDate>, ()> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(raw) => NaiveDate::parse_from_str(raw, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| ()),
    }
}

fn day_text(d: NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

impl SubscriptionDraft {
    /// The draft checked field by field and against the price list's rules.
    pub fn validate(&self, dealer: &DealerId) -> Result<Checked, SubscriptionError> {
        let mut errors = Vec::new();
        let cso_since = match date(self.cso_since.as_deref()) {
            Ok(Some(d)) => Some(d),
            Ok(None) => {
                errors.push(FieldError {
                    field: "cso_since",
                    message: "Укажите дату подключения ЦСО.".into(),
                });
                None
            }
            Err(()) => {
                errors.push(FieldError {
                    field: "cso_since",
                    message: "Дата подключения ЦСО — в формате ГГГГ-ММ-ДД.".into(),
                });
                None
            }
        };
        let package = match self.package.as_deref().map(str::trim) {
            None | Some("") | Some("none") => None,
            Some(code) => match SupportPackage::from_code(code) {
                Some(p) => Some(p),
                None => {
                    errors.push(FieldError {
                        field: "package",
                        message: "Пакет часов — hours_15, hours_30, hours_60 или none.".into(),
                    });
                    None
                }
            },
        };
        let contract = CONTRACT
            .optional(self.contract.as_deref())
            .map_err(|e| errors.push(e))
            .ok()
            .flatten();
        let mut modules: Vec<ConnectedModule> = Vec::new();
        for m in &self.modules {
            let item = match PriceItem::from_code(m.item.trim()) {
                Some(item) if item.is_module() => item,
                _ => {
                    errors.push(FieldError {
                        field: "modules",
                        message: format!("Неизвестный модуль «{}».", m.item.trim()),
                    });
                    continue;
                }
            };
            let on = date(m.connected_on.as_deref());
            let off = date(m.disconnected_on.as_deref());
            let (Ok(Some(on)), Ok(off)) = (on, off) else {
                errors.push(FieldError {
                    field: "modules",
                    message: format!(
                        "Модуль «{}»: даты подключения (обязательна) и отключения — в формате ГГГГ-ММ-ДД.",
                        item.label()
                    ),
                });
                continue;
            };
            if off.is_some_and(|off| off <= on) {
                errors.push(FieldError {
                    field: "modules",
                    message: format!(
                        "Модуль «{}»: дата отключения должна быть позже даты подключения.",
                        item.label()
                    ),
                });
                continue;
            }
            if cso_since.is_some_and(|cso| on < cso) {
                errors.push(FieldError {
                    field: "modules",
                    message: format!(
                        "Модуль «{}» не может работать раньше ЦСО: подключите его не раньше даты подключения ЦСО.",
                        item.label()
                    ),
                });
                continue;
            }
            let module = ConnectedModule {
                item,
                connected_on: on,
                disconnected_on: off,
            };
            if modules
                .iter()
                .any(|other| other.item == item && other.overlaps(&module))
            {
                errors.push(FieldError {
                    field: "modules",
                    message: format!(
                        "Модуль «{}» указан дважды на одни и те же дни.",
                        item.label()
                    ),
                });
                continue;
            }
            modules.push(module);
        }
        if !errors.is_empty() {
            return Err(ValidationError { errors }.into());
        }
        for (i, a) in modules.iter().enumerate() {
            for b in &modules[i + 1..] {
                if let Some(bundle) = a.item.bundle()
                    && a.item != b.item
                    && b.item.bundle() == Some(bundle)
                    && a.overlaps(b)
                {
                    return Err(SubscriptionError::BundleExclusive(bundle));
                }
            }
        }
        for m in &modules {
            if m.item.russia_only() && !self.in_russia {
                return Err(SubscriptionError::RussiaOnly(m.item));
            }
            if m.item.needs_avn_asp() && !self.avn_asp {
                return Err(SubscriptionError::NeedsAvnAsp(m.item));
            }
        }
        Ok(Checked {
            dealer_id: dealer.clone(),
            cso_since: cso_since.expect("checked above"),
            modules,
            package,
            in_russia: self.in_russia,
            avn_asp: self.avn_asp,
            contract,
        })
    }
}

/// A draft that passed every rule, before it becomes a version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checked {
    dealer_id: DealerId,
    cso_since: NaiveDate,
    modules: Vec<ConnectedModule>,
    package: Option<SupportPackage>,
    in_russia: bool,
    avn_asp: bool,
    contract: Option<String>,
}

/// Whether `role` changes subscriptions: admins and account managers (of their own
/// dealers, which is the caller's scope check). Dealers read theirs only.
pub fn may_edit(role: Role) -> bool {
    matches!(role, Role::Admin | Role::AccountManager)
}

/// `actor` changes (or first sets) a dealer's subscription at `now`: the next version and
/// the change that records what changed, or `None` when nothing does. Whether the dealer
/// is the account manager's own is the caller's check (a foreign dealer is a 404 there).
pub fn change_subscription(
    current: Option<&Subscription>,
    actor: &Actor,
    dealer: &DealerId,
    draft: &SubscriptionDraft,
    now: DateTime<Utc>,
) -> Result<Option<(Subscription, SubscriptionChange)>, SubscriptionError> {
    if !may_edit(actor.role) {
        return Err(SubscriptionError::NotEditor);
    }
    let c = draft.validate(dealer)?;
    let next = Subscription {
        dealer_id: c.dealer_id,
        cso_since: c.cso_since,
        modules: c.modules,
        package: c.package,
        in_russia: c.in_russia,
        avn_asp: c.avn_asp,
        contract: c.contract,
        version: current.map_or(1, |s| s.version + 1),
        updated_at: now,
        updated_by: Some(actor.user_id.clone()),
    };
    let lines = describe(current, &next);
    if lines.is_empty() {
        return Ok(None);
    }
    let change = SubscriptionChange {
        dealer_id: dealer.clone(),
        at: now,
        actor_id: actor.user_id.clone(),
        version: next.version,
        lines,
    };
    Ok(Some((next, change)))
}

/// What changed from `old` to `new`, one Russian line each.
fn describe(old: Option<&Subscription>, new: &Subscription) -> Vec<String> {
    let mut lines = Vec::new();
    if old.is_none_or(|o| o.cso_since != new.cso_since) {
        lines.push(format!("ЦСО подключён с {}", day_text(new.cso_since)));
    }
    let old_modules: &[ConnectedModule] = old.map_or(&[], |o| &o.modules);
    for m in &new.modules {
        if old_modules.contains(m) {
            continue;
        }
        let mut line = format!(
            "Модуль «{}»: подключён с {}",
            m.item.label(),
            day_text(m.connected_on)
        );
        if let Some(off) = m.disconnected_on {
            line.push_str(&format!(", отключён с {}", day_text(off)));
        }
        lines.push(line);
    }
    for m in old_modules {
        if !new.modules.contains(m) && !new.modules.iter().any(|n| n.item == m.item) {
            lines.push(format!("Модуль «{}» убран из подписки", m.item.label()));
        }
    }
    let package = |p: Option<SupportPackage>| p.map_or("нет", SupportPackage::label);
    let old_package = old.and_then(|o| o.package);
    if old.is_none() || old_package != new.package {
        lines.push(format!(
            "Пакет часов: {} → {}",
            package(old_package),
            package(new.package)
        ));
    }
    let yes = |b: bool| if b { "да" } else { "нет" };
    if old.is_some_and(|o| o.in_russia != new.in_russia) {
        lines.push(format!("Дилер в России: {}", yes(new.in_russia)));
    }
    if old.is_some_and(|o| o.avn_asp != new.avn_asp) {
        lines.push(format!("Договор АВН/АСП: {}", yes(new.avn_asp)));
    }
    if old.map_or(new.contract.is_some(), |o| o.contract != new.contract) {
        lines.push(format!(
            "Договор: {}",
            new.contract.as_deref().unwrap_or("не указан")
        ));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn actor(role: Role) -> Actor {
        Actor {
            user_id: UserId::new("u1"),
            role,
            dealer_id: (role == Role::Dealer).then(|| DealerId::new("d1")),
        }
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 3, 9, 0, 0).unwrap()
    }

    fn module(item: &str, on: &str) -> ModuleDraft {
        ModuleDraft {
            item: item.into(),
            connected_on: Some(on.into()),
            disconnected_on: None,
        }
    }

    fn draft(modules: Vec<ModuleDraft>) -> SubscriptionDraft {
        SubscriptionDraft {
            cso_since: Some("2025-02-01".into()),
            modules,
            package: Some("hours_15".into()),
            in_russia: true,
            avn_asp: false,
            contract: Some("Договор № 17 от 01.02.2025".into()),
        }
    }

    fn change(
        current: Option<&Subscription>,
        d: &SubscriptionDraft,
    ) -> Result<Option<(Subscription, SubscriptionChange)>, SubscriptionError> {
        change_subscription(current, &actor(Role::Admin), &DealerId::new("d1"), d, now())
    }

    #[test]
    fn a_first_subscription_records_cso_modules_and_package_with_their_dates() {
        let (sub, ch) = change(None, &draft(vec![module("ssl", "2026-10-15")]))
            .unwrap()
            .unwrap();
        assert_eq!(sub.version, 1);
        assert_eq!(sub.package, Some(SupportPackage::Hours15));
        assert_eq!(
            ch.lines,
            vec![
                "ЦСО подключён с 01.02.2025",
                "Модуль «SSL-сертификат»: подключён с 15.10.2026",
                "Пакет часов: нет → Пакет 15 часов",
                "Договор: Договор № 17 от 01.02.2025",
            ]
        );
        // The same again changes nothing.
        assert_eq!(
            change(Some(&sub), &draft(vec![module("ssl", "2026-10-15")])),
            Ok(None)
        );
    }

    #[test]
    fn cars_in_stock_or_used_cars_excludes_the_bundle_of_both() {
        let err = change(
            None,
            &draft(vec![
                module("stock_or_used", "2025-03-01"),
                module("stock_and_used", "2026-01-01"),
            ]),
        )
        .unwrap_err();
        assert_eq!(err, SubscriptionError::BundleExclusive(Bundle::Cars));
        assert_eq!(err.refusal().code, "bundle_exclusive");
        // Switching from one to the bundle on a date is fine: their days do not overlap.
        let mut single = module("calculator_one", "2025-03-01");
        single.disconnected_on = Some("2026-01-01".into());
        assert!(
            change(
                None,
                &draft(vec![single, module("calculator_both", "2026-01-01")])
            )
            .is_ok()
        );
    }

    #[test]
    fn trade_in_is_for_russia_only_and_online_payment_needs_avn_asp() {
        let mut abroad = draft(vec![module("trade_in", "2026-01-01")]);
        abroad.in_russia = false;
        assert_eq!(
            change(None, &abroad),
            Err(SubscriptionError::RussiaOnly(PriceItem::TradeIn))
        );
        let pay = draft(vec![module("online_payment", "2026-01-01")]);
        let err = change(None, &pay).unwrap_err();
        assert_eq!(
            err,
            SubscriptionError::NeedsAvnAsp(PriceItem::OnlinePayment)
        );
        assert!(err.refusal().message.contains("АВН/АСП"));
        let mut with_agreement = pay.clone();
        with_agreement.avn_asp = true;
        assert!(change(None, &with_agreement).is_ok());
    }

    #[test]
    fn only_admins_and_account_managers_change_a_subscription() {
        for role in [
            Role::Dealer,
            Role::Accountant,
            Role::Specialist,
            Role::BrandAdmin,
        ] {
            assert_eq!(
                change_subscription(
                    None,
                    &actor(role),
                    &DealerId::new("d1"),
                    &draft(vec![]),
                    now()
                ),
                Err(SubscriptionError::NotEditor)
            );
        }
        assert!(
            change_subscription(
                None,
                &actor(Role::AccountManager),
                &DealerId::new("d1"),
                &draft(vec![]),
                now()
            )
            .is_ok()
        );
    }

    #[test]
    fn bad_dates_and_unknown_modules_are_refused_field_by_field() {
        let mut d = draft(vec![
            module("cso", "2026-01-01"),
            module("ssl", "2024-01-01"),
            module("landing", "01.01.2026"),
        ]);
        d.package = Some("hours_100".into());
        let r = change(None, &d).unwrap_err().refusal();
        assert_eq!(r.kind, RefusalKind::Invalid);
        let fields: Vec<_> = r.fields.iter().map(|f| f.field).collect();
        assert_eq!(fields, vec!["package", "modules", "modules", "modules"]);
        assert!(r.message.contains("раньше ЦСО"), "{}", r.message);
    }

    #[test]
    fn a_removed_module_and_a_new_package_are_in_the_history() {
        let (sub, _) = change(None, &draft(vec![module("ssl", "2026-01-01")]))
            .unwrap()
            .unwrap();
        let mut d = draft(vec![]);
        d.package = None;
        let (next, ch) = change(Some(&sub), &d).unwrap().unwrap();
        assert_eq!(next.version, 2);
        assert_eq!(
            ch.lines,
            vec![
                "Модуль «SSL-сертификат» убран из подписки",
                "Пакет часов: Пакет 15 часов → нет"
            ]
        );
    }
}
