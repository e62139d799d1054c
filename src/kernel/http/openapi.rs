//! The OpenAPI 3 document of the JSON API, and interactive docs (Swagger UI, served from the binary).

use crate::kernel::error::ALL_CODES;
use crate::state::AppState;
use axum::{extract::State, response::Html, Json};
use serde_json::{json, Value};

pub(crate) fn err(desc: &str) -> Value {
    json!({ "description": desc, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } })
}

pub(crate) fn ok(desc: &str, schema: &str) -> Value {
    json!({ "description": desc, "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } } })
}

fn body(schema: &str) -> Value {
    json!({ "required": true, "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } } })
}

pub(crate) fn with_id(mut o: Value) -> Value {
    o["parameters"] = json!([{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer", "format": "int64" } }]);
    o["responses"]["404"] =
        err("Not found, or outside the accounts you reach (`not_found`): the same answer for both");
    o
}

pub(crate) fn with_query(mut o: Value, params: &[(&str, Value, &str)]) -> Value {
    if !o["parameters"].is_array() {
        o["parameters"] = json!([]);
    }
    let list = o["parameters"].as_array_mut().expect("parameters");
    for (name, schema, desc) in params {
        list.push(json!({ "name": name, "in": "query", "required": false, "description": desc, "schema": schema }));
    }
    o
}

fn list_params(o: Value) -> Value {
    let mut o = with_query(
        o,
        &[
            (
                "q",
                json!({ "type": "string", "maxLength": 100 }),
                "Part of the name, any case",
            ),
            (
                "kind",
                json!({ "type": "string", "enum": ["operator", "partner", "reseller", "dealer", "customer"] }),
                "Only this kind",
            ),
            (
                "status",
                json!({ "type": "string", "enum": ["active", "inactive"] }),
                "Only this status",
            ),
            (
                "sort",
                json!({ "type": "string", "enum": ["name", "created", "kind", "status"], "default": "name" }),
                "Sort key",
            ),
            (
                "dir",
                json!({ "type": "string", "enum": ["asc", "desc"], "default": "asc" }),
                "Sort direction",
            ),
            (
                "page",
                json!({ "type": "integer", "minimum": 1, "default": 1 }),
                "1-based page",
            ),
            (
                "per_page",
                json!({ "type": "integer", "minimum": 1, "maximum": 100, "default": 25 }),
                "Rows per page",
            ),
        ],
    );
    o["responses"]["400"] = err("Unreadable query (`invalid_query`, `invalid_text`)");
    o
}

fn audit_params(mut o: Value) -> Value {
    o["parameters"] = json!([]);
    let mut o = with_query(
        o,
        &[
            (
                "q",
                json!({ "type": "string", "maxLength": 100 }),
                "Text in the email, action, target or detail",
            ),
            (
                "action",
                json!({ "type": "string", "pattern": "^[A-Za-z0-9_.]{0,60}$" }),
                "An action or its first part, e.g. login or act_as",
            ),
            (
                "from",
                json!({ "type": "string", "format": "date" }),
                "First day, YYYY-MM-DD (UTC)",
            ),
            (
                "to",
                json!({ "type": "string", "format": "date" }),
                "Last day, YYYY-MM-DD (UTC)",
            ),
            (
                "page",
                json!({ "type": "integer", "minimum": 1, "default": 1 }),
                "1-based page",
            ),
            (
                "per_page",
                json!({ "type": "integer", "minimum": 1, "maximum": 100, "default": 50 }),
                "Rows per page",
            ),
        ],
    );
    o["responses"]["422"] =
        err("A date that is not YYYY-MM-DD, or a bad filter (`validation_failed`)");
    o["responses"]["400"] = err("Unreadable query (`invalid_query`, `invalid_text`)");
    o
}

/// An operation anyone may call, signed in or not.
fn public(mut o: Value) -> Value {
    o["security"] = json!([]);
    o
}

fn history_params(mut o: Value) -> Value {
    o["parameters"] = json!([]);
    let mut o = with_query(
        o,
        &[
            (
                "q",
                json!({ "type": "string", "maxLength": 100 }),
                "Part of the partner name",
            ),
            (
                "decision",
                json!({ "type": "string", "enum": ["approved", "rejected"] }),
                "Only this decision",
            ),
            (
                "page",
                json!({ "type": "integer", "minimum": 1, "default": 1 }),
                "1-based page",
            ),
            (
                "per_page",
                json!({ "type": "integer", "minimum": 1, "maximum": 100, "default": 25 }),
                "Rows per page",
            ),
        ],
    );
    o["responses"]["400"] = err("Unreadable query (`invalid_query`, `invalid_text`)");
    o
}

/// Errors every authenticated call may answer.
fn common(mut responses: Value) -> Value {
    let m = responses.as_object_mut().expect("object");
    m.insert(
        "401".into(),
        err("Not signed in, or the token is unknown or revoked (`unauthenticated`)"),
    );
    m.insert("403".into(), err("CSRF token missing for a cookie-authenticated call (`csrf_failed`), or not allowed (`forbidden`)"));
    m.insert(
        "500".into(),
        err("Internal error (`internal_error`), with a request id"),
    );
    m.entry("400").or_insert_with(|| {
        err("Unreadable input: query, text with NUL, or a bad X-Act-As header (`invalid_query`, `invalid_text`, `invalid_act_as`)")
    });
    responses
}

pub(crate) fn op(
    id: &str,
    tag: &str,
    summary: &str,
    request: Option<&str>,
    responses: Value,
) -> Value {
    let mut o = json!({ "operationId": id, "tags": [tag], "summary": summary, "responses": common(responses) });
    if let Some(r) = request {
        o["requestBody"] = body(r);
        o["responses"]["400"] =
            err("Body is not JSON or does not fit (`invalid_json`, `unsupported_media_type`)");
    }
    o
}

pub fn spec() -> Value {
    let mut doc = spec_core();
    crate::areas::networks::api::document(&mut doc);
    doc
}

fn spec_core() -> Value {
    let login = json!({
        "operationId": "login", "tags": ["auth"], "summary": "Sign in with email and password",
        "description": "Sets the `pp_session` cookie. State-changing calls made with that cookie send the returned `csrf_token` as the `X-CSRF-Token` header.",
        "security": [],
        "requestBody": body("LoginRequest"),
        "responses": {
            "200": ok("Signed in", "LoginResponse"),
            "400": err("Body is not JSON (`invalid_json`)"),
            "401": err("Email or password is incorrect (`invalid_credentials`); the same for an unknown email"),
            "403": err("Login or its account is inactive (`forbidden`)"),
            "422": err("Email or password missing (`validation_failed`)"),
            "429": err("Too many failed attempts for this email or address (`too_many_attempts`); see Retry-After"),
            "500": err("Internal error")
        }
    });
    let mut doc = json!({
        "openapi": "3.0.3",
        "info": {
            "title": "Partner Panel API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The JSON API of Partner Panel. Authenticate with the session cookie from `POST /api/v1/auth/login` (plus the `X-CSRF-Token` header on state-changing calls) or with an API token as `Authorization: Bearer <token>`. Every error is `{\"error\":{\"code\",\"message\",\"field\"?,\"request_id\"}}` with a stable `code`. Any call may carry the header `X-Act-As: <account id>` to act as an account below the caller's own, with owner rights there (admins and owners only; not from inside a session that already acts as another account)."
        },
        "servers": [{ "url": "/" }],
        "security": [{ "bearer": [] }, { "session": [] }],
        "tags": [
            { "name": "auth", "description": "Sign in and out" },
            { "name": "me", "description": "The signed-in login: profile, password, tokens" },
            { "name": "dashboard", "description": "Figures of the account in view" },
            { "name": "accounts", "description": "The account tree: children, subtree search, status, deletion" },
            { "name": "logins", "description": "Logins of the accounts you manage" },
            { "name": "acting", "description": "Acting as an account below yours (also: header X-Act-As on any call)" },
            { "name": "audit", "description": "The audit log of the account in view" },
            { "name": "onboarding", "description": "Packages, add-ons, registration, partnership requests, My partners (operator)" },
            { "name": "billing", "description": "Trial, invoices, payments, denial for unpaid periods, export, test clock" }
        ],
        "paths": {
            "/api/v1/auth/login": { "post": login },
            "/api/v1/auth/logout": { "post": op("logout", "auth", "End this session", None, json!({ "204": { "description": "Signed out" }, "400": err("Called with an API token (`not_a_session`)") })) },
            "/api/v1/me": {
                "get": op("getMe", "me", "The signed-in login and the account in view", None, json!({ "200": ok("Me", "Me") })),
                "patch": op("updateMe", "me", "Change own name and email (a new email needs current_password)", Some("UpdateMe"),
                    json!({ "200": ok("Saved", "Me"), "409": err("Email used by another login (`email_taken`)"), "422": err("Invalid field (`validation_failed`, with `field`)") }))
            },
            "/api/v1/me/password": {
                "post": op("changePassword", "me", "Change own password; ends the login's other sessions", Some("ChangePassword"),
                    json!({ "204": { "description": "Changed" }, "422": err("Wrong current password or weak new one (`validation_failed`, with `field`)") }))
            },
            "/api/v1/me/activity": {
                "get": op("myActivity", "me", "The latest audit records of the signed-in login", None, json!({ "200": ok("Records", "AuditList") }))
            },
            "/api/v1/me/tokens": {
                "get": op("listTokens", "me", "The login's API tokens", None, json!({ "200": ok("Tokens", "TokenList") })),
                "post": op("createToken", "me", "Create an API token; its secret is returned only here", Some("CreateToken"),
                    json!({ "201": ok("Created", "CreatedToken"), "409": err("Too many active tokens (`too_many_tokens`)"), "422": err("Invalid name (`validation_failed`)") }))
            },
            "/api/v1/me/tokens/{id}": {
                "delete": {
                    "operationId": "revokeToken", "tags": ["me"], "summary": "Revoke an API token",
                    "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer", "format": "int64" } }],
                    "responses": common(json!({ "204": { "description": "Revoked" }, "404": err("No such active token of this login (`not_found`)") }))
                }
            },
            "/api/v1/dashboard": {
                "get": op("dashboard", "dashboard", "Figures of the account in view: its kind and the accounts below it by kind", None, json!({ "200": ok("Dashboard", "Dashboard"), "403": err("The login has no dashboard rights (`forbidden`)") }))
            },
            "/api/v1/accounts/{id}": {
                "get": with_id(op("getAccount", "accounts", "One account in view or below it", None, json!({ "200": ok("Account", "Account") }))),
                "patch": with_id(op("updateAccount", "accounts", "Edit an account's name, email, phone (member and up)", Some("AccountUpdate"),
                    json!({ "200": ok("Saved", "Account"), "422": err("Invalid field (`validation_failed`)") }))),
                "delete": with_query(with_id(op("deleteAccount", "accounts", "Delete an account below and its whole subtree (admin and up); confirm_accounts must equal the count from /deletion", None,
                    json!({ "200": ok("Deleted", "DeletionPreview"), "422": err("Missing or wrong confirm_accounts (`validation_failed`)") }))),
                    &[("confirm_accounts", json!({ "type": "integer" }), "The number of accounts the deletion removes, as /deletion reported it")])
            },
            "/api/v1/accounts/{id}/children": {
                "get": list_params(with_id(op("listChildren", "accounts", "Accounts directly below, filtered, sorted and paged", None, json!({ "200": ok("Page of accounts", "AccountPage"), "422": err("Bad filter (`validation_failed`)") })))),
                "post": with_id(op("createChild", "accounts", "Create an account directly below (member and up). Allowed kinds: operator → partner, reseller; partner → partner, dealer, customer; reseller → partner, customer; dealer → customer", Some("AccountInput"),
                    json!({ "201": ok("Created", "Account"), "409": err("The parent is inactive (`parent_inactive`)"), "422": err("Kind not allowed here or invalid field (`validation_failed`)") })))
            },
            "/api/v1/accounts/{id}/subtree": {
                "get": list_params(with_id(op("searchSubtree", "accounts", "Search every account below, by name, kind and status, sorted and paged", None, json!({ "200": ok("Page of accounts", "AccountPage"), "422": err("Bad filter (`validation_failed`)") }))))
            },
            "/api/v1/accounts/{id}/status": {
                "post": with_id(op("setAccountStatus", "accounts", "Set an account below active or inactive (admin and up). Inactive: its logins and all below cannot sign in; their sessions end", Some("StatusBody"),
                    json!({ "200": ok("Saved", "Account"), "422": err("Status must be active or inactive (`validation_failed`)") })))
            },
            "/api/v1/accounts/{id}/deletion": {
                "get": with_id(op("deletionPreview", "accounts", "What deleting this account would remove", None, json!({ "200": ok("Preview", "DeletionPreview") })))
            },
            "/api/v1/accounts/{id}/logins": {
                "get": with_id(op("listLogins", "logins", "The logins of an account", None, json!({ "200": ok("Logins", "LoginList") }))),
                "post": with_id(op("createLogin", "logins", "Add a login to an account (admin and up)", Some("LoginInput"),
                    json!({ "201": ok("Created", "Login"), "409": err("Email in use (`email_taken`)"), "422": err("Invalid field (`validation_failed`)") })))
            },
            "/api/v1/logins/{id}": {
                "patch": with_id(op("updateLogin", "logins", "Change another login's name, role, dashboard rights or status (admin and up)", Some("LoginUpdate"),
                    json!({ "200": ok("Saved", "Login"), "422": err("Invalid field (`validation_failed`)") }))),
                "delete": with_query(with_id(op("deleteLogin", "logins", "Delete another login (admin and up); needs confirm=true", None,
                    json!({ "204": { "description": "Deleted" }, "422": err("confirm missing (`validation_failed`)") }))), &[("confirm", json!({ "type": "boolean" }), "Must be true")])
            },
            "/api/v1/act-as": {
                "post": op("actAsStart", "acting", "Act as an account below your own, with owner rights there, for an hour (session sign-in; with a token send X-Act-As instead)", Some("ActAsBody"),
                    json!({ "200": ok("Now acting", "Me"), "404": err("Account not below yours (`not_found`)"), "409": err("Already acting (`already_acting`)"), "422": err("Your own account (`validation_failed`)") }))
            },
            "/api/v1/act-as/exit": {
                "post": op("actAsExit", "acting", "Stop acting as another account", None, json!({ "200": ok("Back home", "Me"), "409": err("Not acting (`not_acting`)") }))
            },
            "/api/v1/act-as/renew": {
                "post": op("actAsRenew", "acting", "Extend acting as the current account by an hour", None, json!({ "204": { "description": "Renewed" }, "409": err("Not acting (`not_acting`)") }))
            },
            "/api/v1/packages": {
                "get": public(op("listPackages", "onboarding", "The packages on offer (the operator adds ?all=true to see retired ones too)", None, json!({ "200": ok("Packages", "PackageList") }))),
                "post": op("createPackage", "onboarding", "Create a package (operator owners and admins)", Some("PackageInput"),
                    json!({ "201": ok("Created", "Package"), "409": err("Name in use (`name_taken`)"), "422": err("Invalid field (`validation_failed`)") }))
            },
            "/api/v1/packages/{id}": {
                "patch": with_id(op("updatePackage", "onboarding", "Edit a package; partners keep it, new prices apply to the next invoice", Some("PackageInput"),
                    json!({ "200": ok("Saved", "Package"), "409": err("Name in use (`name_taken`)"), "422": err("Invalid field (`validation_failed`)") })))
            },
            "/api/v1/packages/{id}/status": {
                "post": with_id(op("packageStatus", "onboarding", "Retire a package (no longer offered; kept by partners that have it) or offer it again", Some("CatalogStatus"),
                    json!({ "200": ok("Saved", "Package"), "422": err("Status must be active or retired (`validation_failed`)") })))
            },
            "/api/v1/addons": {
                "get": public(op("listAddons", "onboarding", "The add-ons on offer (?all=true for the operator)", None, json!({ "200": ok("Add-ons", "AddonList") }))),
                "post": op("createAddon", "onboarding", "Create an add-on (operator owners and admins)", Some("AddonInput"),
                    json!({ "201": ok("Created", "Addon"), "409": err("Name in use (`name_taken`)"), "422": err("Invalid field (`validation_failed`)") }))
            },
            "/api/v1/addons/{id}/status": {
                "post": with_id(op("addonStatus", "onboarding", "Retire an add-on or offer it again", Some("CatalogStatus"),
                    json!({ "204": { "description": "Saved" }, "422": err("Status must be active or retired (`validation_failed`)") })))
            },
            "/api/v1/registrations": {
                "post": public(op("register", "onboarding", "Register as a partner: becomes a pending partnership request (approved at once when the operator turned automatic approval on). At most 5 per address per hour.", Some("Registration"),
                    json!({ "201": ok("Request made", "PartnershipRequest"), "409": err("A request for this email is pending (`duplicate_request`)"), "422": err("Invalid field (`validation_failed`)"), "429": err("Too many registrations from this address (`too_many_attempts`)") })))
            },
            "/api/v1/partnership-requests": {
                "get": op("pendingRequests", "onboarding", "Pending partnership requests, oldest first (operator)", None, json!({ "200": ok("Requests", "PartnershipRequestList") }))
            },
            "/api/v1/partnership-requests/{id}/approve": {
                "post": with_id(op("approveRequest", "onboarding", "Approve: creates the partner, its owner login (emailed) and its trial", None,
                    json!({ "200": ok("Approved", "PartnershipRequest"), "409": err("Already decided (`already_decided`) or email in use (`email_taken`)") })))
            },
            "/api/v1/partnership-requests/{id}/reject": {
                "post": with_id(op("rejectRequest", "onboarding", "Reject with a reason, which is emailed to the applicant", Some("RejectBody"),
                    json!({ "200": ok("Rejected", "PartnershipRequest"), "409": err("Already decided (`already_decided`)"), "422": err("Reason missing (`validation_failed`)") })))
            },
            "/api/v1/partnership-requests/history": {
                "get": history_params(op("requestHistory", "onboarding", "Decided requests, newest first, searchable by partner name", None, json!({ "200": ok("Page of requests", "PartnershipRequestPage"), "422": err("Bad filter (`validation_failed`)") })))
            },
            "/api/v1/partnership-requests/history.csv": {
                "get": history_params(op("requestHistoryCsv", "onboarding", "The filtered history as CSV", None,
                    json!({ "200": { "description": "CSV", "content": { "text/csv": { "schema": { "type": "string" } } } }, "422": err("Bad filter (`validation_failed`)") })))
            },
            "/api/v1/partners": {
                "get": with_query(op("myPartners", "onboarding", "My partners: every partner under the operator with package, status and external invoice id", None, json!({ "200": ok("Partners", "PartnerList") })),
                    &[("q", json!({ "type": "string", "maxLength": 100 }), "Part of the name")])
            },
            "/api/v1/partners/{id}": {
                "patch": with_id(op("updatePartner", "onboarding", "Set the external invoice id of a partner", Some("PartnerUpdate"),
                    json!({ "204": { "description": "Saved" }, "422": err("Invalid field (`validation_failed`)") })))
            },
            "/api/v1/settings": {
                "get": op("getSettings", "onboarding", "Operator settings", None, json!({ "200": ok("Settings", "Settings") })),
                "put": op("putSettings", "onboarding", "Change operator settings", Some("Settings"), json!({ "200": ok("Settings", "Settings") }))
            },
            "/api/v1/billing": {
                "get": op("billing", "billing", "The package, status and invoices of the account in view — or, for a login denied for an unpaid period, of the partner concerned, with how to pay", None, json!({ "200": ok("Billing", "Billing") }))
            },
            "/api/v1/billing/package": {
                "post": op("changePackage", "billing", "Change the package of the partner in view (owners and admins); the next invoice has its price", Some("PackageChoice"),
                    json!({ "200": ok("Changed", "Subscription"), "409": err("No package here (`no_subscription`)"), "422": err("Unknown or retired package (`validation_failed`)") }))
            },
            "/api/v1/billing/export": {
                "get": op("exportData", "billing", "Everything of the partner in view as JSON (accounts, logins without secrets, invoices); available until the purge", None, json!({ "200": { "description": "Export", "content": { "application/json": { "schema": { "type": "object" } } } } }))
            },
            "/api/v1/invoices/{id}": {
                "get": with_id(op("getInvoice", "billing", "One invoice of the account in view or below", None, json!({ "200": ok("Invoice", "Invoice") })))
            },
            "/api/v1/accounts/{id}/invoices": {
                "get": with_id(op("accountInvoices", "billing", "The invoices of an account", None, json!({ "200": ok("Invoices", "InvoiceList") })))
            },
            "/api/v1/invoices/{id}/payments": {
                "post": with_id(op("registerPayment", "billing", "The operator registers a payment: the invoice is paid and the package extended; a suspended partner gets access back at once. The same reference twice changes nothing.", Some("PaymentInput"),
                    json!({ "200": ok("Registered (or already registered)", "PaymentResult"), "409": err("Reference used for another invoice (`reference_used`)"), "422": err("Missing reference or wrong amount (`validation_failed`)") })))
            },
            "/api/v1/payments/webhook": {
                "post": {
                    "operationId": "paymentWebhook", "tags": ["billing"], "security": [],
                    "summary": "A payment provider reports a payment. Signed: header X-Signature = hex HMAC-SHA256 of the raw body with the shared secret (PANEL_PAYMENT_WEBHOOK_SECRET). Refused when replayed (same event_id, or timestamp more than 5 minutes off).",
                    "parameters": [{ "name": "X-Signature", "in": "header", "required": true, "schema": { "type": "string" } }],
                    "requestBody": body("WebhookPayment"),
                    "responses": {
                        "200": ok("Registered", "PaymentResult"), "400": err("Body is not JSON (`invalid_json`)"),
                        "403": err("Bad signature (`forbidden`)"), "404": err("No webhook secret configured, or unknown invoice (`not_found`)"),
                        "409": err("Replayed (`replayed`)"), "422": err("Invalid field (`validation_failed`)"), "500": err("Internal error")
                    }
                }
            },
            "/api/v1/test-clock/advance": {
                "post": op("advanceTestClock", "billing", "Only with PANEL_TEST_CLOCK=1 (otherwise 404): the operator moves the panel's clock forward; due billing steps and jobs run at once", Some("AdvanceBody"),
                    json!({ "200": { "description": "The new time and what ran", "content": { "application/json": { "schema": { "type": "object" } } } }, "404": err("The test clock is off (`not_found`)"), "422": err("seconds out of range (`validation_failed`)") }))
            },
            "/api/v1/audit": {
                "get": audit_params(op("auditLog", "audit", "The audit log of the account in view and everything below it, newest first", None, json!({ "200": ok("Page of records", "AuditPage"), "422": err("Bad filter (`validation_failed`)") })))
            },
            "/api/v1/audit.csv": {
                "get": audit_params(op("auditCsv", "audit", "The filtered audit log as CSV (UTF-8, RFC 4180, formulas neutralised), at most 100000 rows", None,
                    json!({ "200": { "description": "CSV", "content": { "text/csv": { "schema": { "type": "string" } } } } })))
            }
        },
        "components": {
            "securitySchemes": {
                "bearer": { "type": "http", "scheme": "bearer", "description": "An API token created under My profile → API tokens" },
                "session": { "type": "apiKey", "in": "cookie", "name": "pp_session" }
            },
            "schemas": {
                "Error": {
                    "type": "object", "required": ["error"],
                    "properties": { "error": {
                        "type": "object", "required": ["code", "message", "request_id"],
                        "properties": {
                            "code": { "type": "string", "enum": ALL_CODES },
                            "message": { "type": "string" },
                            "field": { "type": "string", "description": "The input field at fault, for validation errors" },
                            "request_id": { "type": "string" }
                        }
                    } }
                },
                "LoginRequest": { "type": "object", "required": ["email", "password"], "properties": {
                    "email": { "type": "string", "minLength": 3, "description": "The login's email address, or a dealer's username" }, "password": { "type": "string", "format": "password", "minLength": 1, "maxLength": 256 } } },
                "LoginResponse": { "type": "object", "required": ["login", "account", "csrf_token"], "properties": {
                    "login": { "$ref": "#/components/schemas/Login" }, "account": { "$ref": "#/components/schemas/Account" },
                    "csrf_token": { "type": "string" } } },
                "Login": { "type": "object", "required": ["id", "account_id", "email", "name", "role", "dashboard_rights", "status"], "properties": {
                    "id": { "type": "integer", "format": "int64" }, "account_id": { "type": "integer", "format": "int64" },
                    "email": { "type": "string" }, "name": { "type": "string" },
                    "role": { "type": "string", "enum": ["owner", "admin", "member", "viewer"] },
                    "dashboard_rights": { "type": "boolean" }, "status": { "type": "string", "enum": ["active", "inactive"] } } },
                "Account": { "type": "object", "required": ["id", "kind", "name", "status", "created_at"], "properties": {
                    "id": { "type": "integer", "format": "int64" }, "parent_id": { "type": "integer", "format": "int64", "nullable": true },
                    "kind": { "type": "string", "enum": ["operator", "partner", "reseller", "dealer", "customer"] },
                    "name": { "type": "string" }, "status": { "type": "string", "enum": ["active", "inactive", "deleted"] },
                    "email": { "type": "string", "nullable": true }, "created_at": { "type": "string", "format": "date-time" } } },
                "Me": { "type": "object", "required": ["login", "account", "home_account", "via"], "properties": {
                    "login": { "$ref": "#/components/schemas/Login" },
                    "account": { "$ref": "#/components/schemas/Account" },
                    "home_account": { "$ref": "#/components/schemas/Account" },
                    "acting_as": { "type": "integer", "format": "int64", "nullable": true },
                    "via": { "type": "string", "enum": ["session", "token"] } } },
                "UpdateMe": { "type": "object", "properties": {
                    "name": { "type": "string", "maxLength": 100, "pattern": "\\S" }, "email": { "type": "string", "format": "email" },
                    "current_password": { "type": "string", "format": "password" } } },
                "ChangePassword": { "type": "object", "required": ["current_password", "new_password"], "properties": {
                    "current_password": { "type": "string", "format": "password" },
                    "new_password": { "type": "string", "format": "password", "minLength": 10, "maxLength": 256 } } },
                "CreateToken": { "type": "object", "required": ["name"], "properties": { "name": { "type": "string", "maxLength": 60, "pattern": "\\S" } } },
                "Token": { "type": "object", "required": ["id", "name", "prefix", "created_at"], "properties": {
                    "id": { "type": "integer", "format": "int64" }, "name": { "type": "string" }, "prefix": { "type": "string" },
                    "created_at": { "type": "string", "format": "date-time" },
                    "last_used_at": { "type": "string", "format": "date-time", "nullable": true },
                    "revoked_at": { "type": "string", "format": "date-time", "nullable": true } } },
                "TokenList": { "type": "object", "required": ["items"], "properties": { "items": { "type": "array", "items": { "$ref": "#/components/schemas/Token" } } } },
                "CreatedToken": { "type": "object", "required": ["token", "secret"], "properties": {
                    "token": { "$ref": "#/components/schemas/Token" }, "secret": { "type": "string", "description": "Shown once" } } },
                "AuditRecord": { "type": "object", "required": ["id", "at", "action"], "properties": {
                    "id": { "type": "integer", "format": "int64" }, "at": { "type": "string", "format": "date-time" },
                    "login_id": { "type": "integer", "format": "int64", "nullable": true }, "login_email": { "type": "string", "nullable": true, "description": "The login's email; for who is not a login, a name (e.g. payment provider); on a record filed for the other tree of an event that concerns two, the name that tree knows the actor's side by (e.g. the operator, a reseller's name), with no login id or address" },
                    "acting_as_account_id": { "type": "integer", "format": "int64", "nullable": true },
                    "subject_account_id": { "type": "integer", "format": "int64", "nullable": true },
                    "action": { "type": "string" }, "target_type": { "type": "string", "nullable": true },
                    "target_id": { "type": "string", "nullable": true }, "ip": { "type": "string", "nullable": true },
                    "detail": { "type": "string", "nullable": true },
                    "acting_as_name": { "type": "string", "nullable": true, "description": "Name of the account acted as (audit log search)" },
                    "subject_name": { "type": "string", "nullable": true, "description": "Name of the account the record is about (audit log search)" } } },
                "AuditList": { "type": "object", "required": ["items"], "properties": { "items": { "type": "array", "items": { "$ref": "#/components/schemas/AuditRecord" } } } },
                "KindCount": { "type": "object", "required": ["kind", "children", "in_subtree"], "properties": {
                    "kind": { "type": "string" }, "children": { "type": "integer", "format": "int64" }, "in_subtree": { "type": "integer", "format": "int64" } } },
                "AccountPage": { "type": "object", "required": ["items", "total", "page", "per_page"], "properties": {
                    "items": { "type": "array", "items": { "$ref": "#/components/schemas/Account" } },
                    "total": { "type": "integer" }, "page": { "type": "integer" }, "per_page": { "type": "integer" } } },
                "AuditPage": { "type": "object", "required": ["items", "total", "page", "per_page"], "properties": {
                    "items": { "type": "array", "items": { "$ref": "#/components/schemas/AuditRecord" } },
                    "total": { "type": "integer" }, "page": { "type": "integer" }, "per_page": { "type": "integer" } } },
                "AccountInput": { "type": "object", "required": ["kind", "name"], "properties": {
                    "kind": { "type": "string", "enum": ["partner", "reseller", "dealer", "customer"] },
                    "name": { "type": "string", "maxLength": 100, "pattern": "\\S" }, "email": { "type": "string", "format": "email" }, "phone": { "type": "string", "maxLength": 40, "pattern": "^[0-9 +()./-]*$" } } },
                "AccountUpdate": { "type": "object", "properties": {
                    "name": { "type": "string", "maxLength": 100, "pattern": "\\S" }, "email": { "type": "string", "description": "An email address, or empty to clear it" }, "phone": { "type": "string", "maxLength": 40, "pattern": "^[0-9 +()./-]*$" } } },
                "StatusBody": { "type": "object", "required": ["status"], "properties": { "status": { "type": "string", "enum": ["active", "inactive"] } } },
                "DeletionPreview": { "type": "object", "required": ["account", "accounts", "logins"], "properties": {
                    "account": { "$ref": "#/components/schemas/Account" }, "accounts": { "type": "integer" }, "logins": { "type": "integer" } } },
                "LoginList": { "type": "object", "required": ["items"], "properties": { "items": { "type": "array", "items": { "$ref": "#/components/schemas/Login" } } } },
                "LoginInput": { "type": "object", "required": ["email", "name", "password"], "properties": {
                    "email": { "type": "string", "format": "email" }, "name": { "type": "string", "maxLength": 100, "pattern": "\\S" }, "password": { "type": "string", "format": "password", "minLength": 10, "maxLength": 256 },
                    "role": { "type": "string", "enum": ["owner", "admin", "member", "viewer"], "default": "member" }, "dashboard_rights": { "type": "boolean", "default": true } } },
                "LoginUpdate": { "type": "object", "properties": {
                    "name": { "type": "string", "maxLength": 100, "pattern": "\\S" }, "role": { "type": "string", "enum": ["owner", "admin", "member", "viewer"] },
                    "dashboard_rights": { "type": "boolean" }, "status": { "type": "string", "enum": ["active", "inactive"] } } },
                "ActAsBody": { "type": "object", "required": ["account_id"], "properties": { "account_id": { "type": "integer", "format": "int64" } } },
                "Package": { "type": "object", "required": ["id", "name", "monthly_price", "currency", "trial_days", "status"], "properties": {
                    "id": { "type": "integer", "format": "int64" }, "name": { "type": "string" },
                    "monthly_price": { "type": "integer", "description": "Minor units (cents)" }, "currency": { "type": "string" },
                    "trial_days": { "type": "integer" }, "feature_ads": { "type": "boolean" }, "feature_hardware": { "type": "boolean" },
                    "feature_resellers": { "type": "boolean" }, "max_customers": { "type": "integer", "nullable": true },
                    "max_dealers": { "type": "integer", "nullable": true }, "max_players": { "type": "integer", "nullable": true },
                    "status": { "type": "string", "enum": ["active", "retired"] } } },
                "PackageList": { "type": "object", "required": ["items"], "properties": { "items": { "type": "array", "items": { "$ref": "#/components/schemas/Package" } } } },
                "PackageInput": { "type": "object", "properties": {
                    "name": { "type": "string", "maxLength": 100, "pattern": "\\S" },
                    "monthly_price": { "type": "integer", "minimum": 0, "maximum": 100000000, "description": "Minor units (cents); required on create" },
                    "currency": { "type": "string", "pattern": "^[A-Za-z]{3}$", "default": "EUR" },
                    "trial_days": { "type": "integer", "minimum": 0, "maximum": 365, "default": 14 },
                    "feature_ads": { "type": "boolean" }, "feature_hardware": { "type": "boolean" }, "feature_resellers": { "type": "boolean" },
                    "max_customers": { "type": "integer", "minimum": 0, "maximum": 10000000 }, "max_dealers": { "type": "integer", "minimum": 0, "maximum": 10000000 },
                    "max_players": { "type": "integer", "minimum": 0, "maximum": 10000000 } } },
                "CatalogStatus": { "type": "object", "required": ["status"], "properties": { "status": { "type": "string", "enum": ["active", "retired"] } } },
                "Addon": { "type": "object", "required": ["id", "name", "monthly_price", "currency", "status"], "properties": {
                    "id": { "type": "integer", "format": "int64" }, "name": { "type": "string" }, "description": { "type": "string" },
                    "monthly_price": { "type": "integer" }, "currency": { "type": "string" }, "status": { "type": "string", "enum": ["active", "retired"] } } },
                "AddonList": { "type": "object", "required": ["items"], "properties": { "items": { "type": "array", "items": { "$ref": "#/components/schemas/Addon" } } } },
                "AddonInput": { "type": "object", "required": ["name", "monthly_price"], "properties": {
                    "name": { "type": "string", "maxLength": 100, "pattern": "\\S" }, "description": { "type": "string", "maxLength": 1000 },
                    "monthly_price": { "type": "integer", "minimum": 0, "maximum": 100000000 }, "currency": { "type": "string", "pattern": "^[A-Za-z]{3}$" } } },
                "Registration": { "type": "object", "required": ["company_name", "contact_name", "email", "package_id"], "properties": {
                    "company_name": { "type": "string", "maxLength": 100, "pattern": "\\S" }, "contact_name": { "type": "string", "maxLength": 100, "pattern": "\\S" },
                    "email": { "type": "string", "format": "email" }, "phone": { "type": "string", "maxLength": 40, "pattern": "^[0-9 +()./-]*$" },
                    "website": { "type": "string", "maxLength": 200, "description": "Starts with https:// or http://" },
                    "description": { "type": "string", "maxLength": 2000, "description": "How you want to work with us" },
                    "package_id": { "type": "integer", "format": "int64" },
                    "no_resellers": { "type": "boolean", "description": "I do not want to provide services to resellers" },
                    "delivery": { "type": "string", "enum": ["email", "sms"], "default": "email" } } },
                "PartnershipRequest": { "type": "object", "required": ["id", "company_name", "email", "package_id", "status"], "properties": {
                    "id": { "type": "integer", "format": "int64" }, "company_name": { "type": "string" }, "contact_name": { "type": "string" },
                    "email": { "type": "string" }, "phone": { "type": "string" }, "website": { "type": "string" }, "description": { "type": "string" },
                    "no_resellers": { "type": "boolean" }, "delivery": { "type": "string" }, "package_id": { "type": "integer" },
                    "package_name": { "type": "string" }, "monthly_price": { "type": "integer" }, "currency": { "type": "string" },
                    "price_label": { "type": "string" }, "already_partner": { "type": "boolean" },
                    "status": { "type": "string", "enum": ["pending", "approved", "rejected"] }, "reason": { "type": "string", "nullable": true },
                    "created_at": { "type": "string", "format": "date-time" }, "decided_at": { "type": "string", "format": "date-time", "nullable": true },
                    "decided_by": { "type": "string", "nullable": true }, "partner_account_id": { "type": "integer", "nullable": true } } },
                "PartnershipRequestList": { "type": "object", "required": ["items"], "properties": { "items": { "type": "array", "items": { "$ref": "#/components/schemas/PartnershipRequest" } } } },
                "PartnershipRequestPage": { "type": "object", "required": ["items", "total", "page", "per_page"], "properties": {
                    "items": { "type": "array", "items": { "$ref": "#/components/schemas/PartnershipRequest" } },
                    "total": { "type": "integer" }, "page": { "type": "integer" }, "per_page": { "type": "integer" } } },
                "RejectBody": { "type": "object", "required": ["reason"], "properties": { "reason": { "type": "string", "maxLength": 1000, "pattern": "\\S" } } },
                "PartnerRow": { "type": "object", "required": ["account", "external_invoice_id"], "properties": {
                    "account": { "$ref": "#/components/schemas/Account" }, "package_name": { "type": "string", "nullable": true },
                    "subscription_status": { "type": "string", "nullable": true, "enum": ["trial", "active", "suspended"] },
                    "period_end": { "type": "string", "format": "date-time", "nullable": true }, "external_invoice_id": { "type": "string" } } },
                "PartnerList": { "type": "object", "required": ["items"], "properties": { "items": { "type": "array", "items": { "$ref": "#/components/schemas/PartnerRow" } } } },
                "PartnerUpdate": { "type": "object", "required": ["external_invoice_id"], "properties": { "external_invoice_id": { "type": "string", "maxLength": 100 } } },
                "Settings": { "type": "object", "properties": { "auto_approve_partners": { "type": "boolean" },
                    "reminder_days": { "type": "array", "minItems": 1, "maxItems": 5, "items": { "type": "integer", "minimum": 1, "maximum": 60 }, "description": "Days before a period ends when reminders go out; the first brings the invoice" } } },
                "Subscription": { "type": "object", "required": ["account_id", "package_id", "package_name", "status", "period_start", "period_end"], "properties": {
                    "account_id": { "type": "integer" }, "package_id": { "type": "integer" }, "package_name": { "type": "string" },
                    "status": { "type": "string", "enum": ["trial", "active", "suspended"] },
                    "period_start": { "type": "string", "format": "date-time" }, "period_end": { "type": "string", "format": "date-time", "description": "Access is paid (or in trial) until then" },
                    "purge_at": { "type": "string", "format": "date-time", "nullable": true }, "external_invoice_id": { "type": "string" } } },
                "Invoice": { "type": "object", "required": ["id", "number", "account_id", "total", "currency", "status", "lines"], "properties": {
                    "id": { "type": "integer" }, "number": { "type": "string" }, "account_id": { "type": "integer" }, "account_name": { "type": "string" },
                    "period_start": { "type": "string" }, "period_end": { "type": "string" }, "due_at": { "type": "string" },
                    "currency": { "type": "string" }, "total": { "type": "integer", "description": "Minor units" }, "total_label": { "type": "string" },
                    "status": { "type": "string", "enum": ["open", "paid"] },
                    "lines": { "type": "array", "items": { "type": "object", "properties": { "description": { "type": "string" }, "amount": { "type": "integer" } } } } } },
                "InvoiceList": { "type": "object", "required": ["items"], "properties": { "items": { "type": "array", "items": { "$ref": "#/components/schemas/Invoice" } } } },
                "Billing": { "type": "object", "required": ["suspended", "invoices", "how_to_pay"], "properties": {
                    "suspended": { "type": "boolean" }, "subscription": { "allOf": [{ "$ref": "#/components/schemas/Subscription" }], "nullable": true },
                    "invoices": { "type": "array", "items": { "$ref": "#/components/schemas/Invoice" } }, "how_to_pay": { "type": "string" } } },
                "PackageChoice": { "type": "object", "required": ["package_id"], "properties": { "package_id": { "type": "integer", "format": "int64" } } },
                "PaymentInput": { "type": "object", "required": ["reference"], "properties": {
                    "reference": { "type": "string", "maxLength": 100, "pattern": "\\S" }, "amount": { "type": "integer", "description": "Minor units; defaults to the invoice total" } } },
                "PaymentResult": { "type": "object", "required": ["invoice", "registered"], "properties": {
                    "invoice": { "$ref": "#/components/schemas/Invoice" }, "registered": { "type": "boolean", "description": "False when this reference was registered before" } } },
                "WebhookPayment": { "type": "object", "required": ["event_id", "timestamp", "invoice_number", "amount", "reference"], "properties": {
                    "event_id": { "type": "string", "maxLength": 100 }, "timestamp": { "type": "integer", "description": "Seconds since the epoch" },
                    "invoice_number": { "type": "string" }, "amount": { "type": "integer" }, "reference": { "type": "string", "maxLength": 100 } } },
                "AdvanceBody": { "type": "object", "required": ["seconds"], "properties": { "seconds": { "type": "integer", "minimum": 1, "maximum": 31622400 } } },
                "Dashboard": { "type": "object", "required": ["account", "below", "logins"], "properties": {
                    "account": { "$ref": "#/components/schemas/Account" },
                    "below": { "type": "array", "items": { "$ref": "#/components/schemas/KindCount" } },
                    "logins": { "type": "integer", "format": "int64" } } }
            }
        }
    });
    for (k, v) in requests_paths().as_object().expect("paths") {
        doc["paths"][k] = v.clone();
    }
    for (k, v) in requests_schemas().as_object().expect("schemas") {
        doc["components"]["schemas"][k] = v.clone();
    }
    doc["tags"]
        .as_array_mut()
        .expect("tags")
        .push(json!({ "name": "requests", "description": "Channels, advertising, a partner's requests, the approval inbox and its history" }));
    doc
}

fn requests_paths() -> Value {
    let created = |s: &str| ok("Created", s);
    let req_errors = json!({
        "201": created("Request"),
        "409": err("The same request is pending, or the add-on is on already (`duplicate_request`); the reseller has a partner already (`already_linked`)"),
        "422": err("A field breaks a rule, e.g. more impressions than available (`validation_failed`, with `field`)")
    });
    json!({
        "/api/v1/accounts/{id}/channels": {
            "get": with_id(op("listChannels", "requests", "The channels of a partner, with follower counts", None, json!({ "200": ok("Channels", "ChannelList") }))),
            "post": with_id(op("createChannel", "requests", "Add a channel to a partner (member and up)", Some("ChannelInput"),
                json!({ "201": created("Channel"), "409": err("Name in use on this partner (`name_taken`)"), "422": err("Invalid field, or not a partner (`validation_failed`)") })))
        },
        "/api/v1/channels/{id}": {
            "patch": with_id(op("updateChannel", "requests", "Rename or describe a channel (member and up)", Some("ChannelInput"),
                json!({ "200": ok("Saved", "Channel"), "409": err("Name in use (`name_taken`)"), "422": err("Invalid field (`validation_failed`)") }))),
            "delete": with_id(op("deleteChannel", "requests", "Delete a channel (member and up)", None, json!({ "204": { "description": "Deleted" } })))
        },
        "/api/v1/channels/{id}/followers": {
            "post": with_id(op("followChannel", "requests", "Add a follower: the partner's side adds a customer below it; a customer follows itself", Some("FollowerBody"),
                json!({ "200": ok("Channel", "Channel"), "422": err("Not a customer of this partner (`validation_failed`)") })))
        },
        "/api/v1/channels/{id}/followers/remove": {
            "post": with_id(op("unfollowChannel", "requests", "Remove a follower", Some("FollowerBody"),
                json!({ "200": ok("Channel", "Channel"), "422": err("Not a customer of this partner (`validation_failed`)") })))
        },
        "/api/v1/ad-packages": {
            "get": public(op("listAdPackages", "requests", "Advertising packages on offer (?all=true for the operator)", None, json!({ "200": ok("Packages", "AdPackageList") }))),
            "post": op("createAdPackage", "requests", "Add an advertising package (operator owners and admins)", Some("AdPackageInput"),
                json!({ "201": created("AdPackage"), "409": err("Name in use (`name_taken`)"), "422": err("Invalid field (`validation_failed`)") }))
        },
        "/api/v1/ad-packages/{id}/status": {
            "post": with_id(op("adPackageStatus", "requests", "Retire an advertising package or offer it again", Some("CatalogStatus"),
                json!({ "200": ok("Saved", "AdPackage"), "422": err("Status must be active or retired (`validation_failed`)") })))
        },
        "/api/v1/accounts/{id}/impressions": {
            "get": with_id(op("impressions", "requests", "A partner's impressions: credited, held by pending and live campaigns, spent, available", None, json!({ "200": ok("Impressions", "Wallet") })))
        },
        "/api/v1/requests": {
            "get": with_query(op("myRequests", "requests", "The requests of the account in view, newest first, with status and rejection reasons", None, json!({ "200": ok("Page", "RequestPage"), "422": err("Bad filter (`validation_failed`)") })),
                &[("type", json!({ "type": "string", "enum": ["addon", "broadcast", "ad_package", "ad", "reseller_link"] }), "Only this type"),
                  ("status", json!({ "type": "string", "enum": ["pending", "approved", "rejected"] }), "Only this status"),
                  ("page", json!({ "type": "integer", "minimum": 1 }), "1-based page"),
                  ("per_page", json!({ "type": "integer", "minimum": 1, "maximum": 100 }), "Rows per page")]),
            "post": op("createRequest", "requests", "A partner (member and up) asks the operator: an add-on, a broadcast to non-followers, an advertising package, or an ad campaign (which holds its impressions until rejected or ended)", Some("NewRequest"), req_errors)
        },
        "/api/v1/requests/{id}": {
            "get": with_id(op("getRequest", "requests", "One request of the account in view (or below), or addressed to it", None, json!({ "200": ok("Request", "Request") })))
        },
        "/api/v1/requests/{id}/withdraw": {
            "post": with_id(op("withdrawRequest", "requests", "The account that asked (member and up) withdraws a request still waiting; it frees what it held", None,
                json!({ "200": ok("Withdrawn", "Request"), "409": err("No longer waiting (`already_decided`)") })))
        },
        "/api/v1/inbox": {
            "get": with_query(op("inbox", "requests", "What waits for the account in view's decision, oldest first, with pending counts per type", None, json!({ "200": ok("Inbox", "Inbox"), "422": err("Bad filter (`validation_failed`)") })),
                &[("type", json!({ "type": "string", "enum": ["addon", "broadcast", "ad_package", "ad", "reseller_link"] }), "Only this type"),
                  ("page", json!({ "type": "integer", "minimum": 1 }), "1-based page"),
                  ("per_page", json!({ "type": "integer", "minimum": 1, "maximum": 100 }), "Rows per page")])
        },
        "/api/v1/inbox/{id}/approve": {
            "post": with_id(op("approveInboxRequest", "requests", "Approve (owners and admins of the addressee): takes effect at once — add-on on, impressions credited, broadcast scheduled, campaign live", None,
                json!({ "200": ok("Approved", "Request"), "403": err("Your own account's request, or your role (`forbidden`)"), "409": err("Already decided (`already_decided`), the campaign's end has passed (`request_expired`), the reseller has a partner already (`already_linked`), the requester is no longer active (`requester_inactive`), or the broadcast's channel was deleted (`channel_gone`)") })))
        },
        "/api/v1/inbox/{id}/reject": {
            "post": with_id(op("rejectInboxRequest", "requests", "Reject with a reason, emailed to the partner; frees what the request held", Some("RejectBody"),
                json!({ "200": ok("Rejected", "Request"), "403": err("Your own account's request, or your role (`forbidden`)"), "409": err("Already decided (`already_decided`)"), "422": err("Reason missing (`validation_failed`)") })))
        },
        "/api/v1/inbox/history": {
            "get": decision_params(op("decisionHistory", "requests", "Decisions of the account in view (the operator's include partnerships), newest first", None, json!({ "200": ok("Page", "DecisionPage") })))
        },
        "/api/v1/resellers": {
            "get": op("myResellers", "requests", "My resellers: the resellers linked to the partner in view (not their customers)", None, json!({ "200": ok("Resellers", "LinkedResellerList") }))
        },
        "/api/v1/resellers/{id}/remove": {
            "post": with_id(op("removeReseller", "requests", "Remove my reseller (partner owners and admins): the link ends, the reseller loses the partner's channels at once, both are emailed", None,
                json!({ "204": { "description": "Removed" } })))
        },
        "/api/v1/my-partner": {
            "get": op("myPartner", "requests", "A reseller's partner (its directory entry and channels), and its request for partner waiting for an answer", None, json!({ "200": ok("My partner", "MyPartner") }))
        },
        "/api/v1/my-partner/leave": {
            "post": op("leavePartner", "requests", "The reseller (owners and admins) stops reselling for its partner: the same effects as Remove my reseller, both emailed", None,
                json!({ "204": { "description": "Left" }, "404": err("No partner (`not_found`)") }))
        },
        "/api/v1/engagements": {
            "get": op("engagements", "requests", "What a customer (end-user) is shown: broadcasts sent to it from channels it does not follow, and the ad campaigns live now", None, json!({ "200": ok("Engagements", "Engagements") }))
        },
        "/api/v1/inbox/history.csv": {
            "get": decision_params(op("decisionHistoryCsv", "requests", "The filtered decision history as CSV (UTF-8 with BOM, RFC 4180, formulas neutralised), streamed", None,
                json!({ "200": { "description": "CSV", "content": { "text/csv": { "schema": { "type": "string" } } } } })))
        }
    })
}

fn decision_params(o: Value) -> Value {
    let mut o = with_query(
        o,
        &[
            (
                "q",
                json!({ "type": "string", "maxLength": 100 }),
                "Part of the partner name",
            ),
            (
                "type",
                json!({ "type": "string", "enum": ["partnership", "addon", "broadcast", "ad_package", "ad", "reseller_link"] }),
                "Only this type",
            ),
            (
                "decision",
                json!({ "type": "string", "enum": ["approved", "rejected"] }),
                "Only this decision",
            ),
            (
                "from",
                json!({ "type": "string", "format": "date" }),
                "First day, YYYY-MM-DD (UTC)",
            ),
            (
                "to",
                json!({ "type": "string", "format": "date" }),
                "Last day, YYYY-MM-DD (UTC)",
            ),
            (
                "page",
                json!({ "type": "integer", "minimum": 1 }),
                "1-based page",
            ),
            (
                "per_page",
                json!({ "type": "integer", "minimum": 1, "maximum": 100 }),
                "Rows per page",
            ),
        ],
    );
    o["responses"]["422"] = err("A bad filter or date (`validation_failed`)");
    o
}

fn requests_schemas() -> Value {
    let int = json!({ "type": "integer", "format": "int64" });
    let opt_int = json!({ "type": "integer", "format": "int64", "nullable": true });
    let opt_str = json!({ "type": "string", "nullable": true });
    let time = json!({ "type": "string", "format": "date-time", "nullable": true });
    json!({
        "Channel": { "type": "object", "required": ["id", "account_id", "name", "followers"], "properties": {
            "id": int, "account_id": int, "name": { "type": "string" }, "description": { "type": "string" },
            "followers": { "type": "integer" }, "created_at": { "type": "string", "format": "date-time" } } },
        "ChannelList": { "type": "object", "required": ["items"], "properties": { "items": { "type": "array", "items": { "$ref": "#/components/schemas/Channel" } } } },
        "ChannelInput": { "type": "object", "properties": { "name": { "type": "string", "maxLength": 100, "pattern": "\\S" }, "description": { "type": "string", "maxLength": 1000 } } },
        "FollowerBody": { "type": "object", "required": ["customer_id"], "properties": { "customer_id": int } },
        "AdPackage": { "type": "object", "required": ["id", "name", "impressions", "price", "currency", "status"], "properties": {
            "id": int, "name": { "type": "string" }, "impressions": int, "price": { "type": "integer", "description": "Minor units" },
            "currency": { "type": "string" }, "price_label": { "type": "string" }, "status": { "type": "string", "enum": ["active", "retired"] } } },
        "AdPackageList": { "type": "object", "required": ["items"], "properties": { "items": { "type": "array", "items": { "$ref": "#/components/schemas/AdPackage" } } } },
        "AdPackageInput": { "type": "object", "required": ["name", "impressions", "price"], "properties": {
            "name": { "type": "string", "maxLength": 100, "pattern": "\\S" }, "impressions": { "type": "integer", "minimum": 1, "maximum": 1000000000000i64 },
            "price": { "type": "integer", "minimum": 0, "maximum": 100000000, "description": "Minor units (cents)" }, "currency": { "type": "string", "pattern": "^[A-Za-z]{3}$", "default": "EUR" } } },
        "Wallet": { "type": "object", "required": ["credited", "pending", "live", "spent", "available"], "properties": {
            "credited": int, "pending": int, "live": int, "spent": int, "available": int } },
        "NewRequest": { "type": "object", "required": ["type"], "properties": {
            "type": { "type": "string", "enum": ["addon", "broadcast", "ad_package", "ad", "reseller_link"], "description": "reseller_link: a reseller's request for partner, sent to partner_id's inbox" },
            "partner_id": { "type": "integer", "format": "int64", "description": "reseller_link: a partner of the directory" },
            "addon_id": { "type": "integer", "format": "int64", "description": "addon" },
            "channel_id": { "type": "integer", "format": "int64", "description": "broadcast: one of the partner's channels" },
            "engagement": { "type": "string", "enum": ["message", "survey", "coupon"], "description": "broadcast" },
            "message": { "type": "string", "maxLength": 2000, "description": "broadcast: the message, the survey's question or the coupon's text" },
            "options": { "type": "array", "minItems": 2, "maxItems": 10, "items": { "type": "string", "maxLength": 200 }, "description": "survey answers" },
            "coupon_code": { "type": "string", "maxLength": 40 }, "discount": { "type": "string", "maxLength": 40, "description": "coupon, e.g. 10%" },
            "ad_package_id": { "type": "integer", "format": "int64", "description": "ad_package" },
            "title": { "type": "string", "maxLength": 120, "description": "ad" }, "text": { "type": "string", "maxLength": 500, "description": "ad creative text" },
            "image_url": { "type": "string", "maxLength": 500, "description": "ad creative image, http(s)" },
            "target_url": { "type": "string", "maxLength": 500, "description": "ad: where a click leads, http(s)" },
            "impressions": { "type": "integer", "minimum": 1, "description": "ad: impressions to spend (at most those available)" },
            "starts_at": { "type": "string", "description": "broadcast, ad: RFC 3339 or YYYY-MM-DDTHH:MM (UTC)" },
            "ends_at": { "type": "string", "description": "ad: RFC 3339 or YYYY-MM-DDTHH:MM (UTC)" } } },
        "Request": { "type": "object", "required": ["id", "type", "account_id", "partner_name", "title", "status", "phase", "created_at"], "properties": {
            "id": int, "type": { "type": "string", "enum": ["addon", "broadcast", "ad_package", "ad", "reseller_link"] }, "type_label": { "type": "string" },
            "account_id": int, "partner_name": { "type": "string" }, "addressee_id": int, "title": { "type": "string" },
            "addon_id": opt_int, "ad_package_id": opt_int, "channel_id": opt_int, "channel_name": opt_str, "engagement": opt_str,
            "content": { "type": "object", "description": "broadcast: text | question+options | text+code+discount; ad: text, image_url, target_url" },
            "impressions": opt_int, "price": opt_int, "currency": opt_str, "price_label": opt_str,
            "starts_at": time, "ends_at": time,
            "status": { "type": "string", "enum": ["pending", "approved", "rejected", "withdrawn"] },
            "phase": { "type": "string", "description": "pending, rejected, active (add-on), credited (impressions), scheduled/sent (broadcast), scheduled/live/ended (campaign), linked (reseller)" },
            "recipients": opt_int, "reason": opt_str, "created_at": { "type": "string", "format": "date-time" }, "decided_at": time,
            "decided_by": { "type": "string", "nullable": true, "description": "Who decided, as the reader's side may know it: to the deciding side (the addressee, or an account above it) the email of the login that decided; to the requester's side and anyone else the deciding account by the name it knows: \"the operator\", or \"<name> (<kind>)\" such as \"Harbor Media (partner)\"" } } },
        "RequestPage": { "type": "object", "required": ["items", "total", "page", "per_page"], "properties": {
            "items": { "type": "array", "items": { "$ref": "#/components/schemas/Request" } },
            "total": { "type": "integer" }, "page": { "type": "integer" }, "per_page": { "type": "integer" } } },
        "Inbox": { "type": "object", "required": ["pending", "items", "total"], "properties": {
            "pending": { "type": "object", "description": "Pending counts per type", "properties": {
                "partnership": int, "addon": int, "broadcast": int, "ad_package": int, "ad": int, "reseller_link": int } },
            "items": { "type": "array", "items": { "$ref": "#/components/schemas/Request" } },
            "total": { "type": "integer" }, "page": { "type": "integer" }, "per_page": { "type": "integer" } } },
        "Decision": { "type": "object", "required": ["id", "type", "title", "partner", "decision", "decided_at", "decided_by"], "properties": {
            "id": int, "type": { "type": "string" }, "type_label": { "type": "string" }, "title": { "type": "string" }, "partner": { "type": "string" },
            "decision": { "type": "string", "enum": ["approved", "rejected"] }, "reason": opt_str,
            "decided_at": { "type": "string", "format": "date-time" }, "decided_by": { "type": "string", "description": "The email of the login that decided (the history is the deciding side's)" } } },
        "LinkedReseller": { "type": "object", "required": ["id", "name", "linked_at"], "properties": {
            "id": int, "name": { "type": "string" }, "email": opt_str, "phone": opt_str, "linked_at": { "type": "string", "format": "date-time" } } },
        "LinkedResellerList": { "type": "object", "required": ["items"], "properties": { "items": { "type": "array", "items": { "$ref": "#/components/schemas/LinkedReseller" } } } },
        "MyPartner": { "type": "object", "required": ["channels"], "properties": {
            "partner": { "type": "object", "nullable": true, "description": "The linked partner with only the details it chose to show (id, name, email?, phone?, website?, address?, note?)" },
            "channels": { "type": "array", "items": { "$ref": "#/components/schemas/Channel" } },
            "pending_request_id": opt_int, "pending_partner": opt_str } },
        "Engagements": { "type": "object", "required": ["broadcasts", "ads"], "properties": {
            "broadcasts": { "type": "array", "items": { "$ref": "#/components/schemas/Request" } },
            "ads": { "type": "array", "items": { "$ref": "#/components/schemas/Request" } } } },
        "DecisionPage": { "type": "object", "required": ["items", "total", "page", "per_page"], "properties": {
            "items": { "type": "array", "items": { "$ref": "#/components/schemas/Decision" } },
            "total": { "type": "integer" }, "page": { "type": "integer" }, "per_page": { "type": "integer" } } }
    })
}

pub async fn document(State(_): State<AppState>) -> Json<Value> {
    Json(spec())
}

pub async fn docs_page() -> Html<&'static str> {
    Html(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Partner Panel API</title>
<link rel="stylesheet" href="/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/assets/swagger-ui-bundle.js"></script>
<script src="/assets/docs.js"></script>
</body></html>"#,
    )
}
