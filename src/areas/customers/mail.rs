//! Emails dressed in the recipient's brand: its logo and colours around the HTML, its footer and
//! support contact below the text (the sender name is set from the brand when it is queued).

use super::brand::Brand;
use askama::Template;

#[derive(Template)]
#[template(path = "email/customers/branded.html")]
struct Branded<'a> {
    b: &'a Brand,
    logo: Option<String>,
    /// The mail's own HTML, already rendered (and escaped) by its template.
    inner: &'a str,
}

/// The text and HTML of a mail as a login of brand `b` receives it.
pub fn dress_mail(b: &Brand, base_url: &str, text: &str, html: &str) -> (String, String) {
    let mut text = text.trim_end().to_string();
    text.push_str("\n\n-- \n");
    text.push_str(b.footer.as_deref().unwrap_or(&b.display_name));
    let support = b.support_line();
    if !support.is_empty() {
        text.push_str(&format!("\nSupport: {support}"));
    }
    text.push('\n');
    let html = Branded {
        b,
        logo: b.logo_url.as_ref().map(|u| format!("{base_url}{u}")),
        inner: html,
    }
    .render()
    .unwrap_or_else(|_| html.to_string());
    (text, html)
}
