//! HR's side of the portal and personal data: the outbox, writing to a person for a purpose of use,
//! inviting them to the portal, registrations from the public page, deletion requests and erasure, the
//! retention rule, the public page's declaration with its badge, and the purposes of use.

use super::public::{badge_svg, base_url, send_sign_in_link};
use super::{parse_id, redirect_with_flash, render};
use crate::AppState;
use crate::auth::Signed;
use crate::error::{AppError, AppResult};
use crate::forms::Id;
use crate::forms::{FormErrors, Posted};
use crate::shell::{Section, Shell};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kaeru_domain::{FieldErrors, Invalid, Language, Permission, PersonId};
use kaeru_store::consent::{ConsentState, Purpose, PurposeText};
use kaeru_store::outbox::{self, NewMessage, QueueError};
use kaeru_store::{Clash, StoreError, companies, consent, people, portal, privacy, registrations};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/outbox", get(outbox_list))
        .route("/outbox/{id}", get(outbox_show))
        .route("/outbox/{id}/retry", post(outbox_retry))
        .route("/people/{id}/message", get(message_form).post(message_send))
        .route("/people/{id}/invite", post(invite))
        .route("/people/{id}/erase", post(erase))
        .route("/privacy", get(privacy_page))
        .route("/registrations", get(registrations_page))
        .route("/registrations/{id}/link", post(registration_link))
        .route("/registrations/{id}/create", post(registration_create))
        .route("/registrations/{id}/reject", post(registration_reject))
        .route(
            "/settings/public",
            get(public_settings).post(save_public_settings),
        )
        .route("/settings/purposes", get(purposes_page).post(add_purpose))
        .route("/settings/purposes/{id}", post(save_purpose))
}

// ---------------------------------------------------------------- outbox

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OutboxQuery {
    status: String,
    page: u64,
}

pub struct OutboxRow {
    id: String,
    created: String,
    to: String,
    subject: String,
    purpose: String,
    status_code: String,
    status: String,
    attempts: i32,
    error: String,
}

#[derive(Template)]
#[template(path = "outbox.html")]
struct OutboxPage {
    s: Shell,
    rows: Vec<OutboxRow>,
    smtp: bool,
    link_base: String,
    link_base_configured: bool,
    status: String,
    statuses: Vec<(String, String)>,
    page: u64,
    pages: u64,
    total: u64,
}

fn purpose_label(s: &Shell, purposes: &[Purpose], code: &Option<String>) -> String {
    match code {
        None => s.t("outbox.transactional").to_string(),
        Some(c) => purposes
            .iter()
            .find(|p| &p.code == c)
            .map(|p| p.name(s.lang).to_string())
            .unwrap_or_else(|| c.clone()),
    }
}

fn outbox_row(s: &Shell, purposes: &[Purpose], m: &outbox::Message) -> OutboxRow {
    OutboxRow {
        id: m.id.to_string(),
        created: s.datetime(&m.created_at),
        to: m.to.clone(),
        subject: m.subject.clone(),
        purpose: purpose_label(s, purposes, &m.purpose),
        status_code: m.status.clone(),
        status: s.t(&format!("outbox.status_{}", m.status)).to_string(),
        attempts: m.attempts,
        error: m.last_error.clone().unwrap_or_default(),
    }
}

async fn outbox_list(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<OutboxQuery>,
) -> AppResult<Response> {
    signed.require(Permission::ManagePersonalData)?;
    let status = [
        outbox::QUEUED,
        outbox::SENT,
        outbox::FAILED,
        outbox::REFUSED,
    ]
    .into_iter()
    .find(|x| *x == q.status);
    let page = outbox::list(&state.db, signed.scope(), status, q.page.max(1)).await?;
    let purposes = consent::purposes(&state.db, signed.scope()).await?;
    let s = Shell::signed(&signed, Section::Settings, "/outbox");
    let rows = page
        .items
        .iter()
        .map(|m| outbox_row(&s, &purposes, m))
        .collect();
    let tpl = OutboxPage {
        rows,
        smtp: state.config.smtp_configured,
        link_base: base_url(&state).to_string(),
        link_base_configured: state.config.public_url_configured,
        status: status.unwrap_or_default().to_string(),
        statuses: [
            outbox::QUEUED,
            outbox::SENT,
            outbox::FAILED,
            outbox::REFUSED,
        ]
        .iter()
        .map(|c| {
            (
                c.to_string(),
                s.t(&format!("outbox.status_{c}")).to_string(),
            )
        })
        .collect(),
        page: page.page,
        pages: page.pages(),
        total: page.total,
        s,
    };
    Ok(render(&tpl)?.into_response())
}

#[derive(Template)]
#[template(path = "outbox_show.html")]
struct OutboxShow {
    s: Shell,
    row: OutboxRow,
    body: String,
    sent: String,
    can_retry: bool,
    smtp: bool,
}

async fn outbox_show(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<uuid::Uuid>,
) -> AppResult<Response> {
    signed.require(Permission::ManagePersonalData)?;
    let m = outbox::get(&state.db, signed.scope(), id).await?;
    let purposes = consent::purposes(&state.db, signed.scope()).await?;
    let s = Shell::signed(&signed, Section::Settings, "/outbox");
    let tpl = OutboxShow {
        row: outbox_row(&s, &purposes, &m),
        body: m.body.clone(),
        sent: m.sent_at.map(|d| s.datetime(&d)).unwrap_or_default(),
        can_retry: m.status == outbox::FAILED,
        smtp: state.config.smtp_configured,
        s,
    };
    Ok(render(&tpl)?.into_response())
}

async fn outbox_retry(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<uuid::Uuid>,
    _: Posted<()>,
) -> AppResult<Response> {
    signed.require(Permission::ManagePersonalData)?;
    outbox::retry(&state.db, signed.scope(), id).await?;
    Ok(redirect_with_flash(
        &format!("/outbox/{id}"),
        "flash.requeued",
    ))
}

// ---------------------------------------------------------------- writing to a person

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct MessageInput {
    purpose: String,
    subject: String,
    body: String,
}

#[derive(Template)]
#[template(path = "message_form.html")]
struct MessagePage {
    s: Shell,
    person_id: PersonId,
    person_name: String,
    to: String,
    form: MessageInput,
    errors: FormErrors,
    purposes: Vec<(String, String, bool)>,
    problem: Option<String>,
}

async fn message_page(
    state: &AppState,
    signed: &Signed,
    id: PersonId,
    form: MessageInput,
    errors: &FieldErrors,
    problem: Option<String>,
) -> AppResult<Response> {
    let p = people::get(&state.db, signed.scope(), id).await?;
    let consents = consent::for_person(&state.db, signed.scope(), id).await?;
    let s = Shell::signed(signed, Section::People, &format!("/people/{id}/message"));
    let status = if errors.is_empty() && problem.is_none() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let tpl = MessagePage {
        person_id: id,
        person_name: p.full_name(),
        to: p.emails.first().cloned().unwrap_or_default(),
        purposes: consents
            .iter()
            .map(|c| {
                (
                    c.purpose.code.clone(),
                    c.purpose.name(signed.lang).to_string(),
                    c.is_current(),
                )
            })
            .collect(),
        form,
        errors: FormErrors::from(errors, s.t),
        problem,
        s,
    };
    Ok((status, render(&tpl)?).into_response())
}

async fn message_form(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<PersonId>,
) -> AppResult<Response> {
    signed.require(Permission::EditPeople)?;
    message_page(
        &state,
        &signed,
        id,
        MessageInput::default(),
        &FieldErrors::new(),
        None,
    )
    .await
}

async fn message_send(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<PersonId>,
    posted: Posted<MessageInput>,
) -> AppResult<Response> {
    signed.require(Permission::EditPeople)?;
    let f = posted.fields;
    let purposes = consent::purposes(&state.db, signed.scope()).await?;
    let mut e = FieldErrors::new();
    let purpose = purposes.iter().find(|p| p.code == f.purpose && p.active);
    if purpose.is_none() {
        e.add("purpose", Invalid::new("error.choice"));
    }
    let subject = e.check(
        "subject",
        kaeru_domain::validation::required_line(&f.subject, 150),
    );
    let body = e.check(
        "body",
        kaeru_domain::validation::required_text(&f.body, 10_000),
    );
    let p = people::get(&state.db, signed.scope(), id).await?;
    let Some(to) = p.emails.first().cloned() else {
        e.add("subject", Invalid::new("error.no_email"));
        return message_page(&state, &signed, id, f, &e, None).await;
    };
    let (Some(purpose), Some(subject), Some(body)) = (purpose, subject, body) else {
        return message_page(&state, &signed, id, f, &e, None).await;
    };
    let t = crate::i18n::Catalog::get(signed.lang);
    let footer = crate::i18n::Catalog::get(signed.info.company.default_language).format(
        "mail.footer",
        &[("company", signed.info.company.name.clone())],
    );
    let result = outbox::enqueue(
        &state.db,
        signed.scope(),
        &NewMessage {
            person: Some(id),
            purpose: Some(purpose.code.clone()),
            kind: "message".into(),
            to,
            subject,
            body: format!("{body}\n\n{footer}"),
            idempotency_key: format!("message:{}", uuid::Uuid::now_v7()),
        },
    )
    .await;
    match result {
        Ok(()) => {
            tracing::info!(person = %id, purpose = purpose.code, "message queued");
            Ok(redirect_with_flash(
                &format!("/people/{id}"),
                "flash.message_queued",
            ))
        }
        Err(QueueError::NoConsent(code)) => {
            tracing::info!(person = %id, purpose = code, "message refused: no consent");
            let problem = t.format(
                "message.no_consent",
                &[("purpose", purpose.name(signed.lang).to_string())],
            );
            message_page(&state, &signed, id, f, &FieldErrors::new(), Some(problem)).await
        }
        Err(QueueError::Store(e)) => Err(AppError::from(e)),
    }
}

async fn invite(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<PersonId>,
    _: Posted<()>,
) -> AppResult<Response> {
    signed.require(Permission::EditPeople)?;
    let p = people::get(&state.db, signed.scope(), id).await?;
    let facts = people::portal_facts(&state.db, signed.scope(), id).await?;
    let Some(to) = p
        .emails
        .first()
        .cloned()
        .filter(|_| facts.erased_at.is_none())
    else {
        return Ok(redirect_with_flash(
            &format!("/people/{id}"),
            "flash.no_email",
        ));
    };
    send_sign_in_link(
        &state,
        &signed.info.company,
        id,
        &p.full_name(),
        &to,
        "mail.welcome",
    )
    .await?;
    Ok(redirect_with_flash(
        &format!("/people/{id}"),
        "flash.invited",
    ))
}

// ---------------------------------------------------------------- the person page's portal panel

pub struct ConsentRow {
    pub name: String,
    pub state: String,
    pub state_code: &'static str,
    pub when: String,
}

/// What the person page shows of the portal: their own updates, message, consents and requests.
pub struct PortalPanel {
    pub self_updated: String,
    pub message: String,
    pub message_at: String,
    pub consents: Vec<ConsentRow>,
    pub contact_stopped: String,
    pub erased: bool,
    pub deletion_due: String,
    pub qualifications: Vec<(String, String, String)>,
    pub can_write: bool,
    pub can_erase: bool,
}

pub(crate) async fn portal_panel(
    state: &AppState,
    signed: &Signed,
    s: &Shell,
    id: PersonId,
) -> AppResult<PortalPanel> {
    let facts = people::portal_facts(&state.db, signed.scope(), id).await?;
    let consents = consent::for_person(&state.db, signed.scope(), id).await?;
    let quals = portal::qualifications(&state.db, signed.scope(), id).await?;
    let deletion = privacy::open_request(&state.db, signed.scope(), id).await?;
    Ok(PortalPanel {
        self_updated: facts
            .self_updated_at
            .map(|d| s.datetime(&d))
            .unwrap_or_default(),
        message: facts.message_to_company.unwrap_or_default(),
        message_at: facts.message_at.map(|d| s.datetime(&d)).unwrap_or_default(),
        consents: consents
            .iter()
            .map(|c: &ConsentState| {
                let (code, when) = match c.decided {
                    _ if c.is_current() => ("granted", c.decided.map(|d| d.2)),
                    Some((_, false, at)) => ("withdrawn", Some(at)),
                    Some((_, true, at)) => ("outdated", Some(at)),
                    None => ("unasked", None),
                };
                ConsentRow {
                    name: c.purpose.name(signed.lang).to_string(),
                    state: s.t(&format!("consent.state_{code}")).to_string(),
                    state_code: code,
                    when: when.map(|d| s.datetime(&d)).unwrap_or_default(),
                }
            })
            .collect(),
        contact_stopped: facts
            .contact_stopped_at
            .map(|d| s.datetime(&d))
            .unwrap_or_default(),
        erased: facts.erased_at.is_some(),
        deletion_due: deletion.map(|r| s.date(&r.due_on)).unwrap_or_default(),
        qualifications: quals
            .into_iter()
            .map(|q| {
                (
                    s.t(&format!("qualification.{}", q.kind)).to_string(),
                    q.name,
                    s.opt_date(&q.obtained_on),
                )
            })
            .collect(),
        can_write: signed.can(Permission::EditPeople) && facts.erased_at.is_none(),
        can_erase: signed.can(Permission::ManagePersonalData) && facts.erased_at.is_none(),
    })
}

// ---------------------------------------------------------------- deletion and retention

pub struct RequestRow {
    person_id: String,
    name: String,
    requested: String,
    due: String,
    overdue: bool,
    done: String,
}

#[derive(Template)]
#[template(path = "privacy.html")]
struct PrivacyPage {
    s: Shell,
    open: Vec<RequestRow>,
    done: Vec<RequestRow>,
    retention_years: Option<i32>,
    due: Vec<(String, String, String)>,
    registrations: u64,
}

async fn privacy_page(State(state): State<AppState>, signed: Signed) -> AppResult<Response> {
    signed.require(Permission::ManagePersonalData)?;
    let today = signed.today();
    let all = privacy::requests(&state.db, signed.scope()).await?;
    let settings = companies::public_settings(&state.db, signed.scope()).await?;
    let due = privacy::retention_due(&state.db, signed.scope(), today).await?;
    let registrations = registrations::count(&state.db, signed.scope()).await?;
    let s = Shell::signed(&signed, Section::Settings, "/privacy");
    let row = |r: &privacy::DeletionRequest| RequestRow {
        person_id: r.person.to_string(),
        name: r.person_name.clone(),
        requested: s.datetime(&r.requested_at),
        due: s.date(&r.due_on),
        overdue: r.completed_at.is_none() && r.due_on < today,
        done: r.completed_at.map(|d| s.datetime(&d)).unwrap_or_default(),
    };
    let tpl = PrivacyPage {
        open: all
            .iter()
            .filter(|r| r.completed_at.is_none())
            .map(row)
            .collect(),
        done: all
            .iter()
            .filter(|r| r.completed_at.is_some())
            .map(row)
            .collect(),
        retention_years: settings.retention_years,
        due: due
            .iter()
            .map(|d| {
                (
                    d.person.to_string(),
                    d.name.clone(),
                    s.date(&d.last_contact),
                )
            })
            .collect(),
        registrations,
        s,
    };
    Ok(render(&tpl)?.into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EraseForm {
    confirm: String,
}

async fn erase(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<PersonId>,
    posted: Posted<EraseForm>,
) -> AppResult<Response> {
    signed.require(Permission::ManagePersonalData)?;
    if posted.fields.confirm != "erase" {
        return Ok(redirect_with_flash(
            &format!("/people/{id}#privacy"),
            "flash.erase_unconfirmed",
        ));
    }
    privacy::erase(&state.db, signed.scope(), &signed.actor(), id).await?;
    tracing::info!(person = %id, by = %signed.info.user.id, "personal data erased");
    Ok(redirect_with_flash("/privacy", "flash.erased"))
}

// ---------------------------------------------------------------- registrations

pub struct MatchRow {
    person_id: String,
    name: String,
    kana: String,
    reasons: String,
}

pub struct RegistrationRow {
    id: String,
    name: String,
    kana: String,
    email: String,
    phone: String,
    birth_date: String,
    period: String,
    department: String,
    message: String,
    received: String,
    matches: Vec<MatchRow>,
}

#[derive(Template)]
#[template(path = "registrations.html")]
struct RegistrationsPage {
    s: Shell,
    rows: Vec<RegistrationRow>,
    slug: String,
}

async fn registrations_page(State(state): State<AppState>, signed: Signed) -> AppResult<Response> {
    signed.require(Permission::EditPeople)?;
    let s = Shell::signed(&signed, Section::People, "/registrations");
    let mut rows = Vec::new();
    for r in registrations::list(&state.db, signed.scope()).await? {
        let matches = registrations::matches(&state.db, signed.scope(), &r)
            .await?
            .into_iter()
            .map(|m| MatchRow {
                person_id: m.person.to_string(),
                name: m.name,
                kana: m.kana,
                reasons: m
                    .reasons
                    .iter()
                    .map(|k| s.t(&format!("registration.match_{k}")))
                    .collect::<Vec<_>>()
                    .join(s.t.t("punct.list_sep")),
            })
            .collect();
        let d = &r.data;
        rows.push(RegistrationRow {
            id: r.id.to_string(),
            name: format!("{} {}", d.family_name, d.given_name),
            kana: format!("{} {}", d.family_kana, d.given_kana),
            email: d.email.clone(),
            phone: d.phone.clone().unwrap_or_default(),
            birth_date: s.opt_date(&d.birth_date),
            period: d.period.clone().unwrap_or_default(),
            department: d.department.clone().unwrap_or_default(),
            message: d.message.clone().unwrap_or_default(),
            received: s.datetime(&r.created_at),
            matches,
        });
    }
    let tpl = RegistrationsPage {
        rows,
        slug: signed.info.company.slug.clone(),
        s,
    };
    Ok(render(&tpl)?.into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LinkForm {
    person: String,
}

/// After a registration becomes a person, the person gets a sign-in link (they asked to be registered).
async fn welcome(
    state: &AppState,
    signed: &Signed,
    person: PersonId,
    email: &str,
) -> AppResult<()> {
    let p = people::get(&state.db, signed.scope(), person).await?;
    send_sign_in_link(
        state,
        &signed.info.company,
        person,
        &p.full_name(),
        email,
        "mail.welcome",
    )
    .await
    .map_err(AppError::from)
}

/// What HR decided for a registration that becomes a person.
enum Decision {
    Link(PersonId),
    Create,
}

/// Links or creates, then sends the person their sign-in link.
async fn decide_registration(
    state: &AppState,
    signed: &Signed,
    id: uuid::Uuid,
    decision: Decision,
) -> AppResult<Response> {
    let r = registrations::get(&state.db, signed.scope(), id).await?;
    let (result, flash) = match decision {
        Decision::Link(person) => (
            registrations::link(&state.db, signed.scope(), &signed.actor(), id, person).await,
            "flash.registration_linked",
        ),
        Decision::Create => (
            registrations::create_person(&state.db, signed.scope(), &signed.actor(), id).await,
            "flash.registration_created",
        ),
    };
    let person = match result {
        Ok(p) => p,
        Err(StoreError::Conflict(Clash::EmailTaken | Clash::PersonEmailTaken)) => {
            return Ok(redirect_with_flash(
                "/registrations",
                "flash.registration_email_taken",
            ));
        }
        Err(e) => return Err(AppError::from(e)),
    };
    welcome(state, signed, person, &r.data.email.to_lowercase()).await?;
    Ok(redirect_with_flash(&format!("/people/{person}"), flash))
}

async fn registration_link(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<uuid::Uuid>,
    posted: Posted<LinkForm>,
) -> AppResult<Response> {
    signed.require(Permission::EditPeople)?;
    let person: PersonId = parse_id(&posted.fields.person)?;
    decide_registration(&state, &signed, id, Decision::Link(person)).await
}

async fn registration_create(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<uuid::Uuid>,
    _: Posted<()>,
) -> AppResult<Response> {
    signed.require(Permission::EditPeople)?;
    decide_registration(&state, &signed, id, Decision::Create).await
}

async fn registration_reject(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<uuid::Uuid>,
    _: Posted<()>,
) -> AppResult<Response> {
    signed.require(Permission::EditPeople)?;
    registrations::reject(&state.db, signed.scope(), &signed.actor(), id).await?;
    Ok(redirect_with_flash(
        "/registrations",
        "flash.registration_rejected",
    ))
}

// ---------------------------------------------------------------- the public page's settings

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct PublicInput {
    declaration_ja: String,
    declaration_en: String,
    retention_years: String,
}

#[derive(Template)]
#[template(path = "public_settings.html")]
struct PublicSettingsPage {
    s: Shell,
    form: PublicInput,
    errors: FormErrors,
    page_url: String,
    snippet: String,
    badge_ja: String,
    default_ja: String,
}

fn public_settings_page(
    state: &AppState,
    signed: &Signed,
    form: PublicInput,
    errors: &FieldErrors,
) -> AppResult<Response> {
    let s = Shell::signed(signed, Section::Settings, "/settings/public");
    let base = base_url(state);
    let slug = &signed.info.company.slug;
    let page_url = format!("{base}/c/{slug}");
    let snippet = format!(
        "<a href=\"{page_url}\" title=\"{title}\"><img src=\"{base}/c/{slug}/badge.svg\" alt=\"{alt}\" width=\"150\" height=\"36\"></a>",
        title = s.t("public.badge_title"),
        alt = "出戻り歓迎",
    );
    let default_ja = crate::i18n::Catalog::get(Language::Ja).format(
        "public.declaration_default",
        &[("company", signed.info.company.name.clone())],
    );
    let tpl = PublicSettingsPage {
        form,
        errors: FormErrors::from(errors, s.t),
        page_url,
        snippet,
        badge_ja: badge_svg(Language::Ja),
        default_ja,
        s,
    };
    Ok((super::form_status(errors), render(&tpl)?).into_response())
}

async fn public_settings(State(state): State<AppState>, signed: Signed) -> AppResult<Response> {
    signed.require(Permission::ManageCompany)?;
    let p = companies::public_settings(&state.db, signed.scope()).await?;
    let form = PublicInput {
        declaration_ja: p.declaration_ja.unwrap_or_default(),
        declaration_en: p.declaration_en.unwrap_or_default(),
        retention_years: p.retention_years.map(|y| y.to_string()).unwrap_or_default(),
    };
    public_settings_page(&state, &signed, form, &FieldErrors::new())
}

async fn save_public_settings(
    State(state): State<AppState>,
    signed: Signed,
    posted: Posted<PublicInput>,
) -> AppResult<Response> {
    signed.require(Permission::ManageCompany)?;
    let f = posted.fields;
    let mut e = FieldErrors::new();
    let ja = e.check(
        "declaration_ja",
        kaeru_domain::validation::optional_text(&f.declaration_ja, 4000),
    );
    let en = e.check(
        "declaration_en",
        kaeru_domain::validation::optional_text(&f.declaration_en, 4000),
    );
    let years = match f.retention_years.trim() {
        "" => None,
        y => match y.parse::<i32>() {
            Ok(n) if (1..=50).contains(&n) => Some(n),
            _ => {
                e.add("retention_years", Invalid::new("error.retention_years"));
                None
            }
        },
    };
    if !e.is_empty() {
        return public_settings_page(&state, &signed, f, &e);
    }
    companies::set_public_settings(
        &state.db,
        signed.scope(),
        &signed.actor(),
        &companies::PublicSettings {
            declaration_ja: ja.flatten(),
            declaration_en: en.flatten(),
            retention_years: years,
        },
    )
    .await?;
    Ok(redirect_with_flash("/settings/public", "flash.saved"))
}

// ---------------------------------------------------------------- purposes of use

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct PurposeInput {
    code: String,
    name_ja: String,
    name_en: String,
    description_ja: String,
    description_en: String,
    active: String,
}

#[derive(Template)]
#[template(path = "purposes.html")]
struct PurposesPage {
    s: Shell,
    purposes: Vec<Purpose>,
    new: PurposeInput,
    errors: FormErrors,
    failed: Option<String>,
}

async fn purposes_view(
    state: &AppState,
    signed: &Signed,
    new: PurposeInput,
    errors: &FieldErrors,
    failed: Option<String>,
) -> AppResult<Response> {
    let purposes = consent::purposes(&state.db, signed.scope()).await?;
    let s = Shell::signed(signed, Section::Settings, "/settings/purposes");
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let tpl = PurposesPage {
        purposes,
        new,
        errors: FormErrors::from(errors, s.t),
        failed,
        s,
    };
    Ok((status, render(&tpl)?).into_response())
}

async fn purposes_page(State(state): State<AppState>, signed: Signed) -> AppResult<Response> {
    signed.require(Permission::ManageCompany)?;
    purposes_view(
        &state,
        &signed,
        PurposeInput::default(),
        &FieldErrors::new(),
        None,
    )
    .await
}

fn purpose_text(f: &PurposeInput, e: &mut FieldErrors) -> Option<PurposeText> {
    use kaeru_domain::validation as v;
    let name_ja = e.check("name_ja", v::required_line(&f.name_ja, 100));
    let name_en = e.check("name_en", v::required_line(&f.name_en, 100));
    let description_ja = e.check("description_ja", v::required_text(&f.description_ja, 1000));
    let description_en = e.check("description_en", v::required_text(&f.description_en, 1000));
    Some(PurposeText {
        name_ja: name_ja?,
        name_en: name_en?,
        description_ja: description_ja?,
        description_en: description_en?,
        active: !f.active.is_empty(),
    })
}

async fn save_purpose(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<uuid::Uuid>,
    posted: Posted<PurposeInput>,
) -> AppResult<Response> {
    signed.require(Permission::ManageCompany)?;
    let mut e = FieldErrors::new();
    let Some(text) = purpose_text(&posted.fields, &mut e).filter(|_| e.is_empty()) else {
        return purposes_view(
            &state,
            &signed,
            PurposeInput::default(),
            &e,
            Some(id.to_string()),
        )
        .await;
    };
    consent::update_purpose(&state.db, signed.scope(), &signed.actor(), id, &text).await?;
    Ok(redirect_with_flash("/settings/purposes", "flash.saved"))
}

async fn add_purpose(
    State(state): State<AppState>,
    signed: Signed,
    posted: Posted<PurposeInput>,
) -> AppResult<Response> {
    signed.require(Permission::ManageCompany)?;
    let mut f = posted.fields;
    f.active = "on".into();
    let mut e = FieldErrors::new();
    let code = f.code.trim().to_ascii_lowercase();
    if code.is_empty()
        || code.len() > 40
        || !code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        e.add("code", Invalid::new("error.purpose_code"));
    }
    let text = purpose_text(&f, &mut e);
    let Some(text) = text.filter(|_| e.is_empty()) else {
        return purposes_view(&state, &signed, f, &e, None).await;
    };
    match consent::add_purpose(&state.db, signed.scope(), &signed.actor(), &code, &text).await {
        Ok(_) => Ok(redirect_with_flash("/settings/purposes", "flash.saved")),
        Err(StoreError::Conflict(Clash::PurposeCodeTaken)) => {
            e.add("code", Invalid::new("error.purpose_code_taken"));
            purposes_view(&state, &signed, f, &e, None).await
        }
        Err(other) => Err(AppError::from(other)),
    }
}
