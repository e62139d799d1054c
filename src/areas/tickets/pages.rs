//! Pages of tickets: Support (a customer's tickets with the form to open one and its
//! notifications; for every other account the queue of the tickets below with filters, search,
//! sort and pages, in the shared table), a ticket with its thread and forms, and the escalation
//! settings of the operator.

use crate::areas::accounts::pages::after;
use crate::areas::tickets;
use crate::areas::tickets::AttachmentId;
use crate::areas::tickets::TicketId;
use crate::areas::tickets::{Thread, Ticket, TicketFilter};
use crate::kernel::access;
use crate::kernel::access::Need;
use crate::kernel::enums::Kind;
use crate::kernel::error::AppError;
use crate::kernel::http::form::FormErrors;
use crate::kernel::http::layout::redirect_with_flash;
use crate::kernel::http::layout::render;
use crate::kernel::http::layout::show;
use crate::kernel::http::layout::Layout;
use crate::kernel::http::layout::PageResult;
use crate::kernel::http::table::{plain, sortable, Table};
use crate::kernel::http::PageAuth;
use crate::kernel::http::PageForm;
use crate::kernel::http::PageId;
use crate::kernel::http::PageMultipart;
use crate::kernel::http::PageQuery;
use crate::kernel::http::RouteAccess as A;
use crate::kernel::query::Page;
use crate::kernel::Identity;
use crate::state::AppState;
use askama::Template;
use axum::{extract::State, http::HeaderMap};
use serde::Deserialize;

crate::route_table! { ROUTES, routes;
    get "/tickets" => tickets_page, A::SignedIn;
    post "/tickets" => open_ticket_submit, A::SignedIn;
    get "/tickets.csv" => tickets_csv, A::SignedIn;
    get "/tickets/settings" => settings_page, A::Operator(Need::Read);
    post "/tickets/settings" => settings_submit, A::Operator(Need::Admin);
    get "/tickets/{id}" => ticket_page, A::On(&crate::areas::tickets::TICKET, Need::Read);
    post "/tickets/{id}/messages" => message_submit, A::On(&crate::areas::tickets::TICKET, Need::Write);
    post "/tickets/{id}/status" => status_submit, A::On(&crate::areas::tickets::TICKET, Need::Write);
    get "/ticket-attachments/{id}" => attachment_download, A::On(&crate::areas::tickets::TICKET_ATTACHMENT, Need::Read);
}

/// The files of an upload form's `attachments` input.
fn uploads(form: &PageMultipart) -> Vec<tickets::attachments::Upload> {
    form.files("attachments")
        .into_iter()
        .map(|(name, data)| tickets::attachments::Upload { name, data })
        .collect()
}

/// The errors of a form, with a coded field error (an attachment's) on its field; files are not
/// kept by the browser, so the message asks for them again.
fn form_errors(e: &AppError, known: &[&str]) -> FormErrors {
    match e {
        AppError::Field { field, message, .. } => FormErrors {
            fields: vec![crate::kernel::error::FieldError {
                field: field.clone(),
                message: format!("{message}. Choose the files again."),
            }],
            general: None,
        },
        e => FormErrors::from_error(e, known),
    }
}

pub async fn attachment_download(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageId(id): PageId<AttachmentId>,
) -> PageResult {
    Ok(tickets::attachments::response(
        tickets::attachments::download(&state, &who, id).await?,
    ))
}

/// The new-ticket form as typed.
#[derive(Clone, Debug, Deserialize, Default)]
pub struct TicketForm {
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub priority: String,
}

const TICKET_FIELDS: &[&str] = &["subject", "message", "category", "priority", "attachments"];

#[derive(Template)]
#[template(path = "tickets/list.html")]
struct ListTpl {
    layout: Layout,
    customer_side: bool,
    operator: bool,
    f: TicketFilter,
    list: Page<Ticket>,
    table: Table,
    notice: Option<String>,
    csv_query: String,
    can_open: bool,
    form: TicketForm,
    errors: FormErrors,
    notifications: Vec<tickets::Notification>,
}

impl ListTpl {
    fn is(&self, a: Option<&str>, b: &str) -> bool {
        a == Some(b)
    }
    fn statuses(&self) -> &'static [&'static str] {
        tickets::TicketStatus::TEXTS
    }
    fn priorities(&self) -> &'static [&'static str] {
        tickets::Priority::TEXTS
    }
    fn categories(&self) -> &'static [&'static str] {
        tickets::Category::TEXTS
    }
    fn checked(&self, v: &Option<bool>) -> &'static str {
        if *v == Some(true) {
            "checked"
        } else {
            ""
        }
    }
}

fn flag(v: Option<bool>) -> Option<&'static str> {
    (v == Some(true)).then_some("true")
}

async fn list_view(
    state: &AppState,
    who: &Identity,
    headers: &HeaderMap,
    mut f: TicketFilter,
) -> Result<ListTpl, AppError> {
    let view = access::account(state, who, who.view_account_id, Need::Read).await?;
    // A filter or sort that breaks a rule shows the whole list with the reason.
    let mut notice = None;
    let list = match tickets::list(state, who, &f).await {
        Ok(l) => l,
        Err(e @ AppError::Validation { .. }) => {
            notice = Some(format!(
                "{}: showing every ticket instead.",
                e.public_message()
            ));
            f = TicketFilter::default();
            tickets::list(state, who, &f).await?
        }
        Err(e) => return Err(e),
    };
    let customer_side = view.kind == Kind::Customer;
    let sort = f.sort()?;
    let customer = f.customer_id.map(|c| c.to_string());
    let filters: Vec<(&str, Option<&str>)> = vec![
        ("q", f.q.as_deref()),
        ("status", f.status.as_deref()),
        ("priority", f.priority.as_deref()),
        ("customer_id", customer.as_deref()),
        ("unanswered", flag(f.unanswered)),
        ("overdue", flag(f.overdue)),
        ("escalated", flag(f.escalated)),
    ];
    let mut columns = vec![sortable("Subject", "subject")];
    if !customer_side {
        columns.push(sortable("Customer", "customer"));
    }
    columns.extend([
        sortable("Priority", "priority"),
        sortable("Status", "status"),
        plain("Last reply by"),
        sortable("Last message", "last_message"),
        sortable("Opened", "age"),
    ]);
    if !customer_side {
        columns.push(sortable("Due", "due"));
    }
    let table = Table::new("ticket-list", "/tickets", &filters, columns, &sort, &list);
    let csv_query = table
        .filters
        .iter()
        .map(|(k, v)| format!("{k}={}", crate::kernel::http::layout::url_encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    Ok(ListTpl {
        layout: Layout::for_user(state, who, headers, "Support", "tickets").await?,
        customer_side,
        operator: view.kind == Kind::Operator,
        f,
        list,
        table,
        notice,
        csv_query,
        can_open: customer_side && access::allows(access::effective_role(who), Need::Write),
        form: TicketForm {
            priority: "normal".into(),
            ..TicketForm::default()
        },
        errors: FormErrors::default(),
        notifications: tickets::notifications(state, who).await?,
    })
}

pub async fn tickets_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageQuery(f): PageQuery<TicketFilter>,
) -> PageResult {
    let t = list_view(&state, &who, &headers, f).await?;
    show(&state, &t, &t.layout)
}

pub async fn open_ticket_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    upload: PageMultipart,
) -> PageResult {
    let form = TicketForm {
        subject: upload.field("subject"),
        message: upload.field("message"),
        category: upload.field("category"),
        priority: upload.field("priority"),
    };
    let input = tickets::NewTicket {
        subject: form.subject.clone(),
        message: form.message.clone(),
        category: Some(form.category.clone()),
        priority: Some(form.priority.clone()),
        attachments: Vec::new(),
        files: uploads(&upload),
    };
    match tickets::open(&state, &who, &input).await {
        Ok(t) => Ok(redirect_with_flash(
            &format!("/tickets/{}", t.ticket.id),
            &format!(
                "Your ticket “{}” was sent to {}.",
                t.ticket.subject,
                tickets::SERVICECENTER
            ),
            state.config.secure_cookies,
        )),
        Err(e @ (AppError::Validation { .. } | AppError::Fields(_) | AppError::Field { .. })) => {
            let mut t = list_view(&state, &who, &headers, TicketFilter::default()).await?;
            t.errors = form_errors(&e, TICKET_FIELDS);
            t.form = form;
            Ok(render(
                e.status(),
                &t,
                &t.layout,
                state.config.secure_cookies,
            ))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn tickets_csv(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageQuery(f): PageQuery<TicketFilter>,
) -> PageResult {
    let rx = tickets::list_csv(&state, &who, &f).await?;
    Ok(crate::kernel::http::csv_stream_response("tickets.csv", rx))
}

/// The thread form as typed.
#[derive(Clone, Debug, Deserialize, Default)]
pub struct MessageForm {
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub internal: String,
    #[serde(default)]
    pub status: String,
}

#[derive(Template)]
#[template(path = "tickets/ticket.html")]
struct TicketTpl {
    layout: Layout,
    t: Thread,
    staff: bool,
    can_write: bool,
    form: MessageForm,
    errors: FormErrors,
}

impl TicketTpl {
    fn statuses(&self) -> Vec<&'static str> {
        tickets::TicketStatus::ALL
            .iter()
            .filter(|s| self.staff || !s.staff_only())
            .map(|s| s.as_str())
            .collect()
    }
}

async fn ticket_view(
    state: &AppState,
    who: &Identity,
    headers: &HeaderMap,
    id: TicketId,
) -> Result<TicketTpl, AppError> {
    let t = tickets::thread(state, who, id).await?;
    let staff = !tickets::is_customer_side(who, t.ticket.customer_id);
    Ok(TicketTpl {
        layout: Layout::for_user(state, who, headers, &t.ticket.subject, "tickets").await?,
        t,
        staff,
        can_write: access::allows(access::effective_role(who), Need::Write),
        form: MessageForm::default(),
        errors: FormErrors::default(),
    })
}

pub async fn ticket_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageId(id): PageId<TicketId>,
) -> PageResult {
    let t = ticket_view(&state, &who, &headers, id).await?;
    show(&state, &t, &t.layout)
}

pub async fn message_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageId(id): PageId<TicketId>,
    upload: PageMultipart,
) -> PageResult {
    let form = MessageForm {
        text: upload.field("text"),
        internal: upload.field("internal"),
        status: upload.field("status"),
    };
    let input = tickets::NewMessage {
        text: form.text.clone(),
        internal: form.internal == "true",
        status: Some(form.status.clone()).filter(|s| !s.trim().is_empty()),
        attachments: Vec::new(),
        files: uploads(&upload),
    };
    match tickets::write(&state, &who, id, &input).await {
        Ok(t) => Ok(redirect_with_flash(
            &format!("/tickets/{id}"),
            if input.internal {
                "Your internal note was added."
            } else if tickets::is_customer_side(&who, t.ticket.customer_id) {
                "Your reply was sent."
            } else {
                "Your answer was sent to the customer from Servicecenter."
            },
            state.config.secure_cookies,
        )),
        Err(e @ (AppError::Validation { .. } | AppError::Field { .. })) => {
            let mut t = ticket_view(&state, &who, &headers, id).await?;
            t.errors = form_errors(&e, &["text", "status", "attachments"]);
            t.form = form;
            Ok(render(
                e.status(),
                &t,
                &t.layout,
                state.config.secure_cookies,
            ))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
pub struct StatusForm {
    #[serde(default)]
    status: String,
}

pub async fn status_submit(
    State(state): State<AppState>,
    PageAuth(who): PageAuth,
    PageId(id): PageId<TicketId>,
    PageForm(f): PageForm<StatusForm>,
) -> PageResult {
    let r = tickets::set_status(
        &state,
        &who,
        id,
        &tickets::StatusChange { status: f.status },
    )
    .await;
    after(&state, r, &format!("/tickets/{id}"), |t| {
        format!("The ticket is {} now.", t.ticket.status.as_str())
    })
}

#[derive(Template)]
#[template(path = "tickets/settings.html")]
struct SettingsTpl {
    layout: Layout,
    s: SettingsForm,
    errors: FormErrors,
    can_admin: bool,
}

impl SettingsTpl {
    fn day_checked(&self, d: &i64) -> &'static str {
        if self.s.days.contains(d) {
            "checked"
        } else {
            ""
        }
    }
    fn weekdays(&self) -> Vec<(i64, &'static str)> {
        vec![
            (1, "Monday"),
            (2, "Tuesday"),
            (3, "Wednesday"),
            (4, "Thursday"),
            (5, "Friday"),
            (6, "Saturday"),
            (7, "Sunday"),
        ]
    }
}

/// The settings form as typed (numbers as text, so a wrong one is a field error).
#[derive(Clone, Debug, Default)]
pub struct SettingsForm {
    pub low: String,
    pub normal: String,
    pub high: String,
    pub urgent: String,
    pub time_zone: String,
    pub days: Vec<i64>,
    pub opens: String,
    pub closes: String,
}

impl From<&tickets::TicketSettings> for SettingsForm {
    fn from(s: &tickets::TicketSettings) -> Self {
        SettingsForm {
            low: s.response_minutes.low.to_string(),
            normal: s.response_minutes.normal.to_string(),
            high: s.response_minutes.high.to_string(),
            urgent: s.response_minutes.urgent.to_string(),
            time_zone: s.calendar.time_zone.clone(),
            days: s.calendar.days.clone(),
            opens: s.calendar.opens.clone(),
            closes: s.calendar.closes.clone(),
        }
    }
}

const SETTINGS_FIELDS: &[&str] = &[
    "response_minutes.low",
    "response_minutes.normal",
    "response_minutes.high",
    "response_minutes.urgent",
    "calendar.time_zone",
    "calendar.days",
    "calendar.opens",
    "calendar.closes",
];

pub async fn settings_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
) -> PageResult {
    let s = tickets::settings(&state, &who).await?;
    let t = SettingsTpl {
        layout: Layout::for_user(&state, &who, &headers, "Ticket response times", "tickets")
            .await?,
        s: SettingsForm::from(&s),
        errors: FormErrors::default(),
        can_admin: access::allows(access::effective_role(&who), Need::Admin),
    };
    show(&state, &t, &t.layout)
}

pub async fn settings_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageAuth(who): PageAuth,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> PageResult {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(a, _)| a == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let form = SettingsForm {
        low: get("low"),
        normal: get("normal"),
        high: get("high"),
        urgent: get("urgent"),
        time_zone: get("time_zone"),
        days: pairs
            .iter()
            .filter(|(k, _)| k == "days")
            .filter_map(|(_, v)| v.trim().parse().ok())
            .collect(),
        opens: get("opens"),
        closes: get("closes"),
    };
    let num = |field: &str, v: &str| -> Result<i64, AppError> {
        v.parse()
            .map_err(|_| AppError::validation(field, "Give a whole number of minutes"))
    };
    let r = (|| -> Result<tickets::TicketSettings, AppError> {
        Ok(tickets::TicketSettings {
            response_minutes: tickets::ResponseMinutes {
                low: num("response_minutes.low", &form.low)?,
                normal: num("response_minutes.normal", &form.normal)?,
                high: num("response_minutes.high", &form.high)?,
                urgent: num("response_minutes.urgent", &form.urgent)?,
            },
            calendar: tickets::hours::Calendar {
                time_zone: form.time_zone.clone(),
                days: form.days.clone(),
                opens: form.opens.clone(),
                closes: form.closes.clone(),
            },
        })
    })();
    let r = match r {
        Ok(s) => tickets::set_settings(&state, &who, &s).await,
        Err(e) => Err(e),
    };
    match r {
        Ok(_) => Ok(redirect_with_flash(
            "/tickets/settings",
            "The response times and the calendar were saved.",
            state.config.secure_cookies,
        )),
        Err(e @ (AppError::Validation { .. } | AppError::Field { .. })) => {
            let mut errors = FormErrors::from_error(&e, SETTINGS_FIELDS);
            if let AppError::Field { field, message, .. } = &e {
                errors = FormErrors {
                    fields: vec![crate::kernel::error::FieldError {
                        field: field.clone(),
                        message: message.clone(),
                    }],
                    general: None,
                };
            }
            let t = SettingsTpl {
                layout: Layout::for_user(
                    &state,
                    &who,
                    &headers,
                    "Ticket response times",
                    "tickets",
                )
                .await?,
                s: form,
                errors,
                can_admin: true,
            };
            Ok(render(
                e.status(),
                &t,
                &t.layout,
                state.config.secure_cookies,
            ))
        }
        Err(e) => Err(e.into()),
    }
}
