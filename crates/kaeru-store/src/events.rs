//! Events and replies. Every decision about places is taken in one transaction with the event locked
//! (`FOR UPDATE` on PostgreSQL; SQLite's single writer serialises the same transaction), so two replies for
//! the last place never both get it. A freed place is offered to the first on the waitlist until a time
//! limit; the messages a change causes (confirmation, waitlist, offer, updated calendar file) are queued in
//! the outbox inside the same transaction, written by the caller's [`Notify`].

use crate::audit::{self, Change};
use crate::entity::{event as row, person as person_row, person_email, rsvp as r_row};
use crate::outbox::{self, NewMessage, QueueError};
use crate::{Actor, Db, Scope, StoreError, StoreResult, now};
use chrono::{DateTime, Duration, Utc};
use kaeru_domain::event::{
    EventDraft, EventKind, EventStatus, RsvpAnswer, RsvpDraft, RsvpState, WalkIn, gojuon_key,
};
use kaeru_domain::touchpoint::{Channel, TouchpointDraft};
use kaeru_domain::{CompanyId, EventId, Invalid, PersonId, RsvpId};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};
use std::collections::HashMap;
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub id: EventId,
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
    pub status: EventStatus,
    /// Raised on every change (the calendar file's `SEQUENCE`).
    pub sequence: i32,
    pub cancelled_reason: Option<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Event {
    /// The calendar file's `UID`: the same for the event's whole life.
    pub fn uid(&self) -> String {
        format!("{}@kaeru", self.id)
    }

    /// The place as one line (name and address).
    pub fn location(&self) -> String {
        match (&self.place, &self.address) {
            (Some(p), Some(a)) => format!("{p} {a}"),
            (Some(p), None) => p.clone(),
            (None, Some(a)) => a.clone(),
            (None, None) => self.online_url.clone().unwrap_or_default(),
        }
    }

    /// Whether a reply is taken at `at`, and why not.
    pub fn open_for_replies(&self, at: DateTime<Utc>) -> Result<(), Invalid> {
        match self.status {
            EventStatus::Cancelled => return Err(Invalid::new("error.event_cancelled")),
            EventStatus::Draft => return Err(Invalid::new("error.event_not_open")),
            EventStatus::Closed | EventStatus::Held => {
                return Err(Invalid::new("error.event_closed"));
            }
            EventStatus::Published => {}
        }
        if at >= self.starts_at {
            return Err(Invalid::new("error.event_closed"));
        }
        if self.reply_by.is_some_and(|d| at > d) {
            return Err(Invalid::new("error.event_deadline_passed"));
        }
        Ok(())
    }

    pub fn draft(&self) -> EventDraft {
        EventDraft {
            kind: self.kind,
            title: self.title.clone(),
            description: self.description.clone(),
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            place: self.place.clone(),
            address: self.address.clone(),
            map_url: self.map_url.clone(),
            online_url: self.online_url.clone(),
            capacity: self.capacity,
            fee: self.fee,
            reply_by: self.reply_by,
            max_companions: self.max_companions,
            questions: self.questions.clone(),
            organiser: self.organiser.clone(),
            offer_hours: self.offer_hours,
        }
    }
}

fn event_of(r: row::Model) -> Event {
    Event {
        id: EventId(r.id),
        kind: EventKind::parse(&r.kind).unwrap_or(EventKind::Reunion),
        title: r.title,
        description: r.description,
        starts_at: r.starts_at,
        ends_at: r.ends_at,
        place: r.place,
        address: r.address,
        map_url: r.map_url,
        online_url: r.online_url,
        capacity: r.capacity,
        fee: r.fee,
        reply_by: r.reply_by,
        max_companions: r.max_companions,
        questions: serde_json::from_str(&r.questions).unwrap_or_default(),
        organiser: r.organiser,
        offer_hours: r.offer_hours,
        status: EventStatus::parse(&r.status).unwrap_or(EventStatus::Draft),
        sequence: r.sequence,
        cancelled_reason: r.cancelled_reason,
        created_by: r.created_by,
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

/// One person's (or a guest's) standing for an event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rsvp {
    pub id: RsvpId,
    pub event: EventId,
    pub person: Option<PersonId>,
    /// 「山田 花子」, or the guest's name.
    pub name: String,
    /// 「やまだ はなこ」 when known.
    pub reading: String,
    /// The person's first e-mail address.
    pub email: Option<String>,
    pub state: RsvpState,
    pub companions: i32,
    pub answers: Vec<String>,
    pub news: Option<String>,
    pub news_consent: bool,
    pub invited_at: Option<DateTime<Utc>>,
    pub replied_at: Option<DateTime<Utc>>,
    pub waitlisted_at: Option<DateTime<Utc>>,
    pub offer_expires_at: Option<DateTime<Utc>>,
    pub checkin_code: String,
    pub checked_in_at: Option<DateTime<Utc>>,
    pub checked_in_by: Option<String>,
    pub walk_in: bool,
    pub no_show: bool,
    pub paid: i64,
    pub updated_at: DateTime<Utc>,
}

impl Rsvp {
    /// Places taken: the person and their companions.
    pub fn seats(&self) -> i32 {
        1 + self.companions
    }

    /// The key for 五十音順.
    pub fn sort_key(&self) -> String {
        gojuon_key(Some(&self.reading), &self.name)
    }
}

fn bare_rsvp(r: r_row::Model) -> Rsvp {
    Rsvp {
        id: RsvpId(r.id),
        event: EventId(r.event_id),
        person: r.person_id.map(PersonId),
        name: r.guest_name.unwrap_or_default(),
        reading: r.guest_reading.unwrap_or_default(),
        email: None,
        state: RsvpState::parse(&r.state).unwrap_or(RsvpState::Invited),
        companions: r.companions,
        answers: serde_json::from_str(&r.answers).unwrap_or_default(),
        news: r.news,
        news_consent: r.news_consent,
        invited_at: r.invited_at,
        replied_at: r.replied_at,
        waitlisted_at: r.waitlisted_at,
        offer_expires_at: r.offer_expires_at,
        checkin_code: r.checkin_code,
        checked_in_at: r.checked_in_at,
        checked_in_by: r.checked_in_by,
        walk_in: r.walk_in,
        no_show: r.no_show,
        paid: r.paid,
        updated_at: r.updated_at,
    }
}

/// Fills in names, readings and first e-mail addresses from the people's records.
async fn named(
    conn: &impl ConnectionTrait,
    company: Uuid,
    rows: Vec<r_row::Model>,
) -> StoreResult<Vec<Rsvp>> {
    let ids: Vec<Uuid> = rows.iter().filter_map(|r| r.person_id).collect();
    let mut names: HashMap<Uuid, (String, String)> = HashMap::with_capacity(ids.len());
    let mut emails: HashMap<Uuid, (i32, String)> = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let people: Vec<(Uuid, String, String, String, String)> = person_row::Entity::find()
            .select_only()
            .columns([
                person_row::Column::Id,
                person_row::Column::FamilyName,
                person_row::Column::GivenName,
                person_row::Column::FamilyKana,
                person_row::Column::GivenKana,
            ])
            .filter(person_row::Column::CompanyId.eq(company))
            .filter(person_row::Column::Id.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(conn)
            .await?;
        for (id, family, given, fk, gk) in people {
            let name = format!("{family} {given}").trim().to_string();
            let reading = format!("{fk} {gk}").trim().to_string();
            names.insert(id, (name, reading));
        }
        let mails = person_email::Entity::find()
            .filter(person_email::Column::CompanyId.eq(company))
            .filter(person_email::Column::PersonId.is_in(chunk.iter().copied()))
            .all(conn)
            .await?;
        for m in mails {
            let e = emails
                .entry(m.person_id)
                .or_insert((m.position, m.email.clone()));
            if m.position < e.0 {
                *e = (m.position, m.email);
            }
        }
    }
    Ok(rows
        .into_iter()
        .map(|r| {
            let person = r.person_id;
            let mut v = bare_rsvp(r);
            if let Some(p) = person {
                if let Some((n, k)) = names.get(&p) {
                    v.name = n.clone();
                    v.reading = k.clone();
                }
                v.email = emails.get(&p).map(|(_, e)| e.clone());
            }
            v
        })
        .collect())
}

async fn named_one(
    conn: &impl ConnectionTrait,
    company: Uuid,
    r: r_row::Model,
) -> StoreResult<Rsvp> {
    named(conn, company, vec![r])
        .await?
        .pop()
        .ok_or(StoreError::NotFound)
}

/// What a change tells a person; the caller writes the message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notice {
    /// 出席 confirmed: with the calendar file and the check-in code.
    Confirmed,
    /// On the waitlist, at this place in the queue.
    Waitlisted,
    /// A place is offered until `offer_expires_at`.
    Offered,
    /// The offered place was not taken in time.
    OfferLapsed,
    /// Time, place or title changed: the updated calendar file.
    Updated,
    /// The event is cancelled.
    Cancelled,
    /// A week before.
    ReminderWeek,
    /// The day before.
    ReminderDay,
    /// No reply yet, the deadline is near (sent only with consent to 'events').
    Nudge,
}

/// Writes the message for a notice (`None`: nothing to send, e.g. no e-mail address).
pub type Notify<'a> = &'a (dyn Fn(&Event, &Rsvp, Notice) -> Option<NewMessage> + Send + Sync);

async fn queue(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    notify: Notify<'_>,
    event: &Event,
    rsvp: &Rsvp,
    notice: Notice,
) -> StoreResult<bool> {
    let Some(m) = notify(event, rsvp, notice) else {
        return Ok(false);
    };
    match outbox::enqueue_in(conn, scope, &m).await {
        Ok(()) => Ok(true),
        Err(QueueError::NoConsent(p)) => {
            tracing::info!(rsvp = %rsvp.id, purpose = p, "event message not queued: no consent");
            Ok(false)
        }
        Err(QueueError::Store(e)) => Err(e),
    }
}

/// The event row, locked for the rest of the transaction on PostgreSQL.
async fn locked(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    id: EventId,
) -> StoreResult<row::Model> {
    let mut q =
        row::Entity::find_by_id(id.0).filter(row::Column::CompanyId.eq(scope.company_id().0));
    if conn.get_database_backend() == DbBackend::Postgres {
        q = q.lock_exclusive();
    }
    q.one(conn).await?.ok_or(StoreError::NotFound)
}

/// Whether `code` could be a check-in code of ours (hex): anything else, such as a NUL byte that PostgreSQL
/// refuses in text, is answered as unknown without a query.
fn could_be_code(code: &str) -> bool {
    code.chars().all(|ch| ch.is_ascii_alphanumeric())
}

fn new_code() -> String {
    let mut b = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut b);
    hex::encode(b)
}

fn blank_rsvp(scope: &Scope, event: EventId, person: Option<PersonId>) -> r_row::ActiveModel {
    let at = now();
    r_row::ActiveModel {
        id: Set(RsvpId::new().0),
        company_id: Set(scope.company_id().0),
        event_id: Set(event.0),
        person_id: Set(person.map(|p| p.0)),
        guest_name: Set(None),
        guest_reading: Set(None),
        state: Set(RsvpState::Invited.code().into()),
        companions: Set(0),
        answers: Set("[]".into()),
        news: Set(None),
        news_consent: Set(false),
        invited_at: Set(None),
        replied_at: Set(None),
        waitlisted_at: Set(None),
        offer_expires_at: Set(None),
        checkin_code: Set(new_code()),
        checked_in_at: Set(None),
        checked_in_by: Set(None),
        walk_in: Set(false),
        no_show: Set(false),
        paid: Set(0),
        reminded_at: Set(None),
        created_at: Set(at),
        updated_at: Set(at),
    }
}

// ---- events ----

/// Saves a new event (a draft) or changes one. A change to an event people were told of raises its
/// `SEQUENCE`; when time, place or title changed, those holding or awaiting a place get the updated file. A
/// capacity below the places already taken is refused; a larger one offers places to the waitlist.
pub async fn save(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    id: Option<EventId>,
    d: &EventDraft,
    notify: Notify<'_>,
) -> StoreResult<Result<Event, (&'static str, Invalid)>> {
    let tx = db.write.begin().await?;
    let questions = serde_json::to_string(&d.questions).unwrap_or_else(|_| "[]".into());
    let (model, changed) = match id {
        None => {
            let at = now();
            let m = row::ActiveModel {
                id: Set(EventId::new().0),
                company_id: Set(scope.company_id().0),
                kind: Set(d.kind.code().into()),
                title: Set(d.title.clone()),
                description: Set(d.description.clone()),
                starts_at: Set(d.starts_at),
                ends_at: Set(d.ends_at),
                place: Set(d.place.clone()),
                address: Set(d.address.clone()),
                map_url: Set(d.map_url.clone()),
                online_url: Set(d.online_url.clone()),
                capacity: Set(d.capacity),
                fee: Set(d.fee),
                reply_by: Set(d.reply_by),
                max_companions: Set(d.max_companions),
                questions: Set(questions),
                organiser: Set(d.organiser.clone()),
                offer_hours: Set(d.offer_hours),
                status: Set(EventStatus::Draft.code().into()),
                sequence: Set(0),
                cancelled_reason: Set(None),
                week_reminder_at: Set(None),
                day_reminder_at: Set(None),
                nudge_at: Set(None),
                created_by: Set(actor.name.clone()),
                created_at: Set(at),
                updated_at: Set(at),
            }
            .insert(&tx)
            .await?;
            (m, false)
        }
        Some(id) => {
            let current = locked(&tx, scope, id).await?;
            let before = event_of(current.clone());
            if before.status.is_final() {
                return Ok(Err(("status", Invalid::new("error.event_final"))));
            }
            if let Some(cap) = d.capacity {
                let taken = places_taken(&tx, scope, id, None).await?;
                if i64::from(cap) < taken {
                    return Ok(Err((
                        "capacity",
                        Invalid::new("error.event_capacity_below").with("taken", taken),
                    )));
                }
            }
            if d.max_companions < before.max_companions {
                let over = r_row::Entity::find()
                    .filter(r_row::Column::CompanyId.eq(scope.company_id().0))
                    .filter(r_row::Column::EventId.eq(id.0))
                    .filter(r_row::Column::Companions.gt(d.max_companions))
                    .count(&tx)
                    .await?;
                if over > 0 {
                    return Ok(Err((
                        "max_companions",
                        Invalid::new("error.event_companions_below").with("count", over),
                    )));
                }
            }
            let changed = d.calendar_differs(&before.draft());
            let mut am: row::ActiveModel = current.into();
            am.kind = Set(d.kind.code().into());
            am.title = Set(d.title.clone());
            am.description = Set(d.description.clone());
            am.starts_at = Set(d.starts_at);
            am.ends_at = Set(d.ends_at);
            am.place = Set(d.place.clone());
            am.address = Set(d.address.clone());
            am.map_url = Set(d.map_url.clone());
            am.online_url = Set(d.online_url.clone());
            am.capacity = Set(d.capacity);
            am.fee = Set(d.fee);
            am.reply_by = Set(d.reply_by);
            am.max_companions = Set(d.max_companions);
            am.questions = Set(questions);
            am.organiser = Set(d.organiser.clone());
            am.offer_hours = Set(d.offer_hours);
            am.sequence = Set(before.sequence + 1);
            if d.starts_at != before.starts_at {
                // A new date: reminders start over.
                am.week_reminder_at = Set(None);
                am.day_reminder_at = Set(None);
            }
            am.updated_at = Set(now());
            (am.update(&tx).await?, changed)
        }
    };
    let event = event_of(model);
    if id.is_some() && event.status != EventStatus::Draft {
        if changed {
            for r in holders_and_waiting(&tx, scope, event.id).await? {
                queue(&tx, scope, notify, &event, &r, Notice::Updated).await?;
            }
        }
        fill_places(&tx, scope, &event, now(), notify).await?;
    }
    audit::record(
        &tx,
        scope,
        Change {
            action: if id.is_none() {
                "event.create"
            } else {
                "event.update"
            },
            entity: "event",
            entity_id: event.id.0,
            person_id: None,
            changes: serde_json::to_value(d).unwrap_or_default(),
            actor,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(event))
}

/// Moves an event on: publish, close replies, reopen, mark held, cancel (with a reason). A cancellation
/// sends everyone holding or awaiting a place the cancelled calendar file.
pub async fn set_status(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    id: EventId,
    to: EventStatus,
    reason: Option<&str>,
    notify: Notify<'_>,
) -> StoreResult<Result<Event, Invalid>> {
    let tx = db.write.begin().await?;
    let current = locked(&tx, scope, id).await?;
    let from = EventStatus::parse(&current.status).unwrap_or(EventStatus::Draft);
    let allowed = match to {
        EventStatus::Published => matches!(from, EventStatus::Draft | EventStatus::Closed),
        EventStatus::Closed => from == EventStatus::Published,
        EventStatus::Held => {
            matches!(from, EventStatus::Published | EventStatus::Closed)
                && current.starts_at <= now()
        }
        EventStatus::Cancelled => !from.is_final(),
        EventStatus::Draft => false,
    };
    if !allowed {
        return Ok(Err(if to == EventStatus::Held && !from.is_final() {
            Invalid::new("error.event_not_started")
        } else {
            Invalid::new("error.event_status_move")
        }));
    }
    let mut am: row::ActiveModel = current.into();
    am.status = Set(to.code().into());
    if to == EventStatus::Cancelled {
        am.cancelled_reason = Set(reason.map(str::to_string));
        am.sequence = Set(am.sequence.as_ref() + 1);
    }
    am.updated_at = Set(now());
    let event = event_of(am.update(&tx).await?);
    if to == EventStatus::Cancelled && from != EventStatus::Draft {
        for r in holders_and_waiting(&tx, scope, id).await? {
            queue(&tx, scope, notify, &event, &r, Notice::Cancelled).await?;
        }
    }
    if to == EventStatus::Held {
        // Those who said they would come and were not received at the door.
        r_row::Entity::update_many()
            .col_expr(r_row::Column::NoShow, Expr::value(true))
            .col_expr(r_row::Column::UpdatedAt, Expr::value(now()))
            .filter(r_row::Column::CompanyId.eq(scope.company_id().0))
            .filter(r_row::Column::EventId.eq(id.0))
            .filter(
                r_row::Column::State
                    .is_in([RsvpState::Attending.code(), RsvpState::Offered.code()]),
            )
            .filter(r_row::Column::CheckedInAt.is_null())
            .exec(&tx)
            .await?;
    }
    audit::record(
        &tx,
        scope,
        Change {
            action: "event.status",
            entity: "event",
            entity_id: id.0,
            person_id: None,
            changes: serde_json::json!({"from": from.code(), "to": to.code(), "reason": reason}),
            actor,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(event))
}

pub async fn get(db: &Db, scope: &Scope, id: EventId) -> StoreResult<Event> {
    row::Entity::find_by_id(id.0)
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .one(&db.read)
        .await?
        .map(event_of)
        .ok_or(StoreError::NotFound)
}

/// Counts of one event's replies.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// People attending (without companions).
    pub attending: i64,
    /// Places taken: attending and offered, with companions.
    pub places: i64,
    pub waitlisted: i64,
    pub offered: i64,
    pub declined: i64,
    pub undecided: i64,
    /// Invited, no reply yet.
    pub no_reply: i64,
    pub checked_in: i64,
    pub walk_ins: i64,
    pub no_shows: i64,
}

impl Counts {
    fn add(&mut self, r: &r_row::Model) {
        let state = RsvpState::parse(&r.state).unwrap_or(RsvpState::Invited);
        self.count(
            state,
            r.companions,
            r.checked_in_at.is_some(),
            r.walk_in,
            r.no_show,
        );
    }

    fn count(
        &mut self,
        state: RsvpState,
        companions: i32,
        checked_in: bool,
        walk_in: bool,
        no_show: bool,
    ) {
        match state {
            RsvpState::Attending => self.attending += 1,
            RsvpState::Waitlisted => self.waitlisted += 1,
            RsvpState::Offered => self.offered += 1,
            RsvpState::Declined | RsvpState::Lapsed => self.declined += 1,
            RsvpState::Undecided => self.undecided += 1,
            RsvpState::Invited => self.no_reply += 1,
        }
        if state.holds_place() {
            self.places += 1 + i64::from(companions);
        }
        self.checked_in += i64::from(checked_in);
        self.walk_ins += i64::from(walk_in);
        self.no_shows += i64::from(no_show);
    }

    /// The counts of replies already read (the event page and the door read them anyway).
    pub fn of(rsvps: &[Rsvp]) -> Self {
        let mut n = Self::default();
        for r in rsvps {
            n.count(
                r.state,
                r.companions,
                r.checked_in_at.is_some(),
                r.walk_in,
                r.no_show,
            );
        }
        n
    }
}

/// The company's events, soonest upcoming first, then past ones newest first, with their counts.
pub async fn list(db: &Db, scope: &Scope) -> StoreResult<Vec<(Event, Counts)>> {
    let c = scope.company_id().0;
    let events: Vec<Event> = row::Entity::find()
        .filter(row::Column::CompanyId.eq(c))
        .order_by_desc(row::Column::StartsAt)
        .limit(500)
        .all(&db.read)
        .await?
        .into_iter()
        .map(event_of)
        .collect();
    let mut counts: HashMap<Uuid, Counts> = HashMap::new();
    for chunk in events.chunks(100) {
        let rows = r_row::Entity::find()
            .filter(r_row::Column::CompanyId.eq(c))
            .filter(r_row::Column::EventId.is_in(chunk.iter().map(|e| e.id.0)))
            .all(&db.read)
            .await?;
        for r in &rows {
            counts.entry(r.event_id).or_default().add(r);
        }
    }
    let at = now();
    let (mut upcoming, past): (Vec<_>, Vec<_>) = events
        .into_iter()
        .map(|e| {
            let n = counts.get(&e.id.0).copied().unwrap_or_default();
            (e, n)
        })
        .partition(|(e, _)| e.ends_at >= at);
    upcoming.reverse();
    upcoming.extend(past);
    Ok(upcoming)
}

pub async fn counts(db: &Db, scope: &Scope, id: EventId) -> StoreResult<Counts> {
    let mut n = Counts::default();
    for r in r_row::Entity::find()
        .filter(r_row::Column::CompanyId.eq(scope.company_id().0))
        .filter(r_row::Column::EventId.eq(id.0))
        .all(&db.read)
        .await?
    {
        n.add(&r);
    }
    Ok(n)
}

/// Places taken (attending and offered, with companions), leaving out one reply.
async fn places_taken(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    event: EventId,
    except: Option<RsvpId>,
) -> StoreResult<i64> {
    let mut q = r_row::Entity::find()
        .filter(r_row::Column::CompanyId.eq(scope.company_id().0))
        .filter(r_row::Column::EventId.eq(event.0))
        .filter(
            r_row::Column::State.is_in([RsvpState::Attending.code(), RsvpState::Offered.code()]),
        );
    if let Some(x) = except {
        q = q.filter(r_row::Column::Id.ne(x.0));
    }
    let companions: Vec<i32> = q
        .select_only()
        .column(r_row::Column::Companions)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(companions.iter().map(|c| 1 + i64::from(*c)).sum())
}

async fn holders_and_waiting(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    event: EventId,
) -> StoreResult<Vec<Rsvp>> {
    let rows = r_row::Entity::find()
        .filter(r_row::Column::CompanyId.eq(scope.company_id().0))
        .filter(r_row::Column::EventId.eq(event.0))
        .filter(r_row::Column::State.is_in([
            RsvpState::Attending.code(),
            RsvpState::Offered.code(),
            RsvpState::Waitlisted.code(),
        ]))
        .all(conn)
        .await?;
    named(conn, scope.company_id().0, rows).await
}

/// The waitlist in order: who asked first.
async fn waitlist(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    event: EventId,
) -> StoreResult<Vec<r_row::Model>> {
    Ok(r_row::Entity::find()
        .filter(r_row::Column::CompanyId.eq(scope.company_id().0))
        .filter(r_row::Column::EventId.eq(event.0))
        .filter(r_row::Column::State.eq(RsvpState::Waitlisted.code()))
        .order_by_asc(r_row::Column::WaitlistedAt)
        .order_by_asc(r_row::Column::Id)
        .all(conn)
        .await?)
}

/// Offers free places to the waitlist, first come first served (a party that does not fit waits; those
/// behind it are not taken ahead), each until the event's time limit.
async fn fill_places(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    event: &Event,
    at: DateTime<Utc>,
    notify: Notify<'_>,
) -> StoreResult<()> {
    if event.status != EventStatus::Published || at >= event.starts_at {
        return Ok(());
    }
    let mut free = match event.capacity {
        Some(cap) => i64::from(cap) - places_taken(conn, scope, event.id, None).await?,
        None => i64::MAX,
    };
    for w in waitlist(conn, scope, event.id).await? {
        let seats = 1 + i64::from(w.companions);
        if seats > free {
            break;
        }
        free -= seats;
        let until = (at + Duration::hours(i64::from(event.offer_hours))).min(event.starts_at);
        let mut am: r_row::ActiveModel = w.clone().into();
        am.state = Set(RsvpState::Offered.code().into());
        am.offer_expires_at = Set(Some(until));
        am.updated_at = Set(at);
        let m = am.update(conn).await?;
        let r = named_one(conn, scope.company_id().0, m).await?;
        queue(conn, scope, notify, event, &r, Notice::Offered).await?;
    }
    Ok(())
}

// ---- replies ----

/// Invites people (inside the transaction that starts an invitation's sending): a reply row, 未回答, for
/// each who has none yet.
pub(crate) async fn invite_in(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    event: EventId,
    people: &[PersonId],
) -> StoreResult<()> {
    let at = now();
    let rows: Vec<r_row::ActiveModel> = people
        .iter()
        .map(|p| {
            let mut r = blank_rsvp(scope, event, Some(*p));
            r.invited_at = Set(Some(at));
            r
        })
        .collect();
    for chunk in rows.chunks(1000) {
        r_row::Entity::insert_many(chunk.to_vec())
            .on_conflict_do_nothing_on([
                r_row::Column::CompanyId,
                r_row::Column::EventId,
                r_row::Column::PersonId,
            ])
            .exec_without_returning(conn)
            .await?;
    }
    Ok(())
}

/// The reply row of a person for an event, made (as invited by HR) when there is none.
pub async fn rsvp_for(
    db: &Db,
    scope: &Scope,
    event: EventId,
    person: PersonId,
    create: bool,
) -> StoreResult<Option<Rsvp>> {
    let c = scope.company_id().0;
    let find = || {
        r_row::Entity::find()
            .filter(r_row::Column::CompanyId.eq(c))
            .filter(r_row::Column::EventId.eq(event.0))
            .filter(r_row::Column::PersonId.eq(person.0))
    };
    if let Some(r) = find().one(&db.read).await? {
        return Ok(Some(named_one(&db.read, c, r).await?));
    }
    if !create {
        return Ok(None);
    }
    let tx = db.write.begin().await?;
    crate::people::live(&tx, scope, person).await?;
    get_in(&tx, scope, event).await?;
    invite_in(&tx, scope, event, &[person]).await?;
    tx.commit().await?;
    match find().one(&db.read).await? {
        Some(r) => Ok(Some(named_one(&db.read, c, r).await?)),
        None => Err(StoreError::NotFound),
    }
}

async fn get_in(conn: &impl ConnectionTrait, scope: &Scope, id: EventId) -> StoreResult<Event> {
    row::Entity::find_by_id(id.0)
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .one(conn)
        .await?
        .map(event_of)
        .ok_or(StoreError::NotFound)
}

pub async fn rsvp(db: &Db, scope: &Scope, id: RsvpId) -> StoreResult<Rsvp> {
    let c = scope.company_id().0;
    let r = r_row::Entity::find_by_id(id.0)
        .filter(r_row::Column::CompanyId.eq(c))
        .one(&db.read)
        .await?
        .ok_or(StoreError::NotFound)?;
    named_one(&db.read, c, r).await
}

/// A reply found by id alone (a signed link names it; the caller checks the signature with the company's
/// key).
pub async fn rsvp_by_id(db: &Db, id: RsvpId) -> StoreResult<(CompanyId, Rsvp)> {
    let r = r_row::Entity::find_by_id(id.0)
        .one(&db.read)
        .await?
        .ok_or(StoreError::NotFound)?;
    let c = r.company_id;
    Ok((CompanyId(c), named_one(&db.read, c, r).await?))
}

/// The reply a check-in code belongs to, with its event (any of the company's events).
pub async fn rsvps_by_code(
    db: &Db,
    scope: &Scope,
    code: &str,
) -> StoreResult<Option<(Event, Rsvp)>> {
    let c = scope.company_id().0;
    if !could_be_code(code) {
        return Ok(None);
    }
    let Some(r) = r_row::Entity::find()
        .filter(r_row::Column::CompanyId.eq(c))
        .filter(r_row::Column::CheckinCode.eq(code))
        .one(&db.read)
        .await?
    else {
        return Ok(None);
    };
    let e = get_in(&db.read, scope, EventId(r.event_id)).await?;
    Ok(Some((e, named_one(&db.read, c, r).await?)))
}

/// Every reply of an event, in 五十音順.
pub async fn rsvps(db: &Db, scope: &Scope, event: EventId) -> StoreResult<Vec<Rsvp>> {
    let c = scope.company_id().0;
    let rows = r_row::Entity::find()
        .filter(r_row::Column::CompanyId.eq(c))
        .filter(r_row::Column::EventId.eq(event.0))
        .all(&db.read)
        .await?;
    let mut v = named(&db.read, c, rows).await?;
    v.sort_by_cached_key(|r| (r.sort_key(), r.id));
    Ok(v)
}

/// A person's events and replies, soonest first.
pub async fn for_person(
    db: &Db,
    scope: &Scope,
    person: PersonId,
) -> StoreResult<Vec<(Event, Rsvp)>> {
    let c = scope.company_id().0;
    let rows = r_row::Entity::find()
        .filter(r_row::Column::CompanyId.eq(c))
        .filter(r_row::Column::PersonId.eq(person.0))
        .all(&db.read)
        .await?;
    let events: HashMap<Uuid, Event> = row::Entity::find()
        .filter(row::Column::CompanyId.eq(c))
        .filter(row::Column::Id.is_in(rows.iter().map(|r| r.event_id)))
        .all(&db.read)
        .await?
        .into_iter()
        .map(|e| (e.id, event_of(e)))
        .collect();
    let mut out: Vec<(Event, Rsvp)> = named(&db.read, c, rows)
        .await?
        .into_iter()
        .filter_map(|r| events.get(&r.event.0).cloned().map(|e| (e, r)))
        .filter(|(e, _)| e.status != EventStatus::Draft)
        .collect();
    out.sort_by_key(|(e, _)| std::cmp::Reverse(e.starts_at));
    Ok(out)
}

/// Where a reply put the person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Replied {
    pub rsvp: Rsvp,
    pub before: RsvpState,
}

/// Records a reply under the event's lock: 出席 takes a place when one is free and nobody waits ahead,
/// else joins the waitlist; 欠席 / 未定 give a held place up, which is offered to the next waiting. An
/// offered place may be taken after the deadline, until the offer's time limit.
pub async fn reply(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    id: RsvpId,
    d: &RsvpDraft,
    notify: Notify<'_>,
) -> StoreResult<Result<Replied, (&'static str, Invalid)>> {
    let c = scope.company_id().0;
    let tx = db.write.begin().await?;
    let peek = r_row::Entity::find_by_id(id.0)
        .filter(r_row::Column::CompanyId.eq(c))
        .one(&tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    let ev = event_of(locked(&tx, scope, EventId(peek.event_id)).await?);
    // Read again under the lock: another reply may have moved this one (an offer, a lapse).
    let current = r_row::Entity::find_by_id(id.0)
        .filter(r_row::Column::CompanyId.eq(c))
        .one(&tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    let at = now();
    let before = RsvpState::parse(&current.state).unwrap_or(RsvpState::Invited);
    let offer_open =
        before == RsvpState::Offered && current.offer_expires_at.is_some_and(|t| t > at);
    if let Err(why) = ev.open_for_replies(at) {
        // Taking up or turning down an offered place stays possible after the deadline.
        let deadline_only = why.key == "error.event_deadline_passed";
        if !(deadline_only && offer_open) {
            return Ok(Err(("answer", why)));
        }
    }
    if d.companions > ev.max_companions {
        return Ok(Err((
            "companions",
            if ev.max_companions == 0 {
                Invalid::new("error.rsvp_no_companions")
            } else {
                Invalid::new("error.rsvp_companions_max").with("max", ev.max_companions)
            },
        )));
    }
    let holding = before == RsvpState::Attending || offer_open;
    let seats = 1 + i64::from(d.companions);
    let taken_by_others = places_taken(&tx, scope, ev.id, Some(id)).await?;
    let fits = ev
        .capacity
        .is_none_or(|cap| taken_by_others + seats <= i64::from(cap));
    let state = match d.answer {
        RsvpAnswer::Attending if holding => {
            if !fits {
                let free = i64::from(ev.capacity.unwrap_or(0)) - taken_by_others - 1;
                return Ok(Err((
                    "companions",
                    Invalid::new("error.rsvp_companions_no_room").with("free", free.max(0)),
                )));
            }
            RsvpState::Attending
        }
        RsvpAnswer::Attending => {
            let queue_ahead = waitlist(&tx, scope, ev.id)
                .await?
                .iter()
                .take_while(|w| w.id != id.0)
                .count();
            if fits && queue_ahead == 0 {
                RsvpState::Attending
            } else {
                RsvpState::Waitlisted
            }
        }
        RsvpAnswer::Declined => RsvpState::Declined,
        RsvpAnswer::Undecided => RsvpState::Undecided,
    };
    let mut am: r_row::ActiveModel = current.into();
    am.state = Set(state.code().into());
    am.companions = Set(d.companions);
    am.answers = Set(serde_json::to_string(&d.answers).unwrap_or_else(|_| "[]".into()));
    am.news = Set(d.news.clone());
    am.news_consent = Set(d.news_consent && d.news.is_some());
    am.replied_at = Set(Some(at));
    if state == RsvpState::Waitlisted && before != RsvpState::Waitlisted {
        am.waitlisted_at = Set(Some(at));
    }
    if state != RsvpState::Offered {
        am.offer_expires_at = Set(None);
    }
    am.updated_at = Set(at);
    let m = am.update(&tx).await?;
    let rsvp = named_one(&tx, c, m).await?;
    if state == RsvpState::Attending && before != RsvpState::Attending {
        queue(&tx, scope, notify, &ev, &rsvp, Notice::Confirmed).await?;
    } else if state == RsvpState::Waitlisted && before != RsvpState::Waitlisted {
        queue(&tx, scope, notify, &ev, &rsvp, Notice::Waitlisted).await?;
    }
    if before.holds_place() && !state.holds_place() || state == RsvpState::Attending {
        // A place given up (or companions fewer): the next waiting may come.
        fill_places(&tx, scope, &ev, at, notify).await?;
    }
    audit::record(
        &tx,
        scope,
        Change {
            action: "rsvp.reply",
            entity: "rsvp",
            entity_id: id.0,
            person_id: rsvp.person,
            changes: serde_json::json!({
                "event": ev.id,
                "answer": d.answer.code(),
                "state": state.code(),
                "companions": d.companions,
            }),
            actor,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(Replied { rsvp, before }))
}

/// Offers not taken in time, of every company (at most `limit`).
pub async fn due_lapses(
    db: &Db,
    at: DateTime<Utc>,
    limit: u64,
) -> StoreResult<Vec<(CompanyId, RsvpId)>> {
    Ok(r_row::Entity::find()
        .filter(r_row::Column::State.eq(RsvpState::Offered.code()))
        .filter(r_row::Column::OfferExpiresAt.lte(at))
        .limit(limit)
        .all(&db.read)
        .await?
        .into_iter()
        .map(|r| (CompanyId(r.company_id), RsvpId(r.id)))
        .collect())
}

/// An offer not taken in time lapses and its place goes to the next waiting (checked again under the
/// lock: another node may have done it, or the person took the place at the last moment).
pub async fn lapse(
    db: &Db,
    scope: &Scope,
    id: RsvpId,
    at: DateTime<Utc>,
    notify: Notify<'_>,
) -> StoreResult<bool> {
    let c = scope.company_id().0;
    let tx = db.write.begin().await?;
    let Some(peek) = r_row::Entity::find_by_id(id.0)
        .filter(r_row::Column::CompanyId.eq(c))
        .one(&tx)
        .await?
    else {
        return Ok(false);
    };
    let ev = event_of(locked(&tx, scope, EventId(peek.event_id)).await?);
    let Some(cur) = r_row::Entity::find_by_id(id.0).one(&tx).await? else {
        return Ok(false);
    };
    if cur.state != RsvpState::Offered.code() || cur.offer_expires_at.is_none_or(|t| t > at) {
        return Ok(false);
    }
    let mut am: r_row::ActiveModel = cur.into();
    am.state = Set(RsvpState::Lapsed.code().into());
    am.offer_expires_at = Set(None);
    am.updated_at = Set(at);
    let m = am.update(&tx).await?;
    let lapsed = named_one(&tx, c, m).await?;
    queue(&tx, scope, notify, &ev, &lapsed, Notice::OfferLapsed).await?;
    fill_places(&tx, scope, &ev, at, notify).await?;
    audit::record(
        &tx,
        scope,
        Change {
            action: "rsvp.offer_lapsed",
            entity: "rsvp",
            entity_id: id.0,
            person_id: lapsed.person,
            changes: serde_json::json!({"event": ev.id}),
            actor: &Actor::system("worker"),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

// ---- reminders ----

/// Events of every company starting within a month (the ones reminders may be due for).
pub async fn upcoming(db: &Db, at: DateTime<Utc>) -> StoreResult<Vec<(CompanyId, EventId)>> {
    Ok(row::Entity::find()
        .filter(
            row::Column::Status.is_in([EventStatus::Published.code(), EventStatus::Closed.code()]),
        )
        .filter(row::Column::StartsAt.gt(at))
        .filter(row::Column::StartsAt.lte(at + Duration::days(31)))
        .all(&db.read)
        .await?
        .into_iter()
        .filter(|e| {
            e.week_reminder_at.is_none() || e.day_reminder_at.is_none() || e.nudge_at.is_none()
        })
        .map(|e| (CompanyId(e.company_id), EventId(e.id)))
        .collect())
}

/// Sends an event's reminders that are due: a week before and the day before to those attending, and
/// once before the deadline to those invited who have not replied (with consent to 'events', checked when
/// queued and again when sent). Marked under the event's lock, so another node finds them done.
pub async fn remind(
    db: &Db,
    scope: &Scope,
    event: EventId,
    at: DateTime<Utc>,
    notify: Notify<'_>,
) -> StoreResult<usize> {
    let c = scope.company_id().0;
    let tx = db.write.begin().await?;
    let fresh = locked(&tx, scope, event).await?;
    let ev = event_of(fresh.clone());
    if !matches!(ev.status, EventStatus::Published | EventStatus::Closed) || ev.starts_at <= at {
        return Ok(0);
    }
    let until = ev.starts_at - at;
    let mut n = 0;
    let mut am: row::ActiveModel = fresh.clone().into();
    let mut kinds = Vec::new();
    let mut dirty = false;
    if fresh.week_reminder_at.is_none() && until <= Duration::days(7) {
        dirty = true;
        am.week_reminder_at = Set(Some(at));
        // Within two days the day-before reminder is enough.
        if until > Duration::days(2) {
            kinds.push(Notice::ReminderWeek);
        }
    }
    if fresh.day_reminder_at.is_none() && until <= Duration::days(1) {
        dirty = true;
        am.day_reminder_at = Set(Some(at));
        kinds.push(Notice::ReminderDay);
    }
    if !kinds.is_empty() {
        let rows = r_row::Entity::find()
            .filter(r_row::Column::CompanyId.eq(c))
            .filter(r_row::Column::EventId.eq(event.0))
            .filter(r_row::Column::State.eq(RsvpState::Attending.code()))
            .all(&tx)
            .await?;
        let people = named(&tx, c, rows).await?;
        for kind in kinds {
            for r in &people {
                if queue(&tx, scope, notify, &ev, r, kind).await? {
                    n += 1;
                }
            }
        }
    }
    let deadline = ev.reply_by.unwrap_or(ev.starts_at - Duration::days(1));
    if fresh.nudge_at.is_none()
        && ev.status == EventStatus::Published
        && at < deadline
        && deadline - at <= Duration::days(3)
    {
        dirty = true;
        am.nudge_at = Set(Some(at));
        let rows = r_row::Entity::find()
            .filter(r_row::Column::CompanyId.eq(c))
            .filter(r_row::Column::EventId.eq(event.0))
            .filter(r_row::Column::State.eq(RsvpState::Invited.code()))
            .filter(r_row::Column::RemindedAt.is_null())
            .all(&tx)
            .await?;
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        for r in named(&tx, c, rows).await? {
            if queue(&tx, scope, notify, &ev, &r, Notice::Nudge).await? {
                n += 1;
            }
        }
        for chunk in ids.chunks(500) {
            r_row::Entity::update_many()
                .col_expr(r_row::Column::RemindedAt, Expr::value(Some(at)))
                .filter(r_row::Column::CompanyId.eq(c))
                .filter(r_row::Column::Id.is_in(chunk.iter().copied()))
                .exec(&tx)
                .await?;
        }
    }
    if dirty {
        am.update(&tx).await?;
    }
    tx.commit().await?;
    Ok(n)
}

// ---- the day itself ----

/// Why a check-in was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CheckInRefusal {
    /// No such code in this company.
    Unknown,
    /// The code belongs to another of the company's events.
    OtherEvent(String),
    /// Used already: when and by whom.
    AlreadyUsed(DateTime<Utc>, String),
    /// The person has no place (declined, waiting).
    NoPlace(RsvpState),
    /// The event is cancelled or not yet published.
    EventNotOn,
}

/// Receives an attendee at the door: marks the reply checked in and logs the attendance as a touchpoint
/// (イベント), so the relationship warms — one transaction. A code used before is refused.
pub async fn check_in(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    event: EventId,
    by_code: Option<&str>,
    by_id: Option<RsvpId>,
    today: chrono::NaiveDate,
) -> StoreResult<Result<Rsvp, CheckInRefusal>> {
    let c = scope.company_id().0;
    let tx = db.write.begin().await?;
    let ev = event_of(locked(&tx, scope, event).await?);
    if matches!(ev.status, EventStatus::Cancelled | EventStatus::Draft) {
        return Ok(Err(CheckInRefusal::EventNotOn));
    }
    let mut q = r_row::Entity::find().filter(r_row::Column::CompanyId.eq(c));
    q = match (by_code, by_id) {
        (Some(code), _) if !could_be_code(code.trim()) => {
            return Ok(Err(CheckInRefusal::Unknown));
        }
        (Some(code), _) => q.filter(r_row::Column::CheckinCode.eq(code.trim())),
        (None, Some(id)) => q.filter(r_row::Column::Id.eq(id.0)),
        (None, None) => return Ok(Err(CheckInRefusal::Unknown)),
    };
    let Some(r) = q.one(&tx).await? else {
        return Ok(Err(CheckInRefusal::Unknown));
    };
    if r.event_id != event.0 {
        let other = get_in(&tx, scope, EventId(r.event_id)).await?;
        return Ok(Err(CheckInRefusal::OtherEvent(other.title)));
    }
    if let Some(t) = r.checked_in_at {
        return Ok(Err(CheckInRefusal::AlreadyUsed(
            t,
            r.checked_in_by.clone().unwrap_or_default(),
        )));
    }
    let state = RsvpState::parse(&r.state).unwrap_or(RsvpState::Invited);
    if !state.holds_place() {
        return Ok(Err(CheckInRefusal::NoPlace(state)));
    }
    let at = now();
    let person = r.person_id.map(PersonId);
    let mut am: r_row::ActiveModel = r.into();
    am.state = Set(RsvpState::Attending.code().into());
    am.checked_in_at = Set(Some(at));
    am.checked_in_by = Set(Some(actor.name.clone()));
    am.no_show = Set(false);
    am.updated_at = Set(at);
    let m = am.update(&tx).await?;
    if let Some(p) = person {
        attended(&tx, scope, actor, p, &ev, today).await?;
    }
    audit::record(
        &tx,
        scope,
        Change {
            action: "rsvp.check_in",
            entity: "rsvp",
            entity_id: m.id,
            person_id: person,
            changes: serde_json::json!({"event": ev.id}),
            actor,
        },
    )
    .await?;
    let rsvp = named_one(&tx, c, m).await?;
    tx.commit().await?;
    Ok(Ok(rsvp))
}

/// Attendance as a touchpoint (イベント); a person erased meanwhile gets none.
async fn attended(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    actor: &Actor,
    person: PersonId,
    ev: &Event,
    today: chrono::NaiveDate,
) -> StoreResult<()> {
    let draft = TouchpointDraft {
        on: today,
        channel: Channel::Event,
        by: actor.name.clone(),
        note: Some(ev.title.clone()),
    };
    match crate::touchpoints::add_in(conn, scope, actor, person, &draft).await {
        Ok(_) | Err(StoreError::Erased) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Takes a check-in back (a wrong tap); the touchpoint stays, as a record of the contact.
pub async fn undo_check_in(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    event: EventId,
    id: RsvpId,
) -> StoreResult<()> {
    let tx = db.write.begin().await?;
    locked(&tx, scope, event).await?;
    let done = r_row::Entity::update_many()
        .col_expr(
            r_row::Column::CheckedInAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            r_row::Column::CheckedInBy,
            Expr::value(Option::<String>::None),
        )
        .col_expr(r_row::Column::UpdatedAt, Expr::value(now()))
        .filter(r_row::Column::CompanyId.eq(scope.company_id().0))
        .filter(r_row::Column::EventId.eq(event.0))
        .filter(r_row::Column::Id.eq(id.0))
        .exec(&tx)
        .await?;
    if done.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    audit::record(
        &tx,
        scope,
        Change {
            action: "rsvp.undo_check_in",
            entity: "rsvp",
            entity_id: id.0,
            person_id: None,
            changes: serde_json::json!({"event": event}),
            actor,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Someone who came without a place: a known person (their reply, if any, becomes 出席) or a guest by name;
/// received at once. The door does not turn people away, so capacity does not apply.
pub async fn walk_in(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    event: EventId,
    w: &WalkIn,
    today: chrono::NaiveDate,
) -> StoreResult<Result<Rsvp, Invalid>> {
    let c = scope.company_id().0;
    let tx = db.write.begin().await?;
    let ev = event_of(locked(&tx, scope, event).await?);
    if matches!(ev.status, EventStatus::Cancelled | EventStatus::Draft) {
        return Ok(Err(Invalid::new("error.event_not_open")));
    }
    if let WalkIn::Person(_, companions) | WalkIn::Guest { companions, .. } = w
        && *companions > ev.max_companions
    {
        return Ok(Err(if ev.max_companions == 0 {
            Invalid::new("error.rsvp_no_companions")
        } else {
            Invalid::new("error.rsvp_companions_max").with("max", ev.max_companions)
        }));
    }
    let at = now();
    let m = match w {
        WalkIn::Person(p, companions) => {
            crate::people::live(&tx, scope, *p).await?;
            let existing = r_row::Entity::find()
                .filter(r_row::Column::CompanyId.eq(c))
                .filter(r_row::Column::EventId.eq(event.0))
                .filter(r_row::Column::PersonId.eq(p.0))
                .one(&tx)
                .await?;
            let mut am: r_row::ActiveModel = match existing {
                Some(r) if r.checked_in_at.is_some() => {
                    return Ok(Err(Invalid::new("error.checkin_already")));
                }
                Some(r) => {
                    let was = RsvpState::parse(&r.state).unwrap_or(RsvpState::Invited);
                    let mut am: r_row::ActiveModel = r.into();
                    am.walk_in = Set(!was.holds_place());
                    am
                }
                None => {
                    let mut am = blank_rsvp(scope, event, Some(*p));
                    am.walk_in = Set(true);
                    am.insert(&tx).await?.into()
                }
            };
            am.state = Set(RsvpState::Attending.code().into());
            am.companions = Set(*companions);
            am.checked_in_at = Set(Some(at));
            am.checked_in_by = Set(Some(actor.name.clone()));
            am.no_show = Set(false);
            am.updated_at = Set(at);
            let m = am.update(&tx).await?;
            attended(&tx, scope, actor, *p, &ev, today).await?;
            m
        }
        WalkIn::Guest {
            name,
            reading,
            companions,
        } => {
            let mut am = blank_rsvp(scope, event, None);
            am.guest_name = Set(Some(name.clone()));
            am.guest_reading = Set(reading.clone());
            am.walk_in = Set(true);
            am.state = Set(RsvpState::Attending.code().into());
            am.companions = Set(*companions);
            am.checked_in_at = Set(Some(at));
            am.checked_in_by = Set(Some(actor.name.clone()));
            am.insert(&tx).await?
        }
    };
    audit::record(
        &tx,
        scope,
        Change {
            action: "rsvp.walk_in",
            entity: "rsvp",
            entity_id: m.id,
            person_id: m.person_id.map(PersonId),
            changes: serde_json::json!({"event": event}),
            actor,
        },
    )
    .await?;
    let rsvp = named_one(&tx, c, m).await?;
    tx.commit().await?;
    Ok(Ok(rsvp))
}

/// Records 会費 received from an attendee (0 takes it back).
pub async fn set_paid(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    event: EventId,
    id: RsvpId,
    amount: i64,
) -> StoreResult<()> {
    let amount = amount.max(0);
    let change = serde_json::json!({"event": event, "paid": amount});
    mark(
        db,
        scope,
        actor,
        (event, id),
        (r_row::Column::Paid, amount.into()),
        ("rsvp.paid", change),
        false,
    )
    .await
}

/// Marks one attendee as not come (or come after all, `false`); one received at the door is not changed.
pub async fn set_no_show(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    event: EventId,
    id: RsvpId,
    no_show: bool,
) -> StoreResult<()> {
    let change = serde_json::json!({"event": event, "no_show": no_show});
    mark(
        db,
        scope,
        actor,
        (event, id),
        (r_row::Column::NoShow, no_show.into()),
        ("rsvp.no_show", change),
        true,
    )
    .await
}

/// Sets one column of one reply of the event, audited; `NotFound` when no such reply (or, with
/// `not_checked_in`, when the person was received).
async fn mark(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    (event, id): (EventId, RsvpId),
    (column, value): (r_row::Column, sea_orm::Value),
    (action, changes): (&'static str, serde_json::Value),
    not_checked_in: bool,
) -> StoreResult<()> {
    let tx = db.write.begin().await?;
    let mut q = r_row::Entity::update_many()
        .col_expr(column, Expr::value(value))
        .col_expr(r_row::Column::UpdatedAt, Expr::value(now()))
        .filter(r_row::Column::CompanyId.eq(scope.company_id().0))
        .filter(r_row::Column::EventId.eq(event.0))
        .filter(r_row::Column::Id.eq(id.0));
    if not_checked_in {
        q = q.filter(r_row::Column::CheckedInAt.is_null());
    }
    if q.exec(&tx).await?.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    audit::record(
        &tx,
        scope,
        Change {
            action,
            entity: "rsvp",
            entity_id: id.0,
            person_id: None,
            changes,
            actor,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
