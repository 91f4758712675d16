//! The start page: first-run setup on an empty install, sign-in for visitors, and for staff the to-do list
//! (offers about to expire, overdue check-ins, offers not yet confirmed by the person).

use super::render;
use crate::AppState;
use crate::auth::{SESSION_COOKIE, Signed, Visitor};
use crate::error::AppResult;
use crate::shell::{Section, Shell};
use askama::Template;
use axum::Router;
use axum::extract::{FromRequestParts, Request, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use kaeru_domain::PersonStatus;
use kaeru_store::people::{self, PeopleFilter};

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(home))
}

pub struct Todo {
    href: String,
    text: String,
    date: String,
    kind: &'static str,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    s: Shell,
    todos: Vec<Todo>,
    counts: Vec<(String, u64, String)>,
}

async fn home(State(state): State<AppState>, req: Request) -> AppResult<Response> {
    let (mut parts, _) = req.into_parts();
    let v = Visitor::from_request_parts(&mut parts, &state).await?;
    if kaeru_store::companies::none_exist(&state.db).await? {
        return Ok(Redirect::to("/setup").into_response());
    }
    if v.jar.get(SESSION_COOKIE).is_none() {
        return Ok(Redirect::to("/login").into_response());
    }
    let signed = Signed::from_request_parts(&mut parts, &state).await?;
    let s = Shell::signed(&signed, Section::Home, "/");
    let today = signed.today();
    let todos = kaeru_app::todo::list(&state.db, signed.scope(), signed.info.user.role, today)
        .await?
        .into_iter()
        .map(|item| {
            let args: Vec<(&str, String)> = item.args.into_iter().collect();
            Todo {
                href: item.href,
                text: s.t.format(item.key, &args),
                date: item.date.map(|d| s.date(&d)).unwrap_or_default(),
                kind: item.kind,
            }
        })
        .collect();
    let mut counts = Vec::new();
    for status in PersonStatus::ALL {
        let f = PeopleFilter {
            status: Some(status),
            ..Default::default()
        };
        let n = people::list(&state.db, signed.scope(), &f, 1, 1)
            .await?
            .total;
        // 未登録 only shows when someone is waiting for their stint.
        if status == PersonStatus::Unregistered && n == 0 {
            continue;
        }
        counts.push((
            // Beside a count: "314 Alumni", not "314 Alumnus".
            super::label(s.t, "status_many", status.code()),
            n,
            format!("/people?status={}", status.code()),
        ));
    }
    Ok(render(&HomePage { s, todos, counts })?.into_response())
}
