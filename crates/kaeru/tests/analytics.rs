//! The analytics end to end, on SQLite and PostgreSQL: a fresh company is told what the pages need rather
//! than shown zeros; with a history of 22 people who left and came back and 30 outside hires, turnover,
//! boomerang share, return rates and Kaplan–Meier survival come out as computed by hand here; the policy
//! date (future, then past) and the cost of a hire are kept from the policy form (a bad percentage comes back
//! with what was typed); a write shows at once (the cache follows the revision); the CSV neutralises a
//! department named like a formula; a manager sees none of it and another company sees only its own.

mod common;

use chrono::{Datelike, NaiveDate, Utc};
use common::*;
use kaeru_domain::{PersonId, PersonInput, StintInput};
use kaeru_store::{Actor, Scope, db_test, people, stints};
use reqwest::StatusCode;
use serde_json::Value;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

async fn person(app: &TestApp, scope: &Scope, n: usize, today: NaiveDate) -> PersonId {
    let input = PersonInput {
        family_name: format!("山田{n}"),
        given_name: "太郎".into(),
        family_kana: "やまだ".into(),
        given_kana: "たろう".into(),
        ..Default::default()
    };
    people::create(
        &app.db,
        scope,
        &Actor::system("test"),
        &input.parse(today).unwrap(),
    )
    .await
    .unwrap()
    .id
}

#[allow(clippy::too_many_arguments)]
async fn stint(
    app: &TestApp,
    scope: &Scope,
    p: PersonId,
    start: &str,
    end: &str,
    department: &str,
    reason: &str,
    rehire: &str,
    today: NaiveDate,
) {
    let others: Vec<_> = stints::for_person(&app.db, scope, p).await.unwrap();
    let input = StintInput {
        start_date: start.into(),
        end_date: end.into(),
        department: department.into(),
        employment_type: "full_time".into(),
        leave_reason: reason.into(),
        rehire_eligibility: rehire.into(),
        ..Default::default()
    };
    let draft = input.parse(&others).unwrap();
    stints::create(&app.db, scope, &Actor::system("test"), p, &draft, today)
        .await
        .unwrap();
}

async fn api(app: &TestApp, token: &str, path: &str) -> (StatusCode, Value) {
    let r = reqwest::Client::new()
        .get(format!("{}{path}", app.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

fn year<'a>(v: &'a Value, key: &str, y: i32) -> &'a Value {
    v["figures"][key]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["year"] == y)
        .unwrap_or_else(|| panic!("{key} {y} in {v}"))
}

db_test!(
    async fn figures_match_a_hand_count_and_say_when_there_is_too_little_to_read(target) {
        let _ = tracing_subscriber::fmt().with_env_filter("error").with_test_writer().try_init();
        let app = spawn_app(target).await;
        let owner = browser();
        app.setup(&owner, "sakura", "shacho@example.jp").await;
        let company = kaeru_store::companies::all(&app.db).await.unwrap()[0].id;
        let scope = Scope::for_company(company);
        let today = Utc::now().with_timezone(&chrono_tz::Asia::Tokyo).date_naive();
        let (_, token) = kaeru_store::api_tokens::create(&app.db, &scope, &Actor::system("test"), &kaeru_domain::TokenDraft { name: "t".into(), scope: kaeru_domain::TokenScope::Read }).await.unwrap();

        // A fresh install: an explanation, not zeros.
        let (s, html) = app.get(&owner, "/analytics/turnover").await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("まだ数字を出せません"), "{html}");
        assert!(!html.contains("<svg"));
        let (s, v) = api(&app, &token, "/api/v1/analytics/turnover").await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(v["empty"], true);
        let (_, home) = app.get(&owner, "/").await;
        assert!(home.contains("今月の成果はまだ出せません"));

        // 22 people employed 2015–2020 (left for a career change, welcome back) who returned in 2021, three
        // of whom left again in 2022 for family reasons; 30 outside hires in 2019, six gone by its end.
        let mut returners = Vec::new();
        for n in 0..22 {
            let p = person(&app, &scope, n, today).await;
            stint(&app, &scope, p, "2015-04-01", "2020-03-31", "製造部", "career_change", "welcome", today).await;
            let end = if n < 3 { "2022-06-30" } else { "" };
            stint(&app, &scope, p, "2021-04-01", end, "製造部", if n < 3 { "family" } else { "" }, "", today).await;
            returners.push(p);
        }
        for n in 0..30 {
            let p = person(&app, &scope, 100 + n, today).await;
            let (end, reason) = if n < 6 { ("2019-12-31", "company_reasons") } else { ("", "") };
            stint(&app, &scope, p, "2019-04-01", end, "=HYPERLINK(\"x\")", reason, if n < 6 { "not_eligible" } else { "" }, today).await;
        }

        // Turnover, by hand: on 1 January 2020, 22 + 24 employed; 22 left in 2020, all voluntary and regrettable.
        let (_, t) = api(&app, &token, "/api/v1/analytics/turnover?year=2020").await;
        assert_eq!(t["empty"], false);
        let y2020 = year(&t, "years", 2020);
        assert_eq!((y2020["base"].as_u64(), y2020["leavers"].as_u64()), (Some(46), Some(22)));
        assert_eq!((y2020["voluntary"].as_u64(), y2020["regrettable"].as_u64()), (Some(22), Some(22)));
        assert!((y2020["rate"].as_f64().unwrap() - 22.0 * 100.0 / 46.0).abs() < 1e-9);
        let deps = t["figures"]["by_department"].as_array().unwrap();
        assert_eq!(deps.len(), 2, "{deps:?}");
        // 2019 (if shown): six left for the company's reasons, none voluntary.
        if today.year() - 9 <= 2019 {
            let y2019 = year(&t, "years", 2019);
            assert_eq!((y2019["leavers"].as_u64(), y2019["other"].as_u64(), y2019["voluntary"].as_u64()), (Some(6), Some(6), Some(0)));
        }

        // Returns: every hire in 2021 was a returner; the 2020 cohort all came back, a little over a year away.
        let (_, r) = api(&app, &token, "/api/v1/analytics/returns").await;
        let h2021 = year(&r, "years", 2021);
        assert_eq!((h2021["hires"].as_u64(), h2021["rehires"].as_u64(), h2021["share"].as_f64()), (Some(22), Some(22), Some(100.0)));
        let c2020 = year(&r, "cohorts", 2020);
        assert_eq!((c2020["leavers"].as_u64(), c2020["eligible"].as_u64(), c2020["returned"].as_u64()), (Some(22), Some(22), Some(22)));
        assert_eq!(r["figures"]["time_away"]["returns"], 22);
        assert_eq!(r["figures"]["time_away"]["buckets"][1]["people"], 22, "one to two years away");
        assert_eq!(r["figures"]["second_exits"][0]["reason"], "family");
        assert_eq!(r["figures"]["second_exits"][0]["people"], 3);

        // Survival: returners 22 (3 left after 15 months), outside hires 52 (22 left after 5 years, 6 after 9 months).
        let (_, k) = api(&app, &token, "/api/v1/analytics/retention").await;
        let back = &k["figures"]["returners"];
        let outside = &k["figures"]["outside"];
        assert_eq!((back["n"].as_u64(), back["left"].as_u64()), (Some(22), Some(3)));
        assert_eq!((outside["n"].as_u64(), outside["left"].as_u64()), (Some(52), Some(28)));
        assert_eq!(k["figures"]["comparable"], true);
        assert!((back["s12"].as_f64().unwrap() - 1.0).abs() < 1e-9);
        assert!((back["s24"].as_f64().unwrap() - 19.0 / 22.0).abs() < 1e-9);
        assert!((outside["s12"].as_f64().unwrap() - 46.0 / 52.0).abs() < 1e-9);
        assert_eq!(k["figures"]["policy"]["state"], "not_set");

        // The page draws both curves and says how to read them; the department filter narrows the stints.
        let (_, html) = app.get(&owner, "/analytics/retention").await;
        assert!(html.contains("<svg class=\"chart\""), "a curve is drawn");
        assert!(html.contains("導入した日が設定されていません"));
        let (_, html) = app.get(&owner, "/analytics/retention?department=%E8%A3%BD%E9%80%A0%E9%83%A8").await;
        assert!(html.contains("<svg class=\"chart\""), "製造部 has 22 returners and 22 first hires");
        let (_, html) = app.get(&owner, "/analytics/retention?department=%3DHYPERLINK%28%22x%22%29").await;
        assert!(html.contains("比べるには") && !html.contains("<svg class=\"chart\""), "no returners there: no curve");

        // The policy form: a bad percentage comes back with what was typed; a future date is kept and said so.
        let r = app.post(&owner, "/settings/policy", "/settings/policy", &[("window_years", "3"), ("welcome_declaration", "おかえりなさい"), ("adopted_on", "2099-04-01"), ("agency_fee_percent", "150"), ("annual_salary_yen", "4,000,000")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = r.text().await.unwrap();
        assert!(body.contains("0から100までの数字"), "{body}");
        assert!(body.contains("value=\"150\"") && body.contains("value=\"2099-04-01\""));
        let r = app.post(&owner, "/settings/policy", "/settings/policy", &[("window_years", "3"), ("welcome_declaration", "おかえりなさい"), ("adopted_on", "2099-04-01"), ("agency_fee_percent", "３０％"), ("annual_salary_yen", ""), ("fixed_hire_cost_yen", "500,000")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let (_, k) = api(&app, &token, "/api/v1/analytics/retention").await;
        assert_eq!(k["figures"]["policy"]["state"], "future");
        let (_, html) = app.get(&owner, "/analytics/retention").await;
        assert!(html.contains("未来の日付"));
        let (_, sv) = api(&app, &token, "/api/v1/analytics/savings").await;
        assert_eq!(sv["figures"]["per_hire_yen"], 500_000);
        let s2021 = year(&sv, "years", 2021);
        assert_eq!((s2021["returners"].as_u64(), s2021["saved_yen"].as_i64()), (Some(22), Some(11_000_000)));
        app.post(&owner, "/settings/policy", "/settings/policy", &[("window_years", "3"), ("welcome_declaration", "おかえりなさい"), ("adopted_on", "2021-04-01"), ("agency_fee_percent", "30"), ("annual_salary_yen", "4000000")]).await;
        let (_, k) = api(&app, &token, "/api/v1/analytics/retention").await;
        assert_eq!(k["figures"]["policy"]["state"], "compared", "{}", k["figures"]["policy"]);
        let before = &k["figures"]["policy"]["before"];
        let after = &k["figures"]["policy"]["after"];
        assert_eq!(before["until"], "2021-04-01");
        assert_eq!(after["from"], "2021-04-01");

        // A write shows at once: one more returner this year.
        let back_now = returners[0];
        stint(&app, &scope, back_now, &format!("{}-{:02}-01", today.year(), today.month()), "", "製造部", "", "", today).await;
        let (_, h) = api(&app, &token, "/api/v1/analytics/headline").await;
        assert_eq!(h["figures"]["returners"], 1, "{h}");
        let (_, home) = app.get(&owner, "/").await;
        assert!(home.contains("今月の出戻り入社"));
        // A burst right after another write: every answer has it (they wait for one read of the facts).
        stint(&app, &scope, returners[1], &format!("{}-{:02}-01", today.year(), today.month()), "", "製造部", "", "", today).await;
        let mut burst = tokio::task::JoinSet::new();
        for _ in 0..8 {
            let (url, token) = (format!("{}/api/v1/analytics/headline", app.base), token.clone());
            burst.spawn(async move {
                let r = reqwest::Client::new().get(url).bearer_auth(token).send().await.unwrap();
                (r.status(), r.json::<Value>().await.unwrap())
            });
        }
        while let Some(answer) = burst.join_next().await {
            let (s, h) = answer.unwrap();
            assert_eq!(s, StatusCode::OK);
            assert_eq!(h["figures"]["returners"], 2, "{h}");
        }

        // CSV: the formula-like department is text, and every row of the table is there.
        let r = owner.get(format!("{}/analytics/turnover/departments.csv?year=2019", app.base)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        let csv = r.text().await.unwrap();
        assert!(csv.contains("'=HYPERLINK"), "{csv}");
        assert!(csv.starts_with("\u{feff}部署,"), "{csv}");
        let (s, _) = app.get(&owner, "/analytics/turnover/nothing.csv").await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, _) = app.get(&owner, "/analytics/nowhere").await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, v) = api(&app, &token, "/api/v1/analytics/turnover?year=1700").await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");

        // Every section renders in both languages, with no missing words.
        for lang in ["ja", "en"] {
            app.post(&owner, "/", "/language", &[("lang", lang), ("next", "/")]).await;
            for section in ["turnover", "returns", "retention", "offers", "network", "savings", "evidence"] {
                let (s, html) = app.get(&owner, &format!("/analytics/{section}")).await;
                assert_eq!(s, StatusCode::OK, "{section}");
                assert!(!html.contains('⚠'), "{lang} {section} has a missing word");
            }
        }

        // A manager sees none of it.
        app.post(&owner, "/settings/staff", "/settings/staff", &[("display_name", "製造部 鈴木"), ("email", "suzuki@example.jp"), ("role", "manager"), ("password", "manager password 1")]).await;
        let m = browser();
        app.post(&m, "/login", "/login", &[("email", "suzuki@example.jp"), ("password", "manager password 1")]).await;
        let (s, _) = app.get(&m, "/analytics/turnover").await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (_, home) = app.get(&m, "/").await;
        assert!(!home.contains("/analytics\""), "no link to the analytics for a manager");

        // Another company sees its own (empty) figures, not the cached ones of this one.
        let (other, _) = kaeru_store::companies::create_with_owner(
            &app.db,
            &kaeru_domain::Slug::parse("hamana").unwrap(),
            &kaeru_domain::CompanySettings { name: "浜名工業".into(), time_zone: "Asia/Tokyo".into(), default_language: kaeru_domain::Language::Ja },
            kaeru_store::companies::NewOwner { email: "o@hamana.example".into(), display_name: "O".into(), password_hash: "x".into() },
        )
        .await
        .unwrap();
        let (_, other_token) = kaeru_store::api_tokens::create(&app.db, &Scope::for_company(other.id), &Actor::system("test"), &kaeru_domain::TokenDraft { name: "t".into(), scope: kaeru_domain::TokenScope::Read }).await.unwrap();
        let (_, v) = api(&app, &other_token, "/api/v1/analytics/returns").await;
        assert_eq!(v["empty"], true);
        assert!(v["figures"]["years"].as_array().unwrap().iter().all(|y| y["hires"] == 0));
        let _ = d("2020-01-01");
    }
);

db_test!(
    async fn the_monthly_report_is_a_pdf_on_demand_and_reaches_the_owner_once_on_the_first(target) {
        let _ = tracing_subscriber::fmt().with_env_filter("error").with_test_writer().try_init();
        let app = spawn_app(target).await;
        let owner = browser();
        app.setup(&owner, "sakura", "shacho@example.jp").await;
        let company = kaeru_store::companies::all(&app.db).await.unwrap()[0].id;
        let scope = Scope::for_company(company);
        let today = Utc::now().with_timezone(&chrono_tz::Asia::Tokyo).date_naive();
        for n in 0..3 {
            let p = person(&app, &scope, n, today).await;
            stint(&app, &scope, p, "2015-04-01", "2020-03-31", "𠮷田工場", "career_change", "welcome", today).await;
            stint(&app, &scope, p, "2021-04-01", "", "𠮷田工場", "", "", today).await;
        }

        // On demand: this month so far, read back by pdftotext.
        let r = owner.get(format!("{}/analytics/report.pdf", app.base)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["content-type"], "application/pdf");
        let text = pdf_text(&r.bytes().await.unwrap());
        assert!(text.contains("月次レポート"), "{text}");
        assert!(text.contains("さくら精機株式会社"));
        assert!(text.contains("比べるには"), "three returners are too few to compare: {text}");

        // Not asked for: nothing queued on the 1st.
        let first = today.with_day(1).unwrap();
        assert_eq!(kaeru_worker::queue_monthly_report(&app.db, company, &app.base, first).await.unwrap(), 0);
        app.post(&owner, "/settings/policy", "/settings/policy", &[("window_years", "3"), ("welcome_declaration", "おかえりなさい"), ("monthly_report", "on")]).await;
        // Asked for: once on the 1st (a second pass queues nothing more), never after the 3rd.
        assert_eq!(kaeru_worker::queue_monthly_report(&app.db, company, &app.base, first).await.unwrap(), 1);
        kaeru_worker::queue_monthly_report(&app.db, company, &app.base, first + chrono::Duration::days(1)).await.unwrap();
        assert_eq!(kaeru_worker::queue_monthly_report(&app.db, company, &app.base, first + chrono::Duration::days(5)).await.unwrap(), 0);
        let smtp = SmtpSink::start();
        let mailer = kaeru_worker::Mailer::new(&smtp.settings()).unwrap();
        kaeru_worker::mail::deliver_outbox(&app.db, &mailer, "test").await.unwrap();
        let mails: Vec<Received> = smtp.messages().into_iter().filter(|m| m.subject.contains("月次レポート")).collect();
        assert_eq!(mails.len(), 1, "one report, once");
        assert_eq!(mails[0].to, "shacho@example.jp");
        assert!(mails[0].body.contains("/analytics"), "{}", mails[0].body);
        let text = pdf_text(&mails[0].pdf);
        assert!(text.contains("月次レポート") && text.contains("さくら精機株式会社"), "{text}");
    }
);
