//! Registrations.

use crate::AppState;
use crate::auth::Signed;
use crate::error::{AppError, AppResult};
use crate::forms::Id;
use crate::forms::Posted;
use crate::routes::public::send_sign_in_link;
use crate::routes::{parse_id, redirect_with_flash, render};
use crate::shell::{Section, Shell};
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use kaeru_domain::{Permission, PersonId};
use kaeru_store::{Clash, StoreError, people, registrations};
use serde::Deserialize;

pub struct MatchRow {
    person_id: String,
    name: String,
    kana: String,
    reasons: String,
}

pub struct RegistrationRow {
    id: String,
    name: String,
    kana: String,
    email: String,
    phone: String,
    birth_date: String,
    period: String,
    department: String,
    message: String,
    received: String,
    matches: Vec<MatchRow>,
}

#[derive(Template)]
#[template(path = "registrations.html")]
struct RegistrationsPage {
    s: Shell,
    rows: Vec<RegistrationRow>,
    slug: String,
}

pub(super) async fn registrations_page(
    State(state): State<AppState>,
    signed: Signed,
) -> AppResult<Response> {
    signed.require(Permission::EditPeople)?;
    let s = Shell::signed(&signed, Section::People, "/registrations");
    let mut rows = Vec::new();
    for r in registrations::list(&state.db, signed.scope()).await? {
        let matches = registrations::matches(&state.db, signed.scope(), &r)
            .await?
            .into_iter()
            .map(|m| MatchRow {
                person_id: m.person.to_string(),
                name: m.name,
                kana: m.kana,
                reasons: m
                    .reasons
                    .iter()
                    .map(|k| s.t(&format!("registration.match_{k}")))
                    .collect::<Vec<_>>()
                    .join(s.t.t("punct.list_sep")),
            })
            .collect();
        let d = &r.data;
        rows.push(RegistrationRow {
            id: r.id.to_string(),
            name: format!("{} {}", d.family_name, d.given_name),
            kana: format!("{} {}", d.family_kana, d.given_kana),
            email: d.email.clone(),
            phone: d.phone.clone().unwrap_or_default(),
            birth_date: s.opt_date(&d.birth_date),
            period: d.period.clone().unwrap_or_default(),
            department: d.department.clone().unwrap_or_default(),
            message: d.message.clone().unwrap_or_default(),
            received: s.datetime(&r.created_at),
            matches,
        });
    }
    let tpl = RegistrationsPage {
        rows,
        slug: signed.info.company.slug.clone(),
        s,
    };
    Ok(render(&tpl)?.into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LinkForm {
    person: String,
}

/// After a registration becomes a person, the person gets a sign-in link (they asked to be registered).
async fn welcome(
    state: &AppState,
    signed: &Signed,
    person: PersonId,
    email: &str,
) -> AppResult<()> {
    let p = people::get(&state.db, signed.scope(), person).await?;
    send_sign_in_link(
        state,
        &signed.info.company,
        person,
        &p.full_name(),
        email,
        "mail.welcome",
    )
    .await
    .map_err(AppError::from)
}

/// What HR decided for a registration that becomes a person.
enum Decision {
    Link(PersonId),
    Create,
}

/// Links or creates, then sends the person their sign-in link.
async fn decide_registration(
    state: &AppState,
    signed: &Signed,
    id: uuid::Uuid,
    decision: Decision,
) -> AppResult<Response> {
    let r = registrations::get(&state.db, signed.scope(), id).await?;
    let (result, flash) = match decision {
        Decision::Link(person) => (
            registrations::link(&state.db, signed.scope(), &signed.actor(), id, person).await,
            "flash.registration_linked",
        ),
        Decision::Create => (
            registrations::create_person(&state.db, signed.scope(), &signed.actor(), id).await,
            "flash.registration_created",
        ),
    };
    let person = match result {
        Ok(p) => p,
        Err(StoreError::Conflict(Clash::EmailTaken | Clash::PersonEmailTaken)) => {
            return Ok(redirect_with_flash(
                "/registrations",
                "flash.registration_email_taken",
            ));
        }
        Err(e) => return Err(AppError::from(e)),
    };
    welcome(state, signed, person, &r.data.email.to_lowercase()).await?;
    Ok(redirect_with_flash(&format!("/people/{person}"), flash))
}

pub(super) async fn registration_link(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<uuid::Uuid>,
    posted: Posted<LinkForm>,
) -> AppResult<Response> {
    signed.require(Permission::EditPeople)?;
    let person: PersonId = parse_id(&posted.fields.person)?;
    decide_registration(&state, &signed, id, Decision::Link(person)).await
}

pub(super) async fn registration_create(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<uuid::Uuid>,
    _: Posted<()>,
) -> AppResult<Response> {
    signed.require(Permission::EditPeople)?;
    decide_registration(&state, &signed, id, Decision::Create).await
}

pub(super) async fn registration_reject(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<uuid::Uuid>,
    _: Posted<()>,
) -> AppResult<Response> {
    signed.require(Permission::EditPeople)?;
    registrations::reject(&state.db, signed.scope(), &signed.actor(), id).await?;
    Ok(redirect_with_flash(
        "/registrations",
        "flash.registration_rejected",
    ))
}
