//! Sign-in sessions, stored in the database so that any node can serve any user.

use crate::direct::{self, DirectError};
use crate::entity::{company, session as row, staff_user};
use crate::{Db, Scope, StoreResult, now};
use kaeru_domain::{Company, StaffUser};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

/// A signed-in user, resolved from a session cookie.
#[derive(Clone, Debug)]
pub struct SessionInfo {
    pub scope: Scope,
    pub user: StaffUser,
    pub company: Company,
    pub csrf_token: String,
    /// The company's revision, read in the same query as the session: the list pages kept per revision need no
    /// second read to know whether what they kept is still the database's.
    pub revision: i64,
}

use crate::tokens::hash_token;
pub use crate::tokens::random_token;

/// Starts a session; returns the cookie token.
pub async fn create(db: &Db, user: &StaffUser, ttl: chrono::Duration) -> StoreResult<String> {
    let token = random_token();
    row::ActiveModel {
        id: Set(hash_token(&token)),
        company_id: Set(user.company_id.0),
        staff_user_id: Set(user.id.0),
        csrf_token: Set(random_token()),
        created_at: Set(now()),
        expires_at: Set(now() + ttl),
    }
    .insert(&db.write)
    .await?;
    Ok(token)
}

/// The signed-in user behind a cookie token, if the session is live and the account active.
pub async fn resolve(db: &Db, token: &str) -> StoreResult<Option<SessionInfo>> {
    use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
    use sea_orm::{ConnectionTrait, FromQueryResult, IdenStatic, Iterable};
    if token.len() != 64 {
        return Ok(None);
    }
    if let Some(direct) = &db.direct
        && let Some(found) = direct.read(|conn| resolve_directly(conn, token))
    {
        return Ok(found);
    }
    // One query, whatever the request: the session, its user and the company, each column under a prefix.
    let mut q = Query::select();
    for c in row::Column::iter() {
        q.expr_as(
            Expr::col((row::Entity, c)),
            Alias::new(format!("s_{}", c.as_str())),
        );
    }
    for c in staff_user::Column::iter() {
        q.expr_as(
            Expr::col((staff_user::Entity, c)),
            Alias::new(format!("u_{}", c.as_str())),
        );
    }
    for c in company::Column::iter() {
        q.expr_as(
            Expr::col((company::Entity, c)),
            Alias::new(format!("c_{}", c.as_str())),
        );
    }
    q.from(row::Entity)
        .inner_join(
            staff_user::Entity,
            Expr::col((staff_user::Entity, staff_user::Column::Id))
                .equals((row::Entity, row::Column::StaffUserId))
                .and(
                    Expr::col((staff_user::Entity, staff_user::Column::CompanyId))
                        .equals((row::Entity, row::Column::CompanyId)),
                ),
        )
        .inner_join(
            company::Entity,
            Expr::col((company::Entity, company::Column::Id))
                .equals((row::Entity, row::Column::CompanyId)),
        )
        .and_where(Expr::col((row::Entity, row::Column::Id)).eq(hash_token(token)))
        .and_where(Expr::col((row::Entity, row::Column::ExpiresAt)).gt(now()))
        .and_where(Expr::col((staff_user::Entity, staff_user::Column::Active)).eq(true));
    let Some(found) = db.read.query_one(&q).await? else {
        return Ok(None);
    };
    let s = row::Model::from_query_result(&found, "s_")?;
    let u = staff_user::Model::from_query_result(&found, "u_")?;
    let c = company::Model::from_query_result(&found, "c_")?;
    let revision = c.revision;
    let company = Company {
        id: kaeru_domain::CompanyId(c.id),
        slug: c.slug,
        name: c.name,
        time_zone: c.time_zone,
        default_language: kaeru_domain::Language::parse(&c.default_language).unwrap_or_default(),
    };
    Ok(Some(SessionInfo {
        scope: Scope::for_company(kaeru_domain::CompanyId(s.company_id)),
        user: crate::staff::to_domain(&u),
        company,
        csrf_token: s.csrf_token,
        revision,
    }))
}

/// The same read as `resolve`, on SQLite, on the calling thread (crate::direct says why).
fn resolve_directly(
    conn: &rusqlite::Connection,
    token: &str,
) -> Result<Option<SessionInfo>, DirectError> {
    let mut statement = conn.prepare_cached(
        "SELECT s.company_id, s.csrf_token, s.expires_at, \
                u.id, u.email, u.display_name, u.role, u.language, u.active, \
                c.slug, c.name, c.time_zone, c.default_language, c.revision \
         FROM sessions s \
         JOIN staff_users u ON u.id = s.staff_user_id AND u.company_id = s.company_id \
         JOIN companies c ON c.id = s.company_id \
         WHERE s.id = ?1",
    )?;
    let mut rows = statement.query([hash_token(token)])?;
    let Some(r) = rows.next()? else {
        return Ok(None);
    };
    let expires_at = direct::time(r, 2, "sessions.expires_at")?;
    let active: bool = r.get(8)?;
    if expires_at <= now() || !active {
        return Ok(None);
    }
    let company_id = kaeru_domain::CompanyId(direct::uuid(r, 0, "sessions.company_id")?);
    let language: Option<String> = r.get(7)?;
    let role: String = r.get(6)?;
    let default_language: String = r.get(12)?;
    Ok(Some(SessionInfo {
        scope: Scope::for_company(company_id),
        user: StaffUser {
            id: kaeru_domain::StaffUserId(direct::uuid(r, 3, "staff_users.id")?),
            company_id,
            email: r.get(4)?,
            display_name: r.get(5)?,
            role: kaeru_domain::Role::parse(&role).unwrap_or(kaeru_domain::Role::Viewer),
            language: language.as_deref().and_then(kaeru_domain::Language::parse),
            active,
        },
        company: Company {
            id: company_id,
            slug: r.get(9)?,
            name: r.get(10)?,
            time_zone: r.get(11)?,
            default_language: kaeru_domain::Language::parse(&default_language).unwrap_or_default(),
        },
        csrf_token: r.get(1)?,
        revision: r.get(13)?,
    }))
}

pub async fn delete(db: &Db, token: &str) -> StoreResult<()> {
    row::Entity::delete_by_id(hash_token(token))
        .exec(&db.write)
        .await?;
    Ok(())
}

/// Removes expired sessions; returns how many.
pub async fn purge_expired(db: &Db) -> StoreResult<u64> {
    Ok(row::Entity::delete_many()
        .filter(row::Column::ExpiresAt.lte(now()))
        .exec(&db.write)
        .await?
        .rows_affected)
}
