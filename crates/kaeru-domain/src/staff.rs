//! Staff users: the people who sign in to run Kaeru for a company, and what each role may do.

use crate::company::Language;
use crate::ids::{CompanyId, StaffUserId};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// 社長: everything, including staff accounts and company settings.
    Owner,
    /// 人事: people, stints and the confidential rehire reasons.
    Hr,
    /// マネージャー: reads people and their history.
    Manager,
    /// 閲覧者: reads people.
    Viewer,
}

/// Things a staff user may do; each page and action asks for one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permission {
    ViewPeople,
    EditPeople,
    /// See and write the reason behind a rehire judgement.
    SeeRehireReason,
    ManageStaff,
    ManageCompany,
    /// Create, issue and close return offers; add missions and check-ins.
    ManageOffers,
    /// The outbox, deletion requests and erasure, the retention list (APPI duties of HR).
    ManagePersonalData,
    /// Record a side job application (a manager does it for a member of the team).
    ApplySideJob,
    /// Approve or reject a side job application.
    DecideSideJob,
    /// Create and revoke the company's API tokens (a token reads everything HR can).
    ManageApiTokens,
    /// Write announcements to many people, build segments, send them.
    SendAnnouncements,
    /// Create and change events, invite, see replies, news and accounts.
    ManageEvents,
    /// Receive attendees at the door (check-in, walk-ins).
    CheckInAttendees,
    /// See who raised a hand quietly for an opening (こっそり興味あり), and start a comeback from it.
    SeeInterest,
    /// The analytics pages and the monthly report: the company's turnover, returns and what they are worth.
    SeeAnalytics,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Owner, Role::Hr, Role::Manager, Role::Viewer];

    pub fn code(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Hr => "hr",
            Role::Manager => "manager",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == s.trim())
    }

    pub fn can(self, permission: Permission) -> bool {
        use Permission::*;
        match self {
            Role::Owner => true,
            Role::Hr => matches!(
                permission,
                ViewPeople
                    | EditPeople
                    | SeeRehireReason
                    | ManageOffers
                    | ManagePersonalData
                    | ApplySideJob
                    | DecideSideJob
                    | ManageApiTokens
                    | SendAnnouncements
                    | ManageEvents
                    | CheckInAttendees
                    | SeeInterest
                    | SeeAnalytics
            ),
            Role::Manager => matches!(permission, ViewPeople | ApplySideJob | CheckInAttendees),
            Role::Viewer => matches!(permission, ViewPeople),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StaffUser {
    pub id: StaffUserId,
    pub company_id: CompanyId,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    /// The user's own choice; `None` follows the company default.
    pub language: Option<Language>,
    pub active: bool,
}

impl StaffUser {
    pub fn can(&self, permission: Permission) -> bool {
        self.active && self.role.can(permission)
    }
}

/// A password a user chose: long enough, not absurdly long (argon2 input is bounded).
pub fn parse_new_password(input: &str) -> Result<String, crate::Invalid> {
    let n = input.chars().count();
    if n < 10 {
        return Err(crate::Invalid::new("error.password_short").with("min", 10));
    }
    if n > 200 {
        return Err(crate::Invalid::new("error.too_long").with("max", 200));
    }
    Ok(input.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_owner_manages_staff_and_only_owner_and_hr_edit_people() {
        assert!(Role::Owner.can(Permission::ManageStaff));
        assert!(!Role::Hr.can(Permission::ManageStaff));
        assert!(Role::Hr.can(Permission::EditPeople));
        assert!(Role::Hr.can(Permission::SeeRehireReason));
        assert!(!Role::Manager.can(Permission::EditPeople));
        assert!(!Role::Manager.can(Permission::SeeRehireReason));
        assert!(Role::Viewer.can(Permission::ViewPeople));
        assert!(!Role::Viewer.can(Permission::EditPeople));
        assert!(Role::Manager.can(Permission::ApplySideJob));
        assert!(!Role::Manager.can(Permission::DecideSideJob));
        assert!(Role::Hr.can(Permission::DecideSideJob));
        assert!(!Role::Viewer.can(Permission::ApplySideJob));
    }

    #[test]
    fn passwords_have_a_minimum_length() {
        assert!(parse_new_password("short").is_err());
        assert!(parse_new_password("long enough pass").is_ok());
    }
}
