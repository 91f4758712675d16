//! Settings: the company (owner), staff accounts and roles (owner), and one's own account (everyone).

mod api_tokens;
mod messaging;
mod public_page;
mod purposes;
mod relations;

use super::{choices, label, redirect_with_flash, render};
use crate::AppState;
use crate::auth::{Signed, hash_password, verify_password};
use crate::error::{AppError, AppResult};
use crate::forms::Id;
use crate::forms::{FormErrors, Posted};
use crate::i18n::Catalog;
use crate::shell::{Section, Shell};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kaeru_domain::staff::parse_new_password;
use kaeru_domain::validation::{email as parse_email, required_line};
use kaeru_domain::{CompanySettings, FieldErrors, Invalid, Permission, Role, StaffUserId};
use kaeru_store::{Clash, StoreError, companies, staff};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(api_tokens::router())
        .merge(messaging::router())
        .merge(relations::router())
        .route(
            "/settings/public",
            get(public_page::public_settings).post(public_page::save_public_settings),
        )
        .route(
            "/settings/purposes",
            get(purposes::purposes_page).post(purposes::add_purpose),
        )
        .route("/settings/purposes/{id}", post(purposes::save_purpose))
        .route("/settings", get(index))
        .route("/settings/company", get(company_page).post(company_submit))
        .route("/settings/staff", get(staff_page).post(staff_create))
        .route("/settings/staff/{id}", post(staff_update))
        .route("/settings/account", get(account_page))
        .route("/settings/account/password", post(password_submit))
}

#[derive(Template)]
#[template(path = "settings.html")]
struct IndexPage {
    s: Shell,
}

async fn index(signed: Signed) -> AppResult<Response> {
    Ok(render(&IndexPage {
        s: Shell::signed(&signed, Section::Settings, "/settings"),
    })?
    .into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CompanyForm {
    name: String,
    time_zone: String,
    default_language: String,
}

#[derive(Template)]
#[template(path = "company_settings.html")]
struct CompanyPage {
    s: Shell,
    slug: String,
    form: CompanyForm,
    errors: FormErrors,
}

async fn company_page(State(state): State<AppState>, signed: Signed) -> AppResult<Response> {
    signed.require(Permission::ManageCompany)?;
    let c = companies::get(&state.db, signed.scope()).await?;
    let form = CompanyForm {
        name: c.name,
        time_zone: c.time_zone,
        default_language: c.default_language.code().into(),
    };
    let s = Shell::signed(&signed, Section::Settings, "/settings/company");
    Ok(render(&CompanyPage {
        s,
        slug: c.slug,
        form,
        errors: FormErrors::none(),
    })?
    .into_response())
}

async fn company_submit(
    State(state): State<AppState>,
    signed: Signed,
    posted: Posted<CompanyForm>,
) -> AppResult<Response> {
    signed.require(Permission::ManageCompany)?;
    let form = posted.fields;
    let parsed =
        CompanySettings::parse(&form.name, &form.time_zone, &form.default_language, |tz| {
            tz.parse::<chrono_tz::Tz>().is_ok()
        });
    match parsed {
        Ok(settings) => {
            companies::update_settings(&state.db, signed.scope(), &signed.actor(), &settings)
                .await?;
            Ok(redirect_with_flash("/settings/company", "flash.saved"))
        }
        Err(e) => {
            let c = companies::get(&state.db, signed.scope()).await?;
            let errors = FormErrors::from(&e, Catalog::get(signed.lang));
            let s = Shell::signed(&signed, Section::Settings, "/settings/company");
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                render(&CompanyPage {
                    s,
                    slug: c.slug,
                    form,
                    errors,
                })?,
            )
                .into_response())
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(default)]
pub struct StaffForm {
    display_name: String,
    email: String,
    role: String,
    password: String,
}

impl Default for StaffForm {
    fn default() -> Self {
        Self {
            display_name: String::new(),
            email: String::new(),
            role: Role::Viewer.code().into(),
            password: String::new(),
        }
    }
}

pub struct StaffRow {
    id: StaffUserId,
    name: String,
    email: String,
    role: String,
    role_label: String,
    active: bool,
    is_me: bool,
}

#[derive(Template)]
#[template(path = "staff.html")]
struct StaffPage {
    s: Shell,
    users: Vec<StaffRow>,
    roles: Vec<(&'static str, String)>,
    form: StaffForm,
    errors: FormErrors,
}

async fn staff_view(
    state: &AppState,
    signed: &Signed,
    form: StaffForm,
    errors: FormErrors,
) -> AppResult<StaffPage> {
    let s = Shell::signed(signed, Section::Settings, "/settings/staff");
    let users = staff::list(&state.db, signed.scope()).await?;
    let users = users
        .into_iter()
        .map(|u| StaffRow {
            id: u.id,
            role_label: label(s.t, "role", u.role.code()),
            role: u.role.code().into(),
            is_me: u.id == signed.info.user.id,
            name: u.display_name,
            email: u.email,
            active: u.active,
        })
        .collect();
    Ok(StaffPage {
        roles: choices(s.t, "role", &Role::ALL, Role::code),
        users,
        form,
        errors,
        s,
    })
}

async fn staff_page(State(state): State<AppState>, signed: Signed) -> AppResult<Response> {
    signed.require(Permission::ManageStaff)?;
    let page = staff_view(&state, &signed, StaffForm::default(), FormErrors::none()).await?;
    Ok(render(&page)?.into_response())
}

async fn staff_create(
    State(state): State<AppState>,
    signed: Signed,
    posted: Posted<StaffForm>,
) -> AppResult<Response> {
    signed.require(Permission::ManageStaff)?;
    let mut form = posted.fields;
    let mut e = FieldErrors::new();
    let name = e.check("display_name", required_line(&form.display_name, 100));
    let email = e.check("email", parse_email(&form.email));
    let role = Role::parse(&form.role);
    if role.is_none() {
        e.add("role", Invalid::new("error.choice"));
    }
    let password = e.check("password", parse_new_password(&form.password));
    form.password.clear();
    let (Some(display_name), Some(email), Some(role), Some(password)) =
        (name, email, role, password)
    else {
        return refuse_staff(&state, &signed, form, &e).await;
    };
    let password_hash = hash_password(password).await.map_err(AppError::internal)?;
    let new = staff::NewStaff {
        email,
        display_name,
        role,
        password_hash,
    };
    match staff::create(&state.db, signed.scope(), &signed.actor(), new).await {
        Ok(_) => Ok(redirect_with_flash("/settings/staff", "flash.staff_added")),
        Err(StoreError::Conflict(Clash::EmailTaken)) => {
            let mut e = FieldErrors::new();
            e.add("email", Invalid::new("error.staff_email_taken"));
            refuse_staff(&state, &signed, form, &e).await
        }
        Err(err) => Err(AppError::from(err)),
    }
}

async fn refuse_staff(
    state: &AppState,
    signed: &Signed,
    form: StaffForm,
    e: &FieldErrors,
) -> AppResult<Response> {
    let page = staff_view(
        state,
        signed,
        form,
        FormErrors::from(e, Catalog::get(signed.lang)),
    )
    .await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AccessForm {
    role: String,
    active: String,
}

async fn staff_update(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<StaffUserId>,
    posted: Posted<AccessForm>,
) -> AppResult<Response> {
    signed.require(Permission::ManageStaff)?;
    // An owner cannot lock themselves out by demoting or deactivating their own account.
    if id == signed.info.user.id {
        return Err(AppError::Forbidden);
    }
    let role = Role::parse(&posted.fields.role).ok_or(AppError::NotFound)?;
    let active = posted.fields.active == "on";
    staff::update_access(&state.db, signed.scope(), &signed.actor(), id, role, active).await?;
    Ok(redirect_with_flash("/settings/staff", "flash.saved"))
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    s: Shell,
    name: String,
    email: String,
    role: String,
    errors: FormErrors,
}

fn account_view(signed: &Signed, errors: FormErrors) -> AccountPage {
    let s = Shell::signed(signed, Section::Settings, "/settings/account");
    AccountPage {
        name: signed.info.user.display_name.clone(),
        email: signed.info.user.email.clone(),
        role: label(s.t, "role", signed.info.user.role.code()),
        errors,
        s,
    }
}

async fn account_page(signed: Signed) -> AppResult<Response> {
    Ok(render(&account_view(&signed, FormErrors::none()))?.into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    current: String,
    new_password: String,
    confirm: String,
}

async fn password_submit(
    State(state): State<AppState>,
    signed: Signed,
    posted: Posted<PasswordForm>,
) -> AppResult<Response> {
    let f = posted.fields;
    let mut e = FieldErrors::new();
    let hash = staff::password_hash(&state.db, signed.scope(), signed.info.user.id).await?;
    if !verify_password(f.current.clone(), hash).await {
        e.add("current", Invalid::new("error.password_wrong"));
    }
    let new = e.check("new_password", parse_new_password(&f.new_password));
    if new.is_some() && f.new_password != f.confirm {
        e.add("confirm", Invalid::new("error.password_mismatch"));
    }
    let Some(new) = new.filter(|_| e.is_empty()) else {
        let page = account_view(&signed, FormErrors::from(&e, Catalog::get(signed.lang)));
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
    };
    let new_hash = hash_password(new).await.map_err(AppError::internal)?;
    staff::set_password(
        &state.db,
        signed.scope(),
        &signed.actor(),
        signed.info.user.id,
        new_hash,
        Some(&signed.token),
    )
    .await?;
    Ok(redirect_with_flash(
        "/settings/account",
        "flash.password_changed",
    ))
}
