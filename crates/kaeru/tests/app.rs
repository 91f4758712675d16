//! The application over HTTP, started on port 0 with a fresh database, on SQLite and on PostgreSQL.

mod common;

use common::*;
use kaeru::Application;
use kaeru::config::Config;
use kaeru_store::{DatabaseTarget, db_test};
use reqwest::StatusCode;
use tokio_util::sync::CancellationToken;

db_test!(
    async fn first_run_creates_the_company_and_signs_the_owner_in(target) {
        let app = spawn_app(target).await;
        let c = browser();
        let r = c.get(format!("{}/", app.base)).send().await.unwrap();
        assert_eq!(location(&r), "/setup");
        // Bad input keeps what was typed and says what is wrong, in Japanese.
        let r = app.post(&c, "/setup", "/setup", &[("company_name", "さくら精機"), ("slug", "サクラ"), ("owner_name", ""), ("email", "shacho@example.jp"), ("password", "short")]).await;
        let html = r.text().await.unwrap();
        assert!(html.contains("value=\"さくら精機\"") && html.contains("value=\"shacho@example.jp\""));
        assert!(html.contains("半角英小文字") && html.contains("入力してください") && html.contains("10文字以上"));
        app.setup(&c, "sakura", "shacho@example.jp").await;
        let (status, html) = app.get(&c, "/people").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("まだ人材が登録されていません"));
        // Setup is closed once a company exists.
        let r = c.get(format!("{}/setup", app.base)).send().await.unwrap();
        assert_eq!(location(&r), "/login");
        assert_eq!(app.get(&c, "/healthz").await.0, StatusCode::OK);
        assert_eq!(app.get(&c, "/readyz").await.0, StatusCode::OK);
    }
);

db_test!(
    async fn sign_in_out_and_rate_limit(target) {
        let app = spawn_app(target).await;
        let owner = browser();
        app.setup(&owner, "sakura", "shacho@example.jp").await;
        let c = browser();
        let r = app.post(&c, "/login", "/login", &[("email", "shacho@example.jp"), ("password", "wrong password")]).await;
        assert!(r.text().await.unwrap().contains("メールアドレスまたはパスワードが正しくありません"));
        let r = app.post(&c, "/login", "/login", &[("email", "SHACHO@example.jp"), ("password", "correct horse battery")]).await;
        assert_eq!(location(&r), "/people");
        let cookie = r.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).find(|v| v.starts_with("kaeru_session=")).unwrap();
        assert!(!cookie.contains("Secure"), "plain HTTP on loopback: no Secure flag");
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
        assert_eq!(app.get(&c, "/people").await.0, StatusCode::OK);
        // A form without the CSRF token is refused.
        let r = c.post(format!("{}/people", app.base)).form(&[("family_name", "x")]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let r = app.post(&c, "/people", "/logout", &[]).await;
        assert_eq!(location(&r), "/login");
        let r = c.get(format!("{}/people", app.base)).send().await.unwrap();
        assert_eq!(location(&r), "/login");
        // Ten failures for one account, then the account is locked for a while even with the right password.
        let attacker = browser();
        for _ in 0..10 {
            app.post(&attacker, "/login", "/login", &[("email", "shacho@example.jp"), ("password", "guess")]).await;
        }
        let r = app.post(&attacker, "/login", "/login", &[("email", "shacho@example.jp"), ("password", "correct horse battery")]).await;
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    }
);

db_test!(
    async fn people_and_stints_with_validation_history_and_english(target) {
        let app = spawn_app(target).await;
        let c = browser();
        app.setup(&c, "sakura", "shacho@example.jp").await;
        // Refused: every field says what is wrong, and what was typed stays.
        let r = app
            .post(&c, "/people/new", "/people", &[("family_name", "山田"), ("given_name", ""), ("family_kana", "Yamada"), ("given_kana", "たろう"), ("emails", "yamada@"), ("facebook_url", "javascript:alert(1)"), ("notes", "居酒屋で再会")])
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.unwrap();
        for expected in ["ひらがなまたはカタカナで入力してください", "メールアドレスの形式", "http:// または https://", "value=\"山田\"", "居酒屋で再会", "aria-invalid=\"true\""] {
            assert!(html.contains(expected), "missing {expected}");
        }
        let person = app.create_person(&c, "山田", "ヤマダ", "yamada@example.jp").await;
        // The same address for a second person is refused.
        let r = app.post(&c, "/people/new", "/people", &[("family_name", "川田"), ("given_name", "花"), ("family_kana", "かわだ"), ("given_kana", "はな"), ("emails", "YAMADA@example.jp")]).await;
        assert!(r.text().await.unwrap().contains("ほかの人材に登録済み"));
        // A stint that ends before it starts.
        let stints = format!("{person}/stints");
        let r = app.post(&c, &format!("{stints}/new"), &stints, &[("start_date", "2015-04-01"), ("end_date", "2014-03-31"), ("employment_type", "full_time"), ("department", "営業")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.unwrap();
        assert!(html.contains("退職日は入社日より後の日付を入力してください") && html.contains("value=\"営業\""));
        let r = app
            .post(&c, &format!("{stints}/new"), &stints, &[("start_date", "2015-04-01"), ("end_date", "2019-03-31"), ("employment_type", "full_time"), ("department", "営業"), ("leave_reason", "career_change"), ("rehire_eligibility", "welcome"), ("rehire_reason", "誰からも信頼されていた")])
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        app.post(&c, &format!("{stints}/new"), &stints, &[("start_date", "2023-10-01"), ("employment_type", "full_time"), ("department", "営業")]).await;
        let (_, html) = app.get(&c, &person).await;
        for expected in ["出戻り", "2015/04/01", "離職期間 4年6か月", "誰からも信頼されていた", "在籍期間を追加", "人材を登録", "転職"] {
            assert!(html.contains(expected), "person page lacks {expected}");
        }
        // Edit the person; the history says who changed what.
        let edit = format!("{person}/edit");
        let r = app.post(&c, &edit, &person, &[("family_name", "山田"), ("given_name", "太郎"), ("family_kana", "やまだ"), ("given_kana", "たろう"), ("emails", "yamada@example.jp"), ("city", "浜松市")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let (_, html) = app.get(&c, &person).await;
        assert!(html.contains("人材を編集") && html.contains("浜松市"));
        // The list, filtered by status.
        let (_, html) = app.get(&c, "/people?status=returner").await;
        assert!(html.contains("山田 太郎") && html.contains("1人"));
        let (_, html) = app.get(&c, "/people?status=employee").await;
        assert!(!html.contains("山田 太郎"));
        // Switch to English: the same page speaks English.
        let r = app.post(&c, &person, "/language", &[("lang", "en"), ("next", &person)]).await;
        assert_eq!(location(&r), person);
        let (_, html) = app.get(&c, &person).await;
        assert!(html.contains("Returner") && html.contains("Add employment stint") && html.contains("lang=\"en\""));
        // Garbage in URLs and forms is a 404 or a refusal, never a server error.
        for path in ["/people/not-a-uuid", "/people/00000000-0000-0000-0000-000000000000", "/people/x/stints/y/edit", "/people?page=-5&left=abc&status=zzz", "/nowhere"] {
            let (status, _) = app.get(&c, path).await;
            assert!(status == StatusCode::NOT_FOUND || status == StatusCode::OK, "{path} gave {status}");
        }
        let long = "あ".repeat(60);
        let r = app.post(&c, "/people/new", "/people", &[("family_name", &long), ("given_name", "\u{0}"), ("family_kana", "あ"), ("given_kana", "あ"), ("birth_date", "2024-02-30")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
);

db_test!(
    async fn one_company_cannot_reach_anothers_people(target) {
        let app = spawn_app(target).await;
        let a = browser();
        app.setup(&a, "company-a", "owner@a.example").await;
        let person_a = app.create_person(&a, "田中", "たなか", "tanaka@example.jp").await;
        // Company B, added the way `kaeru company add` does it.
        let settings = kaeru_domain::CompanySettings { name: "B商事".into(), time_zone: "Asia/Tokyo".into(), default_language: kaeru_domain::Language::Ja };
        let owner = kaeru_store::companies::NewOwner { email: "owner@b.example".into(), display_name: "B社長".into(), password_hash: kaeru_app::passwords::hash_password("b owner password".into()).await.unwrap() };
        kaeru_store::companies::create_with_owner(&app.db, &kaeru_domain::Slug::parse("company-b").unwrap(), &settings, owner).await.unwrap();
        let b = browser();
        let r = app.post(&b, "/login", "/login", &[("email", "owner@b.example"), ("password", "b owner password")]).await;
        assert_eq!(location(&r), "/people");
        let (status, html) = app.get(&b, &person_a).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(!html.contains("田中"));
        assert_eq!(app.get(&b, &format!("{person_a}/edit")).await.0, StatusCode::NOT_FOUND);
        assert_eq!(app.get(&b, &format!("{person_a}/stints/new")).await.0, StatusCode::NOT_FOUND);
        let r = app.post(&b, "/people", &person_a, &[("family_name", "乗っ取り"), ("given_name", "x"), ("family_kana", "のっとり"), ("given_kana", "x")]).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let r = app.post(&b, "/people", &format!("{person_a}/stints"), &[("start_date", "2020-01-01"), ("employment_type", "full_time")]).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let (_, list) = app.get(&b, "/people").await;
        assert!(!list.contains("田中"));
        let (_, html) = app.get(&a, &person_a).await;
        assert!(html.contains("田中 太郎") && !html.contains("乗っ取り"));
        // Within company A, a viewer reads but cannot change.
        let r = app.post(&a, "/settings/staff", "/settings/staff", &[("display_name", "閲覧 太郎"), ("email", "viewer@a.example"), ("role", "viewer"), ("password", "viewer password 1")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let viewer = browser();
        let r = app.post(&viewer, "/login", "/login", &[("email", "viewer@a.example"), ("password", "viewer password 1")]).await;
        assert_eq!(location(&r), "/people");
        // A viewer reads but cannot change.
        assert_eq!(app.get(&viewer, &person_a).await.0, StatusCode::OK);
        assert_eq!(app.get(&viewer, "/people/new").await.0, StatusCode::FORBIDDEN);
        assert_eq!(app.get(&viewer, "/settings/staff").await.0, StatusCode::FORBIDDEN);
        let (_, html) = app.get(&viewer, "/people").await;
        assert!(!html.contains("/people/new"));
        // The owner takes the viewer's access away: the viewer's session ends at once.
        let (_, staff_page) = app.get(&a, "/settings/staff").await;
        let marker = "action=\"/settings/staff/";
        let at = staff_page.find(marker).expect("a form per other staff member") + marker.len();
        let viewer_id = &staff_page[at..at + 36];
        let r = app.post(&a, "/settings/staff", &format!("/settings/staff/{viewer_id}"), &[("role", "viewer")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let r = viewer.get(format!("{}/people", app.base)).send().await.unwrap();
        assert_eq!(location(&r), "/login");
        let r = app.post(&viewer, "/login", "/login", &[("email", "viewer@a.example"), ("password", "viewer password 1")]).await;
        assert!(r.text().await.unwrap().contains("メールアドレスまたはパスワードが正しくありません"));
    }
);

#[tokio::test]
async fn an_unknown_database_scheme_is_an_error_not_a_new_file() {
    let dir = std::env::temp_dir().join(format!("kaeru-scheme-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = Config {
        listen: "127.0.0.1:0".into(),
        data_dir: dir.clone(),
        database_url: Some("mysql://root@localhost/kaeru".into()),
        ..Default::default()
    };
    let err = Application::build(config).await.err().expect("refused");
    assert!(err.to_string().contains("unsupported database URL scheme"));
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        0,
        "no SQLite file was created"
    );
    let _ = std::fs::remove_dir_all(dir);
}

db_test!(
    async fn settings_company_and_password(target) {
        let app = spawn_app(target).await;
        let c = browser();
        app.setup(&c, "sakura", "shacho@example.jp").await;
        // Company settings: a bad time zone is refused with the typed values kept.
        let r = app.post(&c, "/settings/company", "/settings/company", &[("name", "さくら精機（新）"), ("time_zone", "Mars/Olympus"), ("default_language", "en")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.unwrap();
        assert!(html.contains("タイムゾーン名を入力してください") && html.contains("value=\"さくら精機（新）\""));
        let r = app.post(&c, "/settings/company", "/settings/company", &[("name", "さくら精機（新）"), ("time_zone", "Asia/Tokyo"), ("default_language", "en")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        // The owner has not chosen a language, so the company default (now English) applies.
        let (_, html) = app.get(&c, "/people").await;
        assert!(html.contains("さくら精機（新）") && html.contains("Add person"));
        // Password change: the current password must be right and the two new ones must match.
        let r = app.post(&c, "/settings/account", "/settings/account/password", &[("current", "nope"), ("new_password", "a new long password"), ("confirm", "something else")]).await;
        let html = r.text().await.unwrap();
        assert!(html.contains("The current password is not correct") && html.contains("The two new passwords do not match"));
        let other = browser();
        let r = app.post(&other, "/login", "/login", &[("email", "shacho@example.jp"), ("password", "correct horse battery")]).await;
        assert_eq!(location(&r), "/people");
        let r = app.post(&c, "/settings/account", "/settings/account/password", &[("current", "correct horse battery"), ("new_password", "a new long password"), ("confirm", "a new long password")]).await;
        assert_eq!(location(&r), "/settings/account");
        // This session goes on; the other one was signed out; the new password works.
        assert_eq!(app.get(&c, "/settings/account").await.0, StatusCode::OK);
        let r = other.get(format!("{}/people", app.base)).send().await.unwrap();
        assert_eq!(location(&r), "/login");
        let fresh = browser();
        let r = app.post(&fresh, "/login", "/login", &[("email", "shacho@example.jp"), ("password", "a new long password")]).await;
        assert_eq!(location(&r), "/people");
        // An owner cannot demote themselves (and so lock the company out).
        let (_, html) = app.get(&c, "/settings/staff").await;
        assert!(html.contains("You"));
    }
);

fn tokyo_today() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(9)).date_naive()
}

db_test!(
    async fn return_offers_with_missions_and_the_home_to_do_list(target) {
        let app = spawn_app(target).await;
        let c = browser();
        app.setup(&c, "sakura", "shacho@example.jp").await;
        let person = app.create_person(&c, "佐藤", "さとう", "misaki@example.jp").await;
        let stints = format!("{person}/stints");
        app.post(&c, &format!("{stints}/new"), &stints, &[("start_date", "2018-04-01"), ("employment_type", "full_time"), ("department", "営業")]).await;
        // Still employed with no planned leaving date: the form says so before anything is typed, and refuses.
        let new_offer = format!("{person}/offers/new");
        let (_, html) = app.get(&c, &new_offer).await;
        assert!(html.contains("在籍中で退職予定日のない人にはオファーを作成できません"));
        let today = tokyo_today();
        let soon = (today + chrono::Duration::days(30)).to_string();
        let offers_path = format!("{person}/offers");
        let r = app.post(&c, &new_offer, &offers_path, &[("valid_from", "2026-03-31"), ("valid_until", &soon), ("signer_name", "桜井 健一")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        // Give the stint its leaving date; now the window rules apply.
        let (_, page) = app.get(&c, &person).await;
        let stint_id = page.match_indices("/stints/").map(|(i, _)| &page[i + 8..i + 44]).find(|id| !id.starts_with("new")).unwrap();
        let stint = format!("{stints}/{stint_id}");
        let r = app.post(&c, &format!("{stint}/edit"), &stint, &[("start_date", "2018-04-01"), ("end_date", "2026-03-31"), ("employment_type", "full_time"), ("department", "営業"), ("rehire_eligibility", "welcome")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let (_, html) = app.get(&c, &new_offer).await;
        assert!(html.contains("value=\"2026-03-31\"") && html.contains("value=\"2029-03-31\""), "window defaults to 3 years from leaving");
        let r = app.post(&c, &new_offer, &offers_path, &[("valid_from", "2026-03-31"), ("valid_until", "2025-01-01"), ("signer_name", "桜井 健一"), ("terms", "salary_floor"), ("terms", "priority_interview"), ("terms_note", "配属は営業部")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.unwrap();
        assert!(html.contains("有効期限は開始日より後の日付を入力してください") && html.contains("給与の下限」を選んだときは金額を入力してください"));
        assert!(html.contains("配属は営業部") && html.contains("value=\"salary_floor\" checked"));
        let r = app.post(&c, &new_offer, &offers_path, &[("valid_from", "2026-03-31"), ("valid_until", &soon), ("signer_name", "桜井 健一"), ("signer_title", "代表取締役"), ("terms", "salary_floor"), ("salary_floor_yen", "3,600,000")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let offer = location(&r).to_string();
        assert!(offer.starts_with("/offers/"));
        let (_, html) = app.get(&c, &offer).await;
        assert!(html.contains("RO-") && html.contains("下書き") && html.contains("給与の下限：¥3,600,000") && html.contains("令和8年"));
        // One standing offer per person.
        let r = app.post(&c, &new_offer, &offers_path, &[("valid_from", "2026-03-31"), ("valid_until", "2029-03-31"), ("signer_name", "桜井 健一")]).await;
        assert!(r.text().await.unwrap().contains("この人には有効なオファー"));
        // Issue it; the home page warns that it ends within 90 days.
        let status = format!("{offer}/status");
        let r = app.post(&c, &offer, &status, &[("action", "issue")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        // The letter: a real PDF whose Japanese text an independent tool (pdfminer) can read back.
        let r = c.get(format!("{}{offer}/letter.pdf?lang=ja", app.base)).send().await.unwrap();
        assert_eq!(r.headers()["content-type"], "application/pdf");
        let text = pdf_text(&r.bytes().await.unwrap());
        for expected in ["リターンオファー確認書", "佐藤 太郎 様", "2026年3月31日（令和8年3月31日）から", "給与の下限：年額 ¥3,600,000", "代表取締役", "桜井 健一", "RO-2026-0001"] {
            assert!(text.contains(expected), "letter lacks {expected}: {text}");
        }
        let r = c.get(format!("{}{offer}/letter.pdf?lang=en", app.base)).send().await.unwrap();
        let text = pdf_text(&r.bytes().await.unwrap());
        assert!(text.contains("Return Offer") && text.contains("31 March 2026 to"), "{text}");
        let (_, home) = app.get(&c, "/").await;
        assert!(home.contains("佐藤 太郎さんのリターンオファー") && home.contains("あと30日"), "{home}");
        // A learning mission and its check-ins.
        let missions = format!("{offer}/missions");
        let r = app.post(&c, &offer, &missions, &[("skill", ""), ("target_level", "7"), ("check_in_every_days", "90")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let r = app.post(&c, &offer, &missions, &[("skill", "デジタルマーケティング"), ("target_level", "3"), ("check_in_every_days", "90"), ("reason", "社内に経験者がいない")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let (_, html) = app.get(&c, &offer).await;
        let at = html.find("/check-ins\"").unwrap();
        let check_ins = html[..at].rsplit("action=\"").next().unwrap().to_string() + "/check-ins";
        let tomorrow = (today + chrono::Duration::days(1)).to_string();
        let r = app.post(&c, &offer, &check_ins, &[("on_date", &tomorrow), ("activity", "Web広告")]).await;
        assert!(r.text().await.unwrap().contains("未来の日付は入力できません"));
        let r = app.post(&c, &offer, &check_ins, &[("on_date", &today.to_string()), ("activity", "Web広告の運用を担当"), ("assessed_level", "2")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let (_, html) = app.get(&c, &offer).await;
        assert!(html.contains("Web広告の運用を担当") && html.contains("直近の評価 2"));
        // Acknowledge, then an illegal move is refused with a message.
        app.post(&c, &offer, &status, &[("action", "acknowledge")]).await;
        let r = app.post(&c, &offer, &status, &[("action", "issue")]).await;
        assert!(r.text().await.unwrap().contains("このオファーの今の状態では、その操作はできません"));
        let r = app.post(&c, &offer, &status, &[("action", "withdraw"), ("reason", "本人の希望")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let (_, html) = app.get(&c, &offer).await;
        assert!(html.contains("撤回") && html.contains("本人の希望"));
        let (_, html) = app.get(&c, &person).await;
        assert!(html.contains("オファーを作成") && html.contains("オファーを撤回"));
        // The policy changes the defaults of the next offer.
        let r = app.post(&c, "/settings/policy", "/settings/policy", &[("window_years", "0"), ("welcome_declaration", "")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let r = app.post(&c, "/settings/policy", "/settings/policy", &[("window_years", "5"), ("default_terms", "probation_waived"), ("welcome_declaration", "おかえりなさい")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let (_, html) = app.get(&c, &new_offer).await;
        assert!(html.contains("value=\"2031-03-31\"") && html.contains("value=\"probation_waived\" checked"));
        // Another company sees none of it.
        let settings = kaeru_domain::CompanySettings { name: "B".into(), time_zone: "Asia/Tokyo".into(), default_language: kaeru_domain::Language::Ja };
        let owner = kaeru_store::companies::NewOwner { email: "b@b.example".into(), display_name: "B".into(), password_hash: kaeru_app::passwords::hash_password("b owner password".into()).await.unwrap() };
        kaeru_store::companies::create_with_owner(&app.db, &kaeru_domain::Slug::parse("company-b").unwrap(), &settings, owner).await.unwrap();
        let b = browser();
        app.post(&b, "/login", "/login", &[("email", "b@b.example"), ("password", "b owner password")]).await;
        assert_eq!(app.get(&b, &offer).await.0, StatusCode::NOT_FOUND);
        let r = app.post(&b, "/offers", &status, &[("action", "issue")]).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let (_, list) = app.get(&b, "/offers").await;
        assert!(!list.contains("RO-"));
    }
);

db_test!(
    async fn a_home_page_with_many_reminders_shows_fifty_a_group_and_counts_after_each_write(target) {
        let app = spawn_app(target).await;
        let c = browser();
        app.setup(&c, "sakura", "shacho@example.jp").await;
        let company = kaeru_store::companies::find_by_slug(&app.db, "sakura").await.unwrap().unwrap();
        let scope = kaeru_store::Scope::for_company(company.id);
        let today = tokyo_today();
        let days = chrono::Duration::days;
        // 70 alumni whose issued offers end within 90 days: 70 reminders of one group.
        let people: Vec<kaeru_store::bulk::BulkPerson> = (0..70)
            .map(|n| kaeru_store::bulk::BulkPerson {
                offer: Some((today - days(5), today + days(10 + n))),
                ..numbered_yoshida(n, kaeru_domain::PersonStatus::Alumnus, today)
            })
            .collect();
        kaeru_store::bulk::insert_people(&app.db, &scope, &kaeru_store::Actor::system("test"), &people, today, |_| {}).await.unwrap();
        let (s, home) = app.get(&c, "/").await;
        assert_eq!(s, StatusCode::OK);
        let group = home.split("id=\"todo-offers\"").nth(1).unwrap().split("</article>").next().unwrap();
        assert!(group.contains("リターンオファー（70件）"), "{group}");
        assert_eq!(group.matches("<li class=\"todo expiring\">").count(), 50, "{group}");
        assert!(group.contains("ほか45件を表示") && group.contains("<a href=\"/offers\">すべての70件を一覧で見る</a>"), "{group}");
        // The soonest first: the 50 shown are those ending in 10 to 59 days.
        assert!(group.contains("𠮷田 0号") && group.contains("𠮷田 49号") && !group.contains("𠮷田 50号"), "{group}");
        assert!(home.contains("<strong>70</strong><span>アルムナイ</span>"), "{home}");
        // A write shows at once: one person more, one reminder fewer.
        app.create_person(&c, "佐藤", "さとう", "sato@example.jp").await;
        let (_, list) = app.get(&c, "/offers").await;
        let offer = list
            .match_indices("href=\"/offers/")
            .map(|(i, m)| &list[i + m.len()..i + m.len() + 36])
            .find(|id| uuid::Uuid::parse_str(id).is_ok())
            .map(|id| format!("/offers/{id}"))
            .unwrap();
        let r = app.post(&c, &offer, &format!("{offer}/status"), &[("action", "withdraw"), ("reason", "本人の希望")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{offer}");
        let (_, home) = app.get(&c, "/").await;
        assert!(home.contains("リターンオファー（69件）") && home.contains("すべての69件を一覧で見る"), "{home}");
        assert!(home.contains("<strong>1</strong><span>"), "the new person is counted: {home}");
        // In English too.
        app.post(&c, "/", "/language", &[("lang", "en"), ("next", "/")]).await;
        let (_, en) = app.get(&c, "/").await;
        assert!(en.contains("See all 69 in the list") && en.contains("Show 45 more"), "{en}");
    }
);

db_test!(
    async fn the_comeback_pipeline_brings_a_person_back(target) {
        let app = spawn_app(target).await;
        let c = browser();
        app.setup(&c, "sakura", "shacho@example.jp").await;
        let person = app.create_person(&c, "鈴木", "すずき", "suzuki@example.jp").await;
        let stints = format!("{person}/stints");
        app.post(&c, &format!("{stints}/new"), &stints, &[("start_date", "2014-04-01"), ("end_date", "2020-03-31"), ("employment_type", "full_time"), ("department", "製造")]).await;
        let offers_path = format!("{person}/offers");
        let r = app.post(&c, &format!("{person}/offers/new"), &offers_path, &[("valid_from", "2020-03-31"), ("valid_until", "2030-03-31"), ("signer_name", "桜井 健一")]).await;
        let offer = location(&r).to_string();
        app.post(&c, &offer, &format!("{offer}/status"), &[("action", "issue")]).await;
        // Start the comeback from the person page.
        let r = app.post(&c, &person, &format!("{person}/comebacks"), &[("note", "居酒屋で再会")]).await;
        let comeback = location(&r).to_string();
        assert!(comeback.starts_with("/comebacks/"), "{comeback}");
        let (_, board) = app.get(&c, "/comebacks").await;
        assert!(board.contains("鈴木 太郎") && board.contains("関心あり"));
        let (_, list) = app.get(&c, "/comebacks?view=list").await;
        assert!(list.contains("鈴木 太郎") && list.contains("RO-"));
        let stage = format!("{comeback}/stage");
        assert_eq!(app.post(&c, &comeback, &stage, &[("stage", "interview")]).await.status(), StatusCode::SEE_OTHER);
        // 見送り needs a reason; 復職 needs a start date after leaving. Nothing changes when refused.
        let r = app.post(&c, &comeback, &stage, &[("stage", "dropped")]).await;
        assert!(r.text().await.unwrap().contains("入力してください"));
        let r = app.post(&c, &comeback, &stage, &[("stage", "returned"), ("department", "営業")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.unwrap();
        assert!(html.contains("value=\"営業\""));
        let r = app.post(&c, &comeback, &stage, &[("stage", "returned"), ("start_date", "2019-01-01")]).await;
        assert!(r.text().await.unwrap().contains("復職日は直近の退職日より後の日付を入力してください"));
        let (_, html) = app.get(&c, &person).await;
        assert!(html.contains("アルムナイ") && !html.contains(">出戻り<"));
        let r = app.post(&c, &comeback, &stage, &[("stage", "returned"), ("start_date", "2024-04-01"), ("department", "営業"), ("job_title", "マーケティング担当"), ("skills_gained", "デジタルマーケティング、提案営業")]).await;
        assert_eq!(location(&r), person);
        let (_, html) = app.get(&c, &person).await;
        for expected in ["出戻り", "2024/04/01", "マーケティング担当", "離職期間 4年", "復職"] {
            assert!(html.contains(expected), "person page lacks {expected}");
        }
        let (_, html) = app.get(&c, &offer).await;
        assert!(html.contains("行使"));
        let (_, html) = app.get(&c, &comeback).await;
        assert!(html.contains("1462日") && html.contains("デジタルマーケティング、提案営業"));
        // Once returned, it stays returned.
        let r = app.post(&c, &comeback, &stage, &[("stage", "interview")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("この復帰の流れは終了しています"));
    }
);

db_test!(
    async fn search_finds_people_in_any_script_and_sees_writes_from_another_node(target) {
        let node_a = spawn_app(target.clone()).await;
        let node_b = spawn_app(target).await;
        let c = browser();
        node_a.setup(&c, "sakura", "shacho@example.jp").await;
        let r = node_a
            .post(&c, "/people/new", "/people", &[("family_name", "田中"), ("given_name", "太郎"), ("family_kana", "たなか"), ("given_kana", "たろう"), ("romaji_name", "Taro Tanaka"), ("notes", "デジタルマーケティングの経験あり")])
            .await;
        let person = location(&r).to_string();
        node_a.create_person(&c, "中田", "なかた", "nakata@example.jp").await;
        let names = |html: &str| html.matches("href=\"/people/").count();
        // The same session works on the other node: sessions live in the database.
        let (status, html) = node_b.get(&c, "/search?q=たなか").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("田中 太郎") && !html.contains("中田 太郎"), "{html}");
        for q in ["%E3%82%BF%E3%83%8A%E3%82%AB", "%EF%BE%80%EF%BE%85%EF%BD%B6", "TANAKA", "%E7%94%B0%E4%B8%AD"] {
            let (_, h) = node_b.get(&c, &format!("/search?q={q}")).await;
            assert!(h.contains("田中 太郎"), "query {q} did not find 田中 太郎");
            assert_eq!(names(&h), names(&html), "query {q} found other people");
        }
        let (_, h) = node_b.get(&c, "/search?q=デジタル").await;
        assert!(h.contains("田中 太郎"));
        // A write on node A is visible to a search on node B at once.
        let edit = format!("{person}/edit");
        node_a.post(&c, &edit, &person, &[("family_name", "田中"), ("given_name", "次郎"), ("family_kana", "たなか"), ("given_kana", "じろう")]).await;
        let (_, h) = node_b.get(&c, "/search?q=次郎").await;
        assert!(h.contains("田中 次郎"), "node B still serves a stale index");
        // Bad input: nothing found, never an error page.
        let (status, h) = node_b.get(&c, "/search?q=%F0%9F%98%80").await;
        assert_eq!(status, StatusCode::OK);
        assert!(h.contains("見つかりませんでした"));
        let long = "あ".repeat(101);
        let (status, h) = node_b.get(&c, &format!("/search?q={long}")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(h.contains("100文字以内"));
        assert_eq!(node_b.get(&c, "/search?q=").await.0, StatusCode::OK);
    }
);

#[tokio::test]
async fn behind_https_every_cookie_is_secure() {
    let fresh = kaeru_store::testing::Fresh::new(kaeru_store::testing::Backend::Sqlite).await;
    let DatabaseTarget::Sqlite(path) = &fresh.target else {
        unreachable!()
    };
    let config = Config {
        listen: "127.0.0.1:0".into(),
        data_dir: path.parent().unwrap().to_path_buf(),
        worker: false,
        secure_cookies: true,
        ..Default::default()
    };
    let app = Application::build(config).await.unwrap();
    let base = format!("http://{}", app.local_addr());
    let stop = CancellationToken::new();
    tokio::spawn(app.run_until(stop.clone()));
    let r = browser().get(format!("{base}/setup")).send().await.unwrap();
    let cookies: Vec<String> = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    assert!(cookies.iter().any(|c| c.starts_with("kaeru_csrf=")));
    assert!(cookies.iter().all(|c| c.contains("Secure")), "{cookies:?}");
    stop.cancel();
}

fn first_id_after<'a>(html: &'a str, prefix: &str) -> &'a str {
    let start = html
        .find(prefix)
        .unwrap_or_else(|| panic!("{prefix} not in page"))
        + prefix.len();
    &html[start..start + 36]
}

db_test!(
    async fn skills_gaps_openings_and_matching_with_reasons(target) {
        let app = spawn_app(target).await;
        let c = browser();
        app.setup(&c, "sakura", "shacho@example.jp").await;
        // The catalogue: a skill with aliases; an alias already used elsewhere is refused and the form keeps it.
        let r = app.post(&c, "/skills/new", "/skills", &[("name", "デジタルマーケティング"), ("category", "営業・マーケティング"), ("aliases", "Web広告運用、SNSマーケティング")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let r = app.post(&c, "/skills/new", "/skills", &[("name", "ｗｅｂ広告運用"), ("category", "その他")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.unwrap();
        assert!(html.contains("ほかのスキルですでに使われています") && html.contains("value=\"ｗｅｂ広告運用\""));
        app.post(&c, "/skills/new", "/skills", &[("name", "NC旋盤"), ("category", "ものづくり")]).await;
        let (_, html) = app.get(&c, "/skills").await;
        assert!(html.contains("Web広告運用、SNSマーケティング"));
        let row = html.find("<strong>デジタルマーケティング</strong>").expect("the skill's row");
        let dm = first_id_after(&html[row..], "href=\"/skills/").to_string();
        let row = html.find("<strong>NC旋盤</strong>").expect("the skill's row");
        let nc = first_id_after(&html[row..], "href=\"/skills/").to_string();
        // An alumna (no current stint) with the skill gained after leaving.
        let person = app.create_person(&c, "佐藤", "さとう", "ayumi@example.jp").await;
        let r = app.post(&c, &format!("{person}/skills"), &format!("{person}/skills"), &[("skill", &dm), ("level", "9"), ("origin", "after_leaving"), ("assessed_on", "2026-10-01"), ("note", "広告運用を3年")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.unwrap();
        assert!(html.contains("レベルは1〜5から選択してください") && html.contains("広告運用を3年"));
        let r = app.post(&c, &format!("{person}/skills"), &format!("{person}/skills"), &[("skill", &dm), ("level", "4"), ("origin", "after_leaving"), ("source", "hr"), ("assessed_on", "2026-10-01")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        // A self-reported skill, then confirmed by HR.
        let r = app.post(&c, &format!("{person}/skills"), &format!("{person}/skills"), &[("skill", &nc), ("level", "2"), ("origin", "employment"), ("source", "self")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let (_, html) = app.get(&c, &person).await;
        assert!(html.contains("本人の申告"));
        let confirm = html.find("/confirm\"").map(|i| &html[..i]).and_then(|h| h.rfind("action=\"").map(|j| h[j + 8..].to_string())).expect("a confirm form");
        let r = app.post(&c, &person, &format!("{confirm}/confirm"), &[]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let (_, html) = app.get(&c, &person).await;
        assert!(!html.contains("本人の申告") && html.contains("スキルを確認"));
        let r = app.post(&c, &format!("{person}/outlook"), &format!("{person}/outlook"), &[("intent", "now"), ("work_style", "part_week"), ("days_per_week", "3"), ("last_contact_on", "2026-11-20")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let r = app.post(&c, &format!("{person}/careers"), &format!("{person}/careers"), &[("employer", "株式会社みらいデジタル"), ("from_date", "2024-04-01"), ("to_date", "2023-01-01")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("終了日は開始日より後"));
        app.post(&c, &format!("{person}/careers"), &format!("{person}/careers"), &[("employer", "株式会社みらいデジタル"), ("role", "Webマーケター"), ("from_date", "2024-04-01")]).await;
        let (_, html) = app.get(&c, &person).await;
        for want in ["デジタルマーケティング", "退職後に習得", "今すぐ", "週3日", "株式会社みらいデジタル", "スキルを記録"] {
            assert!(html.contains(want), "person page lacks {want}");
        }
        // Search finds her by the alias of her skill and by her employer.
        let (_, html) = app.get(&c, "/search?q=web%E5%BA%83%E5%91%8A").await;
        assert!(html.contains("佐藤 太郎"));
        // Needs and the gap view.
        let r = app.post(&c, "/skills/gaps", "/skills/needs", &[("skill", &dm), ("priority", "high"), ("min_level", "3")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let r = app.post(&c, "/skills/gaps", "/skills/needs", &[("skill", "not-a-skill"), ("priority", "high"), ("min_level", "3")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let (_, html) = app.get(&c, "/skills/gaps").await;
        assert!(html.contains("社内にいないスキル1件のうち、1件をアルムナイのネットワークで補えます"), "{html}");
        assert!(html.contains("佐藤 太郎"));
        // Weights cannot all be zero.
        let zero: Vec<(&str, &str)> = ["skill", "intent", "offer", "mission", "rehire", "contact", "work_style"].iter().map(|f| (*f, "0")).collect();
        let r = app.post(&c, "/settings/matching", "/settings/matching", &zero).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("すべての重みを0にはできません"));
        // An opening needing the skill at level 3 ranks her with readable reasons.
        let r = app.post(&c, "/openings/new", "/openings", &[("title", "Webマーケティング担当"), ("work_style", "part_week"), ("days_per_week", "3"), ("status", "open"), ("req_skill", &dm), ("req_level", "3"), ("req_skill", ""), ("req_level", "3")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let opening = location(&r).to_string();
        let (_, html) = app.get(&c, &opening).await;
        for want in ["佐藤 太郎", "現在：株式会社みらいデジタル（Webマーケター）", "デジタルマーケティング レベル4（必要3以上）", "復帰の意向：今すぐ", "希望の働き方：週3日", "復帰の流れを始める"] {
            assert!(html.contains(want), "opening page lacks {want}");
        }
        // A required skill chosen twice, and part-time without days, are refused with the form kept.
        let r = app.post(&c, "/openings/new", "/openings", &[("title", "重複"), ("work_style", "part_week"), ("status", "open"), ("req_skill", &dm), ("req_level", "3"), ("req_skill", &dm), ("req_level", "2")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.unwrap();
        assert!(html.contains("同じスキルが2回選ばれています") && html.contains("value=\"重複\""));
        // One click from a result starts the comeback pipeline.
        let pid = person.trim_start_matches("/people/");
        let r = app.post(&c, &opening, &format!("/people/{pid}/comebacks"), &[("note", "求人「Webマーケティング担当」の候補として")]).await;
        assert!(location(&r).starts_with("/comebacks/"));
        // Deleting a skill in use asks first, then removes it everywhere; the opening says it has no skills.
        let r = app.post(&c, &format!("/skills/{dm}/delete"), &format!("/skills/{dm}/delete"), &[]).await;
        assert_eq!(location(&r), format!("/skills/{dm}/delete"));
        let (_, html) = app.get(&c, &format!("/skills/{dm}/delete")).await;
        assert!(html.contains("1件の人材のスキル記録") && html.contains("1件の求人の条件"));
        let r = app.post(&c, &format!("/skills/{dm}/delete"), &format!("/skills/{dm}/delete"), &[("confirm", "yes")]).await;
        assert_eq!(location(&r), "/skills");
        let (status, html) = app.get(&c, &opening).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("スキルが設定されていないため"));
        // Another company sees none of it.
        let other = browser();
        let r = app.post(&other, "/login", "/login", &[("email", "nobody@example.jp"), ("password", "x")]).await;
        assert_ne!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(app.get(&other, &opening).await.0, StatusCode::SEE_OTHER, "signed out goes to sign-in");
    }
);

db_test!(
    async fn a_synthetic_company_is_written_in_bulk_and_searchable(target) {
        let app = spawn_app(target).await;
        let today = tokyo_today();
        let (slug, n) = kaeru::demo::seed_synthetic(&app.db, today, 900, false).await.unwrap();
        assert_eq!((slug.as_str(), n), ("synthetic-900", 900));
        assert!(kaeru::demo::seed_synthetic(&app.db, today, 900, false).await.is_err(), "the same company twice is refused");
        let c = browser();
        let r = app.post(&c, "/login", "/login", &[("email", "owner@synthetic-900.example"), ("password", kaeru::demo::DEMO_PASSWORD)]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let (_, html) = app.get(&c, "/people").await;
        assert!(html.contains("900人"), "all 900 people are listed");
        let (_, html) = app.get(&c, "/search?q=%E7%94%B0%E4%B8%AD").await;
        assert!(html.contains("田中"));
        let (_, html) = app.get(&c, "/skills").await;
        assert!(html.contains("デジタルマーケティング"));
    }
);
