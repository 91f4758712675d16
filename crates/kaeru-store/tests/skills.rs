//! Skills, needs, the gap view, careers, outlook and the matching read on both backends.

mod common;
use chrono::NaiveDate;
use common::{company, open};
use kaeru_domain::{
    CareerDraft, EmploymentType, NeedPriority, OpeningDraft, OpeningStatus, Outlook, PersonDraft,
    PersonSkillDraft, RehireEligibility, Requirement, ReturnIntent, SkillDraft, SkillNeed,
    SkillOrigin, SkillSource, StintDraft, WorkStyle,
};
use kaeru_search::{MatchIndex, MatchQuery, SearchIndex};
use kaeru_store::{
    Actor, Clash, Db, Scope, StoreError, careers, db_test, openings, people, skills, stints,
};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn today() -> NaiveDate {
    d("2026-11-29")
}

async fn person(
    db: &Db,
    scope: &Scope,
    name: (&str, &str),
    kana: (&str, &str),
    left: Option<&str>,
) -> kaeru_domain::PersonId {
    let actor = Actor::system("test");
    let draft = PersonDraft {
        employee_number: None,
        family_name: name.0.into(),
        given_name: name.1.into(),
        family_kana: kaeru_domain::person::Kana::parse(kana.0, 50).unwrap(),
        given_kana: kaeru_domain::person::Kana::parse(kana.1, 50).unwrap(),
        romaji_name: None,
        emails: vec![],
        phone: None,
        line_id: None,
        facebook_url: None,
        linkedin_url: None,
        prefecture: None,
        city: None,
        birth_date: None,
        notes: None,
    };
    let p = people::create(db, scope, &actor, &draft).await.unwrap();
    let stint = StintDraft {
        start_date: d("2015-04-01"),
        end_date: left.map(d),
        department: Some("製造".into()),
        job_title: None,
        employment_type: EmploymentType::FullTime,
        leave_reason: None,
        leave_reason_detail: None,
        exit_interview_notes: None,
        rehire_eligibility: left.map(|_| RehireEligibility::Welcome),
        rehire_reason: None,
    };
    stints::create(db, scope, &actor, p.id, &stint, today())
        .await
        .unwrap();
    p.id
}

fn skill(name: &str, aliases: &[&str]) -> SkillDraft {
    SkillDraft {
        name: name.into(),
        category: Some("営業・マーケティング".into()),
        aliases: aliases
            .iter()
            .map(std::string::ToString::to_string)
            .collect(),
        description: None,
    }
}

fn held(skill: kaeru_domain::SkillId, level: i32, origin: SkillOrigin) -> PersonSkillDraft {
    PersonSkillDraft {
        skill_id: skill,
        level,
        origin,
        source: SkillSource::Hr,
        assessed_on: d("2026-06-01"),
        note: None,
    }
}

db_test!(
    async fn catalogue_aliases_are_unique_and_deleting_a_used_skill_needs_confirmation(target) {
        let db = open(target).await;
        let c = company(&db, "skills").await;
        let other = company(&db, "other").await;
        let actor = Actor::system("test");
        let dm = skills::create(&db, &c, &actor, &skill("デジタルマーケティング", &["Web広告運用", "SNSマーケティング"])).await.unwrap();
        // An alias of another skill (after folding width and case) is refused.
        assert!(matches!(skills::create(&db, &c, &actor, &skill("ｗｅｂ広告運用", &[])).await, Err(StoreError::Conflict(Clash::SkillNameTaken))));
        // Another company has its own catalogue.
        skills::create(&db, &other, &actor, &skill("デジタルマーケティング", &[])).await.unwrap();
        assert!(matches!(skills::get(&db, &other, dm.id).await, Err(StoreError::NotFound)));
        let cat = skills::catalogue(&db, &c).await.unwrap();
        assert_eq!(skills::resolve(&cat, "web広告運用").map(|s| s.id), Some(dm.id));
        let p = person(&db, &c, ("佐藤", "歩"), ("さとう", "あゆみ"), Some("2022-03-31")).await;
        skills::set_for_person(&db, &c, &actor, p, &held(dm.id, 2, SkillOrigin::Employment)).await.unwrap();
        skills::set_for_person(&db, &c, &actor, p, &held(dm.id, 4, SkillOrigin::AfterLeaving)).await.unwrap();
        // The same skill and origin again updates instead of duplicating.
        skills::set_for_person(&db, &c, &actor, p, &held(dm.id, 5, SkillOrigin::AfterLeaving)).await.unwrap();
        let mine = skills::for_person(&db, &c, p).await.unwrap();
        assert_eq!(mine.iter().map(|h| h.level).collect::<Vec<_>>(), [5, 2]);
        // Not another company's person, nor with another company's skill.
        assert!(matches!(skills::set_for_person(&db, &other, &actor, p, &held(dm.id, 3, SkillOrigin::Employment)).await, Err(StoreError::NotFound)));
        assert_eq!(skills::usage(&db, &c, dm.id).await.unwrap().people, 2);
        assert!(matches!(skills::delete(&db, &c, &actor, dm.id, false).await, Err(StoreError::Conflict(Clash::SkillInUse))));
        assert_eq!(skills::for_person(&db, &c, p).await.unwrap().len(), 2, "nothing deleted");
        skills::delete(&db, &c, &actor, dm.id, true).await.unwrap();
        assert!(skills::for_person(&db, &c, p).await.unwrap().is_empty());
        assert!(matches!(skills::get(&db, &c, dm.id).await, Err(StoreError::NotFound)));
    }
);

db_test!(
    async fn the_gap_view_names_alumni_with_skills_no_employee_has(target) {
        let db = open(target).await;
        let c = company(&db, "gaps").await;
        let actor = Actor::system("test");
        let dm = skills::create(&db, &c, &actor, &skill("デジタルマーケティング", &[])).await.unwrap();
        let cad = skills::create(&db, &c, &actor, &skill("CAD", &["設計製図"])).await.unwrap();
        let alumna = person(&db, &c, ("佐藤", "歩"), ("さとう", "あゆみ"), Some("2022-03-31")).await;
        let employee = person(&db, &c, ("田中", "翔"), ("たなか", "しょう"), None).await;
        skills::set_for_person(&db, &c, &actor, alumna, &held(dm.id, 4, SkillOrigin::AfterLeaving)).await.unwrap();
        skills::set_for_person(&db, &c, &actor, employee, &held(cad.id, 3, SkillOrigin::Employment)).await.unwrap();
        skills::set_for_person(&db, &c, &actor, alumna, &held(cad.id, 2, SkillOrigin::Employment)).await.unwrap();
        skills::set_need(&db, &c, &actor, &SkillNeed { skill_id: dm.id, priority: NeedPriority::High, min_level: 3, note: None }).await.unwrap();
        skills::set_need(&db, &c, &actor, &SkillNeed { skill_id: cad.id, priority: NeedPriority::Low, min_level: 3, note: None }).await.unwrap();
        // Setting a need again updates it.
        skills::set_need(&db, &c, &actor, &SkillNeed { skill_id: cad.id, priority: NeedPriority::Medium, min_level: 3, note: None }).await.unwrap();
        let gaps = skills::gaps(&db, &c).await.unwrap();
        assert_eq!(gaps.len(), 2);
        assert_eq!(gaps[0].skill.name, "デジタルマーケティング");
        assert!(gaps[0].is_gap());
        assert_eq!(gaps[0].alumni.iter().map(|h| h.name.as_str()).collect::<Vec<_>>(), ["佐藤 歩"]);
        assert_eq!(gaps[1].need.priority, NeedPriority::Medium);
        assert_eq!(gaps[1].employees, 1);
        assert!(gaps[1].alumni.is_empty(), "level 2 is below the needed 3");
        skills::remove_need(&db, &c, &actor, cad.id).await.unwrap();
        assert_eq!(skills::gaps(&db, &c).await.unwrap().len(), 1);
    }
);

db_test!(
    async fn an_opening_ranks_the_alumna_with_the_skill_offer_and_intent_first(target) {
        let db = open(target).await;
        let c = company(&db, "match").await;
        let actor = Actor::system("test");
        let dm = skills::create(&db, &c, &actor, &skill("デジタルマーケティング", &[])).await.unwrap();
        let ayumi = person(&db, &c, ("佐藤", "歩"), ("さとう", "あゆみ"), Some("2022-03-31")).await;
        let kenta = person(&db, &c, ("青木", "健太"), ("あおき", "けんた"), Some("2020-03-31")).await;
        let staff = person(&db, &c, ("田中", "翔"), ("たなか", "しょう"), None).await;
        for (p, l) in [(ayumi, 4), (kenta, 3), (staff, 5)] {
            skills::set_for_person(&db, &c, &actor, p, &held(dm.id, l, SkillOrigin::AfterLeaving)).await.unwrap();
        }
        people::set_outlook(&db, &c, &actor, ayumi, &Outlook { intent: Some(ReturnIntent::Now), work_style: Some(WorkStyle::PartWeek), days_per_week: Some(3), last_contact_on: Some(d("2026-11-01")) }).await.unwrap();
        assert_eq!(people::outlook(&db, &c, ayumi).await.unwrap().intent, Some(ReturnIntent::Now));
        let draft = OpeningDraft {
            title: "Webマーケティング担当".into(),
            department: Some("営業".into()),
            work_style: WorkStyle::PartWeek,
            days_per_week: Some(2),
            place: Some("本社".into()),
            description: None,
            audience: kaeru_domain::OpeningAudience::Public,
            remote: None,
            pay_yen: None,
            pay_unit: None,
            closes_on: None,
            status: OpeningStatus::Open,
            requirements: vec![Requirement { skill_id: dm.id, required: true, min_level: 3 }],
        };
        let o = openings::create(&db, &c, &actor, &draft).await.unwrap();
        assert_eq!(openings::list(&db, &c, Some(&[kaeru_domain::OpeningAudience::Public])).await.unwrap().len(), 1);
        assert_eq!(openings::get(&db, &c, o.id).await.unwrap().requirements, draft.requirements);
        let (_, docs) = openings::match_docs(&db, &c, today()).await.unwrap();
        assert_eq!(docs.len(), 2, "employees are not matched");
        let idx = MatchIndex::build(docs, today());
        let r = idx.rank(&MatchQuery {
            skills: vec![(dm.id, true, 3)],
            work_style: WorkStyle::PartWeek,
            days_per_week: Some(2),
            weights: openings::weights(&db, &c).await.unwrap(),
            today: today(),
            limit: 20,
        }).unwrap();
        assert_eq!(r.ranked.iter().map(|m| m.id).collect::<Vec<_>>(), [ayumi.0, kenta.0]);
        // Weights are stored per company.
        let mut w = openings::weights(&db, &c).await.unwrap();
        w.skill = 80;
        openings::set_weights(&db, &c, &actor, &w).await.unwrap();
        assert_eq!(openings::weights(&db, &c).await.unwrap().skill, 80);
        // Closing the opening takes it off the public list.
        let closed = OpeningDraft { status: OpeningStatus::Closed, ..draft };
        openings::update(&db, &c, &actor, o.id, &closed).await.unwrap();
        assert!(openings::list(&db, &c, Some(&[kaeru_domain::OpeningAudience::Public])).await.unwrap().is_empty());
    }
);

db_test!(
    async fn search_finds_people_by_skill_alias_and_current_employer(target) {
        let db = open(target).await;
        let c = company(&db, "search").await;
        let actor = Actor::system("test");
        let dm = skills::create(&db, &c, &actor, &skill("デジタルマーケティング", &["Web広告運用"])).await.unwrap();
        let p = person(&db, &c, ("佐藤", "歩"), ("さとう", "あゆみ"), Some("2022-03-31")).await;
        skills::set_for_person(&db, &c, &actor, p, &held(dm.id, 4, SkillOrigin::AfterLeaving)).await.unwrap();
        careers::add(&db, &c, &actor, p, &CareerDraft { employer: "株式会社みらいデジタル".into(), role: Some("広告運用".into()), industry: Some("広告".into()), from_date: Some(d("2022-04-01")), to_date: None }).await.unwrap();
        let (_, docs) = kaeru_store::search_docs::search_docs(&db, &c).await.unwrap();
        let idx = SearchIndex::build(docs);
        for q in ["web広告", "みらいデジタル", "デジタルマーケ"] {
            assert_eq!(idx.search(q, 20).iter().map(|h| h.id).collect::<Vec<_>>(), [p.0], "{q}");
        }
        let mine = careers::for_person(&db, &c, p).await.unwrap();
        assert_eq!(mine.len(), 1);
        careers::remove(&db, &c, &actor, p, mine[0].id).await.unwrap();
        assert!(careers::for_person(&db, &c, p).await.unwrap().is_empty());
    }
);
