-- Support tickets (PRODUCT.md §9, seed 000): a customer opens a ticket; it is served by the
-- nearest partner, reseller or dealer above it, and seen by every account above that. Times are
-- integer milliseconds. `customer_path` is the customer's path (accounts.path), so the queue of
-- a subtree is one range of an index. `due_at` is when a ticket waiting for an answer escalates
-- (business hours already counted in); it is set only while the clock runs, so the escalation
-- scan reads the due tickets from its index and nothing else.
CREATE TABLE tickets (
    id __PK__,
    tenant_id BIGINT,
    customer_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    customer_path __BYTES_TEXT__ NOT NULL,
    served_by_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    opened_by_login_id BIGINT REFERENCES logins(id) ON DELETE SET NULL,
    subject TEXT NOT NULL,
    category TEXT NOT NULL CHECK (category IN ('question', 'problem', 'billing', 'feature', 'other')),
    priority TEXT NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    status TEXT NOT NULL CHECK (status IN ('open', 'pending', 'solved', 'closed')),
    -- 1 while the customer's latest message has no answer.
    unanswered BIGINT NOT NULL DEFAULT 1,
    -- Business milliseconds already counted before the clock last paused (pending).
    counted_ms BIGINT NOT NULL DEFAULT 0,
    -- When the clock last started counting (the customer wrote, or the ticket left pending).
    clock_from BIGINT,
    due_at BIGINT,
    escalated_at BIGINT,
    -- 1 when an answer came that the customer has not opened yet.
    customer_unread BIGINT NOT NULL DEFAULT 0,
    last_message_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX tickets_due ON tickets (due_at) WHERE due_at IS NOT NULL;
CREATE INDEX tickets_path ON tickets (customer_path, created_at, id);
CREATE INDEX tickets_unanswered ON tickets (unanswered, customer_path, created_at, id);
CREATE INDEX tickets_customer ON tickets (customer_id, last_message_at);
CREATE INDEX tickets_served ON tickets (served_by_id);
CREATE INDEX tickets_opened_by ON tickets (opened_by_login_id);
CREATE INDEX tickets_tenant ON tickets (tenant_id, id);
CREATE INDEX tickets_escalated ON tickets (escalated_at) WHERE escalated_at IS NOT NULL;

-- The thread: the customer's messages, the answers (shown to the customer as "Servicecenter")
-- and internal notes (never shown to the customer). Who wrote a staff message stays here.
CREATE TABLE ticket_messages (
    id __PK__,
    ticket_id BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    from_customer BIGINT NOT NULL,
    internal BIGINT NOT NULL DEFAULT 0,
    author_login_id BIGINT REFERENCES logins(id) ON DELETE SET NULL,
    author_account_id BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
    author_name TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX ticket_messages_ticket ON ticket_messages (ticket_id, id);
CREATE INDEX ticket_messages_login ON ticket_messages (author_login_id);
CREATE INDEX ticket_messages_account ON ticket_messages (author_account_id);

-- What the panel tells the customer's side about its tickets ("Servicecenter answered …").
CREATE TABLE ticket_notifications (
    id __PK__,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    ticket_id BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    read_at BIGINT
);
CREATE INDEX ticket_notifications_account ON ticket_notifications (account_id, id);
CREATE INDEX ticket_notifications_ticket ON ticket_notifications (ticket_id);

-- Release notes written by the operator: drafts until published; the audience is everyone or
-- a list of kinds of account (comma-separated, e.g. "partner,reseller").
CREATE TABLE release_notes (
    id __PK__,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    audience TEXT NOT NULL DEFAULT '',
    published_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX release_notes_published ON release_notes (published_at);

-- Which login opened which note (the unread badge counts the others).
CREATE TABLE release_note_reads (
    note_id BIGINT NOT NULL REFERENCES release_notes(id) ON DELETE CASCADE,
    login_id BIGINT NOT NULL REFERENCES logins(id) ON DELETE CASCADE,
    read_at BIGINT NOT NULL,
    PRIMARY KEY (note_id, login_id)
);
CREATE INDEX release_note_reads_login ON release_note_reads (login_id);
