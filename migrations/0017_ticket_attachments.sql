-- Files attached to a ticket's messages (on opening, on a reply, on an answer or an internal
-- note). The bytes live in the database beside the message; an attachment of an internal note
-- is as internal as the note. `content_type` is what the magic bytes showed, not what the
-- uploader claimed.
CREATE TABLE ticket_attachments (
    id __PK__,
    ticket_id BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    message_id BIGINT NOT NULL REFERENCES ticket_messages(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    data __BLOB__ NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX ticket_attachments_ticket ON ticket_attachments (ticket_id, id);
CREATE INDEX ticket_attachments_message ON ticket_attachments (message_id);
