#![recursion_limit = "512"]
//! Partner Panel: a self-hosted, multi-tier partner and reseller management panel.
//!
//! The binary is a thin command line over this library; tests start the same app for real.

pub mod areas;
pub mod clock;
pub mod config;
pub mod demo;
pub mod kernel;
pub mod state;

use crate::kernel::enums::{Kind, Role};
use std::{future::Future, future::IntoFuture, net::SocketAddr, sync::Arc};

use crate::areas::accounts::AccountId;
use areas::accounts::{self, logins};
use clock::Clock;
use config::Config;
use kernel::{audit, db, db::Db, jobs, secrets};
use state::AppState;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("{0}")]
    Other(String),
}

/// Connects to the database, applies migrations and returns the shared state.
pub async fn build(config: Config, clock: Clock) -> Result<AppState, StartError> {
    let db = Db::connect(config.database_url.expose()).await?;
    db::migrate::run(&db, clock.now_ms()).await?;
    Ok(AppState {
        db,
        config: Arc::new(config),
        clock,
        hasher: Default::default(),
        metrics: Default::default(),
        instance_id: format!("{}-{}", std::process::id(), secrets::random_hex(4)),
        check_ins: Default::default(),
    })
}

/// The first owner login of a new panel, when this call created it.
pub struct FirstLogin {
    pub email: String,
    /// Set when the password was generated (not given by PANEL_ADMIN_PASSWORD).
    pub generated_password: Option<String>,
}

pub const DEFAULT_ADMIN_EMAIL: &str = "admin@partner-panel.local";

/// On an empty database: creates the operator account ("Servicecenter") and its first owner.
pub async fn bootstrap(state: &AppState) -> Result<Option<FirstLogin>, StartError> {
    if accounts::operator(&state.db).await?.is_some() {
        return Ok(None);
    }
    let email = state
        .config
        .admin_email
        .clone()
        .unwrap_or_else(|| DEFAULT_ADMIN_EMAIL.into());
    let (password, generated) = match &state.config.admin_password {
        Some(p) => (p.expose().to_string(), false),
        None => {
            let p = secrets::generate_password();
            (p, true)
        }
    };
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let op = match accounts::insert(&mut tx, now, None, Kind::Operator, "Servicecenter", None).await
    {
        Ok(id) => id,
        // Another instance got there first.
        Err(e) if db::is_unique_violation(&e) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let actor = audit::Actor::system();
    logins::insert(
        state,
        &mut tx,
        &actor,
        logins::NewLogin {
            account_id: AccountId(op),
            email: &email,
            name: "Operator",
            password: &password,
            role: Role::Owner,
        },
    )
    .await
    .map_err(|e| StartError::Other(format!("first login: {}", e.public_message())))?;
    match tx.commit().await {
        Ok(()) => {}
        Err(e) if db::is_unique_violation(&e) => return Ok(None),
        Err(e) => return Err(e.into()),
    }
    Ok(Some(FirstLogin {
        email,
        generated_password: generated.then_some(password),
    }))
}

/// Serves the panel on `listener` until `shutdown` resolves; then lets in-flight requests finish,
/// stops the job worker and gives back its leases.
pub async fn serve(
    state: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(state, listener, shutdown, |app| app).await
}

/// `serve`, with the router passed through `wrap` first (tests add a layer that records the
/// answers).
pub async fn serve_with(
    state: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
    wrap: impl FnOnce(axum::Router) -> axum::Router,
) -> std::io::Result<()> {
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let worker = state
        .config
        .run_worker
        .then(|| tokio::spawn(jobs::worker(state.clone(), stop_rx.clone())));
    let app = wrap(kernel::http::router(state.clone()));
    // /metrics on its own address, when one is set; it stops with the panel.
    let metrics = match state.config.metrics_bind {
        None => None,
        Some(addr) => {
            let l = tokio::net::TcpListener::bind(addr).await?;
            let mut stop = stop_rx.clone();
            let router = kernel::http::metrics::separate_router(state.clone());
            Some(tokio::spawn(async move {
                let _ = axum::serve(l, router)
                    .with_graceful_shutdown(async move {
                        let _ = stop.wait_for(|s| *s).await;
                    })
                    .await;
            }))
        }
    };
    let mut server_stop = stop_rx.clone();
    let signal = async move {
        tokio::select! {
            _ = shutdown => {}
            _ = server_stop.changed() => {}
        }
    };
    let stop_on_signal = stop_tx.clone();
    let grace = state.config.shutdown_grace;
    let server = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        signal.await;
        let _ = stop_on_signal.send(true);
    })
    .into_future();
    // In-flight requests get `grace` after the signal; a client that stopped reading (a big
    // export) does not hold the process longer: its connection is dropped with the runtime.
    let mut stopping = stop_rx.clone();
    let deadline = async move {
        let _ = stopping.wait_for(|stopped| *stopped).await;
        let at = tokio::time::Instant::now() + grace;
        tokio::time::sleep_until(at).await;
        at
    };
    tokio::pin!(deadline);
    let mut timed_out = None;
    let result = tokio::select! {
        r = server => r,
        at = &mut deadline => {
            timed_out = Some(at);
            Ok(())
        }
    };
    let _ = stop_tx.send(true);
    if let Some(w) = worker {
        // The worker finishes its job within what is left of the grace period.
        let left = match timed_out {
            Some(_) => std::time::Duration::ZERO,
            None => grace,
        };
        if tokio::time::timeout(left.max(std::time::Duration::from_millis(200)), w)
            .await
            .is_err()
        {
            tracing::warn!(
                "the job worker did not stop within the grace period; its lease runs out"
            );
        }
    }
    if let Some(m) = metrics {
        m.abort();
    }
    if timed_out.is_some() {
        tracing::warn!(
            grace_s = grace.as_secs_f64(),
            "shutdown grace period over: closing the connections left"
        );
    }
    result
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
    tracing::info!("shutting down: finishing in-flight requests");
}
