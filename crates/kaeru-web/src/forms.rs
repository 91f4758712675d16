//! Form plumbing: the CSRF field every form carries, and field errors translated for the page.

use crate::i18n::Catalog;
use kaeru_domain::{FieldErrors, Invalid};
use serde::Deserialize;
use std::collections::HashMap;

/// A posted form: the CSRF token beside the fields of `T`.
#[derive(Debug, Deserialize)]
pub struct Posted<T> {
    #[serde(rename = "_csrf", default)]
    pub csrf: String,
    #[serde(flatten)]
    pub fields: T,
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
        let p: Posted<Many> = serde_html_form::from_str(body).unwrap();
        assert_eq!(p.csrf, "abc");
        assert_eq!(p.fields.terms, ["a", "b"]);
        assert_eq!(p.fields.name, "x");
        let one: Posted<Many> = serde_html_form::from_str("_csrf=abc&terms=a").unwrap();
        assert_eq!(one.fields.terms, ["a"]);
        let none: Posted<Many> = serde_html_form::from_str("_csrf=abc&name=y").unwrap();
        assert!(none.fields.terms.is_empty());
    }
}
