//! Comments and attachment descriptions (the app's «комментарии» and «файлы»): items of
//! their own in the ticket's partition, read together in one query.
//!
//! Neither touches the ticket item, so neither bumps the ticket's version: someone
//! commenting never makes a colleague's move fail as stale, and a comment written while
//! the ticket moves is not lost. A comment and its notice are one transaction. The one
//! exception is a comment that changes the ticket — a support comment that is the owed SLA
//! reaction (SPEC §2.3), or a remark on a result under review that stops or restarts its
//! auto-acceptance: it is written with the ticket through the aggregate save, conditional on
//! the version read.

use crate::client::{Condition, Store};
use crate::error::{Entity, StoreError};
use crate::kernel::AggregateWrite;
use crate::keys;
use crate::mapping::{self, Builder, Item, Reader, attr, n};
use crate::table::PK;
use aws_sdk_dynamodb::types::AttributeValue;
use dealerdesk_domain::{
    Attachment, AttachmentId, Comment, CommentId, FileKind, Notice, Role, Ticket, TicketId, UserId,
};
use std::future::Future;

/// A ticket's conversation and files, oldest first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TicketNotes {
    pub comments: Vec<Comment>,
    pub attachments: Vec<Attachment>,
}

/// Comments on tickets and descriptions of their attached files.
pub trait TicketNotesRepo {
    /// Writes a comment and its notices in one transaction.
    fn add_comment(
        &self,
        comment: &Comment,
        notices: &[Notice],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Writes a comment that changes its ticket (`Ticket::changed_by_comment`: the SLA
    /// reaction, the review countdown) with the changed ticket and the notices, in one
    /// transaction conditional on the stored ticket still being `before` (its version, as
    /// the caller read it; also the audit entry's old values); otherwise
    /// [`StoreError::Conflict`] and nothing is written.
    fn add_comment_changing(
        &self,
        comment: &Comment,
        before: &Ticket,
        ticket: &Ticket,
        notices: &[Notice],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Writes the description of a file whose bytes are already in the blob store,
    /// with its notices, in one transaction.
    fn add_attachment(
        &self,
        attachment: &Attachment,
        notices: &[Notice],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// One file's description, looked up in its ticket's partition.
    fn attachment(
        &self,
        ticket: &TicketId,
        id: &AttachmentId,
    ) -> impl Future<Output = Result<Option<Attachment>, StoreError>> + Send;
    /// Every comment and file of a ticket, oldest first (one query).
    fn ticket_notes(
        &self,
        ticket: &TicketId,
    ) -> impl Future<Output = Result<TicketNotes, StoreError>> + Send;
}

impl Store {
    /// Puts new items (each must not exist yet) in one transaction.
    async fn put_new(&self, items: Vec<mapping::Item>) -> Result<(), StoreError> {
        let puts = items
            .into_iter()
            .map(|item| self.put(item, Condition::absent()))
            .collect::<Result<Vec<_>, _>>()?;
        match self.transact(puts).await? {
            Ok(()) => Ok(()),
            Err(cancelled) => Err(cancelled
                .backend_failure()
                .unwrap_or(StoreError::AlreadyExists)),
        }
    }
}

impl TicketNotesRepo for Store {
    async fn add_comment(&self, comment: &Comment, notices: &[Notice]) -> Result<(), StoreError> {
        let mut items = vec![comment_to_item(comment)];
        items.extend(notices.iter().map(crate::outbox::notice_to_item));
        self.put_new(items).await
    }

    async fn add_comment_changing(
        &self,
        comment: &Comment,
        before: &Ticket,
        ticket: &Ticket,
        notices: &[Notice],
    ) -> Result<(), StoreError> {
        let write = AggregateWrite::new(
            Entity::Ticket,
            crate::ticket::ticket_to_item(ticket),
            before.version,
            notices,
        )
        .derive(crate::report::ticket_counters)
        .extra([self.put(comment_to_item(comment), Condition::absent())?])
        .audit_against(
            crate::ticket::ticket_stamp(ticket, comment.at, Some(comment.author_id.clone())),
            crate::ticket::ticket_to_item(before),
        );
        self.save_aggregate(write).await.map(|_| ())
    }

    async fn add_attachment(
        &self,
        attachment: &Attachment,
        notices: &[Notice],
    ) -> Result<(), StoreError> {
        let mut items = vec![attachment_to_item(attachment)];
        items.extend(notices.iter().map(crate::outbox::notice_to_item));
        self.put_new(items).await
    }

    async fn attachment(
        &self,
        ticket: &TicketId,
        id: &AttachmentId,
    ) -> Result<Option<Attachment>, StoreError> {
        self.get(keys::ticket_pk(ticket), &keys::attachment_sk(id))
            .await?
            .map(|item| attachment_from_item(&item))
            .transpose()
    }

    async fn ticket_notes(&self, ticket: &TicketId) -> Result<TicketNotes, StoreError> {
        let mut notes = TicketNotes::default();
        let query = self
            .client
            .query()
            .table_name(&*self.table)
            .key_condition_expression("#pk = :pk")
            // Key attributes cannot be filtered on; every item carries its `type`.
            .filter_expression("#type IN (:comment, :attachment)")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#type", TYPE_ATTRIBUTE)
            .expression_attribute_values(":pk", mapping::string(keys::ticket_pk(ticket)))
            .expression_attribute_values(":comment", mapping::string(COMMENT_TYPE))
            .expression_attribute_values(":attachment", mapping::string(ATTACHMENT_TYPE))
            .consistent_read(true);
        for item in &self.query_all(query).await? {
            match item.get(TYPE_ATTRIBUTE) {
                Some(AttributeValue::S(t)) if t == COMMENT_TYPE => {
                    notes.comments.push(comment_from_item(item)?)
                }
                Some(AttributeValue::S(t)) if t == ATTACHMENT_TYPE => {
                    notes.attachments.push(attachment_from_item(item)?)
                }
                _ => {}
            }
        }
        // Comments come in key order (time, then id); files by upload time, then id.
        notes
            .attachments
            .sort_by(|a, b| a.at.cmp(&b.at).then(a.id.cmp(&b.id)));
        Ok(notes)
    }
}

// ---------------------------------------------------------------- mapping: comments and attachment descriptions ⇄ items

/// The `type` of a comment item.
pub(crate) const COMMENT_TYPE: &str = "comment";
/// The `type` of an attachment description.
pub(crate) const ATTACHMENT_TYPE: &str = "attachment";
/// The attribute naming an item's kind.
pub(crate) const TYPE_ATTRIBUTE: &str = crate::mapping::TYPE;

pub(crate) fn comment_to_item(comment: &Comment) -> Item {
    Builder::new(
        keys::ticket_pk(&comment.ticket_id),
        &keys::comment_sk(comment.at, &comment.id),
        COMMENT_TYPE,
    )
    .string("id", comment.id.as_str())
    .string(attr::TICKET_ID, comment.ticket_id.as_str())
    .string("author_id", comment.author_id.as_str())
    .string("author_role", comment.author_role.code())
    .string("text", &comment.text)
    .instant("at", comment.at)
    .build()
}

pub(crate) fn comment_from_item(item: &Item) -> Result<Comment, StoreError> {
    let r = Reader::new(item);
    Ok(Comment {
        id: CommentId::new(r.string("id")?),
        ticket_id: TicketId::new(r.string(attr::TICKET_ID)?),
        author_id: UserId::new(r.string("author_id")?),
        author_role: r.code("author_role", Role::from_code)?,
        text: r.string("text")?,
        at: r.instant("at")?,
    })
}

pub(crate) fn attachment_to_item(a: &Attachment) -> Item {
    Builder::new(
        keys::ticket_pk(&a.ticket_id),
        &keys::attachment_sk(&a.id),
        ATTACHMENT_TYPE,
    )
    .string("id", a.id.as_str())
    .string(attr::TICKET_ID, a.ticket_id.as_str())
    .string("name", &a.name)
    .string("content_type", a.kind.content_type())
    .put("size", n(a.size))
    .string("blob_key", &a.blob_key)
    .string("uploaded_by", a.uploaded_by.as_str())
    .string("uploader_role", a.uploader_role.code())
    .instant("at", a.at)
    .build()
}

pub(crate) fn attachment_from_item(item: &Item) -> Result<Attachment, StoreError> {
    let r = Reader::new(item);
    Ok(Attachment {
        id: AttachmentId::new(r.string("id")?),
        ticket_id: TicketId::new(r.string(attr::TICKET_ID)?),
        name: r.string("name")?,
        kind: r.code("content_type", FileKind::from_content_type)?,
        size: r.u64("size")?,
        blob_key: r.string("blob_key")?,
        uploaded_by: UserId::new(r.string("uploaded_by")?),
        uploader_role: r.code("uploader_role", Role::from_code)?,
        at: r.instant("at")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_dynamodb::types::AttributeValue;
    use chrono::{TimeZone, Utc};

    #[test]
    fn comments_and_attachments_round_trip_in_their_tickets_partition() {
        let at = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
        let comment = Comment {
            id: CommentId::new("01C"),
            ticket_id: TicketId::new("t1"),
            author_id: UserId::new("u1"),
            author_role: Role::Dealer,
            text: "Срочно, «пожалуйста»\nспасибо".into(),
            at,
        };
        let item = comment_to_item(&comment);
        assert_eq!(item.get("pk"), Some(&AttributeValue::S("TICKET#t1".into())));
        assert_eq!(comment_from_item(&item), Ok(comment));

        for kind in FileKind::ALL {
            let a = Attachment {
                id: AttachmentId::new("01A"),
                ticket_id: TicketId::new("t1"),
                name: "Скрин 1.png".into(),
                kind,
                size: 1234,
                blob_key: "tickets/t1/01A".into(),
                uploaded_by: UserId::new("u1"),
                uploader_role: Role::Specialist,
                at,
            };
            let item = attachment_to_item(&a);
            assert_eq!(
                item.get("sk"),
                Some(&AttributeValue::S("ATTACH#01A".into()))
            );
            assert_eq!(attachment_from_item(&item), Ok(a), "{kind:?}");
        }
    }
}
