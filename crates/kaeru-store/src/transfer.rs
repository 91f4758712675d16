//! `kaeru move`: an install on the embedded SQLite file copied into an empty PostgreSQL database, table by
//! table in the order the migrations created them (so every reference exists before it is pointed at), in one
//! transaction (a failed move leaves nothing behind), and every table counted on both sides afterwards.

use crate::entity::*;
use crate::{Db, StoreError};
use sea_orm::{
    ActiveModelTrait, DbBackend, EntityTrait, IntoActiveModel, PaginatorTrait, TransactionTrait,
};

/// Rows inserted per statement (PostgreSQL takes at most 65,535 parameters; the widest table has ~35 columns).
const CHUNK: usize = 500;

/// One table moved: its name and its rows in the source and in the target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Moved {
    pub table: &'static str,
    pub source: u64,
    pub target: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum MoveError {
    #[error("the source must be the embedded SQLite database and the target PostgreSQL")]
    Backends,
    #[error("the target database already holds {0} companies; move into an empty database")]
    NotEmpty(u64),
    #[error("{table}: {read} rows read from SQLite but {written} in PostgreSQL")]
    Counts {
        table: &'static str,
        read: u64,
        written: u64,
    },
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Db(#[from] sea_orm::DbErr),
}

/// Copies one table inside the target's transaction and counts it there.
async fn copy<E>(
    from: &Db,
    to: &sea_orm::DatabaseTransaction,
    table: &'static str,
) -> Result<Moved, MoveError>
where
    E: EntityTrait,
    E::Model: IntoActiveModel<E::ActiveModel> + Clone + Send + Sync,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
{
    let rows = E::find().all(&from.read).await?;
    for chunk in rows.chunks(CHUNK) {
        E::insert_many(
            chunk
                .iter()
                .cloned()
                .map(IntoActiveModel::into_active_model),
        )
        .exec_without_returning(to)
        .await?;
    }
    let source = rows.len() as u64;
    let target = E::find().count(to).await?;
    if source != target {
        return Err(MoveError::Counts {
            table,
            read: source,
            written: target,
        });
    }
    Ok(Moved {
        table,
        source,
        target,
    })
}

/// Copies every table of `from` (SQLite) into `to` (PostgreSQL, migrated and without companies). `progress`
/// hears each table as it is done. Returns the tables with their counts, checked equal before the commit.
pub async fn move_all(
    from: &Db,
    to: &Db,
    progress: &(dyn Fn(&'static str, usize, usize) + Sync),
) -> Result<Vec<Moved>, MoveError> {
    if from.backend != DbBackend::Sqlite || to.backend != DbBackend::Postgres {
        return Err(MoveError::Backends);
    }
    let existing = company::Entity::find().count(&to.read).await?;
    if existing > 0 {
        return Err(MoveError::NotEmpty(existing));
    }
    let tx = to.write.begin().await?;
    let mut moved = Vec::new();
    macro_rules! tables {
        ($($m:ident => $name:literal),+ $(,)?) => {{
            let all: &[&'static str] = &[$($name),+];
            let total = all.len();
            let mut done = 0;
            $(
                moved.push(copy::<$m::Entity>(from, &tx, $name).await?);
                done += 1;
                progress($name, done, total);
            )+
        }};
    }
    tables!(
        company => "companies",
        staff_user => "staff_users",
        session => "sessions",
        rate_limit => "rate_limits",
        person => "people",
        person_email => "person_emails",
        employment_stint => "employment_stints",
        audit_entry => "audit_entries",
        schedule => "schedules",
        offer_policy => "offer_policies",
        return_offer => "return_offers",
        learning_mission => "learning_missions",
        mission_check_in => "mission_check_ins",
        comeback => "comebacks",
        skill => "skills",
        person_skill => "person_skills",
        skill_need => "skill_needs",
        opening => "openings",
        opening_skill => "opening_skills",
        career => "careers",
        match_setting => "match_settings",
        outbox_message => "outbox",
        purpose => "purposes",
        consent => "consents",
        magic_link => "magic_links",
        portal_session => "portal_sessions",
        registration => "registrations",
        qualification => "qualifications",
        deletion_request => "deletion_requests",
        touchpoint => "touchpoints",
        contribution => "contributions",
        engagement => "engagements",
        venture => "ventures",
        venture_support => "venture_support",
        venture_deal => "venture_deals",
        business_relation => "business_relations",
        side_job => "side_jobs",
        import_mapping => "import_mappings",
        import_upload => "import_uploads",
        api_token => "api_tokens",
        segment => "segments",
        announcement => "announcements",
        delivery => "deliveries",
        messaging_setting => "messaging_settings",
        line_link => "line_links",
        line_link_code => "line_link_codes",
        email_bounce => "email_bounces",
        staff_digest => "staff_digests",
        event => "events",
        rsvp => "rsvps",
        opening_invite => "opening_invites",
        opening_response => "opening_responses",
        opening_view => "opening_views",
        job_alert => "job_alerts",
        job_alert_sent => "job_alert_sent",
        revision_change => "revision_changes",
    );
    // Every table counted equal inside the transaction: only now does the target keep any of it.
    tx.commit().await?;
    Ok(moved)
}
