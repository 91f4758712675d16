//! Side jobs (副業) of employees: the application, checked against the company's clients and competitors,
//! and one decision on it.

use crate::failure::{Failure, Outcome};
use kaeru_domain::side_job::{DecisionInput, SideJob, SideJobInput};
use kaeru_domain::{Invalid, PersonId, SideJobId};
use kaeru_store::side_jobs::{self, SideJobError};
use kaeru_store::{Actor, Db, Scope, StoreError};

/// Applies for a side job (or the renewal of `renews`); only people employed now may.
pub async fn apply(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    person: PersonId,
    input: &SideJobInput,
    renews: Option<SideJobId>,
) -> Outcome<SideJob> {
    let d = input.parse()?;
    side_jobs::apply(db, scope, actor, person, &d, renews)
        .await
        .map_err(|e| match e {
            SideJobError::NotEmployed => {
                Failure::field("employer", Invalid::new("error.side_job_not_employed"))
            }
            SideJobError::AlreadyDecided => Failure::Store(StoreError::NotFound),
            SideJobError::Store(s) => Failure::Store(s),
        })
}

/// Approves or rejects an application. One that may conflict with a client or competitor needs a reason;
/// a second decision is refused.
pub async fn decide(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    id: SideJobId,
    input: &DecisionInput,
) -> Outcome<SideJob> {
    let j = side_jobs::get(db, scope, id).await?;
    let base = side_jobs::check_base(db, scope).await?;
    let flagged = !side_jobs::conflicts_of(&j, &base).is_empty();
    let d = input.parse(flagged)?;
    side_jobs::decide(db, scope, actor, id, &d)
        .await
        .map_err(|e| match e {
            SideJobError::AlreadyDecided => Failure::Refused(Invalid::new("error.already_decided")),
            SideJobError::NotEmployed => Failure::Store(StoreError::NotFound),
            SideJobError::Store(s) => Failure::Store(s),
        })
}
