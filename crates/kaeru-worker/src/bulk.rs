//! Sending announcements: due schedules started, e-mail deliveries claimed per company within its rate
//! (e-mails per minute, counted in the database so every node keeps to it), LINE deliveries sent as
//! multicast batches with their retry key. Consent is checked again for every batch just before it goes.
//! An announcement whose deliveries keep failing, or that LINE refuses for the month, pauses itself and
//! says why.

use crate::mail::{Committed, Mailer, SendError};
use kaeru_app::announcements::{Delivery, Sender, sender};
use kaeru_domain::announcement::DeliveryStatus;
use kaeru_domain::{AnnouncementId, CompanyId, PersonId};
use kaeru_messaging::{LineClient, LineError, Parts, compose, compose_rendered};
use kaeru_store::announcements::{self as store, Announcement, Claimed};
use kaeru_store::{Db, Scope, consent, messaging};
use std::collections::HashMap;
use std::sync::Arc;

/// How many e-mails one node has in flight at once.
pub const CONCURRENCY: usize = 8;
/// How long a claimed batch is held. A node that dies is taken over after this; a node still working
/// when it runs out only skips what it no longer holds (the mark before the final dot checks the claim).
pub const LEASE_SECONDS: i64 = 30;
/// Failures in one pass of an announcement, with nothing sent, after which it pauses itself.
pub const PAUSE_AFTER: usize = 10;

/// What one pass did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sent {
    pub started: usize,
    pub sent: usize,
    pub retried: usize,
    pub refused: usize,
    pub bounced: usize,
}

/// What one sending slot (one SMTP connection) did.
#[derive(Default)]
struct Slot {
    sent: usize,
    bounced: usize,
    failed: usize,
    last_error: String,
}

struct Context {
    announcement: Announcement,
    sender: Sender,
    purpose_name: String,
}

async fn context(
    db: &Db,
    cache: &mut HashMap<AnnouncementId, Arc<Context>>,
    company: CompanyId,
    id: AnnouncementId,
) -> anyhow::Result<Arc<Context>> {
    if let Some(c) = cache.get(&id) {
        return Ok(c.clone());
    }
    let scope = Scope::for_company(company);
    let announcement = store::get(db, &scope, id).await?;
    let sender = sender(db, &scope)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let purpose_name = consent::purposes(db, &scope)
        .await?
        .into_iter()
        .find(|p| p.code == announcement.purpose)
        .map(|p| p.name(sender.lang).to_string())
        .unwrap_or_else(|| announcement.purpose.clone());
    let c = Arc::new(Context {
        announcement,
        sender,
        purpose_name,
    });
    cache.insert(id, c.clone());
    Ok(c)
}

async fn names(
    db: &Db,
    company: CompanyId,
    people: &[PersonId],
) -> anyhow::Result<HashMap<PersonId, String>> {
    Ok(kaeru_store::people::greeting_names(db, &Scope::for_company(company), people).await?)
}

/// Drops the deliveries whose person withdrew consent (or stopped contact) since queueing.
async fn recheck(
    db: &Db,
    node: &str,
    batch: Vec<Claimed>,
    purpose: &str,
) -> anyhow::Result<(Vec<Claimed>, usize)> {
    let Some(first) = batch.first() else {
        return Ok((batch, 0));
    };
    let people: Vec<PersonId> = batch.iter().map(|c| c.person).collect();
    let allowed = store::still_allowed(db, first.company, purpose, &people).await?;
    let (ok, refused): (Vec<Claimed>, Vec<Claimed>) =
        batch.into_iter().partition(|c| allowed.contains(&c.person));
    if !refused.is_empty() {
        let ids: Vec<_> = refused.iter().map(|c| c.id).collect();
        store::mark_final(
            db,
            &ids,
            node,
            DeliveryStatus::Refused,
            "consent withdrawn or contact stopped before sending",
        )
        .await?;
        tracing::info!(
            refused = ids.len(),
            "deliveries refused: consent no longer stands"
        );
    }
    Ok((ok, refused.len()))
}

/// One pass over everything due.
pub async fn deliver(
    db: &Db,
    mailer: Option<&Mailer>,
    delivery: &Delivery,
    node: &str,
) -> anyhow::Result<Sent> {
    let mut done = Sent {
        started: kaeru_app::announcements::start_due(db, delivery).await?,
        ..Default::default()
    };
    let mut cache = HashMap::new();
    if let Some(mailer) = mailer {
        send_email(db, mailer, delivery, node, &mut cache, &mut done).await?;
    }
    send_line(db, delivery, node, &mut cache, &mut done).await?;
    store::finish_done(db).await?;
    Ok(done)
}

async fn send_email(
    db: &Db,
    mailer: &Mailer,
    delivery: &Delivery,
    node: &str,
    cache: &mut HashMap<AnnouncementId, Arc<Context>>,
    done: &mut Sent,
) -> anyhow::Result<()> {
    for (company, recent) in store::email_due(db).await? {
        let per_minute = i64::from(
            messaging::settings_of_company(db, company)
                .await?
                .emails_per_minute,
        );
        let allowance = (per_minute - recent).clamp(0, 200);
        if allowance == 0 {
            continue;
        }
        let claimed_at = std::time::Instant::now();
        let batch = store::claim_email(
            db,
            company,
            node,
            chrono::Duration::seconds(LEASE_SECONDS),
            allowance as u64,
        )
        .await?;
        let mut by_announcement: HashMap<AnnouncementId, Vec<Claimed>> = HashMap::new();
        for c in batch {
            by_announcement.entry(c.announcement).or_default().push(c);
        }
        for (id, rows) in by_announcement {
            let ctx = context(db, cache, company, id).await?;
            let (rows, refused) = recheck(db, node, rows, &ctx.announcement.purpose).await?;
            done.refused += refused;
            let people: Vec<PersonId> = rows.iter().map(|c| c.person).collect();
            let names = Arc::new(names(db, company, &people).await?);
            // Every letter is written first, off the async threads: the sending slots then only wait on
            // the network and the database, so a 250 is recorded the moment it arrives.
            let prepared = {
                let (ctx, names, urls, mailer) =
                    (ctx.clone(), names.clone(), delivery.clone(), mailer.clone());
                tokio::task::spawn_blocking(move || {
                    let rendered = kaeru_messaging::Rendered::of(&ctx.announcement.body);
                    let news = urls.news_url(&ctx.sender.key, ctx.announcement.id);
                    let choices = urls.choices_url();
                    rows.into_iter()
                        .map(|c| {
                            let name = names.get(&c.person).cloned().unwrap_or_default();
                            let unsub = urls.unsubscribe_url(&ctx.sender.key, c.id);
                            let letter = compose_rendered(
                                &Parts {
                                    lang: ctx.sender.lang,
                                    subject: &ctx.announcement.subject,
                                    body: &ctx.announcement.body,
                                    person: &name,
                                    purpose: &ctx.purpose_name,
                                    read_url: &urls.read_url(&ctx.sender.key, c.id),
                                    unsubscribe_url: &unsub,
                                    line_read_url: &news,
                                    choices_url: &choices,
                                    footer: &ctx.sender.footer,
                                },
                                &rendered,
                            );
                            let message = mailer
                                .letter(&c.address, &letter, &unsub, c.id.0)
                                .map(|m| (m.envelope().clone(), m.formatted()));
                            (c, message)
                        })
                        .collect::<Vec<_>>()
                })
                .await?
            };
            let slots = CONCURRENCY.min(prepared.len());
            let queue = Arc::new(std::sync::Mutex::new(std::collections::VecDeque::from(
                prepared,
            )));
            let mut tasks = tokio::task::JoinSet::new();
            for _ in 0..slots {
                let queue = queue.clone();
                let (db, mailer, node) = (db.clone(), mailer.clone(), node.to_string());
                tasks.spawn(async move {
                    let mut out = Slot::default();
                    let mut conn = None;
                    loop {
                        // Past most of the lease, the rest waits for the next claim: no message is sent
                        // on a claim another node may already have taken over.
                        if claimed_at.elapsed() > std::time::Duration::from_secs((LEASE_SECONDS * 2 / 3) as u64) {
                            break;
                        }
                        let next = queue.lock().map(|mut q| q.pop_front()).unwrap_or(None);
                        let Some((c, message)) = next else { break };
                        let outcome = match message {
                            Ok((envelope, bytes)) => {
                                let (db2, node2, id) = (db.clone(), node.clone(), c.id);
                                mailer
                                    .send_committed(&mut conn, &envelope, &bytes, || async move {
                                        Ok(store::mark_sent(&db2, &[id], &node2).await? > 0)
                                    })
                                    .await
                            }
                            Err(e) => Committed::Refused(e),
                        };
                        match outcome {
                            Committed::Delivered => out.sent += 1,
                            Committed::Skipped => {}
                            Committed::Refused(SendError::Permanent(e))
                            | Committed::RefusedAfterCommit(SendError::Permanent(e)) => {
                                tracing::warn!(delivery = %c.id, error = %e, "address bounced");
                                store::mark_final(&db, &[c.id], &node, DeliveryStatus::Bounced, &e).await?;
                                messaging::mark_bounced(&db, c.company, &c.address, &e).await?;
                                out.bounced += 1;
                            }
                            Committed::Refused(SendError::Transient(e))
                            | Committed::RefusedAfterCommit(SendError::Transient(e)) => {
                                tracing::warn!(delivery = %c.id, attempt = c.attempts + 1, error = %e, "sending failed");
                                store::mark_retry(&db, &c, &node, &e, None).await?;
                                out.failed += 1;
                                out.last_error = e;
                            }
                        }
                    }
                    if let Some(mut c) = conn {
                        let _ = c.quit().await;
                    }
                    Ok::<_, anyhow::Error>(out)
                });
            }
            let mut failures = 0;
            let mut sent = 0;
            let mut last_error = String::new();
            while let Some(joined) = tasks.join_next().await {
                let slot = joined??;
                sent += slot.sent;
                failures += slot.failed;
                done.sent += slot.sent;
                done.bounced += slot.bounced;
                done.retried += slot.failed;
                if !slot.last_error.is_empty() {
                    last_error = slot.last_error;
                }
            }
            if failures >= PAUSE_AFTER && sent == 0 {
                let reason = format!("{failures} e-mails in a row could not be sent: {last_error}");
                tracing::error!(announcement = %id, reason, "announcement paused");
                store::pause_by_worker(db, company, id, &reason).await?;
            }
        }
    }
    Ok(())
}

async fn send_line(
    db: &Db,
    delivery: &Delivery,
    node: &str,
    cache: &mut HashMap<AnnouncementId, Arc<Context>>,
    done: &mut Sent,
) -> anyhow::Result<()> {
    // A bounded number of batches per pass keeps the other work of the worker going.
    for _ in 0..20 {
        let batch =
            store::claim_line_batch(db, node, chrono::Duration::seconds(LEASE_SECONDS)).await?;
        let Some(first) = batch.first().cloned() else {
            return Ok(());
        };
        let company = first.company;
        let ctx = context(db, cache, company, first.announcement).await?;
        let settings = messaging::settings_of_company(db, company).await?;
        let Some(line) = settings.line else {
            let reason = "LINE is no longer set up for the company";
            store::pause_by_worker(db, company, first.announcement, reason).await?;
            for c in &batch {
                store::mark_retry(db, c, node, reason, Some(chrono::Duration::minutes(10))).await?;
            }
            continue;
        };
        let (rows, refused) = recheck(db, node, batch, &ctx.announcement.purpose).await?;
        done.refused += refused;
        if rows.is_empty() {
            continue;
        }
        let letter = compose(&Parts {
            lang: ctx.sender.lang,
            subject: &ctx.announcement.subject,
            body: &ctx.announcement.body,
            person: "",
            purpose: &ctx.purpose_name,
            read_url: "",
            unsubscribe_url: "",
            line_read_url: &delivery.news_url(&ctx.sender.key, ctx.announcement.id),
            choices_url: &delivery.choices_url(),
            footer: &ctx.sender.footer,
        });
        let to: Vec<String> = rows.iter().map(|c| c.address.clone()).collect();
        let key = first.batch_key.unwrap_or(first.id.0);
        let client = LineClient::new(&delivery.line_api, &line.token);
        match client.multicast(&to, &letter.line, key).await {
            Ok(()) => {
                let ids: Vec<_> = rows.iter().map(|c| c.id).collect();
                store::mark_sent(db, &ids, node).await?;
                done.sent += ids.len();
                tracing::info!(announcement = %first.announcement, sent = ids.len(), "LINE batch sent");
            }
            Err(e) => {
                tracing::warn!(announcement = %first.announcement, error = %e, "LINE batch not sent");
                let (wait, pause) = match &e {
                    LineError::TooMany(_) if e.is_quota() => (
                        chrono::Duration::hours(1),
                        Some("LINE's monthly message quota is used up".to_string()),
                    ),
                    LineError::TooMany(_) => (chrono::Duration::seconds(60), None),
                    LineError::Unauthorized(_) => {
                        (chrono::Duration::minutes(10), Some(e.to_string()))
                    }
                    LineError::Rejected { .. } => {
                        let ids: Vec<_> = rows.iter().map(|c| c.id).collect();
                        store::mark_final(db, &ids, node, DeliveryStatus::Failed, &e.to_string())
                            .await?;
                        continue;
                    }
                    LineError::Unavailable(_) => (store::backoff(first.attempts + 1), None),
                };
                for c in &rows {
                    store::mark_retry(db, c, node, &e.to_string(), Some(wait)).await?;
                }
                done.retried += rows.len();
                if let Some(reason) = pause {
                    store::pause_by_worker(db, company, first.announcement, &reason).await?;
                }
            }
        }
    }
    Ok(())
}
