//! 業務委託 engagements: the list with a week view (who works here on which days), the form on the person's
//! page, ending one, and the step back to employment through the comeback pipeline.

use super::{label, redirect_with_flash, render};
use crate::AppState;
use crate::auth::Signed;
use crate::error::AppResult;
use crate::forms::Id;
use crate::forms::{FormErrors, Posted};
use crate::shell::{Section, Shell};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kaeru_app::{Failure, contracts};
use kaeru_domain::EngagementId;

use kaeru_domain::engagement::{Engagement, EngagementInput, EngagementStatus, RateKind, Weekday};
use kaeru_domain::validation::group_digits;
use kaeru_domain::{FieldErrors, Permission, PersonId};
use kaeru_store::engagements::{self};
use kaeru_store::{people, staff};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/engagements", get(list))
        .route("/people/{id}/engagements", post(add))
        .route("/people/{id}/engagements/new", get(new_form))
        .route("/engagements/{id}", post(update))
        .route("/engagements/{id}/edit", get(edit_form))
        .route("/engagements/{id}/end", post(end))
}

pub struct EngagementRow {
    pub id: String,
    pub person_id: String,
    pub person: String,
    pub title: String,
    pub days: String,
    pub rate: String,
    pub period: String,
    pub manager: String,
    pub status_code: &'static str,
    pub status: String,
}

pub(crate) fn row(
    s: &Shell,
    e: &Engagement,
    person: &str,
    today: chrono::NaiveDate,
) -> EngagementRow {
    let st = e.status(today);
    EngagementRow {
        id: e.id.to_string(),
        person_id: e.person_id.to_string(),
        person: person.to_string(),
        title: e.title.clone(),
        days: s.t.aside(
            &s.tf("work.days", "n", e.weekdays.len()),
            &s.t.list(e.weekdays.iter().map(|w| label(s.t, "weekday", w.code()))),
        ),
        rate: s.tf(
            &format!("engagement.rate_{}", e.rate_kind.code()),
            "n",
            group_digits(e.rate_yen),
        ),
        period: format!(
            "{} – {}",
            s.date(&e.start_date),
            e.end_date.map(|d| s.date(&d)).unwrap_or_default()
        ),
        manager: e.manager.clone().unwrap_or_default(),
        status_code: st.code(),
        status: label(s.t, "engagement_status", st.code()),
    }
}

pub(crate) async fn panel(
    state: &AppState,
    signed: &Signed,
    s: &Shell,
    id: PersonId,
) -> AppResult<Vec<EngagementRow>> {
    let today = signed.today();
    Ok(engagements::for_person(&state.db, signed.scope(), id)
        .await?
        .iter()
        .map(|e| row(s, e, "", today))
        .collect())
}

/// Who comes in on a day: (person id, name, what they do).
type WeekEntry = (String, String, String);

#[derive(Template)]
#[template(path = "engagements.html")]
struct ListPage {
    s: Shell,
    rows: Vec<EngagementRow>,
    week: Vec<(String, Vec<WeekEntry>)>,
    can_comeback: bool,
}

async fn list(State(state): State<AppState>, signed: Signed) -> AppResult<Response> {
    signed.require(Permission::ViewPeople)?;
    let today = signed.today();
    let all = engagements::all(&state.db, signed.scope()).await?;
    let s = Shell::signed(&signed, Section::People, "/engagements");
    let active: Vec<&(Engagement, String)> = all
        .iter()
        .filter(|(e, _)| e.status(today) == EngagementStatus::Active)
        .collect();
    let week = Weekday::ALL
        .iter()
        .map(|w| {
            (
                label(s.t, "weekday", w.code()),
                active
                    .iter()
                    .filter(|(e, _)| e.weekdays.contains(w))
                    .map(|(e, n)| (e.person_id.to_string(), n.clone(), e.title.clone()))
                    .collect(),
            )
        })
        .collect();
    let mut rows: Vec<EngagementRow> = all.iter().map(|(e, n)| row(&s, e, n, today)).collect();
    rows.sort_by_key(|r| match r.status_code {
        "active" => 0,
        "planned" => 1,
        _ => 2,
    });
    let tpl = ListPage {
        rows,
        week,
        can_comeback: signed.can(Permission::ManageOffers),
        s,
    };
    Ok(render(&tpl)?.into_response())
}

#[derive(Template)]
#[template(path = "engagement_form.html")]
struct FormPage {
    s: Shell,
    person_id: PersonId,
    person_name: String,
    /// Set when editing.
    engagement_id: Option<EngagementId>,
    form: EngagementInput,
    errors: FormErrors,
    weekdays: Vec<(String, String)>,
    rate_kinds: Vec<(String, String)>,
    managers: Vec<String>,
}

async fn form_page(
    state: &AppState,
    signed: &Signed,
    id: PersonId,
    engagement_id: Option<EngagementId>,
    form: EngagementInput,
    errors: &FieldErrors,
) -> AppResult<Response> {
    let p = people::get(&state.db, signed.scope(), id).await?;
    let managers = staff::list(&state.db, signed.scope())
        .await?
        .into_iter()
        .filter(|u| u.active)
        .map(|u| u.display_name)
        .collect();
    let path = match engagement_id {
        Some(e) => format!("/engagements/{e}/edit"),
        None => format!("/people/{id}/engagements/new"),
    };
    let s = Shell::signed(signed, Section::People, &path);
    let tpl = FormPage {
        engagement_id,
        person_id: id,
        person_name: p.full_name(),
        weekdays: Weekday::ALL
            .iter()
            .map(|w| (w.code().to_string(), label(s.t, "weekday", w.code())))
            .collect(),
        rate_kinds: RateKind::ALL
            .iter()
            .map(|k| (k.code().to_string(), label(s.t, "rate_kind", k.code())))
            .collect(),
        managers,
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
    let form = EngagementInput {
        rate_kind: "day".into(),
        start_date: signed.today().format("%Y-%m-%d").to_string(),
        manager: signed.info.user.display_name.clone(),
        ..Default::default()
    };
    form_page(&state, &signed, id, None, form, &FieldErrors::new()).await
}

async fn add(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<PersonId>,
    posted: Posted<EngagementInput>,
) -> AppResult<Response> {
    signed.require(Permission::EditPeople)?;
    let f = posted.fields;
    let added = contracts::add(
        &state.db,
        signed.scope(),
        &signed.actor(),
        id,
        &f,
        signed.today(),
    )
    .await;
    match added {
        Ok(_) => Ok(redirect_with_flash(
            &format!("/people/{id}#engagements-h"),
            "flash.engagement_saved",
        )),
        Err(Failure::Invalid(e)) => form_page(&state, &signed, id, None, f, &e).await,
        Err(other) => Err(other.into()),
    }
}

async fn edit_form(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<EngagementId>,
) -> AppResult<Response> {
    signed.require(Permission::EditPeople)?;
    let e = engagements::get(&state.db, signed.scope(), id).await?;
    let form = EngagementInput::from_engagement(&e);
    form_page(
        &state,
        &signed,
        e.person_id,
        Some(id),
        form,
        &FieldErrors::new(),
    )
    .await
}

async fn update(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<EngagementId>,
    posted: Posted<EngagementInput>,
) -> AppResult<Response> {
    signed.require(Permission::EditPeople)?;
    let current = engagements::get(&state.db, signed.scope(), id).await?;
    let person = current.person_id;
    let f = posted.fields;
    let updated = contracts::update(
        &state.db,
        signed.scope(),
        &signed.actor(),
        id,
        &f,
        signed.today(),
    )
    .await;
    match updated {
        Ok(_) => Ok(redirect_with_flash(
            &format!("/people/{person}#engagements-h"),
            "flash.engagement_saved",
        )),
        Err(Failure::Invalid(e)) => form_page(&state, &signed, person, Some(id), f, &e).await,
        Err(other) => Err(other.into()),
    }
}

async fn end(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<EngagementId>,
    _: Posted<()>,
) -> AppResult<Response> {
    signed.require(Permission::EditPeople)?;
    let today = signed.today();
    let e = contracts::end(&state.db, signed.scope(), &signed.actor(), id, today, today).await?;
    Ok(redirect_with_flash(
        &format!("/people/{}#engagements-h", e.person_id),
        "flash.engagement_ended",
    ))
}
