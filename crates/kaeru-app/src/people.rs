//! People: the checks a new or changed person passes beyond the form's own rules.

use crate::failure::{Failure, Outcome};
use kaeru_domain::person::PersonInput;
use kaeru_domain::{FieldErrors, Invalid, Person, PersonDraft, PersonId};
use kaeru_store::{Actor, Clash, Db, Scope, StoreError, people};

/// Parses a person's form (page, API or import) and checks the e-mail addresses and the employee number are not
/// another person's.
pub async fn check(
    db: &Db,
    scope: &Scope,
    today: chrono::NaiveDate,
    input: &PersonInput,
    existing: Option<PersonId>,
) -> Result<Result<PersonDraft, FieldErrors>, StoreError> {
    let draft = match input.parse(today) {
        Ok(d) => d,
        Err(e) => return Ok(Err(e)),
    };
    let taken = people::emails_taken(db, scope, &draft.emails, existing).await?;
    if let Some(addr) = taken.first() {
        let mut e = FieldErrors::new();
        e.add(
            "emails",
            Invalid::new("error.email_taken").with("email", addr),
        );
        return Ok(Err(e));
    }
    if let Some(n) = &draft.employee_number
        && let Some((_, name)) = people::employee_number_owner(db, scope, n, existing).await?
    {
        let mut e = FieldErrors::new();
        e.add(
            "employee_number",
            Invalid::new("error.employee_number_taken")
                .with("number", n)
                .with("name", name),
        );
        return Ok(Err(e));
    }
    Ok(Ok(draft))
}

/// Adds a person (`existing` none) or changes one: the form's rules, then the addresses and the employee
/// number checked against everyone else's — also when another request took them between the check and the
/// write.
pub async fn save(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    today: chrono::NaiveDate,
    input: &PersonInput,
    existing: Option<PersonId>,
) -> Outcome<Person> {
    let draft = check(db, scope, today, input, existing).await??;
    let saved = match existing {
        None => people::create(db, scope, actor, &draft).await,
        Some(id) => people::update(db, scope, actor, id, &draft).await,
    };
    saved.map_err(|e| match e {
        StoreError::Conflict(Clash::EmployeeNumberTaken) => Failure::field(
            "employee_number",
            Invalid::new("error.employee_number_taken")
                .with("number", draft.employee_number.clone().unwrap_or_default())
                .with("name", "—"),
        ),
        StoreError::Conflict(Clash::PersonEmailTaken) => Failure::field(
            "emails",
            Invalid::new("error.email_taken").with(
                "email",
                draft
                    .emails
                    .iter()
                    .map(kaeru_domain::validation::EmailAddress::as_str)
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        ),
        other => other.into(),
    })
}
