//! 起業支援: a leaver's venture, the support the company gives it (funding, client introductions, technical
//! guidance, equipment or space lent) and what comes back (the venture as a client, supplier or partner, with
//! deal amounts over time).

use crate::network::MAX_DEAL_YEN;
use crate::validation::{self as v, FieldErrors, Invalid};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

coded_enum!(
    /// 準備中 → 創業 → 成長, or 撤退 (closed).
    VentureStage {
        Preparing = "preparing",
        Founded = "founded",
        Growing = "growing",
        Withdrawn = "withdrawn",
    }
);

coded_enum!(
    /// What the company gave.
    SupportKind {
        /// 出資・融資 (yen)
        Funding = "funding",
        /// 取引先の紹介 (which client, outcome)
        ClientIntro = "client_intro",
        /// 技術指導 (hours, by whom)
        Guidance = "guidance",
        /// 設備・場所の貸与
        Equipment = "equipment",
    }
);

coded_enum!(
    /// What the venture became to the company.
    VentureRelation {
        /// 顧客: it buys from us.
        Client = "client",
        /// 仕入先: we buy from it.
        Supplier = "supplier",
        /// 協業先: work done together.
        Partner = "partner",
    }
);

impl VentureRelation {
    /// Business the company received (a client's order, a partnership's share), as opposed to what it bought.
    pub fn is_received(self) -> bool {
        !matches!(self, Self::Supplier)
    }
}

/// Hours of guidance in one entry, at most.
pub const MAX_GUIDANCE_HOURS: i64 = 2_000;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Venture {
    pub id: crate::VentureId,
    pub person_id: crate::PersonId,
    pub name: String,
    pub field: Option<String>,
    pub founded_on: Option<NaiveDate>,
    pub stage: VentureStage,
    pub website: Option<String>,
    pub note: Option<String>,
    /// Set when the stage became 撤退.
    pub closed_on: Option<NaiveDate>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Support {
    pub id: crate::SupportId,
    pub venture_id: crate::VentureId,
    pub kind: SupportKind,
    pub on: NaiveDate,
    pub amount_yen: Option<i64>,
    pub hours: Option<i64>,
    pub client: Option<String>,
    pub outcome: Option<String>,
    pub by: Option<String>,
    pub description: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Deal {
    pub id: crate::DealId,
    pub venture_id: crate::VentureId,
    pub relation: VentureRelation,
    pub on: NaiveDate,
    pub amount_yen: i64,
    pub description: Option<String>,
}

/// What a venture got and brought, summed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct VentureTotals {
    pub funding_yen: i64,
    pub introductions: usize,
    pub guidance_hours: i64,
    pub equipment: usize,
    /// Deals as client or partner.
    pub received_yen: i64,
    /// Deals as supplier.
    pub purchased_yen: i64,
}

impl VentureTotals {
    pub fn of(support: &[Support], deals: &[Deal]) -> Self {
        let mut t = Self::default();
        for s in support {
            match s.kind {
                SupportKind::Funding => t.funding_yen += s.amount_yen.unwrap_or(0),
                SupportKind::ClientIntro => t.introductions += 1,
                SupportKind::Guidance => t.guidance_hours += s.hours.unwrap_or(0),
                SupportKind::Equipment => t.equipment += 1,
            }
        }
        for d in deals {
            if d.relation.is_received() {
                t.received_yen += d.amount_yen;
            } else {
                t.purchased_yen += d.amount_yen;
            }
        }
        t
    }

    pub fn add(&mut self, o: &Self) {
        self.funding_yen += o.funding_yen;
        self.introductions += o.introductions;
        self.guidance_hours += o.guidance_hours;
        self.equipment += o.equipment;
        self.received_yen += o.received_yen;
        self.purchased_yen += o.purchased_yen;
    }
}

/// A date that defaults to today and may not lie in the future.
fn up_to_today(
    e: &mut FieldErrors,
    field: &'static str,
    input: &str,
    today: NaiveDate,
) -> NaiveDate {
    match v::optional_date(input) {
        Ok(Some(d)) if d > today => {
            e.add(field, Invalid::new("error.date_future"));
            today
        }
        Ok(d) => d.unwrap_or(today),
        Err(inv) => {
            e.add(field, inv);
            today
        }
    }
}

/// A whole number within a range (hours, days), full-width digits accepted.
pub fn optional_count(input: &str, min: i64, max: i64) -> Result<Option<i64>, Invalid> {
    let s: String = input
        .trim()
        .chars()
        .filter(|c| !matches!(c, ',' | '，' | ' ' | '　'))
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect();
    let s = s.trim_end_matches(['時', '間', 'h']);
    if s.is_empty() {
        return Ok(None);
    }
    match s.parse::<i64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(Some(n)),
        _ => Err(Invalid::new("error.number_range")
            .with("min", min)
            .with("max", max)),
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct VentureInput {
    pub name: String,
    pub field: String,
    pub founded_on: String,
    pub stage: String,
    pub website: String,
    pub note: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VentureDraft {
    pub name: String,
    pub field: Option<String>,
    pub founded_on: Option<NaiveDate>,
    pub stage: VentureStage,
    pub website: Option<String>,
    pub note: Option<String>,
}

impl VentureInput {
    pub fn from_venture(v: &Venture) -> Self {
        Self {
            name: v.name.clone(),
            field: v.field.clone().unwrap_or_default(),
            founded_on: v.founded_on.map(|d| d.to_string()).unwrap_or_default(),
            stage: v.stage.code().into(),
            website: v.website.clone().unwrap_or_default(),
            note: v.note.clone().unwrap_or_default(),
        }
    }

    pub fn parse(&self, today: NaiveDate) -> Result<VentureDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let name = e.check("name", v::required_line(&self.name, 120));
        let field = e
            .check("field", v::optional_line(&self.field, 80))
            .flatten();
        let stage = VentureStage::parse(&self.stage);
        if stage.is_none() {
            e.add("stage", Invalid::new("error.choice"));
        }
        let founded_on = e
            .check("founded_on", v::optional_date(&self.founded_on))
            .flatten();
        // Only a venture still in preparation may have a founding date ahead.
        if let (Some(d), Some(s)) = (founded_on, stage)
            && d > today
            && s != VentureStage::Preparing
        {
            e.add("founded_on", Invalid::new("error.founded_future"));
        }
        let website = e
            .check("website", v::optional_url(&self.website, &[]))
            .flatten();
        let note = e
            .check("note", v::optional_text(&self.note, 2000))
            .flatten();
        let (Some(name), Some(stage)) = (name, stage) else {
            return Err(e);
        };
        if !e.is_empty() {
            return Err(e);
        }
        Ok(VentureDraft {
            name,
            field,
            founded_on,
            stage,
            website,
            note,
        })
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SupportInput {
    pub kind: String,
    pub on: String,
    pub amount_yen: String,
    pub hours: String,
    pub client: String,
    pub outcome: String,
    pub by: String,
    pub description: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SupportDraft {
    pub kind: SupportKind,
    pub on: NaiveDate,
    pub amount_yen: Option<i64>,
    pub hours: Option<i64>,
    pub client: Option<String>,
    pub outcome: Option<String>,
    pub by: Option<String>,
    pub description: Option<String>,
}

impl SupportInput {
    /// Each kind asks for its own figure: funding an amount, an introduction the client, guidance the
    /// hours, equipment what was lent.
    pub fn parse(&self, today: NaiveDate) -> Result<SupportDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let kind = SupportKind::parse(&self.kind);
        if kind.is_none() {
            e.add("kind", Invalid::new("error.choice"));
        }
        let on = up_to_today(&mut e, "on", &self.on, today);
        let by = e.check("by", v::optional_line(&self.by, 100)).flatten();
        let description = e
            .check("description", v::optional_text(&self.description, 1000))
            .flatten();
        let mut d = SupportDraft {
            kind: kind.unwrap_or(SupportKind::Funding),
            on,
            amount_yen: None,
            hours: None,
            client: None,
            outcome: None,
            by,
            description,
        };
        match kind {
            Some(SupportKind::Funding) => {
                d.amount_yen = e
                    .check(
                        "amount_yen",
                        v::optional_yen(&self.amount_yen, MAX_DEAL_YEN),
                    )
                    .flatten();
                if d.amount_yen.is_none() && e.get("amount_yen").is_none() {
                    e.add(
                        "amount_yen",
                        Invalid::new("error.yen_range").with("max", v::group_digits(MAX_DEAL_YEN)),
                    );
                }
            }
            Some(SupportKind::ClientIntro) => {
                d.client = e.check("client", v::required_line(&self.client, 120));
                d.outcome = e
                    .check("outcome", v::optional_line(&self.outcome, 200))
                    .flatten();
            }
            Some(SupportKind::Guidance) => {
                d.hours = e
                    .check("hours", optional_count(&self.hours, 1, MAX_GUIDANCE_HOURS))
                    .flatten();
                if d.hours.is_none() && e.get("hours").is_none() {
                    e.add(
                        "hours",
                        Invalid::new("error.number_range")
                            .with("min", 1)
                            .with("max", MAX_GUIDANCE_HOURS),
                    );
                }
            }
            Some(SupportKind::Equipment)
                if d.description.is_none() && e.get("description").is_none() =>
            {
                e.add("description", Invalid::new("error.required"));
            }
            Some(SupportKind::Equipment) | None => {}
        }
        if e.is_empty() { Ok(d) } else { Err(e) }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DealInput {
    pub relation: String,
    pub deal_on: String,
    pub deal_amount: String,
    pub deal_description: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DealDraft {
    pub relation: VentureRelation,
    pub on: NaiveDate,
    pub amount_yen: i64,
    pub description: Option<String>,
}

impl DealInput {
    pub fn parse(&self, today: NaiveDate) -> Result<DealDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let relation = VentureRelation::parse(&self.relation);
        if relation.is_none() {
            e.add("relation", Invalid::new("error.choice"));
        }
        let on = up_to_today(&mut e, "deal_on", &self.deal_on, today);
        let amount = e
            .check(
                "deal_amount",
                v::optional_yen(&self.deal_amount, MAX_DEAL_YEN),
            )
            .flatten();
        if amount.is_none() && e.get("deal_amount").is_none() {
            e.add(
                "deal_amount",
                Invalid::new("error.yen_range").with("max", v::group_digits(MAX_DEAL_YEN)),
            );
        }
        let description = e
            .check(
                "deal_description",
                v::optional_line(&self.deal_description, 200),
            )
            .flatten();
        match (relation, amount) {
            (Some(relation), Some(amount_yen)) if e.is_empty() => Ok(DealDraft {
                relation,
                on,
                amount_yen,
                description,
            }),
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
    }

    #[test]
    fn a_venture_needs_a_name_and_a_stage_and_only_a_planned_one_is_founded_later() {
        let ok = VentureInput {
            name: "合同会社ハママツデザイン".into(),
            stage: "preparing".into(),
            founded_on: "2027-04-01".into(),
            website: "https://hamamatsu-design.example".into(),
            ..Default::default()
        };
        assert_eq!(ok.parse(today()).unwrap().stage, VentureStage::Preparing);
        let e = VentureInput {
            stage: "founded".into(),
            ..ok.clone()
        }
        .parse(today())
        .unwrap_err();
        assert_eq!(e.get("founded_on").unwrap().key, "error.founded_future");
        let e = VentureInput {
            name: " ".into(),
            stage: "bankrupt".into(),
            website: "javascript:alert(1)".into(),
            ..Default::default()
        }
        .parse(today())
        .unwrap_err();
        assert!(e.get("name").is_some() && e.get("stage").is_some() && e.get("website").is_some());
    }

    #[test]
    fn each_kind_of_support_asks_for_its_own_figure() {
        let base = SupportInput {
            kind: "funding".into(),
            amount_yen: "３,０００,０００円".into(),
            ..Default::default()
        };
        assert_eq!(base.parse(today()).unwrap().amount_yen, Some(3_000_000));
        for bad in ["-1", "0", "", "99999999999999"] {
            let e = SupportInput {
                amount_yen: bad.into(),
                ..base.clone()
            }
            .parse(today())
            .unwrap_err();
            assert_eq!(e.get("amount_yen").unwrap().key, "error.yen_range", "{bad}");
        }
        let g = SupportInput {
            kind: "guidance".into(),
            hours: "１２".into(),
            by: "製造部 鈴木".into(),
            ..Default::default()
        };
        assert_eq!(g.parse(today()).unwrap().hours, Some(12));
        let e = SupportInput {
            hours: "-3".into(),
            ..g
        }
        .parse(today())
        .unwrap_err();
        assert_eq!(e.get("hours").unwrap().key, "error.number_range");
        let e = SupportInput {
            kind: "client_intro".into(),
            on: "2026-12-24".into(),
            ..Default::default()
        }
        .parse(today())
        .unwrap_err();
        assert!(e.get("client").is_some());
        assert_eq!(e.get("on").unwrap().key, "error.date_future");
        let e = SupportInput {
            kind: "equipment".into(),
            ..Default::default()
        }
        .parse(today())
        .unwrap_err();
        assert_eq!(e.get("description").unwrap().key, "error.required");
    }

    #[test]
    fn totals_separate_what_came_in_from_what_was_bought() {
        let vid = uuid::Uuid::nil();
        let s = |kind, amount_yen, hours| Support {
            id: crate::SupportId(vid),
            venture_id: crate::VentureId(vid),
            kind,
            on: today(),
            amount_yen,
            hours,
            client: None,
            outcome: None,
            by: None,
            description: None,
        };
        let d = |relation, amount_yen| Deal {
            id: crate::DealId(vid),
            venture_id: crate::VentureId(vid),
            relation,
            on: today(),
            amount_yen,
            description: None,
        };
        let t = VentureTotals::of(
            &[
                s(SupportKind::Funding, Some(3_000_000), None),
                s(SupportKind::Guidance, None, Some(12)),
                s(SupportKind::Guidance, None, Some(8)),
                s(SupportKind::ClientIntro, None, None),
            ],
            &[
                d(VentureRelation::Client, 1_200_000),
                d(VentureRelation::Partner, 300_000),
                d(VentureRelation::Supplier, 50_000),
            ],
        );
        assert_eq!(
            (t.funding_yen, t.guidance_hours, t.introductions),
            (3_000_000, 20, 1)
        );
        assert_eq!((t.received_yen, t.purchased_yen), (1_500_000, 50_000));
        let e = DealInput {
            relation: "client".into(),
            deal_amount: "-5".into(),
            ..Default::default()
        }
        .parse(today())
        .unwrap_err();
        assert_eq!(e.get("deal_amount").unwrap().key, "error.yen_range");
    }
}
