//! The global search: names in kanji, kana (any script or width) and romaji, e-mail, departments, notes.
//! Answers as you type on the search page (htmx), and works as a plain form without JavaScript.

use super::{label, render};
use crate::AppState;
use crate::auth::Signed;
use crate::error::AppResult;
use crate::shell::{Section, Shell};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use kaeru_domain::{Permission, PersonId};
use kaeru_store::people;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new().route("/search", get(search))
}

const MAX_QUERY_CHARS: usize = 100;
const MAX_RESULTS: usize = 50;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SearchQuery {
    q: String,
}

pub struct Row {
    id: PersonId,
    name: String,
    kana: String,
    status_code: &'static str,
    status_label: String,
    fact: String,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    s: Shell,
    q: String,
    problem: Option<String>,
    rows: Vec<Row>,
    searched: bool,
}

async fn search(
    State(state): State<AppState>,
    signed: Signed,
    Query(params): Query<SearchQuery>,
) -> AppResult<Response> {
    signed.require(Permission::ViewPeople)?;
    let s = Shell::signed(&signed, Section::People, "/search");
    let q = params.q.trim().to_string();
    let mut page = SearchPage {
        q: q.clone(),
        problem: None,
        rows: Vec::new(),
        searched: false,
        s,
    };
    if q.chars().count() > MAX_QUERY_CHARS {
        page.problem = Some(page.s.tf("search.too_long", "max", MAX_QUERY_CHARS));
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
    }
    if !q.is_empty() {
        let cached = state.search.index_for(&state.db, signed.scope()).await?;
        let hits = cached.read().search(&q, MAX_RESULTS);
        let ids: Vec<PersonId> = hits.iter().map(|h| PersonId(h.id)).collect();
        let items = people::get_many(&state.db, signed.scope(), &ids).await?;
        page.searched = true;
        page.rows = items
            .into_iter()
            .map(|i| Row {
                id: i.person.id,
                name: i.person.full_name(),
                kana: i.person.full_kana(),
                status_code: i.person.status.code(),
                status_label: label(page.s.t, "status", i.person.status.code()),
                fact: [i.latest_department, i.latest_job_title]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" "),
            })
            .collect();
    }
    Ok(render(&page)?.into_response())
}
