//! Form plumbing: posted forms whose CSRF token is checked by the extractor itself, ids from the path, and
//! field errors translated for the page.

use crate::auth::{AnonCsrf, constant_time_eq};
use crate::error::AppError;
use crate::i18n::Catalog;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use kaeru_domain::{FieldErrors, Invalid};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::collections::HashMap;

/// The token a posted form must carry, set by the extractor that settled who is asking (a staff session, a
/// portal session). Without one the anonymous CSRF cookie's token is expected.
#[derive(Clone, Debug)]
pub struct ExpectedCsrf(pub String);

/// A posted form (`application/x-www-form-urlencoded`, repeated keys allowed) whose `_csrf` field has been
/// checked against the asker's token before the handler runs: a handler that takes a `Posted` cannot forget
/// the check, and no page handler reads a form any other way (`clippy.toml` disallows `axum::Form`).
/// A form with nothing but its CSRF token (a button that changes state).
#[derive(Debug, Default, serde::Deserialize)]
pub struct Nothing {}

#[derive(Debug)]
pub struct Posted<T> {
    pub fields: T,
}

#[derive(Debug, Deserialize)]
struct Raw<T> {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(flatten)]
    fields: T,
}

impl<T, S> FromRequest<S> for Posted<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let expected = req
            .extensions()
            .get::<ExpectedCsrf>()
            .map(|e| e.0.clone())
            .or_else(|| req.extensions().get::<AnonCsrf>().map(|c| c.0.clone()))
            .unwrap_or_default();
        #[allow(clippy::disallowed_types)]
        let raw = match axum_extra::extract::Form::<Raw<T>>::from_request(req, state).await {
            Ok(axum_extra::extract::Form(raw)) => raw,
            Err(rejection) => {
                tracing::info!(error = %rejection.body_text(), "a posted form could not be read");
                return Err(AppError::BadForm);
            }
        };
        if expected.is_empty() || !constant_time_eq(expected.as_bytes(), raw.csrf.as_bytes()) {
            return Err(AppError::BadCsrf);
        }
        Ok(Self { fields: raw.fields })
    }
}

/// An id from the path (`/people/{id}`): anything that does not parse is simply not found.
pub struct Id<T>(pub T);

impl<T, S> FromRequestParts<S> for Id<T>
where
    T: std::str::FromStr + Send,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        crate::path::one(parts, state)
            .await
            .map(Self)
            .ok_or(AppError::NotFound)
    }
}

/// Two ids from the path (`/ventures/{id}/support/{eid}`).
pub struct Ids<A, B>(pub A, pub B);

impl<A, B, S> FromRequestParts<S> for Ids<A, B>
where
    A: std::str::FromStr + Send,
    B: std::str::FromStr + Send,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        crate::path::two(parts, state)
            .await
            .map(|(a, b)| Self(a, b))
            .ok_or(AppError::NotFound)
    }
}

/// Messages per field, in the user's language, ready for a template.
#[derive(Debug, Default)]
pub struct FormErrors {
    messages: HashMap<String, String>,
}

impl FormErrors {
    pub fn none() -> Self {
        Self::default()
    }

    pub fn from(errors: &FieldErrors, t: &Catalog) -> Self {
        let messages = errors
            .0
            .iter()
            .map(|(field, inv)| (field.to_string(), message(inv, t)))
            .collect();
        Self { messages }
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.messages.get(field).map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.messages.is_empty()
    }

    pub fn count(&self) -> usize {
        self.messages.len()
    }
}

pub fn message(inv: &Invalid, t: &Catalog) -> String {
    t.format(
        inv.key,
        &inv.args
            .iter()
            .map(|(k, v)| (*k, v.clone()))
            .collect::<Vec<_>>(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, Deserialize)]
    #[serde(default)]
    struct Many {
        #[serde(deserialize_with = "kaeru_domain::validation::one_or_many")]
        terms: Vec<String>,
        name: String,
    }

    #[test]
    fn repeated_fields_arrive_as_a_list_beside_the_token() {
        let body = "_csrf=abc&terms=a&name=x&terms=b";
        let p: Raw<Many> = serde_html_form::from_str(body).unwrap();
        assert_eq!(p.csrf, "abc");
        assert_eq!(p.fields.terms, ["a", "b"]);
        assert_eq!(p.fields.name, "x");
        let one: Raw<Many> = serde_html_form::from_str("_csrf=abc&terms=a").unwrap();
        assert_eq!(one.fields.terms, ["a"]);
        let none: Raw<Many> = serde_html_form::from_str("_csrf=abc&name=y").unwrap();
        assert!(none.fields.terms.is_empty());
    }
}
