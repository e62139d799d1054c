//! The demo's screens and sites: Northwind's rebrand (its customers' logins wear it), Café
//! Aurora's and Eastside Gym's sites with probes (two online, one offline, an enrollment code
//! waiting), and media players: the operator's catalogue, a partner's own player connected by
//! MAC that clones Café Aurora's window screen, Café Aurora's player with a playlist of a
//! shared and an own slide, and the gym's player whose license waits for the operator.
//! Everything goes through the same rules the panel and the protocols use.

use super::support::as_login;
use crate::areas::accounts::AccountId;
use crate::areas::customers::{self, brand::BrandFields};
use crate::areas::licenses;
use crate::areas::licenses::LicenseId;
use crate::areas::media::ClipId;
use crate::areas::media::PlayerModelId;
use crate::areas::media::PlaylistId;
use crate::areas::media::{self, clips, device, playlists};
use crate::areas::sites::{self, probes};
use crate::kernel::error::AppError;
use crate::state::AppState;

const LOGO: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 120 32\">\
<rect width=\"32\" height=\"32\" rx=\"6\" fill=\"#0b5394\"/>\
<path d=\"M8 24V8l16 16V8\" stroke=\"#f1c232\" stroke-width=\"4\" fill=\"none\"/>\
<text x=\"40\" y=\"22\" font-family=\"sans-serif\" font-size=\"14\" fill=\"#0b5394\">Northwind</text></svg>";

async fn account_id(state: &AppState, name: &str) -> Result<i64, AppError> {
    Ok(
        sqlx::query_scalar("SELECT id FROM accounts WHERE name = $1 AND status <> 'deleted'")
            .bind(name)
            .fetch_one(&state.db.pool)
            .await?,
    )
}

pub async fn load(state: &AppState) -> Result<(), AppError> {
    let operator = as_login(state, "operator@demo.example").await?;
    let northwind = as_login(state, "owner@northwind.example").await?;
    let cafe = as_login(state, "cafe@northwind.example").await?;
    let gym = account_id(state, "Eastside Gym").await?;

    // Northwind's brand: its customers' logins see it in the header, the footer and emails.
    customers::set_brand(
        state,
        &northwind,
        northwind.home_account_id,
        &BrandFields {
            display_name: "Northwind Media".into(),
            primary_color: "#0b5394".into(),
            accent_color: "#f1c232".into(),
            support_email: "support@northwind.example".into(),
            support_phone: "+49 30 5550 200".into(),
            footer: "Northwind Media: screens for cafés, gyms and hotels".into(),
            logo: Some(LOGO.as_bytes().to_vec()),
            ..Default::default()
        },
    )
    .await?;

    // Sites and probes: Café Aurora's two sites, the gym's hall.
    let site = |name: &str, address: &str, zone: &str, notes: &str| sites::SiteInput {
        name: Some(name.into()),
        address: Some(address.into()),
        time_zone: Some(zone.into()),
        notes: Some(notes.into()),
    };
    let downtown = sites::create(
        state,
        &northwind,
        cafe.home_account_id,
        &site(
            "Aurora Downtown",
            "Friedrichstraße 12, Berlin",
            "Europe/Berlin",
            "Screen in the window, probe behind the counter.",
        ),
    )
    .await?;
    let kiosk = sites::create(
        state,
        &northwind,
        cafe.home_account_id,
        &site(
            "Aurora Station Kiosk",
            "Hauptbahnhof, Berlin",
            "Europe/Berlin",
            "",
        ),
    )
    .await?;
    let hall = sites::create(
        state,
        &northwind,
        AccountId(gym),
        &site(
            "Eastside Main Hall",
            "Warschauer Straße 40, Berlin",
            "Europe/Berlin",
            "",
        ),
    )
    .await?;
    let caller = probes::Caller {
        ip: "demo",
        request_id: "demo",
    };
    let mut enrolled = Vec::new();
    for (site_id, name, host) in [
        (downtown.id, "Counter probe", "aurora-counter"),
        (kiosk.id, "Kiosk probe", "aurora-kiosk"),
        (hall.id, "Hall probe", "eastside-hall"),
    ] {
        let code = probes::create_enrollment(state, &northwind, site_id, &Default::default())
            .await?
            .code;
        let probe = probes::enroll(
            state,
            &caller,
            &sites::EnrollRequest {
                code,
                name: name.into(),
                host: Some(host.into()),
                version: Some("2.4.1".into()),
            },
        )
        .await?;
        probes::check_in(
            state,
            &caller,
            Some(&probe.token),
            &sites::CheckIn {
                version: Some("2.4.1".into()),
                host: None,
            },
        )
        .await?;
        enrolled.push(probe.probe_id);
    }
    // The kiosk's probe stopped two days ago: it shows offline.
    sqlx::query("UPDATE probes SET last_seen_at = $1 WHERE id = $2")
        .bind(state.now_ms() - 2 * 86_400_000)
        .bind(enrolled[1])
        .execute(&state.db.pool)
        .await?;
    // A code for a second probe downtown, not used yet.
    probes::create_enrollment(state, &northwind, downtown.id, &Default::default()).await?;

    // Media: the catalogue, Northwind's own player (connected by MAC), Café Aurora's window
    // screen (added through the wizard, license activated) and the gym's (license pending).
    let model = media::create_model(
        state,
        &operator,
        &media::ModelInput {
            name: Some("Narrowcast Box 4K".into()),
            id_prefix: Some("NB4K-".into()),
            compatible: Some(true),
        },
    )
    .await?;
    media::create_model(
        state,
        &operator,
        &media::ModelInput {
            name: Some("Legacy Stick".into()),
            id_prefix: Some("OLD-".into()),
            compatible: Some(false),
        },
    )
    .await?;
    let showroom = media::connect(
        state,
        &operator,
        &media::ConnectPlayer {
            account_id: Some(northwind.home_account_id),
            mac: Some("00:1A:2B:3C:4D:01".into()),
            model_id: Some(PlayerModelId(model.id.get())),
            name: Some("Northwind showroom".into()),
        },
    )
    .await?;
    let add = |client: AccountId, code: &str, name: &str| media::AddClientPlayer {
        client_id: Some(client),
        player_code: Some(code.into()),
        model_id: Some(PlayerModelId(model.id.get())),
        name: Some(name.into()),
    };
    let window = media::add_client_player(
        state,
        &northwind,
        &add(cafe.home_account_id, "NB4K-1001", "Aurora window screen"),
    )
    .await?;
    media::add_client_player(
        state,
        &northwind,
        &add(AccountId(gym), "NB4K-1002", "Gym entrance screen"),
    )
    .await?;
    if let Some(license) = window.license_id {
        licenses::change(
            state,
            &operator,
            LicenseId(license.get()),
            &licenses::Change::Activate,
        )
        .await?;
    }

    // Content: Northwind's slide shared with every account below, Café Aurora's own slide,
    // and the café's playlist on its window screen.
    let slide = |title: &str, text: &str, background: &str, seconds: i64| clips::ClipInput {
        title: Some(title.into()),
        text: Some(text.into()),
        background: Some(background.into()),
        duration_s: Some(seconds),
    };
    let shared = clips::create(
        state,
        &northwind,
        &slide(
            "Winter opening hours",
            "Mon–Fri 7:00–19:00\nSat–Sun 8:00–17:00",
            "#0b5394",
            12,
        ),
    )
    .await?;
    clips::set_sharing(
        state,
        &northwind,
        shared.id,
        &clips::ClipSharing {
            all: true,
            account_ids: Vec::new(),
        },
    )
    .await?;
    let own = clips::create(
        state,
        &cafe,
        &slide(
            "Flat white of the week",
            "Oat or whole milk, €3.20",
            "#6b3e26",
            8,
        ),
    )
    .await?;
    let list = playlists::create(
        state,
        &cafe,
        &playlists::PlaylistInput {
            name: Some("Window".into()),
            items: Some(vec![
                playlists::ItemInput {
                    clip_id: ClipId(own.id.get()),
                    duration_s: None,
                },
                playlists::ItemInput {
                    clip_id: ClipId(shared.id.get()),
                    duration_s: None,
                },
            ]),
        },
    )
    .await?;
    media::edit(
        state,
        &cafe,
        window.id,
        &media::PlayerEdit {
            playlist_id: Some(PlaylistId(list.id.get())),
            ..Default::default()
        },
    )
    .await?;
    media::clone_player(
        state,
        &northwind,
        showroom.id,
        &media::CloneSource {
            source_player_id: Some(window.id.get()),
        },
    )
    .await?;
    // The two licensed screens have registered: they show online.
    for (code, mac) in [
        ("NB4K-0001", "00:1A:2B:3C:4D:01"),
        ("NB4K-1001", "00:1A:2B:3C:4D:02"),
    ] {
        device::register(
            state,
            "demo",
            &device::Register {
                player_id: Some(code.into()),
                mac: Some(mac.into()),
            },
        )
        .await?;
    }
    Ok(())
}
