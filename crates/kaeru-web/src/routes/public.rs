//! The public side of a company: its page saying returners are welcome (`/c/{slug}`) with open comeback
//! positions and a registration form for former employees, the badge for its homepage, and the alumni's
//! sign-in by e-mail link.

use super::{redirect_with_flash, render};
use crate::AppState;
use crate::auth::{PORTAL_COMPANY_COOKIE, PORTAL_COOKIE, Visitor};
use crate::error::{AppError, AppResult};
use crate::forms::{FormErrors, Posted};
use crate::i18n::Catalog;
use crate::shell::Shell;
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kaeru_domain::OpeningAudience;
use kaeru_domain::{Company, Language, RegistrationInput};
use kaeru_store::portal::LinkProblem;
use kaeru_store::{Scope, companies, openings, portal, rate_limit, registrations};
use serde::Deserialize;
use sha2::{Digest, Sha256};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/c/{slug}", get(page))
        .route("/c/{slug}/register", post(register))
        .route("/c/{slug}/badge.svg", get(badge))
        .route("/c/{slug}/login", get(login_page).post(login_submit))
        .route("/c/{slug}/auth/{token}", get(auth_page))
        .route("/c/{slug}/auth", post(auth_submit))
}

/// How long a portal sign-in lasts.
const PORTAL_HOURS: i64 = 12;

async fn company_of(state: &AppState, slug: &str) -> AppResult<Company> {
    if kaeru_domain::Slug::parse(slug).is_err() {
        return Err(AppError::NotFound);
    }
    companies::find_by_slug(&state.db, slug)
        .await?
        .ok_or(AppError::NotFound)
}

/// The address links in e-mails start with: from configuration only (see [`crate::WebConfig::public_url`]).
pub(crate) fn base_url(state: &AppState) -> &str {
    state.config.public_url.trim_end_matches('/')
}

/// Rate-limit keys never hold an address in clear.
pub(crate) fn hashed(kind: &str, value: &str) -> String {
    format!(
        "{kind}:{}",
        hex::encode(&Sha256::digest(value.trim().to_lowercase().as_bytes())[..16])
    )
}

/// The company's declaration in the visitor's language, or the warm default.
pub(crate) fn declaration(
    t: &Catalog,
    lang: Language,
    company: &str,
    p: &companies::PublicSettings,
) -> String {
    let own = match lang {
        Language::Ja => p.declaration_ja.clone(),
        Language::En => p.declaration_en.clone().or(p.declaration_ja.clone()),
    };
    own.unwrap_or_else(|| t.format("public.declaration_default", &[("company", company.into())]))
}

pub struct PublicOpening {
    title: String,
    department: String,
    place: String,
    work: String,
    description: String,
}

#[derive(Template)]
#[template(path = "public_page.html")]
struct PublicPage {
    s: Shell,
    company: Company,
    paragraphs: Vec<String>,
    openings: Vec<PublicOpening>,
    /// Open openings for former employees only: counted, never named.
    alumni_only: usize,
    form: RegistrationInput,
    errors: FormErrors,
    done: bool,
}

async fn public_page(
    state: &AppState,
    v: &Visitor,
    company: Company,
    form: RegistrationInput,
    errors: FormErrors,
    done: bool,
) -> AppResult<PublicPage> {
    let scope = Scope::for_company(company.id);
    let settings = companies::public_settings(&state.db, &scope).await?;
    let s = Shell::anonymous(v, &format!("/c/{}", company.slug));
    let text = declaration(s.t, v.lang, &company.name, &settings);
    let paragraphs = text
        .split("\n\n")
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect();
    let today = chrono::Utc::now()
        .with_timezone(
            &company
                .time_zone
                .parse::<chrono_tz::Tz>()
                .unwrap_or(chrono_tz::Asia::Tokyo),
        )
        .date_naive();
    let alumni_only = kaeru_store::job_board::alumni_only_count(&state.db, &scope, today).await?;
    let openings = openings::list(&state.db, &scope, Some(&[OpeningAudience::Public]))
        .await?
        .into_iter()
        .filter(|o| o.takes_responses(today))
        .map(|o| PublicOpening {
            work: kaeru_app::job_board::terms_line(s.t, &o),
            title: o.title,
            department: o.department.unwrap_or_default(),
            place: o.place.unwrap_or_default(),
            description: o.description.unwrap_or_default(),
        })
        .collect();
    Ok(PublicPage {
        s,
        company,
        paragraphs,
        openings,
        alumni_only,
        form,
        errors,
        done,
    })
}

async fn page(
    State(state): State<AppState>,
    v: Visitor,
    Path(slug): Path<String>,
) -> AppResult<Response> {
    let company = company_of(&state, &slug).await?;
    let p = public_page(
        &state,
        &v,
        company,
        RegistrationInput::default(),
        FormErrors::none(),
        false,
    )
    .await?;
    Ok(render(&p)?.into_response())
}

/// Generous: a whole OB/OG会 may register from the venue's one Wi-Fi within the hour.
const REGISTER_MAX_PER_IP_HOUR: i32 = 60;
const REGISTER_MAX_PER_ADDRESS_DAY: i32 = 3;

async fn register(
    State(state): State<AppState>,
    v: Visitor,
    Path(slug): Path<String>,
    posted: Posted<RegistrationInput>,
) -> AppResult<Response> {
    let company = company_of(&state, &slug).await?;
    let t = Catalog::get(v.lang);
    let form = posted.fields;
    if form.is_spam() {
        // Answer as if it worked; store nothing.
        tracing::warn!(ip = %v.ip, company = %company.slug, "registration honeypot filled; dropped");
        let p = public_page(
            &state,
            &v,
            company,
            RegistrationInput::default(),
            FormErrors::none(),
            true,
        )
        .await?;
        return Ok(render(&p)?.into_response());
    }
    let tz: chrono_tz::Tz = company.time_zone.parse().unwrap_or(chrono_tz::Asia::Tokyo);
    let today = chrono::Utc::now().with_timezone(&tz).date_naive();
    let draft = match form.parse(today) {
        Ok(d) => d,
        Err(e) => {
            let p = public_page(&state, &v, company, form, FormErrors::from(&e, t), false).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)?).into_response());
        }
    };
    // Counted only once the form is valid: at an OB/OG会 many people register from one Wi-Fi, and a typo
    // must not use up their shared allowance. The per-address limit is checked first (cheap).
    let ip_ok = rate_limit::hit(
        &state.db,
        &format!("register:ip:{}", v.ip),
        REGISTER_MAX_PER_IP_HOUR,
        chrono::Duration::hours(1),
    )
    .await?;
    let addr_ok = ip_ok
        && rate_limit::hit(
            &state.db,
            &hashed("register:email", &draft.email),
            REGISTER_MAX_PER_ADDRESS_DAY,
            chrono::Duration::days(1),
        )
        .await?;
    if !ip_ok || !addr_ok {
        tracing::warn!(ip = %v.ip, company = %company.slug, "registration rate limit reached");
        let mut e = kaeru_domain::FieldErrors::new();
        e.add(
            "email",
            kaeru_domain::Invalid::new("error.too_many_requests"),
        );
        let p = public_page(&state, &v, company, form, FormErrors::from(&e, t), false).await?;
        return Ok((StatusCode::TOO_MANY_REQUESTS, render(&p)?).into_response());
    }
    let scope = Scope::for_company(company.id);
    let mail = Catalog::get(company.default_language);
    let name = format!("{} {}", draft.family_name, draft.given_name);
    let receipt = (
        mail.format("mail.receipt_subject", &[("company", company.name.clone())]),
        mail.format(
            "mail.receipt_body",
            &[("company", company.name.clone()), ("name", name)],
        ),
    );
    registrations::create(
        &state.db,
        &scope,
        &registrations::NewRegistration {
            family_name: draft.family_name,
            given_name: draft.given_name,
            family_kana: draft.family_kana.into(),
            given_kana: draft.given_kana.into(),
            email: draft.email.into(),
            phone: draft.phone,
            birth_date: draft.birth_date,
            period: draft.period,
            department: draft.department,
            message: draft.message,
        },
        receipt,
    )
    .await?;
    tracing::info!(company = %company.slug, "registration received");
    let p = public_page(
        &state,
        &v,
        company,
        RegistrationInput::default(),
        FormErrors::none(),
        true,
    )
    .await?;
    Ok(render(&p)?.into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BadgeQuery {
    lang: String,
}

/// An SVG badge "出戻り歓迎" / "Returners welcome" for the company's homepage and job ads.
async fn badge(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(q): Query<BadgeQuery>,
) -> AppResult<Response> {
    let slug = slug.trim_end_matches(".svg").to_string();
    company_of(&state, &slug).await?;
    let lang = Language::parse(&q.lang).unwrap_or(Language::Ja);
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        badge_svg(lang),
    )
        .into_response())
}

pub(crate) fn badge_svg(lang: Language) -> String {
    let (text, width) = match lang {
        Language::Ja => ("出戻り歓迎", 150),
        Language::En => ("Returners welcome", 196),
    };
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="36" viewBox="0 0 {width} 36" role="img" aria-label="{text}"><title>{text}</title><rect width="{width}" height="36" rx="18" fill="#2f7d4f"/><circle cx="18" cy="18" r="10" fill="#e8f5ec"/><path d="M13 18.5l3.5 3.5 6.5-7" fill="none" stroke="#2f7d4f" stroke-width="2.4" stroke-linecap="round" stroke-linejoin="round"/><text x="36" y="23.5" font-family="'Hiragino Sans','Noto Sans JP','IPAexGothic',sans-serif" font-size="15" font-weight="700" fill="#ffffff">{text}</text></svg>"##
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginForm {
    email: String,
}

#[derive(Template)]
#[template(path = "portal_login.html")]
struct LoginPage {
    s: Shell,
    company: Company,
    email: String,
    problem: Option<String>,
    sent: bool,
}

async fn login_page(
    State(state): State<AppState>,
    v: Visitor,
    Path(slug): Path<String>,
) -> AppResult<Response> {
    let company = company_of(&state, &slug).await?;
    let page = LoginPage {
        s: Shell::anonymous(&v, &format!("/c/{slug}/login")),
        company,
        email: String::new(),
        problem: None,
        sent: false,
    };
    Ok(render(&page)?.into_response())
}

const LINK_WINDOW_MINUTES: i64 = 15;
const LINK_MAX_PER_ADDRESS: i32 = 5;
const LINK_MAX_PER_IP: i32 = 30;

/// Sends a sign-in link when the address belongs to a former employee of the company. The answer is the
/// same whether or not it does, so the page cannot be used to find out who is registered.
async fn login_submit(
    State(state): State<AppState>,
    v: Visitor,
    Path(slug): Path<String>,
    posted: Posted<LoginForm>,
) -> AppResult<Response> {
    let company = company_of(&state, &slug).await?;
    let t = Catalog::get(v.lang);
    let typed = posted.fields.email;
    let shown = |problem: Option<&str>, sent: bool| LoginPage {
        s: Shell::anonymous(&v, &format!("/c/{slug}/login")),
        company: company.clone(),
        email: if sent { String::new() } else { typed.clone() },
        problem: problem.map(|k| t.t(k).to_string()),
        sent,
    };
    let email = match kaeru_domain::validation::email(&typed) {
        Ok(e) => e,
        Err(inv) => {
            let page = shown(Some(inv.key), false);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
        }
    };
    let window = chrono::Duration::minutes(LINK_WINDOW_MINUTES);
    // The cheap per-address limit first: a flood from one client stops here.
    let ip_ok = rate_limit::hit(
        &state.db,
        &format!("magic:ip:{}", v.ip),
        LINK_MAX_PER_IP,
        window,
    )
    .await?;
    let addr_ok = ip_ok
        && rate_limit::hit(
            &state.db,
            &hashed(&format!("magic:{}", company.slug), &email),
            LINK_MAX_PER_ADDRESS,
            window,
        )
        .await?;
    if !addr_ok || !ip_ok {
        tracing::warn!(ip = %v.ip, company = %company.slug, "sign-in link rate limit reached");
        let page = shown(Some("portal.too_many"), false);
        return Ok((StatusCode::TOO_MANY_REQUESTS, render(&page)?).into_response());
    }
    // Whether the address is known, and the link with its mail, are worked out after the answer: the request
    // costs the same either way, so its timing does not tell who is registered.
    // A moment later, at a random point: the background work then cannot slow the client's next request
    // in a way that tells a known address from an unknown one.
    let (state2, company2) = (state.clone(), company.clone());
    let jitter =
        std::time::Duration::from_millis(rand::Rng::gen_range(&mut rand::thread_rng(), 100..1000));
    tokio::spawn(async move {
        tokio::time::sleep(jitter).await;
        if let Err(e) = queue_sign_in_link(&state2, &company2, &email).await {
            tracing::error!(company = %company2.slug, error = ?e, "sign-in link could not be queued");
        }
    });
    Ok(render(&shown(None, true))?.into_response())
}

/// Queues a sign-in link when `email` belongs to a person of the company (never an erased one).
async fn queue_sign_in_link(
    state: &AppState,
    company: &Company,
    email: &str,
) -> kaeru_store::StoreResult<()> {
    let scope = Scope::for_company(company.id);
    match portal::person_by_email(&state.db, &scope, email).await? {
        Some(person) => {
            let p = kaeru_store::people::get(&state.db, &scope, person).await?;
            send_sign_in_link(state, company, person, &p.full_name(), email, "mail.link").await?;
            tracing::info!(company = %company.slug, person = %person, "sign-in link queued");
        }
        None => {
            tracing::info!(company = %company.slug, "sign-in link asked for an unknown address");
        }
    }
    Ok(())
}

/// Queues an e-mail with a fresh sign-in link. `kind` picks the wording: `mail.link` (asked for) or
/// `mail.welcome` (HR confirmed a registration or invites the person).
pub(crate) async fn send_sign_in_link(
    state: &AppState,
    company: &Company,
    person: kaeru_domain::PersonId,
    name: &str,
    to: &str,
    kind: &str,
) -> kaeru_store::StoreResult<()> {
    let base = base_url(state);
    let mail = Catalog::get(company.default_language);
    let scope = Scope::for_company(company.id);
    portal::send_link(&state.db, &scope, person, to, |token| {
        let url = format!("{base}/c/{}/auth/{token}", company.slug);
        let args = [
            ("company", company.name.clone()),
            ("name", name.to_string()),
            ("url", url),
            ("minutes", portal::LINK_MINUTES.to_string()),
        ];
        (
            mail.format(&format!("{kind}_subject"), &args),
            mail.format(&format!("{kind}_body"), &args),
        )
    })
    .await
}

#[derive(Template)]
#[template(path = "portal_auth.html")]
struct AuthPage {
    s: Shell,
    company: Company,
    token: String,
    problem: Option<String>,
}

/// The link in the e-mail opens a page with a button: mail scanners that follow links do not use it up.
async fn auth_page(
    State(state): State<AppState>,
    v: Visitor,
    Path((slug, token)): Path<(String, String)>,
) -> AppResult<Response> {
    let company = company_of(&state, &slug).await?;
    let page = AuthPage {
        s: Shell::anonymous(&v, &format!("/c/{slug}/login")),
        company,
        token,
        problem: None,
    };
    Ok(render(&page)?.into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AuthForm {
    token: String,
}

async fn auth_submit(
    State(state): State<AppState>,
    v: Visitor,
    Path(slug): Path<String>,
    posted: Posted<AuthForm>,
) -> AppResult<Response> {
    let company = company_of(&state, &slug).await?;
    let t = Catalog::get(v.lang);
    let scope = Scope::for_company(company.id);
    match portal::consume_link(&state.db, &scope, posted.fields.token.trim()).await? {
        Ok(person) => {
            let token = portal::start_session(
                &state.db,
                &scope,
                person,
                chrono::Duration::hours(PORTAL_HOURS),
            )
            .await?;
            tracing::info!(company = %company.slug, person = %person, "alumnus signed in");
            let jar = v
                .jar
                .clone()
                .add(v.cookie(PORTAL_COOKIE, token, Some(PORTAL_HOURS * 3600)))
                .add(v.cookie(
                    PORTAL_COMPANY_COOKIE,
                    company.slug.clone(),
                    Some(365 * 24 * 3600),
                ));
            Ok((jar, redirect_with_flash("/me", "flash.portal_signed_in")).into_response())
        }
        Err(problem) => {
            let key = match problem {
                LinkProblem::Expired => "portal.link_expired",
                LinkProblem::Used => "portal.link_used",
                LinkProblem::Invalid => "portal.link_invalid",
            };
            tracing::info!(company = %company.slug, ?problem, "sign-in link refused");
            let page = AuthPage {
                s: Shell::anonymous(&v, &format!("/c/{slug}/login")),
                company,
                token: String::new(),
                problem: Some(t.t(key).to_string()),
            };
            Ok((StatusCode::GONE, render(&page)?).into_response())
        }
    }
}
