//! Ticket comments and attachment descriptions ⇄ items. A child of `mapping`, so it uses
//! the same [`Builder`] and [`Reader`] as the ticket it sits beside.

use super::{Builder, Item, Reader, attr, n};
use crate::error::StoreError;
use crate::keys;
use dealerdesk_domain::{
    Attachment, AttachmentId, Comment, CommentId, FileKind, Role, TicketId, UserId,
};

/// The `type` of a comment item.
pub(crate) const COMMENT_TYPE: &str = "comment";
/// The `type` of an attachment description.
pub(crate) const ATTACHMENT_TYPE: &str = "attachment";
/// The attribute naming an item's kind.
pub(crate) const TYPE_ATTRIBUTE: &str = super::TYPE;

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
