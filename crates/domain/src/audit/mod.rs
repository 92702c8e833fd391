//! The audit log (SPEC §4.7): every stored change of an aggregate — who, when, which item,
//! and each field's old and new value.
//!
//! The store computes the fields of an item before and after a save as flat `path → text`
//! maps; [`changes`] turns two such maps into the entry's field changes, with the
//! customers' personal data masked ([`is_personal`], [`mask`]) before anything is stored,
//! so the log never holds a phone, an e-mail or a name in clear and an anonymisation has
//! nothing to scrub in it. [`AuditQueryDraft`] is the admin's search (by item, user,
//! period) as typed, checked into an [`AuditQuery`].

pub mod deletion;

pub use deletion::{Deletable, Deletion, DeletionError, may_delete, next_deletion};

use crate::calendar::PLATFORM_TZ;
use crate::kernel::{Refusal, RefusalKind, Refuse};
use crate::{Role, UserId};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use std::collections::{BTreeMap, BTreeSet};

crate::coded_enum! {
    /// What kind of item an audit entry is about.
    pub enum AuditKind {
        Ticket = "ticket" / "Обращение",
        Lead = "lead" / "Заявка",
        Wish = "wish" / "Пожелание",
        User = "user" / "Пользователь",
        Settings = "settings" / "Настройки платформы",
        Customer = "customer" / "Профиль клиента",
        LeadNetwork = "lead_network" / "Правила распределения заявок",
        Subscription = "subscription" / "Подписка дилера",
        PriceList = "price_list" / "Прайс-лист сети",
        BillingSettings = "billing_settings" / "Платёжные настройки",
        Requisites = "requisites" / "Реквизиты дилера",
        Document = "document" / "Документ (счёт, акт)",
    }
}

/// The item an entry is about: its kind and its id (`ticket:DD-1001`, `settings:platform`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AuditItem {
    pub kind: AuditKind,
    pub id: String,
}

/// Longest item id accepted in a search: every id of the platform is far shorter.
const MAX_ITEM_ID_LEN: usize = 100;

impl AuditItem {
    /// An item of `kind` with `id`.
    pub fn new(kind: AuditKind, id: impl Into<String>) -> AuditItem {
        AuditItem {
            kind,
            id: id.into(),
        }
    }

    /// `kind:id`, as the API and the store carry it.
    pub fn code(&self) -> String {
        format!("{}:{}", self.kind.code(), self.id)
    }

    /// Reads `kind:id`; `None` for anything else.
    pub fn parse(code: &str) -> Option<AuditItem> {
        let (kind, id) = code.split_once(':')?;
        let kind = AuditKind::from_code(kind)?;
        let plain = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
        if id.is_empty() || id.len() > MAX_ITEM_ID_LEN || !id.chars().all(plain) {
            return None;
        }
        Some(AuditItem::new(kind, id))
    }
}

/// One field's change: `None` where the field was (or became) absent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldChange {
    /// The field's path in the item (`status`, `data.contact.outcome`).
    pub field: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// One stored change of an item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEntry {
    pub item: AuditItem,
    /// The item's version this change produced.
    pub version: u64,
    pub at: DateTime<Utc>,
    /// `None` for the platform itself (a scheduled job, the SLA watch).
    pub by: Option<UserId>,
    pub changes: Vec<FieldChange>,
}

/// Field names (the last part of a path) whose values are a customer's personal data
/// (152-ФЗ): shown masked wherever the log is shown, and stored masked.
const PERSONAL_FIELDS: [&str; 10] = [
    "name",
    "surname",
    "patronymic",
    "phone",
    "phones",
    "email",
    "emails",
    "address",
    "ip",
    "customer_name",
];

/// Whether the field at `path` holds personal data.
pub fn is_personal(path: &str) -> bool {
    let leaf = path.rsplit('.').next().unwrap_or(path);
    PERSONAL_FIELDS.contains(&leaf)
}

/// A personal value with enough left to tell two apart and nothing more: an e-mail keeps
/// its first letter and its domain (`i***@example.ru`), a phone its first two and last two
/// digits (`+7*******67`), anything else its first letter (`И***`). A list (JSON text) is
/// (items joined by `, `) is masked item by item.
pub fn mask(value: &str) -> String {
    if value.contains(", ") {
        return value.split(", ").map(mask).collect::<Vec<_>>().join(", ");
    }
    let chars: Vec<char> = value.chars().collect();
    if chars.is_empty() {
        return String::new();
    }
    if let Some(at) = value.find('@') {
        let first = value.chars().next().map(String::from).unwrap_or_default();
        return format!("{first}***{}", &value[at..]);
    }
    let digits = chars.iter().filter(|c| c.is_ascii_digit()).count();
    if digits >= 5 && digits * 2 >= chars.len() {
        let head: String = chars.iter().take(2).collect();
        let tail: String = chars[chars.len().saturating_sub(2)..].iter().collect();
        let stars = "*".repeat(chars.len().saturating_sub(4).max(3));
        return format!("{head}{stars}{tail}");
    }
    format!("{}***", chars[0])
}

/// Fields that change with every save and say nothing a person changed (the version, the
/// time of the change — the entry has both already).
fn is_bookkeeping(path: &str) -> bool {
    let leaf = path.rsplit('.').next().unwrap_or(path);
    matches!(leaf, "version" | "updated_at")
}

/// The field changes between an item's fields before (`None`: it is new) and after a save,
/// in path order, personal values masked.
pub fn changes(
    before: Option<&BTreeMap<String, String>>,
    after: &BTreeMap<String, String>,
) -> Vec<FieldChange> {
    let empty = BTreeMap::new();
    let before = before.unwrap_or(&empty);
    let mut paths: Vec<&String> = before.keys().chain(after.keys()).collect();
    paths.sort();
    paths.dedup();
    paths
        .into_iter()
        .filter(|path| !is_bookkeeping(path))
        .filter_map(|path| {
            let old = before.get(path);
            let new = after.get(path);
            if old == new {
                return None;
            }
            let shown = |v: Option<&String>| {
                v.map(|v| {
                    if is_personal(path) {
                        mask(v)
                    } else {
                        v.clone()
                    }
                })
            };
            Some(FieldChange {
                field: path.clone(),
                old: shown(old),
                new: shown(new),
            })
        })
        .collect()
}

/// The paths whose values differ between two field maps (bookkeeping left out): what a
/// change such as an anonymisation touched.
pub fn changed_paths(
    before: &BTreeMap<String, String>,
    after: &BTreeMap<String, String>,
) -> BTreeSet<String> {
    changes(Some(before), after)
        .into_iter()
        .map(|c| c.field)
        .collect()
}

/// The entry with every value of `paths` replaced by «[удалено]» (an anonymisation, SPEC
/// §4.5 / 152-ФЗ: the log keeps that a field changed, not what it held); `None` when the
/// entry has none of them.
pub fn erase(entry: &AuditEntry, paths: &BTreeSet<String>) -> Option<AuditEntry> {
    let erased = |v: &Option<String>| v.as_ref().map(|_| crate::lead::ERASED.to_string());
    let mut touched = false;
    let changes = entry
        .changes
        .iter()
        .map(|c| {
            if paths.contains(&c.field) {
                let scrubbed = FieldChange {
                    field: c.field.clone(),
                    old: erased(&c.old),
                    new: erased(&c.new),
                };
                touched |= scrubbed != *c;
                scrubbed
            } else {
                c.clone()
            }
        })
        .collect();
    touched.then(|| AuditEntry {
        changes,
        ..entry.clone()
    })
}

/// The Russian name of a field people change, for the log's tables; `None` for a field
/// without one (shown by its path).
pub fn field_label(path: &str) -> Option<&'static str> {
    Some(match path {
        "status" | "data.status" => "Статус",
        "state" => "Состояние",
        "resume" => "Куда вернётся после ответа",
        "category" => "Категория",
        "criticality" => "Критичность",
        "billing" => "Оплата",
        "title" => "Тема",
        "text" | "description" => "Текст",
        "dealer_id" | "data.dealer" => "Дилер",
        "data.observer" => "Наблюдатель",
        "data.customer" => "Профиль клиента",
        "data.city" => "Город",
        "data.preferred_dealer" => "Предпочитаемый дилер",
        "data.model" => "Модель",
        "data.model_version" => "Версия",
        "data.trim" => "Комплектация",
        "data.price" => "Цена",
        "data.comment" => "Комментарий",
        "data.contact.outcome.answer" => "Контакт",
        "data.contact.outcome.reason" => "Контакт: причина",
        "data.contact.outcome.text" => "Контакт: причина (текст)",
        "data.contact.contacted_at" => "Дата контакта",
        "data.contact.comment" => "Комментарий к контакту",
        "data.contract.outcome.answer" => "Договор",
        "data.contract.outcome.reason" => "Договор: причина",
        "data.contract.outcome.text" => "Договор: причина (текст)",
        "data.contract.contract_at" => "Дата договора",
        "data.contract.comment" => "Комментарий к договору",
        "data.survey.answer" => "Опрос клиента",
        "data.survey.comment" => "Опрос клиента: комментарий",
        "data.consent.given_at" => "Согласие на обработку персональных данных",
        "data.person.name" => "Имя",
        "data.person.surname" => "Фамилия",
        "data.person.phone" => "Телефон",
        "data.person.email" => "E-mail",
        "data.keys.created_at" => "Создана",
        "data.keys.source" => "Источник",
        "data.keys.kind" => "Тип",
        "data.keys.original_dealer" => "Исходный дилер",
        "data.anonymised_at" => "Обезличена",
        "auto_accept_days" => "Автоматическое принятие результата, рабочих дней",
        "deleted_at" | "data.deleted.at" => "Удалено",
        "deleted_by" | "data.deleted.by" => "Кем удалено",
        "name" => "Имя",
        "email" => "E-mail",
        "role" => "Роль",
        "body.cso_since" => "ЦСО с",
        "body.modules" => "Модули",
        "body.package" => "Пакет часов",
        "body.in_russia" => "Работает в России",
        "body.avn_asp" => "Соглашение АВН/АСП",
        "body.contract" => "Договор",
        "body.payment_days" => "Срок оплаты счёта, дней",
        "added.effective_from" => "Цены действуют с",
        "added.items" => "Цены",
        "added.packages" => "Пакеты часов",
        "issued_at" => "Выставлен",
        "paid_at" => "Оплачен",
        "paid_by" => "Кем отмечена оплата",
        "corrected_by" => "Исправлен документом",
        _ => return None,
    })
}

/// The admin's search as typed: each part optional.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditQueryDraft {
    /// `kind:id`.
    pub item: Option<String>,
    pub user: Option<String>,
    /// A date (`2026-03-01`, the whole Moscow day) or an instant (RFC 3339).
    pub from: Option<String>,
    pub to: Option<String>,
}

/// A checked search: entries of one item and/or by one user, within `[from, to)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditQuery {
    pub item: Option<AuditItem>,
    pub user: Option<UserId>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// Why the audit refuses.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AuditError {
    /// Only admins search the whole log.
    #[error("only admins search the audit log")]
    NotAdmin,
    #[error("bad item")]
    BadItem,
    #[error("bad user")]
    BadUser,
    #[error("bad date in {0}")]
    BadDate(&'static str),
    #[error("the period ends before it starts")]
    BackwardPeriod,
}

impl Refuse for AuditError {
    fn refusal(&self) -> Refusal {
        let invalid = |field: &'static str, message: &str| {
            Refusal::new(RefusalKind::Invalid, "validation_failed", message).with_fields(vec![
                crate::kernel::FieldError {
                    field,
                    message: message.to_string(),
                },
            ])
        };
        match self {
            AuditError::NotAdmin => Refusal::new(
                RefusalKind::Forbidden,
                "forbidden",
                "Журнал изменений просматривает только администратор.",
            ),
            AuditError::BadItem => invalid(
                "item",
                "Объект указывается как вид:номер, например ticket:DD-1001 или lead:01J…",
            ),
            AuditError::BadUser => invalid("user", "Пользователь указан неверно."),
            AuditError::BadDate(field) => invalid(
                field,
                "Дата указывается как ГГГГ-ММ-ДД или как момент времени RFC 3339.",
            ),
            AuditError::BackwardPeriod => invalid("to", "Конец периода раньше его начала."),
        }
    }
}

/// Whether an actor may search the whole log.
pub fn may_search(role: Role) -> bool {
    role == Role::Admin
}

impl AuditQueryDraft {
    /// Checks every part. A date `from` starts at the beginning of its Moscow day, a date
    /// `to` includes its whole day.
    pub fn validate(&self) -> Result<AuditQuery, AuditError> {
        let given = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let item = match given(&self.item) {
            Some(code) => Some(AuditItem::parse(&code).ok_or(AuditError::BadItem)?),
            None => None,
        };
        let user = match given(&self.user) {
            Some(id) => {
                let plain = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
                if id.len() > MAX_ITEM_ID_LEN || !id.chars().all(plain) {
                    return Err(AuditError::BadUser);
                }
                Some(UserId::new(id))
            }
            None => None,
        };
        let from = match given(&self.from) {
            Some(v) => Some(instant(&v, false).ok_or(AuditError::BadDate("from"))?),
            None => None,
        };
        let to = match given(&self.to) {
            Some(v) => Some(instant(&v, true).ok_or(AuditError::BadDate("to"))?),
            None => None,
        };
        if let (Some(from), Some(to)) = (from, to)
            && to <= from
        {
            return Err(AuditError::BackwardPeriod);
        }
        Ok(AuditQuery {
            item,
            user,
            from,
            to,
        })
    }
}

/// An instant, or a Moscow date's start (`end`: the next day's start, so the day is in).
fn instant(text: &str, end: bool) -> Option<DateTime<Utc>> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.with_timezone(&Utc));
    }
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    let date = if end { date.succ_opt()? } else { date };
    let midnight = date.and_hms_opt(0, 0, 0)?;
    PLATFORM_TZ
        .from_local_datetime(&midnight)
        .earliest()
        .map(|at| at.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_status_change_is_one_field_from_old_to_new() {
        let before = fields(&[("status", "new"), ("version", "3")]);
        let after = fields(&[("status", "in_work"), ("version", "4")]);
        assert_eq!(
            changes(Some(&before), &after),
            vec![FieldChange {
                field: "status".into(),
                old: Some("new".into()),
                new: Some("in_work".into()),
            }]
        );
    }

    #[test]
    fn a_creation_lists_every_field_as_new() {
        let after = fields(&[("status", "new"), ("data.city", "Москва")]);
        let c = changes(None, &after);
        assert_eq!(c.len(), 2);
        assert!(c.iter().all(|c| c.old.is_none() && c.new.is_some()));
    }

    #[test]
    fn a_field_that_disappears_becomes_none() {
        let before = fields(&[("data.comment", "перезвонить")]);
        let after = fields(&[]);
        assert_eq!(changes(Some(&before), &after)[0].new, None);
    }

    #[test]
    fn a_customers_phone_email_and_name_are_shown_masked() {
        let before = fields(&[
            ("data.person.phone", "+79161234567"),
            ("data.person.email", "ivan@example.ru"),
            ("data.person.name", "Иван"),
        ]);
        let after = fields(&[
            ("data.person.phone", "+79169876543"),
            ("data.person.email", "petr@example.ru"),
            ("data.person.name", "Пётр"),
        ]);
        let c = changes(Some(&before), &after);
        let shown: Vec<_> = c
            .iter()
            .map(|c| (c.old.clone().unwrap(), c.new.clone().unwrap()))
            .collect();
        assert_eq!(
            shown,
            vec![
                ("i***@example.ru".to_string(), "p***@example.ru".to_string()),
                ("И***".to_string(), "П***".to_string()),
                ("+7********67".to_string(), "+7********43".to_string()),
            ]
        );
    }

    #[test]
    fn a_list_of_phones_is_masked_phone_by_phone() {
        assert_eq!(
            mask("+79161234567, +79031112233"),
            "+7********67, +7********33"
        );
    }

    #[test]
    fn the_version_and_the_change_time_are_not_changes() {
        let before = fields(&[("version", "1"), ("data.updated_at", "a")]);
        let after = fields(&[("version", "2"), ("data.updated_at", "b")]);
        assert!(changes(Some(&before), &after).is_empty());
    }

    #[test]
    fn an_item_is_kind_colon_id() {
        let item = AuditItem::parse("ticket:DD-1001").unwrap();
        assert_eq!(item, AuditItem::new(AuditKind::Ticket, "DD-1001"));
        assert_eq!(item.code(), "ticket:DD-1001");
        assert_eq!(AuditItem::parse("invoice:1"), None);
        assert_eq!(AuditItem::parse("ticket:"), None);
        assert_eq!(AuditItem::parse("ticket:a b"), None);
    }

    #[test]
    fn a_date_period_covers_whole_moscow_days() {
        let q = AuditQueryDraft {
            from: Some("2026-03-01".into()),
            to: Some("2026-03-31".into()),
            ..Default::default()
        }
        .validate()
        .unwrap();
        assert_eq!(q.from.unwrap().to_rfc3339(), "2026-02-28T21:00:00+00:00");
        assert_eq!(q.to.unwrap().to_rfc3339(), "2026-03-31T21:00:00+00:00");
    }

    #[test]
    fn a_period_that_ends_before_it_starts_is_refused() {
        let err = AuditQueryDraft {
            from: Some("2026-03-02".into()),
            to: Some("2026-03-01".into()),
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(err, AuditError::BackwardPeriod);
        assert_eq!(err.refusal().kind, RefusalKind::Invalid);
    }

    #[test]
    fn a_bad_date_or_item_is_refused_in_russian() {
        let bad = AuditQueryDraft {
            from: Some("вчера".into()),
            ..Default::default()
        };
        assert_eq!(bad.validate(), Err(AuditError::BadDate("from")));
        let bad = AuditQueryDraft {
            item: Some("DD-1001".into()),
            ..Default::default()
        };
        let err = bad.validate().unwrap_err();
        assert!(err.refusal().message.starts_with("Объект указывается"));
    }

    #[test]
    fn an_anonymisation_erases_what_the_log_held_of_the_erased_fields() {
        let before = fields(&[
            ("data.comment", "Петров просил звонить жене"),
            ("status", "new"),
        ]);
        let after = fields(&[("data.comment", "[удалено]"), ("status", "new")]);
        let paths = changed_paths(&before, &after);
        let entry = AuditEntry {
            item: AuditItem::new(AuditKind::Lead, "l1"),
            version: 2,
            at: Utc::now(),
            by: None,
            changes: changes(Some(&fields(&[])), &before),
        };
        let erased = erase(&entry, &paths).unwrap();
        let comment = erased
            .changes
            .iter()
            .find(|c| c.field == "data.comment")
            .unwrap();
        assert_eq!(comment.new.as_deref(), Some("[удалено]"));
        let status = erased.changes.iter().find(|c| c.field == "status").unwrap();
        assert_eq!(status.new.as_deref(), Some("new"));
        assert_eq!(erase(&erased, &paths), None, "nothing left to erase");
    }

    #[test]
    fn only_admins_search_the_log() {
        assert!(may_search(Role::Admin));
        assert!(!may_search(Role::Dealer));
    }
}
