//! What former employees type themselves: the registration on the public page and their certifications
//! and degrees, checked.

use crate::person::Kana;
use crate::validation::EmailAddress;
use crate::validation::{self as v, FieldErrors, Invalid};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The registration form of the public page, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RegistrationInput {
    pub family_name: String,
    pub given_name: String,
    pub family_kana: String,
    pub given_kana: String,
    pub email: String,
    pub phone: String,
    pub birth_date: String,
    pub period: String,
    pub department: String,
    pub message: String,
    /// The privacy notice was read and accepted.
    pub agree: String,
    /// A field people do not see; bots fill it in.
    pub website: String,
}

/// A checked registration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegistrationDraft {
    pub family_name: String,
    pub given_name: String,
    pub family_kana: Kana,
    pub given_kana: Kana,
    pub email: EmailAddress,
    pub phone: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub period: Option<String>,
    pub department: Option<String>,
    pub message: Option<String>,
}

impl RegistrationInput {
    /// True when the hidden field was filled in (a bot).
    pub fn is_spam(&self) -> bool {
        !self.website.trim().is_empty()
    }

    pub fn parse(&self, today: NaiveDate) -> Result<RegistrationDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let family_name = e.check("family_name", v::required_line(&self.family_name, 40));
        let given_name = e.check("given_name", v::required_line(&self.given_name, 40));
        let family_kana = e.check("family_kana", Kana::parse(&self.family_kana, 40));
        let given_kana = e.check("given_kana", Kana::parse(&self.given_kana, 40));
        let email = e.check("email", EmailAddress::parse(&self.email));
        let phone = e.check("phone", v::optional_phone(&self.phone));
        let birth_date = e.check("birth_date", v::optional_date(&self.birth_date));
        if let Some(Some(b)) = birth_date
            && b > today
        {
            e.add("birth_date", Invalid::new("error.date_future"));
        }
        let period = e.check("period", v::optional_line(&self.period, 40));
        let department = e.check("department", v::optional_line(&self.department, 80));
        let message = e.check("message", v::optional_text(&self.message, 2000));
        if self.agree.trim().is_empty() {
            e.add("agree", Invalid::new("error.agree_required"));
        }
        if !e.is_empty() {
            return Err(e);
        }
        let (Some(family_name), Some(given_name), Some(family_kana), Some(given_kana), Some(email)) =
            (family_name, given_name, family_kana, given_kana, email)
        else {
            return Err(e);
        };
        Ok(RegistrationDraft {
            family_name,
            given_name,
            family_kana,
            given_kana,
            email,
            phone: phone.flatten(),
            birth_date: birth_date.flatten(),
            period: period.flatten(),
            department: department.flatten(),
            message: message.flatten(),
        })
    }
}

/// A certification or degree, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct QualificationInput {
    /// `certification` or `degree`
    pub kind: String,
    pub name: String,
    pub issuer: String,
    pub obtained_on: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QualificationDraft {
    pub kind: &'static str,
    pub name: String,
    pub issuer: Option<String>,
    pub obtained_on: Option<NaiveDate>,
}

pub const QUALIFICATION_KINDS: [&str; 2] = ["certification", "degree"];

impl QualificationInput {
    pub fn parse(&self, today: NaiveDate) -> Result<QualificationDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let kind = QUALIFICATION_KINDS
            .iter()
            .find(|k| **k == self.kind.trim())
            .copied();
        if kind.is_none() {
            e.add("kind", Invalid::new("error.choice"));
        }
        let name = e.check("name", v::required_line(&self.name, 100));
        let issuer = e.check("issuer", v::optional_line(&self.issuer, 100));
        let obtained_on = e.check("obtained_on", v::optional_date(&self.obtained_on));
        if let Some(Some(d)) = obtained_on
            && d > today
        {
            e.add("obtained_on", Invalid::new("error.date_future"));
        }
        if !e.is_empty() {
            return Err(e);
        }
        let (Some(kind), Some(name)) = (kind, name) else {
            return Err(e);
        };
        Ok(QualificationDraft {
            kind,
            name,
            issuer: issuer.flatten(),
            obtained_on: obtained_on.flatten(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
    }

    fn valid() -> RegistrationInput {
        RegistrationInput {
            family_name: "山田".into(),
            given_name: "花子".into(),
            family_kana: "やまだ".into(),
            given_kana: "はなこ".into(),
            email: "Hanako@Example.JP".into(),
            agree: "yes".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_registration_needs_names_readings_an_address_and_agreement() {
        let d = valid().parse(today()).unwrap();
        assert_eq!(d.email.as_str(), "hanako@example.jp");
        let e = RegistrationInput::default().parse(today()).unwrap_err();
        for f in [
            "family_name",
            "given_name",
            "family_kana",
            "given_kana",
            "email",
            "agree",
        ] {
            assert!(e.get(f).is_some(), "{f}");
        }
        let bad = RegistrationInput {
            family_kana: "Yamada".into(),
            email: "not-an-address".into(),
            birth_date: "2030-01-01".into(),
            ..valid()
        };
        let e = bad.parse(today()).unwrap_err();
        assert_eq!(e.get("family_kana").unwrap().key, "error.kana");
        assert_eq!(e.get("email").unwrap().key, "error.email");
        assert_eq!(e.get("birth_date").unwrap().key, "error.date_future");
    }

    #[test]
    fn the_hidden_field_marks_a_bot() {
        assert!(!valid().is_spam());
        assert!(
            RegistrationInput {
                website: "http://spam.example".into(),
                ..valid()
            }
            .is_spam()
        );
    }

    #[test]
    fn a_qualification_has_a_kind_and_a_name() {
        let q = QualificationInput {
            kind: "certification".into(),
            name: "基本情報技術者".into(),
            obtained_on: "2024/04/01".into(),
            ..Default::default()
        }
        .parse(today())
        .unwrap();
        assert_eq!(q.kind, "certification");
        let e = QualificationInput {
            kind: "wizard".into(),
            ..Default::default()
        }
        .parse(today())
        .unwrap_err();
        assert!(e.get("kind").is_some() && e.get("name").is_some());
    }
}
