//! What each audit action says in words, for Recent activity and the audit log: "Lara Lake
//! signed in", "Payment registered" instead of `login`, `billing.payment`. One table for every
//! action the panel records (a test checks that each action in the code has its phrase).

/// (action, phrase): the phrase reads after the actor's name ("… signed in").
pub const PHRASES: &[(&str, &str)] = &[
    ("ticket.open", "opened a ticket"),
    ("ticket.reply", "replied on a ticket"),
    ("ticket.answer", "answered a ticket"),
    ("ticket.note", "added an internal note to a ticket"),
    ("ticket.status", "changed a ticket's status"),
    ("ticket.escalate", "escalated a ticket to the operator"),
    (
        "settings.tickets",
        "changed the ticket response times and calendar",
    ),
    ("player_model.create", "added a player model"),
    ("player_model.update", "changed a player model"),
    ("player.connect", "connected a player by MAC"),
    ("player.add", "added a player for a client"),
    ("player.update", "changed a player"),
    ("player.clone", "cloned a client's player"),
    ("player.disconnect", "disconnected a player"),
    ("clip.create", "composed a slide"),
    ("clip.update", "changed a clip"),
    ("clip.image", "gave a clip its image"),
    ("clip.delete", "deleted a clip"),
    ("clip.share", "changed who sees a clip"),
    ("playlist.create", "created a playlist"),
    ("playlist.update", "changed a playlist"),
    ("playlist.delete", "deleted a playlist"),
    ("release_note.create", "wrote a release note"),
    ("release_note.update", "edited a release note"),
    ("release_note.publish", "published a release note"),
    ("release_note.unpublish", "unpublished a release note"),
    ("login", "signed in"),
    ("logout", "signed out"),
    ("login.failed", "failed to sign in"),
    ("login.create", "added a login"),
    ("login.update", "changed a login"),
    ("login.delete", "removed a login"),
    ("password.change", "changed the password"),
    ("password.reset_request", "asked for a password reset link"),
    ("password.reset", "reset the password with an emailed link"),
    ("password.wrong_current", "entered a wrong current password"),
    (
        "session.locked_out",
        "was signed out after too many wrong passwords",
    ),
    ("profile.update", "updated the profile"),
    ("api_token.create", "created an API token"),
    ("api_token.revoke", "revoked an API token"),
    ("session.end", "ended a session"),
    ("account.export", "exported the data of an account"),
    ("login.sessions_end", "ended every session of a login"),
    ("act_as.start", "started acting as an account"),
    ("act_as.renew", "renewed acting as an account"),
    ("act_as.exit", "stopped acting as an account"),
    (
        "act_as.expire",
        "stopped acting as an account (time was up)",
    ),
    ("act_as.revoke", "was stopped acting as an account"),
    ("account.create", "created an account"),
    ("account.update", "changed an account"),
    ("account.activate", "set an account active"),
    ("account.deactivate", "set an account inactive"),
    ("account.delete", "deleted an account"),
    ("dealer.create", "added a dealer"),
    ("customer.create", "added a customer"),
    ("customer.update", "changed a customer"),
    ("customer.delete", "deleted customers"),
    ("brand.update", "changed the rebrand information"),
    ("brand.remove", "removed the rebrand information"),
    ("dealer.update", "changed a dealer"),
    ("package.create", "created a package"),
    ("package.update", "changed a package"),
    ("package.retire", "retired a package"),
    ("package.reactivate", "offered a package again"),
    (
        "package.license_limits",
        "changed a package's license limits",
    ),
    (
        "settings.license_reminder_days",
        "changed when license reminders go out",
    ),
    ("addon.create", "created an add-on"),
    ("addon.retire", "retired an add-on"),
    ("addon.reactivate", "offered an add-on again"),
    ("ad_package.create", "created an advertising package"),
    ("ad_package.retire", "retired an advertising package"),
    (
        "ad_package.reactivate",
        "offered an advertising package again",
    ),
    ("settings.auto_approve", "changed automatic approval"),
    (
        "settings.reminder_days",
        "changed the payment reminder days",
    ),
    ("partnership.request", "asked to become a partner"),
    ("partnership.approve", "approved a partnership request"),
    ("partnership.reject", "rejected a partnership request"),
    (
        "partner.external_invoice_id",
        "set a partner's external invoice id",
    ),
    ("billing.change_package", "changed the package"),
    ("billing.invoice", "issued an invoice"),
    ("billing.payment", "registered a payment"),
    ("billing.credit", "granted a credit"),
    ("billing.reminder", "sent a payment reminder"),
    ("billing.suspend", "suspended access for an unpaid period"),
    ("billing.purge", "deleted a partner after its unpaid period"),
    ("request.create", "sent a request"),
    ("request.approve", "approved a request"),
    ("request.reject", "rejected a request"),
    ("request.withdraw", "withdrew a request"),
    (
        "request.partner_listed",
        "is in the partner directory again",
    ),
    ("request.partner_unlisted", "left the partner directory"),
    ("broadcast.send", "sent a broadcast"),
    ("channel.create", "created a channel"),
    ("channel.update", "changed a channel"),
    ("channel.delete", "deleted a channel"),
    ("channel.follow", "followed a channel"),
    ("channel.unfollow", "stopped following a channel"),
    ("reseller_settings.update", "changed the reseller settings"),
    ("reseller.leave", "stopped reselling for its partner"),
    ("reseller.remove", "removed a reseller"),
    ("demo.scale", "loaded demo data"),
];

/// The phrase of an action; an unknown one reads as itself with dots as spaces.
pub fn phrase(action: &str) -> String {
    PHRASES
        .iter()
        .find(|(a, _)| *a == action)
        .map(|(_, p)| p.to_string())
        .unwrap_or_else(|| action.replace(['.', '_'], " "))
}

/// "Lara Lake signed in": the actor (a login's name or email, "The panel" for the system).
pub fn sentence(actor: Option<&str>, action: &str) -> String {
    format!("{} {}", actor.unwrap_or("The panel"), phrase(action))
}
