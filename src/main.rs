//! `partner-panel`: serve (the default), migrate, create-login, demo.

use std::io::Read;

use partner_panel::{
    areas::accounts::{self, logins},
    clock::Clock,
    config::{redact_url, Config},
    kernel::audit,
};

const USAGE: &str = "Usage: partner-panel [serve | migrate | create-login --email EMAIL --name NAME [--account ID] [--role ROLE] | demo [--scale N]]

  serve          start the panel (default); settings come from the environment (see README.md)
  migrate        apply database migrations and exit
  create-login   add a login to an account (the operator's by default); the password is read from stdin
  demo           load demo accounts and logins
  demo --scale N add a realistic tree of about N accounts (partners, dealers, customers, logins)
";

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

fn fail(msg: impl std::fmt::Display) -> ! {
    eprintln!("error: {msg}");
    std::process::exit(1)
}

fn init_logs(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let b = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        b.json().init();
    } else {
        b.init();
    }
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cmd = args.first().map(String::as_str).unwrap_or("serve");
    if matches!(cmd, "-h" | "--help" | "help") {
        print!("{USAGE}");
        return;
    }
    let config = Config::from_env().unwrap_or_else(|e| fail(e));
    init_logs(config.json_logs);
    let db_label = redact_url(config.database_url.expose());
    let state = partner_panel::build(config, Clock::default())
        .await
        .unwrap_or_else(|e| fail(format!("{e} ({db_label})")));
    match cmd {
        "serve" => serve(state, db_label).await,
        "migrate" => println!("migrations applied to {db_label}"),
        "create-login" => create_login(state, &args).await,
        "demo" if arg(&args, "--scale").is_some() => {
            report_first_login(&state).await;
            let n: usize = arg(&args, "--scale")
                .and_then(|v| v.replace('_', "").parse().ok())
                .filter(|n| *n > 0 && *n <= 20_000_000)
                .unwrap_or_else(|| fail("--scale needs a number of accounts (1 to 20000000)"));
            let started = std::time::Instant::now();
            match partner_panel::demo::scale(&state, n).await {
                Ok(s) => {
                    println!(
                        "demo tree added in {:.1} s: {} accounts, {} closure rows, {} logins (password {}); largest partner: account {}",
                        started.elapsed().as_secs_f64(),
                        s.accounts,
                        s.closure_rows,
                        s.logins,
                        partner_panel::demo::DEMO_PASSWORD,
                        s.largest_partner
                    );
                }
                Err(e) => fail(e.public_message()),
            }
        }
        "demo" => {
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
        other => {
            eprint!("unknown command {other:?}\n\n{USAGE}");
            std::process::exit(2);
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
    state.db.close().await;
}

async fn create_login(state: partner_panel::state::AppState, args: &[String]) {
    let email =
        arg(args, "--email").unwrap_or_else(|| fail(format!("--email is required\n\n{USAGE}")));
    let name =
        arg(args, "--name").unwrap_or_else(|| email.split('@').next().unwrap_or("").to_string());
    let role = arg(args, "--role").unwrap_or_else(|| "owner".into());
    let account_id = match arg(args, "--account") {
        Some(a) => a
            .parse::<i64>()
            .unwrap_or_else(|_| fail("--account must be an account id")),
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
            role: &role,
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
