//! The one error type of the web layer: logs the detail, shows the user a plain page in their language.

use crate::i18n::Catalog;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use kaeru_domain::Language;
use kaeru_store::StoreError;

#[derive(Debug)]
pub enum AppError {
    /// Not found, or belongs to another company: the same answer either way.
    NotFound(Language),
    /// Signed in, but the role does not allow it.
    Forbidden(Language),
    /// Not signed in: go to the sign-in page.
    SignIn,
    /// The form's CSRF token did not match.
    BadCsrf(Language),
    /// The request clashes with what is stored now (changed meanwhile, a duplicate): 409.
    Conflict(Language),
    /// The person's record was erased; nothing about them can be changed: 409.
    Erased(Language),
    /// Too many at once (imports, sign-ins): 503, try again shortly.
    Busy(Language),
    /// Go elsewhere (e.g. an alumnus whose portal session ended, to their company's sign-in page).
    Redirect(String),
    Internal(Language, anyhow::Error),
}

impl AppError {
    pub fn internal(lang: Language, e: impl Into<anyhow::Error>) -> Self {
        Self::Internal(lang, e.into())
    }

    pub fn from_store(lang: Language, e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::NotFound(lang),
            StoreError::Erased => Self::Erased(lang),
            // A clash a handler did not expect to handle is still the user's conflict, never a 500.
            StoreError::Conflict(what) => {
                tracing::info!(conflict = what, "request conflicts with the stored data");
                Self::Conflict(lang)
            }
            other => Self::Internal(lang, other.into()),
        }
    }
}

fn page(status: StatusCode, lang: Language, title_key: &str, body_key: &str) -> Response {
    let c = Catalog::get(lang);
    let html = format!(
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} — Kaeru</title><link rel=\"stylesheet\" href=\"/static/pico.min.css\"><link rel=\"stylesheet\" href=\"/static/kaeru.css\"></head>\
         <body><main class=\"container\"><h1>{title}</h1><p>{body}</p><p><a href=\"/\">{home}</a></p></main></body></html>",
        lang = lang.code(),
        title = c.t(title_key),
        body = c.t(body_key),
        home = c.t("page.back_home"),
    );
    (status, Html(html)).into_response()
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match self {
            Self::NotFound(l) => page(
                StatusCode::NOT_FOUND,
                l,
                "page.not_found",
                "page.not_found_help",
            ),
            Self::Forbidden(l) => page(
                StatusCode::FORBIDDEN,
                l,
                "page.forbidden",
                "page.forbidden_help",
            ),
            Self::Conflict(l) => page(
                StatusCode::CONFLICT,
                l,
                "page.conflict",
                "page.conflict_help",
            ),
            Self::Erased(l) => page(StatusCode::CONFLICT, l, "page.erased", "page.erased_help"),
            Self::Busy(l) => {
                let mut r = page(
                    StatusCode::SERVICE_UNAVAILABLE,
                    l,
                    "page.busy",
                    "page.busy_help",
                );
                r.headers_mut().insert(
                    axum::http::header::RETRY_AFTER,
                    axum::http::HeaderValue::from_static("10"),
                );
                r
            }
            Self::SignIn => Redirect::to("/login").into_response(),
            Self::Redirect(to) => Redirect::to(&to).into_response(),
            Self::BadCsrf(l) => page(
                StatusCode::FORBIDDEN,
                l,
                "page.bad_csrf",
                "page.bad_csrf_help",
            ),
            Self::Internal(l, e) => {
                tracing::error!(error = ?e, "request failed");
                page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    l,
                    "page.internal",
                    "page.internal_help",
                )
            }
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;
