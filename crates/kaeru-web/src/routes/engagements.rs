//! 業務委託 engagements: the list with a week view (who works here on which days), the form on the person's
//! page, ending one, and the step back to employment through the comeback pipeline.

use super::{choices, label, redirect_with_flash, render};
use crate::AppState;
use crate::auth::Signed;
use crate::error::AppResult;
use crate::forms::Id;
use crate::forms::{FormErrors, Posted};
use crate::shell::{Section, Shell};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kaeru_app::{Failure, contracts};
use kaeru_domain::EngagementId;

use kaeru_domain::engagement::{Engagement, EngagementInput, EngagementStatus, RateKind, Weekday};
use kaeru_domain::validation::group_digits;
use kaeru_domain::{FieldErrors, Permission, PersonId};
use kaeru_store::engagements::{self, EngagementFilter};
use kaeru_store::{people, staff};
use serde::Deserialize;

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

/// One day of the week view: its label, the first people who come in, how many more do, and the list of all
/// of them.
pub struct WeekDay {
    pub label: String,
    pub people: Vec<WeekEntry>,
    pub more: usize,
    pub more_text: String,
    pub more_link: String,
}

/// Contracts shown on one page of the list.
const ENGAGEMENTS_PER_PAGE: u64 = 50;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    status: String,
    day: String,
    page: String,
}

#[derive(Template)]
#[template(path = "engagements.html")]
struct ListPage {
    s: Shell,
    rows: Vec<EngagementRow>,
    week: Vec<WeekDay>,
    can_comeback: bool,
    /// (code, label with its count)
    statuses: Vec<(&'static str, String)>,
    all_label: String,
    days: Vec<(&'static str, String)>,
    filter_status: String,
    filter_day: String,
    filtered: bool,
    page: u64,
    pages: u64,
    total: u64,
    prev_link: String,
    next_link: String,
}

async fn list(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    signed.require(Permission::ViewPeople)?;
    let today = signed.today();
    let filter = EngagementFilter {
        status: EngagementStatus::parse(&q.status),
        day: Weekday::parse(&q.day),
    };
    let page_no = q.page.trim().parse::<u64>().unwrap_or(1).clamp(1, 100_000);
    let (found, overview) = contracts::list(
        &state.db,
        &state.search.contracts,
        signed.scope(),
        Some(signed.info.revision),
        filter,
        today,
        page_no,
        ENGAGEMENTS_PER_PAGE,
    )
    .await?;
    let counts = overview.2.counts;
    let s = Shell::signed(&signed, Section::People, "/engagements");
    let week = overview
        .2
        .week
        .iter()
        .map(|d| {
            let more = d.total.saturating_sub(d.first.len());
            WeekDay {
                label: label(s.t, "weekday", d.day.code()),
                people: d
                    .first
                    .iter()
                    .map(|(p, name, title)| (p.to_string(), name.clone(), title.clone()))
                    .collect(),
                more,
                more_text: s.tf("engagement.more_on_day", "n", group_digits(more as i64)),
                more_link: format!("/engagements?status=active&day={}", d.day.code()),
            }
        })
        .collect();
    let link = |p: u64| {
        format!(
            "/engagements?status={}&day={}&page={p}",
            filter
                .status
                .map(EngagementStatus::code)
                .unwrap_or_default(),
            filter.day.map(Weekday::code).unwrap_or_default(),
        )
    };
    let (page, pages, total) = (found.page, found.pages(), found.total);
    let rows = found
        .items
        .iter()
        .map(|(e, n)| row(&s, e, n, today))
        .collect();
    let statuses = [
        EngagementStatus::Active,
        EngagementStatus::Planned,
        EngagementStatus::Ended,
    ]
    .into_iter()
    .map(|st| {
        (
            st.code(),
            s.t.aside(
                &label(s.t, "engagement_status", st.code()),
                &group_digits(counts.of(st) as i64),
            ),
        )
    })
    .collect();
    let tpl = ListPage {
        rows,
        week,
        can_comeback: signed.can(Permission::ManageOffers),
        statuses,
        all_label: s
            .t
            .aside(s.t.t("common.all"), &group_digits(counts.all() as i64)),
        days: choices(s.t, "weekday", Weekday::ALL, Weekday::code),
        filter_status: filter
            .status
            .map(|x| x.code().to_string())
            .unwrap_or_default(),
        filter_day: filter.day.map(|x| x.code().to_string()).unwrap_or_default(),
        filtered: filter.status.is_some() || filter.day.is_some(),
        page,
        pages,
        total,
        prev_link: link(page.saturating_sub(1)),
        next_link: link(page + 1),
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
