//! Dates as HR exports write them: 2024/01/05, 2024-01-05, 2024.1.5, 20240105, 2024年1月5日, with a time after
//! them, in full-width digits, in the Japanese calendar (令和6年1月5日, R6.1.5, 平成31年4月30日, 令和元年) and
//! as Excel serial numbers (45296).

use chrono::NaiveDate;
use kaeru_domain::Invalid;
use unicode_normalization::UnicodeNormalization;

/// An era of the Japanese calendar: its names, the Gregorian year before its first year, its first day.
struct Era {
    names: &'static [&'static str],
    offset: i32,
    first: (i32, u32, u32),
}

const ERAS: [Era; 4] = [
    Era {
        names: &["令和", "r"],
        offset: 2018,
        first: (2019, 5, 1),
    },
    Era {
        names: &["平成", "h"],
        offset: 1988,
        first: (1989, 1, 8),
    },
    Era {
        names: &["昭和", "s"],
        offset: 1925,
        first: (1926, 12, 25),
    },
    Era {
        names: &["大正", "t"],
        offset: 1911,
        first: (1912, 7, 30),
    },
];

/// A date cell; empty is `None`.
pub fn parse(input: &str) -> Result<Option<NaiveDate>, Invalid> {
    let s: String = input.nfkc().collect::<String>().trim().to_lowercase();
    if s.is_empty() {
        return Ok(None);
    }
    let bad = || Invalid::new("error.import_date").with("value", input.trim());
    // Drop a time of day: "2024/01/05 0:00:00", "2024-01-05T00:00:00".
    let s = s
        .split([' ', 't'])
        .next()
        .filter(|p| !p.is_empty())
        .unwrap_or(&s)
        .to_string();
    if s.chars().all(|c| c.is_ascii_digit()) {
        if s.len() == 8 {
            let (y, m, d) = (&s[0..4], &s[4..6], &s[6..8]);
            return ymd(y, m, d).map(Some).ok_or_else(bad);
        }
        // An Excel serial number (1900 date system; 60 is Excel's 29 Feb 1900).
        let n: i64 = s.parse().map_err(|_| bad())?;
        if (61..=109_574).contains(&n) {
            return NaiveDate::from_ymd_opt(1899, 12, 30)
                .and_then(|base| base.checked_add_signed(chrono::Duration::days(n)))
                .map(Some)
                .ok_or_else(bad);
        }
        return Err(bad());
    }
    for era in &ERAS {
        for name in era.names {
            if let Some(rest) = s.strip_prefix(name) {
                let rest = rest.replacen('元', "1", 1);
                let parts = numbers(&rest);
                let [y, m, d] = parts.as_slice() else {
                    return Err(bad());
                };
                let year: i32 = y.parse().map_err(|_| bad())?;
                if year < 1 {
                    return Err(bad());
                }
                let date = ymd(&(era.offset + year).to_string(), m, d).ok_or_else(bad)?;
                let (fy, fm, fd) = era.first;
                if NaiveDate::from_ymd_opt(fy, fm, fd).is_some_and(|first| date < first) {
                    return Err(Invalid::new("error.import_era").with("value", input.trim()));
                }
                return Ok(Some(date));
            }
        }
    }
    let parts = numbers(&s);
    match parts.as_slice() {
        [y, m, d] if y.len() == 4 => ymd(y, m, d).map(Some).ok_or_else(bad),
        _ => Err(bad()),
    }
}

/// The runs of digits of a date written with any separators (/, -, ., 年, 月, 日).
fn numbers(s: &str) -> Vec<String> {
    let ok = s
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '/' | '-' | '.' | '年' | '月' | '日'));
    if !ok {
        return Vec::new();
    }
    s.split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

fn ymd(y: &str, m: &str, d: &str) -> Option<NaiveDate> {
    let date = NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)?;
    (1900..=2200)
        .contains(&chrono::Datelike::year(&date))
        .then_some(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_usual_ways_of_writing_a_date() {
        for s in [
            "2024/01/05",
            "2024-01-05",
            "2024.1.5",
            "20240105",
            "2024年1月5日",
            "２０２４／０１／０５",
            "2024/1/5 0:00",
            "2024-01-05T00:00:00",
            "令和6年1月5日",
            "R6.1.5",
            "r06/01/05",
            "45296",
        ] {
            assert_eq!(parse(s).unwrap(), Some(d("2024-01-05")), "{s}");
        }
        assert_eq!(parse("令和元年5月1日").unwrap(), Some(d("2019-05-01")));
        assert_eq!(parse("平成31年4月30日").unwrap(), Some(d("2019-04-30")));
        assert_eq!(parse("S60.3.31").unwrap(), Some(d("1985-03-31")));
        assert_eq!(parse("  ").unwrap(), None);
    }

    #[test]
    fn impossible_dates_are_refused() {
        for s in [
            "2024年2月30日",
            "2023/02/29",
            "13/01/2024",
            "令和6年13月1日",
            "明日",
            "1",
            "R0.1.1",
        ] {
            assert!(parse(s).is_err(), "{s}");
        }
        assert_eq!(parse("令和1年4月1日").unwrap_err().key, "error.import_era");
    }
}
