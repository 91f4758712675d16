//! An OB・OG会 in a 100,000-person company: an invitation's reply rows written for everyone invited, then
//! replies one after another through the use case (each locks the event, counts places, queues its
//! confirmation in the outbox), a burst of concurrent replies for the last places, the event's reply list
//! (as the event page and the door read it) and a check-in.
//!
//! `cargo bench -p kaeru --bench events` (SQLite in a temp folder); with
//! `KAERU_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/kaeru_bench` on PostgreSQL (a fresh
//! database). `KAERU_BENCH_PEOPLE` (default 100,000) and `KAERU_BENCH_INVITED` (default 2,000) change the
//! sizes. Wall clocks over one run: this is database work, not a micro-benchmark for criterion.

use kaeru_domain::PersonId;
use kaeru_domain::event::{EventInput, EventStatus, RsvpInput};
use kaeru_store::events as store;
use kaeru_store::{Actor, DatabaseTarget, Scope};
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
    let invited = env("KAERU_BENCH_INVITED", 2_000).min(n);
    let dir = std::env::temp_dir().join(format!("kaeru-bench-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir)?;
    let target = match std::env::var("KAERU_BENCH_DATABASE_URL") {
        Ok(url) => DatabaseTarget::resolve(Some(&url), &dir)?,
        Err(_) => DatabaseTarget::Sqlite(dir.join("kaeru.db")),
    };
    let db = kaeru::open_database(&target).await?;
    let today = chrono::Utc::now().date_naive();
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

    let delivery = kaeru_app::announcements::Delivery {
        line_api: String::new(),
        public_url: "http://127.0.0.1".into(),
    };
    let mail = kaeru_app::events::Mail::load(&db, &scope, &delivery)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let start = chrono::Utc::now() + chrono::Duration::days(30);
    let local = |t: chrono::DateTime<chrono::Utc>| {
        t.with_timezone(&chrono_tz::Asia::Tokyo)
            .format("%Y-%m-%dT%H:%M")
            .to_string()
    };
    let seats = invited / 4;
    let e = kaeru_app::events::save(
        &db,
        &scope,
        &actor,
        &mail,
        None,
        &EventInput {
            title: "OB・OG会".into(),
            starts_at: local(start),
            ends_at: local(start + chrono::Duration::hours(3)),
            place: "本社".into(),
            capacity: seats.to_string(),
            ..Default::default()
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    kaeru_app::events::set_status(&db, &scope, &actor, &mail, e.id, EventStatus::Published, "")
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;

    let mut people: Vec<PersonId> =
        kaeru_store::people::ids_with_status(&db, &scope, kaeru_domain::PersonStatus::Alumnus)
            .await?
            .into_iter()
            .collect();
    people.sort();
    people.truncate(invited);
    let t = Instant::now();
    let mut rsvps = Vec::with_capacity(people.len());
    for p in &people {
        if let Some(r) = store::rsvp_for(&db, &scope, e.id, *p, true).await? {
            rsvps.push(r.id);
        }
    }
    println!(
        "{} reply rows made one by one: {:.2} s",
        rsvps.len(),
        t.elapsed().as_secs_f64()
    );

    let yes = RsvpInput {
        answer: "attending".into(),
        news: "元気です。".into(),
        news_consent: "on".into(),
        ..Default::default()
    };
    let serial = seats.saturating_sub(50);
    let t = Instant::now();
    for id in &rsvps[..serial] {
        kaeru_app::events::reply(&db, &scope, &actor, &mail, *id, &yes, today)
            .await
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    }
    let el = t.elapsed().as_secs_f64();
    println!(
        "{serial} replies one after another: {el:.2} s ({:.1} ms each)",
        el * 1000.0 / serial as f64
    );

    // The last 50 places and 150 more who want them, all at once.
    let burst: Vec<_> = rsvps[serial..serial + 200].to_vec();
    let t = Instant::now();
    let mut tasks = Vec::new();
    for id in burst {
        let (db, mail, yes, actor) = (db.clone(), mail.clone(), yes.clone(), actor.clone());
        tasks.push(tokio::spawn(async move {
            kaeru_app::events::reply(&db, &scope, &actor, &mail, id, &yes, today)
                .await
                .is_ok()
        }));
    }
    for t in tasks {
        t.await?;
    }
    let el = t.elapsed().as_secs_f64();
    let c = store::counts(&db, &scope, e.id).await?;
    println!(
        "200 replies at once for the last 50 places: {el:.2} s; attending {} of {seats}, waitlisted {}",
        c.attending, c.waitlisted
    );
    assert_eq!(c.places as usize, seats, "never more than the capacity");

    let t = Instant::now();
    let runs = 20;
    for _ in 0..runs {
        store::rsvps(&db, &scope, e.id).await?;
    }
    println!(
        "the event's {} replies read and sorted (五十音順): {:.1} ms",
        rsvps.len(),
        t.elapsed().as_secs_f64() * 1000.0 / f64::from(runs)
    );
    let first = store::rsvp(&db, &scope, rsvps[0]).await?;
    let t = Instant::now();
    store::check_in(
        &db,
        &scope,
        &actor,
        e.id,
        Some(&first.checkin_code),
        None,
        today,
    )
    .await?
    .map_err(|r| anyhow::anyhow!("{r:?}"))?;
    println!(
        "a check-in (with its touchpoint): {:.1} ms",
        t.elapsed().as_secs_f64() * 1000.0
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
