//! Imports of people from HR systems: checked rows ([`kaeru_exchange::ImportRow`]) matched to the people
//! already known — by employee number, else by the same name and birth date, else the same name and hire
//! date — and written in one transaction: new people in bulk, changes to known ones, nothing for rows that
//! change nothing. A dry run does all of it and rolls back, so its counts are exactly what the import will do.

use crate::audit::{self, Change};
use crate::bulk::{BulkPerson, insert_people_in};
use crate::entity::{
    employment_stint as stint_row, import_mapping as map_row, person as person_row,
    person_email as email_row,
};
use crate::{Actor, Db, Scope, StoreResult, companies, now};
use chrono::NaiveDate;
use kaeru_domain::{Outlook, PersonId, PersonStatus};
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

struct Known {
    row: person_row::Model,
    emails: Vec<String>,
    stints: Vec<stint_row::Model>,
}

fn name_key(family: &str, given: &str) -> String {
    kaeru_search::fold(&format!("{family}{given}")).replace(' ', "")
}

/// How [`apply`] treats the rows.
#[derive(Clone, Copy, Debug, Default)]
pub struct Mode {
    /// Count what would happen, write nothing.
    pub dry_run: bool,
    /// Write the other rows even when some are left out (an address that belongs to someone else).
    pub only_valid: bool,
}

/// Writes the rows, or with `dry_run` only counts what would happen. `progress` is told how many rows are done.
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
    let tx = db.write.begin().await?;
    // Everyone the company knows, with addresses and stints, in three queries.
    let mut known: Vec<Known> = person_row::Entity::find()
        .filter(person_row::Column::CompanyId.eq(c))
        .filter(person_row::Column::ErasedAt.is_null())
        .all(&tx)
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
    for e in email_row::Entity::find()
        .filter(email_row::Column::CompanyId.eq(c))
        .all(&tx)
        .await?
    {
        if let Some(i) = index.get(&e.person_id) {
            known[*i].emails.push(e.email);
        }
    }
    for s in stint_row::Entity::find()
        .filter(stint_row::Column::CompanyId.eq(c))
        .all(&tx)
        .await?
    {
        if let Some(i) = index.get(&s.person_id) {
            known[*i].stints.push(s);
        }
    }
    let by_number: HashMap<String, usize> = known
        .iter()
        .enumerate()
        .filter_map(|(i, k)| k.row.employee_number.clone().map(|n| (n, i)))
        .collect();
    let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, k) in known.iter().enumerate() {
        by_name
            .entry(name_key(&k.row.family_name, &k.row.given_name))
            .or_default()
            .push(i);
    }

    let mut summary = ImportSummary::default();
    let mut new_people = Vec::new();
    let mut touched: Vec<PersonId> = Vec::new();
    // Who has each address: an address belongs to one person of the company (and the file may not give one
    // address to two new people).
    let mut email_owner: HashMap<String, Uuid> = HashMap::new();
    for k in &known {
        for e in &k.emails {
            email_owner.insert(e.clone(), k.row.id);
        }
    }
    for (done, r) in rows.iter().enumerate() {
        let matched = match r.employee_number.as_ref().and_then(|n| by_number.get(n)) {
            Some(i) => Some(*i),
            None => {
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
                                let same_birth = r.person.birth_date.is_some()
                                    && k.row.birth_date == r.person.birth_date;
                                let same_hire = r.person.birth_date.is_none()
                                    && r.stint.as_ref().is_some_and(|s| {
                                        k.stints.iter().any(|x| x.start_date == s.start_date)
                                    });
                                !other_number && (same_birth || same_hire)
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                (candidates.len() == 1).then(|| candidates[0])
            }
        };
        let owner = matched
            .map(|i| known[i].row.id)
            .unwrap_or_else(Uuid::now_v7);
        if let Some(e) = r
            .person
            .emails
            .iter()
            .find(|e| email_owner.get(e.as_str()).is_some_and(|o| *o != owner))
        {
            summary.email_taken.push((r.line, e.to_string()));
            continue;
        }
        for e in &r.person.emails {
            email_owner.insert(e.to_string(), owner);
        }
        match matched {
            Some(i) => {
                if update_known(&tx, scope, actor, &known[i], r).await? {
                    summary.updated += 1;
                    touched.push(PersonId(known[i].row.id));
                } else {
                    summary.unchanged += 1;
                }
            }
            None => {
                let stints: Vec<_> = r.stint.iter().cloned().collect();
                let domain_stints: Vec<kaeru_domain::EmploymentStint> = stints
                    .iter()
                    .map(|s| crate::stints::draft_to_domain(s, c))
                    .collect();
                new_people.push(BulkPerson {
                    person: r.person.clone(),
                    status: PersonStatus::derive(&domain_stints, false, today),
                    outlook: Outlook::default(),
                    stints,
                    skills: Vec::new(),
                    careers: Vec::new(),
                    offer: None,
                });
                summary.created += 1;
            }
        }
        if done % 500 == 0 {
            progress(done);
        }
    }
    let created = new_people.len();
    let base = rows.len() - created;
    tracing::info!(
        ms = started.elapsed().as_millis() as u64,
        "import rows matched"
    );
    insert_people_in(&tx, scope, actor, &new_people, today, |n| {
        progress(base + n);
    })
    .await?;
    tracing::info!(
        rows = rows.len(),
        created,
        ms = started.elapsed().as_millis() as u64,
        dry_run,
        "import rows written"
    );
    crate::status::store_many(&tx, scope, &touched, today).await?;
    progress(rows.len());
    if dry_run || (!summary.email_taken.is_empty() && !only_valid) {
        tx.rollback().await?;
        return Ok(summary);
    }
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
    if created > 1000 {
        db.write.execute_unprepared("ANALYZE").await?;
    }
    Ok(summary)
}

/// Brings a known person in line with a row: fields the file has overwrite, fields it leaves empty stay; the
/// stint with the same hire date is updated, or the row's stint added. Returns whether anything changed.
async fn update_known(
    tx: &impl ConnectionTrait,
    scope: &Scope,
    actor: &Actor,
    k: &Known,
    r: &ImportRow,
) -> StoreResult<bool> {
    let p = &r.person;
    let mut changes = serde_json::Map::new();
    let mut am: person_row::ActiveModel = k.row.clone().into();
    macro_rules! set {
        ($field:ident, $col:literal, $new:expr, $old:expr) => {
            if $new != $old {
                changes.insert($col.into(), serde_json::json!([$old, $new]));
                am.$field = Set($new);
            }
        };
    }
    set!(
        family_name,
        "family_name",
        p.family_name.clone(),
        k.row.family_name.clone()
    );
    set!(
        given_name,
        "given_name",
        p.given_name.clone(),
        k.row.given_name.clone()
    );
    set!(
        family_kana,
        "family_kana",
        p.family_kana.to_string(),
        k.row.family_kana.clone()
    );
    set!(
        given_kana,
        "given_kana",
        p.given_kana.to_string(),
        k.row.given_kana.clone()
    );
    if r.employee_number.is_some() {
        set!(
            employee_number,
            "employee_number",
            r.employee_number.clone(),
            k.row.employee_number.clone()
        );
    }
    if p.birth_date.is_some() {
        set!(birth_date, "birth_date", p.birth_date, k.row.birth_date);
    }
    if p.phone.is_some() {
        set!(phone, "phone", p.phone.clone(), k.row.phone.clone());
    }
    if p.prefecture.is_some() {
        set!(
            prefecture,
            "prefecture",
            p.prefecture.clone(),
            k.row.prefecture.clone()
        );
    }
    let person = PersonId(k.row.id);
    if !changes.is_empty() {
        am.sort_key = Set(kaeru_search::kana_sort_key(&p.family_kana, &p.given_kana));
        am.updated_at = Set(now());
        am.update(tx).await?;
    }
    // New addresses are added; addresses the file does not list stay (people give HR more than one).
    let new_emails: Vec<String> = p
        .emails
        .iter()
        .map(ToString::to_string)
        .filter(|e| !k.emails.contains(e))
        .collect();
    for (i, e) in new_emails.iter().enumerate() {
        email_row::ActiveModel {
            company_id: Set(scope.company_id().0),
            person_id: Set(person.0),
            email: Set((*e).clone()),
            position: Set((k.emails.len() + i) as i32),
        }
        .insert(tx)
        .await?;
        changes.insert("email_added".into(), serde_json::json!(e));
    }
    if let Some(s) = &r.stint {
        match k.stints.iter().find(|x| x.start_date == s.start_date) {
            Some(x) => {
                let mut sm: stint_row::ActiveModel = x.clone().into();
                let mut changed = false;
                macro_rules! stint_set {
                    ($field:ident, $new:expr) => {
                        if $new != x.$field {
                            changes.insert(
                                format!("stint.{}", stringify!($field)),
                                serde_json::json!([x.$field, $new]),
                            );
                            sm.$field = Set($new);
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
                if changed {
                    sm.updated_at = Set(now());
                    sm.update(tx).await?;
                }
            }
            None => {
                crate::bulk::stint_model(scope.company_id().0, person, s)
                    .insert(tx)
                    .await?;
                changes.insert("stint.added".into(), serde_json::json!(s.start_date));
            }
        }
    }
    if changes.is_empty() {
        return Ok(false);
    }
    audit::record(
        tx,
        scope,
        Change {
            action: "person.import_update",
            entity: "person",
            entity_id: person.0,
            person_id: Some(person),
            changes: serde_json::Value::Object(changes),
            actor,
        },
    )
    .await?;
    Ok(true)
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
