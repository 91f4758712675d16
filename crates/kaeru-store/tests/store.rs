//! Repository behaviour on both backends: tenancy, 五十音順, conflicts, derived status, leases.

mod common;
use chrono::NaiveDate;
use common::{company, open};
use kaeru_domain::{EmploymentType, PersonDraft, PersonStatus, StintDraft};
use kaeru_store::people::PeopleFilter;
use kaeru_store::{
    Actor, Clash, StoreError, companies, db_test, people, rate_limit, schedules, stints,
};

fn person(family: &str, given: &str, fk: &str, gk: &str, email: Option<&str>) -> PersonDraft {
    PersonDraft {
        employee_number: None,
        family_name: family.into(),
        given_name: given.into(),
        family_kana: kaeru_domain::person::Kana::parse(fk, 50).unwrap(),
        given_kana: kaeru_domain::person::Kana::parse(gk, 50).unwrap(),
        romaji_name: None,
        emails: email
            .map(|e| vec![kaeru_domain::validation::EmailAddress::parse(e).unwrap()])
            .unwrap_or_default(),
        phone: None,
        line_id: None,
        facebook_url: None,
        linkedin_url: None,
        prefecture: None,
        city: None,
        birth_date: None,
        notes: None,
    }
}

fn stint(start: &str, end: Option<&str>) -> StintDraft {
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    StintDraft {
        start_date: d(start),
        end_date: end.map(d),
        department: Some("製造".into()),
        job_title: None,
        employment_type: EmploymentType::FullTime,
        leave_reason: None,
        leave_reason_detail: None,
        exit_interview_notes: None,
        rehire_eligibility: None,
        rehire_reason: None,
    }
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 29).unwrap()
}

db_test!(
    async fn a_company_never_sees_another_companys_people(target) {
        let db = open(target).await;
        let a = company(&db, "company-a").await;
        let b = company(&db, "company-b").await;
        let actor = Actor::system("test");
        let pa = people::create(&db, &a, &actor, &person("田中", "一郎", "たなか", "いちろう", None)).await.unwrap();
        assert!(matches!(people::get(&db, &b, pa.id).await, Err(StoreError::NotFound)));
        assert!(matches!(people::update(&db, &b, &actor, pa.id, &person("x", "y", "え", "え", None)).await, Err(StoreError::NotFound)));
        assert!(matches!(stints::create(&db, &b, &actor, pa.id, &stint("2020-01-01", None), today()).await, Err(StoreError::NotFound)));
        assert_eq!(people::list(&db, &b, &PeopleFilter::default(), 1, 50).await.unwrap().total, 0);
        assert_eq!(people::list(&db, &a, &PeopleFilter::default(), 1, 50).await.unwrap().total, 1);
        // The same e-mail address may belong to a person in each company.
        people::create(&db, &a, &actor, &person("佐藤", "花", "さとう", "はな", Some("hana@example.jp"))).await.unwrap();
        people::create(&db, &b, &actor, &person("佐藤", "花", "さとう", "はな", Some("hana@example.jp"))).await.unwrap();
        let again = people::create(&db, &a, &actor, &person("佐藤", "花子", "さとう", "はなこ", Some("hana@example.jp"))).await;
        assert!(matches!(again, Err(StoreError::Conflict(Clash::PersonEmailTaken))));
        // Nothing was half-written: the refused person is not there.
        assert_eq!(people::list(&db, &a, &PeopleFilter::default(), 1, 50).await.unwrap().total, 2);
    }
);

db_test!(
    async fn people_are_listed_in_gojuon_order_whatever_the_collation(target) {
        let db = open(target).await;
        let c = company(&db, "order").await;
        let actor = Actor::system("test");
        for (f, g, fk, gk) in [("渡辺", "花", "わたなべ", "はな"), ("伊藤", "幸", "イトウ", "ユキ"), ("後藤", "健", "ごとう", "けん"), ("加藤", "愛", "かとう", "あい"), ("佐藤", "太郎", "ｻﾄｳ", "ﾀﾛｳ"), ("Aoki", "Ken", "あおき", "けん")] {
            people::create(&db, &c, &actor, &person(f, g, fk, gk, None)).await.unwrap();
        }
        let page = people::list(&db, &c, &PeopleFilter::default(), 1, 50).await.unwrap();
        let names: Vec<String> = page.items.iter().map(|i| i.person.family_name.clone()).collect();
        assert_eq!(names, ["Aoki", "伊藤", "加藤", "後藤", "佐藤", "渡辺"]);
        let second = people::list(&db, &c, &PeopleFilter::default(), 2, 4).await.unwrap();
        assert_eq!(second.items.len(), 2);
        assert_eq!(second.pages(), 2);
        // Read through the index after the last person of a page: the same people as by the page number, for
        // every page size; a stranger's id (another company, or none) falls back to the page number.
        for per_page in 1..=6u64 {
            let mut after = None;
            let mut seen = Vec::new();
            for page in 1..=6u64.div_ceil(per_page) {
                let by_cursor = people::list_page(&db, &c, &PeopleFilter::default(), page, per_page, Some(6), after).await.unwrap();
                let by_number = people::list(&db, &c, &PeopleFilter::default(), page, per_page).await.unwrap();
                let ids = |p: &kaeru_store::Page<people::PersonListItem>| p.items.iter().map(|i| i.person.id).collect::<Vec<_>>();
                assert_eq!(ids(&by_cursor), ids(&by_number), "page {page} of {per_page}");
                after = by_cursor.items.last().map(|i| i.person.id);
                seen.extend(ids(&by_cursor));
            }
            assert_eq!(seen.len(), 6);
        }
        // The page's lean lines: the same people in the same order, by number and after a person.
        let lines = people::list_lines(&db, &c, &PeopleFilter::default(), 1, 50, None).await.unwrap();
        assert_eq!(lines.iter().map(|l| l.family_name.clone()).collect::<Vec<_>>(), names);
        let after = people::list_lines(&db, &c, &PeopleFilter::default(), 2, 2, Some(lines[1].id)).await.unwrap();
        assert_eq!(after.iter().map(|l| l.id).collect::<Vec<_>>(), vec![lines[2].id, lines[3].id]);
        let by_number = people::list_lines(&db, &c, &PeopleFilter::default(), 2, 4, None).await.unwrap();
        assert_eq!(by_number.iter().map(|l| l.id).collect::<Vec<_>>(), vec![lines[4].id, lines[5].id]);
        let stranger = kaeru_domain::PersonId(uuid::Uuid::now_v7());
        let fallback = people::list_page(&db, &c, &PeopleFilter::default(), 2, 4, None, Some(stranger)).await.unwrap();
        assert_eq!(fallback.items.len(), 2);
        assert_eq!(fallback.total, 6);
    }
);

db_test!(
    async fn status_follows_stints_and_filters_find_it(target) {
        let db = open(target).await;
        let c = company(&db, "status").await;
        let actor = Actor::system("test");
        let p = people::create(&db, &c, &actor, &person("山田", "太郎", "やまだ", "たろう", None)).await.unwrap();
        assert_eq!(p.status, PersonStatus::Unregistered, "no stint yet: 未登録");
        stints::create(&db, &c, &actor, p.id, &stint("2010-04-01", Some("2018-03-31")), today()).await.unwrap();
        assert_eq!(people::get(&db, &c, p.id).await.unwrap().status, PersonStatus::Alumnus);
        let back = stints::create(&db, &c, &actor, p.id, &stint("2022-04-01", None), today()).await.unwrap();
        assert_eq!(people::get(&db, &c, p.id).await.unwrap().status, PersonStatus::Returner);
        let f = PeopleFilter { status: Some(PersonStatus::Returner), ..Default::default() };
        assert_eq!(people::list(&db, &c, &f, 1, 50).await.unwrap().total, 1);
        let f = PeopleFilter { left_in_year: Some(2018), department: Some("製造".into()), ..Default::default() };
        assert_eq!(people::list(&db, &c, &f, 1, 50).await.unwrap().total, 1);
        let f = PeopleFilter { left_in_year: Some(2019), ..Default::default() };
        assert_eq!(people::list(&db, &c, &f, 1, 50).await.unwrap().total, 0);
        // The years someone left in, newest first, each once.
        assert_eq!(people::leaving_years(&db, &c).await.unwrap(), vec![2018]);
        // The page's line shows what the full list item says of the latest stint and the last leaving.
        let f = PeopleFilter { left_in_year: Some(2018), department: Some("製造".into()), ..Default::default() };
        let full = people::list(&db, &c, &f, 1, 50).await.unwrap().items;
        let lines = people::list_lines(&db, &c, &f, 1, 50, None).await.unwrap();
        assert_eq!(lines.len(), 1);
        assert_eq!((lines[0].id, lines[0].status), (full[0].person.id, full[0].person.status));
        assert_eq!(lines[0].latest_department, full[0].latest_department);
        assert_eq!(lines[0].latest_job_title, full[0].latest_job_title);
        assert_eq!(lines[0].last_left_on, full[0].last_left_on);
        assert!(lines[0].last_left_on.is_some());
        // A planned leaving date: still employed today, an alumnus once the day has passed.
        stints::update(&db, &c, &actor, back.id, &stint("2022-04-01", Some("2026-12-31")), today()).await.unwrap();
        assert_eq!(people::get(&db, &c, p.id).await.unwrap().status, PersonStatus::Returner);
        let changed = kaeru_store::status::refresh(&db, &c, NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()).await.unwrap();
        assert_eq!(changed, 1);
        assert_eq!(people::get(&db, &c, p.id).await.unwrap().status, PersonStatus::Alumnus);
        stints::delete(&db, &c, &actor, back.id, today()).await.unwrap();
        assert_eq!(stints::for_person(&db, &c, p.id).await.unwrap().len(), 1);
        let log = kaeru_store::audit::for_person(&db, &c, p.id, 50).await.unwrap();
        let actions: Vec<&str> = log.iter().map(|a| a.action.as_str()).collect();
        assert_eq!(actions, ["stint.delete", "stint.update", "stint.create", "stint.create", "person.create"]);
        assert!(companies::revision(&db, &c).await.unwrap() >= 5);
    }
);

db_test!(
    async fn a_due_job_is_claimed_by_one_node_only(target) {
        let db = open(target).await;
        let c = company(&db, "jobs").await;
        let now = chrono::Utc::now();
        schedules::ensure(&db, c.company_id(), "refresh_statuses", now - chrono::Duration::minutes(1)).await.unwrap();
        schedules::ensure(&db, c.company_id(), "refresh_statuses", now).await.unwrap();
        let (first, second) = tokio::join!(
            schedules::claim_due(&db, "node-a", chrono::Duration::minutes(5)),
            schedules::claim_due(&db, "node-b", chrono::Duration::minutes(5))
        );
        let claimed = [first.unwrap(), second.unwrap()].into_iter().flatten().count();
        assert_eq!(claimed, 1, "exactly one node gets the job");
        // Finished with the next run tomorrow: nothing is due now.
        schedules::finish(&db, c.company_id(), "refresh_statuses", now + chrono::Duration::days(1), None).await.unwrap();
        assert!(schedules::claim_due(&db, "node-a", chrono::Duration::minutes(5)).await.unwrap().is_none());
        // A lease that ran out (a crashed node) makes the job claimable again.
        schedules::finish(&db, c.company_id(), "refresh_statuses", now - chrono::Duration::seconds(1), None).await.unwrap();
        assert!(schedules::claim_due(&db, "node-a", chrono::Duration::seconds(-10)).await.unwrap().is_some());
        assert!(schedules::claim_due(&db, "node-b", chrono::Duration::minutes(5)).await.unwrap().is_some());
    }
);

db_test!(
    async fn rate_limits_count_per_key_across_calls(target) {
        let db = open(target).await;
        let window = chrono::Duration::minutes(15);
        for _ in 0..3 {
            assert!(rate_limit::hit(&db, "login:account:a@example.jp", 3, window).await.unwrap());
        }
        assert!(!rate_limit::hit(&db, "login:account:a@example.jp", 3, window).await.unwrap());
        assert!(rate_limit::hit(&db, "login:account:b@example.jp", 3, window).await.unwrap());
        rate_limit::clear(&db, "login:account:a@example.jp").await.unwrap();
        assert!(rate_limit::hit(&db, "login:account:a@example.jp", 3, window).await.unwrap());
    }
);

db_test!(
    async fn migrations_run_twice_without_harm(target) {
        let db = open(target).await;
        assert_eq!(db.migrate().await.unwrap(), 0);
        db.ready().await.unwrap();
    }
);

db_test!(
    async fn the_daily_status_refresh_goes_through_every_batch(target) {
        let db = open(target).await;
        let c = company(&db, "status-batches").await;
        let actor = Actor::system("test");
        // More people than one batch of the refresh, all employed until the end of 2026.
        let everyone: Vec<kaeru_store::bulk::BulkPerson> = (0..4_500)
            .map(|n| kaeru_store::bulk::BulkPerson {
                person: person("山田", &format!("{n}"), "やまだ", "たろう", None),
                status: PersonStatus::Employee,
                outlook: Default::default(),
                stints: vec![stint("2020-04-01", Some("2026-12-31"))],
                skills: vec![],
                careers: vec![],
                offer: None,
                engagements: vec![],
            })
            .collect();
        kaeru_store::bulk::insert_people(&db, &c, &actor, &everyone, NaiveDate::from_ymd_opt(2026, 6, 1).unwrap(), |_| {}).await.unwrap();
        let day = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
        assert_eq!(kaeru_store::status::refresh(&db, &c, day).await.unwrap(), 4_500);
        let f = PeopleFilter { status: Some(PersonStatus::Alumnus), ..Default::default() };
        assert_eq!(people::list(&db, &c, &f, 1, 1).await.unwrap().total, 4_500);
        assert_eq!(kaeru_store::status::refresh(&db, &c, day).await.unwrap(), 0, "nothing left to change");
    }
);

db_test!(
    async fn the_contracts_list_pages_in_the_database_active_first_and_counts_each_standing(target) {
        use kaeru_domain::engagement::{EngagementDraft, EngagementStatus, RateKind, Weekday};
        use kaeru_store::engagements::{self, EngagementFilter};
        let db = open(target).await;
        let c = company(&db, "contracts-a").await;
        let other = company(&db, "contracts-b").await;
        let actor = Actor::system("test");
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let contract = |start: &str, end: Option<&str>, days: &[Weekday]| EngagementDraft {
            title: "設計の応援".into(),
            weekdays: days.to_vec(),
            rate_kind: RateKind::Day,
            rate_yen: 30_000,
            start_date: day(start),
            end_date: end.map(day),
            manager: None,
            note: None,
        };
        // 30 active (the last ten end today, still active), 12 ended (one yesterday), 8 planned (one tomorrow).
        let mut rows = Vec::new();
        for n in 0..50 {
            let g = match n {
                0..20 => contract("2025-04-01", None, &[Weekday::Mon, Weekday::Thu]),
                20..30 => contract("2026-01-05", Some("2026-11-29"), &[Weekday::Tue]),
                30..41 => contract("2024-04-01", Some("2025-03-31"), &[Weekday::Mon]),
                41 => contract("2026-06-01", Some("2026-11-28"), &[Weekday::Mon]),
                42 => contract("2026-11-30", None, &[Weekday::Mon]),
                _ => contract("2027-01-04", None, &[Weekday::Fri]),
            };
            rows.push(kaeru_store::bulk::BulkPerson {
                person: person("𠮷田", &format!("{n}"), "よしだ", "たろう", None),
                status: PersonStatus::Alumnus,
                outlook: Default::default(),
                stints: vec![stint("2015-04-01", Some("2023-03-31"))],
                skills: vec![],
                careers: vec![],
                offer: None,
                engagements: vec![g],
            });
        }
        kaeru_store::bulk::insert_people(&db, &c, &actor, &rows, today(), |_| {}).await.unwrap();
        // The other company has one active contract on Monday: never counted or listed here.
        kaeru_store::bulk::insert_people(&db, &other, &actor, &rows[..1], today(), |_| {}).await.unwrap();

        let counts = engagements::counts(&db, &c, today()).await.unwrap();
        assert_eq!((counts.active, counts.ended, counts.planned, counts.all()), (30, 12, 8, 50));
        let all = EngagementFilter::default();
        assert_eq!(engagements::count_filtered(&db, &c, all, today()).await.unwrap(), 50);
        // Active first (the latest start first), then planned, then ended; each page follows the one before.
        let mut seen = Vec::new();
        for page in 1..=3 {
            let p = engagements::rows(&db, &c, all, today(), (page - 1) * 20, 20).await.unwrap();
            assert_eq!(p.len(), if page < 3 { 20 } else { 10 });
            let p = engagements::with_names(&db, &c, p).await.unwrap();
            seen.extend(p.into_iter().map(|(e, name)| {
                assert!(name.starts_with("𠮷田 "), "{name}");
                (e.status(today()), e.start_date, e.id)
            }));
        }
        let rank = |s: EngagementStatus| match s { EngagementStatus::Active => 0, EngagementStatus::Planned => 1, EngagementStatus::Ended => 2 };
        let mut sorted = seen.clone();
        sorted.sort_by(|a, b| rank(a.0).cmp(&rank(b.0)).then(b.1.cmp(&a.1)).then(b.2.cmp(&a.2)));
        assert_eq!(seen, sorted);
        assert_eq!(seen.iter().map(|s| s.2).collect::<std::collections::HashSet<_>>().len(), 50, "no contract twice");
        assert_eq!(seen[0].1, day("2026-01-05"));

        // Filters agree with each contract's own standing; a day filter matches that day only.
        for st in [EngagementStatus::Active, EngagementStatus::Planned, EngagementStatus::Ended] {
            let f = EngagementFilter { status: Some(st), day: None };
            assert_eq!(engagements::count_filtered(&db, &c, f, today()).await.unwrap(), counts.of(st));
            let p = engagements::with_names(&db, &c, engagements::rows(&db, &c, f, today(), 0, 100).await.unwrap()).await.unwrap();
            assert_eq!(p.len() as u64, counts.of(st));
            assert!(p.iter().all(|(e, _)| e.status(today()) == st));
        }
        let f = EngagementFilter { status: Some(EngagementStatus::Active), day: Some(Weekday::Mon) };
        assert_eq!(engagements::count_filtered(&db, &c, f, today()).await.unwrap(), 20);
        let f = EngagementFilter { status: None, day: Some(Weekday::Mon) };
        assert_eq!(engagements::count_filtered(&db, &c, f, today()).await.unwrap(), 33);
        let f = EngagementFilter { status: None, day: Some(Weekday::Sat) };
        assert_eq!(engagements::count_filtered(&db, &c, f, today()).await.unwrap(), 0);

        // The week view's rows: the active ones only, by their columns.
        let week = engagements::active_days(&db, &c, today()).await.unwrap();
        assert_eq!(week.len(), 30);
        assert_eq!(week.iter().filter(|(_, _, d)| d.contains(&Weekday::Tue)).count(), 10);
        assert_eq!(engagements::counts(&db, &other, today()).await.unwrap().all(), 1);
    }
);

db_test!(
    async fn a_session_read_on_the_requests_thread_finds_what_the_pool_finds(target) {
        use kaeru_domain::{Language, Role};
        use kaeru_store::{sessions, staff};
        let db = open(target).await;
        let pooled = db.without_direct_reads();
        let (c, owner) = companies::create_with_owner(
            &db,
            &kaeru_domain::Slug::parse("direct").unwrap(),
            &kaeru_domain::CompanySettings { name: "𠮷野家工業".into(), time_zone: "Asia/Tokyo".into(), default_language: Language::En },
            companies::NewOwner { email: "owner@direct.example".into(), display_name: "𠮷田 社長".into(), password_hash: "x".into() },
        )
        .await
        .unwrap();
        let scope = kaeru_store::Scope::for_company(c.id);
        staff::set_language(&db, &scope, owner.id, Language::Ja).await.unwrap();
        let same = |a: &Option<sessions::SessionInfo>, b: &Option<sessions::SessionInfo>| format!("{a:?}") == format!("{b:?}");

        let live = sessions::create(&db, &owner, chrono::Duration::hours(1)).await.unwrap();
        let direct = sessions::resolve(&db, &live).await.unwrap();
        let through_pool = sessions::resolve(&pooled, &live).await.unwrap();
        assert!(same(&direct, &through_pool), "{direct:?}\n{through_pool:?}");
        let found = direct.expect("a live session");
        assert_eq!(found.user.display_name, "𠮷田 社長");
        assert_eq!(found.user.language, Some(Language::Ja));
        assert_eq!(found.user.role, Role::Owner);
        assert_eq!(found.company.name, "𠮷野家工業");
        assert_eq!(found.company.default_language, Language::En);
        assert_eq!(found.scope, scope);

        // A write to the company is seen by the next read: its revision comes with the session.
        let before = found.revision;
        people::create(&db, &scope, &Actor::system("test"), &person("𠮷田", "花", "よしだ", "はな", None)).await.unwrap();
        let after = sessions::resolve(&db, &live).await.unwrap().unwrap();
        assert!(after.revision > before);

        let expired = sessions::create(&db, &owner, chrono::Duration::seconds(-1)).await.unwrap();
        assert!(sessions::resolve(&db, &expired).await.unwrap().is_none());
        assert!(sessions::resolve(&pooled, &expired).await.unwrap().is_none());
        assert!(sessions::resolve(&db, &"0".repeat(64)).await.unwrap().is_none());

        sessions::delete(&db, &live).await.unwrap();
        assert!(sessions::resolve(&db, &live).await.unwrap().is_none());

        let other = sessions::create(&db, &owner, chrono::Duration::hours(1)).await.unwrap();
        staff::update_access(&db, &scope, &Actor::system("test"), owner.id, Role::Owner, false).await.unwrap();
        assert!(sessions::resolve(&db, &other).await.unwrap().is_none());

        match db.direct_reads() {
            Some(reads) => {
                assert_eq!(db.backend_name(), "sqlite");
                assert!(reads.direct >= 5, "{reads:?}");
                assert_eq!(reads.fallen_back, 0, "{reads:?}");
            }
            None => assert_eq!(db.backend_name(), "postgres"),
        }
    }
);
