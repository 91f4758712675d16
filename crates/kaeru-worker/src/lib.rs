//! The background worker that runs beside the web server: scheduled jobs per company, claimed with a lease
//! so that with several nodes each run happens once, and housekeeping such as removing expired sessions.

use chrono::{Duration, TimeZone, Utc};
use kaeru_domain::CompanyId;
use kaeru_store::{Db, Scope, companies, schedules, sessions};
use tokio_util::sync::CancellationToken;

pub mod bulk;
pub mod mail;
pub use mail::{Mailer, SmtpSettings, TlsMode, deliver_outbox};

/// Recomputes each person's status once a day, so planned leaving dates take effect.
pub const REFRESH_STATUSES: &str = "refresh_statuses";
/// Marks return offers whose window has passed as expired, once a day.
pub const EXPIRE_OFFERS: &str = "expire_offers";
/// The weekly digest for staff who asked for it: looked at every morning, sent once a week (on Monday,
/// or the first morning after).
pub const WEEKLY_DIGEST: &str = "weekly_digest";
/// The monthly report (PDF) to the owners of companies that asked for it: looked at every morning, sent for
/// the month before on the 1st (or, after an outage, the first morning of the first three days).
pub const MONTHLY_REPORT: &str = "monthly_report";

/// The next 00:05 in the company's time zone, in UTC.
fn next_local_early_morning(
    time_zone: &str,
    after: chrono::DateTime<Utc>,
) -> chrono::DateTime<Utc> {
    let tz: chrono_tz::Tz = time_zone.parse().unwrap_or(chrono_tz::Asia::Tokyo);
    let local_tomorrow = after.with_timezone(&tz).date_naive() + Duration::days(1);
    let at = local_tomorrow.and_hms_opt(0, 5, 0).unwrap_or_default();
    tz.from_local_datetime(&at)
        .earliest()
        .map(|d| d.with_timezone(&Utc))
        .unwrap_or(after + Duration::days(1))
}

/// Queues the weekly digest of every staff member of the company who asked for it and has not had this
/// week's, built from the same to-do list as the home page. Returns how many were queued.
pub async fn queue_digests(
    db: &Db,
    company: CompanyId,
    public_url: &str,
    today: chrono::NaiveDate,
) -> anyhow::Result<usize> {
    use chrono::Datelike;
    let scope = Scope::for_company(company);
    let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
    let due = kaeru_store::messaging::digest_due(db, &scope, monday).await?;
    if due.is_empty() {
        return Ok(0);
    }
    let c = companies::get(db, &scope).await?;
    // One reconnect list for every digest of the pass.
    let cache = std::sync::Arc::new(kaeru_app::search::SearchCache::default());
    let mut queued = 0;
    for id in due {
        let Ok(staff) = kaeru_store::staff::get(db, &scope, id).await else {
            continue;
        };
        if !staff.active {
            continue;
        }
        let todos = kaeru_app::todo::list(
            db,
            &cache,
            &scope,
            None,
            staff.role,
            today,
            kaeru_app::todo::MOST_IN_DIGEST,
        )
        .await?;
        let lang = staff.language.unwrap_or(c.default_language);
        if let Some((subject, body)) =
            kaeru_app::todo::digest(&todos, lang, &c.name, &staff.display_name, public_url)
        {
            kaeru_store::outbox::enqueue(
                db,
                &scope,
                &kaeru_store::outbox::NewMessage {
                    channel: kaeru_domain::announcement::DeliveryChannel::Email,
                    person: None,
                    purpose: None,
                    kind: "digest".into(),
                    to: staff.email.clone(),
                    subject,
                    body,
                    attachment: None,
                    idempotency_key: format!("digest:{}:{monday}", staff.id),
                },
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            queued += 1;
        }
        kaeru_store::messaging::digest_sent(db, &scope, id, monday).await?;
    }
    Ok(queued)
}

/// Queues the monthly report for last month to each active owner when the company asked for it, once
/// (the idempotency key carries the month). Returns how many were queued.
pub async fn queue_monthly_report(
    db: &Db,
    company: CompanyId,
    public_url: &str,
    today: chrono::NaiveDate,
) -> anyhow::Result<usize> {
    use base64::Engine;
    use chrono::Datelike;
    if today.day() > 3 {
        return Ok(0);
    }
    let scope = Scope::for_company(company);
    if !kaeru_store::offers::policy(db, &scope)
        .await?
        .monthly_report
    {
        return Ok(0);
    }
    let c = companies::get(db, &scope).await?;
    let figures = kaeru_app::analytics::company_figures(
        db,
        &kaeru_app::analytics::AnalyticsCache::default(),
        &scope,
        &c.time_zone,
        today,
    )
    .await?;
    let h = &figures.previous_month;
    let month = h.month.format("%Y/%m").to_string();
    let mut queued = 0;
    for staff in kaeru_store::staff::list(db, &scope).await? {
        if !staff.active || staff.role != kaeru_domain::Role::Owner {
            continue;
        }
        let lang = staff.language.unwrap_or(c.default_language);
        let t = kaeru_app::Catalog::get(lang);
        let pdf = kaeru_app::analytics::report_pdf(&figures, lang, &c.name, true)
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let yen = t.format(
            "network.yen",
            &[("n", kaeru_domain::validation::group_digits(h.business_yen))],
        );
        kaeru_store::outbox::enqueue(
            db,
            &scope,
            &kaeru_store::outbox::NewMessage {
                channel: kaeru_domain::announcement::DeliveryChannel::Email,
                person: None,
                purpose: None,
                kind: "monthly_report".into(),
                to: staff.email.clone(),
                subject: t.format(
                    "analytics.report.mail_subject",
                    &[("company", c.name.clone()), ("month", month.clone())],
                ),
                body: t.format(
                    "analytics.report.mail_body",
                    &[
                        ("name", staff.display_name.clone()),
                        ("month", month.clone()),
                        ("returners", h.returners.to_string()),
                        ("contacts", h.contacts.to_string()),
                        ("business", yen),
                        ("offers", h.offers_standing.to_string()),
                        ("url", public_url.trim_end_matches('/').to_string()),
                    ],
                ),
                attachment: Some(kaeru_store::outbox::Attachment {
                    name: format!("kaeru-report-{}.pdf", h.month.format("%Y-%m")),
                    content_type: "application/pdf".into(),
                    content: base64::engine::general_purpose::STANDARD.encode(&pdf),
                }),
                idempotency_key: format!("monthly-report:{}:{}", staff.id, h.month.format("%Y-%m")),
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        queued += 1;
    }
    Ok(queued)
}

/// Runs one job for one company.
async fn run_job(db: &Db, company: CompanyId, job: &str, public_url: &str) -> anyhow::Result<()> {
    let scope = Scope::for_company(company);
    let c = companies::get(db, &scope).await?;
    let tz: chrono_tz::Tz = c.time_zone.parse().unwrap_or(chrono_tz::Asia::Tokyo);
    let today = Utc::now().with_timezone(&tz).date_naive();
    match job {
        REFRESH_STATUSES => {
            let changed = kaeru_store::status::refresh(db, &scope, today).await?;
            tracing::info!(company = %company, changed, "statuses refreshed");
        }
        EXPIRE_OFFERS => {
            let expired = kaeru_store::offers::expire_passed(db, &scope, today).await?;
            let closed = kaeru_store::openings::close_passed(db, &scope, today).await?;
            tracing::info!(company = %company, expired, closed, "offers expired and openings past their closing date closed");
        }
        WEEKLY_DIGEST => {
            let queued = queue_digests(db, company, public_url, today).await?;
            tracing::info!(company = %company, queued, "weekly digests queued");
        }
        MONTHLY_REPORT => {
            let queued = queue_monthly_report(db, company, public_url, today).await?;
            tracing::info!(company = %company, queued, "monthly reports queued");
        }
        other => anyhow::bail!("unknown job {other}"),
    }
    Ok(())
}

/// One pass: make sure every company has its schedules, run what is due, tidy up. Returns how many jobs ran.
pub async fn tick(db: &Db, node: &str, public_url: &str) -> anyhow::Result<usize> {
    let now = Utc::now();
    let all = companies::all(db).await?;
    for c in &all {
        for job in [
            REFRESH_STATUSES,
            EXPIRE_OFFERS,
            WEEKLY_DIGEST,
            MONTHLY_REPORT,
        ] {
            schedules::ensure(db, c.id, job, now).await?;
        }
    }
    let mut ran = 0;
    while let Some((company, job)) = schedules::claim_due(db, node, Duration::minutes(10)).await? {
        let result = run_job(db, company, &job, public_url).await;
        let tz = all
            .iter()
            .find(|c| c.id == company)
            .map(|c| c.time_zone.clone())
            .unwrap_or_default();
        let next = next_local_early_morning(&tz, Utc::now());
        if let Err(e) = &result {
            tracing::error!(company = %company, job, error = %e, "scheduled job failed");
        }
        schedules::finish(db, company, &job, next, result.err().map(|e| e.to_string())).await?;
        ran += 1;
    }
    let purged =
        sessions::purge_expired(db).await? + kaeru_store::portal::purge_expired(db).await?;
    if purged > 0 {
        tracing::debug!(purged, "expired sessions removed");
    }
    // Every rate-limit window is at most a day long; older ones only take space.
    let windows =
        kaeru_store::rate_limit::purge(db, Utc::now() - chrono::Duration::days(2)).await?;
    if windows > 0 {
        tracing::debug!(windows, "expired rate-limit windows removed");
    }
    // Nodes patch their indexes from the last day of the revision log; one further behind rebuilds.
    let changes = companies::prune_changes(db, Utc::now() - chrono::Duration::days(1)).await?;
    if changes > 0 {
        tracing::debug!(changes, "revision log older than a day removed");
    }
    Ok(ran)
}

/// Runs until `stop` is cancelled: scheduled jobs once a minute, the outbox every few seconds when SMTP is
/// configured (without it messages wait in the outbox, shown as not sent).
pub async fn run(
    db: Db,
    node: String,
    mailer: Option<Mailer>,
    delivery: kaeru_app::announcements::Delivery,
    stop: CancellationToken,
) {
    tracing::info!(node, smtp = mailer.is_some(), "worker started");
    let mut last_tick: Option<tokio::time::Instant> = None;
    loop {
        if last_tick.is_none_or(|t| t.elapsed() >= std::time::Duration::from_secs(60)) {
            if let Err(e) = tick(&db, &node, &delivery.public_url).await {
                tracing::error!(error = %e, "worker pass failed");
            }
            match kaeru_app::events::run_due(&db, &delivery, Utc::now()).await {
                Ok((lapsed, reminded)) if lapsed + reminded > 0 => {
                    tracing::info!(lapsed, reminded, "event offers lapsed and reminders queued");
                }
                Ok(_) => {}
                Err(e) => tracing::error!(error = ?e, "event reminders failed"),
            }
            match kaeru_app::job_board::run_alerts(&db, &delivery, Utc::now()).await {
                Ok(n) if n > 0 => tracing::info!(queued = n, "job alerts queued"),
                Ok(_) => {}
                Err(e) => tracing::error!(error = ?e, "job alerts failed"),
            }
            last_tick = Some(tokio::time::Instant::now());
        }
        if let Some(m) = &mailer
            && let Err(e) = deliver_outbox(&db, m, &node).await
        {
            tracing::error!(error = %e, "outbox delivery failed");
        }
        match mail::deliver_line_outbox(&db, &delivery, &node).await {
            Ok(d) if d.sent + d.retried + d.refused > 0 => {
                tracing::info!(?d, "LINE messages of the outbox delivered");
            }
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "LINE outbox delivery failed"),
        }
        match bulk::deliver(&db, mailer.as_ref(), &delivery, &node).await {
            Ok(s) if s.sent + s.retried + s.refused + s.bounced + s.started > 0 => {
                tracing::info!(?s, "announcements delivered");
            }
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "announcement delivery failed"),
        }
        tokio::select! {
            _ = stop.cancelled() => break,
            _ = tokio::time::sleep(std::time::Duration::from_secs(3)) => {}
        }
    }
    tracing::info!("worker stopped");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_run_is_early_morning_in_the_company_time_zone() {
        let after = Utc.with_ymd_and_hms(2026, 11, 29, 20, 0, 0).unwrap(); // 05:00 on the 30th in Tokyo
        let next = next_local_early_morning("Asia/Tokyo", after);
        assert_eq!(next, Utc.with_ymd_and_hms(2026, 11, 30, 15, 5, 0).unwrap()); // 00:05 on 1 Dec in Tokyo
    }
}
