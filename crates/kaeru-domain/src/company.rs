//! A company: one tenant of a Kaeru install.

use crate::ids::CompanyId;
use crate::validation::{FieldErrors, Invalid, required_line};
use serde::{Deserialize, Serialize};

/// The languages the UI speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    Ja,
    En,
}

impl Language {
    pub const ALL: [Language; 2] = [Language::Ja, Language::En];

    pub fn code(self) -> &'static str {
        match self {
            Language::Ja => "ja",
            Language::En => "en",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "ja" => Some(Language::Ja),
            "en" => Some(Language::En),
            _ => None,
        }
    }
}

/// The short name of a company in URLs (`/c/{slug}`): lower-case letters, digits and hyphens.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slug(String);

impl Slug {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let s = input.trim().to_ascii_lowercase();
        if s.is_empty() {
            return Err(Invalid::new("error.required"));
        }
        let ok = (2..=40).contains(&s.len())
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !s.starts_with('-')
            && !s.ends_with('-');
        if ok {
            Ok(Self(s))
        } else {
            Err(Invalid::new("error.slug"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An IANA time zone name such as `Asia/Tokyo`; checked against the tz database by the caller that has it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeZoneName(pub String);

impl Default for TimeZoneName {
    fn default() -> Self {
        Self("Asia/Tokyo".into())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Company {
    pub id: CompanyId,
    pub slug: String,
    pub name: String,
    pub time_zone: String,
    pub default_language: Language,
}

/// The editable settings of a company, parsed from a form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompanySettings {
    pub name: String,
    pub time_zone: String,
    pub default_language: Language,
}

impl CompanySettings {
    /// `is_time_zone` says whether a name is a known time zone (the domain has no tz database).
    pub fn parse(
        name: &str,
        time_zone: &str,
        language: &str,
        is_time_zone: impl Fn(&str) -> bool,
    ) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = errors.check("name", required_line(name, 100));
        let tz = time_zone.trim();
        let time_zone = if tz.is_empty() {
            Some(TimeZoneName::default().0)
        } else if is_time_zone(tz) {
            Some(tz.to_string())
        } else {
            errors.add("time_zone", Invalid::new("error.time_zone"));
            None
        };
        let default_language = Language::parse(language);
        if default_language.is_none() {
            errors.add("default_language", Invalid::new("error.choice"));
        }
        match (name, time_zone, default_language) {
            (Some(name), Some(time_zone), Some(default_language)) if errors.is_empty() => {
                Ok(Self {
                    name,
                    time_zone,
                    default_language,
                })
            }
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_url_safe() {
        assert_eq!(
            Slug::parse(" Sakura-Seiki ").unwrap().as_str(),
            "sakura-seiki"
        );
        assert!(Slug::parse("さくら").is_err());
        assert!(Slug::parse("-x").is_err());
        assert!(Slug::parse("a").is_err());
    }

    #[test]
    fn settings_need_a_known_time_zone() {
        let known = |s: &str| s == "Asia/Tokyo";
        assert!(CompanySettings::parse("さくら精機", "Asia/Tokyo", "ja", known).is_ok());
        let err = CompanySettings::parse("", "Mars/Base", "xx", known).unwrap_err();
        assert!(
            err.get("name").is_some()
                && err.get("time_zone").is_some()
                && err.get("default_language").is_some()
        );
    }
}
