//! CSV for spreadsheets: UTF-8 with a byte-order mark, RFC 4180 quoting (CRLF line ends), and
//! cells that a spreadsheet would run as a formula made plain text. Big exports are streamed.

use crate::kernel::db::Row;
use crate::kernel::query::Sql;

pub struct Writer {
    buf: Vec<u8>,
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
    /// A writer whose output starts with the byte-order mark.
    pub fn new() -> Writer {
        Writer {
            buf: "\u{feff}".as_bytes().to_vec(),
        }
    }

    pub fn row(&mut self, cells: &[&str]) {
        for (i, cell) in cells.iter().enumerate() {
            if i > 0 {
                self.buf.push(b',');
            }
            let cell = neutralise(cell);
            if cell.contains(['"', ',', '\r', '\n']) {
                self.buf.push(b'"');
                self.buf
                    .extend_from_slice(cell.replace('"', "\"\"").as_bytes());
                self.buf.push(b'"');
            } else {
                self.buf.extend_from_slice(cell.as_bytes());
            }
        }
        self.buf.extend_from_slice(b"\r\n");
    }

    pub fn len(&self) -> usize {
        self.buf.len()
    }

    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// What was written since the last call.
    pub fn take(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.buf)
    }

    pub fn finish(self) -> Vec<u8> {
        self.buf
    }
}

/// A CSV body arriving in chunks; an error ends it early (the download is then incomplete).
pub type Stream = tokio::sync::mpsc::Receiver<Result<Vec<u8>, std::io::Error>>;

const CHUNK: usize = 64 * 1024;

/// Exports running at once in this process: each holds a database connection while it streams.
static EXPORTS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(3);

/// A reader that takes longer than this for one chunk loses the download (and the connection).
const SEND_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Runs `sql` on a connection of its own and writes each row with `each`, sending the CSV out in
/// chunks of about 64 KiB as rows arrive. Stops when the receiver goes away or stalls; at most a
/// few exports run at once (the others wait for their turn before reading).
pub fn stream<F>(pool: sqlx::AnyPool, sql: Sql, header: &[&str], each: F) -> Stream
where
    F: Fn(&Row, &mut Writer) -> Result<(), sqlx::Error> + Send + Sync + 'static,
{
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    let mut w = Writer::new();
    w.row(header);
    tokio::spawn(async move {
        use futures_util::TryStreamExt;
        let Ok(_permit) = EXPORTS.acquire().await else {
            return;
        };
        let result: Result<bool, sqlx::Error> = async {
            let mut conn = pool.acquire().await?;
            let mut rows = sql.query().fetch(&mut *conn);
            while let Some(row) = rows.try_next().await? {
                each(&row, &mut w)?;
                if w.len() >= CHUNK {
                    match tokio::time::timeout(SEND_TIMEOUT, tx.send(Ok(w.take()))).await {
                        Ok(Ok(())) => {}
                        // The client went away, or reads too slowly to keep a connection for.
                        _ => return Ok(false),
                    }
                }
            }
            Ok(true)
        }
        .await;
        match result {
            Ok(true) => {
                let _ = tx.send(Ok(w.take())).await;
            }
            Ok(false) => {}
            Err(e) => {
                tracing::warn!(error = %e, "CSV export stopped");
                let _ = tx.send(Err(std::io::Error::other(e.to_string()))).await;
            }
        }
    });
    rx
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
