//! Purposes of use.

use crate::AppState;
use crate::auth::Signed;
use crate::error::AppResult;
use crate::forms::Id;
use crate::forms::{FormErrors, Posted};
use crate::routes::{redirect_with_flash, render};
use crate::shell::{Section, Shell};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kaeru_app::Failure;
use kaeru_app::privacy::{self as privacy_app, PurposeInput};
use kaeru_domain::{FieldErrors, Permission};
use kaeru_store::consent;
use kaeru_store::consent::Purpose;

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

pub(super) async fn purposes_page(
    State(state): State<AppState>,
    signed: Signed,
) -> AppResult<Response> {
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

pub(super) async fn save_purpose(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<uuid::Uuid>,
    posted: Posted<PurposeInput>,
) -> AppResult<Response> {
    signed.require(Permission::ManageCompany)?;
    let saved = privacy_app::save_purpose(
        &state.db,
        signed.scope(),
        &signed.actor(),
        id,
        &posted.fields,
    )
    .await;
    match saved {
        Ok(_) => Ok(redirect_with_flash("/settings/purposes", "flash.saved")),
        Err(Failure::Invalid(e)) => {
            purposes_view(
                &state,
                &signed,
                PurposeInput::default(),
                &e,
                Some(id.to_string()),
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

pub(super) async fn add_purpose(
    State(state): State<AppState>,
    signed: Signed,
    posted: Posted<PurposeInput>,
) -> AppResult<Response> {
    signed.require(Permission::ManageCompany)?;
    let f = posted.fields;
    match privacy_app::add_purpose(&state.db, signed.scope(), &signed.actor(), &f).await {
        Ok(_) => Ok(redirect_with_flash("/settings/purposes", "flash.saved")),
        Err(Failure::Invalid(e)) => purposes_view(&state, &signed, f, &e, None).await,
        Err(other) => Err(other.into()),
    }
}
