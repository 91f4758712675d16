//! `/api/v1/people`: list with filters, one person, create, change.

use super::{Body, Caller, Id, ListOf, Paging, Params, overlay};
use crate::AppState;
use crate::api::ApiError;
use crate::api::error::ApiErrorBody;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, NaiveDate, Utc};
use kaeru_domain::{FieldErrors, Invalid, Person, PersonId, PersonInput, PersonStatus};
use kaeru_store::Scope;
use kaeru_store::people::{self, PeopleFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

pub fn router() -> axum::Router<AppState> {
    Router::new()
        .route("/people", get(list).post(create))
        .route("/people/{id}", get(get_one).patch(update))
}

/// 在籍 / アルムナイ / 出戻り / 業務委託 / 未登録 (no stint recorded yet), derived from the stints.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = PersonStatus)]
pub enum Status {
    Employee,
    Alumnus,
    Returner,
    Contractor,
    Unregistered,
}

impl From<PersonStatus> for Status {
    fn from(s: PersonStatus) -> Self {
        match s {
            PersonStatus::Employee => Self::Employee,
            PersonStatus::Alumnus => Self::Alumnus,
            PersonStatus::Returner => Self::Returner,
            PersonStatus::Contractor => Self::Contractor,
            PersonStatus::Unregistered => Self::Unregistered,
        }
    }
}

impl From<Status> for PersonStatus {
    fn from(s: Status) -> Self {
        match s {
            Status::Employee => Self::Employee,
            Status::Alumnus => Self::Alumnus,
            Status::Returner => Self::Returner,
            Status::Contractor => Self::Contractor,
            Status::Unregistered => Self::Unregistered,
        }
    }
}

/// A person: one record for life, whatever their relation to the company now.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonOut {
    pub id: Uuid,
    /// 社員番号, unique in the company.
    pub employee_number: Option<String>,
    pub family_name: String,
    pub given_name: String,
    /// Reading in kana.
    pub family_kana: String,
    pub given_kana: String,
    pub romaji_name: Option<String>,
    pub emails: Vec<String>,
    pub phone: Option<String>,
    pub line_id: Option<String>,
    pub facebook_url: Option<String>,
    pub linkedin_url: Option<String>,
    pub prefecture: Option<String>,
    pub city: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub notes: Option<String>,
    pub status: Status,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Person> for PersonOut {
    fn from(p: Person) -> Self {
        Self {
            id: p.id.0,
            employee_number: p.employee_number,
            family_name: p.family_name,
            given_name: p.given_name,
            family_kana: p.family_kana,
            given_kana: p.given_kana,
            romaji_name: p.romaji_name,
            emails: p.emails,
            phone: p.phone,
            line_id: p.line_id,
            facebook_url: p.facebook_url,
            linkedin_url: p.linkedin_url,
            prefecture: p.prefecture,
            city: p.city,
            birth_date: p.birth_date,
            notes: p.notes,
            status: p.status.into(),
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

/// The fields of a person as sent. On create, a missing field is empty; on change, a missing (or null) field
/// keeps its value and an empty string clears it. The same rules as the person form apply (kana readings,
/// at most 5 addresses, a prefecture from the 47, a date as YYYY-MM-DD not in the future, …).
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct PersonWrite {
    pub employee_number: Option<String>,
    /// Required on create.
    pub family_name: Option<String>,
    /// Required on create.
    pub given_name: Option<String>,
    /// Required on create; hiragana or katakana.
    pub family_kana: Option<String>,
    /// Required on create; hiragana or katakana.
    pub given_kana: Option<String>,
    pub romaji_name: Option<String>,
    /// Up to 5 addresses; each must not belong to another person of the company.
    pub emails: Option<Vec<String>>,
    pub phone: Option<String>,
    pub line_id: Option<String>,
    pub facebook_url: Option<String>,
    pub linkedin_url: Option<String>,
    /// One of the 47 prefectures, e.g. 静岡県.
    pub prefecture: Option<String>,
    pub city: Option<String>,
    /// YYYY-MM-DD.
    pub birth_date: Option<String>,
    pub notes: Option<String>,
}

impl PersonWrite {
    fn apply(self, input: &mut PersonInput) -> Result<(), FieldErrors> {
        overlay(&mut input.employee_number, self.employee_number);
        overlay(&mut input.family_name, self.family_name);
        overlay(&mut input.given_name, self.given_name);
        overlay(&mut input.family_kana, self.family_kana);
        overlay(&mut input.given_kana, self.given_kana);
        overlay(&mut input.romaji_name, self.romaji_name);
        if let Some(list) = self.emails {
            if list.iter().any(|e| e.contains(['\n', '\r'])) {
                let mut e = FieldErrors::new();
                e.add("emails", Invalid::new("error.email").with("email", ""));
                return Err(e);
            }
            input.emails = list.join("\n");
        }
        overlay(&mut input.phone, self.phone);
        overlay(&mut input.line_id, self.line_id);
        overlay(&mut input.facebook_url, self.facebook_url);
        overlay(&mut input.linkedin_url, self.linkedin_url);
        overlay(&mut input.prefecture, self.prefecture);
        overlay(&mut input.city, self.city);
        overlay(&mut input.birth_date, self.birth_date);
        overlay(&mut input.notes, self.notes);
        Ok(())
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeopleQuery {
    /// Search as on the search page: names in kanji, kana in any script or width, romaji, e-mail, departments,
    /// notes, skills (at most 100 characters). Ordered by relevance; combines with `status`, not with the other
    /// filters.
    pub q: Option<String>,
    /// Only people with this status.
    #[param(inline)]
    pub status: Option<Status>,
    /// Only people with a stint in this department.
    pub department: Option<String>,
    /// Only people who left in this year.
    #[param(minimum = 1900, maximum = 2200)]
    pub left_in: Option<i32>,
    /// The person with this 社員番号 (full-width digits accepted), if any.
    pub employee_number: Option<String>,
}

/// A person of the company who is not erased, or not found.
pub(super) async fn live(
    state: &AppState,
    scope: &Scope,
    id: PersonId,
) -> Result<Person, ApiError> {
    let p = people::get(&state.db, scope, id).await?;
    if people::portal_facts(&state.db, scope, id)
        .await?
        .erased_at
        .is_some()
    {
        return Err(ApiError::NotFound);
    }
    Ok(p)
}

/// People of the company, in 五十音順 of their reading.
#[utoipa::path(get, operation_id = "list_people", path = "/api/v1/people", tag = "people",
    params(PeopleQuery, Paging),
    responses(
        (status = 200, description = "A page of people", body = ListOf<PersonOut>),
        (status = 400, description = "A parameter is out of range", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Params(q): Params<PeopleQuery>,
    Params(paging): Params<Paging>,
) -> Result<Json<ListOf<PersonOut>>, ApiError> {
    let (page, per_page) = paging.checked()?;
    if let Some(year) = q.left_in
        && !(1900..=2200).contains(&year)
    {
        let mut e = FieldErrors::new();
        e.add("left_in", Invalid::new("api.error.year"));
        return Err(ApiError::BadParams(e));
    }
    if let Some(text) = q.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let mut e = FieldErrors::new();
        if text.chars().count() > 100 {
            e.add("q", Invalid::new("search.too_long").with("max", 100));
        }
        if q.department.is_some() || q.left_in.is_some() || q.employee_number.is_some() {
            e.add("q", Invalid::new("api.error.q_alone"));
        }
        if !e.is_empty() {
            return Err(ApiError::BadParams(e));
        }
        let cached = state.search.index_for(&state.db, &caller.scope).await?;
        let mut hits = cached.read().search_all(text);
        if let Some(status) = q.status {
            let with = people::ids_with_status(&state.db, &caller.scope, status.into()).await?;
            hits.retain(|h| with.contains(&PersonId(h.id)));
        }
        let total = hits.len() as u64;
        let ids: Vec<PersonId> = hits
            .iter()
            .skip(((page - 1) * per_page) as usize)
            .take(per_page as usize)
            .map(|h| PersonId(h.id))
            .collect();
        let items = people::get_many_with_emails(&state.db, &caller.scope, &ids)
            .await?
            .into_iter()
            .map(|i| PersonOut::from(i.person))
            .collect();
        return Ok(Json(ListOf::new(items, total, page, per_page)));
    }
    if let Some(raw) = &q.employee_number {
        // A number that cannot be anyone's (wrong characters) simply finds nobody.
        let found = match kaeru_domain::person::employee_number(raw) {
            Ok(Some(n)) => {
                people::employee_number_owner(&state.db, &caller.scope, &n, None).await?
            }
            _ => None,
        };
        let mut items = Vec::new();
        if let Some((id, _)) = found {
            match live(&state, &caller.scope, id).await {
                Ok(p) => items.push(PersonOut::from(p)),
                Err(ApiError::NotFound) => {}
                Err(e) => return Err(e),
            }
        }
        let total = items.len() as u64;
        let items = if page == 1 { items } else { Vec::new() };
        return Ok(Json(ListOf::new(items, total, page, per_page)));
    }
    let filter = PeopleFilter {
        status: q.status.map(Into::into),
        department: q.department.filter(|d| !d.trim().is_empty()),
        left_in_year: q.left_in,
    };
    // The page's people and the count from what the web list keeps for the company's revision, then the
    // whole of each person on the page: a page costs the same at 100 or 100,000 people.
    let found = kaeru_app::people::list(
        &state.db,
        &state.search.lists,
        &caller.scope,
        None,
        &filter,
        page,
        per_page,
        None,
    )
    .await?;
    let ids: Vec<PersonId> = found.page.items.iter().map(|l| l.id).collect();
    let items = people::get_many_with_emails(&state.db, &caller.scope, &ids)
        .await?
        .into_iter()
        .map(|i| PersonOut::from(i.person))
        .collect();
    Ok(Json(ListOf::new(items, found.page.total, page, per_page)))
}

/// One person.
#[utoipa::path(get, operation_id = "get_person", path = "/api/v1/people/{id}", tag = "people",
    params(("id" = Uuid, Path, description = "The person's id")),
    responses(
        (status = 200, description = "The person", body = PersonOut),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 404, description = "No such person in the company", body = ApiErrorBody),
    ))]
pub async fn get_one(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id<PersonId>,
) -> Result<Json<PersonOut>, ApiError> {
    Ok(Json(live(&state, &caller.scope, id).await?.into()))
}

async fn save(
    state: &AppState,
    caller: &Caller,
    existing: Option<PersonId>,
    input: PersonInput,
) -> Result<Person, ApiError> {
    Ok(kaeru_app::people::save(
        &state.db,
        &caller.scope,
        &caller.actor(),
        caller.today(),
        &input,
        existing,
    )
    .await?)
}

/// Adds a person (an alumnus until a stint says otherwise).
#[utoipa::path(post, operation_id = "create_person", path = "/api/v1/people", tag = "people",
    request_body = PersonWrite,
    responses(
        (status = 201, description = "Created", body = PersonOut,
            links(("GetPerson" = (operation_id = "get_person", parameters(("id" = "$response.body#/id")))), ("UpdatePerson" = (operation_id = "update_person", parameters(("id" = "$response.body#/id")))), ("AddStint" = (operation_id = "create_stint", parameters(("id" = "$response.body#/id")))), ("AddOffer" = (operation_id = "create_offer", parameters(("id" = "$response.body#/id")))), ("Stints" = (operation_id = "list_stints_of_person", parameters(("id" = "$response.body#/id")))))),
        (status = 400, description = "The body is not JSON of this shape", body = ApiErrorBody),
        (status = 413, description = "The body is too large", body = ApiErrorBody),
        (status = 415, description = "The body is not sent as application/json", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 403, description = "The token is read-only", body = ApiErrorBody),
        (status = 422, description = "Values refused; nothing written", body = ApiErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Body(body): Body<PersonWrite>,
) -> Result<Response, ApiError> {
    caller.require_write()?;
    let mut input = PersonInput::default();
    body.apply(&mut input).map_err(ApiError::Invalid)?;
    let p = save(&state, &caller, None, input).await?;
    let location = format!("/api/v1/people/{}", p.id);
    Ok(super::created(location, PersonOut::from(p)))
}

/// Changes a person: only the fields sent.
#[utoipa::path(patch, operation_id = "update_person", path = "/api/v1/people/{id}", tag = "people",
    params(("id" = Uuid, Path, description = "The person's id")),
    request_body = PersonWrite,
    responses(
        (status = 200, description = "Changed", body = PersonOut),
        (status = 400, description = "The body is not JSON of this shape", body = ApiErrorBody),
        (status = 413, description = "The body is too large", body = ApiErrorBody),
        (status = 415, description = "The body is not sent as application/json", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 403, description = "The token is read-only", body = ApiErrorBody),
        (status = 404, description = "No such person in the company", body = ApiErrorBody),
        (status = 422, description = "Values refused; nothing written", body = ApiErrorBody),
    ))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id<PersonId>,
    Body(body): Body<PersonWrite>,
) -> Result<Json<PersonOut>, ApiError> {
    caller.require_write()?;
    let current = live(&state, &caller.scope, id).await?;
    let mut input = PersonInput::from_person(&current);
    body.apply(&mut input).map_err(ApiError::Invalid)?;
    Ok(Json(save(&state, &caller, Some(id), input).await?.into()))
}
