//! `kaeru move`: an install on SQLite (people with their stints, an offer, a staff member who signs in)
//! copied into an empty PostgreSQL database, every table counted equal; Kaeru then runs on PostgreSQL with the
//! same data and the same sign-in. A database that already holds a company is refused, and so is a move that
//! is not SQLite into PostgreSQL.

mod common;

use common::*;
use kaeru_store::testing::{Backend, Fresh};
use kaeru_store::transfer::{self, MoveError};
use reqwest::StatusCode;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_sqlite_install_moves_into_postgres_and_runs_there() {
    let sqlite = Fresh::new(Backend::Sqlite).await;
    let app = spawn_app(sqlite.target.clone()).await;
    let owner = browser();
    app.setup(&owner, "sakura", "shacho@example.jp").await;
    let person = app
        .create_person(&owner, "𠮷田", "よしだ", "yoshida@example.jp")
        .await;
    let r = app
        .post(
            &owner,
            &format!("{person}/stints/new"),
            &format!("{person}/stints"),
            &[
                ("start_date", "2015-04-01"),
                ("end_date", "2022-03-31"),
                ("employment_type", "full_time"),
                ("leave_reason", "career_change"),
                ("rehire_eligibility", "welcome"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    let pg = Fresh::new(Backend::Postgres).await;
    let into = kaeru::open_database(&pg.target).await.unwrap();
    // Not SQLite into PostgreSQL: refused.
    assert!(matches!(
        transfer::move_all(&into, &app.db, &|_, _, _| {}).await,
        Err(MoveError::Backends)
    ));
    let seen = std::sync::Mutex::new(Vec::new());
    let moved = transfer::move_all(&app.db, &into, &|t, done, total| {
        seen.lock().unwrap().push((t, done, total));
    })
    .await
    .unwrap();
    assert_eq!(moved.len(), 56);
    assert!(moved.iter().all(|m| m.source == m.target));
    assert_eq!(
        moved.iter().find(|m| m.table == "people").unwrap().target,
        1
    );
    assert_eq!(
        moved
            .iter()
            .find(|m| m.table == "employment_stints")
            .unwrap()
            .target,
        1
    );
    assert_eq!(
        seen.lock().unwrap().last(),
        Some(&("revision_changes", 56, 56))
    );
    // Again into the same database: refused, nothing doubled.
    assert!(matches!(
        transfer::move_all(&app.db, &into, &|_, _, _| {}).await,
        Err(MoveError::NotEmpty(1))
    ));

    // Kaeru on PostgreSQL: the same sign-in, the same person with her stint.
    drop(app);
    let moved_app = spawn_app(pg.target.clone()).await;
    let b = browser();
    let r = moved_app
        .post(
            &b,
            "/login",
            "/login",
            &[
                ("email", "shacho@example.jp"),
                ("password", "correct horse battery"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (s, html) = moved_app.get(&b, "/people").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("𠮷田"), "{html}");
    let (_, page) = moved_app.get(&b, &person).await;
    assert!(page.contains("2015/04/01"), "the stint came along");
}
