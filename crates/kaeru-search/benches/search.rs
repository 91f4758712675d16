//! Index build and search at 1k, 10k and 100k people of the synthetic company (`kaeru_search::synthetic`, the
//! same people as `kaeru demo --people N`: names with readings and romaji, a department, an e-mail address, a
//! note, skills and current employers). Run: `cargo bench -p kaeru-search --bench search`.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use kaeru_search::{SearchIndex, synthetic};
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 29).expect("date");
    for n in [1_000usize, 10_000, 100_000] {
        let corpus: Vec<_> = synthetic::people(n, today)
            .iter()
            .map(kaeru_search::synthetic::SyntheticPerson::search_doc)
            .collect();
        let mut build = c.benchmark_group("build");
        build.sample_size(10);
        build.bench_with_input(BenchmarkId::from_parameter(n), &corpus, |b, corpus| {
            b.iter(|| SearchIndex::build(black_box(corpus.clone())));
        });
        build.finish();
        let index = SearchIndex::build(corpus);
        let mut search = c.benchmark_group("search");
        for q in ["田中", "たなか", "ﾀﾅｶ", "tanaka", "田中 営業", "デジタル"] {
            search.bench_with_input(BenchmarkId::new(q, n), &q, |b, q| {
                b.iter(|| index.search(black_box(q), 20));
            });
        }
        search.finish();
        // Every hit, as the API's `GET /api/v1/people?q=` pages through them with the true total.
        let mut all = c.benchmark_group("search_all");
        for q in ["田中", "tanaka", "デジタル"] {
            all.bench_with_input(BenchmarkId::new(q, n), &q, |b, q| {
                b.iter(|| index.search_all(black_box(q)).len());
            });
        }
        all.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
