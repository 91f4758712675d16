//! 起業支援: the list of leavers' ventures with what the company gave and got, a venture's page (support,
//! deals by year, the way back when it closes), and the forms.

use super::{label, owned, redirect_with_flash, render};
use crate::AppState;
use crate::auth::Signed;
use crate::error::AppResult;
use crate::forms::{FormErrors, Posted};
use crate::forms::{Id, Ids};
use crate::shell::{Section, Shell};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kaeru_app::Failure;
use kaeru_app::ventures as app;
use kaeru_domain::VentureId;

use kaeru_domain::venture::{
    DealInput, Support, SupportInput, SupportKind, Venture, VentureInput, VentureRelation,
    VentureStage, VentureTotals,
};
use kaeru_domain::{FieldErrors, Permission, PersonId};
use kaeru_store::{people, ventures};
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/ventures", get(list))
        .route("/people/{id}/ventures", post(create))
        .route("/people/{id}/ventures/new", get(new_form))
        .route("/ventures/{id}", get(show).post(update))
        .route("/ventures/{id}/edit", get(edit_form))
        .route("/ventures/{id}/support", post(add_support))
        .route("/ventures/{id}/deals", post(add_deal))
        .route("/ventures/{id}/entries/{eid}/delete", post(remove_entry))
}

/// Totals shown as figures.
pub struct TotalsView {
    pub funding: String,
    pub introductions: usize,
    pub hours: i64,
    pub received: String,
    pub purchased: String,
}

fn totals_view(s: &Shell, t: &VentureTotals) -> TotalsView {
    TotalsView {
        funding: s.yen(t.funding_yen),
        introductions: t.introductions,
        hours: t.guidance_hours,
        received: s.yen(t.received_yen),
        purchased: s.yen(t.purchased_yen),
    }
}

pub struct VentureRow {
    pub id: String,
    pub person_id: String,
    pub person: String,
    pub name: String,
    pub field: String,
    pub stage_code: &'static str,
    pub stage: String,
    pub founded: String,
    pub relations: String,
    pub totals: TotalsView,
    pub closed: bool,
}

fn venture_row(
    s: &Shell,
    v: &Venture,
    person: &str,
    t: &VentureTotals,
    rel: &[VentureRelation],
) -> VentureRow {
    VentureRow {
        id: v.id.to_string(),
        person_id: v.person_id.to_string(),
        person: person.to_string(),
        name: v.name.clone(),
        field: v.field.clone().unwrap_or_default(),
        stage_code: v.stage.code(),
        stage: label(s.t, "venture_stage", v.stage.code()),
        founded: v.founded_on.map(|d| s.date(&d)).unwrap_or_default(),
        relations: rel
            .iter()
            .map(|r| label(s.t, "venture_relation", r.code()))
            .collect::<Vec<_>>()
            .join(s.t.t("punct.list_sep")),
        totals: totals_view(s, t),
        closed: v.stage == VentureStage::Withdrawn,
    }
}

/// The person page's ventures.
pub(crate) async fn panel(
    state: &AppState,
    signed: &Signed,
    s: &Shell,
    id: PersonId,
) -> AppResult<Vec<VentureRow>> {
    Ok(ventures::summaries(&state.db, signed.scope(), Some(id))
        .await?
        .iter()
        .map(|v| venture_row(s, &v.venture, "", &v.totals, &v.relations))
        .collect())
}

#[derive(Template)]
#[template(path = "ventures.html")]
struct ListPage {
    s: Shell,
    rows: Vec<VentureRow>,
    total: TotalsView,
    active: usize,
    can_comeback: bool,
}

async fn list(State(state): State<AppState>, signed: Signed) -> AppResult<Response> {
    signed.require(Permission::ViewPeople)?;
    let all = ventures::summaries(&state.db, signed.scope(), None).await?;
    let s = Shell::signed(&signed, Section::People, "/ventures");
    let mut total = VentureTotals::default();
    for v in &all {
        total.add(&v.totals);
    }
    let tpl = ListPage {
        rows: all
            .iter()
            .map(|v| venture_row(&s, &v.venture, &v.person_name, &v.totals, &v.relations))
            .collect(),
        total: totals_view(&s, &total),
        active: all
            .iter()
            .filter(|v| v.venture.stage != VentureStage::Withdrawn)
            .count(),
        can_comeback: signed.can(Permission::ManageOffers),
        s,
    };
    Ok(render(&tpl)?.into_response())
}

// ---- the venture's page ----

pub struct SupportRow {
    pub id: String,
    pub on: String,
    pub kind: String,
    pub what: String,
    pub figure: String,
}

fn support_row(s: &Shell, x: &Support) -> SupportRow {
    let mut what = Vec::new();
    if let Some(c) = &x.client {
        what.push(c.clone());
    }
    if let Some(o) = &x.outcome {
        what.push(format!("→ {o}"));
    }
    if let Some(d) = &x.description {
        what.push(d.clone());
    }
    if let Some(b) = &x.by {
        what.push(s.tf("venture.by_is", "name", b));
    }
    SupportRow {
        id: x.id.to_string(),
        on: s.date(&x.on),
        kind: label(s.t, "support_kind", x.kind.code()),
        what: what.join(" "),
        figure: match x.kind {
            SupportKind::Funding => x.amount_yen.map(|y| s.yen(y)).unwrap_or_default(),
            SupportKind::Guidance => x
                .hours
                .map(|h| s.tf("venture.hours_n", "n", h))
                .unwrap_or_default(),
            _ => String::new(),
        },
    }
}

/// Deals of one year: (year, total received, lines of (id, date, relation, amount, description)).
type YearDeals = (i32, String, Vec<(String, String, String, String, String)>);

#[derive(Template)]
#[template(path = "venture_show.html")]
struct ShowPage {
    s: Shell,
    id: VentureId,
    person_id: PersonId,
    person_name: String,
    v: VentureRow,
    website: String,
    note: String,
    closed_on: String,
    support: Vec<SupportRow>,
    years: Vec<YearDeals>,
    support_form: SupportInput,
    support_errors: FormErrors,
    deal_form: DealInput,
    deal_errors: FormErrors,
    kinds: Vec<(String, String)>,
    relations: Vec<(String, String)>,
    can_comeback: bool,
}

async fn show_page(
    state: &AppState,
    signed: &Signed,
    id: VentureId,
    support_form: SupportInput,
    support_errors: &FieldErrors,
    deal_form: DealInput,
    deal_errors: &FieldErrors,
) -> AppResult<Response> {
    let d = ventures::get(&state.db, signed.scope(), id).await?;
    let s = Shell::signed(signed, Section::People, &format!("/ventures/{id}"));
    let rel: Vec<VentureRelation> = VentureRelation::ALL
        .iter()
        .copied()
        .filter(|r| d.deals.iter().any(|x| x.relation == *r))
        .collect();
    let mut years: Vec<YearDeals> = Vec::new();
    for x in &d.deals {
        let y = chrono::Datelike::year(&x.on);
        if years.last().is_none_or(|l| l.0 != y) {
            years.push((y, String::new(), Vec::new()));
        }
        if let Some(last) = years.last_mut() {
            last.2.push((
                x.id.to_string(),
                s.date(&x.on),
                label(s.t, "venture_relation", x.relation.code()),
                s.yen(x.amount_yen),
                x.description.clone().unwrap_or_default(),
            ));
        }
    }
    for (y, total, _) in &mut years {
        let sum: i64 = d
            .deals
            .iter()
            .filter(|x| chrono::Datelike::year(&x.on) == *y && x.relation.is_received())
            .map(|x| x.amount_yen)
            .sum();
        *total = s.yen(sum);
    }
    let tpl = ShowPage {
        id,
        person_id: d.venture.person_id,
        person_name: d.person_name.clone(),
        v: venture_row(&s, &d.venture, &d.person_name, &d.totals, &rel),
        website: d.venture.website.clone().unwrap_or_default(),
        note: d.venture.note.clone().unwrap_or_default(),
        closed_on: d.venture.closed_on.map(|c| s.date(&c)).unwrap_or_default(),
        support: d.support.iter().map(|x| support_row(&s, x)).collect(),
        years,
        support_form,
        support_errors: FormErrors::from(support_errors, s.t),
        deal_form,
        deal_errors: FormErrors::from(deal_errors, s.t),
        kinds: owned(super::choices(s.t, "support_kind", SupportKind::ALL, |k| {
            k.code()
        })),
        relations: owned(super::choices(
            s.t,
            "venture_relation",
            VentureRelation::ALL,
            kaeru_domain::venture::VentureRelation::code,
        )),
        can_comeback: signed.can(Permission::ManageOffers),
        s,
    };
    let status = if support_errors.is_empty() && deal_errors.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, render(&tpl)?).into_response())
}

fn fresh_support(signed: &Signed) -> SupportInput {
    SupportInput {
        kind: "funding".into(),
        on: signed.today().to_string(),
        by: signed.info.user.display_name.clone(),
        ..Default::default()
    }
}

fn fresh_deal(signed: &Signed) -> DealInput {
    DealInput {
        relation: "client".into(),
        deal_on: signed.today().to_string(),
        ..Default::default()
    }
}

async fn show(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<VentureId>,
) -> AppResult<Response> {
    signed.require(Permission::ViewPeople)?;
    let none = FieldErrors::new();
    show_page(
        &state,
        &signed,
        id,
        fresh_support(&signed),
        &none,
        fresh_deal(&signed),
        &none,
    )
    .await
}

async fn add_support(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<VentureId>,
    posted: Posted<SupportInput>,
) -> AppResult<Response> {
    signed.require(Permission::EditPeople)?;
    let f = posted.fields;
    let added = app::add_support(
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
            &format!("/ventures/{id}#support-h"),
            "flash.support_saved",
        )),
        Err(Failure::Invalid(e)) => {
            let none = FieldErrors::new();
            show_page(&state, &signed, id, f, &e, fresh_deal(&signed), &none).await
        }
        Err(other) => Err(other.into()),
    }
}

async fn add_deal(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<VentureId>,
    posted: Posted<DealInput>,
) -> AppResult<Response> {
    signed.require(Permission::EditPeople)?;
    let f = posted.fields;
    let added = app::add_deal(
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
            &format!("/ventures/{id}#deals-h"),
            "flash.deal_saved",
        )),
        Err(Failure::Invalid(e)) => {
            let none = FieldErrors::new();
            show_page(&state, &signed, id, fresh_support(&signed), &none, f, &e).await
        }
        Err(other) => Err(other.into()),
    }
}

async fn remove_entry(
    State(state): State<AppState>,
    signed: Signed,
    Ids(id, eid): Ids<VentureId, Uuid>,
    _: Posted<()>,
) -> AppResult<Response> {
    signed.require(Permission::EditPeople)?;
    app::remove_entry(&state.db, signed.scope(), &signed.actor(), id, eid).await?;
    Ok(redirect_with_flash(
        &format!("/ventures/{id}"),
        "flash.entry_removed",
    ))
}

// ---- create and edit ----

#[derive(Template)]
#[template(path = "venture_form.html")]
struct FormPage {
    s: Shell,
    person_id: PersonId,
    person_name: String,
    /// Set when editing.
    venture_id: Option<VentureId>,
    form: VentureInput,
    errors: FormErrors,
    stages: Vec<(String, String)>,
}

async fn form_page(
    state: &AppState,
    signed: &Signed,
    person: PersonId,
    venture_id: Option<VentureId>,
    form: VentureInput,
    errors: &FieldErrors,
) -> AppResult<Response> {
    let p = people::get(&state.db, signed.scope(), person).await?;
    let path = match venture_id {
        Some(v) => format!("/ventures/{v}/edit"),
        None => format!("/people/{person}/ventures/new"),
    };
    let s = Shell::signed(signed, Section::People, &path);
    let tpl = FormPage {
        person_id: person,
        person_name: p.full_name(),
        venture_id,
        form,
        errors: FormErrors::from(errors, s.t),
        stages: owned(super::choices(
            s.t,
            "venture_stage",
            VentureStage::ALL,
            kaeru_domain::venture::VentureStage::code,
        )),
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
    let form = VentureInput {
        stage: "preparing".into(),
        ..Default::default()
    };
    form_page(&state, &signed, id, None, form, &FieldErrors::new()).await
}

async fn create(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<PersonId>,
    posted: Posted<VentureInput>,
) -> AppResult<Response> {
    signed.require(Permission::EditPeople)?;
    let f = posted.fields;
    match app::create(
        &state.db,
        signed.scope(),
        &signed.actor(),
        id,
        &f,
        signed.today(),
    )
    .await
    {
        Ok(v) => Ok(redirect_with_flash(
            &format!("/ventures/{}", v.id),
            "flash.venture_saved",
        )),
        Err(Failure::Invalid(e)) => form_page(&state, &signed, id, None, f, &e).await,
        Err(other) => Err(other.into()),
    }
}

async fn edit_form(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<VentureId>,
) -> AppResult<Response> {
    signed.require(Permission::EditPeople)?;
    let d = ventures::get(&state.db, signed.scope(), id).await?;
    let form = VentureInput::from_venture(&d.venture);
    form_page(
        &state,
        &signed,
        d.venture.person_id,
        Some(id),
        form,
        &FieldErrors::new(),
    )
    .await
}

async fn update(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<VentureId>,
    posted: Posted<VentureInput>,
) -> AppResult<Response> {
    signed.require(Permission::EditPeople)?;
    let f = posted.fields;
    match app::update(
        &state.db,
        signed.scope(),
        &signed.actor(),
        id,
        &f,
        signed.today(),
    )
    .await
    {
        Ok(v) => Ok(redirect_with_flash(
            &format!("/ventures/{}", v.id),
            if v.stage == VentureStage::Withdrawn {
                "flash.venture_closed"
            } else {
                "flash.venture_saved"
            },
        )),
        Err(Failure::Invalid(e)) => {
            let current = ventures::get(&state.db, signed.scope(), id).await?;
            form_page(&state, &signed, current.venture.person_id, Some(id), f, &e).await
        }
        Err(other) => Err(other.into()),
    }
}
