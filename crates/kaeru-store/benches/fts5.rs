//! Kaeru's in-memory search index against SQLite FTS5 on the same synthetic people and the same queries.
//! FTS5 gets every advantage we can give it: the text is folded exactly as Kaeru folds it (NFKC, katakana to
//! hiragana, case), the trigram tokenizer answers terms of three characters or more, and shorter terms (田中)
//! fall back to LIKE, as FTS5's trigram tokenizer cannot match them. Both return the first 20 hits.
//! Run: `cargo bench -p kaeru-store --bench fts5`; the ratio is FTS5's median over Kaeru's.

use chrono::NaiveDate;
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use kaeru_search::{SearchIndex, fold, synthetic};
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use std::hint::black_box;
use std::str::FromStr;

const QUERIES: &[&str] = &["田中", "たなか", "ﾀﾅｶ", "tanaka", "田中 営業", "デジタル"];

async fn fts5_pool(docs: &[kaeru_search::SearchDoc]) -> SqlitePool {
    let opts = SqliteConnectOptions::from_str("sqlite::memory:").expect("options");
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(opts)
        .await
        .expect("in-memory SQLite");
    sqlx::query("CREATE VIRTUAL TABLE people_fts USING fts5(names, other, tokenize = 'trigram')")
        .execute(&pool)
        .await
        .expect("FTS5 with the trigram tokenizer");
    let mut tx = pool.begin().await.expect("tx");
    for (i, d) in docs.iter().enumerate() {
        let names: Vec<String> = d.names.iter().map(|n| fold(n)).collect();
        let other: Vec<String> = d.other.iter().map(|n| fold(n)).collect();
        sqlx::query("INSERT INTO people_fts (rowid, names, other) VALUES (?, ?, ?)")
            .bind(i as i64 + 1)
            .bind(names.join("\n"))
            .bind(other.join("\n"))
            .execute(&mut *tx)
            .await
            .expect("insert");
    }
    tx.commit().await.expect("commit");
    pool
}

/// The FTS5 way: MATCH for terms of three characters or more, LIKE for the rest.
async fn fts5_search(pool: &SqlitePool, query: &str) -> usize {
    let folded = fold(query);
    let terms: Vec<&str> = folded.split(' ').filter(|t| !t.is_empty()).collect();
    let (long, short): (Vec<&str>, Vec<&str>) = terms.iter().partition(|t| t.chars().count() >= 3);
    let mut sql = String::from("SELECT rowid FROM people_fts WHERE 1 = 1");
    if !long.is_empty() {
        sql.push_str(" AND people_fts MATCH ?");
    }
    for _ in &short {
        sql.push_str(" AND (names LIKE ? OR other LIKE ?)");
    }
    if !long.is_empty() {
        sql.push_str(" ORDER BY rank");
    }
    sql.push_str(" LIMIT 20");
    // Only placeholders and fixed text are put together here; every value is bound.
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    if !long.is_empty() {
        let m: Vec<String> = long.iter().map(|t| format!("\"{t}\"")).collect();
        q = q.bind(m.join(" "));
    }
    for t in &short {
        q = q.bind(format!("%{t}%")).bind(format!("%{t}%"));
    }
    q.fetch_all(pool).await.expect("search").len()
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let today = NaiveDate::from_ymd_opt(2026, 11, 29).expect("date");
    let mut group = c.benchmark_group("search_vs_fts5");
    group.sample_size(10);
    for n in [1_000usize, 10_000, 100_000] {
        let docs: Vec<_> = synthetic::people(n, today)
            .iter()
            .map(kaeru_search::synthetic::SyntheticPerson::search_doc)
            .collect();
        group.bench_with_input(BenchmarkId::new("kaeru/build", n), &docs, |b, d| {
            b.iter(|| SearchIndex::build(black_box(d.clone())).len());
        });
        group.bench_with_input(BenchmarkId::new("fts5/build", n), &docs, |b, d| {
            b.iter(|| rt.block_on(async { fts5_pool(d).await.size() }));
        });
        let index = SearchIndex::build(docs.clone());
        let pool = rt.block_on(fts5_pool(&docs));
        for q in QUERIES {
            let hits = index.search(q, 20).len();
            let fts_hits = rt.block_on(fts5_search(&pool, q));
            println!("{n} people, {q}: kaeru {hits} hits, fts5 {fts_hits} hits");
            group.bench_with_input(BenchmarkId::new(format!("kaeru/{q}"), n), q, |b, q| {
                b.iter(|| index.search(black_box(q), 20).len());
            });
            group.bench_with_input(BenchmarkId::new(format!("fts5/{q}"), n), q, |b, q| {
                b.iter(|| rt.block_on(fts5_search(&pool, black_box(q))));
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
