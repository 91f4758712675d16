//! The API's one error shape. A handler's error becomes a response carrying what went wrong; the layer
//! around the API writes the body in the caller's language (`Accept-Language`, else the company's default).

use crate::forms::message;
use crate::i18n::Catalog;
use axum::extract::Request;
use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use kaeru_domain::{FieldErrors, Invalid, Language};
use kaeru_store::{Clash, StoreError};
use serde::Serialize;
use std::sync::{Arc, Mutex};
use utoipa::ToSchema;

#[derive(Debug)]
pub enum ApiError {
    /// No token, or not a live one.
    Unauthorized,
    /// A read-only token asked to write.
    ReadOnlyToken,
    /// Not found, or another company's: the same answer either way.
    NotFound,
    MethodNotAllowed,
    /// The request could not be read (broken JSON, a wrong type); the parser's words as detail.
    BadRequest(String),
    /// Query parameters out of range.
    BadParams(FieldErrors),
    /// The body was read but its values are refused.
    Invalid(FieldErrors),
    /// The request clashes with what is stored: a taken value is a 422 beside its field, a state that
    /// does not allow it a 409.
    Conflict(Clash),
    /// The person's record was erased (APPI): nothing about them can be changed.
    Erased,
    /// The record's state does not allow the request now (an offer already withdrawn): 409, with why.
    Refused(Invalid),
    PayloadTooLarge,
    UnsupportedMediaType,
    Internal(anyhow::Error),
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::NotFound,
            StoreError::Erased => Self::Erased,
            // A clash the handler did not expect is still the caller's conflict, never a 500.
            StoreError::Conflict(what) => Self::Conflict(what),
            other => Self::Internal(other.into()),
        }
    }
}

impl From<kaeru_app::Failure> for ApiError {
    fn from(f: kaeru_app::Failure) -> Self {
        match f {
            kaeru_app::Failure::Invalid(e) => Self::Invalid(e),
            kaeru_app::Failure::Refused(inv) => Self::Refused(inv),
            kaeru_app::Failure::Store(e) => e.into(),
        }
    }
}

impl ApiError {
    pub fn from_json_rejection(r: JsonRejection) -> Self {
        match r {
            JsonRejection::MissingJsonContentType(_) => Self::UnsupportedMediaType,
            JsonRejection::BytesRejection(b) if b.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Self::PayloadTooLarge
            }
            other => Self::BadRequest(other.body_text()),
        }
    }

    fn parts(&self) -> (StatusCode, &'static str, &'static str) {
        match self {
            Self::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "api.error.unauthorized",
            ),
            Self::ReadOnlyToken => (
                StatusCode::FORBIDDEN,
                "read_only_token",
                "api.error.read_only",
            ),
            Self::NotFound => (StatusCode::NOT_FOUND, "not_found", "api.error.not_found"),
            Self::MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "api.error.method_not_allowed",
            ),
            Self::BadRequest(_) => (
                StatusCode::BAD_REQUEST,
                "bad_request",
                "api.error.bad_request",
            ),
            Self::BadParams(_) => (
                StatusCode::BAD_REQUEST,
                "bad_parameters",
                "api.error.bad_parameters",
            ),
            Self::Invalid(_) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                "api.error.invalid",
            ),
            Self::Conflict(c) if c.is_taken_value() => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                "api.error.invalid",
            ),
            Self::Conflict(_) | Self::Erased | Self::Refused(_) => {
                (StatusCode::CONFLICT, "conflict", "api.error.conflict")
            }
            Self::PayloadTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "api.error.payload_too_large",
            ),
            Self::UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "api.error.unsupported_media_type",
            ),
            Self::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "api.error.internal",
            ),
        }
    }
}

/// What the finishing layer needs to write the body.
#[derive(Clone, Debug)]
struct Pending {
    code: &'static str,
    key: &'static str,
    detail: Option<String>,
    fields: Vec<(String, Invalid)>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, key) = self.parts();
        let (detail, fields) = match self {
            Self::BadRequest(d) => (Some(d), Vec::new()),
            Self::BadParams(e) | Self::Invalid(e) => (
                None,
                e.0.into_iter().map(|(f, i)| (f.to_string(), i)).collect(),
            ),
            Self::Conflict(c) => (
                None,
                vec![(c.field().to_string(), Invalid::new(c.message_key()))],
            ),
            Self::Refused(inv) => (None, vec![("status".to_string(), inv)]),
            Self::Erased => (
                None,
                vec![("person".to_string(), Invalid::new("error.person_erased"))],
            ),
            Self::Internal(e) => {
                tracing::error!(error = ?e, "API request failed");
                (None, Vec::new())
            }
            other => {
                tracing::debug!(error = ?other, "API request refused");
                (None, Vec::new())
            }
        };
        let mut res = status.into_response();
        if status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"kaeru\""),
            );
        }
        res.extensions_mut().insert(Pending {
            code,
            key,
            detail,
            fields,
        });
        res
    }
}

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable, for programs: `unauthorized`, `read_only_token`, `not_found`, `method_not_allowed`,
    /// `bad_request`, `bad_parameters`, `invalid`, `conflict`, `payload_too_large`,
    /// `unsupported_media_type` or `internal`.
    pub code: String,
    /// For people, in the language asked for.
    pub message: String,
    /// What the parser said, for a body or query that could not be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// One entry per refused field.
    pub fields: Vec<FieldProblem>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FieldProblem {
    /// The field's name as in the request.
    pub field: String,
    /// Stable, for programs, e.g. `error.required`.
    pub code: String,
    pub message: String,
}

/// Filled by the token check with the company's default language, for errors after it.
#[derive(Clone, Debug, Default)]
pub struct LanguageSlot(Arc<Mutex<Option<Language>>>);

impl LanguageSlot {
    pub fn set(&self, l: Language) {
        if let Ok(mut g) = self.0.lock() {
            *g = Some(l);
        }
    }

    fn get(&self) -> Option<Language> {
        self.0.lock().ok().and_then(|g| *g)
    }
}

/// The first of ja / en that `Accept-Language` names, if any.
pub(super) fn accept_language(headers: &axum::http::HeaderMap) -> Option<Language> {
    let header = headers.get(header::ACCEPT_LANGUAGE)?.to_str().ok()?;
    header.split(',').find_map(|part| {
        let tag = part.split(';').next()?.trim().to_ascii_lowercase();
        if tag.starts_with("ja") {
            Some(Language::Ja)
        } else if tag.starts_with("en") {
            Some(Language::En)
        } else {
            None
        }
    })
}

/// Writes the body of an error response in the caller's language.
pub async fn finish(mut req: Request, next: Next) -> Response {
    let asked = accept_language(req.headers());
    let slot = LanguageSlot::default();
    req.extensions_mut().insert(slot.clone());
    let mut res = next.run(req).await;
    let Some(p) = res.extensions_mut().remove::<Pending>() else {
        return res;
    };
    let lang = asked.or_else(|| slot.get()).unwrap_or_default();
    let t = Catalog::get(lang);
    let body = ApiErrorBody {
        error: ErrorDetail {
            code: p.code.into(),
            message: t.t(p.key).to_string(),
            detail: p.detail,
            fields: p
                .fields
                .iter()
                .map(|(field, inv)| FieldProblem {
                    field: field.clone(),
                    code: inv.key.into(),
                    message: message(inv, t),
                })
                .collect(),
        },
    };
    let json = serde_json::to_vec(&body).unwrap_or_default();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    res.headers_mut().remove(header::CONTENT_LENGTH);
    *res.body_mut() = axum::body::Body::from(json);
    res
}
