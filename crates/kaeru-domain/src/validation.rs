//! Field-level validation results. Messages are keys into the UI's translation catalogues,
//! so the domain never chooses a language.

use std::collections::BTreeMap;

/// One problem with one field: a message key (e.g. `error.required`) and optional arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invalid {
    pub key: &'static str,
    pub args: Vec<(&'static str, String)>,
}

impl Invalid {
    pub fn new(key: &'static str) -> Self {
        Self {
            key,
            args: Vec::new(),
        }
    }

    pub fn with(mut self, name: &'static str, value: impl ToString) -> Self {
        self.args.push((name, value.to_string()));
        self
    }
}

/// Problems per form field, in field order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldErrors(pub BTreeMap<&'static str, Invalid>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: &'static str, problem: Invalid) {
        self.0.entry(field).or_insert(problem);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, field: &str) -> Option<&Invalid> {
        self.0.get(field)
    }

    /// Collects the outcome of a parse into `self`, returning the value if it was valid.
    pub fn check<T>(&mut self, field: &'static str, result: Result<T, Invalid>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.add(field, e);
                None
            }
        }
    }

    pub fn into_result(self) -> Result<(), FieldErrors> {
        if self.is_empty() { Ok(()) } else { Err(self) }
    }
}

/// Trims the input and checks its length in characters; empty input is `None`.
pub fn optional_text(input: &str, max_chars: usize) -> Result<Option<String>, Invalid> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    let count = trimmed.chars().count();
    if count > max_chars {
        return Err(Invalid::new("error.too_long").with("max", max_chars));
    }
    if trimmed
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(Invalid::new("error.control_chars"));
    }
    // Direction overrides and isolates make a name display as something else (「太郎」 shown reversed,
    // a file name that hides its extension); no Japanese or English text needs them.
    if trimmed.chars().any(is_bidi_control) {
        return Err(Invalid::new("error.bidi_chars"));
    }
    Ok(Some(trimmed.to_string()))
}

/// Like [`optional_text`] but the value is required.
pub fn required_text(input: &str, max_chars: usize) -> Result<String, Invalid> {
    optional_text(input, max_chars)?.ok_or_else(|| Invalid::new("error.required"))
}

/// Single-line text: no line breaks.
pub fn optional_line(input: &str, max_chars: usize) -> Result<Option<String>, Invalid> {
    let v = optional_text(input, max_chars)?;
    if v.as_deref().is_some_and(|s| s.contains(['\n', '\r'])) {
        return Err(Invalid::new("error.single_line"));
    }
    Ok(v)
}

pub fn required_line(input: &str, max_chars: usize) -> Result<String, Invalid> {
    optional_line(input, max_chars)?.ok_or_else(|| Invalid::new("error.required"))
}

/// Declares text that only its parser makes (plus `from_checked` for a value read back): read as `&str`
/// (`Deref`, `AsRef`, `Display`), given up as `String`, compared with `str`.
macro_rules! checked_text {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// A value checked before and read back (from the database, or a draft already parsed).
            pub fn from_checked(text: String) -> Self {
                Self(text)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl std::ops::Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<$name> for String {
            fn from(t: $name) -> Self {
                t.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }
    };
}
pub(crate) use checked_text;

checked_text!(
    /// A checked e-mail address (one `@`, a dotted domain, ASCII, no spaces), lower-cased. Only
    /// [`EmailAddress::parse`] makes one, so a draft holding one holds an address that passed the rules.
    EmailAddress
);

impl EmailAddress {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        email(input).map(Self)
    }
}

/// An e-mail address: one `@`, a dotted domain, no spaces; stored lower-cased.
pub fn email(input: &str) -> Result<String, Invalid> {
    let s = input.trim();
    let bad = || Invalid::new("error.email");
    if s.is_empty() {
        return Err(Invalid::new("error.required"));
    }
    if s.chars().count() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad());
    }
    let (local, domain) = s.rsplit_once('@').ok_or_else(bad)?;
    if local.is_empty()
        || local.contains('@')
        || !domain.contains('.')
        || domain.starts_with('.')
        || domain.ends_with('.')
    {
        return Err(bad());
    }
    if !s.is_ascii() {
        return Err(bad());
    }
    Ok(s.to_ascii_lowercase())
}

/// An http(s) URL, optionally limited to certain hosts (e.g. facebook.com).
pub fn optional_url(input: &str, hosts: &[&str]) -> Result<Option<String>, Invalid> {
    let s = input.trim();
    if s.is_empty() {
        return Ok(None);
    }
    if s.chars().count() > 500 {
        return Err(Invalid::new("error.too_long").with("max", 500));
    }
    let parsed = url::Url::parse(s).map_err(|_| Invalid::new("error.url"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(Invalid::new("error.url"));
    }
    let host = parsed
        .host_str()
        .ok_or_else(|| Invalid::new("error.url"))?
        .to_ascii_lowercase();
    if !hosts.is_empty()
        && !hosts
            .iter()
            .any(|h| host == *h || host.ends_with(&format!(".{h}")))
    {
        return Err(Invalid::new("error.url_host").with("host", hosts[0]));
    }
    Ok(Some(parsed.to_string()))
}

/// A phone number: digits with optional + - ( ) and spaces; full-width digits accepted.
/// An amount in yen: digits with optional commas, ¥ or 円, full-width digits accepted; 1 to `max`.
pub fn optional_yen(input: &str, max: i64) -> Result<Option<i64>, Invalid> {
    let cleaned: String = input
        .trim()
        .chars()
        .filter(|c| !matches!(c, ',' | '，' | '¥' | '￥' | '円' | ' ' | '　'))
        .map(|c| {
            if ('０'..='９').contains(&c) {
                char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
            } else {
                c
            }
        })
        .collect();
    if cleaned.is_empty() {
        return Ok(None);
    }
    match cleaned.parse::<i64>() {
        Ok(n) if (1..=max).contains(&n) => Ok(Some(n)),
        _ => Err(Invalid::new("error.yen_range").with("max", group_digits(max))),
    }
}

/// 1234567 → "1,234,567".
pub fn group_digits(n: i64) -> String {
    let s = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// An amount of yen as written in Japan: `¥1,200,000` (`-¥5,000` below zero).
pub fn yen(amount: i64) -> String {
    let sign = if amount < 0 { "-" } else { "" };
    format!(
        "{sign}¥{}",
        group_digits(amount.unsigned_abs().min(i64::MAX as u64) as i64)
    )
}

/// Full-width digits (０–９) as ASCII digits; everything else as typed.
pub fn half_width_digits(input: &str) -> String {
    input
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            c => c,
        })
        .collect()
}

pub fn optional_phone(input: &str) -> Result<Option<String>, Invalid> {
    let s: String = input
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '－' | 'ー' | '‐' | '−' => '-',
            '＋' => '+',
            '（' => '(',
            '）' => ')',
            '　' => ' ',
            _ => c,
        })
        .collect();
    if s.is_empty() {
        return Ok(None);
    }
    let digits = s.chars().filter(char::is_ascii_digit).count();
    if s.chars().count() > 30
        || digits < 6
        || !s.chars().all(|c| c.is_ascii_digit() || "+-() ".contains(c))
    {
        return Err(Invalid::new("error.phone"));
    }
    Ok(Some(s))
}

/// U+202A–U+202E (embeddings and overrides) and U+2066–U+2069 (isolates).
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The years a date in Kaeru may fall in; a date outside says so (not "wrong format").
pub const DATE_YEARS: std::ops::RangeInclusive<i32> = 1900..=2100;

/// A date typed in a form: `YYYY-MM-DD` (the date input) or `YYYY/MM/DD`.
pub fn optional_date(input: &str) -> Result<Option<chrono::NaiveDate>, Invalid> {
    let s = input.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let normalised = s.replace('/', "-");
    let d = chrono::NaiveDate::parse_from_str(&normalised, "%Y-%m-%d")
        .map_err(|_| Invalid::new("error.date"))?;
    if !DATE_YEARS.contains(&chrono::Datelike::year(&d)) {
        return Err(Invalid::new("error.date_range")
            .with("from", format!("{}/01/01", DATE_YEARS.start()))
            .with("to", format!("{}/12/31", DATE_YEARS.end())));
    }
    Ok(Some(d))
}

pub fn required_date(input: &str) -> Result<chrono::NaiveDate, Invalid> {
    optional_date(input)?.ok_or_else(|| Invalid::new("error.required"))
}

/// Deserializes a form field that may appear once or several times (check boxes) into a list.
pub fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    struct V;
    impl<'de> serde::de::Visitor<'de> for V {
        type Value = Vec<String>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a string or a list of strings")
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(vec![v.to_string()])
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut seq: A,
        ) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(v) = seq.next_element::<String>()? {
                out.push(v);
            }
            Ok(out)
        }
    }
    d.deserialize_any(V)
}

#[cfg(test)]
mod tests {
    #[test]
    fn direction_overrides_are_refused_and_far_dates_name_the_range() {
        assert_eq!(
            required_line("山田\u{202E}txt.exe", 50).unwrap_err().key,
            "error.bidi_chars"
        );
        assert_eq!(
            required_line("\u{2066}太郎\u{2069}", 50).unwrap_err().key,
            "error.bidi_chars"
        );
        assert!(required_line("𠮷田 髙橋 﨑", 50).is_ok());
        let e = optional_date("9999-12-31").unwrap_err();
        assert_eq!(e.key, "error.date_range");
        assert!(e.args.iter().any(|(k, v)| *k == "to" && v == "2100/12/31"));
        assert_eq!(
            optional_date("2999/03/31").unwrap_err().key,
            "error.date_range"
        );
        assert_eq!(optional_date("2026/02/30").unwrap_err().key, "error.date");
        assert!(optional_date("2100/12/31").is_ok());
    }

    use super::*;

    #[test]
    fn email_is_checked_and_lowercased() {
        assert_eq!(email(" Taro@Example.JP ").unwrap(), "taro@example.jp");
        assert!(email("taro@").is_err());
        assert!(email("taro example.jp").is_err());
        assert!(email("たろう@example.jp").is_err());
        assert_eq!(email("").unwrap_err().key, "error.required");
    }

    #[test]
    fn urls_must_be_http_and_on_the_right_host() {
        assert!(
            optional_url("https://www.facebook.com/taro", &["facebook.com"])
                .unwrap()
                .is_some()
        );
        assert_eq!(
            optional_url("javascript:alert(1)", &[]).unwrap_err().key,
            "error.url"
        );
        assert_eq!(
            optional_url("https://evil.example/x", &["linkedin.com"])
                .unwrap_err()
                .key,
            "error.url_host"
        );
        assert_eq!(optional_url("  ", &[]).unwrap(), None);
    }

    #[test]
    fn text_limits_count_characters_not_bytes() {
        assert!(required_line(&"山".repeat(50), 50).is_ok());
        assert_eq!(
            required_line(&"山".repeat(51), 50).unwrap_err().key,
            "error.too_long"
        );
        assert_eq!(
            required_line("a\nb", 50).unwrap_err().key,
            "error.single_line"
        );
    }

    #[test]
    fn phones_accept_full_width_digits() {
        assert_eq!(
            optional_phone("０９０－１２３４－５６７８")
                .unwrap()
                .unwrap(),
            "090-1234-5678"
        );
        assert!(optional_phone("call me").is_err());
    }

    #[test]
    fn dates_accept_both_separators_and_refuse_impossible_days() {
        assert!(optional_date("2024/01/05").unwrap().is_some());
        assert!(optional_date("2024-02-30").is_err());
        assert!(optional_date("0001-01-01").is_err());
    }
}
