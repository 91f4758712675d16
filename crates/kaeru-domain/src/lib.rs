//! Kaeru's domain: pure types and rules for companies, staff, people and their employment stints. No I/O.

#[macro_use]
pub mod coded;
pub mod comeback;
pub mod company;
pub mod ids;
pub mod offer;
pub mod person;
pub mod staff;
pub mod stint;
pub mod validation;

pub use comeback::{Comeback, ComebackId, ComebackMove, ComebackStage};
pub use company::{Company, CompanySettings, Language, Slug, TimeZoneName};
pub use ids::{CheckInId, CompanyId, MissionId, OfferId, PersonId, StaffUserId, StintId};
pub use offer::{
    OfferAction, OfferDraft, OfferInput, OfferPolicy, OfferStatus, OfferTerm, ReturnOffer,
};
pub use person::{Person, PersonDraft, PersonInput, PersonStatus};
pub use staff::{Permission, Role, StaffUser};
pub use stint::{
    EmploymentStint, EmploymentType, LeaveReason, RehireEligibility, StintDraft, StintInput,
};
pub use validation::{FieldErrors, Invalid};
