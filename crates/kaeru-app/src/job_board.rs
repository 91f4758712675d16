//! The job board of the portal: the openings a former employee may see, each with how well it fits them
//! and why (the matching engine HR's ranking uses, worded for the alumnus and about them alone), their
//! standing return offer beside it, a quiet interest or an application, a referral; and the weekly job
//! alert that tells them of new openings above the fit they chose, by LINE or e-mail.

use crate::announcements::Delivery;
use crate::openings::{Words, work_label};
use crate::search::SearchCache;
use crate::{Failure, Outcome};
use chrono::{DateTime, NaiveDate, Utc};
use kaeru_domain::announcement::DeliveryChannel;
use kaeru_domain::job_board::{
    BoardFilter, FitBand, ReferralDraft, ResponseDraft, ResponseKind, Via,
};
use kaeru_domain::{
    Invalid, MatchWeights, OfferStatus, Opening, OpeningId, PersonId, SkillId, WorkStyle,
};
use kaeru_i18n::Catalog;
use kaeru_search::MatchQuery;
use kaeru_search::matching::{Detail, Match, MatchIndex};
use kaeru_store::job_board::{self as store, RespondError, Response, Visible};
use kaeru_store::outbox::NewMessage;
use kaeru_store::{Db, Scope, StoreError, companies, consent, messaging, offers, openings};
use std::collections::HashMap;

/// The purpose of use a job alert serves (再雇用のご案内).
pub const ALERT_PURPOSE: &str = "rehire";

/// The weights of the alumnus's own view: HR's, without the parts that are HR's judgement or book-keeping
/// (rehire eligibility, recency of contact), so the fit speaks only of skills, intent, offer, mission and
/// way of working.
pub fn portal_weights(w: MatchWeights) -> MatchWeights {
    MatchWeights {
        rehire: 0,
        contact: 0,
        ..w
    }
}

/// What matching asks of an opening.
pub fn query_for(o: &Opening, weights: MatchWeights, today: NaiveDate, limit: usize) -> MatchQuery {
    MatchQuery {
        skills: o
            .requirements
            .iter()
            .map(|r| {
                (
                    r.skill_id,
                    r.required,
                    u8::try_from(r.min_level).unwrap_or(1),
                )
            })
            .collect(),
        work_style: o.work_style,
        days_per_week: o.days_per_week,
        weights,
        today,
        limit,
    }
}

/// One opening on a person's board.
#[derive(Clone, Debug)]
pub struct Card {
    pub visible: Visible,
    /// How it fits them; `None` when they are not among the alumni matching reads.
    pub fit: Option<Match>,
    pub response: Option<Response>,
}

impl Card {
    pub fn score(&self) -> f32 {
        self.fit.as_ref().map_or(0.0, |m| m.score)
    }

    pub fn band(&self) -> FitBand {
        FitBand::of(self.score())
    }
}

/// The person's board: the openings they may see that pass the filter, best fit first (newest first
/// among equals).
pub async fn board(
    db: &Db,
    indexes: &SearchCache,
    scope: &Scope,
    person: PersonId,
    filter: &BoardFilter,
    today: NaiveDate,
) -> Result<Vec<Card>, StoreError> {
    let visible = store::visible_to(db, scope, person, today).await?;
    let weights = portal_weights(openings::weights(db, scope).await?);
    let index = indexes.match_index_for(db, scope, today).await?;
    let mut responses: HashMap<OpeningId, Response> = store::for_person(db, scope, person)
        .await?
        .into_iter()
        .map(|r| (r.opening_id, r))
        .collect();
    let mut cards: Vec<Card> = visible
        .into_iter()
        .filter(|v| filter.admits(&v.opening))
        .map(|v| Card {
            fit: index
                .read()
                .explain_one(person.0, &query_for(&v.opening, weights, today, 1)),
            response: responses.remove(&v.opening.id),
            visible: v,
        })
        .collect();
    cards.sort_by(|a, b| {
        b.score().total_cmp(&a.score()).then(
            b.visible
                .opening
                .created_at
                .cmp(&a.visible.opening.created_at),
        )
    });
    Ok(cards)
}

/// One opening of the person's board (`NotFound` if they may not see it).
pub async fn card(
    db: &Db,
    indexes: &SearchCache,
    scope: &Scope,
    person: PersonId,
    id: OpeningId,
    today: NaiveDate,
) -> Result<Card, StoreError> {
    let v = store::visible_one(db, scope, person, id, today).await?;
    let weights = portal_weights(openings::weights(db, scope).await?);
    let index = indexes.match_index_for(db, scope, today).await?;
    let response = store::for_person(db, scope, person)
        .await?
        .into_iter()
        .find(|r| r.opening_id == id);
    Ok(Card {
        fit: index
            .read()
            .explain_one(person.0, &query_for(&v.opening, weights, today, 1)),
        response,
        visible: v,
    })
}

/// The reasons an opening fits, in the alumnus's own terms: their skills against what it asks, what they
/// told the company about coming back and their way of working, their offer and mission. Nothing here
/// is about anyone else, and nothing is HR's judgement of them.
pub fn reasons(t: &'static Catalog, names: &HashMap<SkillId, String>, m: &Match) -> Vec<String> {
    let s = Words { t };
    let name = |k: &SkillId| names.get(k).cloned().unwrap_or_default();
    let mut out = Vec::new();
    for r in &m.reasons {
        let full = r.points >= r.max - 0.05;
        for d in &r.details {
            let line = match d {
                Detail::SkillMet {
                    skill,
                    level,
                    min,
                    after_leaving,
                    ..
                } => {
                    let mut x = t.format(
                        "portal_match.skill_met",
                        &[
                            ("skill", name(skill)),
                            ("level", level.to_string()),
                            ("min", min.to_string()),
                        ],
                    );
                    if *after_leaving {
                        x.push_str(t.t("portal_match.after_leaving"));
                    }
                    Some(x)
                }
                Detail::SkillBelow { skill, level, min } => Some(t.format(
                    "portal_match.skill_below",
                    &[
                        ("skill", name(skill)),
                        ("level", level.to_string()),
                        ("min", min.to_string()),
                    ],
                )),
                Detail::SkillMissing { skill } => {
                    Some(t.format("portal_match.skill_missing", &[("skill", name(skill))]))
                }
                Detail::NiceHeld {
                    skill,
                    level,
                    after_leaving,
                } => {
                    let mut x = t.format(
                        "portal_match.nice_held",
                        &[("skill", name(skill)), ("level", level.to_string())],
                    );
                    if *after_leaving {
                        x.push_str(t.t("portal_match.after_leaving"));
                    }
                    Some(x)
                }
                Detail::Intent(Some(i)) => Some(t.format(
                    "portal_match.intent",
                    &[("intent", t.label("intent", i.code()))],
                )),
                Detail::Intent(None) => Some(t.t("portal_match.intent_unknown").to_string()),
                Detail::Offer(true) => Some(t.t("portal_match.offer").to_string()),
                Detail::Mission(true) => Some(t.t("portal_match.mission").to_string()),
                Detail::Work(Some(w), days) => Some(t.format(
                    if full {
                        "portal_match.work_fits"
                    } else {
                        "portal_match.work_differs"
                    },
                    &[("work", work_label(&s, *w, *days))],
                )),
                Detail::Work(None, _) => Some(t.t("portal_match.work_unknown").to_string()),
                // HR's judgement and book-keeping are never the alumnus's reasons.
                Detail::Offer(false)
                | Detail::Mission(false)
                | Detail::Rehire(..)
                | Detail::Contact(_) => None,
            };
            out.extend(line);
        }
    }
    out
}

/// The label of a fit band for the alumnus (empty below 50 points: no praise for a poor fit).
pub fn band_label(t: &'static Catalog, band: FitBand) -> &'static str {
    match band {
        FitBand::High => t.t("portal_match.band_high"),
        FitBand::Good => t.t("portal_match.band_good"),
        FitBand::Any => "",
    }
}

/// How an opening is worked, e.g. 「業務委託・週2日・日額30,000円・一部リモート」.
pub fn terms_line(t: &'static Catalog, o: &Opening) -> String {
    let s = Words { t };
    let mut parts = vec![match (o.work_style, o.days_per_week) {
        (WorkStyle::FullTime, _) | (_, None) => t.label("work", o.work_style.code()),
        (WorkStyle::PartWeek, Some(d)) => s.t.format("work.days", &[("n", d.to_string())]),
        (w, Some(d)) => format!(
            "{}・{}",
            t.label("work", w.code()),
            s.t.format("work.days", &[("n", d.to_string())])
        ),
    }];
    if let (Some(y), Some(u)) = (o.pay_yen, o.pay_unit) {
        parts.push(t.format(
            &format!("pay.{}", u.code()),
            &[("amount", kaeru_domain::validation::group_digits(y))],
        ));
    }
    if let Some(r) = o.remote {
        parts.push(t.label("remote", r.code()));
    }
    parts.join("・")
}

/// The person's standing return offer (issued or acknowledged, its window covering today), if any.
pub async fn standing_offer(
    db: &Db,
    scope: &Scope,
    person: PersonId,
    today: NaiveDate,
) -> Result<Option<kaeru_domain::ReturnOffer>, StoreError> {
    Ok(offers::for_person(db, scope, person)
        .await?
        .into_iter()
        .find(|o| {
            matches!(o.status, OfferStatus::Issued | OfferStatus::Acknowledged)
                && o.valid_from <= today
                && today <= o.valid_until
        }))
}

fn refused(e: RespondError) -> Failure {
    match e {
        RespondError::Closed | RespondError::NotInvited => {
            tracing::info!(error = %e, "response to an opening refused");
            Failure::Refused(Invalid::new("error.opening_closed"))
        }
        RespondError::AlreadyApplied => Failure::Refused(Invalid::new("error.already_applied")),
        RespondError::ApplicationStands => {
            Failure::Refused(Invalid::new("error.application_stands"))
        }
        RespondError::Store(e) => Failure::Store(e),
    }
}

/// A quiet interest or an application from the person.
#[allow(clippy::too_many_arguments)]
pub async fn respond(
    db: &Db,
    scope: &Scope,
    person: PersonId,
    opening: OpeningId,
    kind: ResponseKind,
    draft: &ResponseDraft,
    via: Via,
    today: NaiveDate,
) -> Outcome<Response> {
    store::respond(db, scope, person, opening, kind, draft, via, today)
        .await
        .map_err(refused)
}

pub async fn withdraw(db: &Db, scope: &Scope, person: PersonId, opening: OpeningId) -> Outcome<()> {
    store::withdraw(db, scope, person, opening)
        .await
        .map_err(refused)
}

/// How many people one alumnus may recommend in a day (a form that lands in HR's records: a script must
/// not flood them).
pub const REFERRALS_PER_DAY: i32 = 10;

pub async fn refer(
    db: &Db,
    scope: &Scope,
    person: PersonId,
    opening: OpeningId,
    d: &ReferralDraft,
    today: NaiveDate,
) -> Outcome<kaeru_domain::network::Contribution> {
    let key = format!("refer:{}:{}", scope.company_id().0, person.0);
    if !kaeru_store::rate_limit::hit(db, &key, REFERRALS_PER_DAY, chrono::Duration::days(1)).await?
    {
        tracing::warn!(person = %person, "referral rate limit reached");
        return Err(Failure::field(
            "name",
            Invalid::new("error.too_many_requests"),
        ));
    }
    store::refer(db, scope, person, opening, d, today)
        .await
        .map_err(refused)
}

/// Whether job alerts can reach the person at all: their consent to 再雇用のご案内 stands.
pub async fn alerts_allowed(db: &Db, scope: &Scope, person: PersonId) -> Result<bool, StoreError> {
    Ok(consent::for_person(db, scope, person)
        .await?
        .iter()
        .any(|c| c.purpose.code == ALERT_PURPOSE && c.is_current()))
}

/// One alert's message: the openings, each with its fit and first reason, and the link to the board.
#[allow(clippy::too_many_arguments)]
fn alert_text(
    t: &'static Catalog,
    company: &str,
    name: &str,
    items: &[(&Opening, f32, Option<String>)],
    board_url: &str,
    settings_url: &str,
    purpose: &str,
) -> (String, String) {
    let subject = t.format(
        "job_alert.subject",
        &[
            ("company", company.to_string()),
            ("n", items.len().to_string()),
        ],
    );
    let mut body = t.format(
        "job_alert.greeting",
        &[("name", name.to_string()), ("company", company.to_string())],
    );
    body.push_str("\n\n");
    for (o, score, reason) in items {
        let band = band_label(t, FitBand::of(*score));
        body.push_str(&format!("・{}（{}）", o.title, terms_line(t, o)));
        if !band.is_empty() {
            body.push_str(&format!(" — {band}"));
        }
        body.push('\n');
        if let Some(r) = reason {
            body.push_str(&format!("　{r}\n"));
        }
    }
    body.push('\n');
    body.push_str(&t.format("job_alert.link", &[("url", board_url.to_string())]));
    body.push_str("\n\n");
    body.push_str(&t.format(
        "job_alert.footer",
        &[
            ("purpose", purpose.to_string()),
            ("url", settings_url.to_string()),
        ],
    ));
    (subject, body)
}

/// One pass of job alerts for every company (the worker runs it each minute; a person hears at most once
/// a week, and of each opening once). Returns how many messages were queued.
pub async fn run_alerts(db: &Db, delivery: &Delivery, at: DateTime<Utc>) -> Outcome<usize> {
    let mut queued = 0;
    for c in companies::all(db).await? {
        let scope = Scope::for_company(c.id);
        let tz: chrono_tz::Tz = c.time_zone.parse().unwrap_or(chrono_tz::Asia::Tokyo);
        let today = at.with_timezone(&tz).date_naive();
        let fresh = store::freshness(db, &scope, today).await?;
        let Some(newest) = fresh.newest else {
            continue;
        };
        let due = store::alerts_due(db, &scope, newest, at - chrono::Duration::days(7)).await?;
        if due.is_empty() {
            continue;
        }
        queued += alerts_of_company(db, delivery, &scope, today, &fresh, &due, at).await?;
    }
    Ok(queued)
}

async fn alerts_of_company(
    db: &Db,
    delivery: &Delivery,
    scope: &Scope,
    today: NaiveDate,
    fresh: &store::Freshness,
    due: &[store::Alert],
    at: DateTime<Utc>,
) -> Outcome<usize> {
    let (_, docs) = openings::match_docs(db, scope, today).await?;
    let index = MatchIndex::build(docs, today);
    let weights = portal_weights(openings::weights(db, scope).await?);
    let all: HashMap<OpeningId, Opening> = openings::list(db, scope, None)
        .await?
        .into_iter()
        .filter(|o| o.takes_responses(today))
        .map(|o| (o.id, o))
        .collect();
    let names: HashMap<SkillId, String> = kaeru_store::skills::catalogue(db, scope)
        .await?
        .into_iter()
        .map(|k| (k.id, k.name))
        .collect();
    let people: Vec<PersonId> = due.iter().map(|a| a.person_id).collect();
    let told = store::already_alerted(db, scope, &people).await?;
    let greeting = kaeru_store::people::greeting_names(db, scope, &people).await?;
    let sender = crate::announcements::sender(db, scope).await?;
    let mut reach = messaging::reach_many(db, scope, &people).await?;
    let allowed = consent::allowed_people(db, scope, ALERT_PURPOSE).await?;
    let t = Catalog::get(sender.lang);
    let purpose = consent::purposes(db, scope)
        .await?
        .into_iter()
        .find(|p| p.code == ALERT_PURPOSE)
        .map(|p| p.name(sender.lang).to_string())
        .unwrap_or_else(|| ALERT_PURPOSE.into());
    let base = delivery.public_url.trim_end_matches('/');
    let fresh_newest = fresh.newest.unwrap_or(at);
    let mut queued = 0;
    for a in due {
        let p = a.person_id;
        if !allowed.contains(&p) {
            // No consent: nothing is worked out; the watermark moves on.
            store::alert_pass(db, scope, a, &[], None, fresh_newest, at).await?;
            continue;
        }
        let mut news: Vec<(&Opening, f32, Option<String>)> = Vec::new();
        let candidates = fresh.open.iter().map(|(o, when)| (*o, *when)).chain(
            fresh
                .invited
                .iter()
                .filter(|((_, who), _)| *who == p)
                .map(|((o, _), when)| (*o, *when)),
        );
        for (oid, when) in candidates {
            if when <= a.seen_until || told.contains(&(p, oid)) {
                continue;
            }
            let Some(o) = all.get(&oid) else { continue };
            let fit = index.explain_one(p.0, &query_for(o, weights, today, 1));
            let score = fit.as_ref().map_or(0.0, |m| m.score);
            if score + 0.05 < a.min_fit.threshold() {
                continue;
            }
            let first = fit
                .as_ref()
                .and_then(|m| reasons(t, &names, m).into_iter().next());
            news.push((o, score, first));
        }
        news.sort_by(|x, y| y.1.total_cmp(&x.1));
        news.truncate(10);
        let ids: Vec<OpeningId> = news.iter().map(|(o, _, _)| o.id).collect();
        let message = if news.is_empty() {
            None
        } else {
            match reach.remove(&p) {
                None => None,
                Some((channel, to)) => {
                    let via = match channel {
                        DeliveryChannel::Line => "line",
                        DeliveryChannel::Email => "email",
                    };
                    let (subject, body) = alert_text(
                        t,
                        &sender.footer.company,
                        greeting.get(&p).map_or("", String::as_str),
                        &news,
                        &format!("{base}/me/openings?via={via}"),
                        &format!("{base}/me/openings#alerts"),
                        &purpose,
                    );
                    Some(NewMessage {
                        channel,
                        person: Some(p),
                        purpose: Some(ALERT_PURPOSE.into()),
                        kind: "job_alert".into(),
                        to,
                        subject,
                        body,
                        attachment: None,
                        idempotency_key: format!("job_alert:{}:{}", p, at.timestamp()),
                    })
                }
            }
        };
        let told_ids: &[OpeningId] = if message.is_some() { &ids } else { &[] };
        if store::alert_pass(db, scope, a, told_ids, message.as_ref(), fresh_newest, at).await? {
            queued += 1;
        }
    }
    Ok(queued)
}
