//! Return offers: the list, the form, the offer page with its lifecycle, missions and check-ins,
//! and the company's offer policy.

use super::{choices, label, redirect_with_flash, render};
use crate::AppState;
use crate::auth::Signed;
use crate::error::{AppError, AppResult};
use crate::forms::{FormErrors, Posted};
use crate::forms::{Id, Ids};
use crate::i18n::Catalog;
use crate::shell::{Section, Shell};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kaeru_app::Failure;

use kaeru_domain::offer::{CheckInInput, MissionInput, OfferContext, PolicyInput, wareki};
use kaeru_domain::{
    FieldErrors, Invalid, MissionId, OfferAction, OfferId, OfferInput, OfferStatus, OfferTerm,
    Permission, Person, PersonId, ReturnOffer,
};
use kaeru_store::offers::{self};
use kaeru_store::{Clash, StoreError, people, stints};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/offers", get(list))
        .route("/people/{id}/offers", post(create))
        .route("/people/{id}/offers/new", get(new_form))
        .route("/offers/{id}", get(show).post(update))
        .route("/offers/{id}/edit", get(edit_form))
        .route("/offers/{id}/letter.pdf", get(letter))
        .route("/offers/{id}/status", post(change_status))
        .route("/offers/{id}/missions", post(add_mission))
        .route(
            "/offers/{id}/missions/{mission}/check-ins",
            post(add_check_in),
        )
        .route("/settings/policy", get(policy_page).post(policy_submit))
}

/// A date as in tables, with 和暦 beside it when the company shows it.
fn date_with_era(s: &Shell, d: &chrono::NaiveDate, show_wareki: bool) -> String {
    if show_wareki {
        format!("{}（{}）", s.date(d), wareki(*d))
    } else {
        s.date(d)
    }
}

pub struct ListRow {
    id: OfferId,
    number: String,
    person_id: PersonId,
    person_name: String,
    person_kana: String,
    status_code: &'static str,
    status_label: String,
    window: String,
    days_left: String,
}

#[derive(Template)]
#[template(path = "offers_list.html")]
struct ListPage {
    s: Shell,
    rows: Vec<ListRow>,
    statuses: Vec<(&'static str, String)>,
    filter_status: String,
    page: u64,
    pages: u64,
    total: u64,
    prev_link: String,
    next_link: String,
}

/// Offers shown on one page of the list.
const OFFERS_PER_PAGE: u64 = 50;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    status: String,
    page: String,
}

fn days_left_text(s: &Shell, o: &ReturnOffer, today: chrono::NaiveDate) -> String {
    if !matches!(o.status, OfferStatus::Issued | OfferStatus::Acknowledged) {
        return String::new();
    }
    let days = o.days_left(today);
    if days < 0 {
        s.t("offer.window_over").to_string()
    } else {
        s.tf("offer.days_left", "n", days)
    }
}

async fn list(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    signed.require(Permission::ViewPeople)?;
    let status = OfferStatus::parse(&q.status);
    let page_no = q.page.trim().parse::<u64>().unwrap_or(1).clamp(1, 100_000);
    let found = kaeru_app::offers::list(
        &state.db,
        &state.search.offers,
        signed.scope(),
        Some(signed.info.revision),
        status,
        page_no,
        OFFERS_PER_PAGE,
    )
    .await?;
    let s = Shell::signed(&signed, Section::Offers, "/offers");
    let today = signed.today();
    let link = |p: u64| {
        format!(
            "/offers?status={}&page={p}",
            status.map(OfferStatus::code).unwrap_or_default()
        )
    };
    let (page, pages, total) = (found.page, found.pages(), found.total);
    let rows = found
        .items
        .iter()
        .map(|i| ListRow {
            id: i.offer.id,
            number: i.offer.number.clone(),
            person_id: i.offer.person_id,
            person_name: i.person_name.clone(),
            person_kana: i.person_kana.clone(),
            status_code: i.offer.status.code(),
            status_label: label(s.t, "offer_status", i.offer.status.code()),
            window: format!(
                "{} – {}",
                s.date(&i.offer.valid_from),
                s.date(&i.offer.valid_until)
            ),
            days_left: days_left_text(&s, &i.offer, today),
        })
        .collect();
    let tpl = ListPage {
        rows,
        statuses: choices(s.t, "offer_status", OfferStatus::ALL, OfferStatus::code),
        filter_status: status.map(|s| s.code().to_string()).unwrap_or_default(),
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
#[template(path = "offer_form.html")]
struct FormPage {
    s: Shell,
    title: String,
    action: String,
    cancel: String,
    person_id: PersonId,
    person_name: String,
    form: OfferInput,
    errors: FormErrors,
    terms: Vec<(&'static str, String)>,
    not_eligible: bool,
}

fn form_page(
    signed: &Signed,
    person: &Person,
    offer: Option<&ReturnOffer>,
    form: OfferInput,
    errors: FormErrors,
    not_eligible: bool,
) -> FormPage {
    let s = Shell::signed(signed, Section::Offers, "/offers");
    let (title, action, cancel) = match offer {
        None => (
            s.t("offer.new_title").to_string(),
            format!("/people/{}/offers", person.id),
            format!("/people/{}", person.id),
        ),
        Some(o) => (
            s.tf("offer.edit_title", "number", &o.number),
            format!("/offers/{}", o.id),
            format!("/offers/{}", o.id),
        ),
    };
    FormPage {
        title,
        action,
        cancel,
        person_id: person.id,
        person_name: person.full_name(),
        form,
        errors,
        terms: choices(s.t, "term", OfferTerm::ALL, OfferTerm::code),
        not_eligible,
        s,
    }
}

async fn new_form(
    State(state): State<AppState>,
    signed: Signed,
    Id(pid): Id<PersonId>,
) -> AppResult<Response> {
    signed.require(Permission::ManageOffers)?;
    let person = people::get(&state.db, signed.scope(), pid).await?;
    let policy = offers::policy(&state.db, signed.scope()).await?;
    let facts = kaeru_app::offers::facts(&state.db, signed.scope(), pid, None).await?;
    let ctx = facts.context(signed.today());
    let (from, until) = policy.default_window(ctx.leaving_date(), signed.today());
    // The signer's title as they gave it last time; an owner who never signed is 代表取締役.
    let me = &signed.info.user;
    let title = match offers::last_signer_title(&state.db, signed.scope(), &me.display_name).await?
    {
        Some(t) => t,
        None if me.role == kaeru_domain::Role::Owner => {
            kaeru_app::Catalog::get(signed.info.company.default_language)
                .t("offer.owner_title")
                .to_string()
        }
        None => String::new(),
    };
    let form = OfferInput {
        signer_title: title,
        valid_from: from.to_string(),
        valid_until: until.to_string(),
        terms: policy
            .default_terms
            .iter()
            .map(|t| t.code().to_string())
            .collect(),
        signer_name: signed.info.user.display_name.clone(),
        ..Default::default()
    };
    // Say up front what would stop the offer, rather than after the form is filled in.
    let mut errors = FieldErrors::new();
    if let Err(e) = form.parse(&ctx) {
        for key in ["valid_from"] {
            if let Some(inv) = e.get(key) {
                errors.add(key, inv.clone());
            }
        }
    }
    let not_eligible = ctx.rehire() == Some(kaeru_domain::RehireEligibility::NotEligible);
    let errors = FormErrors::from(&errors, Catalog::get(signed.lang));
    Ok(render(&form_page(
        &signed,
        &person,
        None,
        form,
        errors,
        not_eligible,
    ))?
    .into_response())
}

async fn save(
    state: &AppState,
    signed: &Signed,
    person: &Person,
    existing: Option<&ReturnOffer>,
    input: OfferInput,
) -> AppResult<Response> {
    let saved = kaeru_app::offers::save_draft(
        &state.db,
        signed.scope(),
        &signed.actor(),
        person.id,
        existing.map(|o| o.id),
        &input,
        signed.today(),
    )
    .await;
    let e = match saved {
        Ok(o) => {
            return Ok(redirect_with_flash(
                &format!("/offers/{}", o.id),
                "flash.saved",
            ));
        }
        Err(Failure::Invalid(e)) => e,
        Err(other) => return Err(other.into()),
    };
    tracing::info!(fields = ?e.0.keys().collect::<Vec<_>>(), "offer form refused");
    let facts =
        kaeru_app::offers::facts(&state.db, signed.scope(), person.id, existing.map(|o| o.id))
            .await?;
    let not_eligible = facts.context(signed.today()).rehire()
        == Some(kaeru_domain::RehireEligibility::NotEligible);
    let errors = FormErrors::from(&e, Catalog::get(signed.lang));
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        render(&form_page(
            signed,
            person,
            existing,
            input,
            errors,
            not_eligible,
        ))?,
    )
        .into_response())
}

async fn create(
    State(state): State<AppState>,
    signed: Signed,
    Id(pid): Id<PersonId>,
    posted: Posted<OfferInput>,
) -> AppResult<Response> {
    signed.require(Permission::ManageOffers)?;
    let person = people::get(&state.db, signed.scope(), pid).await?;
    save(&state, &signed, &person, None, posted.fields).await
}

async fn edit_form(
    State(state): State<AppState>,
    signed: Signed,
    Id(oid): Id<OfferId>,
) -> AppResult<Response> {
    signed.require(Permission::ManageOffers)?;
    let offer = offers::get(&state.db, signed.scope(), oid).await?;
    let person = people::get(&state.db, signed.scope(), offer.person_id).await?;
    if offer.status != OfferStatus::Draft {
        return Ok(redirect_with_flash(
            &format!("/offers/{oid}"),
            "flash.offer_not_draft",
        ));
    }
    let facts = kaeru_app::offers::facts(&state.db, signed.scope(), person.id, Some(oid)).await?;
    let not_eligible = facts.context(signed.today()).rehire()
        == Some(kaeru_domain::RehireEligibility::NotEligible);
    Ok(render(&form_page(
        &signed,
        &person,
        Some(&offer),
        OfferInput::from_offer(&offer),
        FormErrors::none(),
        not_eligible,
    ))?
    .into_response())
}

async fn update(
    State(state): State<AppState>,
    signed: Signed,
    Id(oid): Id<OfferId>,
    posted: Posted<OfferInput>,
) -> AppResult<Response> {
    signed.require(Permission::ManageOffers)?;
    let offer = offers::get(&state.db, signed.scope(), oid).await?;
    let person = people::get(&state.db, signed.scope(), offer.person_id).await?;
    save(&state, &signed, &person, Some(&offer), posted.fields).await
}

pub struct CheckInRow {
    on_date: String,
    activity: String,
    level: String,
    by: String,
}

pub struct MissionView {
    id: MissionId,
    skill: String,
    target_level: i32,
    reason: String,
    every: String,
    next_due: String,
    overdue: bool,
    latest_level: String,
    check_ins: Vec<CheckInRow>,
}

#[derive(Template)]
#[template(path = "offer_show.html")]
struct ShowPage {
    s: Shell,
    offer_id: OfferId,
    number: String,
    person_id: PersonId,
    person_name: String,
    person_kana: String,
    status_code: &'static str,
    status_label: String,
    facts: Vec<(String, String)>,
    terms: Vec<String>,
    actions: Vec<(&'static str, String, bool)>,
    has_closing_actions: bool,
    can_manage: bool,
    is_draft: bool,
    is_active: bool,
    missions: Vec<MissionView>,
    mission_form: MissionInput,
    mission_errors: FormErrors,
    check_in_form: CheckInInput,
    check_in_errors: FormErrors,
    check_in_for: String,
    status_errors: FormErrors,
    today: String,
}

#[derive(Default)]
struct ShowForms {
    mission: MissionInput,
    mission_errors: FieldErrors,
    check_in: CheckInInput,
    check_in_errors: FieldErrors,
    check_in_for: Option<MissionId>,
    status_errors: FieldErrors,
}

async fn show_page(
    state: &AppState,
    signed: &Signed,
    oid: OfferId,
    forms: ShowForms,
) -> AppResult<ShowPage> {
    let offer = offers::get(&state.db, signed.scope(), oid).await?;
    let person = people::get(&state.db, signed.scope(), offer.person_id).await?;
    let policy = offers::policy(&state.db, signed.scope()).await?;
    let missions = offers::missions(&state.db, signed.scope(), oid).await?;
    let s = Shell::signed(signed, Section::Offers, &format!("/offers/{oid}"));
    let today = signed.today();
    let w = |d: &chrono::NaiveDate| date_with_era(&s, d, policy.show_wareki);
    let mut facts = vec![(
        s.t("offer.window").to_string(),
        format!("{} – {}", w(&offer.valid_from), w(&offer.valid_until)),
    )];
    let left = days_left_text(&s, &offer, today);
    if !left.is_empty() {
        facts.push((s.t("offer.remaining").to_string(), left));
    }
    if let Some(d) = offer.issued_on {
        facts.push((s.t("offer.issued_on").to_string(), w(&d)));
    }
    if let Some(at) = offer.acknowledged_at {
        facts.push((s.t("offer.acknowledged_at").to_string(), s.datetime(&at)));
    }
    let signer = match &offer.signer_title {
        Some(t) => format!("{t} {}", offer.signer_name),
        None => offer.signer_name.clone(),
    };
    facts.push((s.t("offer.signer").to_string(), signer));
    if let Some(r) = &offer.override_reason {
        facts.push((s.t("offer.override_reason").to_string(), r.clone()));
    }
    if let Some(r) = &offer.status_reason {
        facts.push((s.t("offer.status_reason").to_string(), r.clone()));
    }
    let mut terms: Vec<String> = offer
        .terms
        .iter()
        .map(|t| match (t, offer.salary_floor_yen) {
            (OfferTerm::SalaryFloor, Some(y)) => {
                format!("{}：{}", label(s.t, "term", t.code()), yen(y))
            }
            _ => label(s.t, "term", t.code()),
        })
        .collect();
    if let Some(n) = &offer.terms_note {
        terms.push(n.clone());
    }
    // Nothing about an erased person can change, so their offer offers no actions.
    let erased = people::portal_facts(&state.db, signed.scope(), person.id)
        .await?
        .erased_at
        .is_some();
    let can_manage = signed.can(Permission::ManageOffers) && !erased;
    let actions = if can_manage {
        offer
            .status
            .manual_actions()
            .iter()
            .map(|a| {
                (
                    a.code(),
                    label(s.t, "offer.action", a.code()),
                    matches!(a, OfferAction::Withdraw | OfferAction::Decline),
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    let missions = missions
        .into_iter()
        .map(|m| {
            let last = m.check_ins.first().map(|c| c.on_date);
            let due = m
                .mission
                .next_check_in(last, m.mission.created_at.date_naive());
            MissionView {
                id: m.mission.id,
                skill: m.mission.skill.clone(),
                target_level: m.mission.target_level,
                reason: m.mission.reason.clone().unwrap_or_default(),
                every: s.tf("offer.every_days", "n", m.mission.check_in_every_days),
                next_due: s.date(&due),
                overdue: offer.status.is_active() && due < today,
                latest_level: m
                    .check_ins
                    .iter()
                    .find_map(|c| c.assessed_level)
                    .map(|l| l.to_string())
                    .unwrap_or_else(|| "—".into()),
                check_ins: m
                    .check_ins
                    .iter()
                    .map(|c| CheckInRow {
                        on_date: s.date(&c.on_date),
                        activity: c.activity.clone(),
                        level: c
                            .assessed_level
                            .map(|l| l.to_string())
                            .unwrap_or_else(|| "—".into()),
                        by: c.recorded_by.clone(),
                    })
                    .collect(),
            }
        })
        .collect();
    let t = Catalog::get(signed.lang);
    let mut check_in_form = forms.check_in;
    if check_in_form.on_date.is_empty() {
        check_in_form.on_date = today.to_string();
    }
    let mut mission_form = forms.mission;
    if mission_form.check_in_every_days.is_empty() {
        mission_form.check_in_every_days = "90".into();
        mission_form.target_level = "3".into();
    }
    Ok(ShowPage {
        offer_id: oid,
        number: offer.number.clone(),
        person_id: person.id,
        person_name: person.full_name(),
        person_kana: person.full_kana(),
        status_code: offer.status.code(),
        status_label: label(s.t, "offer_status", offer.status.code()),
        facts,
        terms,
        has_closing_actions: actions.iter().any(|a: &(&str, String, bool)| a.2),
        actions,
        can_manage,
        is_draft: offer.status == OfferStatus::Draft,
        is_active: offer.status.is_active(),
        missions,
        mission_form,
        mission_errors: FormErrors::from(&forms.mission_errors, t),
        check_in_form,
        check_in_errors: FormErrors::from(&forms.check_in_errors, t),
        check_in_for: forms
            .check_in_for
            .map(|m| m.to_string())
            .unwrap_or_default(),
        status_errors: FormErrors::from(&forms.status_errors, t),
        today: today.to_string(),
        s,
    })
}

/// ¥1,200,000
pub fn yen(amount: i64) -> String {
    kaeru_domain::validation::yen(amount)
}

async fn show(
    State(state): State<AppState>,
    signed: Signed,
    Id(oid): Id<OfferId>,
) -> AppResult<Response> {
    signed.require(Permission::ViewPeople)?;
    let page = show_page(&state, &signed, oid, ShowForms::default()).await?;
    Ok(render(&page)?.into_response())
}

async fn refuse_on_page(
    state: &AppState,
    signed: &Signed,
    oid: OfferId,
    forms: ShowForms,
) -> AppResult<Response> {
    let page = show_page(state, signed, oid, forms).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StatusForm {
    action: String,
    reason: String,
}

async fn change_status(
    State(state): State<AppState>,
    signed: Signed,
    Id(oid): Id<OfferId>,
    posted: Posted<StatusForm>,
) -> AppResult<Response> {
    signed.require(Permission::ManageOffers)?;
    let refuse = |field: &'static str, inv: Invalid| {
        let mut e = FieldErrors::new();
        e.add(field, inv);
        refuse_on_page(
            &state,
            &signed,
            oid,
            ShowForms {
                status_errors: e,
                ..Default::default()
            },
        )
    };
    let Some(action) = OfferAction::parse(&posted.fields.action) else {
        return refuse("reason", Invalid::new("error.offer_transition")).await;
    };
    let changed = kaeru_app::offers::change_status(
        &state.db,
        signed.scope(),
        &signed.actor(),
        oid,
        action,
        &posted.fields.reason,
        signed.today(),
    )
    .await;
    match changed {
        Ok(_) => Ok(redirect_with_flash(
            &format!("/offers/{oid}"),
            "flash.offer_status",
        )),
        Err(Failure::Invalid(e)) => {
            refuse_on_page(
                &state,
                &signed,
                oid,
                ShowForms {
                    status_errors: e,
                    ..Default::default()
                },
            )
            .await
        }
        Err(Failure::Refused(inv)) => refuse("reason", inv).await,
        Err(other) => Err(other.into()),
    }
}

async fn add_mission(
    State(state): State<AppState>,
    signed: Signed,
    Id(oid): Id<OfferId>,
    posted: Posted<MissionInput>,
) -> AppResult<Response> {
    signed.require(Permission::ManageOffers)?;
    let input = posted.fields;
    let draft = match input.parse() {
        Ok(d) => d,
        Err(e) => {
            return refuse_on_page(
                &state,
                &signed,
                oid,
                ShowForms {
                    mission: input,
                    mission_errors: e,
                    ..Default::default()
                },
            )
            .await;
        }
    };
    match offers::add_mission(&state.db, signed.scope(), &signed.actor(), oid, &draft).await {
        Ok(_) => Ok(redirect_with_flash(
            &format!("/offers/{oid}"),
            "flash.mission_added",
        )),
        Err(StoreError::Conflict(Clash::StatusChanged)) => {
            let mut e = FieldErrors::new();
            e.add("skill", Invalid::new("error.offer_transition"));
            refuse_on_page(
                &state,
                &signed,
                oid,
                ShowForms {
                    mission: input,
                    mission_errors: e,
                    ..Default::default()
                },
            )
            .await
        }
        Err(e) => Err(AppError::from(e)),
    }
}

async fn add_check_in(
    State(state): State<AppState>,
    signed: Signed,
    Ids(oid, mid): Ids<OfferId, MissionId>,
    posted: Posted<CheckInInput>,
) -> AppResult<Response> {
    signed.require(Permission::ManageOffers)?;
    // The mission must belong to this offer (and so to this company).
    let own = offers::missions(&state.db, signed.scope(), oid).await?;
    if !own.iter().any(|m| m.mission.id == mid) {
        return Err(AppError::NotFound);
    }
    let input = posted.fields;
    let draft = match input.parse(signed.today()) {
        Ok(d) => d,
        Err(e) => {
            return refuse_on_page(
                &state,
                &signed,
                oid,
                ShowForms {
                    check_in: input,
                    check_in_errors: e,
                    check_in_for: Some(mid),
                    ..Default::default()
                },
            )
            .await;
        }
    };
    offers::add_check_in(&state.db, signed.scope(), &signed.actor(), mid, &draft).await?;
    Ok(redirect_with_flash(
        &format!("/offers/{oid}"),
        "flash.check_in_added",
    ))
}

#[derive(Template)]
#[template(path = "policy.html")]
struct PolicyPage {
    s: Shell,
    form: PolicyInput,
    errors: FormErrors,
    terms: Vec<(&'static str, String)>,
}

async fn policy_page(State(state): State<AppState>, signed: Signed) -> AppResult<Response> {
    signed.require(Permission::ManageCompany)?;
    let p = offers::policy(&state.db, signed.scope()).await?;
    let s = Shell::signed(&signed, Section::Settings, "/settings/policy");
    let page = PolicyPage {
        form: PolicyInput::from_policy(&p),
        errors: FormErrors::none(),
        terms: choices(s.t, "term", OfferTerm::ALL, OfferTerm::code),
        s,
    };
    Ok(render(&page)?.into_response())
}

async fn policy_submit(
    State(state): State<AppState>,
    signed: Signed,
    posted: Posted<PolicyInput>,
) -> AppResult<Response> {
    signed.require(Permission::ManageCompany)?;
    match posted.fields.parse() {
        Ok(p) => {
            offers::set_policy(&state.db, signed.scope(), &signed.actor(), &p).await?;
            Ok(redirect_with_flash("/settings/policy", "flash.saved"))
        }
        Err(e) => {
            let s = Shell::signed(&signed, Section::Settings, "/settings/policy");
            let page = PolicyPage {
                form: posted.fields,
                errors: FormErrors::from(&e, Catalog::get(signed.lang)),
                terms: choices(s.t, "term", OfferTerm::ALL, OfferTerm::code),
                s,
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LetterQuery {
    lang: String,
}

/// The リターンオファー確認書 as a PDF, made on demand (nothing is kept on the node).
async fn letter(
    State(state): State<AppState>,
    signed: Signed,
    Id(oid): Id<OfferId>,
    Query(q): Query<LetterQuery>,
) -> AppResult<Response> {
    signed.require(Permission::ViewPeople)?;
    let language = kaeru_domain::Language::parse(&q.lang).unwrap_or(signed.lang);
    let offer = offers::get(&state.db, signed.scope(), oid).await?;
    letter_response(
        &state,
        signed.scope(),
        &signed.info.company.name,
        signed.today(),
        offer,
        language,
    )
    .await
}

/// The letter of `offer` as a PDF download, for HR and for the person in the portal.
pub(crate) async fn letter_response(
    state: &AppState,
    scope: &kaeru_store::Scope,
    company: &str,
    today: chrono::NaiveDate,
    offer: kaeru_domain::ReturnOffer,
    language: kaeru_domain::Language,
) -> AppResult<Response> {
    let oid = offer.id;
    let person = people::get(&state.db, scope, offer.person_id).await?;
    let st = stints::for_person(&state.db, scope, person.id).await?;
    let policy = offers::policy(&state.db, scope).await?;
    let missions: Vec<_> = offers::missions(&state.db, scope, oid)
        .await?
        .into_iter()
        .map(|m| m.mission)
        .collect();
    let company = company.to_string();
    let person_name = match language {
        kaeru_domain::Language::En => person
            .romaji_name
            .clone()
            .unwrap_or_else(|| person.full_name()),
        kaeru_domain::Language::Ja => person.full_name(),
    };
    let leaving_date = OfferContext {
        stints: &st,
        today,
        other_active_offer: None,
    }
    .leaving_date();
    let dated = offer.issued_on.unwrap_or(today);
    let number = offer.number.clone();
    let pdf = tokio::task::spawn_blocking(move || {
        kaeru_letters::offer_letter(&kaeru_letters::OfferLetter {
            company_name: &company,
            person_name: &person_name,
            leaving_date,
            offer: &offer,
            missions: &missions,
            show_wareki: policy.show_wareki,
            dated,
            language,
        })
    })
    .await
    .map_err(AppError::internal)?
    .map_err(AppError::internal)?;
    let disposition = format!(
        "attachment; filename=\"return-offer-{number}-{}.pdf\"",
        language.code()
    );
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/pdf".to_string(),
            ),
            (axum::http::header::CONTENT_DISPOSITION, disposition),
        ],
        pdf,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    #[test]
    fn yen_has_thousands_separators() {
        assert_eq!(super::yen(1_200_000), "¥1,200,000");
        assert_eq!(super::yen(999), "¥999");
        assert_eq!(super::yen(1000), "¥1,000");
    }
}
