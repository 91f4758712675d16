//! `kaeru import people` and `kaeru export people`, with a progress bar while importing.

use super::{ExportFormat, ExportWhat, ImportWhat, MailArgs, config, today_in_tokyo};
use kaeru::open_database;
use std::path::PathBuf;

pub(super) async fn import(config_file: &Option<PathBuf>, what: ImportWhat) -> anyhow::Result<()> {
    let ImportWhat::People {
        file,
        db,
        company,
        dry_run,
        only_valid,
    } = what;

    let config = config(config_file, db, None, None, None, MailArgs::default())?;
    let database = open_database(&config.database_target()?).await?;
    let company = kaeru::exchange::company(&database, company.as_deref()).await?;
    let t = kaeru_app::Catalog::get(company.default_language);
    let size = std::fs::metadata(&file)
        .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?
        .len();
    if size > kaeru_exchange::MAX_FILE_BYTES as u64 {
        eprintln!("{}", t.t("error.import_too_large"));
        std::process::exit(2);
    }
    let bytes = std::fs::read(&file).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let table = match kaeru::exchange::read_file(bytes).await {
        Ok(table) => table,
        Err(e) => {
            eprintln!("{}", kaeru::exchange::file_problem(t, &e));
            std::process::exit(2);
        }
    };
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_message("取り込み / import");
    let report = kaeru::exchange::import_people(
        &database,
        &company,
        &kaeru_store::Actor::system("kaeru import"),
        &table,
        kaeru::exchange::ImportOptions {
            dry_run,
            only_valid,
            language: None,
        },
        today_in_tokyo(),
        |n, total| {
            bar.set_length(total as u64);
            bar.set_position(n as u64);
        },
    )
    .await?;
    bar.finish_and_clear();
    if let Some(f) = &report.fatal {
        eprintln!("{f}");
        std::process::exit(2);
    }
    for p in &report.problems {
        eprintln!("{p}");
    }
    let s = &report.summary;
    let counts = [
        ("rows", report.rows.to_string()),
        ("encoding", report.encoding.to_string()),
        ("created", s.created.to_string()),
        ("updated", s.updated.to_string()),
        ("unchanged", s.unchanged.to_string()),
        ("rejected", report.rejected.to_string()),
    ];
    let key = if report.written {
        "import.done"
    } else if report.problems.is_empty() || only_valid {
        "import.dry_run_done"
    } else {
        "import.not_written"
    };
    println!("{}", t.format(key, &counts));
    if !report.written && !dry_run {
        std::process::exit(1);
    }
    Ok(())
}

pub(super) async fn export(config_file: &Option<PathBuf>, what: ExportWhat) -> anyhow::Result<()> {
    let (db, company, format, out, encoding, status) = match what {
        ExportWhat::People {
            db,
            company,
            format,
            out,
            encoding,
            status,
        } => (db, company, format, out, encoding, status),
        ExportWhat::Stints { db, company, out } => {
            return export_stints(config_file, db, company, out).await;
        }
    };

    let config = config(config_file, db, None, None, None, MailArgs::default())?;
    let database = open_database(&config.database_target()?).await?;
    let company = kaeru::exchange::company(&database, company.as_deref()).await?;
    let status = match status.as_deref() {
        None => None,
        Some(s) => Some(kaeru_domain::PersonStatus::parse(s).ok_or_else(|| {
            anyhow::anyhow!("--status is one of employee, alumnus, returner, contractor")
        })?),
    };
    let t = kaeru_app::Catalog::get(company.default_language);
    let scope = kaeru_store::Scope::for_company(company.id);
    let filter = kaeru_store::people::PeopleFilter {
        status,
        ..Default::default()
    };
    let (sheet, cards) = kaeru::exchange::people_sheet(&database, &scope, t, &filter).await?;
    let bytes = match format {
        ExportFormat::Csv if encoding == "sjis" => kaeru_exchange::export::csv_shift_jis(&sheet)?,
        ExportFormat::Csv => kaeru_exchange::export::csv_utf8(&sheet),
        ExportFormat::Xlsx => kaeru_exchange::export::xlsx(&sheet, "people")?,
        ExportFormat::Vcard => kaeru_exchange::export::vcards(&cards).into_bytes(),
    };
    std::fs::write(&out, &bytes).map_err(|e| anyhow::anyhow!("{}: {e}", out.display()))?;
    println!("{} people → {}", sheet.rows.len(), out.display());
    Ok(())
}

async fn export_stints(
    config_file: &Option<PathBuf>,
    db: super::DbArgs,
    company: Option<String>,
    out: PathBuf,
) -> anyhow::Result<()> {
    let config = config(config_file, db, None, None, None, MailArgs::default())?;
    let database = open_database(&config.database_target()?).await?;
    let company = kaeru::exchange::company(&database, company.as_deref()).await?;
    let scope = kaeru_store::Scope::for_company(company.id);
    let mut all: Vec<kaeru_domain::EmploymentStint> =
        kaeru_store::stints::all_by_person(&database, &scope)
            .await?
            .into_values()
            .flatten()
            .collect();
    all.sort_by_key(|s| (s.person_id, s.start_date));
    let text = |d: Option<String>| d.unwrap_or_default();
    let sheet = kaeru_exchange::export::Sheet {
        headers: [
            "person_id",
            "start_date",
            "end_date",
            "department",
            "employment_type",
            "leave_reason",
            "rehire_eligibility",
        ]
        .map(String::from)
        .to_vec(),
        rows: all
            .iter()
            .map(|s| {
                vec![
                    s.person_id.to_string(),
                    s.start_date.to_string(),
                    text(s.end_date.map(|d| d.to_string())),
                    text(s.department.clone()),
                    s.employment_type.code().to_string(),
                    text(s.leave_reason.map(|r| r.code().to_string())),
                    text(s.rehire_eligibility.map(|r| r.code().to_string())),
                ]
            })
            .collect(),
    };
    let bytes = kaeru_exchange::export::csv_utf8(&sheet);
    std::fs::write(&out, &bytes).map_err(|e| anyhow::anyhow!("{}: {e}", out.display()))?;
    println!("{} stints → {}", sheet.rows.len(), out.display());
    Ok(())
}
