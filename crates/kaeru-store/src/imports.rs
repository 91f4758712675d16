//! Imports of people from HR systems: checked rows ([`kaeru_exchange::ImportRow`]) matched to the people
//! already known — by employee number, else by the same name and birth date, else the same name and hire
//! date — and written in one transaction: new people in bulk, changes to known ones, nothing for rows that
//! change nothing. What the rows do is decided before anything is written ([`plan`]); a dry run stops there,
//! reading only, and its counts are exactly what the import will do.

use crate::audit::{self, Change};
use crate::bulk::{BulkPerson, insert_people_in};
use crate::entity::{
    employment_stint as stint_row, import_mapping as map_row, person as person_row,
    person_email as email_row,
};
use crate::{Actor, Db, Scope, StoreResult, companies, now};
use chrono::NaiveDate;
use kaeru_domain::{Outlook, PersonId, PersonStatus, StintDraft};
use kaeru_exchange::ImportRow;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, TransactionTrait,
};
use std::collections::HashMap;
use uuid::Uuid;

/// What an import did (or, for a dry run, would do).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportSummary {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Rows left out because an e-mail address belongs to someone else (line, address).
    pub email_taken: Vec<(usize, String)>,
    /// Whether the rows were written (not a dry run, and no left-out row unless only valid rows were asked for).
    #[serde(skip)]
    pub written: bool,
}

/// The company's remembered column choices: folded header → field code.
pub async fn saved_mappings(db: &Db, scope: &Scope) -> StoreResult<HashMap<String, String>> {
    Ok(map_row::Entity::find()
        .filter(map_row::Column::CompanyId.eq(scope.company_id().0))
        .all(&db.read)
        .await?
        .into_iter()
        .map(|m| (m.header_key, m.field))
        .collect())
}

/// Remembers column choices for the next file (replacing earlier choices for the same headers).
pub async fn save_mappings(
    db: &Db,
    scope: &Scope,
    choices: &[(String, String)],
) -> StoreResult<()> {
    let c = scope.company_id().0;
    let tx = db.write.begin().await?;
    for (key, field) in choices {
        map_row::Entity::delete_many()
            .filter(map_row::Column::CompanyId.eq(c))
            .filter(map_row::Column::HeaderKey.eq(key.as_str()))
            .exec(&tx)
            .await?;
        map_row::ActiveModel {
            id: Set(Uuid::now_v7()),
            company_id: Set(c),
            header_key: Set(key.clone()),
            field: Set(field.clone()),
            updated_at: Set(now()),
        }
        .insert(&tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A known person as an import compares them: only the columns a file can change.
#[derive(Clone, Debug, sea_orm::FromQueryResult)]
struct KnownPerson {
    id: Uuid,
    employee_number: Option<String>,
    family_name: String,
    given_name: String,
    family_kana: String,
    given_kana: String,
    birth_date: Option<NaiveDate>,
    phone: Option<String>,
    prefecture: Option<String>,
}

/// A known stint, with the columns a file can change.
#[derive(Clone, Debug, sea_orm::FromQueryResult)]
struct KnownStint {
    id: Uuid,
    person_id: Uuid,
    start_date: NaiveDate,
    end_date: Option<NaiveDate>,
    department: Option<String>,
    job_title: Option<String>,
    employment_type: String,
    leave_reason: Option<String>,
    leave_reason_detail: Option<String>,
}

struct Known {
    row: KnownPerson,
    emails: Vec<String>,
    stints: Vec<KnownStint>,
}

fn name_key(family: &str, given: &str) -> String {
    kaeru_search::fold(&format!("{family}{given}")).replace(' ', "")
}

/// Everyone the company knows, with addresses and stints, in three lean queries (only what an import compares).
async fn load_known(conn: &impl ConnectionTrait, c: Uuid) -> StoreResult<Vec<Known>> {
    use sea_orm::QuerySelect;
    let mut known: Vec<Known> = person_row::Entity::find()
        .select_only()
        .columns([
            person_row::Column::Id,
            person_row::Column::EmployeeNumber,
            person_row::Column::FamilyName,
            person_row::Column::GivenName,
            person_row::Column::FamilyKana,
            person_row::Column::GivenKana,
            person_row::Column::BirthDate,
            person_row::Column::Phone,
            person_row::Column::Prefecture,
        ])
        .filter(person_row::Column::CompanyId.eq(c))
        .filter(person_row::Column::ErasedAt.is_null())
        .into_model::<KnownPerson>()
        .all(conn)
        .await?
        .into_iter()
        .map(|row| Known {
            row,
            emails: Vec::new(),
            stints: Vec::new(),
        })
        .collect();
    let index: HashMap<Uuid, usize> = known
        .iter()
        .enumerate()
        .map(|(i, k)| (k.row.id, i))
        .collect();
    let emails: Vec<(Uuid, String)> = email_row::Entity::find()
        .select_only()
        .columns([email_row::Column::PersonId, email_row::Column::Email])
        .filter(email_row::Column::CompanyId.eq(c))
        .into_tuple()
        .all(conn)
        .await?;
    for (person, email) in emails {
        if let Some(i) = index.get(&person) {
            known[*i].emails.push(email);
        }
    }
    for s in stint_row::Entity::find()
        .select_only()
        .columns([
            stint_row::Column::Id,
            stint_row::Column::PersonId,
            stint_row::Column::StartDate,
            stint_row::Column::EndDate,
            stint_row::Column::Department,
            stint_row::Column::JobTitle,
            stint_row::Column::EmploymentType,
            stint_row::Column::LeaveReason,
            stint_row::Column::LeaveReasonDetail,
        ])
        .filter(stint_row::Column::CompanyId.eq(c))
        .into_model::<KnownStint>()
        .all(conn)
        .await?
    {
        if let Some(i) = index.get(&s.person_id) {
            known[*i].stints.push(s);
        }
    }
    Ok(known)
}

/// How [`apply`] treats the rows.
#[derive(Clone, Copy, Debug, Default)]
pub struct Mode {
    /// Count what would happen, write nothing.
    pub dry_run: bool,
    /// Write the other rows even when some are left out (an address that belongs to someone else).
    pub only_valid: bool,
}

/// What an import does to a stint of a known person.
enum StintChange {
    /// The stint with the row's hire date, with its new values.
    Update(KnownStint),
    Add(StintDraft),
}

/// What an import does to one known person: their new values where anything changed, and why (for the audit).
struct Update {
    person: Uuid,
    /// The person's columns with the file's values, when any of them changed.
    fields: Option<KnownPerson>,
    /// New addresses with their positions.
    new_emails: Vec<(String, i32)>,
    stint: Option<StintChange>,
    changes: serde_json::Map<String, serde_json::Value>,
}

/// Everything an import will do, decided before anything is written.
struct Plan {
    summary: ImportSummary,
    new_people: Vec<BulkPerson>,
    updates: Vec<Update>,
}

/// The known person a row is about: the same employee number, else one (and only one) person with the same
/// name and birth date (or, without a birth date, the same name and hire date) and no other employee number.
fn match_row(
    known: &[Known],
    by_number: &HashMap<&str, usize>,
    by_name: &HashMap<String, Vec<usize>>,
    r: &ImportRow,
) -> Option<usize> {
    if let Some(i) = r.employee_number.as_deref().and_then(|n| by_number.get(n)) {
        return Some(*i);
    }
    let candidates: Vec<usize> = by_name
        .get(&name_key(&r.person.family_name, &r.person.given_name))
        .map(|v| {
            v.iter()
                .copied()
                .filter(|i| {
                    let k = &known[*i];
                    // Someone with another employee number is someone else.
                    let other_number = matches!(
                        (&k.row.employee_number, &r.employee_number),
                        (Some(a), Some(b)) if a != b
                    );
                    let same_birth =
                        r.person.birth_date.is_some() && k.row.birth_date == r.person.birth_date;
                    let same_hire = r.person.birth_date.is_none()
                        && r.stint
                            .as_ref()
                            .is_some_and(|s| k.stints.iter().any(|x| x.start_date == s.start_date));
                    !other_number && (same_birth || same_hire)
                })
                .collect()
        })
        .unwrap_or_default();
    (candidates.len() == 1).then(|| candidates[0])
}

/// Decides, without writing, what the rows do: who is new, who changes (and how), whose address is taken.
fn plan(known: &[Known], rows: &[ImportRow], c: Uuid, today: NaiveDate) -> Plan {
    let by_number: HashMap<&str, usize> = known
        .iter()
        .enumerate()
        .filter_map(|(i, k)| k.row.employee_number.as_deref().map(|n| (n, i)))
        .collect();
    let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, k) in known.iter().enumerate() {
        by_name
            .entry(name_key(&k.row.family_name, &k.row.given_name))
            .or_default()
            .push(i);
    }
    // Who has each address: an address belongs to one person of the company (and the file may not give one
    // address to two new people).
    let mut email_owner: HashMap<String, Uuid> = HashMap::new();
    for k in known {
        for e in &k.emails {
            email_owner.insert(e.clone(), k.row.id);
        }
    }
    let mut out = Plan {
        summary: ImportSummary::default(),
        new_people: Vec::new(),
        updates: Vec::new(),
    };
    for r in rows {
        let matched = match_row(known, &by_number, &by_name, r);
        let owner = matched
            .map(|i| known[i].row.id)
            .unwrap_or_else(Uuid::now_v7);
        if let Some(e) = r
            .person
            .emails
            .iter()
            .find(|e| email_owner.get(e.as_str()).is_some_and(|o| *o != owner))
        {
            out.summary.email_taken.push((r.line, e.to_string()));
            continue;
        }
        for e in &r.person.emails {
            email_owner.insert(e.to_string(), owner);
        }
        match matched {
            Some(i) => match diff_known(&known[i], r) {
                Some(u) => {
                    out.summary.updated += 1;
                    out.updates.push(u);
                }
                None => out.summary.unchanged += 1,
            },
            None => {
                let stints: Vec<_> = r.stint.iter().cloned().collect();
                let domain_stints: Vec<kaeru_domain::EmploymentStint> = stints
                    .iter()
                    .map(|s| crate::stints::draft_to_domain(s, c))
                    .collect();
                out.new_people.push(BulkPerson {
                    person: r.person.clone(),
                    status: PersonStatus::derive(&domain_stints, false, today),
                    outlook: Outlook::default(),
                    stints,
                    skills: Vec::new(),
                    careers: Vec::new(),
                    offer: None,
                    engagements: Vec::new(),
                });
                out.summary.created += 1;
            }
        }
    }
    out
}

/// Writes the rows, or with `dry_run` only counts what would happen (reading, never writing). `progress` is
/// told how many rows are done.
pub async fn apply(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    rows: &[ImportRow],
    today: NaiveDate,
    mode: Mode,
    progress: impl Fn(usize),
) -> StoreResult<ImportSummary> {
    let Mode {
        dry_run,
        only_valid,
    } = mode;
    let c = scope.company_id().0;
    let started = std::time::Instant::now();
    if dry_run {
        // One read snapshot; nothing is written, so a preview never waits for (or holds) the writer.
        let tx = db.read.begin().await?;
        let known = load_known(&tx, c).await?;
        tx.rollback().await?;
        let plan = plan(&known, rows, c, today);
        progress(rows.len());
        tracing::info!(
            rows = rows.len(),
            ms = started.elapsed().as_millis() as u64,
            "import dry run planned"
        );
        return Ok(plan.summary);
    }
    let result = write(db, scope, actor, rows, today, only_valid, progress).await;
    // The writer's page cache grows for a big import; given back however the import ended.
    crate::bulk::release_cache(db).await;
    let summary = result?;
    if summary.written && summary.created > 1000 {
        crate::bulk::analyze(db).await?;
    }
    Ok(summary)
}

/// Plans the rows against the company's people read inside the write transaction, then writes them all or
/// (with a row left out and not `only_valid`) nothing.
async fn write(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    rows: &[ImportRow],
    today: NaiveDate,
    only_valid: bool,
    progress: impl Fn(usize),
) -> StoreResult<ImportSummary> {
    let c = scope.company_id().0;
    let started = std::time::Instant::now();
    let tx = db.write.begin().await?;
    let known = load_known(&tx, c).await?;
    let Plan {
        mut summary,
        new_people,
        updates,
    } = plan(&known, rows, c, today);
    drop(known);
    tracing::info!(
        ms = started.elapsed().as_millis() as u64,
        "import rows matched"
    );
    if !summary.email_taken.is_empty() && !only_valid {
        tx.rollback().await?;
        return Ok(summary);
    }
    let base = rows.len() - new_people.len() - updates.len();
    progress(base);
    let touched: Vec<PersonId> = updates.iter().map(|u| PersonId(u.person)).collect();
    write_updates(&tx, scope, actor, updates).await?;
    let base = rows.len() - new_people.len();
    progress(base);
    insert_people_in(&tx, scope, actor, &new_people, today, |n| {
        progress(base + n);
    })
    .await?;
    tracing::info!(
        rows = rows.len(),
        created = new_people.len(),
        ms = started.elapsed().as_millis() as u64,
        "import rows written"
    );
    crate::status::store_many(&tx, scope, &touched, today).await?;
    summary.written = true;
    audit::record(
        &tx,
        scope,
        Change {
            action: "people.import",
            entity: "company",
            entity_id: c,
            person_id: None,
            changes: serde_json::to_value(&summary).unwrap_or_default(),
            actor,
        },
    )
    .await?;
    companies::bump_revision(&tx, scope).await?;
    tx.commit().await?;
    progress(rows.len());
    Ok(summary)
}

/// What a row changes for a known person, or `None` when it changes nothing: fields the file has overwrite,
/// fields it leaves empty stay; the stint with the same hire date is updated, or the row's stint added; new
/// addresses are added and addresses the file does not list stay (people give HR more than one).
fn diff_known(k: &Known, r: &ImportRow) -> Option<Update> {
    let p = &r.person;
    let mut changes = serde_json::Map::new();
    let mut f = k.row.clone();
    macro_rules! set {
        ($field:ident, $new:expr) => {
            let new = $new;
            if new != f.$field {
                changes.insert(
                    stringify!($field).into(),
                    serde_json::json!([f.$field, new]),
                );
                f.$field = new;
            }
        };
    }
    set!(family_name, p.family_name.clone());
    set!(given_name, p.given_name.clone());
    set!(family_kana, p.family_kana.to_string());
    set!(given_kana, p.given_kana.to_string());
    if r.employee_number.is_some() {
        set!(employee_number, r.employee_number.clone());
    }
    if p.birth_date.is_some() {
        set!(birth_date, p.birth_date);
    }
    if p.phone.is_some() {
        set!(phone, p.phone.clone());
    }
    if p.prefecture.is_some() {
        set!(prefecture, p.prefecture.clone());
    }
    let fields = (!changes.is_empty()).then_some(f);
    let new_emails: Vec<(String, i32)> = p
        .emails
        .iter()
        .map(ToString::to_string)
        .filter(|e| !k.emails.contains(e))
        .enumerate()
        .map(|(i, e)| (e, (k.emails.len() + i) as i32))
        .collect();
    if let Some((e, _)) = new_emails.last() {
        changes.insert("email_added".into(), serde_json::json!(e));
    }
    let stint = r.stint.as_ref().and_then(|s| {
        match k.stints.iter().find(|x| x.start_date == s.start_date) {
            Some(x) => {
                let mut n = x.clone();
                let mut changed = false;
                macro_rules! stint_set {
                    ($field:ident, $new:expr) => {
                        let new = $new;
                        if new != x.$field {
                            changes.insert(
                                format!("stint.{}", stringify!($field)),
                                serde_json::json!([x.$field, new]),
                            );
                            n.$field = new;
                            changed = true;
                        }
                    };
                }
                stint_set!(end_date, s.end_date);
                if s.department.is_some() {
                    stint_set!(department, s.department.clone());
                }
                if s.job_title.is_some() {
                    stint_set!(job_title, s.job_title.clone());
                }
                stint_set!(employment_type, s.employment_type.code().to_string());
                if s.leave_reason.is_some() {
                    let same_category = x.leave_reason.as_deref()
                        == s.leave_reason.map(kaeru_domain::LeaveReason::code);
                    stint_set!(leave_reason, s.leave_reason.map(|l| l.code().to_string()));
                    // A file that only names the category (an export of ours: 定年) keeps the detail.
                    if !(same_category && x.leave_reason_detail.is_none()) {
                        stint_set!(leave_reason_detail, s.leave_reason_detail.clone());
                    }
                }
                changed.then_some(StintChange::Update(n))
            }
            None => {
                changes.insert("stint.added".into(), serde_json::json!(s.start_date));
                Some(StintChange::Add(s.clone()))
            }
        }
    });
    if changes.is_empty() {
        return None;
    }
    Some(Update {
        person: k.row.id,
        fields,
        new_emails,
        stint,
        changes,
    })
}

/// Writes the planned changes to known people, with an audit entry each; new addresses, stints and the audit
/// entries go in bulk.
async fn write_updates(
    tx: &sea_orm::DatabaseTransaction,
    scope: &Scope,
    actor: &Actor,
    updates: Vec<Update>,
) -> StoreResult<()> {
    use sea_orm::sea_query::Expr;
    let c = scope.company_id().0;
    let mut emails = Vec::new();
    let mut stints = Vec::new();
    let mut audits = Vec::new();
    for u in updates {
        let person = PersonId(u.person);
        if let Some(f) = u.fields {
            person_row::Entity::update_many()
                .col_expr(
                    person_row::Column::SortKey,
                    Expr::value(kaeru_search::kana_sort_key(&f.family_kana, &f.given_kana)),
                )
                .col_expr(person_row::Column::FamilyName, Expr::value(f.family_name))
                .col_expr(person_row::Column::GivenName, Expr::value(f.given_name))
                .col_expr(person_row::Column::FamilyKana, Expr::value(f.family_kana))
                .col_expr(person_row::Column::GivenKana, Expr::value(f.given_kana))
                .col_expr(
                    person_row::Column::EmployeeNumber,
                    Expr::value(f.employee_number),
                )
                .col_expr(person_row::Column::BirthDate, Expr::value(f.birth_date))
                .col_expr(person_row::Column::Phone, Expr::value(f.phone))
                .col_expr(person_row::Column::Prefecture, Expr::value(f.prefecture))
                .col_expr(person_row::Column::UpdatedAt, Expr::value(now()))
                .filter(person_row::Column::CompanyId.eq(c))
                .filter(person_row::Column::Id.eq(u.person))
                .exec(tx)
                .await?;
        }
        for (email, position) in u.new_emails {
            emails.push(email_row::ActiveModel {
                company_id: Set(c),
                person_id: Set(u.person),
                email: Set(email),
                position: Set(position),
            });
        }
        match u.stint {
            Some(StintChange::Update(s)) => {
                stint_row::Entity::update_many()
                    .col_expr(stint_row::Column::EndDate, Expr::value(s.end_date))
                    .col_expr(stint_row::Column::Department, Expr::value(s.department))
                    .col_expr(stint_row::Column::JobTitle, Expr::value(s.job_title))
                    .col_expr(
                        stint_row::Column::EmploymentType,
                        Expr::value(s.employment_type),
                    )
                    .col_expr(stint_row::Column::LeaveReason, Expr::value(s.leave_reason))
                    .col_expr(
                        stint_row::Column::LeaveReasonDetail,
                        Expr::value(s.leave_reason_detail),
                    )
                    .col_expr(stint_row::Column::UpdatedAt, Expr::value(now()))
                    .filter(stint_row::Column::CompanyId.eq(c))
                    .filter(stint_row::Column::Id.eq(s.id))
                    .exec(tx)
                    .await?;
            }
            Some(StintChange::Add(s)) => stints.push(crate::bulk::stint_model(c, person, &s)),
            None => {}
        }
        audits.push(audit::entry(
            scope,
            Change {
                action: "person.import_update",
                entity: "person",
                entity_id: u.person,
                person_id: Some(person),
                changes: serde_json::Value::Object(u.changes),
                actor,
            },
        ));
    }
    crate::bulk::insert_chunks(tx, emails).await?;
    crate::bulk::insert_chunks(tx, stints).await?;
    crate::bulk::insert_chunks(tx, audits).await?;
    Ok(())
}

/// An uploaded file waiting to be imported.
#[derive(Clone, Debug)]
pub struct Upload {
    pub id: Uuid,
    pub filename: String,
    pub data: Vec<u8>,
    pub uploaded_by: String,
}

/// Keeps an uploaded file until it is imported; uploads older than a day are cleared on the way.
pub async fn keep_upload(
    db: &Db,
    scope: &Scope,
    filename: &str,
    data: Vec<u8>,
    uploaded_by: &str,
) -> StoreResult<Uuid> {
    use crate::entity::import_upload as up;
    let c = scope.company_id().0;
    let tx = db.write.begin().await?;
    up::Entity::delete_many()
        .filter(up::Column::CompanyId.eq(c))
        .filter(up::Column::CreatedAt.lt(now() - chrono::Duration::days(1)))
        .exec(&tx)
        .await?;
    let id = Uuid::now_v7();
    up::ActiveModel {
        id: Set(id),
        company_id: Set(c),
        filename: Set(filename.chars().take(200).collect()),
        data: Set(data),
        uploaded_by: Set(uploaded_by.chars().take(100).collect()),
        created_at: Set(now()),
    }
    .insert(&tx)
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn upload(db: &Db, scope: &Scope, id: Uuid) -> StoreResult<Upload> {
    use crate::entity::import_upload as up;
    up::Entity::find_by_id(id)
        .filter(up::Column::CompanyId.eq(scope.company_id().0))
        .one(&db.read)
        .await?
        .map(|u| Upload {
            id: u.id,
            filename: u.filename,
            data: u.data,
            uploaded_by: u.uploaded_by,
        })
        .ok_or(crate::StoreError::NotFound)
}

pub async fn drop_upload(db: &Db, scope: &Scope, id: Uuid) -> StoreResult<()> {
    use crate::entity::import_upload as up;
    up::Entity::delete_many()
        .filter(up::Column::CompanyId.eq(scope.company_id().0))
        .filter(up::Column::Id.eq(id))
        .exec(&db.write)
        .await?;
    Ok(())
}
