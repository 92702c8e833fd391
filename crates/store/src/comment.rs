//! Comments and attachment descriptions (the app's «комментарии» and «файлы»): items of
//! their own in the ticket's partition, read together in one query.
//!
//! Neither touches the ticket item, so neither bumps the ticket's version: someone
//! commenting never makes a colleague's move fail as stale, and a comment written while
//! the ticket moves is not lost. A comment and its notice are one transaction.

use crate::client::{Condition, Store};
use crate::error::StoreError;
use crate::keys;
use crate::mapping::{self, ATTACHMENT_TYPE, COMMENT_TYPE, TYPE_ATTRIBUTE};
use crate::table::PK;
use aws_sdk_dynamodb::types::AttributeValue;
use dealerdesk_domain::{Attachment, AttachmentId, Comment, Notice, TicketId};
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
        let mut items = vec![mapping::comment_to_item(comment)];
        items.extend(notices.iter().map(crate::outbox::notice_to_item));
        self.put_new(items).await
    }

    async fn add_attachment(
        &self,
        attachment: &Attachment,
        notices: &[Notice],
    ) -> Result<(), StoreError> {
        let mut items = vec![mapping::attachment_to_item(attachment)];
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
            .map(|item| mapping::attachment_from_item(&item))
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
                    notes.comments.push(mapping::comment_from_item(item)?)
                }
                Some(AttributeValue::S(t)) if t == ATTACHMENT_TYPE => {
                    notes.attachments.push(mapping::attachment_from_item(item)?)
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
