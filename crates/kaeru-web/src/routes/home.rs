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
use kaeru_domain::{Permission, PersonStatus};

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(home))
}

pub struct Todo {
    href: String,
    text: String,
    date: String,
    kind: &'static str,
}

/// To-dos of one kind: the first few shown, the next one tap away, any beyond those on their own page.
pub struct TodoGroup {
    id: &'static str,
    title: String,
    shown: Vec<Todo>,
    more: Vec<Todo>,
    /// How many the group has in all, and the page that lists them, when the page holds only some.
    all: Option<(usize, &'static str)>,
}

/// Shown per group before 「ほかN件」.
const SHOWN_PER_GROUP: usize = 5;

/// At most this many per group on the page: at 100,000 people 11,000 standing offers made a home page of
/// 2.6 MB. The rest are on the group's own page.
const MOST_PER_GROUP: usize = 50;

/// The groups of the home page, in the order they are shown (legal deadlines first), with the page that
/// lists all of a group.
const GROUPS: [(&str, &[&str], &str); 6] = [
    ("privacy", &["overdue", "deletion"], "/privacy"),
    ("offers", &["expiring", "unacknowledged"], "/offers"),
    ("missions", &["check_in"], "/offers"),
    ("reconnect", &["reconnect"], "/reconnect"),
    ("registrations", &["registration"], "/registrations"),
    ("side_jobs", &["side_job", "renewal"], "/side-jobs"),
];

/// This month's headline figure, linking to where it comes from.
pub struct Headline {
    label: String,
    value: String,
    href: &'static str,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    s: Shell,
    groups: Vec<TodoGroup>,
    total: usize,
    counts: Vec<(String, u64, String)>,
    headline: Vec<Headline>,
    month: String,
    no_history: bool,
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
    let todos = kaeru_app::todo::list(
        &state.db,
        &state.search,
        signed.scope(),
        Some(signed.info.revision),
        signed.info.user.role,
        today,
        MOST_PER_GROUP,
    )
    .await?;
    let total = todos.total();
    let mut groups: Vec<TodoGroup> = GROUPS
        .iter()
        .map(|(id, _, _)| TodoGroup {
            id,
            title: String::new(),
            shown: Vec::new(),
            more: Vec::new(),
            all: None,
        })
        .collect();
    let group_of = |kind: &str| {
        GROUPS
            .iter()
            .position(|(_, kinds, _)| kinds.contains(&kind))
            .unwrap_or(GROUPS.len() - 1)
    };
    let mut in_group = [0usize; GROUPS.len()];
    for (kind, n) in &todos.counts {
        in_group[group_of(kind)] += n;
    }
    for item in todos.items {
        let g = &mut groups[group_of(item.kind)];
        if g.shown.len() + g.more.len() >= MOST_PER_GROUP {
            continue;
        }
        let args: Vec<(&str, String)> = item.args.into_iter().collect();
        let todo = Todo {
            href: item.href,
            text: s.t.format(item.key, &args),
            date: item.date.map(|d| s.date(&d)).unwrap_or_default(),
            kind: item.kind,
        };
        if g.shown.len() < SHOWN_PER_GROUP {
            g.shown.push(todo);
        } else {
            g.more.push(todo);
        }
    }
    for (i, g) in groups.iter_mut().enumerate() {
        if in_group[i] > g.shown.len() + g.more.len() {
            g.all = Some((in_group[i], GROUPS[i].2));
        }
        g.title = s.t.format(
            &format!("home.group.{}", g.id),
            &[("n", in_group[i].to_string())],
        );
    }
    groups.retain(|g| !g.shown.is_empty());
    let mut headline = Vec::new();
    let mut no_history = false;
    let mut month = String::new();
    if signed.can(Permission::SeeAnalytics) {
        // At 100,000 people reading the facts again takes a while after each write: the home page shows the
        // figures as last computed today (at most a few writes behind) and has them refreshed behind it.
        let company = signed.scope().company_id();
        let revision = signed.info.revision;
        let f = match state.search.analytics.latest(company, today) {
            Some((seen, f)) if seen == revision => f,
            Some((_, f)) => {
                let (state, signed) = (state.clone(), signed.clone());
                kaeru_app::behind::spawn(async move {
                    if let Err(e) = super::analytics::load_headline(&state, &signed).await {
                        tracing::warn!(error = ?e, "refreshing the analytics behind the home page");
                    }
                });
                f
            }
            None => super::analytics::load_headline(&state, &signed).await?,
        };
        let h = &f.headline;
        no_history = !h.has_history;
        month = s.tf("home.month", "month", h.month.format("%Y/%m"));
        headline = vec![
            Headline {
                label: s.t("home.headline.returners").into(),
                value: s.tf("home.people_n", "n", h.returners),
                href: "/analytics/returns",
            },
            Headline {
                label: s.t("home.headline.contacts").into(),
                value: s.tf("home.contacts_n", "n", h.contacts),
                href: "/reconnect",
            },
            Headline {
                label: s.t("home.headline.business").into(),
                value: s.yen(h.business_yen),
                href: "/network",
            },
            Headline {
                label: s.t("home.headline.offers").into(),
                value: s.tf("home.offers_n", "n", h.offers_standing),
                href: "/offers",
            },
        ];
    }
    let mut counts = Vec::new();
    for (status, n) in kaeru_app::people::status_counts(
        &state.db,
        &state.search.lists,
        signed.scope(),
        Some(signed.info.revision),
    )
    .await?
    {
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
    Ok(render(&HomePage {
        s,
        groups,
        total,
        counts,
        headline,
        month,
        no_history,
    })?
    .into_response())
}
