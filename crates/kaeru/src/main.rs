//! `kaeru`: the command line. Each command is a thin call into the library.

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use kaeru::config::{Config, FileConfig, Overrides};
use kaeru::{Application, demo, open_database};
use kaeru_domain::{CompanySettings, Slug};
use std::path::PathBuf;
use tokio_util::sync::CancellationToken;

#[derive(Parser)]
#[command(
    name = "kaeru",
    version,
    about = "Kaeru — keep every former employee in your talent network and bring people back"
)]
struct Cli {
    /// An optional TOML configuration file.
    #[arg(long, global = true, env = "KAERU_CONFIG")]
    config: Option<PathBuf>,
    /// Log format: `text` or `json`.
    #[arg(long, global = true, env = "KAERU_LOG_FORMAT", default_value = "text")]
    log_format: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone, Default)]
struct DbArgs {
    /// Folder for the embedded SQLite file `kaeru.db` (when no database URL is given).
    #[arg(long, env = "KAERU_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// `postgres://…` to use PostgreSQL; unset for the embedded SQLite file.
    #[arg(long, env = "KAERU_DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
}

/// E-mail: where links point and which SMTP server delivers the outbox.
#[derive(Args, Clone, Default)]
struct MailArgs {
    /// The address people reach Kaeru at, e.g. https://kaeru.example.jp. Every link in an e-mail (sign-in
    /// links, invitations) starts with it. Unset: the address Kaeru listens on (localhost when it listens on
    /// all interfaces), which only works on this machine. Never taken from a request's Host header.
    #[arg(long, env = "KAERU_PUBLIC_URL")]
    public_url: Option<String>,
    /// SMTP server host; without it messages wait in the outbox.
    #[arg(long, env = "KAERU_SMTP_HOST")]
    smtp_host: Option<String>,
    #[arg(long, env = "KAERU_SMTP_PORT")]
    smtp_port: Option<u16>,
    /// starttls (default), tls or none.
    #[arg(long, env = "KAERU_SMTP_TLS")]
    smtp_tls: Option<String>,
    #[arg(long, env = "KAERU_SMTP_USER")]
    smtp_user: Option<String>,
    #[arg(long, env = "KAERU_SMTP_PASSWORD", hide_env_values = true)]
    smtp_password: Option<String>,
    /// Sender, e.g. "さくら精機 <no-reply@sakura-seiki.example>".
    #[arg(long, env = "KAERU_MAIL_FROM")]
    mail_from: Option<String>,
}

#[derive(Subcommand)]
enum Command {
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
enum ImportWhat {
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
enum ExportFormat {
    Csv,
    Xlsx,
    Vcard,
}

#[derive(Subcommand)]
enum ExportWhat {
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
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum TokenScopeArg {
    Read,
    Write,
}

#[derive(Subcommand)]
enum TokenCommand {
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
enum CompanyCommand {
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

fn init_logging(format: &str) {
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

fn config(
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

fn today_in_tokyo() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(9)).date_naive()
}

async fn seed_demo(db: &kaeru_store::Db, seed: u64) -> anyhow::Result<bool> {
    if !kaeru_store::companies::none_exist(db).await? {
        println!("The database already holds data; the demo company was not seeded again.");
        return Ok(false);
    }
    let s = demo::seed(db, today_in_tokyo(), seed, true).await?;
    println!(
        "Demo company さくら精機株式会社 seeded: {} employees, {} alumni, {} returners.",
        s.employees, s.alumni, s.returners
    );
    Ok(true)
}

fn print_login() {
    println!(
        "  Owner login: {}  password: {}",
        demo::DEMO_OWNER_EMAIL,
        demo::DEMO_PASSWORD
    );
    println!(
        "  HR login:    {}  password: {}",
        demo::DEMO_HR_EMAIL,
        demo::DEMO_PASSWORD
    );
}

async fn shutdown_signal(stop: CancellationToken) {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
    stop.cancel();
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    init_logging(&cli.log_format);
    match cli.command {
        Command::Serve {
            listen,
            db,
            demo: with_demo,
            secure_cookies,
            trust_proxy,
            mail,
        } => {
            let config = config(&cli.config, db, listen, secure_cookies, trust_proxy, mail)?;
            tracing::info!(?config, "starting");
            let app = Application::build(config.clone()).await?;
            if with_demo {
                seed_demo(app.db(), 2026).await?;
                print_login();
            }
            let addr = app.local_addr();
            println!(
                "Kaeru is running at http://{addr}/  (database: {})",
                config.database_target()?
            );
            let (links, configured) = config.link_base(addr);
            if configured {
                println!("Links in e-mails start with {links}");
            } else {
                println!(
                    "Links in e-mails start with {links} (the listen address; set KAERU_PUBLIC_URL or --public-url to the address people reach Kaeru at)"
                );
            }
            tracing::info!(links = %links, configured, "address for links in e-mails");
            let stop = CancellationToken::new();
            tokio::spawn(shutdown_signal(stop.clone()));
            app.run_until(stop).await
        }
        Command::Migrate { db } => {
            let config = config(&cli.config, db, None, None, None, MailArgs::default())?;
            let target = config.database_target()?;
            open_database(&target).await?;
            println!("The database {target} is up to date.");
            Ok(())
        }
        Command::Demo { db, seed, people } => {
            let config = config(&cli.config, db, None, None, None, MailArgs::default())?;
            let target = config.database_target()?;
            let database = open_database(&target).await?;
            if let Some(n) = people {
                let started = std::time::Instant::now();
                let (slug, n) = demo::seed_synthetic(&database, today_in_tokyo(), n, true).await?;
                println!(
                    "Synthetic company {slug} seeded: {n} people in {:.1} s.\n  Owner login: owner@{slug}.example  password: {}",
                    started.elapsed().as_secs_f64(),
                    demo::DEMO_PASSWORD
                );
                return Ok(());
            }
            seed_demo(&database, seed).await?;
            print_login();
            println!(
                "Start it with: kaeru serve{}",
                if config.database_url.is_some() {
                    ""
                } else {
                    " (in the same folder)"
                }
            );
            Ok(())
        }
        Command::Import {
            what:
                ImportWhat::People {
                    file,
                    db,
                    company,
                    dry_run,
                    only_valid,
                },
        } => {
            let config = config(&cli.config, db, None, None, None, MailArgs::default())?;
            let database = open_database(&config.database_target()?).await?;
            let company = kaeru::exchange::company(&database, company.as_deref()).await?;
            let t = kaeru_app::Catalog::get(company.default_language);
            let size = std::fs::metadata(&file)
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?
                .len();
            if size > kaeru_exchange::MAX_FILE_BYTES as u64 {
                eprintln!("{}", t.t("error.import_too_large"));
                std::process::exit(2);
            }
            let bytes =
                std::fs::read(&file).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            let table = match kaeru::exchange::read_file(bytes).await {
                Ok(table) => table,
                Err(e) => {
                    eprintln!("{}", kaeru::exchange::file_problem(t, &e));
                    std::process::exit(2);
                }
            };
            let bar = indicatif::ProgressBar::new(0);
            bar.set_style(
                indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar.set_message("取り込み / import");
            let report = kaeru::exchange::import_people(
                &database,
                &company,
                &kaeru_store::Actor::system("kaeru import"),
                &table,
                kaeru::exchange::ImportOptions {
                    dry_run,
                    only_valid,
                    language: None,
                },
                today_in_tokyo(),
                |n, total| {
                    bar.set_length(total as u64);
                    bar.set_position(n as u64);
                },
            )
            .await?;
            bar.finish_and_clear();
            if let Some(f) = &report.fatal {
                eprintln!("{f}");
                std::process::exit(2);
            }
            for p in &report.problems {
                eprintln!("{p}");
            }
            let s = &report.summary;
            let counts = [
                ("rows", report.rows.to_string()),
                ("encoding", report.encoding.to_string()),
                ("created", s.created.to_string()),
                ("updated", s.updated.to_string()),
                ("unchanged", s.unchanged.to_string()),
                ("rejected", report.rejected.to_string()),
            ];
            let key = if report.written {
                "import.done"
            } else if report.problems.is_empty() || only_valid {
                "import.dry_run_done"
            } else {
                "import.not_written"
            };
            println!("{}", t.format(key, &counts));
            if !report.written && !dry_run {
                std::process::exit(1);
            }
            Ok(())
        }
        Command::Export {
            what:
                ExportWhat::People {
                    db,
                    company,
                    format,
                    out,
                    encoding,
                    status,
                },
        } => {
            let config = config(&cli.config, db, None, None, None, MailArgs::default())?;
            let database = open_database(&config.database_target()?).await?;
            let company = kaeru::exchange::company(&database, company.as_deref()).await?;
            let status = match status.as_deref() {
                None => None,
                Some(s) => Some(kaeru_domain::PersonStatus::parse(s).ok_or_else(|| {
                    anyhow::anyhow!("--status is one of employee, alumnus, returner, contractor")
                })?),
            };
            let t = kaeru_app::Catalog::get(company.default_language);
            let scope = kaeru_store::Scope::for_company(company.id);
            let filter = kaeru_store::people::PeopleFilter {
                status,
                ..Default::default()
            };
            let (sheet, cards) =
                kaeru::exchange::people_sheet(&database, &scope, t, &filter).await?;
            let bytes = match format {
                ExportFormat::Csv if encoding == "sjis" => {
                    kaeru_exchange::export::csv_shift_jis(&sheet)?
                }
                ExportFormat::Csv => kaeru_exchange::export::csv_utf8(&sheet),
                ExportFormat::Xlsx => kaeru_exchange::export::xlsx(&sheet, "people")?,
                ExportFormat::Vcard => kaeru_exchange::export::vcards(&cards).into_bytes(),
            };
            std::fs::write(&out, &bytes).map_err(|e| anyhow::anyhow!("{}: {e}", out.display()))?;
            println!("{} people → {}", sheet.rows.len(), out.display());
            Ok(())
        }
        Command::Token { command } => {
            let (db, company) = match &command {
                TokenCommand::Create { db, company, .. }
                | TokenCommand::List { db, company }
                | TokenCommand::Revoke { db, company, .. } => (db.clone(), company.clone()),
            };
            let config = config(&cli.config, db, None, None, None, MailArgs::default())?;
            let database = open_database(&config.database_target()?).await?;
            let company = kaeru::exchange::company(&database, company.as_deref()).await?;
            let scope = kaeru_store::Scope::for_company(company.id);
            let actor = kaeru_store::Actor::system("kaeru token");
            match command {
                TokenCommand::Create { scope: s, name, .. } => {
                    let draft = kaeru_domain::TokenInput {
                        name,
                        scope: match s {
                            TokenScopeArg::Read => "read".into(),
                            TokenScopeArg::Write => "write".into(),
                        },
                    }
                    .parse()
                    .map_err(|e| {
                        let t = kaeru_app::Catalog::get(company.default_language);
                        anyhow::anyhow!(
                            "{}",
                            e.0.iter()
                                .map(|(f, i)| format!("--{f}: {}", t.t(i.key)))
                                .collect::<Vec<_>>()
                                .join("; ")
                        )
                    })?;
                    let (token, secret) =
                        kaeru_store::api_tokens::create(&database, &scope, &actor, &draft).await?;
                    eprintln!(
                        "{} ({}, {}): shown only now, keep it safe",
                        token.name,
                        token.scope.code(),
                        token.id
                    );
                    println!("{secret}");
                }
                TokenCommand::List { .. } => {
                    for t in kaeru_store::api_tokens::list(&database, &scope).await? {
                        println!(
                            "{}\t{}\t{}\tkaeru_…{}\t{}\t{}",
                            t.id,
                            t.scope.code(),
                            t.name,
                            t.hint,
                            t.created_at.format("%Y-%m-%d %H:%M"),
                            t.revoked_at
                                .map(|r| format!("revoked {}", r.format("%Y-%m-%d %H:%M")))
                                .unwrap_or_else(|| "active".into())
                        );
                    }
                }
                TokenCommand::Revoke { id, .. } => {
                    let t = kaeru_store::api_tokens::revoke(&database, &scope, &actor, id)
                        .await
                        .map_err(|e| match e {
                            kaeru_store::StoreError::NotFound => {
                                anyhow::anyhow!("no token {id} in {}", company.slug)
                            }
                            other => other.into(),
                        })?;
                    println!("revoked {} ({})", t.name, t.id);
                }
            }
            Ok(())
        }
        Command::Company { command } => match command {
            CompanyCommand::Add {
                db,
                name,
                slug,
                owner_email,
                owner_name,
                owner_password,
                language,
            } => {
                let config = config(&cli.config, db, None, None, None, MailArgs::default())?;
                let database = open_database(&config.database_target()?).await?;
                let slug = Slug::parse(&slug).map_err(|_| {
                    anyhow::anyhow!(
                        "the company ID must be 2–40 lower-case letters, digits or hyphens"
                    )
                })?;
                let settings = CompanySettings::parse(&name, "Asia/Tokyo", &language, |_| true)
                    .map_err(|e| {
                        anyhow::anyhow!(
                            "invalid company settings: {:?}",
                            e.0.keys().collect::<Vec<_>>()
                        )
                    })?;
                let email = kaeru_domain::validation::email(&owner_email)
                    .map_err(|_| anyhow::anyhow!("the owner's email address is not valid"))?;
                let password =
                    kaeru_domain::staff::parse_new_password(&owner_password).map_err(|_| {
                        anyhow::anyhow!("the owner's password needs at least 10 characters")
                    })?;
                let owner = kaeru_store::companies::NewOwner {
                    email,
                    display_name: owner_name,
                    password_hash: kaeru_app::passwords::hash_password(password).await?,
                };
                let (company, _) =
                    kaeru_store::companies::create_with_owner(&database, &slug, &settings, owner)
                        .await
                        .context("the company could not be created (is the company ID taken?)")?;
                println!("Company {} ({}) created.", company.name, company.slug);
                Ok(())
            }
            CompanyCommand::List { db } => {
                let config = config(&cli.config, db, None, None, None, MailArgs::default())?;
                let database = open_database(&config.database_target()?).await?;
                for c in kaeru_store::companies::all(&database).await? {
                    println!("{}\t{}\t{}", c.slug, c.name, c.time_zone);
                }
                Ok(())
            }
        },
    }
}
