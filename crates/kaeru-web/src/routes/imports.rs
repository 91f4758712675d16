//! Importing people from a file on a page: upload, the columns mapped (known names automatically, the rest
//! chosen and remembered), a dry run listing every problem by row and column, then the import in one
//! transaction. Downloads of the people list as CSV, XLSX or vCard, honouring the list's filters.

use super::render;
use crate::AppState;
use crate::auth::Signed;
use crate::error::{AppError, AppResult};
use crate::forms::Id;
use crate::forms::Posted;
use crate::shell::{Section, Shell};
use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use kaeru_app::exchange::{self, ImportOptions, ImportReport};
use kaeru_domain::{Permission, PersonId, PersonStatus};
use kaeru_exchange::Field;
use kaeru_store::imports;
use serde::Deserialize;
use std::collections::HashMap;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/people/import",
            get(upload_page).post(upload).layer(DefaultBodyLimit::max(
                kaeru_exchange::MAX_FILE_BYTES + 64 * 1024,
            )),
        )
        .route("/people/import/{id}", get(preview))
        .route("/people/import/{id}/mapping", post(save_mapping))
        .route("/people/import/{id}/run", post(run))
        .route("/people/export", get(export))
        .route("/people/{id}/vcard", get(vcard))
}

#[derive(Template)]
#[template(path = "import_upload.html")]
struct UploadPage {
    s: Shell,
    error: String,
}

async fn upload_page(signed: Signed) -> AppResult<Response> {
    signed.require(Permission::EditPeople)?;
    let s = Shell::signed(&signed, Section::People, "/people/import");
    Ok(render(&UploadPage {
        s,
        error: String::new(),
    })?
    .into_response())
}

async fn upload(
    State(state): State<AppState>,
    signed: Signed,
    mut form: Multipart,
) -> AppResult<Response> {
    signed.require(Permission::EditPeople)?;
    let mut csrf = String::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    let too_large = |signed: &Signed| {
        let s = Shell::signed(signed, Section::People, "/people/import");
        let error = s.t("error.import_too_large").to_string();
        render(&UploadPage { s, error })
            .map(|h| (axum::http::StatusCode::PAYLOAD_TOO_LARGE, h).into_response())
    };
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                tracing::info!(error = %e, "import upload refused");
                return too_large(&signed);
            }
        };
        match field.name() {
            Some("_csrf") => csrf = field.text().await.unwrap_or_default(),
            Some("file") => {
                let name = field.file_name().unwrap_or("upload").to_string();
                match field.bytes().await {
                    Ok(b) => file = Some((name, b.to_vec())),
                    Err(e) => {
                        tracing::info!(error = %e, "import upload refused");
                        return too_large(&signed);
                    }
                }
            }
            _ => {}
        }
    }
    signed.check_csrf(&csrf)?;
    let refuse = |signed: &Signed, error: String| {
        let s = Shell::signed(signed, Section::People, "/people/import");
        render(&UploadPage { s, error })
            .map(|h| (axum::http::StatusCode::UNPROCESSABLE_ENTITY, h).into_response())
    };
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return refuse(
            &signed,
            crate::i18n::Catalog::get(signed.lang)
                .t("error.import_empty")
                .to_string(),
        );
    };
    // Read once, here, within the limits and on a blocking thread; only a file that could be read is kept,
    // as its table, so a hostile file never reaches the later steps.
    let Some(_turn) = exchange::import_turn(IMPORT_PATIENCE).await else {
        return Err(AppError::Busy);
    };
    let table = match exchange::read_file(bytes).await {
        Ok(t) => t,
        Err(e) => {
            tracing::info!(error = %e, file = %name, "import upload refused");
            return refuse(
                &signed,
                exchange::file_problem(crate::i18n::Catalog::get(signed.lang), &e),
            );
        }
    };
    let data = tokio::task::spawn_blocking(move || serde_json::to_vec(&table))
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)?;
    let id = imports::keep_upload(
        &state.db,
        signed.scope(),
        &name,
        data,
        &signed.info.user.display_name,
    )
    .await?;
    Ok(Redirect::to(&format!("/people/import/{id}")).into_response())
}

/// How long an upload or an import waits for a turn before the page says Kaeru is busy.
const IMPORT_PATIENCE: std::time::Duration = std::time::Duration::from_secs(20);

/// The table kept for an upload (read once, when it was uploaded).
async fn kept_table(
    state: &AppState,
    signed: &Signed,
    id: Uuid,
) -> AppResult<(imports::Upload, Option<kaeru_exchange::Table>)> {
    let mut up = imports::upload(&state.db, signed.scope(), id).await?;
    let data = std::mem::take(&mut up.data);
    let table = tokio::task::spawn_blocking(move || {
        serde_json::from_slice::<kaeru_exchange::Table>(&data).ok()
    })
    .await
    .map_err(AppError::internal)?;
    Ok((up, table))
}

/// A column of the mapping screen.
pub struct ColumnView {
    pub index: usize,
    pub header: String,
    pub field: String,
    pub sample: String,
}

#[derive(Template)]
#[template(path = "import_preview.html")]
struct PreviewPage {
    s: Shell,
    id: Uuid,
    filename: String,
    report: ImportReport,
    columns: Vec<ColumnView>,
    fields: Vec<(String, String)>,
    problems: Vec<String>,
    more_problems: usize,
    done: bool,
}

async fn check(
    state: &AppState,
    signed: &Signed,
    id: Uuid,
    opts: ImportOptions,
) -> AppResult<(imports::Upload, ImportReport)> {
    let Some(_turn) = exchange::import_turn(IMPORT_PATIENCE).await else {
        return Err(AppError::Busy);
    };
    let (up, table) = kept_table(state, signed, id).await?;
    let Some(table) = table else {
        // Kept by an older version of Kaeru, as the file itself: it has to be uploaded again.
        let report = ImportReport {
            fatal: Some(
                crate::i18n::Catalog::get(signed.lang)
                    .t("error.import_upload_again")
                    .to_string(),
            ),
            ..Default::default()
        };
        return Ok((up, report));
    };
    let report = exchange::import_people(
        &state.db,
        &signed.info.company,
        &signed.actor(),
        &table,
        opts,
        signed.today(),
        |_, _| {},
    )
    .await
    .map_err(AppError::internal)?;
    Ok((up, report))
}

fn preview_page(
    signed: &Signed,
    up: &imports::Upload,
    report: ImportReport,
    done: bool,
) -> AppResult<Response> {
    let s = Shell::signed(
        signed,
        Section::People,
        &format!("/people/import/{}", up.id),
    );
    let columns = report
        .columns
        .iter()
        .enumerate()
        .map(|(index, (header, field, sample))| ColumnView {
            index,
            header: header.clone(),
            field: field.map(|f| f.code().to_string()).unwrap_or_default(),
            sample: sample.chars().take(40).collect(),
        })
        .collect();
    let fields = Field::ALL
        .iter()
        .map(|f| {
            (
                f.code().to_string(),
                s.t(&format!("import.field_{}", f.code())).to_string(),
            )
        })
        .collect();
    let problems: Vec<String> = report.problems.iter().take(200).cloned().collect();
    let more_problems = report.problems.len().saturating_sub(problems.len());
    let tpl = PreviewPage {
        id: up.id,
        filename: up.filename.clone(),
        columns,
        fields,
        problems,
        more_problems,
        done,
        report,
        s,
    };
    let status = if tpl.report.fatal.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    Ok((status, render(&tpl)?).into_response())
}

async fn preview(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<Uuid>,
) -> AppResult<Response> {
    signed.require(Permission::EditPeople)?;
    let (up, report) = check(
        &state,
        &signed,
        id,
        ImportOptions {
            dry_run: true,
            only_valid: false,
            language: Some(signed.lang),
        },
    )
    .await?;
    preview_page(&signed, &up, report, false)
}

async fn save_mapping(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<Uuid>,
    Posted { fields: form }: Posted<HashMap<String, String>>,
) -> AppResult<Response> {
    signed.require(Permission::EditPeople)?;
    let (_, table) = kept_table(&state, &signed, id).await?;
    let headers = table.map(|t| t.headers).unwrap_or_default();
    let choices: Vec<(String, Field)> = headers
        .iter()
        .enumerate()
        .filter_map(|(i, h)| {
            let f = form.get(&format!("col_{i}"))?;
            Field::parse(f).map(|f| (h.clone(), f))
        })
        .collect();
    exchange::remember(&state.db, signed.scope(), &choices)
        .await
        .map_err(AppError::internal)?;
    Ok(Redirect::to(&format!("/people/import/{id}")).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RunForm {
    only_valid: String,
}

async fn run(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<Uuid>,
    Posted { fields: form }: Posted<RunForm>,
) -> AppResult<Response> {
    signed.require(Permission::EditPeople)?;
    let opts = ImportOptions {
        dry_run: false,
        only_valid: !form.only_valid.is_empty(),
        language: Some(signed.lang),
    };
    let (up, report) = check(&state, &signed, id, opts).await?;
    if report.written {
        imports::drop_upload(&state.db, signed.scope(), id).await?;
    }
    let done = report.written;
    preview_page(&signed, &up, report, done)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ExportQuery {
    format: String,
    status: String,
    department: String,
    left: String,
}

async fn export(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<ExportQuery>,
) -> AppResult<Response> {
    signed.require(Permission::ViewPeople)?;
    let filter = kaeru_store::people::PeopleFilter {
        status: PersonStatus::parse(&q.status),
        department: Some(q.department.trim().to_string()).filter(|d| !d.is_empty()),
        left_in_year: q.left.trim().parse().ok(),
    };
    let t = crate::i18n::Catalog::get(signed.lang);
    let (sheet, cards) = exchange::people_sheet(&state.db, signed.scope(), t, &filter)
        .await
        .map_err(AppError::internal)?;
    let stamp = signed.today().format("%Y%m%d");
    let (bytes, mime, ext) = match q.format.as_str() {
        "xlsx" => (
            kaeru_exchange::export::xlsx(&sheet, "people").map_err(AppError::internal)?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
        "vcard" => (
            kaeru_exchange::export::vcards(&cards).into_bytes(),
            "text/vcard; charset=utf-8",
            "vcf",
        ),
        "csv_sjis" => match kaeru_exchange::export::csv_shift_jis(&sheet) {
            Ok(b) => (b, "text/csv; charset=Shift_JIS", "csv"),
            Err(e) => {
                tracing::info!(error = %e, "export in Shift_JIS refused");
                let msg = match e {
                    kaeru_exchange::export::ExportError::NotShiftJis { ch, row } => t.format(
                        "error.export_sjis",
                        &[("ch", ch.to_string()), ("row", row.to_string())],
                    ),
                    other => other.to_string(),
                };
                return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, msg).into_response());
            }
        },
        _ => (
            kaeru_exchange::export::csv_utf8(&sheet),
            "text/csv; charset=utf-8",
            "csv",
        ),
    };
    let disposition = format!("attachment; filename=\"kaeru-people-{stamp}.{ext}\"");
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

async fn vcard(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<PersonId>,
) -> AppResult<Response> {
    signed.require(Permission::ViewPeople)?;
    let p = kaeru_store::people::get(&state.db, signed.scope(), id).await?;
    let work = kaeru_store::careers::current_for(&state.db, signed.scope(), &[id]).await?;
    let body = kaeru_exchange::export::vcards(&[exchange::card(&p, work.get(&id))]);
    let disposition = format!("attachment; filename=\"{}.vcf\"", p.id);
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "text/vcard; charset=utf-8".to_string(),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response())
}
