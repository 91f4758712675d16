//! Outbox.

use crate::AppState;
use crate::auth::Signed;
use crate::error::AppResult;
use crate::forms::Id;
use crate::forms::Posted;
use crate::routes::public::base_url;
use crate::routes::{redirect_with_flash, render};
use crate::shell::{Section, Shell};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use kaeru_domain::Permission;
use kaeru_store::consent;
use kaeru_store::consent::Purpose;
use kaeru_store::outbox::{self};
use serde::Deserialize;

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

pub(super) async fn outbox_list(
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

pub(super) async fn outbox_show(
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

pub(super) async fn outbox_retry(
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
