//! The network page (who works where now, and what the network brought this year) and the referrals and
//! business each former employee brings.

use super::{label, redirect_with_flash, render};
use crate::AppState;
use crate::auth::Signed;
use crate::error::AppResult;
use crate::forms::{FormErrors, Posted};
use crate::forms::{Id, Ids};
use crate::shell::{Section, Shell};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kaeru_app::Failure;
use kaeru_domain::ContributionId;
use kaeru_domain::network::{Contribution, ContributionInput, ContributionKind, ReferralOutcome};
use kaeru_domain::{FieldErrors, Permission, PersonId};
use kaeru_store::{network, people};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/network", get(page))
        .route("/people/{id}/contributions", post(add))
        .route("/people/{id}/contributions/new", get(new_form))
        .route("/people/{id}/contributions/{cid}/delete", post(remove))
}

pub struct ContributionRow {
    pub id: String,
    pub person_id: String,
    pub person: String,
    pub on: String,
    pub kind: String,
    pub what: String,
    pub amount: String,
}

pub(crate) fn row(s: &Shell, c: &Contribution, person: &str) -> ContributionRow {
    let what = match c.kind {
        ContributionKind::Referral => {
            let mut w = c.candidate.clone().unwrap_or_default();
            if let Some(o) = &c.opening {
                w = s.t.aside(&w, o);
            }
            if let Some(o) = c.outcome {
                w.push_str(&format!(" — {}", label(s.t, "outcome", o.code())));
            }
            w
        }
        ContributionKind::Business => c.client.clone().unwrap_or_default(),
    };
    ContributionRow {
        id: c.id.to_string(),
        person_id: c.person_id.to_string(),
        person: person.to_string(),
        on: s.date(&c.on),
        kind: label(s.t, "contribution", c.kind.code()),
        what,
        amount: c.amount_yen.map(|y| s.yen(y)).unwrap_or_default(),
    }
}

/// The person page's list of what they brought.
pub(crate) async fn panel(
    state: &AppState,
    signed: &Signed,
    s: &Shell,
    id: PersonId,
) -> AppResult<Vec<ContributionRow>> {
    Ok(network::for_person(&state.db, signed.scope(), id)
        .await?
        .iter()
        .map(|c| row(s, c, ""))
        .collect())
}

pub struct Group {
    employer: String,
    people: Vec<(String, String, String, String)>,
    /// Everyone placed there, of whom `people` are the first few.
    total: usize,
}

/// Groups shown on the page, and people shown per group: a company of 100,000 has tens of thousands of
/// alumni placed; the page names the largest groups and says how many more there are (search narrows them).
const GROUPS_SHOWN: usize = 40;
const PEOPLE_PER_GROUP: usize = 12;

#[derive(Template)]
#[template(path = "network.html")]
struct NetworkPage {
    s: Shell,
    q: String,
    q_encoded: String,
    by_industry: bool,
    groups: Vec<Group>,
    placed: usize,
    /// Groups not shown.
    more_groups: usize,
    year: i32,
    business: String,
    deals: usize,
    referrals: usize,
    hires: usize,
    items: Vec<ContributionRow>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NetworkQuery {
    q: String,
    /// `industry` groups by industry; anything else by employer.
    by: String,
}

async fn page(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<NetworkQuery>,
) -> AppResult<Response> {
    signed.require(Permission::ViewPeople)?;
    let by = if q.by == "industry" {
        network::GroupBy::Industry
    } else {
        network::GroupBy::Employer
    };
    let groups = state
        .search
        .network
        .grouped(&state.db, signed.scope(), &q.q, by)
        .await?;
    let year = network::this_year(signed.today());
    let value = network::year_value(&state.db, signed.scope(), year).await?;
    let s = Shell::signed(&signed, Section::People, "/network");
    let placed = groups.iter().map(|g| g.1.len()).sum();
    let more_groups = groups.len().saturating_sub(GROUPS_SHOWN);
    let tpl = NetworkPage {
        more_groups,
        by_industry: by == network::GroupBy::Industry,
        q_encoded: url::form_urlencoded::byte_serialize(q.q.as_bytes()).collect(),
        q: q.q.clone(),
        placed,
        groups: groups
            .iter()
            .take(GROUPS_SHOWN)
            .map(|(key, people)| Group {
                total: people.len(),
                employer: if key.is_empty() {
                    s.t("network.industry_unknown").to_string()
                } else {
                    key.clone()
                },
                people: people
                    .iter()
                    .take(PEOPLE_PER_GROUP)
                    .map(|p| {
                        (
                            p.person.to_string(),
                            p.name.clone(),
                            p.current.role.clone().unwrap_or_default(),
                            match by {
                                network::GroupBy::Employer => {
                                    p.current.industry.clone().unwrap_or_default()
                                }
                                network::GroupBy::Industry => p.current.employer.clone(),
                            },
                        )
                    })
                    .collect(),
            })
            .collect(),
        year,
        business: s.yen(value.business_yen),
        deals: value.deals,
        referrals: value.referrals,
        hires: value.hires,
        items: value.items.iter().map(|(c, n)| row(&s, c, n)).collect(),
        s,
    };
    Ok(render(&tpl)?.into_response())
}

#[derive(Template)]
#[template(path = "contribution_form.html")]
struct FormPage {
    s: Shell,
    person_id: PersonId,
    person_name: String,
    form: ContributionInput,
    errors: FormErrors,
    kinds: Vec<(String, String)>,
    outcomes: Vec<(String, String)>,
}

async fn form_page(
    state: &AppState,
    signed: &Signed,
    id: PersonId,
    form: ContributionInput,
    errors: &FieldErrors,
) -> AppResult<Response> {
    let p = people::get(&state.db, signed.scope(), id).await?;
    let s = Shell::signed(
        signed,
        Section::People,
        &format!("/people/{id}/contributions/new"),
    );
    let tpl = FormPage {
        person_id: id,
        person_name: p.full_name(),
        kinds: ContributionKind::ALL
            .iter()
            .map(|k| (k.code().to_string(), label(s.t, "contribution", k.code())))
            .collect(),
        outcomes: ReferralOutcome::ALL
            .iter()
            .map(|k| (k.code().to_string(), label(s.t, "outcome", k.code())))
            .collect(),
        form,
        errors: FormErrors::from(errors, s.t),
        s,
    };
    Ok((super::form_status(errors), render(&tpl)?).into_response())
}

async fn new_form(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<PersonId>,
) -> AppResult<Response> {
    signed.require(Permission::EditPeople)?;
    let form = ContributionInput {
        kind: "referral".into(),
        ..Default::default()
    };
    form_page(&state, &signed, id, form, &FieldErrors::new()).await
}

async fn add(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<PersonId>,
    posted: Posted<ContributionInput>,
) -> AppResult<Response> {
    signed.require(Permission::EditPeople)?;
    let f = posted.fields;
    let added = kaeru_app::network::add(
        &state.db,
        signed.scope(),
        &signed.actor(),
        id,
        &f,
        signed.today(),
    )
    .await;
    match added {
        Ok(_) => {}
        Err(Failure::Invalid(e)) => return form_page(&state, &signed, id, f, &e).await,
        Err(other) => return Err(other.into()),
    }
    Ok(redirect_with_flash(
        &format!("/people/{id}#contributions-h"),
        "flash.contribution_saved",
    ))
}

async fn remove(
    State(state): State<AppState>,
    signed: Signed,
    Ids(id, cid): Ids<PersonId, ContributionId>,
    _: Posted<()>,
) -> AppResult<Response> {
    signed.require(Permission::EditPeople)?;
    kaeru_app::network::remove(&state.db, signed.scope(), &signed.actor(), id, cid).await?;
    Ok(redirect_with_flash(
        &format!("/people/{id}#contributions-h"),
        "flash.removed",
    ))
}
