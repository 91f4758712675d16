//! Who is asking: password hashing, the session cookie, the anonymous CSRF cookie and the client address.

use crate::AppState;
use crate::error::AppError;
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, SaltString, rand_core::OsRng};
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

/// Threads that hash passwords: a few long-lived ones. Each argon2id hash takes 19 MiB and a core for
/// about 20 ms; on the shared blocking pool every new thread kept its own 19 MiB in its allocator arena
/// (100 simultaneous sign-ins took 0.7–2.3 GB), so hashing has threads of its own and further requests wait.
const HASHERS: usize = 4;

type HashJob = Box<dyn FnOnce() + Send>;

fn hashers() -> &'static std::sync::Mutex<std::sync::mpsc::Sender<HashJob>> {
    static QUEUE: std::sync::OnceLock<std::sync::Mutex<std::sync::mpsc::Sender<HashJob>>> =
        std::sync::OnceLock::new();
    QUEUE.get_or_init(|| {
        let (tx, rx) = std::sync::mpsc::channel::<HashJob>();
        let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
        for n in 0..HASHERS {
            let rx = rx.clone();
            let _ = std::thread::Builder::new()
                .name(format!("kaeru-hash-{n}"))
                .spawn(move || {
                    loop {
                        let job = match rx.lock() {
                            Ok(r) => r.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(),
                            Err(_) => return,
                        }
                    }
                });
        }
        std::sync::Mutex::new(tx)
    })
}

/// Runs `work` on a hashing thread and waits for it without blocking the async runtime.
async fn on_hasher<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let job: HashJob = Box::new(move || {
        let _ = tx.send(work());
    });
    hashers().lock().ok()?.send(job).ok()?;
    rx.await.ok()
}

/// Larger than any hash Kaeru makes (19 MiB); a stored hash asking for more is refused, not computed.
const MAX_HASH_BLOCKS: usize = 64 * 1024;

thread_local! {
    /// The hashing thread's argon2 memory, kept between checks: allocated once per thread instead of 19 MiB
    /// per check, which the allocator kept around (RSS grew by about 19 MiB a sign-in up to half a GB).
    static HASH_MEMORY: std::cell::RefCell<Vec<argon2::Block>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Checks `password` against a PHC string (`$argon2id$v=19$m=…`) in the thread's kept memory; the
/// comparison of the outputs is constant-time.
fn verify_in_kept_memory(password: &[u8], phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let Ok(algorithm) = argon2::Algorithm::try_from(parsed.algorithm) else {
        return false;
    };
    let version = match parsed.version.map(argon2::Version::try_from) {
        None => argon2::Version::default(),
        Some(Ok(v)) => v,
        Some(Err(_)) => return false,
    };
    let Ok(params) = argon2::Params::try_from(&parsed) else {
        return false;
    };
    let blocks = params.block_count();
    if blocks > MAX_HASH_BLOCKS {
        return false;
    }
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let mut out = vec![0u8; expected.len()];
    let computed = HASH_MEMORY.with(|memory| {
        let mut memory = memory.borrow_mut();
        if memory.len() < blocks {
            memory.resize(blocks, argon2::Block::default());
        }
        Argon2::new(algorithm, version, params)
            .hash_password_into_with_memory(password, salt, &mut out, &mut memory[..blocks])
            .is_ok()
    });
    computed && argon2::password_hash::Output::new(&out).is_ok_and(|o| o == expected)
}

/// Hashes a password with argon2id on a hashing thread, off the async runtime.
pub async fn hash_password(password: String) -> anyhow::Result<String> {
    on_hasher(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))
    })
    .await
    .ok_or_else(|| anyhow::anyhow!("the hashing threads stopped"))?
}

/// How long a password check takes here (microseconds, a moving average), so that an answer that needs no
/// check (a sign-in refused by the rate limit) can take as long without using a core.
static HASH_MICROS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(20_000);

/// Checks a password against a stored hash on a hashing thread.
pub async fn verify_password(password: String, hash: String) -> bool {
    let (ok, took) = on_hasher(move || {
        let started = std::time::Instant::now();
        let ok = verify_in_kept_memory(password.as_bytes(), &hash);
        (ok, started.elapsed())
    })
    .await
    .unwrap_or((false, std::time::Duration::ZERO));
    // The check's own time, not the wait for a thread, is what a refused sign-in spends.
    let took = took.as_micros().min(1_000_000) as u64;
    let old = HASH_MICROS.load(std::sync::atomic::Ordering::Relaxed);
    HASH_MICROS.store((old * 7 + took) / 8, std::sync::atomic::Ordering::Relaxed);
    ok
}

/// Waits as long as a password check takes, without doing one: a refused sign-in answers in the same time
/// as a checked one, so neither the limit nor the check tells which addresses have accounts.
pub async fn spend_check_time() {
    let micros = HASH_MICROS.load(std::sync::atomic::Ordering::Relaxed);
    tokio::time::sleep(std::time::Duration::from_micros(micros)).await;
}

/// A real hash of a random password, made once, so that a sign-in for an unknown address costs as much
/// time as one for a known address.
pub async fn dummy_hash() -> String {
    static DUMMY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    DUMMY
        .get_or_init(|| async {
            hash_password(kaeru_store::sessions::random_token())
                .await
                .unwrap_or_default()
        })
        .await
        .clone()
}

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

fn accept_language(parts: &Parts) -> Option<Language> {
    let header = parts
        .headers
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
        let lang = jar
            .get(LANG_COOKIE)
            .and_then(|c| Language::parse(c.value()))
            .or_else(|| accept_language(parts))
            .unwrap_or_default();
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

    /// Checks the token of an anonymous form against the cookie.
    pub fn check_csrf(&self, submitted: &str) -> Result<(), AppError> {
        if !self.csrf.is_empty() && constant_time_eq(self.csrf.as_bytes(), submitted.as_bytes()) {
            Ok(())
        } else {
            Err(AppError::BadCsrf(self.lang))
        }
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
            .await
            .map_err(|e| AppError::from_store(visitor.lang, e))?
            .ok_or(AppError::SignIn)?;
        let lang = info.user.language.unwrap_or(info.company.default_language);
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

    pub fn require(&self, p: Permission) -> Result<(), AppError> {
        if self.can(p) {
            Ok(())
        } else {
            Err(AppError::Forbidden(self.lang))
        }
    }

    /// Checks a form's token against the session's.
    pub fn check_csrf(&self, submitted: &str) -> Result<(), AppError> {
        if constant_time_eq(self.info.csrf_token.as_bytes(), submitted.as_bytes()) {
            Ok(())
        } else {
            Err(AppError::BadCsrf(self.lang))
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
            .await
            .map_err(|e| AppError::from_store(visitor.lang, e))?
            .ok_or_else(back)?;
        let lang = if visitor.jar.get(LANG_COOKIE).is_some() {
            visitor.lang
        } else {
            session.company.default_language
        };
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

    pub fn check_csrf(&self, submitted: &str) -> Result<(), AppError> {
        if constant_time_eq(self.session.csrf_token.as_bytes(), submitted.as_bytes()) {
            Ok(())
        } else {
            Err(AppError::BadCsrf(self.lang))
        }
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
