//! What alumni bring back: referrals of candidates and business introduced (contributions).

use crate::failure::Outcome;
use chrono::NaiveDate;
use kaeru_domain::network::{Contribution, ContributionInput};
use kaeru_domain::{ContributionId, PersonId};
use kaeru_store::{Actor, Db, Scope, network};

pub async fn add(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    person: PersonId,
    input: &ContributionInput,
    today: NaiveDate,
) -> Outcome<Contribution> {
    let d = input.parse(today)?;
    Ok(network::add(db, scope, actor, person, &d).await?)
}

pub async fn remove(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    person: PersonId,
    id: ContributionId,
) -> Outcome<()> {
    Ok(network::remove(db, scope, actor, person, id).await?)
}
