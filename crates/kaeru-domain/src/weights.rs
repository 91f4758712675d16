//! How much each part of a match counts, set per company.

use crate::validation::{FieldErrors, Invalid};
use serde::{Deserialize, Serialize};

/// How much each part of a match counts, 0–100 each. Not all zero.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchWeights {
    pub skill: u8,
    pub intent: u8,
    pub offer: u8,
    pub mission: u8,
    pub rehire: u8,
    pub contact: u8,
    pub work_style: u8,
}

impl Default for MatchWeights {
    fn default() -> Self {
        Self {
            skill: 40,
            intent: 15,
            offer: 10,
            mission: 5,
            rehire: 10,
            contact: 10,
            work_style: 10,
        }
    }
}

impl MatchWeights {
    pub const FIELDS: [&'static str; 7] = [
        "skill",
        "intent",
        "offer",
        "mission",
        "rehire",
        "contact",
        "work_style",
    ];

    pub fn get(&self, field: &str) -> u8 {
        match field {
            "skill" => self.skill,
            "intent" => self.intent,
            "offer" => self.offer,
            "mission" => self.mission,
            "rehire" => self.rehire,
            "contact" => self.contact,
            "work_style" => self.work_style,
            _ => 0,
        }
    }

    pub fn total(&self) -> u32 {
        Self::FIELDS.iter().map(|f| u32::from(self.get(f))).sum()
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct WeightsInput {
    pub skill: String,
    pub intent: String,
    pub offer: String,
    pub mission: String,
    pub rehire: String,
    pub contact: String,
    pub work_style: String,
}

impl WeightsInput {
    pub fn from_weights(w: &MatchWeights) -> Self {
        Self {
            skill: w.skill.to_string(),
            intent: w.intent.to_string(),
            offer: w.offer.to_string(),
            mission: w.mission.to_string(),
            rehire: w.rehire.to_string(),
            contact: w.contact.to_string(),
            work_style: w.work_style.to_string(),
        }
    }

    pub fn get(&self, field: &str) -> &str {
        match field {
            "skill" => &self.skill,
            "intent" => &self.intent,
            "offer" => &self.offer,
            "mission" => &self.mission,
            "rehire" => &self.rehire,
            "contact" => &self.contact,
            "work_style" => &self.work_style,
            _ => "",
        }
    }

    pub fn parse(&self) -> Result<MatchWeights, FieldErrors> {
        let mut e = FieldErrors::new();
        let mut one = |field: &'static str, s: &str| -> u8 {
            let t = s.trim();
            if t.is_empty() {
                return 0;
            }
            match t.parse::<u8>() {
                Ok(n) if n <= 100 => n,
                _ => {
                    e.add(field, Invalid::new("error.weight"));
                    0
                }
            }
        };
        let w = MatchWeights {
            skill: one("skill", &self.skill),
            intent: one("intent", &self.intent),
            offer: one("offer", &self.offer),
            mission: one("mission", &self.mission),
            rehire: one("rehire", &self.rehire),
            contact: one("contact", &self.contact),
            work_style: one("work_style", &self.work_style),
        };
        if e.is_empty() && w.total() == 0 {
            e.add("skill", Invalid::new("error.weights_all_zero"));
        }
        e.into_result()?;
        Ok(w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_cannot_all_be_zero_or_above_100() {
        let zero = WeightsInput::from_weights(&MatchWeights {
            skill: 0,
            intent: 0,
            offer: 0,
            mission: 0,
            rehire: 0,
            contact: 0,
            work_style: 0,
        });
        assert_eq!(
            zero.parse().unwrap_err().get("skill").unwrap().key,
            "error.weights_all_zero"
        );
        let mut big = WeightsInput::from_weights(&MatchWeights::default());
        big.intent = "101".into();
        assert!(big.parse().unwrap_err().get("intent").is_some());
        assert_eq!(
            WeightsInput::from_weights(&MatchWeights::default())
                .parse()
                .unwrap(),
            MatchWeights::default()
        );
    }
}
