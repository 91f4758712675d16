//! The command line: its arguments, the configuration they layer over the file and the environment, and
//! one function per command. Each command is a thin call into the library and the use cases.

mod admin;
mod exchange;
mod serve;
mod setup;

use clap::{Args, Parser, Subcommand};
use kaeru::config::{Config, FileConfig, Overrides};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "kaeru",
    version,
    about = "Kaeru — keep every former employee in your talent network and bring people back"
)]
pub(crate) struct Cli {
    /// An optional TOML configuration file.
    #[arg(long, global = true, env = "KAERU_CONFIG")]
    pub(crate) config: Option<PathBuf>,
    /// Log format: `text` or `json`.
    #[arg(long, global = true, env = "KAERU_LOG_FORMAT", default_value = "text")]
    pub(crate) log_format: String,
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Args, Clone, Default)]
pub(crate) struct DbArgs {
    /// Folder for the embedded SQLite file `kaeru.db` (when no database URL is given).
    #[arg(long, env = "KAERU_DATA_DIR")]
    pub(crate) data_dir: Option<PathBuf>,
    /// `postgres://…` to use PostgreSQL; unset for the embedded SQLite file.
    #[arg(long, env = "KAERU_DATABASE_URL", hide_env_values = true)]
    pub(crate) database_url: Option<String>,
}

/// E-mail: where links point and which SMTP server delivers the outbox.
#[derive(Args, Clone, Default)]
pub(crate) struct MailArgs {
    /// The address people reach Kaeru at, e.g. https://kaeru.example.jp. Every link in an e-mail (sign-in
    /// links, invitations) starts with it. Unset: the address Kaeru listens on (localhost when it listens on
    /// all interfaces), which only works on this machine. Never taken from a request's Host header.
    #[arg(long, env = "KAERU_PUBLIC_URL")]
    pub(crate) public_url: Option<String>,
    /// SMTP server host; without it messages wait in the outbox.
    #[arg(long, env = "KAERU_SMTP_HOST")]
    pub(crate) smtp_host: Option<String>,
    #[arg(long, env = "KAERU_SMTP_PORT")]
    pub(crate) smtp_port: Option<u16>,
    /// starttls (default), tls or none.
    #[arg(long, env = "KAERU_SMTP_TLS")]
    pub(crate) smtp_tls: Option<String>,
    #[arg(long, env = "KAERU_SMTP_USER")]
    pub(crate) smtp_user: Option<String>,
    #[arg(long, env = "KAERU_SMTP_PASSWORD", hide_env_values = true)]
    pub(crate) smtp_password: Option<String>,
    /// Sender, e.g. "さくら精機 <no-reply@sakura-seiki.example>".
    #[arg(long, env = "KAERU_MAIL_FROM")]
    pub(crate) mail_from: Option<String>,
    /// LINE Messaging API base (default https://api.line.me; tests point it at a fake LINE on loopback).
    #[arg(long, env = "KAERU_LINE_API_URL")]
    pub(crate) line_api_url: Option<String>,
    /// Where people confirm a LINE account link (default https://access.line.me).
    #[arg(long, env = "KAERU_LINE_ACCESS_URL")]
    pub(crate) line_access_url: Option<String>,
    /// The bearer token `/metrics` asks for (without one it answers only requests from this machine).
    #[arg(long, env = "KAERU_METRICS_TOKEN", hide_env_values = true)]
    pub(crate) metrics_token: Option<String>,
    /// The memory this node's search and matching indexes may hold together, in MB (default 1024; 0: no
    /// limit). Past it the least recently used companies' indexes are dropped and rebuilt when next asked.
    #[arg(long, env = "KAERU_INDEX_MEMORY_MB")]
    pub(crate) index_memory_mb: Option<u64>,
}

#[derive(Subcommand)]
pub(crate) enum Command {
    /// Run the web pages and the background worker.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "KAERU_LISTEN")]
        listen: Option<String>,
        #[command(flatten)]
        db: DbArgs,
        /// Seed the demo company into a fresh database first.
        #[arg(long)]
        demo: bool,
        /// Send cookies with `Secure` (Kaeru is served over HTTPS).
        #[arg(long, env = "KAERU_SECURE_COOKIES")]
        secure_cookies: Option<bool>,
        /// Trust X-Forwarded-For / X-Forwarded-Proto from a reverse proxy.
        #[arg(long, env = "KAERU_TRUST_PROXY")]
        trust_proxy: Option<bool>,
        #[command(flatten)]
        mail: MailArgs,
    },
    /// Bring the database schema up to date and exit.
    Migrate {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Copy the embedded SQLite database into a new file while Kaeru runs (one consistent snapshot,
    /// checked after). PostgreSQL: use pg_dump.
    Backup {
        #[command(flatten)]
        db: DbArgs,
        /// The new file (it must not exist).
        #[arg(long)]
        out: PathBuf,
    },
    /// Put a backup in place of the embedded SQLite database. Stop Kaeru first.
    Restore {
        #[command(flatten)]
        db: DbArgs,
        /// The backup file (checked before anything is changed).
        file: PathBuf,
        /// Replace an existing database (kept beside it as kaeru.db.before-restore-…).
        #[arg(long)]
        replace: bool,
    },
    /// Copy an install on the embedded SQLite file (the data folder) into an empty PostgreSQL database, every
    /// table counted equal before the copy is kept; then run Kaeru with KAERU_DATABASE_URL set to it.
    Move {
        #[command(flatten)]
        db: DbArgs,
        /// The PostgreSQL database to move into (migrated first; it must hold no company).
        #[arg(long)]
        to: String,
    },
    /// Seed the demo company (a fictional town factory) into an empty database.
    Demo {
        #[command(flatten)]
        db: DbArgs,
        /// Seed for the random generator, for reproducible data.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// Instead of the town factory, add a synthetic company of this many people (with skills, careers and
        /// offers) for benchmarks; it can be added to a database that already holds data.
        #[arg(long)]
        people: Option<usize>,
    },
    /// Import people from an HR system's export (CSV in UTF-8 or Shift_JIS, or XLSX).
    Import {
        #[command(subcommand)]
        what: ImportWhat,
    },
    /// Export people as CSV, XLSX or vCard.
    Export {
        #[command(subcommand)]
        what: ExportWhat,
    },
    /// API tokens of a company, for scripts and other systems.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Manage the companies hosted by this install.
    Company {
        #[command(subcommand)]
        command: CompanyCommand,
    },
}

#[derive(Subcommand)]
pub(crate) enum ImportWhat {
    /// Employees and leavers: one row per person, with their hire and leaving dates.
    People {
        /// The file (.csv or .xlsx; the format and encoding are read from its content).
        file: PathBuf,
        #[command(flatten)]
        db: DbArgs,
        /// The company's ID (needed when the install hosts several).
        #[arg(long)]
        company: Option<String>,
        /// Check the file and say what would happen; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Import the rows without problems even when other rows have some.
        #[arg(long)]
        only_valid: bool,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub(crate) enum ExportFormat {
    Csv,
    Xlsx,
    Vcard,
}

#[derive(Subcommand)]
pub(crate) enum ExportWhat {
    /// People with their latest stint and current employer.
    People {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        company: Option<String>,
        #[arg(long, value_enum)]
        format: ExportFormat,
        /// Where to write the file.
        #[arg(long)]
        out: PathBuf,
        /// CSV only: `utf8` (with BOM, for Excel) or `sjis` (Shift_JIS).
        #[arg(long, default_value = "utf8")]
        encoding: String,
        /// Only people of this status: employee, alumnus, returner, contractor.
        #[arg(long)]
        status: Option<String>,
    },
    /// Every employment stint as CSV (UTF-8), one row each with codes rather than labels, for analysis
    /// elsewhere: person_id, start_date, end_date, department, employment_type, leave_reason,
    /// rehire_eligibility. Exit notes and rehire reasons are left out.
    Stints {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        company: Option<String>,
        /// Where to write the file.
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub(crate) enum TokenScopeArg {
    Read,
    Write,
}

#[derive(Subcommand)]
pub(crate) enum TokenCommand {
    /// Make a token and print it once (it is stored only as a hash).
    Create {
        #[command(flatten)]
        db: DbArgs,
        /// The company's ID (needed when the install hosts several).
        #[arg(long)]
        company: Option<String>,
        /// `read` may only GET; `write` may also create and change.
        #[arg(long, value_enum)]
        scope: TokenScopeArg,
        /// What the token is for (shown in 設定 → APIトークン).
        #[arg(long, default_value = "kaeru token create")]
        name: String,
    },
    /// List the company's tokens (never their secrets).
    List {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        company: Option<String>,
    },
    /// Revoke a token by its id (from `kaeru token list`).
    Revoke {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        company: Option<String>,
        id: uuid::Uuid,
    },
}

#[derive(Subcommand)]
pub(crate) enum CompanyCommand {
    /// Add a company with its owner. The owner's password is read from KAERU_OWNER_PASSWORD.
    Add {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        name: String,
        #[arg(long)]
        slug: String,
        #[arg(long)]
        owner_email: String,
        #[arg(long)]
        owner_name: String,
        #[arg(long, env = "KAERU_OWNER_PASSWORD", hide_env_values = true)]
        owner_password: String,
        #[arg(long, default_value = "ja")]
        language: String,
    },
    /// List the companies.
    List {
        #[command(flatten)]
        db: DbArgs,
    },
}

pub(crate) fn init_logging(format: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("KAERU_LOG").unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new("info,sqlx=warn,sea_orm=warn,tower_http=info")
    });
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

pub(crate) fn config(
    file: &Option<PathBuf>,
    db: DbArgs,
    listen: Option<String>,
    secure: Option<bool>,
    proxy: Option<bool>,
    mail: MailArgs,
) -> anyhow::Result<Config> {
    let file = file.as_deref().map(FileConfig::read).transpose()?;
    Config::layered(
        file,
        Overrides {
            listen,
            data_dir: db.data_dir,
            database_url: db.database_url,
            secure_cookies: secure,
            trust_proxy: proxy,
            public_url: mail.public_url,
            line_api_url: mail.line_api_url,
            line_access_url: mail.line_access_url,
            metrics_token: mail.metrics_token,
            index_memory_mb: mail.index_memory_mb,
            smtp: kaeru::config::SmtpFile {
                host: mail.smtp_host,
                port: mail.smtp_port,
                tls: mail.smtp_tls,
                user: mail.smtp_user,
                password: mail.smtp_password,
                from: mail.mail_from,
            },
            session_hours: None,
        },
    )
}

pub(crate) fn today_in_tokyo() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(9)).date_naive()
}

/// Runs the command asked for.
pub(crate) async fn run(cli: Cli) -> anyhow::Result<()> {
    let config_file = &cli.config;
    match cli.command {
        Command::Serve {
            listen,
            db,
            demo,
            secure_cookies,
            trust_proxy,
            mail,
        } => {
            serve::run(
                config_file,
                listen,
                db,
                demo,
                secure_cookies,
                trust_proxy,
                mail,
            )
            .await
        }
        Command::Migrate { db } => setup::migrate(config_file, db).await,
        Command::Backup { db, out } => setup::backup(config_file, db, out).await,
        Command::Move { db, to } => setup::move_to(config_file, db, to).await,
        Command::Restore { db, file, replace } => {
            setup::restore(config_file, db, file, replace).await
        }
        Command::Demo { db, seed, people } => setup::demo(config_file, db, seed, people).await,
        Command::Import { what } => exchange::import(config_file, what).await,
        Command::Export { what } => exchange::export(config_file, what).await,
        Command::Token { command } => admin::token(config_file, command).await,
        Command::Company { command } => admin::company(config_file, command).await,
    }
}
