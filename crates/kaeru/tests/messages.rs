//! Announcements to many, end to end with a real SMTP server (aiosmtpd) and the fake LINE API on loopback,
//! on SQLite and PostgreSQL: LINE set up in 設定, accounts linked by a signed webhook (unsigned ones
//! refused), a segment "alumni who left 2020–2024" built and counted for 再雇用のご案内, an announcement
//! previewed and sent — each person once, on the right channel — a second send refused, consent withdrawn
//! between queueing and sending honoured, a one-click unsubscribe that withdraws the consent, a bounce that
//! stops the address, and LINE's quota read before sending.

mod common;

use common::*;
use kaeru_domain::PersonId;
use kaeru_store::{Actor, Scope, consent, db_test, messaging};
use reqwest::StatusCode;

async fn deliver(app: &TestApp, smtp: &SmtpSink, line: &FakeLine) -> kaeru_worker::bulk::Sent {
    let mailer = kaeru_worker::Mailer::new(&smtp.settings()).unwrap();
    let delivery = kaeru_app::announcements::Delivery {
        line_api: line.base.clone(),
        public_url: app.base.clone(),
    };
    kaeru_worker::bulk::deliver(&app.db, Some(&mailer), &delivery, "test-node")
        .await
        .unwrap()
}

/// An alumnus who left on `left` with an e-mail address; returns the id.
async fn alumnus(
    app: &TestApp,
    hr: &reqwest::Client,
    family: &str,
    kana: &str,
    email: &str,
    left: &str,
) -> PersonId {
    let path = app.create_person(hr, family, kana, email).await;
    let stints = format!("{path}/stints");
    let r = app
        .post(
            hr,
            &format!("{stints}/new"),
            &stints,
            &[
                ("start_date", "2010-04-01"),
                ("end_date", left),
                ("employment_type", "full_time"),
                ("department", "製造部"),
                ("leave_reason", "career_change"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    PersonId(path.trim_start_matches("/people/").parse().unwrap())
}

async fn consent_to(app: &TestApp, scope: &Scope, person: PersonId, code: &str, granted: bool) {
    let p = consent::purposes(&app.db, scope).await.unwrap();
    let purpose = p.iter().find(|p| p.code == code).unwrap();
    consent::decide(
        &app.db,
        scope,
        &Actor::system("test"),
        person,
        &[(purpose.id, granted)],
    )
    .await
    .unwrap();
}

/// The token of a link with one character changed.
fn forge(link: &str) -> String {
    let at = link.len() - 3;
    let c = if &link[at..=at] == "A" { "B" } else { "A" };
    format!("{}{c}{}", &link[..at], &link[at + 1..])
}

fn id_in(location: &str) -> String {
    location.rsplit('/').next().unwrap().to_string()
}

db_test!(
    async fn an_announcement_reaches_each_person_once_on_their_channel_and_unsubscribe_is_honoured(target) {
        let smtp = SmtpSink::start();
        let line = FakeLine::start();
        let app = spawn_app_with(target, |c| c.line_api_url = line.base.clone()).await;
        let hr = browser();
        app.setup(&hr, "sakura", "shacho@example.jp").await;
        let company = kaeru_store::companies::all(&app.db).await.unwrap()[0].id;
        let scope = Scope::for_company(company);

        // 設定: the footer's particulars and the LINE channel. Secrets never come back on the page.
        let r = app.post(&hr, "/settings/messaging", "/settings/messaging", &[("force_channel", "auto"), ("emails_per_minute", "６００"), ("sender_address", "静岡県浜松市中区元城町1-2"), ("sender_contact", "hr@sakura.example")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let r = app.post(&hr, "/settings/messaging", "/settings/messaging/line", &[("channel_id", "12x"), ("channel_secret", "has space"), ("access_token", "")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.unwrap();
        assert!(html.contains("チャネルIDは数字") && html.contains("空白を含めずに") && html.contains("入力してください"), "{html}");
        let r = app.post(&hr, "/settings/messaging", "/settings/messaging/line", &[("channel_id", "2001234567"), ("channel_secret", &line.secret), ("access_token", &line.token)]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let (_, page) = app.get(&hr, "/settings/messaging").await;
        assert!(page.contains("LINEは設定済み") && !page.contains(&line.secret) && !page.contains(&line.token), "secrets stay hidden");
        let settings = messaging::settings(&app.db, &scope).await.unwrap();
        assert!(!format!("{settings:?}").contains(&line.secret), "Debug redacts the secret");
        let webhook = format!("{}/line/webhook/{}", app.base, company);

        // Six alumni who left 2020–2024 (two will use LINE, one bounces, one withdraws later), one who
        // left in 2018, one who never consented, one who said no.
        let a = alumnus(&app, &hr, "青木", "あおき", "aoki@example.jp", "2020-03-31").await;
        let b = alumnus(&app, &hr, "𠮷田", "よしだ", "yoshida@example.jp", "2021-06-30").await;
        let c = alumnus(&app, &hr, "千葉", "ちば", "chiba@example.jp", "2022-09-30").await;
        let d = alumnus(&app, &hr, "土屋", "つちや", "tsuchiya@example.jp", "2023-12-31").await;
        let e = alumnus(&app, &hr, "江藤", "えとう", "bounce-eto@example.jp", "2024-01-31").await;
        let f = alumnus(&app, &hr, "藤井", "ふじい", "fujii@example.jp", "2024-03-31").await;
        let old = alumnus(&app, &hr, "古川", "ふるかわ", "furukawa@example.jp", "2018-03-31").await;
        let never = alumnus(&app, &hr, "根岸", "ねぎし", "negishi@example.jp", "2021-03-31").await;
        let no = alumnus(&app, &hr, "野口", "のぐち", "noguchi@example.jp", "2022-03-31").await;
        for p in [a, b, c, d, e, f, old] {
            consent_to(&app, &scope, p, "rehire", true).await;
        }
        consent_to(&app, &scope, no, "rehire", false).await;
        let _ = never;

        // Linking LINE: a one-time code sent to the official account, in a signed webhook. Unsigned and
        // wrongly signed webhooks are refused and link nobody.
        let code_b = messaging::new_link_code(&app.db, &scope, b, "code", 15).await.unwrap();
        let text = |user: &str, text: &str| serde_json::json!([{"type": "message", "replyToken": "r1", "source": {"type": "user", "userId": user}, "message": {"type": "text", "id": "1", "text": text}}]);
        assert_eq!(line.webhook(&webhook, text("Ub0000000000000000000000000000001", &code_b), false).await, 401);
        let forged = reqwest::Client::new().post(&webhook).header("X-Line-Signature", "AAAA").body(text("Ub0000000000000000000000000000001", &code_b).to_string()).send().await.unwrap();
        assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);
        assert!(messaging::line_link(&app.db, &scope, b).await.unwrap().is_none());
        assert_eq!(line.webhook(&webhook, text("Ub0000000000000000000000000000001", &code_b), true).await, 200);
        assert!(messaging::line_link(&app.db, &scope, b).await.unwrap().is_some_and(|l| l.following));
        // A used code does not link again; a wrong one is answered in the chat.
        assert_eq!(line.webhook(&webhook, text("Uother", &code_b), true).await, 200);
        let code_c = messaging::new_link_code(&app.db, &scope, c, "code", 15).await.unwrap();
        assert_eq!(line.webhook(&webhook, text("Uc0000000000000000000000000000002", &code_c), true).await, 200);
        let replies = line.state().await["replies"].as_array().unwrap().len();
        assert_eq!(replies, 3, "each text is answered");
        // Unfollow keeps the link state true; follow brings it back.
        let ev = |kind: &str, user: &str| serde_json::json!([{"type": kind, "replyToken": "r2", "source": {"type": "user", "userId": user}}]);
        assert_eq!(line.webhook(&webhook, ev("unfollow", "Uc0000000000000000000000000000002"), true).await, 200);
        assert!(!messaging::line_link(&app.db, &scope, c).await.unwrap().unwrap().following);
        assert_eq!(line.webhook(&webhook, ev("follow", "Uc0000000000000000000000000000002"), true).await, 200);
        assert!(messaging::line_link(&app.db, &scope, c).await.unwrap().unwrap().following);

        // A segment: alumni who left 2020–2024, counted live for 再雇用のご案内.
        let r = app.post(&hr, "/segments/new", "/segments", &[("name", ""), ("statuses", "alumnus"), ("left_from", "2024"), ("left_to", "2020")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.unwrap();
        assert!(html.contains("入力してください") && html.contains("「まで」の年") && html.contains("value=\"2024\""), "{html}");
        let (status, count) = app.get(&hr, "/segments/count?statuses=alumnus&left_from=2020&left_to=2024&count_purpose=rehire").await;
        assert_eq!(status, StatusCode::OK);
        assert!(count.contains("条件に合う人：8人") && count.contains("メール：4人") && count.contains("LINE：2人"), "{count}");
        assert!(count.contains("この目的への同意がない: 1") && count.contains("この目的への同意を撤回: 1"), "{count}");
        let r = app.post(&hr, "/segments/new", "/segments", &[("name", "2020〜2024年の退職者"), ("statuses", "alumnus"), ("left_from", "２０２０"), ("left_to", "2024")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let r = app.post(&hr, "/segments/new", "/segments", &[("name", "2020〜2024年の退職者")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "a second segment of the same name");
        let (_, list) = app.get(&hr, "/segments").await;
        let segment = list.split("/segments/").find_map(|s| s.split('"').next().filter(|id| id.len() == 36)).unwrap().to_string();
        let r = app.post(&hr, "/segments/new", "/segments", &[("name", "誰もいない"), ("left_from", "1990"), ("left_to", "1991")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let (_, list) = app.get(&hr, "/segments").await;
        let empty = list.split("/segments/").filter_map(|s| s.split('"').next().filter(|id| id.len() == 36)).find(|id| *id != segment).unwrap().to_string();

        // Writing: bad input keeps what was typed.
        let r = app.post(&hr, "/announcements/new", "/announcements", &[("kind", "openings"), ("subject", ""), ("body", "本文 <b>太字</b>"), ("purpose", "rehire"), ("segment", &segment), ("scheduled_at", "2020-01-01T09:00")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.unwrap();
        assert!(html.contains("予約の日時が過ぎています") && html.contains("本文 &#60;b&#62;太字&#60;/b&#62;"), "{html}");
        let body = "## 製造部で経験者を募集しています\n\n- 週3日からご相談できます\n- 詳しくは[求人ページ](https://sakura.example/jobs)\n\n<script>alert(1)</script>";
        let r = app.post(&hr, "/announcements/new", "/announcements", &[("kind", "openings"), ("subject", "【再雇用のご案内】製造部の求人"), ("body", body), ("purpose", "rehire"), ("segment", &segment)]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let ann = location(&r).to_string();
        let (_, show) = app.get(&hr, &ann).await;
        assert!(show.contains("<h2>製造部で経験者を募集しています</h2>") && !show.contains("<script>alert(1)</script>"), "{show}");
        assert!(show.contains("メール：4人") && show.contains("LINE：2人"), "{show}");
        assert!(show.contains("LINEで 2 通必要です。今月の残りは 200 通です。"), "LINE's quota read before sending: {show}");

        // A segment of nobody cannot be sent.
        let r = app.post(&hr, "/announcements/new", "/announcements", &[("subject", "空"), ("body", "x"), ("purpose", "rehire"), ("segment", &empty)]).await;
        let nobody = location(&r).to_string();
        let r = app.post(&hr, &nobody, &format!("{nobody}/send"), &[]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("送れる人がいません"));

        // Sending: queued once; a second send is refused.
        let r = app.post(&hr, &ann, &format!("{ann}/send"), &[]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let r = app.post(&hr, &ann, &format!("{ann}/send"), &[]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("同じお知らせを2回送ることはできません"));
        // 藤井 withdraws between queueing and sending: checked again at sending.
        consent_to(&app, &scope, f, "rehire", false).await;

        let sent = deliver(&app, &smtp, &line).await;
        assert_eq!((sent.sent, sent.refused, sent.bounced), (4, 1, 1), "{sent:?}");
        let again = deliver(&app, &smtp, &line).await;
        assert_eq!(again.sent + again.retried, 0, "nothing is sent twice");
        let mails = smtp.messages();
        let mut to: Vec<String> = mails.iter().map(|m| m.to.clone()).collect();
        to.sort();
        assert_eq!(to, vec!["aoki@example.jp", "tsuchiya@example.jp"], "e-mail to those without LINE, once each");
        let m = &mails[0];
        assert!(m.subject.contains("製造部の求人"));
        assert!(m.list_unsubscribe.starts_with(&format!("<{}/u/", app.base)), "{m:?}");
        assert_eq!(m.list_unsubscribe_post, "List-Unsubscribe=One-Click");
        assert!(m.body.contains("静岡県浜松市中区元城町1-2") && m.body.contains("hr@sakura.example") && m.body.contains("配信停止"), "{}", m.body);
        assert!(m.html.contains("<h2>製造部で経験者を募集しています</h2>") && !m.html.contains("<script>"), "{}", m.html);
        let state = line.state().await;
        let casts = state["multicasts"].as_array().unwrap();
        assert_eq!(casts.len(), 1, "{state}");
        let mut users: Vec<&str> = casts[0]["to"].as_array().unwrap().iter().map(|u| u.as_str().unwrap()).collect();
        users.sort_unstable();
        assert_eq!(users, vec!["Ub0000000000000000000000000000001", "Uc0000000000000000000000000000002"]);
        let text = casts[0]["texts"][0].as_str().unwrap();
        assert!(text.contains("製造部の求人") && text.contains("/news/") && text.contains("/me/consent"), "{text}");
        assert!(state["refused"].as_array().unwrap().is_empty(), "{state}");

        // The announcement's page: totals and each recipient's state.
        let (_, show) = app.get(&hr, &ann).await;
        assert!(show.contains("送信済み") && show.contains("不達") && show.contains("送信前に同意撤回"), "{show}");
        let totals = kaeru_store::announcements::totals(&app.db, &scope, kaeru_domain::AnnouncementId(id_in(&ann).parse().unwrap())).await.unwrap();
        assert_eq!((totals.sent, totals.bounced, totals.refused, totals.line, totals.email), (4, 1, 1, 2, 4));

        // The LINE news page opens without sign-in; a forged token does not.
        let news = text.split_whitespace().find(|w| w.contains("/news/")).unwrap();
        let news = &news[news.find("/news/").unwrap()..];
        let visitor = browser();
        let (status, page) = app.get(&visitor, news).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("製造部で経験者を募集しています"));
        assert_eq!(app.get(&visitor, &forge(news)).await.0, StatusCode::NOT_FOUND);

        // One-click unsubscribe (RFC 8058): a POST without cookies withdraws 青木's consent, audited.
        let aoki = mails.iter().find(|m| m.to.contains("aoki")).unwrap();
        let unsub = aoki.list_unsubscribe.trim_matches(['<', '>']).to_string();
        let (status, page) = app.get(&visitor, &unsub[app.base.len()..]).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("配信を停止する"), "{page}");
        let r = reqwest::Client::new().post(&unsub).header("Content-Type", "application/x-www-form-urlencoded").body("List-Unsubscribe=One-Click").send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let stands = consent::for_person(&app.db, &scope, a).await.unwrap();
        assert!(!stands.iter().find(|c| c.purpose.code == "rehire").unwrap().is_current());
        let forged = forge(&unsub);
        assert_eq!(reqwest::Client::new().post(&forged).send().await.unwrap().status(), StatusCode::NOT_FOUND);
        // HR sees it on her page: the withdrawal and what she was sent.
        let (_, person) = app.get(&hr, &format!("/people/{}", a.0)).await;
        assert!(person.contains("配信停止") && person.contains("製造部の求人") && person.contains("同意なし・取り消し"), "{person}");
        let (_, person) = app.get(&hr, &format!("/people/{}", b.0)).await;
        assert!(person.contains("LINEを連携しています"), "{person}");

        // The next announcement leaves out 青木 (withdrawn), 藤井 (withdrawn) and the bounced address.
        let (_, count) = app.get(&hr, "/segments/count?statuses=alumnus&left_from=2020&left_to=2024&count_purpose=rehire").await;
        assert!(count.contains("メール：1人") && count.contains("LINE：2人") && count.contains("この目的への同意を撤回: 3") && count.contains("メールが届かない（不達）: 1"), "{count}");

        // LINE's quota: 2 needed, 1 left this month — refused before anything is queued.
        line.control("quota", serde_json::json!({"limit": 200, "used": 199})).await;
        let r = app.post(&hr, "/announcements/new", "/announcements", &[("subject", "第二弾"), ("body", "次のお知らせ"), ("purpose", "rehire"), ("segment", &segment)]).await;
        let second = location(&r).to_string();
        let r = app.post(&hr, &second, &format!("{second}/send"), &[]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("LINEで 2 通必要ですが、今月の残りは 1 通です"));
        line.control("quota", serde_json::json!({"limit": 200, "used": 2})).await;
        // LINE fails for a while: retried later with the same retry key, never twice.
        line.control("fail", serde_json::json!({"status": 500, "times": 1})).await;
        let r = app.post(&hr, &second, &format!("{second}/send"), &[]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let s = deliver(&app, &smtp, &line).await;
        assert_eq!((s.sent, s.retried), (1, 2), "{s:?}");
        assert_eq!(line.state().await["multicasts"].as_array().unwrap().len(), 1);
    }
);

async fn make_token(app: &TestApp, c: &reqwest::Client) -> String {
    let r = app
        .post(
            c,
            "/settings/api-tokens",
            "/settings/api-tokens",
            &[("name", "配信連携"), ("scope", "write")],
        )
        .await;
    let page = r.text().await.unwrap();
    let at = page
        .find("value=\"kaeru_")
        .expect("the new secret on the page")
        + 7;
    page[at..at + 70].to_string()
}

db_test!(
    async fn the_api_schedules_an_announcement_and_the_worker_pauses_after_repeated_failures(target) {
        let smtp = SmtpSink::start();
        let line = FakeLine::start();
        let app = spawn_app_with(target, |c| c.line_api_url = line.base.clone()).await;
        let hr = browser();
        app.setup(&hr, "sakura", "shacho@example.jp").await;
        let company = kaeru_store::companies::all(&app.db).await.unwrap()[0].id;
        let scope = Scope::for_company(company);
        let mut people = Vec::new();
        for i in 0..12 {
            let p = alumnus(&app, &hr, &format!("佐藤{i}"), "さとう", &format!("sato{i}@example.jp"), "2022-03-31").await;
            consent_to(&app, &scope, p, "newsletter", true).await;
            people.push(p);
        }
        let token = make_token(&app, &hr).await;
        let api = reqwest::Client::new();
        let call = |method: reqwest::Method, path: &str| api.request(method, format!("{}{path}", app.base)).bearer_auth(&token);

        let r = call(reqwest::Method::POST, "/api/v1/segments").json(&serde_json::json!({"name": "アルムナイ全員", "filter": {"statuses": ["alumnus"], "skills": [{"skill_id": uuid::Uuid::now_v7(), "level": 9}]}})).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let r = call(reqwest::Method::POST, "/api/v1/segments").json(&serde_json::json!({"name": "アルムナイ全員", "filter": {"statuses": ["alumnus"]}})).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let seg: serde_json::Value = r.json().await.unwrap();
        let r = call(reqwest::Method::POST, "/api/v1/segments").json(&serde_json::json!({"name": "アルムナイ全員"})).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "the name is taken");
        let r = call(reqwest::Method::POST, "/api/v1/segments/count").json(&serde_json::json!({"purpose": "newsletter", "filter": {"statuses": ["alumnus"], "left_from": 2022}})).send().await.unwrap();
        let count: serde_json::Value = r.json().await.unwrap();
        assert_eq!((count["matched"].as_u64(), count["email"].as_u64()), (Some(12), Some(12)), "{count}");
        let r = call(reqwest::Method::POST, "/api/v1/segments/count").json(&serde_json::json!({"purpose": "rehire", "filter": {}})).send().await.unwrap();
        let count: serde_json::Value = r.json().await.unwrap();
        assert_eq!(count["left_out"]["no_consent"].as_u64(), Some(12), "{count}");

        let r = call(reqwest::Method::POST, "/api/v1/announcements").json(&serde_json::json!({"subject": "", "body": "x", "purpose": "newsletter", "segment_id": seg["id"], "scheduled_at": "2020-01-01T00:00:00Z"})).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let err: serde_json::Value = r.json().await.unwrap();
        let fields: Vec<&str> = err["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
        assert!(fields.contains(&"subject") && fields.contains(&"scheduled_at"), "{err}");
        let at = chrono::Utc::now() + chrono::Duration::seconds(2);
        let r = call(reqwest::Method::POST, "/api/v1/announcements").json(&serde_json::json!({"kind": "newsletter", "subject": "社内報 12月号", "body": "今月の便り", "purpose": "newsletter", "segment_id": seg["id"], "scheduled_at": at})).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let a: serde_json::Value = r.json().await.unwrap();
        assert_eq!(a["status"], "scheduled");
        let id = a["id"].as_str().unwrap().to_string();

        // Due: the worker starts it; the mail server is down, so every e-mail fails and it pauses itself.
        tokio::time::sleep(std::time::Duration::from_millis(2200)).await;
        let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut down = smtp.settings();
        down.port = dead;
        let delivery = kaeru_app::announcements::Delivery { line_api: line.base.clone(), public_url: app.base.clone() };
        let s = kaeru_worker::bulk::deliver(&app.db, Some(&kaeru_worker::Mailer::new(&down).unwrap()), &delivery, "node-a").await.unwrap();
        assert_eq!((s.started, s.sent, s.retried), (1, 0, 12), "{s:?}");
        let a: serde_json::Value = call(reqwest::Method::GET, &format!("/api/v1/announcements/{id}")).send().await.unwrap().json().await.unwrap();
        assert_eq!(a["status"], "paused", "{a}");
        assert!(a["paused_reason"].as_str().unwrap().contains("could not be sent"), "{a}");
        let (_, page) = app.get(&hr, &format!("/announcements/{id}")).await;
        assert!(page.contains("一時停止中です") && page.contains("再開"), "{page}");

        // Resumed with the mail server back: all twelve go, once.
        let r = app.post(&hr, &format!("/announcements/{id}"), &format!("/announcements/{id}/resume"), &[]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let s = kaeru_worker::bulk::deliver(&app.db, Some(&kaeru_worker::Mailer::new(&smtp.settings()).unwrap()), &delivery, "node-b").await.unwrap();
        assert_eq!(s.sent, 12, "{s:?}");
        assert_eq!(smtp.messages().len(), 12);
        let a: serde_json::Value = call(reqwest::Method::GET, &format!("/api/v1/announcements/{id}")).send().await.unwrap().json().await.unwrap();
        assert_eq!((a["status"].as_str(), a["deliveries"]["sent"].as_i64()), (Some("sent"), Some(12)), "{a}");
        let r = call(reqwest::Method::POST, &format!("/api/v1/announcements/{id}/send")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::CONFLICT, "a second send");
        let list: serde_json::Value = call(reqwest::Method::GET, "/api/v1/announcements").send().await.unwrap().json().await.unwrap();
        assert_eq!(list["total"], 1);

        // The weekly digest: asked for in 設定, built from the home page's to-do list, once a week.
        let monday = chrono::NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        assert_eq!(kaeru_worker::queue_digests(&app.db, company, &app.base, monday).await.unwrap(), 0, "nobody asked");
        let r = app.post(&hr, "/settings/messaging", "/settings/messaging/digest", &[("digest", "on")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        // Something to do: a former employee registered on the public page.
        let visitor = browser();
        let r = app.post(&visitor, "/c/sakura", "/c/sakura/register", &[("family_name", "山田"), ("given_name", "花子"), ("family_kana", "やまだ"), ("given_kana", "はなこ"), ("email", "hanako@example.jp"), ("agree", "yes")]).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(kaeru_worker::queue_digests(&app.db, company, &app.base, monday).await.unwrap(), 1);
        assert_eq!(kaeru_worker::queue_digests(&app.db, company, &app.base, monday + chrono::Duration::days(2)).await.unwrap(), 0, "once a week");
        let mailer = kaeru_worker::Mailer::new(&smtp.settings()).unwrap();
        kaeru_worker::deliver_outbox(&app.db, &mailer, "node-b").await.unwrap();
        let digest = smtp.messages().into_iter().find(|m| m.to.contains("shacho@example.jp")).expect("the digest");
        assert!(digest.subject.contains("今週の対応（1件）"), "{digest:?}");
        let (_, home) = app.get(&hr, "/").await;
        assert!(home.contains("公開ページからの登録が1件") && digest.body.contains("公開ページからの登録が1件"), "{}", digest.body);
        assert!(digest.body.contains(&format!("{}/registrations", app.base)), "{}", digest.body);
        assert_eq!(kaeru_worker::queue_digests(&app.db, company, &app.base, monday + chrono::Duration::days(7)).await.unwrap(), 1, "the next week");
    }
);
