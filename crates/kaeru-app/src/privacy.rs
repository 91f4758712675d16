//! Purposes of use (APPI): what the company keeps in touch for, in both languages. Changing the wording makes
//! a new version, which asks everyone's consent again.

use crate::failure::{Failure, Outcome};
use kaeru_domain::validation as v;
use kaeru_domain::{FieldErrors, Invalid};
use kaeru_store::consent::{self, Purpose, PurposeText};
use kaeru_store::{Actor, Clash, Db, Scope, StoreError};
use serde::Deserialize;

/// A purpose as typed on the settings page.
#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct PurposeInput {
    pub code: String,
    pub name_ja: String,
    pub name_en: String,
    pub description_ja: String,
    pub description_en: String,
    pub active: String,
}

impl PurposeInput {
    fn text(&self, e: &mut FieldErrors) -> Option<PurposeText> {
        let name_ja = e.check("name_ja", v::required_line(&self.name_ja, 100));
        let name_en = e.check("name_en", v::required_line(&self.name_en, 100));
        let description_ja = e.check(
            "description_ja",
            v::required_text(&self.description_ja, 1000),
        );
        let description_en = e.check(
            "description_en",
            v::required_text(&self.description_en, 1000),
        );
        Some(PurposeText {
            name_ja: name_ja?,
            name_en: name_en?,
            description_ja: description_ja?,
            description_en: description_en?,
            active: !self.active.is_empty(),
        })
    }

    /// The stable code: lower-case letters, digits and `_`, at most 40.
    fn code(&self, e: &mut FieldErrors) -> String {
        let code = self.code.trim().to_ascii_lowercase();
        if code.is_empty()
            || code.len() > 40
            || !code
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            e.add("code", Invalid::new("error.purpose_code"));
        }
        code
    }
}

/// Adds a purpose of use (active from the start).
pub async fn add_purpose(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    input: &PurposeInput,
) -> Outcome<Purpose> {
    let mut e = FieldErrors::new();
    let code = input.code(&mut e);
    let text = input.text(&mut e);
    let Some(text) = text.filter(|_| e.is_empty()) else {
        return Err(Failure::Invalid(e));
    };
    let text = PurposeText {
        active: true,
        ..text
    };
    consent::add_purpose(db, scope, actor, &code, &text)
        .await
        .map_err(|err| match err {
            StoreError::Conflict(Clash::PurposeCodeTaken) => {
                Failure::field("code", Invalid::new("error.purpose_code_taken"))
            }
            other => other.into(),
        })
}

/// Changes a purpose's wording or whether it is in use.
pub async fn save_purpose(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    id: uuid::Uuid,
    input: &PurposeInput,
) -> Outcome<Purpose> {
    let mut e = FieldErrors::new();
    let Some(text) = input.text(&mut e).filter(|_| e.is_empty()) else {
        return Err(Failure::Invalid(e));
    };
    Ok(consent::update_purpose(db, scope, actor, id, &text).await?)
}
