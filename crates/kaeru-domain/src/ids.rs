//! Identifiers: UUIDv7, so URLs never reveal a sequence.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! id_type {
    ($name:ident) => {
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

id_type!(CompanyId);
id_type!(StaffUserId);
id_type!(PersonId);
id_type!(StintId);
id_type!(OfferId);
id_type!(MissionId);
id_type!(CheckInId);
id_type!(SkillId);
id_type!(PersonSkillId);
id_type!(OpeningId);
id_type!(CareerId);
id_type!(TouchpointId);
id_type!(EngagementId);
id_type!(VentureId);
id_type!(SupportId);
id_type!(DealId);
id_type!(SideJobId);
id_type!(RelationId);
id_type!(ContributionId);
id_type!(AnnouncementId);
id_type!(SegmentId);
id_type!(DeliveryId);
id_type!(EventId);
id_type!(RsvpId);
id_type!(ResponseId);
