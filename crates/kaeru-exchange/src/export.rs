//! People out: a sheet of text cells written as CSV (UTF-8 with BOM for Excel, or Shift_JIS), XLSX, or vCard
//! 4.0 for phones. Cells that a spreadsheet would run as a formula are neutralised.

use chrono::NaiveDate;

/// Rows of text under headers, in the user's language (the caller chooses the columns and labels).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sheet {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// A cell beginning with = + - @ (or a tab or carriage return) is run as a formula by spreadsheets; a leading
/// apostrophe makes it text.
pub fn neutralise(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    /// A character Shift_JIS cannot hold (e.g. an emoji or 𠮷), with the row it is in (1 = header).
    #[error("{ch} in row {row} cannot be written in Shift_JIS")]
    NotShiftJis { ch: char, row: usize },
    #[error("the spreadsheet could not be written: {0}")]
    Xlsx(String),
}

fn csv_text(sheet: &Sheet) -> String {
    // Every cell quoted: the same bytes whatever a cell holds, and no tool guesses a type from a bare field.
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .quote_style(csv::QuoteStyle::Always)
        .from_writer(Vec::new());
    let _ = w.write_record(sheet.headers.iter().map(|h| neutralise(h)));
    for r in &sheet.rows {
        let _ = w.write_record(r.iter().map(|c| neutralise(c)));
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// CSV in UTF-8 with a BOM, which Excel opens correctly.
pub fn csv_utf8(sheet: &Sheet) -> Vec<u8> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    out.extend_from_slice(csv_text(sheet).as_bytes());
    out
}

/// CSV in Shift_JIS (Windows-31J) for older tools; refuses characters it cannot hold instead of mangling them.
pub fn csv_shift_jis(sheet: &Sheet) -> Result<Vec<u8>, ExportError> {
    let text = csv_text(sheet);
    let (bytes, _, had_errors) = encoding_rs::SHIFT_JIS.encode(&text);
    if had_errors {
        for (i, line) in text.split("\r\n").enumerate() {
            for ch in line.chars() {
                let mut b = [0u8; 4];
                let (_, _, bad) = encoding_rs::SHIFT_JIS.encode(ch.encode_utf8(&mut b));
                if bad {
                    return Err(ExportError::NotShiftJis { ch, row: i + 1 });
                }
            }
        }
    }
    Ok(bytes.into_owned())
}

/// An XLSX workbook with one sheet, every cell text, the header row bold and frozen.
pub fn xlsx(sheet: &Sheet, sheet_name: &str) -> Result<Vec<u8>, ExportError> {
    use rust_xlsxwriter::{Format, Workbook};
    let err = |e: rust_xlsxwriter::XlsxError| ExportError::Xlsx(e.to_string());
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(sheet_name).map_err(err)?;
    let bold = Format::new().set_bold();
    for (c, h) in sheet.headers.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, neutralise(h), &bold)
            .map_err(err)?;
        ws.set_column_width(c as u16, 16).map_err(err)?;
    }
    for (r, row) in sheet.rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(r as u32 + 1, c as u16, neutralise(v))
                    .map_err(err)?;
            }
        }
    }
    ws.set_freeze_panes(1, 0).map_err(err)?;
    book.save_to_buffer().map_err(err)
}

/// One person as a contact card.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Card {
    pub family_name: String,
    pub given_name: String,
    pub family_kana: String,
    pub given_kana: String,
    pub emails: Vec<String>,
    pub phone: Option<String>,
    pub birth_date: Option<NaiveDate>,
    /// Where they work now.
    pub organisation: Option<String>,
    pub title: Option<String>,
    pub note: Option<String>,
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace(',', "\\,")
        .replace(';', "\\;")
        .replace("\r\n", "\\n")
        .replace('\n', "\\n")
}

/// A content line folded at 75 octets (never inside a character), ended by CRLF.
fn line(out: &mut String, content: &str) {
    let mut width = 0;
    for ch in content.chars() {
        let n = ch.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(ch);
        width += n;
    }
    out.push_str("\r\n");
}

/// vCard 4.0 for one or more people; the readings go in SORT-AS and as the phonetic names phones show.
pub fn vcards(cards: &[Card]) -> String {
    let mut out = String::new();
    for c in cards {
        line(&mut out, "BEGIN:VCARD");
        line(&mut out, "VERSION:4.0");
        line(
            &mut out,
            &format!(
                "FN:{}",
                escape(&format!("{} {}", c.family_name, c.given_name))
            ),
        );
        let sort = format!("{},{}", c.family_kana, c.given_kana).replace('"', "");
        line(
            &mut out,
            &format!(
                "N;SORT-AS=\"{sort}\":{};{};;;",
                escape(&c.family_name),
                escape(&c.given_name)
            ),
        );
        line(
            &mut out,
            &format!("X-PHONETIC-LAST-NAME:{}", escape(&c.family_kana)),
        );
        line(
            &mut out,
            &format!("X-PHONETIC-FIRST-NAME:{}", escape(&c.given_kana)),
        );
        for (i, e) in c.emails.iter().enumerate() {
            let pref = if i == 0 { ";PREF=1" } else { "" };
            line(&mut out, &format!("EMAIL{pref}:{}", escape(e)));
        }
        if let Some(p) = &c.phone {
            line(
                &mut out,
                &format!("TEL;VALUE=uri;TYPE=cell:tel:{}", p.replace(' ', "-")),
            );
        }
        if let Some(b) = c.birth_date {
            line(&mut out, &format!("BDAY:{}", b.format("%Y%m%d")));
        }
        if let Some(o) = &c.organisation {
            line(&mut out, &format!("ORG:{}", escape(o)));
        }
        if let Some(t) = &c.title {
            line(&mut out, &format!("TITLE:{}", escape(t)));
        }
        if let Some(n) = &c.note {
            line(&mut out, &format!("NOTE:{}", escape(n)));
        }
        line(&mut out, "END:VCARD");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet() -> Sheet {
        Sheet {
            headers: vec!["社員番号".into(), "氏名".into(), "メモ".into()],
            rows: vec![
                vec!["001".into(), "髙橋 ①子".into(), "=HYPERLINK(\"x\")".into()],
                vec!["002".into(), "ﾔﾏﾀﾞ".into(), "@SUM(A1)".into()],
            ],
        }
    }

    #[test]
    fn csv_round_trips_through_both_encodings_with_formulas_neutralised() {
        let utf8 = csv_utf8(&sheet());
        assert!(utf8.starts_with(b"\xEF\xBB\xBF"));
        let back = crate::table::read(&utf8).unwrap();
        assert_eq!(back.rows[0].1[2], "'=HYPERLINK(\"x\")");
        let sjis = csv_shift_jis(&sheet()).unwrap();
        let back = crate::table::read(&sjis).unwrap();
        assert_eq!(back.encoding, crate::table::Encoding::ShiftJis);
        assert_eq!(back.rows[0].1[1], "髙橋 ①子");
        assert_eq!(back.rows[1].1[2], "'@SUM(A1)");
        let mut s = sheet();
        s.rows[1][1] = "𠮷野 太郎".into();
        assert_eq!(
            csv_shift_jis(&s),
            Err(ExportError::NotShiftJis { ch: '𠮷', row: 3 })
        );
    }

    #[test]
    fn xlsx_reads_back() {
        let bytes = xlsx(&sheet(), "people").unwrap();
        let back = crate::table::read(&bytes).unwrap();
        assert_eq!(back.headers, sheet().headers);
        assert_eq!(back.rows[0].1[1], "髙橋 ①子");
        assert_eq!(back.rows[0].1[2], "'=HYPERLINK(\"x\")");
    }

    #[test]
    fn vcards_escape_fold_and_carry_the_reading() {
        let v = vcards(&[Card {
            family_name: "山田".into(),
            given_name: "花子".into(),
            family_kana: "やまだ".into(),
            given_kana: "はなこ".into(),
            emails: vec!["hanako@example.jp".into()],
            phone: Some("090 1234 5678".into()),
            note: Some("営業部; 2015年入社, ".repeat(10)),
            ..Default::default()
        }]);
        assert!(v.starts_with("BEGIN:VCARD\r\nVERSION:4.0\r\nFN:山田 花子\r\n"));
        assert!(v.contains("N;SORT-AS=\"やまだ,はなこ\":山田;花子;;;\r\n"));
        assert!(v.contains("X-PHONETIC-FIRST-NAME:はなこ"));
        assert!(v.contains("TEL;VALUE=uri;TYPE=cell:tel:090-1234-5678"));
        assert!(v.contains("営業部\\; 2015年入社\\,"));
        assert!(v.lines().all(|l| l.len() <= 75));
    }
}
