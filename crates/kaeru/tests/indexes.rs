//! The search and matching indexes of two nodes sharing one database: a write on node A is seen by the next
//! read on node B, which patches its index by the people the write touched (the revision log) instead of
//! rebuilding it; a node that missed the log rebuilds; writes racing with reads leave every node's index equal
//! to one built afresh. SQLite and PostgreSQL.

mod common;

use chrono::{Duration, Utc};
use common::*;
use kaeru_app::search::SearchCache;
use kaeru_domain::{
    MatchWeights, PersonId, PersonInput, PersonSkillDraft, SkillDraft, SkillId, SkillOrigin,
    SkillSource, WorkStyle,
};
use kaeru_search::{MatchIndex, MatchQuery, SearchIndex};
use kaeru_store::{Actor, Db, Scope, companies, db_test, openings, search_docs, skills};
use std::sync::atomic::Ordering;

fn input(family: &str, given: &str, family_kana: &str, notes: &str) -> PersonInput {
    PersonInput {
        family_name: family.into(),
        given_name: given.into(),
        family_kana: family_kana.into(),
        given_kana: "はなこ".into(),
        notes: notes.into(),
        ..Default::default()
    }
}

/// A reading for the number: two kana.
fn kana(i: usize) -> String {
    let k: Vec<char> = "あいうえおかきくけこ".chars().collect();
    format!("{}{}", k[i / 10 % 10], k[i % 10])
}

fn query(skill: SkillId, today: chrono::NaiveDate) -> MatchQuery {
    MatchQuery {
        skills: vec![(skill, true, 3)],
        work_style: WorkStyle::FullTime,
        days_per_week: None,
        weights: MatchWeights::default(),
        today,
        limit: 1_000,
    }
}

/// A running app with one company set up: its database, scope, a system actor and today.
async fn one_company(
    target: kaeru_store::DatabaseTarget,
) -> (TestApp, Db, Scope, Actor, chrono::NaiveDate) {
    let app = spawn_app(target).await;
    let hr = browser();
    app.setup(&hr, "sakura", "shacho@example.jp").await;
    let db = app.db.clone();
    let company = companies::all(&db).await.unwrap()[0].id;
    (
        app,
        db,
        Scope::for_company(company),
        Actor::system("test"),
        Utc::now().date_naive(),
    )
}

/// What node `node` answers for a query, and what an index built afresh from the database answers.
async fn search_both(
    node: &SearchCache,
    db: &Db,
    scope: &Scope,
    q: &str,
) -> (Vec<uuid::Uuid>, Vec<uuid::Uuid>) {
    let patched: Vec<uuid::Uuid> = node
        .index_for(db, scope)
        .await
        .unwrap()
        .read()
        .search(q, 20)
        .iter()
        .map(|h| h.id)
        .collect();
    let (_, docs) = search_docs::search_docs(db, scope).await.unwrap();
    let fresh = SearchIndex::build(docs)
        .search(q, 20)
        .iter()
        .map(|h| h.id)
        .collect();
    (patched, fresh)
}

/// Ranked ids and scores from node `node`'s matching index and from one built afresh, both sorted by score
/// then id (ties are ordered by reading, which a patch keeps as built).
async fn rank_both(
    node: &SearchCache,
    db: &Db,
    scope: &Scope,
    skill: SkillId,
    today: chrono::NaiveDate,
) -> (Vec<(u32, uuid::Uuid)>, Vec<(u32, uuid::Uuid)>) {
    let sorted = |r: kaeru_search::MatchResult| {
        let mut v: Vec<(u32, uuid::Uuid)> = r
            .ranked
            .iter()
            .chain(&r.excluded)
            .map(|m| ((m.score * 10.0) as u32, m.id))
            .collect();
        v.sort();
        v
    };
    let patched = sorted(
        node.match_index_for(db, scope, today)
            .await
            .unwrap()
            .read()
            .rank(&query(skill, today))
            .unwrap(),
    );
    let (_, docs) = openings::match_docs(db, scope, today).await.unwrap();
    let fresh = sorted(
        MatchIndex::build(docs, today)
            .rank(&query(skill, today))
            .unwrap(),
    );
    (patched, fresh)
}

db_test!(
    async fn a_write_on_one_node_is_patched_into_the_indexes_of_another(target) {
        let (_app, db, scope, actor, today) = one_company(target).await;
        let dm = skills::create(&db, &scope, &actor, &SkillDraft { name: "デジタルマーケティング".into(), category: None, aliases: vec!["Web集客".into()], description: None }).await.unwrap();
        let held = |level| PersonSkillDraft { skill_id: dm.id, level, origin: SkillOrigin::AfterLeaving, source: SkillSource::Hr, assessed_on: today - Duration::days(30), note: None };
        // Forty people, every other one a former employee holding the skill.
        let mut people = Vec::new();
        for i in 0..40 {
            let p = kaeru_app::people::save(&db, &scope, &actor, today, &input(&format!("山田{i:02}"), "花子", &format!("やまだ{}", kana(i)), ""), None).await.unwrap();
            if i % 2 == 0 {
                kaeru_store::stints::create(&db, &scope, &actor, p.id, &kaeru_domain::StintInput { start_date: "2015-04-01".into(), end_date: "2022-03-31".into(), employment_type: "full_time".into(), rehire_eligibility: "welcome".into(), ..Default::default() }.parse(&[]).unwrap(), today).await.unwrap();
                skills::set_for_person(&db, &scope, &actor, p.id, &held(3)).await.unwrap();
            }
            people.push(p.id);
        }
        let (node_a, node_b) = (SearchCache::default(), SearchCache::default());
        let (patched, fresh) = search_both(&node_b, &db, &scope, "山田").await;
        assert_eq!(patched, fresh);
        assert_eq!(patched.len(), 20);
        let (patched, fresh) = rank_both(&node_b, &db, &scope, dm.id, today).await;
        assert_eq!(patched.len(), 20);
        assert_eq!(patched, fresh);
        assert_eq!(node_b.counts.search_rebuilds.load(Ordering::Relaxed), 1);
        assert_eq!(node_b.counts.match_rebuilds.load(Ordering::Relaxed), 1);
        node_a.index_for(&db, &scope).await.unwrap();

        // Node A: a note changed, someone new with a rare character, a former employee erased.
        kaeru_app::people::save(&db, &scope, &actor, today, &input("山田05", "花子", &format!("やまだ{}", kana(5)), "ウェブ解析の勉強会を主催"), Some(people[5])).await.unwrap();
        let yoshida = kaeru_app::people::save(&db, &scope, &actor, today, &input("𠮷田", "花子", "あいざわ", "山田さんの紹介"), None).await.unwrap();
        kaeru_store::privacy::erase(&db, &scope, &actor, people[2]).await.unwrap();
        // Node B reads: patched, not rebuilt, and equal to an index built afresh.
        for q in ["勉強会", "𠮷田", "山田", "やまだあ", "はなこ"] {
            let (patched, fresh) = search_both(&node_b, &db, &scope, q).await;
            assert_eq!(patched, fresh, "{q}");
        }
        let found = node_b.index_for(&db, &scope).await.unwrap().read().search("𠮷", 20);
        assert_eq!(found.first().map(|h| h.id), Some(yoshida.id.0), "the new person, found by the rare character");
        let hits = node_b.index_for(&db, &scope).await.unwrap().read().search("山田", 20);
        assert!(!hits.iter().any(|h| h.id == people[2].0), "the erased person is gone");
        let hits = node_b.index_for(&db, &scope).await.unwrap().read().search("はなこ", 20);
        assert_eq!(hits.first().map(|h| h.id), Some(yoshida.id.0), "あいざわ sorts first among equals, though added last");
        assert_eq!(node_b.counts.search_rebuilds.load(Ordering::Relaxed), 1);
        assert_eq!(node_b.counts.search_patches.load(Ordering::Relaxed), 1);
        // Matching on node B: the erased alumna left, a new skill holder ranks, a level change re-scores.
        kaeru_store::stints::create(&db, &scope, &actor, yoshida.id, &kaeru_domain::StintInput { start_date: "2016-04-01".into(), end_date: "2023-03-31".into(), employment_type: "full_time".into(), ..Default::default() }.parse(&[]).unwrap(), today).await.unwrap();
        skills::set_for_person(&db, &scope, &actor, yoshida.id, &held(5)).await.unwrap();
        skills::set_for_person(&db, &scope, &actor, people[4], &held(1)).await.unwrap();
        let (patched, fresh) = rank_both(&node_b, &db, &scope, dm.id, today).await;
        assert_eq!(patched, fresh);
        assert!(patched.iter().any(|(_, id)| *id == yoshida.id.0) && !patched.iter().any(|(_, id)| *id == people[2].0));
        assert_eq!(node_b.counts.match_rebuilds.load(Ordering::Relaxed), 1);
        assert_eq!(node_b.counts.match_patches.load(Ordering::Relaxed), 1);
        // Node A, which read before all this, catches up by the same log.
        let (patched, fresh) = search_both(&node_a, &db, &scope, "山田").await;
        assert_eq!(patched, fresh);
        assert_eq!(node_a.counts.search_rebuilds.load(Ordering::Relaxed), 1);

        // A skill renamed is not a change of one person: every node rebuilds.
        skills::update(&db, &scope, &actor, dm.id, &SkillDraft { name: "デジタルマーケティング".into(), category: None, aliases: vec!["SNS運用".into()], description: None }).await.unwrap();
        let (patched, fresh) = search_both(&node_b, &db, &scope, "sns運用").await;
        assert_eq!(patched, fresh);
        assert_eq!(patched.len(), 20, "twenty holders: one came, one was erased");
        assert_eq!(node_b.counts.search_rebuilds.load(Ordering::Relaxed), 2);

        // A node that missed the log (pruned) rebuilds, and still sees the write.
        kaeru_app::people::save(&db, &scope, &actor, today, &input("山田07", "花子", &format!("やまだ{}", kana(7)), "浜松の展示会で再会"), Some(people[7])).await.unwrap();
        companies::prune_changes(&db, Utc::now() + Duration::days(1)).await.unwrap();
        let (patched, fresh) = search_both(&node_b, &db, &scope, "展示会").await;
        assert_eq!(patched, fresh);
        assert_eq!(patched, vec![people[7].0]);
        assert_eq!(node_b.counts.search_rebuilds.load(Ordering::Relaxed), 3);
    }
);

db_test!(
    async fn writes_racing_with_reads_leave_every_node_equal_to_a_fresh_index(target) {
        let (_app, db, scope, actor, today) = one_company(target).await;
        let mut people: Vec<PersonId> = Vec::new();
        for i in 0..30 {
            people.push(kaeru_app::people::save(&db, &scope, &actor, today, &input(&format!("佐藤{i:02}"), "一郎", &format!("さとう{}", kana(i)), ""), None).await.unwrap().id);
        }
        let nodes = std::sync::Arc::new([SearchCache::default(), SearchCache::default()]);
        nodes[0].index_for(&db, &scope).await.unwrap();
        nodes[1].index_for(&db, &scope).await.unwrap();
        // Twenty writes (each a new word in someone's note) while both nodes keep searching.
        let mut tasks = tokio::task::JoinSet::new();
        for (i, &who) in people.iter().enumerate().take(20) {
            let (wdb, actor) = (db.clone(), actor.clone());
            tasks.spawn(async move {
                let note = format!("合言葉{i:02}号");
                kaeru_app::people::save(&wdb, &scope, &actor, today, &input(&format!("佐藤{i:02}"), "一郎", &format!("さとう{}", kana(i)), &note), Some(who)).await.unwrap();
            });
            let (rdb, nodes) = (db.clone(), nodes.clone());
            tasks.spawn(async move {
                for n in nodes.iter() {
                    n.index_for(&rdb, &scope).await.unwrap().read().search("合言葉", 20);
                }
            });
        }
        while let Some(r) = tasks.join_next().await {
            r.unwrap();
        }
        for n in nodes.iter() {
            let (patched, fresh) = search_both(n, &db, &scope, "合言葉").await;
            assert_eq!(patched.len(), 20);
            assert_eq!(patched, fresh);
            assert!(n.counts.search_patches.load(Ordering::Relaxed) >= 1);
        }
        // Each word found on each node, right after the race.
        for (i, who) in people.iter().enumerate().take(20) {
            for n in nodes.iter() {
                let hits = n.index_for(&db, &scope).await.unwrap().read().search(&format!("合言葉{i:02}号"), 5);
                assert_eq!(hits.iter().map(|h| h.id).collect::<Vec<_>>(), vec![who.0]);
            }
        }
    }
);

db_test!(
    async fn indexes_past_the_memory_budget_drop_the_least_recently_used_company(target) {
        let app = spawn_app(target).await;
        let db = app.db.clone();
        let actor = Actor::system("test");
        let today = Utc::now().date_naive();
        let mut scopes = Vec::new();
        for slug in ["hamamatsu", "iwata", "kosai"] {
            let settings = kaeru_domain::CompanySettings { name: format!("{slug} 株式会社"), time_zone: "Asia/Tokyo".into(), default_language: kaeru_domain::Language::Ja };
            let owner = companies::NewOwner { email: format!("owner@{slug}.example"), display_name: "社長".into(), password_hash: "x".into() };
            let (c, _) = companies::create_with_owner(&db, &kaeru_domain::Slug::parse(slug).unwrap(), &settings, owner).await.unwrap();
            let scope = Scope::for_company(c.id);
            for i in 0..30 {
                kaeru_app::people::save(&db, &scope, &actor, today, &input(&format!("鈴木{i:02}"), "花子", &format!("すずき{}", kana(i)), slug), None).await.unwrap();
            }
            scopes.push(scope);
        }
        // Room for about two companies' search indexes.
        let one = {
            let probe = SearchCache::default();
            probe.index_for(&db, &scopes[0]).await.unwrap();
            probe.bytes().0
        };
        let node = SearchCache::with_budget(Some(one * 2 + one / 2));
        for s in &scopes[..2] {
            node.index_for(&db, s).await.unwrap();
        }
        // The first company is used again, so the second is now the least recently used.
        node.index_for(&db, &scopes[0]).await.unwrap();
        node.index_for(&db, &scopes[2]).await.unwrap();
        assert_eq!(node.counts.evictions.load(Ordering::Relaxed), 1);
        assert!(node.bytes().0 <= one * 2 + one / 2);
        assert_eq!(node.counts.search_rebuilds.load(Ordering::Relaxed), 3);
        node.index_for(&db, &scopes[0]).await.unwrap();
        assert_eq!(node.counts.search_rebuilds.load(Ordering::Relaxed), 3, "the recently used one was kept");
        // The dropped one answers again, rebuilt, and each company sees only its own people.
        let hits = node.index_for(&db, &scopes[1]).await.unwrap().read().search("iwata", 50);
        assert_eq!(hits.len(), 30);
        assert_eq!(node.counts.search_rebuilds.load(Ordering::Relaxed), 4);
        assert!(node.index_for(&db, &scopes[1]).await.unwrap().read().search("kosai", 50).is_empty());
    }
);

db_test!(
    async fn a_worn_index_keeps_answering_while_a_fresh_one_is_built_behind_it(target) {
        let (_app, db, scope, actor, today) = one_company(target).await;
        let mut people = Vec::new();
        for i in 0..10 {
            people.push(kaeru_app::people::save(&db, &scope, &actor, today, &input(&format!("高橋{i:02}"), "健", &format!("たかはし{}", kana(i)), ""), None).await.unwrap().id);
        }
        let node = SearchCache::default();
        node.index_for(&db, &scope).await.unwrap();
        // A long note rewritten again and again: every patch leaves the old text behind until the index is worn.
        let long = "浜松の工場で品質管理と生産技術を担当し".repeat(240);
        let mut worn_seen = false;
        for i in 0..90 {
            let note = format!("{long}合図{i:03}番");
            kaeru_app::people::save(&db, &scope, &actor, today, &input("高橋00", "健", &format!("たかはし{}", kana(0)), &note), Some(people[0])).await.unwrap();
            // Every read answers for the write just made, worn or not.
            let (patched, fresh) = search_both(&node, &db, &scope, &format!("合図{i:03}番")).await;
            assert_eq!(patched, vec![people[0].0], "write {i}");
            assert_eq!(patched, fresh);
            worn_seen |= node.index_for(&db, &scope).await.unwrap().read().worn();
            if node.counts.search_rebuilds.load(Ordering::Relaxed) > 1 {
                break;
            }
        }
        assert!(worn_seen || node.counts.search_rebuilds.load(Ordering::Relaxed) > 1, "the index wore out");
        // The fresh index takes the worn one's place behind the requests.
        for _ in 0..200 {
            if node.counts.search_rebuilds.load(Ordering::Relaxed) > 1 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert_eq!(node.counts.search_rebuilds.load(Ordering::Relaxed), 2, "rebuilt once, behind the requests");
        let live = node.index_for(&db, &scope).await.unwrap();
        assert!(!live.read().worn());
        for q in ["高橋", "品質管理", "合図"] {
            let (patched, fresh) = search_both(&node, &db, &scope, q).await;
            assert_eq!(patched, fresh, "{q}");
        }
    }
);

db_test!(
    async fn the_people_list_kept_per_revision_shows_a_write_on_another_node_at_once(target) {
        use kaeru_app::people::{ListCache, list};
        let (_app, db, scope, actor, today) = one_company(target).await;
        for i in 0..60 {
            kaeru_app::people::save(&db, &scope, &actor, today, &input(&format!("山田{i:02}"), "花子", &format!("やまだ{}", kana(i)), ""), None).await.unwrap();
        }
        let filter = Default::default();
        let (node_a, node_b) = (ListCache::default(), ListCache::default());
        let names = |v: &kaeru_app::people::ListView| v.page.items.iter().map(|l| l.family_name.clone()).collect::<Vec<_>>();
        // Node A reads page 1 with the revision its session read, twice (the second from what it kept), and page
        // 2 after the last of page 1.
        let r1 = companies::revision(&db, &scope).await.unwrap();
        let first = list(&db, &node_a, &scope, Some(r1), &filter, 1, 50, None).await.unwrap();
        assert_eq!((first.page.total, first.page.items.len()), (60, 50));
        let again = list(&db, &node_a, &scope, Some(r1), &filter, 1, 50, None).await.unwrap();
        assert_eq!(names(&again), names(&first));
        let last = first.page.items.last().unwrap().id;
        let second = list(&db, &node_a, &scope, Some(r1), &filter, 2, 50, Some(last)).await.unwrap();
        assert_eq!(second.page.items.len(), 10);
        // Node B renames the first person and adds one; node A's next request, with its session's new revision,
        // shows both at once.
        let top = first.page.items[0].id;
        let renamed = input("𠮷田", "花子", &first.page.items[0].family_kana, "");
        kaeru_app::people::save(&db, &scope, &actor, today, &renamed, Some(top)).await.unwrap();
        kaeru_app::people::save(&db, &scope, &actor, today, &input("阿部", "一郎", "あべ", ""), None).await.unwrap();
        list(&db, &node_b, &scope, None, &filter, 1, 50, None).await.unwrap();
        let r2 = companies::revision(&db, &scope).await.unwrap();
        assert!(r2 > r1);
        let after = list(&db, &node_a, &scope, Some(r2), &filter, 1, 50, None).await.unwrap();
        assert_eq!(after.page.total, 61);
        assert_eq!(after.page.items[0].family_name, "阿部", "the new person sorts first (あべ)");
        assert_eq!(after.page.items[1].family_name, "𠮷田");
        assert_eq!(after.page.items[1].id, top);
        // Without a revision the list reads it, and agrees.
        let read = list(&db, &node_a, &scope, None, &filter, 1, 50, None).await.unwrap();
        assert_eq!(names(&read), names(&after));
        // Another company's node never sees these people.
        let other = Scope::for_company(kaeru_domain::CompanyId(uuid::Uuid::from_u128(42)));
        let none = list(&db, &node_a, &other, None, &filter, 1, 50, None).await;
        assert!(none.is_err() || none.unwrap().page.items.is_empty());
        // The offers list likewise: node A's kept page gains the offer node B wrote, and its person's new name.
        let (offers_a, offers_b) = (kaeru_app::offers::ListCache::default(), kaeru_app::offers::ListCache::default());
        let r3 = companies::revision(&db, &scope).await.unwrap();
        let before = kaeru_app::offers::list(&db, &offers_a, &scope, Some(r3), None, 1, 50).await.unwrap();
        assert_eq!(before.total, 0);
        let draft = kaeru_domain::OfferDraft { valid_from: today, valid_until: today + Duration::days(700), terms: vec![kaeru_domain::OfferTerm::PriorityInterview], salary_floor_yen: None, terms_note: None, signer_name: "桜井 健一".into(), signer_title: None, override_reason: None };
        kaeru_store::offers::create(&db, &scope, &actor, top, &draft, today).await.unwrap();
        kaeru_app::offers::list(&db, &offers_b, &scope, None, None, 1, 50).await.unwrap();
        let r4 = companies::revision(&db, &scope).await.unwrap();
        let after = kaeru_app::offers::list(&db, &offers_a, &scope, Some(r4), None, 1, 50).await.unwrap();
        assert_eq!((after.total, after.items[0].person_name.as_str()), (1, "𠮷田 花子"));
        kaeru_app::people::save(&db, &scope, &actor, today, &input("吉田", "花子", &first.page.items[0].family_kana, ""), Some(top)).await.unwrap();
        let r5 = companies::revision(&db, &scope).await.unwrap();
        let renamed = kaeru_app::offers::list(&db, &offers_a, &scope, Some(r5), None, 1, 50).await.unwrap();
        assert_eq!(renamed.items[0].person_name, "吉田 花子");
    }
);

db_test!(
    async fn a_node_keeps_the_home_pages_figures_without_their_facts_and_forgets_what_no_one_asks_for(target) {
        let (_app, db, scope, actor, today) = one_company(target).await;
        let p = kaeru_app::people::save(&db, &scope, &actor, today, &input("𠮷田", "花子", "よしだ", ""), None).await.unwrap().id;
        kaeru_store::stints::create(&db, &scope, &actor, p, &kaeru_domain::StintInput { start_date: "2015-04-01".into(), end_date: "2020-03-31".into(), department: "製造部".into(), employment_type: "full_time".into(), ..Default::default() }.parse(&[]).unwrap(), today).await.unwrap();
        let node = std::sync::Arc::new(SearchCache::default());
        let tz = "Asia/Tokyo";
        // The home page (and the monthly report): this year's figures, kept; the facts behind them, not.
        let home = kaeru_app::analytics::company_figures(&db, &node.analytics, &scope, tz, today).await.unwrap();
        assert_eq!(node.analytics.companies_with_facts(), 0);
        assert!(node.analytics.latest(scope.company_id(), today).is_some());
        // The analytics page asks for the same figures: they are kept already. Another department's are computed
        // from facts read again, which the page keeps for the next choice.
        let page = kaeru_app::analytics::figures(&db, &node.analytics, &scope, tz, None, None, today).await.unwrap();
        assert_eq!(serde_json::to_value(&*home).unwrap(), serde_json::to_value(&*page).unwrap());
        assert_eq!(node.analytics.companies_with_facts(), 0);
        let by_department = kaeru_app::analytics::figures(&db, &node.analytics, &scope, tz, Some("製造部".into()), None, today).await.unwrap();
        assert_eq!(by_department.department.as_deref(), Some("製造部"));
        assert_eq!(node.analytics.companies_with_facts(), 1);
        // The home page asking again keeps the facts the pages read.
        kaeru_app::analytics::company_figures(&db, &node.analytics, &scope, tz, today).await.unwrap();
        assert_eq!(node.analytics.companies_with_facts(), 1);
        kaeru_app::people::ReconnectCache::count_soon(&node, &db, &scope, None, today).await.unwrap();
        kaeru_app::network::NetworkCache::grouped(&node.network, &db, &scope, "", kaeru_store::network::GroupBy::Employer).await.unwrap();

        // Nothing is forgotten while it is used; everything once no one has asked for it.
        assert_eq!(node.forget_unused_for(std::time::Duration::from_secs(3600)), 0);
        assert_eq!(node.forget_unused_for(std::time::Duration::ZERO), 3, "analytics, reconnect list, network");
        assert_eq!(node.counts.forgotten.load(Ordering::Relaxed), 3);
        assert_eq!(node.analytics.companies_with_facts(), 0);
        assert!(node.analytics.latest(scope.company_id(), today).is_none());
        // Asked again, they are read again, the same.
        let again = kaeru_app::analytics::company_figures(&db, &node.analytics, &scope, tz, today).await.unwrap();
        assert_eq!(serde_json::to_value(&*again).unwrap(), serde_json::to_value(&*home).unwrap());
    }
);
