//! A file's rows: the encoding and format detected from the bytes, not the file name.

use crate::limits::{
    MAX_CELL_CHARS, MAX_CELLS, MAX_COLUMNS, MAX_ROWS, MAX_SHARED_STRINGS_BYTES, MAX_UNPACKED_BYTES,
    MAX_ZIP_ENTRIES,
};
use std::collections::BTreeMap;
use std::io::{Cursor, Read};

/// Why a file could not be read at all (row-level problems are [`crate::Problem`]s).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is larger than 50 MB")]
    TooLarge,
    /// Binary content that is neither XLSX nor text (an image or a PDF renamed .csv).
    #[error("the file is not a CSV or XLSX file")]
    NotTabular,
    /// Text in neither UTF-8 nor Shift_JIS.
    #[error("the file's encoding is neither UTF-8 nor Shift_JIS")]
    Encoding,
    #[error("the spreadsheet could not be read: {0}")]
    Spreadsheet(String),
    #[error("the CSV could not be read at line {0}")]
    Csv(u64),
    #[error("the file has a header row but no data")]
    NoRows,
    #[error("a row has more than {MAX_COLUMNS} columns (line {0})")]
    TooManyColumns(u64),
    #[error("the file has more than {MAX_ROWS} rows")]
    TooManyRows,
    #[error("the file has more than {MAX_CELLS} cells")]
    TooManyCells,
    #[error("a cell is longer than {MAX_CELL_CHARS} characters (line {0})")]
    CellTooLong(u64),
    /// An XLSX whose contents unpack to more than the limit, or with too many entries (a zip bomb).
    #[error("the spreadsheet unpacks to more than {} MB", MAX_UNPACKED_BYTES / 1024 / 1024)]
    Unpacked,
    /// The spreadsheet's shared strings (kept in memory whole) unpack beyond their own allowance.
    #[error("the spreadsheet's text unpacks to more than {} MB", MAX_SHARED_STRINGS_BYTES / 1024 / 1024)]
    SharedStrings,
}

impl FileError {
    /// The message key for the user.
    pub fn key(&self) -> &'static str {
        match self {
            Self::Empty => "error.import_empty",
            Self::TooLarge => "error.import_too_large",
            Self::NotTabular => "error.import_not_tabular",
            Self::Encoding => "error.import_encoding",
            Self::Spreadsheet(_) => "error.import_spreadsheet",
            Self::Csv(_) => "error.import_csv",
            Self::NoRows => "error.import_no_rows",
            Self::TooManyColumns(_) => "error.import_too_many_columns",
            Self::TooManyRows => "error.import_too_many_rows",
            Self::TooManyCells => "error.import_too_many_cells",
            Self::CellTooLong(_) => "error.import_cell_too_long",
            Self::Unpacked => "error.import_unpacked",
            Self::SharedStrings => "error.import_shared_strings",
        }
    }

    /// The values the message names: the line and the limit.
    pub fn args(&self) -> Vec<(&'static str, String)> {
        let line = match self {
            Self::Csv(l) | Self::TooManyColumns(l) | Self::CellTooLong(l) => *l,
            _ => 0,
        };
        vec![
            ("line", line.to_string()),
            ("max_columns", MAX_COLUMNS.to_string()),
            ("max_rows", MAX_ROWS.to_string()),
            ("max_cells", MAX_CELLS.to_string()),
            ("max_chars", MAX_CELL_CHARS.to_string()),
            ("max_mb", (MAX_UNPACKED_BYTES / 1024 / 1024).to_string()),
            (
                "max_text_mb",
                (MAX_SHARED_STRINGS_BYTES / 1024 / 1024).to_string(),
            ),
        ]
    }
}

/// Checks one row against the limits as it is read; `cells` counts the cells so far.
fn check_row(cells: &[String], line: u64, total: &mut usize) -> Result<(), FileError> {
    if cells.len() > MAX_COLUMNS {
        return Err(FileError::TooManyColumns(line));
    }
    *total += cells.len();
    if *total > MAX_CELLS {
        return Err(FileError::TooManyCells);
    }
    if cells
        .iter()
        .any(|c| c.len() > MAX_CELL_CHARS && c.chars().count() > MAX_CELL_CHARS)
    {
        return Err(FileError::CellTooLong(line));
    }
    Ok(())
}

/// Which encoding a CSV was in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Encoding {
    Utf8,
    Utf8Bom,
    ShiftJis,
    /// Not text: an XLSX workbook.
    Xlsx,
}

impl Encoding {
    pub fn label(self) -> &'static str {
        match self {
            Self::Utf8 => "UTF-8",
            Self::Utf8Bom => "UTF-8 (BOM)",
            Self::ShiftJis => "Shift_JIS",
            Self::Xlsx => "XLSX",
        }
    }
}

/// The header row and the data rows of a file, each data row with its line number as the user sees it
/// (the header is line 1). Serialisable, so an upload is read once and kept as its table.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Table {
    pub encoding: Encoding,
    pub headers: Vec<String>,
    pub rows: Vec<(usize, Vec<String>)>,
}

/// Decodes CSV text: a UTF-8 BOM, valid UTF-8, or else Shift_JIS (Windows-31J, which Excel writes in Japan).
pub fn decode(bytes: &[u8]) -> Result<(String, Encoding), FileError> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return std::str::from_utf8(rest)
            .map(|s| (s.to_string(), Encoding::Utf8Bom))
            .map_err(|_| FileError::Encoding);
    }
    // NUL bytes and other control characters do not occur in text exports.
    let controls = bytes
        .iter()
        .take(64 * 1024)
        .filter(|b| matches!(b, 0..=8 | 14..=26 | 28..=31))
        .count();
    if controls > 0 {
        return Err(FileError::NotTabular);
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok((s.to_string(), Encoding::Utf8));
    }
    let (text, _, had_errors) = encoding_rs::SHIFT_JIS.decode(bytes);
    if had_errors {
        return Err(FileError::Encoding);
    }
    Ok((text.into_owned(), Encoding::ShiftJis))
}

/// Reads a CSV or XLSX file from its bytes.
pub fn read(bytes: &[u8]) -> Result<Table, FileError> {
    if bytes.is_empty() {
        return Err(FileError::Empty);
    }
    if bytes.len() > crate::MAX_FILE_BYTES {
        return Err(FileError::TooLarge);
    }
    let (headers, rows, encoding) = if bytes.starts_with(b"PK\x03\x04") {
        let (h, r) = read_xlsx(bytes)?;
        (h, r, Encoding::Xlsx)
    } else {
        let (text, enc) = decode(bytes)?;
        let (h, r) = read_csv(&text)?;
        (h, r, enc)
    };
    let rows: Vec<(usize, Vec<String>)> = rows
        .into_iter()
        .filter(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()))
        .collect();
    if headers.iter().all(|h| h.trim().is_empty()) {
        return Err(FileError::Empty);
    }
    if rows.is_empty() {
        return Err(FileError::NoRows);
    }
    Ok(Table {
        encoding,
        headers,
        rows,
    })
}

type Rows = Vec<(usize, Vec<String>)>;

fn read_csv(text: &str) -> Result<(Vec<String>, Rows), FileError> {
    // Tab-separated when the first line has tabs and no commas.
    let first = text.lines().next().unwrap_or("");
    let delimiter = if first.contains('\t') && !first.contains(',') {
        b'\t'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut headers = Vec::new();
    let mut rows = Vec::new();
    // Line numbers as an editor shows them, counted from the byte offset (the reader skips blank lines).
    let bytes = text.as_bytes();
    let (mut counted_to, mut lines_before) = (0usize, 0usize);
    let mut line_at = |offset: usize| {
        let mut offset = offset.min(bytes.len());
        // A record's offset can point at the blank lines the reader skipped before it.
        while offset < bytes.len() && matches!(bytes[offset], b'\n' | b'\r') {
            offset += 1;
        }
        if offset >= counted_to {
            lines_before += bytes[counted_to..offset]
                .iter()
                .filter(|b| **b == b'\n')
                .count();
            counted_to = offset;
        }
        lines_before + 1
    };
    let mut total = 0;
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| {
            FileError::Csv(
                e.position()
                    .map(csv::Position::line)
                    .unwrap_or(i as u64 + 1),
            )
        })?;
        if i > MAX_ROWS {
            return Err(FileError::TooManyRows);
        }
        let line = record
            .position()
            .map(|p| line_at(p.byte() as usize))
            .unwrap_or(i + 1);
        if record.len() > MAX_COLUMNS {
            return Err(FileError::TooManyColumns(line as u64));
        }
        let cells: Vec<String> = record.iter().map(str::to_string).collect();
        check_row(&cells, line as u64, &mut total)?;
        if i == 0 {
            headers = cells;
        } else {
            rows.push((line, cells));
        }
    }
    Ok((headers, rows))
}

/// Unpacks every entry of the zip into nothing, counting the bytes really inflated (the sizes an entry
/// declares can lie), and refuses a zip that unpacks beyond the limit before anything is kept in memory.
fn check_zip(bytes: &[u8]) -> Result<(), FileError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| FileError::Spreadsheet(e.to_string()))?;
    if zip.len() > MAX_ZIP_ENTRIES {
        return Err(FileError::Unpacked);
    }
    let mut left = MAX_UNPACKED_BYTES;
    for i in 0..zip.len() {
        let entry = zip
            .by_index(i)
            .map_err(|e| FileError::Spreadsheet(e.to_string()))?;
        // calamine keeps the shared strings in memory whole: they get a smaller allowance of their own.
        let shared = entry.name().is_ok_and(|n| n.ends_with("sharedStrings.xml"));
        let allowed = if shared {
            left.min(MAX_SHARED_STRINGS_BYTES)
        } else {
            left
        };
        let read = std::io::copy(&mut entry.take(allowed + 1), &mut std::io::sink())
            .map_err(|e| FileError::Spreadsheet(e.to_string()))?;
        if read > allowed {
            return Err(if shared && allowed < left {
                FileError::SharedStrings
            } else {
                FileError::Unpacked
            });
        }
        left -= read;
    }
    Ok(())
}

/// Reads the first sheet cell by cell, bounding rows, columns and cells as it goes. (calamine's own
/// `Range` sizes the sheet from its corner cells: A1 and XFD1048576 ask for 512 GiB.) Empty cells are
/// skipped, so formatting far out in the sheet costs nothing.
fn read_xlsx(bytes: &[u8]) -> Result<(Vec<String>, Rows), FileError> {
    use calamine::{DataRef, Reader, Xlsx};
    check_zip(bytes)?;
    let mut book: Xlsx<_> =
        Xlsx::new(Cursor::new(bytes)).map_err(|e| FileError::Spreadsheet(e.to_string()))?;
    let name = book
        .sheet_names()
        .first()
        .cloned()
        .ok_or(FileError::Empty)?;
    let mut cells = book
        .worksheet_cells_reader(&name)
        .map_err(|e| FileError::Spreadsheet(e.to_string()))?;
    let text = |d: &DataRef<'_>| -> String {
        match d {
            DataRef::Empty => String::new(),
            DataRef::String(s) => s.clone(),
            DataRef::SharedString(s) => s.to_string(),
            DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
            DataRef::Float(f) => f.to_string(),
            DataRef::Int(i) => i.to_string(),
            DataRef::Bool(b) => b.to_string(),
            // Dates come as Excel serial numbers; the date reader knows them.
            DataRef::DateTime(d) => format!("{}", d.as_f64().trunc() as i64),
            DataRef::DateTimeIso(s) => s.clone(),
            DataRef::DurationIso(s) => s.clone(),
            DataRef::Error(_) => String::new(),
        }
    };
    // Sheet row → (column → text); rows and columns as the sheet numbers them, from 0.
    let mut sheet: BTreeMap<u32, BTreeMap<u32, String>> = BTreeMap::new();
    let mut count = 0usize;
    while let Some(cell) = cells
        .next_cell()
        .map_err(|e| FileError::Spreadsheet(e.to_string()))?
    {
        let value = text(cell.get_value());
        if value.is_empty() {
            continue;
        }
        let (row, col) = cell.get_position();
        if col as usize >= MAX_COLUMNS {
            return Err(FileError::TooManyColumns(u64::from(row) + 1));
        }
        if row as usize > MAX_ROWS + 1 {
            return Err(FileError::TooManyRows);
        }
        if value.len() > MAX_CELL_CHARS && value.chars().count() > MAX_CELL_CHARS {
            return Err(FileError::CellTooLong(u64::from(row) + 1));
        }
        count += 1;
        if count > MAX_CELLS {
            return Err(FileError::TooManyCells);
        }
        sheet.entry(row).or_default().insert(col, value);
    }
    let first_col = sheet
        .values()
        .filter_map(|r| r.keys().next().copied())
        .min()
        .unwrap_or(0);
    let width = sheet
        .values()
        .filter_map(|r| r.keys().next_back().copied())
        .max()
        .map(|last| (last - first_col + 1) as usize)
        .unwrap_or(0);
    if sheet.len().saturating_mul(width) > MAX_CELLS {
        return Err(FileError::TooManyCells);
    }
    let mut rows_in = sheet.into_iter();
    let Some((_, header)) = rows_in.next() else {
        return Err(FileError::Empty);
    };
    let line_up = |cells: BTreeMap<u32, String>| -> Vec<String> {
        let mut v = vec![String::new(); width];
        for (c, text) in cells {
            v[(c - first_col) as usize] = text;
        }
        v
    };
    let headers = line_up(header);
    let mut rows = Vec::new();
    for (r, cells) in rows_in {
        rows.push((r as usize + 1, line_up(cells)));
    }
    Ok((headers, rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shift_jis_utf8_and_bom_are_told_apart() {
        let text = "社員番号,氏名\n001,髙橋 ①子\n";
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(text);
        let t = read(&sjis).unwrap();
        assert_eq!(t.encoding, Encoding::ShiftJis);
        assert_eq!(t.rows[0].1[1], "髙橋 ①子");
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(text.as_bytes());
        let t = read(&bom).unwrap();
        assert_eq!(
            (t.encoding, t.headers[0].as_str()),
            (Encoding::Utf8Bom, "社員番号")
        );
        assert_eq!(read(text.as_bytes()).unwrap().encoding, Encoding::Utf8);
    }

    #[test]
    fn binary_files_and_empty_files_are_refused() {
        assert_eq!(read(b""), Err(FileError::Empty));
        assert_eq!(
            read(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            Err(FileError::NotTabular)
        );
        assert_eq!(read("社員番号,氏名\n".as_bytes()), Err(FileError::NoRows));
        assert!(matches!(
            read(b"PK\x03\x04garbage"),
            Err(FileError::Spreadsheet(_))
        ));
        // Bytes that are not Shift_JIS either.
        assert_eq!(read(b"a,b\n\x82\xff\x85\x40\n"), Err(FileError::Encoding));
    }

    #[test]
    fn ragged_rows_keep_their_line_numbers() {
        let t = read("a,b,c\n1,2\n\n3,4,5,6\n".as_bytes()).unwrap();
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[0].0, 2);
        assert_eq!(
            t.rows[1],
            (4, vec!["3".into(), "4".into(), "5".into(), "6".into()])
        );
    }
}
