//! What a staff member should act on: offers about to expire, overdue check-ins, offers not confirmed,
//! deletion requests (first: they have legal deadlines), people to reconnect with, registrations and side
//! jobs waiting. One list, without language, for the home page and the weekly digest e-mail.

use kaeru_domain::{Permission, Role};
use kaeru_store::offers::{self, Reminder};
use kaeru_store::{Db, Scope, StoreResult};

/// One thing to do: a link, a message key with its arguments, a date when it has one, and a kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Todo {
    pub href: String,
    pub key: &'static str,
    pub args: Vec<(&'static str, String)>,
    pub date: Option<chrono::NaiveDate>,
    pub kind: &'static str,
}

/// The list for someone with `role`, on `today`.
pub async fn list(
    db: &Db,
    cache: &crate::search::SearchCache,
    scope: &Scope,
    role: Role,
    today: chrono::NaiveDate,
) -> StoreResult<Vec<Todo>> {
    let mut todos: Vec<Todo> = offers::reminders(db, scope, today)
        .await?
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
                key: "home.todo_expiring",
                args: vec![
                    ("name", person_name),
                    ("number", number),
                    ("days", (valid_until - today).num_days().to_string()),
                ],
                date: Some(valid_until),
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
                key: "home.todo_check_in",
                args: vec![("name", person_name), ("skill", skill)],
                date: Some(due),
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
                key: "home.todo_unacknowledged",
                args: vec![("name", person_name), ("number", number)],
                date: Some(issued_on),
                kind: "unacknowledged",
            },
        })
        .collect();
    if role.can(Permission::ManagePersonalData) {
        let first: Vec<Todo> = kaeru_store::privacy::requests(db, scope)
            .await?
            .into_iter()
            .filter(|r| r.completed_at.is_none())
            .map(|r| Todo {
                href: "/privacy".into(),
                key: "home.todo_deletion",
                args: vec![("name", r.person_name.clone())],
                date: Some(r.due_on),
                kind: if r.due_on < today {
                    "overdue"
                } else {
                    "deletion"
                },
            })
            .collect();
        todos.splice(0..0, first);
    }
    let cold = cache.reconnect.list(db, scope, today).await?.2.len();
    if cold > 0 {
        todos.push(Todo {
            href: "/reconnect".into(),
            key: "home.todo_reconnect",
            args: vec![("n", cold.to_string())],
            date: None,
            kind: "reconnect",
        });
    }
    if role.can(Permission::EditPeople) {
        let waiting = kaeru_store::registrations::count(db, scope).await?;
        if waiting > 0 {
            todos.push(Todo {
                href: "/registrations".into(),
                key: "home.todo_registrations",
                args: vec![("n", waiting.to_string())],
                date: None,
                kind: "registration",
            });
        }
    }
    if role.can(Permission::DecideSideJob) {
        let waiting = kaeru_store::side_jobs::pending_count(db, scope).await?;
        if waiting > 0 {
            todos.push(Todo {
                href: "/side-jobs".into(),
                key: "home.todo_side_jobs",
                args: vec![("n", waiting.to_string())],
                date: None,
                kind: "side_job",
            });
        }
    }
    if role.can(Permission::ApplySideJob) {
        let all = kaeru_store::side_jobs::all(db, scope).await?;
        for (j, name) in kaeru_store::side_jobs::renewal_due(&all, today) {
            todos.push(Todo {
                href: format!("/people/{}/side-jobs/new?renews={}", j.person_id, j.id),
                key: "home.todo_side_job_renewal",
                args: vec![("name", name), ("employer", j.employer.clone())],
                date: Some(j.end_date),
                kind: "renewal",
            });
        }
    }
    Ok(todos)
}

/// The weekly digest for one staff member as a plain-text e-mail: subject and body in `lang`, each item
/// with its link under `base`. `None` when there is nothing to do.
pub fn digest(
    todos: &[Todo],
    lang: kaeru_domain::Language,
    company: &str,
    name: &str,
    base: &str,
) -> Option<(String, String)> {
    if todos.is_empty() {
        return None;
    }
    let t = kaeru_i18n::Catalog::get(lang);
    let subject = t.format(
        "digest.subject",
        &[
            ("company", company.to_string()),
            ("n", todos.len().to_string()),
        ],
    );
    let mut body = t.format("digest.greeting", &[("name", name.to_string())]);
    body.push_str("\n\n");
    for item in todos {
        let args: Vec<(&str, String)> = item.args.iter().map(|(k, v)| (*k, v.clone())).collect();
        body.push('・');
        body.push_str(&t.format(item.key, &args));
        if let Some(d) = item.date {
            body.push_str(&format!("（{}）", d.format("%Y/%m/%d")));
        }
        body.push_str(&format!(
            "\n  {}{}\n",
            base.trim_end_matches('/'),
            item.href
        ));
    }
    body.push('\n');
    body.push_str(t.t("digest.footer"));
    body.push('\n');
    Some((subject, body))
}
