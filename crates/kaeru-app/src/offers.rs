//! The lifecycle of a return offer (リターンオファー): issue, acknowledge, withdraw, decline, exercise.

use crate::failure::{Failure, Outcome};
use chrono::NaiveDate;
use kaeru_domain::{FieldErrors, OfferAction, OfferId, ReturnOffer};
use kaeru_store::offers::{self, TransitionError};
use kaeru_store::{Actor, Db, Scope};

/// Moves an offer along its lifecycle with an optional reason (at most 2,000 characters); an action its
/// status does not allow is refused with the reason why.
pub async fn change_status(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    id: OfferId,
    action: OfferAction,
    reason: &str,
    today: NaiveDate,
) -> Outcome<ReturnOffer> {
    let mut e = FieldErrors::new();
    let reason = e
        .check(
            "reason",
            kaeru_domain::validation::optional_text(reason, 2000),
        )
        .flatten();
    if !e.is_empty() {
        return Err(Failure::Invalid(e));
    }
    offers::transition(db, scope, actor, id, action, reason, today)
        .await
        .map_err(|e| match e {
            TransitionError::Refused(inv) => Failure::Refused(inv),
            TransitionError::Store(s) => Failure::Store(s),
        })
}
