//! Imports and exports of people: reading a file within the limits, checking and writing its rows, and the
//! people as a sheet or vCards. The import page and `kaeru import people` / `kaeru export people` call these;
//! messages come in the company's (or the given) language.

use kaeru_domain::{CareerEntry, Company, Invalid, Person};
use kaeru_exchange::columns::{Field, Mapping, fold_header};
use kaeru_exchange::export::{Card, Sheet};
use kaeru_exchange::{FileError, Table};
use kaeru_i18n::Catalog;
use kaeru_store::imports::{self, ImportSummary};
use kaeru_store::{Actor, Db, Scope};
use std::collections::HashMap;

/// A problem message in the catalogue's language.
pub fn message(t: &Catalog, p: &Invalid) -> String {
    t.format(
        p.key,
        &p.args
            .iter()
            .map(|(k, v)| (*k, v.clone()))
            .collect::<Vec<_>>(),
    )
}

/// Picks the company: the one named, or the only one.
pub async fn company(db: &Db, slug: Option<&str>) -> anyhow::Result<Company> {
    match slug {
        Some(s) => kaeru_store::companies::find_by_slug(db, s)
            .await?
            .ok_or_else(|| anyhow::anyhow!("no company with the ID {s}")),
        None => {
            let mut all = kaeru_store::companies::all(db).await?;
            match all.len() {
                1 => Ok(all.remove(0)),
                0 => anyhow::bail!("the database holds no company yet"),
                _ => anyhow::bail!("several companies: name one with --company"),
            }
        }
    }
}

#[derive(Clone, Copy, Debug, Default)]
pub struct ImportOptions {
    /// Check and count, write nothing.
    pub dry_run: bool,
    /// Write the rows without problems even if other rows have some.
    pub only_valid: bool,
    /// The language of the messages; the company's default when not given.
    pub language: Option<kaeru_domain::Language>,
}

/// What an import found and did.
#[derive(Clone, Debug, Default)]
pub struct ImportReport {
    pub encoding: &'static str,
    pub rows: usize,
    /// "行 12「退職日」: …" lines, in the company's language.
    pub problems: Vec<String>,
    pub rejected: usize,
    /// Counts of what was (or, when nothing was written, would be) created, updated and unchanged.
    pub summary: ImportSummary,
    pub written: bool,
    /// Why nothing could be read at all (the file, or columns missing).
    pub fatal: Option<String>,
    /// Each column: its header, the field it fills (none when not recognised), the first row's value.
    pub columns: Vec<(String, Option<Field>, String)>,
}

/// Imports (reading a file, then checking or writing it) running at once in this process; more wait
/// their turn, so a burst of uploads cannot take every core and all the memory.
static IMPORTS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// A turn to import: held while a file is read and while its rows are checked or written.
pub type ImportTurn = tokio::sync::SemaphorePermit<'static>;

/// Waits up to `patience` for a turn; `None` when other imports kept every turn that long.
pub async fn import_turn(patience: std::time::Duration) -> Option<ImportTurn> {
    tokio::time::timeout(patience, IMPORTS.acquire())
        .await
        .ok()?
        .ok()
}

/// Reads a file into its table on a blocking thread (never on the async workers), within the limits of
/// [`kaeru_exchange::limits`].
pub async fn read_file(bytes: Vec<u8>) -> Result<Table, FileError> {
    tokio::task::spawn_blocking(move || kaeru_exchange::table::read(&bytes))
        .await
        .unwrap_or_else(|e| Err(FileError::Spreadsheet(e.to_string())))
}

/// Why a file could not be read, in the catalogue's language, naming the limit it broke.
pub fn file_problem(t: &Catalog, e: &FileError) -> String {
    t.format(e.key(), &e.args())
}

/// Checks and (unless told otherwise or rows have problems) writes the people of a file already read.
pub async fn import_people(
    db: &Db,
    company: &Company,
    actor: &Actor,
    table: &Table,
    opts: ImportOptions,
    today: chrono::NaiveDate,
    progress: impl Fn(usize, usize),
) -> anyhow::Result<ImportReport> {
    let t = Catalog::get(opts.language.unwrap_or(company.default_language));
    let scope = Scope::for_company(company.id);
    let mut report = ImportReport {
        encoding: table.encoding.label(),
        rows: table.rows.len(),
        ..Default::default()
    };
    let saved: HashMap<String, Field> = imports::saved_mappings(db, &scope)
        .await?
        .into_iter()
        .filter_map(|(k, f)| Field::parse(&f).map(|f| (k, f)))
        .collect();
    let mapping = Mapping::auto(&table.headers, &saved);
    report.columns = table
        .headers
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let sample = table
                .rows
                .first()
                .and_then(|(_, r)| r.get(i))
                .cloned()
                .unwrap_or_default();
            (h.clone(), mapping.0.get(i).copied().flatten(), sample)
        })
        .collect();
    let missing = mapping.missing();
    if !missing.is_empty() {
        report.fatal = Some(
            missing
                .iter()
                .map(|k| t.t(k).to_string())
                .collect::<Vec<_>>()
                .join(" "),
        );
        return Ok(report);
    }
    let plan = kaeru_exchange::people::plan(table, &mapping, today);
    report.rejected = plan.rejected;
    report.problems = plan
        .problems
        .iter()
        .map(|p| {
            let at = if p.column.is_empty() {
                t.format("import.at_row", &[("line", p.line.to_string())])
            } else {
                t.format(
                    "import.at_cell",
                    &[("line", p.line.to_string()), ("column", p.column.clone())],
                )
            };
            format!("{at}: {}", message(t, &p.problem))
        })
        .collect();
    let write = !opts.dry_run && (plan.problems.is_empty() || opts.only_valid);
    let total = plan.rows.len();
    report.summary = imports::apply(
        db,
        &scope,
        actor,
        &plan.rows,
        today,
        imports::Mode {
            dry_run: !write,
            only_valid: opts.only_valid,
        },
        |n| progress(n, total),
    )
    .await?;
    // Rows whose address belongs to someone else are problems too, found against the database.
    let email_column = mapping
        .column_of(Field::Email)
        .and_then(|i| table.headers.get(i))
        .cloned()
        .unwrap_or_default();
    for (line, email) in &report.summary.email_taken {
        let at = t.format(
            "import.at_cell",
            &[("line", line.to_string()), ("column", email_column.clone())],
        );
        report.problems.push(format!(
            "{at}: {}",
            t.format("error.import_email_taken", &[("email", email.clone())])
        ));
        report.rejected += 1;
    }
    report.written = report.summary.written;
    Ok(report)
}

/// Remembers the user's column choices for the company's next file.
pub async fn remember(db: &Db, scope: &Scope, choices: &[(String, Field)]) -> anyhow::Result<()> {
    let rows: Vec<(String, String)> = choices
        .iter()
        .map(|(h, f)| (fold_header(h), f.code().to_string()))
        .collect();
    imports::save_mappings(db, scope, &rows).await?;
    Ok(())
}

/// The people of a company (optionally of one status) as a sheet with headers in `t`'s language; the
/// columns are the ones the importer reads back.
pub async fn people_sheet(
    db: &Db,
    scope: &Scope,
    t: &Catalog,
    filter: &kaeru_store::people::PeopleFilter,
) -> anyhow::Result<(Sheet, Vec<Card>)> {
    let people = kaeru_store::people::list(db, scope, filter, 1, u64::from(u32::MAX))
        .await?
        .items;
    let stints = kaeru_store::stints::all_by_person(db, scope).await?;
    let ids: Vec<_> = people.iter().map(|p| p.person.id).collect();
    let current = kaeru_store::careers::current_for(db, scope, &ids).await?;
    let headers = [
        "employee_number",
        "family_name",
        "given_name",
        "family_kana",
        "given_kana",
        "status",
        "birth_date",
        "hire_date",
        "leave_date",
        "leave_reason",
        "department",
        "job_title",
        "employment_type",
        "email",
        "phone",
        "prefecture",
        "current_employer",
    ]
    .iter()
    .map(|k| t.t(&format!("export.col_{k}")).to_string())
    .collect();
    let mut rows = Vec::new();
    let mut cards = Vec::new();
    for item in &people {
        let p = &item.person;
        let latest = stints.get(&p.id).and_then(|v| v.last());
        let work = current.get(&p.id);
        let date = |d: Option<chrono::NaiveDate>| {
            d.map(|d| d.format("%Y/%m/%d").to_string())
                .unwrap_or_default()
        };
        rows.push(vec![
            p.employee_number.clone().unwrap_or_default(),
            p.family_name.clone(),
            p.given_name.clone(),
            p.family_kana.clone(),
            p.given_kana.clone(),
            t.t(&format!("status.{}", p.status.code())).to_string(),
            date(p.birth_date),
            date(latest.map(|s| s.start_date)),
            date(latest.and_then(|s| s.end_date)),
            latest
                .and_then(|s| {
                    s.leave_reason_detail.clone().or_else(|| {
                        s.leave_reason
                            .map(|r| t.t(&format!("leave.{}", r.code())).to_string())
                    })
                })
                .unwrap_or_default(),
            latest
                .and_then(|s| s.department.clone())
                .unwrap_or_default(),
            latest.and_then(|s| s.job_title.clone()).unwrap_or_default(),
            latest
                .map(|s| {
                    t.t(&format!("employment.{}", s.employment_type.code()))
                        .to_string()
                })
                .unwrap_or_default(),
            p.emails.first().cloned().unwrap_or_default(),
            p.phone.clone().unwrap_or_default(),
            p.prefecture.clone().unwrap_or_default(),
            work.map(|w| w.employer.clone()).unwrap_or_default(),
        ]);
        cards.push(card(p, work));
    }
    Ok((Sheet { headers, rows }, cards))
}

/// A person's vCard: name with readings, addresses, phone, birthday, and where they work now.
pub fn card(p: &Person, work: Option<&CareerEntry>) -> Card {
    Card {
        family_name: p.family_name.clone(),
        given_name: p.given_name.clone(),
        family_kana: p.family_kana.clone(),
        given_kana: p.given_kana.clone(),
        emails: p.emails.clone(),
        phone: p.phone.clone(),
        birth_date: p.birth_date,
        organisation: work.map(|w| w.employer.clone()),
        title: work.and_then(|w| w.role.clone()),
        note: None,
    }
}
