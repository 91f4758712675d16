//! Sending an announcement at scale: 10,000 recipients queued (segment evaluated, consent checked, one
//! delivery row each) and then delivered by the worker to an SMTP sink on loopback.
//!
//! `cargo bench -p kaeru --bench announcements` (SQLite in a temp folder); with
//! `KAERU_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/kaeru_bench` on PostgreSQL (a fresh database).
//! `KAERU_BENCH_PEOPLE` changes N (default 10,000). The sink is `tools/smtp_sink.py` in its counting mode
//! (aiosmtpd, accepting and counting without writing files), so the figure is Kaeru's, not the disk's.
//! Timed with wall clocks over one run: this is I/O, not a micro-benchmark for criterion.

use kaeru_store::{Actor, DatabaseTarget, Scope, consent, messaging, segments};
use std::io::BufRead;
use std::time::Instant;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    if std::env::args().any(|a| a == "--list") {
        return Ok(());
    }
    let n: usize = std::env::var("KAERU_BENCH_PEOPLE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
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
    consent::purposes(&db, &scope).await?;
    // Everyone consents to the newsletter (a benchmark's shortcut; people decide one by one in Kaeru).
    kaeru_store::testing::execute(
        &db,
        &format!(
            "INSERT INTO consents (id, company_id, person_id, purpose_id, version, granted, decided_at) \
             SELECT p.id, p.company_id, p.id, u.id, u.version, TRUE, p.created_at FROM people p \
             JOIN purposes u ON u.company_id = p.company_id AND u.code = 'newsletter' \
             WHERE p.company_id = (SELECT id FROM companies WHERE slug = '{slug}')"
        ),
    )
    .await;
    messaging::save(
        &db,
        &scope,
        &actor,
        &messaging::SettingsUpdate {
            force_channel: kaeru_domain::ChannelPolicy::Auto,
            emails_per_minute: 100_000,
            sender_address: "静岡県浜松市中区元城町1-2".into(),
            sender_contact: "hr@example.jp".into(),
        },
    )
    .await?;
    println!("seeded {n} people in {:.1} s", t.elapsed().as_secs_f64());

    let seg = segments::save(&db, &scope, &actor, None, "全員", &Default::default()).await?;
    let a = kaeru_app::announcements::save(
        &db,
        &scope,
        &actor,
        None,
        &kaeru_domain::AnnouncementInput {
            kind: "newsletter".into(),
            subject: "社内報 12月号".into(),
            body: "## 今月のお知らせ\n\n- 工場見学会を開きます\n- OB・OG会の日程が決まりました\n\n詳しくは[こちら](https://example.jp/news)。".into(),
            purpose: "newsletter".into(),
            segment: seg.id.to_string(),
            scheduled_at: String::new(),
            event: String::new(),
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let delivery = kaeru_app::announcements::Delivery {
        line_api: "http://127.0.0.1:9".into(),
        public_url: "https://kaeru.example.jp".into(),
    };
    let t = Instant::now();
    let plan = kaeru_app::announcements::send_now(&db, &scope, &actor, &delivery, a.id)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let queued = t.elapsed();
    println!(
        "queued {} recipients ({} matched) in {:.2} s",
        plan.audience.recipients.len(),
        plan.audience.matched,
        queued.as_secs_f64()
    );

    let mut sink = std::process::Command::new("python3")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tools/smtp_sink.py"
        ))
        .arg("0")
        .arg("--count")
        .stdout(std::process::Stdio::piped())
        .spawn()?;
    let mut line = String::new();
    std::io::BufReader::new(sink.stdout.take().expect("stdout")).read_line(&mut line)?;
    let port: u16 = line.trim().trim_start_matches("ready ").parse()?;
    let mailer = kaeru_worker::Mailer::new(&kaeru_worker::SmtpSettings {
        host: "127.0.0.1".into(),
        port,
        tls: kaeru_worker::TlsMode::None,
        user: None,
        password: None,
        from: "合成データ <no-reply@example.jp>".into(),
    })?;
    let t = Instant::now();
    let mut sent = 0;
    while sent < plan.audience.recipients.len() {
        let s = kaeru_worker::bulk::deliver(&db, Some(&mailer), &delivery, "bench").await?;
        anyhow::ensure!(s.sent > 0, "nothing sent in a pass: {s:?}");
        sent += s.sent;
    }
    let took = t.elapsed().as_secs_f64();
    println!(
        "delivered {sent} e-mails in {took:.2} s: {:.0} messages/s",
        sent as f64 / took
    );
    let _ = sink.kill();
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
