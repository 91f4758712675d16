//! Kaeru attacked from outside, and by a careless user: forged Host headers, writes about an erased person,
//! rate limits under concurrent bursts, redirects off-site, caching of personal data. On SQLite and
//! PostgreSQL. (Hostile import files are in `exchange.rs`.)

mod common;

use common::*;
use kaeru_store::testing::traces;
use kaeru_store::{DatabaseTarget, Scope, db_test};
use reqwest::StatusCode;

async fn scope_of(app: &TestApp, slug: &str) -> Scope {
    let c = kaeru_store::companies::find_by_slug(&app.db, slug)
        .await
        .unwrap()
        .unwrap();
    Scope::for_company(c.id)
}

/// Posts `fields` with the session's CSRF token (read from `/people/new`).
async fn send(
    app: &TestApp,
    c: &reqwest::Client,
    action: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    app.post(c, "/people/new", action, fields).await
}

db_test!(
    async fn links_in_e_mails_never_take_their_host_from_the_request(target) {
        let app = spawn_app(target).await;
        let hr = browser();
        app.setup(&hr, "sakura", "shacho@example.jp").await;
        let person = app.create_person(&hr, "鈴木", "すずき", "suzuki@example.jp").await;
        let scope = scope_of(&app, "sakura").await;
        // An attacker asks for Suzuki's sign-in link with a forged Host header.
        let v = browser();
        let (_, html) = app.get(&v, "/c/sakura/login").await;
        let token = csrf_of(&html);
        let r = v
            .post(format!("{}/c/sakura/login", app.base))
            .header("Host", "evil.example")
            .header("X-Forwarded-Host", "evil.example")
            .form(&[("_csrf", token.as_str()), ("email", "suzuki@example.jp")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        // HR invites the person, also with a forged Host.
        let (_, html) = app.get(&hr, &person).await;
        let token = csrf_of(&html);
        let r = hr
            .post(format!("{}{person}/invite", app.base))
            .header("Host", "evil.example")
            .form(&[("_csrf", token.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let mut links = Vec::new();
        for _ in 0..100 {
            links = kaeru_store::outbox::list(&app.db, &scope, None, 1)
                .await
                .unwrap()
                .items
                .into_iter()
                .filter(|m| m.kind == "magic_link")
                .collect();
            if links.len() == 2 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert_eq!(links.len(), 2);
        for m in &links {
            assert!(!m.body.contains("evil.example"), "{}", m.body);
            assert!(m.body.contains(&format!("{}/c/sakura/auth/", app.base)), "{}", m.body);
        }
        // Only the newest of the two links signs in.
        links.sort_by_key(|m| m.created_at);
        let token_in = |body: &str| {
            let start = body.find("/c/sakura/auth/").unwrap() + "/c/sakura/auth/".len();
            body[start..start + 64].to_string()
        };
        for (m, works) in [(&links[0], false), (&links[1], true)] {
            let v = browser();
            let path = format!("/c/sakura/auth/{}", token_in(&m.body));
            let r = app.post(&v, &path, "/c/sakura/auth", &[("token", token_in(&m.body).as_str())]).await;
            assert_eq!(r.status() == StatusCode::SEE_OTHER, works, "{}", r.status());
        }
        // The outbox page says which address links use.
        let (_, page) = app.get(&hr, "/outbox").await;
        assert!(page.contains(&format!("メール内のリンクは {} で始まります", app.base)), "{page}");
    }
);

db_test!(
    async fn an_erased_person_stays_erased(target) {
        let sqlite_file = match &target {
            DatabaseTarget::Sqlite(path) => Some(path.clone()),
            _ => None,
        };
        let app = spawn_app(target).await;
        let hr = browser();
        app.setup(&hr, "sakura", "shacho@example.jp").await;
        let p = app.create_person(&hr, "𠮷田", "よしだ", "yoshida-secret@example.jp").await;
        let scope = scope_of(&app, "sakura").await;
        let ok = |r: &reqwest::Response| r.status() == StatusCode::SEE_OTHER;
        let r = send(&app, &hr, &p, &[("family_name", "𠮷田"), ("given_name", "太郎"), ("family_kana", "よしだ"), ("given_kana", "たろう"), ("emails", "yoshida-secret@example.jp"), ("phone", "090-1234-5678"), ("notes", "極秘メモ")]).await;
        assert!(ok(&r), "{}", r.status());
        let r = send(&app, &hr, &format!("{p}/stints"), &[("start_date", "2015-04-01"), ("end_date", "2023-03-31"), ("employment_type", "full_time"), ("department", "製造部"), ("leave_reason", "career_change"), ("rehire_eligibility", "welcome")]).await;
        assert!(ok(&r), "stint: {}", r.status());
        let r = send(&app, &hr, &format!("{p}/offers"), &[("valid_from", "2023-04-01"), ("valid_until", "2027-03-31"), ("signer_name", "桜井 健一")]).await;
        assert!(ok(&r), "offer: {}", r.status());
        let offer = common::location(&r).to_string();
        let stint = kaeru_store::stints::for_person(&app.db, &scope, kaeru_domain::PersonId(p.trim_start_matches("/people/").parse().unwrap()))
            .await
            .unwrap()[0]
            .id;

        let r = send(&app, &hr, &format!("{p}/erase"), &[("confirm", "erase")]).await;
        assert!(ok(&r), "erase: {}", r.status());
        // Right after the erasure returns, the SQLite files hold none of the erased text.
        if let Some(db) = &sqlite_file {
            for file in ["", "-wal"] {
                let path = format!("{}{file}", db.display());
                let bytes = std::fs::read(&path).unwrap_or_default();
                for needle in ["𠮷田", "yoshida-secret", "090-1234-5678", "極秘メモ"] {
                    assert!(
                        !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                        "{needle} is still in {path}"
                    );
                }
            }
        }

        // A registration from the same address cannot be linked to the erased record.
        let v = browser();
        let r = app.post(&v, "/c/sakura", "/c/sakura/register", &[("family_name", "𠮷田"), ("given_name", "太郎"), ("family_kana", "よしだ"), ("given_kana", "たろう"), ("email", "yoshida-secret@example.jp"), ("agree", "yes")]).await;
        assert_eq!(r.status(), StatusCode::OK);
        let registration = kaeru_store::registrations::list(&app.db, &scope).await.unwrap()[0].id;
        let id = p.trim_start_matches("/people/");
        let writes: Vec<(String, Vec<(&str, &str)>)> = vec![
            (p.clone(), vec![("family_name", "𠮷田"), ("given_name", "太郎"), ("family_kana", "よしだ"), ("given_kana", "たろう"), ("phone", "090-9999-0000"), ("notes", "戻した")]),
            (format!("{p}/stints"), vec![("start_date", "2024-04-01"), ("employment_type", "full_time")]),
            (format!("{p}/stints/{stint}"), vec![("start_date", "2015-04-01"), ("end_date", "2023-03-31"), ("employment_type", "full_time"), ("department", "戻した")]),
            (format!("{p}/careers"), vec![("employer", "戻した株式会社"), ("from_date", "2023-04-01")]),
            (format!("{p}/outlook"), vec![("intent", "now"), ("work_style", "full_time")]),
            (format!("{p}/offers"), vec![("valid_from", "2024-04-01"), ("valid_until", "2027-03-31"), ("signer_name", "桜井 健一")]),
            (format!("{offer}/status"), vec![("action", "withdraw"), ("reason", "戻した")]),
            (format!("{p}/comebacks"), vec![("note", "戻した")]),
            (format!("{p}/touchpoints"), vec![("on", "2024-04-01"), ("channel", "line"), ("note", "戻した")]),
            (format!("/registrations/{registration}/link"), vec![("person", id)]),
            (format!("{p}/stints/{stint}/delete"), vec![]),
        ];
        for (action, fields) in &writes {
            let r = send(&app, &hr, action, fields).await;
            assert!(
                matches!(r.status(), StatusCode::CONFLICT | StatusCode::NOT_FOUND),
                "{action}: {}",
                r.status()
            );
        }
        assert!(traces(&app.db, "戻した").await.is_empty(), "nothing was written back");
        assert!(traces(&app.db, "090-9999-0000").await.is_empty());
        let left = traces(&app.db, "yoshida-secret").await;
        assert!(left.iter().all(|t| t.starts_with("registrations.") || t.starts_with("outbox.")), "only the new registration and its receipt hold the address: {left:?}");
        // The page of an erased person offers no changes.
        let (_, page) = app.get(&hr, &p).await;
        for action in ["/edit\"", "/stints/new", "/careers\"", "/outlook\"", "/offers/new", "/comebacks\"", "/touchpoints/new", "/erase\""] {
            assert!(!page.contains(&format!("{p}{action}")), "{action} still offered");
        }
        let (_, page) = app.get(&hr, &offer).await;
        assert!(!page.contains("name=\"action\""), "the offer offers no actions");
    }
);

db_test!(
    async fn fifty_concurrent_failed_sign_ins_are_counted_one_by_one(target) {
        let app = std::sync::Arc::new(spawn_app(target).await);
        let hr = browser();
        app.setup(&hr, "sakura", "shacho@example.jp").await;
        let mut tasks = Vec::new();
        for _ in 0..50 {
            let app = app.clone();
            tasks.push(tokio::spawn(async move {
                let c = browser();
                let (_, html) = app.get(&c, "/login").await;
                let token = csrf_of(&html);
                c.post(format!("{}/login", app.base))
                    .form(&[("_csrf", token.as_str()), ("email", "shacho@example.jp"), ("password", "wrong password")])
                    .send()
                    .await
                    .unwrap()
                    .status()
            }));
        }
        let mut evaluated = 0;
        for t in tasks {
            if t.await.unwrap() != StatusCode::TOO_MANY_REQUESTS {
                evaluated += 1;
            }
        }
        assert!(evaluated <= 10, "{evaluated} of 50 were evaluated");
        // Keys hold no address in clear; expired windows go.
        assert!(traces(&app.db, "shacho@").await.iter().all(|t| !t.starts_with("rate_limits")));
        let before = kaeru_store::rate_limit::stored(&app.db).await.unwrap();
        assert!(before > 0);
        let gone = kaeru_store::rate_limit::purge(&app.db, chrono::Utc::now() + chrono::Duration::minutes(1)).await.unwrap();
        assert_eq!(gone, before);
    }
);

db_test!(
    async fn registrations_with_mistakes_do_not_use_up_a_shared_wi_fi(target) {
        let app = spawn_app(target).await;
        let hr = browser();
        app.setup(&hr, "sakura", "shacho@example.jp").await;
        let v = browser();
        for _ in 0..10 {
            let r = app.post(&v, "/c/sakura", "/c/sakura/register", &[("family_name", "山田"), ("given_name", "花子"), ("family_kana", "Yamada"), ("given_kana", "はなこ"), ("email", "hanako@example")]).await;
            assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        }
        for i in 0..8 {
            let email = format!("guest{i}@example.jp");
            let r = app.post(&v, "/c/sakura", "/c/sakura/register", &[("family_name", "山田"), ("given_name", "花子"), ("family_kana", "やまだ"), ("given_kana", "はなこ"), ("email", email.as_str()), ("agree", "yes")]).await;
            assert_eq!(r.status(), StatusCode::OK, "guest {i} at the OB/OG会");
        }
    }
);

db_test!(
    async fn redirects_stay_on_the_site_and_pages_are_not_cached(target) {
        let app = spawn_app(target).await;
        let hr = browser();
        app.setup(&hr, "sakura", "shacho@example.jp").await;
        for next in ["/\t/evil.example", "/\n/evil.example", "//evil.example", "/\\evil.example", "https://evil.example"] {
            let r = app.post(&hr, "/people", "/language", &[("lang", "en"), ("next", next)]).await;
            assert_eq!(r.status(), StatusCode::SEE_OTHER, "{next:?}");
            assert_eq!(location(&r), "/", "{next:?}");
        }
        let r = app.post(&hr, "/people", "/language", &[("lang", "ja"), ("next", "/people?page=1")]).await;
        assert_eq!(location(&r), "/people?page=1");
        for path in ["/people", "/people/export?format=csv", "/outbox", "/settings"] {
            let r = hr.get(format!("{}{path}", app.base)).send().await.unwrap();
            assert_eq!(r.headers()["cache-control"], "no-store", "{path}");
        }
        // A name with a direction override is refused with a message, keeping what was typed.
        let r = send(&app, &hr, "/people", &[("family_name", "山田\u{202E}txt.exe"), ("given_name", "太郎"), ("family_kana", "やまだ"), ("given_kana", "たろう")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = r.text().await.unwrap();
        assert!(page.contains("文字の向きを変える制御文字") && page.contains("太郎"), "{page}");
        // A date far out names the range.
        let p = app.create_person(&hr, "佐藤", "さとう", "sato@example.jp").await;
        let r = send(&app, &hr, &format!("{p}/stints"), &[("start_date", "2015-04-01"), ("end_date", "2999-03-31"), ("employment_type", "full_time")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("1900/01/01 から 2100/12/31 までの日付"));
    }
);

db_test!(
    async fn offers_created_at_once_get_distinct_numbers(target) {
        let app = std::sync::Arc::new(spawn_app(target).await);
        let hr = browser();
        app.setup(&hr, "sakura", "shacho@example.jp").await;
        let mut people = Vec::new();
        for i in 0..12 {
            people.push(app.create_person(&hr, "木村", "きむら", &format!("kimura{i}@example.jp")).await);
        }
        let (_, html) = app.get(&hr, "/people/new").await;
        let token = csrf_of(&html);
        let mut tasks = Vec::new();
        for p in people {
            let (app, hr, token) = (app.clone(), hr.clone(), token.clone());
            tasks.push(tokio::spawn(async move {
                hr.post(format!("{}{p}/offers", app.base))
                    .form(&[("_csrf", token.as_str()), ("valid_from", "2024-04-01"), ("valid_until", "2027-03-31"), ("signer_name", "桜井 健一")])
                    .send()
                    .await
                    .unwrap()
                    .status()
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap(), StatusCode::SEE_OTHER);
        }
        let n = kaeru_store::testing::count(&app.db, "SELECT COUNT(DISTINCT number) AS n FROM return_offers").await;
        assert_eq!(n, 12);
    }
);

db_test!(
    async fn adding_someone_already_recorded_offers_the_existing_record(target) {
        let app = spawn_app(target).await;
        let hr = browser();
        app.setup(&hr, "sakura", "shacho@example.jp").await;
        let first = app.create_person(&hr, "髙橋", "たかはし", "takahashi@example.jp").await;
        // The same name and reading (katakana, full width): a warning with the existing record, nothing added.
        let r = send(&app, &hr, "/people", &[("family_name", "髙橋"), ("given_name", "太郎"), ("family_kana", "タカハシ"), ("given_kana", "タロウ")]).await;
        assert_eq!(r.status(), StatusCode::CONFLICT);
        let page = r.text().await.unwrap();
        assert!(page.contains("同じ人がすでに登録されているかもしれません") && page.contains(&format!("href=\"{first}\"")), "{page}");
        assert!(page.contains("name=\"confirm_new\"") && page.contains("value=\"タカハシ\""));
        // Confirmed as someone else: added.
        let r = send(&app, &hr, "/people", &[("family_name", "髙橋"), ("given_name", "太郎"), ("family_kana", "タカハシ"), ("given_kana", "タロウ"), ("confirm_new", "yes")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let second = location(&r).to_string();
        // New records have no stint yet: 未登録, never アルムナイ.
        let (_, page) = app.get(&hr, &second).await;
        assert!(page.contains("未登録") && !page.contains("badge alumnus"), "{page}");
        // The same address as an existing record: shown with the record, and cannot be confirmed past.
        let r = send(&app, &hr, "/people", &[("family_name", "別人"), ("given_name", "花子"), ("family_kana", "べつじん"), ("given_kana", "はなこ"), ("emails", "takahashi@example.jp"), ("confirm_new", "yes")]).await;
        assert_eq!(r.status(), StatusCode::CONFLICT);
        let page = r.text().await.unwrap();
        assert!(page.contains(&format!("href=\"{first}\"")) && !page.contains("name=\"confirm_new\""));
    }
);

db_test!(
    async fn the_letter_prints_names_beyond_jis_x_0208(target) {
        let app = spawn_app(target).await;
        let hr = browser();
        app.setup(&hr, "sakura", "shacho@example.jp").await;
        let r = send(&app, &hr, "/people", &[("family_name", "𠮷田"), ("given_name", "﨑子"), ("family_kana", "よしだ"), ("given_kana", "さきこ")]).await;
        let p = location(&r).to_string();
        let r = send(&app, &hr, &format!("{p}/offers"), &[("valid_from", "2024-04-01"), ("valid_until", "2027-03-31"), ("signer_name", "髙橋 健一")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let offer = location(&r).to_string();
        let pdf = hr.get(format!("{}{offer}/letter.pdf?lang=ja", app.base)).send().await.unwrap();
        assert_eq!(pdf.headers()["cache-control"], "no-store");
        let text = pdf_text(&pdf.bytes().await.unwrap());
        assert!(text.contains("𠮷田") && text.contains("﨑子") && text.contains("髙橋"), "{text}");
    }
);

db_test!(
    async fn error_pages_speak_the_readers_language(target) {
        let app = spawn_app(target).await;
        let hr = browser();
        app.setup(&hr, "sakura", "shacho@example.jp").await;
        let (status, page) = app.get(&hr, "/people/not-an-id").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(page.contains("ページが見つかりません") && page.contains("lang=\"ja\""), "{page}");
        // Switched to English: the error pages follow.
        let r = app.post(&hr, "/people", "/language", &[("lang", "en"), ("next", "/people")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let (status, page) = app.get(&hr, "/people/00000000-0000-0000-0000-000000000000").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(page.contains("Page not found") && page.contains("lang=\"en\""), "{page}");
        // A visitor's Accept-Language decides before anyone signs in.
        let r = browser()
            .get(format!("{}/c/no-such-company", app.base))
            .header("Accept-Language", "en-GB,en;q=0.9")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        assert!(r.text().await.unwrap().contains("Page not found"));
    }
);
