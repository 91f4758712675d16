//! What the network brings: alumni who refer candidates or bring business, each dated, with the outcome of
//! a referral and the amount of a deal.

use crate::validation::{self as v, FieldErrors, Invalid};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

coded_enum!(
    /// 紹介 or 取引
    ContributionKind {
        Referral = "referral",
        Business = "business",
    }
);

coded_enum!(
    /// Where a referred candidate got to.
    ReferralOutcome {
        Introduced = "introduced",
        Interviewing = "interviewing",
        Hired = "hired",
        NotHired = "not_hired",
    }
);

/// The largest deal Kaeru accepts, to catch a slip of the finger (10 billion yen).
pub const MAX_DEAL_YEN: i64 = 10_000_000_000;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Contribution {
    pub id: crate::ContributionId,
    pub person_id: crate::PersonId,
    pub kind: ContributionKind,
    pub on: NaiveDate,
    pub candidate: Option<String>,
    pub opening: Option<String>,
    pub outcome: Option<ReferralOutcome>,
    pub client: Option<String>,
    pub amount_yen: Option<i64>,
    pub note: Option<String>,
    /// A referral made in the portal for one of the company's openings: the opening, how to reach the
    /// candidate and how they know each other.
    pub opening_id: Option<crate::OpeningId>,
    pub candidate_email: Option<String>,
    pub candidate_phone: Option<String>,
    pub relationship: Option<String>,
    pub from_portal: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ContributionInput {
    pub kind: String,
    pub on: String,
    pub candidate: String,
    pub opening: String,
    pub outcome: String,
    pub client: String,
    pub amount_yen: String,
    pub note: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ContributionDraft {
    pub kind: ContributionKind,
    pub on: NaiveDate,
    pub candidate: Option<String>,
    pub opening: Option<String>,
    pub outcome: Option<ReferralOutcome>,
    pub client: Option<String>,
    pub amount_yen: Option<i64>,
    pub note: Option<String>,
}

impl ContributionInput {
    pub fn parse(&self, today: NaiveDate) -> Result<ContributionDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let kind = ContributionKind::parse(&self.kind);
        if kind.is_none() {
            e.add("kind", Invalid::new("error.choice"));
        }
        let on = match v::optional_date(&self.on) {
            Ok(Some(d)) if d > today => {
                e.add("on", Invalid::new("error.date_future"));
                None
            }
            Ok(d) => Some(d.unwrap_or(today)),
            Err(inv) => {
                e.add("on", inv);
                None
            }
        };
        let note = e
            .check("note", v::optional_text(&self.note, 1000))
            .flatten();
        let mut d = ContributionDraft {
            kind: kind.unwrap_or(ContributionKind::Referral),
            on: on.unwrap_or(today),
            candidate: None,
            opening: None,
            outcome: None,
            client: None,
            amount_yen: None,
            note,
        };
        match kind {
            Some(ContributionKind::Referral) => {
                d.candidate = e.check("candidate", v::required_line(&self.candidate, 80));
                d.opening = e
                    .check("opening", v::optional_line(&self.opening, 120))
                    .flatten();
                d.outcome = match self.outcome.trim() {
                    "" => Some(ReferralOutcome::Introduced),
                    o => {
                        let parsed = ReferralOutcome::parse(o);
                        if parsed.is_none() {
                            e.add("outcome", Invalid::new("error.choice"));
                        }
                        parsed
                    }
                };
            }
            Some(ContributionKind::Business) => {
                d.client = e.check("client", v::required_line(&self.client, 120));
                d.amount_yen = e
                    .check(
                        "amount_yen",
                        v::optional_yen(&self.amount_yen, MAX_DEAL_YEN),
                    )
                    .flatten();
                if d.amount_yen.is_none() && e.get("amount_yen").is_none() {
                    e.add("amount_yen", Invalid::new("error.required"));
                }
            }
            None => {}
        }
        e.into_result()?;
        Ok(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
    }

    #[test]
    fn a_deal_needs_a_client_and_a_sensible_amount() {
        let ok = ContributionInput {
            kind: "business".into(),
            client: "浜松ロボティクス".into(),
            amount_yen: "１,２００,０００円".into(),
            ..Default::default()
        }
        .parse(today())
        .unwrap();
        assert_eq!((ok.amount_yen, ok.on), (Some(1_200_000), today()));
        for bad in ["-5", "0", "99999999999999", "たくさん"] {
            let e = ContributionInput {
                kind: "business".into(),
                client: "A社".into(),
                amount_yen: bad.into(),
                ..Default::default()
            }
            .parse(today())
            .unwrap_err();
            assert_eq!(e.get("amount_yen").unwrap().key, "error.yen_range", "{bad}");
        }
    }

    #[test]
    fn a_referral_names_the_candidate_and_is_not_in_the_future() {
        let e = ContributionInput {
            kind: "referral".into(),
            on: "2027-01-01".into(),
            ..Default::default()
        }
        .parse(today())
        .unwrap_err();
        assert!(e.get("candidate").is_some() && e.get("on").is_some());
        let ok = ContributionInput {
            kind: "referral".into(),
            candidate: "佐々木 翔".into(),
            outcome: "hired".into(),
            ..Default::default()
        }
        .parse(today())
        .unwrap();
        assert_eq!(ok.outcome, Some(ReferralOutcome::Hired));
    }
}
