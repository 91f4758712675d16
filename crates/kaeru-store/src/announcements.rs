//! Announcements and their deliveries. Sending writes one delivery row per recipient in the same
//! transaction that moves the announcement to 送信中 — a unique key (announcement, person) makes a second
//! row impossible — and the worker claims rows with a lease, as the outbox does: an expired lease makes a
//! row claimable again, so a node that dies mid-send is taken over. LINE rows are grouped in batches of at
//! most 500 with one retry key each, so a retried batch is never a second message.

use crate::audit::{self, Change};
use crate::entity::{announcement as row, delivery as d_row, person as person_row};
use crate::segments::Audience;
use crate::{Actor, Clash, Db, Page, Scope, StoreError, StoreResult, now};
use kaeru_domain::announcement::{
    AnnouncementDraft, AnnouncementKind, AnnouncementStatus, DeliveryChannel, DeliveryStatus,
    LINE_BATCH, SegmentFilter,
};
use kaeru_domain::{AnnouncementId, CompanyId, DeliveryId, EventId, PersonId, SegmentId};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set, Statement, TransactionTrait,
};
use std::collections::HashMap;
use uuid::Uuid;

/// After this many failed attempts a delivery is given up as failed.
pub const MAX_ATTEMPTS: i32 = 5;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Announcement {
    pub id: AnnouncementId,
    pub kind: AnnouncementKind,
    pub subject: String,
    pub body: String,
    pub purpose: String,
    pub segment: Option<SegmentId>,
    /// The segment's query as it was when sending began.
    pub filter: SegmentFilter,
    pub status: AnnouncementStatus,
    pub scheduled_at: Option<chrono::DateTime<chrono::Utc>>,
    pub started_at: Option<chrono::DateTime<chrono::Utc>>,
    pub finished_at: Option<chrono::DateTime<chrono::Utc>>,
    pub paused_reason: Option<String>,
    pub recipients: i32,
    pub left_out: i32,
    pub created_by: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    /// The event an invitation is for.
    pub event: Option<EventId>,
}

fn announcement_of(r: row::Model) -> Announcement {
    Announcement {
        id: AnnouncementId(r.id),
        kind: AnnouncementKind::parse(&r.kind).unwrap_or(AnnouncementKind::Notice),
        subject: r.subject,
        body: r.body,
        purpose: r.purpose,
        segment: r.segment_id.map(SegmentId),
        filter: serde_json::from_str(&r.filter).unwrap_or_default(),
        status: AnnouncementStatus::parse(&r.status).unwrap_or(AnnouncementStatus::Draft),
        scheduled_at: r.scheduled_at,
        started_at: r.started_at,
        finished_at: r.finished_at,
        paused_reason: r.paused_reason,
        recipients: r.recipients,
        left_out: r.left_out,
        created_by: r.created_by,
        created_at: r.created_at,
        updated_at: r.updated_at,
        event: r.event_id.map(EventId),
    }
}

fn status_for(d: &AnnouncementDraft) -> AnnouncementStatus {
    if d.scheduled_at.is_some() {
        AnnouncementStatus::Scheduled
    } else {
        AnnouncementStatus::Draft
    }
}

/// Saves a new announcement (`id` `None`) or changes one still a draft or scheduled.
pub async fn save(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    id: Option<AnnouncementId>,
    d: &AnnouncementDraft,
) -> StoreResult<Announcement> {
    let tx = db.write.begin().await?;
    let model = match id {
        None => {
            row::ActiveModel {
                id: Set(AnnouncementId::new().0),
                company_id: Set(scope.company_id().0),
                kind: Set(d.kind.code().into()),
                subject: Set(d.subject.clone()),
                body: Set(d.body.clone()),
                purpose: Set(d.purpose.clone()),
                segment_id: Set(d.segment.map(|s| s.0)),
                filter: Set("{}".into()),
                status: Set(status_for(d).code().into()),
                scheduled_at: Set(d.scheduled_at),
                started_at: Set(None),
                finished_at: Set(None),
                paused_reason: Set(None),
                recipients: Set(0),
                left_out: Set(0),
                created_by: Set(actor.name.clone()),
                created_at: Set(now()),
                updated_at: Set(now()),
                event_id: Set(d.event.map(|e| e.0)),
            }
            .insert(&tx)
            .await?
        }
        Some(id) => {
            let current = row::Entity::find_by_id(id.0)
                .filter(row::Column::CompanyId.eq(scope.company_id().0))
                .one(&tx)
                .await?
                .ok_or(StoreError::NotFound)?;
            let editable = AnnouncementStatus::parse(&current.status)
                .is_some_and(AnnouncementStatus::is_editable);
            if !editable {
                return Err(StoreError::Conflict(Clash::AlreadySent));
            }
            let mut am: row::ActiveModel = current.into();
            am.kind = Set(d.kind.code().into());
            am.subject = Set(d.subject.clone());
            am.body = Set(d.body.clone());
            am.purpose = Set(d.purpose.clone());
            am.segment_id = Set(d.segment.map(|s| s.0));
            am.status = Set(status_for(d).code().into());
            am.scheduled_at = Set(d.scheduled_at);
            am.event_id = Set(d.event.map(|e| e.0));
            am.updated_at = Set(now());
            am.update(&tx).await?
        }
    };
    audit::record(
        &tx,
        scope,
        Change {
            action: if id.is_none() {
                "announcement.create"
            } else {
                "announcement.update"
            },
            entity: "announcement",
            entity_id: model.id,
            person_id: None,
            changes: serde_json::json!({
                "subject": d.subject,
                "purpose": d.purpose,
                "scheduled_at": d.scheduled_at,
            }),
            actor,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(announcement_of(model))
}

pub async fn get(db: &Db, scope: &Scope, id: AnnouncementId) -> StoreResult<Announcement> {
    row::Entity::find_by_id(id.0)
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .one(&db.read)
        .await?
        .map(announcement_of)
        .ok_or(StoreError::NotFound)
}

/// An announcement found by id alone (a signed link names it; the caller checks the signature with the
/// company's key).
pub async fn by_id(db: &Db, id: AnnouncementId) -> StoreResult<(CompanyId, Announcement)> {
    row::Entity::find_by_id(id.0)
        .one(&db.read)
        .await?
        .map(|r| (CompanyId(r.company_id), announcement_of(r)))
        .ok_or(StoreError::NotFound)
}

/// The company's announcements, newest first.
pub async fn list(db: &Db, scope: &Scope, page: u64) -> StoreResult<Page<Announcement>> {
    let per_page = 30;
    let pages = row::Entity::find()
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .order_by_desc(row::Column::CreatedAt)
        .paginate(&db.read, per_page);
    let total = pages.num_items().await?;
    let items = pages
        .fetch_page(page.saturating_sub(1))
        .await?
        .into_iter()
        .map(announcement_of)
        .collect();
    Ok(Page {
        items,
        total,
        page: page.max(1),
        per_page,
    })
}

/// Moves the announcement to 送信中 and queues one delivery per recipient, in one transaction. Refused
/// with [`Clash::AlreadySent`] unless it is a draft, or scheduled (`scheduled_only`: only then, for the
/// worker picking up a due schedule).
pub async fn start(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    id: AnnouncementId,
    filter: &SegmentFilter,
    audience: &Audience,
    scheduled_only: bool,
) -> StoreResult<()> {
    let recipients = &audience.recipients;
    let left_out = audience.left_out_total();
    let tx = db.write.begin().await?;
    let from: Vec<&str> = if scheduled_only {
        vec![AnnouncementStatus::Scheduled.code()]
    } else {
        vec![
            AnnouncementStatus::Draft.code(),
            AnnouncementStatus::Scheduled.code(),
        ]
    };
    let moved = row::Entity::update_many()
        .col_expr(
            row::Column::Status,
            Expr::value(AnnouncementStatus::Sending.code()),
        )
        .col_expr(row::Column::StartedAt, Expr::value(Some(now())))
        .col_expr(
            row::Column::Filter,
            Expr::value(serde_json::to_string(filter).unwrap_or_else(|_| "{}".into())),
        )
        .col_expr(
            row::Column::Recipients,
            Expr::value(recipients.len() as i32),
        )
        .col_expr(row::Column::LeftOut, Expr::value(left_out as i32))
        .col_expr(row::Column::UpdatedAt, Expr::value(now()))
        .filter(row::Column::Id.eq(id.0))
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .filter(row::Column::Status.is_in(from))
        .exec(&tx)
        .await?;
    if moved.rows_affected == 0 {
        return Err(match get(db, scope, id).await {
            Ok(_) => StoreError::Conflict(Clash::AlreadySent),
            Err(e) => e,
        });
    }
    let at = now();
    let mut line_batch: Option<(Uuid, usize)> = None;
    let rows: Vec<d_row::ActiveModel> = recipients
        .iter()
        .map(|r| {
            let batch_key = match r.channel {
                DeliveryChannel::Email => None,
                DeliveryChannel::Line => {
                    let (key, n) = match line_batch {
                        Some((k, n)) if n < LINE_BATCH => (k, n),
                        _ => (Uuid::now_v7(), 0),
                    };
                    line_batch = Some((key, n + 1));
                    Some(key)
                }
            };
            d_row::ActiveModel {
                id: Set(DeliveryId::new().0),
                company_id: Set(scope.company_id().0),
                announcement_id: Set(id.0),
                person_id: Set(r.person.0),
                channel: Set(r.channel.code().into()),
                address: Set(r.address.clone()),
                status: Set(DeliveryStatus::Queued.code().into()),
                attempts: Set(0),
                next_attempt_at: Set(at),
                claimed_by: Set(None),
                lease_until: Set(None),
                last_error: Set(None),
                batch_key: Set(batch_key),
                sent_at: Set(None),
                created_at: Set(at),
            }
        })
        .collect();
    // Many rows per statement, within the backends' limits on bound values (15 columns a row).
    for chunk in rows.chunks(2000) {
        d_row::Entity::insert_many(chunk.to_vec())
            .on_conflict_do_nothing_on([
                d_row::Column::CompanyId,
                d_row::Column::AnnouncementId,
                d_row::Column::PersonId,
            ])
            .exec_without_returning(&tx)
            .await?;
    }
    let event = row::Entity::find_by_id(id.0)
        .one(&tx)
        .await?
        .and_then(|a| a.event_id);
    if let Some(event) = event {
        let people: Vec<PersonId> = recipients.iter().map(|r| r.person).collect();
        crate::events::invite_in(&tx, scope, EventId(event), &people).await?;
    }
    audit::record(
        &tx,
        scope,
        Change {
            action: "announcement.send",
            entity: "announcement",
            entity_id: id.0,
            person_id: None,
            changes: serde_json::json!({"recipients": recipients.len(), "left_out": left_out}),
            actor,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Scheduled announcements whose time has come, of every company.
pub async fn due(db: &Db) -> StoreResult<Vec<(CompanyId, AnnouncementId)>> {
    Ok(row::Entity::find()
        .filter(row::Column::Status.eq(AnnouncementStatus::Scheduled.code()))
        .filter(row::Column::ScheduledAt.lte(now()))
        .all(&db.read)
        .await?
        .into_iter()
        .map(|r| (CompanyId(r.company_id), AnnouncementId(r.id)))
        .collect())
}

async fn transition(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    id: AnnouncementId,
    from: &[AnnouncementStatus],
    to: AnnouncementStatus,
    reason: Option<&str>,
) -> StoreResult<()> {
    let tx = db.write.begin().await?;
    let moved = row::Entity::update_many()
        .col_expr(row::Column::Status, Expr::value(to.code()))
        .col_expr(
            row::Column::PausedReason,
            Expr::value(reason.map(|r| r.chars().take(500).collect::<String>())),
        )
        .col_expr(row::Column::UpdatedAt, Expr::value(now()))
        .filter(row::Column::Id.eq(id.0))
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .filter(row::Column::Status.is_in(from.iter().map(|s| s.code())))
        .exec(&tx)
        .await?;
    if moved.rows_affected == 0 {
        drop(tx);
        get(db, scope, id).await?;
        return Err(StoreError::Conflict(Clash::StatusChanged));
    }
    if to == AnnouncementStatus::Sending {
        // Resumed: what waited for a retry goes now.
        d_row::Entity::update_many()
            .col_expr(d_row::Column::NextAttemptAt, Expr::value(now()))
            .filter(d_row::Column::AnnouncementId.eq(id.0))
            .filter(d_row::Column::CompanyId.eq(scope.company_id().0))
            .filter(d_row::Column::Status.eq(DeliveryStatus::Queued.code()))
            .exec(&tx)
            .await?;
    }
    audit::record(
        &tx,
        scope,
        Change {
            action: match to {
                AnnouncementStatus::Paused => "announcement.pause",
                AnnouncementStatus::Cancelled => "announcement.cancel",
                _ => "announcement.resume",
            },
            entity: "announcement",
            entity_id: id.0,
            person_id: None,
            changes: serde_json::json!({"reason": reason}),
            actor,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Stops an announcement that has not finished: nothing more is sent.
pub async fn cancel(db: &Db, scope: &Scope, actor: &Actor, id: AnnouncementId) -> StoreResult<()> {
    use AnnouncementStatus as S;
    transition(
        db,
        scope,
        actor,
        id,
        &[S::Draft, S::Scheduled, S::Sending, S::Paused],
        S::Cancelled,
        None,
    )
    .await
}

pub async fn pause(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    id: AnnouncementId,
    reason: &str,
) -> StoreResult<()> {
    use AnnouncementStatus as S;
    transition(db, scope, actor, id, &[S::Sending], S::Paused, Some(reason)).await
}

pub async fn resume(db: &Db, scope: &Scope, actor: &Actor, id: AnnouncementId) -> StoreResult<()> {
    use AnnouncementStatus as S;
    transition(db, scope, actor, id, &[S::Paused], S::Sending, None).await
}

/// Deliveries by status and channel.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Totals {
    pub queued: i64,
    pub sent: i64,
    pub failed: i64,
    pub bounced: i64,
    pub unsubscribed: i64,
    pub refused: i64,
    pub email: i64,
    pub line: i64,
}

pub async fn totals(db: &Db, scope: &Scope, id: AnnouncementId) -> StoreResult<Totals> {
    let rows: Vec<(String, String, i64)> = d_row::Entity::find()
        .select_only()
        .column(d_row::Column::Status)
        .column(d_row::Column::Channel)
        .column_as(d_row::Column::Id.count(), "n")
        .filter(d_row::Column::CompanyId.eq(scope.company_id().0))
        .filter(d_row::Column::AnnouncementId.eq(id.0))
        .group_by(d_row::Column::Status)
        .group_by(d_row::Column::Channel)
        .into_tuple()
        .all(&db.read)
        .await?;
    let mut t = Totals::default();
    for (status, channel, n) in rows {
        match DeliveryStatus::parse(&status) {
            Some(DeliveryStatus::Queued) => t.queued += n,
            Some(DeliveryStatus::Sent) => t.sent += n,
            Some(DeliveryStatus::Failed) => t.failed += n,
            Some(DeliveryStatus::Bounced) => t.bounced += n,
            Some(DeliveryStatus::Unsubscribed) => t.unsubscribed += n,
            Some(DeliveryStatus::Refused) => t.refused += n,
            None => {}
        }
        match DeliveryChannel::parse(&channel) {
            Some(DeliveryChannel::Email) => t.email += n,
            Some(DeliveryChannel::Line) => t.line += n,
            None => {}
        }
    }
    Ok(t)
}

/// One recipient's delivery, for the announcement's page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    pub id: DeliveryId,
    pub person: PersonId,
    pub name: String,
    pub channel: DeliveryChannel,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub sent_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// Deliveries of an announcement in the order they were queued, 50 a page, optionally of one status.
pub async fn deliveries(
    db: &Db,
    scope: &Scope,
    id: AnnouncementId,
    status: Option<DeliveryStatus>,
    page: u64,
) -> StoreResult<Page<Delivery>> {
    let per_page = 50;
    let mut q = d_row::Entity::find()
        .filter(d_row::Column::CompanyId.eq(scope.company_id().0))
        .filter(d_row::Column::AnnouncementId.eq(id.0));
    if let Some(s) = status {
        q = q.filter(d_row::Column::Status.eq(s.code()));
    }
    let pages = q
        .order_by_asc(d_row::Column::Id)
        .paginate(&db.read, per_page);
    let total = pages.num_items().await?;
    let rows = pages.fetch_page(page.saturating_sub(1)).await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.person_id).collect();
    let names: HashMap<Uuid, String> = person_row::Entity::find()
        .filter(person_row::Column::CompanyId.eq(scope.company_id().0))
        .filter(person_row::Column::Id.is_in(ids))
        .all(&db.read)
        .await?
        .into_iter()
        .map(|p| (p.id, format!("{} {}", p.family_name, p.given_name)))
        .collect();
    let items: Vec<Delivery> = rows
        .into_iter()
        .map(|r| {
            let name = names.get(&r.person_id).cloned().unwrap_or_default();
            Delivery {
                id: DeliveryId(r.id),
                person: PersonId(r.person_id),
                name,
                channel: DeliveryChannel::parse(&r.channel).unwrap_or(DeliveryChannel::Email),
                status: DeliveryStatus::parse(&r.status).unwrap_or(DeliveryStatus::Queued),
                attempts: r.attempts,
                last_error: r.last_error,
                sent_at: r.sent_at,
            }
        })
        .collect();
    Ok(Page {
        items,
        total,
        page: page.max(1),
        per_page,
    })
}

/// The announcements a person was sent (for the person's page and the portal).
pub async fn for_person(
    db: &Db,
    scope: &Scope,
    person: PersonId,
) -> StoreResult<Vec<(Announcement, DeliveryChannel, DeliveryStatus)>> {
    let rows = d_row::Entity::find()
        .filter(d_row::Column::CompanyId.eq(scope.company_id().0))
        .filter(d_row::Column::PersonId.eq(person.0))
        .order_by_desc(d_row::Column::CreatedAt)
        .limit(100)
        .all(&db.read)
        .await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.announcement_id).collect();
    let anns: HashMap<Uuid, Announcement> = row::Entity::find()
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .filter(row::Column::Id.is_in(ids))
        .all(&db.read)
        .await?
        .into_iter()
        .map(|r| (r.id, announcement_of(r)))
        .collect();
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some((
                anns.get(&r.announcement_id)?.clone(),
                DeliveryChannel::parse(&r.channel)?,
                DeliveryStatus::parse(&r.status)?,
            ))
        })
        .collect())
}

/// A delivery claimed by a worker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claimed {
    pub id: DeliveryId,
    pub company: CompanyId,
    pub announcement: AnnouncementId,
    pub person: PersonId,
    pub channel: DeliveryChannel,
    pub address: String,
    pub attempts: i32,
    pub batch_key: Option<Uuid>,
}

fn claimed_of(r: d_row::Model) -> Claimed {
    Claimed {
        id: DeliveryId(r.id),
        company: CompanyId(r.company_id),
        announcement: AnnouncementId(r.announcement_id),
        person: PersonId(r.person_id),
        channel: DeliveryChannel::parse(&r.channel).unwrap_or(DeliveryChannel::Email),
        address: r.address,
        attempts: r.attempts,
        batch_key: r.batch_key,
    }
}

/// Companies with e-mail deliveries due now (of announcements being sent), and how many each sent in the
/// last minute (for the per-company rate).
pub async fn email_due(db: &Db) -> StoreResult<Vec<(CompanyId, i64)>> {
    let t = now();
    let companies: Vec<Uuid> = d_row::Entity::find()
        .select_only()
        .column(d_row::Column::CompanyId)
        .distinct()
        .filter(d_row::Column::Status.eq(DeliveryStatus::Queued.code()))
        .filter(d_row::Column::Channel.eq(DeliveryChannel::Email.code()))
        .filter(d_row::Column::NextAttemptAt.lte(t))
        .into_tuple()
        .all(&db.read)
        .await?;
    let mut out = Vec::with_capacity(companies.len());
    for c in companies {
        let recent = d_row::Entity::find()
            .filter(d_row::Column::CompanyId.eq(c))
            .filter(d_row::Column::SentAt.gt(t - chrono::Duration::minutes(1)))
            .count(&db.read)
            .await?;
        out.push((CompanyId(c), recent as i64));
    }
    Ok(out)
}

fn claim_sql(backend: DbBackend, by_batch: bool) -> String {
    let (p, skip) = match backend {
        DbBackend::Postgres => ("$", " FOR UPDATE SKIP LOCKED"),
        _ => ("?", ""),
    };
    let pick = if by_batch {
        format!("batch_key = {p}5")
    } else {
        format!("company_id = {p}5 AND channel = 'email'")
    };
    format!(
        "UPDATE deliveries SET claimed_by = {p}1, lease_until = {p}2 WHERE id IN (SELECT d.id FROM deliveries d \
         JOIN announcements a ON a.id = d.announcement_id AND a.status = 'sending' \
         WHERE d.status = 'queued' AND d.next_attempt_at <= {p}3 AND (d.lease_until IS NULL OR d.lease_until < {p}3) \
         AND d.{pick} ORDER BY d.next_attempt_at LIMIT {p}4{skip}) RETURNING id"
    )
}

async fn claim_where(
    db: &Db,
    node: &str,
    lease: chrono::Duration,
    limit: u64,
    by_batch: bool,
    key: sea_orm::Value,
) -> StoreResult<Vec<Claimed>> {
    let t = now();
    let sql = claim_sql(db.backend, by_batch);
    let stmt = Statement::from_sql_and_values(
        db.backend,
        sql,
        [
            node.into(),
            (t + lease).into(),
            t.into(),
            (limit as i64).into(),
            key,
        ],
    );
    let rows = db.write.query_all_raw(stmt).await?;
    let mut ids = Vec::with_capacity(rows.len());
    for r in rows {
        ids.push(r.try_get::<Uuid>("", "id")?);
    }
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        out.extend(
            d_row::Entity::find()
                .filter(d_row::Column::Id.is_in(chunk.to_vec()))
                .filter(d_row::Column::ClaimedBy.eq(node))
                .all(&db.write)
                .await?
                .into_iter()
                .map(claimed_of),
        );
    }
    Ok(out)
}

/// Claims up to `limit` due e-mail deliveries of one company for `node`.
pub async fn claim_email(
    db: &Db,
    company: CompanyId,
    node: &str,
    lease: chrono::Duration,
    limit: u64,
) -> StoreResult<Vec<Claimed>> {
    claim_where(db, node, lease, limit, false, company.0.into()).await
}

/// Claims one due LINE batch (all its queued rows, at most 500) for `node`.
pub async fn claim_line_batch(
    db: &Db,
    node: &str,
    lease: chrono::Duration,
) -> StoreResult<Vec<Claimed>> {
    let t = now();
    let next: Option<Option<Uuid>> = d_row::Entity::find()
        .select_only()
        .column(d_row::Column::BatchKey)
        .filter(d_row::Column::Status.eq(DeliveryStatus::Queued.code()))
        .filter(d_row::Column::Channel.eq(DeliveryChannel::Line.code()))
        .filter(d_row::Column::NextAttemptAt.lte(t))
        .filter(
            sea_orm::Condition::any()
                .add(d_row::Column::LeaseUntil.is_null())
                .add(d_row::Column::LeaseUntil.lt(t)),
        )
        .filter(
            d_row::Column::AnnouncementId.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(row::Column::Id)
                    .from(row::Entity)
                    .and_where(row::Column::Status.eq(AnnouncementStatus::Sending.code()))
                    .to_owned(),
            ),
        )
        .order_by_asc(d_row::Column::NextAttemptAt)
        .into_tuple()
        .one(&db.write)
        .await?;
    let Some(Some(key)) = next else {
        return Ok(Vec::new());
    };
    claim_where(db, node, lease, LINE_BATCH as u64, true, key.into()).await
}

/// Marks deliveries sent (those this node still holds).
pub async fn mark_sent(db: &Db, ids: &[DeliveryId], node: &str) -> StoreResult<u64> {
    let mut n = 0;
    for chunk in ids.chunks(500) {
        n += d_row::Entity::update_many()
            .col_expr(
                d_row::Column::Status,
                Expr::value(DeliveryStatus::Sent.code()),
            )
            .col_expr(d_row::Column::SentAt, Expr::value(Some(now())))
            .col_expr(
                d_row::Column::ClaimedBy,
                Expr::value(Option::<String>::None),
            )
            .col_expr(
                d_row::Column::LeaseUntil,
                Expr::value(Option::<chrono::DateTime<chrono::Utc>>::None),
            )
            .col_expr(
                d_row::Column::Attempts,
                sea_orm::sea_query::ExprTrait::add(Expr::col(d_row::Column::Attempts), 1),
            )
            .filter(d_row::Column::Id.is_in(chunk.iter().map(|i| i.0)))
            .filter(d_row::Column::ClaimedBy.eq(node))
            .exec(&db.write)
            .await?
            .rows_affected;
    }
    Ok(n)
}

/// Ends deliveries for good with `status` (refused, bounced, failed) and a reason.
pub async fn mark_final(
    db: &Db,
    ids: &[DeliveryId],
    node: &str,
    status: DeliveryStatus,
    error: &str,
) -> StoreResult<u64> {
    let mut n = 0;
    let error: String = error.chars().take(500).collect();
    for chunk in ids.chunks(500) {
        n += d_row::Entity::update_many()
            .col_expr(d_row::Column::Status, Expr::value(status.code()))
            .col_expr(
                d_row::Column::SentAt,
                Expr::value(Option::<chrono::DateTime<chrono::Utc>>::None),
            )
            .col_expr(d_row::Column::LastError, Expr::value(Some(error.clone())))
            .col_expr(
                d_row::Column::ClaimedBy,
                Expr::value(Option::<String>::None),
            )
            .col_expr(
                d_row::Column::LeaseUntil,
                Expr::value(Option::<chrono::DateTime<chrono::Utc>>::None),
            )
            .filter(d_row::Column::Id.is_in(chunk.iter().map(|i| i.0)))
            .filter(d_row::Column::ClaimedBy.eq(node))
            .exec(&db.write)
            .await?
            .rows_affected;
    }
    Ok(n)
}

/// Back-off after the n-th failed attempt: 1, 5, 30 minutes, then 2 hours.
pub fn backoff(attempts: i32) -> chrono::Duration {
    match attempts {
        ..=1 => chrono::Duration::minutes(1),
        2 => chrono::Duration::minutes(5),
        3 => chrono::Duration::minutes(30),
        _ => chrono::Duration::hours(2),
    }
}

/// A failed attempt: retried after `wait` (or the back-off), or failed for good after [`MAX_ATTEMPTS`].
pub async fn mark_retry(
    db: &Db,
    c: &Claimed,
    node: &str,
    error: &str,
    wait: Option<chrono::Duration>,
) -> StoreResult<bool> {
    let attempts = c.attempts + 1;
    if attempts >= MAX_ATTEMPTS {
        return Ok(mark_final(db, &[c.id], node, DeliveryStatus::Failed, error).await? > 0);
    }
    let r = d_row::Entity::update_many()
        .col_expr(
            d_row::Column::Status,
            Expr::value(DeliveryStatus::Queued.code()),
        )
        .col_expr(
            d_row::Column::SentAt,
            Expr::value(Option::<chrono::DateTime<chrono::Utc>>::None),
        )
        .col_expr(d_row::Column::Attempts, Expr::value(attempts))
        .col_expr(
            d_row::Column::NextAttemptAt,
            Expr::value(now() + wait.unwrap_or_else(|| backoff(attempts))),
        )
        .col_expr(
            d_row::Column::LastError,
            Expr::value(Some(error.chars().take(500).collect::<String>())),
        )
        .col_expr(
            d_row::Column::ClaimedBy,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            d_row::Column::LeaseUntil,
            Expr::value(Option::<chrono::DateTime<chrono::Utc>>::None),
        )
        .filter(d_row::Column::Id.eq(c.id.0))
        .filter(d_row::Column::ClaimedBy.eq(node))
        .exec(&db.write)
        .await?;
    Ok(r.rows_affected > 0)
}

/// Announcements being sent with nothing left queued become 送信済み.
pub async fn finish_done(db: &Db) -> StoreResult<u64> {
    let sending: Vec<(Uuid, Uuid)> = row::Entity::find()
        .select_only()
        .column(row::Column::Id)
        .column(row::Column::CompanyId)
        .filter(row::Column::Status.eq(AnnouncementStatus::Sending.code()))
        .into_tuple()
        .all(&db.read)
        .await?;
    let mut n = 0;
    for (id, company) in sending {
        // Company first, so the count walks the (company, announcement, person) index.
        let left = d_row::Entity::find()
            .filter(d_row::Column::CompanyId.eq(company))
            .filter(d_row::Column::AnnouncementId.eq(id))
            .filter(d_row::Column::Status.eq(DeliveryStatus::Queued.code()))
            .count(&db.write)
            .await?;
        if left == 0 {
            n += row::Entity::update_many()
                .col_expr(
                    row::Column::Status,
                    Expr::value(AnnouncementStatus::Sent.code()),
                )
                .col_expr(row::Column::FinishedAt, Expr::value(Some(now())))
                .filter(row::Column::Id.eq(id))
                .filter(row::Column::CompanyId.eq(company))
                .filter(row::Column::Status.eq(AnnouncementStatus::Sending.code()))
                .exec(&db.write)
                .await?
                .rows_affected;
        }
    }
    Ok(n)
}

/// The worker pauses an announcement by itself (repeated failures, LINE's quota) and says why.
pub async fn pause_by_worker(
    db: &Db,
    company: CompanyId,
    id: AnnouncementId,
    reason: &str,
) -> StoreResult<()> {
    let scope = Scope::for_company(company);
    match pause(db, &scope, &Actor::system("worker"), id, reason).await {
        Ok(()) | Err(StoreError::Conflict(_)) => Ok(()),
        Err(e) => Err(e),
    }
}

/// The people of a batch whose consent to the purpose still stands and who have not stopped contact.
pub async fn still_allowed(
    db: &Db,
    company: CompanyId,
    purpose: &str,
    people: &[PersonId],
) -> StoreResult<std::collections::HashSet<PersonId>> {
    let scope = Scope::for_company(company);
    let decisions =
        crate::segments::purpose_decisions_of(&db.write, &scope, purpose, Some(people)).await?;
    let ids: Vec<Uuid> = people.iter().map(|p| p.0).collect();
    let mut stopped = std::collections::HashSet::new();
    for chunk in ids.chunks(500) {
        for p in person_row::Entity::find()
            .filter(person_row::Column::CompanyId.eq(company.0))
            .filter(person_row::Column::Id.is_in(chunk.to_vec()))
            .all(&db.write)
            .await?
        {
            if p.contact_stopped_at.is_some() || p.erased_at.is_some() {
                stopped.insert(PersonId(p.id));
            }
        }
    }
    Ok(people
        .iter()
        .copied()
        .filter(|p| decisions.get(p) == Some(&true) && !stopped.contains(p))
        .collect())
}

/// What a signed link names: the delivery, its company, person and announcement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Linked {
    pub delivery: DeliveryId,
    pub company: CompanyId,
    pub person: PersonId,
    pub announcement: Announcement,
    pub status: DeliveryStatus,
}

/// The delivery a link's token names (its signature is checked by the caller with the company's key).
pub async fn linked(db: &Db, id: DeliveryId) -> StoreResult<Linked> {
    let d = d_row::Entity::find_by_id(id.0)
        .one(&db.read)
        .await?
        .ok_or(StoreError::NotFound)?;
    let a = row::Entity::find_by_id(d.announcement_id)
        .filter(row::Column::CompanyId.eq(d.company_id))
        .one(&db.read)
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(Linked {
        delivery: DeliveryId(d.id),
        company: CompanyId(d.company_id),
        person: PersonId(d.person_id),
        announcement: announcement_of(a),
        status: DeliveryStatus::parse(&d.status).unwrap_or(DeliveryStatus::Queued),
    })
}

/// One-click unsubscribe: the person's consent to the announcement's purpose is withdrawn in the consent
/// ledger (audited as theirs) and the delivery is marked. Repeating it changes nothing.
pub async fn unsubscribe(db: &Db, l: &Linked) -> StoreResult<()> {
    use crate::entity::{consent, purpose as purpose_row};
    let scope = Scope::for_company(l.company);
    let tx = db.write.begin().await?;
    let Some(p) = purpose_row::Entity::find()
        .filter(purpose_row::Column::CompanyId.eq(l.company.0))
        .filter(purpose_row::Column::Code.eq(&l.announcement.purpose))
        .one(&tx)
        .await?
    else {
        return Err(StoreError::NotFound);
    };
    let already = consent::Entity::find()
        .filter(consent::Column::CompanyId.eq(l.company.0))
        .filter(consent::Column::PersonId.eq(l.person.0))
        .filter(consent::Column::PurposeId.eq(p.id))
        .filter(consent::Column::Granted.eq(false))
        .one(&tx)
        .await?
        .is_some();
    if !already {
        consent::Entity::delete_many()
            .filter(consent::Column::CompanyId.eq(l.company.0))
            .filter(consent::Column::PersonId.eq(l.person.0))
            .filter(consent::Column::PurposeId.eq(p.id))
            .exec(&tx)
            .await?;
        consent::ActiveModel {
            id: Set(Uuid::now_v7()),
            company_id: Set(l.company.0),
            person_id: Set(l.person.0),
            purpose_id: Set(p.id),
            version: Set(p.version),
            granted: Set(false),
            decided_at: Set(now()),
        }
        .insert(&tx)
        .await?;
        audit::record(
            &tx,
            &scope,
            Change {
                action: "consent.unsubscribe",
                entity: "person",
                entity_id: l.person.0,
                person_id: Some(l.person),
                changes: serde_json::json!({
                    p.code.clone(): {"version": p.version, "granted": false},
                    "announcement": l.announcement.id.0,
                }),
                actor: &Actor::system("unsubscribe link"),
            },
        )
        .await?;
        crate::companies::bump_revision_for(&tx, &scope, &[l.person]).await?;
    }
    d_row::Entity::update_many()
        .col_expr(
            d_row::Column::Status,
            Expr::value(DeliveryStatus::Unsubscribed.code()),
        )
        .filter(d_row::Column::Id.eq(l.delivery.0))
        .exec(&tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Whether the person's consent to the purpose stands now (for the unsubscribe page).
pub async fn consent_stands(db: &Db, l: &Linked) -> StoreResult<bool> {
    let scope = Scope::for_company(l.company);
    crate::consent::allows(&db.read, &scope, l.person, &l.announcement.purpose).await
}

/// The latest LINE delivery to the person linked to `line_user` (for 「配信停止」 sent in the chat).
pub async fn latest_line_delivery(
    db: &Db,
    scope: &Scope,
    line_user: &str,
) -> StoreResult<Option<Linked>> {
    use crate::entity::line_link;
    let Some(link) = line_link::Entity::find()
        .filter(line_link::Column::CompanyId.eq(scope.company_id().0))
        .filter(line_link::Column::LineUserId.eq(line_user))
        .one(&db.read)
        .await?
    else {
        return Ok(None);
    };
    let Some(d) = d_row::Entity::find()
        .filter(d_row::Column::CompanyId.eq(scope.company_id().0))
        .filter(d_row::Column::PersonId.eq(link.person_id))
        .filter(d_row::Column::Channel.eq(DeliveryChannel::Line.code()))
        .order_by_desc(d_row::Column::CreatedAt)
        .one(&db.read)
        .await?
    else {
        return Ok(None);
    };
    linked(db, DeliveryId(d.id)).await.map(Some)
}
