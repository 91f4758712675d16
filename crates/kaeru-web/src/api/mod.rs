//! The JSON API under `/api/v1`: people, stints, return offers, skills, openings and their matches, for the
//! tools a company already has. Callers present an API token of the company (`Authorization: Bearer …`);
//! a `read` token may only GET, a `write` token may also create and change. Every handler goes through the
//! same repository layer as the pages, scoped to the token's company.
//!
//! Every error has one shape, `{"error": {"code", "message", "fields": [...]}}`, with the message in the
//! language of `Accept-Language` (else the company's default). The OpenAPI 3.1 description at
//! `/api/openapi.json` is generated from these handlers and types.

mod analytics;
mod announcements;
mod contracts;
mod contributions;
mod error;
mod events;
mod job_board;
mod offers;
mod openings;
mod people;
mod side_jobs;
mod skills;
mod stints;
mod touchpoints;
mod ventures;

pub use error::{ApiError, ApiErrorBody};

use crate::AppState;
use axum::Router;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use kaeru_domain::{Company, Language};
use kaeru_store::api_tokens::{self, ApiToken};
use kaeru_store::{Actor, Scope};
use serde::{Deserialize, Serialize};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoParams, Modify, OpenApi, ToSchema};

pub fn router() -> Router<AppState> {
    let v1 = Router::new()
        .merge(analytics::router())
        .merge(people::router())
        .merge(stints::router())
        .merge(offers::router())
        .merge(skills::router())
        .merge(openings::router())
        .merge(touchpoints::router())
        .merge(contributions::router())
        .merge(contracts::router())
        .merge(ventures::router())
        .merge(side_jobs::router())
        .merge(announcements::router())
        .merge(events::router())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed);
    Router::new()
        .route("/api/openapi.json", get(openapi_json))
        .nest("/api/v1", v1)
        .layer(axum::middleware::from_fn(error::finish))
}

async fn not_found() -> ApiError {
    ApiError::NotFound
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Kaeru API",
        description = "People (current and former employees) and their search, employment stints, return offers \
                       and their lifecycle, the skill catalogue, openings and the alumni who match them, contacts, \
                       referrals and business, 業務委託 contracts, ventures and side jobs, segments and announcements, events and their replies, and the analytics figures. Authenticate with an API token made in \
                       設定 → APIトークン (or `kaeru token create`): `Authorization: Bearer kaeru_…`. A `read` token \
                       may only read; a `write` token may also create and change. Lists are paginated with `page` \
                       and `per_page`. Errors always have the shape of `ApiErrorBody`, with the message in the \
                       language of `Accept-Language` (ja or en)."
    ),
    paths(
        people::list, people::get_one, people::create, people::update,
        stints::for_person, stints::create, stints::get_one, stints::update, stints::delete,
        offers::list, offers::get_one, offers::for_person, offers::create,
        offers::issue, offers::withdraw, offers::exercise,
        touchpoints::for_person, touchpoints::create, touchpoints::remove,
        contributions::for_person, contributions::create, contributions::remove,
        contracts::list, contracts::get_one, contracts::for_person, contracts::create, contracts::update,
        contracts::end,
        ventures::list, ventures::get_one, ventures::create, ventures::update, ventures::add_support,
        ventures::add_deal, ventures::remove_entry,
        side_jobs::list, side_jobs::get_one, side_jobs::for_person, side_jobs::apply, side_jobs::decide,
        skills::list, skills::get_one, skills::create, skills::for_person,
        openings::list, openings::get_one, openings::create, openings::update, openings::matches,
        job_board::responses, job_board::respond, job_board::start_comeback, job_board::figures,
        job_board::invites, job_board::invite, job_board::uninvite,
        announcements::list_segments, announcements::create_segment, announcements::count,
        announcements::list, announcements::get_one, announcements::create, announcements::send,
        announcements::cancel,
        events::list, events::get_one, events::create, events::update, events::set_status,
        events::rsvps, events::reply, events::check_in,
        analytics::headline, analytics::turnover, analytics::returns, analytics::retention,
        analytics::offers, analytics::network, analytics::savings,
    ),
    modifiers(&BearerToken),
    security(("token" = [])),
    tags(
        (name = "people", description = "人材: employees, alumni, returners and contractors"),
        (name = "stints", description = "在籍期間: one continuous employment each"),
        (name = "offers", description = "リターンオファー: written return offers"),
        (name = "skills", description = "スキル: the company's catalogue and what people hold"),
        (name = "openings", description = "募集: openings and the alumni who match them"),
        (name = "touchpoints", description = "接点: contacts with a person, from which warmth is derived"),
        (name = "contributions", description = "紹介・取引: referrals and business a former employee brought"),
        (name = "contracts", description = "業務委託: contracts with former employees, days of the week and rate"),
        (name = "ventures", description = "起業: businesses former employees started, support given, business done"),
        (name = "side_jobs", description = "副業: applications by employees, checked against clients and competitors"),
        (name = "announcements", description = "お知らせ: segments counted per purpose of use, announcements sent by e-mail and LINE"),
        (name = "events", description = "イベント: gatherings, replies with a waitlist, check-in by code"),
        (name = "analytics", description = "分析: turnover, returns, retention, offers, the network and the hiring cost saved"),
    )
)]
pub struct ApiDoc;

struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("kaeru_ followed by 64 hex digits")
                    .build(),
            ),
        );
    }
}

/// The OpenAPI document, made once.
pub fn openapi_document() -> &'static str {
    static DOC: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DOC.get_or_init(|| ApiDoc::openapi().to_pretty_json().unwrap_or_default())
}

async fn openapi_json() -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        openapi_document(),
    )
        .into_response()
}

/// The company behind the API token of a request.
#[derive(Clone, Debug)]
pub struct Caller {
    pub scope: Scope,
    pub company: Company,
    pub token: ApiToken,
    /// For words in answers (match reasons): `Accept-Language`, else the company's default.
    pub lang: Language,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let secret = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                let (scheme, rest) = v.trim().split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
            })
            .ok_or(ApiError::Unauthorized)?;
        let resolved = api_tokens::resolve(&state.db, secret)
            .await
            .map_err(ApiError::from)?
            .ok_or(ApiError::Unauthorized)?;
        if let Some(slot) = parts.extensions.get::<error::LanguageSlot>() {
            slot.set(resolved.company.default_language);
        }
        let lang =
            error::accept_language(&parts.headers).unwrap_or(resolved.company.default_language);
        Ok(Self {
            lang,
            scope: resolved.scope,
            company: resolved.company,
            token: resolved.token,
        })
    }
}

impl Caller {
    /// Refuses a read-only token.
    pub fn require_write(&self) -> Result<(), ApiError> {
        if self.token.scope.allows_writes() {
            Ok(())
        } else {
            Err(ApiError::ReadOnlyToken)
        }
    }

    /// Who the audit log says made a change: the token, by name.
    pub fn actor(&self) -> Actor {
        Actor {
            id: None,
            name: format!("API: {}", self.token.name)
                .chars()
                .take(100)
                .collect(),
        }
    }

    pub fn today(&self) -> chrono::NaiveDate {
        let tz: chrono_tz::Tz = self
            .company
            .time_zone
            .parse()
            .unwrap_or(chrono_tz::Asia::Tokyo);
        chrono::Utc::now().with_timezone(&tz).date_naive()
    }
}

/// A JSON body; anything that is not (wrong type, broken JSON, too large) is a 4xx in the API's shape.
pub struct Body<T>(pub T);

impl<T, S> FromRequest<S> for Body<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        // Every body is an object: serde would also read a struct from an array (`[null, null]`).
        let value = match axum::Json::<serde_json::Value>::from_request(req, state).await {
            Ok(axum::Json(v)) => v,
            Err(r) => return Err(ApiError::from_json_rejection(r)),
        };
        if !value.is_object() {
            return Err(ApiError::BadRequest(
                "the body must be a JSON object".into(),
            ));
        }
        serde_json::from_value(value)
            .map(Self)
            .map_err(|e| ApiError::BadRequest(e.to_string()))
    }
}

/// Query parameters; ones of the wrong type are a 400 in the API's shape.
pub struct Params<T>(pub T);

impl<T, S> FromRequestParts<S> for Params<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(Self(v)),
            Err(r) => Err(ApiError::BadRequest(r.body_text())),
        }
    }
}

/// An id from the path: anything that is not one of ours is simply not found.
pub struct Id<T>(pub T);

impl<T, S> FromRequestParts<S> for Id<T>
where
    T: std::str::FromStr + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        crate::path::one(parts, state)
            .await
            .map(Self)
            .ok_or(ApiError::NotFound)
    }
}

/// Two ids from the path (`/people/{id}/touchpoints/{tid}`).
pub struct Ids<A, B>(pub A, pub B);

impl<A, B, S> FromRequestParts<S> for Ids<A, B>
where
    A: std::str::FromStr + Send,
    B: std::str::FromStr + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        crate::path::two(parts, state)
            .await
            .map(|(a, b)| Self(a, b))
            .ok_or(ApiError::NotFound)
    }
}

/// `page` and `per_page` of every list.
#[derive(Clone, Copy, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 1_000_000, default = 1)]
    pub page: Option<u64>,
    /// Items per page, 1–200.
    #[param(minimum = 1, maximum = 200, default = 50)]
    pub per_page: Option<u64>,
}

impl Paging {
    pub const MAX: u64 = 200;

    /// The page and page size, or a 400 naming the parameter that is out of range.
    pub fn checked(self) -> Result<(u64, u64), ApiError> {
        let page = self.page.unwrap_or(1);
        let per_page = self.per_page.unwrap_or(50);
        let mut e = kaeru_domain::FieldErrors::new();
        if !(1..=1_000_000).contains(&page) {
            e.add("page", kaeru_domain::Invalid::new("api.error.page"));
        }
        if !(1..=Self::MAX).contains(&per_page) {
            e.add(
                "per_page",
                kaeru_domain::Invalid::new("api.error.per_page").with("max", Self::MAX),
            );
        }
        if e.is_empty() {
            Ok((page, per_page))
        } else {
            Err(ApiError::BadParams(e))
        }
    }

    /// One page of an in-memory list.
    pub fn slice<T>(self, all: Vec<T>) -> Result<ListOf<T>, ApiError> {
        let (page, per_page) = self.checked()?;
        let total = all.len() as u64;
        let items = all
            .into_iter()
            .skip(((page - 1) * per_page) as usize)
            .take(per_page as usize)
            .collect();
        Ok(ListOf::new(items, total, page, per_page))
    }
}

/// A page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListOf<T> {
    pub items: Vec<T>,
    /// Items across all pages.
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
    /// How many pages there are (at least 1).
    pub pages: u64,
}

impl<T> ListOf<T> {
    pub fn new(items: Vec<T>, total: u64, page: u64, per_page: u64) -> Self {
        Self {
            items,
            total,
            page,
            per_page,
            pages: total.div_ceil(per_page.max(1)).max(1),
        }
    }
}

/// Text a client sent where we keep text: `None` stays absent (keep), anything else is used as typed.
pub(crate) fn overlay(target: &mut String, value: Option<String>) {
    if let Some(v) = value {
        *target = v;
    }
}

/// An optional whole number that also accepts a JSON number written with a fraction of zero (`5.0`), as
/// JSON Schema counts it an integer; anything else that is not a whole number in range is refused.
pub(crate) fn whole_number<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: TryFrom<i64>,
{
    let v: Option<serde_json::Number> = Option::deserialize(d)?;
    let Some(n) = v else { return Ok(None) };
    let whole = n.as_i64().or_else(|| {
        n.as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
            .map(|f| f as i64)
    });
    whole
        .and_then(|w| T::try_from(w).ok())
        .map(Some)
        .ok_or_else(|| serde::de::Error::custom(format!("{n} is not a whole number in range")))
}

/// 201 Created with the new resource's address and its JSON.
pub(crate) fn created(location: String, body: impl Serialize) -> Response {
    (
        axum::http::StatusCode::CREATED,
        [(axum::http::header::LOCATION, location)],
        axum::Json(body),
    )
        .into_response()
}
