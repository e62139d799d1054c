//! The rules of the panel, one module per area. HTML and JSON handlers both call these.

use crate::areas::accounts::logins;
use crate::areas::accounts::AccountId;
use crate::areas::auth::ApiTokenId;
use crate::areas::auth::SessionId;
use crate::kernel::audit;
use crate::kernel::error::AppError;

/// Who is acting: the signed-in login, its home account and the account in view.
#[derive(Clone, Debug)]
pub struct Identity {
    pub login: logins::Login,
    pub home_account_id: AccountId,
    /// The account whose data the request reads and changes (home, or the one acted as).
    pub view_account_id: AccountId,
    /// Set when acting as an account below the login's own.
    pub acting_as: Option<AccountId>,
    pub via: AuthVia,
    pub ip: String,
    pub request_id: String,
    /// The partner whose unpaid period denies this login the panel, if any.
    pub suspended_by: Option<AccountId>,
    /// The account in view as it was read with the session, for what the layout shows around a
    /// page (name, kind, menu); `None` when not read. Rules read what they decide on themselves.
    pub view: Option<crate::areas::accounts::Account>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuthVia {
    Session {
        session_id: SessionId,
        csrf_token: String,
    },
    Token {
        token_id: ApiTokenId,
    },
}

impl Identity {
    pub fn actor(&self) -> audit::Actor {
        audit::Actor {
            login_id: Some(self.login.id),
            login_email: Some(self.login.email.clone()),
            home_account_id: Some(self.home_account_id),
            acting_as_account_id: self.acting_as,
            ip: Some(self.ip.clone()),
            request_id: Some(self.request_id.clone()),
        }
    }

    pub fn session_id(&self) -> Option<SessionId> {
        match self.via {
            AuthVia::Session { session_id, .. } => Some(session_id),
            AuthVia::Token { .. } => None,
        }
    }

    pub fn csrf_token(&self) -> &str {
        match &self.via {
            AuthVia::Session { csrf_token, .. } => csrf_token,
            AuthVia::Token { .. } => "",
        }
    }

    /// Passwords, sessions and API tokens of a login are its own: never while acting as another.
    pub fn require_own_identity(&self) -> Result<(), AppError> {
        if self.acting_as.is_some() {
            return Err(AppError::forbidden(
                "this is not available while acting as another account",
            ));
        }
        Ok(())
    }
}
