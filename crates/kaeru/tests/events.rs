//! Events end to end, on SQLite and PostgreSQL, with a real SMTP server (aiosmtpd) and the fake LINE API:
//! a 30-place OB・OG会 invited to a segment (consent to イベントのご案内 only); 31 people reply 出席 at the
//! same moment and exactly 30 get a place; a cancellation offers the place to the one waiting, who takes
//! it; the calendar files read back by Python's icalendar (UID, DTSTAMP, TZID with its VTIMEZONE, the same
//! UID with a higher SEQUENCE after a change and after the cancellation); check-in by QR link, a reused
//! code and another event's code refused; attendance raises warmth; the しおり read by pdftotext; the
//! attendee list read by openpyxl; and the waitlist's time limit and the reminders run by the clock.

mod common;

use chrono::{Duration, Utc};
use common::*;
use kaeru_domain::event::RsvpState;
use kaeru_domain::{EventId, PersonId};
use kaeru_store::events::{self as store, Notice};
use kaeru_store::{Actor, Scope, consent, db_test, outbox};
use reqwest::StatusCode;

async fn consent_to(app: &TestApp, scope: &Scope, person: PersonId, code: &str) {
    let p = consent::purposes(&app.db, scope).await.unwrap();
    let purpose = p.iter().find(|p| p.code == code).unwrap();
    consent::decide(
        &app.db,
        scope,
        &Actor::system("test"),
        person,
        &[(purpose.id, true)],
    )
    .await
    .unwrap();
}

fn local(t: chrono::DateTime<Utc>) -> String {
    t.with_timezone(&chrono_tz::Asia::Tokyo)
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

async fn deliver_outbox(app: &TestApp, smtp: &SmtpSink) {
    let mailer = kaeru_worker::Mailer::new(&smtp.settings()).unwrap();
    kaeru_worker::mail::deliver_outbox(&app.db, &mailer, "test")
        .await
        .unwrap();
}

/// Reads calendar files (and optionally an XLSX) with Python's icalendar and openpyxl.
fn read_files(ics: &[&str], xlsx: Option<&[u8]>) -> serde_json::Value {
    let dir = std::env::temp_dir().join(format!("kaeru-events-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut args: Vec<String> = Vec::new();
    for (i, body) in ics.iter().enumerate() {
        let p = dir.join(format!("{i}.ics"));
        std::fs::write(&p, body).unwrap();
        args.push("--ics".into());
        args.push(p.display().to_string());
    }
    if let Some(x) = xlsx {
        let p = dir.join("list.xlsx");
        std::fs::write(&p, x).unwrap();
        args.push("--xlsx".into());
        args.push(p.display().to_string());
    }
    let out = std::process::Command::new(test_python())
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tools/read_event_files.py"
        ))
        .args(&args)
        .output()
        .expect("run tools/read_event_files.py");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn link_in(body: &str, prefix: &str) -> String {
    let at = body
        .find(prefix)
        .unwrap_or_else(|| panic!("no {prefix} in {body}"));
    body[at..]
        .split(|c: char| c.is_whitespace())
        .next()
        .unwrap()
        .to_string()
}

/// A fresh anonymous browser's reply on a signed page.
async fn reply(base: &str, page: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let c = browser();
    let html = c
        .get(format!("{base}{page}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = csrf_of(&html);
    let mut all = vec![("_csrf", token.as_str())];
    all.extend_from_slice(fields);
    c.post(format!("{base}{page}"))
        .form(&all)
        .send()
        .await
        .unwrap()
}

db_test!(
    async fn a_full_reunion_seats_thirty_waitlists_one_and_runs_the_door(target) {
        let smtp = SmtpSink::start();
        let line = FakeLine::start();
        let app = spawn_app_with(target, |c| c.line_api_url = line.base.clone()).await;
        let hr = browser();
        app.setup(&hr, "sakura", "shacho@example.jp").await;
        let company = kaeru_store::companies::all(&app.db).await.unwrap()[0].id;
        let scope = Scope::for_company(company);
        let r = app.post(&hr, "/settings/messaging", "/settings/messaging", &[("force_channel", "auto"), ("emails_per_minute", "600"), ("sender_address", "静岡県浜松市中区元城町1-2"), ("sender_contact", "hr@sakura.example")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);

        // 31 alumni who agreed to hear of events, one who did not.
        let mut people = Vec::new();
        for i in 0..31 {
            let kana = format!("{}{}", ["あ", "か", "さ", "た", "な", "は", "ま"][i % 7], "べ".repeat(i / 7 + 1));
            let family = if i == 0 { "𠮷田".to_string() } else { format!("阿部{i}") };
            let path = app.create_person(&hr, &family, &kana, &format!("p{i}@example.jp")).await;
            let id = PersonId(path.trim_start_matches("/people/").parse().unwrap());
            consent_to(&app, &scope, id, "events").await;
            people.push(id);
        }
        let outsider = app.create_person(&hr, "外山", "そとやま", "soto@example.jp").await;

        // The event: an end before the start is refused, the form keeps what was typed.
        let start = Utc::now() + Duration::days(30);
        let form = |ends: &str| vec![
            ("kind", "reunion".to_string()), ("title", "OB・OG会 2027".to_string()),
            ("starts_at", local(start)), ("ends_at", ends.to_string()),
            ("place", "割烹 かえる".to_string()), ("address", "浜松市中区元城町1-3".to_string()),
            ("capacity", "３０".to_string()), ("fee", "5,000円".to_string()),
            ("reply_by", local(start - Duration::days(7))), ("max_companions", "1".to_string()),
            ("questions", "食事の配慮".to_string()), ("offer_hours", "48".to_string()),
            ("description", "年に一度の集まりです。".to_string()),
        ];
        let bad: Vec<(&str, String)> = form(&local(start - Duration::hours(1)));
        let bad_ref: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = app.post(&hr, "/events/new", "/events", &bad_ref).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.unwrap();
        assert!(html.contains("終了は開始より後にしてください") && html.contains("割烹 かえる"), "{html}");
        let good: Vec<(&str, String)> = form(&local(start + Duration::hours(3)));
        let good_ref: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = app.post(&hr, "/events/new", "/events", &good_ref).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let event_path = location(&r).to_string();
        let event = EventId(event_path.trim_start_matches("/events/").parse().unwrap());

        // An invitation before publishing is refused; after, it is an announcement to a segment.
        let (status, html) = app.get(&hr, &format!("{event_path}/invite")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("公開してください"), "{html}");
        let r = app.post(&hr, &event_path, &format!("{event_path}/status"), &[("to", "published")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let r = app.post(&hr, "/segments/new", "/segments", &[("name", "全員")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let segment = kaeru_store::segments::list(&app.db, &scope).await.unwrap()[0].id.to_string();
        let (status, html) = app.get(&hr, &format!("/announcements/new?event={event}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("招待状です") && html.contains("【ご案内】OB・OG会 2027"), "{html}");
        let r = app.post(&hr, "/announcements/new", "/announcements", &[("kind", "invitation"), ("purpose", "newsletter"), ("segment", &segment), ("subject", "ご案内"), ("body", "どうぞ"), ("event", &event.to_string())]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "an invitation goes for the purpose 'events'");
        let r = app.post(&hr, "/announcements/new", "/announcements", &[("kind", "invitation"), ("purpose", "events"), ("segment", &segment), ("subject", "【ご案内】OB・OG会 2027"), ("body", "年に一度の集まりです。"), ("event", &event.to_string())]).await;
        let ann = location(&r).to_string();
        let st = r.status();
        assert_eq!(st, StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());
        let r = app.post(&hr, &ann, &format!("{ann}/send"), &[]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let mailer = kaeru_worker::Mailer::new(&smtp.settings()).unwrap();
        let delivery = kaeru_app::announcements::Delivery { line_api: line.base.clone(), public_url: app.base.clone() };
        kaeru_worker::bulk::deliver(&app.db, Some(&mailer), &delivery, "test").await.unwrap();
        let invitations = smtp.messages();
        assert_eq!(invitations.len(), 31, "the one without consent is left out");
        assert!(!invitations.iter().any(|m| m.to.contains("soto@")));
        let _ = outsider;

        // Each invitation's link opens that person's own reply page.
        let mut pages = Vec::new();
        let anon = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        for m in &invitations {
            let read = link_in(&m.body, &format!("{}/m/", app.base));
            let r = anon.get(&read).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::SEE_OTHER);
            pages.push(location(&r).to_string());
        }
        assert!(pages.iter().all(|p| p.starts_with("/r/")));
        let (status, _) = app.get(&browser(), &format!("{}x", &pages[0][..pages[0].len() - 1])).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "a forged link opens nothing");

        // 31 replies 出席 at the same moment: exactly 30 places, one on the waitlist.
        let base = app.base.clone();
        // Each browser loads its page first; then all 31 posts leave together.
        let mut ready = Vec::new();
        for p in &pages {
            let c = browser();
            let html = c.get(format!("{base}{p}")).send().await.unwrap().text().await.unwrap();
            ready.push((c, csrf_of(&html), p.clone()));
        }
        let gate = std::sync::Arc::new(tokio::sync::Barrier::new(ready.len()));
        let tasks: Vec<_> = ready.into_iter().map(|(c, token, p)| {
            let base = base.clone();
            let gate = gate.clone();
            tokio::spawn(async move {
                gate.wait().await;
                c.post(format!("{base}{p}")).form(&[("_csrf", token.as_str()), ("answer", "attending"), ("news", "元気です。"), ("news_consent", "on")]).send().await.unwrap().status()
            })
        }).collect();
        let mut replies = Vec::new();
        for t in tasks {
            replies.push(t.await.unwrap());
        }
        assert!(replies.iter().all(|s| *s == StatusCode::SEE_OTHER), "{replies:?}");
        let counts = store::counts(&app.db, &scope, event).await.unwrap();
        assert_eq!((counts.attending, counts.waitlisted, counts.places), (30, 1, 30), "never 31");
        let all = store::rsvps(&app.db, &scope, event).await.unwrap();
        let waiting = all.iter().find(|r| r.state == RsvpState::Waitlisted).unwrap().clone();
        let mail = kaeru_app::events::Mail::load(&app.db, &scope, &delivery).await.unwrap();
        let waiting_page = mail.rsvp_path(waiting.id);
        assert!(pages.contains(&waiting_page));
        let (_, html) = app.get(&browser(), &waiting_page).await;
        assert!(html.contains("キャンセル待ち 1番目"), "{html}");

        // Companions: beyond the limit refused; one more when full refused for want of room.
        // Someone other than 𠮷田 (whose name the しおり must print) will give up their place.
        let decliner = all.iter().find(|r| r.state == RsvpState::Attending && r.person != Some(people[0])).unwrap();
        let attending_page = mail.rsvp_path(decliner.id);
        let r = reply(&base, &attending_page, &[("answer", "attending"), ("companions", "2")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("同伴者は1名まで"));
        let r = reply(&base, &attending_page, &[("answer", "attending"), ("companions", "1")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("空きが足りません"));
        // A capacity below the places taken is refused.
        let mut smaller = good.clone();
        smaller.iter_mut().find(|(k, _)| *k == "capacity").unwrap().1 = "20".into();
        let smaller_ref: Vec<(&str, &str)> = smaller.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = app.post(&hr, &format!("{event_path}/edit"), &event_path, &smaller_ref).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("すでに30席が埋まっています"));

        // Confirmations went out with the calendar file.
        deliver_outbox(&app, &smtp).await;
        let confirmations: Vec<Received> = smtp.messages().into_iter().filter(|m| m.subject.contains("出席確認")).collect();
        assert_eq!(confirmations.len(), 30);
        let waitlisted_mail = smtp.messages().into_iter().filter(|m| m.subject.contains("キャンセル待ち")).count();
        assert_eq!(waitlisted_mail, 1);

        // A cancellation offers the place to the one waiting, who takes it.
        let r = reply(&base, &attending_page, &[("answer", "declined")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let w = store::rsvp(&app.db, &scope, waiting.id).await.unwrap();
        assert_eq!(w.state, RsvpState::Offered);
        assert!(w.offer_expires_at.unwrap() > Utc::now() + Duration::hours(47));
        deliver_outbox(&app, &smtp).await;
        assert!(smtp.messages().iter().any(|m| m.subject.contains("空席のご案内") && m.to.contains(w.email.as_deref().unwrap())));
        let (_, html) = app.get(&browser(), &waiting_page).await;
        assert!(html.contains("お席が空きました"), "{html}");
        // (Her news again: whoever waited — 𠮷田 too, one time in 31 — stays in the しおり.)
        let r = reply(&base, &waiting_page, &[("answer", "attending"), ("news", "元気です。"), ("news_consent", "on")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let counts = store::counts(&app.db, &scope, event).await.unwrap();
        assert_eq!((counts.attending, counts.waitlisted, counts.places), (30, 0, 30));

        // The calendar file: UID, DTSTAMP, TZID with its VTIMEZONE, an alarm the day before, CRLF, ≤ 75 octets.
        let first_ics = confirmations[0].ics.clone();
        assert!(!first_ics.is_empty(), "the confirmation carries the .ics");
        // A change of time: the updated file, same UID, higher SEQUENCE.
        let mut later = good.clone();
        later.iter_mut().find(|(k, _)| *k == "starts_at").unwrap().1 = local(start + Duration::hours(1));
        later.iter_mut().find(|(k, _)| *k == "ends_at").unwrap().1 = local(start + Duration::hours(4));
        let later_ref: Vec<(&str, &str)> = later.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = app.post(&hr, &format!("{event_path}/edit"), &event_path, &later_ref).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        deliver_outbox(&app, &smtp).await;
        let updates: Vec<Received> = smtp.messages().into_iter().filter(|m| m.subject.contains("変更のお知らせ")).collect();
        assert_eq!(updates.len(), 30, "everyone holding a place");
        let v = read_files(&[&first_ics, &updates[0].ics], None);
        let (a, b) = (&v["ics"][0], &v["ics"][1]);
        assert_eq!(a["method"], "PUBLISH");
        assert_eq!(a["uid"], format!("{event}@kaeru"));
        assert_eq!(b["uid"], a["uid"], "the same UID after a change");
        assert!(b["sequence"].as_i64().unwrap() > a["sequence"].as_i64().unwrap());
        assert_eq!(a["dtstart_tzid"], "Asia/Tokyo");
        assert_eq!(a["vtimezones"], serde_json::json!(["Asia/Tokyo"]));
        assert!(a["dtstamp"].as_str().unwrap().starts_with(&Utc::now().format("%Y-").to_string()));
        assert_eq!(a["alarms"], serde_json::json!(["-P1D"]));
        assert!(a["crlf_only"].as_bool().unwrap() && a["longest_line"].as_i64().unwrap() <= 75);
        let hour = |v: &serde_json::Value| v["dtstart"].as_str().unwrap()[11..13].to_string();
        assert_ne!(hour(a), hour(b), "the new start");
        // The person's own page offers the same file.
        let r = reqwest::get(format!("{}{}/event.ics", app.base, attending_page)).await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.text().await.unwrap().contains(&format!("UID:{event}@kaeru")));

        // The door (phone): check-in by QR link; the code used again is refused, with when.
        let taker = store::rsvp(&app.db, &scope, waiting.id).await.unwrap();
        let person = taker.person.unwrap();
        let before = kaeru_store::touchpoints::warmth_of(&app.db, &scope, person, chrono::Utc::now().date_naive()).await.unwrap();
        let scan = format!("/events/{event}/checkin/{}", taker.checkin_code);
        let (status, html) = app.get(&hr, &scan).await;
        assert_eq!(status, StatusCode::OK, "{html}");
        assert!(html.contains(&taker.name) && html.contains("受付する"));
        let r = app.post(&hr, &scan, &scan, &[]).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.text().await.unwrap().contains("受付しました"));
        let (status, html) = app.get(&hr, &scan).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert!(html.contains("受付済みです"), "{html}");
        let r = app.post(&hr, &scan, &scan, &[]).await;
        assert!(r.text().await.unwrap().contains("受付済みです"), "a reused code is refused");
        let after = kaeru_store::touchpoints::warmth_of(&app.db, &scope, person, chrono::Utc::now().date_naive()).await.unwrap();
        // The event page names those coming who had gone cold; she was just met, so she is not among them.
        let (_, html) = app.get(&hr, &event_path).await;
        let talk = &html[html.find("id=\"talk-to\"").expect("a talk-to list")..];
        let talk = &talk[..talk.find("</ul>").unwrap()];
        assert!(talk.contains("しばらく疎遠でした") && !talk.contains(&format!(">{}<", taker.name)), "{talk}");
        assert!(!talk.contains(&format!(">{}<", decliner.name)), "not those who gave up their place");
        // A segment of those who came to an event this year finds her (and only her, so far).
        let came = kaeru_domain::announcement::SegmentFilter { attended_from: Some(chrono::Datelike::year(&Utc::now())), ..Default::default() };
        let audience = kaeru_store::segments::evaluate(&app.db, &scope, &came, "events", kaeru_domain::ChannelPolicy::Auto, false, Utc::now().date_naive()).await.unwrap();
        assert_eq!(audience.matched, 1);
        assert_eq!(audience.recipients[0].person, person);
        // Her page lists the event with her check-in.
        let (_, html) = app.get(&hr, &format!("/people/{person}")).await;
        let listed = &html[html.find("id=\"person-events\"").expect("the person's events")..];
        assert!(listed[..listed.find("</ul>").unwrap()].contains("OB・OG会 2027") && listed.contains("受付済み"));
        // 会計: her 会費 recorded.
        let r = app.post(&hr, &event_path, &format!("{event_path}/rsvps/{}/paid", taker.id), &[("amount", "５,０００")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(store::rsvp(&app.db, &scope, taker.id).await.unwrap().paid, 5000);
        assert!(after.score > before.score, "attendance warms: {before:?} → {after:?}");
        let tps = kaeru_store::touchpoints::for_person(&app.db, &scope, person).await.unwrap();
        assert!(tps.iter().any(|t| t.channel == kaeru_domain::touchpoint::Channel::Event && t.note.as_deref() == Some("OB・OG会 2027")));
        // By reading, one tap from the list.
        let (status, html) = app.get(&hr, &format!("/events/{event}/door?q=%E3%81%8B%E3%81%B9")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("受付する"), "{html}");
        // Another event's code, typed at this event's door.
        let other = kaeru_app::events::save(&app.db, &scope, &Actor::system("t"), &mail, None, &kaeru_domain::event::EventInput { title: "工場見学".into(), starts_at: local(start), ends_at: local(start + Duration::hours(2)), place: "本社工場".into(), ..Default::default() }).await.unwrap();
        let none = |_: &store::Event, _: &store::Rsvp, _: Notice| None;
        store::set_status(&app.db, &scope, &Actor::system("t"), other.id, kaeru_domain::event::EventStatus::Published, None, &none).await.unwrap().unwrap();
        let visitor = store::rsvp_for(&app.db, &scope, other.id, people[3], true).await.unwrap().unwrap();
        let door = format!("/events/{event}/door");
        let r = app.post(&hr, &door, &format!("/events/{event}/checkin"), &[("code", &visitor.checkin_code)]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("別のイベント「工場見学」"));
        // A code with a NUL byte (PostgreSQL refuses it in text) is an unknown code, not a server error.
        let r = app.post(&hr, &door, &format!("/events/{event}/checkin"), &[("code", "\u{0}\u{a9}6?")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let (status, _) = app.get(&hr, &format!("/events/{event}/checkin/a%00b")).await;
        assert!(status.is_client_error() || status == StatusCode::OK, "{status}");

        // The しおり: news of those attending who agreed, in 五十音順, read by pdftotext.
        let r = hr.get(format!("{}{event_path}/booklet.pdf", app.base)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let text = pdf_text(&r.bytes().await.unwrap());
        assert!(text.contains("OB・OG会 2027") && text.contains("元気です。"), "{text}");
        assert!(text.contains("𠮷田"), "a rare character prints: {text}");
        let a_at = text.find("あべ").unwrap();
        let ka_at = text.find("かべ").unwrap();
        assert!(a_at < ka_at, "五十音順");
        // The attendee list, read by openpyxl.
        let r = hr.get(format!("{}{event_path}/attendees.xlsx", app.base)).send().await.unwrap();
        let v = read_files(&[], Some(&r.bytes().await.unwrap()));
        let rows = v["xlsx"].as_array().unwrap();
        assert_eq!(rows[0][1], "ふりがな");
        assert_eq!(rows.len(), 31, "header and 30 attending");
        assert!(rows[1][1].as_str().unwrap().starts_with("あ"));

        // Cancelled: everyone coming gets the cancelled file, same UID, higher SEQUENCE; replies refused.
        let r = app.post(&hr, &event_path, &format!("{event_path}/status"), &[("to", "cancelled"), ("reason", "台風のため")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        deliver_outbox(&app, &smtp).await;
        let cancels: Vec<Received> = smtp.messages().into_iter().filter(|m| m.subject.contains("中止のお知らせ")).collect();
        assert_eq!(cancels.len(), 30);
        assert!(cancels[0].body.contains("台風のため"));
        let v = read_files(&[&updates[0].ics, &cancels[0].ics], None);
        assert_eq!(v["ics"][1]["status"], "CANCELLED");
        assert_eq!(v["ics"][1]["uid"], v["ics"][0]["uid"]);
        assert!(v["ics"][1]["sequence"].as_i64() > v["ics"][0]["sequence"].as_i64());
        let (_, html) = app.get(&browser(), &waiting_page).await;
        assert!(html.contains("中止になりました") && !html.contains("rsvp-submit"), "a cancelled event shows no form");
        let r = reply(&base, &waiting_page, &[("answer", "declined")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("中止になりました"));
    }
);

db_test!(
    async fn an_offer_not_taken_in_time_moves_on_and_reminders_go_once(target) {
        let app = spawn_app(target).await;
        let hr = browser();
        app.setup(&hr, "sakura", "shacho@example.jp").await;
        let company = kaeru_store::companies::all(&app.db).await.unwrap()[0].id;
        let scope = Scope::for_company(company);
        let delivery = kaeru_app::announcements::Delivery { line_api: String::new(), public_url: app.base.clone() };
        let mail = kaeru_app::events::Mail::load(&app.db, &scope, &delivery).await.unwrap();
        let actor = Actor::system("t");
        let start = Utc::now() + Duration::days(20);
        let e = kaeru_app::events::save(&app.db, &scope, &actor, &mail, None, &kaeru_domain::event::EventInput {
            title: "勉強会".into(), starts_at: local(start), ends_at: local(start + Duration::hours(2)),
            place: "本社".into(), capacity: "1".into(), reply_by: local(start - Duration::days(5)), ..Default::default()
        }).await.unwrap();
        kaeru_app::events::set_status(&app.db, &scope, &actor, &mail, e.id, kaeru_domain::event::EventStatus::Published, "").await.unwrap();
        let mut ids = Vec::new();
        for (i, (n, k)) in [("青木", "あおき"), ("井上", "いのうえ"), ("上田", "うえだ"), ("江藤", "えとう")].iter().enumerate() {
            let path = app.create_person(&hr, n, k, &format!("r{i}@example.jp")).await;
            let id = PersonId(path.trim_start_matches("/people/").parse().unwrap());
            if i != 3 {
                consent_to(&app, &scope, id, "events").await;
            }
            ids.push(store::rsvp_for(&app.db, &scope, e.id, id, true).await.unwrap().unwrap().id);
        }
        let yes = kaeru_domain::event::RsvpInput { answer: "attending".into(), ..Default::default() };
        let no = kaeru_domain::event::RsvpInput { answer: "declined".into(), ..Default::default() };
        let today = Utc::now().date_naive();
        for id in &ids[..3] {
            kaeru_app::events::reply(&app.db, &scope, &actor, &mail, *id, &yes, today).await.unwrap();
        }
        let state = |id| { let db = app.db.clone(); async move { store::rsvp(&db, &scope, id).await.unwrap().state } };
        assert_eq!(state(ids[0]).await, RsvpState::Attending);
        assert_eq!(state(ids[1]).await, RsvpState::Waitlisted);
        assert_eq!(state(ids[2]).await, RsvpState::Waitlisted);
        kaeru_app::events::reply(&app.db, &scope, &actor, &mail, ids[0], &no, today).await.unwrap();
        assert_eq!(state(ids[1]).await, RsvpState::Offered);
        // Not taken within 48 hours: it lapses and the next is offered the place.
        let (lapsed, _) = kaeru_app::events::run_due(&app.db, &delivery, Utc::now() + Duration::hours(47)).await.unwrap();
        assert_eq!(lapsed, 0);
        let (lapsed, _) = kaeru_app::events::run_due(&app.db, &delivery, Utc::now() + Duration::hours(49)).await.unwrap();
        assert_eq!(lapsed, 1);
        assert_eq!(state(ids[1]).await, RsvpState::Lapsed);
        assert_eq!(state(ids[2]).await, RsvpState::Offered);
        let queued = outbox::list(&app.db, &scope, None, 1).await.unwrap();
        assert!(queued.items.iter().any(|m| m.kind == "event_lapsed" && m.to == "r1@example.jp"));
        assert!(queued.items.iter().any(|m| m.kind == "event_offered" && m.to == "r2@example.jp"));
        // The offered place is taken after the deadline (allowed until the offer's limit).
        kaeru_app::events::reply(&app.db, &scope, &actor, &mail, ids[2], &yes, today).await.unwrap();
        assert_eq!(state(ids[2]).await, RsvpState::Attending);

        // Reminders: the nudge once before the deadline, only with consent; a week before and the day before.
        let count = |kind: &'static str| { let db = app.db.clone(); async move { outbox::list(&db, &scope, None, 1).await.unwrap().items.iter().filter(|m| m.kind == kind).count() } };
        let (_, n) = kaeru_app::events::run_due(&app.db, &delivery, start - Duration::days(7)).await.unwrap();
        assert_eq!(n, 1, "the week reminder to the one attending (nudge not yet due: deadline 5 days before)");
        let (_, n) = kaeru_app::events::run_due(&app.db, &delivery, start - Duration::days(6)).await.unwrap();
        assert_eq!(n, 0, "nothing twice; {} nudges", count("event_nudge").await);
        // ids[3] (江藤) never consented: invited, no reply, no nudge. Reset to test the nudge window.
        let (_, _) = kaeru_app::events::run_due(&app.db, &delivery, start - Duration::hours(20)).await.unwrap();
        assert_eq!(count("event_reminder_week").await, 1);
        assert_eq!(count("event_reminder_day").await, 1);
        assert_eq!(count("event_nudge").await, 0, "the only one without a reply has no consent");

        // A reply taken by phone: HR records it on the event page under the same rules (companions refused).
        let page = format!("/events/{}", e.id);
        let r = app.post(&hr, &page, &format!("{page}/rsvps/{}/reply", ids[3]), &[("answer", "attending"), ("companions", "1")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("同伴者なし"));
        let r = app.post(&hr, &page, &format!("{page}/rsvps/{}/reply", ids[3]), &[("answer", "undecided")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(state(ids[3]).await, RsvpState::Undecided);
        let other_event = format!("/events/{}/rsvps/{}/reply", EventId::new(), ids[3]);
        let r = app.post(&hr, &page, &other_event, &[("answer", "declined")]).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "a reply is recorded only under its own event");
        // 名簿 kept current: new contacts only with the person's confirmation, checked like the forms.
        let moving = kaeru_domain::event::RsvpInput { answer: "declined".into(), email: "new-aoki@example.jp".into(), employer: "株式会社つばめ".into(), ..Default::default() };
        kaeru_app::events::reply(&app.db, &scope, &actor, &mail, ids[0], &moving, today).await.unwrap();
        let aoki = store::rsvp(&app.db, &scope, ids[0]).await.unwrap();
        assert_eq!(aoki.email.as_deref(), Some("r0@example.jp"), "not without the box ticked");
        let taken = kaeru_domain::event::RsvpInput { update_contacts: "on".into(), email: "r1@example.jp".into(), ..moving.clone() };
        match kaeru_app::events::reply(&app.db, &scope, &actor, &mail, ids[0], &taken, today).await {
            Err(kaeru_app::Failure::Invalid(e)) => assert!(e.get("email").is_some()),
            other => panic!("another person's address is refused: {other:?}"),
        }
        let confirmed = kaeru_domain::event::RsvpInput { update_contacts: "on".into(), ..moving };
        kaeru_app::events::reply(&app.db, &scope, &actor, &mail, ids[0], &confirmed, today).await.unwrap();
        let aoki = store::rsvp(&app.db, &scope, ids[0]).await.unwrap();
        assert_eq!(aoki.email.as_deref(), Some("new-aoki@example.jp"));
        let person = aoki.person.unwrap();
        let work = kaeru_store::careers::current_for(&app.db, &scope, &[person]).await.unwrap();
        assert_eq!(work[&person].employer, "株式会社つばめ");

        // Past the deadline a reply is refused; the door still takes walk-ins, from the roster and by name.
        let mut input = kaeru_domain::event::EventInput { title: "勉強会".into(), starts_at: local(start), ends_at: local(start + Duration::hours(2)), place: "本社".into(), capacity: "1".into(), reply_by: local(Utc::now() - Duration::hours(1)), ..Default::default() };
        kaeru_app::events::save(&app.db, &scope, &actor, &mail, Some(e.id), &input).await.unwrap();
        match kaeru_app::events::reply(&app.db, &scope, &actor, &mail, ids[3], &yes, today).await {
            Err(kaeru_app::Failure::Refused(why)) => assert_eq!(why.key, "error.event_deadline_passed"),
            other => panic!("a reply after the deadline is refused: {other:?}"),
        }
        let r = kaeru_app::events::walk_in(&app.db, &scope, &actor, e.id, &kaeru_domain::event::WalkInInput { person: aoki.person.unwrap().to_string(), ..Default::default() }, today).await.unwrap();
        assert!(r.walk_in && r.checked_in_at.is_some(), "a known person received at the door");
        let g = kaeru_app::events::walk_in(&app.db, &scope, &actor, e.id, &kaeru_domain::event::WalkInInput { name: "山本 花子".into(), reading: "やまもと はなこ".into(), ..Default::default() }, today).await.unwrap();
        assert_eq!((g.person, g.name.as_str()), (None, "山本 花子"));
        match kaeru_app::events::walk_in(&app.db, &scope, &actor, e.id, &kaeru_domain::event::WalkInInput { name: "同伴".into(), companions: "1".into(), ..Default::default() }, today).await {
            Err(kaeru_app::Failure::Refused(why)) => assert_eq!(why.key, "error.rsvp_no_companions"),
            other => panic!("companions when not allowed: {other:?}"),
        }
        // Not yet started: it cannot be marked held. Once started, those not received become no-shows.
        let held = kaeru_app::events::set_status(&app.db, &scope, &actor, &mail, e.id, kaeru_domain::event::EventStatus::Held, "").await;
        assert!(matches!(held, Err(kaeru_app::Failure::Refused(ref w)) if w.key == "error.event_not_started"), "{held:?}");
        input.starts_at = local(Utc::now() - Duration::hours(1));
        input.ends_at = local(Utc::now() + Duration::hours(1));
        input.reply_by = String::new();
        // The door took more than the capacity: lifting it is allowed, lowering below the places is not.
        input.capacity = String::new();
        kaeru_app::events::save(&app.db, &scope, &actor, &mail, Some(e.id), &input).await.unwrap();
        kaeru_app::events::set_status(&app.db, &scope, &actor, &mail, e.id, kaeru_domain::event::EventStatus::Held, "").await.unwrap();
        let c = store::counts(&app.db, &scope, e.id).await.unwrap();
        assert_eq!((c.walk_ins, c.no_shows, c.checked_in), (2, 1, 2), "{c:?}");
        // A held event takes no more changes.
        match kaeru_app::events::save(&app.db, &scope, &actor, &mail, Some(e.id), &input).await {
            Err(kaeru_app::Failure::Refused(why)) => assert_eq!(why.key, "error.event_final"),
            other => panic!("a held event is final: {other:?}"),
        }
    }
);
