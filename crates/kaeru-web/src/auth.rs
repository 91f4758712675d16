//! Who is asking: password hashing, the session cookie, the anonymous CSRF cookie and the client address.

use crate::AppState;
use crate::error::AppError;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use kaeru_domain::{Language, Permission};
use kaeru_store::sessions::{self, SessionInfo};
use std::net::SocketAddr;

pub const SESSION_COOKIE: &str = "kaeru_session";
pub const CSRF_COOKIE: &str = "kaeru_csrf";
pub const LANG_COOKIE: &str = "kaeru_lang";
pub const FLASH_COOKIE: &str = "kaeru_flash";

pub use kaeru_app::passwords::{dummy_hash, hash_password, spend_check_time, verify_password};

/// Anything that asks: the language to answer in, the CSRF token of the anonymous forms, and where it comes from.
#[derive(Clone, Debug)]
pub struct Visitor {
    pub lang: Language,
    pub csrf: String,
    pub secure: bool,
    pub ip: String,
    pub jar: CookieJar,
}

/// The CSRF token the middleware made sure the browser has.
#[derive(Clone, Debug)]
pub struct AnonCsrf(pub String);

/// The language a request asks for before anyone signed in is known: the language cookie, else
/// `Accept-Language`, else Japanese.
pub fn language_of(headers: &axum::http::HeaderMap) -> Language {
    CookieJar::from_headers(headers)
        .get(LANG_COOKIE)
        .and_then(|c| Language::parse(c.value()))
        .or_else(|| accept_language(headers))
        .unwrap_or_default()
}

/// Tells the finishing layer which language the request's pages (and error pages) speak.
fn settle_language(parts: &Parts, lang: Language) {
    if let Some(slot) = parts.extensions.get::<crate::error::LangSlot>() {
        slot.set(lang);
    }
}

fn accept_language(headers: &axum::http::HeaderMap) -> Option<Language> {
    let header = headers
        .get(axum::http::header::ACCEPT_LANGUAGE)?
        .to_str()
        .ok()?;
    let first = header.split(',').next()?.trim().to_ascii_lowercase();
    if first.starts_with("ja") {
        Some(Language::Ja)
    } else if first.starts_with("en") {
        Some(Language::En)
    } else {
        None
    }
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        let lang = language_of(&parts.headers);
        settle_language(parts, lang);
        let csrf = parts
            .extensions
            .get::<AnonCsrf>()
            .map(|c| c.0.clone())
            .unwrap_or_default();
        let forwarded = |name: &str| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let secure = state.config.secure_cookies
            || (state.config.trust_proxy
                && forwarded("x-forwarded-proto").as_deref() == Some("https"));
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_string())
            .unwrap_or_else(|| "unknown".into());
        let ip = if state.config.trust_proxy {
            forwarded("x-forwarded-for")
                .and_then(|v| v.split(',').next().map(|s| s.trim().to_string()))
                .unwrap_or(peer)
        } else {
            peer
        };
        Ok(Self {
            lang,
            csrf,
            secure,
            ip,
            jar,
        })
    }
}

impl Visitor {
    pub fn cookie(
        &self,
        name: &'static str,
        value: String,
        max_age_secs: Option<i64>,
    ) -> Cookie<'static> {
        let mut c = Cookie::build((name, value))
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(self.secure);
        if let Some(s) = max_age_secs {
            c = c.max_age(time::Duration::seconds(s));
        }
        c.build()
    }
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A signed-in staff user. Extracting it from a request without a live session redirects to the sign-in page.
#[derive(Clone, Debug)]
pub struct Signed {
    pub info: SessionInfo,
    pub lang: Language,
    pub token: String,
    pub visitor: Visitor,
}

impl FromRequestParts<AppState> for Signed {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let visitor = Visitor::from_request_parts(parts, state).await?;
        let Some(token) = visitor
            .jar
            .get(SESSION_COOKIE)
            .map(|c| c.value().to_string())
        else {
            return Err(AppError::SignIn);
        };
        let info = sessions::resolve(&state.db, &token)
            .await?
            .ok_or(AppError::SignIn)?;
        let lang = info.user.language.unwrap_or(info.company.default_language);
        settle_language(parts, lang);
        parts
            .extensions
            .insert(crate::forms::ExpectedCsrf(info.csrf_token.clone()));
        Ok(Self {
            info,
            lang,
            token,
            visitor,
        })
    }
}

impl Signed {
    pub fn scope(&self) -> &kaeru_store::Scope {
        &self.info.scope
    }

    pub fn actor(&self) -> kaeru_store::Actor {
        kaeru_store::Actor {
            id: Some(self.info.user.id),
            name: self.info.user.display_name.clone(),
        }
    }

    pub fn can(&self, p: Permission) -> bool {
        self.info.user.can(p)
    }

    /// The user's language catalogue.
    pub fn t(&self) -> &'static crate::i18n::Catalog {
        crate::i18n::Catalog::get(self.lang)
    }

    pub fn require(&self, p: Permission) -> Result<(), AppError> {
        if self.can(p) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// Checks a form's token against the session's, for the one form that is not urlencoded (an import's
    /// multipart upload); every other form is checked by [`crate::forms::Posted`].
    pub fn check_csrf(&self, submitted: &str) -> Result<(), AppError> {
        if constant_time_eq(self.info.csrf_token.as_bytes(), submitted.as_bytes()) {
            Ok(())
        } else {
            Err(AppError::BadCsrf)
        }
    }

    /// Today in the company's time zone.
    pub fn today(&self) -> chrono::NaiveDate {
        let tz: chrono_tz::Tz = self
            .info
            .company
            .time_zone
            .parse()
            .unwrap_or(chrono_tz::Asia::Tokyo);
        chrono::Utc::now().with_timezone(&tz).date_naive()
    }
}

pub const PORTAL_COOKIE: &str = "kaeru_portal";
/// Which company's sign-in page to send an alumnus back to when their portal session has ended.
pub const PORTAL_COMPANY_COOKIE: &str = "kaeru_portal_company";

/// A former employee signed in to the portal. Without a live portal session the request is sent to the
/// company's sign-in page (or the home page when the company is not known).
#[derive(Clone, Debug)]
pub struct Alumnus {
    pub session: kaeru_store::portal::PortalSession,
    pub lang: Language,
    pub visitor: Visitor,
}

impl FromRequestParts<AppState> for Alumnus {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let visitor = Visitor::from_request_parts(parts, state).await?;
        let back = || {
            let to = visitor
                .jar
                .get(PORTAL_COMPANY_COOKIE)
                .map(|c| c.value().to_string())
                .filter(|s| kaeru_domain::Slug::parse(s).is_ok())
                .map(|s| format!("/c/{s}/login"))
                .unwrap_or_else(|| "/".into());
            AppError::Redirect(to)
        };
        let Some(token) = visitor
            .jar
            .get(PORTAL_COOKIE)
            .map(|c| c.value().to_string())
        else {
            return Err(back());
        };
        let session = kaeru_store::portal::resolve_session(&state.db, &token)
            .await?
            .ok_or_else(back)?;
        let lang = if visitor.jar.get(LANG_COOKIE).is_some() {
            visitor.lang
        } else {
            session.company.default_language
        };
        settle_language(parts, lang);
        parts
            .extensions
            .insert(crate::forms::ExpectedCsrf(session.csrf_token.clone()));
        Ok(Self {
            session,
            lang,
            visitor,
        })
    }
}

impl Alumnus {
    pub fn scope(&self) -> &kaeru_store::Scope {
        &self.session.scope
    }

    pub fn person(&self) -> kaeru_domain::PersonId {
        self.session.person
    }

    pub fn today(&self) -> chrono::NaiveDate {
        let tz: chrono_tz::Tz = self
            .session
            .company
            .time_zone
            .parse()
            .unwrap_or(chrono_tz::Asia::Tokyo);
        chrono::Utc::now().with_timezone(&tz).date_naive()
    }
}
