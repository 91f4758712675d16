//! People: one record for life, with their e-mail addresses, listed in 五十音順.

use crate::Clash;
use crate::audit::{self, Change};
use crate::entity::{employment_stint as stint_row, person as row, person_email as email_row};
use crate::{Actor, Db, Page, Scope, StoreError, StoreResult, companies, now};
use chrono::NaiveDate;
use kaeru_domain::person::Kana;
use kaeru_domain::validation::EmailAddress;
use kaeru_domain::{CompanyId, Person, PersonDraft, PersonId, PersonStatus};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, Order,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};
use std::collections::HashMap;

fn to_domain(r: row::Model, emails: Vec<String>) -> Person {
    Person {
        id: PersonId(r.id),
        company_id: CompanyId(r.company_id),
        employee_number: r.employee_number,
        family_name: r.family_name,
        given_name: r.given_name,
        family_kana: r.family_kana,
        given_kana: r.given_kana,
        romaji_name: r.romaji_name,
        emails,
        phone: r.phone,
        line_id: r.line_id,
        facebook_url: r.facebook_url,
        linkedin_url: r.linkedin_url,
        prefecture: r.prefecture,
        city: r.city,
        birth_date: r.birth_date,
        notes: r.notes,
        status: PersonStatus::parse(&r.status).unwrap_or(PersonStatus::Alumnus),
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

/// What the audit log shows of a person.
fn audit_view(d: &PersonDraft) -> serde_json::Value {
    serde_json::to_value(d).unwrap_or_default()
}

pub fn draft_of(p: &Person) -> PersonDraft {
    PersonDraft {
        employee_number: p.employee_number.clone(),
        family_name: p.family_name.clone(),
        given_name: p.given_name.clone(),
        family_kana: Kana::from_checked(p.family_kana.clone()),
        given_kana: Kana::from_checked(p.given_kana.clone()),
        romaji_name: p.romaji_name.clone(),
        emails: p
            .emails
            .iter()
            .map(|e| EmailAddress::from_checked(e.clone()))
            .collect(),
        phone: p.phone.clone(),
        line_id: p.line_id.clone(),
        facebook_url: p.facebook_url.clone(),
        linkedin_url: p.linkedin_url.clone(),
        prefecture: p.prefecture.clone(),
        city: p.city.clone(),
        birth_date: p.birth_date,
        notes: p.notes.clone(),
    }
}

async fn write_emails(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    person: PersonId,
    emails: &[EmailAddress],
) -> StoreResult<()> {
    email_row::Entity::delete_many()
        .filter(email_row::Column::CompanyId.eq(scope.company_id().0))
        .filter(email_row::Column::PersonId.eq(person.0))
        .exec(conn)
        .await?;
    for (i, e) in emails.iter().enumerate() {
        email_row::ActiveModel {
            company_id: Set(scope.company_id().0),
            person_id: Set(person.0),
            email: Set(e.to_string()),
            position: Set(i as i32),
        }
        .insert(conn)
        .await
        .map_err(StoreError::conflict_on(Clash::PersonEmailTaken))?;
    }
    Ok(())
}

fn fill(am: &mut row::ActiveModel, d: &PersonDraft) {
    am.employee_number = Set(d.employee_number.clone());
    am.family_name = Set(d.family_name.clone());
    am.given_name = Set(d.given_name.clone());
    am.family_kana = Set(d.family_kana.to_string());
    am.given_kana = Set(d.given_kana.to_string());
    am.romaji_name = Set(d.romaji_name.clone());
    am.phone = Set(d.phone.clone());
    am.line_id = Set(d.line_id.clone());
    am.facebook_url = Set(d.facebook_url.clone());
    am.linkedin_url = Set(d.linkedin_url.clone());
    am.prefecture = Set(d.prefecture.clone());
    am.city = Set(d.city.clone());
    am.birth_date = Set(d.birth_date);
    am.notes = Set(d.notes.clone());
    am.sort_key = Set(kaeru_search::kana_sort_key(&d.family_kana, &d.given_kana));
    am.updated_at = Set(now());
}

/// The person of the company (other than `except`) who has this employee number, if any.
pub async fn employee_number_owner(
    db: &Db,
    scope: &Scope,
    number: &str,
    except: Option<PersonId>,
) -> StoreResult<Option<(PersonId, String)>> {
    let mut q = row::Entity::find()
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .filter(row::Column::EmployeeNumber.eq(number));
    if let Some(x) = except {
        q = q.filter(row::Column::Id.ne(x.0));
    }
    Ok(q.one(&db.read).await?.map(|p| {
        (
            PersonId(p.id),
            format!("{} {}", p.family_name, p.given_name),
        )
    }))
}

/// A record that may be the same person as one being added.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PossibleDuplicate {
    pub id: PersonId,
    pub name: String,
    pub kana: String,
    pub status: PersonStatus,
}

/// People of the company (never erased ones) with the same name and reading (width and kana folded), or
/// holding one of `emails`: a record being added may be one of them. At most ten.
pub async fn possible_duplicates(
    db: &Db,
    scope: &Scope,
    draft: &PersonDraft,
) -> StoreResult<Vec<PossibleDuplicate>> {
    let c = scope.company_id().0;
    let by_email: Vec<uuid::Uuid> = if draft.emails.is_empty() {
        Vec::new()
    } else {
        email_row::Entity::find()
            .filter(email_row::Column::CompanyId.eq(c))
            .filter(email_row::Column::Email.is_in(draft.emails.iter().map(ToString::to_string)))
            .all(&db.read)
            .await?
            .into_iter()
            .map(|e| e.person_id)
            .collect()
    };
    let same_name = Condition::all()
        .add(row::Column::FamilyName.eq(draft.family_name.clone()))
        .add(row::Column::GivenName.eq(draft.given_name.clone()));
    let found = row::Entity::find()
        .filter(row::Column::CompanyId.eq(c))
        .filter(row::Column::ErasedAt.is_null())
        .filter(
            Condition::any()
                .add(same_name)
                .add(row::Column::Id.is_in(by_email.clone())),
        )
        .limit(50)
        .all(&db.read)
        .await?;
    let fold = |a: &str, b: &str| kaeru_search::fold(&format!("{a}{b}")).replace(' ', "");
    let reading = fold(&draft.family_kana, &draft.given_kana);
    Ok(found
        .into_iter()
        .filter(|p| by_email.contains(&p.id) || fold(&p.family_kana, &p.given_kana) == reading)
        .take(10)
        .map(|p| PossibleDuplicate {
            id: PersonId(p.id),
            name: format!("{} {}", p.family_name, p.given_name),
            kana: format!("{} {}", p.family_kana, p.given_kana),
            status: PersonStatus::parse(&p.status).unwrap_or(PersonStatus::Unregistered),
        })
        .collect())
}

/// The e-mail addresses already used by another person of the company, if any.
pub async fn emails_taken(
    db: &Db,
    scope: &Scope,
    emails: &[EmailAddress],
    except: Option<PersonId>,
) -> StoreResult<Vec<String>> {
    if emails.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = email_row::Entity::find()
        .filter(email_row::Column::CompanyId.eq(scope.company_id().0))
        .filter(email_row::Column::Email.is_in(emails.iter().map(ToString::to_string)));
    if let Some(p) = except {
        q = q.filter(email_row::Column::PersonId.ne(p.0));
    }
    Ok(q.all(&db.read)
        .await?
        .into_iter()
        .map(|r| r.email)
        .collect())
}

pub async fn create(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    draft: &PersonDraft,
) -> StoreResult<Person> {
    let tx = db.write.begin().await?;
    let person = create_in(&tx, scope, actor, draft).await?;
    tx.commit().await?;
    Ok(person)
}

/// Creates a person inside the caller's transaction, with its audit entry and a revision bump.
pub(crate) async fn create_in(
    tx: &impl ConnectionTrait,
    scope: &Scope,
    actor: &Actor,
    draft: &PersonDraft,
) -> StoreResult<Person> {
    let id = PersonId::new();
    let mut am = row::ActiveModel {
        id: Set(id.0),
        company_id: Set(scope.company_id().0),
        status: Set(PersonStatus::Unregistered.code().into()),
        created_at: Set(now()),
        ..Default::default()
    };
    fill(&mut am, draft);
    let model = am
        .insert(tx)
        .await
        .map_err(StoreError::conflict_on(Clash::EmployeeNumberTaken))?;
    write_emails(tx, scope, id, &draft.emails).await?;
    audit::record(
        tx,
        scope,
        Change {
            action: "person.create",
            entity: "person",
            entity_id: id.0,
            person_id: Some(id),
            changes: audit_view(draft),
            actor,
        },
    )
    .await?;
    companies::bump_revision_for(tx, scope, &[id]).await?;
    Ok(to_domain(
        model,
        draft.emails.iter().map(ToString::to_string).collect(),
    ))
}

pub async fn update(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    id: PersonId,
    draft: &PersonDraft,
) -> StoreResult<Person> {
    let tx = db.write.begin().await?;
    let person = update_in(&tx, scope, actor, id, draft).await?;
    tx.commit().await?;
    Ok(person)
}

/// Updates a person inside the caller's transaction, with its audit entry and a revision bump.
pub(crate) async fn update_in(
    tx: &impl ConnectionTrait,
    scope: &Scope,
    actor: &Actor,
    id: PersonId,
    draft: &PersonDraft,
) -> StoreResult<Person> {
    let current = live(tx, scope, id).await?;
    let old_emails = emails_in(tx, scope, id).await?;
    let before = to_domain(current.clone(), old_emails);
    let mut am: row::ActiveModel = current.into();
    fill(&mut am, draft);
    let model = am
        .update(tx)
        .await
        .map_err(StoreError::conflict_on(Clash::EmployeeNumberTaken))?;
    write_emails(tx, scope, id, &draft.emails).await?;
    let changes = audit::diff(&audit_view(&draft_of(&before)), &audit_view(draft));
    audit::record(
        tx,
        scope,
        Change {
            action: "person.update",
            entity: "person",
            entity_id: id.0,
            person_id: Some(id),
            changes,
            actor,
        },
    )
    .await?;
    companies::bump_revision_for(tx, scope, &[id]).await?;
    Ok(to_domain(
        model,
        draft.emails.iter().map(ToString::to_string).collect(),
    ))
}

async fn emails_in(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    id: PersonId,
) -> StoreResult<Vec<String>> {
    Ok(email_row::Entity::find()
        .filter(email_row::Column::CompanyId.eq(scope.company_id().0))
        .filter(email_row::Column::PersonId.eq(id.0))
        .order_by_asc(email_row::Column::Position)
        .all(conn)
        .await?
        .into_iter()
        .map(|e| e.email)
        .collect())
}

/// Notes that the person changed their own data (shown on HR's person page).
pub(crate) async fn mark_self_updated(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    id: PersonId,
) -> StoreResult<()> {
    row::Entity::update_many()
        .col_expr(row::Column::SelfUpdatedAt, Expr::value(now()))
        .filter(row::Column::Id.eq(id.0))
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .exec(conn)
        .await?;
    Ok(())
}

/// The portal facts of a person: whether they stopped all contact, when they last updated their own data,
/// their message to the company, and whether the record was erased.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PortalFacts {
    pub contact_stopped_at: Option<chrono::DateTime<chrono::Utc>>,
    pub self_updated_at: Option<chrono::DateTime<chrono::Utc>>,
    pub message_to_company: Option<String>,
    pub message_at: Option<chrono::DateTime<chrono::Utc>>,
    pub erased_at: Option<chrono::DateTime<chrono::Utc>>,
}

pub async fn portal_facts(db: &Db, scope: &Scope, id: PersonId) -> StoreResult<PortalFacts> {
    let r = row::Entity::find_by_id(id.0)
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .one(&db.read)
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(PortalFacts {
        contact_stopped_at: r.contact_stopped_at,
        self_updated_at: r.self_updated_at,
        message_to_company: r.message_to_company,
        message_at: r.message_at,
        erased_at: r.erased_at,
    })
}

pub async fn get(db: &Db, scope: &Scope, id: PersonId) -> StoreResult<Person> {
    let r = row::Entity::find_by_id(id.0)
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .one(&db.read)
        .await?
        .ok_or(StoreError::NotFound)?;
    let emails = email_row::Entity::find()
        .filter(email_row::Column::CompanyId.eq(scope.company_id().0))
        .filter(email_row::Column::PersonId.eq(id.0))
        .order_by_asc(email_row::Column::Position)
        .all(&db.read)
        .await?
        .into_iter()
        .map(|e| e.email)
        .collect();
    Ok(to_domain(r, emails))
}

/// Filters of the people list.
#[derive(Clone, Debug, Default)]
pub struct PeopleFilter {
    pub status: Option<PersonStatus>,
    pub department: Option<String>,
    pub left_in_year: Option<i32>,
}

/// A line of the people list: the person and the one key fact of their latest stint.
#[derive(Clone, Debug)]
pub struct PersonListItem {
    pub person: Person,
    pub latest_department: Option<String>,
    pub latest_job_title: Option<String>,
    pub last_left_on: Option<NaiveDate>,
}

fn stint_exists(cond: Condition) -> sea_orm::sea_query::SimpleExpr {
    Expr::exists(
        Query::select()
            .expr(Expr::val(1))
            .from(stint_row::Entity)
            .and_where(
                Expr::col((stint_row::Entity, stint_row::Column::PersonId))
                    .equals((row::Entity, row::Column::Id)),
            )
            .cond_where(cond)
            .to_owned(),
    )
}

pub async fn list(
    db: &Db,
    scope: &Scope,
    filter: &PeopleFilter,
    page: u64,
    per_page: u64,
) -> StoreResult<Page<PersonListItem>> {
    list_page(db, scope, filter, page, per_page, None, None).await
}

/// The people the filter lets through, of the scope's company (not erased).
fn filtered(scope: &Scope, filter: &PeopleFilter) -> Option<sea_orm::Select<row::Entity>> {
    // An erased record stays only for statistics; it is not a person to list.
    let mut q = row::Entity::find()
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .filter(row::Column::ErasedAt.is_null());
    if let Some(s) = filter.status {
        q = q.filter(row::Column::Status.eq(s.code()));
    }
    if let Some(dep) = &filter.department {
        q = q.filter(stint_exists(
            Condition::all()
                .add(
                    Expr::col((stint_row::Entity, stint_row::Column::CompanyId))
                        .eq(scope.company_id().0),
                )
                .add(Expr::col((stint_row::Entity, stint_row::Column::Department)).eq(dep.clone())),
        ));
    }
    if let Some(year) = filter.left_in_year {
        let (Some(from), Some(to)) = (
            NaiveDate::from_ymd_opt(year, 1, 1),
            NaiveDate::from_ymd_opt(year, 12, 31),
        ) else {
            return None;
        };
        q = q.filter(stint_exists(
            Condition::all()
                .add(
                    Expr::col((stint_row::Entity, stint_row::Column::CompanyId))
                        .eq(scope.company_id().0),
                )
                .add(Expr::col((stint_row::Entity, stint_row::Column::EndDate)).gte(from))
                .add(Expr::col((stint_row::Entity, stint_row::Column::EndDate)).lte(to)),
        ));
    }
    Some(q)
}

/// The list's order: the bytes of the kana sort key are 五十音順, so PostgreSQL must not apply its locale's
/// collation.
fn sort_column(db: &Db) -> Expr {
    match db.backend {
        DbBackend::Postgres => Expr::cust("\"people\".\"sort_key\" COLLATE \"C\""),
        _ => Expr::col((row::Entity, row::Column::SortKey)),
    }
}

/// The reading and id of the person a page starts after, if they are still listed in this company.
async fn cursor_of(
    db: &Db,
    scope: &Scope,
    after: Option<PersonId>,
) -> StoreResult<Option<(String, uuid::Uuid)>> {
    let Some(p) = after else {
        return Ok(None);
    };
    Ok(row::Entity::find_by_id(p.0)
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .filter(row::Column::ErasedAt.is_null())
        .select_only()
        .columns([row::Column::SortKey, row::Column::Id])
        .into_tuple::<(String, uuid::Uuid)>()
        .one(&db.read)
        .await?)
}

/// How many people of each status the company lists (erased records left out), in one grouped count: the
/// home page's figures, which counted each status apart (five counts, and a first page each).
pub async fn count_by_status(db: &Db, scope: &Scope) -> StoreResult<Vec<(PersonStatus, u64)>> {
    use sea_orm::QuerySelect;
    let rows: Vec<(String, i64)> = row::Entity::find()
        .select_only()
        .column(row::Column::Status)
        // `COUNT(*)`, not of a column: SQLite then counts from the index by status alone (m0022).
        .column_as(Expr::cust("COUNT(*)"), "n")
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .filter(row::Column::ErasedAt.is_null())
        .group_by(row::Column::Status)
        .into_tuple()
        .all(&db.read)
        .await?;
    Ok(PersonStatus::ALL
        .iter()
        .map(|s| {
            let n = rows
                .iter()
                .find(|(code, _)| code == s.code())
                .map_or(0, |(_, n)| u64::try_from(*n).unwrap_or(0));
            (*s, n)
        })
        .collect())
}

/// How many people the filter lets through.
pub async fn count_filtered(db: &Db, scope: &Scope, filter: &PeopleFilter) -> StoreResult<u64> {
    match filtered(scope, filter) {
        Some(q) => Ok(q.count(&db.read).await?),
        None => Ok(0),
    }
}

/// One page of the list, in 五十音 order. `total`, when the caller knows it (cached for the company's
/// revision), saves counting; `after`, the last person of the page before, starts the page right after them
/// through the index instead of skipping rows (so the last page costs what the first does).
pub async fn list_page(
    db: &Db,
    scope: &Scope,
    filter: &PeopleFilter,
    page: u64,
    per_page: u64,
    total: Option<u64>,
    after: Option<PersonId>,
) -> StoreResult<Page<PersonListItem>> {
    let page = std::cmp::Ord::max(page, 1);
    let Some(q) = filtered(scope, filter) else {
        return Ok(Page {
            items: vec![],
            total: 0,
            page,
            per_page,
        });
    };
    let total = match total {
        Some(t) => t,
        None => q.clone().count(&db.read).await?,
    };
    let sort_col = || sort_column(db);
    let cursor = cursor_of(db, scope, after).await?;
    let mut q = q
        .order_by(sort_col(), Order::Asc)
        .order_by_asc(row::Column::Id);
    q = match cursor {
        Some((key, id)) => q.filter(
            Expr::tuple([sort_col(), Expr::col((row::Entity, row::Column::Id))])
                .gt(Expr::tuple([Expr::val(key), Expr::val(id)])),
        ),
        None => q.offset((page - 1) * per_page),
    };
    let rows = q.limit(per_page).all(&db.read).await?;
    let ids: Vec<uuid::Uuid> = rows.iter().map(|r| r.id).collect();
    let mut stints: HashMap<uuid::Uuid, Vec<stint_row::Model>> = HashMap::new();
    for s in stint_row::Entity::find()
        .filter(stint_row::Column::CompanyId.eq(scope.company_id().0))
        .filter(stint_row::Column::PersonId.is_in(ids.clone()))
        .all(&db.read)
        .await?
    {
        stints.entry(s.person_id).or_default().push(s);
    }
    let mut emails: HashMap<uuid::Uuid, Vec<String>> = HashMap::new();
    for e in email_row::Entity::find()
        .filter(email_row::Column::CompanyId.eq(scope.company_id().0))
        .filter(email_row::Column::PersonId.is_in(ids))
        .order_by_asc(email_row::Column::Position)
        .all(&db.read)
        .await?
    {
        emails.entry(e.person_id).or_default().push(e.email);
    }
    let items = rows
        .into_iter()
        .map(|r| {
            let own = stints.remove(&r.id).unwrap_or_default();
            let latest = own.iter().max_by_key(|s| s.start_date);
            let last_left_on = own.iter().filter_map(|s| s.end_date).max();
            PersonListItem {
                latest_department: latest.and_then(|s| s.department.clone()),
                latest_job_title: latest.and_then(|s| s.job_title.clone()),
                last_left_on,
                person: to_domain(r.clone(), emails.remove(&r.id).unwrap_or_default()),
            }
        })
        .collect();
    Ok(Page {
        items,
        total,
        page,
        per_page,
    })
}

/// A line of the people page: what it shows and nothing more.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListLine {
    pub id: PersonId,
    pub family_name: String,
    pub given_name: String,
    pub family_kana: String,
    pub given_kana: String,
    pub status: PersonStatus,
    pub latest_department: Option<String>,
    pub latest_job_title: Option<String>,
    pub last_left_on: Option<NaiveDate>,
}

#[derive(sea_orm::FromQueryResult)]
struct LineRow {
    id: uuid::Uuid,
    family_name: String,
    given_name: String,
    family_kana: String,
    given_kana: String,
    status: String,
    latest_department: Option<String>,
    latest_job_title: Option<String>,
    last_left_on: Option<NaiveDate>,
}

/// One page of the people page in one query: the columns it shows, the latest stint's department and title
/// and the last day of leaving read beside each row (the same as [`list_page`] without the rest of each
/// person). `after` as in [`list_page`].
pub async fn list_lines(
    db: &Db,
    scope: &Scope,
    filter: &PeopleFilter,
    page: u64,
    per_page: u64,
    after: Option<PersonId>,
) -> StoreResult<Vec<ListLine>> {
    let page = std::cmp::Ord::max(page, 1);
    let Some(q) = filtered(scope, filter) else {
        return Ok(Vec::new());
    };
    let sort_col = || sort_column(db);
    let cursor = cursor_of(db, scope, after).await?;
    let latest = |col: &str| {
        Expr::cust(format!(
            "(SELECT s.\"{col}\" FROM \"employment_stints\" s WHERE s.\"company_id\" = \"people\".\"company_id\" \
             AND s.\"person_id\" = \"people\".\"id\" ORDER BY s.\"start_date\" DESC LIMIT 1)"
        ))
    };
    let mut q = q
        .select_only()
        .columns([
            row::Column::Id,
            row::Column::FamilyName,
            row::Column::GivenName,
            row::Column::FamilyKana,
            row::Column::GivenKana,
            row::Column::Status,
        ])
        .expr_as(latest("department"), "latest_department")
        .expr_as(latest("job_title"), "latest_job_title")
        .expr_as(
            Expr::cust(
                "(SELECT MAX(s.\"end_date\") FROM \"employment_stints\" s WHERE s.\"company_id\" = \"people\".\"company_id\" \
                 AND s.\"person_id\" = \"people\".\"id\")",
            ),
            "last_left_on",
        )
        .order_by(sort_col(), Order::Asc)
        .order_by_asc(row::Column::Id);
    q = match cursor {
        Some((key, id)) => q.filter(
            Expr::tuple([sort_col(), Expr::col((row::Entity, row::Column::Id))])
                .gt(Expr::tuple([Expr::val(key), Expr::val(id)])),
        ),
        None if page > 1 => {
            // A page by number: the people of the page first, through the index alone, so the rows skipped
            // are not read beside (SQLite computes the selected columns of every row an OFFSET skips).
            let Some(ids_q) = filtered(scope, filter) else {
                return Ok(Vec::new());
            };
            let ids: Vec<uuid::Uuid> = ids_q
                .select_only()
                .column(row::Column::Id)
                .order_by(sort_col(), Order::Asc)
                .order_by_asc(row::Column::Id)
                .offset((page - 1) * per_page)
                .limit(per_page)
                .into_tuple()
                .all(&db.read)
                .await?;
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            q.filter(row::Column::Id.is_in(ids))
        }
        None => q,
    };
    let rows: Vec<LineRow> = q.limit(per_page).into_model().all(&db.read).await?;
    Ok(rows
        .into_iter()
        .map(|r| ListLine {
            id: PersonId(r.id),
            family_name: r.family_name,
            given_name: r.given_name,
            family_kana: r.family_kana,
            given_kana: r.given_kana,
            status: PersonStatus::parse(&r.status).unwrap_or(PersonStatus::Unregistered),
            latest_department: r.latest_department,
            latest_job_title: r.latest_job_title,
            last_left_on: r.last_left_on,
        })
        .collect())
}

/// The departments that appear in the company's stints, for the list filter.
pub async fn departments(db: &Db, scope: &Scope) -> StoreResult<Vec<String>> {
    let mut deps: Vec<String> = stint_row::Entity::find()
        .select_only()
        .column(stint_row::Column::Department)
        .distinct()
        .filter(stint_row::Column::CompanyId.eq(scope.company_id().0))
        .filter(stint_row::Column::Department.is_not_null())
        .into_tuple::<Option<String>>()
        .all(&db.read)
        .await?
        .into_iter()
        .flatten()
        .collect();
    deps.sort();
    Ok(deps)
}

/// The years in which someone left, newest first, for the list filter.
pub async fn leaving_years(db: &Db, scope: &Scope) -> StoreResult<Vec<i32>> {
    // The distinct years in the database (over the index on company and end date), not every end date
    // brought into Rust: 70 ms → a few at 100,000 people.
    let year = match db.backend {
        DbBackend::Postgres => {
            Expr::cust("CAST(EXTRACT(YEAR FROM \"employment_stints\".\"end_date\") AS INTEGER)")
        }
        _ => Expr::cust("CAST(substr(\"employment_stints\".\"end_date\", 1, 4) AS INTEGER)"),
    };
    let mut years: Vec<i32> = stint_row::Entity::find()
        .select_only()
        .expr_as(year, "year")
        .distinct()
        .filter(stint_row::Column::CompanyId.eq(scope.company_id().0))
        .filter(stint_row::Column::EndDate.is_not_null())
        .into_tuple()
        .all(&db.read)
        .await?;
    years.sort_unstable_by(|a, b| b.cmp(a));
    years.dedup();
    Ok(years)
}

/// The ids of the company's people with this status (to narrow a search's hits by status).
pub async fn ids_with_status(
    db: &Db,
    scope: &Scope,
    status: PersonStatus,
) -> StoreResult<std::collections::HashSet<PersonId>> {
    let ids: Vec<uuid::Uuid> = row::Entity::find()
        .select_only()
        .column(row::Column::Id)
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .filter(row::Column::Status.eq(status.code()))
        .into_tuple()
        .all(&db.read)
        .await?;
    Ok(ids.into_iter().map(PersonId).collect())
}

/// How many people the company has, for the first-run and demo checks.
pub async fn count(db: &Db, scope: &Scope) -> StoreResult<u64> {
    Ok(row::Entity::find()
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .count(&db.read)
        .await?)
}

/// Ids in one `IN (…)` list: well under PostgreSQL's 65,535 bound values (and SQLite's 32,766).
pub(crate) const IDS_PER_QUERY: usize = 10_000;

/// "Family Given" and its kana reading for each of the given people of the scope's company.
pub(crate) async fn names(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    ids: Vec<uuid::Uuid>,
) -> StoreResult<HashMap<uuid::Uuid, (String, String)>> {
    let mut out = HashMap::with_capacity(ids.len());
    // In chunks: PostgreSQL takes at most 65,535 bound values in one statement.
    for chunk in ids.chunks(IDS_PER_QUERY) {
        let rows: Vec<(uuid::Uuid, String, String, String, String)> = row::Entity::find()
            .select_only()
            .columns([
                row::Column::Id,
                row::Column::FamilyName,
                row::Column::GivenName,
                row::Column::FamilyKana,
                row::Column::GivenKana,
            ])
            .filter(row::Column::CompanyId.eq(scope.company_id().0))
            .filter(row::Column::Id.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(conn)
            .await?;
        out.extend(
            rows.into_iter()
                .map(|(id, family, given, family_kana, given_kana)| {
                    (
                        id,
                        (
                            format!("{family} {given}"),
                            format!("{family_kana} {given_kana}"),
                        ),
                    )
                }),
        );
    }
    Ok(out)
}

/// Several people of the scope's company at once, in the order of `ids` (ids of other companies are dropped).
pub async fn get_many(
    db: &Db,
    scope: &Scope,
    ids: &[PersonId],
) -> StoreResult<Vec<PersonListItem>> {
    let raw: Vec<uuid::Uuid> = ids.iter().map(|p| p.0).collect();
    let rows = row::Entity::find()
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .filter(row::Column::Id.is_in(raw.clone()))
        .all(&db.read)
        .await?;
    let mut stints: HashMap<uuid::Uuid, Vec<stint_row::Model>> = HashMap::new();
    for s in stint_row::Entity::find()
        .filter(stint_row::Column::CompanyId.eq(scope.company_id().0))
        .filter(stint_row::Column::PersonId.is_in(raw))
        .all(&db.read)
        .await?
    {
        stints.entry(s.person_id).or_default().push(s);
    }
    let mut by_id: HashMap<uuid::Uuid, PersonListItem> = rows
        .into_iter()
        .map(|r| {
            let own = stints.remove(&r.id).unwrap_or_default();
            let latest = own.iter().max_by_key(|s| s.start_date);
            let item = PersonListItem {
                latest_department: latest.and_then(|s| s.department.clone()),
                latest_job_title: latest.and_then(|s| s.job_title.clone()),
                last_left_on: own.iter().filter_map(|s| s.end_date).max(),
                person: to_domain(r.clone(), Vec::new()),
            };
            (r.id, item)
        })
        .collect();
    Ok(ids.iter().filter_map(|id| by_id.remove(&id.0)).collect())
}

/// The given people as [`get_many`] reads them, with their e-mail addresses (in their order) as well.
pub async fn get_many_with_emails(
    db: &Db,
    scope: &Scope,
    ids: &[PersonId],
) -> StoreResult<Vec<PersonListItem>> {
    let mut items = get_many(db, scope, ids).await?;
    let mut emails: HashMap<uuid::Uuid, Vec<String>> = HashMap::new();
    for chunk in ids.chunks(IDS_PER_QUERY) {
        for e in email_row::Entity::find()
            .filter(email_row::Column::CompanyId.eq(scope.company_id().0))
            .filter(email_row::Column::PersonId.is_in(chunk.iter().map(|p| p.0)))
            .order_by_asc(email_row::Column::Position)
            .all(&db.read)
            .await?
        {
            emails.entry(e.person_id).or_default().push(e.email);
        }
    }
    for item in &mut items {
        if let Some(list) = emails.remove(&item.person.id.0) {
            item.person.emails = list;
        }
    }
    Ok(items)
}

/// What the person has said about coming back, and when the company last heard from them.
pub async fn outlook(db: &Db, scope: &Scope, id: PersonId) -> StoreResult<kaeru_domain::Outlook> {
    let r = row::Entity::find_by_id(id.0)
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .one(&db.read)
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(outlook_of(&r))
}

fn outlook_of(r: &row::Model) -> kaeru_domain::Outlook {
    kaeru_domain::Outlook {
        intent: r
            .return_intent
            .as_deref()
            .and_then(kaeru_domain::ReturnIntent::parse),
        work_style: r
            .work_style
            .as_deref()
            .and_then(kaeru_domain::WorkStyle::parse),
        days_per_week: r.days_per_week,
        last_contact_on: r.last_contact_on,
    }
}

pub async fn set_outlook(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    id: PersonId,
    o: &kaeru_domain::Outlook,
) -> StoreResult<()> {
    let tx = db.write.begin().await?;
    let current = live(&tx, scope, id).await?;
    let before = outlook_of(&current);
    let mut am: row::ActiveModel = current.into();
    am.return_intent = Set(o.intent.map(|x| x.code().to_string()));
    am.work_style = Set(o.work_style.map(|x| x.code().to_string()));
    am.days_per_week = Set(o.days_per_week);
    am.last_contact_on = Set(o.last_contact_on);
    am.updated_at = Set(now());
    am.update(&tx).await?;
    audit::record(
        &tx,
        scope,
        Change {
            action: "outlook.update",
            entity: "person",
            entity_id: id.0,
            person_id: Some(id),
            changes: audit::diff(
                &serde_json::to_value(&before).unwrap_or_default(),
                &serde_json::to_value(o).unwrap_or_default(),
            ),
            actor,
        },
    )
    .await?;
    companies::bump_revision_for(&tx, scope, &[id]).await?;
    tx.commit().await?;
    Ok(())
}

/// The one guard of every write about a person: the person of the scope's company, read inside `conn` (the
/// transaction about to write about them) and, on PostgreSQL, locked until it ends, so an erasure running
/// at the same time waits for the write or the write for the erasure. An erased person is
/// [`StoreError::Erased`]: nothing about them may be written again.
pub(crate) async fn live(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    person: PersonId,
) -> StoreResult<row::Model> {
    let mut q =
        row::Entity::find_by_id(person.0).filter(row::Column::CompanyId.eq(scope.company_id().0));
    if conn.get_database_backend() == DbBackend::Postgres {
        q = q.lock_exclusive();
    }
    let r = q.one(conn).await?.ok_or(StoreError::NotFound)?;
    if r.erased_at.is_some() {
        return Err(StoreError::Erased);
    }
    Ok(r)
}

/// The names (「姓 名」) of some of the company's people, for greetings in messages.
pub async fn greeting_names(
    db: &Db,
    scope: &Scope,
    people: &[PersonId],
) -> StoreResult<std::collections::HashMap<PersonId, String>> {
    let mut out = std::collections::HashMap::with_capacity(people.len());
    for chunk in people.chunks(500) {
        let rows: Vec<(uuid::Uuid, String, String)> = row::Entity::find()
            .select_only()
            .columns([
                row::Column::Id,
                row::Column::FamilyName,
                row::Column::GivenName,
            ])
            .filter(row::Column::CompanyId.eq(scope.company_id().0))
            .filter(row::Column::Id.is_in(chunk.iter().map(|p| p.0)))
            .into_tuple()
            .all(&db.read)
            .await?;
        for (id, family, given) in rows {
            out.insert(PersonId(id), format!("{family} {given}"));
        }
    }
    Ok(out)
}
