//! Announcements (お知らせ, 社内報, 求人のご案内) sent to a segment of people, each by the channel they read,
//! and the segments themselves: saved queries over the company's people.

use crate::ids::SkillId;
use crate::outlook::ReturnIntent;
use crate::person::{PREFECTURES, PersonStatus};
use crate::stint::{LeaveReason, RehireEligibility};
use crate::touchpoint::WarmthLabel;
use crate::validation::{self as v, FieldErrors, Invalid};
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

coded_enum!(
    /// What an announcement is.
    AnnouncementKind {
        /// お知らせ
        Notice = "notice",
        /// 社内報
        Newsletter = "newsletter",
        /// 求人のご案内
        Openings = "openings",
        /// イベントのご案内: invites to an event; each recipient's link opens their reply.
        Invitation = "invitation",
    }
);

coded_enum!(
    /// 下書き → 予約済み → 送信中 → 送信済み / 一時停止 / 取り消し
    AnnouncementStatus {
        Draft = "draft",
        Scheduled = "scheduled",
        Sending = "sending",
        Sent = "sent",
        Paused = "paused",
        Cancelled = "cancelled",
    }
);

impl AnnouncementStatus {
    /// The text may still be changed.
    pub fn is_editable(self) -> bool {
        matches!(self, Self::Draft | Self::Scheduled)
    }
}

coded_enum!(
    /// How a message reaches a person.
    DeliveryChannel {
        Email = "email",
        Line = "line",
    }
);

coded_enum!(
    /// The company's choice: each person's own channel, or one for everybody.
    ChannelPolicy {
        /// LINE for those linked, else e-mail.
        Auto = "auto",
        Email = "email",
        Line = "line",
    }
);

impl ChannelPolicy {
    /// The channel for a person with these ways of reaching them, if any.
    pub fn pick(self, has_line: bool, has_email: bool) -> Option<DeliveryChannel> {
        match self {
            Self::Auto if has_line => Some(DeliveryChannel::Line),
            Self::Auto | Self::Email if has_email => Some(DeliveryChannel::Email),
            Self::Line if has_line => Some(DeliveryChannel::Line),
            _ => None,
        }
    }
}

coded_enum!(
    /// One recipient's delivery.
    DeliveryStatus {
        Queued = "queued",
        Sent = "sent",
        Failed = "failed",
        Bounced = "bounced",
        Unsubscribed = "unsubscribed",
        /// Consent was withdrawn (or contact stopped) between queueing and sending.
        Refused = "refused",
    }
);

coded_enum!(
    /// Why someone in a segment is not sent the announcement.
    LeftOut {
        /// 利用停止: the person stopped all contact.
        ContactStopped = "contact_stopped",
        /// The person said no to (or withdrew) this purpose.
        Withdrawn = "withdrawn",
        /// The person has not consented to this purpose (never asked, or an older version).
        NoConsent = "no_consent",
        /// Neither an e-mail address nor a linked LINE account (for the company's channel).
        NoAddress = "no_address",
        /// The only address bounced.
        Bounced = "bounced",
    }
);

/// A segment's query. Every part left empty matches everyone; parts are combined with AND, the values
/// inside one part with OR.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SegmentFilter {
    pub statuses: Vec<PersonStatus>,
    /// Left (a stint ended) in this year or later.
    pub left_from: Option<i32>,
    /// Left in this year or earlier.
    pub left_to: Option<i32>,
    pub departments: Vec<String>,
    pub leave_reasons: Vec<LeaveReason>,
    pub rehire: Vec<RehireEligibility>,
    pub intents: Vec<ReturnIntent>,
    /// A skill held at this level or above; several are all required.
    pub skills: Vec<(SkillId, u8)>,
    pub prefectures: Vec<String>,
    pub warmth: Vec<WarmthLabel>,
    /// Holds a return offer that is issued or confirmed and in its window.
    pub offer_active: Option<bool>,
    /// Came to an event (received at the door) held in this year or later.
    pub attended_from: Option<i32>,
}

impl SegmentFilter {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// A segment's form, as typed: lists from check boxes, the rest as text.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct SegmentInput {
    pub name: String,
    #[serde(deserialize_with = "v::one_or_many")]
    pub statuses: Vec<String>,
    pub left_from: String,
    pub left_to: String,
    pub departments: String,
    #[serde(deserialize_with = "v::one_or_many")]
    pub leave_reasons: Vec<String>,
    #[serde(deserialize_with = "v::one_or_many")]
    pub rehire: Vec<String>,
    #[serde(deserialize_with = "v::one_or_many")]
    pub intents: Vec<String>,
    pub skill: String,
    pub skill_level: String,
    #[serde(deserialize_with = "v::one_or_many")]
    pub prefectures: Vec<String>,
    #[serde(deserialize_with = "v::one_or_many")]
    pub warmth: Vec<String>,
    pub offer_active: String,
    pub attended_from: String,
}

fn codes<T>(
    e: &mut FieldErrors,
    field: &'static str,
    input: &[String],
    parse: impl Fn(&str) -> Option<T>,
) -> Vec<T> {
    let mut out = Vec::new();
    for s in input.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        match parse(s) {
            Some(x) => out.push(x),
            None => e.add(field, Invalid::new("error.choice")),
        }
    }
    out
}

fn year(input: &str) -> Result<Option<i32>, Invalid> {
    let s = v::half_width_digits(input.trim());
    if s.is_empty() {
        return Ok(None);
    }
    match s.parse::<i32>() {
        Ok(y) if (1900..=2200).contains(&y) => Ok(Some(y)),
        _ => Err(Invalid::new("error.year")),
    }
}

impl SegmentInput {
    /// The input of a saved filter, to show it in the form again.
    pub fn from_filter(name: &str, f: &SegmentFilter) -> Self {
        Self {
            name: name.to_string(),
            statuses: f.statuses.iter().map(|s| s.code().to_string()).collect(),
            left_from: f.left_from.map(|y| y.to_string()).unwrap_or_default(),
            left_to: f.left_to.map(|y| y.to_string()).unwrap_or_default(),
            departments: f.departments.join("、"),
            leave_reasons: f.leave_reasons.iter().map(|s| s.code().into()).collect(),
            rehire: f.rehire.iter().map(|s| s.code().into()).collect(),
            intents: f.intents.iter().map(|s| s.code().into()).collect(),
            skill: f
                .skills
                .first()
                .map(|(s, _)| s.to_string())
                .unwrap_or_default(),
            skill_level: f
                .skills
                .first()
                .map(|(_, l)| l.to_string())
                .unwrap_or_default(),
            prefectures: f.prefectures.clone(),
            warmth: f.warmth.iter().map(|s| s.code().into()).collect(),
            offer_active: match f.offer_active {
                Some(true) => "yes".into(),
                Some(false) => "no".into(),
                None => String::new(),
            },
            attended_from: f.attended_from.map(|y| y.to_string()).unwrap_or_default(),
        }
    }

    /// The filter alone (for a live count), without the name.
    pub fn filter(&self) -> Result<SegmentFilter, FieldErrors> {
        let mut e = FieldErrors::new();
        let statuses = codes(&mut e, "statuses", &self.statuses, PersonStatus::parse);
        let left_from = e.check("left_from", year(&self.left_from)).flatten();
        let left_to = e.check("left_to", year(&self.left_to)).flatten();
        if let (Some(a), Some(b)) = (left_from, left_to)
            && a > b
        {
            e.add("left_to", Invalid::new("error.year_order"));
        }
        let mut departments: Vec<String> = self
            .departments
            .split([',', '、', '，', '\n'])
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        departments.dedup();
        if departments.len() > 20 || departments.iter().any(|d| d.chars().count() > 100) {
            e.add(
                "departments",
                Invalid::new("error.too_long").with("max", 100),
            );
        }
        let leave_reasons = codes(
            &mut e,
            "leave_reasons",
            &self.leave_reasons,
            LeaveReason::parse,
        );
        let rehire = codes(&mut e, "rehire", &self.rehire, RehireEligibility::parse);
        let intents = codes(&mut e, "intents", &self.intents, ReturnIntent::parse);
        let prefectures = codes(&mut e, "prefectures", &self.prefectures, |p| {
            PREFECTURES.contains(&p).then(|| p.to_string())
        });
        let warmth = codes(&mut e, "warmth", &self.warmth, WarmthLabel::parse);
        let mut skills = Vec::new();
        if !self.skill.trim().is_empty() {
            match self.skill.trim().parse::<SkillId>() {
                Ok(id) => {
                    let level = match self.skill_level.trim() {
                        "" => 1,
                        l => match l.parse::<u8>() {
                            Ok(n @ 1..=5) => n,
                            _ => {
                                e.add("skill_level", Invalid::new("error.choice"));
                                1
                            }
                        },
                    };
                    skills.push((id, level));
                }
                Err(_) => e.add("skill", Invalid::new("error.choice")),
            }
        }
        let offer_active = match self.offer_active.trim() {
            "" => None,
            "yes" => Some(true),
            "no" => Some(false),
            _ => {
                e.add("offer_active", Invalid::new("error.choice"));
                None
            }
        };
        let attended_from = e
            .check("attended_from", year(&self.attended_from))
            .flatten();
        e.into_result()?;
        Ok(SegmentFilter {
            attended_from,
            statuses,
            left_from,
            left_to,
            departments,
            leave_reasons,
            rehire,
            intents,
            skills,
            prefectures,
            warmth,
            offer_active,
        })
    }

    /// Name and filter, to save.
    pub fn parse(&self) -> Result<(String, SegmentFilter), FieldErrors> {
        let mut e = FieldErrors::new();
        let name = e.check("name", v::required_line(&self.name, 100));
        let filter = match self.filter() {
            Ok(f) => Some(f),
            Err(fe) => {
                for (k, p) in fe.0 {
                    e.add(k, p);
                }
                None
            }
        };
        e.into_result()?;
        match (name, filter) {
            (Some(n), Some(f)) => Ok((n, f)),
            _ => Err(FieldErrors::new()),
        }
    }
}

/// An announcement's form, as typed.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct AnnouncementInput {
    pub kind: String,
    pub subject: String,
    pub body: String,
    pub purpose: String,
    pub segment: String,
    /// `YYYY-MM-DDTHH:MM` (a `datetime-local` field) in the company's time zone; empty sends when asked.
    pub scheduled_at: String,
    /// The event an invitation is for.
    pub event: String,
}

/// A checked announcement text. The purpose and segment are checked against the company by the caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnnouncementDraft {
    pub kind: AnnouncementKind,
    pub subject: String,
    pub body: String,
    pub purpose: String,
    pub segment: Option<crate::ids::SegmentId>,
    pub scheduled_at: Option<DateTime<Utc>>,
    pub event: Option<crate::ids::EventId>,
}

/// The longest body, in characters (a LINE text message holds 5,000; the e-mail has room for more).
pub const BODY_MAX: usize = 20_000;

/// Reads a `datetime-local` value in `tz`.
pub fn local_datetime(input: &str, tz: chrono_tz::Tz) -> Result<Option<DateTime<Utc>>, Invalid> {
    let s = input.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let naive = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S"))
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M"))
        .map_err(|_| Invalid::new("error.datetime"))?;
    tz.from_local_datetime(&naive)
        .earliest()
        .map(|d| Some(d.with_timezone(&Utc)))
        .ok_or_else(|| Invalid::new("error.datetime"))
}

impl AnnouncementInput {
    /// Checks the text; a schedule must lie ahead of `now`.
    pub fn parse(
        &self,
        tz: chrono_tz::Tz,
        now: DateTime<Utc>,
    ) -> Result<AnnouncementDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let kind = if self.kind.trim().is_empty() {
            Some(AnnouncementKind::Notice)
        } else {
            e.check(
                "kind",
                AnnouncementKind::parse(&self.kind).ok_or_else(|| Invalid::new("error.choice")),
            )
        };
        let subject = e.check("subject", v::required_line(&self.subject, 200));
        let body = e.check("body", v::required_text(&self.body, BODY_MAX));
        let purpose = e.check("purpose", v::required_line(&self.purpose, 40));
        let segment = if self.segment.trim().is_empty() {
            e.add("segment", Invalid::new("error.required"));
            None
        } else {
            e.check(
                "segment",
                self.segment
                    .trim()
                    .parse()
                    .map_err(|_| Invalid::new("error.choice")),
            )
        };
        let scheduled_at = e
            .check("scheduled_at", local_datetime(&self.scheduled_at, tz))
            .flatten();
        if scheduled_at.is_some_and(|at| at <= now) {
            e.add("scheduled_at", Invalid::new("error.schedule_past"));
        }
        // An invitation names its event and goes only to people who agreed to hear of events.
        let event = if kind == Some(AnnouncementKind::Invitation) {
            if purpose.as_deref().is_some_and(|p| p != INVITATION_PURPOSE) {
                e.add("purpose", Invalid::new("error.invitation_purpose"));
            }
            e.check(
                "event",
                self.event
                    .trim()
                    .parse()
                    .map_err(|_| Invalid::new("error.invitation_event")),
            )
        } else {
            None
        };
        e.into_result()?;
        match (kind, subject, body, purpose) {
            (Some(kind), Some(subject), Some(body), Some(purpose)) => Ok(AnnouncementDraft {
                kind,
                subject,
                body,
                purpose,
                segment,
                scheduled_at,
                event,
            }),
            _ => Err(FieldErrors::new()),
        }
    }
}

/// The purpose of use invitations serve (イベントのご案内).
pub const INVITATION_PURPOSE: &str = "events";

/// Splits `n` recipients into LINE multicast batches of at most this many user ids.
pub const LINE_BATCH: usize = 500;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_channel_follows_the_person_unless_the_company_forces_one() {
        assert_eq!(
            ChannelPolicy::Auto.pick(true, true),
            Some(DeliveryChannel::Line)
        );
        assert_eq!(
            ChannelPolicy::Auto.pick(false, true),
            Some(DeliveryChannel::Email)
        );
        assert_eq!(ChannelPolicy::Auto.pick(false, false), None);
        assert_eq!(
            ChannelPolicy::Email.pick(true, true),
            Some(DeliveryChannel::Email)
        );
        assert_eq!(ChannelPolicy::Line.pick(false, true), None);
    }

    #[test]
    fn a_segment_reads_full_width_years_and_refuses_reversed_ones() {
        let f = SegmentInput {
            statuses: vec!["alumnus".into()],
            left_from: "２０２０".into(),
            left_to: "2024".into(),
            ..Default::default()
        }
        .filter()
        .unwrap();
        assert_eq!(f.left_from, Some(2020));
        assert_eq!(f.statuses, vec![PersonStatus::Alumnus]);
        let e = SegmentInput {
            left_from: "2024".into(),
            left_to: "2020".into(),
            ..Default::default()
        }
        .filter()
        .unwrap_err();
        assert_eq!(e.get("left_to").unwrap().key, "error.year_order");
        let e = SegmentInput {
            statuses: vec!["boss".into()],
            ..Default::default()
        }
        .filter()
        .unwrap_err();
        assert!(e.get("statuses").is_some());
    }

    #[test]
    fn an_announcement_needs_text_and_a_future_schedule() {
        let now = Utc.with_ymd_and_hms(2026, 12, 6, 0, 0, 0).unwrap();
        let e = AnnouncementInput {
            subject: " ".into(),
            body: String::new(),
            purpose: "rehire".into(),
            segment: "x".into(),
            scheduled_at: "2026-12-05T09:00".into(),
            ..Default::default()
        }
        .parse(chrono_tz::Asia::Tokyo, now)
        .unwrap_err();
        for f in ["subject", "body", "segment", "scheduled_at"] {
            assert!(e.get(f).is_some(), "{f}");
        }
        assert_eq!(e.get("scheduled_at").unwrap().key, "error.schedule_past");
        let d = AnnouncementInput {
            subject: "OB・OG会のお知らせ".into(),
            body: "今年も開きます。".into(),
            purpose: "events".into(),
            segment: uuid::Uuid::now_v7().to_string(),
            scheduled_at: "2026-12-07T09:00".into(),
            ..Default::default()
        }
        .parse(chrono_tz::Asia::Tokyo, now)
        .unwrap();
        assert_eq!(
            d.scheduled_at,
            Some(Utc.with_ymd_and_hms(2026, 12, 7, 0, 0, 0).unwrap())
        );
    }
}
