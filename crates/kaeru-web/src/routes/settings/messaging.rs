//! 設定 → メッセージ配信: the channel every announcement uses (each person's own, or one for all), the
//! sending rate, the sender's particulars for the 特定電子メール法 footer, the LINE channel (its secret and
//! token are write-only: the page says whether they are set, never what they are), and one's own weekly
//! digest.

use crate::AppState;
use crate::auth::Signed;
use crate::error::AppResult;
use crate::forms::{FormErrors, Posted};
use crate::routes::{choices, form_status, owned, redirect_with_flash, render};
use crate::shell::{Section, Shell};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kaeru_domain::validation as v;
use kaeru_domain::{ChannelPolicy, FieldErrors, Invalid, Permission};
use kaeru_store::messaging::{self, SettingsUpdate};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/settings/messaging", get(page).post(save))
        .route("/settings/messaging/line", post(save_line))
        .route("/settings/messaging/line/remove", post(remove_line))
        .route("/settings/messaging/digest", post(digest))
}

#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub struct SettingsForm {
    force_channel: String,
    emails_per_minute: String,
    sender_address: String,
    sender_contact: String,
}

#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub struct LineForm {
    channel_id: String,
    channel_secret: String,
    access_token: String,
}

#[derive(Template)]
#[template(path = "messaging_settings.html")]
struct Page {
    s: Shell,
    form: SettingsForm,
    line: LineForm,
    errors: FormErrors,
    line_errors: FormErrors,
    channels: Vec<(String, String)>,
    line_set: bool,
    webhook_url: String,
    digest: bool,
}

async fn view(
    state: &AppState,
    signed: &Signed,
    form: Option<SettingsForm>,
    line: Option<LineForm>,
    errors: &FieldErrors,
    line_errors: &FieldErrors,
) -> AppResult<Response> {
    let s = Shell::signed(signed, Section::Settings, "/settings/messaging");
    let current = messaging::settings(&state.db, signed.scope()).await?;
    let form = form.unwrap_or_else(|| SettingsForm {
        force_channel: current.force_channel.code().into(),
        emails_per_minute: current.emails_per_minute.to_string(),
        sender_address: current.sender_address.clone(),
        sender_contact: current.sender_contact.clone(),
    });
    let line = line.unwrap_or_else(|| LineForm {
        channel_id: current
            .line
            .as_ref()
            .map(|l| l.channel_id.clone())
            .unwrap_or_default(),
        ..Default::default()
    });
    let digest = match signed.actor().id {
        Some(id) => messaging::wants_digest(&state.db, signed.scope(), id).await?,
        None => false,
    };
    let status = if errors.is_empty() {
        form_status(line_errors)
    } else {
        form_status(errors)
    };
    let tpl = Page {
        channels: owned(choices(
            s.t,
            "channel_policy",
            ChannelPolicy::ALL,
            ChannelPolicy::code,
        )),
        errors: FormErrors::from(errors, s.t),
        line_errors: FormErrors::from(line_errors, s.t),
        line_set: current.line.is_some(),
        webhook_url: format!(
            "{}/line/webhook/{}",
            state.config.public_url,
            signed.scope().company_id()
        ),
        form,
        line,
        digest,
        s,
    };
    Ok((status, render(&tpl)?).into_response())
}

async fn page(State(state): State<AppState>, signed: Signed) -> AppResult<Response> {
    signed.require(Permission::SendAnnouncements)?;
    let none = FieldErrors::new();
    view(&state, &signed, None, None, &none, &none).await
}

fn parse(f: &SettingsForm) -> Result<SettingsUpdate, FieldErrors> {
    let mut e = FieldErrors::new();
    let force_channel = e.check(
        "force_channel",
        ChannelPolicy::parse(&f.force_channel).ok_or_else(|| Invalid::new("error.choice")),
    );
    let rate = v::half_width_digits(f.emails_per_minute.trim());
    let emails_per_minute = match rate.parse::<i32>() {
        Ok(n) if (1..=100_000).contains(&n) => Some(n),
        _ => {
            e.add(
                "emails_per_minute",
                Invalid::new("error.number_range")
                    .with("min", 1)
                    .with("max", 100_000),
            );
            None
        }
    };
    let sender_address = e
        .check("sender_address", v::required_text(&f.sender_address, 300))
        .unwrap_or_default();
    let sender_contact = e
        .check("sender_contact", v::required_line(&f.sender_contact, 200))
        .unwrap_or_default();
    e.clone().into_result()?;
    match (force_channel, emails_per_minute) {
        (Some(force_channel), Some(emails_per_minute)) => Ok(SettingsUpdate {
            force_channel,
            emails_per_minute,
            sender_address,
            sender_contact,
        }),
        _ => Err(e),
    }
}

async fn save(
    State(state): State<AppState>,
    signed: Signed,
    posted: Posted<SettingsForm>,
) -> AppResult<Response> {
    signed.require(Permission::SendAnnouncements)?;
    let f = posted.fields;
    match parse(&f) {
        Ok(u) => {
            messaging::save(&state.db, signed.scope(), &signed.actor(), &u).await?;
            Ok(redirect_with_flash("/settings/messaging", "flash.saved"))
        }
        Err(e) => view(&state, &signed, Some(f), None, &e, &FieldErrors::new()).await,
    }
}

fn token_text(input: &str, max: usize) -> Result<Option<String>, Invalid> {
    let t = input.trim();
    if t.is_empty() {
        return Ok(None);
    }
    if t.chars().count() > max {
        return Err(Invalid::new("error.too_long").with("max", max));
    }
    if !t.chars().all(|c| c.is_ascii_graphic()) {
        return Err(Invalid::new("error.line_credential"));
    }
    Ok(Some(t.to_string()))
}

async fn save_line(
    State(state): State<AppState>,
    signed: Signed,
    posted: Posted<LineForm>,
) -> AppResult<Response> {
    signed.require(Permission::SendAnnouncements)?;
    let f = posted.fields;
    let current = messaging::settings(&state.db, signed.scope()).await?;
    let mut e = FieldErrors::new();
    let id = f.channel_id.trim();
    if id.is_empty() || id.len() > 40 || !id.chars().all(|c| c.is_ascii_digit()) {
        e.add("channel_id", Invalid::new("error.line_channel_id"));
    }
    let secret = e
        .check("channel_secret", token_text(&f.channel_secret, 100))
        .flatten();
    let token = e
        .check("access_token", token_text(&f.access_token, 1000))
        .flatten();
    if current.line.is_none() {
        if secret.is_none() && e.get("channel_secret").is_none() {
            e.add("channel_secret", Invalid::new("error.required"));
        }
        if token.is_none() && e.get("access_token").is_none() {
            e.add("access_token", Invalid::new("error.required"));
        }
    }
    if !e.is_empty() {
        let kept = LineForm {
            channel_id: f.channel_id,
            // Secrets are never shown again, not even the ones just typed.
            ..Default::default()
        };
        return view(&state, &signed, None, Some(kept), &FieldErrors::new(), &e).await;
    }
    messaging::save_line(
        &state.db,
        signed.scope(),
        &signed.actor(),
        Some((id.to_string(), secret, token)),
    )
    .await?;
    Ok(redirect_with_flash("/settings/messaging", "flash.saved"))
}

async fn remove_line(
    State(state): State<AppState>,
    signed: Signed,
    _p: Posted<crate::forms::Nothing>,
) -> AppResult<Response> {
    signed.require(Permission::SendAnnouncements)?;
    messaging::save_line(&state.db, signed.scope(), &signed.actor(), None).await?;
    Ok(redirect_with_flash("/settings/messaging", "flash.saved"))
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct DigestForm {
    digest: String,
}

async fn digest(
    State(state): State<AppState>,
    signed: Signed,
    posted: Posted<DigestForm>,
) -> AppResult<Response> {
    signed.require(Permission::SendAnnouncements)?;
    if let Some(id) = signed.actor().id {
        messaging::set_digest(&state.db, signed.scope(), id, posted.fields.digest == "on").await?;
    }
    Ok(redirect_with_flash("/settings/messaging", "flash.saved"))
}
