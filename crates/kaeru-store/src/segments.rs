//! Segments: saved queries over the company's people, and their evaluation for one purpose of use — who
//! matches, who of them may be written to and by which channel, and how many are left out and why.

use crate::audit::{self, Change};
use crate::entity::segment as row;
use crate::{Actor, Clash, Db, Scope, StoreError, StoreResult, now};
use kaeru_domain::announcement::{ChannelPolicy, DeliveryChannel, LeftOut, SegmentFilter};
use kaeru_domain::touchpoint::{Channel, WarmthLabel, warmth};
use kaeru_domain::{PersonId, SegmentId};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, Set, Statement, TransactionTrait, Value,
};
use std::collections::{BTreeMap, HashMap, HashSet};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    pub id: SegmentId,
    pub name: String,
    pub filter: SegmentFilter,
    pub created_by: String,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

fn segment_of(r: row::Model) -> Segment {
    Segment {
        id: SegmentId(r.id),
        name: r.name,
        filter: serde_json::from_str(&r.filter).unwrap_or_default(),
        created_by: r.created_by,
        updated_at: r.updated_at,
    }
}

pub async fn list(db: &Db, scope: &Scope) -> StoreResult<Vec<Segment>> {
    Ok(row::Entity::find()
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .order_by_asc(row::Column::Name)
        .all(&db.read)
        .await?
        .into_iter()
        .map(segment_of)
        .collect())
}

pub async fn get(db: &Db, scope: &Scope, id: SegmentId) -> StoreResult<Segment> {
    row::Entity::find_by_id(id.0)
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .one(&db.read)
        .await?
        .map(segment_of)
        .ok_or(StoreError::NotFound)
}

/// Saves a new segment (`id` `None`) or changes one.
pub async fn save(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    id: Option<SegmentId>,
    name: &str,
    filter: &SegmentFilter,
) -> StoreResult<Segment> {
    let json = serde_json::to_string(filter).map_err(|e| StoreError::Other(e.into()))?;
    let tx = db.write.begin().await?;
    let model = match id {
        None => row::ActiveModel {
            id: Set(SegmentId::new().0),
            company_id: Set(scope.company_id().0),
            name: Set(name.into()),
            filter: Set(json.clone()),
            created_by: Set(actor.name.clone()),
            created_at: Set(now()),
            updated_at: Set(now()),
        }
        .insert(&tx)
        .await
        .map_err(StoreError::conflict_on(Clash::SegmentNameTaken))?,
        Some(id) => {
            let current = row::Entity::find_by_id(id.0)
                .filter(row::Column::CompanyId.eq(scope.company_id().0))
                .one(&tx)
                .await?
                .ok_or(StoreError::NotFound)?;
            let mut am: row::ActiveModel = current.into();
            am.name = Set(name.into());
            am.filter = Set(json.clone());
            am.updated_at = Set(now());
            am.update(&tx)
                .await
                .map_err(StoreError::conflict_on(Clash::SegmentNameTaken))?
        }
    };
    audit::record(
        &tx,
        scope,
        Change {
            action: if id.is_none() {
                "segment.create"
            } else {
                "segment.update"
            },
            entity: "segment",
            entity_id: model.id,
            person_id: None,
            changes: serde_json::json!({"name": name, "filter": filter}),
            actor,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(segment_of(model))
}

pub async fn delete(db: &Db, scope: &Scope, actor: &Actor, id: SegmentId) -> StoreResult<()> {
    let tx = db.write.begin().await?;
    let r = row::Entity::delete_many()
        .filter(row::Column::Id.eq(id.0))
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .exec(&tx)
        .await?;
    if r.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    audit::record(
        &tx,
        scope,
        Change {
            action: "segment.delete",
            entity: "segment",
            entity_id: id.0,
            person_id: None,
            changes: serde_json::json!({}),
            actor,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// One person an announcement goes to, and how.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recipient {
    pub person: PersonId,
    pub channel: DeliveryChannel,
    /// The e-mail address or the LINE user id.
    pub address: String,
}

/// A segment evaluated for a purpose.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Audience {
    /// People the query matched.
    pub matched: u64,
    pub recipients: Vec<Recipient>,
    pub left_out: BTreeMap<LeftOut, u64>,
}

impl Audience {
    pub fn by(&self, channel: DeliveryChannel) -> u64 {
        self.recipients
            .iter()
            .filter(|r| r.channel == channel)
            .count() as u64
    }

    pub fn left_out_total(&self) -> u64 {
        self.left_out.values().sum()
    }
}

/// Collects SQL placeholders for either backend.
struct Sql {
    backend: DbBackend,
    text: String,
    values: Vec<Value>,
}

impl Sql {
    fn push(&mut self, v: impl Into<Value>) -> String {
        self.values.push(v.into());
        match self.backend {
            DbBackend::Postgres => format!("${}", self.values.len()),
            _ => format!("?{}", self.values.len()),
        }
    }

    fn list<T: Into<Value> + Clone>(&mut self, items: &[T]) -> String {
        items
            .iter()
            .map(|i| self.push(i.clone()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

struct Matched {
    id: PersonId,
    contact_stopped: bool,
    last_contact_on: Option<chrono::NaiveDate>,
}

/// The people matching the filter (not erased), in one query.
async fn matching(
    conn: &impl ConnectionTrait,
    backend: DbBackend,
    scope: &Scope,
    f: &SegmentFilter,
    today: chrono::NaiveDate,
) -> StoreResult<Vec<Matched>> {
    let mut q = Sql {
        backend,
        text: String::new(),
        values: Vec::new(),
    };
    let company = q.push(scope.company_id().0);
    let mut text = format!(
        "SELECT p.id, p.contact_stopped_at, p.last_contact_on FROM people p \
         WHERE p.company_id = {company} AND p.erased_at IS NULL"
    );
    if !f.statuses.is_empty() {
        let codes: Vec<String> = f.statuses.iter().map(|s| s.code().to_string()).collect();
        text += &format!(" AND p.status IN ({})", q.list(&codes));
    }
    if !f.prefectures.is_empty() {
        text += &format!(" AND p.prefecture IN ({})", q.list(&f.prefectures));
    }
    if !f.intents.is_empty() {
        let codes: Vec<String> = f.intents.iter().map(|s| s.code().to_string()).collect();
        text += &format!(" AND p.return_intent IN ({})", q.list(&codes));
    }
    // Stint conditions hold for one and the same stint: "left 製造部 in 2020–2024, welcome back".
    let mut stint = Vec::new();
    if let Some(y) = f.left_from {
        let d = chrono::NaiveDate::from_ymd_opt(y, 1, 1).unwrap_or(today);
        stint.push(format!("s.end_date >= {}", q.push(d)));
    }
    if let Some(y) = f.left_to {
        let d = chrono::NaiveDate::from_ymd_opt(y, 12, 31).unwrap_or(today);
        stint.push(format!("s.end_date <= {}", q.push(d)));
    }
    if f.left_from.is_some() || f.left_to.is_some() {
        stint.push(format!("s.end_date <= {}", q.push(today)));
    }
    if !f.departments.is_empty() {
        stint.push(format!("s.department IN ({})", q.list(&f.departments)));
    }
    if !f.leave_reasons.is_empty() {
        let codes: Vec<String> = f
            .leave_reasons
            .iter()
            .map(|s| s.code().to_string())
            .collect();
        stint.push(format!("s.leave_reason IN ({})", q.list(&codes)));
    }
    if !f.rehire.is_empty() {
        let codes: Vec<String> = f.rehire.iter().map(|s| s.code().to_string()).collect();
        stint.push(format!("s.rehire_eligibility IN ({})", q.list(&codes)));
    }
    if !stint.is_empty() {
        text += &format!(
            " AND EXISTS (SELECT 1 FROM employment_stints s WHERE s.company_id = p.company_id \
             AND s.person_id = p.id AND {})",
            stint.join(" AND ")
        );
    }
    for (skill, level) in &f.skills {
        let s = q.push(skill.0);
        let l = q.push(i32::from(*level));
        text += &format!(
            " AND EXISTS (SELECT 1 FROM person_skills k WHERE k.company_id = p.company_id \
             AND k.person_id = p.id AND k.skill_id = {s} AND k.level >= {l})"
        );
    }
    if let Some(want) = f.offer_active {
        let t = q.push(today);
        let exists = format!(
            "EXISTS (SELECT 1 FROM return_offers o WHERE o.company_id = p.company_id \
             AND o.person_id = p.id AND o.status IN ('issued', 'acknowledged') \
             AND o.valid_from <= {t} AND o.valid_until >= {t})"
        );
        text += &if want {
            format!(" AND {exists}")
        } else {
            format!(" AND NOT {exists}")
        };
    }
    if let Some(y) = f.attended_from {
        let from = chrono::NaiveDate::from_ymd_opt(y, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|d| d.and_utc())
            .unwrap_or_default();
        let t = q.push(from);
        text += &format!(
            " AND EXISTS (SELECT 1 FROM rsvps r JOIN events e ON e.id = r.event_id \
             WHERE r.company_id = p.company_id AND r.person_id = p.id \
             AND r.checked_in_at IS NOT NULL AND e.starts_at >= {t})"
        );
    }
    q.text = text;
    let rows = conn
        .query_all_raw(Statement::from_sql_and_values(backend, q.text, q.values))
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(Matched {
            id: PersonId(r.try_get::<uuid::Uuid>("", "id")?),
            contact_stopped: r
                .try_get::<Option<chrono::DateTime<chrono::Utc>>>("", "contact_stopped_at")?
                .is_some(),
            last_contact_on: r.try_get::<Option<chrono::NaiveDate>>("", "last_contact_on")?,
        });
    }
    Ok(out)
}

/// Evaluates the filter for `purpose`: everyone it matches, split into recipients (with their channel
/// under `policy`; LINE only when `line_ready`) and the left out, by reason. Read in one transaction.
pub async fn evaluate(
    db: &Db,
    scope: &Scope,
    filter: &SegmentFilter,
    purpose: &str,
    policy: ChannelPolicy,
    line_ready: bool,
    today: chrono::NaiveDate,
) -> StoreResult<Audience> {
    let tx = db.read.begin().await?;
    let c = scope.company_id().0;
    let mut people = matching(&tx, db.backend, scope, filter, today).await?;
    if !filter.warmth.is_empty() {
        let wanted: HashSet<WarmthLabel> = filter.warmth.iter().copied().collect();
        let mut contacts: HashMap<PersonId, Vec<(chrono::NaiveDate, Channel)>> = HashMap::new();
        for t in crate::entity::touchpoint::Entity::find()
            .filter(crate::entity::touchpoint::Column::CompanyId.eq(c))
            .all(&tx)
            .await?
        {
            if let Some(ch) = Channel::parse(&t.channel) {
                contacts
                    .entry(PersonId(t.person_id))
                    .or_default()
                    .push((t.on_date, ch));
            }
        }
        people.retain(|p| {
            let w = warmth(
                contacts.get(&p.id).map_or(&[][..], Vec::as_slice),
                p.last_contact_on,
                today,
            );
            wanted.contains(&w.label)
        });
    }
    let consents = purpose_decisions(&tx, scope, purpose).await?;
    let mut emails: HashMap<PersonId, String> = HashMap::new();
    for e in crate::entity::person_email::Entity::find()
        .filter(crate::entity::person_email::Column::CompanyId.eq(c))
        .order_by_asc(crate::entity::person_email::Column::Position)
        .all(&tx)
        .await?
    {
        emails.entry(PersonId(e.person_id)).or_insert(e.email);
    }
    let bounced = crate::messaging::bounced(&tx, scope).await?;
    let lines = if line_ready {
        crate::messaging::following_links(&tx, scope).await?
    } else {
        HashMap::new()
    };
    let mut audience = Audience {
        matched: people.len() as u64,
        ..Default::default()
    };
    for p in people {
        let why = if p.contact_stopped {
            Some(LeftOut::ContactStopped)
        } else {
            match consents.get(&p.id) {
                Some(true) => None,
                Some(false) => Some(LeftOut::Withdrawn),
                None => Some(LeftOut::NoConsent),
            }
        };
        if let Some(why) = why {
            *audience.left_out.entry(why).or_default() += 1;
            continue;
        }
        let email = emails
            .get(&p.id)
            .filter(|e| !crate::messaging::is_bounced(&bounced, e));
        let line = lines.get(&p.id);
        match policy.pick(line.is_some(), email.is_some()) {
            Some(DeliveryChannel::Line) => audience.recipients.push(Recipient {
                person: p.id,
                channel: DeliveryChannel::Line,
                address: line.cloned().unwrap_or_default(),
            }),
            Some(DeliveryChannel::Email) => audience.recipients.push(Recipient {
                person: p.id,
                channel: DeliveryChannel::Email,
                address: email.cloned().unwrap_or_default(),
            }),
            None => {
                let why = if emails.contains_key(&p.id) && policy != ChannelPolicy::Line {
                    LeftOut::Bounced
                } else {
                    LeftOut::NoAddress
                };
                *audience.left_out.entry(why).or_default() += 1;
            }
        }
    }
    Ok(audience)
}

/// Each person's standing on the purpose's current version: `true` consented, `false` said no (to any
/// version). People never asked (or asked only about an older version and not refusing) are absent.
pub(crate) async fn purpose_decisions(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    purpose: &str,
) -> StoreResult<HashMap<PersonId, bool>> {
    purpose_decisions_of(conn, scope, purpose, None).await
}

/// [`purpose_decisions`] for some people only (a batch about to be sent), in chunks of 500 ids.
pub(crate) async fn purpose_decisions_of(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    purpose: &str,
    only: Option<&[PersonId]>,
) -> StoreResult<HashMap<PersonId, bool>> {
    use crate::entity::{consent, purpose as purpose_row};
    let c = scope.company_id().0;
    let Some(pur) = purpose_row::Entity::find()
        .filter(purpose_row::Column::CompanyId.eq(c))
        .filter(purpose_row::Column::Code.eq(purpose))
        .one(conn)
        .await?
    else {
        return Ok(HashMap::new());
    };
    if !pur.active {
        return Ok(HashMap::new());
    }
    let mut rows = Vec::new();
    match only {
        None => {
            rows = consent::Entity::find()
                .filter(consent::Column::CompanyId.eq(c))
                .filter(consent::Column::PurposeId.eq(pur.id))
                .all(conn)
                .await?;
        }
        Some(people) => {
            for chunk in people.chunks(500) {
                rows.extend(
                    consent::Entity::find()
                        .filter(consent::Column::CompanyId.eq(c))
                        .filter(consent::Column::PurposeId.eq(pur.id))
                        .filter(consent::Column::PersonId.is_in(chunk.iter().map(|p| p.0)))
                        .all(conn)
                        .await?,
                );
            }
        }
    }
    let mut out = HashMap::new();
    for r in rows {
        if !r.granted {
            out.insert(PersonId(r.person_id), false);
        } else if r.version == pur.version {
            out.insert(PersonId(r.person_id), true);
        }
    }
    Ok(out)
}
