//! The job board of the portal: which openings a person may see, their views of them, their quiet
//! interest (こっそり興味あり) or application (応募), HR starting a comeback from an interest, invitations to
//! an invitation-only opening, referrals, job alerts, and the figures HR reads per opening.
//!
//! A response is one row per person and opening: an interest can become an application, a withdrawn
//! interest can be raised again, a second application is refused. Nothing here is shown to managers: the
//! pages and the API ask for `SeeInterest`.

use crate::audit::{self, Change};
use crate::comebacks::{self, Origin};
use crate::entity::{
    comeback as comeback_row, contribution, job_alert, job_alert_sent, opening as opening_row,
    opening_invite as invite_row, opening_response as row, opening_view as view_row,
};
use crate::{Actor, Db, Scope, StoreError, StoreResult, now, openings, portal};
use chrono::{DateTime, NaiveDate, Utc};
use kaeru_domain::job_board::{FitBand, ReferralDraft, ResponseDraft, ResponseKind, Via};
use kaeru_domain::network::{ContributionKind, ReferralOutcome};
use kaeru_domain::{
    ComebackId, ComebackStage, Opening, OpeningAudience, OpeningId, OpeningStatus, PersonId,
    ResponseId,
};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionTrait,
};
use std::collections::{BTreeMap, HashMap, HashSet};
use uuid::Uuid;

pub const ACTIVE: &str = "active";
pub const WITHDRAWN: &str = "withdrawn";

/// A person's interest in or application for an opening.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    pub id: ResponseId,
    pub opening_id: OpeningId,
    pub person_id: PersonId,
    pub kind: ResponseKind,
    pub withdrawn: bool,
    pub note: Option<String>,
    pub available_from: Option<String>,
    pub via: Via,
    pub comeback_id: Option<ComebackId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn to_response(r: row::Model) -> Response {
    Response {
        id: ResponseId(r.id),
        opening_id: OpeningId(r.opening_id),
        person_id: PersonId(r.person_id),
        kind: ResponseKind::parse(&r.kind).unwrap_or(ResponseKind::Interest),
        withdrawn: r.status == WITHDRAWN,
        note: r.note,
        available_from: r.available_from,
        via: Via::parse(&r.via).unwrap_or(Via::Portal),
        comeback_id: r.comeback_id.map(ComebackId),
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

/// Why a response was refused.
#[derive(Debug, thiserror::Error)]
pub enum RespondError {
    /// Closed, past its closing date, or not (or no longer) there.
    #[error("the opening takes no responses")]
    Closed,
    /// Invitation-only and the person was not invited (told apart from `Closed` only in the log).
    #[error("the opening is by invitation and the person was not invited")]
    NotInvited,
    #[error("the person already applied")]
    AlreadyApplied,
    /// Only an interest is withdrawn in the portal; an application goes through HR.
    #[error("an application is withdrawn through HR")]
    ApplicationStands,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sea_orm::DbErr> for RespondError {
    fn from(e: sea_orm::DbErr) -> Self {
        Self::Store(e.into())
    }
}

async fn invited_to(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    person: PersonId,
) -> StoreResult<HashMap<Uuid, DateTime<Utc>>> {
    Ok(invite_row::Entity::find()
        .filter(invite_row::Column::CompanyId.eq(scope.company_id().0))
        .filter(invite_row::Column::PersonId.eq(person.0))
        .all(conn)
        .await?
        .into_iter()
        .map(|i| (i.opening_id, i.created_at))
        .collect())
}

/// An opening as the board shows it to one person.
#[derive(Clone, Debug)]
pub struct Visible {
    pub opening: Opening,
    /// Shown because HR invited the person.
    pub invited: bool,
}

/// The openings a person may see today: open, not past their closing date, public or for alumni, or
/// invitation-only with an invitation for them. Newest first.
pub async fn visible_to(
    db: &Db,
    scope: &Scope,
    person: PersonId,
    today: NaiveDate,
) -> StoreResult<Vec<Visible>> {
    let invited = invited_to(&db.read, scope, person).await?;
    let all = openings::list(
        db,
        scope,
        Some(&[
            OpeningAudience::Public,
            OpeningAudience::Alumni,
            OpeningAudience::Invited,
        ]),
    )
    .await?;
    Ok(all
        .into_iter()
        .filter(|o| o.takes_responses(today))
        .filter_map(|o| {
            let inv = invited.contains_key(&o.id.0);
            (o.audience != OpeningAudience::Invited || inv).then_some(Visible {
                opening: o,
                invited: inv,
            })
        })
        .collect())
}

/// One opening if the person may see it today (else `NotFound`, the same as an opening of another company).
pub async fn visible_one(
    db: &Db,
    scope: &Scope,
    person: PersonId,
    id: OpeningId,
    today: NaiveDate,
) -> StoreResult<Visible> {
    let o = openings::get(db, scope, id).await?;
    let invited = invited_to(&db.read, scope, person)
        .await?
        .contains_key(&id.0);
    if !o.takes_responses(today) || (o.audience == OpeningAudience::Invited && !invited) {
        return Err(StoreError::NotFound);
    }
    Ok(Visible {
        opening: o,
        invited,
    })
}

/// How many open openings are for alumni only (the public page's teaser counts them, never names them).
pub async fn alumni_only_count(db: &Db, scope: &Scope, today: NaiveDate) -> StoreResult<usize> {
    Ok(openings::list(db, scope, Some(&[OpeningAudience::Alumni]))
        .await?
        .iter()
        .filter(|o| o.takes_responses(today))
        .count())
}

/// Notes that the person opened the opening's page (once per person; later visits count up).
pub async fn record_view(
    db: &Db,
    scope: &Scope,
    opening: OpeningId,
    person: PersonId,
    via: Via,
) -> StoreResult<()> {
    let at = now();
    view_row::Entity::insert(view_row::ActiveModel {
        id: Set(Uuid::now_v7()),
        company_id: Set(scope.company_id().0),
        opening_id: Set(opening.0),
        person_id: Set(person.0),
        via: Set(via.code().into()),
        times: Set(1),
        first_at: Set(at),
        last_at: Set(at),
    })
    .on_conflict(
        OnConflict::columns([
            view_row::Column::CompanyId,
            view_row::Column::OpeningId,
            view_row::Column::PersonId,
        ])
        .value(
            view_row::Column::Times,
            sea_orm::sea_query::ExprTrait::add(
                Expr::col((view_row::Entity, view_row::Column::Times)),
                1,
            ),
        )
        .value(view_row::Column::LastAt, Expr::value(at))
        .to_owned(),
    )
    .exec_without_returning(&db.write)
    .await?;
    Ok(())
}

/// The person's responses, newest first.
pub async fn for_person(db: &Db, scope: &Scope, person: PersonId) -> StoreResult<Vec<Response>> {
    Ok(row::Entity::find()
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .filter(row::Column::PersonId.eq(person.0))
        .order_by_desc(row::Column::UpdatedAt)
        .all(&db.read)
        .await?
        .into_iter()
        .map(to_response)
        .collect())
}

/// The responses to an opening, newest first (withdrawn ones included, marked).
pub async fn for_opening(db: &Db, scope: &Scope, opening: OpeningId) -> StoreResult<Vec<Response>> {
    Ok(row::Entity::find()
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .filter(row::Column::OpeningId.eq(opening.0))
        .order_by_desc(row::Column::UpdatedAt)
        .all(&db.read)
        .await?
        .into_iter()
        .map(to_response)
        .collect())
}

pub async fn response(db: &Db, scope: &Scope, id: ResponseId) -> StoreResult<Response> {
    row::Entity::find_by_id(id.0)
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .one(&db.read)
        .await?
        .map(to_response)
        .ok_or(StoreError::NotFound)
}

/// The person's open comeback, if any.
async fn open_comeback(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    person: PersonId,
) -> StoreResult<Option<Uuid>> {
    let open: Vec<&str> = ComebackStage::ALL
        .iter()
        .filter(|s| s.is_open())
        .map(|s| s.code())
        .collect();
    Ok(comeback_row::Entity::find()
        .filter(comeback_row::Column::CompanyId.eq(scope.company_id().0))
        .filter(comeback_row::Column::PersonId.eq(person.0))
        .filter(comeback_row::Column::Stage.is_in(open))
        .one(conn)
        .await?
        .map(|c| c.id))
}

/// The opening, inside the caller's transaction, if the (live) person may respond to it today: open, not
/// past its closing date, and invited when it is by invitation. On PostgreSQL the opening's row is locked
/// for the rest of the transaction, so two submissions of one form (a double tap) run one after the other
/// and the second finds the first's row (SQLite's single writer does the same).
async fn open_to(
    tx: &impl ConnectionTrait,
    scope: &Scope,
    person: PersonId,
    opening: OpeningId,
    today: NaiveDate,
) -> Result<opening_row::Model, RespondError> {
    crate::people::live(tx, scope, person).await?;
    let mut q = opening_row::Entity::find_by_id(opening.0)
        .filter(opening_row::Column::CompanyId.eq(scope.company_id().0));
    if tx.get_database_backend() == sea_orm::DbBackend::Postgres {
        q = q.lock_exclusive();
    }
    let o = q.one(tx).await?.ok_or(RespondError::Closed)?;
    if o.status != OpeningStatus::Open.code() || o.closes_on.is_some_and(|d| d < today) {
        return Err(RespondError::Closed);
    }
    if o.audience == OpeningAudience::Invited.code()
        && !invited_to(tx, scope, person).await?.contains_key(&o.id)
    {
        return Err(RespondError::NotInvited);
    }
    Ok(o)
}

/// Records a quiet interest or an application, in one transaction. An application starts the comeback
/// (or joins the one already open for the person); an interest starts nothing until HR decides.
#[allow(clippy::too_many_arguments)]
pub async fn respond(
    db: &Db,
    scope: &Scope,
    person: PersonId,
    opening: OpeningId,
    kind: ResponseKind,
    draft: &ResponseDraft,
    via: Via,
    today: NaiveDate,
) -> Result<Response, RespondError> {
    let c = scope.company_id().0;
    let tx = db.write.begin().await?;
    let o = open_to(&tx, scope, person, opening, today).await?;
    let existing = row::Entity::find()
        .filter(row::Column::CompanyId.eq(c))
        .filter(row::Column::OpeningId.eq(opening.0))
        .filter(row::Column::PersonId.eq(person.0))
        .one(&tx)
        .await?;
    let at = now();
    let (id, comeback_id) = match &existing {
        Some(r) if r.kind == ResponseKind::Application.code() && r.status == ACTIVE => {
            return Err(RespondError::AlreadyApplied);
        }
        Some(r) => (r.id, r.comeback_id),
        None => (Uuid::now_v7(), None),
    };
    let mut comeback_id = comeback_id;
    if kind == ResponseKind::Application && comeback_id.is_none() {
        comeback_id = match open_comeback(&tx, scope, person).await? {
            Some(cb) => Some(cb),
            None => Some(
                comebacks::open_in(
                    &tx,
                    scope,
                    &portal::self_actor(),
                    person,
                    Some(o.title.clone()),
                    today,
                    Origin {
                        opening: Some(opening),
                        response: Some(ResponseId(id)),
                    },
                )
                .await?
                .id
                .0,
            ),
        };
    }
    let model = match existing {
        Some(r) => {
            let mut am: row::ActiveModel = r.into();
            am.kind = Set(kind.code().into());
            am.status = Set(ACTIVE.into());
            am.note = Set(draft.note.clone());
            am.available_from = Set(draft.available_from.clone());
            am.via = Set(via.code().into());
            am.comeback_id = Set(comeback_id);
            am.updated_at = Set(at);
            am.withdrawn_at = Set(None);
            am.update(&tx).await?
        }
        None => {
            row::ActiveModel {
                id: Set(id),
                company_id: Set(c),
                opening_id: Set(opening.0),
                person_id: Set(person.0),
                kind: Set(kind.code().into()),
                status: Set(ACTIVE.into()),
                note: Set(draft.note.clone()),
                available_from: Set(draft.available_from.clone()),
                via: Set(via.code().into()),
                comeback_id: Set(comeback_id),
                created_at: Set(at),
                updated_at: Set(at),
                withdrawn_at: Set(None),
            }
            .insert(&tx)
            .await?
        }
    };
    audit::record(
        &tx,
        scope,
        Change {
            action: match kind {
                ResponseKind::Interest => "interest.raise",
                ResponseKind::Application => "interest.apply",
            },
            entity: "opening_response",
            entity_id: id,
            person_id: Some(person),
            changes: serde_json::json!({
                "opening_id": opening,
                "via": via.code(),
                "available_from": draft.available_from,
            }),
            actor: &portal::self_actor(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(to_response(model))
}

/// The person takes back their quiet interest. An application stands (HR is told in person).
pub async fn withdraw(
    db: &Db,
    scope: &Scope,
    person: PersonId,
    opening: OpeningId,
) -> Result<(), RespondError> {
    let tx = db.write.begin().await?;
    let r = row::Entity::find()
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .filter(row::Column::OpeningId.eq(opening.0))
        .filter(row::Column::PersonId.eq(person.0))
        .filter(row::Column::Status.eq(ACTIVE))
        .one(&tx)
        .await?
        .ok_or(RespondError::Store(StoreError::NotFound))?;
    if r.kind == ResponseKind::Application.code() {
        return Err(RespondError::ApplicationStands);
    }
    let id = r.id;
    let mut am: row::ActiveModel = r.into();
    am.status = Set(WITHDRAWN.into());
    am.withdrawn_at = Set(Some(now()));
    am.updated_at = Set(now());
    am.update(&tx).await?;
    audit::record(
        &tx,
        scope,
        Change {
            action: "interest.withdraw",
            entity: "opening_response",
            entity_id: id,
            person_id: Some(person),
            changes: serde_json::json!({"opening_id": opening}),
            actor: &portal::self_actor(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// HR starts the comeback from a quiet interest: the comeback links to the opening and the interest. When
/// the person already has a comeback under way, the interest joins it (and it gains the opening and the
/// interest if it had none), so one person never has two.
pub async fn start_comeback(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    id: ResponseId,
    today: NaiveDate,
) -> StoreResult<(kaeru_domain::Comeback, bool)> {
    let tx = db.write.begin().await?;
    // Locked on PostgreSQL: two clicks on 復帰の流れを始める start one comeback.
    let mut q =
        row::Entity::find_by_id(id.0).filter(row::Column::CompanyId.eq(scope.company_id().0));
    if tx.get_database_backend() == sea_orm::DbBackend::Postgres {
        q = q.lock_exclusive();
    }
    let r = q.one(&tx).await?.ok_or(StoreError::NotFound)?;
    if r.status != ACTIVE || r.comeback_id.is_some() {
        return Err(StoreError::Conflict(crate::Clash::StatusChanged));
    }
    let person = PersonId(r.person_id);
    let (cb, joined) = match open_comeback(&tx, scope, person).await? {
        Some(existing) => {
            let c = comeback_row::Entity::find_by_id(existing)
                .filter(comeback_row::Column::CompanyId.eq(scope.company_id().0))
                .one(&tx)
                .await?
                .ok_or(StoreError::NotFound)?;
            let c = if c.opening_id.is_none() {
                let mut am: comeback_row::ActiveModel = c.into();
                am.opening_id = Set(Some(r.opening_id));
                am.response_id = Set(Some(r.id));
                am.update(&tx).await?
            } else {
                c
            };
            audit::record(
                &tx,
                scope,
                Change {
                    action: "comeback.join",
                    entity: "comeback",
                    entity_id: c.id,
                    person_id: Some(person),
                    changes: serde_json::json!({"opening_id": r.opening_id}),
                    actor,
                },
            )
            .await?;
            (comebacks::to_domain(c), true)
        }
        None => {
            let title = opening_row::Entity::find_by_id(r.opening_id)
                .filter(opening_row::Column::CompanyId.eq(scope.company_id().0))
                .one(&tx)
                .await?
                .map(|o| o.title)
                .unwrap_or_default();
            let cb = comebacks::open_in(
                &tx,
                scope,
                actor,
                person,
                Some(title),
                today,
                Origin {
                    opening: Some(OpeningId(r.opening_id)),
                    response: Some(id),
                },
            )
            .await?;
            (cb, false)
        }
    };
    let mut am: row::ActiveModel = r.into();
    am.comeback_id = Set(Some(cb.id.0));
    am.updated_at = Set(now());
    am.update(&tx).await?;
    tx.commit().await?;
    Ok((cb, joined))
}

/// Who viewed an opening: person, where from, how often, first and last time.
#[derive(Clone, Debug)]
pub struct View {
    pub person_id: PersonId,
    pub via: Via,
    pub times: i32,
    pub first_at: DateTime<Utc>,
    pub last_at: DateTime<Utc>,
}

pub async fn views(db: &Db, scope: &Scope, opening: OpeningId) -> StoreResult<Vec<View>> {
    Ok(view_row::Entity::find()
        .filter(view_row::Column::CompanyId.eq(scope.company_id().0))
        .filter(view_row::Column::OpeningId.eq(opening.0))
        .order_by_desc(view_row::Column::LastAt)
        .all(&db.read)
        .await?
        .into_iter()
        .map(|v| View {
            person_id: PersonId(v.person_id),
            via: Via::parse(&v.via).unwrap_or(Via::Portal),
            times: v.times,
            first_at: v.first_at,
            last_at: v.last_at,
        })
        .collect())
}

/// The figures of an opening: people who saw it, raised a hand (active interests) and applied, and the
/// same split by where they came from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Figures {
    pub saw: u64,
    pub interested: u64,
    pub applied: u64,
    /// channel code → (saw, interested, applied)
    pub by_via: BTreeMap<String, (u64, u64, u64)>,
}

/// The figures of every opening of the company (two grouped queries).
pub async fn figures(db: &Db, scope: &Scope) -> StoreResult<HashMap<OpeningId, Figures>> {
    let c = scope.company_id().0;
    let mut out: HashMap<OpeningId, Figures> = HashMap::new();
    let seen: Vec<(Uuid, String, i64)> = view_row::Entity::find()
        .select_only()
        .column(view_row::Column::OpeningId)
        .column(view_row::Column::Via)
        .column_as(view_row::Column::Id.count(), "n")
        .filter(view_row::Column::CompanyId.eq(c))
        .group_by(view_row::Column::OpeningId)
        .group_by(view_row::Column::Via)
        .into_tuple()
        .all(&db.read)
        .await?;
    for (o, via, n) in seen {
        let f = out.entry(OpeningId(o)).or_default();
        let n = u64::try_from(n).unwrap_or(0);
        f.saw += n;
        f.by_via.entry(via).or_default().0 += n;
    }
    let said: Vec<(Uuid, String, String, i64)> = row::Entity::find()
        .select_only()
        .column(row::Column::OpeningId)
        .column(row::Column::Via)
        .column(row::Column::Kind)
        .column_as(row::Column::Id.count(), "n")
        .filter(row::Column::CompanyId.eq(c))
        .filter(row::Column::Status.eq(ACTIVE))
        .group_by(row::Column::OpeningId)
        .group_by(row::Column::Via)
        .group_by(row::Column::Kind)
        .into_tuple()
        .all(&db.read)
        .await?;
    for (o, via, kind, n) in said {
        let f = out.entry(OpeningId(o)).or_default();
        let n = u64::try_from(n).unwrap_or(0);
        let e = f.by_via.entry(via).or_default();
        if kind == ResponseKind::Application.code() {
            f.applied += n;
            e.2 += n;
        } else {
            f.interested += n;
            e.1 += n;
        }
    }
    Ok(out)
}

/// Invites people to an opening (an invitation-only one shows to them; any other shows their invitation).
pub async fn invite(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    opening: OpeningId,
    people: &[PersonId],
) -> StoreResult<u64> {
    let c = scope.company_id().0;
    let tx = db.write.begin().await?;
    opening_row::Entity::find_by_id(opening.0)
        .filter(opening_row::Column::CompanyId.eq(c))
        .one(&tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    let mut added = 0;
    for p in people {
        crate::people::live(&tx, scope, *p).await?;
        let r = invite_row::Entity::insert(invite_row::ActiveModel {
            id: Set(Uuid::now_v7()),
            company_id: Set(c),
            opening_id: Set(opening.0),
            person_id: Set(p.0),
            invited_by: Set(actor.name.clone()),
            created_at: Set(now()),
        })
        .on_conflict_do_nothing_on([
            invite_row::Column::CompanyId,
            invite_row::Column::OpeningId,
            invite_row::Column::PersonId,
        ])
        .exec_without_returning(&tx)
        .await?;
        if matches!(r, sea_orm::TryInsertResult::Inserted(n) if n > 0) {
            added += 1;
            audit::record(
                &tx,
                scope,
                Change {
                    action: "opening.invite",
                    entity: "opening",
                    entity_id: opening.0,
                    person_id: Some(*p),
                    changes: serde_json::json!({"opening_id": opening}),
                    actor,
                },
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(added)
}

pub async fn uninvite(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    opening: OpeningId,
    person: PersonId,
) -> StoreResult<()> {
    let tx = db.write.begin().await?;
    let gone = invite_row::Entity::delete_many()
        .filter(invite_row::Column::CompanyId.eq(scope.company_id().0))
        .filter(invite_row::Column::OpeningId.eq(opening.0))
        .filter(invite_row::Column::PersonId.eq(person.0))
        .exec(&tx)
        .await?;
    if gone.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    audit::record(
        &tx,
        scope,
        Change {
            action: "opening.uninvite",
            entity: "opening",
            entity_id: opening.0,
            person_id: Some(person),
            changes: serde_json::json!({"opening_id": opening}),
            actor,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The people invited to an opening, in the order invited.
pub async fn invited(db: &Db, scope: &Scope, opening: OpeningId) -> StoreResult<Vec<PersonId>> {
    Ok(invite_row::Entity::find()
        .filter(invite_row::Column::CompanyId.eq(scope.company_id().0))
        .filter(invite_row::Column::OpeningId.eq(opening.0))
        .order_by_asc(invite_row::Column::CreatedAt)
        .all(&db.read)
        .await?
        .into_iter()
        .map(|i| PersonId(i.person_id))
        .collect())
}

/// A recommendation from the portal: a referral in the network's records, crediting the alumnus.
pub async fn refer(
    db: &Db,
    scope: &Scope,
    person: PersonId,
    opening: OpeningId,
    d: &ReferralDraft,
    today: NaiveDate,
) -> Result<kaeru_domain::network::Contribution, RespondError> {
    let c = scope.company_id().0;
    let tx = db.write.begin().await?;
    let o = open_to(&tx, scope, person, opening, today).await?;
    let id = Uuid::now_v7();
    let model = contribution::ActiveModel {
        id: Set(id),
        company_id: Set(c),
        person_id: Set(person.0),
        kind: Set(ContributionKind::Referral.code().into()),
        on_date: Set(today),
        candidate: Set(Some(d.name.clone())),
        opening: Set(Some(o.title.clone())),
        outcome: Set(Some(ReferralOutcome::Introduced.code().into())),
        client: Set(None),
        amount_yen: Set(None),
        note: Set(d.note.clone()),
        created_at: Set(now()),
        opening_id: Set(Some(opening.0)),
        candidate_email: Set(d.email.clone()),
        candidate_phone: Set(d.phone.clone()),
        relationship: Set(d.relationship.clone()),
        from_portal: Set(true),
    }
    .insert(&tx)
    .await?;
    audit::record(
        &tx,
        scope,
        Change {
            action: "contribution.refer",
            entity: "contribution",
            entity_id: id,
            person_id: Some(person),
            // The candidate's contacts stay out of the audit trail.
            changes: serde_json::json!({"opening_id": opening, "candidate": d.name}),
            actor: &portal::self_actor(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(crate::network::to_domain(model))
}

/// A person's job alert.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alert {
    pub person_id: PersonId,
    pub min_fit: FitBand,
    pub seen_until: DateTime<Utc>,
    pub last_sent_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

fn to_alert(a: job_alert::Model) -> Alert {
    Alert {
        person_id: PersonId(a.person_id),
        min_fit: FitBand::parse(&a.min_fit).unwrap_or(FitBand::Good),
        seen_until: a.seen_until,
        last_sent_at: a.last_sent_at,
        created_at: a.created_at,
    }
}

pub async fn alert_of(db: &Db, scope: &Scope, person: PersonId) -> StoreResult<Option<Alert>> {
    Ok(job_alert::Entity::find()
        .filter(job_alert::Column::CompanyId.eq(scope.company_id().0))
        .filter(job_alert::Column::PersonId.eq(person.0))
        .one(&db.read)
        .await?
        .map(to_alert))
}

/// Turns the person's alert on (with the least fit) or off. Openings already on the board when it is
/// turned on are not news: only later ones are told.
pub async fn set_alert(
    db: &Db,
    scope: &Scope,
    person: PersonId,
    min_fit: Option<FitBand>,
) -> StoreResult<()> {
    let c = scope.company_id().0;
    let tx = db.write.begin().await?;
    crate::people::live(&tx, scope, person).await?;
    let current = job_alert::Entity::find()
        .filter(job_alert::Column::CompanyId.eq(c))
        .filter(job_alert::Column::PersonId.eq(person.0))
        .one(&tx)
        .await?;
    let before = current.as_ref().map(|a| a.min_fit.clone());
    match (current, min_fit) {
        (Some(a), Some(fit)) => {
            let mut am: job_alert::ActiveModel = a.into();
            am.min_fit = Set(fit.code().into());
            am.update(&tx).await?;
        }
        (Some(a), None) => {
            job_alert::Entity::delete_by_id(a.id).exec(&tx).await?;
        }
        (None, Some(fit)) => {
            job_alert::ActiveModel {
                id: Set(Uuid::now_v7()),
                company_id: Set(c),
                person_id: Set(person.0),
                min_fit: Set(fit.code().into()),
                seen_until: Set(now()),
                last_sent_at: Set(None),
                created_at: Set(now()),
            }
            .insert(&tx)
            .await?;
        }
        (None, None) => {}
    }
    audit::record(
        &tx,
        scope,
        Change {
            action: "job_alert.set",
            entity: "person",
            entity_id: person.0,
            person_id: Some(person),
            changes: serde_json::json!({"min_fit": [before, min_fit.map(FitBand::code)]}),
            actor: &portal::self_actor(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// When each opening the board could show became what it is now (its last change, or the invitation):
/// openings changed after an alert's `seen_until` are news to it.
#[derive(Clone, Debug, Default)]
pub struct Freshness {
    /// Openings for alumni or the public: opening → last change.
    pub open: HashMap<OpeningId, DateTime<Utc>>,
    /// Invitation-only openings: (opening, person) → the later of the change and the invitation.
    pub invited: HashMap<(OpeningId, PersonId), DateTime<Utc>>,
    pub newest: Option<DateTime<Utc>>,
}

pub async fn freshness(db: &Db, scope: &Scope, today: NaiveDate) -> StoreResult<Freshness> {
    let c = scope.company_id().0;
    let rows = opening_row::Entity::find()
        .filter(opening_row::Column::CompanyId.eq(c))
        .filter(opening_row::Column::Status.eq(OpeningStatus::Open.code()))
        .all(&db.read)
        .await?;
    let mut f = Freshness::default();
    let mut invited_only: HashMap<Uuid, DateTime<Utc>> = HashMap::new();
    for r in rows {
        if r.closes_on.is_some_and(|d| d < today) {
            continue;
        }
        if r.audience == OpeningAudience::Invited.code() {
            invited_only.insert(r.id, r.updated_at);
        } else {
            f.open.insert(OpeningId(r.id), r.updated_at);
            f.newest = f.newest.max(Some(r.updated_at));
        }
    }
    if !invited_only.is_empty() {
        for i in invite_row::Entity::find()
            .filter(invite_row::Column::CompanyId.eq(c))
            .filter(invite_row::Column::OpeningId.is_in(invited_only.keys().copied()))
            .all(&db.read)
            .await?
        {
            let at = invited_only[&i.opening_id].max(i.created_at);
            f.invited
                .insert((OpeningId(i.opening_id), PersonId(i.person_id)), at);
            f.newest = f.newest.max(Some(at));
        }
    }
    Ok(f)
}

/// The alerts with news to look at: not looked at since `newest`, and not sent since `sent_before`
/// (at most one message a week). Uses the `(company_id, seen_until)` index.
pub async fn alerts_due(
    db: &Db,
    scope: &Scope,
    newest: DateTime<Utc>,
    sent_before: DateTime<Utc>,
) -> StoreResult<Vec<Alert>> {
    use sea_orm::Condition;
    Ok(job_alert::Entity::find()
        .filter(job_alert::Column::CompanyId.eq(scope.company_id().0))
        .filter(job_alert::Column::SeenUntil.lt(newest))
        .filter(
            Condition::any()
                .add(job_alert::Column::LastSentAt.is_null())
                .add(job_alert::Column::LastSentAt.lte(sent_before)),
        )
        .all(&db.read)
        .await?
        .into_iter()
        .map(to_alert)
        .collect())
}

/// The openings already told to each of these people.
pub async fn already_alerted(
    db: &Db,
    scope: &Scope,
    people: &[PersonId],
) -> StoreResult<HashSet<(PersonId, OpeningId)>> {
    let mut out = HashSet::new();
    for chunk in people.chunks(500) {
        for r in job_alert_sent::Entity::find()
            .filter(job_alert_sent::Column::CompanyId.eq(scope.company_id().0))
            .filter(job_alert_sent::Column::PersonId.is_in(chunk.iter().map(|p| p.0)))
            .all(&db.read)
            .await?
        {
            out.insert((PersonId(r.person_id), OpeningId(r.opening_id)));
        }
    }
    Ok(out)
}

/// Records one alert's pass: the openings told, with their message queued in the same transaction (so
/// a message and its record go together), and that everything changed up to `seen` (the newest change
/// the pass read, not the clock: an opening written meanwhile stays news) was looked at. A pass that lost
/// a race to another node (the alert moved on meanwhile) writes nothing. A message the person's consent
/// no longer allows is not queued and nothing is recorded as told. Answers whether a message was queued.
pub async fn alert_pass(
    db: &Db,
    scope: &Scope,
    alert: &Alert,
    told: &[OpeningId],
    message: Option<&crate::outbox::NewMessage>,
    seen: DateTime<Utc>,
    at: DateTime<Utc>,
) -> StoreResult<bool> {
    let c = scope.company_id().0;
    let tx = db.write.begin().await?;
    let sending = !told.is_empty() && message.is_some();
    if let Some(m) = message.filter(|_| sending) {
        match crate::outbox::enqueue_in(&tx, scope, m).await {
            Ok(()) => {}
            Err(crate::outbox::QueueError::NoConsent(_)) => {
                drop(tx);
                Box::pin(alert_pass(db, scope, alert, &[], None, seen, at)).await?;
                return Ok(false);
            }
            Err(crate::outbox::QueueError::Store(e)) => return Err(e),
        }
    }
    let mut moved = job_alert::Entity::update_many()
        .col_expr(
            job_alert::Column::SeenUntil,
            Expr::value(seen.max(alert.seen_until)),
        )
        .filter(job_alert::Column::CompanyId.eq(c))
        .filter(job_alert::Column::PersonId.eq(alert.person_id.0))
        .filter(job_alert::Column::SeenUntil.eq(alert.seen_until));
    if sending {
        moved = moved.col_expr(job_alert::Column::LastSentAt, Expr::value(Some(at)));
    }
    if moved.exec(&tx).await?.rows_affected == 0 {
        return Ok(false);
    }
    if sending {
        for o in told {
            job_alert_sent::Entity::insert(job_alert_sent::ActiveModel {
                id: Set(Uuid::now_v7()),
                company_id: Set(c),
                person_id: Set(alert.person_id.0),
                opening_id: Set(o.0),
                sent_at: Set(at),
            })
            .on_conflict_do_nothing_on([
                job_alert_sent::Column::CompanyId,
                job_alert_sent::Column::PersonId,
                job_alert_sent::Column::OpeningId,
            ])
            .exec_without_returning(&tx)
            .await?;
        }
    }
    tx.commit().await?;
    Ok(sending)
}

/// Everything the job board holds about a person (their own data, for the portal's download).
pub async fn own_data(db: &Db, scope: &Scope, person: PersonId) -> StoreResult<serde_json::Value> {
    let responses = for_person(db, scope, person).await?;
    let alert = alert_of(db, scope, person).await?;
    Ok(serde_json::json!({
        "responses": responses.iter().map(|r| serde_json::json!({
            "opening_id": r.opening_id,
            "kind": r.kind.code(),
            "withdrawn": r.withdrawn,
            "note": r.note,
            "available_from": r.available_from,
            "via": r.via.code(),
            "at": r.updated_at,
        })).collect::<Vec<_>>(),
        "job_alert": alert.map(|a| serde_json::json!({"min_fit": a.min_fit.code(), "since": a.created_at})),
    }))
}
