//! The person page's portal panel.

use crate::AppState;
use crate::auth::Signed;
use crate::error::AppResult;
use crate::shell::Shell;
use kaeru_domain::{Permission, PersonId};
use kaeru_store::consent::ConsentState;
use kaeru_store::{consent, people, portal, privacy};

pub struct ConsentRow {
    pub name: String,
    pub state: String,
    pub state_code: &'static str,
    pub when: String,
}

/// What the person page shows of the portal: their own updates, message, consents and requests.
pub struct PortalPanel {
    pub self_updated: String,
    pub message: String,
    pub message_at: String,
    pub consents: Vec<ConsentRow>,
    pub contact_stopped: String,
    pub erased: bool,
    pub deletion_due: String,
    pub qualifications: Vec<(String, String, String)>,
    pub can_write: bool,
    pub can_erase: bool,
}

pub(crate) async fn portal_panel(
    state: &AppState,
    signed: &Signed,
    s: &Shell,
    id: PersonId,
) -> AppResult<PortalPanel> {
    let facts = people::portal_facts(&state.db, signed.scope(), id).await?;
    let consents = consent::for_person(&state.db, signed.scope(), id).await?;
    let quals = portal::qualifications(&state.db, signed.scope(), id).await?;
    let deletion = privacy::open_request(&state.db, signed.scope(), id).await?;
    Ok(PortalPanel {
        self_updated: facts
            .self_updated_at
            .map(|d| s.datetime(&d))
            .unwrap_or_default(),
        message: facts.message_to_company.unwrap_or_default(),
        message_at: facts.message_at.map(|d| s.datetime(&d)).unwrap_or_default(),
        consents: consents
            .iter()
            .map(|c: &ConsentState| {
                let (code, when) = match c.decided {
                    _ if c.is_current() => ("granted", c.decided.map(|d| d.2)),
                    Some((_, false, at)) => ("withdrawn", Some(at)),
                    Some((_, true, at)) => ("outdated", Some(at)),
                    None => ("unasked", None),
                };
                ConsentRow {
                    name: c.purpose.name(signed.lang).to_string(),
                    state: s.t(&format!("consent.state_{code}")).to_string(),
                    state_code: code,
                    when: when.map(|d| s.datetime(&d)).unwrap_or_default(),
                }
            })
            .collect(),
        contact_stopped: facts
            .contact_stopped_at
            .map(|d| s.datetime(&d))
            .unwrap_or_default(),
        erased: facts.erased_at.is_some(),
        deletion_due: deletion.map(|r| s.date(&r.due_on)).unwrap_or_default(),
        qualifications: quals
            .into_iter()
            .map(|q| {
                (
                    s.t(&format!("qualification.{}", q.kind)).to_string(),
                    q.name,
                    s.opt_date(&q.obtained_on),
                )
            })
            .collect(),
        can_write: signed.can(Permission::EditPeople) && facts.erased_at.is_none(),
        can_erase: signed.can(Permission::ManagePersonalData) && facts.erased_at.is_none(),
    })
}
