//! Configuration: defaults, then an optional TOML file, then `KAERU_` environment variables, then flags.
//! Secrets (the database password) never appear in `Debug` output or logs.

use anyhow::Context;
use kaeru_store::DatabaseTarget;
use serde::Deserialize;
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

/// The settings `kaeru serve` runs with, after all layers are applied.
#[derive(Clone)]
pub struct Config {
    pub listen: String,
    pub data_dir: PathBuf,
    pub database_url: Option<String>,
    pub secure_cookies: bool,
    pub trust_proxy: bool,
    pub session_hours: i64,
    /// Run the background worker in this process.
    pub worker: bool,
    /// SMTP for the outbox; without it messages wait in the outbox, shown as not sent.
    pub smtp: Option<kaeru_worker::SmtpSettings>,
    /// The address people reach Kaeru at, for links in e-mails (e.g. `https://kaeru.example.jp`).
    pub public_url: Option<String>,
    /// The LINE Messaging API (LINE's own unless a fake one is named, in tests).
    pub line_api_url: String,
    /// Where a person confirms an account link.
    pub line_access_url: String,
    /// The bearer token `/metrics` asks for (without one, `/metrics` answers only the machine itself).
    pub metrics_token: Option<String>,
    /// The memory this node's search and matching indexes may hold together, in MB (0: no limit).
    pub index_memory_mb: u64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("."),
            database_url: None,
            secure_cookies: false,
            trust_proxy: false,
            session_hours: 12,
            worker: true,
            smtp: None,
            public_url: None,
            line_api_url: kaeru_messaging::line::DEFAULT_API_URL.into(),
            line_access_url: kaeru_messaging::line::DEFAULT_ACCESS_URL.into(),
            metrics_token: None,
            index_memory_mb: 1024,
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("data_dir", &self.data_dir)
            .field(
                "database_url",
                &self.database_url.as_deref().map(kaeru_store::redact),
            )
            .field("secure_cookies", &self.secure_cookies)
            .field("trust_proxy", &self.trust_proxy)
            .field("session_hours", &self.session_hours)
            .field("worker", &self.worker)
            .field("smtp", &self.smtp)
            .field("public_url", &self.public_url)
            .field("line_api_url", &self.line_api_url)
            .field("line_access_url", &self.line_access_url)
            .field("metrics_token", &self.metrics_token.as_ref().map(|_| "***"))
            .field("index_memory_mb", &self.index_memory_mb)
            .finish()
    }
}

/// The optional TOML file (`--config FILE` or `KAERU_CONFIG`).
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub listen: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub secure_cookies: Option<bool>,
    pub trust_proxy: Option<bool>,
    pub session_hours: Option<i64>,
    pub public_url: Option<String>,
    pub line_api_url: Option<String>,
    pub line_access_url: Option<String>,
    pub metrics_token: Option<String>,
    pub index_memory_mb: Option<u64>,
    #[serde(default)]
    pub smtp: SmtpFile,
}

/// SMTP settings, in the file (`[smtp]`) or as `KAERU_SMTP_*` variables.
#[derive(Default, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct SmtpFile {
    pub host: Option<String>,
    pub port: Option<u16>,
    /// `starttls` (default), `tls` or `none`.
    pub tls: Option<String>,
    pub user: Option<String>,
    pub password: Option<String>,
    pub from: Option<String>,
}

impl fmt::Debug for SmtpFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpFile")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("from", &self.from)
            .finish()
    }
}

impl fmt::Debug for FileConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileConfig")
            .field("listen", &self.listen)
            .field("data_dir", &self.data_dir)
            .field(
                "database_url",
                &self.database_url.as_deref().map(kaeru_store::redact),
            )
            .field("secure_cookies", &self.secure_cookies)
            .field("trust_proxy", &self.trust_proxy)
            .field("session_hours", &self.session_hours)
            .field("public_url", &self.public_url)
            .field("smtp", &self.smtp)
            .finish()
    }
}

impl SmtpFile {
    /// Fills what is unset here from `other`.
    fn or(self, other: SmtpFile) -> SmtpFile {
        SmtpFile {
            host: self.host.or(other.host),
            port: self.port.or(other.port),
            tls: self.tls.or(other.tls),
            user: self.user.or(other.user),
            password: self.password.or(other.password),
            from: self.from.or(other.from),
        }
    }

    fn settings(self) -> anyhow::Result<Option<kaeru_worker::SmtpSettings>> {
        let Some(host) = self.host.filter(|h| !h.trim().is_empty()) else {
            return Ok(None);
        };
        let tls = match self.tls.as_deref() {
            None => kaeru_worker::TlsMode::StartTls,
            Some(t) => kaeru_worker::TlsMode::parse(t).ok_or_else(|| {
                anyhow::anyhow!("smtp tls must be starttls, tls or none, not {t:?}")
            })?,
        };
        let port = self.port.unwrap_or(match tls {
            kaeru_worker::TlsMode::None => 25,
            kaeru_worker::TlsMode::StartTls => 587,
            kaeru_worker::TlsMode::Tls => 465,
        });
        Ok(Some(kaeru_worker::SmtpSettings {
            host,
            port,
            tls,
            user: self.user.filter(|u| !u.is_empty()),
            password: self.password.filter(|p| !p.is_empty()),
            from: self
                .from
                .unwrap_or_else(|| "Kaeru <no-reply@localhost>".into()),
        }))
    }
}

/// What flags and environment variables said (clap merges the two, flags first): the same settings as the
/// file, laid over it.
pub type Overrides = FileConfig;

impl FileConfig {
    pub fn read(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the configuration file {}", path.display()))?;
        toml::from_str(&text)
            .with_context(|| format!("the configuration file {} is not valid", path.display()))
    }
}

impl Config {
    pub fn layered(file: Option<FileConfig>, over: Overrides) -> anyhow::Result<Self> {
        let d = Config::default();
        let f = file.unwrap_or_default();
        let session_hours = over
            .session_hours
            .or(f.session_hours)
            .unwrap_or(d.session_hours);
        anyhow::ensure!(
            (1..=24 * 90).contains(&session_hours),
            "session_hours must be between 1 and 2160"
        );
        Ok(Self {
            listen: over.listen.or(f.listen).unwrap_or(d.listen),
            data_dir: over.data_dir.or(f.data_dir).unwrap_or(d.data_dir),
            database_url: over
                .database_url
                .or(f.database_url)
                .filter(|u| !u.trim().is_empty()),
            secure_cookies: over
                .secure_cookies
                .or(f.secure_cookies)
                .unwrap_or(d.secure_cookies),
            trust_proxy: over.trust_proxy.or(f.trust_proxy).unwrap_or(d.trust_proxy),
            session_hours,
            worker: true,
            smtp: over.smtp.or(f.smtp).settings()?,
            public_url: over
                .public_url
                .or(f.public_url)
                .map(|u| u.trim().trim_end_matches('/').to_string())
                .filter(|u| !u.is_empty())
                .map(|u| checked_public_url(&u))
                .transpose()?,
            line_api_url: over
                .line_api_url
                .or(f.line_api_url)
                .map(|u| u.trim().trim_end_matches('/').to_string())
                .filter(|u| !u.is_empty())
                .unwrap_or(d.line_api_url),
            line_access_url: over
                .line_access_url
                .or(f.line_access_url)
                .map(|u| u.trim().trim_end_matches('/').to_string())
                .filter(|u| !u.is_empty())
                .unwrap_or(d.line_access_url),
            metrics_token: over
                .metrics_token
                .or(f.metrics_token)
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty()),
            index_memory_mb: over
                .index_memory_mb
                .or(f.index_memory_mb)
                .unwrap_or(d.index_memory_mb),
        })
    }

    /// The address links in e-mails start with, from configuration only: `public_url`, else the address
    /// Kaeru listens on (`localhost` when it listens on every interface). The second value says whether it
    /// was configured.
    pub fn link_base(&self, listening: SocketAddr) -> (String, bool) {
        if let Some(u) = &self.public_url {
            return (u.clone(), true);
        }
        let scheme = if self.secure_cookies { "https" } else { "http" };
        let host = match listening.ip() {
            ip if ip.is_unspecified() => "localhost".to_string(),
            IpAddr::V6(ip) => format!("[{ip}]"),
            ip => ip.to_string(),
        };
        (format!("{scheme}://{host}:{}", listening.port()), false)
    }

    pub fn database_target(&self) -> anyhow::Result<DatabaseTarget> {
        Ok(DatabaseTarget::resolve(
            self.database_url.as_deref(),
            &self.data_dir,
        )?)
    }

    /// The web layer's settings, once the address Kaeru listens on is known.
    pub fn web(&self, listening: SocketAddr) -> kaeru_web::WebConfig {
        let (public_url, public_url_configured) = self.link_base(listening);
        kaeru_web::WebConfig {
            secure_cookies: self.secure_cookies,
            trust_proxy: self.trust_proxy,
            session_hours: self.session_hours,
            public_url,
            public_url_configured,
            smtp_configured: self.smtp.is_some(),
            line_api_url: self.line_api_url.clone(),
            line_access_url: self.line_access_url.clone(),
            metrics_token: self.metrics_token.clone(),
            index_budget_bytes: (self.index_memory_mb > 0).then(|| {
                usize::try_from(self.index_memory_mb.saturating_mul(1 << 20)).unwrap_or(usize::MAX)
            }),
        }
    }

    /// What the worker and the pages need to send announcements.
    pub fn delivery(&self, listening: SocketAddr) -> kaeru_app::announcements::Delivery {
        kaeru_app::announcements::Delivery {
            line_api: self.line_api_url.clone(),
            public_url: self.link_base(listening).0,
        }
    }
}

/// `public_url` must be an absolute http(s) address with a host and nothing after the path.
fn checked_public_url(u: &str) -> anyhow::Result<String> {
    let parsed = url::Url::parse(u)
        .map_err(|e| anyhow::anyhow!("public_url {u:?} is not an address: {e}"))?;
    anyhow::ensure!(
        matches!(parsed.scheme(), "http" | "https")
            && parsed.host_str().is_some_and(|h| !h.is_empty())
            && parsed.query().is_none()
            && parsed.fragment().is_none()
            && parsed.username().is_empty()
            && parsed.password().is_none(),
        "public_url must look like https://kaeru.example.jp (http or https, a host, no query), not {u:?}"
    );
    Ok(u.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_beat_the_file_which_beats_defaults() {
        let file = FileConfig {
            listen: Some("0.0.0.0:9000".into()),
            session_hours: Some(8),
            ..Default::default()
        };
        let c = Config::layered(
            Some(file),
            Overrides {
                listen: Some("127.0.0.1:7000".into()),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(c.listen, "127.0.0.1:7000");
        assert_eq!(c.session_hours, 8);
        assert_eq!(c.data_dir, PathBuf::from("."));
    }

    #[test]
    fn links_come_from_configuration_never_from_a_request() {
        let addr: SocketAddr = "127.0.0.1:8123".parse().unwrap();
        let c = Config::default();
        assert_eq!(
            c.link_base(addr),
            ("http://127.0.0.1:8123".to_string(), false)
        );
        let any: SocketAddr = "0.0.0.0:8080".parse().unwrap();
        assert_eq!(c.link_base(any).0, "http://localhost:8080");
        let v6: SocketAddr = "[::1]:8080".parse().unwrap();
        assert_eq!(c.link_base(v6).0, "http://[::1]:8080");
        let c = Config::layered(
            None,
            Overrides {
                public_url: Some(" https://kaeru.example.jp/ ".into()),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(
            c.link_base(addr),
            ("https://kaeru.example.jp".to_string(), true)
        );
        for bad in [
            "kaeru.example.jp",
            "ftp://kaeru.example.jp",
            "https://kaeru.example.jp/?next=x",
            "https://user:pw@kaeru.example.jp",
        ] {
            let r = Config::layered(
                None,
                Overrides {
                    public_url: Some(bad.into()),
                    ..Default::default()
                },
            );
            assert!(r.is_err(), "{bad} must be refused");
        }
    }

    #[test]
    fn no_debug_output_shows_a_secret() {
        let over = Overrides {
            database_url: Some("postgres://kaeru:hunter2@db/kaeru".into()),
            smtp: SmtpFile {
                host: Some("mail.example.jp".into()),
                password: Some("s3cret-pw".into()),
                ..Default::default()
            },
            ..Default::default()
        };
        let file = FileConfig {
            database_url: Some("postgres://kaeru:hunter2@db/kaeru".into()),
            smtp: over.smtp.clone(),
            ..Default::default()
        };
        for shown in [
            format!("{over:?}"),
            format!("{file:?}"),
            format!("{:?}", over.smtp),
        ] {
            assert!(
                !shown.contains("hunter2") && !shown.contains("s3cret-pw"),
                "{shown}"
            );
        }
    }

    #[test]
    fn debug_output_hides_the_database_password() {
        let c = Config {
            database_url: Some("postgres://kaeru:hunter2@db/kaeru".into()),
            ..Default::default()
        };
        let shown = format!("{c:?}");
        assert!(!shown.contains("hunter2") && shown.contains("***"));
    }

    #[test]
    fn smtp_settings_default_to_starttls_and_hide_the_password() {
        let c = Config::layered(
            None,
            Overrides {
                smtp: SmtpFile {
                    host: Some("mail.example.jp".into()),
                    user: Some("kaeru".into()),
                    password: Some("s3cret-pw".into()),
                    ..Default::default()
                },
                ..Default::default()
            },
        )
        .unwrap();
        let smtp = c.smtp.clone().unwrap();
        assert_eq!(
            (smtp.port, smtp.tls),
            (587, kaeru_worker::TlsMode::StartTls)
        );
        assert!(!format!("{c:?}").contains("s3cret-pw"));
        let bad = Config::layered(
            None,
            Overrides {
                smtp: SmtpFile {
                    host: Some("mail.example.jp".into()),
                    tls: Some("maybe".into()),
                    ..Default::default()
                },
                ..Default::default()
            },
        );
        assert!(bad.is_err());
    }
}
