//! Startup support and side jobs over HTTP, on SQLite and PostgreSQL: a venture with support and deals
//! adding up, bad amounts refused, closing it and the way back; side job applications with the
//! conflict-of-interest flag, decisions only by the right role and only once, the renewal reminder, and what
//! side jobs led to when people left. Another company sees none of it.

mod common;

use common::*;
use kaeru_store::db_test;
use reqwest::StatusCode;

fn tokyo_today() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(9)).date_naive()
}

async fn other_company(app: &TestApp) -> reqwest::Client {
    let settings = kaeru_domain::CompanySettings {
        name: "B".into(),
        time_zone: "Asia/Tokyo".into(),
        default_language: kaeru_domain::Language::Ja,
    };
    let owner = kaeru_store::companies::NewOwner {
        email: "b@b.example".into(),
        display_name: "B".into(),
        password_hash: kaeru_app::passwords::hash_password("b owner password".into())
            .await
            .unwrap(),
    };
    kaeru_store::companies::create_with_owner(
        &app.db,
        &kaeru_domain::Slug::parse("company-b").unwrap(),
        &settings,
        owner,
    )
    .await
    .unwrap();
    let b = browser();
    app.post(
        &b,
        "/login",
        "/login",
        &[("email", "b@b.example"), ("password", "b owner password")],
    )
    .await;
    b
}

db_test!(
    async fn a_ventures_support_and_deals_add_up_and_a_closed_venture_opens_the_way_back(target) {
        let app = spawn_app(target).await;
        let c = browser();
        app.setup(&c, "sakura", "shacho@example.jp").await;
        let person = app.create_person(&c, "青木", "あおき", "aoki@example.jp").await;
        let stints = format!("{person}/stints");
        app.post(&c, &format!("{stints}/new"), &stints, &[("start_date", "2012-04-01"), ("end_date", "2021-08-31"), ("employment_type", "full_time"), ("rehire_eligibility", "welcome")]).await;
        let new = format!("{person}/ventures/new");
        let add = format!("{person}/ventures");

        // Refused, with the typed values kept: a founded venture dated in the future, a script URL, no name.
        let next_year = (tokyo_today() + chrono::Duration::days(200)).to_string();
        let r = app.post(&c, &new, &add, &[("name", "合同会社ハママツデザイン"), ("stage", "founded"), ("founded_on", &next_year), ("website", "javascript:alert(1)")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.unwrap();
        assert!(html.contains("創業日が未来の日付です") && html.contains("value=\"合同会社ハママツデザイン\""), "{html}");
        let r = app.post(&c, &new, &add, &[("stage", "growing")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let (_, list) = app.get(&c, "/ventures").await;
        assert!(list.contains("起業の記録はまだありません"));

        let r = app.post(&c, &new, &add, &[("name", "合同会社ハママツデザイン"), ("field", "Webデザイン"), ("stage", "founded"), ("founded_on", "2021-10-01"), ("website", "https://hamamatsu-design.example")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let venture = location(&r).to_string();
        assert!(venture.starts_with("/ventures/"));
        let support = format!("{venture}/support");
        let deals = format!("{venture}/deals");

        // Bad amounts and hours are refused and nothing is written.
        for amount in ["-100", "0", "99999999999999", "たくさん", ""] {
            let r = app.post(&c, &venture, &support, &[("kind", "funding"), ("amount_yen", amount)]).await;
            assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{amount}");
            assert!(r.text().await.unwrap().contains("金額は1円以上"));
        }
        let r = app.post(&c, &venture, &support, &[("kind", "guidance"), ("hours", "-3"), ("by", "製造部 鈴木")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.unwrap();
        assert!(html.contains("1以上2000以下の整数") && html.contains("value=\"製造部 鈴木\""));
        let future = (tokyo_today() + chrono::Duration::days(2)).to_string();
        let r = app.post(&c, &venture, &deals, &[("relation", "client"), ("deal_amount", "500000"), ("deal_on", &future)]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let r = app.post(&c, &venture, &support, &[("kind", "client_intro")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let (_, page) = app.get(&c, &venture).await;
        assert!(page.contains("支援の記録はまだありません") && page.contains("取引の記録はまだありません"));

        // Support: funding, guidance, an introduction; deals: a client order and a purchase.
        let r = app.post(&c, &venture, &support, &[("kind", "funding"), ("amount_yen", "３,０００,０００")]).await;
        assert_eq!(location(&r), format!("{venture}#support-h"));
        app.post(&c, &venture, &support, &[("kind", "guidance"), ("hours", "12"), ("by", "製造部 鈴木")]).await;
        app.post(&c, &venture, &support, &[("kind", "client_intro"), ("client", "浜松ロボティクス株式会社"), ("outcome", "受注につながった")]).await;
        let r = app.post(&c, &venture, &deals, &[("relation", "client"), ("deal_amount", "1,200,000"), ("deal_description", "ノベルティ用の精密部品")]).await;
        assert_eq!(location(&r), format!("{venture}#deals-h"));
        app.post(&c, &venture, &deals, &[("relation", "supplier"), ("deal_amount", "350000")]).await;
        let (_, page) = app.get(&c, &venture).await;
        assert!(page.contains("data-testid=\"venture-funding\">3,000,000円") && page.contains("data-testid=\"venture-received\">1,200,000円") && page.contains("発注 350,000円"), "{page}");
        assert!(page.contains("浜松ロボティクス株式会社") && page.contains("12時間") && page.contains("顧客・仕入先"));
        let (_, list) = app.get(&c, "/ventures").await;
        assert!(list.contains("data-testid=\"funding-total\">3,000,000円") && list.contains("data-testid=\"received-total\">1,200,000円"), "{list}");
        let (_, p) = app.get(&c, &person).await;
        assert!(p.contains("合同会社ハママツデザイン") && p.contains("起業を支援"), "person page shows the venture and the audit");

        // Another company sees nothing and cannot write.
        let b = other_company(&app).await;
        assert_eq!(app.get(&b, &venture).await.0, StatusCode::NOT_FOUND);
        let r = app.post(&b, "/ventures", &support, &[("kind", "funding"), ("amount_yen", "1000")]).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let (_, list) = app.get(&b, "/ventures").await;
        assert!(!list.contains("ハママツ"));

        // Closing it offers the way back in one click.
        let r = app.post(&c, &format!("{venture}/edit"), &venture, &[("name", "合同会社ハママツデザイン"), ("stage", "withdrawn"), ("founded_on", "2021-10-01")]).await;
        assert_eq!(location(&r), venture);
        let (_, page) = app.get(&c, &venture).await;
        let today = tokyo_today().format("%Y/%m/%d").to_string();
        assert!(page.contains(&format!("{today}に撤退しました")) && page.contains("再雇用の流れへ") && page.contains(&format!("{person}/offers/new")), "{page}");
        let r = app.post(&c, &venture, &format!("{person}/comebacks"), &[("note", "起業から撤退、再雇用の相談")]).await;
        assert!(location(&r).starts_with("/comebacks/"));
        let (_, board) = app.get(&c, location(&r)).await;
        assert!(board.contains("青木 太郎"));
    }
);

db_test!(
    async fn side_jobs_are_checked_decided_by_the_right_role_once_and_renewed_before_they_end(target) {
        let app = spawn_app(target).await;
        let c = browser();
        app.setup(&c, "sakura", "shacho@example.jp").await;
        let employee = app.create_person(&c, "石川", "いしかわ", "ishikawa@example.jp").await;
        let stints = format!("{employee}/stints");
        let r = app.post(&c, &format!("{stints}/new"), &stints, &[("start_date", "2018-04-01"), ("employment_type", "full_time")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let alumnus = app.create_person(&c, "中村", "なかむら", "nakamura@example.jp").await;
        app.post(&c, &format!("{alumnus}/stints/new"), &format!("{alumnus}/stints"), &[("start_date", "2015-04-01"), ("end_date", "2022-03-31"), ("employment_type", "full_time")]).await;

        // A competitor in the same industry; a manager who may record applications but not decide them.
        let r = app.post(&c, "/settings/relations", "/settings/relations", &[("name", "遠州精密工業株式会社"), ("kind", "competitor"), ("industry", "製造")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let r = app.post(&c, "/settings/relations", "/settings/relations", &[("kind", "competitor")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        app.post(&c, "/settings/staff", "/settings/staff", &[("display_name", "製造部 鈴木"), ("email", "suzuki@example.jp"), ("role", "manager"), ("password", "manager password 1")]).await;
        let m = browser();
        app.post(&m, "/login", "/login", &[("email", "suzuki@example.jp"), ("password", "manager password 1")]).await;
        assert_eq!(app.get(&m, "/settings/relations").await.0, StatusCode::FORBIDDEN);

        let new = format!("{employee}/side-jobs/new");
        let add = format!("{employee}/side-jobs");
        let today = tokyo_today();
        let start = today.to_string();
        let end = (today + chrono::Duration::days(364)).to_string();
        let r = app.post(&m, &new, &add, &[("employer", "有限会社三方原テクノ"), ("work", "図面作成"), ("hours_per_week", "80"), ("start_date", &start), ("end_date", "2020-01-01")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.unwrap();
        assert!(html.contains("1以上40以下の整数") && html.contains("終了日は開始日より後") && html.contains("value=\"有限会社三方原テクノ\""), "{html}");
        // Only people employed now.
        let r = app.post(&m, &format!("{alumnus}/side-jobs/new"), &format!("{alumnus}/side-jobs"), &[("employer", "どこか"), ("work", "何か"), ("hours_per_week", "5"), ("start_date", &start), ("end_date", &end)]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("在籍中の社員だけ"));
        let r = app.post(&m, &new, &add, &[("employer", "有限会社三方原テクノ"), ("industry", "製造"), ("work", "週末の図面作成"), ("hours_per_week", "６"), ("start_date", &start), ("end_date", &end)]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let job = location(&r).to_string();
        let (_, page) = app.get(&m, &job).await;
        assert!(page.contains("競合「遠州精密工業株式会社」と同じ業種（製造）です") && page.contains("社長または人事の判断を待っています"), "{page}");

        // The manager cannot decide; nothing changes.
        let decide = format!("{job}/decide");
        let token = csrf_of(&app.get(&m, "/side-jobs").await.1);
        let r = m.post(format!("{}{decide}", app.base)).form(&[("_csrf", token.as_str()), ("decision", "approve"), ("reason", "ok")]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let (_, list) = app.get(&c, "/side-jobs").await;
        assert!(list.contains("有限会社三方原テクノ") && list.contains("承認待ち"));
        let (_, home) = app.get(&c, "/").await;
        assert!(home.contains("副業の申請が1件、承認を待っています"));

        // A flagged application needs conditions to be approved; a rejection needs a reason.
        let r = app.post(&c, &job, &decide, &[("decision", "approve")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("理由や条件を書いてください"));
        let r = app.post(&c, &job, &decide, &[("decision", "reject")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let r = app.post(&c, &job, &decide, &[("decision", "approve"), ("reason", "顧客情報・図面を持ち出さないこと")]).await;
        assert_eq!(location(&r), "/side-jobs");
        let r = app.post(&c, &job, &decide, &[("decision", "reject"), ("reason", "やはり不可")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("すでに判断済み"));
        let (_, page) = app.get(&c, &job).await;
        assert!(page.contains("data-testid=\"side-job-state\">実施中") && page.contains("顧客情報・図面を持ち出さないこと") && page.contains("桜井 健一"), "{page}");
        let (_, p) = app.get(&c, &employee).await;
        assert!(p.contains("有限会社三方原テクノ") && p.contains("副業を承認"));

        // One ending in ten days: the reminder, the renewal form from the day after, and the reminder goes.
        let short_start = (today - chrono::Duration::days(300)).to_string();
        let short_end = today + chrono::Duration::days(10);
        let r = app.post(&c, &new, &add, &[("employer", "カフェ浜名湖"), ("industry", "飲食"), ("work", "週末の焙煎"), ("hours_per_week", "8"), ("start_date", &short_start), ("end_date", &short_end.to_string())]).await;
        let cafe = location(&r).to_string();
        let r = app.post(&c, &cafe, &format!("{cafe}/decide"), &[("decision", "approve")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let (_, home) = app.get(&c, "/").await;
        assert!(home.contains("石川 太郎さんの副業（カフェ浜名湖）の期限が近づいています"), "{home}");
        let cafe_id = cafe.trim_start_matches("/side-jobs/");
        let (_, form) = app.get(&c, &format!("{employee}/side-jobs/new?renews={cafe_id}")).await;
        let next = (short_end + chrono::Duration::days(1)).to_string();
        assert!(form.contains(&format!("value=\"{next}\"")) && form.contains("value=\"カフェ浜名湖\""), "{form}");
        let r = app.post(&c, &format!("{employee}/side-jobs/new?renews={cafe_id}"), &add, &[("renews", cafe_id), ("employer", "カフェ浜名湖"), ("industry", "飲食"), ("work", "週末の焙煎"), ("hours_per_week", "8"), ("start_date", &next), ("end_date", &(short_end + chrono::Duration::days(365)).to_string())]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let (_, home) = app.get(&c, "/").await;
        assert!(!home.contains("期限が近づいています"));

        // Another company cannot see or decide.
        let b = other_company(&app).await;
        assert_eq!(app.get(&b, &job).await.0, StatusCode::NOT_FOUND);
        let r = app.post(&b, "/side-jobs", &format!("{cafe}/decide"), &[("decision", "reject"), ("reason", "x")]).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);

        // When the employee leaves and joins the side job's company, it is counted.
        let (_, p) = app.get(&c, &employee).await;
        let marker = format!("{employee}/stints/");
        let stint = p
            .match_indices(&marker)
            .map(|(at, _)| &p[at + marker.len()..])
            .find(|rest| rest.len() > 41 && &rest[36..41] == "/edit")
            .map(|rest| &rest[..36])
            .expect("an edit link for the stint");
        let leave = (today - chrono::Duration::days(1)).to_string();
        let r = app.post(&c, &format!("{employee}/stints/{stint}/edit"), &format!("{employee}/stints/{stint}"), &[("start_date", "2018-04-01"), ("end_date", &leave), ("employment_type", "full_time")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        app.post(&c, &format!("{employee}/careers"), &format!("{employee}/careers"), &[("employer", "有限会社 三方原テクノ"), ("from_date", &today.to_string())]).await;
        let (_, list) = app.get(&c, "/side-jobs").await;
        assert!(list.contains("data-testid=\"leavers-count\">1") && list.contains("副業先へ転職"), "{list}");
    }
);
