//! Contacts with alumni (touchpoints): what the company logged, by whom, through which channel. Warmth is
//! derived from them.

use crate::failure::Outcome;
use chrono::NaiveDate;
use kaeru_domain::touchpoint::{Touchpoint, TouchpointInput};
use kaeru_domain::{PersonId, TouchpointId};
use kaeru_store::{Actor, Db, Scope, touchpoints};

/// Logs a contact; "who" left empty is the acting staff member.
pub async fn log(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    person: PersonId,
    input: &TouchpointInput,
    today: NaiveDate,
) -> Outcome<Touchpoint> {
    let d = input.parse(today, &actor.name)?;
    Ok(touchpoints::add(db, scope, actor, person, &d).await?)
}

pub async fn remove(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    person: PersonId,
    id: TouchpointId,
) -> Outcome<()> {
    Ok(touchpoints::remove(db, scope, actor, person, id).await?)
}
