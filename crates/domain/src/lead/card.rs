//! The lead card (SPEC §4.3, §4.7): the customer's data, the two status blocks «Контакт» and
//! «Договор», the editable fields, and the history of every change.
//!
//! Integrity by construction: the key properties ([`LeadKeys`]: creation time, source, type,
//! original dealer) and the stamped times (`contacted_at`, `contract_at`) are private fields
//! with getters only. They are written when the lead is created or the first «Да» is recorded,
//! and no operation of this module ever writes them again.

use super::contact::{Email, Phone};
use super::escalation::EscalationStep;
use super::intake::NewLead;
use super::kind::{LeadSource, LeadType};
use super::survey::SurveyResponse;
use super::{CustomerId, LeadId};
use crate::Actor;
use crate::Role;
use crate::kernel::{FieldError, Refusal, RefusalKind, Refuse, TextRule};
use crate::{DealerId, UserId};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

pub(super) const COMMENT: TextRule = TextRule::text("comment", "Комментарий", "", 5_000);
const CONTACT_COMMENT: TextRule =
    TextRule::text("contact_comment", "Комментарий к контакту", "", 5_000);
const CONTRACT_COMMENT: TextRule =
    TextRule::text("contract_comment", "Комментарий к договору", "", 5_000);
const CONTACT_REASON_TEXT: TextRule = TextRule::line(
    "contact_reason_text",
    "Причина",
    "Укажите причину: выбрано «Другое».",
    500,
);
const CONTRACT_REASON_TEXT: TextRule = TextRule::line(
    "contract_reason_text",
    "Причина",
    "Укажите причину: выбрано «Другое».",
    500,
);
const MODEL_VERSION: TextRule = TextRule::line("version", "Версия", "", 100);
const TRIM: TextRule = TextRule::line("trim", "Комплектация", "", 100);
const CITY: TextRule = TextRule::line("city", "Город", "", 100);

crate::coded_enum! {
    /// The overall status of a lead: a pure function of the two blocks ([`status_of`]).
    pub enum LeadStatus {
        New = "new" / "Новый",
        NotProcessed = "not_processed" / "Не обработан",
        AwaitingVisit = "awaiting_visit" / "Ожидание визита",
        Contract = "contract" / "Договор заключен",
        Refused = "refused" / "Отказ",
    }
}

crate::coded_enum! {
    /// Why the answer of the block «Контакт» is «Нет».
    pub enum NoContactReason {
        NoAnswer = "no_answer" / "Не дозвонились",
        WrongNumber = "wrong_number" / "Неверный номер",
        CustomerDeclined = "customer_declined" / "Клиент отказался",
        BoughtElsewhere = "bought_elsewhere" / "Купил в другом месте",
        /// Needs a text.
        Other = "other" / "Другое",
    }
}

crate::coded_enum! {
    /// Why the answer of the block «Договор» is «Нет».
    pub enum NoContractReason {
        Price = "price" / "Не устроила цена",
        CreditTerms = "credit_terms" / "Не устроили условия кредита",
        OtherModel = "other_model" / "Выбрал другую модель",
        OtherDealer = "other_dealer" / "Купил у другого дилера",
        ChangedMind = "changed_mind" / "Передумал",
        /// Needs a text.
        Other = "other" / "Другое",
    }
}

crate::coded_enum! {
    /// A field of the lead, as the history names it.
    pub enum LeadField {
        Contact = "contact" / "Контакт",
        ContactComment = "contact_comment" / "Комментарий к контакту",
        ContactedAt = "contacted_at" / "Время контакта",
        Contract = "contract" / "Договор",
        ContractComment = "contract_comment" / "Комментарий к договору",
        ContractAt = "contract_at" / "Время договора",
        Comment = "comment" / "Комментарий",
        ModelVersion = "version" / "Версия",
        Trim = "trim" / "Комплектация",
        City = "city" / "Город",
        PreferredDealer = "preferred_dealer" / "Предпочтительный дилер",
        Status = "status" / "Статус",
        Dealer = "dealer" / "Дилер",
        Observer = "observer" / "Наблюдатель",
        Survey = "survey" / "Опрос клиента",
        Escalation = "escalation" / "Эскалация",
        PersonalData = "personal_data" / "Персональные данные",
        Deletion = "deletion" / "Удаление",
    }
}

impl NoContactReason {
    /// Whether the reason ends the lead («Отказ») rather than leaving it to call again.
    pub fn refuses(self) -> bool {
        match self {
            NoContactReason::NoAnswer | NoContactReason::Other => false,
            NoContactReason::WrongNumber
            | NoContactReason::CustomerDeclined
            | NoContactReason::BoughtElsewhere => true,
        }
    }
}

/// The answer of the block «Контакт».
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "answer", rename_all = "snake_case")]
pub enum ContactOutcome {
    /// «Да»: the customer was reached.
    Yes,
    /// «Нет» and why; `text` is the reason typed for «Другое» (and only then).
    No {
        reason: NoContactReason,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        text: Option<String>,
    },
}

/// The answer of the block «Договор».
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "answer", rename_all = "snake_case")]
pub enum ContractOutcome {
    /// «Да»: the contract is signed.
    Yes,
    /// «Нет» and why; `text` is the reason typed for «Другое» (and only then).
    No {
        reason: NoContractReason,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        text: Option<String>,
    },
}

impl ContactOutcome {
    /// Reads the form's answer: `yes` / `no` with a reason code and, for «Другое», a text.
    pub fn from_form(
        answer: &str,
        reason: Option<&str>,
        text: Option<&str>,
    ) -> Result<ContactOutcome, LeadError> {
        match answer.trim() {
            "yes" => Ok(ContactOutcome::Yes),
            "no" => {
                let reason = reason
                    .map(str::trim)
                    .and_then(NoContactReason::from_code)
                    .ok_or_else(|| LeadError::invalid("contact_reason", "Выберите причину."))?;
                let text =
                    reason_text(reason == NoContactReason::Other, &CONTACT_REASON_TEXT, text)?;
                Ok(ContactOutcome::No { reason, text })
            }
            _ => Err(LeadError::invalid(
                "contact",
                "Ответ может быть «Да» или «Нет».",
            )),
        }
    }

    /// What the history shows: «Да», «Нет — Не дозвонились», «Нет — Другое: …».
    pub fn describe(&self) -> String {
        match self {
            ContactOutcome::Yes => "Да".to_string(),
            ContactOutcome::No { reason, text } => describe_no(reason.label(), text.as_deref()),
        }
    }
}

impl ContractOutcome {
    /// Reads the form's answer: `yes` / `no` with a reason code and, for «Другое», a text.
    pub fn from_form(
        answer: &str,
        reason: Option<&str>,
        text: Option<&str>,
    ) -> Result<ContractOutcome, LeadError> {
        match answer.trim() {
            "yes" => Ok(ContractOutcome::Yes),
            "no" => {
                let reason = reason
                    .map(str::trim)
                    .and_then(NoContractReason::from_code)
                    .ok_or_else(|| LeadError::invalid("contract_reason", "Выберите причину."))?;
                let text = reason_text(
                    reason == NoContractReason::Other,
                    &CONTRACT_REASON_TEXT,
                    text,
                )?;
                Ok(ContractOutcome::No { reason, text })
            }
            _ => Err(LeadError::invalid(
                "contract",
                "Ответ может быть «Да» или «Нет».",
            )),
        }
    }

    /// What the history shows: «Да», «Нет — Не устроила цена», «Нет — Другое: …».
    pub fn describe(&self) -> String {
        match self {
            ContractOutcome::Yes => "Да".to_string(),
            ContractOutcome::No { reason, text } => describe_no(reason.label(), text.as_deref()),
        }
    }
}

fn describe_no(label: &str, text: Option<&str>) -> String {
    match text {
        Some(t) => format!("Нет — {label}: {t}"),
        None => format!("Нет — {label}"),
    }
}

/// The text of a «Другое» reason: required (and cleaned) for «Другое», dropped otherwise.
fn reason_text(
    needed: bool,
    rule: &TextRule,
    text: Option<&str>,
) -> Result<Option<String>, LeadError> {
    if !needed {
        return Ok(None);
    }
    rule.required(text).map(Some).map_err(LeadError::Field)
}

/// The overall status from the two blocks: the one table of SPEC §4.3.
pub fn status_of(
    contact: Option<&ContactOutcome>,
    contract: Option<&ContractOutcome>,
) -> LeadStatus {
    match (contact, contract) {
        (_, Some(ContractOutcome::Yes)) => LeadStatus::Contract,
        (_, Some(ContractOutcome::No { .. })) => LeadStatus::Refused,
        (None, None) => LeadStatus::New,
        (Some(ContactOutcome::Yes), None) => LeadStatus::AwaitingVisit,
        (Some(ContactOutcome::No { reason, .. }), None) if reason.refuses() => LeadStatus::Refused,
        (Some(ContactOutcome::No { .. }), None) => LeadStatus::NotProcessed,
    }
}

/// The key properties of a lead: set at creation, never changed by anyone (SPEC §4.7).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadKeys {
    pub created_at: DateTime<Utc>,
    pub source: LeadSource,
    pub kind: LeadType,
    /// The dealer the lead was routed to first (a transfer changes the handling dealer only).
    pub original_dealer: DealerId,
}

/// The customer's personal data from the form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub name: String,
    pub surname: Option<String>,
    pub phone: Option<Phone>,
    pub email: Option<Email>,
}

/// The block «Контакт».
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactBlock {
    pub(super) outcome: Option<ContactOutcome>,
    pub(super) comment: Option<String>,
    pub(super) contacted_at: Option<DateTime<Utc>>,
}

/// The block «Договор».
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractBlock {
    pub(super) outcome: Option<ContractOutcome>,
    pub(super) comment: Option<String>,
    pub(super) contract_at: Option<DateTime<Utc>>,
}

impl ContactBlock {
    /// The answer, if one was recorded.
    pub fn outcome(&self) -> Option<&ContactOutcome> {
        self.outcome.as_ref()
    }
    /// The block's comment.
    pub fn comment(&self) -> Option<&str> {
        self.comment.as_deref()
    }
    /// When «Да» was first recorded; never changes once set.
    pub fn contacted_at(&self) -> Option<DateTime<Utc>> {
        self.contacted_at
    }
}

impl ContractBlock {
    /// The answer, if one was recorded.
    pub fn outcome(&self) -> Option<&ContractOutcome> {
        self.outcome.as_ref()
    }
    /// The block's comment.
    pub fn comment(&self) -> Option<&str> {
        self.comment.as_deref()
    }
    /// When «Да» was first recorded; never changes once set.
    pub fn contract_at(&self) -> Option<DateTime<Utc>> {
        self.contract_at
    }
}

/// Where a new lead lands: decided by routing ([`route`](super::route)), the assignments
/// ([`Assignments::observer`](super::Assignments::observer)) and the customer profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placement {
    pub dealer: DealerId,
    pub observer: Option<UserId>,
    pub customer: Option<CustomerId>,
}

/// A lead card.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lead {
    pub(super) id: LeadId,
    pub(super) keys: LeadKeys,
    /// The dealer handling the lead now.
    pub(super) dealer: DealerId,
    pub(super) observer: Option<UserId>,
    pub(super) customer: Option<CustomerId>,
    pub(super) person: Person,
    pub(super) city: Option<String>,
    /// Informational: the dealer the customer would prefer (routing is not redone).
    pub(super) preferred_dealer: Option<DealerId>,
    pub(super) model: Option<String>,
    pub(super) model_version: Option<String>,
    pub(super) trim: Option<String>,
    pub(super) price: Option<Decimal>,
    pub(super) utm: super::Utm,
    pub(super) contact: ContactBlock,
    pub(super) contract: ContractBlock,
    pub(super) comment: Option<String>,
    pub(super) survey: Option<SurveyResponse>,
    pub(super) escalated: Vec<EscalationStep>,
    pub(super) anonymised_at: Option<DateTime<Utc>>,
    /// The customer's consent to the processing of personal data, as given (152-ФЗ).
    #[serde(default)]
    pub(super) consent: Option<super::Consent>,
    /// Soft-deleted (SPEC §4.7): out of every list, search and job until restored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) deleted: Option<crate::audit::Deletion>,
    pub(super) updated_at: DateTime<Utc>,
    /// Optimistic concurrency: every stored change is conditional on it and bumps it.
    pub(super) version: u64,
    /// What the stored lead counted in the lead reports when it was read (never stored in
    /// the lead's data: the store keeps it beside them).
    #[serde(skip)]
    pub(super) counted: CountedAsRead,
}

/// What a stored lead counted in the lead reports when the store read it, at the version
/// read: a save of that very version (its condition) takes the counters' change from it
/// instead of reading the stored item again (issue #12: a card action in one read and one
/// write). Any other version — a lead changed since, or one never read — has none, and the
/// save reads what is stored.
///
/// Not part of a lead's value: two leads equal field for field are equal whether or not
/// either was read from the table.
#[derive(Clone, Debug, Default)]
pub struct CountedAsRead(Option<(u64, Option<super::LeadTally>)>);

impl PartialEq for CountedAsRead {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for CountedAsRead {}

/// One change a person makes on the card.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LeadChange {
    Contact(ContactOutcome),
    ContactComment(Option<String>),
    Contract(ContractOutcome),
    ContractComment(Option<String>),
    Comment(Option<String>),
    ModelVersion(Option<String>),
    Trim(Option<String>),
    City(Option<String>),
    PreferredDealer(Option<DealerId>),
}

/// One line of a lead's history: who, when, which field, old and new value (as people read
/// them).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadHistoryEntry {
    pub at: DateTime<Utc>,
    /// `None` for the platform itself (escalations, the survey, anonymisation).
    pub by: Option<UserId>,
    pub field: LeadField,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// A move on a lead that the rules refuse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LeadError {
    /// The actor is not staff of the lead's dealer.
    #[error("only the lead's dealer may change it")]
    NotYourLead,
    /// «Договор» before «Контакт — Да».
    #[error("the contract block needs contact = yes")]
    ContractBeforeContact,
    /// «Контакт — Нет» while a contract answer is recorded.
    #[error("contact cannot become no while the contract block is set")]
    ContractRecorded,
    /// Someone saved the lead in between.
    #[error("lead changed meanwhile (expected version {expected}, found {found})")]
    VersionConflict { expected: u64, found: u64 },
    /// A transfer without a concluded contract.
    #[error("a lead is transferred only with a concluded contract")]
    TransferNeedsContract,
    /// A transfer to the dealer that already has the lead.
    #[error("the lead already belongs to this dealer")]
    AlreadyYours,
    /// Only a dealer's staff take a lead over.
    #[error("only dealer staff may take a lead over")]
    OnlyDealerStaff,
    /// The survey of this lead was answered already (the link is single use).
    #[error("the survey was answered already")]
    SurveyAnswered,
    /// The lead's personal data were erased; it no longer changes.
    #[error("the lead is anonymised")]
    Anonymised,
    /// The lead is deleted; it changes again once restored.
    #[error("the lead is deleted")]
    Deleted,
    /// A field breaks its rule (a «Другое» without text, a comment too long).
    #[error("{}: {}", .0.field, .0.message)]
    Field(FieldError),
}

impl LeadError {
    fn invalid(field: &'static str, message: &str) -> LeadError {
        LeadError::Field(FieldError {
            field,
            message: message.to_string(),
        })
    }
}

impl Refuse for LeadError {
    fn refusal(&self) -> Refusal {
        use RefusalKind::*;
        let (kind, code, message) = match self {
            LeadError::NotYourLead => (
                Forbidden,
                "lead_forbidden",
                "Менять заявку может только её дилер.",
            ),
            LeadError::ContractBeforeContact => (
                Conflict,
                "lead_contact_required",
                "Блок «Договор» доступен после того, как в блоке «Контакт» выбрано «Да».",
            ),
            LeadError::ContractRecorded => (
                Conflict,
                "lead_contract_recorded",
                "В блоке «Договор» уже есть ответ: контакт нельзя сменить на «Нет».",
            ),
            LeadError::VersionConflict { .. } => (
                Conflict,
                "lead_version_conflict",
                "Заявку уже изменили: обновите страницу и повторите.",
            ),
            LeadError::TransferNeedsContract => (
                Conflict,
                "lead_transfer_needs_contract",
                "Передать заявку можно только со статусом «Договор заключен».",
            ),
            LeadError::OnlyDealerStaff => (
                Forbidden,
                "lead_transfer_forbidden",
                "Принять заявку может только сотрудник дилерского центра.",
            ),
            LeadError::AlreadyYours => (
                Conflict,
                "lead_already_yours",
                "Заявка уже у вашего дилерского центра.",
            ),
            LeadError::SurveyAnswered => (
                Conflict,
                "lead_survey_answered",
                "Ответ на опрос уже получен. Спасибо!",
            ),
            LeadError::Anonymised => (
                Gone,
                "lead_anonymised",
                "Персональные данные заявки удалены: её нельзя изменить.",
            ),
            LeadError::Deleted => (
                Conflict,
                "deleted",
                "Заявка удалена: сначала её нужно восстановить.",
            ),
            LeadError::Field(f) => {
                return Refusal::new(Invalid, "validation_failed", f.message.clone())
                    .with_fields(vec![f.clone()]);
            }
        };
        Refusal::new(kind, code, message)
    }
}

impl Lead {
    /// A new lead from a checked draft. `source` is the final one (the site's, or the
    /// draft's for a lead typed in by the dealer); `at` is the creation time.
    pub fn create(
        id: LeadId,
        new: NewLead,
        source: LeadSource,
        placement: Placement,
        at: DateTime<Utc>,
    ) -> Lead {
        Lead {
            id,
            keys: LeadKeys {
                created_at: at,
                source,
                kind: new.kind,
                original_dealer: placement.dealer.clone(),
            },
            dealer: placement.dealer,
            observer: placement.observer,
            customer: placement.customer,
            person: Person {
                name: new.name,
                surname: new.surname,
                phone: new.phone,
                email: new.email,
            },
            city: new.city,
            preferred_dealer: new.chosen_dealer,
            model: new.model,
            model_version: new.version,
            trim: new.trim,
            price: new.price,
            utm: new.utm,
            contact: ContactBlock::default(),
            contract: ContractBlock::default(),
            comment: None,
            survey: None,
            escalated: Vec::new(),
            anonymised_at: None,
            consent: new.consent,
            deleted: None,
            updated_at: at,
            version: 1,
            counted: CountedAsRead::default(),
        }
    }

    /// The lead as the store read it, counting `tally` in the reports at its version.
    pub fn counted_as_read(mut self, tally: Option<super::LeadTally>) -> Lead {
        self.counted = CountedAsRead(Some((self.version, tally)));
        self
    }

    /// What the stored lead of this very version counts in the reports, if the store read
    /// it so (`Some(None)`: nothing); `None` when unknown (changed since, or never read).
    pub fn counted(&self) -> Option<Option<&super::LeadTally>> {
        match &self.counted.0 {
            Some((version, tally)) if *version == self.version => Some(tally.as_ref()),
            _ => None,
        }
    }

    /// The lead's identifier.
    pub fn id(&self) -> &LeadId {
        &self.id
    }
    /// Creation time, source, type and original dealer.
    pub fn keys(&self) -> &LeadKeys {
        &self.keys
    }
    /// When the lead arrived (a key property).
    pub fn created_at(&self) -> DateTime<Utc> {
        self.keys.created_at
    }
    /// The lead's type (a key property).
    pub fn kind(&self) -> LeadType {
        self.keys.kind
    }
    /// The dealer handling the lead now.
    pub fn dealer(&self) -> &DealerId {
        &self.dealer
    }
    /// The regional representative observing the lead.
    pub fn observer(&self) -> Option<&UserId> {
        self.observer.as_ref()
    }
    /// The customer profile the lead belongs to.
    pub fn customer(&self) -> Option<&CustomerId> {
        self.customer.as_ref()
    }
    /// The customer's personal data from the form.
    pub fn person(&self) -> &Person {
        &self.person
    }
    /// The customer's city (editable).
    pub fn city(&self) -> Option<&str> {
        self.city.as_deref()
    }
    /// The dealer the customer prefers: information only, routing is not redone.
    pub fn preferred_dealer(&self) -> Option<&DealerId> {
        self.preferred_dealer.as_ref()
    }
    /// The model from the form.
    pub fn model(&self) -> Option<&str> {
        self.model.as_deref()
    }
    /// The chosen version of the model (not [`Lead::version`], the concurrency counter).
    pub fn model_version(&self) -> Option<&str> {
        self.model_version.as_deref()
    }
    /// The chosen trim (editable).
    pub fn trim(&self) -> Option<&str> {
        self.trim.as_deref()
    }
    /// The price from the form, in rubles.
    pub fn price(&self) -> Option<Decimal> {
        self.price
    }
    /// The UTM tags of the visit.
    pub fn utm(&self) -> &super::Utm {
        &self.utm
    }
    /// The block «Контакт».
    pub fn contact(&self) -> &ContactBlock {
        &self.contact
    }
    /// The block «Договор».
    pub fn contract(&self) -> &ContractBlock {
        &self.contract
    }
    /// The general comment (editable any number of times).
    pub fn comment(&self) -> Option<&str> {
        self.comment.as_deref()
    }
    /// The customer's survey answer, once given.
    pub fn survey(&self) -> Option<&SurveyResponse> {
        self.survey.as_ref()
    }
    /// The escalation steps already sent.
    pub fn escalated(&self) -> &[EscalationStep] {
        &self.escalated
    }
    /// The customer's consent as given: when, from where, which text (152-ФЗ).
    pub fn consent(&self) -> Option<&super::Consent> {
        self.consent.as_ref()
    }
    /// When the personal data were erased.
    pub fn anonymised_at(&self) -> Option<DateTime<Utc>> {
        self.anonymised_at
    }
    /// The last change.
    pub fn updated_at(&self) -> DateTime<Utc> {
        self.updated_at
    }
    /// The optimistic-concurrency counter.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// The overall status.
    pub fn status(&self) -> LeadStatus {
        status_of(
            self.contact.outcome.as_ref(),
            self.contract.outcome.as_ref(),
        )
    }

    /// Whether the lead counts as processed: the escalation clock stops once contact was
    /// «Да» (even if later changed) or the lead is closed either way.
    pub fn is_processed(&self) -> bool {
        self.contact.contacted_at.is_some()
            || matches!(self.status(), LeadStatus::Refused | LeadStatus::Contract)
    }

    /// Whether `actor` may see the lead card (SPEC §1): its dealer's staff, the observing
    /// representative, the brand's head office and the platform operator; after a transfer
    /// also the original dealer's staff (read only: they see where it went, in the history).
    /// An actor carries no network, so the caller keeps a brand admin to its own network's
    /// leads.
    pub fn visible_to(&self, actor: &Actor) -> bool {
        // A deleted lead is found only in the deleted list of those who restore it.
        if self.deleted.is_some() {
            return false;
        }
        match actor.role {
            Role::Admin | Role::BrandAdmin => true,
            Role::Dealer => {
                actor.is_staff_of(&self.dealer) || actor.is_staff_of(&self.keys.original_dealer)
            }
            Role::RegionalRep => self.observer.as_ref() == Some(&actor.user_id),
            Role::Accountant | Role::Specialist | Role::AccountManager => false,
        }
    }

    /// Whether `actor` may change the card: the handling dealer's staff (and the operator).
    pub fn editable_by(&self, actor: &Actor) -> bool {
        actor.role == Role::Admin || actor.is_staff_of(&self.dealer)
    }

    /// Refuses when the lead was saved since the caller read version `expected`.
    pub fn check_version(&self, expected: u64) -> Result<(), LeadError> {
        if expected == self.version {
            Ok(())
        } else {
            Err(LeadError::VersionConflict {
                expected,
                found: self.version,
            })
        }
    }

    /// A person's changes, in order (one save of the card). Returns the changed lead and its
    /// history entries; the caller stores both together, conditional on [`Lead::version`].
    /// Nothing that differs gives the lead unchanged and no entries (nothing to store).
    pub fn apply(
        &self,
        actor: &Actor,
        changes: &[LeadChange],
        now: DateTime<Utc>,
    ) -> Result<(Lead, Vec<LeadHistoryEntry>), LeadError> {
        if !self.editable_by(actor) {
            return Err(LeadError::NotYourLead);
        }
        self.changed(Some(&actor.user_id), changes, now)
    }

    /// The changes without the actor check: for moves whose permission was decided elsewhere
    /// (the transfer records «Договор — Да» for the searching dealer).
    pub(super) fn changed(
        &self,
        by: Option<&UserId>,
        changes: &[LeadChange],
        now: DateTime<Utc>,
    ) -> Result<(Lead, Vec<LeadHistoryEntry>), LeadError> {
        let (next, log) = self.changed_unsaved(by, changes, now)?;
        Ok(next.stamped(log))
    }

    /// The changes and their history, before the version is bumped (a transfer adds its own
    /// entries to the same save).
    pub(super) fn changed_unsaved(
        &self,
        by: Option<&UserId>,
        changes: &[LeadChange],
        now: DateTime<Utc>,
    ) -> Result<(Lead, History), LeadError> {
        if self.anonymised_at.is_some() {
            return Err(LeadError::Anonymised);
        }
        if self.deleted.is_some() {
            return Err(LeadError::Deleted);
        }
        let mut next = self.clone();
        let mut log = History::new(by, now);
        for change in changes {
            next.change(change, &mut log)?;
        }
        let (before, after) = (self.status(), next.status());
        if before != after {
            log.push(
                LeadField::Status,
                Some(before.label().to_string()),
                Some(after.label().to_string()),
            );
        }
        Ok((next, log))
    }

    /// Bumps the version when anything changed.
    pub(super) fn stamped(mut self, log: History) -> (Lead, Vec<LeadHistoryEntry>) {
        if !log.entries.is_empty() {
            self.version += 1;
            self.updated_at = log.at;
        }
        (self, log.entries)
    }

    /// One change: the one place that decides what each field accepts.
    fn change(&mut self, change: &LeadChange, log: &mut History) -> Result<(), LeadError> {
        match change {
            LeadChange::Contact(outcome) => {
                let outcome = checked_contact(outcome)?;
                if outcome != ContactOutcome::Yes && self.contract.outcome.is_some() {
                    return Err(LeadError::ContractRecorded);
                }
                if self.contact.outcome.as_ref() != Some(&outcome) {
                    log.push(
                        LeadField::Contact,
                        self.contact.outcome.as_ref().map(ContactOutcome::describe),
                        Some(outcome.describe()),
                    );
                    if outcome == ContactOutcome::Yes && self.contact.contacted_at.is_none() {
                        self.contact.contacted_at = Some(log.at);
                        log.push(LeadField::ContactedAt, None, Some(log.at.to_rfc3339()));
                    }
                    self.contact.outcome = Some(outcome);
                }
            }
            LeadChange::Contract(outcome) => {
                if self.contact.outcome != Some(ContactOutcome::Yes) {
                    return Err(LeadError::ContractBeforeContact);
                }
                let outcome = checked_contract(outcome)?;
                if self.contract.outcome.as_ref() != Some(&outcome) {
                    log.push(
                        LeadField::Contract,
                        self.contract
                            .outcome
                            .as_ref()
                            .map(ContractOutcome::describe),
                        Some(outcome.describe()),
                    );
                    if outcome == ContractOutcome::Yes && self.contract.contract_at.is_none() {
                        self.contract.contract_at = Some(log.at);
                        log.push(LeadField::ContractAt, None, Some(log.at.to_rfc3339()));
                    }
                    self.contract.outcome = Some(outcome);
                }
            }
            LeadChange::ContactComment(v) => edit(
                &mut self.contact.comment,
                &CONTACT_COMMENT,
                v,
                LeadField::ContactComment,
                log,
            )?,
            LeadChange::ContractComment(v) => edit(
                &mut self.contract.comment,
                &CONTRACT_COMMENT,
                v,
                LeadField::ContractComment,
                log,
            )?,
            LeadChange::Comment(v) => {
                edit(&mut self.comment, &COMMENT, v, LeadField::Comment, log)?
            }
            LeadChange::ModelVersion(v) => edit(
                &mut self.model_version,
                &MODEL_VERSION,
                v,
                LeadField::ModelVersion,
                log,
            )?,
            LeadChange::Trim(v) => edit(&mut self.trim, &TRIM, v, LeadField::Trim, log)?,
            LeadChange::City(v) => edit(&mut self.city, &CITY, v, LeadField::City, log)?,
            LeadChange::PreferredDealer(d) => {
                if &self.preferred_dealer != d {
                    log.push(
                        LeadField::PreferredDealer,
                        self.preferred_dealer.as_ref().map(ToString::to_string),
                        d.as_ref().map(ToString::to_string),
                    );
                    self.preferred_dealer = d.clone();
                }
            }
        }
        Ok(())
    }
}

/// A «Другое» has its text (cleaned); other reasons carry none.
fn checked_contact(outcome: &ContactOutcome) -> Result<ContactOutcome, LeadError> {
    Ok(match outcome {
        ContactOutcome::Yes => ContactOutcome::Yes,
        ContactOutcome::No { reason, text } => ContactOutcome::No {
            reason: *reason,
            text: reason_text(
                *reason == NoContactReason::Other,
                &CONTACT_REASON_TEXT,
                text.as_deref(),
            )?,
        },
    })
}

fn checked_contract(outcome: &ContractOutcome) -> Result<ContractOutcome, LeadError> {
    Ok(match outcome {
        ContractOutcome::Yes => ContractOutcome::Yes,
        ContractOutcome::No { reason, text } => ContractOutcome::No {
            reason: *reason,
            text: reason_text(
                *reason == NoContractReason::Other,
                &CONTRACT_REASON_TEXT,
                text.as_deref(),
            )?,
        },
    })
}

/// Sets a text field by its rule, logging the change when the value differs.
fn edit(
    slot: &mut Option<String>,
    rule: &TextRule,
    value: &Option<String>,
    field: LeadField,
    log: &mut History,
) -> Result<(), LeadError> {
    let value = rule.optional(value.as_deref()).map_err(LeadError::Field)?;
    if *slot != value {
        log.push(field, slot.clone(), value.clone());
        *slot = value;
    }
    Ok(())
}

/// The entries of one save: same author, same instant.
pub(super) struct History {
    by: Option<UserId>,
    pub(super) at: DateTime<Utc>,
    pub(super) entries: Vec<LeadHistoryEntry>,
}

impl History {
    pub(super) fn new(by: Option<&UserId>, at: DateTime<Utc>) -> History {
        History {
            by: by.cloned(),
            at,
            entries: Vec::new(),
        }
    }

    pub(super) fn push(&mut self, field: LeadField, old: Option<String>, new: Option<String>) {
        self.entries.push(LeadHistoryEntry {
            at: self.at,
            by: self.by.clone(),
            field,
            old,
            new,
        });
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::lead::intake::LeadDraft;
    use chrono::TimeZone;

    pub(crate) fn t(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 3, 3, h, m, 0).unwrap()
    }

    pub(crate) fn dealer_actor(dealer: &str) -> Actor {
        Actor {
            user_id: UserId::new(format!("u-{dealer}")),
            role: Role::Dealer,
            dealer_id: Some(DealerId::new(dealer)),
        }
    }

    pub(crate) fn lead() -> Lead {
        let new = LeadDraft {
            kind: Some("preorder".into()),
            name: Some("Иван".into()),
            surname: Some("Петров".into()),
            phone: Some("8 912 345-67-89".into()),
            email: Some("ivan@mail.ru".into()),
            city: Some("Владивосток".into()),
            model: Some("X-Trail".into()),
            consent: Some("on".into()),
            ..LeadDraft::default()
        }
        .validate()
        .unwrap();
        Lead::create(
            LeadId::new("L1"),
            new,
            LeadSource::BrandSite,
            Placement {
                dealer: DealerId::new("vostok"),
                observer: Some(UserId::new("rep-east")),
                customer: Some(CustomerId::new("C1")),
            },
            t(9, 0),
        )
    }

    fn yes() -> LeadChange {
        LeadChange::Contact(ContactOutcome::Yes)
    }

    fn no(reason: NoContactReason) -> LeadChange {
        LeadChange::Contact(ContactOutcome::No { reason, text: None })
    }

    #[test]
    fn a_new_lead_is_new_at_version_one() {
        let l = lead();
        assert_eq!(l.status(), LeadStatus::New);
        assert_eq!(l.version(), 1);
        assert_eq!(l.keys().original_dealer, DealerId::new("vostok"));
    }

    #[test]
    fn contact_yes_stamps_the_time_and_awaits_the_visit() {
        let me = dealer_actor("vostok");
        let (l, history) = lead().apply(&me, &[yes()], t(10, 0)).unwrap();
        assert_eq!(l.status(), LeadStatus::AwaitingVisit);
        assert_eq!(l.contact().contacted_at(), Some(t(10, 0)));
        assert_eq!(l.version(), 2);
        let fields: Vec<_> = history.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                LeadField::Contact,
                LeadField::ContactedAt,
                LeadField::Status
            ]
        );
        assert_eq!(history[0].new.as_deref(), Some("Да"));
        assert_eq!(history[2].old.as_deref(), Some("Новый"));
        assert_eq!(history[2].new.as_deref(), Some("Ожидание визита"));
        assert_eq!(history[0].by, Some(me.user_id.clone()));
        assert_eq!(history[0].at, t(10, 0));
    }

    #[test]
    fn no_reasons_either_leave_the_lead_to_call_again_or_refuse_it() {
        let me = dealer_actor("vostok");
        let table = [
            (NoContactReason::NoAnswer, LeadStatus::NotProcessed),
            (NoContactReason::WrongNumber, LeadStatus::Refused),
            (NoContactReason::CustomerDeclined, LeadStatus::Refused),
            (NoContactReason::BoughtElsewhere, LeadStatus::Refused),
        ];
        for (reason, status) in table {
            let (l, _) = lead().apply(&me, &[no(reason)], t(10, 0)).unwrap();
            assert_eq!(l.status(), status, "{reason}");
            assert_eq!(l.contact().contacted_at(), None);
        }
        let other = LeadChange::Contact(ContactOutcome::No {
            reason: NoContactReason::Other,
            text: Some("Просил перезвонить в мае".into()),
        });
        let (l, h) = lead().apply(&me, &[other], t(10, 0)).unwrap();
        assert_eq!(l.status(), LeadStatus::NotProcessed);
        assert_eq!(
            h[0].new.as_deref(),
            Some("Нет — Другое: Просил перезвонить в мае")
        );
    }

    #[test]
    fn other_needs_text() {
        let me = dealer_actor("vostok");
        let e = lead()
            .apply(
                &me,
                &[LeadChange::Contact(ContactOutcome::No {
                    reason: NoContactReason::Other,
                    text: Some("  ".into()),
                })],
                t(10, 0),
            )
            .unwrap_err();
        let r = e.refusal();
        assert_eq!(r.kind, RefusalKind::Invalid);
        assert_eq!(r.fields[0].field, "contact_reason_text");
        let (l, _) = lead().apply(&me, &[yes()], t(10, 0)).unwrap();
        let e = l
            .apply(
                &me,
                &[LeadChange::Contract(ContractOutcome::No {
                    reason: NoContractReason::Other,
                    text: None,
                })],
                t(11, 0),
            )
            .unwrap_err();
        assert_eq!(e.refusal().fields[0].field, "contract_reason_text");
        // A text typed for a listed reason is not kept: only «Другое» has one.
        let from_form = ContactOutcome::from_form("no", Some("no_answer"), Some("x")).unwrap();
        assert_eq!(
            from_form,
            ContactOutcome::No {
                reason: NoContactReason::NoAnswer,
                text: None
            }
        );
        assert!(ContactOutcome::from_form("no", Some("other"), None).is_err());
        assert!(ContactOutcome::from_form("maybe", None, None).is_err());
    }

    #[test]
    fn contract_is_refused_before_contact_is_yes() {
        let me = dealer_actor("vostok");
        let contract = LeadChange::Contract(ContractOutcome::Yes);
        let e = lead()
            .apply(&me, std::slice::from_ref(&contract), t(10, 0))
            .unwrap_err();
        assert_eq!(e, LeadError::ContractBeforeContact);
        assert_eq!(e.refusal().kind, RefusalKind::Conflict);
        let (not_reached, _) = lead()
            .apply(&me, &[no(NoContactReason::NoAnswer)], t(10, 0))
            .unwrap();
        assert_eq!(
            not_reached
                .apply(&me, std::slice::from_ref(&contract), t(11, 0))
                .unwrap_err(),
            LeadError::ContractBeforeContact
        );
        let (l, _) = lead().apply(&me, &[yes(), contract], t(10, 0)).unwrap();
        assert_eq!(l.status(), LeadStatus::Contract);
        assert_eq!(l.contract().contract_at(), Some(t(10, 0)));
    }

    #[test]
    fn contract_no_refuses_the_lead_with_its_reason() {
        let me = dealer_actor("vostok");
        for reason in NoContractReason::ALL
            .iter()
            .filter(|r| **r != NoContractReason::Other)
        {
            let (l, h) = lead()
                .apply(
                    &me,
                    &[
                        yes(),
                        LeadChange::Contract(ContractOutcome::No {
                            reason: *reason,
                            text: None,
                        }),
                    ],
                    t(10, 0),
                )
                .unwrap();
            assert_eq!(l.status(), LeadStatus::Refused);
            assert!(
                h.iter()
                    .any(|e| e.new.as_deref() == Some(&*format!("Нет — {}", reason.label())))
            );
        }
    }

    #[test]
    fn a_no_answer_can_become_yes_on_a_later_call() {
        let me = dealer_actor("vostok");
        let (l, _) = lead()
            .apply(&me, &[no(NoContactReason::NoAnswer)], t(10, 0))
            .unwrap();
        let (l, h) = l.apply(&me, &[yes()], t(15, 0)).unwrap();
        assert_eq!(l.status(), LeadStatus::AwaitingVisit);
        assert_eq!(l.contact().contacted_at(), Some(t(15, 0)));
        assert_eq!(h[0].old.as_deref(), Some("Нет — Не дозвонились"));
        assert_eq!(l.version(), 3);
    }

    #[test]
    fn a_stamped_contact_time_never_changes() {
        let me = dealer_actor("vostok");
        let (l, _) = lead().apply(&me, &[yes()], t(10, 0)).unwrap();
        let (l, _) = l
            .apply(&me, &[no(NoContactReason::NoAnswer)], t(11, 0))
            .unwrap();
        let (l, h) = l.apply(&me, &[yes()], t(12, 0)).unwrap();
        assert_eq!(l.contact().contacted_at(), Some(t(10, 0)));
        assert!(h.iter().all(|e| e.field != LeadField::ContactedAt));
        // The same for the contract.
        let contract = LeadChange::Contract(ContractOutcome::Yes);
        let (l, _) = l
            .apply(&me, std::slice::from_ref(&contract), t(13, 0))
            .unwrap();
        let (l, _) = l
            .apply(
                &me,
                &[LeadChange::Contract(ContractOutcome::No {
                    reason: NoContractReason::ChangedMind,
                    text: None,
                })],
                t(14, 0),
            )
            .unwrap();
        let (l, _) = l.apply(&me, &[contract], t(15, 0)).unwrap();
        assert_eq!(l.contract().contract_at(), Some(t(13, 0)));
        assert_eq!(l.keys().created_at, t(9, 0));
    }

    #[test]
    fn contact_cannot_turn_no_under_a_recorded_contract() {
        let me = dealer_actor("vostok");
        let (l, _) = lead()
            .apply(
                &me,
                &[yes(), LeadChange::Contract(ContractOutcome::Yes)],
                t(10, 0),
            )
            .unwrap();
        let e = l
            .apply(&me, &[no(NoContactReason::NoAnswer)], t(11, 0))
            .unwrap_err();
        assert_eq!(e, LeadError::ContractRecorded);
    }

    #[test]
    fn every_edit_is_a_history_entry_and_an_unchanged_save_is_nothing() {
        let me = dealer_actor("vostok");
        let changes = [
            LeadChange::ModelVersion(Some("2.5 CVT".into())),
            LeadChange::Trim(Some("SE+".into())),
            LeadChange::City(Some("Уссурийск".into())),
            LeadChange::PreferredDealer(Some(DealerId::new("ussuri"))),
            LeadChange::Comment(Some("Хочет белый".into())),
            LeadChange::ContactComment(Some("Звонить после 18".into())),
        ];
        let (l, h) = lead().apply(&me, &changes, t(10, 0)).unwrap();
        assert_eq!(h.len(), 6);
        assert_eq!(h[2].old.as_deref(), Some("Владивосток"));
        assert_eq!(h[2].new.as_deref(), Some("Уссурийск"));
        assert_eq!(l.trim(), Some("SE+"));
        // The preferred dealer is information only: the lead stays where it is.
        assert_eq!(l.dealer(), &DealerId::new("vostok"));
        let (same, none) = l.apply(&me, &changes, t(11, 0)).unwrap();
        assert!(none.is_empty());
        assert_eq!(same.version(), l.version());
        // Comments edit any number of times.
        let (l, h) = l
            .apply(&me, &[LeadChange::Comment(None)], t(12, 0))
            .unwrap();
        assert_eq!(l.comment(), None);
        assert_eq!(h[0].old.as_deref(), Some("Хочет белый"));
    }

    #[test]
    fn only_the_leads_dealer_changes_it() {
        let other = dealer_actor("zapad");
        assert_eq!(
            lead().apply(&other, &[yes()], t(10, 0)).unwrap_err(),
            LeadError::NotYourLead
        );
        let rep = Actor {
            user_id: UserId::new("rep-east"),
            role: Role::RegionalRep,
            dealer_id: None,
        };
        assert!(lead().visible_to(&rep));
        assert!(!lead().editable_by(&rep));
        assert!(!lead().visible_to(&other));
        assert_eq!(
            LeadError::NotYourLead.refusal().kind,
            RefusalKind::Forbidden
        );
    }

    #[test]
    fn a_stale_version_is_a_conflict() {
        let l = lead();
        assert!(l.check_version(1).is_ok());
        let e = l.check_version(0).unwrap_err();
        assert_eq!(e.refusal().kind, RefusalKind::Conflict);
        assert_eq!(e.refusal().code, "lead_version_conflict");
    }

    #[test]
    fn what_a_read_lead_counts_holds_for_its_version_only_and_is_not_part_of_its_value() {
        let fresh = lead();
        assert_eq!(
            fresh.counted(),
            None,
            "a lead never read counts nothing known"
        );
        let read = lead().counted_as_read(None);
        assert_eq!(read.counted(), Some(None));
        assert_eq!(read, fresh);
        let (called, _) = read
            .apply(
                &dealer_actor("vostok"),
                &[LeadChange::Contact(ContactOutcome::Yes)],
                t(12, 0),
            )
            .unwrap();
        assert_eq!(called.version(), 2);
        assert_eq!(
            called.counted(),
            None,
            "the changed lead is not what was stored"
        );
    }

    #[test]
    fn the_status_is_one_table_of_the_two_blocks() {
        use ContactOutcome as C;
        use ContractOutcome as K;
        let declined = C::No {
            reason: NoContactReason::CustomerDeclined,
            text: None,
        };
        let unreached = C::No {
            reason: NoContactReason::NoAnswer,
            text: None,
        };
        let price = K::No {
            reason: NoContractReason::Price,
            text: None,
        };
        assert_eq!(status_of(None, None), LeadStatus::New);
        assert_eq!(status_of(Some(&unreached), None), LeadStatus::NotProcessed);
        assert_eq!(status_of(Some(&declined), None), LeadStatus::Refused);
        assert_eq!(status_of(Some(&C::Yes), None), LeadStatus::AwaitingVisit);
        assert_eq!(
            status_of(Some(&C::Yes), Some(&K::Yes)),
            LeadStatus::Contract
        );
        assert_eq!(status_of(Some(&C::Yes), Some(&price)), LeadStatus::Refused);
    }

    #[test]
    fn long_comments_are_refused_with_their_field() {
        let me = dealer_actor("vostok");
        let e = lead()
            .apply(
                &me,
                &[LeadChange::Comment(Some("я".repeat(5_001)))],
                t(10, 0),
            )
            .unwrap_err();
        let r = e.refusal();
        assert_eq!(r.fields[0].field, "comment");
        assert_eq!(r.message, "Комментарий длиннее 5000 символов.");
    }
}
