//! Wishes (SPEC §2.7) on the table: a wish and its history in one partition, listed per
//! dealer and for everyone through the overloaded indexes. Same rules as tickets: every
//! change is one transaction of the conditional wish write, its history event and its
//! notices, so a stale decision writes nothing and a notice is never lost or invented.

use crate::client::Store;
use crate::error::{Entity, StoreError};
use crate::kernel::AggregateWrite;
use crate::keys;
use crate::mapping::{self, Builder, Item, Reader, attr, n};
use crate::table::{GSI1, GSI2, SK};
use crate::{Page, PageRequest};
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::NaiveDate;
use dealerdesk_domain::{
    DealerId, Notice, Role, UserId, Wish, WishActionKind, WishEvent, WishId, WishPlan, WishStatus,
};
use std::future::Future;

/// Wishes and their history.
pub trait WishRepo {
    /// Writes a new wish, its submission event and its notices in one transaction;
    /// [`StoreError::AlreadyExists`] when the id is taken.
    fn create_wish(
        &self,
        wish: &Wish,
        event: &WishEvent,
        notices: &[Notice],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// One wish.
    fn wish(&self, id: &WishId) -> impl Future<Output = Result<Option<Wish>, StoreError>> + Send;
    /// One wish with its history, oldest event first (one query).
    fn wish_with_history(
        &self,
        id: &WishId,
    ) -> impl Future<Output = Result<Option<(Wish, Vec<WishEvent>)>, StoreError>> + Send;
    /// Stores a decided wish, its history event and its notices in one transaction, only
    /// if the stored wish still is `before` (its version, as the caller read it; also the
    /// audit entry's old values); otherwise [`StoreError::Conflict`] and nothing is written.
    fn save_wish_move(
        &self,
        before: &Wish,
        wish: &Wish,
        event: &WishEvent,
        notices: &[Notice],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// One dealer's wishes, newest first.
    fn dealer_wishes(
        &self,
        dealer: &DealerId,
        page: &PageRequest,
    ) -> impl Future<Output = Result<Page<Wish>, StoreError>> + Send;
    /// Every dealer's wishes, newest first.
    fn all_wishes(
        &self,
        page: &PageRequest,
    ) -> impl Future<Output = Result<Page<Wish>, StoreError>> + Send;
}

/// The audit stamp of a wish's step: its actor, its time.
fn wish_stamp(wish: &Wish, event: &WishEvent) -> crate::AuditStamp {
    crate::AuditStamp::new(
        dealerdesk_domain::audit::AuditItem::new(
            dealerdesk_domain::audit::AuditKind::Wish,
            wish.id.as_str(),
        ),
        event.at,
        Some(event.actor_id.clone()),
    )
}

impl WishRepo for Store {
    async fn create_wish(
        &self,
        wish: &Wish,
        event: &WishEvent,
        notices: &[Notice],
    ) -> Result<(), StoreError> {
        let write = AggregateWrite::new(Entity::Wish, wish_to_item(wish), 0, notices)
            .event(wish_event_to_item(&wish.id, wish.version, event))
            .audit(wish_stamp(wish, event));
        self.save_aggregate(write).await.map(|_| ())
    }

    async fn wish(&self, id: &WishId) -> Result<Option<Wish>, StoreError> {
        self.get(keys::wish_pk(id), keys::WISH_SK)
            .await?
            .map(|item| wish_from_item(&item))
            .transpose()
    }

    async fn wish_with_history(
        &self,
        id: &WishId,
    ) -> Result<Option<(Wish, Vec<WishEvent>)>, StoreError> {
        let mut wish = None;
        let mut events = Vec::new();
        for item in &self.partition(keys::wish_pk(id)).await? {
            if is_wish(item) {
                wish = Some(wish_from_item(item)?);
            } else if mapping::is_event(item) {
                events.push(wish_event_from_item(item)?);
            }
        }
        Ok(wish.map(|w| (w, events)))
    }

    async fn save_wish_move(
        &self,
        before: &Wish,
        wish: &Wish,
        event: &WishEvent,
        notices: &[Notice],
    ) -> Result<(), StoreError> {
        let write = AggregateWrite::new(Entity::Wish, wish_to_item(wish), before.version, notices)
            .event(wish_event_to_item(&wish.id, wish.version, event))
            .audit_against(wish_stamp(wish, event), wish_to_item(before));
        self.save_aggregate(write).await.map(|_| ())
    }

    async fn dealer_wishes(
        &self,
        dealer: &DealerId,
        page: &PageRequest,
    ) -> Result<Page<Wish>, StoreError> {
        self.page(
            &GSI1,
            keys::dealer_wishes_gsi1pk(dealer),
            None,
            page,
            wish_from_item,
        )
        .await
    }

    async fn all_wishes(&self, page: &PageRequest) -> Result<Page<Wish>, StoreError> {
        self.page(
            &GSI2,
            keys::ALL_WISHES_GSI2PK.to_string(),
            None,
            page,
            wish_from_item,
        )
        .await
    }
}

// ---------------------------------------------------------------- mapping: wishes and their history ⇄ items

/// The `type` of a wish item.
pub(crate) const WISH_TYPE: &str = "wish";
/// The `type` of a wish history event.
pub(crate) const WISH_EVENT_TYPE: &str = "wish_event";

const DATE_FORMAT: &str = "%Y-%m-%d";

fn date(d: NaiveDate) -> String {
    d.format(DATE_FORMAT).to_string()
}

impl Reader<'_> {
    fn opt_date(&self, name: &str) -> Result<Option<NaiveDate>, StoreError> {
        match self.opt_str(name)? {
            None => Ok(None),
            Some(raw) => NaiveDate::parse_from_str(raw, DATE_FORMAT)
                .map(Some)
                .map_err(|_| self.corrupt(format_args!("`{name}` = {raw:?} is not a date"))),
        }
    }
}

pub(crate) fn wish_to_item(wish: &Wish) -> Item {
    let listing_sk = keys::wish_listing_sk(wish.created_at, &wish.id);
    let plan = wish.plan.as_ref();
    Builder::new(keys::wish_pk(&wish.id), keys::WISH_SK, WISH_TYPE)
        .string(
            GSI1.partition_key,
            keys::dealer_wishes_gsi1pk(&wish.dealer_id),
        )
        .string(GSI1.sort_key, listing_sk.clone())
        .string(GSI2.partition_key, keys::ALL_WISHES_GSI2PK)
        .string(GSI2.sort_key, listing_sk)
        .string("id", wish.id.as_str())
        .string("dealer_id", wish.dealer_id.as_str())
        .string("author_id", wish.author_id.as_str())
        .string("title", &wish.title)
        .string("text", &wish.text)
        .string(attr::STATUS, wish.status.code())
        .opt_string("sprint", plan.map(|p| p.sprint.clone()))
        .opt_string("planned_from", plan.map(|p| date(p.planned_from)))
        .opt_string("planned_to", plan.map(|p| date(p.planned_to)))
        .opt_string("reason", wish.reason.clone())
        .instant("created_at", wish.created_at)
        .instant("updated_at", wish.updated_at)
        .put(attr::VERSION, n(wish.version))
        .build()
}

pub(crate) fn wish_from_item(item: &Item) -> Result<Wish, StoreError> {
    let r = Reader::new(item);
    let plan = match (
        r.opt_string("sprint")?,
        r.opt_date("planned_from")?,
        r.opt_date("planned_to")?,
    ) {
        (Some(sprint), Some(planned_from), Some(planned_to)) => Some(WishPlan {
            sprint,
            planned_from,
            planned_to,
        }),
        (None, None, None) => None,
        _ => return Err(r.corrupt("a plan without its sprint or one of its dates")),
    };
    Ok(Wish {
        id: WishId::new(r.string("id")?),
        dealer_id: DealerId::new(r.string("dealer_id")?),
        author_id: UserId::new(r.string("author_id")?),
        title: r.string("title")?,
        text: r.string("text")?,
        status: r.code(attr::STATUS, WishStatus::from_code)?,
        plan,
        reason: r.opt_string("reason")?,
        created_at: r.instant("created_at")?,
        updated_at: r.instant("updated_at")?,
        version: r.u64(attr::VERSION)?,
    })
}

/// A history event of `wish`; `version` is the wish version the event produced.
pub(crate) fn wish_event_to_item(wish: &WishId, version: u64, event: &WishEvent) -> Item {
    Builder::new(
        keys::wish_pk(wish),
        &keys::event_sk(event.at, version),
        WISH_EVENT_TYPE,
    )
    .string("wish_id", wish.as_str())
    .put(attr::VERSION, n(version))
    .instant("at", event.at)
    .string("actor_id", event.actor_id.as_str())
    .string("actor_role", event.actor_role.code())
    .opt_string("action", event.action.map(WishActionKind::code))
    .opt_string("from_status", event.from.map(WishStatus::code))
    .string("to_status", event.to.code())
    .opt_string("comment", event.comment.clone())
    .string("dealer_notice", &event.dealer_notice)
    .build()
}

pub(crate) fn wish_event_from_item(item: &Item) -> Result<WishEvent, StoreError> {
    let r = Reader::new(item);
    Ok(WishEvent {
        at: r.instant("at")?,
        actor_id: UserId::new(r.string("actor_id")?),
        actor_role: r.code("actor_role", Role::from_code)?,
        action: r.opt_code("action", WishActionKind::from_code)?,
        from: r.opt_code("from_status", WishStatus::from_code)?,
        to: r.code("to_status", WishStatus::from_code)?,
        comment: r.opt_string("comment")?,
        dealer_notice: r.string("dealer_notice")?,
    })
}

/// Whether an item of a wish's partition is the wish itself.
pub(crate) fn is_wish(item: &Item) -> bool {
    matches!(item.get(SK), Some(AttributeValue::S(sk)) if sk == keys::WISH_SK)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, TimeZone, Utc};

    fn at(min: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 5, 12, 10, 0, 0).unwrap() + chrono::Duration::minutes(min)
    }

    fn wish(status: WishStatus, plan: Option<WishPlan>, reason: Option<&str>) -> Wish {
        Wish {
            id: WishId::new("01W"),
            dealer_id: DealerId::new("d1"),
            author_id: UserId::new("u1"),
            title: "Фильтр по цвету".into(),
            text: "Нужен фильтр «по цвету»\nв АВН".into(),
            status,
            plan,
            reason: reason.map(str::to_string),
            created_at: at(0),
            updated_at: at(5),
            version: 4,
        }
    }

    #[test]
    fn a_wish_round_trips_with_its_plan_or_reason_and_carries_its_listing_keys() {
        let plan = WishPlan {
            sprint: "Спринт 24".into(),
            planned_from: NaiveDate::from_ymd_opt(2026, 6, 1).unwrap(),
            planned_to: NaiveDate::from_ymd_opt(2026, 6, 14).unwrap(),
        };
        for w in [
            wish(WishStatus::Submitted, None, None),
            wish(WishStatus::Accepted, Some(plan), None),
            wish(WishStatus::Rejected, None, Some("Уже есть")),
        ] {
            let item = wish_to_item(&w);
            assert!(is_wish(&item));
            assert_eq!(wish_from_item(&item), Ok(w));
            assert_eq!(
                item.get("gsi1pk"),
                Some(&AttributeValue::S("DEALER#d1#WISHES".into()))
            );
            assert_eq!(
                item.get("gsi2pk"),
                Some(&AttributeValue::S("WISHES".into()))
            );
        }
    }

    #[test]
    fn a_wish_event_round_trips() {
        let event = WishEvent {
            at: at(1),
            actor_id: UserId::new("m1"),
            actor_role: Role::AccountManager,
            action: Some(WishActionKind::Review),
            from: Some(WishStatus::Submitted),
            to: WishStatus::UnderReview,
            comment: Some("Уточнили".into()),
            dealer_notice: "Пожелание на рассмотрении".into(),
        };
        let item = wish_event_to_item(&WishId::new("01W"), 2, &event);
        assert!(!is_wish(&item));
        assert_eq!(wish_event_from_item(&item), Ok(event));
    }

    #[test]
    fn a_corrupt_wish_is_reported_not_panicked_on() {
        let mut item = wish_to_item(&wish(WishStatus::Submitted, None, None));
        item.insert("planned_to".into(), AttributeValue::S("2026-06-14".into()));
        assert!(matches!(wish_from_item(&item), Err(StoreError::Corrupt(_))));
        let mut item = wish_to_item(&wish(WishStatus::Submitted, None, None));
        item.insert("status".into(), AttributeValue::S("lost".into()));
        assert!(matches!(wish_from_item(&item), Err(StoreError::Corrupt(_))));
    }
}
