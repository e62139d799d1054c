//! The simple formatting of release notes, rendered safely: everything is escaped, then only
//! these come back as HTML: paragraphs (blank lines), lists (lines starting with "- " or "* "),
//! **bold**, and links written [text](https://…) with an http or https address only.

fn escape(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

fn safe_url(u: &str) -> bool {
    let l = u.to_ascii_lowercase();
    (l.starts_with("https://") || l.starts_with("http://"))
        && u.len() > 8
        && !u
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '`'))
}

/// One line's inline formatting: **bold** and [text](url).
fn inline(s: &str, out: &mut String) {
    let mut rest = s;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("**") {
            if let Some(end) = after.find("**") {
                if end > 0 {
                    out.push_str("<strong>");
                    inline(&after[..end], out);
                    out.push_str("</strong>");
                    rest = &after[end + 2..];
                    continue;
                }
            }
        }
        if let Some(after) = rest.strip_prefix('[') {
            if let Some(close) = after.find("](") {
                let text = &after[..close];
                let tail = &after[close + 2..];
                if let Some(end) = tail.find(')') {
                    let url = &tail[..end];
                    if safe_url(url) && !text.is_empty() && !text.contains('[') {
                        out.push_str("<a href=\"");
                        escape(url, out);
                        out.push_str("\" rel=\"noopener noreferrer nofollow\">");
                        escape(text, out);
                        out.push_str("</a>");
                        rest = &tail[end + 1..];
                        continue;
                    }
                }
            }
        }
        let c = rest.chars().next().unwrap_or(' ');
        let mut b = [0u8; 4];
        escape(c.encode_utf8(&mut b), out);
        rest = &rest[c.len_utf8()..];
    }
}

fn item(l: &str) -> Option<&str> {
    l.strip_prefix("- ").or_else(|| l.strip_prefix("* "))
}

/// The note's text as safe HTML.
pub fn render(text: &str) -> String {
    let mut out = String::new();
    let text = text.replace("\r\n", "\n");
    for block in text.split("\n\n").map(str::trim).filter(|b| !b.is_empty()) {
        let lines: Vec<&str> = block.lines().map(str::trim).collect();
        if lines.iter().all(|l| item(l).is_some()) {
            out.push_str("<ul>");
            for l in &lines {
                out.push_str("<li>");
                inline(item(l).unwrap_or(l), &mut out);
                out.push_str("</li>");
            }
            out.push_str("</ul>");
        } else {
            out.push_str("<p>");
            for (i, l) in lines.iter().enumerate() {
                if i > 0 {
                    out.push_str("<br>");
                }
                inline(l, &mut out);
            }
            out.push_str("</p>");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn formats_the_safe_parts_and_escapes_the_rest() {
        assert_eq!(
            render("Hello **world**\n\n- one\n- [docs](https://example.com/a?b=1&c=2)"),
            "<p>Hello <strong>world</strong></p><ul><li>one</li><li><a href=\"https://example.com/a?b=1&amp;c=2\" rel=\"noopener noreferrer nofollow\">docs</a></li></ul>"
        );
        let evil = render(
            "<script>alert(1)</script> [x](javascript:alert(1)) [y](https://a.b\" onclick=\"x)",
        );
        assert!(!evil.contains("<script"), "{evil}");
        assert!(!evil.contains("href=\"javascript"), "{evil}");
        assert!(!evil.contains("onclick=\""), "{evil}");
        assert!(evil.contains("&lt;script&gt;"));
    }
}
