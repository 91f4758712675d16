//! Helpers shared by the store's tests: a migrated database and a company to act for.

use kaeru_domain::{CompanySettings, Language, Slug};
use kaeru_store::{DatabaseTarget, Db, Scope, companies};

pub async fn open(target: DatabaseTarget) -> Db {
    let db = Db::connect(&target).await.expect("connect");
    db.migrate().await.expect("migrate");
    db
}

pub async fn company(db: &Db, slug: &str) -> Scope {
    let settings = CompanySettings {
        name: format!("{slug} 株式会社"),
        time_zone: "Asia/Tokyo".into(),
        default_language: Language::Ja,
    };
    let owner = companies::NewOwner {
        email: format!("owner@{slug}.example"),
        display_name: "社長".into(),
        password_hash: "x".into(),
    };
    let (c, _) = companies::create_with_owner(db, &Slug::parse(slug).unwrap(), &settings, owner)
        .await
        .expect("company");
    Scope::for_company(c.id)
}
