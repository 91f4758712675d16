//! The job board in a 100,000-person company: one alumna's board (every opening she may see, with her fit
//! and reasons) cold and warm, a quiet interest, and the job alert pass with thousands of alerts on — when
//! nothing is new (the pass every minute), when two openings are new (the pass that sends), and right after
//! (nothing due: the weekly limit).
//!
//! `cargo bench -p kaeru --bench job_board` (SQLite in a temp folder); with
//! `KAERU_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/kaeru_bench` on PostgreSQL (a fresh
//! database). `KAERU_BENCH_PEOPLE` (default 100,000) and `KAERU_BENCH_ALERTS` (default 5,000) change the
//! sizes. Wall clocks over one run: this is database work, not a micro-benchmark for criterion.

use kaeru_domain::job_board::{BoardFilter, FitBand, ResponseDraft, ResponseKind, Via};
use kaeru_domain::opening::OpeningInput;
use kaeru_domain::{PersonId, PersonStatus};
use kaeru_store::{Actor, DatabaseTarget, Scope, consent, job_board, openings, skills};
use std::time::Instant;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    if std::env::args().any(|a| a == "--list") {
        return Ok(());
    }
    let env = |k: &str, d: usize| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(d)
    };
    let n = env("KAERU_BENCH_PEOPLE", 100_000);
    let alerts = env("KAERU_BENCH_ALERTS", 5_000);
    let dir = std::env::temp_dir().join(format!("kaeru-bench-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir)?;
    let target = match std::env::var("KAERU_BENCH_DATABASE_URL") {
        Ok(url) => DatabaseTarget::resolve(Some(&url), &dir)?,
        Err(_) => DatabaseTarget::Sqlite(dir.join("kaeru.db")),
    };
    let db = kaeru::open_database(&target).await?;
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Tokyo)
        .date_naive();
    let t = Instant::now();
    let (slug, _) = kaeru::demo::seed_synthetic(&db, today, n, false).await?;
    let company = kaeru_store::companies::find_by_slug(&db, &slug)
        .await?
        .expect("the synthetic company");
    let scope = Scope::for_company(company.id);
    let actor = Actor::system("bench");
    println!(
        "{} — seeded {n} people in {:.1} s",
        db.backend_name(),
        t.elapsed().as_secs_f64()
    );
    let catalogue = skills::catalogue(&db, &scope).await?;
    let opening = |title: &str, skill: usize, audience: &str| {
        let input = OpeningInput {
            title: title.into(),
            work_style: "part_week".into(),
            days_per_week: "3".into(),
            status: "open".into(),
            audience: audience.into(),
            req_skill: vec![catalogue[skill % catalogue.len()].id.to_string()],
            req_level: vec!["3".into()],
            nice_skill: vec![catalogue[(skill + 1) % catalogue.len()].id.to_string()],
            ..Default::default()
        };
        input.parse(|_| true).expect("a valid opening")
    };
    for (i, title) in ["設計", "営業", "経理", "Web集客", "生産管理", "品質保証"]
        .iter()
        .enumerate()
    {
        let audience = if i % 2 == 0 { "public" } else { "alumni" };
        openings::create(&db, &scope, &actor, &opening(title, i, audience)).await?;
    }

    // Alumni with an alert and consent to 再雇用のご案内.
    let mut alumni: Vec<PersonId> =
        kaeru_store::people::ids_with_status(&db, &scope, PersonStatus::Alumnus)
            .await?
            .into_iter()
            .collect();
    alumni.sort();
    alumni.truncate(alerts);
    let rehire = consent::purposes(&db, &scope)
        .await?
        .into_iter()
        .find(|p| p.code == "rehire")
        .expect("the purpose 再雇用のご案内");
    let t = Instant::now();
    for p in &alumni {
        consent::decide(&db, &scope, &actor, *p, &[(rehire.id, true)]).await?;
        job_board::set_alert(&db, &scope, *p, Some(FitBand::Any)).await?;
    }
    println!(
        "{} alerts turned on (with consent) in {:.1} s",
        alumni.len(),
        t.elapsed().as_secs_f64()
    );

    let her = alumni[0];
    let cache = kaeru_app::search::SearchCache::default();
    let t = Instant::now();
    let board =
        kaeru_app::job_board::board(&db, &cache, &scope, her, &BoardFilter::default(), today)
            .await?;
    println!(
        "her board, cold (the matching index built): {:.0} ms, {} openings",
        t.elapsed().as_secs_f64() * 1000.0,
        board.len()
    );
    let t = Instant::now();
    let rounds = 50;
    for _ in 0..rounds {
        kaeru_app::job_board::board(&db, &cache, &scope, her, &BoardFilter::default(), today)
            .await?;
    }
    println!(
        "her board, warm: {:.1} ms each (over {rounds})",
        t.elapsed().as_secs_f64() * 1000.0 / f64::from(rounds)
    );
    let t = Instant::now();
    job_board::respond(
        &db,
        &scope,
        her,
        board[0].visible.opening.id,
        ResponseKind::Interest,
        &ResponseDraft {
            note: Some("週3日なら".into()),
            available_from: Some("来年4月から".into()),
        },
        Via::Portal,
        today,
    )
    .await?;
    println!(
        "a quiet interest: {:.1} ms",
        t.elapsed().as_secs_f64() * 1000.0
    );

    let delivery = kaeru_app::announcements::Delivery {
        line_api: String::new(),
        public_url: "http://127.0.0.1".into(),
    };
    let at = chrono::Utc::now();
    let t = Instant::now();
    let queued = kaeru_app::job_board::run_alerts(&db, &delivery, at)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    println!(
        "alert pass, nothing new: {:.1} ms, {queued} queued",
        t.elapsed().as_secs_f64() * 1000.0
    );
    for (i, title) in ["Webディレクター", "SNS運用（副業）"].iter().enumerate() {
        openings::create(&db, &scope, &actor, &opening(title, i + 3, "alumni")).await?;
    }
    let at = chrono::Utc::now();
    let t = Instant::now();
    let queued = kaeru_app::job_board::run_alerts(&db, &delivery, at)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    println!(
        "alert pass, two new openings: {:.0} ms, {queued} messages queued",
        t.elapsed().as_secs_f64() * 1000.0
    );
    let t = Instant::now();
    let again = kaeru_app::job_board::run_alerts(&db, &delivery, chrono::Utc::now())
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    println!(
        "alert pass right after (nothing due): {:.1} ms, {again} queued",
        t.elapsed().as_secs_f64() * 1000.0
    );
    let t = Instant::now();
    let figures = job_board::figures(&db, &scope).await?;
    println!(
        "figures of every opening: {:.1} ms ({} openings with any)",
        t.elapsed().as_secs_f64() * 1000.0,
        figures.len()
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
