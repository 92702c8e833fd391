//! One customer profile per person (SPEC §4.2): the normalised phone and e-mail are the
//! identity keys; leads that share either join one profile, across dealers and time.

use super::CustomerId;
use super::contact::{Email, Phone};

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
