//! Employment stints: added and changed against the person's other stints (no overlap, leaving details only
//! with an end date); every change recomputes the person's status in the same transaction.

use crate::failure::{Failure, Outcome};
use chrono::NaiveDate;
use kaeru_domain::stint::StintInput;
use kaeru_domain::{EmploymentStint, PersonId, StintId};
use kaeru_store::{Actor, Db, Scope, StoreError, stints};

/// Adds a stint (`stint` none) or changes one of the person's. Someone who may not see the confidential
/// rehire reason (`may_see_rehire_reason` false) leaves the stored one as it was, whatever they sent.
#[allow(clippy::too_many_arguments)]
pub async fn save(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    person: PersonId,
    stint: Option<StintId>,
    mut input: StintInput,
    may_see_rehire_reason: bool,
    today: NaiveDate,
) -> Outcome<EmploymentStint> {
    let all = stints::for_person(db, scope, person).await?;
    let existing = match stint {
        Some(id) => Some(
            all.iter()
                .find(|s| s.id == id)
                .cloned()
                .ok_or(Failure::Store(StoreError::NotFound))?,
        ),
        None => None,
    };
    if !may_see_rehire_reason {
        input.rehire_reason = existing
            .as_ref()
            .and_then(|e| e.rehire_reason.clone())
            .unwrap_or_default();
    }
    let others: Vec<_> = all.into_iter().filter(|s| Some(s.id) != stint).collect();
    let draft = input.parse(&others)?;
    Ok(match stint {
        None => stints::create(db, scope, actor, person, &draft, today).await?,
        Some(id) => stints::update(db, scope, actor, id, &draft, today).await?,
    })
}

/// Removes a stint recorded by mistake (leaving is an end date, not a deletion); returns whose it was.
pub async fn delete(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    id: StintId,
    today: NaiveDate,
) -> Outcome<PersonId> {
    Ok(stints::delete(db, scope, actor, id, today).await?)
}
