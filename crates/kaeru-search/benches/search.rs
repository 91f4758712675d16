//! Index build and search at 1k, 10k and 100k synthetic people (names with readings and romaji, a department,
//! an e-mail address and a note). Run: `cargo bench -p kaeru-search`.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use kaeru_search::{SearchDoc, SearchIndex, kana_sort_key};
use std::hint::black_box;

const FAMILY: &[(&str, &str, &str)] = &[
    ("佐藤", "さとう", "Sato"),
    ("鈴木", "すずき", "Suzuki"),
    ("高橋", "たかはし", "Takahashi"),
    ("田中", "たなか", "Tanaka"),
    ("伊藤", "いとう", "Ito"),
    ("渡辺", "わたなべ", "Watanabe"),
    ("山本", "やまもと", "Yamamoto"),
    ("中村", "なかむら", "Nakamura"),
    ("小林", "こばやし", "Kobayashi"),
    ("加藤", "かとう", "Kato"),
    ("吉田", "よしだ", "Yoshida"),
    ("山田", "やまだ", "Yamada"),
    ("佐々木", "ささき", "Sasaki"),
    ("山口", "やまぐち", "Yamaguchi"),
    ("松本", "まつもと", "Matsumoto"),
    ("井上", "いのうえ", "Inoue"),
];
const GIVEN: &[(&str, &str, &str)] = &[
    ("太郎", "たろう", "Taro"),
    ("翔", "しょう", "Sho"),
    ("大輔", "だいすけ", "Daisuke"),
    ("健太", "けんた", "Kenta"),
    ("花子", "はなこ", "Hanako"),
    ("陽子", "ようこ", "Yoko"),
    ("美咲", "みさき", "Misaki"),
    ("愛", "あい", "Ai"),
    ("拓也", "たくや", "Takuya"),
    ("直樹", "なおき", "Naoki"),
    ("由美", "ゆみ", "Yumi"),
    ("結衣", "ゆい", "Yui"),
];
const DEPARTMENTS: &[&str] = &["製造", "品質管理", "営業", "設計", "総務"];
const NOTES: &[&str] = &[
    "デジタルマーケティングの経験あり",
    "商工会で再会",
    "独立して工房を開業",
    "",
    "",
    "",
];

fn docs(n: usize) -> Vec<SearchDoc> {
    (0..n)
        .map(|i| {
            let (f, fk, fr) = FAMILY[i % FAMILY.len()];
            let (g, gk, gr) = GIVEN[(i / FAMILY.len()) % GIVEN.len()];
            SearchDoc {
                id: uuid::Uuid::from_u128(i as u128),
                names: vec![
                    format!("{f} {g}"),
                    format!("{fk} {gk}"),
                    format!("{gr} {fr}"),
                ],
                other: vec![
                    DEPARTMENTS[i % DEPARTMENTS.len()].to_string(),
                    format!("{}.{}{i}@example.jp", gr.to_lowercase(), fr.to_lowercase()),
                    NOTES[i % NOTES.len()].to_string(),
                ],
                sort_key: kana_sort_key(fk, gk),
            }
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    for n in [1_000usize, 10_000, 100_000] {
        let corpus = docs(n);
        let mut build = c.benchmark_group("build");
        build.sample_size(10);
        build.bench_with_input(BenchmarkId::from_parameter(n), &corpus, |b, corpus| {
            b.iter(|| SearchIndex::build(black_box(corpus.clone())))
        });
        build.finish();
        let index = SearchIndex::build(corpus);
        let mut search = c.benchmark_group("search");
        for q in ["田中", "たなか", "ﾀﾅｶ", "tanaka", "田中 営業", "デジタル"] {
            search.bench_with_input(BenchmarkId::new(q, n), &q, |b, q| {
                b.iter(|| index.search(black_box(q), 20))
            });
        }
        search.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
