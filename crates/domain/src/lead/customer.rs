//! One customer profile per person (SPEC §4.2): the normalised phone and e-mail are the
//! identity keys; leads that share either join one profile, across dealers and time.

use super::card::Lead;
use super::contact::{Email, Phone};
use super::privacy::ANONYMOUS_NAME;
use super::survey::SurveyAnswer;
use super::{CustomerId, LeadId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The identity keys of a lead, as the store indexes profiles (`phone#+79123456789`,
/// `email#ivan@mail.ru`).
pub fn identity_keys(phone: Option<&Phone>, email: Option<&Email>) -> Vec<String> {
    let mut keys = Vec::new();
    if let Some(p) = phone {
        keys.push(format!("phone#{p}"));
    }
    if let Some(e) = email {
        keys.push(format!("email#{e}"));
    }
    keys
}

/// What becomes of a new lead's customer, given the profile its phone matched and the one
/// its e-mail matched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IdentityDecision {
    /// Nobody known: a new profile with the lead's phone and e-mail.
    NewProfile,
    /// The phone's profile; `add_email` when the lead brings an e-mail the profile lacks.
    JoinPhone {
        profile: CustomerId,
        add_email: bool,
    },
    /// The e-mail's profile; `add_phone` when the lead brings a phone the profile lacks.
    JoinEmail {
        profile: CustomerId,
        add_phone: bool,
    },
    /// Phone and e-mail point at two different profiles: the phone's wins (a phone is
    /// personal more often than a shared family mailbox), the lead's e-mail is added to it,
    /// and the pair is flagged for a person to merge.
    PhoneWins {
        profile: CustomerId,
        flagged: CustomerId,
    },
}

impl IdentityDecision {
    /// The existing profile the lead joins, `None` for a new one.
    pub fn profile(&self) -> Option<&CustomerId> {
        match self {
            IdentityDecision::NewProfile => None,
            IdentityDecision::JoinPhone { profile, .. }
            | IdentityDecision::JoinEmail { profile, .. }
            | IdentityDecision::PhoneWins { profile, .. } => Some(profile),
        }
    }
}

/// Decides the profile of a new lead. `by_phone` / `by_email` are the profiles the store
/// found under the lead's normalised phone and e-mail (absent keys find nothing).
pub fn identify(
    phone: Option<&Phone>,
    email: Option<&Email>,
    by_phone: Option<&CustomerId>,
    by_email: Option<&CustomerId>,
) -> IdentityDecision {
    match (by_phone, by_email) {
        (None, None) => IdentityDecision::NewProfile,
        (Some(p), Some(e)) if p == e => IdentityDecision::JoinPhone {
            profile: p.clone(),
            add_email: false,
        },
        (Some(p), Some(e)) => IdentityDecision::PhoneWins {
            profile: p.clone(),
            flagged: e.clone(),
        },
        (Some(p), None) => IdentityDecision::JoinPhone {
            profile: p.clone(),
            add_email: email.is_some(),
        },
        (None, Some(e)) => IdentityDecision::JoinEmail {
            profile: e.clone(),
            add_phone: phone.is_some(),
        },
    }
}

/// A customer profile: one person's phones, e-mails and leads across dealers and time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerProfile {
    id: CustomerId,
    name: String,
    surname: Option<String>,
    phones: Vec<Phone>,
    emails: Vec<Email>,
    leads: Vec<LeadId>,
    /// Profiles that may be the same person (phone and e-mail pointed at different ones);
    /// a person decides whether to merge.
    merge_candidates: Vec<CustomerId>,
    /// The survey answers the customer gave, by lead.
    surveys: Vec<(LeadId, SurveyAnswer)>,
    anonymised: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    version: u64,
}

impl CustomerProfile {
    /// A new profile from the lead that revealed the person.
    pub fn new(id: CustomerId, lead: &Lead, now: DateTime<Utc>) -> CustomerProfile {
        let person = lead.person();
        CustomerProfile {
            id,
            name: person.name.clone(),
            surname: person.surname.clone(),
            phones: person.phone.iter().cloned().collect(),
            emails: person.email.iter().cloned().collect(),
            leads: vec![lead.id().clone()],
            merge_candidates: Vec::new(),
            surveys: Vec::new(),
            anonymised: false,
            created_at: now,
            updated_at: now,
            version: 1,
        }
    }

    /// The profile's identifier.
    pub fn id(&self) -> &CustomerId {
        &self.id
    }
    /// The name from the first lead.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The surname from the first lead.
    pub fn surname(&self) -> Option<&str> {
        self.surname.as_deref()
    }
    /// Every phone the person used.
    pub fn phones(&self) -> &[Phone] {
        &self.phones
    }
    /// Every e-mail the person used.
    pub fn emails(&self) -> &[Email] {
        &self.emails
    }
    /// The person's leads, oldest first.
    pub fn leads(&self) -> &[LeadId] {
        &self.leads
    }
    /// Profiles flagged as possibly the same person.
    pub fn merge_candidates(&self) -> &[CustomerId] {
        &self.merge_candidates
    }
    /// The survey answers, by lead.
    pub fn surveys(&self) -> &[(LeadId, SurveyAnswer)] {
        &self.surveys
    }
    /// When the profile was created.
    pub fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }
    /// The last change.
    pub fn updated_at(&self) -> DateTime<Utc> {
        self.updated_at
    }
    /// The optimistic-concurrency counter.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// Every identity key of the profile (what the store indexes it under).
    pub fn identity_keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self.phones.iter().map(|p| format!("phone#{p}")).collect();
        keys.extend(self.emails.iter().map(|e| format!("email#{e}")));
        keys
    }

    /// The profile after `lead` joined it by `decision`: the lead's new phone or e-mail
    /// added, the lead listed, and a flagged pair remembered. Joining twice changes nothing.
    pub fn join(
        &self,
        lead: &Lead,
        decision: &IdentityDecision,
        now: DateTime<Utc>,
    ) -> CustomerProfile {
        let mut next = self.clone();
        let person = lead.person();
        if let Some(phone) = &person.phone
            && !next.phones.contains(phone)
        {
            next.phones.push(phone.clone());
        }
        if let Some(email) = &person.email
            && !next.emails.contains(email)
        {
            next.emails.push(email.clone());
        }
        if !next.leads.contains(lead.id()) {
            next.leads.push(lead.id().clone());
        }
        if let IdentityDecision::PhoneWins { flagged, .. } = decision
            && flagged != &next.id
            && !next.merge_candidates.contains(flagged)
        {
            next.merge_candidates.push(flagged.clone());
        }
        next.touched(self, now)
    }

    /// The profile with a lead's survey answer (the answer "returns into the customer
    /// profile", SPEC §4.5).
    pub fn record_survey(
        &self,
        lead: &LeadId,
        answer: SurveyAnswer,
        now: DateTime<Utc>,
    ) -> CustomerProfile {
        let mut next = self.clone();
        if !next.surveys.iter().any(|(l, _)| l == lead) {
            next.surveys.push((lead.clone(), answer));
        }
        next.touched(self, now)
    }

    /// The profile without personal data (152-ФЗ): name replaced, phones and e-mails gone;
    /// the leads and answers stay for the reports.
    pub fn anonymise(&self, now: DateTime<Utc>) -> CustomerProfile {
        let mut next = self.clone();
        next.name = ANONYMOUS_NAME.to_string();
        next.surname = None;
        next.phones.clear();
        next.emails.clear();
        next.anonymised = true;
        next.touched(self, now)
    }

    /// Whether the personal data were erased.
    pub fn is_anonymised(&self) -> bool {
        self.anonymised
    }

    fn touched(mut self, before: &CustomerProfile, now: DateTime<Utc>) -> CustomerProfile {
        if &self != before {
            self.version += 1;
            self.updated_at = now;
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lead::contact::{normalise_email, normalise_phone};

    #[test]
    fn one_profile_per_person() {
        let phone = normalise_phone("8 912 345-67-89");
        let email = normalise_email("Ivan@Mail.ru");
        let (p, e) = (phone.as_ref(), email.as_ref());
        let a = CustomerId::new("A");
        let b = CustomerId::new("B");
        assert_eq!(identify(p, e, None, None), IdentityDecision::NewProfile);
        assert_eq!(
            identify(p, e, Some(&a), None),
            IdentityDecision::JoinPhone {
                profile: a.clone(),
                add_email: true
            }
        );
        assert_eq!(
            identify(p, None, Some(&a), None),
            IdentityDecision::JoinPhone {
                profile: a.clone(),
                add_email: false
            }
        );
        assert_eq!(
            identify(p, e, None, Some(&b)),
            IdentityDecision::JoinEmail {
                profile: b.clone(),
                add_phone: true
            }
        );
        assert_eq!(
            identify(p, e, Some(&a), Some(&a)),
            IdentityDecision::JoinPhone {
                profile: a.clone(),
                add_email: false
            }
        );
        let split = identify(p, e, Some(&a), Some(&b));
        assert_eq!(
            split,
            IdentityDecision::PhoneWins {
                profile: a.clone(),
                flagged: b
            }
        );
        assert_eq!(split.profile(), Some(&a));
    }

    #[test]
    fn a_profile_gathers_the_persons_leads_phones_and_emails() {
        use crate::lead::card::tests::{lead, t};
        let first = lead();
        let profile = CustomerProfile::new(CustomerId::new("A"), &first, t(9, 0));
        assert_eq!(
            profile.identity_keys(),
            ["phone#+79123456789", "email#ivan@mail.ru"]
        );
        let same = profile.join(
            &first,
            &IdentityDecision::JoinPhone {
                profile: CustomerId::new("A"),
                add_email: false,
            },
            t(10, 0),
        );
        assert_eq!(same, profile);
        let flagged = IdentityDecision::PhoneWins {
            profile: CustomerId::new("A"),
            flagged: CustomerId::new("B"),
        };
        let mut second = lead();
        second.id = LeadId::new("L2");
        second.person.email = normalise_email("ivan.work@mail.ru");
        let joined = profile.join(&second, &flagged, t(10, 0));
        assert_eq!(joined.leads().len(), 2);
        assert_eq!(joined.emails().len(), 2);
        assert_eq!(joined.merge_candidates(), [CustomerId::new("B")]);
        assert_eq!(joined.version(), 2);
        let answered = joined.record_survey(&LeadId::new("L2"), SurveyAnswer::Happy, t(11, 0));
        assert_eq!(answered.surveys().len(), 1);
        let erased = answered.anonymise(t(12, 0));
        assert!(erased.identity_keys().is_empty());
        assert_eq!(erased.name(), ANONYMOUS_NAME);
        assert_eq!(erased.leads().len(), 2);
    }

    #[test]
    fn identity_keys_are_the_normalised_values() {
        let phone = normalise_phone("+7 (912) 345-67-89");
        let email = normalise_email(" IVAN@mail.ru ");
        assert_eq!(
            identity_keys(phone.as_ref(), email.as_ref()),
            ["phone#+79123456789", "email#ivan@mail.ru"]
        );
        assert!(identity_keys(None, None).is_empty());
    }
}
