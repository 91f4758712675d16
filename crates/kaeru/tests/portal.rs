//! The alumni portal end to end, with a real SMTP server on loopback: registration on the public page,
//! the sign-in link by e-mail, consent per purpose, self-service, acknowledging an offer, a refused message,
//! downloading one's data, and deletion that leaves no trace of the name. On SQLite and PostgreSQL.

mod common;

use common::*;
use kaeru_store::testing::{execute, traces};
use kaeru_store::{Scope, db_test};
use reqwest::StatusCode;

/// Delivers what the outbox holds through the test SMTP server.
async fn deliver(app: &TestApp, smtp: &SmtpSink) -> kaeru_worker::mail::Delivered {
    let mailer = kaeru_worker::Mailer::new(&smtp.settings()).unwrap();
    kaeru_worker::deliver_outbox(&app.db, &mailer, "test-node")
        .await
        .unwrap()
}

/// The sign-in link in the last message to `to`.
fn link_in(smtp: &SmtpSink, to: &str) -> String {
    let m = smtp
        .messages()
        .into_iter()
        .rev()
        .find(|m| m.to.contains(to))
        .unwrap_or_else(|| panic!("no message to {to}"));
    let start = m.body.find("http://").expect("a link in the message");
    let end = m.body[start..]
        .find(char::is_whitespace)
        .map(|e| start + e)
        .unwrap_or(m.body.len());
    let url = &m.body[start..end];
    url[url.find("/c/").unwrap()..].to_string()
}

/// Follows a sign-in link: the page's button posts the token.
async fn sign_in(app: &TestApp, c: &reqwest::Client, path: &str) -> reqwest::Response {
    let token = path.rsplit('/').next().unwrap().to_string();
    let slug_end = path.find("/auth/").unwrap();
    app.post(
        c,
        path,
        &format!("{}/auth", &path[..slug_end]),
        &[("token", &token)],
    )
    .await
}

db_test!(
    async fn an_alumna_registers_signs_in_by_email_consents_and_is_deleted_without_trace(target) {
        let smtp = SmtpSink::start();
        let app = spawn_app(target).await;
        let hr = browser();
        app.setup(&hr, "sakura", "shacho@example.jp").await;
        // HR already knows her from the old employee list, without an address.
        let r = app.post(&hr, "/people/new", "/people", &[("family_name", "山田"), ("given_name", "花子"), ("family_kana", "やまだ"), ("given_kana", "はなこ")]).await;
        let known = location(&r).to_string();
        let stints = format!("{known}/stints");
        app.post(&hr, &format!("{stints}/new"), &stints, &[("start_date", "2015-04-01"), ("end_date", "2021-03-31"), ("employment_type", "full_time"), ("department", "製造"), ("leave_reason", "career_change")]).await;
        app.create_person(&hr, "別人", "べつじん", "other@example.jp").await;

        // The public page says returners are welcome.
        let visitor = browser();
        let (status, page) = app.get(&visitor, "/c/sakura").await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("出戻りを歓迎します") && page.contains("転職、独立"), "{page}");
        assert_eq!(app.get(&visitor, "/c/no-such-company").await.0, StatusCode::NOT_FOUND);
        let (_, svg) = app.get(&visitor, "/c/sakura/badge.svg").await;
        assert!(svg.starts_with("<svg") && svg.contains("出戻り歓迎"));
        let (_, svg) = app.get(&visitor, "/c/sakura/badge.svg?lang=en").await;
        assert!(svg.contains("Returners welcome"));

        // Bad input is refused with messages and the typed values kept; a bot's honeypot stores nothing.
        let r = app.post(&visitor, "/c/sakura", "/c/sakura/register", &[("family_name", "山田"), ("given_name", "花子"), ("family_kana", "Yamada"), ("given_kana", "はなこ"), ("email", "hanako@example")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.unwrap();
        assert!(html.contains("value=\"Yamada\"") && html.contains("ひらがなまたはカタカナ") && html.contains("同意が必要"), "{html}");
        let r = app.post(&visitor, "/c/sakura", "/c/sakura/register", &[("family_name", "スパム"), ("given_name", "ボット"), ("family_kana", "すぱむ"), ("given_kana", "ぼっと"), ("email", "bot@spam.example"), ("agree", "yes"), ("website", "http://spam.example")]).await;
        assert_eq!(r.status(), StatusCode::OK);
        let r = visitor.post(format!("{}/c/sakura/register", app.base)).form(&[("family_name", "x")]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "a form without its CSRF token is refused");
        let r = app.post(&visitor, "/c/sakura", "/c/sakura/register", &[("family_name", "山田"), ("given_name", "花子"), ("family_kana", "ヤマダ"), ("given_kana", "ハナコ"), ("email", "Hanako@Example.jp"), ("period", "2015〜2021"), ("department", "製造部"), ("message", "また一緒に働きたいです"), ("agree", "yes")]).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.text().await.unwrap().contains("ご登録ありがとうございます"));
        assert_eq!(deliver(&app, &smtp).await.sent, 1);
        let receipt = &smtp.messages()[0];
        assert!(receipt.subject.contains("ご登録を受け付けました") && receipt.to.contains("hanako@example.jp"), "{receipt:?}");
        assert!(receipt.from.contains("no-reply@sakura.example"));

        let (_, home) = app.get(&hr, "/").await;
        assert!(home.contains("公開ページからの登録が1件"), "{home}");
        // HR sees the possible match (same name and reading) and links it; she gets a sign-in link.
        let (_, regs) = app.get(&hr, "/registrations").await;
        assert!(regs.contains("山田 花子") && regs.contains("氏名一致") && regs.contains("読み一致") && !regs.contains("スパム"), "{regs}");
        let reg_id = regs.split("/registrations/").nth(1).unwrap().split('/').next().unwrap().to_string();
        let known_id = known.trim_start_matches("/people/").to_string();
        let r = app.post(&hr, "/registrations", &format!("/registrations/{reg_id}/link"), &[("person", &known_id)]).await;
        assert_eq!(location(&r), known);
        let (_, regs) = app.get(&hr, "/registrations").await;
        assert!(!regs.contains("山田 花子"));
        assert_eq!(deliver(&app, &smtp).await.sent, 1);
        let link = link_in(&smtp, "hanako@example.jp");
        assert!(link.starts_with("/c/sakura/auth/"), "{link}");

        // Signing in: the link page only shows a button; posting it signs in, once.
        let me = browser();
        let (status, html) = app.get(&me, &link).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("ログインする"));
        let r = sign_in(&app, &me, &link).await;
        assert_eq!(location(&r), "/me", "{:?} {}", r.status(), r.headers().get("location").is_some());
        let other = browser();
        let r = sign_in(&app, &other, &link).await;
        assert_eq!(r.status(), StatusCode::GONE);
        assert!(r.text().await.unwrap().contains("すでに使われています"));
        // First visit asks for consent per purpose; she consents to two of the four.
        let r = me.get(format!("{}/me", app.base)).send().await.unwrap();
        assert_eq!(location(&r), "/me/consent");
        let (_, consent_html) = app.get(&me, "/me/consent").await;
        for p in ["再雇用のご案内", "イベントのご案内", "業務委託・協業のご相談", "社内報の送付"] {
            assert!(consent_html.contains(p), "{p}");
        }
        let scope = {
            let c = kaeru_store::companies::find_by_slug(&app.db, "sakura").await.unwrap().unwrap();
            Scope::for_company(c.id)
        };
        let purposes = kaeru_store::consent::purposes(&app.db, &scope).await.unwrap();
        let id_of = |code: &str| purposes.iter().find(|p| p.code == code).unwrap().id.to_string();
        let csrf = csrf_of(&consent_html);
        let r = me.post(format!("{}/me/consent", app.base)).form(&[("_csrf", csrf.as_str()), ("purpose", &id_of("rehire")), ("purpose", &id_of("events"))]).send().await.unwrap();
        assert_eq!(location(&r), "/me");
        let (status, home) = app.get(&me, "/me").await;
        assert_eq!(status, StatusCode::OK);
        assert!(home.contains("山田 花子"));

        // Self-service: contacts (a bad phone is refused and kept), career, skill, certification, outlook, message.
        let r = app.post(&me, "/me", "/me/contacts", &[("emails", "hanako@example.jp"), ("phone", "電話ください")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("value=\"電話ください\""));
        let r = app.post(&me, "/me", "/me/contacts", &[("emails", "hanako@example.jp"), ("phone", "090-1234-5678"), ("line_id", "hanako_line"), ("prefecture", "静岡県")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let r = app.post(&me, "/me", "/me/careers", &[("employer", "株式会社みらいデジタル"), ("role", "Webマーケター"), ("industry", "広告"), ("from_date", "2021-05-01")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let r = app.post(&me, "/me", "/me/careers", &[("employer", "")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let skill = kaeru_store::skills::create(&app.db, &scope, &kaeru_store::Actor::system("test"), &kaeru_domain::skill::SkillInput { name: "デジタルマーケティング".into(), ..Default::default() }.parse().unwrap()).await.unwrap();
        let r = app.post(&me, "/me", "/me/skills", &[("skill", &skill.id.to_string()), ("level", "4")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let r = app.post(&me, "/me", "/me/qualifications", &[("kind", "certification"), ("name", "ウェブ解析士"), ("obtained_on", "2023-06-01")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let r = app.post(&me, "/me", "/me/outlook", &[("intent", "within_year"), ("work_style", "part_week"), ("days_per_week", "3")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let r = app.post(&me, "/me", "/me/message", &[("message", "週3日なら戻れます")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let (_, home) = app.get(&me, "/me").await;
        for expected in ["株式会社みらいデジタル", "デジタルマーケティング", "ウェブ解析士", "週3日なら戻れます", "value=\"090-1234-5678\""] {
            assert!(home.contains(expected), "my page lacks {expected}");
        }
        // HR sees it, marked as updated by the person.
        let (_, person_page) = app.get(&hr, &known).await;
        for expected in ["本人が更新", "週3日なら戻れます", "ウェブ解析士", "株式会社みらいデジタル", "同意あり", "同意なし"] {
            assert!(person_page.contains(expected), "person page lacks {expected}");
        }

        // An issued return offer, acknowledged by her (timestamped, audited).
        let offers_path = format!("{known}/offers");
        let r = app.post(&hr, &format!("{known}/offers/new"), &offers_path, &[("valid_from", "2021-03-31"), ("valid_until", "2031-03-31"), ("signer_name", "桜井 健一")]).await;
        let offer = location(&r).to_string();
        app.post(&hr, &offer, &format!("{offer}/status"), &[("action", "issue")]).await;
        let offer_id = offer.trim_start_matches("/offers/");
        let (_, home) = app.get(&me, "/me").await;
        assert!(home.contains("オファーを確認しました"));
        let r = app.post(&me, "/me", &format!("/me/offers/{offer_id}/acknowledge"), &[]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let (_, offer_page) = app.get(&hr, &offer).await;
        assert!(offer_page.contains("確認済み"), "{offer_page}");
        let r = me.get(format!("{}/me/offers/{offer_id}/letter.pdf", app.base)).send().await.unwrap();
        assert_eq!(r.headers()["content-type"], "application/pdf");
        assert!(r.bytes().await.unwrap().starts_with(b"%PDF"));
        let audit = kaeru_store::audit::for_person(&app.db, &scope, kaeru_domain::PersonId(known_id.parse().unwrap()), 100).await.unwrap();
        assert!(audit.iter().any(|e| e.action == "offer.acknowledge" && e.actor_name.contains("本人")));

        // She cannot touch another person's data, nor post without her token.
        let other_person = kaeru_store::portal::person_by_email(&app.db, &scope, "other@example.jp").await.unwrap().unwrap();
        let theirs = kaeru_store::careers::add(&app.db, &scope, &kaeru_store::Actor::system("test"), other_person, &kaeru_domain::CareerDraft { employer: "他人の会社".into(), role: None, industry: None, from_date: None, to_date: None }).await.unwrap();
        let r = app.post(&me, "/me", &format!("/me/careers/{}/delete", theirs.id), &[]).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let their_offer = {
            let r = app.post(&hr, "/people/new", "/people", &[("family_name", "他人"), ("given_name", "次郎"), ("family_kana", "たにん"), ("given_kana", "じろう")]).await;
            let p = location(&r).to_string();
            let r = app.post(&hr, &format!("{p}/offers/new"), &format!("{p}/offers"), &[("valid_from", "2021-03-31"), ("valid_until", "2031-03-31"), ("signer_name", "桜井 健一")]).await;
            location(&r).trim_start_matches("/offers/").to_string()
        };
        let r = me.get(format!("{}/me/offers/{their_offer}/letter.pdf", app.base)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let r = app.post(&me, "/me", &format!("/me/offers/{their_offer}/acknowledge"), &[]).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        assert_eq!(kaeru_store::careers::for_person(&app.db, &scope, other_person).await.unwrap().len(), 1);
        let r = me.post(format!("{}/me/message", app.base)).form(&[("_csrf", "forged"), ("message", "x")]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);

        // A message for a purpose she consented to is sent; withdrawing consent refuses the next one.
        let message = format!("{known}/message");
        let r = app.post(&hr, &message, &message, &[("purpose", "events"), ("subject", "OB・OG会のご案内"), ("body", "12月に開催します。")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let r = app.post(&hr, &message, &message, &[("purpose", "newsletter"), ("subject", "社内報"), ("body", "今月号")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("同意がない"));
        let (_, consent_html) = app.get(&me, "/me/consent").await;
        let csrf = csrf_of(&consent_html);
        me.post(format!("{}/me/consent", app.base)).form(&[("_csrf", csrf.as_str()), ("purpose", &id_of("rehire"))]).send().await.unwrap();
        // The queued invitation was for events: checked again at sending, it is refused now.
        let d = deliver(&app, &smtp).await;
        assert_eq!((d.sent, d.refused), (0, 1));
        let r = app.post(&hr, &message, &message, &[("purpose", "events"), ("subject", "忘年会"), ("body", "どうぞ")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let r = app.post(&hr, &message, &message, &[("purpose", "rehire"), ("subject", "復職のご相談"), ("body", "週3日のポジションがあります。")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(deliver(&app, &smtp).await.sent, 1);
        assert!(smtp.messages().iter().any(|m| m.subject == "復職のご相談" && m.body.contains("ご同意いただいた目的")));
        assert!(!smtp.messages().iter().any(|m| m.subject.contains("OB・OG会") || m.subject.contains("忘年会")));
        let (_, outbox) = app.get(&hr, "/outbox").await;
        assert!(outbox.contains("送信拒否") && outbox.contains("送信済み"), "{outbox}");

        // New wording of a purpose is a new version: she is asked again, and until then it does not count.
        let r = app.post(&hr, "/settings/purposes", &format!("/settings/purposes/{}", id_of("rehire")), &[("name_ja", "再雇用のご案内"), ("name_en", "Invitations to work here again"), ("description_ja", "再入社・復職・業務委託の機会についてご連絡します。"), ("description_en", "We tell you about chances to come back."), ("active", "on")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let r = me.get(format!("{}/me", app.base)).send().await.unwrap();
        assert_eq!(location(&r), "/me/consent");
        let (_, consent_html) = app.get(&me, "/me/consent").await;
        assert!(consent_html.contains("第2版") && consent_html.contains("内容が変わりました"), "{consent_html}");
        let r = app.post(&hr, &message, &message, &[("purpose", "rehire"), ("subject", "再確認前"), ("body", "x")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let csrf = csrf_of(&consent_html);
        me.post(format!("{}/me/consent", app.base)).form(&[("_csrf", csrf.as_str()), ("purpose", &id_of("rehire"))]).send().await.unwrap();
        let r = app.post(&hr, &message, &message, &[("purpose", "rehire"), ("subject", "再確認後"), ("body", "x")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);

        // She downloads everything stored about her.
        let r = me.get(format!("{}/me/data.json", app.base)).send().await.unwrap();
        assert!(r.headers()["content-disposition"].to_str().unwrap().contains("attachment"));
        let data: serde_json::Value = r.json().await.unwrap();
        assert_eq!(data["person"]["family_name"], "山田");
        assert_eq!(data["careers"][0]["employer"], "株式会社みらいデジタル");
        assert_eq!(data["qualifications"][0]["name"], "ウェブ解析士");
        assert!(data["consents"].as_array().unwrap().iter().any(|c| c["purpose"] == "rehire" && c["granted"] == true));
        let csv = me.get(format!("{}/me/data.csv", app.base)).send().await.unwrap().text().await.unwrap();
        assert!(csv.starts_with('\u{feff}') && csv.contains("\"person\",\"family_name\",\"山田\""), "{csv}");

        // She asks for deletion; HR completes it; no trace of her name or address is left anywhere.
        let r = app.post(&me, "/me", "/me/deletion", &[]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let (_, privacy) = app.get(&hr, "/privacy").await;
        assert!(privacy.contains("山田 花子") && privacy.contains("削除を実行"), "{privacy}");
        let (_, home) = app.get(&hr, "/").await;
        assert!(home.contains("山田 花子 さんからデータ削除の依頼があります"), "{home}");
        let r = app.post(&hr, "/privacy", &format!("{known}/erase"), &[("confirm", "erase")]).await;
        assert_eq!(location(&r), "/privacy");
        for needle in ["山田", "花子", "やまだ", "ヤマダ", "hanako", "090-1234", "みらいデジタル", "ウェブ解析士", "週3日なら"] {
            assert_eq!(traces(&app.db, needle).await, Vec::<String>::new(), "{needle} is still stored");
        }
        // The anonymous statistics stay: the stint's dates and leave reason.
        let stints = kaeru_store::stints::for_person(&app.db, &scope, kaeru_domain::PersonId(known_id.parse().unwrap())).await.unwrap();
        assert_eq!(stints.len(), 1);
        assert_eq!(stints[0].end_date, chrono::NaiveDate::from_ymd_opt(2021, 3, 31));
        // Her portal session ended with her data.
        let r = me.get(format!("{}/me", app.base)).send().await.unwrap();
        assert_eq!(location(&r), "/c/sakura/login");
        let (_, privacy) = app.get(&hr, "/privacy").await;
        assert!(privacy.contains("対応済み"));
    }
);

db_test!(
    async fn sign_in_links_expire_are_rate_limited_and_do_not_tell_who_is_registered(target) {
        let app = spawn_app(target).await;
        let hr = browser();
        app.setup(&hr, "sakura", "shacho@example.jp").await;
        app.create_person(&hr, "鈴木", "すずき", "suzuki@example.jp").await;
        let scope = {
            let c = kaeru_store::companies::find_by_slug(&app.db, "sakura").await.unwrap().unwrap();
            Scope::for_company(c.id)
        };
        let v = browser();
        let known = app.post(&v, "/c/sakura/login", "/c/sakura/login", &[("email", "suzuki@example.jp")]).await;
        let unknown = app.post(&v, "/c/sakura/login", "/c/sakura/login", &[("email", "nobody@example.jp")]).await;
        assert_eq!(known.status(), unknown.status());
        let (a, b) = (known.text().await.unwrap(), unknown.text().await.unwrap());
        assert!(a.contains("メールをご確認ください") && b.contains("メールをご確認ください"));
        // The link is worked out after the answer (so both cost the same); it arrives a moment later.
        let page = outbox_when(&app, &scope, |p| p.iter().any(|m| m.kind == "magic_link")).await;
        assert_eq!(page.iter().filter(|m| m.kind == "magic_link").count(), 1, "only the known address gets a link");
        // Without SMTP configured the message stays in the outbox, shown as not sent.
        let (_, outbox) = app.get(&hr, "/outbox").await;
        assert!(outbox.contains("SMTPサーバーが設定されていません") && outbox.contains("未送信"));
        // An expired link is refused.
        let body = &page.iter().find(|m| m.kind == "magic_link").unwrap().body;
        let start = body.find("/c/sakura/auth/").unwrap();
        let link = body[start..start + "/c/sakura/auth/".len() + 64].to_string();
        execute(&app.db, "UPDATE magic_links SET expires_at = created_at").await;
        let r = sign_in(&app, &browser(), &link).await;
        assert_eq!(r.status(), StatusCode::GONE);
        assert!(r.text().await.unwrap().contains("有効期限"));
        let r = sign_in(&app, &browser(), "/c/sakura/auth/0000000000000000000000000000000000000000000000000000000000000000").await;
        assert_eq!(r.status(), StatusCode::GONE);
        // The same address is limited to five links per quarter hour, known or not.
        for _ in 0..4 {
            app.post(&v, "/c/sakura/login", "/c/sakura/login", &[("email", "nobody@example.jp")]).await;
        }
        let r = app.post(&v, "/c/sakura/login", "/c/sakura/login", &[("email", "nobody@example.jp")]).await;
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        // No address is kept in clear in the rate-limit table.
        assert!(traces(&app.db, "nobody@").await.is_empty());
        // Another company's page does not sign anyone of this company in.
        let r = app.post(&v, "/c/sakura/login", "/c/sakura/login", &[("email", "not-an-address")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
);

/// The outbox once `ready` holds for it (waiting up to five seconds for work done after an answer).
async fn outbox_when(
    app: &TestApp,
    scope: &Scope,
    ready: impl Fn(&[kaeru_store::outbox::Message]) -> bool,
) -> Vec<kaeru_store::outbox::Message> {
    for _ in 0..100 {
        let page = outbox_page(app, scope).await;
        if ready(&page) {
            return page;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    outbox_page(app, scope).await
}

async fn outbox_page(app: &TestApp, scope: &Scope) -> Vec<kaeru_store::outbox::Message> {
    kaeru_store::outbox::list(&app.db, scope, None, 1)
        .await
        .unwrap()
        .items
}
