//! The company's clients and competitors (`/settings/relations`), against which side jobs are checked.

use crate::AppState;
use crate::auth::Signed;
use crate::error::AppResult;
use crate::forms::Id;
use crate::forms::{FormErrors, Posted};
use crate::routes::{label, owned, redirect_with_flash, render};
use crate::shell::{Section, Shell};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kaeru_domain::RelationId;

use kaeru_domain::side_job::{RelationInput, RelationKind};
use kaeru_domain::{FieldErrors, Permission};
use kaeru_store::side_jobs::{self};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/settings/relations",
            get(relations_page).post(add_relation),
        )
        .route("/settings/relations/{id}/delete", post(remove_relation))
}

#[derive(Template)]
#[template(path = "relations.html")]
struct RelationsPage {
    s: Shell,
    rows: Vec<(String, String, String, String)>,
    form: RelationInput,
    errors: FormErrors,
    kinds: Vec<(String, String)>,
}

async fn relations_view(
    state: &AppState,
    signed: &Signed,
    form: RelationInput,
    errors: &FieldErrors,
) -> AppResult<Response> {
    let rows = side_jobs::relations(&state.db, signed.scope()).await?;
    let s = Shell::signed(signed, Section::Settings, "/settings/relations");
    let tpl = RelationsPage {
        rows: rows
            .iter()
            .map(|r| {
                (
                    r.id.to_string(),
                    r.name.clone(),
                    label(s.t, "relation_kind", r.kind.code()),
                    r.industry.clone().unwrap_or_default(),
                )
            })
            .collect(),
        form,
        errors: FormErrors::from(errors, s.t),
        kinds: owned(crate::routes::choices(
            s.t,
            "relation_kind",
            RelationKind::ALL,
            kaeru_domain::side_job::RelationKind::code,
        )),
        s,
    };
    Ok((crate::routes::form_status(errors), render(&tpl)?).into_response())
}

async fn relations_page(State(state): State<AppState>, signed: Signed) -> AppResult<Response> {
    signed.require(Permission::DecideSideJob)?;
    let form = RelationInput {
        kind: "competitor".into(),
        ..Default::default()
    };
    relations_view(&state, &signed, form, &FieldErrors::new()).await
}

async fn add_relation(
    State(state): State<AppState>,
    signed: Signed,
    posted: Posted<RelationInput>,
) -> AppResult<Response> {
    signed.require(Permission::DecideSideJob)?;
    let f = posted.fields;
    match f.parse() {
        Ok(d) => {
            side_jobs::add_relation(&state.db, signed.scope(), &signed.actor(), &d).await?;
            Ok(redirect_with_flash(
                "/settings/relations",
                "flash.relation_saved",
            ))
        }
        Err(e) => relations_view(&state, &signed, f, &e).await,
    }
}

async fn remove_relation(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<RelationId>,
    _: Posted<()>,
) -> AppResult<Response> {
    signed.require(Permission::DecideSideJob)?;
    side_jobs::remove_relation(&state.db, signed.scope(), &signed.actor(), id).await?;
    Ok(redirect_with_flash(
        "/settings/relations",
        "flash.relation_removed",
    ))
}
