//! A deterministic synthetic company of N people (names with readings and romaji, departments, notes, current
//! employers, skills with levels and dates, return intent, offers), for benchmarks and `kaeru demo --people N`.
//! A small linear congruential generator keeps it free of dependencies and identical on every machine.

use crate::{Holding, MatchDoc, SearchDoc, kana_sort_key};
use chrono::{Duration, NaiveDate};
use kaeru_domain::{RehireEligibility, ReturnIntent, SkillId, WorkStyle};

pub const FAMILY: &[(&str, &str, &str)] = &[
    ("佐藤", "さとう", "Sato"),
    ("鈴木", "すずき", "Suzuki"),
    ("高橋", "たかはし", "Takahashi"),
    ("田中", "たなか", "Tanaka"),
    ("伊藤", "いとう", "Ito"),
    ("渡辺", "わたなべ", "Watanabe"),
    ("山本", "やまもと", "Yamamoto"),
    ("中村", "なかむら", "Nakamura"),
    ("小林", "こばやし", "Kobayashi"),
    ("加藤", "かとう", "Kato"),
    ("吉田", "よしだ", "Yoshida"),
    ("山田", "やまだ", "Yamada"),
    ("佐々木", "ささき", "Sasaki"),
    ("山口", "やまぐち", "Yamaguchi"),
    ("松本", "まつもと", "Matsumoto"),
    ("井上", "いのうえ", "Inoue"),
    ("木村", "きむら", "Kimura"),
    ("林", "はやし", "Hayashi"),
    ("清水", "しみず", "Shimizu"),
    ("森", "もり", "Mori"),
];

pub const GIVEN: &[(&str, &str, &str)] = &[
    ("太郎", "たろう", "Taro"),
    ("翔", "しょう", "Sho"),
    ("大輔", "だいすけ", "Daisuke"),
    ("健太", "けんた", "Kenta"),
    ("花子", "はなこ", "Hanako"),
    ("陽子", "ようこ", "Yoko"),
    ("美咲", "みさき", "Misaki"),
    ("愛", "あい", "Ai"),
    ("拓也", "たくや", "Takuya"),
    ("直樹", "なおき", "Naoki"),
    ("由美", "ゆみ", "Yumi"),
    ("結衣", "ゆい", "Yui"),
    ("歩", "あゆみ", "Ayumi"),
    ("和也", "かずや", "Kazuya"),
];

pub const DEPARTMENTS: &[&str] = &["製造", "品質管理", "営業", "設計", "総務"];

pub const NOTES: &[&str] = &[
    "デジタルマーケティングの経験あり",
    "商工会で再会",
    "独立して工房を開業",
    "子育てが落ち着いたら週3日なら働ける",
    "",
    "",
    "",
];

pub const EMPLOYERS: &[(&str, &str)] = &[
    ("株式会社みらいデジタル", "広告"),
    ("東海ソリューションズ株式会社", "IT"),
    ("浜名湖オンラインストア", "小売"),
    ("遠州テクノ設計", "製造"),
    ("東海自動車部品株式会社", "自動車部品"),
];

/// The skills of the synthetic catalogue, by index.
pub const SKILLS: &[&str] = &[
    "NC旋盤",
    "マシニングセンタ",
    "溶接",
    "CAD",
    "3次元CAD",
    "品質管理",
    "生産管理",
    "提案営業",
    "デジタルマーケティング",
    "ECサイト運営",
    "経理",
    "労務管理",
    "業務システム",
    "英語",
    "フォークリフト",
];

/// Index of デジタルマーケティング in [`SKILLS`].
pub const DIGITAL_MARKETING: usize = 8;

struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

#[derive(Clone, Debug)]
pub struct SyntheticSkill {
    pub skill: usize,
    pub level: u8,
    pub assessed_on: NaiveDate,
    pub after_leaving: bool,
}

#[derive(Clone, Debug)]
pub struct SyntheticPerson {
    pub n: usize,
    pub family: &'static str,
    pub given: &'static str,
    pub family_kana: &'static str,
    pub given_kana: &'static str,
    pub romaji: String,
    pub email: String,
    pub department: &'static str,
    pub note: &'static str,
    pub started: NaiveDate,
    /// `None` for current employees.
    pub left: Option<NaiveDate>,
    pub rehire: RehireEligibility,
    pub employer: Option<(&'static str, &'static str)>,
    pub skills: Vec<SyntheticSkill>,
    pub intent: Option<ReturnIntent>,
    pub work_style: Option<WorkStyle>,
    pub days_per_week: Option<i32>,
    pub last_contact_on: Option<NaiveDate>,
    pub offer: bool,
}

/// `n` people, about a quarter of them current employees, the rest alumni.
pub fn people(n: usize, today: NaiveDate) -> Vec<SyntheticPerson> {
    let mut r = Lcg(0x006b_6165_7275);
    (0..n)
        .map(|i| {
            let (f, fk, fr) = FAMILY[i % FAMILY.len()];
            let (g, gk, gr) = GIVEN[(i / FAMILY.len() + i / 7) % GIVEN.len()];
            let started = today - Duration::days(400 + r.below(7000) as i64);
            let employee = r.chance(25);
            let left = (!employee).then(|| {
                (started + Duration::days(200 + r.below(3000) as i64))
                    .min(today - Duration::days(20))
            });
            let mut skills = Vec::new();
            for _ in 0..(1 + r.below(3)) {
                let skill = r.below(SKILLS.len() as u64) as usize;
                if skills.iter().any(|s: &SyntheticSkill| s.skill == skill) {
                    continue;
                }
                let after = left.is_some() && r.chance(35);
                let base = left.unwrap_or(today);
                let assessed_on = if after {
                    (base + Duration::days(r.below(2000) as i64)).min(today)
                } else {
                    base - Duration::days(r.below(700) as i64)
                };
                skills.push(SyntheticSkill {
                    skill,
                    level: 1 + r.below(5) as u8,
                    assessed_on,
                    after_leaving: after,
                });
            }
            let alumnus = left.is_some();
            let intent = (alumnus && r.chance(50)).then(|| match r.below(4) {
                0 => ReturnIntent::Now,
                1 => ReturnIntent::WithinYear,
                2 => ReturnIntent::Someday,
                _ => ReturnIntent::NotNow,
            });
            let work_style = intent.map(|_| match r.below(3) {
                0 => WorkStyle::FullTime,
                1 => WorkStyle::PartWeek,
                _ => WorkStyle::Contract,
            });
            SyntheticPerson {
                n: i,
                family: f,
                given: g,
                family_kana: fk,
                given_kana: gk,
                romaji: format!("{gr} {fr}"),
                email: format!("p{i}@example.jp"),
                department: DEPARTMENTS[i % DEPARTMENTS.len()],
                note: NOTES[i % NOTES.len()],
                started,
                left,
                rehire: match r.below(10) {
                    0 => RehireEligibility::NotEligible,
                    1..=3 => RehireEligibility::CaseByCase,
                    _ => RehireEligibility::Welcome,
                },
                employer: (alumnus && r.chance(40))
                    .then(|| EMPLOYERS[r.below(EMPLOYERS.len() as u64) as usize]),
                skills,
                intent,
                work_style,
                days_per_week: (work_style == Some(WorkStyle::PartWeek))
                    .then(|| 2 + r.below(3) as i32),
                last_contact_on: (alumnus && r.chance(60))
                    .then(|| today - Duration::days(r.below(1500) as i64)),
                offer: alumnus && r.chance(15),
            }
        })
        .collect()
}

impl SyntheticPerson {
    pub fn search_doc(&self) -> SearchDoc {
        let mut other = vec![self.department.to_string(), self.email.clone()];
        if !self.note.is_empty() {
            other.push(self.note.to_string());
        }
        if let Some((e, ind)) = self.employer {
            other.push(e.to_string());
            other.push(ind.to_string());
        }
        other.extend(self.skills.iter().map(|s| SKILLS[s.skill].to_string()));
        SearchDoc {
            id: uuid::Uuid::from_u128(self.n as u128 + 1),
            names: vec![
                format!("{} {}", self.family, self.given),
                format!("{} {}", self.family_kana, self.given_kana),
                self.romaji.clone(),
            ],
            other,
            sort_key: kana_sort_key(self.family_kana, self.given_kana),
        }
    }

    /// `None` for current employees: only alumni are matched.
    pub fn match_doc(&self, skill_ids: &[SkillId]) -> Option<MatchDoc> {
        self.left?;
        Some(MatchDoc {
            id: uuid::Uuid::from_u128(self.n as u128 + 1),
            sort_key: kana_sort_key(self.family_kana, self.given_kana),
            skills: self
                .skills
                .iter()
                .map(|s| Holding {
                    skill: skill_ids[s.skill],
                    level: s.level,
                    assessed_on: s.assessed_on,
                    after_leaving: s.after_leaving,
                })
                .collect(),
            intent: self.intent,
            work_style: self.work_style,
            days_per_week: self.days_per_week,
            last_contact_on: self.last_contact_on,
            offer_active: self.offer,
            mission_done: false,
            rehire: Some(self.rehire),
            rehire_exception: false,
            no_rehire_consent: false,
        })
    }
}
