//! An issued billing document's life: claimed by the bill run with its number, issued once
//! its PDF is stored and its e-mail announced, paid (invoices, marked by an admin), and
//! corrected only by a corrective document — the original stays as it was.
//!
//! The run claims a document (number and content fixed in one write) before anything else,
//! so a run that crashed resumes from the claim and never takes a second number.

use crate::Notice;
use crate::access::Actor;
use crate::billing::document::{Document, DocumentKind};
use crate::ids::{DealerId, UserId};
use crate::kernel::{Refusal, RefusalKind, Refuse};
use crate::notice::Audience;
use crate::role::Role;
use crate::ticket::cost::state::Quarter;
use chrono::{DateTime, NaiveDate, Utc};

crate::coded_enum! {
    /// Where an issued document stands.
    pub enum DocumentStatus {
        /// Numbered and fixed by the run; its PDF and e-mail not yet done.
        Claimed = "claimed" / "Формируется",
        /// Stored, announced, awaiting payment (an invoice) or simply issued (an act).
        Issued = "issued" / "Выставлен",
        /// The admin marked the invoice paid.
        Paid = "paid" / "Оплачен",
    }
}

/// What happens to a document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocumentAction {
    /// The run finished it: PDF stored, e-mail in the outbox.
    Issue,
    /// The admin marks an invoice paid.
    MarkPaid,
}

/// Why a document move is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    /// Only the admin marks payments and issues corrections.
    #[error("only the admin does this")]
    NotAdmin,
    /// The move does not fit the document's status or kind.
    #[error("cannot {action:?} a {kind:?} in {status:?}")]
    IllegalMove {
        status: DocumentStatus,
        kind: DocumentKind,
        action: DocumentAction,
    },
    /// A correction that changes nothing.
    #[error("the correction changes nothing")]
    NothingToCorrect,
    /// The document was already corrected; correct the corrective one.
    #[error("already corrected")]
    AlreadyCorrected,
}

impl Refuse for DocumentError {
    fn refusal(&self) -> Refusal {
        match self {
            DocumentError::NotAdmin => Refusal::new(
                RefusalKind::Forbidden,
                "forbidden",
                "Оплату отмечает и исправления выставляет только администратор.",
            ),
            DocumentError::IllegalMove {
                status,
                kind,
                action,
            } => {
                let message = match (action, kind, status) {
                    (DocumentAction::MarkPaid, DocumentKind::Act, _) => {
                        "Оплату отмечают в счёте, а не в акте.".to_string()
                    }
                    (DocumentAction::MarkPaid, _, DocumentStatus::Paid) => {
                        "Счёт уже отмечен оплаченным.".to_string()
                    }
                    _ => format!(
                        "Документ в статусе «{}»: это действие сейчас недоступно.",
                        status.label()
                    ),
                };
                Refusal::new(RefusalKind::Conflict, "illegal_document_move", message)
            }
            DocumentError::NothingToCorrect => Refusal::new(
                RefusalKind::Conflict,
                "nothing_to_correct",
                "Пересчёт совпадает с документом: исправлять нечего.",
            ),
            DocumentError::AlreadyCorrected => Refusal::new(
                RefusalKind::Conflict,
                "already_corrected",
                "Документ уже исправлен: исправляйте последний корректировочный документ.",
            ),
        }
    }
}

/// The one rule of a document's moves.
pub fn next_document_status(
    status: DocumentStatus,
    kind: DocumentKind,
    action: DocumentAction,
) -> Result<DocumentStatus, DocumentError> {
    match (status, kind, action) {
        (DocumentStatus::Claimed, _, DocumentAction::Issue) => Ok(DocumentStatus::Issued),
        (DocumentStatus::Issued, DocumentKind::Invoice, DocumentAction::MarkPaid) => {
            Ok(DocumentStatus::Paid)
        }
        (status, kind, action) => Err(DocumentError::IllegalMove {
            status,
            kind,
            action,
        }),
    }
}

/// A document the platform issued to a dealer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssuedDocument {
    /// `dealer-1-2026q4-invoice`; a corrective one adds `-c<n>`.
    pub id: String,
    pub dealer_id: DealerId,
    pub quarter: Quarter,
    /// Everything its PDF shows, fixed when claimed.
    pub document: Document,
    pub status: DocumentStatus,
    pub claimed_at: DateTime<Utc>,
    pub issued_at: Option<DateTime<Utc>>,
    pub paid_at: Option<DateTime<Utc>>,
    pub paid_by: Option<UserId>,
    /// The corrective document that replaced this one, if any.
    pub corrected_by: Option<String>,
    /// 1 when claimed; grows with each move.
    pub version: u64,
}

/// The id of a dealer's quarter document of `kind`; `correction` counts corrective ones.
pub fn document_id(
    dealer: &DealerId,
    quarter: Quarter,
    kind: DocumentKind,
    correction: u32,
) -> String {
    let base = format!(
        "{dealer}-{}q{}-{}",
        quarter.year(),
        quarter.q(),
        kind.code()
    );
    match correction {
        0 => base,
        n => format!("{base}-c{n}"),
    }
}

impl IssuedDocument {
    /// Its kind.
    pub fn kind(&self) -> DocumentKind {
        self.document.kind
    }

    /// An unpaid invoice past its due date on `today`.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.kind() == DocumentKind::Invoice
            && self.status == DocumentStatus::Issued
            && self.corrected_by.is_none()
            && self.document.due.is_some_and(|due| due < today)
    }

    /// The run finishes it at `now`: issued, with its e-mail to the dealer's staff and
    /// accountants.
    pub fn issue(&self, now: DateTime<Utc>) -> Result<(IssuedDocument, Notice), DocumentError> {
        let status = next_document_status(self.status, self.kind(), DocumentAction::Issue)?;
        let next = IssuedDocument {
            status,
            issued_at: Some(now),
            version: self.version + 1,
            ..self.clone()
        };
        let totals = self.document.totals();
        let notice = Notice::new(
            format!("document:{}", self.id),
            "document_issued",
            Audience::DealerAndAccountants {
                dealer_id: self.dealer_id.clone(),
            },
            now,
        )
        .with("document_id", self.id.clone())
        .with("kind_label", kind_label(self.kind()))
        .with("number", self.document.number.clone())
        .with("date", self.document.date.format("%d.%m.%Y").to_string())
        .with("quarter_label", self.quarter.label())
        .with("total", crate::format_rub(totals.total))
        .with(
            "due",
            self.document
                .due
                .map(|d| d.format("%d.%m.%Y").to_string())
                .unwrap_or_default(),
        );
        Ok((next, notice))
    }

    /// The admin marks the invoice paid at `now`.
    pub fn mark_paid(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<IssuedDocument, DocumentError> {
        if actor.role != Role::Admin {
            return Err(DocumentError::NotAdmin);
        }
        let status = next_document_status(self.status, self.kind(), DocumentAction::MarkPaid)?;
        Ok(IssuedDocument {
            status,
            paid_at: Some(now),
            paid_by: Some(actor.user_id.clone()),
            version: self.version + 1,
            ..self.clone()
        })
    }

    /// Whether the admin may correct it now: issued or paid, not corrected yet, and the
    /// recomputed `lines` differ.
    pub fn check_correction(
        &self,
        actor: &Actor,
        recomputed: &Document,
    ) -> Result<(), DocumentError> {
        if actor.role != Role::Admin {
            return Err(DocumentError::NotAdmin);
        }
        if self.corrected_by.is_some() {
            return Err(DocumentError::AlreadyCorrected);
        }
        if self.status == DocumentStatus::Claimed {
            return Err(DocumentError::IllegalMove {
                status: self.status,
                kind: self.kind(),
                action: DocumentAction::Issue,
            });
        }
        if recomputed.lines == self.document.lines
            && recomputed.vat == self.document.vat
            && recomputed.buyer == self.document.buyer
            && recomputed.seller == self.document.seller
        {
            return Err(DocumentError::NothingToCorrect);
        }
        Ok(())
    }
}

/// «Счёт на оплату» / «Акт выполненных работ (оказанных услуг)».
pub fn kind_label(kind: DocumentKind) -> &'static str {
    match kind {
        DocumentKind::Invoice => "Счёт на оплату",
        DocumentKind::Act => "Акт выполненных работ (оказанных услуг)",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::billing::document::{Requisites, Vat};
    use chrono::TimeZone;

    fn doc(kind: DocumentKind) -> IssuedDocument {
        let q = Quarter::new(2026, 4).unwrap();
        IssuedDocument {
            id: document_id(&DealerId::new("dealer-1"), q, kind, 0),
            dealer_id: DealerId::new("dealer-1"),
            quarter: q,
            document: Document {
                kind,
                number: "2026-0001".into(),
                date: q.last_day(),
                period_from: q.first_day(),
                period_to: q.last_day(),
                seller: Requisites::default(),
                buyer: Requisites::default(),
                basis: None,
                lines: vec![],
                vat: Vat::russia_2026(),
                due: (kind == DocumentKind::Invoice)
                    .then(|| NaiveDate::from_ymd_opt(2027, 1, 10).unwrap()),
                corrects: None,
            },
            status: DocumentStatus::Claimed,
            claimed_at: Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap(),
            issued_at: None,
            paid_at: None,
            paid_by: None,
            corrected_by: None,
            version: 1,
        }
    }

    fn admin() -> Actor {
        Actor {
            user_id: UserId::new("admin"),
            role: Role::Admin,
            dealer_id: None,
        }
    }

    #[test]
    fn a_claimed_invoice_is_issued_with_its_email_then_paid_and_never_overdue_after() {
        let now = Utc.with_ymd_and_hms(2027, 1, 1, 0, 5, 0).unwrap();
        let invoice = doc(DocumentKind::Invoice);
        assert_eq!(invoice.id, "dealer-1-2026q4-invoice");
        let (issued, notice) = invoice.issue(now).unwrap();
        assert_eq!(issued.status, DocumentStatus::Issued);
        assert_eq!(notice.key, "document:dealer-1-2026q4-invoice");
        assert_eq!(notice.params["kind_label"], "Счёт на оплату");
        assert!(issued.issue(now).is_err(), "issued once");
        let late = NaiveDate::from_ymd_opt(2027, 1, 11).unwrap();
        assert!(!issued.is_overdue(NaiveDate::from_ymd_opt(2027, 1, 10).unwrap()));
        assert!(issued.is_overdue(late));
        let paid = issued.mark_paid(&admin(), now).unwrap();
        assert!(!paid.is_overdue(late));
        let err = paid.mark_paid(&admin(), now).unwrap_err();
        assert_eq!(err.refusal().message, "Счёт уже отмечен оплаченным.");
    }

    #[test]
    fn an_act_is_never_paid_nor_overdue_and_only_the_admin_marks_payments() {
        let (act, _) = doc(DocumentKind::Act).issue(Utc::now()).unwrap();
        assert!(!act.is_overdue(NaiveDate::from_ymd_opt(2030, 1, 1).unwrap()));
        assert_eq!(
            act.mark_paid(&admin(), Utc::now())
                .unwrap_err()
                .refusal()
                .kind,
            RefusalKind::Conflict
        );
        let (invoice, _) = doc(DocumentKind::Invoice).issue(Utc::now()).unwrap();
        let manager = Actor {
            role: Role::AccountManager,
            ..admin()
        };
        assert_eq!(
            invoice.mark_paid(&manager, Utc::now()),
            Err(DocumentError::NotAdmin)
        );
    }

    #[test]
    fn a_correction_must_change_something_and_happens_once() {
        let (invoice, _) = doc(DocumentKind::Invoice).issue(Utc::now()).unwrap();
        let same = invoice.document.clone();
        assert_eq!(
            invoice.check_correction(&admin(), &same),
            Err(DocumentError::NothingToCorrect)
        );
        let mut changed = same.clone();
        changed.vat = Vat::None;
        assert_eq!(invoice.check_correction(&admin(), &changed), Ok(()));
        let corrected = IssuedDocument {
            corrected_by: Some("x".into()),
            ..invoice
        };
        assert_eq!(
            corrected.check_correction(&admin(), &changed),
            Err(DocumentError::AlreadyCorrected)
        );
    }
}
