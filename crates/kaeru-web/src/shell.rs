//! The page shell shared by every screen (navigation, language, flash message), and the middleware that
//! sets security headers, the anonymous CSRF cookie and clears a shown flash message.

use crate::auth::{AnonCsrf, CSRF_COOKIE, FLASH_COOKIE, Signed, Visitor};
use crate::i18n::Catalog;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use axum_extra::extract::CookieJar;
use kaeru_domain::{Language, Permission};

/// Which section of the navigation is active.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    Home,
    People,
    Offers,
    Comebacks,
    Skills,
    Openings,
    Settings,
    Analytics,
    None,
}

pub struct Shell {
    pub t: &'static Catalog,
    pub lang: Language,
    pub csrf: String,
    pub user_name: Option<String>,
    pub company_name: Option<String>,
    pub section: Section,
    pub can_edit_people: bool,
    pub can_manage: bool,
    /// The outbox and personal-data duties.
    pub can_privacy: bool,
    pub can_api_tokens: bool,
    /// The analytics pages.
    pub can_analytics: bool,
    pub flash: Option<String>,
    pub time_zone: chrono_tz::Tz,
    pub path: String,
    /// A former employee in the portal (their own navigation).
    pub portal: bool,
}

fn flash_of(jar: &CookieJar, t: &Catalog) -> Option<String> {
    jar.get(FLASH_COOKIE)
        .map(|c| c.value().to_string())
        .filter(|k| k.starts_with("flash."))
        .map(|k| t.t(&k).to_string())
}

impl Shell {
    pub fn signed(s: &Signed, section: Section, path: &str) -> Self {
        let t = Catalog::get(s.lang);
        Self {
            t,
            lang: s.lang,
            csrf: s.info.csrf_token.clone(),
            user_name: Some(s.info.user.display_name.clone()),
            company_name: Some(s.info.company.name.clone()),
            section,
            can_edit_people: s.can(Permission::EditPeople),
            can_manage: s.can(Permission::ManageStaff),
            can_privacy: s.can(Permission::ManagePersonalData),
            can_api_tokens: s.can(Permission::ManageApiTokens),
            can_analytics: s.can(Permission::SeeAnalytics),
            flash: flash_of(&s.visitor.jar, t),
            time_zone: s
                .info
                .company
                .time_zone
                .parse()
                .unwrap_or(chrono_tz::Asia::Tokyo),
            path: path.to_string(),
            portal: false,
        }
    }

    /// The shell of the alumni portal; its forms carry the portal session's token.
    pub fn portal(a: &crate::auth::Alumnus, name: &str, path: &str) -> Self {
        let t = Catalog::get(a.lang);
        Self {
            t,
            lang: a.lang,
            csrf: a.session.csrf_token.clone(),
            user_name: Some(name.to_string()),
            company_name: Some(a.session.company.name.clone()),
            section: Section::None,
            can_edit_people: false,
            can_manage: false,
            can_privacy: false,
            can_api_tokens: false,
            can_analytics: false,
            flash: flash_of(&a.visitor.jar, t),
            time_zone: a
                .session
                .company
                .time_zone
                .parse()
                .unwrap_or(chrono_tz::Asia::Tokyo),
            path: path.to_string(),
            portal: true,
        }
    }

    pub fn anonymous(v: &Visitor, path: &str) -> Self {
        let t = Catalog::get(v.lang);
        Self {
            t,
            lang: v.lang,
            csrf: v.csrf.clone(),
            user_name: None,
            company_name: None,
            section: Section::None,
            can_edit_people: false,
            can_manage: false,
            can_privacy: false,
            can_api_tokens: false,
            can_analytics: false,
            flash: flash_of(&v.jar, t),
            time_zone: chrono_tz::Asia::Tokyo,
            path: path.to_string(),
            portal: false,
        }
    }

    pub fn t(&self, key: &str) -> &'static str {
        let catalog: &'static Catalog = self.t;
        catalog.lookup(key).unwrap_or_else(|| {
            tracing::warn!(key, "missing translation");
            "⚠"
        })
    }

    /// An amount of yen on a page: 「1,200,000円」, "¥1,200,000". The one page formatter of amounts.
    pub fn yen(&self, n: i64) -> String {
        self.tf(
            "network.yen",
            "n",
            kaeru_domain::validation::group_digits(n),
        )
    }

    /// The pages under 「つながり」: the network, ventures, side jobs, contracts, reconnecting, and their details.
    pub fn in_revolving_door(&self) -> bool {
        [
            "/network",
            "/ventures",
            "/side-jobs",
            "/engagements",
            "/reconnect",
            "/announcements",
            "/segments",
            "/events",
        ]
        .iter()
        .any(|p| {
            self.path
                .strip_prefix(p)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        })
    }

    pub fn tf(&self, key: &str, name: &str, value: impl std::fmt::Display) -> String {
        self.t.format(key, &[(name, value.to_string())])
    }

    pub fn lang_code(&self) -> &'static str {
        self.lang.code()
    }

    pub fn section_is(&self, name: &str) -> bool {
        matches!(
            (self.section, name),
            (Section::Home, "home")
                | (Section::People, "people")
                | (Section::Offers, "offers")
                | (Section::Comebacks, "comebacks")
                | (Section::Skills, "skills")
                | (Section::Openings, "openings")
                | (Section::Settings, "settings")
                | (Section::Analytics, "analytics")
        )
    }

    /// A date as shown in tables and forms: YYYY/MM/DD.
    pub fn date(&self, d: &chrono::NaiveDate) -> String {
        ymd(d)
    }

    pub fn opt_date(&self, d: &Option<chrono::NaiveDate>) -> String {
        d.as_ref().map(|d| self.date(d)).unwrap_or_default()
    }

    /// A moment in the company's time zone: YYYY/MM/DD HH:MM.
    pub fn datetime(&self, at: &chrono::DateTime<chrono::Utc>) -> String {
        at.with_timezone(&self.time_zone)
            .format("%Y/%m/%d %H:%M")
            .to_string()
    }
}

/// YYYY/MM/DD without parsing a format string for every date (a list of 50 people spent 5 % of its time in
/// chrono's `format`); a year outside 0–9999 goes through chrono.
pub fn ymd(d: &chrono::NaiveDate) -> String {
    use chrono::Datelike;
    let year = d.year();
    if !(0..=9999).contains(&year) {
        return d.format("%Y/%m/%d").to_string();
    }
    let digits = |n: u32, width: usize, out: &mut String| {
        let mut buf = [b'0'; 4];
        let mut n = n;
        for slot in buf[..width].iter_mut().rev() {
            *slot = b'0' + (n % 10) as u8;
            n /= 10;
        }
        out.extend(buf[..width].iter().map(|b| char::from(*b)));
    };
    let mut out = String::with_capacity(10);
    digits(year.unsigned_abs(), 4, &mut out);
    out.push('/');
    digits(d.month(), 2, &mut out);
    out.push('/');
    digits(d.day(), 2, &mut out);
    out
}

pub async fn security_headers(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let jar = CookieJar::from_headers(req.headers());
    let behind_https = state.config.trust_proxy
        && req
            .headers()
            .get("x-forwarded-proto")
            .is_some_and(|v| v.as_bytes() == b"https");
    let secure = if state.config.secure_cookies || behind_https {
        "; Secure"
    } else {
        ""
    };
    // The JSON API is called by programs with a token: no cookies for it.
    let api = req.uri().path().starts_with("/api/");
    let had_flash = jar.get(FLASH_COOKIE).is_some() && !api;
    let (csrf, new_csrf) = match jar
        .get(CSRF_COOKIE)
        .map(|c| c.value().to_string())
        .filter(|v| v.len() == 64)
    {
        Some(v) => (v, false),
        None => (kaeru_store::sessions::random_token(), true),
    };
    req.extensions_mut().insert(AnonCsrf(csrf.clone()));
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    // Pages, downloads and API answers carry personal data: no browser or proxy may keep a copy. Only what
    // chose its own caching (vendored assets, the public badge) is cached.
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'"),
    );
    let sets_flash = h
        .get_all(header::SET_COOKIE)
        .iter()
        .any(|v| v.to_str().is_ok_and(|s| s.starts_with(FLASH_COOKIE)));
    if had_flash && !sets_flash {
        h.append(
            header::SET_COOKIE,
            HeaderValue::from_static("kaeru_flash=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"),
        );
    }
    if new_csrf
        && !api
        && let Ok(v) = HeaderValue::from_str(&format!(
            "{CSRF_COOKIE}={csrf}; Path=/; HttpOnly; SameSite=Lax{secure}"
        ))
    {
        h.append(header::SET_COOKIE, v);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::ymd;
    use chrono::NaiveDate;

    #[test]
    fn dates_read_as_chrono_writes_them() {
        for (y, m, d) in [
            (2026, 12, 7),
            (1999, 1, 1),
            (5, 3, 9),
            (9999, 12, 31),
            (-1, 6, 15),
            (10000, 1, 1),
        ] {
            let date = NaiveDate::from_ymd_opt(y, m, d).unwrap();
            assert_eq!(ymd(&date), date.format("%Y/%m/%d").to_string(), "{date}");
        }
    }
}
