//! Scheduled jobs: one row per company and job, claimed with a lease so that each run happens once
//! however many nodes are running. An expired lease (a crashed node) makes the row claimable again.

use crate::entity::schedule as row;
use crate::{Db, StoreResult, now};
use kaeru_domain::CompanyId;
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, Set, Statement};

/// Makes sure the job is scheduled for the company (first run at `first_run`); an existing row is kept.
pub async fn ensure(
    db: &Db,
    company: CompanyId,
    job: &str,
    first_run: chrono::DateTime<chrono::Utc>,
) -> StoreResult<()> {
    row::Entity::insert(row::ActiveModel {
        company_id: Set(company.0),
        job: Set(job.into()),
        next_run_at: Set(first_run),
        claimed_by: Set(None),
        lease_until: Set(None),
        last_run_at: Set(None),
        last_error: Set(None),
    })
    .on_conflict_do_nothing_on([row::Column::CompanyId, row::Column::Job])
    .exec(&db.write)
    .await?;
    Ok(())
}

/// Claims one due job for `node`, holding it for `lease`. PostgreSQL skips rows another node has locked;
/// SQLite has a single writer, so the update is already exclusive.
pub async fn claim_due(
    db: &Db,
    node: &str,
    lease: chrono::Duration,
) -> StoreResult<Option<(CompanyId, String)>> {
    let now = now();
    let sql = match db.backend {
        DbBackend::Postgres => {
            "UPDATE schedules SET claimed_by = $1, lease_until = $2 WHERE (company_id, job) IN (SELECT company_id, job FROM schedules \
             WHERE next_run_at <= $3 AND (lease_until IS NULL OR lease_until < $3) ORDER BY next_run_at LIMIT 1 FOR UPDATE SKIP LOCKED) \
             RETURNING company_id, job"
        }
        _ => {
            "UPDATE schedules SET claimed_by = ?, lease_until = ? WHERE (company_id, job) IN (SELECT company_id, job FROM schedules \
             WHERE next_run_at <= ?3 AND (lease_until IS NULL OR lease_until < ?3) ORDER BY next_run_at LIMIT 1) RETURNING company_id, job"
        }
    };
    let stmt = Statement::from_sql_and_values(
        db.backend,
        sql,
        [node.into(), (now + lease).into(), now.into()],
    );
    let Some(r) = db.write.query_one_raw(stmt).await? else {
        return Ok(None);
    };
    Ok(Some((
        CompanyId(r.try_get("", "company_id")?),
        r.try_get("", "job")?,
    )))
}

/// Records the end of a run and when the next one is due; releases the lease.
pub async fn finish(
    db: &Db,
    company: CompanyId,
    job: &str,
    next_run_at: chrono::DateTime<chrono::Utc>,
    error: Option<String>,
) -> StoreResult<()> {
    row::Entity::update_many()
        .col_expr(row::Column::NextRunAt, next_run_at.into())
        .col_expr(row::Column::LastRunAt, now().into())
        .col_expr(row::Column::LastError, error.into())
        .col_expr(row::Column::ClaimedBy, Option::<String>::None.into())
        .col_expr(
            row::Column::LeaseUntil,
            Option::<chrono::DateTime<chrono::Utc>>::None.into(),
        )
        .filter(row::Column::CompanyId.eq(company.0))
        .filter(row::Column::Job.eq(job))
        .exec(&db.write)
        .await?;
    Ok(())
}

/// The scheduled jobs at a glance, for `/metrics`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JobsHealth {
    pub all: u64,
    /// Whose last run ended in an error.
    pub failing: u64,
    /// Due more than fifteen minutes ago and not running (no worker is taking them).
    pub overdue: u64,
    /// Seconds since any job last ran.
    pub last_run_seconds: Option<i64>,
}

pub async fn health(db: &Db) -> StoreResult<JobsHealth> {
    let all = row::Entity::find().all(&db.read).await?;
    let at = now();
    let late = at - chrono::Duration::minutes(15);
    Ok(JobsHealth {
        all: all.len() as u64,
        failing: all.iter().filter(|j| j.last_error.is_some()).count() as u64,
        overdue: all
            .iter()
            .filter(|j| j.next_run_at < late && j.lease_until.is_none_or(|l| l < at))
            .count() as u64,
        last_run_seconds: all
            .iter()
            .filter_map(|j| j.last_run_at)
            .max()
            .map(|t| (at - t).num_seconds().max(0)),
    })
}
