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

/// The offers' reminders of each company, kept for its revision and the day: reading them means every standing
/// offer and its person (11,000 offers at 100,000 people, about 0.1 s), and the home page asks on every visit.
#[derive(Default)]
pub struct RemindersCache(pub(crate) crate::recent::ByRevisionAndDay<Vec<Reminder>>);

/// A to-do list: the first items of each kind (all of a kind up to the limit asked for) and how many of each
/// kind there are in all.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Todos {
    /// In the list's order (deletion requests first, then the offers' reminders by date, then the rest).
    pub items: Vec<Todo>,
    /// How many of each kind, kept or not, in the order the kinds first came.
    pub counts: Vec<(&'static str, usize)>,
    most_per_kind: usize,
}

impl Todos {
    fn new(most_per_kind: usize) -> Self {
        Self {
            most_per_kind,
            ..Self::default()
        }
    }

    /// Counts one of `kind`; whether it is to be kept.
    fn count(&mut self, kind: &'static str) -> bool {
        let n = match self.counts.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, n)) => {
                *n += 1;
                *n
            }
            None => {
                self.counts.push((kind, 1));
                1
            }
        };
        n <= self.most_per_kind
    }

    fn push(&mut self, todo: Todo) {
        if self.count(todo.kind) {
            self.items.push(todo);
        }
    }

    /// How many to-dos in all.
    pub fn total(&self) -> usize {
        self.counts.iter().map(|(_, n)| n).sum()
    }

    /// How many of `kind`.
    pub fn count_of(&self, kind: &str) -> usize {
        self.counts
            .iter()
            .find(|(k, _)| *k == kind)
            .map_or(0, |(_, n)| *n)
    }
}

/// The kind of a reminder's to-do.
fn reminder_kind(r: &Reminder) -> &'static str {
    match r {
        Reminder::ExpiringSoon { .. } => "expiring",
        Reminder::CheckInOverdue { .. } => "check_in",
        Reminder::NotAcknowledged { .. } => "unacknowledged",
    }
}

fn reminder_todo(r: &Reminder, today: chrono::NaiveDate) -> Todo {
    match r.clone() {
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
    }
}

/// The list for someone with `role`, on `today`, keeping at most `most_per_kind` of each kind (a company with
/// 11,000 standing offers has as many reminders; a page shows a few). `revision`: the company's, if the caller
/// has just read it.
pub async fn list(
    db: &Db,
    cache: &std::sync::Arc<crate::search::SearchCache>,
    scope: &Scope,
    revision: Option<i64>,
    role: Role,
    today: chrono::NaiveDate,
    most_per_kind: usize,
) -> StoreResult<Todos> {
    let mut todos = Todos::new(most_per_kind);
    // Deletion requests first: they have legal deadlines.
    if role.can(Permission::ManagePersonalData) {
        for r in kaeru_store::privacy::requests(db, scope)
            .await?
            .into_iter()
            .filter(|r| r.completed_at.is_none())
        {
            todos.push(Todo {
                href: "/privacy".into(),
                key: "home.todo_deletion",
                args: vec![("name", r.person_name.clone())],
                date: Some(r.due_on),
                kind: if r.due_on < today {
                    "overdue"
                } else {
                    "deletion"
                },
            });
        }
    }
    let reminders = crate::recent::soon(
        cache,
        |c| &c.reminders.0,
        db,
        scope,
        revision,
        today,
        move |db, scope| async move { offers::reminders(&db, &scope, today).await },
    )
    .await?;
    for r in &reminders.2 {
        if todos.count(reminder_kind(r)) {
            todos.items.push(reminder_todo(r, today));
        }
    }
    let cold = crate::people::ReconnectCache::count_soon(cache, db, scope, revision, today).await?;
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

/// At most this many to-dos in one digest e-mail (a company with thousands of standing offers would send a
/// book); the rest are counted, with the home page's address.
pub const MOST_IN_DIGEST: usize = 50;

/// The weekly digest for one staff member as a plain-text e-mail: subject and body in `lang`, each item
/// with its link under `base`. `None` when there is nothing to do.
pub fn digest(
    todos: &Todos,
    lang: kaeru_domain::Language,
    company: &str,
    name: &str,
    base: &str,
) -> Option<(String, String)> {
    let total = todos.total();
    if total == 0 {
        return None;
    }
    let t = kaeru_i18n::Catalog::get(lang);
    let subject = t.format(
        "digest.subject",
        &[("company", company.to_string()), ("n", total.to_string())],
    );
    let mut body = t.format("digest.greeting", &[("name", name.to_string())]);
    body.push_str("\n\n");
    for item in todos.items.iter().take(MOST_IN_DIGEST) {
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
    if total > MOST_IN_DIGEST {
        body.push_str(&t.format(
            "digest.more",
            &[
                ("n", (total - MOST_IN_DIGEST).to_string()),
                ("url", format!("{}/", base.trim_end_matches('/'))),
            ],
        ));
        body.push('\n');
    }
    body.push('\n');
    body.push_str(t.t("digest.footer"));
    body.push('\n');
    Some((subject, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn todo(n: usize) -> Todo {
        Todo {
            href: format!("/offers/{n}"),
            key: "home.todo_reconnect",
            args: vec![("n", n.to_string())],
            date: None,
            kind: "reconnect",
        }
    }

    #[test]
    fn a_digest_lists_fifty_and_counts_the_rest() {
        let mut todos = Todos::new(MOST_IN_DIGEST);
        (0..60).for_each(|n| todos.push(todo(n)));
        assert_eq!(
            (
                todos.items.len(),
                todos.total(),
                todos.count_of("reconnect")
            ),
            (50, 60, 60)
        );
        let (subject, body) = digest(
            &todos,
            kaeru_domain::Language::Ja,
            "さくら精機",
            "𠮷田",
            "https://kaeru.example/",
        )
        .unwrap();
        assert!(subject.contains("60件"), "{subject}");
        assert_eq!(body.matches('・').count(), 50, "{body}");
        assert!(
            body.contains("/offers/49\n") && !body.contains("/offers/50\n"),
            "{body}"
        );
        assert!(
            body.contains("ほか10件は Kaeru のホーム画面で確認できます: https://kaeru.example/"),
            "{body}"
        );
        let mut todos = Todos::new(MOST_IN_DIGEST);
        (0..3).for_each(|n| todos.push(todo(n)));
        let (_, body) = digest(
            &todos,
            kaeru_domain::Language::En,
            "Sakura",
            "Yoshida",
            "https://k/",
        )
        .unwrap();
        assert_eq!(body.matches('・').count(), 3);
        assert!(!body.contains("more are on"), "{body}");
    }
}
