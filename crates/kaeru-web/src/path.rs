//! Ids from a request's path, read once for the pages' extractors (`forms::Id`, `forms::Ids`) and the API's
//! (`api::Id`, `api::Ids`): anything that does not parse is simply not there, which both answer with 404.

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use std::str::FromStr;

/// The path's one parameter, parsed.
pub(crate) async fn one<T, S>(parts: &mut Parts, state: &S) -> Option<T>
where
    T: FromStr,
    S: Send + Sync,
{
    let Path(raw) = Path::<String>::from_request_parts(parts, state)
        .await
        .ok()?;
    raw.parse().ok()
}

/// The path's two parameters, parsed.
pub(crate) async fn two<A, B, S>(parts: &mut Parts, state: &S) -> Option<(A, B)>
where
    A: FromStr,
    B: FromStr,
    S: Send + Sync,
{
    let Path((a, b)) = Path::<(String, String)>::from_request_parts(parts, state)
        .await
        .ok()?;
    Some((a.parse().ok()?, b.parse().ok()?))
}
