//! The card's edit form: what the portal or the API posts, read into the card's changes.
//! A field that is absent is left alone; a text field sent empty is cleared.

use super::card::{ContactOutcome, ContractOutcome, LeadChange, LeadError};
use super::intake::LeadDraftError;
use crate::DealerId;
use crate::kernel::{FieldError, Refuse};
use serde::{Deserialize, Serialize};

/// The card's form, every field optional and textual as it arrives.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LeadEditDraft {
    /// `yes` / `no`; absent or empty leaves the block as it is.
    pub contact: Option<String>,
    pub contact_reason: Option<String>,
    pub contact_reason_text: Option<String>,
    pub contact_comment: Option<String>,
    /// `yes` / `no`; absent or empty leaves the block as it is.
    pub contract: Option<String>,
    pub contract_reason: Option<String>,
    pub contract_reason_text: Option<String>,
    pub contract_comment: Option<String>,
    pub comment: Option<String>,
    /// The model's version.
    pub version: Option<String>,
    pub trim: Option<String>,
    pub city: Option<String>,
    pub preferred_dealer_id: Option<String>,
}

impl LeadEditDraft {
    /// The changes the form asks for, «Контакт» before «Договор» (so «Да» and «Да» can be
    /// saved together); every malformed field at once. Rules that depend on the lead (the
    /// contract needs contact «Да», text limits) are checked by
    /// [`Lead::apply`](super::Lead::apply).
    pub fn changes(&self) -> Result<Vec<LeadChange>, LeadDraftError> {
        let mut fields: Vec<FieldError> = Vec::new();
        let mut changes = Vec::new();
        let mut take = |e: LeadError| match e {
            LeadError::Field(f) => fields.push(f),
            other => fields.push(FieldError {
                field: "contact",
                message: other.refusal().message,
            }),
        };
        if let Some(answer) = present(&self.contact) {
            match ContactOutcome::from_form(
                answer,
                self.contact_reason.as_deref(),
                self.contact_reason_text.as_deref(),
            ) {
                Ok(outcome) => changes.push(LeadChange::Contact(outcome)),
                Err(e) => take(e),
            }
        }
        if let Some(answer) = present(&self.contract) {
            match ContractOutcome::from_form(
                answer,
                self.contract_reason.as_deref(),
                self.contract_reason_text.as_deref(),
            ) {
                Ok(outcome) => changes.push(LeadChange::Contract(outcome)),
                Err(e) => take(e),
            }
        }
        let text = |v: &Option<String>| v.clone();
        if self.contact_comment.is_some() {
            changes.push(LeadChange::ContactComment(text(&self.contact_comment)));
        }
        if self.contract_comment.is_some() {
            changes.push(LeadChange::ContractComment(text(&self.contract_comment)));
        }
        if self.comment.is_some() {
            changes.push(LeadChange::Comment(text(&self.comment)));
        }
        if self.version.is_some() {
            changes.push(LeadChange::ModelVersion(text(&self.version)));
        }
        if self.trim.is_some() {
            changes.push(LeadChange::Trim(text(&self.trim)));
        }
        if self.city.is_some() {
            changes.push(LeadChange::City(text(&self.city)));
        }
        if let Some(id) = &self.preferred_dealer_id {
            let id = id.trim();
            let ok = id.len() <= 64
                && id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'));
            if ok {
                changes.push(LeadChange::PreferredDealer(
                    (!id.is_empty()).then(|| DealerId::new(id)),
                ));
            } else {
                fields.push(FieldError {
                    field: "preferred_dealer_id",
                    message: "Такого дилера нет.".to_string(),
                });
            }
        }
        if fields.is_empty() {
            Ok(changes)
        } else {
            Err(LeadDraftError { fields })
        }
    }
}

fn present(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lead::card::tests::{dealer_actor, lead, t};
    use crate::lead::card::{LeadStatus, NoContactReason};

    #[test]
    fn a_form_with_both_blocks_saves_contact_then_contract() {
        let form = LeadEditDraft {
            contract: Some("yes".into()),
            contact: Some("yes".into()),
            comment: Some("Приедет в субботу".into()),
            ..LeadEditDraft::default()
        };
        let changes = form.changes().unwrap();
        assert_eq!(changes[0], LeadChange::Contact(ContactOutcome::Yes));
        assert_eq!(changes[1], LeadChange::Contract(ContractOutcome::Yes));
        let (l, _) = lead()
            .apply(&dealer_actor("vostok"), &changes, t(10, 0))
            .unwrap();
        assert_eq!(l.status(), LeadStatus::Contract);
        assert_eq!(l.comment(), Some("Приедет в субботу"));
    }

    #[test]
    fn absent_fields_are_left_alone_and_empty_ones_cleared() {
        assert!(LeadEditDraft::default().changes().unwrap().is_empty());
        let form = LeadEditDraft {
            contact: Some("".into()),
            trim: Some("".into()),
            preferred_dealer_id: Some("".into()),
            ..LeadEditDraft::default()
        };
        assert_eq!(
            form.changes().unwrap(),
            [
                LeadChange::Trim(Some(String::new())),
                LeadChange::PreferredDealer(None)
            ]
        );
    }

    #[test]
    fn every_malformed_field_is_reported() {
        let form = LeadEditDraft {
            contact: Some("no".into()),
            contact_reason: Some("other".into()),
            contract: Some("maybe".into()),
            preferred_dealer_id: Some("не дилер".into()),
            ..LeadEditDraft::default()
        };
        let e = form.changes().unwrap_err();
        let fields: Vec<_> = e.fields.iter().map(|f| f.field).collect();
        assert_eq!(
            fields,
            ["contact_reason_text", "contract", "preferred_dealer_id"]
        );
        let ok = LeadEditDraft {
            contact: Some("no".into()),
            contact_reason: Some("no_answer".into()),
            ..LeadEditDraft::default()
        };
        assert_eq!(
            ok.changes().unwrap(),
            [LeadChange::Contact(ContactOutcome::No {
                reason: NoContactReason::NoAnswer,
                text: None
            })]
        );
    }
}
