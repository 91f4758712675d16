//! The public page's settings.

use crate::AppState;
use crate::auth::Signed;
use crate::error::AppResult;
use crate::forms::{FormErrors, Posted};
use crate::routes::public::{badge_svg, base_url};
use crate::routes::{redirect_with_flash, render};
use crate::shell::{Section, Shell};
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use kaeru_domain::{FieldErrors, Invalid, Language, Permission};
use kaeru_store::companies;
use serde::Deserialize;

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
    Ok((crate::routes::form_status(errors), render(&tpl)?).into_response())
}

pub(super) async fn public_settings(
    State(state): State<AppState>,
    signed: Signed,
) -> AppResult<Response> {
    signed.require(Permission::ManageCompany)?;
    let p = companies::public_settings(&state.db, signed.scope()).await?;
    let form = PublicInput {
        declaration_ja: p.declaration_ja.unwrap_or_default(),
        declaration_en: p.declaration_en.unwrap_or_default(),
        retention_years: p.retention_years.map(|y| y.to_string()).unwrap_or_default(),
    };
    public_settings_page(&state, &signed, form, &FieldErrors::new())
}

pub(super) async fn save_public_settings(
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
