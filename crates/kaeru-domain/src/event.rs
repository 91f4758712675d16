//! Gatherings (OB・OG会, 工場見学, 勉強会, 懇親会): the event as the company writes it, and each person's
//! reply (出欠) with companions, answers to the organiser's questions and a few lines of news (近況).
//! Capacity, waitlist and check-in are decided by the store under a lock; here are the rules that need no
//! database.

use crate::announcement::local_datetime;
use crate::validation::{self as v, FieldErrors, Invalid};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

coded_enum!(
    /// What kind of gathering.
    EventKind {
        /// OB・OG会
        Reunion = "reunion",
        /// 工場見学
        Tour = "tour",
        /// 勉強会
        Study = "study",
        /// 懇親会
        Social = "social",
    }
);

coded_enum!(
    /// 下書き → 受付中 → 受付終了 → 開催済み / 中止
    EventStatus {
        Draft = "draft",
        Published = "published",
        Closed = "closed",
        Held = "held",
        Cancelled = "cancelled",
    }
);

impl EventStatus {
    /// Replies are taken (the deadline is checked besides).
    pub fn takes_replies(self) -> bool {
        self == Self::Published
    }

    /// Invitations may go out.
    pub fn can_invite(self) -> bool {
        self == Self::Published
    }

    /// Nothing more happens to it.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Held | Self::Cancelled)
    }
}

coded_enum!(
    /// What a person answers.
    RsvpAnswer {
        /// 出席
        Attending = "attending",
        /// 欠席
        Declined = "declined",
        /// 未定
        Undecided = "undecided",
    }
);

coded_enum!(
    /// Where a person stands for an event.
    RsvpState {
        /// Invited, no reply yet (未回答).
        Invited = "invited",
        /// 出席: holds a place.
        Attending = "attending",
        /// キャンセル待ち: asked to come when the event was full.
        Waitlisted = "waitlisted",
        /// A freed place offered to someone waiting, until a time limit; holds the place meanwhile.
        Offered = "offered",
        /// 欠席
        Declined = "declined",
        /// 未定
        Undecided = "undecided",
        /// An offered place not taken in time.
        Lapsed = "lapsed",
    }
);

impl RsvpState {
    /// Holds places (counted against the capacity).
    pub fn holds_place(self) -> bool {
        matches!(self, Self::Attending | Self::Offered)
    }
}

/// The most companions anyone may bring.
pub const COMPANIONS_MAX: i32 = 5;
/// The most questions an event asks.
pub const QUESTIONS_MAX: usize = 5;
/// 近況: a few lines.
pub const NEWS_MAX: usize = 400;
/// The longest description, in characters.
pub const DESCRIPTION_MAX: usize = 10_000;

/// The event form, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EventInput {
    pub kind: String,
    pub title: String,
    pub description: String,
    /// `datetime-local` in the company's time zone.
    pub starts_at: String,
    pub ends_at: String,
    pub place: String,
    pub address: String,
    pub map_url: String,
    pub online_url: String,
    /// Empty: no limit.
    pub capacity: String,
    /// 会費 in yen; empty or 0: free.
    pub fee: String,
    pub reply_by: String,
    /// 0: no companions.
    pub max_companions: String,
    /// One question a line (e.g. 食事の配慮).
    pub questions: String,
    pub organiser: String,
    /// How long a freed place is held for the next on the waitlist.
    pub offer_hours: String,
}

/// A checked event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EventDraft {
    pub kind: EventKind,
    pub title: String,
    pub description: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub place: Option<String>,
    pub address: Option<String>,
    pub map_url: Option<String>,
    pub online_url: Option<String>,
    pub capacity: Option<i32>,
    pub fee: i64,
    pub reply_by: Option<DateTime<Utc>>,
    pub max_companions: i32,
    pub questions: Vec<String>,
    pub organiser: Option<String>,
    pub offer_hours: i32,
}

/// A whole number in `range`, full-width digits and commas read; empty is `None`.
fn optional_count(
    input: &str,
    range: std::ops::RangeInclusive<i64>,
) -> Result<Option<i64>, Invalid> {
    let s: String = v::half_width_digits(input)
        .chars()
        .filter(|c| !matches!(c, ',' | ' ' | '人' | '名' | '時' | '間'))
        .collect();
    if s.is_empty() {
        return Ok(None);
    }
    match s.parse::<i64>() {
        Ok(n) if range.contains(&n) => Ok(Some(n)),
        _ => Err(Invalid::new("error.number_range")
            .with("min", range.start())
            .with("max", v::group_digits(*range.end()))),
    }
}

impl EventInput {
    pub fn parse(&self, tz: chrono_tz::Tz) -> Result<EventDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let kind = if self.kind.trim().is_empty() {
            Some(EventKind::Reunion)
        } else {
            e.check(
                "kind",
                EventKind::parse(&self.kind).ok_or_else(|| Invalid::new("error.choice")),
            )
        };
        let title = e.check("title", v::required_line(&self.title, 100));
        let description = e
            .check(
                "description",
                v::optional_text(&self.description, DESCRIPTION_MAX),
            )
            .map(Option::unwrap_or_default);
        let starts_at = match local_datetime(&self.starts_at, tz) {
            Ok(Some(t)) => Some(t),
            Ok(None) => {
                e.add("starts_at", Invalid::new("error.required"));
                None
            }
            Err(i) => {
                e.add("starts_at", i);
                None
            }
        };
        let ends_at = match local_datetime(&self.ends_at, tz) {
            Ok(Some(t)) => Some(t),
            Ok(None) => {
                e.add("ends_at", Invalid::new("error.required"));
                None
            }
            Err(i) => {
                e.add("ends_at", i);
                None
            }
        };
        if let (Some(s), Some(end)) = (starts_at, ends_at)
            && end <= s
        {
            e.add("ends_at", Invalid::new("error.event_end_before_start"));
        }
        let place = e
            .check("place", v::optional_line(&self.place, 200))
            .flatten();
        let address = e
            .check("address", v::optional_line(&self.address, 200))
            .flatten();
        let map_url = e
            .check("map_url", v::optional_url(&self.map_url, &[]))
            .flatten();
        let online_url = e
            .check("online_url", v::optional_url(&self.online_url, &[]))
            .flatten();
        if place.is_none() && online_url.is_none() && e.get("place").is_none() {
            e.add("place", Invalid::new("error.event_place_or_online"));
        }
        let capacity = e
            .check("capacity", optional_count(&self.capacity, 1..=100_000))
            .flatten()
            .map(|n| n as i32);
        let fee = match optional_count(&self.fee.replace(['¥', '￥', '円'], ""), 0..=1_000_000) {
            Ok(n) => n.unwrap_or(0),
            Err(_) => {
                e.add(
                    "fee",
                    Invalid::new("error.number_range")
                        .with("min", 0)
                        .with("max", v::group_digits(1_000_000)),
                );
                0
            }
        };
        let reply_by = e
            .check("reply_by", local_datetime(&self.reply_by, tz))
            .flatten();
        if let (Some(r), Some(s)) = (reply_by, starts_at)
            && r > s
        {
            e.add("reply_by", Invalid::new("error.event_reply_after_start"));
        }
        let max_companions = e
            .check(
                "max_companions",
                optional_count(&self.max_companions, 0..=i64::from(COMPANIONS_MAX)),
            )
            .flatten()
            .unwrap_or(0) as i32;
        let mut questions = Vec::new();
        for line in self.questions.lines() {
            match v::optional_line(line, 100) {
                Ok(Some(q)) => questions.push(q),
                Ok(None) => {}
                Err(i) => e.add("questions", i),
            }
        }
        if questions.len() > QUESTIONS_MAX {
            e.add(
                "questions",
                Invalid::new("error.event_questions_max").with("max", QUESTIONS_MAX),
            );
        }
        let organiser = e
            .check("organiser", v::optional_line(&self.organiser, 100))
            .flatten();
        let offer_hours = e
            .check("offer_hours", optional_count(&self.offer_hours, 1..=336))
            .flatten()
            .unwrap_or(48) as i32;
        e.into_result()?;
        match (kind, title, description, starts_at, ends_at) {
            (Some(kind), Some(title), Some(description), Some(starts_at), Some(ends_at)) => {
                Ok(EventDraft {
                    kind,
                    title,
                    description,
                    starts_at,
                    ends_at,
                    place,
                    address,
                    map_url,
                    online_url,
                    capacity,
                    fee,
                    reply_by,
                    max_companions,
                    questions,
                    organiser,
                    offer_hours,
                })
            }
            _ => Err(FieldErrors::new()),
        }
    }
}

impl EventDraft {
    /// What an attendee's calendar holds changed (time, place, title): they are sent the updated file.
    pub fn calendar_differs(&self, other: &EventDraft) -> bool {
        self.title != other.title
            || self.starts_at != other.starts_at
            || self.ends_at != other.ends_at
            || self.place != other.place
            || self.address != other.address
            || self.online_url != other.online_url
    }
}

/// A reply, as typed (the public page, the portal, HR on the phone, the API).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RsvpInput {
    pub answer: String,
    pub companions: String,
    /// One answer per question, in order.
    #[serde(deserialize_with = "v::one_or_many")]
    pub answers: Vec<String>,
    pub news: String,
    /// 近況 may go into the しおり given to attendees.
    pub news_consent: String,
    /// The person confirms that the contacts below replace those on file (名簿 kept current).
    pub update_contacts: String,
    pub email: String,
    pub phone: String,
    pub employer: String,
}

/// New contacts to keep on file, confirmed by the person.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ContactUpdate {
    pub email: Option<String>,
    pub phone: Option<String>,
    pub employer: Option<String>,
}

impl ContactUpdate {
    pub fn is_empty(&self) -> bool {
        self.email.is_none() && self.phone.is_none() && self.employer.is_none()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RsvpDraft {
    pub answer: RsvpAnswer,
    pub companions: i32,
    pub answers: Vec<String>,
    pub news: Option<String>,
    pub news_consent: bool,
    pub contacts: Option<ContactUpdate>,
}

fn checked(s: &str) -> bool {
    matches!(s.trim(), "on" | "true" | "1" | "yes")
}

impl RsvpInput {
    /// Checks a reply against what the event allows (companions, the number of questions).
    pub fn parse(&self, max_companions: i32, questions: usize) -> Result<RsvpDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let answer = e.check(
            "answer",
            RsvpAnswer::parse(&self.answer).ok_or_else(|| Invalid::new("error.rsvp_answer")),
        );
        let companions = match optional_count(&self.companions, 0..=i64::from(COMPANIONS_MAX)) {
            Ok(n) => n.unwrap_or(0) as i32,
            Err(i) => {
                e.add("companions", i);
                0
            }
        };
        if companions > max_companions {
            e.add(
                "companions",
                if max_companions == 0 {
                    Invalid::new("error.rsvp_no_companions")
                } else {
                    Invalid::new("error.rsvp_companions_max").with("max", max_companions)
                },
            );
        }
        let mut answers = Vec::with_capacity(questions);
        for i in 0..questions {
            let a = self.answers.get(i).map(String::as_str).unwrap_or("");
            match v::optional_text(a, 200) {
                Ok(a) => answers.push(a.unwrap_or_default()),
                Err(inv) => {
                    e.add("answers", inv);
                    answers.push(String::new());
                }
            }
        }
        let news = e
            .check("news", v::optional_text(&self.news, NEWS_MAX))
            .flatten();
        let contacts = if checked(&self.update_contacts) {
            let email = if self.email.trim().is_empty() {
                None
            } else {
                e.check("email", v::email(&self.email))
            };
            let phone = e.check("phone", v::optional_phone(&self.phone)).flatten();
            let employer = e
                .check("employer", v::optional_line(&self.employer, 100))
                .flatten();
            let c = ContactUpdate {
                email,
                phone,
                employer,
            };
            if c.is_empty() && e.get("email").is_none() && e.get("phone").is_none() {
                e.add("update_contacts", Invalid::new("error.rsvp_contacts_empty"));
            }
            Some(c)
        } else {
            None
        };
        e.into_result()?;
        let answer = answer.ok_or_else(FieldErrors::new)?;
        let attending = answer == RsvpAnswer::Attending;
        Ok(RsvpDraft {
            answer,
            companions: if attending { companions } else { 0 },
            answers,
            news,
            news_consent: checked(&self.news_consent),
            contacts,
        })
    }
}

/// A walk-in added at the door: a known person (`person` set) or a guest by name.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct WalkInInput {
    pub person: String,
    pub name: String,
    pub reading: String,
    pub companions: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum WalkIn {
    Person(crate::PersonId, i32),
    Guest {
        name: String,
        reading: Option<String>,
        companions: i32,
    },
}

impl WalkInInput {
    pub fn parse(&self) -> Result<WalkIn, FieldErrors> {
        let mut e = FieldErrors::new();
        let companions = e
            .check(
                "companions",
                optional_count(&self.companions, 0..=i64::from(COMPANIONS_MAX)),
            )
            .flatten()
            .unwrap_or(0) as i32;
        if !self.person.trim().is_empty() {
            let id = e.check(
                "person",
                self.person
                    .trim()
                    .parse()
                    .map_err(|_| Invalid::new("error.choice")),
            );
            e.into_result()?;
            return id
                .map(|id| WalkIn::Person(id, companions))
                .ok_or_else(FieldErrors::new);
        }
        let name = e.check("name", v::required_line(&self.name, 100));
        let reading = e
            .check("reading", v::optional_line(&self.reading, 100))
            .flatten();
        e.into_result()?;
        Ok(WalkIn::Guest {
            name: name.unwrap_or_default(),
            reading,
            companions,
        })
    }
}

/// The key that sorts names in 五十音順: the reading folded to hiragana, else the name.
pub fn gojuon_key(reading: Option<&str>, name: &str) -> String {
    let base = reading.filter(|r| !r.trim().is_empty()).unwrap_or(name);
    base.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c as u32 {
            0x30A1..=0x30F6 => char::from_u32(c as u32 - 0x60).unwrap_or(c),
            _ => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> EventInput {
        EventInput {
            title: "OB・OG会 2027".into(),
            starts_at: "2027-01-15T18:30".into(),
            ends_at: "2027-01-15T21:00".into(),
            place: "割烹 かえる".into(),
            capacity: "３０".into(),
            fee: "5,000円".into(),
            reply_by: "2027-01-08T23:59".into(),
            max_companions: "1".into(),
            questions: "食事の配慮\n\n駐車場の利用".into(),
            ..Default::default()
        }
    }

    #[test]
    fn an_event_reads_full_width_digits_and_yen() {
        let d = input().parse(chrono_tz::Asia::Tokyo).unwrap();
        assert_eq!(d.capacity, Some(30));
        assert_eq!(d.fee, 5000);
        assert_eq!(d.questions, vec!["食事の配慮", "駐車場の利用"]);
        assert_eq!(d.offer_hours, 48);
        assert_eq!(d.starts_at.to_rfc3339(), "2027-01-15T09:30:00+00:00");
    }

    #[test]
    fn an_end_before_the_start_and_a_deadline_after_it_are_refused() {
        let mut i = input();
        i.ends_at = "2027-01-15T17:00".into();
        i.reply_by = "2027-01-16T00:00".into();
        let e = i.parse(chrono_tz::Asia::Tokyo).unwrap_err();
        assert_eq!(
            e.get("ends_at").unwrap().key,
            "error.event_end_before_start"
        );
        assert_eq!(
            e.get("reply_by").unwrap().key,
            "error.event_reply_after_start"
        );
    }

    #[test]
    fn a_place_or_an_online_address_is_needed() {
        let mut i = input();
        i.place.clear();
        let e = i.parse(chrono_tz::Asia::Tokyo).unwrap_err();
        assert_eq!(e.get("place").unwrap().key, "error.event_place_or_online");
        i.online_url = "https://meet.example/abc".into();
        assert!(i.parse(chrono_tz::Asia::Tokyo).is_ok());
    }

    #[test]
    fn companions_beyond_what_the_event_allows_are_refused() {
        let r = RsvpInput {
            answer: "attending".into(),
            companions: "1".into(),
            ..Default::default()
        };
        assert_eq!(
            r.parse(0, 0).unwrap_err().get("companions").unwrap().key,
            "error.rsvp_no_companions"
        );
        assert_eq!(r.parse(1, 0).unwrap().companions, 1);
        let declined = RsvpInput {
            answer: "declined".into(),
            companions: "1".into(),
            ..Default::default()
        };
        assert_eq!(declined.parse(1, 0).unwrap().companions, 0);
    }

    #[test]
    fn answers_follow_the_questions_and_news_is_bounded() {
        let r = RsvpInput {
            answer: "attending".into(),
            answers: vec!["卵アレルギー".into()],
            news: "𠮷田です。".repeat(100),
            ..Default::default()
        };
        let e = r.parse(0, 2).unwrap_err();
        assert_eq!(e.get("news").unwrap().key, "error.too_long");
        let ok = RsvpInput {
            news: "独立して3年になります。".into(),
            ..r
        }
        .parse(0, 2)
        .unwrap();
        assert_eq!(ok.answers, vec!["卵アレルギー".to_string(), String::new()]);
    }

    #[test]
    fn confirmed_contacts_are_checked() {
        let r = RsvpInput {
            answer: "declined".into(),
            update_contacts: "on".into(),
            email: "not-an-address".into(),
            ..Default::default()
        };
        assert!(r.parse(0, 0).unwrap_err().get("email").is_some());
        let empty = RsvpInput {
            answer: "declined".into(),
            update_contacts: "on".into(),
            ..Default::default()
        };
        assert_eq!(
            empty
                .parse(0, 0)
                .unwrap_err()
                .get("update_contacts")
                .unwrap()
                .key,
            "error.rsvp_contacts_empty"
        );
    }

    #[test]
    fn gojuon_key_folds_katakana() {
        assert_eq!(
            gojuon_key(Some("ヤマダ ハナコ"), "山田花子"),
            "やまだはなこ"
        );
        assert_eq!(gojuon_key(None, "Smith"), "Smith");
    }
}
