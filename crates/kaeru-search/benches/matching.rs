//! Matching alumni to an opening at 1k, 10k and 100k synthetic people (about three quarters alumni, one to three
//! skills each): index build, and the top 20 with their reasons. Run: `cargo bench -p kaeru-search --bench matching`.

use chrono::NaiveDate;
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use kaeru_domain::{MatchWeights, SkillId, WorkStyle};
use kaeru_search::synthetic::{self, DIGITAL_MARKETING, SKILLS};
use kaeru_search::{MatchIndex, MatchQuery};
use std::hint::black_box;

/// A named query: its skills (skill, required, minimum level) and way of working.
type Named = (&'static str, Vec<(SkillId, bool, u8)>, WorkStyle);

fn bench(c: &mut Criterion) {
    let today = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
    let ids: Vec<SkillId> = (0..SKILLS.len())
        .map(|i| SkillId(uuid::Uuid::from_u128(1000 + i as u128)))
        .collect();
    let mut group = c.benchmark_group("match");
    group.sample_size(20);
    for n in [1_000usize, 10_000, 100_000] {
        let people = synthetic::people(n, today);
        let docs: Vec<_> = people.iter().filter_map(|p| p.match_doc(&ids)).collect();
        group.bench_with_input(BenchmarkId::new("build", n), &docs, |b, docs| {
            b.iter(|| MatchIndex::build(black_box(docs.clone()), today));
        });
        let index = MatchIndex::build(docs, today);
        let queries: [Named; 3] = [
            (
                "dm3",
                vec![(ids[DIGITAL_MARKETING], true, 3)],
                WorkStyle::PartWeek,
            ),
            (
                "dm3+2nice",
                vec![
                    (ids[DIGITAL_MARKETING], true, 3),
                    (ids[7], false, 1),
                    (ids[9], false, 1),
                ],
                WorkStyle::PartWeek,
            ),
            (
                "3required",
                vec![(ids[0], true, 2), (ids[5], true, 2), (ids[6], true, 1)],
                WorkStyle::FullTime,
            ),
        ];
        for (name, skills, work_style) in queries {
            let q = MatchQuery {
                skills,
                work_style,
                days_per_week: Some(3),
                weights: MatchWeights::default(),
                today,
                limit: 20,
            };
            group.bench_with_input(BenchmarkId::new(format!("top20/{name}"), n), &q, |b, q| {
                b.iter(|| index.rank(black_box(q)).map(|r| r.ranked.len()));
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
