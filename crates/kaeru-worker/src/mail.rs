//! Delivering the outbox over SMTP with lettre: claim due messages, check consent again, send, and record
//! the outcome (sent, retried later with back-off, failed for good, or refused).

use kaeru_store::{Db, outbox};
use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::AsyncSmtpConnection;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::fmt;

/// How the SMTP connection is secured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TlsMode {
    /// Plain SMTP (a relay on the same host or loopback).
    None,
    /// STARTTLS, required.
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
}

impl TlsMode {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "none" | "plain" | "off" => Some(Self::None),
            "starttls" => Some(Self::StartTls),
            "tls" | "smtps" | "implicit" => Some(Self::Tls),
            _ => None,
        }
    }
}

/// SMTP settings of the install. The password never appears in `Debug` output or logs.
#[derive(Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
    pub user: Option<String>,
    pub password: Option<String>,
    /// The sender, e.g. `Kaeru <no-reply@example.jp>`.
    pub from: String,
}

impl fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("from", &self.from)
            .finish()
    }
}

/// An SMTP connection pool and the sender address.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    settings: SmtpSettings,
}

impl Mailer {
    pub fn new(s: &SmtpSettings) -> anyhow::Result<Self> {
        let from: Mailbox = s
            .from
            .parse()
            .map_err(|e| anyhow::anyhow!("the sender address {:?} is not valid: {e}", s.from))?;
        let mut b = match s.tls {
            TlsMode::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&s.host),
            TlsMode::StartTls => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&s.host)
                .tls(Tls::Required(TlsParameters::new(s.host.clone())?)),
            TlsMode::Tls => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&s.host)
                .tls(Tls::Wrapper(TlsParameters::new(s.host.clone())?)),
        }
        .port(s.port)
        .timeout(Some(std::time::Duration::from_secs(20)));
        if let (Some(u), Some(p)) = (&s.user, &s.password) {
            b = b.credentials(Credentials::new(u.clone(), p.clone()));
        }
        Ok(Self {
            transport: b.build(),
            from,
            settings: s.clone(),
        })
    }

    async fn send(&self, m: &outbox::Message) -> anyhow::Result<()> {
        let to: Mailbox =
            m.to.parse()
                .map_err(|e| anyhow::anyhow!("the address {:?} is not valid: {e}", m.to))?;
        let builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(m.subject.clone())
            .message_id(Some(format!("<{}@kaeru.outbox>", m.id)));
        let email = match &m.attachment {
            None => builder
                .header(ContentType::TEXT_PLAIN)
                .body(m.body.clone())?,
            Some(a) => {
                use lettre::message::{Attachment, MultiPart, SinglePart};
                let kind = ContentType::parse(&a.content_type).map_err(|e| {
                    anyhow::anyhow!("bad attachment type {:?}: {e}", a.content_type)
                })?;
                builder.multipart(
                    MultiPart::mixed()
                        .singlepart(
                            SinglePart::builder()
                                .header(ContentType::TEXT_PLAIN)
                                .body(m.body.clone()),
                        )
                        .singlepart(
                            Attachment::new(a.name.clone()).body(attachment_bytes(a)?, kind),
                        ),
                )?
            }
        };
        self.transport.send(email).await?;
        Ok(())
    }
}

/// A header of our own (lettre knows only the common ones).
macro_rules! raw_header {
    ($name:ident, $text:literal) => {
        #[derive(Clone)]
        struct $name(String);

        impl lettre::message::header::Header for $name {
            fn name() -> lettre::message::header::HeaderName {
                lettre::message::header::HeaderName::new_from_ascii_str($text)
            }

            fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
                Ok(Self(s.to_string()))
            }

            fn display(&self) -> lettre::message::header::HeaderValue {
                lettre::message::header::HeaderValue::new(Self::name(), self.0.clone())
            }
        }
    };
}

raw_header!(ListUnsubscribe, "List-Unsubscribe");
raw_header!(ListUnsubscribePost, "List-Unsubscribe-Post");

/// Why a bulk message was not sent.
#[derive(Debug)]
pub enum SendError {
    /// The receiving server refused for good (5xx): the address bounces.
    Permanent(String),
    /// Worth trying again later.
    Transient(String),
}

/// What became of one message sent with [`Mailer::send_committed`].
#[derive(Debug)]
pub enum Committed {
    /// Marked sent, then accepted by the server.
    Delivered,
    /// The mark found the delivery no longer this node's (another took it over): nothing was sent.
    Skipped,
    /// Refused before anything was marked: nothing was delivered.
    Refused(SendError),
    /// Marked sent, then the server refused the finished message: the caller puts the mark back.
    RefusedAfterCommit(SendError),
}

fn classify(e: &lettre::transport::smtp::Error) -> SendError {
    if e.is_permanent() {
        SendError::Permanent(e.to_string())
    } else {
        SendError::Transient(e.to_string())
    }
}

impl Mailer {
    /// An announcement as an e-mail: HTML and plain text, RFC 8058 one-click unsubscribe, and a Message-ID
    /// fixed per delivery.
    pub fn letter(
        &self,
        to: &str,
        letter: &kaeru_messaging::Letter,
        unsubscribe_url: &str,
        message_id: uuid::Uuid,
    ) -> Result<Message, SendError> {
        use lettre::message::{MultiPart, SinglePart};
        let to: Mailbox = to
            .parse()
            .map_err(|e| SendError::Permanent(format!("the address {to:?} is not valid: {e}")))?;
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(letter.subject.clone())
            .message_id(Some(format!("<{message_id}@kaeru.announcement>")))
            .header(ListUnsubscribe(format!("<{unsubscribe_url}>")))
            .header(ListUnsubscribePost("List-Unsubscribe=One-Click".into()))
            .multipart(
                MultiPart::alternative()
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_PLAIN)
                            .body(letter.text.clone()),
                    )
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_HTML)
                            .body(letter.html.clone()),
                    ),
            )
            .map_err(|e| SendError::Permanent(e.to_string()))
    }

    /// A connection of its own for bulk sending (TLS and sign-in as configured).
    pub async fn connect(&self) -> Result<AsyncSmtpConnection, SendError> {
        use lettre::transport::smtp::authentication::Mechanism;
        use lettre::transport::smtp::extension::ClientId;
        let s = &self.settings;
        let hello = ClientId::default();
        let tls = |host: &str| {
            TlsParameters::new(host.to_string()).map_err(|e| SendError::Transient(e.to_string()))
        };
        let timeout = Some(std::time::Duration::from_secs(20));
        let mut conn = match s.tls {
            TlsMode::Tls => AsyncSmtpConnection::connect_tokio1(
                (s.host.as_str(), s.port),
                timeout,
                &hello,
                Some(tls(&s.host)?),
                None,
            )
            .await
            .map_err(|e| classify(&e))?,
            TlsMode::None | TlsMode::StartTls => {
                // A socket of our own, so that the message and its final dot (two writes) are not held
                // back by Nagle's algorithm waiting on the server's delayed ACK (40 ms a message).
                let tcp = tokio::time::timeout(
                    std::time::Duration::from_secs(20),
                    tokio::net::TcpStream::connect((s.host.as_str(), s.port)),
                )
                .await
                .map_err(|_| SendError::Transient(format!("{}:{} did not answer", s.host, s.port)))?
                .map_err(|e| SendError::Transient(e.to_string()))?;
                tcp.set_nodelay(true)
                    .map_err(|e| SendError::Transient(e.to_string()))?;
                let mut c = AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &hello)
                    .await
                    .map_err(|e| classify(&e))?;
                if s.tls == TlsMode::StartTls {
                    c.starttls(tls(&s.host)?, &hello)
                        .await
                        .map_err(|e| classify(&e))?;
                }
                c
            }
        };
        if let (Some(u), Some(p)) = (&s.user, &s.password) {
            conn.auth(
                &[Mechanism::Plain, Mechanism::Login],
                &Credentials::new(u.clone(), p.clone()),
            )
            .await
            .map_err(|e| classify(&e))?;
        }
        Ok(conn)
    }

    /// Sends one message on this slot's own connection so that a node killed at any moment neither loses
    /// nor repeats it, as far as SMTP allows. Envelope and `DATA` go first (a refusal there is a plain
    /// failure); then `commit` marks the delivery sent; then the message and its final dot. A node killed
    /// before the commit leaves the delivery queued and the server only a half message, which it drops; a
    /// node killed after it has marked the delivery sent and, microseconds later, handed over the whole
    /// message, which servers deliver even when the client is gone before their 250 (Postfix's "lost
    /// connection after END-OF-MESSAGE"). Marking only after the 250 would instead repeat every message
    /// still waiting for its 250 when the node died. A server that refuses the finished message returns
    /// [`Committed::RefusedAfterCommit`] for the caller to undo the mark.
    pub async fn send_committed<F, Fut>(
        &self,
        conn: &mut Option<AsyncSmtpConnection>,
        envelope: &lettre::address::Envelope,
        bytes: &[u8],
        commit: F,
    ) -> Committed
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = anyhow::Result<bool>>,
    {
        use lettre::transport::smtp::commands::{Data, Mail, Rcpt, Rset};
        use lettre::transport::smtp::extension::{Extension, MailBodyParameter, MailParameter};
        if conn.as_ref().is_none_or(AsyncSmtpConnection::has_broken) {
            match self.connect().await {
                Ok(c) => *conn = Some(c),
                Err(e) => return Committed::Refused(e),
            }
        }
        let Some(c) = conn.as_mut() else {
            return Committed::Refused(SendError::Transient("no connection".into()));
        };
        let mut options = Vec::new();
        if !bytes.is_ascii() && c.server_info().supports_feature(Extension::EightBitMime) {
            options.push(MailParameter::Body(MailBodyParameter::EightBitMime));
        }
        let before = async {
            c.command(Mail::new(envelope.from().cloned(), options))
                .await?;
            for to in envelope.to() {
                c.command(Rcpt::new(to.clone(), vec![])).await?;
            }
            Ok::<_, lettre::transport::smtp::Error>(())
        };
        if let Err(e) = before.await {
            // A refused recipient leaves the connection usable once reset.
            let failed = classify(&e);
            if c.command(Rset).await.is_err() {
                *conn = None;
            }
            return Committed::Refused(failed);
        }
        if let Err(e) = c.command(Data).await {
            *conn = None;
            return Committed::Refused(classify(&e));
        }
        match commit().await {
            Ok(true) => {}
            Ok(false) => {
                // Not ours any more: leave without the final dot, so the server drops it.
                *conn = None;
                return Committed::Skipped;
            }
            Err(e) => {
                *conn = None;
                return Committed::Refused(SendError::Transient(e.to_string()));
            }
        }
        match c.message(bytes).await {
            Ok(_) => Committed::Delivered,
            Err(e) => {
                *conn = None;
                Committed::RefusedAfterCommit(classify(&e))
            }
        }
    }
}

/// What one delivery pass did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Delivered {
    pub sent: usize,
    pub retried: usize,
    pub refused: usize,
}

/// What sends the messages of one channel of the outbox.
enum Via<'a> {
    Email(&'a Mailer),
    /// LINE's API (the company's token is read per message).
    Line(&'a kaeru_app::announcements::Delivery),
}

impl Via<'_> {
    fn channel(&self) -> kaeru_domain::announcement::DeliveryChannel {
        match self {
            Self::Email(_) => kaeru_domain::announcement::DeliveryChannel::Email,
            Self::Line(_) => kaeru_domain::announcement::DeliveryChannel::Line,
        }
    }

    async fn send(&self, db: &Db, m: &outbox::Message) -> anyhow::Result<()> {
        match self {
            Self::Email(mailer) => mailer.send(m).await,
            Self::Line(delivery) => {
                let settings = kaeru_store::messaging::settings_of_company(
                    db,
                    kaeru_domain::CompanyId(m.company_id),
                )
                .await?;
                let Some(line) = settings.line else {
                    anyhow::bail!("LINE is not set up for the company");
                };
                kaeru_messaging::LineClient::new(&delivery.line_api, &line.token)
                    .push(&m.to, &m.body, m.id)
                    .await?;
                Ok(())
            }
        }
    }
}

/// Claims every due message of one channel, a batch at a time: consent checked again, then sent; the
/// outcome recorded (sent, or retried later with back-off until it gives up).
async fn drain(db: &Db, via: Via<'_>, node: &str) -> anyhow::Result<Delivered> {
    let channel = via.channel();
    let mut done = Delivered::default();
    loop {
        let batch = outbox::claim(db, channel, node, chrono::Duration::minutes(5), 20).await?;
        if batch.is_empty() {
            return Ok(done);
        }
        for m in batch {
            if !outbox::still_allowed(db, &m).await? {
                outbox::mark_refused(db, &m, node).await?;
                tracing::info!(message = %m.id, purpose = ?m.purpose, channel = channel.code(), "message refused: consent no longer stands");
                done.refused += 1;
                continue;
            }
            match via.send(db, &m).await {
                Ok(()) => {
                    outbox::mark_sent(db, &m, node).await?;
                    tracing::info!(message = %m.id, kind = m.kind, channel = channel.code(), "message sent");
                    done.sent += 1;
                }
                Err(e) => {
                    tracing::warn!(message = %m.id, attempt = m.attempts + 1, channel = channel.code(), error = %e, "sending failed");
                    outbox::mark_failed(db, &m, node, &e.to_string()).await?;
                    done.retried += 1;
                }
            }
        }
    }
}

/// Claims and delivers every due e-mail of the outbox, a batch at a time.
pub async fn deliver_outbox(db: &Db, mailer: &Mailer, node: &str) -> anyhow::Result<Delivered> {
    drain(db, Via::Email(mailer), node).await
}

/// Claims and sends every due LINE message of the outbox (a job alert): one push per message with the
/// message's id as LINE's retry key, so a retry after a lost answer is not sent twice. A company without
/// LINE set up keeps its messages failing until it is set up or they give up.
pub async fn deliver_line_outbox(
    db: &Db,
    delivery: &kaeru_app::announcements::Delivery,
    node: &str,
) -> anyhow::Result<Delivered> {
    drain(db, Via::Line(delivery), node).await
}

/// An attachment's bytes: text as it is stored (a calendar file), anything else stored as base64 (a PDF).
fn attachment_bytes(a: &kaeru_store::outbox::Attachment) -> anyhow::Result<Vec<u8>> {
    use base64::Engine;
    if a.content_type.starts_with("text/") {
        Ok(a.content.clone().into_bytes())
    } else {
        base64::engine::general_purpose::STANDARD
            .decode(a.content.trim())
            .map_err(|e| anyhow::anyhow!("attachment {} is not base64: {e}", a.name))
    }
}
