//! Deletion and retention.

use crate::AppState;
use crate::auth::Signed;
use crate::error::AppResult;
use crate::forms::Id;
use crate::forms::Posted;
use crate::routes::{redirect_with_flash, render};
use crate::shell::{Section, Shell};
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use kaeru_domain::{Permission, PersonId};
use kaeru_store::{companies, privacy, registrations};
use serde::Deserialize;

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

pub(super) async fn privacy_page(
    State(state): State<AppState>,
    signed: Signed,
) -> AppResult<Response> {
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

pub(super) async fn erase(
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
