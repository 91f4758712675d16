//! The company's messaging settings (LINE channel, a forced channel, the sending rate, the sender's
//! particulars for the 特定電子メール法 footer, the key that signs links), LINE account links and the
//! one-time codes that make them, e-mail addresses that bounced, and the staff who want the weekly digest.

use crate::audit::{self, Change};
use crate::entity::{
    email_bounce as bounce_row, line_link as link_row, line_link_code as code_row,
    messaging_setting as row, staff_digest as digest_row,
};
use crate::{Actor, Db, Scope, StoreError, StoreResult, now};
use kaeru_domain::{ChannelPolicy, CompanyId, PersonId, StaffUserId};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, TransactionTrait,
};
use sha2::{Digest, Sha256};
use std::fmt;
use uuid::Uuid;

/// The default sending rate: a relay of a small company's mail provider takes this without complaint.
pub const DEFAULT_EMAILS_PER_MINUTE: i32 = 600;

/// A LINE channel's credentials. The secret and the token never appear in `Debug` output or pages.
#[derive(Clone, PartialEq, Eq)]
pub struct LineChannel {
    pub channel_id: String,
    pub secret: String,
    pub token: String,
}

impl fmt::Debug for LineChannel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LineChannel")
            .field("channel_id", &self.channel_id)
            .field("secret", &"***")
            .field("token", &"***")
            .finish()
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    pub force_channel: ChannelPolicy,
    pub emails_per_minute: i32,
    pub sender_address: String,
    pub sender_contact: String,
    pub line: Option<LineChannel>,
    /// Signs the links in messages (hex).
    pub link_key: String,
}

fn key() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

fn settings_of(r: row::Model) -> Settings {
    let line = match (
        r.line_channel_id,
        r.line_channel_secret,
        r.line_access_token,
    ) {
        (Some(channel_id), Some(secret), Some(token)) => Some(LineChannel {
            channel_id,
            secret,
            token,
        }),
        _ => None,
    };
    Settings {
        force_channel: ChannelPolicy::parse(&r.force_channel).unwrap_or(ChannelPolicy::Auto),
        emails_per_minute: r.emails_per_minute,
        sender_address: r.sender_address,
        sender_contact: r.sender_contact,
        line,
        link_key: r.link_key,
    }
}

/// The company's settings, made with defaults (and a fresh link key) the first time they are read.
pub async fn settings(db: &Db, scope: &Scope) -> StoreResult<Settings> {
    settings_of_company(db, scope.company_id()).await
}

/// The settings of a company named by a webhook's URL or a link's delivery.
pub async fn settings_of_company(db: &Db, company: CompanyId) -> StoreResult<Settings> {
    if let Some(r) = row::Entity::find_by_id(company.0).one(&db.read).await? {
        return Ok(settings_of(r));
    }
    row::Entity::insert(row::ActiveModel {
        company_id: Set(company.0),
        force_channel: Set(ChannelPolicy::Auto.code().into()),
        emails_per_minute: Set(DEFAULT_EMAILS_PER_MINUTE),
        sender_address: Set(String::new()),
        sender_contact: Set(String::new()),
        line_channel_id: Set(None),
        line_channel_secret: Set(None),
        line_access_token: Set(None),
        link_key: Set(key()),
        updated_at: Set(now()),
    })
    .on_conflict_do_nothing_on([row::Column::CompanyId])
    .exec_without_returning(&db.write)
    .await?;
    row::Entity::find_by_id(company.0)
        .one(&db.write)
        .await?
        .map(settings_of)
        .ok_or(StoreError::NotFound)
}

/// What HR sets on the messaging page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SettingsUpdate {
    pub force_channel: ChannelPolicy,
    pub emails_per_minute: i32,
    pub sender_address: String,
    pub sender_contact: String,
}

pub async fn save(db: &Db, scope: &Scope, actor: &Actor, u: &SettingsUpdate) -> StoreResult<()> {
    settings(db, scope).await?;
    let tx = db.write.begin().await?;
    let current = row::Entity::find_by_id(scope.company_id().0)
        .one(&tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    let mut am: row::ActiveModel = current.into();
    am.force_channel = Set(u.force_channel.code().into());
    am.emails_per_minute = Set(u.emails_per_minute);
    am.sender_address = Set(u.sender_address.clone());
    am.sender_contact = Set(u.sender_contact.clone());
    am.updated_at = Set(now());
    am.update(&tx).await?;
    audit::record(
        &tx,
        scope,
        Change {
            action: "messaging.settings",
            entity: "company",
            entity_id: scope.company_id().0,
            person_id: None,
            changes: serde_json::json!({
                "force_channel": u.force_channel.code(),
                "emails_per_minute": u.emails_per_minute,
            }),
            actor,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Sets the LINE channel; an empty secret or token keeps the stored one. `None` removes the channel.
pub async fn save_line(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    channel: Option<(String, Option<String>, Option<String>)>,
) -> StoreResult<()> {
    settings(db, scope).await?;
    let tx = db.write.begin().await?;
    let current = row::Entity::find_by_id(scope.company_id().0)
        .one(&tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    let mut am: row::ActiveModel = current.clone().into();
    let action = match channel {
        Some((id, secret, token)) => {
            am.line_channel_id = Set(Some(id));
            if let Some(s) = secret {
                am.line_channel_secret = Set(Some(s));
            }
            if let Some(t) = token {
                am.line_access_token = Set(Some(t));
            }
            "messaging.line_set"
        }
        None => {
            am.line_channel_id = Set(None);
            am.line_channel_secret = Set(None);
            am.line_access_token = Set(None);
            "messaging.line_removed"
        }
    };
    am.updated_at = Set(now());
    am.update(&tx).await?;
    audit::record(
        &tx,
        scope,
        Change {
            action,
            entity: "company",
            entity_id: scope.company_id().0,
            person_id: None,
            // Never the secret or the token.
            changes: serde_json::json!({}),
            actor,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A person's LINE link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineLink {
    pub person: PersonId,
    pub user_id: String,
    /// False after the person blocked the account (unfollow): nothing is sent until they follow again.
    pub following: bool,
    pub linked_at: chrono::DateTime<chrono::Utc>,
}

fn link_of(r: link_row::Model) -> LineLink {
    LineLink {
        person: PersonId(r.person_id),
        user_id: r.line_user_id,
        following: r.following,
        linked_at: r.linked_at,
    }
}

pub async fn line_link(db: &Db, scope: &Scope, person: PersonId) -> StoreResult<Option<LineLink>> {
    Ok(link_row::Entity::find()
        .filter(link_row::Column::CompanyId.eq(scope.company_id().0))
        .filter(link_row::Column::PersonId.eq(person.0))
        .one(&db.read)
        .await?
        .map(link_of))
}

/// Every link of the company that can be sent to (the person follows the account).
pub async fn following_links(
    conn: &impl ConnectionTrait,
    scope: &Scope,
) -> StoreResult<std::collections::HashMap<PersonId, String>> {
    Ok(link_row::Entity::find()
        .filter(link_row::Column::CompanyId.eq(scope.company_id().0))
        .filter(link_row::Column::Following.eq(true))
        .all(conn)
        .await?
        .into_iter()
        .map(|r| (PersonId(r.person_id), r.line_user_id))
        .collect())
}

fn hash(code: &str) -> String {
    hex::encode(Sha256::digest(code.trim().as_bytes()))
}

/// A one-time code (`code`: six digits the person sends to the account) or an account-link nonce
/// (`nonce`), valid for `minutes`. Earlier unused ones of the person and kind are dropped.
pub async fn new_link_code(
    db: &Db,
    scope: &Scope,
    person: PersonId,
    kind: &str,
    minutes: i64,
) -> StoreResult<String> {
    use rand::Rng;
    let code = if kind == "code" {
        format!("{:06}", rand::rngs::OsRng.gen_range(0..1_000_000u32))
    } else {
        key()
    };
    let tx = db.write.begin().await?;
    crate::people::live(&tx, scope, person).await?;
    code_row::Entity::delete_many()
        .filter(code_row::Column::CompanyId.eq(scope.company_id().0))
        .filter(code_row::Column::PersonId.eq(person.0))
        .filter(code_row::Column::Kind.eq(kind))
        .exec(&tx)
        .await?;
    // Six digits can repeat across people; a clash with a live code of someone else is simply retried.
    let mut attempt = code;
    for _ in 0..5 {
        let inserted = code_row::Entity::insert(code_row::ActiveModel {
            id: Set(Uuid::now_v7()),
            company_id: Set(scope.company_id().0),
            person_id: Set(person.0),
            kind: Set(kind.into()),
            code_hash: Set(hash(&attempt)),
            expires_at: Set(now() + chrono::Duration::minutes(minutes)),
            used_at: Set(None),
            created_at: Set(now()),
        })
        .on_conflict_do_nothing_on([code_row::Column::CompanyId, code_row::Column::CodeHash])
        .exec_without_returning(&tx)
        .await?;
        if matches!(inserted, sea_orm::TryInsertResult::Inserted(n) if n > 0) {
            tx.commit().await?;
            return Ok(attempt);
        }
        // An old used or expired code with the same digits: clear it and try new digits.
        code_row::Entity::delete_many()
            .filter(code_row::Column::CompanyId.eq(scope.company_id().0))
            .filter(code_row::Column::CodeHash.eq(hash(&attempt)))
            .filter(code_row::Column::ExpiresAt.lt(now()))
            .exec(&tx)
            .await?;
        attempt = format!("{:06}", rand::rngs::OsRng.gen_range(0..1_000_000u32));
    }
    Err(StoreError::Conflict(crate::Clash::StatusChanged))
}

/// Why a code did not link.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkOutcome {
    Linked(PersonId),
    /// No such code, or it was used or has expired.
    Unknown,
}

/// Links the LINE user to the person whose live code (or nonce) this is. A user linked to someone else
/// before is moved; the person's earlier link is replaced.
pub async fn use_link_code(
    db: &Db,
    scope: &Scope,
    kind: &str,
    code: &str,
    line_user: &str,
) -> StoreResult<LinkOutcome> {
    let c = scope.company_id().0;
    let tx = db.write.begin().await?;
    let Some(found) = code_row::Entity::find()
        .filter(code_row::Column::CompanyId.eq(c))
        .filter(code_row::Column::Kind.eq(kind))
        .filter(code_row::Column::CodeHash.eq(hash(code)))
        .filter(code_row::Column::UsedAt.is_null())
        .filter(code_row::Column::ExpiresAt.gt(now()))
        .one(&tx)
        .await?
    else {
        return Ok(LinkOutcome::Unknown);
    };
    let person = PersonId(found.person_id);
    let mut am: code_row::ActiveModel = found.into();
    am.used_at = Set(Some(now()));
    am.update(&tx).await?;
    link_in(&tx, scope, person, line_user).await?;
    audit::record(
        &tx,
        scope,
        Change {
            action: "line.linked",
            entity: "person",
            entity_id: person.0,
            person_id: Some(person),
            changes: serde_json::json!({"by": kind}),
            actor: &Actor::system("LINE"),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(LinkOutcome::Linked(person))
}

async fn link_in(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    person: PersonId,
    line_user: &str,
) -> StoreResult<()> {
    let c = scope.company_id().0;
    link_row::Entity::delete_many()
        .filter(link_row::Column::CompanyId.eq(c))
        .filter(
            sea_orm::Condition::any()
                .add(link_row::Column::PersonId.eq(person.0))
                .add(link_row::Column::LineUserId.eq(line_user)),
        )
        .exec(conn)
        .await?;
    link_row::ActiveModel {
        id: Set(Uuid::now_v7()),
        company_id: Set(c),
        person_id: Set(person.0),
        line_user_id: Set(line_user.into()),
        following: Set(true),
        linked_at: Set(now()),
        updated_at: Set(now()),
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// Follow (true) or unfollow (false) from the webhook; returns whether a linked person was concerned.
pub async fn set_following(
    db: &Db,
    scope: &Scope,
    line_user: &str,
    following: bool,
) -> StoreResult<bool> {
    let r = link_row::Entity::update_many()
        .col_expr(
            link_row::Column::Following,
            sea_orm::sea_query::Expr::value(following),
        )
        .col_expr(
            link_row::Column::UpdatedAt,
            sea_orm::sea_query::Expr::value(now()),
        )
        .filter(link_row::Column::CompanyId.eq(scope.company_id().0))
        .filter(link_row::Column::LineUserId.eq(line_user))
        .exec(&db.write)
        .await?;
    Ok(r.rows_affected > 0)
}

/// The person ends the link (from the portal) or HR removes it.
pub async fn unlink(db: &Db, scope: &Scope, actor: &Actor, person: PersonId) -> StoreResult<bool> {
    let tx = db.write.begin().await?;
    let r = link_row::Entity::delete_many()
        .filter(link_row::Column::CompanyId.eq(scope.company_id().0))
        .filter(link_row::Column::PersonId.eq(person.0))
        .exec(&tx)
        .await?;
    if r.rows_affected > 0 {
        audit::record(
            &tx,
            scope,
            Change {
                action: "line.unlinked",
                entity: "person",
                entity_id: person.0,
                person_id: Some(person),
                changes: serde_json::json!({}),
                actor,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(r.rows_affected > 0)
}

fn fold(address: &str) -> String {
    address.trim().to_lowercase()
}

/// Marks an address as bouncing: nothing more is sent to it until the person's address changes.
pub async fn mark_bounced(
    db: &Db,
    company: CompanyId,
    address: &str,
    reason: &str,
) -> StoreResult<()> {
    bounce_row::Entity::insert(bounce_row::ActiveModel {
        company_id: Set(company.0),
        address: Set(fold(address)),
        reason: Set(reason.chars().take(500).collect()),
        bounced_at: Set(now()),
    })
    .on_conflict_do_nothing_on([bounce_row::Column::CompanyId, bounce_row::Column::Address])
    .exec_without_returning(&db.write)
    .await?;
    Ok(())
}

/// The company's bounced addresses (folded to lower case).
pub async fn bounced(
    conn: &impl ConnectionTrait,
    scope: &Scope,
) -> StoreResult<std::collections::HashSet<String>> {
    Ok(bounce_row::Entity::find()
        .filter(bounce_row::Column::CompanyId.eq(scope.company_id().0))
        .all(conn)
        .await?
        .into_iter()
        .map(|r| r.address)
        .collect())
}

/// Whether an address is marked as bouncing.
pub fn is_bounced(set: &std::collections::HashSet<String>, address: &str) -> bool {
    set.contains(&fold(address))
}

/// Whether the staff member asked for the weekly digest.
pub async fn wants_digest(db: &Db, scope: &Scope, staff: StaffUserId) -> StoreResult<bool> {
    Ok(digest_row::Entity::find_by_id(staff.0)
        .filter(digest_row::Column::CompanyId.eq(scope.company_id().0))
        .one(&db.read)
        .await?
        .is_some())
}

pub async fn set_digest(db: &Db, scope: &Scope, staff: StaffUserId, on: bool) -> StoreResult<()> {
    if on {
        digest_row::Entity::insert(digest_row::ActiveModel {
            staff_id: Set(staff.0),
            company_id: Set(scope.company_id().0),
            last_sent_on: Set(None),
            created_at: Set(now()),
        })
        .on_conflict_do_nothing_on([digest_row::Column::StaffId])
        .exec_without_returning(&db.write)
        .await?;
    } else {
        digest_row::Entity::delete_many()
            .filter(digest_row::Column::StaffId.eq(staff.0))
            .filter(digest_row::Column::CompanyId.eq(scope.company_id().0))
            .exec(&db.write)
            .await?;
    }
    Ok(())
}

/// The staff of the company who want the digest and have not had it on `week_of` (a Monday).
pub async fn digest_due(
    db: &Db,
    scope: &Scope,
    week_of: chrono::NaiveDate,
) -> StoreResult<Vec<StaffUserId>> {
    Ok(digest_row::Entity::find()
        .filter(digest_row::Column::CompanyId.eq(scope.company_id().0))
        .filter(
            sea_orm::Condition::any()
                .add(digest_row::Column::LastSentOn.is_null())
                .add(digest_row::Column::LastSentOn.lt(week_of)),
        )
        .all(&db.read)
        .await?
        .into_iter()
        .map(|r| StaffUserId(r.staff_id))
        .collect())
}

pub async fn digest_sent(
    db: &Db,
    scope: &Scope,
    staff: StaffUserId,
    on: chrono::NaiveDate,
) -> StoreResult<()> {
    digest_row::Entity::update_many()
        .col_expr(
            digest_row::Column::LastSentOn,
            sea_orm::sea_query::Expr::value(Some(on)),
        )
        .filter(digest_row::Column::StaffId.eq(staff.0))
        .filter(digest_row::Column::CompanyId.eq(scope.company_id().0))
        .exec(&db.write)
        .await?;
    Ok(())
}

/// How each of these people is reached with a message of their own (a job alert): LINE when it is set up
/// and they are linked and following, else their first address that does not bounce; the company's forced
/// channel decides between them. People with no way are absent. Read in bulk (chunks of 500 ids).
pub async fn reach_many(
    db: &Db,
    scope: &Scope,
    people: &[PersonId],
) -> StoreResult<
    std::collections::HashMap<PersonId, (kaeru_domain::announcement::DeliveryChannel, String)>,
> {
    use kaeru_domain::announcement::DeliveryChannel;
    use sea_orm::QueryOrder;
    let s = settings(db, scope).await?;
    let c = scope.company_id().0;
    let bounced = bounced(&db.read, scope).await?;
    let mut line: std::collections::HashMap<PersonId, String> = std::collections::HashMap::new();
    let mut email: std::collections::HashMap<PersonId, String> = std::collections::HashMap::new();
    for chunk in people.chunks(500) {
        let ids: Vec<uuid::Uuid> = chunk.iter().map(|p| p.0).collect();
        if s.line.is_some() {
            for r in link_row::Entity::find()
                .filter(link_row::Column::CompanyId.eq(c))
                .filter(link_row::Column::Following.eq(true))
                .filter(link_row::Column::PersonId.is_in(ids.clone()))
                .all(&db.read)
                .await?
            {
                line.insert(PersonId(r.person_id), r.line_user_id);
            }
        }
        for e in crate::entity::person_email::Entity::find()
            .filter(crate::entity::person_email::Column::CompanyId.eq(c))
            .filter(crate::entity::person_email::Column::PersonId.is_in(ids))
            .order_by(
                crate::entity::person_email::Column::Position,
                sea_orm::Order::Asc,
            )
            .all(&db.read)
            .await?
        {
            if !is_bounced(&bounced, &e.email) {
                email.entry(PersonId(e.person_id)).or_insert(e.email);
            }
        }
    }
    let mut out = std::collections::HashMap::new();
    for p in people {
        let (l, e) = (line.remove(p), email.remove(p));
        let picked = match s.force_channel.pick(l.is_some(), e.is_some()) {
            Some(DeliveryChannel::Line) => l.map(|x| (DeliveryChannel::Line, x)),
            Some(DeliveryChannel::Email) => e.map(|x| (DeliveryChannel::Email, x)),
            None => None,
        };
        if let Some(x) = picked {
            out.insert(*p, x);
        }
    }
    Ok(out)
}
