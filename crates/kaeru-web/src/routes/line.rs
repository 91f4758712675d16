//! What reaches Kaeru from outside about messages: LINE's webhook (signature checked before anything is
//! read), the links in messages (read on the web, one-click unsubscribe), and the portal's LINE page where
//! an alumnus links and unlinks their LINE account.

use super::{redirect_with_flash, render};
use crate::AppState;
use crate::auth::{Alumnus, Visitor};
use crate::error::{AppError, AppResult};
use crate::forms::Posted;
use crate::shell::Shell;
use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kaeru_app::announcements as app;
use kaeru_domain::CompanyId;
use kaeru_messaging::line::{LineClient, WebhookEvent, parse_events, verify_signature};
use kaeru_store::announcements::{self as store, Announcement};
use kaeru_store::messaging::{self, LinkOutcome};
use kaeru_store::{Actor, Scope, people};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/line/webhook/{company}", post(webhook))
        .route("/m/{token}", get(read))
        .route("/news/{token}", get(news))
        .route("/u/{token}", get(unsubscribe_page).post(unsubscribe))
        .route("/me/line", get(portal_page))
        .route("/me/line/code", post(portal_code))
        .route("/me/line/unlink", post(portal_unlink))
        .route("/me/line/link", get(link_confirm).post(link_go))
}

/// How long a one-time code or an account-link nonce lives.
const CODE_MINUTES: i64 = 15;

/// LINE's webhook: refused (401) unless `X-Line-Signature` is the HMAC of the raw body with the company's
/// channel secret; then follow / unfollow keep the link state true, a six-digit code or a confirmed
/// account link links the account, and 「配信停止」 withdraws the consent of the latest message's purpose.
async fn webhook(
    State(state): State<AppState>,
    Path(company): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<Response> {
    let company: uuid::Uuid = company.parse().map_err(|_| AppError::NotFound)?;
    let company = CompanyId(company);
    let settings = match messaging::settings_of_company(&state.db, company).await {
        Ok(s) => s,
        Err(kaeru_store::StoreError::NotFound) => return Err(AppError::NotFound),
        Err(e) => return Err(e.into()),
    };
    let Some(line) = settings.line else {
        return Err(AppError::NotFound);
    };
    let signature = headers
        .get("x-line-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if signature.is_empty() || !verify_signature(&line.secret, &body, signature) {
        tracing::warn!(company = %company, signed = !signature.is_empty(), "LINE webhook refused: signature does not match");
        return Ok((StatusCode::UNAUTHORIZED, "signature required").into_response());
    }
    let events = match parse_events(&body) {
        Ok(e) => e,
        Err(e) => {
            tracing::warn!(company = %company, error = %e, "LINE webhook body unreadable");
            return Ok((StatusCode::BAD_REQUEST, "not a LINE webhook body").into_response());
        }
    };
    let scope = Scope::for_company(company);
    let client = LineClient::new(&state.config.line_api_url, &line.token);
    let t = kaeru_i18n::Catalog::get(
        kaeru_store::companies::get(&state.db, &scope)
            .await?
            .default_language,
    );
    for ev in events {
        let reply = match ev {
            WebhookEvent::Follow { user, reply_token } => {
                let linked = messaging::set_following(&state.db, &scope, &user, true).await?;
                tracing::info!(company = %company, linked, "LINE follow");
                if linked {
                    reply_token.map(|r| (r, t.t("line.welcome_back").to_string()))
                } else {
                    match client.link_token(&user).await {
                        Ok(token) => reply_token.map(|r| {
                            (
                                r,
                                t.t("line.how_to_link").replace(
                                    "{url}",
                                    &format!(
                                        "{}/me/line/link?linkToken={}",
                                        state.config.public_url,
                                        url::form_urlencoded::byte_serialize(token.as_bytes())
                                            .collect::<String>()
                                    ),
                                ),
                            )
                        }),
                        Err(e) => {
                            tracing::warn!(error = %e, "LINE link token not issued");
                            reply_token.map(|r| (r, t.t("line.send_code").to_string()))
                        }
                    }
                }
            }
            WebhookEvent::Unfollow { user } => {
                let linked = messaging::set_following(&state.db, &scope, &user, false).await?;
                tracing::info!(company = %company, linked, "LINE unfollow");
                None
            }
            WebhookEvent::AccountLink { user, nonce, ok } => {
                if ok {
                    let r =
                        messaging::use_link_code(&state.db, &scope, "nonce", &nonce, &user).await?;
                    tracing::info!(company = %company, linked = matches!(r, LinkOutcome::Linked(_)), "LINE account link");
                }
                None
            }
            WebhookEvent::Text {
                user,
                text,
                reply_token,
            } => {
                let text = text.trim();
                let answer = if text.len() == 6 && text.chars().all(|c| c.is_ascii_digit()) {
                    match messaging::use_link_code(&state.db, &scope, "code", text, &user).await? {
                        LinkOutcome::Linked(_) => t.t("line.linked"),
                        LinkOutcome::Unknown => t.t("line.code_unknown"),
                    }
                } else if ["配信停止", "停止", "stop", "STOP", "Stop"].contains(&text) {
                    match store::latest_line_delivery(&state.db, &scope, &user).await? {
                        Some(l) => {
                            store::unsubscribe(&state.db, &l).await?;
                            t.t("line.unsubscribed")
                        }
                        None => t.t("line.nothing_to_stop"),
                    }
                } else {
                    t.t("line.help")
                };
                reply_token.map(|r| (r, answer.to_string()))
            }
        };
        if let Some((token, text)) = reply
            && let Err(e) = client.reply(&token, &text).await
        {
            tracing::warn!(error = %e, "LINE reply not sent");
        }
    }
    Ok(StatusCode::OK.into_response())
}

#[derive(Template)]
#[template(path = "message_public.html")]
struct ReadPage {
    s: Shell,
    company: String,
    subject: String,
    html: String,
    unsubscribe: Option<String>,
    /// An invitation read by LINE: the portal page where the person replies.
    reply_at: Option<String>,
}

/// The announcement as one person was sent it (a signed link; no sign-in).
async fn read(
    State(state): State<AppState>,
    v: Visitor,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let l = app::open_link(&state.db, "read", &token).await?;
    // An invitation's link opens the person's own reply page.
    if let Some(event) = l.announcement.event {
        let scope = Scope::for_company(l.company);
        if let Some(r) =
            kaeru_store::events::rsvp_for(&state.db, &scope, event, l.person, true).await?
        {
            let m = kaeru_app::events::Mail::load(&state.db, &scope, &state.delivery()).await?;
            return Ok(axum::response::Redirect::to(&m.rsvp_path(r.id)).into_response());
        }
    }
    let s_ = app::sender(&state.db, &Scope::for_company(l.company)).await?;
    let page = ReadPage {
        s: Shell::anonymous(&v, "/m"),
        company: s_.footer.company,
        subject: l.announcement.subject.clone(),
        html: kaeru_messaging::markdown::to_html(&l.announcement.body),
        unsubscribe: Some(state.delivery().unsubscribe_url(&s_.key, l.delivery)),
        reply_at: None,
    };
    Ok(render(&page)?.into_response())
}

/// The announcement's page for those who got it by LINE.
async fn news(
    State(state): State<AppState>,
    v: Visitor,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let (a, s_): (Announcement, app::Sender) = app::open_news(&state.db, &token).await?;
    let page = ReadPage {
        s: Shell::anonymous(&v, "/news"),
        company: s_.footer.company,
        subject: a.subject.clone(),
        html: kaeru_messaging::markdown::to_html(&a.body),
        unsubscribe: None,
        reply_at: a.event.map(|e| format!("/me/events/{e}")),
    };
    Ok(render(&page)?.into_response())
}

#[derive(Template)]
#[template(path = "unsubscribe.html")]
struct UnsubscribePage {
    s: Shell,
    company: String,
    purpose: String,
    token: String,
    stands: bool,
    done: bool,
}

async fn unsubscribe_view(
    state: &AppState,
    v: &Visitor,
    token: &str,
    done: bool,
) -> AppResult<Response> {
    let l = app::open_link(&state.db, "unsubscribe", token).await?;
    let scope = Scope::for_company(l.company);
    let s = Shell::anonymous(v, "/u");
    let company = kaeru_store::companies::get(&state.db, &scope).await?.name;
    let purpose = kaeru_store::consent::purposes(&state.db, &scope)
        .await?
        .into_iter()
        .find(|p| p.code == l.announcement.purpose)
        .map(|p| p.name(s.lang).to_string())
        .unwrap_or_default();
    let stands = store::consent_stands(&state.db, &l).await?;
    let page = UnsubscribePage {
        s,
        company,
        purpose,
        token: token.to_string(),
        stands,
        done,
    };
    Ok(render(&page)?.into_response())
}

async fn unsubscribe_page(
    State(state): State<AppState>,
    v: Visitor,
    Path(token): Path<String>,
) -> AppResult<Response> {
    unsubscribe_view(&state, &v, &token, false).await
}

/// RFC 8058 one-click: a POST to the link itself withdraws the consent. The signed token is the authority
/// (mail providers post without cookies or a CSRF token), so any body is accepted.
async fn unsubscribe(
    State(state): State<AppState>,
    v: Visitor,
    Path(token): Path<String>,
    headers: HeaderMap,
    _body: Bytes,
) -> AppResult<Response> {
    let l = app::open_link(&state.db, "unsubscribe", &token).await?;
    store::unsubscribe(&state.db, &l).await?;
    tracing::info!(delivery = %l.delivery, purpose = l.announcement.purpose, "unsubscribed by link");
    let from_browser = headers
        .get(axum::http::header::ACCEPT)
        .and_then(|a| a.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    if from_browser {
        unsubscribe_view(&state, &v, &token, true).await
    } else {
        Ok((StatusCode::OK, "unsubscribed").into_response())
    }
}

#[derive(Template)]
#[template(path = "portal_line.html")]
struct PortalLine {
    s: Shell,
    csrf: String,
    configured: bool,
    linked: bool,
    following: bool,
    linked_at: String,
    code: Option<String>,
    minutes: i64,
}

async fn portal_view(state: &AppState, a: &Alumnus, code: Option<String>) -> AppResult<Response> {
    let p = people::get(&state.db, a.scope(), a.person()).await?;
    let settings = messaging::settings(&state.db, a.scope()).await?;
    let link = messaging::line_link(&state.db, a.scope(), a.person()).await?;
    let s = Shell::portal(a, &p.full_name(), "/me/line");
    let page = PortalLine {
        csrf: a.session.csrf_token.clone(),
        configured: settings.line.is_some(),
        linked: link.is_some(),
        following: link.as_ref().is_some_and(|l| l.following),
        linked_at: link
            .as_ref()
            .map(|l| s.datetime(&l.linked_at))
            .unwrap_or_default(),
        code,
        minutes: CODE_MINUTES,
        s,
    };
    Ok(render(&page)?.into_response())
}

async fn portal_page(State(state): State<AppState>, a: Alumnus) -> AppResult<Response> {
    portal_view(&state, &a, None).await
}

async fn portal_code(
    State(state): State<AppState>,
    a: Alumnus,
    _p: Posted<crate::forms::Nothing>,
) -> AppResult<Response> {
    if messaging::settings(&state.db, a.scope())
        .await?
        .line
        .is_none()
    {
        return Err(AppError::NotFound);
    }
    let code =
        messaging::new_link_code(&state.db, a.scope(), a.person(), "code", CODE_MINUTES).await?;
    portal_view(&state, &a, Some(code)).await
}

async fn portal_unlink(
    State(state): State<AppState>,
    a: Alumnus,
    _p: Posted<crate::forms::Nothing>,
) -> AppResult<Response> {
    messaging::unlink(
        &state.db,
        a.scope(),
        &Actor::system("the person, in the portal"),
        a.person(),
    )
    .await?;
    Ok(redirect_with_flash("/me/line", "flash.line_unlinked"))
}

#[derive(Template)]
#[template(path = "portal_line_link.html")]
struct LinkConfirm {
    s: Shell,
    csrf: String,
    link_token: String,
    /// After confirming: LINE's page that completes the link (a link, as the page's policy lets forms
    /// post only to Kaeru itself).
    go: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct LinkQuery {
    link_token: String,
}

/// The account-link flow's second step: the person, signed in to the portal, confirms.
async fn link_confirm(
    State(state): State<AppState>,
    a: Alumnus,
    RawQuery(q): RawQuery,
) -> AppResult<Response> {
    let q: LinkQuery = serde_html_form::from_str(q.as_deref().unwrap_or("")).unwrap_or_default();
    let token = q.link_token.trim();
    if token.is_empty()
        || token.len() > 100
        || !token
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(AppError::NotFound);
    }
    let p = people::get(&state.db, a.scope(), a.person()).await?;
    let page = LinkConfirm {
        s: Shell::portal(&a, &p.full_name(), "/me/line"),
        csrf: a.session.csrf_token.clone(),
        link_token: token.to_string(),
        go: None,
    };
    Ok(render(&page)?.into_response())
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct LinkGo {
    link_token: String,
}

/// Confirmed: a nonce is kept for the person and the browser goes to LINE, which sends the `accountLink`
/// event with that nonce.
async fn link_go(
    State(state): State<AppState>,
    a: Alumnus,
    posted: Posted<LinkGo>,
) -> AppResult<Response> {
    let token = posted.fields.link_token.trim().to_string();
    if token.is_empty()
        || token.len() > 100
        || !token
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(AppError::NotFound);
    }
    let nonce =
        messaging::new_link_code(&state.db, a.scope(), a.person(), "nonce", CODE_MINUTES).await?;
    let p = people::get(&state.db, a.scope(), a.person()).await?;
    let page = LinkConfirm {
        s: Shell::portal(&a, &p.full_name(), "/me/line"),
        csrf: a.session.csrf_token.clone(),
        link_token: token.clone(),
        go: Some(format!(
            "{}/dialog/bot/accountLink?linkToken={token}&nonce={nonce}",
            state.config.line_access_url
        )),
    };
    Ok(render(&page)?.into_response())
}
