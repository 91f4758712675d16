//! Configuration: defaults, then an optional TOML file, then `KAERU_` environment variables, then flags.
//! Secrets (the database password) never appear in `Debug` output or logs.

use anyhow::Context;
use kaeru_store::DatabaseTarget;
use serde::Deserialize;
use std::fmt;
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
            .finish()
    }
}

/// The optional TOML file (`--config FILE` or `KAERU_CONFIG`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub listen: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub secure_cookies: Option<bool>,
    pub trust_proxy: Option<bool>,
    pub session_hours: Option<i64>,
}

/// What flags and environment variables said (clap merges the two, flags first).
#[derive(Debug, Default)]
pub struct Overrides {
    pub listen: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub secure_cookies: Option<bool>,
    pub trust_proxy: Option<bool>,
}

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
        let session_hours = f.session_hours.unwrap_or(d.session_hours);
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
        })
    }

    pub fn database_target(&self) -> anyhow::Result<DatabaseTarget> {
        Ok(DatabaseTarget::resolve(
            self.database_url.as_deref(),
            &self.data_dir,
        )?)
    }

    pub fn web(&self) -> kaeru_web::WebConfig {
        kaeru_web::WebConfig {
            secure_cookies: self.secure_cookies,
            trust_proxy: self.trust_proxy,
            session_hours: self.session_hours,
        }
    }
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
    fn debug_output_hides_the_database_password() {
        let c = Config {
            database_url: Some("postgres://kaeru:hunter2@db/kaeru".into()),
            ..Default::default()
        };
        let shown = format!("{c:?}");
        assert!(!shown.contains("hunter2") && shown.contains("***"));
    }
}
