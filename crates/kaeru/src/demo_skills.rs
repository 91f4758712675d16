//! Demo skills for さくら精機: a town factory's catalogue, skills held by employees and alumni (with what alumni
//! learned after leaving), careers since leaving, outlooks, the company's needs and a few openings. Nobody
//! inside does digital marketing or proposal sales at level 3; several alumni do — the seed article's scene.

use chrono::{Duration, NaiveDate};
use kaeru_domain::job_board::{ResponseDraft, ResponseKind, Via};
use kaeru_domain::{
    CareerDraft, NeedPriority, OpeningAudience, OpeningDraft, OpeningStatus, Outlook, PayUnit,
    PersonId, PersonSkillDraft, Remote, Requirement, ReturnIntent, SkillDraft, SkillId, SkillNeed,
    SkillOrigin, SkillSource, WorkStyle,
};
use kaeru_store::{Actor, Db, Scope, careers, job_board, openings, people, skills};
use rand::Rng;
use rand::rngs::StdRng;
use std::collections::HashMap;

/// (name, category, aliases)
const CATALOGUE: &[(&str, &str, &[&str])] = &[
    ("NC旋盤", "ものづくり", &["旋盤加工", "CNC旋盤"]),
    ("マシニングセンタ", "ものづくり", &["MC加工"]),
    ("溶接", "ものづくり", &["TIG溶接", "アーク溶接"]),
    ("CAD", "ものづくり", &["設計製図", "2次元CAD"]),
    ("3次元CAD", "ものづくり", &["SolidWorks", "3D CAD"]),
    ("品質管理", "ものづくり", &["QC", "品質保証"]),
    ("生産管理", "ものづくり", &["工程管理"]),
    (
        "提案営業",
        "営業・マーケティング",
        &["ソリューション営業", "法人営業"],
    ),
    (
        "デジタルマーケティング",
        "営業・マーケティング",
        &["Web広告運用", "SNSマーケティング", "Webマーケティング"],
    ),
    (
        "ECサイト運営",
        "営業・マーケティング",
        &["ネットショップ運営"],
    ),
    ("経理", "管理", &["会計", "簿記"]),
    ("労務管理", "管理", &["社会保険手続き"]),
    ("業務システム", "IT", &["Excel VBA", "kintone"]),
    ("英語", "語学", &["英会話", "ビジネス英語"]),
    ("フォークリフト", "資格", &["フォークリフト運転技能"]),
];

/// Skills by department, for employees and at exit.
fn department_skills(dep: &str) -> &'static [&'static str] {
    match dep {
        "製造" => &[
            "NC旋盤",
            "マシニングセンタ",
            "溶接",
            "フォークリフト",
            "生産管理",
        ],
        "品質管理" => &["品質管理", "生産管理"],
        "営業" => &["提案営業", "英語"],
        "設計" => &["CAD", "3次元CAD"],
        _ => &["経理", "労務管理", "業務システム"],
    }
}

/// Skills alumni pick up elsewhere, with where they picked them up.
const AFTER: &[(&str, &str, &str, &str)] = &[
    (
        "デジタルマーケティング",
        "株式会社みらいデジタル",
        "Webマーケター",
        "広告",
    ),
    ("提案営業", "東海ソリューションズ株式会社", "法人営業", "IT"),
    (
        "ECサイト運営",
        "浜名湖オンラインストア",
        "EC運営担当",
        "小売",
    ),
    ("3次元CAD", "遠州テクノ設計", "設計エンジニア", "製造"),
    ("英語", "Hamamatsu Trading Co.", "海外営業", "商社"),
    (
        "業務システム",
        "株式会社スルガシステム",
        "システムエンジニア",
        "IT",
    ),
    (
        "品質管理",
        "東海自動車部品株式会社",
        "品質保証",
        "自動車部品",
    ),
];

pub struct Alumnus {
    pub id: PersonId,
    pub left: NaiveDate,
}

#[allow(clippy::too_many_arguments)]
pub async fn seed(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    employees: &[(PersonId, &'static str, NaiveDate)],
    alumni: &[(Alumnus, &'static str)],
    star: Option<PersonId>,
    today: NaiveDate,
    rng: &mut StdRng,
) -> anyhow::Result<()> {
    let mut ids: HashMap<&str, SkillId> = HashMap::new();
    for (name, category, aliases) in CATALOGUE {
        let k = skills::create(
            db,
            scope,
            actor,
            &SkillDraft {
                name: (*name).into(),
                category: Some((*category).into()),
                aliases: aliases
                    .iter()
                    .map(std::string::ToString::to_string)
                    .collect(),
                description: None,
            },
        )
        .await?;
        ids.insert(name, k.id);
    }
    let id = |n: &str| ids.get(n).copied().unwrap_or_default();
    let held = |skill: SkillId, level: i32, origin: SkillOrigin, on: NaiveDate| PersonSkillDraft {
        skill_id: skill,
        level,
        origin,
        source: SkillSource::Hr,
        assessed_on: on,
        note: None,
    };
    // Employees: one or two skills of their department. Sales inside stays at level 1–2.
    for (pid, dep, _) in employees {
        let options = department_skills(dep);
        for name in options.iter().take(rng.gen_range(1..=2)) {
            let mut level = rng.gen_range(1..=5);
            if *name == "提案営業" || *name == "英語" {
                level = level.min(2);
            }
            let on = today - Duration::days(rng.gen_range(30..700));
            skills::set_for_person(
                db,
                scope,
                actor,
                *pid,
                &held(id(name), level, SkillOrigin::Employment, on),
            )
            .await?;
        }
    }
    // Alumni: skills at exit for about half, skills gained since (with the career) for about a quarter.
    for (n, (a, dep)) in alumni.iter().enumerate() {
        if Some(a.id) == star {
            continue;
        }
        if rng.gen_bool(0.5) {
            let name = department_skills(dep)[rng.gen_range(0..department_skills(dep).len())];
            let mut level = rng.gen_range(1..=4);
            if name == "提案営業" || name == "英語" {
                level = level.min(2);
            }
            skills::set_for_person(
                db,
                scope,
                actor,
                a.id,
                &held(id(name), level, SkillOrigin::Employment, a.left),
            )
            .await?;
        }
        if rng.gen_bool(0.25) && (today - a.left).num_days() > 120 {
            let (name, employer, role, industry) = AFTER[n % AFTER.len()];
            let from = a.left + Duration::days(rng.gen_range(10..90));
            let on = (from + Duration::days(rng.gen_range(200..900))).min(today);
            skills::set_for_person(
                db,
                scope,
                actor,
                a.id,
                &held(
                    id(name),
                    rng.gen_range(2..=4),
                    SkillOrigin::AfterLeaving,
                    on,
                ),
            )
            .await?;
            careers::add(
                db,
                scope,
                actor,
                a.id,
                &CareerDraft {
                    employer: employer.into(),
                    role: Some(role.into()),
                    industry: Some(industry.into()),
                    from_date: Some(from),
                    to_date: None,
                },
            )
            .await?;
        }
        if rng.gen_bool(0.4) {
            let intent = match rng.gen_range(0..10) {
                0 => ReturnIntent::Now,
                1..=3 => ReturnIntent::WithinYear,
                4..=6 => ReturnIntent::Someday,
                _ => ReturnIntent::NotNow,
            };
            let style = match rng.gen_range(0..3) {
                0 => WorkStyle::FullTime,
                1 => WorkStyle::PartWeek,
                _ => WorkStyle::Contract,
            };
            people::set_outlook(
                db,
                scope,
                actor,
                a.id,
                &Outlook {
                    intent: Some(intent),
                    work_style: Some(style),
                    days_per_week: (style == WorkStyle::PartWeek).then(|| rng.gen_range(2..=4)),
                    last_contact_on: Some(today - Duration::days(rng.gen_range(5..1500))),
                },
            )
            .await?;
        }
    }
    // The seed article's scene: she left, learned digital marketing and proposal sales elsewhere, holds a
    // return offer and wants to come back now, three days a week.
    if let Some(star) = star {
        let learned = today - Duration::days(60);
        skills::set_for_person(
            db,
            scope,
            actor,
            star,
            &held(
                id("デジタルマーケティング"),
                4,
                SkillOrigin::AfterLeaving,
                learned,
            ),
        )
        .await?;
        skills::set_for_person(
            db,
            scope,
            actor,
            star,
            &held(id("提案営業"), 3, SkillOrigin::AfterLeaving, learned),
        )
        .await?;
        skills::set_for_person(
            db,
            scope,
            actor,
            star,
            &held(
                id("CAD"),
                2,
                SkillOrigin::Employment,
                today - Duration::days(500),
            ),
        )
        .await?;
        careers::add(
            db,
            scope,
            actor,
            star,
            &CareerDraft {
                employer: "株式会社みらいデジタル".into(),
                role: Some("Webマーケター（広告運用・提案営業）".into()),
                industry: Some("広告".into()),
                from_date: Some(today - Duration::days(400)),
                to_date: None,
            },
        )
        .await?;
        people::set_outlook(
            db,
            scope,
            actor,
            star,
            &Outlook {
                intent: Some(ReturnIntent::Now),
                work_style: Some(WorkStyle::PartWeek),
                days_per_week: Some(3),
                last_contact_on: Some(today - Duration::days(12)),
            },
        )
        .await?;
    }
    for (name, priority, level, note) in [
        (
            "デジタルマーケティング",
            NeedPriority::High,
            3,
            "Webからの新規引き合いを増やしたい",
        ),
        (
            "提案営業",
            NeedPriority::High,
            3,
            "既存顧客への提案力を上げたい",
        ),
        ("3次元CAD", NeedPriority::Medium, 3, "設計の3D化"),
        (
            "ECサイト運営",
            NeedPriority::Medium,
            2,
            "補修部品のネット販売を始めたい",
        ),
        ("英語", NeedPriority::Low, 3, "海外の取引先との連絡"),
        ("NC旋盤", NeedPriority::Medium, 4, "ベテランの退職に備える"),
    ] {
        skills::set_need(
            db,
            scope,
            actor,
            &SkillNeed {
                skill_id: id(name),
                priority,
                min_level: level,
                note: Some(note.into()),
            },
        )
        .await?;
    }
    let req = |name: &str, required: bool, min_level: i32| Requirement {
        skill_id: id(name),
        required,
        min_level,
    };
    let mut created = Vec::new();
    for draft in [
        OpeningDraft {
            title: "設計担当（3次元CAD）".into(),
            department: Some("設計".into()),
            work_style: WorkStyle::FullTime,
            days_per_week: None,
            place: Some("本社工場（浜松市）".into()),
            description: Some("治具と専用機の設計。2次元図面の3D化も進めていただきます。".into()),
            audience: OpeningAudience::Public,
            remote: Some(Remote::Onsite),
            pay_yen: Some(4_500_000),
            pay_unit: Some(PayUnit::Year),
            closes_on: None,
            status: OpeningStatus::Open,
            requirements: vec![req("3次元CAD", true, 3), req("CAD", false, 1)],
        },
        OpeningDraft {
            title: "海外取引サポート（業務委託）".into(),
            department: Some("営業".into()),
            work_style: WorkStyle::Contract,
            days_per_week: Some(2),
            place: Some("リモート可".into()),
            description: Some("海外の取引先とのメール・見積もりのやりとりを、週2日ほどお願いします。".into()),
            audience: OpeningAudience::Alumni,
            remote: Some(Remote::Full),
            pay_yen: Some(30_000),
            pay_unit: Some(PayUnit::Day),
            closes_on: None,
            status: OpeningStatus::Open,
            requirements: vec![req("英語", true, 3), req("提案営業", false, 1)],
        },
        OpeningDraft {
            title: "Web集客担当（週3日）".into(),
            department: Some("営業".into()),
            work_style: WorkStyle::PartWeek,
            days_per_week: Some(3),
            place: Some("本社（浜松市）・一部リモート".into()),
            description: Some(
                "自社サイトとWeb広告で新規の引き合いを増やす仕事です。営業と一緒に提案もしていただきます。".into(),
            ),
            audience: OpeningAudience::Public,
            remote: Some(Remote::Hybrid),
            pay_yen: Some(18_000),
            pay_unit: Some(PayUnit::Day),
            closes_on: None,
            status: OpeningStatus::Open,
            requirements: vec![
                req("デジタルマーケティング", true, 3),
                req("提案営業", false, 1),
                req("ECサイト運営", false, 1),
            ],
        },
        OpeningDraft {
            title: "補修部品のネット販売立ち上げ（副業）".into(),
            department: Some("営業".into()),
            work_style: WorkStyle::SideJob,
            days_per_week: Some(1),
            place: Some("リモート可".into()),
            description: Some(
                "本業のかたわら、週1日ほど。補修部品のECサイトを一緒に立ち上げてください。".into(),
            ),
            audience: OpeningAudience::Alumni,
            remote: Some(Remote::Full),
            pay_yen: Some(2_500),
            pay_unit: Some(PayUnit::Hour),
            closes_on: Some(today + Duration::days(45)),
            status: OpeningStatus::Open,
            requirements: vec![req("ECサイト運営", true, 2), req("デジタルマーケティング", false, 1)],
        },
    ] {
        created.push(openings::create(db, scope, actor, &draft).await?.id);
    }
    // Two alumni looked at the side job and the contract work; one raised a hand quietly, from an alert
    // e-mail, for HR to find on the opening page.
    let others: Vec<PersonId> = alumni
        .iter()
        .map(|(a, _)| a.id)
        .filter(|id| Some(*id) != star)
        .take(2)
        .collect();
    for (n, p) in others.iter().enumerate() {
        for o in [created[1], created[3]] {
            job_board::record_view(db, scope, o, *p, Via::Email).await?;
        }
        if n == 0 {
            job_board::respond(
                db,
                scope,
                *p,
                created[3],
                ResponseKind::Interest,
                &ResponseDraft {
                    note: Some("本業が落ち着く夜と週末なら手伝えます。".into()),
                    available_from: Some("来月から".into()),
                },
                Via::Email,
                today,
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        }
    }
    Ok(())
}
