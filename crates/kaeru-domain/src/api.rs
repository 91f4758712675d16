//! API tokens: how another tool (a script, the HR system, a spreadsheet) reads and writes a company's data
//! through the JSON API.

use crate::validation::{self as v, FieldErrors, Invalid};
use serde::{Deserialize, Serialize};

coded_enum!(
    /// What a token may do.
    TokenScope {
        /// GET only.
        Read = "read",
        /// GET and the writes (create, change).
        Write = "write",
    }
);

impl TokenScope {
    pub fn allows_writes(self) -> bool {
        self == Self::Write
    }
}

/// A checked token form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenDraft {
    /// What the token is for, e.g. 「SmartHR連携」.
    pub name: String,
    pub scope: TokenScope,
}

/// The token form as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TokenInput {
    pub name: String,
    pub scope: String,
}

impl TokenInput {
    pub fn parse(&self) -> Result<TokenDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let name = e.check("name", v::required_line(&self.name, 100));
        let scope = e.check(
            "scope",
            TokenScope::parse(&self.scope).ok_or_else(|| Invalid::new("error.choice")),
        );
        e.into_result()?;
        match (name, scope) {
            (Some(name), Some(scope)) => Ok(TokenDraft { name, scope }),
            _ => Err(FieldErrors::new()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_needs_a_name_and_a_known_scope() {
        let ok = TokenInput {
            name: " SmartHR連携 ".into(),
            scope: "read".into(),
        }
        .parse()
        .unwrap();
        assert_eq!(ok.name, "SmartHR連携");
        assert_eq!(ok.scope, TokenScope::Read);
        let bad = TokenInput {
            name: "".into(),
            scope: "admin".into(),
        }
        .parse()
        .unwrap_err();
        assert_eq!(bad.get("name").unwrap().key, "error.required");
        assert_eq!(bad.get("scope").unwrap().key, "error.choice");
    }
}
