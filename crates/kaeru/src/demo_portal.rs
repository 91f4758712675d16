//! The demo company's portal side: alumni who consented to some purposes (one stopped all contact), the
//! star alumna's own updates and message, registrations from the public page waiting for HR (one of them
//! probably someone already known), an open deletion request, and a retention rule.

use chrono::{Duration, NaiveDate};
use kaeru_domain::{PersonId, PersonStatus};
use kaeru_store::{Actor, Db, Scope, companies, consent, people, portal, privacy, registrations};
use rand::Rng;
use rand::rngs::StdRng;

pub async fn seed(
    db: &Db,
    scope: &Scope,
    star: Option<PersonId>,
    today: NaiveDate,
    rng: &mut StdRng,
) -> anyhow::Result<()> {
    let me = portal::self_actor();
    companies::set_public_settings(
        db,
        scope,
        &Actor::system("demo"),
        &companies::PublicSettings {
            declaration_ja: None,
            declaration_en: None,
            retention_years: Some(5),
        },
    )
    .await?;
    let purposes = consent::purposes(db, scope).await?;
    let id = |code: &str| purposes.iter().find(|p| p.code == code).map(|p| p.id);
    let (Some(rehire), Some(events), Some(collab), Some(news)) = (
        id("rehire"),
        id("events"),
        id("collaboration"),
        id("newsletter"),
    ) else {
        anyhow::bail!("the default purposes are missing");
    };
    let alumni = people::list(
        db,
        scope,
        &people::PeopleFilter {
            status: Some(PersonStatus::Alumnus),
            ..Default::default()
        },
        1,
        1000,
    )
    .await?
    .items;
    let with_email: Vec<_> = alumni
        .iter()
        .filter(|a| !a.person.emails.is_empty() && Some(a.person.id) != star)
        .collect();
    // About half have answered the consent question; answers vary.
    for (n, a) in with_email.iter().enumerate() {
        if rng.gen_bool(0.5) {
            continue;
        }
        let decisions = [
            (rehire, rng.gen_bool(0.8)),
            (events, rng.gen_bool(0.7)),
            (collab, rng.gen_bool(0.4)),
            (news, rng.gen_bool(0.5)),
        ];
        consent::decide(db, scope, &me, a.person.id, &decisions).await?;
        if n == 3 {
            consent::stop_all(db, scope, &me, a.person.id).await?;
        }
    }
    if let Some(star) = star {
        consent::decide(
            db,
            scope,
            &me,
            star,
            &[
                (rehire, true),
                (events, true),
                (collab, true),
                (news, false),
            ],
        )
        .await?;
        portal::add_qualification(
            db,
            scope,
            &me,
            star,
            &portal::Qualification {
                id: uuid::Uuid::nil(),
                kind: "certification".into(),
                name: "ウェブ解析士".into(),
                issuer: Some("一般社団法人ウェブ解析士協会".into()),
                obtained_on: Some(today - Duration::days(90)),
            },
        )
        .await?;
        portal::set_message(
            db,
            scope,
            star,
            Some(
                "外でWebマーケティングを学びました。週3日からなら、すぐにでも戻りたいです。".into(),
            ),
        )
        .await?;
    }
    // A former employee who registered on the public page and is probably already known (same name and
    // reading, new address), and one the company has no record of.
    if let Some(known) = with_email.iter().find(|a| a.person.birth_date.is_some()) {
        let p = &known.person;
        registrations::create(
            db,
            scope,
            &registrations::NewRegistration {
                family_name: p.family_name.clone(),
                given_name: p.given_name.clone(),
                family_kana: p.family_kana.clone(),
                given_kana: p.given_kana.clone(),
                email: format!("{}.new@example.jp", p.id.0.simple()),
                phone: None,
                birth_date: p.birth_date,
                period: Some("入社から退職まで".into()),
                department: known.latest_department.clone(),
                message: Some("新しいメールアドレスで登録し直しました。".into()),
            },
            ("ご登録を受け付けました".into(), "（デモ）".into()),
        )
        .await?;
    }
    registrations::create(
        db,
        scope,
        &registrations::NewRegistration {
            family_name: "森".into(),
            given_name: "菜摘".into(),
            family_kana: "もり".into(),
            given_kana: "なつみ".into(),
            email: "natsumi.mori@example.jp".into(),
            phone: Some("090-2468-1357".into()),
            birth_date: NaiveDate::from_ymd_opt(1990, 7, 14),
            period: Some("2012年〜2016年".into()),
            department: Some("品質保証部".into()),
            message: Some("子育てが落ち着いたので、短時間からまた働けたらうれしいです。".into()),
        },
        ("ご登録を受け付けました".into(), "（デモ）".into()),
    )
    .await?;
    // Contacts over the last two years: drinks, the chamber of commerce, LINE… the star alumna is warm.
    use kaeru_domain::touchpoint::{Channel, TouchpointDraft};
    let staff = ["桜井 健一", "田村 さゆり", "製造部 山口"];
    let notes = [
        "近況を聞いた。元気そう",
        "商工会の新年会で再会",
        "子どもが小学校に入ったとのこと",
        "独立して半年、順調らしい",
        "今の職場で管理職になった",
    ];
    for a in alumni.iter().filter(|a| Some(a.person.id) != star) {
        if !rng.gen_bool(0.4) {
            continue;
        }
        for _ in 0..rng.gen_range(1..=3) {
            let d = TouchpointDraft {
                on: today - Duration::days(rng.gen_range(3..730)),
                channel: Channel::ALL[rng.gen_range(0..Channel::ALL.len())],
                by: staff[rng.gen_range(0..staff.len())].into(),
                note: rng
                    .gen_bool(0.5)
                    .then(|| notes[rng.gen_range(0..notes.len())].to_string()),
            };
            kaeru_store::touchpoints::add(db, scope, &Actor::system("demo"), a.person.id, &d)
                .await?;
        }
    }
    if let Some(star) = star {
        for (days, channel, note) in [
            (
                40,
                Channel::Drinks,
                "Webマーケの話で盛り上がった。週3日なら戻りたいとのこと",
            ),
            (12, Channel::Line, "リターンオファーの件、前向き"),
        ] {
            let d = TouchpointDraft {
                on: today - Duration::days(days),
                channel,
                by: "桜井 健一".into(),
                note: Some(note.into()),
            };
            kaeru_store::touchpoints::add(db, scope, &Actor::system("demo"), star, &d).await?;
        }
    }
    // What the network brought: deals from alumni now elsewhere, and referrals (one became a hire).
    use kaeru_domain::network::{ContributionDraft, ContributionKind, ReferralOutcome};
    let placed = kaeru_store::careers::all(db, scope).await?;
    let current: Vec<_> = placed.iter().filter(|c| c.is_current()).take(5).collect();
    let deals = [
        ("精密部品の試作（50個）", 1_200_000),
        ("検査治具の製作", 680_000),
        ("量産部品の年間契約", 4_800_000),
    ];
    for (n, c) in current.iter().enumerate() {
        let d = if n < deals.len() {
            ContributionDraft {
                kind: ContributionKind::Business,
                on: today - Duration::days(20 + 35 * n as i64),
                candidate: None,
                opening: None,
                outcome: None,
                client: Some(c.employer.clone()),
                amount_yen: Some(deals[n].1),
                note: Some(deals[n].0.into()),
            }
        } else {
            ContributionDraft {
                kind: ContributionKind::Referral,
                on: today - Duration::days(15 + 40 * n as i64),
                candidate: Some(["小松 大輔", "内田 結衣"][n % 2].into()),
                opening: Some("設計担当（3次元CAD）".into()),
                outcome: Some(if n % 2 == 0 {
                    ReferralOutcome::Hired
                } else {
                    ReferralOutcome::Interviewing
                }),
                client: None,
                amount_yen: None,
                note: None,
            }
        };
        kaeru_store::network::add(db, scope, &Actor::system("demo"), c.person_id, &d).await?;
    }
    // One former employee helps out two days a week on contract.
    if let Some(a) = with_email.get(1) {
        use kaeru_domain::engagement::{EngagementDraft, RateKind, Weekday};
        kaeru_store::engagements::add(
            db,
            scope,
            &Actor::system("demo"),
            a.person.id,
            &EngagementDraft {
                title: "海外取引先とのやりとり（英語）".into(),
                weekdays: vec![Weekday::Tue, Weekday::Thu],
                rate_kind: RateKind::Day,
                rate_yen: 32_000,
                start_date: today - Duration::days(45),
                end_date: Some(today + Duration::days(320)),
                manager: Some("桜井 健一".into()),
                note: None,
            },
            today,
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    }
    // Someone asked for their data to be deleted last week.
    if let Some(a) = with_email
        .iter()
        .rev()
        .find(|a| a.person.birth_date.is_none())
    {
        privacy::request_deletion(db, scope, &me, a.person.id, today - Duration::days(7)).await?;
    }
    Ok(())
}

/// The demo company's messaging: the 特定電子メール法 footer filled in, two saved segments and a newsletter
/// written but not sent (nothing is sent by seeding; the first send is the visitor's).
pub async fn seed_messages(db: &Db, scope: &Scope) -> anyhow::Result<()> {
    use kaeru_domain::announcement::SegmentFilter;
    let actor = Actor::system("demo");
    kaeru_store::messaging::save(
        db,
        scope,
        &actor,
        &kaeru_store::messaging::SettingsUpdate {
            force_channel: kaeru_domain::ChannelPolicy::Auto,
            emails_per_minute: kaeru_store::messaging::DEFAULT_EMAILS_PER_MINUTE,
            sender_address: "〒430-0000 静岡県浜松市中区元城町1-2 さくら精機株式会社 人事部".into(),
            sender_contact: "jinji@sakura-seiki.example / 053-000-0000".into(),
        },
    )
    .await?;
    let alumni = SegmentFilter {
        statuses: vec![PersonStatus::Alumnus],
        ..Default::default()
    };
    let recent = SegmentFilter {
        statuses: vec![PersonStatus::Alumnus],
        left_from: Some(2020),
        left_to: Some(2024),
        rehire: vec![kaeru_domain::RehireEligibility::Welcome],
        ..Default::default()
    };
    let all =
        kaeru_store::segments::save(db, scope, &actor, None, "アルムナイ全員", &alumni).await?;
    kaeru_store::segments::save(
        db,
        scope,
        &actor,
        None,
        "2020〜2024年に退職・再雇用歓迎",
        &recent,
    )
    .await?;
    kaeru_store::announcements::save(
        db,
        scope,
        &actor,
        None,
        &kaeru_domain::AnnouncementDraft {
            kind: kaeru_domain::AnnouncementKind::Newsletter,
            subject: "さくら精機だより 冬号".into(),
            body: "## 今年もありがとうございました\n\n- 新しい5軸加工機が入りました\n- 2月に工場見学会を開きます\n- OB・OG会は3月の予定です\n\n近況をお聞かせください。[アルムナイページ](https://sakura-seiki.example/me)から更新できます。".into(),
            purpose: "newsletter".into(),
            segment: Some(all.id),
            scheduled_at: None,
            event: None,
        },
    )
    .await?;
    Ok(())
}

/// The OB・OG会 of the demo company: published, 30 places, a few replies with news (one on the waitlist
/// would need 30 more; the page shows places, replies, the door and the しおり). Nothing is sent.
pub async fn seed_event(db: &Db, scope: &Scope, today: NaiveDate) -> anyhow::Result<()> {
    use kaeru_domain::event::{EventInput, RsvpInput};
    let actor = Actor::system("demo");
    let day = today + Duration::days(40);
    let input = EventInput {
        kind: "reunion".into(),
        title: format!("さくら精機 OB・OG会 {}", day.format("%Y")),
        description: "年に一度、さくら精機で働いた仲間が集まる会です。\n\n- 工場の近況報告（新しい5軸加工機）\n- 懇談・立食\n\nお気軽にご参加ください。".into(),
        starts_at: format!("{day}T18:30"),
        ends_at: format!("{day}T21:00"),
        place: "割烹 かえる 2階広間".into(),
        address: "静岡県浜松市中区元城町1-3".into(),
        capacity: "30".into(),
        fee: "5000".into(),
        reply_by: format!("{}T23:59", day - Duration::days(10)),
        max_companions: "1".into(),
        questions: "食事の配慮（アレルギーなど）".into(),
        organiser: "人事部 中村".into(),
        offer_hours: "48".into(),
        ..Default::default()
    };
    let draft = input
        .parse(chrono_tz::Asia::Tokyo)
        .map_err(|e| anyhow::anyhow!("demo event: {e:?}"))?;
    let none = |_: &kaeru_store::events::Event,
                _: &kaeru_store::events::Rsvp,
                _: kaeru_store::events::Notice| None;
    let event = kaeru_store::events::save(db, scope, &actor, None, &draft, &none)
        .await?
        .map_err(|e| anyhow::anyhow!("demo event: {e:?}"))?;
    kaeru_store::events::set_status(
        db,
        scope,
        &actor,
        event.id,
        kaeru_domain::event::EventStatus::Published,
        None,
        &none,
    )
    .await?
    .map_err(|e| anyhow::anyhow!("demo event: {e:?}"))?;
    let mut alumni: Vec<PersonId> =
        kaeru_store::people::ids_with_status(db, scope, PersonStatus::Alumnus)
            .await?
            .into_iter()
            .collect();
    alumni.sort();
    let news = [
        "独立して3年、浜松で金型の設計事務所をやっています。",
        "子どもが小学校に上がりました。また現場に戻りたい気持ちもあります。",
        "名古屋の商社で海外営業をしています。",
        "",
        "デジタルマーケティングを勉強中です。",
        "地元の農業法人で生産管理をしています。",
    ];
    for (i, p) in alumni.iter().take(14).enumerate() {
        let Some(r) = kaeru_store::events::rsvp_for(db, scope, event.id, *p, true).await? else {
            continue;
        };
        if i >= 10 {
            continue; // invited, no reply yet
        }
        let answer = match i % 5 {
            3 => "declined",
            4 => "undecided",
            _ => "attending",
        };
        let reply = RsvpInput {
            answer: answer.into(),
            companions: if i == 0 { "1".into() } else { String::new() },
            answers: vec![if i == 2 {
                "えびアレルギー".into()
            } else {
                String::new()
            }],
            news: news[i % news.len()].into(),
            news_consent: "on".into(),
            ..Default::default()
        };
        let d = reply
            .parse(1, 1)
            .map_err(|e| anyhow::anyhow!("demo reply: {e:?}"))?;
        kaeru_store::events::reply(db, scope, &Actor::system(&r.name), r.id, &d, &none)
            .await?
            .map_err(|e| anyhow::anyhow!("demo reply: {e:?}"))?;
    }
    Ok(())
}
