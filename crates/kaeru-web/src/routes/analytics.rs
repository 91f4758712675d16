//! The analytics pages (社長 and 人事): turnover, returns, retention, offers and the pipeline, the network,
//! the hiring cost saved, and what research says. Each chart is SVG drawn here with its data table under it,
//! its definition one click away and its data as CSV; the same tables feed the CSV, so they always agree.

use super::{label, render};
use crate::AppState;
use crate::auth::Signed;
use crate::charts::{self, Kind, Series};
use crate::error::{AppError, AppResult};
use crate::shell::{Section, Shell};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use kaeru_app::analytics::Figures;
use kaeru_domain::Permission;
use kaeru_domain::analytics::{AWAY_BUCKETS, PolicyEffect, Survival, TurnoverYear};
use serde::Deserialize;
use std::sync::Arc;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/analytics",
            get(|| async { Redirect::to("/analytics/turnover") }),
        )
        .route("/analytics/report.pdf", get(report))
        .route("/analytics/{section}", get(page))
        .route("/analytics/{section}/{chart}", get(csv))
}

pub const SECTIONS: [&str; 7] = [
    "turnover",
    "returns",
    "retention",
    "offers",
    "network",
    "savings",
    "evidence",
];

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AnalyticsQuery {
    pub department: String,
    pub year: String,
}

impl AnalyticsQuery {
    fn query_string(&self) -> String {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        if !self.department.is_empty() {
            q.append_pair("department", &self.department);
        }
        if !self.year.is_empty() {
            q.append_pair("year", &self.year);
        }
        q.finish()
    }
}

/// A chart as the page shows it: the SVG (empty when there is nothing to draw), a note when the figures
/// must be read with care, the definition, and the data table.
pub struct ChartView {
    pub id: &'static str,
    pub title: String,
    pub definition: String,
    pub svg: String,
    pub note: Option<String>,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// A headline figure of a section.
pub struct KeyFigure {
    pub label: String,
    pub value: String,
    pub note: String,
}

fn percent(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.1}%")).unwrap_or_else(|| "—".into())
}

fn share(v: Option<f64>) -> String {
    percent(v.map(|v| v * 100.0))
}

pub(crate) async fn load(
    state: &AppState,
    signed: &Signed,
    q: &AnalyticsQuery,
) -> AppResult<Arc<Figures>> {
    Ok(kaeru_app::analytics::figures(
        &state.db,
        &state.search.analytics,
        signed.scope(),
        &signed.info.company.time_zone,
        Some(q.department.trim().to_string()),
        q.year.trim().parse().ok(),
        signed.today(),
    )
    .await?)
}

/// This year's company-wide figures without keeping the facts behind them (the home page's headline).
pub(crate) async fn load_headline(state: &AppState, signed: &Signed) -> AppResult<Arc<Figures>> {
    Ok(kaeru_app::analytics::company_figures(
        &state.db,
        &state.search.analytics,
        signed.scope(),
        &signed.info.company.time_zone,
        signed.today(),
    )
    .await?)
}

fn turnover_row(s: &Shell, y: &TurnoverYear, first: String) -> Vec<String> {
    vec![
        first,
        y.base.to_string(),
        y.leavers.to_string(),
        y.voluntary.to_string(),
        y.other.to_string(),
        y.unrecorded.to_string(),
        y.regrettable.to_string(),
        percent(y.rate),
    ]
    .into_iter()
    .chain(std::iter::once(if y.partial {
        s.t("analytics.partial_year").to_string()
    } else {
        String::new()
    }))
    .collect()
}

fn survival_rows(s: &Shell, name: &str, g: &Survival) -> Vec<String> {
    vec![
        name.to_string(),
        g.n.to_string(),
        g.left.to_string(),
        g.at_risk_12.to_string(),
        share(g.s12),
        g.at_risk_24.to_string(),
        share(g.s24),
    ]
    .into_iter()
    .map(|c| {
        if c.is_empty() {
            s.t("analytics.none").into()
        } else {
            c
        }
    })
    .collect()
}

/// The columns of a turnover table, after the first (the year or the department).
fn turnover_header(s: &Shell, first: &str) -> Vec<String> {
    headers(
        s,
        &[
            first,
            "base",
            "leavers",
            "voluntary",
            "other",
            "unrecorded",
            "regrettable",
            "rate",
            "remark",
        ],
    )
}

fn headers(s: &Shell, keys: &[&str]) -> Vec<String> {
    keys.iter()
        .map(|k| s.t(&format!("analytics.col.{k}")).to_string())
        .collect()
}

/// The charts and key figures of a section.
pub(crate) fn charts_of(s: &Shell, f: &Figures, name: &str) -> (Vec<KeyFigure>, Vec<ChartView>) {
    let t = |k: &str| s.t(&format!("analytics.{k}")).to_string();
    let mut keys = Vec::new();
    let mut out = Vec::new();
    let years: Vec<String> = f.years.iter().map(ToString::to_string).collect();
    let chart = |id: &'static str,
                 labels: &[String],
                 series: &[Series],
                 kind: Kind,
                 unit: &str,
                 max: Option<f64>| {
        let title = t(&format!("chart.{id}"));
        let desc = t(&format!("desc.{id}"));
        charts::svg(&charts::Chart {
            id,
            title: &title,
            desc: &desc,
            labels,
            series,
            kind,
            unit,
            max,
        })
    };
    match name {
        "turnover" => {
            let this = f.turnover.years.iter().find(|y| y.year == f.year);
            if let Some(y) = this {
                keys.push(KeyFigure {
                    label: s.tf("analytics.key.turnover", "year", f.year),
                    value: percent(y.rate),
                    note: s.t.format(
                        "analytics.key.turnover_note",
                        &[
                            ("leavers", y.leavers.to_string()),
                            ("base", y.base.to_string()),
                        ],
                    ),
                });
                keys.push(KeyFigure {
                    label: t("key.regrettable"),
                    value: y.regrettable.to_string(),
                    note: s.tf("analytics.key.regrettable_note", "n", y.voluntary),
                });
            }
            let series = [Series {
                name: t("col.rate"),
                values: f.turnover.years.iter().map(|y| y.rate).collect(),
            }];
            out.push(ChartView {
                id: "turnover",
                title: t("chart.turnover"),
                definition: t("def.turnover"),
                svg: chart("turnover", &years, &series, Kind::Bars, "%", None),
                note: f
                    .turnover
                    .years
                    .iter()
                    .all(|y| y.base == 0)
                    .then(|| t("note.no_base")),
                header: turnover_header(s, "year"),
                rows: f
                    .turnover
                    .years
                    .iter()
                    .map(|y| turnover_row(s, y, y.year.to_string()))
                    .collect(),
            });
            let deps: Vec<String> = f
                .turnover
                .by_department
                .iter()
                .map(|d| {
                    if d.department.is_empty() {
                        t("no_department")
                    } else {
                        d.department.clone()
                    }
                })
                .collect();
            let series = [Series {
                name: t("col.rate"),
                values: f
                    .turnover
                    .by_department
                    .iter()
                    .map(|d| d.turnover.rate)
                    .collect(),
            }];
            out.push(ChartView {
                id: "departments",
                title: s.tf("analytics.chart.departments_year", "year", f.year),
                definition: t("def.departments"),
                svg: if deps.len() > 1 {
                    chart("departments", &deps, &series, Kind::Bars, "%", None)
                } else {
                    String::new()
                },
                note: (deps.len() <= 1).then(|| t("note.one_department")),
                header: turnover_header(s, "department"),
                rows: f
                    .turnover
                    .by_department
                    .iter()
                    .zip(&deps)
                    .map(|(x, d)| turnover_row(s, &x.turnover, d.clone()))
                    .collect(),
            });
        }
        "returns" => {
            let b = &f.boomerang;
            let hires: usize = b.years.iter().map(|y| y.hires).sum();
            let rehires: usize = b.years.iter().map(|y| y.rehires).sum();
            keys.push(KeyFigure {
                label: t("key.boomerang"),
                value: percent((hires > 0).then(|| rehires as f64 * 100.0 / hires as f64)),
                note: s.t.format(
                    "analytics.key.boomerang_note",
                    &[
                        ("rehires", rehires.to_string()),
                        ("hires", hires.to_string()),
                    ],
                ),
            });
            keys.push(KeyFigure {
                label: t("key.time_away"),
                value: b
                    .time_away
                    .median_months
                    .map(|m| s.tf("analytics.months", "n", format!("{m:.0}")))
                    .unwrap_or_else(|| "—".into()),
                note: s.tf("analytics.key.time_away_note", "n", b.time_away.returns),
            });
            out.push(ChartView {
                id: "boomerang",
                title: t("chart.boomerang"),
                definition: t("def.boomerang"),
                svg: chart(
                    "boomerang",
                    &years,
                    &[Series {
                        name: t("col.share"),
                        values: b.years.iter().map(|y| y.share).collect(),
                    }],
                    Kind::Bars,
                    "%",
                    None,
                ),
                note: None,
                header: headers(s, &["year", "hires", "rehires", "share"]),
                rows: b
                    .years
                    .iter()
                    .map(|y| {
                        vec![
                            y.year.to_string(),
                            y.hires.to_string(),
                            y.rehires.to_string(),
                            percent(y.share),
                        ]
                    })
                    .collect(),
            });
            out.push(ChartView {
                id: "cohorts",
                title: t("chart.cohorts"),
                definition: t("def.cohorts"),
                svg: chart(
                    "cohorts",
                    &years,
                    &[Series {
                        name: t("col.return_rate"),
                        values: b.cohorts.iter().map(|c| c.rate).collect(),
                    }],
                    Kind::Bars,
                    "%",
                    None,
                ),
                note: Some(t("note.recent_cohorts")),
                header: headers(
                    s,
                    &[
                        "left_year",
                        "leavers",
                        "eligible",
                        "returned",
                        "return_rate",
                    ],
                ),
                rows: b
                    .cohorts
                    .iter()
                    .map(|c| {
                        vec![
                            c.year.to_string(),
                            c.leavers.to_string(),
                            c.eligible.to_string(),
                            c.returned.to_string(),
                            percent(c.rate),
                        ]
                    })
                    .collect(),
            });
            let bucket_labels: Vec<String> = b
                .time_away
                .buckets
                .iter()
                .enumerate()
                .map(|(i, b)| match b.under_years {
                    Some(u) => s.t.format(
                        "analytics.away_bucket",
                        &[
                            (
                                "from",
                                if i == 0 { 0 } else { AWAY_BUCKETS[i - 1] }.to_string(),
                            ),
                            ("to", u.to_string()),
                        ],
                    ),
                    None => s.tf(
                        "analytics.away_bucket_last",
                        "from",
                        AWAY_BUCKETS[AWAY_BUCKETS.len() - 1],
                    ),
                })
                .collect();
            out.push(ChartView {
                id: "away",
                title: t("chart.away"),
                definition: t("def.away"),
                svg: if b.time_away.returns > 0 {
                    chart(
                        "away",
                        &bucket_labels,
                        &[Series {
                            name: t("col.people"),
                            values: b
                                .time_away
                                .buckets
                                .iter()
                                .map(|b| Some(b.people as f64))
                                .collect(),
                        }],
                        Kind::Bars,
                        "",
                        None,
                    )
                } else {
                    String::new()
                },
                note: (b.time_away.returns == 0).then(|| t("note.no_returns")),
                header: headers(s, &["time_away", "people"]),
                rows: bucket_labels
                    .iter()
                    .zip(&b.time_away.buckets)
                    .map(|(l, b)| vec![l.clone(), b.people.to_string()])
                    .collect(),
            });
            out.push(ChartView {
                id: "second_exit",
                title: t("chart.second_exit"),
                definition: t("def.second_exit"),
                svg: String::new(),
                note: b.second_exits.is_empty().then(|| t("note.no_second_exit")),
                header: headers(s, &["reason", "people"]),
                rows: b
                    .second_exits
                    .iter()
                    .map(|x| {
                        vec![
                            x.reason
                                .map(|r| label(s.t, "leave", r.code()))
                                .unwrap_or_else(|| t("reason_unrecorded")),
                            x.people.to_string(),
                        ]
                    })
                    .collect(),
            });
        }
        "retention" => {
            let r = &f.retention;
            keys.push(KeyFigure {
                label: t("key.s12_returners"),
                value: share(r.returners.s12),
                note: s.tf("analytics.key.group_note", "n", r.returners.n),
            });
            keys.push(KeyFigure {
                label: t("key.s12_outside"),
                value: share(r.outside.s12),
                note: s.tf("analytics.key.group_note", "n", r.outside.n),
            });
            let months: Vec<String> = (0..=36).map(|m| m.to_string()).collect();
            let curve = |g: &Survival| -> Vec<Option<f64>> {
                (0..=36u32)
                    .map(|m| {
                        g.curve
                            .iter()
                            .find(|p| p.month == m)
                            .map(|p| p.share * 100.0)
                    })
                    .collect()
            };
            out.push(ChartView {
                id: "survival",
                title: t("chart.survival"),
                definition: t("def.survival"),
                svg: if r.comparable {
                    chart(
                        "survival",
                        &months,
                        &[
                            Series {
                                name: t("returners"),
                                values: curve(&r.returners),
                            },
                            Series {
                                name: t("outside_hires"),
                                values: curve(&r.outside),
                            },
                        ],
                        Kind::Steps,
                        "%",
                        Some(100.0),
                    )
                } else {
                    String::new()
                },
                note: Some(if r.comparable {
                    t("note.survival_caveat")
                } else {
                    s.tf(
                        "analytics.note.too_small",
                        "n",
                        kaeru_domain::analytics::SMALL_GROUP,
                    )
                }),
                header: headers(
                    s,
                    &[
                        "group",
                        "hires",
                        "left",
                        "at_risk_12",
                        "s12",
                        "at_risk_24",
                        "s24",
                    ],
                ),
                rows: vec![
                    survival_rows(s, &t("returners"), &r.returners),
                    survival_rows(s, &t("outside_hires"), &r.outside),
                ],
            });
            let (svg, note, rows) = match &r.policy {
                PolicyEffect::NotSet => (String::new(), t("note.policy_not_set"), vec![]),
                PolicyEffect::Future { adopted_on } => (
                    String::new(),
                    s.tf("analytics.note.policy_future", "date", s.date(adopted_on)),
                    vec![],
                ),
                PolicyEffect::TooRecent { adopted_on } => (
                    String::new(),
                    s.tf("analytics.note.policy_recent", "date", s.date(adopted_on)),
                    vec![],
                ),
                PolicyEffect::Compared {
                    adopted_on,
                    before,
                    after,
                    small,
                } => {
                    let labels = vec![t("before"), t("after")];
                    let svg = chart(
                        "policy",
                        &labels,
                        &[Series {
                            name: t("col.per_100"),
                            values: vec![before.rate, after.rate],
                        }],
                        Kind::Bars,
                        "",
                        None,
                    );
                    let mut note =
                        s.tf("analytics.note.policy_compared", "date", s.date(adopted_on));
                    if *small {
                        note = format!("{note} {}", t("note.policy_small"));
                    }
                    let row = |l: &str, w: &kaeru_domain::analytics::WindowRate| {
                        vec![
                            l.to_string(),
                            format!("{} – {}", s.date(&w.from), s.date(&w.until)),
                            w.leavers.to_string(),
                            format!("{:.1}", w.employee_years),
                            w.rate
                                .map(|r| format!("{r:.1}"))
                                .unwrap_or_else(|| "—".into()),
                        ]
                    };
                    (
                        svg,
                        note,
                        vec![row(&labels[0], before), row(&labels[1], after)],
                    )
                }
            };
            out.push(ChartView {
                id: "policy",
                title: t("chart.policy"),
                definition: t("def.policy"),
                svg,
                note: Some(note),
                header: headers(
                    s,
                    &["period", "dates", "leavers", "employee_years", "per_100"],
                ),
                rows,
            });
        }
        "offers" => {
            let o = &f.offers;
            keys.push(KeyFigure {
                label: t("key.offers_standing"),
                value: o.total.standing.to_string(),
                note: s.tf("analytics.key.offers_issued", "n", o.total.issued),
            });
            keys.push(KeyFigure {
                label: t("key.missions"),
                value: format!("{} / {}", o.missions_reached, o.missions),
                note: t("key.missions_note"),
            });
            let stages = [
                "issued",
                "confirmed",
                "exercised",
                "expired",
                "declined",
                "withdrawn",
                "standing",
            ];
            let values = |x: &kaeru_domain::analytics::OfferFunnel| {
                [
                    x.issued,
                    x.confirmed,
                    x.exercised,
                    x.expired,
                    x.declined,
                    x.withdrawn,
                    x.standing,
                ]
            };
            let labels: Vec<String> = stages.iter().map(|k| t(&format!("col.{k}"))).collect();
            out.push(ChartView {
                id: "offers",
                title: t("chart.offers"),
                definition: t("def.offers"),
                svg: if o.total.issued > 0 {
                    chart(
                        "offers",
                        &labels,
                        &[Series {
                            name: t("col.offers"),
                            values: values(&o.total).iter().map(|n| Some(*n as f64)).collect(),
                        }],
                        Kind::Bars,
                        "",
                        None,
                    )
                } else {
                    String::new()
                },
                note: (o.total.issued == 0).then(|| t("note.no_offers")),
                header: std::iter::once(t("col.year"))
                    .chain(labels.iter().cloned())
                    .collect(),
                rows: o
                    .years
                    .iter()
                    .map(|y| (y.year.map(|y| y.to_string()).unwrap_or_default(), y))
                    .chain(std::iter::once((t("total"), &o.total)))
                    .map(|(l, y)| {
                        std::iter::once(l)
                            .chain(values(y).iter().map(ToString::to_string))
                            .collect()
                    })
                    .collect(),
            });
            let stage_labels: Vec<String> = o
                .pipeline
                .iter()
                .map(|p| label(s.t, "stage", p.stage.code()))
                .collect();
            out.push(ChartView {
                id: "pipeline",
                title: t("chart.pipeline"),
                definition: t("def.pipeline"),
                svg: if o.comebacks > 0 {
                    chart(
                        "pipeline",
                        &stage_labels,
                        &[Series {
                            name: t("col.reached"),
                            values: o.pipeline.iter().map(|p| Some(p.reached as f64)).collect(),
                        }],
                        Kind::Bars,
                        "",
                        None,
                    )
                } else {
                    String::new()
                },
                note: (o.comebacks == 0).then(|| t("note.no_comebacks")),
                header: headers(
                    s,
                    &["stage", "reached", "conversion", "dropped", "median_days"],
                ),
                rows: o
                    .pipeline
                    .iter()
                    .zip(&stage_labels)
                    .map(|(p, l)| {
                        vec![
                            l.clone(),
                            p.reached.to_string(),
                            percent(p.conversion),
                            p.dropped.to_string(),
                            p.median_days
                                .map(|d| s.tf("analytics.days", "n", d))
                                .unwrap_or_else(|| "—".into()),
                        ]
                    })
                    .collect(),
            });
        }
        "network" => {
            let n = &f.network;
            keys.push(KeyFigure {
                label: t("key.reachable"),
                value: format!("{} / {}", n.reachable, n.alumni),
                note: percent((n.alumni > 0).then(|| n.reachable as f64 * 100.0 / n.alumni as f64)),
            });
            keys.push(KeyFigure {
                label: t("key.warm"),
                value: n.warmth.warm.to_string(),
                note: s.t.format(
                    "analytics.key.warm_note",
                    &[
                        ("normal", n.warmth.normal.to_string()),
                        ("distant", n.warmth.distant.to_string()),
                    ],
                ),
            });
            let months: Vec<String> = n.trend.iter().map(|w| w.month.clone()).collect();
            let warmth_series = [
                (
                    "warmth.warm",
                    n.trend.iter().map(|w| w.warm).collect::<Vec<_>>(),
                ),
                ("warmth.normal", n.trend.iter().map(|w| w.normal).collect()),
                (
                    "warmth.distant",
                    n.trend.iter().map(|w| w.distant).collect(),
                ),
            ];
            out.push(ChartView {
                id: "warmth",
                title: t("chart.warmth"),
                definition: t("def.warmth"),
                svg: if n.alumni > 0 {
                    chart(
                        "warmth",
                        &months,
                        &warmth_series
                            .iter()
                            .map(|(k, v)| Series {
                                name: s.t(k).to_string(),
                                values: v.iter().map(|x| Some(*x as f64)).collect(),
                            })
                            .collect::<Vec<_>>(),
                        Kind::Stacked,
                        "",
                        None,
                    )
                } else {
                    String::new()
                },
                note: (n.alumni == 0).then(|| t("note.no_alumni")),
                header: vec![
                    t("col.month"),
                    s.t("warmth.warm").into(),
                    s.t("warmth.normal").into(),
                    s.t("warmth.distant").into(),
                ],
                rows: n
                    .trend
                    .iter()
                    .map(|w| (w.month.clone(), w))
                    .chain(std::iter::once((t("now"), &n.warmth)))
                    .map(|(m, w)| {
                        vec![
                            m,
                            w.warm.to_string(),
                            w.normal.to_string(),
                            w.distant.to_string(),
                        ]
                    })
                    .collect(),
            });
            out.push(ChartView {
                id: "contributions",
                title: t("chart.contributions"),
                definition: t("def.contributions"),
                svg: chart(
                    "contributions",
                    &years,
                    &[
                        Series {
                            name: t("col.referrals"),
                            values: n.years.iter().map(|y| Some(y.referrals as f64)).collect(),
                        },
                        Series {
                            name: t("col.business"),
                            values: n.years.iter().map(|y| Some(y.business as f64)).collect(),
                        },
                    ],
                    Kind::Bars,
                    "",
                    None,
                ),
                note: None,
                header: headers(
                    s,
                    &[
                        "year",
                        "contacts",
                        "referrals",
                        "referrals_hired",
                        "business",
                        "business_yen",
                    ],
                ),
                rows: n
                    .years
                    .iter()
                    .map(|y| {
                        vec![
                            y.year.to_string(),
                            y.contacts.to_string(),
                            y.referrals.to_string(),
                            y.referrals_hired.to_string(),
                            y.business.to_string(),
                            s.yen(y.business_yen),
                        ]
                    })
                    .collect(),
            });
            out.push(ChartView {
                id: "ventures",
                title: t("chart.ventures"),
                definition: t("def.ventures"),
                svg: chart(
                    "ventures",
                    &years,
                    &[
                        Series {
                            name: t("col.support_yen"),
                            values: n.years.iter().map(|y| Some(y.support_yen as f64)).collect(),
                        },
                        Series {
                            name: t("col.deals_yen"),
                            values: n.years.iter().map(|y| Some(y.deals_yen as f64)).collect(),
                        },
                    ],
                    Kind::Bars,
                    &t("yen_unit"),
                    None,
                ),
                note: None,
                header: headers(s, &["year", "support_yen", "support_hours", "deals_yen"]),
                rows: n
                    .years
                    .iter()
                    .map(|y| {
                        vec![
                            y.year.to_string(),
                            s.yen(y.support_yen),
                            y.support_hours.to_string(),
                            s.yen(y.deals_yen),
                        ]
                    })
                    .collect(),
            });
            out.push(ChartView {
                id: "contract_days",
                title: t("chart.contract_days"),
                definition: t("def.contract_days"),
                svg: String::new(),
                note: n.contract_days.is_empty().then(|| t("note.no_contracts")),
                header: headers(s, &["days_a_week", "people"]),
                rows: n
                    .contract_days
                    .iter()
                    .map(|c| {
                        vec![
                            s.tf("analytics.days_a_week", "n", c.days_a_week),
                            c.contracts.to_string(),
                        ]
                    })
                    .collect(),
            });
        }
        "savings" => {
            let v = &f.savings;
            keys.push(KeyFigure {
                label: t("key.saved"),
                value: s.yen(v.total_yen),
                note: s.tf("analytics.key.per_hire", "amount", s.yen(v.per_hire_yen)),
            });
            out.push(ChartView {
                id: "savings",
                title: t("chart.savings"),
                definition: match v.cost.fixed_yen {
                    Some(y) => s.tf("analytics.def.savings_fixed", "amount", s.yen(y)),
                    None => s.t.format(
                        "analytics.def.savings_fee",
                        &[
                            ("percent", v.cost.agency_fee_percent.to_string()),
                            ("salary", s.yen(v.cost.annual_salary_yen)),
                        ],
                    ),
                },
                svg: chart(
                    "savings",
                    &years,
                    &[Series {
                        name: t("col.saved"),
                        values: v.years.iter().map(|y| Some(y.saved_yen as f64)).collect(),
                    }],
                    Kind::Bars,
                    &t("yen_unit"),
                    None,
                ),
                note: Some(t("note.savings")),
                header: headers(s, &["year", "returners", "referrals_hired", "saved"]),
                rows: v
                    .years
                    .iter()
                    .map(|y| {
                        vec![
                            y.year.to_string(),
                            y.returners.to_string(),
                            y.referrals_hired.to_string(),
                            s.yen(y.saved_yen),
                        ]
                    })
                    .collect(),
            });
        }
        _ => {}
    }
    (keys, out)
}

#[derive(Template)]
#[template(path = "analytics.html")]
struct AnalyticsPage {
    s: Shell,
    section: &'static str,
    tabs: Vec<(&'static str, String)>,
    query: String,
    department: String,
    year: i32,
    years: Vec<i32>,
    departments: Vec<String>,
    empty: bool,
    keys: Vec<KeyFigure>,
    charts: Vec<ChartView>,
    /// Figures that read the whole company whatever the department chosen.
    company_wide: bool,
}

fn section_of(name: &str) -> AppResult<&'static str> {
    SECTIONS
        .iter()
        .find(|s| **s == name)
        .copied()
        .ok_or(AppError::NotFound)
}

async fn page(
    State(state): State<AppState>,
    signed: Signed,
    Path(name): Path<String>,
    Query(q): Query<AnalyticsQuery>,
) -> AppResult<Response> {
    signed.require(Permission::SeeAnalytics)?;
    let section = section_of(&name)?;
    let f = load(&state, &signed, &q).await?;
    let path = format!("/analytics/{section}");
    let s = Shell::signed(&signed, Section::Analytics, &path);
    let (keys, charts) = charts_of(&s, &f, section);
    let tpl = AnalyticsPage {
        tabs: SECTIONS
            .iter()
            .map(|k| (*k, s.t(&format!("analytics.tab.{k}")).to_string()))
            .collect(),
        section,
        query: q.query_string(),
        department: f.department.clone().unwrap_or_default(),
        year: f.year,
        years: f.years.clone(),
        departments: f.departments.clone(),
        empty: f.empty,
        keys,
        charts,
        company_wide: matches!(section, "offers" | "network" | "savings"),
        s,
    };
    Ok(render(&tpl)?.into_response())
}

/// `/analytics/{section}/{chart}.csv`: one chart's table.
async fn csv(
    State(state): State<AppState>,
    signed: Signed,
    Path((name, chart)): Path<(String, String)>,
    Query(q): Query<AnalyticsQuery>,
) -> AppResult<Response> {
    signed.require(Permission::SeeAnalytics)?;
    let section = section_of(&name)?;
    let id = chart.strip_suffix(".csv").ok_or(AppError::NotFound)?;
    let f = load(&state, &signed, &q).await?;
    let s = Shell::signed(&signed, Section::Analytics, "/analytics");
    let (_, charts) = charts_of(&s, &f, section);
    let c = charts
        .into_iter()
        .find(|c| c.id == id)
        .ok_or(AppError::NotFound)?;
    let header: Vec<&str> = c.header.iter().map(String::as_str).collect();
    let body = kaeru_app::analytics::csv(&header, &c.rows);
    let file = format!("kaeru-{section}-{id}-{}.csv", f.today.format("%Y%m%d"));
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}\""),
            ),
        ],
        body,
    )
        .into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReportQuery {
    /// `1`: the whole of last month (as e-mailed on the 1st); otherwise this month so far.
    previous: String,
}

/// `/analytics/report.pdf`: the monthly report, made now.
async fn report(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<ReportQuery>,
) -> AppResult<Response> {
    signed.require(Permission::SeeAnalytics)?;
    let f = load(&state, &signed, &AnalyticsQuery::default()).await?;
    let previous = q.previous == "1";
    let pdf =
        kaeru_app::analytics::report_pdf(&f, signed.lang, &signed.info.company.name, previous)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("monthly report: {e:?}")))?;
    let month = if previous {
        f.previous_month.month
    } else {
        f.headline.month
    };
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"kaeru-report-{}.pdf\"",
                    month.format("%Y-%m")
                ),
            ),
        ],
        pdf,
    )
        .into_response())
}
