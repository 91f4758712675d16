//! sea-orm entities: the rows as stored. Repositories turn them into domain types.

pub mod audit_entry;
pub mod career;
pub mod comeback;
pub mod company;
pub mod employment_stint;
pub mod learning_mission;
pub mod match_setting;
pub mod mission_check_in;
pub mod offer_policy;
pub mod opening;
pub mod opening_skill;
pub mod person;
pub mod person_email;
pub mod person_skill;
pub mod rate_limit;
pub mod return_offer;
pub mod schedule;
pub mod session;
pub mod skill;
pub mod skill_need;
pub mod staff_user;
