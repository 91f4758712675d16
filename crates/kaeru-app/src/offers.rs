//! The lifecycle of a return offer (リターンオファー): issue, acknowledge, withdraw, decline, exercise.

use crate::failure::{Failure, Outcome};
use chrono::NaiveDate;
use kaeru_domain::offer::OfferContext;
use kaeru_domain::{FieldErrors, Invalid, OfferAction, OfferId, OfferInput, PersonId, ReturnOffer};
use kaeru_store::offers::{self, TransitionError};
use kaeru_store::{Actor, Clash, Db, Scope, StoreError, people, stints};

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

/// What the offer rules need to know about a person, read fresh: their stints and the number of another offer
/// that still stands.
pub struct OfferFacts {
    pub stints: Vec<kaeru_domain::EmploymentStint>,
    pub other_active_offer: Option<String>,
}

impl OfferFacts {
    pub fn context(&self, today: NaiveDate) -> OfferContext<'_> {
        OfferContext {
            stints: &self.stints,
            today,
            other_active_offer: self.other_active_offer.as_deref(),
        }
    }
}

/// The facts for an offer to `person` (leaving out the offer `except` being changed). An erased person gets
/// no offer: that is said before any rule about their stints or offers.
pub async fn facts(
    db: &Db,
    scope: &Scope,
    person: PersonId,
    except: Option<OfferId>,
) -> Outcome<OfferFacts> {
    if people::portal_facts(db, scope, person)
        .await?
        .erased_at
        .is_some()
    {
        return Err(Failure::Store(StoreError::Erased));
    }
    Ok(OfferFacts {
        stints: stints::for_person(db, scope, person).await?,
        other_active_offer: offers::active_for_person(db, scope, person, except)
            .await?
            .map(|o| o.number),
    })
}

/// Creates a draft offer (`existing` none) or changes a draft, with the offer form's rules: the window, the
/// terms, the rehire judgement of the last leaving (overridden only with a reason), one standing offer.
pub async fn save_draft(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    person: PersonId,
    existing: Option<OfferId>,
    input: &OfferInput,
    today: NaiveDate,
) -> Outcome<ReturnOffer> {
    let f = facts(db, scope, person, existing).await?;
    let draft = input.parse(&f.context(today))?;
    let saved = match existing {
        None => offers::create(db, scope, actor, person, &draft, today).await,
        Some(id) => offers::update_draft(db, scope, actor, id, &draft).await,
    };
    saved.map_err(|e| match e {
        StoreError::Conflict(Clash::ActiveOffer) => Failure::field(
            "valid_from",
            Invalid::new("error.offer_already_active").with("number", "—"),
        ),
        StoreError::Conflict(Clash::StatusChanged) => {
            Failure::field("valid_from", Invalid::new("error.offer_transition"))
        }
        other => other.into(),
    })
}

/// The offers list's pages, kept per company revision (a page is its offers and their people's names; the days
/// left are worked out from today when the page is shown).
#[derive(Default)]
pub struct ListCache(
    pub(crate)  crate::recent::Pages<
        (Option<kaeru_domain::OfferStatus>, u64, u64),
        kaeru_store::Page<offers::OfferListItem>,
    >,
);

/// A page of the company's offers (the window closing soonest first), optionally of one status. `revision` as in
/// [`crate::people::list`]: the company's revision if the caller has just read it, else `None`.
pub async fn list(
    db: &Db,
    cache: &ListCache,
    scope: &Scope,
    revision: Option<i64>,
    status: Option<kaeru_domain::OfferStatus>,
    page: u64,
    per_page: u64,
) -> Result<std::sync::Arc<kaeru_store::Page<offers::OfferListItem>>, StoreError> {
    let revision = crate::recent::revision_or_read(db, scope, revision).await?;
    let page = page.max(1);
    cache
        .0
        .get(scope, revision, (status, page, per_page), || {
            offers::list_page(db, scope, status, page, per_page)
        })
        .await
}
