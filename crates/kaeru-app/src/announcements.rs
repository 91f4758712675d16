//! Announcements to many: segments built and counted, an announcement written, previewed and sent now or
//! at a time, LINE's monthly quota read before sending, and the links in messages (read on the web,
//! unsubscribe) checked against the company's key.

use crate::{Failure, Outcome};
use kaeru_domain::announcement::{
    AnnouncementInput, AnnouncementStatus, DeliveryChannel, SegmentFilter, SegmentInput,
};
use kaeru_domain::{AnnouncementId, DeliveryId, Invalid, Language, SegmentId};
use kaeru_messaging::{Footer, Letter, LineClient, Parts, Quota, compose, links};
use kaeru_store::announcements::{self as store, Announcement, Linked};
use kaeru_store::segments::{self, Audience, Segment};
use kaeru_store::{Actor, Clash, Db, Scope, StoreError, companies, consent, messaging};

/// Where LINE's API is (LINE's own, or a fake one on loopback in tests) and where Kaeru is reached, for
/// links in messages.
#[derive(Clone, Debug)]
pub struct Delivery {
    pub line_api: String,
    pub public_url: String,
}

impl Delivery {
    pub fn read_url(&self, key: &str, delivery: DeliveryId) -> String {
        format!(
            "{}/m/{}",
            self.public_url.trim_end_matches('/'),
            links::sign(key.as_bytes(), "read", delivery.0)
        )
    }

    pub fn unsubscribe_url(&self, key: &str, delivery: DeliveryId) -> String {
        format!(
            "{}/u/{}",
            self.public_url.trim_end_matches('/'),
            links::sign(key.as_bytes(), "unsubscribe", delivery.0)
        )
    }

    /// The announcement's web page for everyone it was sent to by LINE (one text goes to all of them).
    pub fn news_url(&self, key: &str, id: AnnouncementId) -> String {
        format!(
            "{}/news/{}",
            self.public_url.trim_end_matches('/'),
            links::sign(key.as_bytes(), "news", id.0)
        )
    }

    /// Where an alumnus chooses what they receive (the portal's consent page).
    pub fn choices_url(&self) -> String {
        format!("{}/me/consent", self.public_url.trim_end_matches('/'))
    }
}

/// Saves a segment from its form.
pub async fn save_segment(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    id: Option<SegmentId>,
    input: &SegmentInput,
) -> Outcome<Segment> {
    let (name, filter) = input.parse()?;
    segments::save(db, scope, actor, id, &name, &filter)
        .await
        .map_err(|e| match e {
            StoreError::Conflict(Clash::SegmentNameTaken) => {
                Failure::field("name", Invalid::new("conflict.segment_name_taken"))
            }
            other => other.into(),
        })
}

/// What sending to a filter would do: who, by which channel, who is left out and why, and LINE's quota
/// when LINE is used (`None` when it could not be read; the error is logged).
#[derive(Clone, Debug, Default)]
pub struct Plan {
    pub audience: Audience,
    pub quota: Option<Quota>,
    pub line_configured: bool,
    /// The company sends everything by LINE.
    pub line_only: bool,
}

impl Plan {
    pub fn line_needed(&self) -> u64 {
        self.audience.by(DeliveryChannel::Line)
    }

    /// LINE messages beyond what the month has left.
    pub fn line_short(&self) -> Option<(u64, i64)> {
        let remaining = self.quota?.remaining()?;
        let needed = self.line_needed();
        (needed as i64 > remaining).then_some((needed, remaining))
    }
}

/// Counts a filter for a purpose (live, as the segment is built), reading LINE's quota when `with_quota`.
pub async fn plan(
    db: &Db,
    scope: &Scope,
    delivery: &Delivery,
    filter: &SegmentFilter,
    purpose: &str,
    today: chrono::NaiveDate,
    with_quota: bool,
) -> Outcome<Plan> {
    let settings = messaging::settings(db, scope).await?;
    let audience = segments::evaluate(
        db,
        scope,
        filter,
        purpose,
        settings.force_channel,
        settings.line.is_some(),
        today,
    )
    .await?;
    let mut plan = Plan {
        line_configured: settings.line.is_some(),
        line_only: settings.force_channel == kaeru_domain::ChannelPolicy::Line,
        ..Default::default()
    };
    if with_quota
        && audience.by(DeliveryChannel::Line) > 0
        && let Some(line) = &settings.line
    {
        match LineClient::new(&delivery.line_api, &line.token)
            .quota()
            .await
        {
            Ok(q) => plan.quota = Some(q),
            Err(e) => tracing::warn!(error = %e, "LINE quota could not be read"),
        }
    }
    plan.audience = audience;
    Ok(plan)
}

async fn check_purpose(db: &Db, scope: &Scope, code: &str) -> Outcome<()> {
    let purposes = consent::purposes(db, scope).await?;
    if purposes.iter().any(|p| p.code == code && p.active) {
        Ok(())
    } else {
        Err(Failure::field("purpose", Invalid::new("error.choice")))
    }
}

fn tz_of(time_zone: &str) -> chrono_tz::Tz {
    time_zone.parse().unwrap_or(chrono_tz::Asia::Tokyo)
}

/// Saves an announcement (new, or a draft / scheduled one changed).
pub async fn save(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    id: Option<AnnouncementId>,
    input: &AnnouncementInput,
) -> Outcome<Announcement> {
    let company = companies::get(db, scope).await?;
    let draft = input.parse(tz_of(&company.time_zone), chrono::Utc::now())?;
    check_purpose(db, scope, &draft.purpose).await?;
    if let Some(s) = draft.segment {
        match segments::get(db, scope, s).await {
            Ok(_) => {}
            Err(StoreError::NotFound) => {
                return Err(Failure::field("segment", Invalid::new("error.choice")));
            }
            Err(e) => return Err(e.into()),
        }
    }
    if let Some(event) = draft.event {
        match kaeru_store::events::get(db, scope, event).await {
            Ok(_) => {}
            Err(StoreError::NotFound) => {
                return Err(Failure::field(
                    "event",
                    Invalid::new("error.invitation_event"),
                ));
            }
            Err(e) => return Err(e.into()),
        }
    }
    store::save(db, scope, actor, id, &draft)
        .await
        .map_err(|e| match e {
            StoreError::Conflict(Clash::AlreadySent) => {
                Failure::Refused(Invalid::new("conflict.already_sent"))
            }
            other => other.into(),
        })
}

/// An invitation goes out only while its event takes replies.
async fn event_open(db: &Db, scope: &Scope, event: kaeru_domain::EventId) -> Outcome<()> {
    let e = kaeru_store::events::get(db, scope, event).await?;
    if e.status.can_invite() {
        Ok(())
    } else {
        Err(Failure::Refused(Invalid::new(
            "error.event_invite_unpublished",
        )))
    }
}

/// The filter an announcement sends to: its segment's, as saved now.
async fn filter_of(db: &Db, scope: &Scope, a: &Announcement) -> Outcome<SegmentFilter> {
    match a.segment {
        Some(s) => match segments::get(db, scope, s).await {
            Ok(seg) => Ok(seg.filter),
            Err(StoreError::NotFound) => Err(Failure::field(
                "segment",
                Invalid::new("error.segment_gone"),
            )),
            Err(e) => Err(e.into()),
        },
        None => Err(Failure::field("segment", Invalid::new("error.required"))),
    }
}

fn today_in(time_zone: &str) -> chrono::NaiveDate {
    chrono::Utc::now()
        .with_timezone(&tz_of(time_zone))
        .date_naive()
}

/// The plan for sending an announcement now.
pub async fn plan_for(
    db: &Db,
    scope: &Scope,
    delivery: &Delivery,
    a: &Announcement,
    with_quota: bool,
) -> Outcome<Plan> {
    let company = companies::get(db, scope).await?;
    if let Some(event) = a.event {
        event_open(db, scope, event).await?;
    }
    let filter = filter_of(db, scope, a).await?;
    plan(
        db,
        scope,
        delivery,
        &filter,
        &a.purpose,
        today_in(&company.time_zone),
        with_quota,
    )
    .await
}

/// Sends now: evaluates the segment (consent checked), refuses a segment of nobody, LINE not configured or
/// a quota that does not cover the LINE messages, then queues one delivery per recipient. A second send of
/// the same announcement is refused.
pub async fn send_now(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    delivery: &Delivery,
    id: AnnouncementId,
) -> Outcome<Plan> {
    let a = store::get(db, scope, id).await?;
    if !matches!(
        a.status,
        AnnouncementStatus::Draft | AnnouncementStatus::Scheduled
    ) {
        return Err(Failure::Refused(Invalid::new("conflict.already_sent")));
    }
    let p = plan_for(db, scope, delivery, &a, true).await?;
    if p.line_only && !p.line_configured {
        return Err(Failure::field(
            "send",
            Invalid::new("error.line_not_configured"),
        ));
    }
    if p.audience.recipients.is_empty() {
        return Err(Failure::field(
            "segment",
            Invalid::new("error.segment_nobody").with("left_out", p.audience.left_out_total()),
        ));
    }
    if p.line_needed() > 0 && !p.line_configured {
        return Err(Failure::field(
            "send",
            Invalid::new("error.line_not_configured"),
        ));
    }
    if let Some((needed, remaining)) = p.line_short() {
        return Err(Failure::field(
            "send",
            Invalid::new("error.line_quota")
                .with("needed", needed)
                .with("remaining", remaining),
        ));
    }
    let filter = filter_of(db, scope, &a).await?;
    store::start(db, scope, actor, id, &filter, &p.audience, false)
        .await
        .map_err(|e| match e {
            StoreError::Conflict(Clash::AlreadySent) => {
                Failure::Refused(Invalid::new("conflict.already_sent"))
            }
            other => other.into(),
        })?;
    Ok(p)
}

/// Starts the scheduled announcements whose time has come (the worker, on any node: the move to 送信中
/// is conditional, so only one node starts each). One whose segment is now empty is paused with the reason.
pub async fn start_due(db: &Db, delivery: &Delivery) -> anyhow::Result<usize> {
    let mut started = 0;
    for (company, id) in store::due(db).await? {
        let scope = Scope::for_company(company);
        let actor = Actor::system("schedule");
        let a = store::get(db, &scope, id).await?;
        let p = match plan_for(db, &scope, delivery, &a, false).await {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!(announcement = %id, error = ?e, "scheduled announcement could not be planned");
                store::cancel(db, &scope, &actor, id).await.ok();
                continue;
            }
        };
        let filter = filter_of(db, &scope, &a).await.unwrap_or_default();
        match store::start(db, &scope, &actor, id, &filter, &p.audience, true).await {
            Ok(()) => started += 1,
            Err(StoreError::Conflict(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(started)
}

/// The company's footer and key, and the language its messages are written in.
pub struct Sender {
    pub footer: Footer,
    pub key: String,
    pub lang: Language,
}

pub async fn sender(db: &Db, scope: &Scope) -> Outcome<Sender> {
    let company = companies::get(db, scope).await?;
    let s = messaging::settings(db, scope).await?;
    Ok(Sender {
        footer: Footer {
            company: company.name,
            address: s.sender_address,
            contact: s.sender_contact,
        },
        key: s.link_key,
        lang: company.default_language,
    })
}

/// The announcement as a person will see it (the preview HR looks at before sending).
pub async fn preview(
    db: &Db,
    scope: &Scope,
    delivery: &Delivery,
    a: &Announcement,
    person_name: &str,
) -> Outcome<Letter> {
    let s = sender(db, scope).await?;
    let purposes = consent::purposes(db, scope).await?;
    let purpose = purposes
        .iter()
        .find(|p| p.code == a.purpose)
        .map(|p| p.name(s.lang).to_string())
        .unwrap_or_else(|| a.purpose.clone());
    let sample = DeliveryId(uuid::Uuid::nil());
    Ok(compose(&Parts {
        lang: s.lang,
        subject: &a.subject,
        body: &a.body,
        person: person_name,
        purpose: &purpose,
        read_url: &delivery.read_url(&s.key, sample),
        unsubscribe_url: &delivery.unsubscribe_url(&s.key, sample),
        line_read_url: &delivery.news_url(&s.key, a.id),
        choices_url: &delivery.choices_url(),
        footer: &s.footer,
    }))
}

/// The delivery a link names, if its token was made with its company's key for `purpose`.
pub async fn open_link(db: &Db, purpose: &str, token: &str) -> Outcome<Linked> {
    let id = links::id_of(token).ok_or(StoreError::NotFound)?;
    let l = store::linked(db, DeliveryId(id)).await?;
    let key = messaging::settings_of_company(db, l.company)
        .await?
        .link_key;
    links::verify(key.as_bytes(), purpose, token).ok_or(StoreError::NotFound)?;
    Ok(l)
}

/// The announcement a LINE "read" link names, if the token checks out with `company`'s key.
pub async fn open_news(db: &Db, token: &str) -> Outcome<(Announcement, Sender)> {
    let id = links::id_of(token).ok_or(StoreError::NotFound)?;
    let (company, a) = store::by_id(db, AnnouncementId(id)).await?;
    let scope = Scope::for_company(company);
    let s = sender(db, &scope).await?;
    links::verify(s.key.as_bytes(), "news", token).ok_or(StoreError::NotFound)?;
    Ok((a, s))
}
