//! The one error type of the pages. A handler's error carries no language: it becomes a response marked with
//! what went wrong, and the finishing layer ([`finish`]) writes the page in the reader's language — the one
//! the request's extractors settled on (the account's, the portal's, the cookie's), else the cookie's or
//! `Accept-Language`. So `?` works on every store error, and a conflict nobody expected is a 409, never a 500.

use crate::i18n::Catalog;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use kaeru_domain::Language;
use kaeru_store::{Clash, StoreError};
use std::sync::{Arc, Mutex};

#[derive(Debug)]
pub enum AppError {
    /// Not found, or belongs to another company: the same answer either way.
    NotFound,
    /// Signed in, but the role does not allow it.
    Forbidden,
    /// Not signed in: go to the sign-in page.
    SignIn,
    /// The form's CSRF token did not match.
    BadCsrf,
    /// A posted form that could not be read (a value of the wrong shape, a broken body): 400.
    BadForm,
    /// Go elsewhere (e.g. an alumnus whose portal session ended, to their company's sign-in page).
    Redirect(String),
    /// The request clashes with what is stored now (changed meanwhile, a duplicate) and no form was there to
    /// show it beside a field: 409, with the clash's own message.
    Conflict(Clash),
    /// The person's record was erased; nothing about them can be changed: 409.
    Erased,
    /// Too many at once (imports): 503, try again shortly.
    Busy,
    Internal(anyhow::Error),
}

impl AppError {
    pub fn internal(e: impl Into<anyhow::Error>) -> Self {
        Self::Internal(e.into())
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::NotFound,
            StoreError::Erased => Self::Erased,
            // A clash a handler did not expect to handle is still the user's conflict, never a 500.
            StoreError::Conflict(clash) => {
                tracing::info!(
                    conflict = clash.code(),
                    "request conflicts with the stored data"
                );
                Self::Conflict(clash)
            }
            other => Self::Internal(other.into()),
        }
    }
}

/// A use case's refusal that no form was there to show beside a field.
impl From<kaeru_app::Failure> for AppError {
    fn from(f: kaeru_app::Failure) -> Self {
        match f {
            kaeru_app::Failure::Store(e) => e.into(),
            kaeru_app::Failure::Invalid(e) => {
                tracing::info!(errors = ?e, "values refused outside a form");
                Self::BadForm
            }
            kaeru_app::Failure::Refused(inv) => {
                tracing::info!(refused = inv.key, "request refused by the record's state");
                Self::Conflict(Clash::StatusChanged)
            }
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        Self::Internal(e.into())
    }
}

/// The page an error becomes, written by [`finish`] once the language is known.
#[derive(Clone, Copy, Debug)]
struct ErrorPage {
    title: &'static str,
    body: &'static str,
}

fn marked(status: StatusCode, title: &'static str, body: &'static str) -> Response {
    let mut res = status.into_response();
    res.extensions_mut().insert(ErrorPage { title, body });
    res
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match self {
            Self::NotFound => marked(
                StatusCode::NOT_FOUND,
                "page.not_found",
                "page.not_found_help",
            ),
            Self::Forbidden => marked(
                StatusCode::FORBIDDEN,
                "page.forbidden",
                "page.forbidden_help",
            ),
            Self::SignIn => Redirect::to("/login").into_response(),
            Self::Redirect(to) => Redirect::to(&to).into_response(),
            Self::BadCsrf => marked(StatusCode::FORBIDDEN, "page.bad_csrf", "page.bad_csrf_help"),
            Self::BadForm => marked(
                StatusCode::BAD_REQUEST,
                "page.bad_form",
                "page.bad_form_help",
            ),
            Self::Conflict(clash) => {
                marked(StatusCode::CONFLICT, "page.conflict", clash.message_key())
            }
            Self::Erased => marked(StatusCode::CONFLICT, "page.erased", "page.erased_help"),
            Self::Busy => {
                let mut r = marked(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "page.busy",
                    "page.busy_help",
                );
                r.headers_mut().insert(
                    axum::http::header::RETRY_AFTER,
                    axum::http::HeaderValue::from_static("10"),
                );
                r
            }
            Self::Internal(e) => {
                tracing::error!(error = ?e, "request failed");
                marked(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "page.internal",
                    "page.internal_help",
                )
            }
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;

/// The language the request's extractors settled on (the signed-in user's, the portal's, the visitor's);
/// the last one to decide wins.
#[derive(Clone, Default)]
pub struct LangSlot(Arc<Mutex<Option<Language>>>);

impl LangSlot {
    pub fn set(&self, lang: Language) {
        if let Ok(mut l) = self.0.lock() {
            *l = Some(lang);
        }
    }

    fn get(&self) -> Option<Language> {
        self.0.lock().ok().and_then(|l| *l)
    }
}

/// Writes the page of an error response in the reader's language.
pub async fn finish(mut req: Request, next: Next) -> Response {
    let fallback = crate::auth::language_of(req.headers());
    let slot = LangSlot::default();
    req.extensions_mut().insert(slot.clone());
    let mut res = next.run(req).await;
    let Some(page) = res.extensions_mut().remove::<ErrorPage>() else {
        return res;
    };
    let lang = slot.get().unwrap_or(fallback);
    let c = Catalog::get(lang);
    let html = format!(
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} — Kaeru</title><link rel=\"stylesheet\" href=\"/static/pico.min.css\"><link rel=\"stylesheet\" href=\"/static/kaeru.css\"></head>\
         <body><main class=\"container\"><h1>{title}</h1><p>{body}</p><p><a href=\"/\">{home}</a></p></main></body></html>",
        lang = lang.code(),
        title = c.t(page.title),
        body = c.t(page.body),
        home = c.t("page.back_home"),
    );
    let (parts, _) = res.into_parts();
    (parts, Html(html)).into_response()
}
