//! The job board of the portal, seen from the alumni side: a quiet interest (こっそり興味あり) or an
//! application (応募) on an opening, a recommendation of someone else (紹介), the fit an alumnus asks to be
//! told about (求人アラート), and the filters of the board.

use crate::outlook::WorkStyle;
use crate::validation::{self as v, FieldErrors, Invalid};
use serde::{Deserialize, Serialize};

coded_enum!(
    /// What a response to an opening is.
    ResponseKind {
        /// こっそり興味あり: only the owner and HR see it; HR decides whether to start the comeback.
        Interest = "interest",
        /// 応募: starts the comeback at once.
        Application = "application",
    }
);

coded_enum!(
    /// Where a person came to an opening from.
    Via {
        Portal = "portal",
        Email = "email",
        Line = "line",
        Api = "api",
    }
);

impl Via {
    /// From a link's `via` parameter; anything else is the portal itself.
    pub fn from_param(s: &str) -> Self {
        match s {
            "email" => Self::Email,
            "line" => Self::Line,
            _ => Self::Portal,
        }
    }
}

coded_enum!(
    /// How well an opening has to fit before an alert tells of it.
    FitBand {
        /// とても合う: 70 points or more.
        High = "high",
        /// 合う: 50 or more.
        Good = "good",
        /// Every opening shown to the person.
        Any = "any",
    }
);

impl FitBand {
    pub fn threshold(self) -> f32 {
        match self {
            Self::High => 70.0,
            Self::Good => 50.0,
            Self::Any => 0.0,
        }
    }

    /// The band a score falls in (`Any` below 50).
    pub fn of(score: f32) -> Self {
        if score >= 70.0 {
            Self::High
        } else if score >= 50.0 {
            Self::Good
        } else {
            Self::Any
        }
    }
}

/// A quiet interest or an application, as the person writes it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ResponseInput {
    pub note: String,
    /// When they could start, in their words (「来年4月から」).
    pub available_from: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ResponseDraft {
    pub note: Option<String>,
    pub available_from: Option<String>,
}

impl ResponseInput {
    pub fn parse(&self) -> Result<ResponseDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let note = e.check("note", v::optional_text(&self.note, 400)).flatten();
        let available_from = e
            .check("available_from", v::optional_line(&self.available_from, 60))
            .flatten();
        e.into_result()?;
        Ok(ResponseDraft {
            note,
            available_from,
        })
    }
}

/// Someone an alumnus recommends for an opening.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReferralInput {
    pub name: String,
    pub email: String,
    pub phone: String,
    /// How they know each other (「前職の同僚」).
    pub relationship: String,
    /// A word about them for HR.
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReferralDraft {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub relationship: Option<String>,
    pub note: Option<String>,
}

impl ReferralInput {
    pub fn parse(&self) -> Result<ReferralDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let name = e.check("name", v::required_line(&self.name, 80));
        let email = if self.email.trim().is_empty() {
            None
        } else {
            e.check("email", v::email(&self.email))
        };
        let phone = e.check("phone", v::optional_phone(&self.phone)).flatten();
        if self.email.trim().is_empty() && self.phone.trim().is_empty() {
            e.add("email", Invalid::new("error.referral_contact"));
        }
        let relationship = e
            .check("relationship", v::optional_line(&self.relationship, 60))
            .flatten();
        let note = e
            .check("message", v::optional_text(&self.message, 1000))
            .flatten();
        e.into_result()?;
        Ok(ReferralDraft {
            name: name.unwrap_or_default(),
            email,
            phone,
            relationship,
            note,
        })
    }
}

/// The alert form: on or off, and the least fit worth a message.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AlertInput {
    pub on: String,
    pub min_fit: String,
}

impl AlertInput {
    /// `None` turns alerts off.
    pub fn parse(&self) -> Result<Option<FitBand>, FieldErrors> {
        if !matches!(self.on.as_str(), "on" | "true" | "1") {
            return Ok(None);
        }
        match FitBand::parse(self.min_fit.trim()) {
            Some(b) => Ok(Some(b)),
            None if self.min_fit.trim().is_empty() => Ok(Some(FitBand::Good)),
            None => {
                let mut e = FieldErrors::new();
                e.add("min_fit", Invalid::new("error.choice"));
                Err(e)
            }
        }
    }
}

/// The filters of the board, as the query string carries them; anything unreadable is ignored.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BoardFilter {
    pub work_style: String,
    /// At most this many days a week.
    pub days: String,
    pub department: String,
    pub place: String,
    /// `on`: only openings with some remote work.
    pub remote: String,
}

impl BoardFilter {
    pub fn work_style(&self) -> Option<WorkStyle> {
        WorkStyle::parse(self.work_style.trim())
    }

    pub fn max_days(&self) -> Option<i32> {
        v::half_width_digits(self.days.trim())
            .parse::<i32>()
            .ok()
            .filter(|d| (1..=5).contains(d))
    }

    pub fn remote_only(&self) -> bool {
        matches!(self.remote.as_str(), "on" | "true" | "1")
    }

    pub fn is_empty(&self) -> bool {
        self.work_style().is_none()
            && self.max_days().is_none()
            && self.department.trim().is_empty()
            && self.place.trim().is_empty()
            && !self.remote_only()
    }

    /// Whether an opening passes every filter given.
    pub fn admits(&self, o: &crate::Opening) -> bool {
        if let Some(w) = self.work_style()
            && o.work_style != w
        {
            return false;
        }
        if let Some(max) = self.max_days() {
            let days = match o.work_style {
                WorkStyle::FullTime => 5,
                _ => o.days_per_week.unwrap_or(5),
            };
            if days > max {
                return false;
            }
        }
        let same = |want: &str, have: &Option<String>| {
            let want = want.trim();
            want.is_empty() || have.as_deref() == Some(want)
        };
        if !same(&self.department, &o.department) || !same(&self.place, &o.place) {
            return false;
        }
        if self.remote_only() && o.remote.is_none_or(|r| r == crate::opening::Remote::Onsite) {
            return false;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_referral_needs_a_name_and_one_way_to_reach_them() {
        let none = ReferralInput {
            name: "山田 花子".into(),
            ..Default::default()
        }
        .parse()
        .unwrap_err();
        assert_eq!(none.get("email").unwrap().key, "error.referral_contact");
        let phone = ReferralInput {
            name: "山田 花子".into(),
            phone: "０９０-１２３４-５６７８".into(),
            ..Default::default()
        }
        .parse()
        .unwrap();
        assert!(phone.phone.is_some() && phone.email.is_none());
        let bad = ReferralInput {
            name: String::new(),
            email: "not an address".into(),
            ..Default::default()
        }
        .parse()
        .unwrap_err();
        assert!(bad.get("name").is_some() && bad.get("email").is_some());
    }

    #[test]
    fn bands_and_alert_choices() {
        assert_eq!(FitBand::of(71.0), FitBand::High);
        assert_eq!(FitBand::of(50.0), FitBand::Good);
        assert_eq!(FitBand::of(10.0), FitBand::Any);
        let off = AlertInput::default().parse().unwrap();
        assert_eq!(off, None);
        let on = AlertInput {
            on: "on".into(),
            min_fit: "high".into(),
        };
        assert_eq!(on.parse().unwrap(), Some(FitBand::High));
        let bad = AlertInput {
            on: "on".into(),
            min_fit: "<script>".into(),
        };
        assert!(bad.parse().is_err());
    }
}
