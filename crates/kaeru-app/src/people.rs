//! People: the checks a new or changed person passes beyond the form's own rules.

use kaeru_domain::person::PersonInput;
use kaeru_domain::{FieldErrors, Invalid, PersonDraft, PersonId};
use kaeru_store::{Db, Scope, StoreError, people};

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
