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
    let ExportWhat::People {
        db,
        company,
        format,
        out,
        encoding,
        status,
    } = what;

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
