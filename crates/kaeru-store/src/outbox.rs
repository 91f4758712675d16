//! The email outbox: a message is written here in the same transaction as the action that causes it, and
//! the worker delivers it with retries and back-off. Claiming uses a lease; on PostgreSQL rows another node
//! holds are skipped (`FOR UPDATE SKIP LOCKED`), on SQLite the single writer makes the claim exclusive.
//! A message for a purpose of use is refused unless the person's consent stands, when queued and again
//! when sent.

use crate::entity::outbox_message as row;
use crate::{Db, Page, Scope, StoreError, StoreResult, now};
use kaeru_domain::PersonId;
use kaeru_domain::announcement::DeliveryChannel;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, Set, Statement,
};
use uuid::Uuid;

/// After this many failed attempts a message is given up as failed.
pub const MAX_ATTEMPTS: i32 = 6;

pub const QUEUED: &str = "queued";
pub const SENT: &str = "sent";
pub const FAILED: &str = "failed";
pub const REFUSED: &str = "refused";

/// A message to queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewMessage {
    /// E-mail (`to` is the address) or LINE (`to` is the LINE user id; a text, no subject shown).
    pub channel: DeliveryChannel,
    pub person: Option<PersonId>,
    /// The purpose of use it serves; `None` for messages the person asked for (a sign-in link, a receipt).
    pub purpose: Option<String>,
    pub kind: String,
    pub to: String,
    pub subject: String,
    pub body: String,
    /// A file sent with it (a calendar file).
    pub attachment: Option<Attachment>,
    /// The same key queues the same message only once.
    pub idempotency_key: String,
}

/// A file attached to a message: its name, MIME type (e.g. `text/calendar; method=PUBLISH`) and text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attachment {
    pub name: String,
    pub content_type: String,
    /// Text types (`text/calendar`) as they are; any other type (`application/pdf`) in base64.
    pub content: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub id: Uuid,
    pub channel: DeliveryChannel,
    pub person: Option<PersonId>,
    pub purpose: Option<String>,
    pub kind: String,
    pub to: String,
    pub subject: String,
    pub body: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: chrono::DateTime<chrono::Utc>,
    pub last_error: Option<String>,
    pub sent_at: Option<chrono::DateTime<chrono::Utc>>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub company_id: Uuid,
    pub attachment: Option<Attachment>,
}

fn to_message(r: row::Model) -> Message {
    Message {
        id: r.id,
        channel: DeliveryChannel::parse(&r.channel).unwrap_or(DeliveryChannel::Email),
        person: r.person_id.map(PersonId),
        purpose: r.purpose,
        kind: r.kind,
        to: r.to_address,
        subject: r.subject,
        body: r.body,
        status: r.status,
        attempts: r.attempts,
        next_attempt_at: r.next_attempt_at,
        last_error: r.last_error,
        sent_at: r.sent_at,
        created_at: r.created_at,
        company_id: r.company_id,
        attachment: match (r.attachment_name, r.attachment_type, r.attachment) {
            (Some(name), Some(content_type), Some(content)) => Some(Attachment {
                name,
                content_type,
                content,
            }),
            _ => None,
        },
    }
}

/// Why a message was not queued.
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    #[error("the person has not consented to the purpose {0}")]
    NoConsent(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sea_orm::DbErr> for QueueError {
    fn from(e: sea_orm::DbErr) -> Self {
        Self::Store(e.into())
    }
}

/// Queues a message inside the caller's transaction. A repeated idempotency key is a no-op.
pub async fn enqueue_in(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    m: &NewMessage,
) -> Result<(), QueueError> {
    if let Some(purpose) = &m.purpose {
        let allowed = match m.person {
            Some(p) => crate::consent::allows(conn, scope, p, purpose).await?,
            None => false,
        };
        if !allowed {
            return Err(QueueError::NoConsent(purpose.clone()));
        }
    }
    row::Entity::insert(row::ActiveModel {
        id: Set(Uuid::now_v7()),
        company_id: Set(scope.company_id().0),
        person_id: Set(m.person.map(|p| p.0)),
        purpose: Set(m.purpose.clone()),
        kind: Set(m.kind.clone()),
        channel: Set(m.channel.code().into()),
        to_address: Set(m.to.clone()),
        subject: Set(m.subject.clone()),
        body: Set(m.body.clone()),
        idempotency_key: Set(m.idempotency_key.clone()),
        status: Set(QUEUED.into()),
        attempts: Set(0),
        next_attempt_at: Set(now()),
        claimed_by: Set(None),
        lease_until: Set(None),
        last_error: Set(None),
        sent_at: Set(None),
        created_at: Set(now()),
        attachment_name: Set(m.attachment.as_ref().map(|a| a.name.clone())),
        attachment_type: Set(m.attachment.as_ref().map(|a| a.content_type.clone())),
        attachment: Set(m.attachment.as_ref().map(|a| a.content.clone())),
    })
    .on_conflict_do_nothing_on([row::Column::IdempotencyKey])
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// Queues a message in a transaction of its own.
pub async fn enqueue(db: &Db, scope: &Scope, m: &NewMessage) -> Result<(), QueueError> {
    use sea_orm::TransactionTrait;
    let tx = db.write.begin().await.map_err(StoreError::from)?;
    enqueue_in(&tx, scope, m).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}

/// Claims up to `limit` due messages of one channel, of any company, for `node`, holding them for `lease`.
pub async fn claim(
    db: &Db,
    channel: DeliveryChannel,
    node: &str,
    lease: chrono::Duration,
    limit: u64,
) -> StoreResult<Vec<Message>> {
    let now = now();
    let sql = match db.backend {
        DbBackend::Postgres => {
            "UPDATE outbox SET claimed_by = $1, lease_until = $2 WHERE id IN (SELECT id FROM outbox \
             WHERE status = 'queued' AND channel = $5 AND next_attempt_at <= $3 AND (lease_until IS NULL OR lease_until < $3) \
             ORDER BY next_attempt_at LIMIT $4 FOR UPDATE SKIP LOCKED) RETURNING id"
        }
        _ => {
            "UPDATE outbox SET claimed_by = ?1, lease_until = ?2 WHERE id IN (SELECT id FROM outbox \
             WHERE status = 'queued' AND channel = ?5 AND next_attempt_at <= ?3 AND (lease_until IS NULL OR lease_until < ?3) \
             ORDER BY next_attempt_at LIMIT ?4) RETURNING id"
        }
    };
    let stmt = Statement::from_sql_and_values(
        db.backend,
        sql,
        [
            node.into(),
            (now + lease).into(),
            now.into(),
            (limit as i64).into(),
            channel.code().into(),
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
    Ok(row::Entity::find()
        .filter(row::Column::Id.is_in(ids))
        .filter(row::Column::ClaimedBy.eq(node))
        .order_by_asc(row::Column::NextAttemptAt)
        .all(&db.write)
        .await?
        .into_iter()
        .map(to_message)
        .collect())
}

/// Whether a claimed message may still go: consent is checked again at sending.
pub async fn still_allowed(db: &Db, m: &Message) -> StoreResult<bool> {
    let Some(purpose) = &m.purpose else {
        return Ok(true);
    };
    let Some(person) = m.person else {
        return Ok(false);
    };
    let scope = Scope::for_company(kaeru_domain::CompanyId(m.company_id));
    crate::consent::allows(&db.write, &scope, person, purpose).await
}

async fn finish(
    db: &Db,
    id: Uuid,
    node: &str,
    status: &str,
    attempts: Option<i32>,
    next: Option<chrono::DateTime<chrono::Utc>>,
    error: Option<String>,
) -> StoreResult<bool> {
    let Some(current) = row::Entity::find_by_id(id).one(&db.write).await? else {
        return Ok(false);
    };
    if current.claimed_by.as_deref() != Some(node) {
        // The lease ran out and another node took the message over.
        return Ok(false);
    }
    let mut am: row::ActiveModel = current.into();
    am.status = Set(status.into());
    am.claimed_by = Set(None);
    am.lease_until = Set(None);
    if let Some(a) = attempts {
        am.attempts = Set(a);
    }
    if let Some(n) = next {
        am.next_attempt_at = Set(n);
    }
    am.last_error = Set(error);
    if status == SENT {
        am.sent_at = Set(Some(now()));
    }
    am.update(&db.write).await?;
    Ok(true)
}

pub async fn mark_sent(db: &Db, m: &Message, node: &str) -> StoreResult<bool> {
    finish(db, m.id, node, SENT, Some(m.attempts + 1), None, None).await
}

pub async fn mark_refused(db: &Db, m: &Message, node: &str) -> StoreResult<bool> {
    finish(
        db,
        m.id,
        node,
        REFUSED,
        None,
        None,
        Some("consent withdrawn before sending".into()),
    )
    .await
}

/// Back-off after the n-th failed attempt: 1, 5, 30 minutes, 2, 6 hours.
pub fn backoff(attempts: i32) -> chrono::Duration {
    match attempts {
        ..=1 => chrono::Duration::minutes(1),
        2 => chrono::Duration::minutes(5),
        3 => chrono::Duration::minutes(30),
        4 => chrono::Duration::hours(2),
        _ => chrono::Duration::hours(6),
    }
}

/// Records a failed attempt: retried later, or failed for good after [`MAX_ATTEMPTS`].
pub async fn mark_failed(db: &Db, m: &Message, node: &str, error: &str) -> StoreResult<bool> {
    let attempts = m.attempts + 1;
    let (status, next) = if attempts >= MAX_ATTEMPTS {
        (FAILED, None)
    } else {
        (QUEUED, Some(now() + backoff(attempts)))
    };
    finish(
        db,
        m.id,
        node,
        status,
        Some(attempts),
        next,
        Some(error.chars().take(500).collect()),
    )
    .await
}

/// Puts a failed message back in the queue (from the outbox page).
pub async fn retry(db: &Db, scope: &Scope, id: Uuid) -> StoreResult<()> {
    let Some(current) = row::Entity::find_by_id(id)
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .one(&db.write)
        .await?
    else {
        return Err(StoreError::NotFound);
    };
    if current.status != FAILED {
        return Ok(());
    }
    let mut am: row::ActiveModel = current.into();
    am.status = Set(QUEUED.into());
    am.attempts = Set(0);
    am.next_attempt_at = Set(now());
    am.update(&db.write).await?;
    Ok(())
}

/// The company's messages, newest first, optionally of one status.
pub async fn list(
    db: &Db,
    scope: &Scope,
    status: Option<&str>,
    page: u64,
) -> StoreResult<Page<Message>> {
    let per_page = 50;
    let mut q = row::Entity::find().filter(row::Column::CompanyId.eq(scope.company_id().0));
    if let Some(s) = status {
        q = q.filter(row::Column::Status.eq(s));
    }
    let pages = q
        .order_by_desc(row::Column::CreatedAt)
        .paginate(&db.read, per_page);
    let total = pages.num_items().await?;
    let items = pages
        .fetch_page(page.saturating_sub(1))
        .await?
        .into_iter()
        .map(to_message)
        .collect();
    Ok(Page {
        items,
        total,
        page: page.max(1),
        per_page,
    })
}

pub async fn get(db: &Db, scope: &Scope, id: Uuid) -> StoreResult<Message> {
    row::Entity::find_by_id(id)
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .one(&db.read)
        .await?
        .map(to_message)
        .ok_or(StoreError::NotFound)
}

/// The person's messages, newest first.
pub async fn for_person(db: &Db, scope: &Scope, person: PersonId) -> StoreResult<Vec<Message>> {
    Ok(row::Entity::find()
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .filter(row::Column::PersonId.eq(person.0))
        .order_by_desc(row::Column::CreatedAt)
        .all(&db.read)
        .await?
        .into_iter()
        .map(to_message)
        .collect())
}

/// The outbox of every company at a glance, for `/metrics`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OutboxHealth {
    pub waiting: u64,
    /// Seconds since the oldest message still waiting was queued (0 when none waits).
    pub oldest_seconds: i64,
    pub failed: u64,
}

/// How many messages wait, since when, and how many were given up on.
pub async fn health(db: &Db) -> StoreResult<OutboxHealth> {
    use sea_orm::{PaginatorTrait, QueryOrder, QuerySelect};
    let waiting = row::Entity::find()
        .filter(row::Column::Status.eq(QUEUED))
        .count(&db.read)
        .await?;
    let oldest: Option<chrono::DateTime<chrono::Utc>> = row::Entity::find()
        .select_only()
        .column(row::Column::CreatedAt)
        .filter(row::Column::Status.eq(QUEUED))
        .order_by_asc(row::Column::CreatedAt)
        .limit(1)
        .into_tuple()
        .one(&db.read)
        .await?;
    let failed = row::Entity::find()
        .filter(row::Column::Status.eq(FAILED))
        .count(&db.read)
        .await?;
    Ok(OutboxHealth {
        waiting,
        oldest_seconds: oldest.map_or(0, |t| (now() - t).num_seconds().max(0)),
        failed,
    })
}
