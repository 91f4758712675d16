//! What the HTTP tests share: the application started on port 0 with a fresh database, a browser that keeps
//! cookies, and form helpers.
#![allow(dead_code)]

use kaeru::Application;
use kaeru::config::Config;
use kaeru_store::DatabaseTarget;
use reqwest::StatusCode;
use reqwest::redirect::Policy;
use tokio_util::sync::CancellationToken;

pub struct TestApp {
    pub base: String,
    pub db: kaeru_store::Db,
    pub stop: CancellationToken,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

pub async fn spawn_app(target: DatabaseTarget) -> TestApp {
    spawn_app_with(target, |_| {}).await
}

/// Like [`spawn_app`], with the configuration changed first (e.g. LINE's API pointed at the fake one).
pub async fn spawn_app_with(target: DatabaseTarget, change: impl FnOnce(&mut Config)) -> TestApp {
    let (database_url, data_dir) = match &target {
        DatabaseTarget::Sqlite(path) => (None, path.parent().unwrap().to_path_buf()),
        DatabaseTarget::Postgres { .. } => (None, std::path::PathBuf::from(".")),
    };
    let mut config = Config {
        listen: "127.0.0.1:0".into(),
        data_dir,
        database_url,
        worker: false,
        ..Default::default()
    };
    change(&mut config);
    let app = match target {
        DatabaseTarget::Sqlite(_) => Application::build(config).await.expect("app"),
        pg @ DatabaseTarget::Postgres { .. } => Application::build_with_target(config, pg)
            .await
            .expect("app"),
    };
    let base = format!("http://{}", app.local_addr());
    let db = app.db().clone();
    let stop = CancellationToken::new();
    tokio::spawn(app.run_until(stop.clone()));
    TestApp { base, db, stop }
}

/// A browser: keeps cookies, does not follow redirects so tests can see them.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap()
}

pub fn csrf_of(html: &str) -> String {
    let start = html
        .find("name=\"_csrf\" value=\"")
        .expect("a form with a CSRF token")
        + 20;
    html[start..start + 64].to_string()
}

impl TestApp {
    pub async fn get(&self, c: &reqwest::Client, path: &str) -> (StatusCode, String) {
        let r = c.get(format!("{}{path}", self.base)).send().await.unwrap();
        (r.status(), r.text().await.unwrap())
    }

    /// Loads `form_page` for its CSRF token, then posts `fields` to `action`.
    pub async fn post(
        &self,
        c: &reqwest::Client,
        form_page: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let (_, html) = self.get(c, form_page).await;
        let token = csrf_of(&html);
        let mut all: Vec<(&str, &str)> = vec![("_csrf", token.as_str())];
        all.extend_from_slice(fields);
        c.post(format!("{}{action}", self.base))
            .form(&all)
            .send()
            .await
            .unwrap()
    }

    pub async fn setup(&self, c: &reqwest::Client, slug: &str, email: &str) {
        let r = self
            .post(
                c,
                "/setup",
                "/setup",
                &[
                    ("company_name", "さくら精機株式会社"),
                    ("slug", slug),
                    ("owner_name", "桜井 健一"),
                    ("email", email),
                    ("password", "correct horse battery"),
                ],
            )
            .await;
        assert_eq!(
            r.status(),
            StatusCode::SEE_OTHER,
            "setup redirects once done"
        );
    }

    pub async fn create_person(
        &self,
        c: &reqwest::Client,
        family: &str,
        kana: &str,
        email: &str,
    ) -> String {
        let r = self
            .post(
                c,
                "/people/new",
                "/people",
                &[
                    ("family_name", family),
                    ("given_name", "太郎"),
                    ("family_kana", kana),
                    ("given_kana", "たろう"),
                    ("emails", email),
                    // Tests add many 太郎s on purpose: past the possible-duplicate warning.
                    ("confirm_new", "yes"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        r.headers()["location"].to_str().unwrap().to_string()
    }
}

pub fn location(r: &reqwest::Response) -> &str {
    r.headers()
        .get("location")
        .map(|v| v.to_str().unwrap())
        .unwrap_or("")
}

/// A real SMTP server on loopback (aiosmtpd, started from `tools/smtp_sink.py`) that keeps every message
/// it accepts in a folder, read back with an independent parser (mailparse).
pub struct SmtpSink {
    pub port: u16,
    pub dir: std::path::PathBuf,
    child: std::process::Child,
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A message as the SMTP server received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub to: String,
    pub from: String,
    pub subject: String,
    pub body: String,
    pub message_id: String,
    pub list_unsubscribe: String,
    pub list_unsubscribe_post: String,
    /// The HTML part, when the message has one.
    pub html: String,
    /// An attached calendar file, when there is one.
    pub ics: String,
    /// An attached PDF, when there is one.
    pub pdf: Vec<u8>,
}

/// The Python packages the tests read our output with (independent parsers) and the SMTP test server.
/// `module` is what `import` names, `package` what PyPI calls it.
const TEST_PYTHON_PACKAGES: &[(&str, &str)] = &[
    ("aiosmtpd", "aiosmtpd"),
    ("openpyxl", "openpyxl"),
    ("vobject", "vobject"),
    ("icalendar", "icalendar"),
    ("pdfminer", "pdfminer.six"),
];

/// A Python that has every package of [`TEST_PYTHON_PACKAGES`]: the machine's own `python3` when it has
/// them all, else a virtual environment made once beside the tests (in the temp folder), with the packages
/// installed from PyPI. Nothing needs installing by hand; a test that cannot get them fails saying which.
pub fn test_python() -> std::path::PathBuf {
    use std::process::Command;
    static PYTHON: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    PYTHON
        .get_or_init(|| {
            let imports = TEST_PYTHON_PACKAGES
                .iter()
                .map(|(m, _)| *m)
                .collect::<Vec<_>>()
                .join(", ");
            let has = |py: &std::path::Path| {
                Command::new(py)
                    .args(["-c", &format!("import {imports}")])
                    .stderr(std::process::Stdio::null())
                    .status()
                    .is_ok_and(|s| s.success())
            };
            let system = std::path::PathBuf::from("python3");
            if has(&system) {
                return system;
            }
            let venv = std::env::temp_dir().join("kaeru-test-python");
            let py = venv.join("bin/python3");
            let lock = std::env::temp_dir().join("kaeru-test-python.lock");
            // One test process makes the environment; the others wait for it.
            for _ in 0..1200 {
                if has(&py) {
                    return py;
                }
                if std::fs::create_dir(&lock).is_ok() {
                    if !has(&py) {
                        let packages: Vec<&str> =
                            TEST_PYTHON_PACKAGES.iter().map(|(_, p)| *p).collect();
                        eprintln!(
                            "tests: python3 lacks some of {imports}; installing {} from PyPI into {}",
                            packages.join(" "),
                            venv.display()
                        );
                        let ok = (venv.join("bin/pip").exists()
                            || Command::new("python3")
                                .args(["-m", "venv"])
                                .arg(&venv)
                                .status()
                                .is_ok_and(|s| s.success()))
                            && Command::new(&py)
                                .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check"])
                                .args(&packages)
                                .status()
                                .is_ok_and(|s| s.success());
                        let _ = std::fs::remove_dir(&lock);
                        assert!(
                            ok && has(&py),
                            "the tests need the Python packages {} (pip install {}); installing them into {} failed",
                            imports,
                            packages.join(" "),
                            venv.display()
                        );
                    }
                    let _ = std::fs::remove_dir(&lock);
                    return py;
                }
                std::thread::sleep(std::time::Duration::from_millis(500));
            }
            panic!(
                "waited 10 minutes for another test process to set up {}; remove {} if none is running",
                venv.display(),
                lock.display()
            );
        })
        .clone()
}

/// The text of a PDF as an independent reader (pdfminer.six, from PyPI through [`test_python`]) extracts it.
pub fn pdf_text(pdf: &[u8]) -> String {
    let path = std::env::temp_dir().join(format!("kaeru-pdf-{}.pdf", uuid::Uuid::now_v7()));
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new(test_python())
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tools/pdf_text.py"
        ))
        .arg(&path)
        .output()
        .expect("run tools/pdf_text.py");
    let _ = std::fs::remove_file(&path);
    assert!(
        out.status.success(),
        "pdfminer could not read the PDF: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

impl SmtpSink {
    pub fn start() -> Self {
        use std::io::BufRead;
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tools/smtp_sink.py");
        let dir = std::env::temp_dir().join(format!("kaeru-smtp-{}", uuid::Uuid::now_v7()));
        let mut child = std::process::Command::new(test_python())
            .arg(script)
            .arg("0")
            .arg(&dir)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("start the SMTP test server");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .strip_prefix("ready ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("the SMTP test server said {line:?}"));
        Self { port, dir, child }
    }

    pub fn settings(&self) -> kaeru_worker::SmtpSettings {
        kaeru_worker::SmtpSettings {
            host: "127.0.0.1".into(),
            port: self.port,
            tls: kaeru_worker::TlsMode::None,
            user: None,
            password: None,
            from: "さくら精機 <no-reply@sakura.example>".into(),
        }
    }

    /// Every message received so far, oldest first.
    pub fn messages(&self) -> Vec<Received> {
        let mut files: Vec<_> = std::fs::read_dir(&self.dir)
            .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        files.retain(|p| p.extension().is_some_and(|e| e == "eml"));
        files.sort();
        files
            .iter()
            .map(|p| {
                let raw = std::fs::read(p).unwrap();
                let mail = mailparse::parse_mail(&raw).expect("a well-formed message");
                let h = |name: &str| {
                    mail.headers
                        .iter()
                        .find(|x| x.get_key_ref().eq_ignore_ascii_case(name))
                        .map(mailparse::MailHeader::get_value)
                        .unwrap_or_default()
                };
                let part = |mime: &str| {
                    mail.subparts
                        .iter()
                        .find(|p| p.ctype.mimetype == mime)
                        .and_then(|p| p.get_body().ok())
                };
                Received {
                    to: h("To"),
                    from: h("From"),
                    subject: h("Subject"),
                    body: part("text/plain").unwrap_or_else(|| mail.get_body().unwrap_or_default()),
                    message_id: h("Message-ID"),
                    list_unsubscribe: h("List-Unsubscribe"),
                    list_unsubscribe_post: h("List-Unsubscribe-Post"),
                    html: part("text/html").unwrap_or_default(),
                    ics: part("text/calendar").unwrap_or_default(),
                    pdf: mail
                        .subparts
                        .iter()
                        .find(|p| p.ctype.mimetype == "application/pdf")
                        .and_then(|p| p.get_body_raw().ok())
                        .unwrap_or_default(),
                }
            })
            .collect()
    }
}

/// The fake LINE Messaging API (`tools/fake_line.py`) on loopback.
pub struct FakeLine {
    pub base: String,
    pub token: String,
    pub secret: String,
    child: std::process::Child,
}

impl Drop for FakeLine {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl FakeLine {
    pub fn start() -> Self {
        use std::io::BufRead;
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tools/fake_line.py");
        let token = "test-access-token".to_string();
        let secret = "test-channel-secret".to_string();
        let mut child = std::process::Command::new(test_python())
            .arg(script)
            .arg("0")
            .arg(&token)
            .arg(&secret)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("start the fake LINE server");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port: u16 = line
            .trim()
            .strip_prefix("ready ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("the fake LINE server said {line:?}"));
        Self {
            base: format!("http://127.0.0.1:{port}"),
            token,
            secret,
            child,
        }
    }

    pub async fn state(&self) -> serde_json::Value {
        reqwest::get(format!("{}/_test/state", self.base))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    pub async fn control(&self, path: &str, body: serde_json::Value) -> serde_json::Value {
        reqwest::Client::new()
            .post(format!("{}/_test/{path}", self.base))
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// Sends Kaeru a webhook with these events, signed as LINE signs (or not); Kaeru's status.
    pub async fn webhook(&self, url: &str, events: serde_json::Value, sign: bool) -> u16 {
        let r = self
            .control(
                "webhook",
                serde_json::json!({"url": url, "events": events, "sign": sign}),
            )
            .await;
        r["status"].as_u64().unwrap() as u16
    }
}

/// Points a child `kaeru` at the test's database: the data directory of its SQLite file, or the PostgreSQL URL
/// with the test's schema as `search_path`; whatever the environment said is removed first.
pub fn point_at(cmd: &mut std::process::Command, target: &DatabaseTarget) {
    cmd.env_remove("KAERU_DATABASE_URL")
        .env_remove("KAERU_DATA_DIR");
    match target {
        DatabaseTarget::Sqlite(path) => {
            cmd.env("KAERU_DATA_DIR", path.parent().unwrap());
        }
        DatabaseTarget::Postgres { url, schema } => {
            let sep = if url.contains('?') { '&' } else { '?' };
            let options = schema
                .as_ref()
                .map(|s| format!("{sep}options=-c%20search_path%3D{s}"))
                .unwrap_or_default();
            cmd.env("KAERU_DATABASE_URL", format!("{url}{options}"));
        }
    }
}

/// One of many people written at once (`kaeru_store::bulk::insert_people`): 𠮷田 {n}号 (よしだ いちろう) with
/// `status` and nothing hanging off them; a test sets the offer or contracts it needs.
pub fn numbered_yoshida(
    n: impl std::fmt::Display,
    status: kaeru_domain::PersonStatus,
    today: chrono::NaiveDate,
) -> kaeru_store::bulk::BulkPerson {
    let input = kaeru_domain::person::PersonInput {
        family_name: "𠮷田".into(),
        given_name: format!("{n}号"),
        family_kana: "よしだ".into(),
        given_kana: "いちろう".into(),
        ..Default::default()
    };
    kaeru_store::bulk::BulkPerson {
        person: input.parse(today).unwrap(),
        status,
        outlook: Default::default(),
        stints: vec![],
        skills: vec![],
        careers: vec![],
        offer: None,
        engagements: vec![],
    }
}
