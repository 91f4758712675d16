//! Kaeru's repository layer: every read and write of the database, on SQLite and PostgreSQL alike.
//! Handlers call these functions with a [`Scope`] and get domain types back; they never see SQL.

mod db;
mod entity;
mod migration;

pub mod api_tokens;
pub mod audit;
pub mod bulk;
pub mod careers;
pub mod comebacks;
pub mod companies;
pub mod consent;
pub mod engagements;
pub mod imports;
pub mod network;
pub mod offers;
pub mod openings;
pub mod outbox;
pub mod people;
pub mod portal;
pub mod privacy;
pub mod rate_limit;
pub mod registrations;
pub mod schedules;
pub mod sessions;
pub mod side_jobs;
pub mod skills;
pub mod staff;
pub mod status;
pub mod stints;
pub mod tokens;
pub mod touchpoints;
pub mod ventures;

pub use audit::AuditEntry;
pub use db::{DatabaseTarget, Db, TargetError, redact};

#[cfg(any(test, feature = "testing"))]
pub mod testing;

use kaeru_domain::{CompanyId, StaffUserId};
use sea_orm::{DbErr, SqlErr};

/// The company a request acts for. Built only from a signed-in session (or by the CLI for a company it was
/// told to act on); repositories take it instead of an id from a URL or a form, so a row of another company
/// is never found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scope {
    company_id: CompanyId,
}

impl Scope {
    pub fn for_company(company_id: CompanyId) -> Self {
        Self { company_id }
    }

    pub fn company_id(&self) -> CompanyId {
        self.company_id
    }
}

/// Who made a change, for the audit log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    pub id: Option<StaffUserId>,
    pub name: String,
}

impl Actor {
    pub fn system(name: &str) -> Self {
        Self {
            id: None,
            name: name.into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A unique value already exists; the field that clashed.
    #[error("conflict on {0}")]
    Conflict(&'static str),
    /// The person's record was erased (APPI): nothing about them may be written again.
    #[error("the person's record was erased")]
    Erased,
    #[error("database error: {0}")]
    Db(#[from] DbErr),
    #[error("{0}")]
    Other(#[from] anyhow::Error),
}

pub type StoreResult<T> = Result<T, StoreError>;

impl StoreError {
    /// Maps a unique-constraint violation to a conflict on `field`; other errors pass through.
    pub(crate) fn conflict_on(field: &'static str) -> impl Fn(DbErr) -> StoreError {
        move |e| match e.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => StoreError::Conflict(field),
            _ => StoreError::Db(e),
        }
    }
}

/// A page of results.
#[derive(Clone, Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

impl<T> Page<T> {
    pub fn pages(&self) -> u64 {
        self.total.div_ceil(self.per_page).max(1)
    }
}

pub(crate) fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now()
}
