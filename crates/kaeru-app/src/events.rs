//! Gatherings: the event written and moved on (公開, 受付終了, 開催済み, 中止), replies taken from the
//! invited person's signed link, the portal or HR, the messages each change causes (with the calendar
//! file), reminders and lapsed offers for the worker, check-in at the door, the people worth talking to
//! that evening, the しおり of attendees' news, 会計, and the attendee list as a sheet.

use crate::announcements::Delivery;
use crate::search::SearchCache;
use crate::{Catalog, Failure, Outcome};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use kaeru_domain::event::{EventInput, EventStatus, RsvpInput, RsvpState, WalkInInput, gojuon_key};
use kaeru_domain::touchpoint::{Channel, WarmthLabel, warmth};
use kaeru_domain::validation::EmailAddress;
use kaeru_domain::{CareerDraft, EventId, Invalid, Language, OfferStatus, PersonId, RsvpId};
use kaeru_messaging::calendar::{self, CalendarEvent};
use kaeru_messaging::links;
use kaeru_store::events::{self as store, CheckInRefusal, Event, Notice, Replied, Rsvp};
use kaeru_store::outbox::{Attachment, NewMessage};
use kaeru_store::{
    Actor, Clash, Db, Scope, StoreError, careers, companies, messaging, offers, openings, people,
    portal, touchpoints,
};
use std::collections::{HashMap, HashSet};

/// What every message and link about a company's events needs: its name, language, zone and link key,
/// and where Kaeru is reached.
#[derive(Clone, Debug)]
pub struct Mail {
    pub company: String,
    pub lang: Language,
    pub tz: Tz,
    pub tz_name: String,
    key: String,
    public_url: String,
}

impl Mail {
    pub async fn load(db: &Db, scope: &Scope, delivery: &Delivery) -> Outcome<Self> {
        let company = companies::get(db, scope).await?;
        let settings = messaging::settings(db, scope).await?;
        Ok(Self {
            tz: company.time_zone.parse().unwrap_or(chrono_tz::Asia::Tokyo),
            tz_name: company.time_zone,
            company: company.name,
            lang: company.default_language,
            key: settings.link_key,
            public_url: delivery.public_url.trim_end_matches('/').to_string(),
        })
    }

    /// The invited person's own page (reply, QR code, calendar), no sign-in needed.
    pub fn rsvp_url(&self, id: RsvpId) -> String {
        format!("{}{}", self.public_url, self.rsvp_path(id))
    }

    /// [`Self::rsvp_url`] without the host, for redirects within Kaeru.
    pub fn rsvp_path(&self, id: RsvpId) -> String {
        format!("/r/{}", links::sign(self.key.as_bytes(), "rsvp", id.0))
    }

    /// What the attendee's QR code holds: the check-in page of the event for this code.
    pub fn checkin_url(&self, event: EventId, code: &str) -> String {
        format!("{}/events/{event}/checkin/{code}", self.public_url)
    }

    pub fn event_url(&self, event: EventId) -> String {
        format!("{}/me/events/{event}", self.public_url)
    }

    /// 「2027年1月15日(金) 18:30〜21:00」
    pub fn when(&self, e: &Event) -> String {
        when(e, self.tz, self.lang)
    }

    fn calendar_event<'a>(
        &'a self,
        e: &'a Event,
        url: &'a str,
        location: &'a str,
    ) -> CalendarEvent<'a> {
        CalendarEvent {
            uid: "",
            sequence: e.sequence,
            stamp: e.updated_at,
            start: e.starts_at,
            end: e.ends_at,
            summary: &e.title,
            description: &e.description,
            location,
            url,
            organiser: e.organiser.as_deref().unwrap_or(""),
            cancelled: e.status == EventStatus::Cancelled,
            time_zone: &self.tz_name,
        }
    }

    /// The calendar file (same UID for the event's life, SEQUENCE its change count).
    pub fn ics(&self, e: &Event, url: &str) -> String {
        let uid = e.uid();
        let location = e.location();
        let mut c = self.calendar_event(e, url, &location);
        c.uid = &uid;
        calendar::ics(&c)
    }

    pub fn google_link(&self, e: &Event, url: &str) -> String {
        let location = e.location();
        calendar::google_link(&self.calendar_event(e, url, &location))
    }

    pub fn outlook_link(&self, e: &Event, url: &str) -> String {
        let location = e.location();
        calendar::outlook_link(&self.calendar_event(e, url, &location))
    }

    /// The message a change tells the person (by e-mail; `None` without an address).
    pub fn notice(&self, e: &Event, r: &Rsvp, n: Notice) -> Option<NewMessage> {
        let to = r.email.clone()?;
        let t = Catalog::get(self.lang);
        let url = self.rsvp_url(r.id);
        let key = match n {
            Notice::Confirmed => "confirmed",
            Notice::Waitlisted => "waitlisted",
            Notice::Offered => "offered",
            Notice::OfferLapsed => "lapsed",
            Notice::Updated => "updated",
            Notice::Cancelled => "cancelled",
            Notice::ReminderWeek => "reminder_week",
            Notice::ReminderDay => "reminder_day",
            Notice::Nudge => "nudge",
        };
        let deadline = e
            .reply_by
            .map(|d| datetime(&d, self.tz, self.lang))
            .unwrap_or_else(|| t.t("event.no_deadline").to_string());
        let args = [
            ("name", r.name.clone()),
            ("title", e.title.clone()),
            ("company", self.company.clone()),
            ("when", self.when(e)),
            ("place", place_line(e)),
            ("fee", fee_text(e.fee, self.lang)),
            ("companions", r.companions.to_string()),
            ("url", url.clone()),
            ("code", r.checkin_code.clone()),
            ("deadline", deadline),
            (
                "until",
                r.offer_expires_at
                    .map(|d| datetime(&d, self.tz, self.lang))
                    .unwrap_or_default(),
            ),
            ("google", self.google_link(e, &url)),
            ("outlook", self.outlook_link(e, &url)),
            ("reason", e.cancelled_reason.clone().unwrap_or_default()),
        ];
        let subject = t.format(&format!("event_mail.{key}_subject"), &args);
        let body = t.format(&format!("event_mail.{key}_body"), &args);
        let with_file = matches!(
            n,
            Notice::Confirmed | Notice::Updated | Notice::Cancelled | Notice::ReminderDay
        );
        Some(NewMessage {
            channel: kaeru_domain::announcement::DeliveryChannel::Email,
            person: r.person,
            // Only the nudge to reply is an invitation; the rest answer what the person asked for.
            purpose: (n == Notice::Nudge).then(|| "events".to_string()),
            kind: format!("event_{key}"),
            to,
            subject,
            body,
            attachment: with_file.then(|| Attachment {
                name: "event.ics".into(),
                content_type: "text/calendar; charset=utf-8; method=PUBLISH".into(),
                content: self.ics(e, &url),
            }),
            idempotency_key: match n {
                Notice::Confirmed | Notice::Waitlisted | Notice::Offered | Notice::OfferLapsed => {
                    format!("event:{}:{key}:{}", r.id, r.updated_at.timestamp_micros())
                }
                _ => format!("event:{}:{key}:{}", r.id, e.sequence),
            },
        })
    }
}

pub fn datetime(t: &DateTime<Utc>, tz: Tz, lang: Language) -> String {
    let l = t.with_timezone(&tz);
    match lang {
        Language::Ja => l.format("%Y年%-m月%-d日 %H:%M").to_string(),
        Language::En => l.format("%-d %b %Y, %H:%M").to_string(),
    }
}

const WEEKDAYS_JA: [&str; 7] = ["月", "火", "水", "木", "金", "土", "日"];

/// 「2027年1月15日(金) 18:30〜21:00」, or with both dates when it runs over midnight.
pub fn when(e: &Event, tz: Tz, lang: Language) -> String {
    use chrono::Datelike;
    let s = e.starts_at.with_timezone(&tz);
    let end = e.ends_at.with_timezone(&tz);
    let same_day = s.date_naive() == end.date_naive();
    match lang {
        Language::Ja => {
            let wd = WEEKDAYS_JA[s.weekday().num_days_from_monday() as usize];
            let tail = if same_day {
                end.format("%H:%M").to_string()
            } else {
                end.format("%-m月%-d日 %H:%M").to_string()
            };
            format!(
                "{}({wd}) {}〜{tail}",
                s.format("%Y年%-m月%-d日"),
                s.format("%H:%M")
            )
        }
        Language::En => {
            let tail = if same_day {
                end.format("%H:%M").to_string()
            } else {
                end.format("%a %-d %b %H:%M").to_string()
            };
            format!("{}–{tail}", s.format("%a %-d %b %Y, %H:%M"))
        }
    }
}

/// The place as the messages show it: name, address and map, or the online address.
pub fn place_line(e: &Event) -> String {
    let mut parts = Vec::new();
    if let Some(p) = &e.place {
        parts.push(p.clone());
    }
    if let Some(a) = &e.address {
        parts.push(a.clone());
    }
    if let Some(m) = &e.map_url {
        parts.push(m.clone());
    }
    if let Some(o) = &e.online_url {
        parts.push(o.clone());
    }
    parts.join(" / ")
}

/// 「5,000円」 or 「無料」 (「¥5,000」 / Free in English).
pub fn fee_text(fee: i64, lang: Language) -> String {
    if fee == 0 {
        Catalog::get(lang).t("event.free").to_string()
    } else {
        let amount = kaeru_domain::validation::group_digits(fee);
        match lang {
            Language::Ja => format!("{amount}円"),
            Language::En => format!("¥{amount}"),
        }
    }
}

fn refused((field, inv): (&'static str, Invalid)) -> Failure {
    if field == "answer" || field == "status" {
        Failure::Refused(inv)
    } else {
        Failure::field(field, inv)
    }
}

/// Saves an event from its form (new when `id` is `None`).
pub async fn save(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    mail: &Mail,
    id: Option<EventId>,
    input: &EventInput,
) -> Outcome<Event> {
    let d = input.parse(mail.tz)?;
    let notify = |e: &Event, r: &Rsvp, n: Notice| mail.notice(e, r, n);
    store::save(db, scope, actor, id, &d, &notify)
        .await?
        .map_err(refused)
}

/// Publishes, closes, reopens, marks held or cancels.
pub async fn set_status(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    mail: &Mail,
    id: EventId,
    to: EventStatus,
    reason: &str,
) -> Outcome<Event> {
    let reason = kaeru_domain::validation::optional_line(reason, 500)
        .map_err(|i| Failure::field("reason", i))?;
    let notify = |e: &Event, r: &Rsvp, n: Notice| mail.notice(e, r, n);
    store::set_status(db, scope, actor, id, to, reason.as_deref(), &notify)
        .await?
        .map_err(Failure::Refused)
}

/// The reply a signed link names, if its token was made with its company's key.
pub async fn open_rsvp(db: &Db, token: &str) -> Outcome<(Scope, Rsvp)> {
    let id = links::id_of(token).ok_or(StoreError::NotFound)?;
    let (company, r) = store::rsvp_by_id(db, RsvpId(id)).await?;
    let key = messaging::settings_of_company(db, company).await?.link_key;
    links::verify(key.as_bytes(), "rsvp", token).ok_or(StoreError::NotFound)?;
    Ok((Scope::for_company(company), r))
}

/// Records a reply (from the person's link, the portal, HR or the API). With the person's confirmation the
/// contacts and current employer given replace those on file (名簿 kept current).
pub async fn reply(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    mail: &Mail,
    id: RsvpId,
    input: &RsvpInput,
    today: NaiveDate,
) -> Outcome<Replied> {
    let r = store::rsvp(db, scope, id).await?;
    let e = store::get(db, scope, r.event).await?;
    let d = input.parse(e.max_companions, e.questions.len())?;
    if let (Some(c), Some(person)) = (&d.contacts, r.person)
        && let Some(email) = &c.email
    {
        let addr = EmailAddress::parse(email).map_err(|i| Failure::field("email", i))?;
        if !people::emails_taken(db, scope, &[addr], Some(person))
            .await?
            .is_empty()
        {
            return Err(Failure::field(
                "email",
                Invalid::new(Clash::PersonEmailTaken.message_key()),
            ));
        }
    }
    let notify = |e: &Event, r: &Rsvp, n: Notice| mail.notice(e, r, n);
    let replied = store::reply(db, scope, actor, id, &d, &notify)
        .await?
        .map_err(refused)?;
    if let (Some(c), Some(person)) = (&d.contacts, r.person) {
        keep_contacts(db, scope, actor, person, c, today).await?;
    }
    Ok(replied)
}

/// Writes confirmed contacts onto the person's record: a new address first, the phone replaced, a new
/// employer as the current position.
async fn keep_contacts(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    person: PersonId,
    c: &kaeru_domain::event::ContactUpdate,
    today: NaiveDate,
) -> Outcome<()> {
    if c.email.is_some() || c.phone.is_some() {
        let current = people::get(db, scope, person).await?;
        let mut draft = people::draft_of(&current);
        if let Some(e) = &c.email {
            let addr = EmailAddress::parse(e).map_err(|i| Failure::field("email", i))?;
            draft.emails.retain(|x| x != &addr);
            draft.emails.insert(0, addr);
        }
        if let Some(p) = &c.phone {
            draft.phone = Some(p.clone());
        }
        people::update(db, scope, actor, person, &draft).await?;
    }
    if let Some(employer) = &c.employer {
        let current = careers::current_for(db, scope, &[person]).await?;
        if current.get(&person).is_none_or(|c| &c.employer != employer) {
            careers::add(
                db,
                scope,
                actor,
                person,
                &CareerDraft {
                    employer: employer.clone(),
                    role: None,
                    industry: None,
                    from_date: Some(today),
                    to_date: None,
                },
            )
            .await?;
        }
    }
    portal::touch(db, scope, person).await?;
    Ok(())
}

/// A check-in refused, in words for the door.
pub fn refusal_text(r: &CheckInRefusal, t: &Catalog, tz: Tz, lang: Language) -> String {
    match r {
        CheckInRefusal::Unknown => t.t("checkin_door.unknown").to_string(),
        CheckInRefusal::OtherEvent(title) => {
            t.format("checkin_door.other_event", &[("title", title.clone())])
        }
        CheckInRefusal::AlreadyUsed(at, by) => t.format(
            "checkin_door.already",
            &[("at", datetime(at, tz, lang)), ("by", by.clone())],
        ),
        CheckInRefusal::NoPlace(state) => t.format(
            "checkin_door.no_place",
            &[("state", t.label("rsvp_state", state.code()))],
        ),
        CheckInRefusal::EventNotOn => t.t("checkin_door.not_on").to_string(),
    }
}

/// Receives someone at the door by their QR code or a tap on the list.
pub async fn check_in(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    event: EventId,
    code: Option<&str>,
    id: Option<RsvpId>,
    today: NaiveDate,
) -> Outcome<Result<Rsvp, CheckInRefusal>> {
    Ok(store::check_in(db, scope, actor, event, code, id, today).await?)
}

/// Adds someone who came without a place.
pub async fn walk_in(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    event: EventId,
    input: &WalkInInput,
    today: NaiveDate,
) -> Outcome<Rsvp> {
    let w = input.parse()?;
    store::walk_in(db, scope, actor, event, &w, today)
        .await?
        .map_err(Failure::Refused)
}

/// Someone worth talking to that evening, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TalkTo {
    pub rsvp: Rsvp,
    /// Their relationship had gone cold (疎遠) before the event.
    pub was_cold: bool,
    /// Their standing return offer (number).
    pub offer: Option<String>,
    /// Open positions they match (titles).
    pub openings: Vec<String>,
}

/// The people coming (or come) who had gone cold, hold a standing offer or match an open position.
pub async fn talk_to(
    db: &Db,
    indexes: &SearchCache,
    scope: &Scope,
    event: &Event,
    today: NaiveDate,
    tz: Tz,
) -> Outcome<Vec<TalkTo>> {
    let coming: Vec<Rsvp> = store::rsvps(db, scope, event.id)
        .await?
        .into_iter()
        .filter(|r| r.person.is_some() && (r.state.holds_place() || r.checked_in_at.is_some()))
        .collect();
    let ids: Vec<PersonId> = coming.iter().filter_map(|r| r.person).collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let day = event.starts_at.with_timezone(&tz).date_naive();
    let contacts = touchpoints::contacts_of(db, scope, &ids).await?;
    let mut matched: HashMap<PersonId, Vec<String>> = HashMap::new();
    let wanted: HashSet<PersonId> = ids.iter().copied().collect();
    for o in openings::list(db, scope, None).await? {
        if o.status != kaeru_domain::OpeningStatus::Open {
            continue;
        }
        let required = o.requirements.iter().filter(|r| r.required).count();
        if let Some(result) = crate::openings::rank(db, indexes, scope, &o, today, 200).await? {
            for m in result.ranked {
                let p = PersonId(m.id);
                if wanted.contains(&p) && m.required_met >= required {
                    matched.entry(p).or_default().push(o.title.clone());
                }
            }
        }
    }
    let mut out = Vec::new();
    for r in coming {
        let Some(p) = r.person else { continue };
        let before: Vec<(NaiveDate, Channel)> = contacts
            .get(&p)
            .map(|v| v.iter().copied().filter(|(d, _)| *d < day).collect())
            .unwrap_or_default();
        let last = before.iter().map(|(d, _)| *d).max();
        let was_cold = warmth(&before, last, day).label == WarmthLabel::Distant;
        let offer = offers::active_for_person(db, scope, p, None)
            .await?
            .filter(|o| o.status != OfferStatus::Draft)
            .map(|o| o.number);
        let openings = matched.remove(&p).unwrap_or_default();
        if was_cold || offer.is_some() || !openings.is_empty() {
            out.push(TalkTo {
                rsvp: r,
                was_cold,
                offer,
                openings,
            });
        }
    }
    Ok(out)
}

/// 会計: what the 会費 should bring and what was received.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Accounts {
    /// Places (attendees and companions) that pay.
    pub paying: i64,
    pub expected: i64,
    pub received: i64,
    /// Attendees who have not paid in full.
    pub unpaid: i64,
}

pub fn accounts(e: &Event, rsvps: &[Rsvp]) -> Accounts {
    let mut a = Accounts::default();
    for r in rsvps {
        let coming = r.checked_in_at.is_some() || (r.state.holds_place() && !r.no_show);
        if coming {
            let seats = i64::from(r.seats());
            a.paying += seats;
            a.expected += seats * e.fee;
            if r.paid < seats * e.fee {
                a.unpaid += 1;
            }
        }
        a.received += r.paid;
    }
    a
}

/// The しおり: attendees' news in 五十音順, only from those who agreed to share it.
pub async fn booklet(db: &Db, scope: &Scope, mail: &Mail, e: &Event) -> Outcome<Vec<u8>> {
    let t = Catalog::get(mail.lang);
    let rsvps = store::rsvps(db, scope, e.id).await?;
    let shared: Vec<&Rsvp> = rsvps
        .iter()
        .filter(|r| {
            r.news_consent
                && r.news.is_some()
                && (r.state == RsvpState::Attending || r.checked_in_at.is_some())
        })
        .collect();
    let ids: Vec<PersonId> = shared.iter().filter_map(|r| r.person).collect();
    let now_at = careers::current_for(db, scope, &ids).await?;
    let mut entries: Vec<(String, String, String, String)> = shared
        .iter()
        .map(|r| {
            (
                r.name.clone(),
                r.reading.clone(),
                r.person
                    .and_then(|p| now_at.get(&p))
                    .map(|c| c.employer.clone())
                    .unwrap_or_default(),
                r.news.clone().unwrap_or_default(),
            )
        })
        .collect();
    entries.sort_by_cached_key(|(n, k, _, _)| gojuon_key(Some(k), n));
    let list: Vec<kaeru_letters::NewsEntry<'_>> = entries
        .iter()
        .map(|(name, reading, now_at, news)| kaeru_letters::NewsEntry {
            name,
            reading,
            now_at,
            news,
        })
        .collect();
    let title = t.format("event.booklet_title", &[("title", e.title.clone())]);
    let when = mail.when(e);
    let place = e.location();
    let intro = t.t("event.booklet_intro");
    kaeru_letters::booklet(&kaeru_letters::Booklet {
        company_name: &mail.company,
        title: &title,
        when: &when,
        place: &place,
        intro,
        entries: &list,
        empty: t.t("event.booklet_empty"),
        language: mail.lang,
    })
    .map_err(|e| Failure::Store(StoreError::Other(anyhow::anyhow!(e.to_string()))))
}

/// The attendee list as a sheet, in 五十音順 with readings: everyone holding or awaiting a place and
/// everyone received at the door.
pub fn attendee_sheet(
    e: &Event,
    rsvps: &[Rsvp],
    t: &Catalog,
    tz: Tz,
) -> kaeru_exchange::export::Sheet {
    let mut headers: Vec<String> = [
        "event.col_name",
        "event.col_reading",
        "event.col_state",
        "event.col_companions",
        "event.col_checked_in",
        "event.col_paid",
        "event.col_email",
    ]
    .iter()
    .map(|k| t.t(k).to_string())
    .collect();
    headers.extend(e.questions.iter().cloned());
    let rows = rsvps
        .iter()
        .filter(|r| {
            matches!(
                r.state,
                RsvpState::Attending | RsvpState::Offered | RsvpState::Waitlisted
            ) || r.checked_in_at.is_some()
        })
        .map(|r| {
            let mut row = vec![
                r.name.clone(),
                r.reading.clone(),
                t.label("rsvp_state", r.state.code()),
                r.companions.to_string(),
                r.checked_in_at
                    .map(|d| d.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string())
                    .unwrap_or_default(),
                r.paid.to_string(),
                r.email.clone().unwrap_or_default(),
            ];
            for i in 0..e.questions.len() {
                row.push(r.answers.get(i).cloned().unwrap_or_default());
            }
            row
        })
        .collect();
    kaeru_exchange::export::Sheet { headers, rows }
}

/// Lapsed offers and due reminders of every company (the worker's job, any node).
pub async fn run_due(db: &Db, delivery: &Delivery, at: DateTime<Utc>) -> Outcome<(usize, usize)> {
    let mut mails: HashMap<kaeru_domain::CompanyId, Mail> = HashMap::new();
    let mut lapsed = 0;
    for (company, id) in store::due_lapses(db, at, 200).await? {
        let scope = Scope::for_company(company);
        let mail = mail_of(&mut mails, db, &scope, delivery).await?;
        let notify = |e: &Event, r: &Rsvp, n: Notice| mail.notice(e, r, n);
        if store::lapse(db, &scope, id, at, &notify).await? {
            lapsed += 1;
        }
    }
    let mut reminded = 0;
    for (company, id) in store::upcoming(db, at).await? {
        let scope = Scope::for_company(company);
        let mail = mail_of(&mut mails, db, &scope, delivery).await?;
        let notify = |e: &Event, r: &Rsvp, n: Notice| mail.notice(e, r, n);
        reminded += store::remind(db, &scope, id, at, &notify).await?;
    }
    Ok((lapsed, reminded))
}

/// A company's [`Mail`], loaded once per pass.
async fn mail_of<'a>(
    mails: &'a mut HashMap<kaeru_domain::CompanyId, Mail>,
    db: &Db,
    scope: &Scope,
    delivery: &Delivery,
) -> Outcome<&'a Mail> {
    Ok(match mails.entry(scope.company_id()) {
        std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
        std::collections::hash_map::Entry::Vacant(v) => {
            v.insert(Mail::load(db, scope, delivery).await?)
        }
    })
}
