//! The demo company's revolving door beyond rehiring: two leavers' ventures (one growing and buying and
//! selling with the company, one closed with the way back open), side jobs of employees (one waiting with a
//! possible conflict of interest, one ending soon, one running), the clients and competitors they are
//! checked against, and a past side job that led to a venture.

use chrono::{Duration, NaiveDate};
use kaeru_domain::side_job::{Decision, RelationDraft, RelationKind, SideJobDraft};
use kaeru_domain::venture::{
    DealDraft, SupportDraft, SupportKind, VentureDraft, VentureRelation, VentureStage,
};
use kaeru_domain::{PersonId, PersonStatus};
use kaeru_store::{Actor, Db, Scope, people, side_jobs, stints, ventures};

async fn of_status(db: &Db, scope: &Scope, status: PersonStatus) -> anyhow::Result<Vec<PersonId>> {
    Ok(people::list(
        db,
        scope,
        &people::PeopleFilter {
            status: Some(status),
            ..Default::default()
        },
        1,
        1000,
    )
    .await?
    .items
    .into_iter()
    .map(|p| p.person.id)
    .collect())
}

fn support(kind: SupportKind, on: NaiveDate) -> SupportDraft {
    SupportDraft {
        kind,
        on,
        amount_yen: None,
        hours: None,
        client: None,
        outcome: None,
        by: None,
        description: None,
    }
}

pub async fn seed(
    db: &Db,
    scope: &Scope,
    star: Option<PersonId>,
    today: NaiveDate,
) -> anyhow::Result<()> {
    let hr = Actor::system("人事 田村");
    for (name, kind, industry) in [
        ("遠州精密工業株式会社", RelationKind::Competitor, "製造"),
        (
            "株式会社天竜メタルワークス",
            RelationKind::Competitor,
            "製造",
        ),
        ("浜松ロボティクス株式会社", RelationKind::Client, "ロボット"),
        (
            "株式会社湖西オートパーツ",
            RelationKind::Client,
            "自動車部品",
        ),
    ] {
        side_jobs::add_relation(
            db,
            scope,
            &hr,
            &RelationDraft {
                name: name.into(),
                kind,
                industry: Some(industry.into()),
            },
        )
        .await?;
    }

    let alumni: Vec<PersonId> = of_status(db, scope, PersonStatus::Alumnus)
        .await?
        .into_iter()
        .filter(|p| Some(*p) != star)
        .collect();
    if alumni.len() >= 8 {
        // A web designer who had a side job before she left, founded her company and now works with us.
        let founder = alumni[3];
        let left = stints::for_person(db, scope, founder)
            .await?
            .iter()
            .filter_map(|s| s.end_date)
            .max()
            .unwrap_or(today - Duration::days(800));
        side_jobs::record_past(
            db,
            scope,
            &hr,
            founder,
            &SideJobDraft {
                employer: "合同会社ハママツデザイン".into(),
                industry: Some("デザイン".into()),
                work: "地元企業のWebサイト制作（個人事業）".into(),
                hours_per_week: 6,
                start_date: left - Duration::days(420),
                end_date: left - Duration::days(30),
                note: None,
            },
            "桜井 健一",
            today,
        )
        .await?;
        let founded = (left + Duration::days(40)).min(today - Duration::days(200));
        let v = ventures::create(
            db,
            scope,
            &hr,
            founder,
            &VentureDraft {
                name: "合同会社ハママツデザイン".into(),
                field: Some("Webデザイン・販促物".into()),
                founded_on: Some(founded),
                stage: VentureStage::Growing,
                website: Some("https://hamamatsu-design.example/".into()),
                note: Some("当社の製品カタログとWebサイトもお願いしている。".into()),
            },
            today,
        )
        .await?;
        let on = |d: i64| (founded + Duration::days(d)).min(today);
        let mut s = support(SupportKind::Funding, on(10));
        s.amount_yen = Some(3_000_000);
        s.description = Some("創業資金の一部を出資".into());
        ventures::add_support(db, scope, &hr, v.id, &s).await?;
        let mut s = support(SupportKind::ClientIntro, on(60));
        s.client = Some("浜松ロボティクス株式会社".into());
        s.outcome = Some("展示会パネルの受注につながった".into());
        s.by = Some("桜井 健一".into());
        ventures::add_support(db, scope, &hr, v.id, &s).await?;
        let mut s = support(SupportKind::Guidance, on(90));
        s.hours = Some(12);
        s.by = Some("製造部 鈴木".into());
        s.description = Some("製品写真の撮り方と工程の見せ方".into());
        ventures::add_support(db, scope, &hr, v.id, &s).await?;
        let mut s = support(SupportKind::Equipment, on(20));
        s.description = Some("最初の半年、2階の会議室をオフィスとして貸与".into());
        ventures::add_support(db, scope, &hr, v.id, &s).await?;
        for (d, relation, amount, what) in [
            (
                120,
                VentureRelation::Supplier,
                350_000,
                "当社Webサイトの作り直し",
            ),
            (150, VentureRelation::Client, 480_000, "販促用の試作部品"),
            (
                400,
                VentureRelation::Partner,
                900_000,
                "共同で展示会ブースを出展",
            ),
            (
                460,
                VentureRelation::Client,
                1_200_000,
                "ノベルティ用の精密部品",
            ),
        ] {
            ventures::add_deal(
                db,
                scope,
                &hr,
                v.id,
                &DealDraft {
                    relation,
                    on: on(d),
                    amount_yen: amount,
                    description: Some(what.into()),
                },
            )
            .await?;
        }

        // A machining workshop that closed: the way back is open.
        let v = ventures::create(
            db,
            scope,
            &hr,
            alumni[7],
            &VentureDraft {
                name: "工房ミナト".into(),
                field: Some("金属の小ロット加工".into()),
                founded_on: Some(today - Duration::days(900)),
                stage: VentureStage::Founded,
                website: None,
                note: None,
            },
            today,
        )
        .await?;
        let mut s = support(SupportKind::Funding, today - Duration::days(880));
        s.amount_yen = Some(1_000_000);
        s.description = Some("設備購入資金の融資".into());
        ventures::add_support(db, scope, &hr, v.id, &s).await?;
        let mut s = support(SupportKind::Guidance, today - Duration::days(700));
        s.hours = Some(30);
        s.by = Some("製造部 鈴木".into());
        ventures::add_support(db, scope, &hr, v.id, &s).await?;
        ventures::update(
            db,
            scope,
            &hr,
            v.id,
            &VentureDraft {
                name: "工房ミナト".into(),
                field: Some("金属の小ロット加工".into()),
                founded_on: Some(today - Duration::days(900)),
                stage: VentureStage::Withdrawn,
                website: None,
                note: Some("材料費の高騰で2か月前に廃業。腕は確か。".into()),
            },
            today,
        )
        .await?;
    }

    let employees = of_status(db, scope, PersonStatus::Employee).await?;
    if employees.len() >= 12 {
        let approver = Actor::system("桜井 健一");
        // Waiting: weekend CAD work in the same industry as two competitors.
        side_jobs::apply(
            db,
            scope,
            &hr,
            employees[4],
            &SideJobDraft {
                employer: "有限会社三方原テクノ".into(),
                industry: Some("製造".into()),
                work: "週末の3次元CADによる図面作成".into(),
                hours_per_week: 6,
                start_date: today + Duration::days(14),
                end_date: today + Duration::days(378),
                note: Some("知人の町工場からの依頼".into()),
            },
            None,
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        // Approved a year ago and ending in three weeks: the renewal reminder.
        let cafe = side_jobs::apply(
            db,
            scope,
            &hr,
            employees[7],
            &SideJobDraft {
                employer: "カフェ浜名湖".into(),
                industry: Some("飲食".into()),
                work: "週末の焙煎と店頭販売".into(),
                hours_per_week: 8,
                start_date: today - Duration::days(344),
                end_date: today + Duration::days(21),
                note: None,
            },
            None,
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        side_jobs::decide(
            db,
            scope,
            &approver,
            cafe.id,
            &Decision {
                approve: true,
                reason: None,
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        // Running: teaching programming to children.
        let school = side_jobs::apply(
            db,
            scope,
            &hr,
            employees[11],
            &SideJobDraft {
                employer: "浜松こどもプログラミング教室".into(),
                industry: Some("教育".into()),
                work: "土曜午前の講師".into(),
                hours_per_week: 3,
                start_date: today - Duration::days(120),
                end_date: today + Duration::days(245),
                note: None,
            },
            None,
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        side_jobs::decide(
            db,
            scope,
            &approver,
            school.id,
            &Decision {
                approve: true,
                reason: Some("本業の繁忙期（3月）は休むこと".into()),
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    }
    Ok(())
}
