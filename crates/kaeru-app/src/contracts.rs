//! 業務委託 contracts (engagements) with former employees: days of the week, rate, period. With the person's
//! other contracts of the same period they may come to at most five days a week.

use crate::failure::{Failure, Outcome};
use chrono::NaiveDate;
use kaeru_domain::engagement::{Engagement, EngagementInput};
use kaeru_domain::{EngagementId, Invalid, PersonId};
use kaeru_store::engagements::{self, EngagementError};
use kaeru_store::{Actor, Db, Scope};

fn refused(e: EngagementError) -> Failure {
    match e {
        EngagementError::OverFiveDays(n) => Failure::field(
            "weekdays",
            Invalid::new("error.engagement_over_five").with("days", n),
        ),
        EngagementError::Store(s) => Failure::Store(s),
    }
}

pub async fn add(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    person: PersonId,
    input: &EngagementInput,
    today: NaiveDate,
) -> Outcome<Engagement> {
    let d = input.parse()?;
    engagements::add(db, scope, actor, person, &d, today)
        .await
        .map_err(refused)
}

pub async fn update(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    id: EngagementId,
    input: &EngagementInput,
    today: NaiveDate,
) -> Outcome<Engagement> {
    let d = input.parse()?;
    engagements::update(db, scope, actor, id, &d, today)
        .await
        .map_err(refused)
}

/// Ends a contract on `on` (today when not given).
pub async fn end(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    id: EngagementId,
    on: NaiveDate,
    today: NaiveDate,
) -> Outcome<Engagement> {
    Ok(engagements::end(db, scope, actor, id, on, today).await?)
}
