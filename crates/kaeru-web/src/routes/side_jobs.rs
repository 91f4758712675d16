//! 副業: applications of current employees (recorded by HR or the employee's manager), the approver's page
//! with the conflict-of-interest check, renewals before the period ends, the company's clients and
//! competitors, and what side jobs led to when people left.

use super::{label, parse_id, redirect_with_flash, render};
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
use kaeru_app::Failure;
use kaeru_app::side_jobs as app;
use kaeru_domain::SideJobId;

use kaeru_domain::side_job::{Conflict, DecisionInput, SideJob, SideJobInput, SideJobStatus};
use kaeru_domain::{FieldErrors, Permission, PersonId};
use kaeru_store::people;
use kaeru_store::side_jobs::{self};
use serde::Deserialize;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/side-jobs", get(list))
        .route("/side-jobs/{id}", get(show))
        .route("/side-jobs/{id}/decide", post(decide))
        .route("/people/{id}/side-jobs", post(apply))
        .route("/people/{id}/side-jobs/new", get(new_form))
}

pub struct SideJobRow {
    pub id: String,
    pub person_id: String,
    pub person: String,
    pub employer: String,
    pub industry: String,
    pub work: String,
    pub hours: String,
    pub period: String,
    pub state_code: &'static str,
    pub state: String,
    pub decided: String,
    pub reason: String,
    pub conflicts: Vec<String>,
    /// Approved and running out soon, with no renewal applied for.
    pub renewable: bool,
}

fn conflict_text(s: &Shell, c: &Conflict) -> String {
    match c {
        Conflict::SameCompany { kind, name } => s.t.format(
            &format!("side_job.conflict_company_{}", kind.code()),
            &[("name", name.clone())],
        ),
        Conflict::SameIndustry {
            kind,
            name,
            industry,
        } => s.t.format(
            &format!("side_job.conflict_industry_{}", kind.code()),
            &[("name", name.clone()), ("industry", industry.clone())],
        ),
    }
}

fn side_row(
    s: &Shell,
    j: &SideJob,
    person: &str,
    conflicts: &[Conflict],
    renewable: bool,
    today: chrono::NaiveDate,
) -> SideJobRow {
    let code = j.state_code(today);
    SideJobRow {
        id: j.id.to_string(),
        person_id: j.person_id.to_string(),
        person: person.to_string(),
        employer: j.employer.clone(),
        industry: j.industry.clone().unwrap_or_default(),
        work: j.work.clone(),
        hours: s.tf("side_job.hours_week", "n", j.hours_per_week),
        period: format!("{} – {}", s.date(&j.start_date), s.date(&j.end_date)),
        state_code: code,
        state: label(s.t, "side_job_state", code),
        decided: match (&j.decided_by, &j.decided_at) {
            (Some(by), Some(at)) => s.t.format(
                "side_job.decided_by",
                &[("name", by.clone()), ("at", s.datetime(at))],
            ),
            _ => String::new(),
        },
        reason: j.reason.clone().unwrap_or_default(),
        conflicts: conflicts.iter().map(|c| conflict_text(s, c)).collect(),
        renewable,
    }
}

/// The person page's side jobs.
pub(crate) async fn panel(
    state: &AppState,
    signed: &Signed,
    s: &Shell,
    id: PersonId,
) -> AppResult<Vec<SideJobRow>> {
    let today = signed.today();
    let jobs = side_jobs::for_person(&state.db, signed.scope(), id).await?;
    if jobs.is_empty() {
        return Ok(Vec::new());
    }
    let base = side_jobs::check_base(&state.db, signed.scope()).await?;
    let named: Vec<(SideJob, String)> = jobs.into_iter().map(|j| (j, String::new())).collect();
    let due: Vec<SideJobId> = side_jobs::renewal_due(&named, today)
        .iter()
        .map(|(j, _)| j.id)
        .collect();
    Ok(named
        .iter()
        .map(|(j, _)| {
            let c = if j.status == SideJobStatus::Pending {
                side_jobs::conflicts_of(j, &base)
            } else {
                Vec::new()
            };
            side_row(s, j, "", &c, due.contains(&j.id), today)
        })
        .collect())
}

pub struct LeaverRow {
    pub person_id: String,
    pub name: String,
    pub left_on: String,
    pub employers: String,
    pub led_to: String,
}

#[derive(Template)]
#[template(path = "side_jobs.html")]
struct ListPage {
    s: Shell,
    pending: Vec<SideJobRow>,
    renewals: Vec<SideJobRow>,
    current: Vec<SideJobRow>,
    past: Vec<SideJobRow>,
    leavers: Vec<LeaverRow>,
    leaver_counts: (usize, usize, usize, usize),
    can_decide: bool,
    can_apply: bool,
}

async fn list(State(state): State<AppState>, signed: Signed) -> AppResult<Response> {
    signed.require(Permission::ViewPeople)?;
    let today = signed.today();
    let all = side_jobs::all(&state.db, signed.scope()).await?;
    let base = side_jobs::check_base(&state.db, signed.scope()).await?;
    let due: Vec<SideJobId> = side_jobs::renewal_due(&all, today)
        .iter()
        .map(|(j, _)| j.id)
        .collect();
    let leavers = side_jobs::leavers(&state.db, signed.scope(), today).await?;
    let s = Shell::signed(&signed, Section::People, "/side-jobs");
    let (mut pending, mut renewals, mut current, mut past) = (vec![], vec![], vec![], vec![]);
    for (j, name) in &all {
        let code = j.state_code(today);
        let conflicts = if j.status == SideJobStatus::Pending {
            side_jobs::conflicts_of(j, &base)
        } else {
            Vec::new()
        };
        let renewable = due.contains(&j.id);
        let r = side_row(&s, j, name, &conflicts, renewable, today);
        match code {
            "pending" => pending.push(r),
            _ if renewable => renewals.push(r),
            "running" | "upcoming" | "renewal_due" => current.push(r),
            _ => past.push(r),
        }
    }
    let leaver_counts = (
        leavers.len(),
        leavers.iter().filter(|l| l.joined_side_employer).count(),
        leavers.iter().filter(|l| l.venture).count(),
        leavers.iter().filter(|l| l.engagement).count(),
    );
    let leavers = leavers
        .iter()
        .map(|l| {
            let mut led = Vec::new();
            if l.joined_side_employer {
                led.push(s.t("side_job.led_joined").to_string());
            }
            if l.venture {
                led.push(s.t("side_job.led_venture").to_string());
            }
            if l.engagement {
                led.push(s.t("side_job.led_engagement").to_string());
            }
            LeaverRow {
                person_id: l.person.to_string(),
                name: l.name.clone(),
                left_on: s.date(&l.left_on),
                employers: l.employers.join("、"),
                led_to: if led.is_empty() {
                    s.t("side_job.led_none").to_string()
                } else {
                    s.t.list(&led)
                },
            }
        })
        .collect();
    let tpl = ListPage {
        pending,
        renewals,
        current,
        past,
        leavers,
        leaver_counts,
        can_decide: signed.can(Permission::DecideSideJob),
        can_apply: signed.can(Permission::ApplySideJob),
        s,
    };
    Ok(render(&tpl)?.into_response())
}

// ---- one application and its decision ----

#[derive(Template)]
#[template(path = "side_job_show.html")]
struct ShowPage {
    s: Shell,
    j: SideJobRow,
    note: String,
    applied_by: String,
    pending: bool,
    flagged: bool,
    form: DecisionInput,
    errors: FormErrors,
    can_decide: bool,
}

async fn show_page(
    state: &AppState,
    signed: &Signed,
    id: SideJobId,
    form: DecisionInput,
    errors: &FieldErrors,
) -> AppResult<Response> {
    let j = side_jobs::get(&state.db, signed.scope(), SideJobId(id.0)).await?;
    let p = people::get(&state.db, signed.scope(), j.person_id).await?;
    let base = side_jobs::check_base(&state.db, signed.scope()).await?;
    let conflicts = side_jobs::conflicts_of(&j, &base);
    let s = Shell::signed(signed, Section::People, &format!("/side-jobs/{id}"));
    let pending = j.status == SideJobStatus::Pending;
    let tpl = ShowPage {
        j: side_row(&s, &j, &p.full_name(), &conflicts, false, signed.today()),
        note: j.note.clone().unwrap_or_default(),
        applied_by: j.applied_by.clone(),
        pending,
        flagged: !conflicts.is_empty(),
        form,
        errors: FormErrors::from(errors, s.t),
        can_decide: signed.can(Permission::DecideSideJob),
        s,
    };
    Ok((super::form_status(errors), render(&tpl)?).into_response())
}

async fn show(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<SideJobId>,
) -> AppResult<Response> {
    signed.require(Permission::ViewPeople)?;
    show_page(
        &state,
        &signed,
        id,
        DecisionInput::default(),
        &FieldErrors::new(),
    )
    .await
}

async fn decide(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<SideJobId>,
    posted: Posted<DecisionInput>,
) -> AppResult<Response> {
    signed.require(Permission::DecideSideJob)?;
    let f = posted.fields;
    match app::decide(&state.db, signed.scope(), &signed.actor(), id, &f).await {
        Ok(j) => Ok(redirect_with_flash(
            "/side-jobs",
            if j.status == SideJobStatus::Approved {
                "flash.side_job_approved"
            } else {
                "flash.side_job_rejected"
            },
        )),
        Err(Failure::Invalid(e)) => show_page(&state, &signed, id, f, &e).await,
        Err(Failure::Refused(inv)) => {
            let mut e = FieldErrors::new();
            e.add("decision", inv);
            show_page(&state, &signed, id, f, &e).await
        }
        Err(other) => Err(other.into()),
    }
}

// ---- applying ----

#[derive(Deserialize, Default)]
pub struct NewQuery {
    #[serde(default)]
    renews: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ApplyForm {
    #[serde(flatten)]
    job: SideJobInput,
    renews: String,
}

#[derive(Template)]
#[template(path = "side_job_form.html")]
struct FormPage {
    s: Shell,
    person_id: PersonId,
    person_name: String,
    renews: String,
    form: SideJobInput,
    errors: FormErrors,
    industries: Vec<String>,
}

async fn form_page(
    state: &AppState,
    signed: &Signed,
    id: PersonId,
    renews: String,
    form: SideJobInput,
    errors: &FieldErrors,
) -> AppResult<Response> {
    let p = people::get(&state.db, signed.scope(), id).await?;
    let mut industries: Vec<String> = side_jobs::relations(&state.db, signed.scope())
        .await?
        .into_iter()
        .filter_map(|r| r.industry)
        .collect();
    industries.sort();
    industries.dedup();
    let s = Shell::signed(
        signed,
        Section::People,
        &format!("/people/{id}/side-jobs/new"),
    );
    let tpl = FormPage {
        person_id: id,
        person_name: p.full_name(),
        renews,
        form,
        errors: FormErrors::from(errors, s.t),
        industries,
        s,
    };
    Ok((super::form_status(errors), render(&tpl)?).into_response())
}

async fn new_form(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<PersonId>,
    Query(q): Query<NewQuery>,
) -> AppResult<Response> {
    signed.require(Permission::ApplySideJob)?;
    let (form, renews) = match q.renews.parse::<Uuid>() {
        Ok(r) => {
            let old = side_jobs::get(&state.db, signed.scope(), SideJobId(r)).await?;
            if old.person_id != id {
                return Err(crate::error::AppError::NotFound);
            }
            (SideJobInput::renewal_of(&old), r.to_string())
        }
        Err(_) => {
            let today = signed.today();
            let end = today
                .checked_add_months(chrono::Months::new(12))
                .map(|d| d - chrono::Duration::days(1))
                .unwrap_or(today);
            (
                SideJobInput {
                    start_date: today.to_string(),
                    end_date: end.to_string(),
                    ..Default::default()
                },
                String::new(),
            )
        }
    };
    form_page(&state, &signed, id, renews, form, &FieldErrors::new()).await
}

async fn apply(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<PersonId>,
    posted: Posted<ApplyForm>,
) -> AppResult<Response> {
    signed.require(Permission::ApplySideJob)?;
    let ApplyForm { job: f, renews } = posted.fields;
    let renews_id = match renews.trim() {
        "" => None,
        r => Some(parse_id::<SideJobId>(r)?),
    };
    let applied = app::apply(
        &state.db,
        signed.scope(),
        &signed.actor(),
        id,
        &f,
        renews_id,
    )
    .await;
    match applied {
        Ok(j) => Ok(redirect_with_flash(
            &format!("/side-jobs/{}", j.id),
            "flash.side_job_applied",
        )),
        Err(Failure::Invalid(e)) => form_page(&state, &signed, id, renews, f, &e).await,
        Err(other) => Err(other.into()),
    }
}
