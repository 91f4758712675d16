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
use kaeru_store::offers::{self, Reminder};
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
    let reminders = offers::reminders(&state.db, signed.scope(), today).await?;
    let mut todos: Vec<Todo> = reminders
        .into_iter()
        .map(|r| match r {
            Reminder::ExpiringSoon {
                offer,
                number,
                person_name,
                valid_until,
                ..
            } => Todo {
                href: format!("/offers/{offer}"),
                text: s.t.format(
                    "home.todo_expiring",
                    &[
                        ("name", person_name),
                        ("number", number),
                        ("days", (valid_until - today).num_days().to_string()),
                    ],
                ),
                date: s.date(&valid_until),
                kind: "expiring",
            },
            Reminder::CheckInOverdue {
                offer,
                person_name,
                skill,
                due,
                ..
            } => Todo {
                href: format!("/offers/{offer}"),
                text: s.t.format(
                    "home.todo_check_in",
                    &[("name", person_name), ("skill", skill)],
                ),
                date: s.date(&due),
                kind: "check_in",
            },
            Reminder::NotAcknowledged {
                offer,
                number,
                person_name,
                issued_on,
                ..
            } => Todo {
                href: format!("/offers/{offer}"),
                text: s.t.format(
                    "home.todo_unacknowledged",
                    &[("name", person_name), ("number", number)],
                ),
                date: s.date(&issued_on),
                kind: "unacknowledged",
            },
        })
        .collect();
    // The personal-data duties come first: they have legal deadlines.
    if signed.can(kaeru_domain::Permission::ManagePersonalData) {
        let open = kaeru_store::privacy::requests(&state.db, signed.scope())
            .await?
            .into_iter()
            .filter(|r| r.completed_at.is_none());
        let mut first = Vec::new();
        for r in open {
            first.push(Todo {
                href: "/privacy".into(),
                text: s
                    .t
                    .format("home.todo_deletion", &[("name", r.person_name.clone())]),
                date: s.date(&r.due_on),
                kind: if r.due_on < today {
                    "overdue"
                } else {
                    "deletion"
                },
            });
        }
        todos.splice(0..0, first);
    }
    let cold = kaeru_store::touchpoints::reconnect_list(&state.db, signed.scope(), today)
        .await?
        .len();
    if cold > 0 {
        todos.push(Todo {
            href: "/reconnect".into(),
            text: s.tf("home.todo_reconnect", "n", cold),
            date: String::new(),
            kind: "reconnect",
        });
    }
    if signed.can(kaeru_domain::Permission::EditPeople) {
        let waiting = kaeru_store::registrations::count(&state.db, signed.scope()).await?;
        if waiting > 0 {
            todos.push(Todo {
                href: "/registrations".into(),
                text: s.tf("home.todo_registrations", "n", waiting),
                date: String::new(),
                kind: "registration",
            });
        }
    }
    if signed.can(kaeru_domain::Permission::DecideSideJob) {
        let waiting = kaeru_store::side_jobs::pending_count(&state.db, signed.scope()).await?;
        if waiting > 0 {
            todos.push(Todo {
                href: "/side-jobs".into(),
                text: s.tf("home.todo_side_jobs", "n", waiting),
                date: String::new(),
                kind: "side_job",
            });
        }
    }
    if signed.can(kaeru_domain::Permission::ApplySideJob) {
        let all = kaeru_store::side_jobs::all(&state.db, signed.scope()).await?;
        for (j, name) in kaeru_store::side_jobs::renewal_due(&all, today) {
            todos.push(Todo {
                href: format!("/people/{}/side-jobs/new?renews={}", j.person_id, j.id),
                text: s.t.format(
                    "home.todo_side_job_renewal",
                    &[("name", name), ("employer", j.employer.clone())],
                ),
                date: s.date(&j.end_date),
                kind: "renewal",
            });
        }
    }
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
