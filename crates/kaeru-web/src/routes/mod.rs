//! Every route, each feature module with its own router, merged here.

pub(crate) mod analytics;
mod announcements;
mod comebacks;
mod engagements;
mod events;
mod health;
mod home;
mod imports;
mod job_board;
mod line;
mod network;
mod offers;
pub(crate) mod openings;
mod people;
mod portal;
mod privacy;
mod public;
mod search;
mod session;
mod settings;
mod side_jobs;
mod skills;
mod touchpoints;
mod ventures;

use crate::AppState;
use crate::error::{AppError, AppResult};
use crate::i18n::Catalog;
use axum::Router;
use axum::response::Redirect;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(health::router())
        .merge(analytics::router())
        .merge(session::router())
        .merge(imports::router())
        .merge(people::router())
        .merge(settings::router())
        .merge(offers::router())
        .merge(comebacks::router())
        .merge(skills::router())
        .merge(openings::router())
        .merge(search::router())
        .merge(public::router())
        .merge(touchpoints::router())
        .merge(network::router())
        .merge(engagements::router())
        .merge(ventures::router())
        .merge(side_jobs::router())
        .merge(portal::router())
        .merge(privacy::router())
        .merge(announcements::router())
        .merge(events::router())
        .merge(job_board::router())
        .merge(line::router())
        .merge(home::router())
        .fallback(not_found)
        .method_not_allowed_fallback(reopened)
}

async fn not_found() -> AppError {
    AppError::NotFound
}

/// A form's address opened again (from the history, or by reloading a refused form's page after a
/// redirect): where the form was posted to only takes posts, so show the page it belongs to instead of a blank
/// 405 — the path one level up (`/people/{id}/stints` → `/people/{id}`).
async fn reopened(method: axum::http::Method, uri: axum::http::Uri) -> axum::response::Response {
    use axum::response::IntoResponse;
    if method != axum::http::Method::GET && method != axum::http::Method::HEAD {
        return AppError::NotFound.into_response();
    }
    Redirect::to(parent_path(uri.path())).into_response()
}

fn parent_path(path: &str) -> &str {
    match path.trim_end_matches('/').rfind('/') {
        Some(0) | None => "/",
        Some(i) => &path[..i],
    }
}

/// An id from the URL or a form; anything unparseable is simply not found.
pub(crate) fn parse_id<T: std::str::FromStr>(id: &str) -> AppResult<T> {
    id.parse().map_err(|_| AppError::NotFound)
}

/// Labels of a coded enum, in the user's language: `(code, label)` pairs for a select.
pub(crate) fn choices<T: Copy>(
    t: &Catalog,
    prefix: &str,
    all: &[T],
    code: impl Fn(T) -> &'static str,
) -> Vec<(&'static str, String)> {
    all.iter()
        .map(|x| (code(*x), t.t(&format!("{prefix}.{}", code(*x))).to_string()))
        .collect()
}

/// 200 for a form shown fresh, 422 for one shown again with its errors.
pub(crate) fn form_status(errors: &kaeru_domain::FieldErrors) -> axum::http::StatusCode {
    if errors.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    }
}

/// Choices with owned codes, for the select macro.
pub(crate) fn owned(v: Vec<(&'static str, String)>) -> Vec<(String, String)> {
    v.into_iter().map(|(c, l)| (c.to_string(), l)).collect()
}

pub(crate) fn label(t: &Catalog, prefix: &str, code: &str) -> String {
    t.t(&format!("{prefix}.{code}")).to_string()
}

/// Renders a template, turning a rendering failure into a logged internal error.
pub(crate) fn render<T: askama::Template>(tpl: &T) -> AppResult<axum::response::Html<String>> {
    // Room for a list of 50 rows at once: askama's own hint counts a loop's body once, and the page grew
    // by reallocations, each a copy of what was already written.
    let mut page = String::with_capacity(T::SIZE_HINT.max(PAGE_ROOM));
    tpl.render_into(&mut page)?;
    Ok(axum::response::Html(page))
}

/// What a page is given to grow into before it is rendered (a list of 50 people is about 21 KB).
const PAGE_ROOM: usize = 32 * 1024;

/// A redirect that shows a short message on the next page.
pub(crate) fn redirect_with_flash(to: &str, flash_key: &'static str) -> axum::response::Response {
    use axum::response::IntoResponse;
    let cookie = format!(
        "{}={flash_key}; Path=/; HttpOnly; SameSite=Lax; Max-Age=60",
        crate::auth::FLASH_COOKIE
    );
    ([(axum::http::header::SET_COOKIE, cookie)], Redirect::to(to)).into_response()
}

/// A file to save (never cached: it may hold personal data).
pub(crate) fn download(
    content_type: &'static str,
    name: String,
    body: Vec<u8>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        [
            (axum::http::header::CONTENT_TYPE, content_type.to_string()),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (axum::http::header::CACHE_CONTROL, "no-store".to_string()),
        ],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_post_only_address_leads_one_level_up() {
        assert_eq!(super::parent_path("/people/abc/stints"), "/people/abc");
        assert_eq!(super::parent_path("/language"), "/");
        assert_eq!(super::parent_path("/"), "/");
        assert_eq!(super::parent_path("/a/b/"), "/a");
    }
}
