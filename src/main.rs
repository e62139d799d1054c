//! `partner-panel`: serve (the default), migrate, backup, create-login, demo.

use clap::builder::TypedValueParser as _;
use std::io::Read;

use clap::{Parser, Subcommand};

use partner_panel::{
    areas::accounts::{self, logins},
    clock::Clock,
    config::{redact_url, Config},
    kernel::audit,
};

/// The command line. Settings come from the environment (see README.md), not from flags.
#[derive(Parser)]
#[command(
    name = "partner-panel",
    version,
    about = "Partner Panel: a multi-tier partner and reseller management panel",
    after_help = "Settings come from the environment (DATABASE_URL, PANEL_BIND, ...): see README.md."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Start the panel (the default)
    Serve,
    /// Apply database migrations and exit
    Migrate,
    /// Add a login to an account (the operator's by default); the password is read from stdin
    CreateLogin {
        /// The login's email (or a plain username)
        #[arg(long, value_name = "EMAIL")]
        email: String,
        /// Its name (default: the part of the email before the @)
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
        /// The account it belongs to (default: the operator)
        #[arg(long, value_name = "ID")]
        account: Option<i64>,
        /// Its role on that account
        #[arg(long, value_name = "ROLE", default_value = "owner",
              value_parser = clap::builder::PossibleValuesParser::new(logins::ROLES)
                  .map(|r| logins::Role::parse(&r).expect("one of the roles")))]
        role: logins::Role,
    },
    /// Copy the live SQLite database to FILE (consistent, while the panel runs); PostgreSQL: pg_dump
    Backup {
        /// The new backup file (must not exist)
        #[arg(value_name = "FILE")]
        file: std::path::PathBuf,
    },
    /// Load a small demo channel; with --scale, a realistic tree of about N accounts
    Demo {
        /// Add a tree of about N accounts (partners, resellers, dealers, customers, logins)
        #[arg(long, value_name = "N", value_parser = parse_scale)]
        scale: Option<usize>,
    },
}

/// A number of accounts, 1 to 20,000,000; `1_000_000` is accepted.
fn parse_scale(v: &str) -> Result<usize, String> {
    v.replace('_', "")
        .parse()
        .ok()
        .filter(|n| (1..=20_000_000).contains(n))
        .ok_or_else(|| "a number of accounts, 1 to 20000000".to_string())
}

fn fail(msg: impl std::fmt::Display) -> ! {
    eprintln!("error: {msg}");
    std::process::exit(1)
}

fn init_logs(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    // Colour only for a person at a terminal (and not with NO_COLOR): never in a file or journal.
    let colour = std::io::IsTerminal::is_terminal(&std::io::stderr())
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let b = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(colour)
        .with_writer(std::io::stderr);
    if json {
        b.json().init();
    } else {
        b.init();
    }
}

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    let config = Config::from_env().unwrap_or_else(|e| fail(e));
    init_logs(config.json_logs);
    let db_label = redact_url(config.database_url.expose());
    let state = partner_panel::build(config, Clock::default())
        .await
        .unwrap_or_else(|e| fail(format!("{e} ({db_label})")));
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(state, db_label).await,
        Command::Migrate => println!("migrations applied to {db_label}"),
        Command::Backup { file } => {
            let started = std::time::Instant::now();
            match partner_panel::kernel::db::backup::backup_sqlite(&state.db, &file).await {
                Ok(bytes) => println!(
                    "backup of {db_label} written to {} ({bytes} bytes, {:.1} s)",
                    file.display(),
                    started.elapsed().as_secs_f64()
                ),
                Err(e) => fail(e),
            }
        }
        Command::CreateLogin {
            email,
            name,
            account,
            role,
        } => create_login(state, email, name, account, role).await,
        Command::Demo { scale: Some(n) } => {
            report_first_login(&state).await;
            let started = std::time::Instant::now();
            match partner_panel::demo::scale(&state, n).await {
                Ok(s) => {
                    println!(
                        "demo tree added in {:.1} s: {} accounts, {} closure rows, {} logins (password {}), {} licenses; largest partner: account {}",
                        started.elapsed().as_secs_f64(),
                        s.accounts,
                        s.closure_rows,
                        s.logins,
                        partner_panel::demo::DEMO_PASSWORD,
                        s.licenses,
                        s.largest_partner
                    );
                }
                Err(e) => fail(e.public_message()),
            }
        }
        Command::Demo { scale: None } => {
            report_first_login(&state).await;
            match partner_panel::demo::load(&state).await {
                Ok(s) if s.accounts == 0 => println!("demo data is already loaded"),
                Ok(s) => {
                    println!("demo data loaded: {} accounts", s.accounts);
                    for l in s.logins {
                        println!(
                            "  login {l} / password {}",
                            partner_panel::demo::DEMO_PASSWORD
                        );
                    }
                }
                Err(e) => fail(e.public_message()),
            }
        }
    }
}

async fn report_first_login(state: &partner_panel::state::AppState) {
    match partner_panel::bootstrap(state).await {
        Ok(Some(first)) => {
            println!("\n  Partner Panel is set up. The operator's first owner login:");
            println!("    email:    {}", first.email);
            match first.generated_password {
                Some(p) => println!("    password: {p}\n  This password is shown only once: sign in and change it under My profile.\n"),
                None => println!("    password: the one given in PANEL_ADMIN_PASSWORD\n"),
            }
        }
        Ok(None) => {}
        Err(e) => fail(e),
    }
}

async fn serve(state: partner_panel::state::AppState, db_label: String) {
    report_first_login(&state).await;
    let listener = tokio::net::TcpListener::bind(state.config.bind)
        .await
        .unwrap_or_else(|e| fail(format!("cannot listen on {}: {e}", state.config.bind)));
    let addr = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    tracing::info!(database = %db_label, "database ready");
    println!(
        "Partner Panel is listening on http://{addr} (open {} in a browser)",
        state.config.base_url
    );
    if let Err(e) =
        partner_panel::serve(state.clone(), listener, partner_panel::shutdown_signal()).await
    {
        fail(e);
    }
    // Connections still held by requests cut at the end of the grace period are not waited for.
    let _ = tokio::time::timeout(std::time::Duration::from_secs(2), state.db.close()).await;
    tracing::info!("stopped");
    // Exit now: tasks cut at the end of the grace period are not waited for either.
    std::process::exit(0);
}

async fn create_login(
    state: partner_panel::state::AppState,
    email: String,
    name: Option<String>,
    account: Option<i64>,
    role: logins::Role,
) {
    let name = name.unwrap_or_else(|| email.split('@').next().unwrap_or("").to_string());
    let account_id = match account {
        Some(a) => accounts::AccountId(a),
        None => {
            let _ = partner_panel::bootstrap(&state).await;
            accounts::operator(&state.db)
                .await
                .ok()
                .flatten()
                .map(|a| a.id)
                .unwrap_or_else(|| fail("no operator account"))
        }
    };
    if accounts::get(&state.db, account_id)
        .await
        .ok()
        .flatten()
        .is_none()
    {
        fail(format!("no account {account_id}"));
    }
    let mut password = String::new();
    if std::io::stdin().read_to_string(&mut password).is_err() {
        fail("could not read the password from stdin");
    }
    let password = password.trim_end_matches(['\n', '\r']).to_string();
    let mut tx = state.db.begin().await.unwrap_or_else(|e| fail(e));
    let actor = audit::Actor::system();
    match logins::insert(
        &state,
        &mut tx,
        &actor,
        logins::NewLogin {
            account_id,
            email: &email,
            name: &name,
            password: &password,
            role,
        },
    )
    .await
    {
        Ok(id) => {
            tx.commit().await.unwrap_or_else(|e| fail(e));
            println!("login {id} created: {email} ({role}) on account {account_id}");
        }
        Err(e) => fail(format!(
            "{}{}",
            e.field().map(|f| format!("{f}: ")).unwrap_or_default(),
            e.public_message()
        )),
    }
}
