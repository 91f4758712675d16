//! Writing to a person.

use crate::AppState;
use crate::auth::Signed;
use crate::error::{AppError, AppResult};
use crate::forms::Id;
use crate::forms::{FormErrors, Posted};
use crate::routes::public::send_sign_in_link;
use crate::routes::{redirect_with_flash, render};
use crate::shell::{Section, Shell};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kaeru_domain::{FieldErrors, Invalid, Permission, PersonId};
use kaeru_store::outbox::{self, NewMessage, QueueError};
use kaeru_store::{consent, people};
use serde::Deserialize;

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

pub(super) async fn message_form(
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

pub(super) async fn message_send(
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
            channel: kaeru_domain::announcement::DeliveryChannel::Email,
            person: Some(id),
            purpose: Some(purpose.code.clone()),
            kind: "message".into(),
            to,
            subject,
            body: format!("{body}\n\n{footer}"),
            attachment: None,
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

pub(super) async fn invite(
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
