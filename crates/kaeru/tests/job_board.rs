//! The job board end to end, on SQLite and PostgreSQL, with the fake LINE API: an alumna with
//! デジタルマーケティング level 4 and a standing return offer sees the Web集客 opening first, with reasons
//! about her alone and her offer beside it; an alumni-only opening is only counted on the public page; an
//! invitation-only one stays hidden until she is invited; she raises a hand quietly, which a manager never
//! sees and HR turns into a comeback linked to the opening and the interest; she applies (once), recommends
//! someone (the referral credits her), and a new matching opening reaches her once by LINE, at most weekly,
//! and not at all once her consent to 再雇用のご案内 is withdrawn. Closing dates close openings by themselves.

mod common;

use chrono::{Duration, Utc};
use common::*;
use kaeru_domain::{
    OfferAction, OfferDraft, OfferTerm, Outlook, PersonId, PersonSkillDraft, ReturnIntent,
    SkillDraft, SkillOrigin, SkillSource, WorkStyle,
};
use kaeru_store::{Actor, Scope, consent, db_test, job_board, offers, people, skills};
use reqwest::StatusCode;

fn person_id(url: &str) -> PersonId {
    url.rsplit('/').next().unwrap().parse().unwrap()
}

/// A browser signed in to the portal as the person.
async fn portal_as(app: &TestApp, scope: &Scope, person: PersonId) -> reqwest::Client {
    let token = kaeru_store::portal::start_session(&app.db, scope, person, Duration::hours(2))
        .await
        .unwrap();
    let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
    jar.add_cookie_str(
        &format!("kaeru_portal={token}; Path=/"),
        &app.base.parse().unwrap(),
    );
    reqwest::Client::builder()
        .cookie_provider(jar)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn set_rehire_consent(app: &TestApp, scope: &Scope, person: PersonId, yes: bool) {
    let p = consent::purposes(&app.db, scope).await.unwrap();
    let purpose = p.iter().find(|p| p.code == "rehire").unwrap();
    consent::decide(
        &app.db,
        scope,
        &Actor::system("test"),
        person,
        &[(purpose.id, yes)],
    )
    .await
    .unwrap();
}

async fn new_opening(app: &TestApp, hr: &reqwest::Client, fields: &[(&str, &str)]) -> String {
    let r = app.post(hr, "/openings/new", "/openings", fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{fields:?}");
    location(&r).to_string()
}

fn id_of(url: &str) -> String {
    url.rsplit('/').next().unwrap().to_string()
}

db_test!(
    async fn an_alumna_sees_why_an_opening_fits_raises_a_hand_quietly_and_hears_of_a_new_one_once(target) {
        let _ = tracing_subscriber::fmt().with_env_filter("error").with_test_writer().try_init();
        let line = FakeLine::start();
        let app = spawn_app_with(target, |c| c.line_api_url = line.base.clone()).await;
        let hr = browser();
        app.setup(&hr, "sakura", "shacho@example.jp").await;
        let company = kaeru_store::companies::all(&app.db).await.unwrap()[0].id;
        let scope = Scope::for_company(company);
        let actor = Actor::system("test");
        let today = Utc::now().with_timezone(&chrono_tz::Asia::Tokyo).date_naive();
        let r = app.post(&hr, "/settings/messaging", "/settings/messaging/line", &[("channel_id", "2001234567"), ("channel_secret", &line.secret), ("access_token", &line.token)]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);

        let skill = |name: &str| SkillDraft { name: name.into(), category: None, aliases: vec![], description: None };
        let dm = skills::create(&app.db, &scope, &actor, &skill("デジタルマーケティング")).await.unwrap();
        let cad = skills::create(&app.db, &scope, &actor, &skill("3次元CAD")).await.unwrap();
        let held = |skill, level| PersonSkillDraft { skill_id: skill, level, origin: SkillOrigin::AfterLeaving, source: SkillSource::Hr, assessed_on: today - Duration::days(30), note: None };

        // 𠮷田: left in 2022, learned digital marketing since, wants to come back now three days a week.
        let ayumi_url = app.create_person(&hr, "𠮷田", "よしだ", "yoshida@example.jp").await;
        let ayumi = person_id(&ayumi_url);
        let stints = format!("{ayumi_url}/stints");
        app.post(&hr, &format!("{stints}/new"), &stints, &[("start_date", "2015-04-01"), ("end_date", "2022-03-31"), ("employment_type", "full_time"), ("department", "営業"), ("leave_reason", "career_change"), ("rehire_eligibility", "welcome")]).await;
        skills::set_for_person(&app.db, &scope, &actor, ayumi, &held(dm.id, 4)).await.unwrap();
        people::set_outlook(&app.db, &scope, &actor, ayumi, &Outlook { intent: Some(ReturnIntent::Now), work_style: Some(WorkStyle::PartWeek), days_per_week: Some(3), last_contact_on: None }).await.unwrap();
        let offer = offers::create(&app.db, &scope, &actor, ayumi, &OfferDraft { valid_from: today - Duration::days(10), valid_until: today + Duration::days(700), terms: vec![OfferTerm::PriorityInterview], salary_floor_yen: None, terms_note: None, signer_name: "桜井 健一".into(), signer_title: None, override_reason: None }, today).await.unwrap();
        offers::transition(&app.db, &scope, &actor, offer.id, OfferAction::Issue, None, today).await.unwrap();
        set_rehire_consent(&app, &scope, ayumi, true).await;
        // 田中: better at the skill, but 再雇用不可.
        let tanaka_url = app.create_person(&hr, "田中", "たなか", "tanaka@example.jp").await;
        let tanaka = person_id(&tanaka_url);
        let stints = format!("{tanaka_url}/stints");
        app.post(&hr, &format!("{stints}/new"), &stints, &[("start_date", "2010-04-01"), ("end_date", "2020-03-31"), ("employment_type", "full_time"), ("leave_reason", "other"), ("rehire_eligibility", "not_eligible"), ("rehire_reason", "社内規程")]).await;
        skills::set_for_person(&app.db, &scope, &actor, tanaka, &held(dm.id, 5)).await.unwrap();

        // Openings: alumni only, public, by invitation. Pay without its unit is refused, keeping what was typed.
        let r = app.post(&hr, "/openings/new", "/openings", &[("title", "Web集客担当"), ("work_style", "part_week"), ("days_per_week", "3"), ("pay_yen", "18,000"), ("status", "open"), ("audience", "alumni")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = r.text().await.unwrap();
        assert!(page.contains("value=\"Web集客担当\"") && page.contains("value=\"18,000\""));
        let dm_id = dm.id.to_string();
        let cad_id = cad.id.to_string();
        let web = new_opening(&app, &hr, &[("title", "Web集客担当"), ("work_style", "part_week"), ("days_per_week", "3"), ("pay_yen", "18,000"), ("pay_unit", "day"), ("remote", "hybrid"), ("status", "open"), ("audience", "alumni"), ("req_skill", &dm_id), ("req_level", "3")]).await;
        let design = new_opening(&app, &hr, &[("title", "設計担当"), ("work_style", "full_time"), ("status", "open"), ("audience", "public"), ("req_skill", &cad_id), ("req_level", "3")]).await;
        let secret = new_opening(&app, &hr, &[("title", "新規事業の立ち上げ"), ("work_style", "contract"), ("days_per_week", "2"), ("status", "open"), ("audience", "invited"), ("req_skill", &dm_id), ("req_level", "2")]).await;

        // The public page names the public opening and only counts the alumni-only one.
        let (_, public) = app.get(&browser(), "/c/sakura").await;
        assert!(public.contains("設計担当") && !public.contains("Web集客担当") && !public.contains("新規事業"));
        assert!(public.contains("元社員の方だけにご案内している求人が1件"), "{public}");

        // Her board: Web集客 first, with reasons about her alone and her offer beside it.
        let me = portal_as(&app, &scope, ayumi).await;
        let (s, board) = app.get(&me, "/me/openings").await;
        assert_eq!(s, StatusCode::OK);
        let (w, d) = (board.find("Web集客担当").unwrap(), board.find("設計担当").unwrap());
        assert!(w < d, "the opening that fits comes first");
        assert!(board.contains("求めるデジタルマーケティング（レベル3以上）を、レベル4でお持ちです"), "{board}");
        assert!(board.contains("とても合っています"));
        assert!(board.contains(&offer.number), "her standing offer beside the openings");
        for other in ["田中", "新規事業", "再雇用不可", "レベル5"] {
            assert!(!board.contains(other), "nothing of anyone else, nor hidden openings: {other}");
        }
        // Filters: 業務委託 only hides both; at most 3 days keeps Web集客 only.
        let (_, filtered) = app.get(&me, "/me/openings?work_style=contract").await;
        assert!(!filtered.contains("Web集客担当") && filtered.contains("条件に合う求人はありません"));
        let (_, filtered) = app.get(&me, "/me/openings?days=3&remote=on").await;
        assert!(filtered.contains("Web集客担当") && !filtered.contains("設計担当"));
        let (_, junk) = app.get(&me, "/me/openings?days=%F0%A0%AE%B7&work_style=<script>").await;
        assert!(junk.contains("Web集客担当"), "unreadable filters are ignored");

        // The invitation-only opening: not found, and a hand raised for it is refused.
        let (s, _) = app.get(&me, &format!("/me/openings/{}", id_of(&secret))).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let r = app.post(&me, "/me/openings", &format!("/me/openings/{}/interest", id_of(&secret)), &[("note", "")]).await;
        assert_eq!(location(&r), "/me/openings");
        assert!(job_board::for_person(&app.db, &scope, ayumi).await.unwrap().is_empty());

        // She opens it from a LINE message's link, then raises a hand quietly. Too long a note is refused
        // with what she typed kept.
        let web_me = format!("/me/openings/{}", id_of(&web));
        let (s, detail) = app.get(&me, &format!("{web_me}?via=line")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(detail.contains("リターンオファーの有効期間中です") && detail.contains(&offer.number));
        let long = "あ".repeat(401);
        let r = app.post(&me, &web_me, &format!("{web_me}/interest"), &[("note", &long), ("available_from", "来年4月から"), ("via", "line")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("来年4月から"));
        let r = app.post(&me, &web_me, &format!("{web_me}/interest"), &[("note", "子どもの送り迎えがあるので週3日が希望です"), ("available_from", "来年4月から"), ("via", "line")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let mine = job_board::for_person(&app.db, &scope, ayumi).await.unwrap();
        assert_eq!(mine.len(), 1);
        assert_eq!(mine[0].via, kaeru_domain::job_board::Via::Line);
        assert!(mine[0].comeback_id.is_none(), "a quiet interest starts nothing by itself");
        // 田中 raises a hand too; HR will see his flag.
        let tanaka_me = portal_as(&app, &scope, tanaka).await;
        app.post(&tanaka_me, &web_me, &format!("{web_me}/interest"), &[("note", ""), ("available_from", "")]).await;

        // A burst of the same raised hand (a double tap, eight times over) leaves one row and no error.
        let design_id: kaeru_domain::OpeningId = id_of(&design).parse().unwrap();
        let mut burst = tokio::task::JoinSet::new();
        for _ in 0..8 {
            let (db, scope) = (app.db.clone(), scope);
            burst.spawn(async move {
                let draft = kaeru_domain::job_board::ResponseDraft { note: None, available_from: None };
                job_board::respond(&db, &scope, tanaka, design_id, kaeru_domain::job_board::ResponseKind::Interest, &draft, kaeru_domain::job_board::Via::Portal, today).await
            });
        }
        while let Some(r) = burst.join_next().await {
            assert!(r.unwrap().is_ok());
        }
        let his = job_board::for_person(&app.db, &scope, tanaka).await.unwrap();
        assert_eq!(his.iter().filter(|r| r.opening_id == design_id).count(), 1);

        // A manager sees the opening but not who raised a hand, here or on her page.
        app.post(&hr, "/settings/staff", "/settings/staff", &[("display_name", "製造部 鈴木"), ("email", "suzuki@example.jp"), ("role", "manager"), ("password", "manager password 1")]).await;
        let m = browser();
        app.post(&m, "/login", "/login", &[("email", "suzuki@example.jp"), ("password", "manager password 1")]).await;
        let (s, seen) = app.get(&m, &web).await;
        assert_eq!(s, StatusCode::OK);
        for quiet in ["来年4月から", "こっそり興味あり", "送り迎え", "アルムナイの反応"] {
            assert!(!seen.contains(quiet), "the manager must not see {quiet}");
        }
        let (_, her_page) = app.get(&m, &ayumi_url).await;
        assert!(!her_page.contains("こっそり興味あり"));
        let r = app.post(&m, &web, &format!("{web}/responses/{}/comeback", mine[0].id), &[]).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);

        // HR sees both, with 田中's flag, and starts the comeback from her interest.
        let (_, seen) = app.get(&hr, &web).await;
        assert!(seen.contains("来年4月から") && seen.contains("送り迎え") && seen.contains("𠮷田"));
        let (_, her_page) = app.get(&hr, &ayumi_url).await;
        assert!(her_page.contains("求人への反応") && her_page.contains("Web集客担当"), "HR sees it on her page");
        assert!(seen.contains("再雇用不可"), "the flag beside 田中's interest");
        let r = app.post(&hr, &web, &format!("{web}/responses/{}/comeback", mine[0].id), &[]).await;
        let comeback_url = location(&r).to_string();
        assert!(comeback_url.starts_with("/comebacks/"), "{comeback_url}");
        let cb = kaeru_store::comebacks::for_person(&app.db, &scope, ayumi).await.unwrap();
        assert_eq!(cb.len(), 1);
        assert_eq!(cb[0].opening_id.map(|o| o.to_string()), Some(id_of(&web)));
        assert_eq!(cb[0].response_id, Some(mine[0].id));
        let (_, cb_page) = app.get(&hr, &comeback_url).await;
        assert!(cb_page.contains("きっかけの求人") && cb_page.contains("Web集客担当"));
        let r = app.post(&hr, &web, &format!("{web}/responses/{}/comeback", mine[0].id), &[]).await;
        assert!(location(&r).ends_with("#responses"), "a second start is refused");
        // 田中 has a comeback under way already: his interest joins it instead of opening a second one.
        let web_id: kaeru_domain::OpeningId = id_of(&web).parse().unwrap();
        let his = job_board::for_person(&app.db, &scope, tanaka).await.unwrap().into_iter().find(|r| r.opening_id == web_id).unwrap();
        kaeru_store::comebacks::open(&app.db, &scope, &actor, tanaka, Some("電話で相談".into()), today).await.unwrap();
        let r = app.post(&hr, &web, &format!("{web}/responses/{}/comeback", his.id), &[]).await;
        assert!(location(&r).starts_with("/comebacks/"));
        let his_cb = kaeru_store::comebacks::for_person(&app.db, &scope, tanaka).await.unwrap();
        assert_eq!(his_cb.len(), 1);
        assert_eq!(his_cb[0].response_id, Some(his.id));
        assert_eq!(kaeru_store::comebacks::for_person(&app.db, &scope, ayumi).await.unwrap().len(), 1);

        // She applies (the comeback already open is kept), and a second application is refused.
        let r = app.post(&me, &web_me, &format!("{web_me}/apply"), &[("note", ""), ("available_from", "来年4月から")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let r = app.post(&me, &web_me, &format!("{web_me}/apply"), &[("note", ""), ("available_from", "")]).await;
        assert_eq!(r.status(), StatusCode::CONFLICT);
        assert!(r.text().await.unwrap().contains("すでに応募しています"));
        let r = app.post(&me, &web_me, &format!("{web_me}/withdraw"), &[]).await;
        assert_eq!(r.status(), StatusCode::CONFLICT, "an application is withdrawn through HR");
        assert_eq!(kaeru_store::comebacks::for_person(&app.db, &scope, ayumi).await.unwrap().len(), 1);
        let fig = job_board::figures(&app.db, &scope).await.unwrap();
        let f = &fig[&id_of(&web).parse().unwrap()];
        assert_eq!((f.saw, f.interested, f.applied), (2, 1, 1), "{f:?}");
        assert_eq!(f.by_via["line"].0, 1, "her view came from LINE");

        // A referral needs a way to reach the person; the one sent credits her.
        let r = app.post(&me, &web_me, &format!("{web_me}/refer"), &[("name", "山田 花子"), ("email", ""), ("phone", ""), ("relationship", "前職の同僚"), ("message", "")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let text = r.text().await.unwrap();
        assert!(text.contains("メールアドレスか電話番号") && text.contains("山田 花子"));
        let r = app.post(&me, &web_me, &format!("{web_me}/refer"), &[("name", "山田 花子"), ("email", "hanako@example.jp"), ("phone", ""), ("relationship", "前職の同僚"), ("message", "Web広告の運用経験があります")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let credited = kaeru_store::network::for_person(&app.db, &scope, ayumi).await.unwrap();
        assert_eq!(credited.len(), 1);
        // A flood of referrals stops at ten a day, with the form kept.
        let web_opening: kaeru_domain::OpeningId = id_of(&web).parse().unwrap();
        let one = kaeru_domain::job_board::ReferralInput { name: "佐藤 一郎".into(), email: "ichiro@example.jp".into(), ..Default::default() }.parse().unwrap();
        for _ in 0..9 {
            kaeru_app::job_board::refer(&app.db, &scope, ayumi, web_opening, &one, today).await.unwrap();
        }
        let r = app.post(&me, &web_me, &format!("{web_me}/refer"), &[("name", "十一人目"), ("email", "eleven@example.jp"), ("phone", ""), ("relationship", ""), ("message", "")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("十一人目"));
        assert_eq!(credited[0].candidate.as_deref(), Some("山田 花子"));
        assert_eq!(credited[0].candidate_email.as_deref(), Some("hanako@example.jp"));
        assert!(credited[0].from_portal && credited[0].opening.as_deref() == Some("Web集客担当"));

        // Alerts: she links LINE and asks for openings that fit. What was on the board already is no news.
        let r = app.post(&me, "/me/openings", "/me/alerts", &[("on", "on"), ("min_fit", "<script>")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let r = app.post(&me, "/me/openings", "/me/alerts", &[("on", "on"), ("min_fit", "good")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let code = kaeru_store::messaging::new_link_code(&app.db, &scope, ayumi, "code", 15).await.unwrap();
        kaeru_store::messaging::use_link_code(&app.db, &scope, "code", &code, "U0123456789abcdef0123456789abcdef").await.unwrap();
        let delivery = kaeru_app::announcements::Delivery { line_api: line.base.clone(), public_url: app.base.clone() };
        let pass = |at| {
            let (db, delivery) = (app.db.clone(), delivery.clone());
            async move {
                let n = kaeru_app::job_board::run_alerts(&db, &delivery, at).await.unwrap();
                kaeru_worker::mail::deliver_line_outbox(&db, &delivery, "test").await.unwrap();
                n
            }
        };
        let now = Utc::now();
        assert_eq!(pass(now).await, 0);
        // A new opening that fits her, and one that does not (CAD).
        new_opening(&app, &hr, &[("title", "Webディレクター（業務委託）"), ("work_style", "contract"), ("days_per_week", "2"), ("status", "open"), ("audience", "alumni"), ("req_skill", &dm_id), ("req_level", "3")]).await;
        new_opening(&app, &hr, &[("title", "CADオペレーター"), ("work_style", "full_time"), ("status", "open"), ("audience", "alumni"), ("req_skill", &cad_id), ("req_level", "4")]).await;
        assert_eq!(pass(Utc::now()).await, 1);
        assert_eq!(pass(Utc::now() + Duration::seconds(60)).await, 0, "each opening once");
        let state = line.state().await;
        let pushes = state["pushes"].as_array().unwrap();
        assert_eq!(pushes.len(), 1, "{state}");
        assert_eq!(pushes[0]["to"], "U0123456789abcdef0123456789abcdef");
        let text = pushes[0]["texts"][0].as_str().unwrap();
        assert!(text.contains("Webディレクター（業務委託）") && !text.contains("CADオペレーター"), "{text}");
        assert!(text.contains("/me/openings?via=line"));
        assert!(!text.contains("田中"));
        // Within the week another opening waits; after it, it is told.
        new_opening(&app, &hr, &[("title", "SNS運用（副業）"), ("work_style", "side_job"), ("days_per_week", "1"), ("status", "open"), ("audience", "alumni"), ("req_skill", &dm_id), ("req_level", "2")]).await;
        assert_eq!(pass(Utc::now() + Duration::days(3)).await, 0, "at most weekly");
        assert_eq!(pass(Utc::now() + Duration::days(8)).await, 1);
        assert_eq!(line.state().await["pushes"].as_array().unwrap().len(), 2);
        // Consent withdrawn: no alert, but she may still browse.
        set_rehire_consent(&app, &scope, ayumi, false).await;
        new_opening(&app, &hr, &[("title", "EC運営（週2日）"), ("work_style", "part_week"), ("days_per_week", "2"), ("status", "open"), ("audience", "alumni"), ("req_skill", &dm_id), ("req_level", "2")]).await;
        assert_eq!(pass(Utc::now() + Duration::days(20)).await, 0);
        assert_eq!(line.state().await["pushes"].as_array().unwrap().len(), 2);
        let (s, board) = app.get(&me, "/me/openings").await;
        assert_eq!(s, StatusCode::OK);
        assert!(board.contains("EC運営（週2日）") && board.contains("同意が取り消されているため"));

        // Invited: the hidden opening shows to her once HR invites her.
        let r = app.post(&hr, &secret, &format!("{secret}/invites"), &[("person_id", &ayumi.to_string())]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let (s, hidden) = app.get(&me, &format!("/me/openings/{}", id_of(&secret))).await;
        assert_eq!(s, StatusCode::OK);
        assert!(hidden.contains("ご招待"));
        let (s, _) = app.get(&tanaka_me, &format!("/me/openings/{}", id_of(&secret))).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "only the people invited");

        // A closing date in the past hides the opening at once and the daily job closes it.
        let r = app.post(&hr, &format!("{design}/edit"), &design, &[("title", "設計担当"), ("work_style", "full_time"), ("status", "open"), ("audience", "public"), ("req_skill", &cad_id), ("req_level", "3"), ("closes_on", &(today - Duration::days(1)).to_string())]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let (_, board) = app.get(&me, "/me/openings").await;
        assert!(!board.contains("設計担当"));
        assert_eq!(kaeru_store::openings::close_passed(&app.db, &scope, today).await.unwrap(), 1);
        assert_eq!(kaeru_store::openings::close_passed(&app.db, &scope, today).await.unwrap(), 0);

        // Her download holds her responses and alert.
        let (_, data) = app.get(&me, "/me/data.json").await;
        assert!(data.contains("\"job_board\"") && data.contains("来年4月から"));

        // The API: audience and pay on openings, responses and figures, an application recorded once.
        let (_, secret_token) = kaeru_store::api_tokens::create(&app.db, &scope, &actor, &kaeru_domain::TokenDraft { name: "ats".into(), scope: kaeru_domain::TokenScope::Write }).await.unwrap();
        let http = reqwest::Client::new();
        let call = |method: reqwest::Method, path: String, body: Option<serde_json::Value>| {
            let (http, token, base) = (http.clone(), secret_token.clone(), app.base.clone());
            async move {
                let mut rq = http.request(method, format!("{base}{path}")).bearer_auth(token);
                if let Some(b) = body {
                    rq = rq.json(&b);
                }
                let r = rq.send().await.unwrap();
                let status = r.status();
                (status, r.json::<serde_json::Value>().await.unwrap_or(serde_json::Value::Null))
            }
        };
        let web_id = id_of(&web);
        let (s, o) = call(reqwest::Method::GET, format!("/api/v1/openings/{web_id}"), None).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!((o["audience"].as_str(), o["pay_yen"].as_i64(), o["pay_unit"].as_str(), o["remote"].as_str()), (Some("alumni"), Some(18_000), Some("day"), Some("hybrid")));
        let (s, list) = call(reqwest::Method::GET, "/api/v1/openings?audience=alumni".into(), None).await;
        assert_eq!(s, StatusCode::OK);
        assert!(list["items"].as_array().unwrap().iter().all(|o| o["audience"] == "alumni"));
        let (s, r) = call(reqwest::Method::GET, format!("/api/v1/openings/{web_id}/responses"), None).await;
        assert_eq!(s, StatusCode::OK);
        let rows = r.as_array().unwrap();
        assert!(rows.iter().any(|x| x["kind"] == "application" && x["person_id"] == ayumi.to_string()));
        assert!(rows.iter().any(|x| x["person_id"] == tanaka.to_string() && x["not_eligible"] == true));
        let body = serde_json::json!({"person_id": tanaka.to_string(), "kind": "application", "available_from": "すぐ"});
        let (s, made) = call(reqwest::Method::POST, format!("/api/v1/openings/{web_id}/responses"), Some(body.clone())).await;
        assert_eq!(s, StatusCode::CREATED, "{made}");
        assert_eq!(made["via"], "api");
        let (s, _) = call(reqwest::Method::POST, format!("/api/v1/openings/{web_id}/responses"), Some(body)).await;
        assert_eq!(s, StatusCode::CONFLICT, "a second application");
        let (s, bad) = call(reqwest::Method::POST, format!("/api/v1/openings/{web_id}/responses"), Some(serde_json::json!({"person_id": "x", "kind": "maybe"}))).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        let (s, f) = call(reqwest::Method::GET, format!("/api/v1/openings/{web_id}/figures"), None).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(f["applied"], 2);
        let secret_id = id_of(&secret);
        let (s, inv) = call(reqwest::Method::GET, format!("/api/v1/openings/{secret_id}/invites"), None).await;
        assert_eq!((s, inv), (StatusCode::OK, serde_json::json!([ayumi.to_string()])));
        let (s, _) = call(reqwest::Method::DELETE, format!("/api/v1/openings/{secret_id}/invites/{ayumi}"), None).await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        let (s, _) = app.get(&me, &format!("/me/openings/{secret_id}")).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "the invitation taken back hides it again");

        // Erasure removes what the board held about her.
        kaeru_store::privacy::erase(&app.db, &scope, &actor, ayumi).await.unwrap();
        assert!(job_board::for_person(&app.db, &scope, ayumi).await.unwrap().is_empty());
        assert!(job_board::alert_of(&app.db, &scope, ayumi).await.unwrap().is_none());
    }
);
