//! The `outbox` job: deliver pending notices by e-mail.

use crate::AppState;
use crate::inbox;
use crate::kernel::error::AppError;
use crate::kernel::job::{Job, JobReport};
use crate::outbox::mail;
use chrono::{DateTime, Duration, Utc};
use dealerdesk_domain::{Audience, Role, UserId};
use dealerdesk_store::{DirectoryRepo, OutboxEntry, OutboxRepo, UserRecord, UserRepo};

/// How long a sender holds a notice before another may try it.
const LEASE: Duration = Duration::minutes(5);
/// After this many failed attempts a notice is given up and kept for inspection.
const MAX_ATTEMPTS: u32 = 8;
/// Notices per run; the next run takes the rest.
const BATCH: u32 = 100;

/// Who a notice reaches: people of the platform (by e-mail and in their inbox) or one
/// outside address (a lead's customer: e-mail only).
struct Recipients {
    addresses: Vec<String>,
    users: Vec<UserId>,
}

async fn recipients(state: &AppState, audience: &Audience) -> Result<Recipients, AppError> {
    let store = &state.store;
    let users = match audience {
        Audience::Address { email } => {
            return Ok(Recipients {
                addresses: vec![email.clone()],
                users: Vec::new(),
            });
        }
        Audience::User { user_id } => store.user(user_id).await?.into_iter().collect(),
        Audience::DealerStaff { dealer_id } => store
            .users_of_dealer(dealer_id)
            .await?
            .into_iter()
            .filter(|u| u.role == Role::Dealer)
            .collect(),
        Audience::DealerAndAccountants { dealer_id } => store
            .users_of_dealer(dealer_id)
            .await?
            .into_iter()
            .filter(|u| matches!(u.role, Role::Dealer | Role::Accountant))
            .collect(),
        Audience::AccountManagerOf { dealer_id } => {
            match store
                .dealer(dealer_id)
                .await?
                .and_then(|d| d.account_manager_id)
            {
                Some(manager) => store.user(&manager).await?.into_iter().collect(),
                None => Vec::new(),
            }
        }
        Audience::Role { role } => store.users_with_role(*role).await?,
    };
    let (addresses, users): (Vec<String>, Vec<UserId>) = users
        .into_iter()
        .map(|u: UserRecord| (u.email, u.id))
        .unzip();
    Ok(Recipients { addresses, users })
}

/// Delivers what the outbox holds: each notice in its recipients' portal inboxes, then by
/// e-mail. A notice is leased before delivery and marked sent after, so two senders never
/// send it together and a delivered notice is not sent again; a retried one lands in an
/// inbox once (its entry's id is deterministic).
pub async fn deliver_outbox(state: &AppState, now: DateTime<Utc>) -> Result<JobReport, AppError> {
    let mut report = JobReport {
        job: Job::Outbox.code(),
        ..JobReport::default()
    };
    for OutboxEntry { notice, attempts } in state.store.pending_notices(now, BATCH).await? {
        if !state
            .store
            .claim_notice(&notice.key, now, now + LEASE)
            .await?
        {
            continue;
        }
        let Recipients { addresses, users } = recipients(state, &notice.audience).await?;
        let outcome = if addresses.is_empty() {
            // Nobody to tell (e.g. a dealer without an account manager): done, logged.
            tracing::warn!(notice = %notice.key, "notice has no recipients");
            Ok(())
        } else {
            match inbox::deliver(state, &notice, &users).await? {
                Ok(()) => {
                    match mail::render(
                        state.templates.get(),
                        &notice,
                        addresses,
                        &state.settings.public_url,
                    ) {
                        Ok(email) => state.mailer.deliver(&notice.key, &email, now).await,
                        Err(e) => Err(e),
                    }
                }
                Err(e) => Err(e),
            }
        };
        match outcome {
            Ok(()) => {
                state.store.mark_sent(&notice.key, now).await?;
                report.done += 1;
            }
            Err(error) => {
                let attempts = attempts + 1;
                let dead = attempts >= MAX_ATTEMPTS;
                let retry_at = now + Duration::minutes(i64::from(attempts * attempts));
                tracing::warn!(notice = %notice.key, attempts, dead, error = %error, "delivery failed");
                state
                    .store
                    .mark_failed(&notice.key, &error, retry_at, dead)
                    .await?;
                if dead {
                    report.dead += 1;
                } else {
                    report.failed += 1;
                }
            }
        }
    }
    Ok(report)
}
