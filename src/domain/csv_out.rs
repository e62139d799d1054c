//! CSV for spreadsheets: UTF-8 with a byte-order mark, RFC 4180 quoting, and cells that a
//! spreadsheet would run as a formula made plain text.

pub struct Writer {
    inner: csv::Writer<Vec<u8>>,
}

impl Default for Writer {
    fn default() -> Self {
        Self::new()
    }
}

/// A cell starting with = + - @ (or a tab / carriage return) gets a leading apostrophe.
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

impl Writer {
    pub fn new() -> Writer {
        let mut buf = Vec::new();
        buf.extend_from_slice("\u{feff}".as_bytes());
        Writer {
            inner: csv::WriterBuilder::new()
                .terminator(csv::Terminator::CRLF)
                .from_writer(buf),
        }
    }

    pub fn row(&mut self, cells: &[&str]) {
        let _ = self
            .inner
            .write_record(cells.iter().map(|c| neutralise(c).into_owned()));
    }

    pub fn finish(self) -> Vec<u8> {
        self.inner.into_inner().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn quotes_and_neutralises() {
        let mut w = super::Writer::new();
        w.row(&["=HYPERLINK(\"x\")", "a,b", "line\nbreak", "Café", "-1"]);
        let s = String::from_utf8(w.finish()).unwrap();
        assert_eq!(
            s,
            "\u{feff}\"'=HYPERLINK(\"\"x\"\")\",\"a,b\",\"line\nbreak\",Café,'-1\r\n"
        );
    }
}
