//! 設定 → APIトークン: the company's API tokens, made (the secret shown once), listed and revoked.

use crate::AppState;
use crate::auth::Signed;
use crate::error::AppResult;
use crate::forms::Id;
use crate::forms::{FormErrors, Posted};
use crate::routes::{choices, label, owned, redirect_with_flash, render};
use crate::shell::{Section, Shell};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kaeru_domain::{FieldErrors, Permission, TokenInput, TokenScope};
use kaeru_store::api_tokens;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/settings/api-tokens", get(page).post(create))
        .route("/settings/api-tokens/{id}/revoke", post(revoke))
}

pub struct TokenRow {
    id: String,
    name: String,
    scope: String,
    hint: String,
    created: String,
    last_used: String,
    revoked: String,
}

#[derive(Template)]
#[template(path = "api_tokens.html")]
struct TokensPage {
    s: Shell,
    rows: Vec<TokenRow>,
    form: TokenInput,
    scopes: Vec<(String, String)>,
    errors: FormErrors,
    /// The secret of the token just made, shown this once.
    new_secret: String,
    new_name: String,
    base_url: String,
}

async fn view(
    state: &AppState,
    signed: &Signed,
    form: TokenInput,
    errors: &FieldErrors,
    new_token: Option<(String, String)>,
) -> AppResult<Response> {
    let s = Shell::signed(signed, Section::Settings, "/settings/api-tokens");
    let rows = api_tokens::list(&state.db, signed.scope())
        .await?
        .into_iter()
        .map(|t| TokenRow {
            id: t.id.to_string(),
            scope: label(s.t, "token_scope", t.scope.code()),
            hint: format!("kaeru_…{}", t.hint),
            created: s.t.aside(&s.datetime(&t.created_at), &t.created_by),
            last_used: t
                .last_used_at
                .map(|u| s.datetime(&u))
                .unwrap_or_else(|| s.t("token.never_used").to_string()),
            revoked: t.revoked_at.map(|r| s.datetime(&r)).unwrap_or_default(),
            name: t.name,
        })
        .collect();
    let base_url = crate::routes::public::base_url(state).to_string();
    let (new_name, new_secret) = new_token.unwrap_or_default();
    let tpl = TokensPage {
        rows,
        scopes: owned(choices(
            s.t,
            "token_scope",
            TokenScope::ALL,
            kaeru_domain::TokenScope::code,
        )),
        errors: FormErrors::from(errors, s.t),
        form,
        new_secret,
        new_name,
        base_url: base_url.trim_end_matches('/').to_string(),
        s,
    };
    Ok((crate::routes::form_status(errors), render(&tpl)?).into_response())
}

async fn page(State(state): State<AppState>, signed: Signed) -> AppResult<Response> {
    signed.require(Permission::ManageApiTokens)?;
    let form = TokenInput {
        scope: TokenScope::Read.code().into(),
        ..Default::default()
    };
    view(&state, &signed, form, &FieldErrors::new(), None).await
}

async fn create(
    State(state): State<AppState>,
    signed: Signed,
    posted: Posted<TokenInput>,
) -> AppResult<Response> {
    signed.require(Permission::ManageApiTokens)?;
    let draft = match posted.fields.parse() {
        Ok(d) => d,
        Err(e) => {
            tracing::info!(fields = ?e.0.keys().collect::<Vec<_>>(), "API token form refused");
            return view(&state, &signed, posted.fields, &e, None).await;
        }
    };
    let (token, secret) =
        api_tokens::create(&state.db, signed.scope(), &signed.actor(), &draft).await?;
    tracing::info!(token = %token.id, scope = token.scope.code(), "API token created");
    let form = TokenInput {
        scope: TokenScope::Read.code().into(),
        ..Default::default()
    };
    // Shown in this answer only: the secret is not stored, so it cannot go through a redirect.
    let mut res = view(
        &state,
        &signed,
        form,
        &FieldErrors::new(),
        Some((token.name, secret)),
    )
    .await?;
    res.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(res)
}

#[derive(Debug, Default, serde::Deserialize)]
struct Empty {}

async fn revoke(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<uuid::Uuid>,
    _: Posted<Empty>,
) -> AppResult<Response> {
    signed.require(Permission::ManageApiTokens)?;
    api_tokens::revoke(&state.db, signed.scope(), &signed.actor(), id).await?;
    Ok(redirect_with_flash(
        "/settings/api-tokens",
        "flash.token_revoked",
    ))
}
