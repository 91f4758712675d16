//! A person's profile beyond the person record: the career since leaving, the skills they hold, and — for
//! the person themselves in the portal — their contacts. Written once for HR (the person's page) and for the
//! person (the portal): who edits decides only the audit name, how a skill is vouched for, and that the
//! person's own change is marked as theirs.

use crate::failure::{Failure, Outcome};
use chrono::NaiveDate;
use kaeru_domain::career::{CareerEntry, CareerInput};
use kaeru_domain::person::PersonInput;
use kaeru_domain::skill::PersonSkillInput;
use kaeru_domain::{
    CareerId, FieldErrors, Invalid, PersonId, PersonSkill, PersonSkillId, SkillOrigin, SkillSource,
};
use kaeru_store::{Actor, Db, Scope, StoreError, careers, people, portal, skills};
use serde::Deserialize;

/// Who is editing the profile.
#[derive(Clone, Debug)]
pub enum Editor {
    /// Someone of the company, from the person's page: skills are vouched for by HR.
    Staff(Actor),
    /// The person, through the portal: skills are self-assessed as of today, gained after leaving unless
    /// said otherwise, and the change is marked as theirs.
    Person,
}

impl Editor {
    fn actor(&self) -> Actor {
        match self {
            Self::Staff(a) => a.clone(),
            Self::Person => portal::self_actor(),
        }
    }

    /// After a change the person made themselves: mark the record as updated by them.
    async fn done(&self, db: &Db, scope: &Scope, person: PersonId) -> Outcome<()> {
        if matches!(self, Self::Person) {
            portal::touch(db, scope, person).await?;
        }
        Ok(())
    }
}

pub async fn add_career(
    db: &Db,
    scope: &Scope,
    by: &Editor,
    person: PersonId,
    input: &CareerInput,
    today: NaiveDate,
) -> Outcome<CareerEntry> {
    let draft = input.parse(today)?;
    let entry = careers::add(db, scope, &by.actor(), person, &draft).await?;
    by.done(db, scope, person).await?;
    Ok(entry)
}

pub async fn remove_career(
    db: &Db,
    scope: &Scope,
    by: &Editor,
    person: PersonId,
    id: CareerId,
) -> Outcome<()> {
    careers::remove(db, scope, &by.actor(), person, id).await?;
    by.done(db, scope, person).await
}

/// Records a skill the person holds (or changes its level): a skill of the company's catalogue, a level of 1–5.
pub async fn hold_skill(
    db: &Db,
    scope: &Scope,
    by: &Editor,
    person: PersonId,
    mut input: PersonSkillInput,
    today: NaiveDate,
) -> Outcome<PersonSkill> {
    if matches!(by, Editor::Person) {
        input.source = SkillSource::SelfReported.code().into();
        input.assessed_on = today.format("%Y-%m-%d").to_string();
        if input.origin.trim().is_empty() {
            input.origin = SkillOrigin::AfterLeaving.code().into();
        }
    }
    let catalogue = skills::catalogue(db, scope).await?;
    let draft = input.parse(today, |id| catalogue.iter().any(|k| k.id == id))?;
    let held = skills::set_for_person(db, scope, &by.actor(), person, &draft)
        .await
        .map_err(|e| match e {
            // The skill was deleted meanwhile.
            StoreError::NotFound => Failure::field("skill", Invalid::new("error.skill_unknown")),
            other => other.into(),
        })?;
    by.done(db, scope, person).await?;
    Ok(held)
}

pub async fn drop_skill(
    db: &Db,
    scope: &Scope,
    by: &Editor,
    person: PersonId,
    id: PersonSkillId,
) -> Outcome<()> {
    skills::remove_from_person(db, scope, &by.actor(), person, id).await?;
    by.done(db, scope, person).await
}

/// The contact part of the person form, as the person keeps it in the portal.
#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct ContactsInput {
    pub emails: String,
    pub phone: String,
    pub line_id: String,
    pub facebook_url: String,
    pub linkedin_url: String,
    pub prefecture: String,
    pub city: String,
}

/// The person changes their own contacts: laid over their record and checked with the person form's rules,
/// at least one e-mail address (the way back into the portal), none of them another person's.
pub async fn save_contacts(
    db: &Db,
    scope: &Scope,
    person: PersonId,
    f: &ContactsInput,
    today: NaiveDate,
) -> Outcome<()> {
    let current = people::get(db, scope, person).await?;
    let mut input = PersonInput::from_person(&current);
    input.emails.clone_from(&f.emails);
    input.phone.clone_from(&f.phone);
    input.line_id.clone_from(&f.line_id);
    input.facebook_url.clone_from(&f.facebook_url);
    input.linkedin_url.clone_from(&f.linkedin_url);
    input.prefecture.clone_from(&f.prefecture);
    input.city.clone_from(&f.city);
    let draft = input.parse(today)?;
    if draft.emails.is_empty() {
        return Err(Failure::field(
            "emails",
            Invalid::new("error.portal_email_required"),
        ));
    }
    let taken = people::emails_taken(db, scope, &draft.emails, Some(person)).await?;
    if let Some(addr) = taken.first() {
        let mut e = FieldErrors::new();
        e.add(
            "emails",
            Invalid::new("error.email_taken").with("email", addr),
        );
        return Err(Failure::Invalid(e));
    }
    portal::update_contacts(
        db,
        scope,
        person,
        &portal::Contacts {
            emails: draft.emails,
            phone: draft.phone,
            line_id: draft.line_id,
            facebook_url: draft.facebook_url,
            linkedin_url: draft.linkedin_url,
            prefecture: draft.prefecture,
            city: draft.city,
        },
    )
    .await?;
    Ok(())
}
