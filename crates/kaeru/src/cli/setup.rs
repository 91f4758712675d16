//! `kaeru migrate` and `kaeru demo`: the schema brought up to date, the demo company seeded.

use super::{DbArgs, MailArgs, config, today_in_tokyo};
use kaeru::{demo, open_database};
use std::path::PathBuf;

pub(super) async fn migrate(config_file: &Option<PathBuf>, db: DbArgs) -> anyhow::Result<()> {
    let config = config(config_file, db, None, None, None, MailArgs::default())?;
    let target = config.database_target()?;
    open_database(&target).await?;
    println!("The database {target} is up to date.");
    Ok(())
}

pub(super) async fn backup(
    config_file: &Option<PathBuf>,
    db: DbArgs,
    out: PathBuf,
) -> anyhow::Result<()> {
    let config = config(config_file, db, None, None, None, MailArgs::default())?;
    let target = config.database_target()?;
    if let kaeru_store::DatabaseTarget::Postgres { .. } = target {
        anyhow::bail!("{}", kaeru_store::backup::BackupError::Postgres);
    }
    let database = open_database(&target).await?;
    let c = kaeru_store::backup::backup(&database, &out).await?;
    println!(
        "Backed up {target} to {} ({} bytes; {} companies, {} people; integrity ok).",
        c.path.display(),
        c.bytes,
        c.companies,
        c.people
    );
    Ok(())
}

pub(super) async fn restore(
    config_file: &Option<PathBuf>,
    db: DbArgs,
    file: PathBuf,
    replace: bool,
) -> anyhow::Result<()> {
    let config = config(config_file, db, None, None, None, MailArgs::default())?;
    let kaeru_store::DatabaseTarget::Sqlite(target) = config.database_target()? else {
        anyhow::bail!("PostgreSQL is restored with pg_restore or psql (see docs/OPERATIONS.md)");
    };
    let c = kaeru_store::backup::restore(&file, &target, replace).await?;
    println!(
        "Restored {} to {} ({} companies, {} people). Start Kaeru again; migrations run at start-up.",
        file.display(),
        c.path.display(),
        c.companies,
        c.people
    );
    Ok(())
}

pub(super) async fn move_to(
    config_file: &Option<PathBuf>,
    db: DbArgs,
    to: String,
) -> anyhow::Result<()> {
    let config = config(config_file, db, None, None, None, MailArgs::default())?;
    let source = config.database_target()?;
    let kaeru_store::DatabaseTarget::Sqlite(_) = source else {
        anyhow::bail!(
            "kaeru move copies the embedded SQLite database: unset KAERU_DATABASE_URL and give --data-dir"
        );
    };
    let target = kaeru_store::DatabaseTarget::resolve(Some(&to), std::path::Path::new("."))?;
    let kaeru_store::DatabaseTarget::Postgres { .. } = target else {
        anyhow::bail!("--to must be a postgres:// URL");
    };
    let from = open_database(&source).await?;
    let into = open_database(&target).await?;
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let progress = |table: &'static str, done: usize, total: usize| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
        bar.set_message(table);
    };
    let moved = kaeru_store::transfer::move_all(&from, &into, &progress).await?;
    bar.finish_and_clear();
    let rows: u64 = moved.iter().map(|m| m.target).sum();
    let people = moved
        .iter()
        .find(|m| m.table == "people")
        .map_or(0, |m| m.target);
    println!(
        "Moved {source} into {target}: {} tables, {rows} rows ({people} people), each counted equal. Run Kaeru with KAERU_DATABASE_URL={}.",
        moved.len(),
        kaeru_store::redact(&to)
    );
    Ok(())
}

pub(super) async fn demo(
    config_file: &Option<PathBuf>,
    db: DbArgs,
    seed: u64,
    people: Option<usize>,
) -> anyhow::Result<()> {
    let config = config(config_file, db, None, None, None, MailArgs::default())?;
    let target = config.database_target()?;
    let database = open_database(&target).await?;
    if let Some(n) = people {
        let started = std::time::Instant::now();
        let (slug, n) = demo::seed_synthetic(&database, today_in_tokyo(), n, true).await?;
        println!(
            "Synthetic company {slug} seeded: {n} people in {:.1} s.\n  Owner login: owner@{slug}.example  password: {}",
            started.elapsed().as_secs_f64(),
            demo::DEMO_PASSWORD
        );
        return Ok(());
    }
    seed_demo(&database, seed).await?;
    print_login();
    println!(
        "Start it with: kaeru serve{}",
        if config.database_url.is_some() {
            ""
        } else {
            " (in the same folder)"
        }
    );
    Ok(())
}

pub(super) async fn seed_demo(db: &kaeru_store::Db, seed: u64) -> anyhow::Result<bool> {
    if !kaeru_store::companies::none_exist(db).await? {
        println!("The database already holds data; the demo company was not seeded again.");
        return Ok(false);
    }
    let s = demo::seed(db, today_in_tokyo(), seed, true).await?;
    println!(
        "Demo company さくら精機株式会社 seeded: {} employees, {} alumni, {} returners.",
        s.employees, s.alumni, s.returners
    );
    Ok(true)
}

pub(super) fn print_login() {
    println!(
        "  Owner login: {}  password: {}",
        demo::DEMO_OWNER_EMAIL,
        demo::DEMO_PASSWORD
    );
    println!(
        "  HR login:    {}  password: {}",
        demo::DEMO_HR_EMAIL,
        demo::DEMO_PASSWORD
    );
}
