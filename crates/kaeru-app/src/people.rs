//! People: the checks a new or changed person passes beyond the form's own rules.

use crate::failure::{Failure, Outcome};
use kaeru_domain::person::PersonInput;
use kaeru_domain::{FieldErrors, Invalid, Person, PersonDraft, PersonId};
use kaeru_store::{Actor, Clash, Db, Scope, StoreError, people};

/// Parses a person's form (page, API or import) and checks the e-mail addresses and the employee number are not
/// another person's.
pub async fn check(
    db: &Db,
    scope: &Scope,
    today: chrono::NaiveDate,
    input: &PersonInput,
    existing: Option<PersonId>,
) -> Result<Result<PersonDraft, FieldErrors>, StoreError> {
    let draft = match input.parse(today) {
        Ok(d) => d,
        Err(e) => return Ok(Err(e)),
    };
    let taken = people::emails_taken(db, scope, &draft.emails, existing).await?;
    if let Some(addr) = taken.first() {
        let mut e = FieldErrors::new();
        e.add(
            "emails",
            Invalid::new("error.email_taken").with("email", addr),
        );
        return Ok(Err(e));
    }
    if let Some(n) = &draft.employee_number
        && let Some((_, name)) = people::employee_number_owner(db, scope, n, existing).await?
    {
        let mut e = FieldErrors::new();
        e.add(
            "employee_number",
            Invalid::new("error.employee_number_taken")
                .with("number", n)
                .with("name", name),
        );
        return Ok(Err(e));
    }
    Ok(Ok(draft))
}

/// Adds a person (`existing` none) or changes one: the form's rules, then the addresses and the employee
/// number checked against everyone else's — also when another request took them between the check and the
/// write.
pub async fn save(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    today: chrono::NaiveDate,
    input: &PersonInput,
    existing: Option<PersonId>,
) -> Outcome<Person> {
    let draft = check(db, scope, today, input, existing).await??;
    let saved = match existing {
        None => people::create(db, scope, actor, &draft).await,
        Some(id) => people::update(db, scope, actor, id, &draft).await,
    };
    saved.map_err(|e| match e {
        StoreError::Conflict(Clash::EmployeeNumberTaken) => Failure::field(
            "employee_number",
            Invalid::new("error.employee_number_taken")
                .with("number", draft.employee_number.clone().unwrap_or_default())
                .with("name", "—"),
        ),
        StoreError::Conflict(Clash::PersonEmailTaken) => Failure::field(
            "emails",
            Invalid::new("error.email_taken").with(
                "email",
                draft
                    .emails
                    .iter()
                    .map(kaeru_domain::validation::EmailAddress::as_str)
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        ),
        other => other.into(),
    })
}

/// The filter choices and counts of the people list, kept per company for its revision: any write moves the
/// revision, so what is shown is never older than the database, and between writes a page of the list costs
/// one revision read and the page itself, whatever the size of the company.
#[derive(Default)]
pub struct ListCache {
    companies: std::sync::Mutex<std::collections::HashMap<kaeru_domain::CompanyId, Arc<ListFacts>>>,
    /// One request reads what a new revision needs while the others wait for it (a burst of requests right
    /// after a write must not each count the company).
    building: tokio::sync::Mutex<()>,
    /// The pages read at the company's revision, by filter, page number, size and cursor.
    pub(crate) pages: crate::recent::Pages<PageKey, Vec<people::ListLine>>,
}

struct ListFacts {
    revision: i64,
    departments: Vec<String>,
    years: Vec<i32>,
    counts: std::sync::Mutex<std::collections::HashMap<FilterKey, u64>>,
}

type FilterKey = (Option<&'static str>, Option<String>, Option<i32>);
type PageKey = (FilterKey, u64, u64, Option<PersonId>);

/// More filters than this remembered per company: the counts are forgotten and counted again.
const MOST_COUNTS: usize = 256;

use std::sync::Arc;

/// One page of the people list with the choices of its filters.
pub struct ListView {
    pub page: kaeru_store::Page<people::ListLine>,
    pub departments: Vec<String>,
    pub years: Vec<i32>,
}

impl ListCache {
    async fn facts(
        &self,
        db: &Db,
        scope: &Scope,
        revision: i64,
    ) -> Result<Arc<ListFacts>, StoreError> {
        let company = scope.company_id();
        let cached = self
            .companies
            .lock()
            .ok()
            .and_then(|m| m.get(&company).cloned());
        if let Some(f) = cached.filter(|f| f.revision == revision) {
            return Ok(f);
        }
        let _building = self.building.lock().await;
        let cached = self
            .companies
            .lock()
            .ok()
            .and_then(|m| m.get(&company).cloned());
        if let Some(f) = cached.filter(|f| f.revision >= revision) {
            return Ok(f);
        }
        let fresh = Arc::new(ListFacts {
            revision,
            departments: people::departments(db, scope).await?,
            years: people::leaving_years(db, scope).await?,
            counts: std::sync::Mutex::default(),
        });
        if let Ok(mut m) = self.companies.lock() {
            let keep = m.get(&company).is_none_or(|old| old.revision <= revision);
            if keep {
                m.insert(company, fresh.clone());
            }
        }
        Ok(fresh)
    }
}

/// A page of the people list (`after`: the last person of the page before, for a next page read through the
/// index), counted and with its filter choices from the per-revision cache.
///
/// `revision`: the company's revision if the caller read it a moment ago (the signed-in session's); the page is
/// then answered from what was kept for that revision without reading it again. `None` reads it.
#[allow(clippy::too_many_arguments)]
pub async fn list(
    db: &Db,
    cache: &ListCache,
    scope: &Scope,
    revision: Option<i64>,
    filter: &people::PeopleFilter,
    page: u64,
    per_page: u64,
    after: Option<PersonId>,
) -> Result<ListView, StoreError> {
    let revision = crate::recent::revision_or_read(db, scope, revision).await?;
    let facts = cache.facts(db, scope, revision).await?;
    let key: FilterKey = (
        filter.status.map(kaeru_domain::PersonStatus::code),
        filter.department.clone(),
        filter.left_in_year,
    );
    let known = || facts.counts.lock().ok().and_then(|c| c.get(&key).copied());
    let total = match known() {
        Some(t) => t,
        None => {
            let _building = cache.building.lock().await;
            if let Some(t) = known() {
                t
            } else {
                let t = people::count_filtered(db, scope, filter).await?;
                if let Ok(mut c) = facts.counts.lock() {
                    if c.len() >= MOST_COUNTS {
                        c.clear();
                    }
                    c.insert(key.clone(), t);
                }
                t
            }
        }
    };
    let page = std::cmp::Ord::max(page, 1);
    let items = cache
        .pages
        .get(scope, revision, (key, page, per_page, after), || {
            people::list_lines(db, scope, filter, page, per_page, after)
        })
        .await?;
    Ok(ListView {
        page: kaeru_store::Page {
            items: Vec::clone(&items),
            total,
            page,
            per_page,
        },
        departments: facts.departments.clone(),
        years: facts.years.clone(),
    })
}

/// How many people the list shows of each status (the home page's figures), in [`PersonStatus::ALL`]'s order:
/// kept with the list's counts for the company's revision, so a home page after the first reads nothing.
pub async fn status_counts(
    db: &Db,
    cache: &ListCache,
    scope: &Scope,
    revision: Option<i64>,
) -> Result<Vec<(kaeru_domain::PersonStatus, u64)>, StoreError> {
    use kaeru_domain::PersonStatus;
    let revision = crate::recent::revision_or_read(db, scope, revision).await?;
    let facts = cache.facts(db, scope, revision).await?;
    let key = |s: PersonStatus| -> FilterKey { (Some(s.code()), None, None) };
    let known = || -> Option<Vec<(PersonStatus, u64)>> {
        let counts = facts.counts.lock().ok()?;
        PersonStatus::ALL
            .iter()
            .map(|s| counts.get(&key(*s)).map(|n| (*s, *n)))
            .collect()
    };
    if let Some(v) = known() {
        return Ok(v);
    }
    let _building = cache.building.lock().await;
    if let Some(v) = known() {
        return Ok(v);
    }
    let counted = people::count_by_status(db, scope).await?;
    if let Ok(mut c) = facts.counts.lock() {
        if c.len() + counted.len() > MOST_COUNTS {
            c.clear();
        }
        for (s, n) in &counted {
            c.insert(key(*s), *n);
        }
    }
    Ok(counted)
}

/// A company's reconnect list, with the revision and day it was read for.
pub type ReconnectList = crate::recent::Dated<Vec<kaeru_store::touchpoints::Reconnect>>;

/// The reconnect list (つながり直す) of each company, kept for its revision and day: reading it means
/// every former employee's contacts, stints, skills and offers (about a second at 100,000 people), so the
/// page and the home page's to-do count read it once per write and day, one request computing while others
/// wait.
#[derive(Default)]
pub struct ReconnectCache(
    pub(crate) crate::recent::ByRevisionAndDay<Vec<kaeru_store::touchpoints::Reconnect>>,
);

impl ReconnectCache {
    /// How many people the reconnect list names, for the home page ([`crate::recent::soon`]).
    pub async fn count_soon(
        cache: &Arc<crate::search::SearchCache>,
        db: &Db,
        scope: &Scope,
        revision: Option<i64>,
        today: chrono::NaiveDate,
    ) -> Result<usize, StoreError> {
        let list = crate::recent::soon(
            cache,
            |c| &c.reconnect.0,
            db,
            scope,
            revision,
            today,
            move |db, scope| async move {
                kaeru_store::touchpoints::reconnect_list(&db, &scope, today).await
            },
        )
        .await?;
        Ok(list.2.len())
    }

    /// The company's reconnect list as the database stands. `revision`: the company's, if the caller has just
    /// read it.
    pub async fn list(
        &self,
        db: &Db,
        scope: &Scope,
        revision: Option<i64>,
        today: chrono::NaiveDate,
    ) -> Result<Arc<ReconnectList>, StoreError> {
        self.0
            .get(db, scope, revision, today, || {
                kaeru_store::touchpoints::reconnect_list(db, scope, today)
            })
            .await
    }
}
