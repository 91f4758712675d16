//! The network: referrals and business that alumni bring, the value of a year, and who works where now.

use crate::audit::{self, Change};
use crate::entity::{contribution as row, person as person_row};
use crate::{Actor, Db, Scope, StoreError, StoreResult, companies, now};
use chrono::{Datelike, NaiveDate};
use kaeru_domain::ContributionId;
use kaeru_domain::network::{Contribution, ContributionDraft, ContributionKind, ReferralOutcome};
use kaeru_domain::{CareerEntry, PersonId, PersonStatus};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};
use uuid::Uuid;

pub(crate) fn to_domain(r: row::Model) -> Contribution {
    Contribution {
        id: ContributionId(r.id),
        person_id: PersonId(r.person_id),
        kind: ContributionKind::parse(&r.kind).unwrap_or(ContributionKind::Referral),
        on: r.on_date,
        candidate: r.candidate,
        opening: r.opening,
        outcome: r.outcome.as_deref().and_then(ReferralOutcome::parse),
        client: r.client,
        amount_yen: r.amount_yen,
        note: r.note,
        opening_id: r.opening_id.map(kaeru_domain::OpeningId),
        candidate_email: r.candidate_email,
        candidate_phone: r.candidate_phone,
        relationship: r.relationship,
        from_portal: r.from_portal,
    }
}

pub async fn add(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    person: PersonId,
    d: &ContributionDraft,
) -> StoreResult<Contribution> {
    let c = scope.company_id().0;
    let tx = db.write.begin().await?;
    crate::people::live(&tx, scope, person).await?;
    let id = Uuid::now_v7();
    let model = row::ActiveModel {
        id: Set(id),
        company_id: Set(c),
        person_id: Set(person.0),
        kind: Set(d.kind.code().into()),
        on_date: Set(d.on),
        candidate: Set(d.candidate.clone()),
        opening: Set(d.opening.clone()),
        outcome: Set(d.outcome.map(|o| o.code().to_string())),
        client: Set(d.client.clone()),
        amount_yen: Set(d.amount_yen),
        note: Set(d.note.clone()),
        created_at: Set(now()),
        opening_id: Set(None),
        candidate_email: Set(None),
        candidate_phone: Set(None),
        relationship: Set(None),
        from_portal: Set(false),
    }
    .insert(&tx)
    .await?;
    audit::record(
        &tx,
        scope,
        Change {
            action: "contribution.add",
            entity: "contribution",
            entity_id: id,
            person_id: Some(person),
            changes: serde_json::to_value(d).unwrap_or_default(),
            actor,
        },
    )
    .await?;
    companies::bump_revision_for_none(&tx, scope).await?;
    tx.commit().await?;
    Ok(to_domain(model))
}

pub async fn remove(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    person: PersonId,
    id: ContributionId,
) -> StoreResult<()> {
    let tx = db.write.begin().await?;
    crate::people::live(&tx, scope, person).await?;
    let gone = row::Entity::delete_many()
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .filter(row::Column::PersonId.eq(person.0))
        .filter(row::Column::Id.eq(id.0))
        .exec(&tx)
        .await?;
    if gone.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    audit::record(
        &tx,
        scope,
        Change {
            action: "contribution.remove",
            entity: "contribution",
            entity_id: id.0,
            person_id: Some(person),
            changes: serde_json::json!({}),
            actor,
        },
    )
    .await?;
    companies::bump_revision_for_none(&tx, scope).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn for_person(
    db: &Db,
    scope: &Scope,
    person: PersonId,
) -> StoreResult<Vec<Contribution>> {
    Ok(row::Entity::find()
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .filter(row::Column::PersonId.eq(person.0))
        .order_by_desc(row::Column::OnDate)
        .all(&db.read)
        .await?
        .into_iter()
        .map(to_domain)
        .collect())
}

/// What the network brought in a calendar year.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct YearValue {
    pub year: i32,
    pub business_yen: i64,
    pub deals: usize,
    pub referrals: usize,
    pub hires: usize,
    /// The year's contributions, newest first, with the person's name.
    pub items: Vec<(Contribution, String)>,
}

pub async fn year_value(db: &Db, scope: &Scope, year: i32) -> StoreResult<YearValue> {
    let c = scope.company_id().0;
    let (Some(from), Some(to)) = (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year, 12, 31),
    ) else {
        return Ok(YearValue::default());
    };
    let rows: Vec<Contribution> = row::Entity::find()
        .filter(row::Column::CompanyId.eq(c))
        .filter(row::Column::OnDate.gte(from))
        .filter(row::Column::OnDate.lte(to))
        .order_by_desc(row::Column::OnDate)
        .all(&db.read)
        .await?
        .into_iter()
        .map(to_domain)
        .collect();
    let names = crate::people::names(
        &db.read,
        scope,
        rows.iter().map(|r| r.person_id.0).collect(),
    )
    .await?;
    let mut v = YearValue {
        year,
        ..Default::default()
    };
    for r in rows {
        match r.kind {
            ContributionKind::Business => {
                v.deals += 1;
                v.business_yen += r.amount_yen.unwrap_or(0);
            }
            ContributionKind::Referral => {
                v.referrals += 1;
                v.hires += usize::from(r.outcome == Some(ReferralOutcome::Hired));
            }
        }
        let name = names
            .get(&r.person_id.0)
            .map(|n| n.0.clone())
            .unwrap_or_default();
        v.items.push((r, name));
    }
    Ok(v)
}

/// A former employee and where they work now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placed {
    pub person: PersonId,
    pub name: String,
    pub kana: String,
    pub current: CareerEntry,
}

/// How the network page groups alumni.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GroupBy {
    Employer,
    /// By the industry of the current employer; unknown industries under "".
    Industry,
}

/// Alumni with a current position, grouped by employer (largest groups first), optionally only those whose
/// employer, industry or role matches `query` (kana and width folded).
pub async fn by_employer(
    db: &Db,
    scope: &Scope,
    query: &str,
) -> StoreResult<Vec<(String, Vec<Placed>)>> {
    grouped(db, scope, query, GroupBy::Employer).await
}

/// Like [`by_employer`], grouped as asked.
pub async fn grouped(
    db: &Db,
    scope: &Scope,
    query: &str,
    by: GroupBy,
) -> StoreResult<Vec<(String, Vec<Placed>)>> {
    let c = scope.company_id().0;
    // Only the names: decoding whole rows dominated at 100,000 people.
    use sea_orm::QuerySelect;
    let rows: Vec<(Uuid, String, String, String, String)> = person_row::Entity::find()
        .select_only()
        .columns([
            person_row::Column::Id,
            person_row::Column::FamilyName,
            person_row::Column::GivenName,
            person_row::Column::FamilyKana,
            person_row::Column::GivenKana,
        ])
        .filter(person_row::Column::CompanyId.eq(c))
        .filter(person_row::Column::ErasedAt.is_null())
        .filter(person_row::Column::Status.ne(PersonStatus::Employee.code()))
        .into_tuple()
        .all(&db.read)
        .await?;
    let alumni: std::collections::HashMap<Uuid, (String, String)> = rows
        .into_iter()
        .map(|(id, family, given, family_kana, given_kana)| {
            (
                id,
                (
                    format!("{family} {given}"),
                    format!("{family_kana} {given_kana}"),
                ),
            )
        })
        .collect();
    let q = kaeru_search::fold(query.trim());
    let mut groups: std::collections::BTreeMap<String, Vec<Placed>> = Default::default();
    for career in crate::careers::all(db, scope).await? {
        if !career.is_current() {
            continue;
        }
        let Some((name, kana)) = alumni.get(&career.person_id.0) else {
            continue;
        };
        if !q.is_empty() {
            let hay = kaeru_search::fold(&format!(
                "{} {} {}",
                career.employer,
                career.industry.as_deref().unwrap_or(""),
                career.role.as_deref().unwrap_or("")
            ));
            if !hay.contains(&q) {
                continue;
            }
        }
        let key = match by {
            GroupBy::Employer => career.employer.clone(),
            GroupBy::Industry => career.industry.clone().unwrap_or_default(),
        };
        groups.entry(key).or_default().push(Placed {
            person: career.person_id,
            name: name.clone(),
            kana: kana.clone(),
            current: career,
        });
    }
    let mut out: Vec<(String, Vec<Placed>)> = groups.into_iter().collect();
    for (_, people) in &mut out {
        people.sort_by(|a, b| a.kana.cmp(&b.kana));
        people.dedup_by_key(|p| p.person);
        // Kept per revision: without the room the pushes left (up to half of each group).
        people.shrink_to_fit();
    }
    // Largest groups first; the group of unknown industries last.
    out.sort_by(|a, b| {
        a.0.is_empty()
            .cmp(&b.0.is_empty())
            .then(b.1.len().cmp(&a.1.len()))
            .then(a.0.cmp(&b.0))
    });
    Ok(out)
}

/// This year in the company's calendar.
pub fn this_year(today: NaiveDate) -> i32 {
    today.year()
}
