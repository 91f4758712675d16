//! Writing many people at once (a synthetic company for benchmarks, later large imports): multi-row inserts in
//! chunks inside one transaction, one revision bump and one audit entry at the end. All or nothing.

use crate::audit::{self, Change};
use crate::entity::{
    career, employment_stint as stint_row, person as person_row, person_email, person_skill,
    return_offer,
};
use crate::{Actor, Db, Scope, StoreResult, companies, now};
use chrono::{Datelike, NaiveDate};
use kaeru_domain::engagement::EngagementDraft;
use kaeru_domain::{
    CareerDraft, OfferStatus, OfferTerm, Outlook, PersonDraft, PersonId, PersonSkillDraft,
    PersonStatus, StintDraft,
};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait, TransactionTrait};

/// One person with everything that hangs off them.
#[derive(Clone, Debug)]
pub struct BulkPerson {
    pub person: PersonDraft,
    pub status: PersonStatus,
    pub outlook: Outlook,
    pub stints: Vec<StintDraft>,
    pub skills: Vec<PersonSkillDraft>,
    pub careers: Vec<CareerDraft>,
    /// An issued return offer with this window.
    pub offer: Option<(NaiveDate, NaiveDate)>,
    /// 業務委託 contracts (the status given above should already say 業務委託 for an active one).
    pub engagements: Vec<EngagementDraft>,
}

/// The PostgreSQL type of a column's values, for the array cast of an UNNEST insert.
fn pg_type(v: &sea_orm::Value) -> Option<&'static str> {
    use sea_orm::Value as V;
    Some(match v {
        V::Uuid(_) => "uuid",
        V::String(_) => "text",
        V::ChronoDate(_) => "date",
        V::ChronoDateTimeUtc(_) => "timestamptz",
        V::Int(_) => "int4",
        V::BigInt(_) => "int8",
        V::SmallInt(_) => "int2",
        V::Bool(_) => "bool",
        V::Double(_) => "float8",
        _ => return None,
    })
}

/// Writes a value as JSON for `json_to_recordset` straight into the statement's text (dates and times as ISO
/// text); `false` for NULL, which is left out (a key left out reads as NULL). Written without a
/// `serde_json::Value` in between: that copied every string of 100,000 people once more.
fn push_json(text: &mut String, v: &sea_orm::Value) -> bool {
    use sea_orm::Value as V;
    use std::fmt::Write;
    match v {
        V::Uuid(Some(u)) => {
            text.push('"');
            text.push_str(
                u.hyphenated()
                    .encode_lower(&mut uuid::Uuid::encode_buffer()),
            );
            text.push('"');
        }
        V::String(Some(s)) => push_json_string(text, s),
        V::ChronoDate(Some(d)) => {
            let _ = write!(text, "\"{d}\"");
        }
        V::ChronoDateTimeUtc(Some(t)) => {
            let _ = write!(text, "\"{}\"", t.to_rfc3339());
        }
        V::Int(Some(n)) => {
            let _ = write!(text, "{n}");
        }
        V::BigInt(Some(n)) => {
            let _ = write!(text, "{n}");
        }
        V::SmallInt(Some(n)) => {
            let _ = write!(text, "{n}");
        }
        V::Bool(Some(b)) => text.push_str(if *b { "true" } else { "false" }),
        V::Double(Some(f)) if f.is_finite() => {
            let _ = write!(text, "{f:?}");
        }
        _ => return false,
    }
    true
}

/// A JSON string: quotes, backslashes and control characters escaped, everything else (𠮷 included) as it is.
fn push_json_string(text: &mut String, s: &str) {
    use std::fmt::Write;
    text.push('"');
    let mut rest = s;
    while let Some(at) = rest.find(|c: char| c == '"' || c == '\\' || c < ' ') {
        text.push_str(&rest[..at]);
        let c = rest[at..].chars().next().unwrap_or(' ');
        match c {
            '"' => text.push_str("\\\""),
            '\\' => text.push_str("\\\\"),
            '\n' => text.push_str("\\n"),
            '\r' => text.push_str("\\r"),
            '\t' => text.push_str("\\t"),
            other => {
                let _ = write!(text, "\\u{:04x}", u32::from(other));
            }
        }
        rest = &rest[at + c.len_utf8()..];
    }
    text.push_str(rest);
    text.push('"');
}

/// On PostgreSQL, one `INSERT … SELECT … FROM json_to_recordset($1::json)` per 10,000 rows: the rows travel as
/// one JSON text parameter, so the statement stays small however many rows it carries (a multi-row VALUES list
/// of 400 rows has 12,000 parameters to parse and plan, which made 100,000 people take half a minute). As
/// `json`, not `jsonb`: PostgreSQL reads the text once as it goes instead of building a `jsonb` value first,
/// which took twice as long (measured: 10,000 people 130 ms against 290 ms, docs/PERFORMANCE.md).
async fn insert_unnest<E, A>(tx: &sea_orm::DatabaseTransaction, rows: Vec<A>) -> StoreResult<()>
where
    E: EntityTrait,
    A: sea_orm::ActiveModelTrait<Entity = E> + Send,
{
    for statement in unnest_statements::<E, A>(rows)? {
        tx.execute_raw(statement).await?;
    }
    Ok(())
}

/// The statements of [`insert_unnest`], written without the database (so they can be written on another
/// thread while the previous ones run).
fn unnest_statements<E, A>(rows: Vec<A>) -> StoreResult<Vec<sea_orm::Statement>>
where
    E: EntityTrait,
    A: sea_orm::ActiveModelTrait<Entity = E> + Send,
{
    use sea_orm::{ActiveValue, IdenStatic, Iterable, Statement};
    let table = E::default().table_name().to_string();
    let mut rows = rows.into_iter().peekable();
    // The columns every row sets, with their types from the first row.
    let Some(first) = rows.peek() else {
        return Ok(Vec::new());
    };
    let mut columns = Vec::new();
    for c in E::Column::iter() {
        if let ActiveValue::Set(v) | ActiveValue::Unchanged(v) = first.get(c) {
            let Some(ty) = pg_type(&v) else {
                return Err(crate::StoreError::Other(anyhow::anyhow!(
                    "no PostgreSQL type for {table}.{}",
                    c.as_str()
                )));
            };
            columns.push((c, ty));
        }
    }
    let names: Vec<String> = columns
        .iter()
        .map(|(c, _)| format!("\"{}\"", c.as_str()))
        .collect();
    let defs: Vec<String> = columns
        .iter()
        .map(|(c, ty)| format!("\"{}\" {ty}", c.as_str()))
        .collect();
    let sql = format!(
        "INSERT INTO \"{table}\" ({}) SELECT {} FROM json_to_recordset($1::json) AS x({})",
        names.join(", "),
        names.join(", "),
        defs.join(", ")
    );
    // Each column's key as JSON, written once.
    let keys: Vec<String> = columns
        .iter()
        .map(|(c, _)| serde_json::Value::from(c.as_str()).to_string())
        .collect();
    let mut statements = Vec::new();
    while rows.peek().is_some() {
        let mut text = String::from("[");
        for (n, mut am) in rows.by_ref().take(BATCH).enumerate() {
            text.push_str(if n == 0 { "{" } else { ",{" });
            let mut first = true;
            for ((c, _), key) in columns.iter().zip(&keys) {
                let (ActiveValue::Set(v) | ActiveValue::Unchanged(v)) = am.take(*c) else {
                    continue;
                };
                let mark = text.len();
                if !first {
                    text.push(',');
                }
                text.push_str(key);
                text.push(':');
                if push_json(&mut text, &v) {
                    first = false;
                } else {
                    // NULL: the key is left out.
                    text.truncate(mark);
                }
            }
            text.push('}');
        }
        text.push(']');
        statements.push(Statement::from_sql_and_values(
            sea_orm::DbBackend::Postgres,
            sql.clone(),
            [sea_orm::Value::String(Some(text))],
        ));
    }
    Ok(statements)
}

/// A new stint row for a person.
pub(crate) fn stint_model(
    company: uuid::Uuid,
    person: PersonId,
    s: &StintDraft,
) -> stint_row::ActiveModel {
    stint_row::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        company_id: Set(company),
        person_id: Set(person.0),
        start_date: Set(s.start_date),
        end_date: Set(s.end_date),
        department: Set(s.department.clone()),
        job_title: Set(s.job_title.clone()),
        employment_type: Set(s.employment_type.code().into()),
        leave_reason: Set(s.leave_reason.map(|x| x.code().to_string())),
        leave_reason_detail: Set(s.leave_reason_detail.clone()),
        exit_interview_notes: Set(s.exit_interview_notes.clone()),
        rehire_eligibility: Set(s.rehire_eligibility.map(|x| x.code().to_string())),
        rehire_reason: Set(s.rehire_reason.clone()),
        created_at: Set(now()),
        updated_at: Set(now()),
    }
}

/// People built per round of inserts: few statements (each a round trip; on PostgreSQL over TCP a small
/// statement can wait for a delayed acknowledgement), progress still reported often.
const BATCH: usize = 10_000;

/// Values bound in one multi-row INSERT on SQLite: under its limit of 32,766 (so 1,100 people, 8,000 addresses).
const SQLITE_VALUES: usize = 32_000;

/// Inserts rows of one table inside the transaction: on PostgreSQL as JSON text ([`insert_unnest`]); on SQLite as
/// multi-row VALUES lists of as many rows as its limit on bound values allows, the statement written once per
/// length (and prepared once by the connection's cache) and each row's values moved into it, not copied.
pub(crate) async fn insert_chunks<E, A>(
    tx: &sea_orm::DatabaseTransaction,
    rows: Vec<A>,
) -> StoreResult<()>
where
    E: EntityTrait,
    A: sea_orm::ActiveModelTrait<Entity = E> + Send,
{
    use sea_orm::{ActiveValue, IdenStatic, Iterable, Statement};
    if rows.is_empty() {
        return Ok(());
    }
    if tx.get_database_backend() == sea_orm::DbBackend::Postgres {
        return insert_unnest::<E, A>(tx, rows).await;
    }
    let table = E::default().table_name().to_string();
    let columns: Vec<E::Column> = E::Column::iter()
        .filter(|c| !matches!(rows[0].get(*c), ActiveValue::NotSet))
        .collect();
    let names: Vec<String> = columns
        .iter()
        .map(|c| format!("\"{}\"", c.as_str()))
        .collect();
    let one = format!("({})", vec!["?"; columns.len()].join(","));
    let per_chunk = (SQLITE_VALUES / columns.len().max(1)).max(1);
    let statement = |n: usize| {
        format!(
            "INSERT INTO \"{table}\" ({}) VALUES {}",
            names.join(", "),
            vec![one.as_str(); n].join(",")
        )
    };
    let full = statement(per_chunk);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let mut values = Vec::with_capacity(per_chunk * columns.len());
        let mut n = 0;
        for mut am in rows.by_ref().take(per_chunk) {
            n += 1;
            for c in &columns {
                values.push(match am.take(*c) {
                    ActiveValue::Set(v) | ActiveValue::Unchanged(v) => v,
                    // SQLite's NULL has no type.
                    ActiveValue::NotSet => sea_orm::Value::String(None),
                });
            }
        }
        let sql = if n == per_chunk {
            full.clone()
        } else {
            statement(n)
        };
        tx.execute_raw(Statement::from_sql_and_values(
            sea_orm::DbBackend::Sqlite,
            sql,
            values,
        ))
        .await?;
    }
    Ok(())
}

/// SQLite's page cache, in KiB, while one transaction writes many rows: the indexes being filled stay in memory
/// instead of being written to the log and read back mid-transaction (the default is 2 MiB).
const BULK_CACHE_KIB: u32 = 65_536;

/// Gives a bulk write on SQLite its larger page cache (for the writer's one connection; [`release_cache`]
/// returns it to SQLite's default once the transaction is over).
pub(crate) async fn roomy_cache(tx: &sea_orm::DatabaseTransaction) -> StoreResult<()> {
    if tx.get_database_backend() == sea_orm::DbBackend::Sqlite {
        tx.execute_unprepared(&format!("PRAGMA cache_size = -{BULK_CACHE_KIB}"))
            .await?;
    }
    Ok(())
}

/// Returns the writer's page cache to SQLite's default size and frees what it held.
pub(crate) async fn release_cache(db: &Db) {
    if db.backend == sea_orm::DbBackend::Sqlite {
        for pragma in ["PRAGMA cache_size = -2000", "PRAGMA shrink_memory"] {
            if let Err(e) = db.write.execute_unprepared(pragma).await {
                tracing::warn!(error = %e, "the writer's page cache was not released");
            }
        }
    }
}

/// Fresh statistics for the tables a bulk write filled, or the planners take a company's whole index for a
/// lookup of a few ids.
pub(crate) async fn analyze(db: &Db) -> StoreResult<()> {
    if db.backend == sea_orm::DbBackend::Sqlite {
        // Statistics from a sample of each index, not every row (SQLite's advice for large tables).
        db.write
            .execute_unprepared("PRAGMA analysis_limit = 1000")
            .await?;
    }
    for table in ["people", "person_emails", "employment_stints"] {
        db.write
            .execute_unprepared(&format!("ANALYZE {table}"))
            .await?;
    }
    Ok(())
}

/// Inserts `people` into the scope's company in one transaction; `progress` is told how many are written.
pub async fn insert_people(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    people: &[BulkPerson],
    today: NaiveDate,
    progress: impl Fn(usize),
) -> StoreResult<Vec<PersonId>> {
    let tx = db.write.begin().await?;
    let written = insert_people_in(&tx, scope, actor, people, today, progress).await;
    let (ids, offers) = match written {
        Ok(w) => w,
        Err(e) => {
            drop(tx);
            release_cache(db).await;
            return Err(e);
        }
    };
    audit::record(
        &tx,
        scope,
        Change {
            action: "people.bulk_insert",
            entity: "company",
            entity_id: scope.company_id().0,
            person_id: None,
            changes: serde_json::json!({"people": people.len(), "offers": offers}),
            actor,
        },
    )
    .await?;
    companies::bump_revision(&tx, scope).await?;
    tx.commit().await?;
    release_cache(db).await;
    db.write.execute_unprepared("ANALYZE").await?;
    Ok(ids)
}

/// The rows of one batch of people, table by table, in the order they are inserted.
struct BatchRows {
    people: Vec<person_row::ActiveModel>,
    emails: Vec<person_email::ActiveModel>,
    stints: Vec<stint_row::ActiveModel>,
    skills: Vec<person_skill::ActiveModel>,
    careers: Vec<career::ActiveModel>,
    offers: Vec<return_offer::ActiveModel>,
    engagements: Vec<crate::entity::engagement::ActiveModel>,
}

/// The rows of `batch`, whose people get `ids`; the batch's offers are numbered on from `offer_seq`.
fn batch_rows(
    c: uuid::Uuid,
    batch: &[BulkPerson],
    ids: &[PersonId],
    mut offer_seq: u32,
    signer: &str,
    today: NaiveDate,
) -> BatchRows {
    let mut p_rows = Vec::with_capacity(batch.len());
    let mut e_rows = Vec::new();
    let mut s_rows = Vec::new();
    let mut k_rows = Vec::new();
    let mut c_rows = Vec::new();
    let mut o_rows = Vec::new();
    let mut g_rows = Vec::new();
    for (b, id) in batch.iter().zip(ids) {
        let id = *id;
        let d = &b.person;
        p_rows.push(person_row::ActiveModel {
            id: Set(id.0),
            company_id: Set(c),
            employee_number: Set(d.employee_number.clone()),
            family_name: Set(d.family_name.clone()),
            given_name: Set(d.given_name.clone()),
            family_kana: Set(d.family_kana.to_string()),
            given_kana: Set(d.given_kana.to_string()),
            romaji_name: Set(d.romaji_name.clone()),
            phone: Set(d.phone.clone()),
            line_id: Set(d.line_id.clone()),
            facebook_url: Set(d.facebook_url.clone()),
            linkedin_url: Set(d.linkedin_url.clone()),
            prefecture: Set(d.prefecture.clone()),
            city: Set(d.city.clone()),
            birth_date: Set(d.birth_date),
            notes: Set(d.notes.clone()),
            sort_key: Set(kaeru_search::kana_sort_key(&d.family_kana, &d.given_kana)),
            status: Set(b.status.code().into()),
            return_intent: Set(b.outlook.intent.map(|x| x.code().to_string())),
            work_style: Set(b.outlook.work_style.map(|x| x.code().to_string())),
            days_per_week: Set(b.outlook.days_per_week),
            last_contact_on: Set(b.outlook.last_contact_on),
            contact_stopped_at: Set(None),
            self_updated_at: Set(None),
            message_to_company: Set(None),
            message_at: Set(None),
            erased_at: Set(None),
            created_at: Set(now()),
            updated_at: Set(now()),
        });
        for (i, e) in d.emails.iter().enumerate() {
            e_rows.push(person_email::ActiveModel {
                company_id: Set(c),
                person_id: Set(id.0),
                email: Set(e.to_string()),
                position: Set(i as i32),
            });
        }
        for s in &b.stints {
            s_rows.push(stint_model(c, id, s));
        }
        for k in &b.skills {
            k_rows.push(person_skill::ActiveModel {
                id: Set(uuid::Uuid::now_v7()),
                company_id: Set(c),
                person_id: Set(id.0),
                skill_id: Set(k.skill_id.0),
                level: Set(k.level),
                origin: Set(k.origin.code().into()),
                source: Set(k.source.code().into()),
                assessed_on: Set(k.assessed_on),
                note: Set(k.note.clone()),
                created_at: Set(now()),
            });
        }
        for w in &b.careers {
            c_rows.push(career::ActiveModel {
                id: Set(uuid::Uuid::now_v7()),
                company_id: Set(c),
                person_id: Set(id.0),
                employer: Set(w.employer.clone()),
                role: Set(w.role.clone()),
                industry: Set(w.industry.clone()),
                from_date: Set(w.from_date),
                to_date: Set(w.to_date),
                created_at: Set(now()),
            });
        }
        for g in &b.engagements {
            g_rows.push(crate::engagements::new_row(uuid::Uuid::now_v7(), c, id, g));
        }
        if let Some((from, until)) = b.offer {
            offer_seq += 1;
            o_rows.push(return_offer::ActiveModel {
                id: Set(uuid::Uuid::now_v7()),
                company_id: Set(c),
                person_id: Set(id.0),
                number: Set(format!("RO-{}-{offer_seq:06}", today.year())),
                status: Set(OfferStatus::Issued.code().into()),
                valid_from: Set(from),
                valid_until: Set(until),
                terms: Set(OfferTerm::PriorityInterview.code().into()),
                salary_floor_yen: Set(None),
                terms_note: Set(None),
                signer_name: Set(signer.to_string()),
                signer_title: Set(None),
                override_reason: Set(None),
                status_reason: Set(None),
                issued_on: Set(Some(from)),
                acknowledged_at: Set(None),
                created_at: Set(now()),
                updated_at: Set(now()),
            });
        }
    }
    BatchRows {
        people: p_rows,
        emails: e_rows,
        stints: s_rows,
        skills: k_rows,
        careers: c_rows,
        offers: o_rows,
        engagements: g_rows,
    }
}

impl BatchRows {
    async fn insert(self, tx: &sea_orm::DatabaseTransaction) -> StoreResult<()> {
        insert_chunks(tx, self.people).await?;
        insert_chunks(tx, self.emails).await?;
        insert_chunks(tx, self.stints).await?;
        insert_chunks(tx, self.skills).await?;
        insert_chunks(tx, self.careers).await?;
        insert_chunks(tx, self.offers).await?;
        insert_chunks(tx, self.engagements).await
    }

    /// PostgreSQL's statements for the batch, in order.
    fn statements(self) -> StoreResult<Vec<sea_orm::Statement>> {
        let mut all = unnest_statements(self.people)?;
        all.extend(unnest_statements(self.emails)?);
        all.extend(unnest_statements(self.stints)?);
        all.extend(unnest_statements(self.skills)?);
        all.extend(unnest_statements(self.careers)?);
        all.extend(unnest_statements(self.offers)?);
        all.extend(unnest_statements(self.engagements)?);
        Ok(all)
    }
}

/// Statements being written on a blocking thread, and how many people are written once they have run.
type Pending = (
    tokio::task::JoinHandle<StoreResult<Vec<sea_orm::Statement>>>,
    usize,
);

async fn run_pending(tx: &sea_orm::DatabaseTransaction, pending: Pending) -> StoreResult<usize> {
    let (statements, done) = pending;
    let statements = statements
        .await
        .map_err(|e| crate::StoreError::Other(anyhow::anyhow!("writing the statements: {e}")))??;
    for statement in statements {
        tx.execute_raw(statement).await?;
    }
    Ok(done)
}

/// Inserts `people` inside the caller's transaction (no audit entry, no revision bump: the caller does them);
/// returns their ids and how many offers were written.
///
/// On PostgreSQL the server does most of the work (parsing the JSON, filling indexes, checking foreign keys),
/// so each batch's statements are written on a blocking thread while the batch before runs: the rows of
/// 100,000 people took about a second to write out, during which the server used to wait.
pub(crate) async fn insert_people_in(
    tx: &sea_orm::DatabaseTransaction,
    scope: &Scope,
    actor: &Actor,
    people: &[BulkPerson],
    today: NaiveDate,
    progress: impl Fn(usize),
) -> StoreResult<(Vec<PersonId>, u32)> {
    let c = scope.company_id().0;
    if people.len() > 1_000 {
        roomy_cache(tx).await?;
    }
    let ids: Vec<PersonId> = people.iter().map(|_| PersonId::new()).collect();
    let on_postgres = tx.get_database_backend() == sea_orm::DbBackend::Postgres;
    let mut offer_seq = 0u32;
    let mut pending: Option<Pending> = None;
    for (n, batch) in people.chunks(BATCH).enumerate() {
        let batch_ids = &ids[n * BATCH..n * BATCH + batch.len()];
        let first_offer = offer_seq;
        offer_seq +=
            u32::try_from(batch.iter().filter(|b| b.offer.is_some()).count()).unwrap_or(u32::MAX);
        let done = n * BATCH + batch.len();
        if on_postgres {
            let (batch, batch_ids, signer) =
                (batch.to_vec(), batch_ids.to_vec(), actor.name.clone());
            let next = tokio::task::spawn_blocking(move || {
                batch_rows(c, &batch, &batch_ids, first_offer, &signer, today).statements()
            });
            if let Some(previous) = pending.replace((next, done)) {
                progress(run_pending(tx, previous).await?);
            }
        } else {
            batch_rows(c, batch, batch_ids, first_offer, &actor.name, today)
                .insert(tx)
                .await?;
            progress(done);
        }
    }
    if let Some(last) = pending {
        progress(run_pending(tx, last).await?);
    }
    Ok((ids, offer_seq))
}

#[cfg(test)]
mod tests {
    use super::push_json;
    use sea_orm::Value as V;

    #[test]
    fn values_are_written_as_json_that_reads_back_the_same() {
        let text = "𠮷田 \"quoted\" back\\slash\nnew line\ttab\r\u{1}\u{1f}";
        let id = uuid::Uuid::now_v7();
        let date = chrono::NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        let cases: Vec<(V, serde_json::Value)> = vec![
            (V::String(Some(text.into())), serde_json::json!(text)),
            (V::Uuid(Some(id)), serde_json::json!(id.to_string())),
            (V::ChronoDate(Some(date)), serde_json::json!("2026-12-07")),
            (V::Int(Some(-3)), serde_json::json!(-3)),
            (V::BigInt(Some(i64::MAX)), serde_json::json!(i64::MAX)),
            (V::Bool(Some(true)), serde_json::json!(true)),
            (V::Double(Some(0.5)), serde_json::json!(0.5)),
        ];
        for (value, expected) in cases {
            let mut out = String::new();
            assert!(push_json(&mut out, &value));
            let read: serde_json::Value = serde_json::from_str(&out).unwrap();
            assert_eq!(read, expected, "{out}");
        }
        let mut out = String::new();
        assert!(!push_json(&mut out, &V::String(None)));
        assert!(!push_json(&mut out, &V::Double(Some(f64::NAN))));
    }
}
