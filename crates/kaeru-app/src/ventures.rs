//! Businesses started by former employees, the support the company gave them and the business done with
//! them since.

use crate::failure::Outcome;
use chrono::NaiveDate;
use kaeru_domain::venture::{Deal, DealInput, Support, SupportInput, Venture, VentureInput};
use kaeru_domain::{PersonId, VentureId};
use kaeru_store::{Actor, Db, Scope, ventures};

pub async fn create(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    person: PersonId,
    input: &VentureInput,
    today: NaiveDate,
) -> Outcome<Venture> {
    let d = input.parse(today)?;
    Ok(ventures::create(db, scope, actor, person, &d, today).await?)
}

pub async fn update(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    id: VentureId,
    input: &VentureInput,
    today: NaiveDate,
) -> Outcome<Venture> {
    let d = input.parse(today)?;
    Ok(ventures::update(db, scope, actor, id, &d, today).await?)
}

pub async fn add_support(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    venture: VentureId,
    input: &SupportInput,
    today: NaiveDate,
) -> Outcome<Support> {
    let d = input.parse(today)?;
    Ok(ventures::add_support(db, scope, actor, venture, &d).await?)
}

pub async fn add_deal(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    venture: VentureId,
    input: &DealInput,
    today: NaiveDate,
) -> Outcome<Deal> {
    let d = input.parse(today)?;
    Ok(ventures::add_deal(db, scope, actor, venture, &d).await?)
}

/// Removes a support entry or a deal recorded by mistake.
pub async fn remove_entry(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    venture: VentureId,
    entry: uuid::Uuid,
) -> Outcome<()> {
    Ok(ventures::remove_entry(db, scope, actor, venture, entry).await?)
}
