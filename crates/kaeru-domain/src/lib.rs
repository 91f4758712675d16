//! Kaeru's domain: pure types and rules for companies, staff, people and their employment stints. No I/O.

#[macro_use]
pub mod coded;
pub mod analytics;
pub mod announcement;
pub mod api;
pub mod career;
pub mod comeback;
pub mod company;
pub mod engagement;
pub mod event;
pub mod ids;
pub mod job_board;
pub mod network;
pub mod offer;
pub mod opening;
pub mod outlook;
pub mod person;
pub mod portal;
pub mod side_job;
pub mod skill;
pub mod staff;
pub mod stint;
pub mod touchpoint;
pub mod validation;
pub mod venture;
pub mod weights;

pub use announcement::{
    AnnouncementDraft, AnnouncementInput, AnnouncementKind, AnnouncementStatus, ChannelPolicy,
    DeliveryChannel, DeliveryStatus, LeftOut, SegmentFilter, SegmentInput,
};
pub use api::{TokenDraft, TokenInput, TokenScope};
pub use career::{CareerDraft, CareerEntry, CareerInput};
pub use comeback::{Comeback, ComebackId, ComebackMove, ComebackStage};
pub use company::{Company, CompanySettings, Language, Slug, TimeZoneName};
pub use ids::{
    AnnouncementId, CareerId, CheckInId, CompanyId, ContributionId, DealId, DeliveryId,
    EngagementId, EventId, MissionId, OfferId, OpeningId, PersonId, PersonSkillId, RelationId,
    ResponseId, RsvpId, SegmentId, SideJobId, SkillId, StaffUserId, StintId, SupportId,
    TouchpointId, VentureId,
};
pub use offer::{
    OfferAction, OfferDraft, OfferInput, OfferPolicy, OfferStatus, OfferTerm, ReturnOffer,
};
pub use opening::{
    Opening, OpeningAudience, OpeningDraft, OpeningStatus, PayUnit, Remote, Requirement,
};
pub use outlook::{Outlook, ReturnIntent, WorkStyle};
pub use person::{Person, PersonDraft, PersonInput, PersonStatus};
pub use portal::{QualificationDraft, QualificationInput, RegistrationDraft, RegistrationInput};
pub use skill::{
    NeedPriority, PersonSkill, PersonSkillDraft, Skill, SkillDraft, SkillNeed, SkillOrigin,
    SkillSource,
};
pub use staff::{Permission, Role, StaffUser};
pub use stint::{
    EmploymentStint, EmploymentType, LeaveReason, RehireEligibility, StintDraft, StintInput,
};
pub use validation::{FieldErrors, Invalid};
pub use weights::MatchWeights;
