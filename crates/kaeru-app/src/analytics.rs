//! Is the revolving door working? The figures of the analytics pages, the API and the monthly report,
//! computed from the company's facts (`kaeru_store::analytics`) and cached per company revision and day: the
//! first request after a write reads the facts again; the rest are answered from memory.

use chrono::NaiveDate;
use kaeru_domain::CompanyId;
use kaeru_domain::analytics::{
    self as a, Boomerang, Facts, Filter, Headline, Network, Offers, Retention, Savings, Turnover,
};
use kaeru_store::{Db, Scope, StoreError, StoreResult};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Every figure for one filter and year.
#[derive(Clone, Debug, Serialize)]
pub struct Figures {
    pub today: NaiveDate,
    pub department: Option<String>,
    pub year: i32,
    pub years: Vec<i32>,
    pub departments: Vec<String>,
    /// No employment history at all: the pages explain what they need instead of showing zeros.
    pub empty: bool,
    pub headline: Headline,
    /// The whole of the month before (the report e-mailed on the 1st).
    pub previous_month: Headline,
    pub turnover: Turnover,
    pub boomerang: Boomerang,
    pub retention: Retention,
    pub offers: Offers,
    pub network: Network,
    pub savings: Savings,
}

impl Figures {
    fn compute(facts: &Facts, filter: &Filter, year: i32, today: NaiveDate) -> Self {
        let years = a::years(facts, today);
        Figures {
            today,
            department: filter.department.clone(),
            year,
            departments: a::departments(facts),
            empty: facts.stints.is_empty(),
            headline: a::headline(facts, today),
            previous_month: a::previous_month(facts, today),
            turnover: a::turnover(facts, filter, year, today),
            boomerang: a::boomerang(facts, filter, today),
            retention: a::retention(facts, filter, today),
            offers: a::offers(facts, today),
            network: a::network(facts, today),
            savings: a::savings(facts, today),
            years,
        }
    }
}

struct Entry {
    revision: i64,
    day: NaiveDate,
    /// Kept only when a page that filters by department or year asked (10 MB at 100,000 people): the home page
    /// and the monthly report want this year's company-wide figures and nothing else.
    facts: Option<Arc<Facts>>,
    figures: HashMap<(Option<String>, i32), Arc<Figures>>,
}

/// Kept per filter and year until the company's next write; a company's entry holds at most this many.
const FIGURES_KEPT: usize = 32;

#[derive(Default)]
pub struct AnalyticsCache {
    /// The most recently used companies' facts and figures (`crate::recent`).
    entries: Mutex<crate::recent::Recent<Entry>>,
    /// One read of a company's facts at a time: its concurrent requests after a write wait for it, other
    /// companies do not.
    building: Mutex<HashMap<CompanyId, Arc<tokio::sync::Mutex<()>>>>,
}

impl AnalyticsCache {
    fn lookup(
        &self,
        company: CompanyId,
        revision: i64,
        day: NaiveDate,
        key: &(Option<String>, i32),
    ) -> (Option<Arc<Facts>>, Option<Arc<Figures>>) {
        let Ok(mut m) = self.entries.lock() else {
            return (None, None);
        };
        match m.get_mut(company) {
            Some(e) if e.revision == revision && e.day == day => {
                (e.facts.clone(), e.figures.get(key).cloned())
            }
            _ => (None, None),
        }
    }

    /// How many companies' facts this node keeps (each 10 MB at 100,000 people).
    pub fn companies_with_facts(&self) -> usize {
        self.entries
            .lock()
            .map(|m| m.values().filter(|e| e.facts.is_some()).count())
            .unwrap_or(0)
    }

    /// Forgets the companies whose figures were not asked for in `idle`; returns how many.
    pub fn forget_unused_for(&self, idle: std::time::Duration) -> usize {
        self.entries
            .lock()
            .map(|mut m| m.forget_unused_for(idle))
            .unwrap_or(0)
    }

    /// The company-wide figures of this year as last computed today, whatever the revision: the home page
    /// shows them at once after a write and has them refreshed behind it.
    pub fn latest(&self, company: CompanyId, day: NaiveDate) -> Option<(i64, Arc<Figures>)> {
        use chrono::Datelike;
        let mut m = self.entries.lock().ok()?;
        let e = m.get_mut(company).filter(|e| e.day == day)?;
        e.figures
            .get(&(None, day.year()))
            .map(|f| (e.revision, f.clone()))
    }

    fn store(
        &self,
        company: CompanyId,
        revision: i64,
        day: NaiveDate,
        facts: Option<Arc<Facts>>,
        key: (Option<String>, i32),
        figures: Arc<Figures>,
    ) {
        let Ok(mut m) = self.entries.lock() else {
            return;
        };
        let e = match m.get_mut(company) {
            Some(e) => e,
            None => m.insert(
                company,
                Entry {
                    revision,
                    day,
                    facts: facts.clone(),
                    figures: HashMap::new(),
                },
            ),
        };
        if e.revision != revision || e.day != day {
            if e.revision > revision {
                return;
            }
            *e = Entry {
                revision,
                day,
                facts,
                figures: HashMap::new(),
            };
        } else if e.facts.is_none() {
            e.facts = facts;
        }
        if e.figures.len() >= FIGURES_KEPT {
            e.figures.clear();
        }
        e.figures.insert(key, figures);
    }
}

/// The figures for `department` (None: the whole company) and `year` (None: this year), as of `today` in the
/// company's `time_zone`, for the analytics pages and the API: the facts they came from are kept with them
/// until the next write, so that choosing another department or year is computed from memory.
pub async fn figures(
    db: &Db,
    cache: &AnalyticsCache,
    scope: &Scope,
    time_zone: &str,
    department: Option<String>,
    year: Option<i32>,
    today: NaiveDate,
) -> StoreResult<Arc<Figures>> {
    let asked = Asked {
        department,
        year,
        keep_facts: true,
    };
    figures_for(db, cache, scope, time_zone, asked, today).await
}

/// This year's figures for the whole company (the home page's headline, the monthly report): the figures are
/// kept until the next write, the facts read for them are not.
pub async fn company_figures(
    db: &Db,
    cache: &AnalyticsCache,
    scope: &Scope,
    time_zone: &str,
    today: NaiveDate,
) -> StoreResult<Arc<Figures>> {
    let asked = Asked {
        department: None,
        year: None,
        keep_facts: false,
    };
    figures_for(db, cache, scope, time_zone, asked, today).await
}

struct Asked {
    department: Option<String>,
    year: Option<i32>,
    keep_facts: bool,
}

async fn figures_for(
    db: &Db,
    cache: &AnalyticsCache,
    scope: &Scope,
    time_zone: &str,
    asked: Asked,
    today: NaiveDate,
) -> StoreResult<Arc<Figures>> {
    let Asked {
        department,
        year,
        keep_facts,
    } = asked;
    let tz: chrono_tz::Tz = time_zone.parse().unwrap_or(chrono_tz::Asia::Tokyo);
    let local_date = move |at: chrono::DateTime<chrono::Utc>| at.with_timezone(&tz).date_naive();
    use chrono::Datelike;
    let year = year
        .filter(|y| (today.year() - 100..=today.year()).contains(y))
        .unwrap_or(today.year());
    let key = (department.filter(|d| !d.trim().is_empty()), year);
    let company = scope.company_id();
    let revision = kaeru_store::companies::revision(db, scope).await?;
    let (mut facts, found) = cache.lookup(company, revision, today, &key);
    if let Some(f) = found {
        return Ok(f);
    }
    let mut revision = revision;
    if facts.is_none() {
        let lock = match cache.building.lock() {
            Ok(mut m) => m.entry(company).or_default().clone(),
            Err(_) => Arc::default(),
        };
        let _one = lock.lock().await;
        // Another request may have read them while this one waited.
        let (again, found) = cache.lookup(company, revision, today, &key);
        if let Some(f) = found {
            return Ok(f);
        }
        facts = match again {
            Some(f) => Some(f),
            None => {
                let started = std::time::Instant::now();
                let (rev, f) = kaeru_store::analytics::facts(db, scope, local_date).await?;
                tracing::info!(company = %company, revision = rev, stints = f.stints.len(), ms = started.elapsed().as_millis() as u64, "analytics facts read");
                revision = rev;
                Some(Arc::new(f))
            }
        };
    }
    let facts = facts.ok_or(StoreError::NotFound)?;
    let filter = Filter {
        department: key.0.clone(),
    };
    let f2 = facts.clone();
    let started = std::time::Instant::now();
    let figures = tokio::task::spawn_blocking(move || Figures::compute(&f2, &filter, year, today))
        .await
        .map_err(|e| StoreError::Other(e.into()))?;
    tracing::info!(company = %company, revision, department = ?key.0, year, ms = started.elapsed().as_millis() as u64, "analytics figures computed");
    let figures = Arc::new(figures);
    let kept = keep_facts.then_some(facts);
    cache.store(company, revision, today, kept, key, figures.clone());
    Ok(figures)
}

/// The CSV of one chart's data, with a header row in the reader's language, each cell quoted as needed.
pub fn csv(header: &[&str], rows: &[Vec<String>]) -> String {
    let cell = |s: &str| {
        // A leading =, +, - or @ would be read as a formula by a spreadsheet.
        let s = if s.starts_with(['=', '+', '@'])
            || (s.starts_with('-') && s.parse::<f64>().is_err())
        {
            format!("'{s}")
        } else {
            s.to_string()
        };
        if s.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s
        }
    };
    let mut out = String::from("\u{feff}");
    for row in std::iter::once(header.iter().map(ToString::to_string).collect::<Vec<_>>())
        .chain(rows.iter().cloned())
    {
        let line: Vec<String> = row.iter().map(|c| cell(c)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

/// The monthly report (月次レポート) as a PDF in `lang`: this month so far, or with `previous` the whole of
/// the month before (as e-mailed on the 1st), then the year's turnover, returns, retention, offers, the
/// network and the hiring cost saved, each with the caveat it needs.
pub fn report_pdf(
    f: &Figures,
    lang: kaeru_domain::Language,
    company_name: &str,
    previous: bool,
) -> Result<Vec<u8>, kaeru_letters::LetterError> {
    use kaeru_domain::analytics::PolicyEffect;
    use kaeru_letters::ReportSection;
    let t = kaeru_i18n::Catalog::get(lang);
    let k = |key: &str| t.t(&format!("analytics.{key}")).to_string();
    let pct = |v: Option<f64>| v.map_or_else(|| "—".to_string(), |v| format!("{v:.1}%"));
    let yen = |n: i64| {
        t.format(
            "network.yen",
            &[("n", kaeru_domain::validation::group_digits(n))],
        )
    };
    let h = if previous {
        &f.previous_month
    } else {
        &f.headline
    };
    let month = h.month.format("%Y/%m").to_string();
    let mut sections = vec![ReportSection {
        title: t.format("analytics.report.month", &[("month", month.clone())]),
        lines: vec![
            (
                t.t("home.headline.returners").into(),
                t.format("home.people_n", &[("n", h.returners.to_string())]),
            ),
            (
                t.t("home.headline.contacts").into(),
                t.format("home.contacts_n", &[("n", h.contacts.to_string())]),
            ),
            (t.t("home.headline.business").into(), yen(h.business_yen)),
            (
                t.t("home.headline.offers").into(),
                t.format("home.offers_n", &[("n", h.offers_standing.to_string())]),
            ),
        ],
        note: None,
    }];
    if f.empty {
        sections.push(ReportSection {
            title: k("empty_title"),
            lines: vec![],
            note: Some(k("empty")),
        });
    } else {
        if let Some(y) = f.turnover.years.iter().find(|y| y.year == f.year) {
            sections.push(ReportSection {
                title: t.format("analytics.key.turnover", &[("year", f.year.to_string())]),
                lines: vec![
                    (k("col.rate"), pct(y.rate)),
                    (
                        k("col.leavers"),
                        t.format(
                            "analytics.key.turnover_note",
                            &[
                                ("leavers", y.leavers.to_string()),
                                ("base", y.base.to_string()),
                            ],
                        ),
                    ),
                    (k("col.voluntary"), y.voluntary.to_string()),
                    (k("col.regrettable"), y.regrettable.to_string()),
                ],
                note: Some(k("def.turnover")),
            });
        }
        let b = &f.boomerang;
        if let Some(y) = b.years.iter().find(|y| y.year == f.year) {
            sections.push(ReportSection {
                title: k("tab.returns"),
                lines: vec![
                    (
                        k("col.share"),
                        format!("{} ({} / {})", pct(y.share), y.rehires, y.hires),
                    ),
                    (
                        k("key.time_away"),
                        b.time_away.median_months.map_or_else(
                            || "—".into(),
                            |m| t.format("analytics.months", &[("n", format!("{m:.0}"))]),
                        ),
                    ),
                ],
                note: None,
            });
        }
        let r = &f.retention;
        let share = |v: Option<f64>| pct(v.map(|v| v * 100.0));
        sections.push(ReportSection {
            title: k("tab.retention"),
            lines: vec![
                (
                    k("key.s12_returners"),
                    format!(
                        "{} ({})",
                        share(r.returners.s12),
                        t.format(
                            "analytics.key.group_note",
                            &[("n", r.returners.n.to_string())]
                        )
                    ),
                ),
                (
                    k("key.s12_outside"),
                    format!(
                        "{} ({})",
                        share(r.outside.s12),
                        t.format(
                            "analytics.key.group_note",
                            &[("n", r.outside.n.to_string())]
                        )
                    ),
                ),
            ],
            note: Some(if r.comparable {
                k("note.survival_caveat")
            } else {
                t.format(
                    "analytics.note.too_small",
                    &[("n", kaeru_domain::analytics::SMALL_GROUP.to_string())],
                )
            }),
        });
        let (lines, note) = match &r.policy {
            PolicyEffect::Compared {
                adopted_on,
                before,
                after,
                small,
            } => (
                vec![
                    (
                        k("before"),
                        before
                            .rate
                            .map_or_else(|| "—".into(), |v| format!("{v:.1}")),
                    ),
                    (
                        k("after"),
                        after.rate.map_or_else(|| "—".into(), |v| format!("{v:.1}")),
                    ),
                ],
                {
                    let mut n = t.format(
                        "analytics.note.policy_compared",
                        &[("date", adopted_on.format("%Y/%m/%d").to_string())],
                    );
                    if *small {
                        n = format!("{n} {}", k("note.policy_small"));
                    }
                    n
                },
            ),
            PolicyEffect::NotSet => (vec![], k("note.policy_not_set")),
            PolicyEffect::Future { adopted_on } => (
                vec![],
                t.format(
                    "analytics.note.policy_future",
                    &[("date", adopted_on.format("%Y/%m/%d").to_string())],
                ),
            ),
            PolicyEffect::TooRecent { adopted_on } => (
                vec![],
                t.format(
                    "analytics.note.policy_recent",
                    &[("date", adopted_on.format("%Y/%m/%d").to_string())],
                ),
            ),
        };
        sections.push(ReportSection {
            title: k("chart.policy"),
            lines: lines
                .into_iter()
                .map(|(l, v)| (format!("{l}（{}）", k("col.per_100")), v))
                .collect(),
            note: Some(note),
        });
    }
    let o = &f.offers;
    sections.push(ReportSection {
        title: k("tab.offers"),
        lines: vec![
            (k("col.standing"), o.total.standing.to_string()),
            (k("col.issued"), o.total.issued.to_string()),
            (k("col.exercised"), o.total.exercised.to_string()),
            (
                k("key.missions"),
                format!("{} / {}", o.missions_reached, o.missions),
            ),
        ],
        note: None,
    });
    let n = &f.network;
    sections.push(ReportSection {
        title: k("tab.network"),
        lines: vec![
            (
                k("key.reachable"),
                format!("{} / {}", n.reachable, n.alumni),
            ),
            (
                k("key.warm"),
                format!(
                    "{} ({})",
                    n.warmth.warm,
                    t.format(
                        "analytics.key.warm_note",
                        &[
                            ("normal", n.warmth.normal.to_string()),
                            ("distant", n.warmth.distant.to_string())
                        ]
                    )
                ),
            ),
        ],
        note: None,
    });
    let this_year = f.savings.years.iter().find(|y| y.year == f.year);
    sections.push(ReportSection {
        title: k("tab.savings"),
        lines: vec![
            (
                t.format("analytics.year_n", &[("year", f.year.to_string())]),
                yen(this_year.map_or(0, |y| y.saved_yen)),
            ),
            (k("key.saved"), yen(f.savings.total_yen)),
        ],
        note: Some(k("note.savings")),
    });
    let period = t.format(
        "analytics.report.period",
        &[
            ("month", month),
            ("today", f.today.format("%Y/%m/%d").to_string()),
        ],
    );
    kaeru_letters::report(&kaeru_letters::Report {
        title: t.t("analytics.report.title"),
        company_name,
        period: &period,
        sections: &sections,
        closing: &format!("{} {}", k("evidence.reading"), k("report.closing")),
        language: lang,
    })
}
