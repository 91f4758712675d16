//! The skill catalogue, skills held by people, the company's needs and the skill-gap view.

use crate::Clash;
use crate::audit::{self, Change};
use crate::entity::{
    opening_skill, person as person_row, person_skill as held_row, skill as row,
    skill_need as need_row,
};
use crate::{Actor, Db, Scope, StoreError, StoreResult, companies, now};
use kaeru_domain::{
    NeedPriority, PersonId, PersonSkill, PersonSkillDraft, PersonSkillId, PersonStatus, Skill,
    SkillDraft, SkillId, SkillNeed, SkillOrigin, SkillSource,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};
use std::collections::HashMap;

fn to_domain(r: row::Model) -> Skill {
    Skill {
        id: SkillId(r.id),
        name: r.name,
        category: r.category,
        aliases: r
            .aliases
            .split('\n')
            .filter(|a| !a.is_empty())
            .map(str::to_string)
            .collect(),
        description: r.description,
    }
}

fn held_to_domain(r: held_row::Model) -> PersonSkill {
    PersonSkill {
        id: PersonSkillId(r.id),
        person_id: PersonId(r.person_id),
        skill_id: SkillId(r.skill_id),
        level: r.level,
        origin: SkillOrigin::parse(&r.origin).unwrap_or(SkillOrigin::Employment),
        source: SkillSource::parse(&r.source).unwrap_or(SkillSource::Hr),
        assessed_on: r.assessed_on,
        note: r.note,
    }
}

/// The company's catalogue, by category then name.
pub async fn catalogue(db: &Db, scope: &Scope) -> StoreResult<Vec<Skill>> {
    let mut skills: Vec<Skill> = row::Entity::find()
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .all(&db.read)
        .await?
        .into_iter()
        .map(to_domain)
        .collect();
    skills.sort_by(|a, b| {
        (a.category.is_none(), &a.category, &a.name).cmp(&(
            b.category.is_none(),
            &b.category,
            &b.name,
        ))
    });
    Ok(skills)
}

pub async fn get(db: &Db, scope: &Scope, id: SkillId) -> StoreResult<Skill> {
    row::Entity::find_by_id(id.0)
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .one(&db.read)
        .await?
        .map(to_domain)
        .ok_or(StoreError::NotFound)
}

/// The catalogue skill a typed name stands for: its name or one of its aliases, compared after folding
/// (width, kana, case).
pub fn resolve<'a>(catalogue: &'a [Skill], text: &str) -> Option<&'a Skill> {
    let want = kaeru_search::fold(text);
    if want.is_empty() {
        return None;
    }
    catalogue.iter().find(|s| {
        kaeru_search::fold(&s.name) == want
            || s.aliases.iter().any(|a| kaeru_search::fold(a) == want)
    })
}

/// Names and aliases must be unique in the catalogue (after folding), so a typed name means one skill.
fn clash(catalogue: &[Skill], draft: &SkillDraft, except: Option<SkillId>) -> bool {
    let mut names = vec![draft.name.as_str()];
    names.extend(draft.aliases.iter().map(String::as_str));
    names
        .iter()
        .any(|n| resolve(catalogue, n).is_some_and(|s| Some(s.id) != except))
}

pub async fn create(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    draft: &SkillDraft,
) -> StoreResult<Skill> {
    if clash(&catalogue(db, scope).await?, draft, None) {
        return Err(StoreError::Conflict(Clash::SkillNameTaken));
    }
    let id = SkillId::new();
    let tx = db.write.begin().await?;
    let model = row::ActiveModel {
        id: Set(id.0),
        company_id: Set(scope.company_id().0),
        name: Set(draft.name.clone()),
        category: Set(draft.category.clone()),
        aliases: Set(draft.aliases.join("\n")),
        description: Set(draft.description.clone()),
        created_at: Set(now()),
    }
    .insert(&tx)
    .await
    .map_err(StoreError::conflict_on(Clash::SkillNameTaken))?;
    audit::record(
        &tx,
        scope,
        Change {
            action: "skill.create",
            entity: "skill",
            entity_id: id.0,
            person_id: None,
            changes: serde_json::to_value(draft).unwrap_or_default(),
            actor,
        },
    )
    .await?;
    companies::bump_revision(&tx, scope).await?;
    tx.commit().await?;
    Ok(to_domain(model))
}

pub async fn update(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    id: SkillId,
    draft: &SkillDraft,
) -> StoreResult<Skill> {
    let before = get(db, scope, id).await?;
    if clash(&catalogue(db, scope).await?, draft, Some(id)) {
        return Err(StoreError::Conflict(Clash::SkillNameTaken));
    }
    let tx = db.write.begin().await?;
    let current = row::Entity::find_by_id(id.0)
        .filter(row::Column::CompanyId.eq(scope.company_id().0))
        .one(&tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    let mut am: row::ActiveModel = current.into();
    am.name = Set(draft.name.clone());
    am.category = Set(draft.category.clone());
    am.aliases = Set(draft.aliases.join("\n"));
    am.description = Set(draft.description.clone());
    let model = am
        .update(&tx)
        .await
        .map_err(StoreError::conflict_on(Clash::SkillNameTaken))?;
    let old = SkillDraft {
        name: before.name,
        category: before.category,
        aliases: before.aliases,
        description: before.description,
    };
    audit::record(
        &tx,
        scope,
        Change {
            action: "skill.update",
            entity: "skill",
            entity_id: id.0,
            person_id: None,
            changes: audit::diff(
                &serde_json::to_value(&old).unwrap_or_default(),
                &serde_json::to_value(draft).unwrap_or_default(),
            ),
            actor,
        },
    )
    .await?;
    companies::bump_revision(&tx, scope).await?;
    tx.commit().await?;
    Ok(to_domain(model))
}

/// Where a skill is in use: people holding it, openings asking for it, needs naming it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    pub people: u64,
    pub openings: u64,
    pub needs: u64,
}

impl Usage {
    pub fn is_unused(&self) -> bool {
        self.people == 0 && self.openings == 0 && self.needs == 0
    }
}

pub async fn usage(db: &Db, scope: &Scope, id: SkillId) -> StoreResult<Usage> {
    let c = scope.company_id().0;
    Ok(Usage {
        people: held_row::Entity::find()
            .filter(held_row::Column::CompanyId.eq(c))
            .filter(held_row::Column::SkillId.eq(id.0))
            .count(&db.read)
            .await?,
        openings: opening_skill::Entity::find()
            .filter(opening_skill::Column::CompanyId.eq(c))
            .filter(opening_skill::Column::SkillId.eq(id.0))
            .count(&db.read)
            .await?,
        needs: need_row::Entity::find()
            .filter(need_row::Column::CompanyId.eq(c))
            .filter(need_row::Column::SkillId.eq(id.0))
            .count(&db.read)
            .await?,
    })
}

/// Deletes a skill. One in use is deleted only when `confirmed` (the caller showed the usage); its holdings,
/// opening requirements and need go with it, in one transaction. Returns the usage it had.
pub async fn delete(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    id: SkillId,
    confirmed: bool,
) -> StoreResult<Usage> {
    let skill = get(db, scope, id).await?;
    let used = usage(db, scope, id).await?;
    if !used.is_unused() && !confirmed {
        return Err(StoreError::Conflict(Clash::SkillInUse));
    }
    let c = scope.company_id().0;
    let tx = db.write.begin().await?;
    held_row::Entity::delete_many()
        .filter(held_row::Column::CompanyId.eq(c))
        .filter(held_row::Column::SkillId.eq(id.0))
        .exec(&tx)
        .await?;
    opening_skill::Entity::delete_many()
        .filter(opening_skill::Column::CompanyId.eq(c))
        .filter(opening_skill::Column::SkillId.eq(id.0))
        .exec(&tx)
        .await?;
    need_row::Entity::delete_many()
        .filter(need_row::Column::CompanyId.eq(c))
        .filter(need_row::Column::SkillId.eq(id.0))
        .exec(&tx)
        .await?;
    row::Entity::delete_many()
        .filter(row::Column::CompanyId.eq(c))
        .filter(row::Column::Id.eq(id.0))
        .exec(&tx)
        .await?;
    audit::record(
        &tx,
        scope,
        Change {
            action: "skill.delete",
            entity: "skill",
            entity_id: id.0,
            person_id: None,
            changes: serde_json::json!({"name": skill.name, "people": used.people, "openings": used.openings, "needs": used.needs}),
            actor,
        },
    )
    .await?;
    companies::bump_revision(&tx, scope).await?;
    tx.commit().await?;
    Ok(used)
}

/// The skills a person holds, strongest first.
pub async fn for_person(db: &Db, scope: &Scope, person: PersonId) -> StoreResult<Vec<PersonSkill>> {
    let mut held: Vec<PersonSkill> = held_row::Entity::find()
        .filter(held_row::Column::CompanyId.eq(scope.company_id().0))
        .filter(held_row::Column::PersonId.eq(person.0))
        .order_by_desc(held_row::Column::AssessedOn)
        .all(&db.read)
        .await?
        .into_iter()
        .map(held_to_domain)
        .collect();
    held.sort_by_key(|h| std::cmp::Reverse(h.level));
    Ok(held)
}

/// Records a skill on a person; the same skill with the same origin is updated rather than duplicated.
pub async fn set_for_person(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    person: PersonId,
    draft: &PersonSkillDraft,
) -> StoreResult<PersonSkill> {
    let c = scope.company_id().0;
    let tx = db.write.begin().await?;
    crate::people::live(&tx, scope, person).await?;
    let skill = row::Entity::find_by_id(draft.skill_id.0)
        .filter(row::Column::CompanyId.eq(c))
        .one(&tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    let existing = held_row::Entity::find()
        .filter(held_row::Column::CompanyId.eq(c))
        .filter(held_row::Column::PersonId.eq(person.0))
        .filter(held_row::Column::SkillId.eq(draft.skill_id.0))
        .filter(held_row::Column::Origin.eq(draft.origin.code()))
        .one(&tx)
        .await?;
    let (model, action) = match existing {
        Some(r) => {
            let mut am: held_row::ActiveModel = r.into();
            am.level = Set(draft.level);
            am.source = Set(draft.source.code().into());
            am.assessed_on = Set(draft.assessed_on);
            am.note = Set(draft.note.clone());
            (am.update(&tx).await?, "person_skill.update")
        }
        None => (
            held_row::ActiveModel {
                id: Set(PersonSkillId::new().0),
                company_id: Set(c),
                person_id: Set(person.0),
                skill_id: Set(draft.skill_id.0),
                level: Set(draft.level),
                origin: Set(draft.origin.code().into()),
                source: Set(draft.source.code().into()),
                assessed_on: Set(draft.assessed_on),
                note: Set(draft.note.clone()),
                created_at: Set(now()),
            }
            .insert(&tx)
            .await?,
            "person_skill.create",
        ),
    };
    audit::record(
        &tx,
        scope,
        Change {
            action,
            entity: "person_skill",
            entity_id: model.id,
            person_id: Some(person),
            changes: serde_json::json!({
                "skill": skill.name, "level": draft.level, "origin": draft.origin.code(),
                "source": draft.source.code(), "assessed_on": draft.assessed_on,
            }),
            actor,
        },
    )
    .await?;
    companies::bump_revision_for(&tx, scope, &[person]).await?;
    tx.commit().await?;
    Ok(held_to_domain(model))
}

/// HR confirms a self-reported skill: it counts as HR-assessed from now on.
pub async fn confirm(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    person: PersonId,
    id: PersonSkillId,
) -> StoreResult<()> {
    let c = scope.company_id().0;
    let tx = db.write.begin().await?;
    crate::people::live(&tx, scope, person).await?;
    let r = held_row::Entity::find_by_id(id.0)
        .filter(held_row::Column::CompanyId.eq(c))
        .filter(held_row::Column::PersonId.eq(person.0))
        .one(&tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    let before = r.source.clone();
    let mut am: held_row::ActiveModel = r.into();
    am.source = Set(SkillSource::Hr.code().into());
    am.update(&tx).await?;
    audit::record(
        &tx,
        scope,
        Change {
            action: "person_skill.confirm",
            entity: "person_skill",
            entity_id: id.0,
            person_id: Some(person),
            changes: serde_json::json!({"source": [before, SkillSource::Hr.code()]}),
            actor,
        },
    )
    .await?;
    companies::bump_revision_for(&tx, scope, &[person]).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn remove_from_person(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    person: PersonId,
    id: PersonSkillId,
) -> StoreResult<()> {
    let c = scope.company_id().0;
    let tx = db.write.begin().await?;
    crate::people::live(&tx, scope, person).await?;
    let r = held_row::Entity::find_by_id(id.0)
        .filter(held_row::Column::CompanyId.eq(c))
        .filter(held_row::Column::PersonId.eq(person.0))
        .one(&tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    let name = row::Entity::find_by_id(r.skill_id)
        .one(&tx)
        .await?
        .map(|s| s.name)
        .unwrap_or_default();
    held_row::Entity::delete_by_id(id.0).exec(&tx).await?;
    audit::record(
        &tx,
        scope,
        Change {
            action: "person_skill.delete",
            entity: "person_skill",
            entity_id: id.0,
            person_id: Some(person),
            changes: serde_json::json!({"skill": name, "level": r.level, "origin": r.origin}),
            actor,
        },
    )
    .await?;
    companies::bump_revision_for(&tx, scope, &[person]).await?;
    tx.commit().await?;
    Ok(())
}

/// How many people hold each skill (any origin), counted by the database.
pub async fn holder_counts(db: &Db, scope: &Scope) -> StoreResult<HashMap<SkillId, u64>> {
    use sea_orm::QuerySelect;
    use sea_orm::sea_query::Expr;
    let rows: Vec<(uuid::Uuid, i64)> = held_row::Entity::find()
        .select_only()
        .column(held_row::Column::SkillId)
        .expr(Expr::cust("COUNT(DISTINCT person_id)"))
        .filter(held_row::Column::CompanyId.eq(scope.company_id().0))
        .group_by(held_row::Column::SkillId)
        .into_tuple()
        .all(&db.read)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(k, n)| (SkillId(k), u64::try_from(n).unwrap_or(0)))
        .collect())
}

/// Every holding of the company, for the in-memory matching index and the gap view.
pub async fn all_held(db: &Db, scope: &Scope) -> StoreResult<Vec<PersonSkill>> {
    Ok(held_row::Entity::find()
        .filter(held_row::Column::CompanyId.eq(scope.company_id().0))
        .all(&db.read)
        .await?
        .into_iter()
        .map(held_to_domain)
        .collect())
}

/// The company's needs, highest priority first.
pub async fn needs(db: &Db, scope: &Scope) -> StoreResult<Vec<SkillNeed>> {
    let mut needs: Vec<SkillNeed> = need_row::Entity::find()
        .filter(need_row::Column::CompanyId.eq(scope.company_id().0))
        .order_by_asc(need_row::Column::CreatedAt)
        .all(&db.read)
        .await?
        .into_iter()
        .map(|r| SkillNeed {
            skill_id: SkillId(r.skill_id),
            priority: NeedPriority::parse(&r.priority).unwrap_or(NeedPriority::Medium),
            min_level: r.min_level,
            note: r.note,
        })
        .collect();
    needs.sort_by_key(|n| n.priority.rank());
    Ok(needs)
}

/// Adds a need, or updates the need for the same skill.
pub async fn set_need(db: &Db, scope: &Scope, actor: &Actor, need: &SkillNeed) -> StoreResult<()> {
    let c = scope.company_id().0;
    let tx = db.write.begin().await?;
    let skill = row::Entity::find_by_id(need.skill_id.0)
        .filter(row::Column::CompanyId.eq(c))
        .one(&tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    let existing = need_row::Entity::find()
        .filter(need_row::Column::CompanyId.eq(c))
        .filter(need_row::Column::SkillId.eq(need.skill_id.0))
        .one(&tx)
        .await?;
    let id = match existing {
        Some(r) => {
            let id = r.id;
            let mut am: need_row::ActiveModel = r.into();
            am.priority = Set(need.priority.code().into());
            am.min_level = Set(need.min_level);
            am.note = Set(need.note.clone());
            am.update(&tx).await?;
            id
        }
        None => {
            let id = uuid::Uuid::now_v7();
            need_row::ActiveModel {
                id: Set(id),
                company_id: Set(c),
                skill_id: Set(need.skill_id.0),
                priority: Set(need.priority.code().into()),
                min_level: Set(need.min_level),
                note: Set(need.note.clone()),
                created_at: Set(now()),
            }
            .insert(&tx)
            .await?;
            id
        }
    };
    audit::record(
        &tx,
        scope,
        Change {
            action: "need.set",
            entity: "skill_need",
            entity_id: id,
            person_id: None,
            changes: serde_json::json!({"skill": skill.name, "priority": need.priority.code(), "min_level": need.min_level}),
            actor,
        },
    )
    .await?;
    companies::bump_revision(&tx, scope).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn remove_need(db: &Db, scope: &Scope, actor: &Actor, skill: SkillId) -> StoreResult<()> {
    let c = scope.company_id().0;
    let tx = db.write.begin().await?;
    let r = need_row::Entity::find()
        .filter(need_row::Column::CompanyId.eq(c))
        .filter(need_row::Column::SkillId.eq(skill.0))
        .one(&tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    need_row::Entity::delete_by_id(r.id).exec(&tx).await?;
    audit::record(
        &tx,
        scope,
        Change {
            action: "need.delete",
            entity: "skill_need",
            entity_id: r.id,
            person_id: None,
            changes: serde_json::json!({"skill_id": skill.0}),
            actor,
        },
    )
    .await?;
    companies::bump_revision(&tx, scope).await?;
    tx.commit().await?;
    Ok(())
}

/// Someone who holds a needed skill.
#[derive(Clone, Debug)]
pub struct Holder {
    pub person_id: PersonId,
    pub name: String,
    pub kana: String,
    pub level: i32,
    pub origin: SkillOrigin,
}

/// One line of the gap view.
#[derive(Clone, Debug)]
pub struct Gap {
    pub need: SkillNeed,
    pub skill: Skill,
    /// Current employees (在籍 and 出戻り) holding the skill at the needed level or above.
    pub employees: usize,
    /// Alumni (and contractors) holding it at the needed level or above, strongest first.
    pub alumni: Vec<Holder>,
}

impl Gap {
    /// A gap: no current employee has the skill at the level the company needs.
    pub fn is_gap(&self) -> bool {
        self.employees == 0
    }
}

/// The skill-gap view: for each need, who inside has it and which alumni do.
pub async fn gaps(db: &Db, scope: &Scope) -> StoreResult<Vec<Gap>> {
    let needs = needs(db, scope).await?;
    let skills: HashMap<SkillId, Skill> = catalogue(db, scope)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let c = scope.company_id().0;
    let held = held_row::Entity::find()
        .filter(held_row::Column::CompanyId.eq(c))
        .filter(held_row::Column::SkillId.is_in(needs.iter().map(|n| n.skill_id.0)))
        .all(&db.read)
        .await?;
    let mut holders: Vec<uuid::Uuid> = held.iter().map(|h| h.person_id).collect();
    holders.sort_unstable();
    holders.dedup();
    let mut people: HashMap<uuid::Uuid, person_row::Model> = HashMap::new();
    // In chunks: a skill held by most of 100,000 people would pass PostgreSQL's limit of bound values.
    for chunk in holders.chunks(crate::people::IDS_PER_QUERY) {
        people.extend(
            person_row::Entity::find()
                .filter(person_row::Column::CompanyId.eq(c))
                .filter(person_row::Column::Id.is_in(chunk.iter().copied()))
                .all(&db.read)
                .await?
                .into_iter()
                .map(|p| (p.id, p)),
        );
    }
    let mut out = Vec::new();
    for need in needs {
        let Some(skill) = skills.get(&need.skill_id).cloned() else {
            continue;
        };
        // One entry per person: their best level for the skill, whatever its origin.
        let mut best: HashMap<uuid::Uuid, &held_row::Model> = HashMap::new();
        for h in held
            .iter()
            .filter(|h| h.skill_id == need.skill_id.0 && h.level >= need.min_level)
        {
            let e = best.entry(h.person_id).or_insert(h);
            if h.level > e.level {
                *e = h;
            }
        }
        let mut employees = 0;
        let mut alumni = Vec::new();
        for (pid, h) in best {
            let Some(p) = people.get(&pid) else { continue };
            match PersonStatus::parse(&p.status) {
                Some(PersonStatus::Employee | PersonStatus::Returner) => employees += 1,
                _ => alumni.push(Holder {
                    person_id: PersonId(pid),
                    name: format!("{} {}", p.family_name, p.given_name),
                    kana: format!("{} {}", p.family_kana, p.given_kana),
                    level: h.level,
                    origin: SkillOrigin::parse(&h.origin).unwrap_or(SkillOrigin::Employment),
                }),
            }
        }
        alumni.sort_by(|a, b| b.level.cmp(&a.level).then_with(|| a.kana.cmp(&b.kana)));
        out.push(Gap {
            need,
            skill,
            employees,
            alumni,
        });
    }
    Ok(out)
}
