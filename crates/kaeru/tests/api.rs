//! The JSON API on SQLite and PostgreSQL: tokens made and revoked in settings (the secret shown once and
//! stored only hashed), read and write scopes, one error shape in the caller's language, the same rules as
//! the forms (nothing half-written), pagination and filters, and no way into another company's data.

mod common;

use common::{browser, csrf_of, spawn_app};
use kaeru_store::db_test;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Makes a token on the settings page and returns its secret, read from the page that shows it once.
async fn make_token(app: &common::TestApp, c: &reqwest::Client, name: &str, scope: &str) -> String {
    let r = app
        .post(
            c,
            "/settings/api-tokens",
            "/settings/api-tokens",
            &[("name", name), ("scope", scope)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let page = r.text().await.unwrap();
    let at = page
        .find("value=\"kaeru_")
        .expect("the new secret on the page")
        + 7;
    page[at..at + 70].to_string()
}

struct Api<'a> {
    base: &'a str,
    token: String,
    http: reqwest::Client,
}

impl Api<'_> {
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut rq = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            rq = rq.json(&b);
        }
        let r = rq.send().await.unwrap();
        let status = r.status();
        let text = r.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }
    async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.send(reqwest::Method::GET, path, None).await
    }
    async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }
    async fn patch(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(reqwest::Method::PATCH, path, Some(body)).await
    }
}

fn fields(v: &Value) -> Vec<String> {
    v["error"]["fields"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| f["field"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

db_test!(
    async fn tokens_scopes_rules_and_companies_hold_over_the_api(target) {
        let app = spawn_app(target).await;
        let c = browser();
        app.setup(&c, "sakura", "shacho@example.jp").await;
        let http = reqwest::Client::new();

        // The settings page: a token needs a name; the form keeps what was typed.
        let r = app
            .post(&c, "/settings/api-tokens", "/settings/api-tokens", &[("name", ""), ("scope", "write")])
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("入力してください"));
        let read = make_token(&app, &c, "月次レポート", "read").await;
        let write = make_token(&app, &c, "SmartHR連携", "write").await;
        let (_, list) = app.get(&c, "/settings/api-tokens").await;
        assert!(list.contains("月次レポート") && list.contains("SmartHR連携"));
        assert!(list.contains(&format!("kaeru_…{}", &write[write.len() - 4..])));
        assert!(!list.contains(&write), "the secret is shown only once");
        // Stored only as a hash: the secret is in no column of any table.
        assert!(kaeru_store::testing::traces(&app.db, &write[6..]).await.is_empty());

        let reader = Api { base: &app.base, token: read.clone(), http: http.clone() };
        let api = Api { base: &app.base, token: write.clone(), http: http.clone() };

        // No token, or a wrong one: 401 in the one error shape.
        let r = http.get(format!("{}/api/v1/people", app.base)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(r.headers()["www-authenticate"], "Bearer realm=\"kaeru\"");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], "unauthorized");
        let wrong = Api { base: &app.base, token: format!("kaeru_{}", "0".repeat(64)), http: http.clone() };
        assert_eq!(wrong.get("/api/v1/people").await.0, StatusCode::UNAUTHORIZED);

        // A read token reads and may not write; nothing is written.
        let (s, v) = reader.post("/api/v1/people", json!({"family_name": "山田"})).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        assert_eq!(v["error"]["code"], "read_only_token");
        assert_eq!(reader.get("/api/v1/people").await.1["total"], 0);

        // The form's rules, every refused field named, in the language asked for; nothing written.
        let bad = json!({"family_name": "山田", "given_name": "花子", "family_kana": "yamada", "given_kana": "はなこ", "emails": ["not-an-address"], "birth_date": "2020-02-30"});
        let (s, v) = api.post("/api/v1/people", bad.clone()).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(v["error"]["code"], "invalid");
        let mut f = fields(&v);
        f.sort();
        assert_eq!(f, ["birth_date", "emails", "family_kana"]);
        assert!(v["error"]["message"].as_str().unwrap().contains("何も保存していません"));
        let r = http
            .post(format!("{}/api/v1/people", app.base))
            .bearer_auth(&write)
            .header("accept-language", "en-US,en;q=0.9")
            .json(&bad)
            .send()
            .await
            .unwrap();
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["error"]["message"], "Some values are not valid. Nothing was saved.");
        assert_eq!(reader.get("/api/v1/people").await.1["total"], 0);

        // Broken JSON, an unknown field, no JSON content type: 4xx in the same shape.
        let r = http.post(format!("{}/api/v1/people", app.base)).bearer_auth(&write)
            .header("content-type", "application/json").body("{\"family_name\": ").send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "bad_request");
        let (s, _) = api.post("/api/v1/people", json!({"nickname": "x"})).await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        let r = http.post(format!("{}/api/v1/people", app.base)).bearer_auth(&write).body("x").send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);

        // A person, with an employee number typed full width.
        let (s, p) = api
            .post("/api/v1/people", json!({"employee_number": "ＥＭ－００１", "family_name": "山田", "given_name": "花子", "family_kana": "やまだ", "given_kana": "はなこ", "emails": ["hanako@example.jp"], "prefecture": "静岡県"}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{p}");
        assert_eq!(p["employee_number"], "EM-001");
        assert_eq!(p["status"], "unregistered", "no stint yet");
        let pid = p["id"].as_str().unwrap().to_string();
        // The same address or number again is refused by name.
        let (s, v) = api
            .post("/api/v1/people", json!({"employee_number": "EM-001", "family_name": "佐藤", "given_name": "一郎", "family_kana": "さとう", "given_kana": "いちろう", "emails": ["hanako@example.jp"]}))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&v), ["emails"]);
        let (s, b) = api
            .post("/api/v1/people", json!({"family_name": "佐藤", "given_name": "一郎", "family_kana": "さとう", "given_kana": "いちろう"}))
            .await;
        assert_eq!(s, StatusCode::CREATED);
        let other = b["id"].as_str().unwrap().to_string();

        // Lists: 五十音順, pages, filters, and out-of-range parameters refused.
        let (_, page) = api.get("/api/v1/people?per_page=1&page=2").await;
        assert_eq!((page["total"].as_u64(), page["pages"].as_u64()), (Some(2), Some(2)));
        assert_eq!(page["items"][0]["family_name"], "山田", "さとう before やまだ");
        // Each person whole, addresses included, in a list page and in a search.
        assert_eq!(page["items"][0]["emails"], json!(["hanako@example.jp"]), "{page}");
        let (_, found) = api.get("/api/v1/people?q=%E3%81%AF%E3%81%AA%E3%81%93").await; // はなこ
        assert_eq!(found["items"][0]["emails"], json!(["hanako@example.jp"]), "{found}");
        let (_, found) = api.get("/api/v1/people?employee_number=em-001").await;
        assert_eq!(found["total"], 0, "numbers are matched as stored");
        let (_, found) = api.get("/api/v1/people?employee_number=%EF%BC%A5%EF%BC%AD-001").await;
        assert_eq!(found["items"][0]["id"].as_str(), Some(pid.as_str()));
        for bad in ["per_page=0", "per_page=201", "page=0", "status=boss"] {
            let (s, v) = api.get(&format!("/api/v1/people?{bad}")).await;
            assert_eq!(s, StatusCode::BAD_REQUEST, "{bad}");
            assert!(v["error"]["code"] == "bad_parameters" || v["error"]["code"] == "bad_request");
        }

        // A change touches only what is sent; an empty required field is refused.
        let (s, v) = api.patch(&format!("/api/v1/people/{pid}"), json!({"phone": "０９０－１１１１－２２２２"})).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!((v["phone"].as_str(), v["family_name"].as_str()), (Some("090-1111-2222"), Some("山田")));
        let (s, v) = api.patch(&format!("/api/v1/people/{pid}"), json!({"family_name": ""})).await;
        assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["family_name".to_string()]));
        let audit = kaeru_store::audit::for_person(&app.db, &kaeru_store::Scope::for_company(kaeru_store::companies::find_by_slug(&app.db, "sakura").await.unwrap().unwrap().id), kaeru_domain::PersonId(pid.parse().unwrap()), 10).await.unwrap();
        assert!(audit.iter().any(|e| e.actor_name == "API: SmartHR連携" && e.action == "person.update"));

        // Stints decide the status; overlaps are refused.
        let (s, st) = api.post(&format!("/api/v1/people/{pid}/stints"), json!({"start_date": "2018-04-01", "employment_type": "full_time", "department": "製造部"})).await;
        assert_eq!(s, StatusCode::CREATED, "{st}");
        let sid = st["id"].as_str().unwrap().to_string();
        assert_eq!(api.get(&format!("/api/v1/people/{pid}")).await.1["status"], "employee");
        let (s, v) = api.patch(&format!("/api/v1/stints/{sid}"), json!({"end_date": "2024-03-31", "leave_reason": "career_change", "rehire_eligibility": "welcome"})).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(api.get(&format!("/api/v1/people/{pid}")).await.1["status"], "alumnus");
        let (s, v) = api.post(&format!("/api/v1/people/{pid}/stints"), json!({"start_date": "2020-01-01", "employment_type": "part_time"})).await;
        assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["start_date".to_string()]));
        assert_eq!(api.get(&format!("/api/v1/people/{pid}/stints")).await.1.as_array().unwrap().len(), 1);

        // A draft offer; a second standing one is refused.
        let offer = json!({"valid_from": "2024-04-01", "valid_until": "2027-03-31", "terms": ["priority_interview", "salary_floor"], "salary_floor_yen": 4200000.0, "signer_name": "桜井 健一"});
        let (s, o) = api.post(&format!("/api/v1/people/{pid}/offers"), offer.clone()).await;
        assert_eq!(s, StatusCode::CREATED, "{o}");
        assert_eq!((o["status"].as_str(), o["salary_floor_yen"].as_i64()), (Some("draft"), Some(4_200_000)));
        let (s, _) = api.post(&format!("/api/v1/people/{pid}/offers"), offer).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(api.get("/api/v1/offers?status=draft").await.1["total"], 1);
        assert_eq!(api.get("/api/v1/offers?status=issued").await.1["total"], 0);

        // Skills and an opening, and who matches it.
        let (s, sk) = api.post("/api/v1/skills", json!({"name": "TIG溶接", "aliases": ["TIG"]})).await;
        assert_eq!(s, StatusCode::CREATED);
        let (s, v) = api.post("/api/v1/skills", json!({"name": "tig"})).await;
        assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["name".to_string()]));
        let skill = sk["id"].as_str().unwrap().to_string();
        let (s, op) = api.post("/api/v1/openings", json!({"title": "溶接工", "work_style": "full_time", "required": [{"skill_id": skill, "min_level": 2}]})).await;
        assert_eq!(s, StatusCode::CREATED, "{op}");
        assert_eq!(op["required"][0]["name"], "TIG溶接");
        let oid = op["id"].as_str().unwrap().to_string();
        let (s, v) = api.post("/api/v1/openings", json!({"title": "x", "work_style": "full_time", "required": [{"skill_id": "nope"}]})).await;
        assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["requirements".to_string()]));
        let (s, m) = api.get(&format!("/api/v1/openings/{oid}/matches")).await;
        assert_eq!(s, StatusCode::OK, "{m}");
        assert_eq!(m["no_skills"], false);
        assert_eq!(api.get(&format!("/api/v1/openings/{oid}/matches?limit=0")).await.0, StatusCode::BAD_REQUEST);
        let (s, v) = api.patch(&format!("/api/v1/openings/{oid}"), json!({"status": "closed"})).await;
        assert_eq!((s, v["status"].as_str()), (StatusCode::OK, Some("closed")));
        assert_eq!(api.get("/api/v1/openings?status=open").await.1["total"], 0);

        // Another company's token sees none of it and touches none of it.
        let (other_co, _) = kaeru_store::companies::create_with_owner(
            &app.db,
            &kaeru_domain::Slug::parse("hamana").unwrap(),
            &kaeru_domain::CompanySettings { name: "浜名工業".into(), time_zone: "Asia/Tokyo".into(), default_language: kaeru_domain::Language::En },
            kaeru_store::companies::NewOwner { email: "o@hamana.example".into(), display_name: "O".into(), password_hash: "x".into() },
        )
        .await
        .unwrap();
        let (_, secret) = kaeru_store::api_tokens::create(
            &app.db,
            &kaeru_store::Scope::for_company(other_co.id),
            &kaeru_store::Actor::system("test"),
            &kaeru_domain::TokenDraft { name: "x".into(), scope: kaeru_domain::TokenScope::Write },
        )
        .await
        .unwrap();
        let stranger = Api { base: &app.base, token: secret, http: http.clone() };
        assert_eq!(stranger.get("/api/v1/people").await.1["total"], 0);
        for path in [format!("/api/v1/people/{pid}"), format!("/api/v1/stints/{sid}"), format!("/api/v1/openings/{oid}/matches"), format!("/api/v1/skills/{skill}"), format!("/api/v1/people/{other}/offers")] {
            let (s, v) = stranger.get(&path).await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{path}");
            assert_eq!(v["error"]["message"], "Not found.", "the company's default language");
        }
        let (s, _) = stranger.patch(&format!("/api/v1/people/{pid}"), json!({"family_name": "盗"})).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, _) = stranger.send(reqwest::Method::DELETE, &format!("/api/v1/stints/{sid}"), None).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        assert_eq!(api.get(&format!("/api/v1/people/{pid}")).await.1["family_name"], "山田");

        // Removing a stint, then revoking the read token in settings: it is refused from then on.
        let (s, _) = api.send(reqwest::Method::DELETE, &format!("/api/v1/stints/{sid}"), None).await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        assert_eq!(api.get(&format!("/api/v1/stints/{sid}")).await.0, StatusCode::NOT_FOUND);
        let (_, page) = app.get(&c, "/settings/api-tokens").await;
        let at = page.find("/settings/api-tokens/").unwrap() + 21;
        let mut ids = Vec::new();
        let mut rest = &page[..];
        while let Some(i) = rest.find("action=\"/settings/api-tokens/") {
            let from = i + 29;
            ids.push(rest[from..from + 36].to_string());
            rest = &rest[from..];
        }
        assert!(at > 0 && ids.len() == 2);
        // Newest first: the write token, then the read token.
        let token = csrf_of(&page);
        let r = c.post(format!("{}/settings/api-tokens/{}/revoke", app.base, ids[1])).form(&[("_csrf", token.as_str())]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(reader.get("/api/v1/people").await.0, StatusCode::UNAUTHORIZED);
        assert_eq!(api.get("/api/v1/people").await.0, StatusCode::OK);
        let (_, page) = app.get(&c, "/settings/api-tokens").await;
        assert!(page.contains("失効"));

        // Unknown routes and methods answer in the same shape.
        let (s, v) = api.get("/api/v1/nothing-here").await;
        assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
        let (s, v) = api.send(reqwest::Method::PUT, "/api/v1/people", None).await;
        assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::METHOD_NOT_ALLOWED, Some("method_not_allowed")));
    }
);

db_test!(
    async fn the_openapi_description_is_generated_from_the_handlers(target) {
        let app = spawn_app(target).await;
        let r = reqwest::get(format!("{}/api/openapi.json", app.base)).await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.headers().get("set-cookie").is_none(), "no cookies for the API");
        let doc: Value = r.json().await.unwrap();
        assert_eq!(doc["openapi"], "3.1.0");
        for path in ["/api/v1/people", "/api/v1/people/{id}", "/api/v1/people/{id}/stints", "/api/v1/stints/{id}", "/api/v1/offers", "/api/v1/skills", "/api/v1/openings/{id}/matches", "/api/v1/ventures", "/api/v1/ventures/{id}/support", "/api/v1/side-jobs", "/api/v1/side-jobs/{id}/decision", "/api/v1/contracts", "/api/v1/people/{id}/contracts", "/api/v1/people/{id}/touchpoints", "/api/v1/people/{id}/contributions", "/api/v1/offers/{id}/issue", "/api/v1/offers/{id}/withdraw", "/api/v1/offers/{id}/exercise"] {
            assert!(doc["paths"][path].is_object(), "{path}");
        }
        assert!(doc["components"]["schemas"]["ApiErrorBody"].is_object());
        assert_eq!(doc["components"]["securitySchemes"]["token"]["scheme"], "bearer");
        assert!(doc["paths"]["/api/v1/people"]["post"]["responses"]["422"].is_object());
        let params = doc["paths"]["/api/v1/people"]["get"]["parameters"].as_array().unwrap();
        assert!(params.iter().any(|p| p["name"] == "q"), "people search with q");
    }
);

db_test!(
    async fn the_api_reaches_contacts_contracts_ventures_side_jobs_offers_and_search(target) {
        let app = spawn_app(target).await;
        let c = browser();
        app.setup(&c, "sakura", "shacho@example.jp").await;
        let http = reqwest::Client::new();
        let api = Api { base: &app.base, token: make_token(&app, &c, "連携", "write").await, http: http.clone() };

        // An alumnus, an employee, and a third person for the search.
        let person = |f: &str, g: &str, fk: &str, gk: &str| json!({"family_name": f, "given_name": g, "family_kana": fk, "given_kana": gk});
        let (s, a) = api.post("/api/v1/people", person("山田", "花子", "やまだ", "はなこ")).await;
        assert_eq!(s, StatusCode::CREATED, "{a}");
        let alum = a["id"].as_str().unwrap().to_string();
        api.post(&format!("/api/v1/people/{alum}/stints"), json!({"start_date": "2015-04-01", "end_date": "2023-03-31", "employment_type": "full_time", "leave_reason": "started_business"})).await;
        let (_, e) = api.post("/api/v1/people", person("𠮷田", "一郎", "よしだ", "いちろう")).await;
        let emp = e["id"].as_str().unwrap().to_string();
        api.post(&format!("/api/v1/people/{emp}/stints"), json!({"start_date": "2019-04-01", "employment_type": "full_time"})).await;
        api.post("/api/v1/people", person("山本", "次郎", "やまもと", "じろう")).await;

        // Search as on the search page: kana in any script finds kanji; the true total; 𠮷 is found.
        let (s, v) = api.get("/api/v1/people?q=%E3%83%A4%E3%83%9E").await; // ヤマ
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["total"], 2);
        let (_, v) = api.get("/api/v1/people?q=%E3%82%84%E3%81%BE&per_page=1&page=2").await;
        assert_eq!((v["total"].as_u64(), v["items"].as_array().unwrap().len(), v["pages"].as_u64()), (Some(2), 1, Some(2)));
        let (_, v) = api.get("/api/v1/people?q=%F0%A0%AE%B7%E7%94%B0").await; // 𠮷田
        assert_eq!(v["items"][0]["id"].as_str(), Some(emp.as_str()));
        let (s, v) = api.get(&format!("/api/v1/people?q={}", "あ".repeat(101))).await;
        assert_eq!((s, fields(&v)), (StatusCode::BAD_REQUEST, vec!["q".to_string()]));
        // With a status: only the alumna of the two やま… people; with a department: refused.
        let (s, v) = api.get("/api/v1/people?q=%E3%82%84%E3%81%BE&status=alumnus").await;
        assert_eq!((s, v["total"].as_u64()), (StatusCode::OK, Some(1)), "{v}");
        assert_eq!(v["items"][0]["id"].as_str(), Some(alum.as_str()));
        assert_eq!(api.get("/api/v1/people?q=%E3%82%84%E3%81%BE&department=x").await.0, StatusCode::BAD_REQUEST);

        // Contacts: the form's rules (not in the future), listed, removed.
        let (s, v) = api.post(&format!("/api/v1/people/{alum}/touchpoints"), json!({"channel": "line", "on": "2099-01-01"})).await;
        assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["on".to_string()]));
        let (s, t) = api.post(&format!("/api/v1/people/{alum}/touchpoints"), json!({"channel": "line", "note": "近況を聞いた"})).await;
        assert_eq!(s, StatusCode::CREATED, "{t}");
        assert_eq!(t["by"], "API: 連携");
        assert_eq!(api.get(&format!("/api/v1/people/{alum}/touchpoints")).await.1.as_array().unwrap().len(), 1);
        let tid = t["id"].as_str().unwrap();
        assert_eq!(api.send(reqwest::Method::DELETE, &format!("/api/v1/people/{alum}/touchpoints/{tid}"), None).await.0, StatusCode::NO_CONTENT);
        assert_eq!(api.send(reqwest::Method::DELETE, &format!("/api/v1/people/{alum}/touchpoints/{tid}"), None).await.0, StatusCode::NOT_FOUND);

        // Referrals and business.
        let (s, v) = api.post(&format!("/api/v1/people/{alum}/contributions"), json!({"kind": "referral"})).await;
        assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["candidate".to_string()]));
        let (s, v) = api.post(&format!("/api/v1/people/{alum}/contributions"), json!({"kind": "business", "client": "浜名精機", "amount_yen": 1200000})).await;
        assert_eq!((s, v["amount_yen"].as_i64()), (StatusCode::CREATED, Some(1_200_000)), "{v}");

        // 業務委託: at most five days a week across contracts; the person counts as 業務委託 while it runs.
        let contract = json!({"title": "品質管理の指導", "weekdays": ["mon", "tue", "wed"], "rate_kind": "day", "rate_yen": 30000, "start_date": "2026-01-05"});
        let (s, k) = api.post(&format!("/api/v1/people/{alum}/contracts"), contract.clone()).await;
        assert_eq!(s, StatusCode::CREATED, "{k}");
        assert_eq!(api.get(&format!("/api/v1/people/{alum}")).await.1["status"], "contractor");
        let (s, v) = api.post(&format!("/api/v1/people/{alum}/contracts"), contract).await;
        assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["weekdays".to_string()]));
        let kid = k["id"].as_str().unwrap();
        let (s, v) = api.patch(&format!("/api/v1/contracts/{kid}"), json!({"weekdays": ["thu", "fri"]})).await;
        assert_eq!((s, v["weekdays"].clone()), (StatusCode::OK, json!(["thu", "fri"])), "{v}");
        let (s, v) = api.post(&format!("/api/v1/contracts/{kid}/end"), json!({})).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert!(v["end_date"].is_string());
        assert_eq!(api.get("/api/v1/contracts").await.1["total"], 1);
        // Ended today, it still runs today; the filters page in the database.
        assert_eq!(api.get("/api/v1/contracts?status=active&day=thu").await.1["total"], 1);
        assert_eq!(api.get("/api/v1/contracts?status=ended").await.1["total"], 0);
        assert_eq!(api.get("/api/v1/contracts?day=mon").await.1["total"], 0);
        assert_eq!(api.get("/api/v1/contracts?page=2").await.1["items"], json!([]));
        assert_eq!(api.get("/api/v1/contracts?status=someday").await.0, StatusCode::BAD_REQUEST);

        // A venture, the support given and the business done.
        let (s, vn) = api.post(&format!("/api/v1/people/{alum}/ventures"), json!({"name": "ヤマダ・デジタル", "stage": "founded"})).await;
        assert_eq!(s, StatusCode::CREATED, "{vn}");
        let vid = vn["id"].as_str().unwrap().to_string();
        let (s, v) = api.post(&format!("/api/v1/ventures/{vid}/support"), json!({"kind": "funding"})).await;
        assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["amount_yen".to_string()]));
        let (s, sup) = api.post(&format!("/api/v1/ventures/{vid}/support"), json!({"kind": "funding", "amount_yen": 3000000})).await;
        assert_eq!(s, StatusCode::CREATED, "{sup}");
        let (s, v) = api.post(&format!("/api/v1/ventures/{vid}/deals"), json!({"relation": "client"})).await;
        assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["amount_yen".to_string()]));
        let (s, v) = api.post(&format!("/api/v1/ventures/{vid}/deals"), json!({"relation": "client", "amount_yen": 800000})).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        let (_, d) = api.get(&format!("/api/v1/ventures/{vid}")).await;
        assert_eq!((d["totals"]["funding_yen"].as_i64(), d["totals"]["received_yen"].as_i64()), (Some(3_000_000), Some(800_000)), "{d}");
        let (s, v) = api.patch(&format!("/api/v1/ventures/{vid}"), json!({"stage": "withdrawn"})).await;
        assert_eq!((s, v["stage"].as_str()), (StatusCode::OK, Some("withdrawn")));
        assert!(v["closed_on"].is_string());
        let eid = sup["id"].as_str().unwrap();
        assert_eq!(api.send(reqwest::Method::DELETE, &format!("/api/v1/ventures/{vid}/entries/{eid}"), None).await.0, StatusCode::NO_CONTENT);
        assert_eq!(api.get("/api/v1/ventures").await.1["total"], 1);

        // Side jobs: only the employed apply; one decision, with a reason for a rejection.
        let job = json!({"employer": "浜松ITスクール", "work": "週末のプログラミング講師", "hours_per_week": 6, "start_date": "2026-04-01", "end_date": "2027-03-31"});
        let (s, v) = api.post(&format!("/api/v1/people/{alum}/side-jobs"), job.clone()).await;
        assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["employer".to_string()]));
        let (s, j) = api.post(&format!("/api/v1/people/{emp}/side-jobs"), job).await;
        assert_eq!((s, j["status"].as_str()), (StatusCode::CREATED, Some("pending")), "{j}");
        let jid = j["id"].as_str().unwrap();
        let (s, v) = api.post(&format!("/api/v1/side-jobs/{jid}/decision"), json!({"decision": "reject"})).await;
        assert_eq!((s, fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["reason".to_string()]));
        let (s, v) = api.post(&format!("/api/v1/side-jobs/{jid}/decision"), json!({"decision": "approve"})).await;
        assert_eq!((s, v["status"].as_str()), (StatusCode::OK, Some("approved")), "{v}");
        let (s, v) = api.post(&format!("/api/v1/side-jobs/{jid}/decision"), json!({"decision": "reject", "reason": "x"})).await;
        assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("conflict")), "{v}");
        assert_eq!(api.get("/api/v1/side-jobs").await.1["total"], 1);

        // An offer's lifecycle: issue, not twice; withdraw; a withdrawn offer is not exercised.
        let (s, o) = api.post(&format!("/api/v1/people/{alum}/offers"), json!({"valid_from": "2026-04-01", "valid_until": "2029-03-31", "terms": ["priority_interview"], "signer_name": "桜井 健一"})).await;
        assert_eq!(s, StatusCode::CREATED, "{o}");
        let oid = o["id"].as_str().unwrap();
        let (s, v) = api.post(&format!("/api/v1/offers/{oid}/issue"), json!({})).await;
        assert_eq!((s, v["status"].as_str()), (StatusCode::OK, Some("issued")), "{v}");
        assert_eq!(api.post(&format!("/api/v1/offers/{oid}/issue"), json!({})).await.0, StatusCode::CONFLICT);
        let (s, v) = api.post(&format!("/api/v1/offers/{oid}/withdraw"), json!({"reason": "事業所の閉鎖"})).await;
        assert_eq!((s, v["status"].as_str(), v["status_reason"].as_str()), (StatusCode::OK, Some("withdrawn"), Some("事業所の閉鎖")), "{v}");
        assert_eq!(api.post(&format!("/api/v1/offers/{oid}/exercise"), json!({})).await.0, StatusCode::CONFLICT);

        // Another company reaches none of it.
        let (other_co, _) = kaeru_store::companies::create_with_owner(
            &app.db,
            &kaeru_domain::Slug::parse("hamana").unwrap(),
            &kaeru_domain::CompanySettings { name: "浜名工業".into(), time_zone: "Asia/Tokyo".into(), default_language: kaeru_domain::Language::Ja },
            kaeru_store::companies::NewOwner { email: "o@hamana.example".into(), display_name: "O".into(), password_hash: "x".into() },
        )
        .await
        .unwrap();
        let (_, secret) = kaeru_store::api_tokens::create(
            &app.db,
            &kaeru_store::Scope::for_company(other_co.id),
            &kaeru_store::Actor::system("test"),
            &kaeru_domain::TokenDraft { name: "x".into(), scope: kaeru_domain::TokenScope::Write },
        )
        .await
        .unwrap();
        let stranger = Api { base: &app.base, token: secret, http };
        assert_eq!(stranger.get("/api/v1/people?q=%E3%82%84%E3%81%BE").await.1["total"], 0);
        for path in [format!("/api/v1/people/{alum}/touchpoints"), format!("/api/v1/contracts/{kid}"), format!("/api/v1/ventures/{vid}"), format!("/api/v1/side-jobs/{jid}")] {
            assert_eq!(stranger.get(&path).await.0, StatusCode::NOT_FOUND, "{path}");
        }
        assert_eq!(stranger.post(&format!("/api/v1/offers/{oid}/exercise"), json!({})).await.0, StatusCode::NOT_FOUND);
        assert_eq!(stranger.post(&format!("/api/v1/people/{alum}/touchpoints"), json!({"channel": "line"})).await.0, StatusCode::NOT_FOUND);
        assert_eq!(stranger.get("/api/v1/ventures").await.1["total"], 0);
    }
);
