//! `kaeru backup` and `kaeru restore`: on SQLite a backup taken while people are being added is one consistent
//! snapshot (integrity ok, as many people as were committed when it began — no half-written person), restores
//! into an empty folder, refuses to overwrite a database unless told and then keeps the old one, and refuses a
//! file that is not a Kaeru database. On PostgreSQL it refuses and names pg_dump.

mod common;

use common::*;
use kaeru_domain::PersonInput;
use kaeru_store::backup::{self, BackupError};
use kaeru_store::{Actor, DatabaseTarget, Db, Scope, db_test, people};

db_test!(
    async fn a_backup_taken_during_writes_is_consistent_and_restores(target) {
        let is_sqlite = matches!(target, DatabaseTarget::Sqlite(_));
        let app = spawn_app(target).await;
        let owner = browser();
        app.setup(&owner, "sakura", "shacho@example.jp").await;
        let company = kaeru_store::companies::all(&app.db).await.unwrap()[0].id;
        let scope = Scope::for_company(company);
        let dir = std::env::temp_dir().join(format!("kaeru-backup-{}", uuid::Uuid::now_v7()));
        let out = dir.join("copy.db");
        if !is_sqlite {
            assert!(matches!(backup::backup(&app.db, &out).await, Err(BackupError::Postgres)));
            assert!(BackupError::Postgres.to_string().contains("pg_dump"));
            return;
        }
        let today = chrono::Utc::now().date_naive();
        let add = move |db: Db, n: usize| async move {
            let input = PersonInput { family_name: format!("山田{n}"), given_name: "太郎".into(), family_kana: "やまだ".into(), given_kana: "たろう".into(), emails: format!("p{n}@example.jp"), ..Default::default() };
            people::create(&db, &scope, &Actor::system("test"), &input.parse(today).unwrap()).await.unwrap();
        };
        for n in 0..50 {
            add(app.db.clone(), n).await;
        }
        // People keep being added while the backup runs.
        let writer = {
            let db = app.db.clone();
            tokio::spawn(async move {
                for n in 50..250 {
                    add(db.clone(), n).await;
                }
            })
        };
        let before = people::list(&app.db, &scope, &Default::default(), 1, 1).await.unwrap().total;
        let checked = backup::backup(&app.db, &out).await.unwrap();
        writer.await.unwrap();
        let after = people::list(&app.db, &scope, &Default::default(), 1, 1).await.unwrap().total;
        assert!(checked.people as u64 >= before && checked.people as u64 <= after, "{before} ≤ {} ≤ {after}", checked.people);
        assert_eq!(checked.companies, 1);

        // The copy opens on its own: every person in it has their e-mail (nothing half-written).
        let copy = Db::connect(&DatabaseTarget::Sqlite(out.clone())).await.unwrap();
        let listed = people::list(&copy, &scope, &Default::default(), 1, 500).await.unwrap();
        assert_eq!(listed.total, checked.people as u64);
        for row in &listed.items {
            let p = people::get(&copy, &scope, row.person.id).await.unwrap();
            assert_eq!(p.emails.len(), 1, "{} in the copy without their e-mail", p.family_name);
        }

        // A second backup to the same file is refused; a file that is not Kaeru's is refused.
        assert!(matches!(backup::backup(&app.db, &out).await, Err(BackupError::Exists(_))));
        let junk = dir.join("junk.db");
        std::fs::write(&junk, b"not a database at all").unwrap();
        assert!(matches!(backup::check(&junk).await, Err(BackupError::NotKaeru(..))));

        // Restore into an empty folder; again only with --replace, the old one kept.
        let target = dir.join("restored").join("kaeru.db");
        let r = backup::restore(&out, &target, false).await.unwrap();
        assert_eq!(r.people, checked.people);
        assert!(matches!(backup::restore(&out, &target, false).await, Err(BackupError::Exists(_))));
        backup::restore(&out, &target, true).await.unwrap();
        let kept: Vec<_> = std::fs::read_dir(dir.join("restored")).unwrap().filter_map(Result::ok).map(|e| e.file_name().to_string_lossy().to_string()).filter(|n| n.starts_with("kaeru.db.before-restore-")).collect();
        assert_eq!(kept.len(), 1, "{kept:?}");
        let restored = kaeru::open_database(&DatabaseTarget::Sqlite(target)).await.unwrap();
        assert_eq!(people::list(&restored, &scope, &Default::default(), 1, 1).await.unwrap().total, checked.people as u64);
        std::fs::remove_dir_all(&dir).ok();
    }
);
