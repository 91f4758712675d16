//! First-run setup, sign-in, sign-out and the language switch.

use super::{redirect_with_flash, render};
use crate::AppState;
use crate::auth::{LANG_COOKIE, SESSION_COOKIE, Signed, Visitor, hash_password, verify_password};
use crate::error::{AppError, AppResult};
use crate::forms::{FormErrors, Posted};
use crate::i18n::Catalog;
use crate::shell::Shell;
use askama::Template;
use axum::Router;
use axum::extract::{FromRequestParts, Request, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kaeru_domain::validation::{email as parse_email, required_line};
use kaeru_domain::{CompanySettings, FieldErrors, Language, Slug, staff::parse_new_password};
use kaeru_store::{Clash, StoreError, companies, rate_limit, sessions};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/setup", get(setup_page).post(setup_submit))
        .route("/login", get(login_page).post(login_submit))
        .route("/logout", post(logout))
        .route("/language", post(switch_language))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SetupForm {
    company_name: String,
    slug: String,
    owner_name: String,
    email: String,
    password: String,
}

#[derive(Template)]
#[template(path = "setup.html")]
struct SetupPage {
    s: Shell,
    form: SetupForm,
    errors: FormErrors,
}

async fn ensure_first_run(state: &AppState) -> AppResult<bool> {
    companies::none_exist(&state.db)
        .await
        .map_err(AppError::from)
}

async fn setup_page(State(state): State<AppState>, v: Visitor) -> AppResult<Response> {
    if !ensure_first_run(&state).await? {
        return Ok(Redirect::to("/login").into_response());
    }
    Ok(render(&SetupPage {
        s: Shell::anonymous(&v, "/setup"),
        form: SetupForm::default(),
        errors: FormErrors::none(),
    })?
    .into_response())
}

async fn setup_submit(
    State(state): State<AppState>,
    v: Visitor,
    posted: Posted<SetupForm>,
) -> AppResult<Response> {
    if !ensure_first_run(&state).await? {
        return Ok(Redirect::to("/login").into_response());
    }
    let mut form = posted.fields;
    let t = Catalog::get(v.lang);
    let mut e = FieldErrors::new();
    let settings =
        CompanySettings::parse(&form.company_name, "Asia/Tokyo", v.lang.code(), |_| true);
    if let Err(se) = &settings
        && let Some(inv) = se.get("name")
    {
        e.add("company_name", inv.clone());
    }
    let slug = e.check("slug", Slug::parse(&form.slug));
    let owner_name = e.check("owner_name", required_line(&form.owner_name, 100));
    let email = e.check("email", parse_email(&form.email));
    let password = e.check("password", parse_new_password(&form.password));
    form.password.clear();
    let show = |form, errors: &FieldErrors| -> AppResult<Response> {
        Ok(render(&SetupPage {
            s: Shell::anonymous(&v, "/setup"),
            form,
            errors: FormErrors::from(errors, t),
        })?
        .into_response())
    };
    let (Ok(settings), Some(slug), Some(owner_name), Some(email), Some(password)) =
        (settings, slug, owner_name, email, password)
    else {
        return show(form, &e);
    };
    let hash = hash_password(password).await.map_err(AppError::internal)?;
    let owner = companies::NewOwner {
        email,
        display_name: owner_name,
        password_hash: hash,
    };
    let (_, user) = match companies::create_with_owner(&state.db, &slug, &settings, owner).await {
        Ok(done) => done,
        Err(StoreError::Conflict(Clash::SlugTaken)) => {
            let mut e = FieldErrors::new();
            e.add("slug", kaeru_domain::Invalid::new("error.slug_taken"));
            return show(form, &e);
        }
        Err(err) => return Err(AppError::from(err)),
    };
    tracing::info!(company = %settings.name, "first-run setup created the company and its owner");
    start_session(&state, &v, &user, "/people").await
}

async fn start_session(
    state: &AppState,
    v: &Visitor,
    user: &kaeru_domain::StaffUser,
    to: &str,
) -> AppResult<Response> {
    let token = sessions::create(
        &state.db,
        user,
        chrono::Duration::hours(state.config.session_hours),
    )
    .await?;
    let jar = v.jar.clone().add(v.cookie(
        SESSION_COOKIE,
        token,
        Some(state.config.session_hours * 3600),
    ));
    Ok((jar, redirect_with_flash(to, "flash.signed_in")).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginForm {
    email: String,
    password: String,
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    s: Shell,
    email: String,
    problem: Option<String>,
    errors: FormErrors,
}

async fn login_page(State(state): State<AppState>, v: Visitor) -> AppResult<Response> {
    if ensure_first_run(&state).await? {
        return Ok(Redirect::to("/setup").into_response());
    }
    Ok(render(&LoginPage {
        s: Shell::anonymous(&v, "/login"),
        email: String::new(),
        problem: None,
        errors: FormErrors::none(),
    })?
    .into_response())
}

const LOGIN_WINDOW_MINUTES: i64 = 15;
const LOGIN_MAX_PER_ACCOUNT: i32 = 10;
const LOGIN_MAX_PER_ADDRESS: i32 = 50;

async fn login_submit(
    State(state): State<AppState>,
    v: Visitor,
    posted: Posted<LoginForm>,
) -> AppResult<Response> {
    let t = Catalog::get(v.lang);
    let form = posted.fields;
    let email = form.email.trim().to_ascii_lowercase();
    let fail = |status: axum::http::StatusCode, key: &str| -> AppResult<Response> {
        let page = LoginPage {
            s: Shell::anonymous(&v, "/login"),
            email: form.email.clone(),
            problem: Some(t.t(key).to_string()),
            errors: FormErrors::none(),
        };
        Ok((status, render(&page)?).into_response())
    };
    let window = chrono::Duration::minutes(LOGIN_WINDOW_MINUTES);
    let account_key = format!("login:account:{email}");
    let address_key = format!("login:ip:{}", v.ip);
    let store_err = AppError::from;
    // The cheap per-address limit first, so a flood from one client never reaches the account counters or
    // the password hashing.
    let address_ok = rate_limit::hit(&state.db, &address_key, LOGIN_MAX_PER_ADDRESS, window)
        .await
        .map_err(store_err)?;
    let account_ok = address_ok
        && rate_limit::hit(&state.db, &account_key, LOGIN_MAX_PER_ACCOUNT, window)
            .await
            .map_err(store_err)?;
    if !account_ok || !address_ok {
        tracing::warn!(ip = %v.ip, "sign-in rate limit reached");
        crate::auth::spend_check_time().await;
        return fail(axum::http::StatusCode::TOO_MANY_REQUESTS, "login.too_many");
    }
    let candidates = kaeru_store::staff::find_for_login(&state.db, &email)
        .await
        .map_err(store_err)?;
    // Exactly one hash for an unknown address, as for a known one with a wrong password, so the time taken
    // does not tell which addresses have accounts.
    if candidates.is_empty() {
        let _ = verify_password(form.password.clone(), crate::auth::dummy_hash().await).await;
    }
    let mut signed_in = None;
    for (user, hash) in candidates {
        if verify_password(form.password.clone(), hash).await {
            signed_in = Some(user);
            break;
        }
    }
    match signed_in {
        Some(user) => {
            rate_limit::clear(&state.db, &account_key)
                .await
                .map_err(store_err)?;
            tracing::info!(user = %user.id, "signed in");
            start_session(&state, &v, &user, "/people").await
        }
        None => {
            tracing::info!(ip = %v.ip, "sign-in failed");
            fail(axum::http::StatusCode::OK, "login.failed")
        }
    }
}

async fn logout(
    State(state): State<AppState>,
    signed: Signed,
    _: Posted<()>,
) -> AppResult<Response> {
    sessions::delete(&state.db, &signed.token).await?;
    let jar = signed
        .visitor
        .jar
        .clone()
        .remove(axum_extra::extract::cookie::Cookie::build(SESSION_COOKIE).path("/"));
    Ok((jar, redirect_with_flash("/login", "flash.signed_out")).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LanguageForm {
    lang: String,
    next: String,
}

/// Switches the language: saved on the account when signed in, in a cookie either way.
async fn switch_language(State(state): State<AppState>, req: Request) -> AppResult<Response> {
    let (mut parts, body) = req.into_parts();
    let v = Visitor::from_request_parts(&mut parts, &state).await?;
    let signed = Signed::from_request_parts(&mut parts, &state).await.ok();
    if signed.is_none() {
        // Only for its token: a portal session expects the portal's.
        let _ = crate::auth::Alumnus::from_request_parts(&mut parts, &state).await;
    }
    let req = Request::from_parts(parts, body);
    // The form's token is checked against the last of these that resolved (staff, portal, anonymous).
    let posted: Posted<LanguageForm> = Posted::from_request(req, &state).await?;
    let lang = Language::parse(&posted.fields.lang).unwrap_or(v.lang);
    if let Some(s) = &signed {
        kaeru_store::staff::set_language(&state.db, s.scope(), s.info.user.id, lang).await?;
    }
    // Only a path on this site, never an outside address.
    let next = posted.fields.next;
    let to = local_path(&next).unwrap_or("/").to_string();
    let jar = v
        .jar
        .clone()
        .add(v.cookie(LANG_COOKIE, lang.code().into(), Some(365 * 24 * 3600)));
    Ok((jar, Redirect::to(&to)).into_response())
}

use axum::extract::FromRequest;

/// `next` when it is a path on this site, else `None`. Browsers drop tabs and line breaks from a
/// `Location` (`/\t/evil.example` becomes `//evil.example`, another site) and a line break cannot be sent in
/// a header at all, so only visible ASCII is accepted, with no backslash and no second leading slash.
fn local_path(next: &str) -> Option<&str> {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && next.bytes().all(|b| b.is_ascii_graphic() && b != b'\\');
    ok.then_some(next)
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_paths_on_this_site_are_followed() {
        assert_eq!(super::local_path("/people?page=2"), Some("/people?page=2"));
        for bad in [
            "//evil.example",
            "/\t/evil.example",
            "/\n/x",
            "/\\evil.example",
            "https://evil.example",
            "/ /x",
            "",
        ] {
            assert_eq!(super::local_path(bad), None, "{bad:?}");
        }
    }
}
