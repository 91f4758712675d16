//! Touchpoints and warmth over HTTP, on SQLite and PostgreSQL: logging a contact (refused in the future or
//! without a channel), the warmth label rising, the last contact moving, and the reconnect list.

mod common;

use common::*;
use kaeru_store::db_test;
use reqwest::StatusCode;

fn tokyo_today() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(9)).date_naive()
}

db_test!(
    async fn a_logged_contact_warms_the_relationship_and_takes_the_person_off_the_reconnect_list(target) {
        let app = spawn_app(target).await;
        let c = browser();
        app.setup(&c, "sakura", "shacho@example.jp").await;
        let person = app.create_person(&c, "高橋", "たかはし", "takahashi@example.jp").await;
        let stints = format!("{person}/stints");
        app.post(&c, &format!("{stints}/new"), &stints, &[("start_date", "2015-04-01"), ("end_date", "2022-03-31"), ("employment_type", "full_time"), ("rehire_eligibility", "welcome")]).await;
        let (_, page) = app.get(&c, &person).await;
        assert!(page.contains("疎遠") && page.contains("記録なし"), "{page}");
        let (_, list) = app.get(&c, "/reconnect").await;
        assert!(list.contains("高橋 太郎") && list.contains("再雇用歓迎"), "{list}");
        let (_, home) = app.get(&c, "/").await;
        assert!(home.contains("大切なアルムナイ1人と疎遠になっています"));

        // Refused: a date in the future, no channel. Nothing is written and the typed values stay.
        let new = format!("{person}/touchpoints/new");
        let add = format!("{person}/touchpoints");
        let tomorrow = (tokyo_today() + chrono::Duration::days(1)).to_string();
        let r = app.post(&c, &new, &add, &[("on", &tomorrow), ("channel", "drinks"), ("note", "来月また")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.unwrap();
        assert!(html.contains("未来の日付の接点は記録できません") && html.contains("来月また"));
        let r = app.post(&c, &new, &add, &[("note", "方法なし")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let (_, page) = app.get(&c, &person).await;
        assert!(page.contains("接点はまだ記録されていません"));

        // An e-mail today: ふつう; drinks too: 温かい; the last contact moves to today.
        let r = app.post(&c, &new, &add, &[("channel", "email"), ("note", "近況をメールで聞いた")]).await;
        assert_eq!(location(&r), format!("{person}#touchpoints-h"));
        let (_, page) = app.get(&c, &person).await;
        assert!(page.contains(">ふつう<") && page.contains("近況をメールで聞いた") && page.contains("桜井 健一"), "{page}");
        app.post(&c, &new, &add, &[("channel", "drinks"), ("by", "人事 田村")]).await;
        let (_, page) = app.get(&c, &person).await;
        assert!(page.contains(">温かい<") && page.contains("人事 田村"));
        let today = tokyo_today().format("%Y/%m/%d").to_string();
        assert!(page.contains(&format!("最後の接点 {today}")));
        let (_, list) = app.get(&c, "/reconnect").await;
        assert!(!list.contains("高橋 太郎"));

        // The interval is checked; another company cannot log a contact with this person.
        let r = app.post(&c, "/reconnect", "/reconnect/interval", &[("days", "3")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let r = app.post(&c, "/reconnect", "/reconnect/interval", &[("days", "90")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let settings = kaeru_domain::CompanySettings { name: "B".into(), time_zone: "Asia/Tokyo".into(), default_language: kaeru_domain::Language::Ja };
        let owner = kaeru_store::companies::NewOwner { email: "b@b.example".into(), display_name: "B".into(), password_hash: kaeru_app::passwords::hash_password("b owner password".into()).await.unwrap() };
        kaeru_store::companies::create_with_owner(&app.db, &kaeru_domain::Slug::parse("company-b").unwrap(), &settings, owner).await.unwrap();
        let b = browser();
        app.post(&b, "/login", "/login", &[("email", "b@b.example"), ("password", "b owner password")]).await;
        let r = app.post(&b, "/reconnect", &add, &[("channel", "phone")]).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let (_, page) = app.get(&c, &person).await;
        assert!(!page.contains("電話"));
    }
);

db_test!(
    async fn referrals_and_deals_add_up_and_the_network_page_finds_who_works_where(target) {
        let app = spawn_app(target).await;
        let c = browser();
        app.setup(&c, "sakura", "shacho@example.jp").await;
        let a = app.create_person(&c, "高橋", "たかはし", "takahashi@example.jp").await;
        let b = app.create_person(&c, "中村", "なかむら", "nakamura@example.jp").await;
        for (p, employer, industry) in [(&a, "浜松ロボティクス株式会社", "製造"), (&b, "株式会社みらいデジタル", "広告")] {
            let r = app.post(&c, &format!("{p}/careers"), &format!("{p}/careers"), &[("employer", employer), ("industry", industry), ("from_date", "2023-04-01")]).await;
            assert_eq!(r.status(), StatusCode::SEE_OTHER);
        }
        // Who do we know at a company: one search, in any width or script.
        let (_, page) = app.get(&c, "/network?q=ﾛﾎﾞﾃｨｸｽ").await;
        assert!(page.contains("高橋 太郎") && !page.contains("中村 太郎"), "{page}");
        let (_, page) = app.get(&c, "/network?q=広告").await;
        assert!(page.contains("中村 太郎") && !page.contains("高橋 太郎"));
        // Or by industry: each alumnus under their employer's industry, the employer beside the name.
        let (_, page) = app.get(&c, "/network?by=industry").await;
        let manufacturing = page.split("<h3>製造 ").nth(1).unwrap().split("</article>").next().unwrap();
        assert!(manufacturing.contains("高橋 太郎") && manufacturing.contains("浜松ロボティクス株式会社") && !manufacturing.contains("中村 太郎"), "{page}");
        assert!(page.contains("<h3>広告 "));
        // The groups are cached per revision: a career added now shows on the next view.
        let (_, before) = app.get(&c, "/network").await;
        assert!(!before.contains("浜名湖テック"));
        let r = app.post(&c, &format!("{b}/careers"), &format!("{b}/careers"), &[("employer", "浜名湖テック"), ("industry", "IT"), ("from_date", "2025-04-01")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let (_, after) = app.get(&c, "/network").await;
        assert!(after.contains("<h3>浜名湖テック "), "{after}");

        // Bad amounts and missing names are refused; nothing is written.
        let new = format!("{a}/contributions/new");
        let add = format!("{a}/contributions");
        for amount in ["-100", "0", "99999999999999", "いっぱい"] {
            let r = app.post(&c, &new, &add, &[("kind", "business"), ("client", "浜松ロボティクス株式会社"), ("amount_yen", amount)]).await;
            assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{amount}");
            assert!(r.text().await.unwrap().contains("金額は1円以上"));
        }
        let r = app.post(&c, &new, &add, &[("kind", "referral")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let future = (tokyo_today() + chrono::Duration::days(3)).to_string();
        let r = app.post(&c, &new, &add, &[("kind", "referral"), ("candidate", "佐々木 翔"), ("on", &future)]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let (_, page) = app.get(&c, "/network").await;
        assert!(page.contains("data-testid=\"business-total\">0円"));

        // A deal and a referral that became a hire.
        let r = app.post(&c, &new, &add, &[("kind", "business"), ("client", "浜松ロボティクス株式会社"), ("amount_yen", "１,２００,０００")]).await;
        assert_eq!(location(&r), format!("{a}#contributions-h"));
        app.post(&c, &format!("{b}/contributions/new"), &format!("{b}/contributions"), &[("kind", "business"), ("client", "株式会社みらいデジタル"), ("amount_yen", "300000")]).await;
        app.post(&c, &new, &add, &[("kind", "referral"), ("candidate", "佐々木 翔"), ("opening", "設計担当"), ("outcome", "hired")]).await;
        let (_, person) = app.get(&c, &a).await;
        assert!(person.contains("1,200,000円") && person.contains("佐々木 翔（設計担当） — 採用"), "{person}");
        let (_, page) = app.get(&c, "/network").await;
        assert!(page.contains("data-testid=\"business-total\">1,500,000円") && page.contains("取引 2件"), "{page}");
    }
);

db_test!(
    async fn a_two_day_contract_shows_in_the_week_view_and_makes_the_person_a_contractor(target) {
        let app = spawn_app(target).await;
        let c = browser();
        app.setup(&c, "sakura", "shacho@example.jp").await;
        let person = app.create_person(&c, "高橋", "たかはし", "takahashi@example.jp").await;
        let stints = format!("{person}/stints");
        app.post(&c, &format!("{stints}/new"), &stints, &[("start_date", "2015-04-01"), ("end_date", "2022-03-31"), ("employment_type", "full_time")]).await;
        let new = format!("{person}/engagements/new");
        let add = format!("{person}/engagements");
        let today = tokyo_today().to_string();
        // Refused: no day, an end before the start, a negative rate.
        let r = app.post(&c, &new, &add, &[("title", "Web広告の運用"), ("rate_kind", "day"), ("rate_yen", "-35000"), ("start_date", &today), ("end_date", "2020-01-01")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.unwrap();
        assert!(html.contains("働く曜日を1日以上") && html.contains("金額は1円以上") && html.contains("value=\"Web広告の運用\""), "{html}");
        // 週2日, Monday and Thursday.
        let r = app.post(&c, &new, &add, &[("title", "Web広告の運用"), ("weekdays", "mon"), ("weekdays", "thu"), ("rate_kind", "day"), ("rate_yen", "35,000"), ("start_date", &today), ("manager", "桜井 健一")]).await;
        assert_eq!(location(&r), format!("{person}#engagements-h"));
        let (_, page) = app.get(&c, &person).await;
        assert!(page.contains("badge contractor") && page.contains("週2日（月・木）") && page.contains("日額 35,000円"), "{page}");
        let (_, list) = app.get(&c, "/engagements").await;
        let monday = list.split("<h3>月</h3>").nth(1).unwrap().split("</div>").next().unwrap();
        let tuesday = list.split("<h3>火</h3>").nth(1).unwrap().split("</div>").next().unwrap();
        assert!(monday.contains("高橋 太郎") && !tuesday.contains("高橋 太郎"));
        // Four more days in the same period would make six: refused.
        let r = app.post(&c, &new, &add, &[("title", "設計の応援"), ("weekdays", "tue"), ("weekdays", "wed"), ("weekdays", "fri"), ("weekdays", "sat"), ("rate_kind", "month"), ("rate_yen", "400000"), ("start_date", &today)]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("週6日になります"));
        // Ending it today keeps today as its last day.
        let id = list.split("/engagements/").nth(1).unwrap().split('/').next().unwrap().to_string();
        // Editing it to five days is fine (it is not counted twice); a bad edit keeps what was typed.
        let edit = format!("/engagements/{id}/edit");
        let r = app.post(&c, &edit, &format!("/engagements/{id}"), &[("title", "Web広告の運用"), ("rate_kind", "day"), ("rate_yen", "-1"), ("start_date", &today)]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let five = [("title", "Web広告の運用"), ("weekdays", "mon"), ("weekdays", "tue"), ("weekdays", "wed"), ("weekdays", "thu"), ("weekdays", "fri"), ("rate_kind", "day"), ("rate_yen", "36000"), ("start_date", &today)];
        let r = app.post(&c, &edit, &format!("/engagements/{id}"), &five).await;
        assert_eq!(location(&r), format!("{person}#engagements-h"));
        let (_, page) = app.get(&c, &person).await;
        assert!(page.contains("週5日（月・火・水・木・金）") && page.contains("日額 36,000円") && page.contains("業務委託の契約を変更"), "{page}");
        let r = app.post(&c, "/engagements", &format!("/engagements/{id}/end"), &[]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let (_, list) = app.get(&c, "/engagements").await;
        assert!(list.contains(&format!("{} – {}", tokyo_today().format("%Y/%m/%d"), tokyo_today().format("%Y/%m/%d"))));
    }
);

db_test!(
    async fn a_long_contract_list_pages_filters_and_names_twelve_a_day_in_the_week_view(target) {
        use kaeru_domain::engagement::{EngagementDraft, RateKind, Weekday};
        let app = spawn_app(target).await;
        let c = browser();
        app.setup(&c, "sakura", "shacho@example.jp").await;
        let company = kaeru_store::companies::find_by_slug(&app.db, "sakura").await.unwrap().unwrap();
        let scope = kaeru_store::Scope::for_company(company.id);
        let today = tokyo_today();
        let days = chrono::Duration::days;
        // 30 active on Monday, 2 planned, 33 ended: 65 contracts, two pages.
        let people: Vec<kaeru_store::bulk::BulkPerson> = (0..65)
            .map(|n| {
                let (start, end, title) = match n {
                    0..30 => (today - days(100 + n), None, format!("設計の応援{n}")),
                    30..32 => (today + days(30), None, format!("開始前{n}")),
                    _ => (today - days(400), Some(today - days(200)), format!("終了済{n}")),
                };
                kaeru_store::bulk::BulkPerson {
                    engagements: vec![EngagementDraft {
                        title,
                        weekdays: vec![Weekday::Mon],
                        rate_kind: RateKind::Day,
                        rate_yen: 30_000,
                        start_date: start,
                        end_date: end,
                        manager: None,
                        note: None,
                    }],
                    ..numbered_yoshida(n, kaeru_domain::PersonStatus::Contractor, today)
                }
            })
            .collect();
        kaeru_store::bulk::insert_people(&app.db, &scope, &kaeru_store::Actor::system("test"), &people, today, |_| {}).await.unwrap();

        let (s, list) = app.get(&c, "/engagements").await;
        assert_eq!(s, StatusCode::OK);
        // Monday names the twelve latest contracts and links the other 18; Tuesday has nobody.
        let monday = list.split("<h3>月</h3>").nth(1).unwrap().split("</div>").next().unwrap();
        assert_eq!(monday.matches("<li>").count(), 12, "{monday}");
        assert!(monday.contains("𠮷田 0号") && monday.contains("𠮷田 11号") && !monday.contains("𠮷田 12号"), "{monday}");
        assert!(monday.contains("href=\"/engagements?status=active&#38;day=mon\"") && monday.contains("ほか18人"), "{monday}");
        assert!(!monday.contains("開始前") && !monday.contains("終了済"));
        // The filter shows each standing's count; the list is 50 a page, active first, then planned, then ended.
        assert!(list.contains("すべて（65）") && list.contains("契約中（30）") && list.contains("開始前（2）") && list.contains("終了（33）"), "{list}");
        let table = list.split("<tbody>").nth(1).unwrap();
        assert_eq!(table.matches("<tr>").count(), 50);
        assert!(table.find("設計の応援0<").unwrap() < table.find("開始前30").unwrap() && table.find("開始前31").unwrap() < table.find("終了済64").unwrap());
        assert!(list.contains("全65件") && list.contains("rel=\"next\""));
        let (_, second) = app.get(&c, "/engagements?status=&day=&page=2").await;
        let table = second.split("<tbody>").nth(1).unwrap();
        assert_eq!(table.matches("<tr>").count(), 15);
        assert!(!table.contains("設計の応援") && table.contains("終了済32") && !table.contains("終了済64"));
        // The week view's link: Monday's active contracts, all 30 on one page.
        let (_, monday_all) = app.get(&c, "/engagements?status=active&day=mon").await;
        let table = monday_all.split("<tbody>").nth(1).unwrap();
        assert_eq!(table.matches("<tr>").count(), 30);
        assert!(monday_all.contains("<option value=\"active\" selected>") && monday_all.contains("<option value=\"mon\" selected>"));
        let (_, none) = app.get(&c, "/engagements?day=sat").await;
        assert!(none.contains("条件に合う契約はありません。"));
        // Nonsense in the query is ignored, never an error.
        let (s, _) = app.get(&c, "/engagements?status=%00&day=<script>&page=-3").await;
        assert_eq!(s, StatusCode::OK);
        // A new contract shows at once: the counts and the week follow the company's revision.
        let person = monday.split("href=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
        let r = app.post(&c, &format!("{person}/engagements/new"), &format!("{person}/engagements"), &[("title", "火曜の応援"), ("weekdays", "tue"), ("rate_kind", "day"), ("rate_yen", "30000"), ("start_date", &today.to_string())]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let (_, list) = app.get(&c, "/engagements").await;
        let tuesday = list.split("<h3>火</h3>").nth(1).unwrap().split("</div>").next().unwrap();
        assert!(tuesday.contains("火曜の応援") && list.contains("契約中（31）") && list.contains("全66件"), "{tuesday}");
        // English.
        app.post(&c, "/engagements", "/language", &[("lang", "en"), ("next", "/engagements")]).await;
        let (_, en) = app.get(&c, "/engagements").await;
        assert!(en.contains("18 more") && en.contains("Active (31)") && en.contains("66 in all"), "{en}");
    }
);
