//! Matching alumni to an opening: a score out of 100 made of readable parts (skill fit with levels and recency,
//! return intent, an active return offer, a completed learning mission, rehire eligibility, recency of contact,
//! fit of the way of working), weighted per company.
//!
//! The index keeps one postings list per skill (people in 五十音 order with their best level), so a match walks
//! only the people who hold at least one of the opening's skills, merging the lists, and keeps the best in a
//! bounded heap; the reasons are written out only for the people shown.

use chrono::{Datelike, NaiveDate};
use kaeru_domain::{MatchWeights, RehireEligibility, ReturnIntent, SkillId, WorkStyle};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

/// A skill a person holds, as the store hands it over.
#[derive(Clone, Debug)]
pub struct Holding {
    pub skill: SkillId,
    pub level: u8,
    pub assessed_on: NaiveDate,
    pub after_leaving: bool,
}

/// Everything matching needs to know about one alumnus.
#[derive(Clone, Debug)]
pub struct MatchDoc {
    pub id: uuid::Uuid,
    pub sort_key: String,
    pub skills: Vec<Holding>,
    pub intent: Option<ReturnIntent>,
    pub work_style: Option<WorkStyle>,
    pub days_per_week: Option<i32>,
    pub last_contact_on: Option<NaiveDate>,
    /// An issued or acknowledged return offer whose window covers today.
    pub offer_active: bool,
    /// A learning mission whose target level was reached at a check-in.
    pub mission_done: bool,
    /// From the most recent stint that ended.
    pub rehire: Option<RehireEligibility>,
    /// 不可, but the company made an exception (an offer issued with a reason).
    pub rehire_exception: bool,
    /// Consent for 再雇用のご案内 is recorded as missing or withdrawn.
    pub no_rehire_consent: bool,
}

#[derive(Clone, Copy)]
struct Posting {
    doc: u32,
    level: u8,
    /// Days since the Common Era of the assessment, for recency.
    day: i32,
    after_leaving: bool,
    /// Recency of the assessment on the day the index was built.
    recency: f32,
}

#[derive(Clone)]
struct Facts {
    id: uuid::Uuid,
    intent: Option<ReturnIntent>,
    work_style: Option<WorkStyle>,
    days_per_week: Option<i32>,
    last_contact_day: Option<i32>,
    offer_active: bool,
    mission_done: bool,
    rehire: Option<RehireEligibility>,
    rehire_exception: bool,
    no_rehire_consent: bool,
    /// The parts that do not depend on the opening (intent, offer, mission, rehire, contact), for the day the
    /// index was built.
    fixed: [f32; 5],
}

impl Facts {
    fn fixed_parts(&self, today: i32) -> [f32; 5] {
        [
            intent_score(self.intent),
            if self.offer_active { 1.0 } else { 0.0 },
            if self.mission_done { 1.0 } else { 0.0 },
            rehire_score(self.rehire, self.rehire_exception),
            contact_score(today, self.last_contact_day),
        ]
    }
}

/// The matching index of one company at one revision, for one day.
pub struct MatchIndex {
    docs: Vec<Facts>,
    /// Each person's place in `docs`.
    by_id: HashMap<uuid::Uuid, u32>,
    postings: HashMap<SkillId, Vec<Posting>>,
    day: i32,
    /// People reachable through `by_id` (patches leave the facts of people who left behind).
    live: usize,
}

/// What an opening asks for.
#[derive(Clone, Debug)]
pub struct MatchQuery {
    /// (skill, required, minimum level)
    pub skills: Vec<(SkillId, bool, u8)>,
    pub work_style: WorkStyle,
    pub days_per_week: Option<i32>,
    pub weights: MatchWeights,
    pub today: NaiveDate,
    pub limit: usize,
}

/// Why one part of the score is what it is.
#[derive(Clone, Debug, PartialEq)]
pub enum Detail {
    /// A required skill at or above the minimum level.
    SkillMet {
        skill: SkillId,
        level: u8,
        min: u8,
        years: u32,
        after_leaving: bool,
    },
    /// A required skill below the minimum level.
    SkillBelow {
        skill: SkillId,
        level: u8,
        min: u8,
    },
    /// A required skill not held at all.
    SkillMissing {
        skill: SkillId,
    },
    /// A nice-to-have skill held.
    NiceHeld {
        skill: SkillId,
        level: u8,
        after_leaving: bool,
    },
    Intent(Option<ReturnIntent>),
    Offer(bool),
    Mission(bool),
    Rehire(Option<RehireEligibility>, bool),
    /// Days since the last contact, if any.
    Contact(Option<i64>),
    Work(Option<WorkStyle>, Option<i32>),
}

/// One part of a score.
#[derive(Clone, Debug, PartialEq)]
pub struct Reason {
    /// `skill`, `intent`, `offer`, `mission`, `rehire`, `contact` or `work_style`.
    pub part: &'static str,
    /// Points this part gave, out of the whole 100.
    pub points: f32,
    /// Points it could have given.
    pub max: f32,
    pub details: Vec<Detail>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Match {
    pub id: uuid::Uuid,
    /// 0–100.
    pub score: f32,
    pub reasons: Vec<Reason>,
    /// Required skills the person meets, out of how many the opening requires.
    pub required_met: usize,
    /// Why the person is shown apart, if they are: `not_eligible` (再雇用不可) or `no_consent`.
    pub excluded: Option<&'static str>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MatchError {
    /// The opening names no skill, so there is nothing to match on.
    NoSkills,
}

#[derive(Debug, Default)]
pub struct MatchResult {
    pub ranked: Vec<Match>,
    /// People who would rank but are left out (不可 without an exception, or no consent), best first.
    pub excluded: Vec<Match>,
    /// People holding at least one of the skills.
    pub considered: usize,
}

fn day_number(d: NaiveDate) -> i32 {
    d.num_days_from_ce()
}

/// 1.0 for skills assessed in the last two years, fading to 0.5 at ten years and staying there.
fn recency(today: i32, day: i32) -> f32 {
    let years = (today - day).max(0) as f32 / 365.25;
    if years <= 2.0 {
        1.0
    } else {
        (1.0 - (years - 2.0) * 0.0625).max(0.5)
    }
}

fn intent_score(i: Option<ReturnIntent>) -> f32 {
    match i {
        Some(ReturnIntent::Now) => 1.0,
        Some(ReturnIntent::WithinYear) => 0.7,
        Some(ReturnIntent::Someday) => 0.35,
        Some(ReturnIntent::NotNow) => 0.0,
        None => 0.2,
    }
}

fn rehire_score(r: Option<RehireEligibility>, exception: bool) -> f32 {
    match r {
        Some(RehireEligibility::Welcome) => 1.0,
        Some(RehireEligibility::CaseByCase) | None => 0.5,
        Some(RehireEligibility::NotEligible) if exception => 0.5,
        Some(RehireEligibility::NotEligible) => 0.0,
    }
}

/// Full marks within 90 days of the last contact, nothing after three years.
fn contact_score(today: i32, last: Option<i32>) -> f32 {
    match last {
        None => 0.0,
        Some(d) => {
            let days = (today - d).max(0) as f32;
            if days <= 90.0 {
                1.0
            } else {
                (1.0 - (days - 90.0) / (3.0 * 365.0 - 90.0)).max(0.0)
            }
        }
    }
}

fn work_score(
    opening: WorkStyle,
    days: Option<i32>,
    pref: Option<WorkStyle>,
    pref_days: Option<i32>,
) -> f32 {
    use WorkStyle::*;
    let base = match (opening, pref) {
        (_, None) => return 0.5,
        (a, Some(b)) if a == b => 1.0,
        (SideJob, Some(PartWeek | Contract)) | (PartWeek | Contract, Some(SideJob)) => 0.8,
        (PartWeek, Some(FullTime | Contract)) | (Contract, Some(PartWeek)) => 0.7,
        (FullTime, Some(PartWeek)) | (Contract, Some(FullTime)) => 0.3,
        (FullTime, Some(Contract)) | (SideJob, Some(FullTime)) => 0.2,
        (FullTime, Some(SideJob)) => 0.1,
        _ => 0.5,
    };
    // Fewer days a week than the opening asks for fits less.
    match (days, pref_days) {
        (Some(d), Some(p)) if p < d && opening != FullTime => base * 0.7,
        _ => base,
    }
}

impl MatchIndex {
    /// Builds the index for `today` (contact recency is read against it; a query for another day still answers
    /// correctly, only slower).
    pub fn build(mut docs: Vec<MatchDoc>, today: NaiveDate) -> Self {
        let day = day_number(today);
        docs.sort_by(|a, b| a.sort_key.cmp(&b.sort_key));
        let mut index = Self {
            docs: Vec::with_capacity(docs.len()),
            by_id: HashMap::with_capacity(docs.len()),
            postings: HashMap::new(),
            day,
            live: 0,
        };
        for d in docs {
            index.push(d);
        }
        for list in index.postings.values_mut() {
            list.shrink_to_fit();
        }
        index
    }

    /// The postings of one person: one per skill, the highest level, the most recent among equals.
    fn postings_of(&self, d: &MatchDoc, doc: u32) -> Vec<(SkillId, Posting)> {
        let mut best: HashMap<SkillId, &Holding> = HashMap::new();
        for h in &d.skills {
            let e = best.entry(h.skill).or_insert(h);
            if (h.level, h.assessed_on) > (e.level, e.assessed_on) {
                *e = h;
            }
        }
        best.into_iter()
            .map(|(skill, h)| {
                (
                    skill,
                    Posting {
                        doc,
                        level: h.level.clamp(1, 5),
                        day: day_number(h.assessed_on),
                        after_leaving: h.after_leaving,
                        recency: recency(self.day, day_number(h.assessed_on)),
                    },
                )
            })
            .collect()
    }

    fn facts_of(&self, d: &MatchDoc) -> Facts {
        let mut f = Facts {
            id: d.id,
            intent: d.intent,
            work_style: d.work_style,
            days_per_week: d.days_per_week,
            last_contact_day: d.last_contact_on.map(day_number),
            offer_active: d.offer_active,
            mission_done: d.mission_done,
            rehire: d.rehire,
            rehire_exception: d.rehire_exception,
            no_rehire_consent: d.no_rehire_consent,
            fixed: [0.0; 5],
        };
        f.fixed = f.fixed_parts(self.day);
        f
    }

    /// Adds a person under the next number (the postings stay sorted: it is the largest).
    fn push(&mut self, d: MatchDoc) {
        let doc = u32::try_from(self.docs.len()).unwrap_or(u32::MAX);
        for (skill, p) in self.postings_of(&d, doc) {
            self.postings.entry(skill).or_default().push(p);
        }
        let f = self.facts_of(&d);
        self.by_id.insert(d.id, doc);
        self.docs.push(f);
        self.live += 1;
    }

    /// Takes a person's postings out; their facts stay behind, unreachable.
    fn unpost(&mut self, doc: u32) {
        self.postings.retain(|_, list| {
            if let Ok(at) = list.binary_search_by_key(&doc, |p| p.doc) {
                list.remove(at);
            }
            !list.is_empty()
        });
    }

    /// Brings the index in step with a write: `changed` are the people the write touched, `docs` what the
    /// database now holds of them (someone who is no longer a former employee, or erased, has none and
    /// leaves the index). A person keeps their number, so ties keep the order they were built in.
    pub fn patch(&mut self, changed: &[uuid::Uuid], docs: Vec<MatchDoc>) {
        let mut fresh: HashMap<uuid::Uuid, MatchDoc> =
            docs.into_iter().map(|d| (d.id, d)).collect();
        let mut changed = changed.to_vec();
        changed.sort_unstable();
        changed.dedup();
        for id in &changed {
            let old = self.by_id.get(id).copied();
            match (old, fresh.remove(id)) {
                (None, None) => {}
                (Some(doc), None) => {
                    self.unpost(doc);
                    self.by_id.remove(id);
                    self.live -= 1;
                }
                (Some(doc), Some(d)) => {
                    self.unpost(doc);
                    for (skill, p) in self.postings_of(&d, doc) {
                        let list = self.postings.entry(skill).or_default();
                        let at = list.partition_point(|q| q.doc < doc);
                        list.insert(at, p);
                    }
                    let f = self.facts_of(&d);
                    if let Some(slot) = self.docs.get_mut(doc as usize) {
                        *slot = f;
                    }
                }
                (None, Some(d)) => self.push(d),
            }
        }
    }

    /// About how many bytes the index holds on the heap, for the memory budget of a node and `/metrics`.
    pub fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        self.docs.capacity() * size_of::<Facts>()
            + self.by_id.capacity() * (1 + size_of::<(uuid::Uuid, u32)>())
            + self
                .postings
                .values()
                .map(|v| {
                    1 + size_of::<(SkillId, Vec<Posting>)>() + v.capacity() * size_of::<Posting>()
                })
                .sum::<usize>()
    }

    /// True when patches have left over a tenth of the numbers unused: a rebuild is due.
    pub fn worn(&self) -> bool {
        (self.docs.len() - self.live) * 10 > self.live.max(1_000)
    }

    /// The day the index was built for.
    pub fn day(&self) -> NaiveDate {
        NaiveDate::from_num_days_from_ce_opt(self.day).unwrap_or_default()
    }

    pub fn len(&self) -> usize {
        self.live
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// One person's score and reasons for an opening, with the same parts and weights as [`Self::rank`]
    /// (the alumni portal's view of an opening). An opening that names no skill counts the skill part as
    /// neither met nor missed (half marks, no reason), so it never outranks one whose skills the person
    /// holds. `None` when the person is not in the index (not a former employee).
    pub fn explain_one(&self, person: uuid::Uuid, q: &MatchQuery) -> Option<Match> {
        let doc = *self.by_id.get(&person)?;
        let weights = if q.weights.total() == 0 {
            MatchWeights::default()
        } else {
            q.weights
        };
        let today = day_number(q.today);
        if !q.skills.is_empty() {
            return self.explain(doc, q, &weights, today);
        }
        let skill_weight = f32::from(weights.skill);
        let total = weights.total() as f32;
        let others = MatchWeights {
            skill: 0,
            ..weights
        };
        if others.total() == 0 {
            return None;
        }
        let mut m = self.explain(doc, q, &others, today)?;
        let scale = (total - skill_weight) / total;
        m.score = ((m.score * scale + 50.0 * skill_weight / total) * 10.0).round() / 10.0;
        for r in &mut m.reasons {
            r.points = (r.points * scale * 10.0).round() / 10.0;
            r.max = (r.max * scale * 10.0).round() / 10.0;
        }
        Some(m)
    }

    /// Ranks the alumni holding at least one of the query's skills; the best `limit` get their reasons.
    pub fn rank(&self, q: &MatchQuery) -> Result<MatchResult, MatchError> {
        if q.skills.is_empty() {
            return Err(MatchError::NoSkills);
        }
        let weights = if q.weights.total() == 0 {
            MatchWeights::default()
        } else {
            q.weights
        };
        let today = day_number(q.today);
        let lists: Vec<&[Posting]> = q
            .skills
            .iter()
            .map(|(s, _, _)| self.postings.get(s).map_or(&[][..], Vec::as_slice))
            .collect();
        // Each person's skill sums, accumulated list by list into dense arrays (cache-friendly, no merge).
        let n = self.docs.len();
        let mut req_sum = vec![0.0f32; n];
        let mut nice_sum = vec![0.0f32; n];
        let mut seen = vec![false; n];
        let mut considered = 0usize;
        let same_day = today == self.day;
        let (mut req_n, mut nice_n) = (0u32, 0u32);
        for ((_, required, min), list) in q.skills.iter().zip(&lists) {
            let min = (*min).clamp(1, 5);
            if *required {
                req_n += 1;
            } else {
                nice_n += 1;
            }
            for p in *list {
                let d = p.doc as usize;
                if d >= n {
                    continue;
                }
                if !seen[d] {
                    seen[d] = true;
                    considered += 1;
                }
                let r = if same_day {
                    p.recency
                } else {
                    recency(today, p.day)
                };
                if *required {
                    req_sum[d] += if p.level >= min {
                        r
                    } else {
                        0.5 * f32::from(p.level) / f32::from(min) * r
                    };
                } else {
                    nice_sum[d] += f32::from(p.level) / 5.0 * r;
                }
            }
        }
        let limit = q.limit.max(1);
        let mut best: BinaryHeap<Reverse<(u32, Reverse<u32>)>> =
            BinaryHeap::with_capacity(limit + 1);
        let mut apart: BinaryHeap<Reverse<(u32, Reverse<u32>)>> =
            BinaryHeap::with_capacity(limit + 1);
        let total = weights.total().max(1) as f32;
        // In document order, so the facts are read front to back.
        for (d, f) in self.docs.iter().enumerate() {
            if !seen[d] {
                continue;
            }
            let doc = d as u32;
            let req = if req_n > 0 {
                req_sum[d] / req_n as f32
            } else {
                0.0
            };
            let nice = if nice_n > 0 {
                nice_sum[d] / nice_n as f32
            } else {
                0.0
            };
            let skill = match (req_n, nice_n) {
                (0, _) => nice,
                (_, 0) => req,
                _ => 0.8 * req + 0.2 * nice,
            };
            let score = (skill * f32::from(weights.skill)
                + self.other_parts(f, q, &weights, today))
                / total
                * 100.0;
            let key = Reverse(((score * 1000.0) as u32, Reverse(doc)));
            let heap = if excluded(f).is_some() {
                &mut apart
            } else {
                &mut best
            };
            if heap.len() < limit {
                heap.push(key);
            } else if heap.peek().is_some_and(|min| key < *min) {
                // Better than the worst kept (a smaller Reverse is a larger score).
                heap.pop();
                heap.push(key);
            }
        }
        let explain = |heap: BinaryHeap<Reverse<(u32, Reverse<u32>)>>| -> Vec<Match> {
            let mut v: Vec<(u32, u32)> = heap
                .into_iter()
                .map(|Reverse((s, Reverse(d)))| (s, d))
                .collect();
            v.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            v.into_iter()
                .filter_map(|(_, d)| self.explain(d, q, &weights, today))
                .collect()
        };
        Ok(MatchResult {
            ranked: explain(best),
            excluded: explain(apart),
            considered,
        })
    }

    /// The weighted sum of the parts other than skill fit (not yet divided by the total weight).
    fn other_parts(&self, f: &Facts, q: &MatchQuery, w: &MatchWeights, today: i32) -> f32 {
        let fixed = if today == self.day {
            f.fixed
        } else {
            f.fixed_parts(today)
        };
        let work = work_score(q.work_style, q.days_per_week, f.work_style, f.days_per_week);
        fixed[0] * f32::from(w.intent)
            + fixed[1] * f32::from(w.offer)
            + fixed[2] * f32::from(w.mission)
            + fixed[3] * f32::from(w.rehire)
            + fixed[4] * f32::from(w.contact)
            + work * f32::from(w.work_style)
    }

    fn explain(&self, doc: u32, q: &MatchQuery, w: &MatchWeights, today: i32) -> Option<Match> {
        let f = self.docs.get(doc as usize)?;
        let levels: Vec<Option<Posting>> = q
            .skills
            .iter()
            .map(|(s, _, _)| {
                self.postings
                    .get(s)
                    .and_then(|l| l.binary_search_by_key(&doc, |p| p.doc).ok().map(|i| l[i]))
            })
            .collect();
        let (score, reasons) = self.score(f, &levels, q, w, today, true);
        let required_met = q
            .skills
            .iter()
            .zip(&levels)
            .filter(|((_, req, min), p)| *req && p.is_some_and(|p| p.level >= *min))
            .count();
        Some(Match {
            id: f.id,
            score: (score * 10.0).round() / 10.0,
            reasons,
            required_met,
            excluded: excluded(f),
        })
    }

    /// The score (0–100) and, when `explain`, the reasons.
    fn score(
        &self,
        f: &Facts,
        levels: &[Option<Posting>],
        q: &MatchQuery,
        w: &MatchWeights,
        today: i32,
        explain: bool,
    ) -> (f32, Vec<Reason>) {
        let mut req_sum = 0.0;
        let mut req_n = 0;
        let mut nice_sum = 0.0;
        let mut nice_n = 0;
        let mut skill_details = Vec::new();
        for ((skill, required, min), p) in q.skills.iter().zip(levels) {
            let min = (*min).clamp(1, 5);
            if *required {
                req_n += 1;
                match p {
                    Some(p) if p.level >= min => {
                        req_sum += recency(today, p.day);
                        if explain {
                            skill_details.push(Detail::SkillMet {
                                skill: *skill,
                                level: p.level,
                                min,
                                years: ((today - p.day).max(0) / 365) as u32,
                                after_leaving: p.after_leaving,
                            });
                        }
                    }
                    Some(p) => {
                        req_sum +=
                            0.5 * f32::from(p.level) / f32::from(min) * recency(today, p.day);
                        if explain {
                            skill_details.push(Detail::SkillBelow {
                                skill: *skill,
                                level: p.level,
                                min,
                            });
                        }
                    }
                    None => {
                        if explain {
                            skill_details.push(Detail::SkillMissing { skill: *skill });
                        }
                    }
                }
            } else {
                nice_n += 1;
                if let Some(p) = p {
                    nice_sum += f32::from(p.level) / 5.0 * recency(today, p.day);
                    if explain {
                        skill_details.push(Detail::NiceHeld {
                            skill: *skill,
                            level: p.level,
                            after_leaving: p.after_leaving,
                        });
                    }
                }
            }
        }
        let req = if req_n > 0 {
            req_sum / req_n as f32
        } else {
            0.0
        };
        let nice = if nice_n > 0 {
            nice_sum / nice_n as f32
        } else {
            0.0
        };
        let skill = match (req_n, nice_n) {
            (0, _) => nice,
            (_, 0) => req,
            _ => 0.8 * req + 0.2 * nice,
        };
        let parts: [(&'static str, f32, u8); 7] = [
            ("skill", skill, w.skill),
            ("intent", intent_score(f.intent), w.intent),
            ("offer", if f.offer_active { 1.0 } else { 0.0 }, w.offer),
            ("mission", if f.mission_done { 1.0 } else { 0.0 }, w.mission),
            (
                "rehire",
                rehire_score(f.rehire, f.rehire_exception),
                w.rehire,
            ),
            (
                "contact",
                contact_score(today, f.last_contact_day),
                w.contact,
            ),
            (
                "work_style",
                work_score(q.work_style, q.days_per_week, f.work_style, f.days_per_week),
                w.work_style,
            ),
        ];
        let total = w.total().max(1) as f32;
        let score: f32 = parts
            .iter()
            .map(|(_, v, wt)| v * f32::from(*wt))
            .sum::<f32>()
            / total
            * 100.0;
        if !explain {
            return (score, Vec::new());
        }
        let reasons = parts
            .iter()
            .filter(|(_, _, wt)| *wt > 0)
            .map(|(part, v, wt)| {
                let max = f32::from(*wt) / total * 100.0;
                let details = match *part {
                    "skill" => std::mem::take(&mut skill_details),
                    "intent" => vec![Detail::Intent(f.intent)],
                    "offer" => vec![Detail::Offer(f.offer_active)],
                    "mission" => vec![Detail::Mission(f.mission_done)],
                    "rehire" => vec![Detail::Rehire(f.rehire, f.rehire_exception)],
                    "contact" => vec![Detail::Contact(
                        f.last_contact_day.map(|d| i64::from((today - d).max(0))),
                    )],
                    _ => vec![Detail::Work(f.work_style, f.days_per_week)],
                };
                Reason {
                    part,
                    points: (v * max * 10.0).round() / 10.0,
                    max: (max * 10.0).round() / 10.0,
                    details,
                }
            })
            .collect();
        (score, reasons)
    }
}

fn excluded(f: &Facts) -> Option<&'static str> {
    if f.rehire == Some(RehireEligibility::NotEligible) && !f.rehire_exception {
        Some("not_eligible")
    } else if f.no_rehire_consent {
        Some("no_consent")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn person(n: u128, key: &str, skills: Vec<(SkillId, u8, NaiveDate)>) -> MatchDoc {
        MatchDoc {
            id: uuid::Uuid::from_u128(n),
            sort_key: key.into(),
            skills: skills
                .into_iter()
                .map(|(skill, level, assessed_on)| Holding {
                    skill,
                    level,
                    assessed_on,
                    after_leaving: true,
                })
                .collect(),
            intent: None,
            work_style: None,
            days_per_week: None,
            last_contact_on: None,
            offer_active: false,
            mission_done: false,
            rehire: None,
            rehire_exception: false,
            no_rehire_consent: false,
        }
    }

    fn query(skills: Vec<(SkillId, bool, u8)>) -> MatchQuery {
        MatchQuery {
            skills,
            work_style: WorkStyle::FullTime,
            days_per_week: None,
            weights: MatchWeights::default(),
            today: day(2026, 11, 29),
            limit: 20,
        }
    }

    #[test]
    fn the_alumna_with_the_skill_an_offer_and_now_intent_ranks_first_with_reasons() {
        let dm = SkillId::new();
        let cad = SkillId::new();
        let recent = day(2026, 6, 1);
        let mut ayumi = person(1, "さ", vec![(dm, 4, recent)]);
        ayumi.intent = Some(ReturnIntent::Now);
        ayumi.offer_active = true;
        ayumi.rehire = Some(RehireEligibility::Welcome);
        let mut kenta = person(2, "あ", vec![(dm, 3, day(2015, 1, 1))]);
        kenta.intent = Some(ReturnIntent::Someday);
        let weak = person(3, "い", vec![(dm, 1, recent)]);
        let other = person(4, "う", vec![(cad, 5, recent)]);
        let mut never = person(5, "え", vec![(dm, 5, recent)]);
        never.rehire = Some(RehireEligibility::NotEligible);
        let idx = MatchIndex::build(vec![ayumi, kenta, weak, other, never], day(2026, 11, 29));
        let r = idx.rank(&query(vec![(dm, true, 3)])).unwrap();
        let ids: Vec<u128> = r.ranked.iter().map(|m| m.id.as_u128()).collect();
        assert_eq!(ids, [1, 2, 3], "only holders of the skill, best first");
        assert_eq!(r.considered, 4);
        let first = &r.ranked[0];
        assert_eq!(first.required_met, 1);
        let skill = first.reasons.iter().find(|x| x.part == "skill").unwrap();
        assert_eq!(skill.points, skill.max, "level 4 ≥ 3, assessed this year");
        assert!(matches!(
            skill.details[0],
            Detail::SkillMet {
                level: 4,
                min: 3,
                ..
            }
        ));
        let total: f32 = first.reasons.iter().map(|x| x.points).sum();
        assert!(
            (total - first.score).abs() < 0.5,
            "{total} vs {}",
            first.score
        );
        assert!(matches!(
            r.ranked[2].reasons[0].details[0],
            Detail::SkillBelow {
                level: 1,
                min: 3,
                ..
            }
        ));
        assert_eq!(r.excluded.len(), 1);
        assert_eq!(r.excluded[0].excluded, Some("not_eligible"));
        // One person's own view agrees with the ranking, and an opening without skills still scores.
        let one = idx
            .explain_one(uuid::Uuid::from_u128(1), &query(vec![(dm, true, 3)]))
            .unwrap();
        assert_eq!(one.score, first.score);
        assert_eq!(one.reasons, first.reasons);
        let bare = idx
            .explain_one(uuid::Uuid::from_u128(1), &query(vec![]))
            .unwrap();
        assert!(bare.reasons.iter().all(|x| x.part != "skill"));
        assert!(
            bare.score < one.score,
            "an opening without skills never outranks one she fits"
        );
        assert!(
            idx.explain_one(uuid::Uuid::from_u128(99), &query(vec![(dm, true, 3)]))
                .is_none()
        );
    }

    #[test]
    fn a_side_job_fits_part_week_better_than_full_time() {
        use WorkStyle::*;
        assert_eq!(work_score(SideJob, Some(1), Some(SideJob), Some(1)), 1.0);
        assert!(
            work_score(SideJob, None, Some(PartWeek), None)
                > work_score(SideJob, None, Some(FullTime), None)
        );
        assert!(work_score(Contract, Some(3), Some(Contract), Some(2)) < 1.0);
        assert_eq!(work_score(FullTime, None, None, None), 0.5);
    }

    #[test]
    fn an_old_skill_counts_less_than_a_recent_one() {
        let dm = SkillId::new();
        let old = person(1, "あ", vec![(dm, 3, day(2012, 1, 1))]);
        let new = person(2, "い", vec![(dm, 3, day(2026, 1, 1))]);
        let idx = MatchIndex::build(vec![old, new], day(2026, 11, 29));
        let r = idx.rank(&query(vec![(dm, true, 3)])).unwrap();
        assert_eq!(r.ranked[0].id.as_u128(), 2);
        assert!(r.ranked[0].score > r.ranked[1].score);
    }

    #[test]
    fn no_skills_is_an_error_and_zero_weights_fall_back_to_defaults() {
        let idx = MatchIndex::build(vec![], day(2026, 11, 29));
        assert_eq!(idx.rank(&query(vec![])).unwrap_err(), MatchError::NoSkills);
        let dm = SkillId::new();
        let idx = MatchIndex::build(
            vec![person(1, "あ", vec![(dm, 3, day(2026, 1, 1))])],
            day(2026, 11, 29),
        );
        let mut q = query(vec![(dm, true, 1)]);
        q.weights = MatchWeights {
            skill: 0,
            intent: 0,
            offer: 0,
            mission: 0,
            rehire: 0,
            contact: 0,
            work_style: 0,
        };
        let r = idx.rank(&q).unwrap();
        assert!(r.ranked[0].score > 0.0);
    }

    #[test]
    fn ties_keep_五十音_order_and_the_limit_holds() {
        let dm = SkillId::new();
        let docs: Vec<MatchDoc> = (0..50)
            .map(|i| person(i, &format!("{i:03}"), vec![(dm, 3, day(2026, 1, 1))]))
            .collect();
        let idx = MatchIndex::build(docs, day(2026, 11, 29));
        let r = idx.rank(&query(vec![(dm, true, 3)])).unwrap();
        let ids: Vec<u128> = r.ranked.iter().map(|m| m.id.as_u128()).collect();
        assert_eq!(ids, (0..20).collect::<Vec<_>>());
    }

    #[test]
    fn the_fast_score_agrees_with_the_explained_one_on_any_day() {
        let today = day(2026, 11, 29);
        let ids: Vec<SkillId> = (0..crate::synthetic::SKILLS.len())
            .map(|_| SkillId::new())
            .collect();
        let docs: Vec<MatchDoc> = crate::synthetic::people(2000, today)
            .iter()
            .filter_map(|p| p.match_doc(&ids))
            .collect();
        let idx = MatchIndex::build(docs, today);
        for query_day in [today, day(2027, 6, 1)] {
            let mut q = query(vec![(ids[8], true, 3), (ids[7], false, 1)]);
            q.today = query_day;
            q.work_style = WorkStyle::PartWeek;
            q.days_per_week = Some(3);
            let r = idx.rank(&q).unwrap();
            assert_eq!(r.ranked.len(), 20);
            for m in &r.ranked {
                let total: f32 = m.reasons.iter().map(|x| x.points).sum();
                assert!((total - m.score).abs() < 0.6, "{total} vs {}", m.score);
            }
            let scores: Vec<f32> = r.ranked.iter().map(|m| m.score).collect();
            assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
        }
    }

    proptest::proptest! {
        /// However alumni were added, re-skilled and removed, a patched matching index ranks and explains
        /// exactly as one built afresh (ties aside, which keep the order the index was built in).
        #[test]
        fn a_patched_matching_index_ranks_as_one_built_afresh(
            start in proptest::collection::vec(proptest::collection::vec((0u8..3, 1u8..6), 0..3), 0..30),
            writes in proptest::collection::vec(
                (0u128..40, proptest::option::of(proptest::collection::vec((0u8..3, 1u8..6), 0..3))),
                1..20,
            ),
        ) {
            let skill = |k: u8| SkillId(uuid::Uuid::from_u128(1000 + u128::from(k)));
            let doc = |n: u128, held: &[(u8, u8)]| {
                person(n, &format!("{n:04}"), held.iter().map(|(k, l)| (skill(*k), *l, day(2026, 1, 1))).collect())
            };
            let mut current: std::collections::BTreeMap<u128, MatchDoc> = start
                .iter()
                .enumerate()
                .map(|(n, h)| (n as u128, doc(n as u128, h)))
                .collect();
            let today = day(2026, 11, 29);
            let mut patched = MatchIndex::build(current.values().cloned().collect(), today);
            for (id, new) in writes {
                match new {
                    Some(h) => {
                        current.insert(id, doc(id, &h));
                    }
                    None => {
                        current.remove(&id);
                    }
                }
                let who = uuid::Uuid::from_u128(id);
                patched.patch(&[who], current.get(&id).cloned().into_iter().collect());
                let fresh = MatchIndex::build(current.values().cloned().collect(), today);
                proptest::prop_assert_eq!(patched.len(), fresh.len());
                let mut q = query(vec![(skill(0), true, 3), (skill(1), false, 1)]);
                q.limit = 100;
                let key = |r: MatchResult| {
                    let mut v: Vec<(u32, uuid::Uuid)> = r.ranked.iter().map(|m| ((m.score * 10.0) as u32, m.id)).collect();
                    v.sort();
                    (v, r.considered)
                };
                proptest::prop_assert_eq!(key(patched.rank(&q).unwrap()), key(fresh.rank(&q).unwrap()));
                proptest::prop_assert_eq!(patched.explain_one(who, &q), fresh.explain_one(who, &q));
            }
        }
    }
}
