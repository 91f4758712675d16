//! `/metrics`: Prometheus's text format with requests by route pattern (never by raw path), the indexes'
//! patches and rebuilds, the outbox, the jobs and the pools; open to the machine itself, or only with the token
//! when one is configured. SQLite and PostgreSQL.

mod common;

use common::*;
use kaeru_store::db_test;
use reqwest::StatusCode;

/// Every line is a comment or `name{labels} value` with a number.
fn well_formed(text: &str) -> bool {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .all(|l| {
            let Some((series, value)) = l.rsplit_once(' ') else {
                return false;
            };
            let name = series.split('{').next().unwrap_or_default();
            !name.is_empty()
                && name.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                && (value.parse::<f64>().is_ok() || value == "+Inf")
                && (!series.contains('{') || series.ends_with('}'))
        })
}

db_test!(
    async fn metrics_count_requests_by_route_and_show_the_indexes(target) {
        let app = spawn_app(target).await;
        let hr = browser();
        app.setup(&hr, "sakura", "shacho@example.jp").await;
        let person = app.create_person(&hr, "𠮷田", "よしだ", "yoshida@example.jp").await;
        for _ in 0..3 {
            assert_eq!(app.get(&hr, "/people").await.0, StatusCode::OK);
        }
        assert_eq!(app.get(&hr, &person).await.0, StatusCode::OK);
        assert_eq!(app.get(&hr, "/search?q=%F0%A0%AE%B7").await.0, StatusCode::OK);
        // A note changed, then searched again: the index is patched, not rebuilt.
        let id = person.rsplit('/').next().unwrap();
        let company = kaeru_store::companies::all(&app.db).await.unwrap()[0].id;
        let scope = kaeru_store::Scope::for_company(company);
        let actor = kaeru_store::Actor::system("test");
        let today = chrono::Utc::now().date_naive();
        let input = kaeru_domain::PersonInput { family_name: "𠮷田".into(), given_name: "歩".into(), family_kana: "よしだ".into(), given_kana: "あゆみ".into(), emails: "yoshida@example.jp".into(), notes: "展示会で再会".into(), ..Default::default() };
        kaeru_app::people::save(&app.db, &scope, &actor, today, &input, Some(kaeru_domain::PersonId(id.parse().unwrap()))).await.unwrap();
        let (_, found) = app.get(&hr, "/search?q=%E5%B1%95%E7%A4%BA%E4%BC%9A").await;
        assert!(found.contains("𠮷田"), "the write is found at once");

        let (status, text) = app.get(&browser(), "/metrics").await;
        assert_eq!(status, StatusCode::OK, "from this machine, without a token");
        assert!(well_formed(&text), "{text}");
        assert!(text.contains("kaeru_http_requests_total{method=\"GET\",route=\"/people\",status=\"2xx\"} 3"), "{text}");
        assert!(text.contains("route=\"/people/{id}\""), "a person's page counts under its pattern");
        assert!(!text.contains(id), "no raw ids in the series");
        assert!(text.contains("kaeru_http_request_duration_seconds_bucket{method=\"GET\",route=\"/people\",le=\"+Inf\"} 3"));
        assert!(text.contains("kaeru_index_refreshes_total{index=\"search\",how=\"rebuild\"} 1"), "{text}");
        assert!(text.contains("kaeru_index_refreshes_total{index=\"search\",how=\"patch\"} 1"), "{text}");
        assert!(text.contains("kaeru_index_people{index=\"search\"} 1"));
        assert!(text.contains("kaeru_outbox_waiting "));
        assert!(text.contains("kaeru_jobs{state=\"all\"}"));
        assert!(text.contains("kaeru_db_connections{pool="));
        assert!(text.contains("kaeru_process_resident_memory_bytes "));
    }
);

db_test!(
    async fn with_a_token_metrics_answer_only_the_token(target) {
        let app = spawn_app_with(target, |c| c.metrics_token = Some("0123456789abcdef-metrics".into())).await;
        let c = browser();
        let url = format!("{}/metrics", app.base);
        assert_eq!(c.get(&url).send().await.unwrap().status(), StatusCode::FORBIDDEN);
        let wrong = c.get(&url).header("Authorization", "Bearer 0123456789abcdef-metricz").send().await.unwrap();
        assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
        let forged = c.get(&url).header("X-Forwarded-For", "127.0.0.1").send().await.unwrap();
        assert_eq!(forged.status(), StatusCode::FORBIDDEN);
        let right = c.get(&url).header("Authorization", "Bearer 0123456789abcdef-metrics").send().await.unwrap();
        assert_eq!(right.status(), StatusCode::OK);
        assert!(right.headers()["content-type"].to_str().unwrap().starts_with("text/plain; version=0.0.4"));
        assert!(well_formed(&right.text().await.unwrap()));
    }
);
