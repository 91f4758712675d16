//! Touchpoints (接点) with people, and the warmth of a relationship: it rises with each contact and fades
//! with time, shown as 温かい / ふつう / 疎遠 with the date of the last contact.

use crate::validation::{self as v, FieldErrors, Invalid};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

coded_enum!(
    /// How the contact happened.
    Channel {
        Drinks = "drinks",
        Chamber = "chamber",
        Line = "line",
        Facebook = "facebook",
        Phone = "phone",
        Email = "email",
        Event = "event",
        Chance = "chance",
    }
);

impl Channel {
    /// How much a contact of this kind warms the relationship: meeting in person counts most.
    pub fn weight(self) -> f64 {
        match self {
            Channel::Drinks => 1.5,
            Channel::Event => 1.3,
            Channel::Chamber | Channel::Phone | Channel::Chance => 1.0,
            Channel::Line | Channel::Email => 0.7,
            Channel::Facebook => 0.5,
        }
    }
}

/// A contact logged by someone of the company.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Touchpoint {
    pub id: crate::TouchpointId,
    pub person_id: crate::PersonId,
    pub on: NaiveDate,
    pub channel: Channel,
    /// Who from the company (a staff member's name, or someone else written in).
    pub by: String,
    pub note: Option<String>,
}

/// The touchpoint form, as typed (a few seconds on a phone: date defaults to today).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TouchpointInput {
    pub on: String,
    pub channel: String,
    pub by: String,
    pub note: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TouchpointDraft {
    pub on: NaiveDate,
    pub channel: Channel,
    pub by: String,
    pub note: Option<String>,
}

impl TouchpointInput {
    /// `staff_name` is used when "who" is left empty.
    pub fn parse(
        &self,
        today: NaiveDate,
        staff_name: &str,
    ) -> Result<TouchpointDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let on = match v::optional_date(&self.on) {
            Ok(Some(d)) if d > today => {
                e.add("on", Invalid::new("error.touchpoint_future"));
                None
            }
            Ok(Some(d)) if (today - d).num_days() > 366 * 30 => {
                e.add("on", Invalid::new("error.date_too_old"));
                None
            }
            Ok(Some(d)) => Some(d),
            Ok(None) => Some(today),
            Err(inv) => {
                e.add("on", inv);
                None
            }
        };
        let channel = match self.channel.trim() {
            "" => {
                e.add("channel", Invalid::new("error.required"));
                None
            }
            c => {
                let parsed = Channel::parse(c);
                if parsed.is_none() {
                    e.add("channel", Invalid::new("error.choice"));
                }
                parsed
            }
        };
        let by = e.check("by", v::optional_line(&self.by, 60)).flatten();
        let note = e
            .check("note", v::optional_text(&self.note, 1000))
            .flatten();
        if !e.is_empty() {
            return Err(e);
        }
        let (Some(on), Some(channel)) = (on, channel) else {
            return Err(e);
        };
        Ok(TouchpointDraft {
            on,
            channel,
            by: by.unwrap_or_else(|| staff_name.to_string()),
            note,
        })
    }
}

coded_enum!(
    /// 温かい / ふつう / 疎遠
    WarmthLabel {
        Warm = "warm",
        Normal = "normal",
        Distant = "distant",
    }
);

/// The warmth of a relationship on a day.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Warmth {
    pub score: f64,
    pub label: WarmthLabel,
    pub last_contact: Option<NaiveDate>,
}

/// Days after which a contact counts half.
pub const HALF_LIFE_DAYS: f64 = 120.0;
/// At or above: 温かい.
pub const WARM_AT: f64 = 1.5;
/// At or above: ふつう; below: 疎遠.
pub const NORMAL_AT: f64 = 0.4;

/// Each contact adds its channel's weight, halved every [`HALF_LIFE_DAYS`]. A last-contact date known without
/// a touchpoint (recorded on the person, or from the portal) counts as one ordinary contact.
pub fn warmth(
    contacts: &[(NaiveDate, Channel)],
    last_contact: Option<NaiveDate>,
    today: NaiveDate,
) -> Warmth {
    let fade = |d: NaiveDate| {
        let age = (today - d).num_days().max(0) as f64;
        0.5f64.powf(age / HALF_LIFE_DAYS)
    };
    let mut score: f64 = contacts.iter().map(|(d, c)| c.weight() * fade(*d)).sum();
    let latest_logged = contacts.iter().map(|(d, _)| *d).max();
    if let Some(l) = last_contact
        && !contacts.iter().any(|(d, _)| *d == l)
    {
        score += fade(l);
    }
    let last = latest_logged.max(last_contact);
    let label = if score >= WARM_AT {
        WarmthLabel::Warm
    } else if score >= NORMAL_AT {
        WarmthLabel::Normal
    } else {
        WarmthLabel::Distant
    };
    Warmth {
        score,
        label,
        last_contact: last,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn warmth_rises_with_contact_and_fades_with_time() {
        let today = d("2026-11-30");
        assert_eq!(warmth(&[], None, today).label, WarmthLabel::Distant);
        let old = [(d("2024-01-10"), Channel::Drinks)];
        assert_eq!(warmth(&old, None, today).label, WarmthLabel::Distant);
        let recent = [(d("2026-11-20"), Channel::Drinks)];
        let w = warmth(&recent, None, today);
        assert_eq!(w.label, WarmthLabel::Normal);
        let both = [
            (d("2026-11-20"), Channel::Drinks),
            (d("2026-11-29"), Channel::Line),
        ];
        let w2 = warmth(&both, None, today);
        assert_eq!(w2.label, WarmthLabel::Warm);
        assert!(w2.score > w.score);
        assert_eq!(w2.last_contact, Some(d("2026-11-29")));
        // The same contacts, a year on, have cooled.
        assert_eq!(
            warmth(&both, None, d("2027-11-30")).label,
            WarmthLabel::Distant
        );
        // A last contact known without a touchpoint still counts.
        let w3 = warmth(&[], Some(d("2026-11-25")), today);
        assert_eq!(
            (w3.label, w3.last_contact),
            (WarmthLabel::Normal, Some(d("2026-11-25")))
        );
    }

    #[test]
    fn a_touchpoint_needs_a_channel_and_cannot_be_in_the_future() {
        let today = d("2026-11-30");
        let ok = TouchpointInput {
            channel: "drinks".into(),
            ..Default::default()
        }
        .parse(today, "桜井")
        .unwrap();
        assert_eq!((ok.on, ok.by.as_str()), (today, "桜井"));
        let e = TouchpointInput {
            on: "2026-12-24".into(),
            ..Default::default()
        }
        .parse(today, "桜井")
        .unwrap_err();
        assert_eq!(e.get("on").unwrap().key, "error.touchpoint_future");
        assert_eq!(e.get("channel").unwrap().key, "error.required");
        let e = TouchpointInput {
            channel: "telepathy".into(),
            ..Default::default()
        }
        .parse(today, "桜井")
        .unwrap_err();
        assert_eq!(e.get("channel").unwrap().key, "error.choice");
    }
}
