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
    /// 「LINEを連携しています（…から）」, or empty when not linked.
    pub line: String,
    /// Announcements sent to the person: id, subject, channel, delivery state and its code.
    pub announcements: Vec<(String, String, String, String, &'static str)>,
    /// Events the person was invited to or came to: id, title, date, reply (or 受付済み) and its code.
    pub events: Vec<(String, String, String, String, &'static str)>,
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
    let line = match kaeru_store::messaging::line_link(&state.db, signed.scope(), id).await? {
        Some(l) if l.following => s.tf("line.state_linked", "at", s.datetime(&l.linked_at)),
        Some(_) => s.t("line.state_blocked").to_string(),
        None => String::new(),
    };
    let announcements = if signed.can(Permission::SendAnnouncements) {
        kaeru_store::announcements::for_person(&state.db, signed.scope(), id)
            .await?
            .into_iter()
            .take(20)
            .map(|(a, channel, status)| {
                (
                    a.id.to_string(),
                    a.subject,
                    s.t(&format!("delivery_channel.{}", channel.code()))
                        .to_string(),
                    s.t(&format!("delivery_status.{}", status.code()))
                        .to_string(),
                    status.code(),
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    let events = if signed.can(Permission::CheckInAttendees) {
        kaeru_store::events::for_person(&state.db, signed.scope(), id)
            .await?
            .into_iter()
            .take(20)
            .map(|(e, r)| {
                let state = if r.checked_in_at.is_some() {
                    s.t("event.checked_in").to_string()
                } else {
                    s.t(&format!("rsvp_state.{}", r.state.code())).to_string()
                };
                (
                    e.id.to_string(),
                    e.title,
                    s.datetime(&e.starts_at),
                    state,
                    r.state.code(),
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(PortalPanel {
        line,
        announcements,
        events,
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
