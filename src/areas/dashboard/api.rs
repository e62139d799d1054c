//! The dashboard of the account in view, fitted to its kind: the operator's approvals, trials,
//! invoices and denied partners; a partner's or reseller's licenses, accounts below, requests to
//! decide and package; a dealer's subscribers and their licenses; a customer's licenses. Every
//! figure comes from its area's functions (counters and rollups), none from SQL here.

use crate::areas::accounts;
use crate::areas::approvals;
use crate::areas::billing;
use crate::areas::licenses;
use crate::kernel::access;
use crate::kernel::access::Need;
use crate::kernel::audit;
use crate::kernel::enums::Kind;
use crate::kernel::error::AppError;
use crate::kernel::error::AppResult;
use crate::kernel::http::Auth;
use crate::kernel::http::RouteAccess;
use crate::kernel::Identity;
use crate::state::AppState;
use axum::{extract::State, Json};
use serde::Serialize;
use RouteAccess as A;

#[derive(utoipa::OpenApi)]
#[openapi(paths(dashboard))]
pub struct Doc;

crate::route_table! { ROUTES, routes;
    get "/dashboard" => dashboard, A::SignedIn;
}

/// A shortcut the viewer may take from the dashboard.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[schema(as = DashboardQuickAction)]
pub struct QuickAction {
    /// `license` (opens the license form with `license_type` chosen) or `act_as` (find a
    /// partner below and act as it).
    pub action: String,
    /// For `license`: the type the form opens with.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub license_type: Option<String>,
    pub label: String,
    /// The page it opens.
    pub href: String,
}

/// One line of recent activity, in words.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[schema(as = DashboardActivity)]
pub struct Activity {
    #[schema(format = DateTime)]
    pub at: String,
    #[serde(skip)]
    pub at_ms: i64,
    /// The audit action (`login`, `license.create`, …).
    pub action: String,
    /// The action in words: "Lara Lake signed in".
    pub sentence: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub ip: Option<String>,
}

/// Requests waiting for the account in view's decision, per type (operator and partners).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[schema(as = DashboardPendingRequest)]
pub struct Pending {
    /// `partnership`, `addon`, `broadcast`, `ad_package`, `ad` or `reseller_link`.
    pub kind: String,
    pub label: String,
    pub count: i64,
    /// The inbox tab that lists them.
    pub href: String,
}

/// Support at a glance: for a customer, its tickets with an answer it has not read; for the
/// service side, the open tickets below still waiting for an answer (the same number as the
/// Support badge and as the list `href` opens).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[schema(as = DashboardSupport)]
pub struct Support {
    pub count: i64,
    pub label: String,
    pub href: String,
}

/// The dashboard of the account in view. A section is absent where it cannot apply to the
/// account's kind (a customer has no accounts below, a dealer decides no requests).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Dashboard {
    pub account: accounts::Account,
    /// Accounts below by kind, directly and in all: only the kinds that may be below this one
    /// (none for a customer).
    pub below: Vec<accounts::KindCount>,
    /// Logins of the account.
    pub logins: i64,
    /// License totals of the whole subtree per type and state, only the types its accounts
    /// may hold; each count equals the total of `/licenses?type=…&state=…`.
    pub licenses: licenses::Totals,
    /// Requests waiting for this account's decision (operator, partners).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub pending: Option<Vec<Pending>>,
    /// The operator's billing figures.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub billing: Option<billing::OperatorBilling>,
    /// The package and open invoices of an account holding a package itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub package: Option<billing::PackageStatus>,
    /// Shortcuts the viewer may take (license forms preset, acting as a partner).
    pub quick_actions: Vec<QuickAction>,
    /// The viewer's own latest actions in words (empty while acting as another account).
    pub recent: Vec<Activity>,
    pub support: Support,
    /// Players online and offline: the account in view's own devices and its clients'.
    pub players: crate::areas::media::PlayerCounts,
}

/// Inbox tabs per request type, in the inbox's order.
fn pending_of(c: &approvals::Counts, operator: bool) -> Vec<Pending> {
    let mut kinds: Vec<(&str, &str)> = Vec::new();
    if operator {
        kinds.push(("partnership", "Partnership"));
        kinds.extend(
            approvals::KINDS
                .iter()
                .copied()
                .filter(|(k, _)| *k != "reseller_link"),
        );
    } else {
        kinds.push(("reseller_link", "Request for partner"));
    }
    kinds
        .into_iter()
        .map(|(k, label)| Pending {
            kind: k.to_string(),
            label: label.to_string(),
            count: c.of(k),
            href: if k == "partnership" {
                "/operator/requests".to_string()
            } else {
                format!("/inbox?type={k}")
            },
        })
        .collect()
}

pub async fn dashboard_data(state: &AppState, who: &Identity) -> AppResult<Dashboard> {
    if !who.login.dashboard_rights && who.acting_as.is_none() {
        return Err(AppError::forbidden("your login has no dashboard rights"));
    }
    let account = access::account(state, who, who.view_account_id, Need::Read).await?;
    let kind = account.kind;
    let may_be_below = licenses::kinds_below(kind);
    let below = accounts::counts_below(&state.db, account.id)
        .await?
        .into_iter()
        .filter(|c| Kind::parse(&c.kind).is_some_and(|k| may_be_below.contains(&k)))
        .collect();
    let totals = licenses::of_account(state, account.id)
        .await?
        .only(&licenses::types_in_subtree(kind));
    let pending = match kind {
        Kind::Operator | Kind::Partner => Some(pending_of(
            &approvals::counts(state, who).await?,
            kind == Kind::Operator,
        )),
        _ => None,
    };
    let billing = if kind == Kind::Operator {
        Some(billing::operator_billing(state, who).await?)
    } else {
        None
    };
    let package = match kind {
        Kind::Partner | Kind::Reseller => billing::package_status(state, account.id).await?,
        _ => None,
    };
    let role = access::effective_role(who);
    let mut quick_actions: Vec<QuickAction> = if access::allows(role, Need::Write) {
        licenses::quick_actions(kind)
            .into_iter()
            .map(|(t, label)| QuickAction {
                action: "license".into(),
                license_type: Some(t.into()),
                label: label.into(),
                href: format!("/licenses?new={t}#new-license"),
            })
            .collect()
    } else {
        Vec::new()
    };
    // Acting as a partner below: owners and admins of their own login, not while acting.
    if who.acting_as.is_none()
        && access::allows(who.login.role, Need::Admin)
        && may_be_below.contains(&Kind::Partner)
    {
        quick_actions.push(QuickAction {
            action: "act_as".into(),
            license_type: None,
            label: "Login as partner".into(),
            href: "/accounts?kind=partner".into(),
        });
    }
    let recent = if who.acting_as.is_none() {
        audit::for_login(&state.db, who.login.id, 8)
            .await?
            .into_iter()
            .map(|r| Activity {
                sentence: r.sentence(),
                at: r.at.clone(),
                at_ms: r.at_ms,
                action: r.action.clone(),
                ip: r.ip.clone(),
            })
            .collect()
    } else {
        Vec::new()
    };
    let support = Support {
        count: crate::areas::tickets::badge(&crate::kernel::http::menu::BadgeScope {
            who,
            id: account.id.get(),
            kind,
            path: &account.path,
        })
        .scalar::<i64>()
        .fetch_one(&state.db.pool)
        .await?,
        label: match kind {
            Kind::Customer => "Tickets with an answer you have not read".into(),
            // The partners answer their tickets; the operator's are those that escalated.
            Kind::Operator => "Escalated tickets waiting for your answer".into(),
            _ => "Open tickets waiting for an answer".into(),
        },
        href: match kind {
            Kind::Customer => "/tickets".into(),
            Kind::Operator => "/tickets?status=open&unanswered=true&escalated=true".into(),
            _ => "/tickets?status=open&unanswered=true".into(),
        },
    };
    Ok(Dashboard {
        players: crate::areas::media::counts(state, who).await?,
        support,
        below,
        logins: accounts::login_count(&state.db, account.id).await?,
        licenses: totals,
        pending,
        billing,
        package,
        quick_actions,
        recent,
        account,
    })
}

#[utoipa::path(get, path = "/dashboard", tag = "dashboard", operation_id = "dashboard",
    summary = "The dashboard of the account in view, fitted to its kind: accounts below, license totals, requests to decide, billing, quick actions, recent activity",
    responses(
        (status = 200, description = "Dashboard", body = Dashboard),
        (status = 403, description = "The login has no dashboard rights (`forbidden`)", body = crate::kernel::error::ErrorBody),
    ))]
pub(crate) async fn dashboard(
    State(state): State<AppState>,
    Auth(who): Auth,
) -> AppResult<Json<Dashboard>> {
    Ok(Json(dashboard_data(&state, &who).await?))
}
