//! Kaeru's repository layer: every read and write of the database, on SQLite and PostgreSQL alike.
//! Handlers call these functions with a [`Scope`] and get domain types back; they never see SQL.

mod db;
mod direct;
mod entity;
mod migration;

pub mod analytics;
pub mod announcements;
pub mod api_tokens;
pub mod audit;
pub mod backup;
pub mod bulk;
pub mod careers;
pub mod comebacks;
pub mod companies;
pub mod consent;
pub mod engagements;
pub mod events;
pub mod imports;
pub mod job_board;
pub mod messaging;
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
pub mod search_docs;
pub mod segments;
pub mod sessions;
pub mod side_jobs;
pub mod skills;
pub mod staff;
pub mod status;
pub mod stints;
pub mod tokens;
pub mod touchpoints;
pub mod transfer;
pub mod ventures;

pub use audit::AuditEntry;
pub use db::{DatabaseTarget, Db, PoolUse, TargetError, redact};
pub use direct::DirectReads;

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
    /// The request clashes with what is stored: a value already taken, or a state that does not allow it.
    #[error("conflict: {0:?}")]
    Conflict(Clash),
    /// The person's record was erased (APPI): nothing about them may be written again.
    #[error("the person's record was erased")]
    Erased,
    #[error("database error: {0}")]
    Db(#[from] DbErr),
    #[error("{0}")]
    Other(#[from] anyhow::Error),
}

/// What a request clashed with. The pages and the API map each one once: a value already taken is the
/// caller's input to correct (422, beside the field), a state that does not allow the request is a 409.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Clash {
    /// A skill of that name is already in the catalogue.
    SkillNameTaken,
    /// The skill is held by people or asked for by openings.
    SkillInUse,
    /// Another company uses that address (slug).
    SlugTaken,
    /// A staff account or a registration already uses that e-mail address.
    EmailTaken,
    /// Another person already has that e-mail address.
    PersonEmailTaken,
    /// Another person already has that employee number.
    EmployeeNumberTaken,
    /// The person already has an open comeback.
    OpenComeback,
    /// The person already has a standing return offer.
    ActiveOffer,
    /// Two offers got the same number at once.
    OfferNumberTaken,
    /// The record changed state meanwhile (e.g. an offer already issued or withdrawn).
    StatusChanged,
    /// A purpose of use with that code already exists.
    PurposeCodeTaken,
    /// A past side job must have ended before today.
    NotYetEnded,
    /// A segment of that name already exists.
    SegmentNameTaken,
    /// The announcement was sent (or is being sent) already.
    AlreadySent,
}

impl Clash {
    /// The field of the request it concerns, for the API's `fields`.
    pub fn field(self) -> &'static str {
        match self {
            Self::SkillNameTaken => "name",
            Self::SkillInUse => "skill",
            Self::SlugTaken => "slug",
            Self::EmailTaken => "email",
            Self::PersonEmailTaken => "emails",
            Self::EmployeeNumberTaken => "employee_number",
            Self::OpenComeback => "comeback",
            Self::ActiveOffer => "offer",
            Self::OfferNumberTaken => "number",
            Self::StatusChanged => "status",
            Self::PurposeCodeTaken => "code",
            Self::NotYetEnded => "end_date",
            Self::SegmentNameTaken => "name",
            Self::AlreadySent => "status",
        }
    }

    /// A stable code for programs (the API's field code is `conflict.<code>`).
    pub fn code(self) -> &'static str {
        match self {
            Self::SkillNameTaken => "skill_name_taken",
            Self::SkillInUse => "skill_in_use",
            Self::SlugTaken => "slug_taken",
            Self::EmailTaken => "email_taken",
            Self::PersonEmailTaken => "person_email_taken",
            Self::EmployeeNumberTaken => "employee_number_taken",
            Self::OpenComeback => "open_comeback",
            Self::ActiveOffer => "active_offer",
            Self::OfferNumberTaken => "offer_number_taken",
            Self::StatusChanged => "status_changed",
            Self::PurposeCodeTaken => "purpose_code_taken",
            Self::NotYetEnded => "not_yet_ended",
            Self::SegmentNameTaken => "segment_name_taken",
            Self::AlreadySent => "already_sent",
        }
    }

    /// The catalogue key of its message.
    pub fn message_key(self) -> &'static str {
        match self {
            Self::SkillNameTaken => "conflict.skill_name_taken",
            Self::SkillInUse => "conflict.skill_in_use",
            Self::SlugTaken => "conflict.slug_taken",
            Self::EmailTaken => "conflict.email_taken",
            Self::PersonEmailTaken => "conflict.person_email_taken",
            Self::EmployeeNumberTaken => "conflict.employee_number_taken",
            Self::OpenComeback => "conflict.open_comeback",
            Self::ActiveOffer => "conflict.active_offer",
            Self::OfferNumberTaken => "conflict.offer_number_taken",
            Self::StatusChanged => "conflict.status_changed",
            Self::PurposeCodeTaken => "conflict.purpose_code_taken",
            Self::NotYetEnded => "conflict.not_yet_ended",
            Self::SegmentNameTaken => "conflict.segment_name_taken",
            Self::AlreadySent => "conflict.already_sent",
        }
    }

    /// A value the caller can correct (422 beside the field) rather than a state that forbids the request (409).
    pub fn is_taken_value(self) -> bool {
        matches!(
            self,
            Self::SkillNameTaken
                | Self::SlugTaken
                | Self::EmailTaken
                | Self::PersonEmailTaken
                | Self::EmployeeNumberTaken
                | Self::PurposeCodeTaken
                | Self::NotYetEnded
                | Self::SegmentNameTaken
        )
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

impl StoreError {
    /// Maps a unique-constraint violation to `clash`; other errors pass through.
    pub(crate) fn conflict_on(clash: Clash) -> impl Fn(DbErr) -> StoreError {
        move |e| match e.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => StoreError::Conflict(clash),
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
