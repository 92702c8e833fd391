//! Conformance cases for the customer survey's and the customer's privacy writes, run on both
//! engines like the rest of the suite (as `lead_survey::on_dynoxide::<case>` and
//! `lead_survey::on_moto::<case>`).

use crate::Ctx;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Duration, TimeZone, Utc};
use dealerdesk_domain::lead::{
    CustomerId, CustomerProfile, Lead, LeadChange, LeadDraft, LeadId, LeadSource, Placement,
    identity_keys, survey_invitation,
};
use dealerdesk_domain::{Actor, DealerId, Role, UserId};
use dealerdesk_store::{
    CustomerRepo, CustomerWrite, LeadCreate, LeadErasure, LeadRepo, LeadSave, LeadSurveyRepo,
    OutboxRepo, StoreError,
};

engine_suite!(
    a_survey_invitation_is_stored_once_with_its_marker_removed,
    an_anonymised_customer_leaves_no_personal_data_in_the_table,
);

fn at(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 3, 0, 0, 0).unwrap() + Duration::minutes(minutes)
}

fn new_lead(id: &str, customer: &str) -> Lead {
    let draft = LeadDraft {
        kind: Some("test_drive".into()),
        name: Some("Иван".into()),
        surname: Some("Петров".into()),
        phone: Some("8 (914) 123-45-67".into()),
        email: Some("ivan@mail.ru".into()),
        consent: Some("true".into()),
        ..LeadDraft::default()
    };
    Lead::create(
        LeadId::new(id),
        draft.validate().unwrap(),
        LeadSource::Site,
        Placement {
            dealer: DealerId::new("d4"),
            observer: Some(UserId::new("rep2")),
            customer: Some(CustomerId::new(customer)),
        },
        at(0),
    )
}

/// Stores `lead` with its survey due a day later and, when given, a new profile claiming
/// the lead's phone and e-mail.
async fn store_lead(ctx: &Ctx, lead: &Lead, profile: Option<&CustomerProfile>) {
    let claims = identity_keys(lead.person().phone.as_ref(), lead.person().email.as_ref());
    ctx.store
        .create_lead(LeadCreate {
            lead,
            history: &[],
            notices: &[],
            customer: profile.map(|p| CustomerWrite {
                profile: p,
                expected_version: 0,
                new_claims: claims,
            }),
            idempotency: None,
            escalate_at: None,
            survey_due: Some(lead.created_at() + Duration::hours(24)),
            now: lead.created_at(),
            tally: None,
        })
        .await
        .unwrap();
}

async fn a_survey_invitation_is_stored_once_with_its_marker_removed(ctx: &Ctx) {
    let lead = new_lead("01LEADA", "01CUSTA");
    store_lead(ctx, &lead, None).await;
    let day = at(24 * 60);
    assert!(
        ctx.store
            .surveys_due(day - Duration::minutes(1))
            .await
            .unwrap()
            .is_empty()
    );
    let due = ctx
        .store
        .surveys_due(day + Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!(due, [(lead.id().clone(), day)]);

    let invitation = survey_invitation(&lead, "https://desk/s/t", day).unwrap();
    assert!(
        ctx.store
            .survey_sent(lead.id(), Some(&invitation))
            .await
            .unwrap()
    );
    assert!(
        !ctx.store
            .survey_sent(lead.id(), Some(&invitation))
            .await
            .unwrap(),
        "the marker is gone: a second run stores nothing"
    );
    assert!(
        ctx.store
            .surveys_due(day + Duration::days(1))
            .await
            .unwrap()
            .is_empty()
    );
    let pending = ctx.store.pending_notices(day, 100).await.unwrap();
    let invites: Vec<_> = pending
        .iter()
        .filter(|e| e.notice.key.ends_with(":survey:invite"))
        .collect();
    assert_eq!(invites.len(), 1);
    // A lead that lost its survey (anonymised) only loses its marker.
    let other = new_lead("01LEADB", "01CUSTB");
    store_lead(ctx, &other, None).await;
    assert!(ctx.store.survey_sent(other.id(), None).await.unwrap());
    assert!(
        ctx.store
            .surveys_due(day + Duration::days(1))
            .await
            .unwrap()
            .is_empty()
    );
}

/// Every string attribute of every item of the table.
async fn every_text(ctx: &Ctx) -> String {
    let out = crate::raw_client(ctx)
        .await
        .scan()
        .table_name(ctx.store.table_name())
        .send()
        .await
        .unwrap();
    let mut text = String::new();
    for item in out.items.unwrap_or_default() {
        for value in item.values() {
            if let AttributeValue::S(s) = value {
                text.push_str(s);
                text.push('\n');
            }
        }
    }
    text
}

async fn an_anonymised_customer_leaves_no_personal_data_in_the_table(ctx: &Ctx) {
    let lead = new_lead("01LEADC", "01CUSTC");
    let profile = CustomerProfile::new(CustomerId::new("01CUSTC"), &lead, at(0));
    store_lead(ctx, &lead, Some(&profile)).await;
    let dealer = Actor {
        user_id: UserId::new("u-d4"),
        role: Role::Dealer,
        dealer_id: Some(DealerId::new("d4")),
    };
    let (commented, history) = lead
        .apply(
            &dealer,
            &[LeadChange::Comment(Some(
                "Петров просил звонить жене".into(),
            ))],
            at(10),
        )
        .unwrap();
    ctx.store
        .save_lead(LeadSave {
            before: &lead,
            lead: &commented,
            history: &history,
            notices: &[],
            escalate_at: None,
            customer: None,
            tally: None,
        })
        .await
        .unwrap();
    assert!(every_text(ctx).await.contains("Петров"));

    let (erased, line) = commented.anonymise(at(20));
    let gone = profile.anonymise(at(20));
    let claims = profile.identity_keys();
    // A stale lead: nothing is written.
    let stale = ctx
        .store
        .anonymise_customer(
            CustomerWrite {
                profile: &gone,
                expected_version: profile.version(),
                new_claims: Vec::new(),
            },
            &claims,
            &[LeadErasure {
                lead: &erased,
                expected_version: lead.version(),
                history: &line,
            }],
        )
        .await;
    assert!(
        matches!(stale, Err(StoreError::Conflict { .. })),
        "{stale:?}"
    );
    assert!(
        every_text(ctx).await.contains("Петров"),
        "nothing half-written"
    );

    ctx.store
        .anonymise_customer(
            CustomerWrite {
                profile: &gone,
                expected_version: profile.version(),
                new_claims: Vec::new(),
            },
            &claims,
            &[LeadErasure {
                lead: &erased,
                expected_version: commented.version(),
                history: &line,
            }],
        )
        .await
        .unwrap();
    let text = every_text(ctx).await;
    for personal in ["Петров", "Иван", "ivan@mail.ru", "+79141234567"] {
        assert!(
            !text.contains(personal),
            "{personal} is still stored:\n{text}"
        );
    }
    let (stored, history) = ctx
        .store
        .lead_with_history(lead.id())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored, erased);
    assert_eq!(
        history.len(),
        2,
        "the comment's line (scrubbed) and the erasure's"
    );
    assert!(
        ctx.store
            .customer(&CustomerId::new("01CUSTC"))
            .await
            .unwrap()
            .unwrap()
            .is_anonymised()
    );
    assert_eq!(ctx.store.customer_by_key(&claims[0]).await.unwrap(), None);
    assert!(
        ctx.store
            .surveys_due(at(3 * 24 * 60))
            .await
            .unwrap()
            .is_empty()
    );
}
