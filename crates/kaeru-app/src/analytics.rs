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
    facts: Arc<Facts>,
    figures: HashMap<(Option<String>, i32), Arc<Figures>>,
}

/// Kept per filter and year until the company's next write; a company's entry holds at most this many.
const FIGURES_KEPT: usize = 32;

#[derive(Default)]
pub struct AnalyticsCache {
    entries: Mutex<HashMap<CompanyId, Entry>>,
    /// One read of the facts at a time: concurrent requests after a write wait for it.
    building: tokio::sync::Mutex<()>,
}

impl AnalyticsCache {
    fn lookup(
        &self,
        company: CompanyId,
        revision: i64,
        day: NaiveDate,
        key: &(Option<String>, i32),
    ) -> (Option<Arc<Facts>>, Option<Arc<Figures>>) {
        let Ok(m) = self.entries.lock() else {
            return (None, None);
        };
        match m.get(&company) {
            Some(e) if e.revision == revision && e.day == day => {
                (Some(e.facts.clone()), e.figures.get(key).cloned())
            }
            _ => (None, None),
        }
    }

    fn store(
        &self,
        company: CompanyId,
        revision: i64,
        day: NaiveDate,
        facts: Arc<Facts>,
        key: (Option<String>, i32),
        figures: Arc<Figures>,
    ) {
        let Ok(mut m) = self.entries.lock() else {
            return;
        };
        let e = m.entry(company).or_insert_with(|| Entry {
            revision,
            day,
            facts: facts.clone(),
            figures: HashMap::new(),
        });
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
        }
        if e.figures.len() >= FIGURES_KEPT {
            e.figures.clear();
        }
        e.figures.insert(key, figures);
    }
}

/// The figures for `department` (None: the whole company) and `year` (None: this year), as of `today`.
/// `local_date` turns a moment into the company's calendar day.
pub async fn figures(
    db: &Db,
    cache: &AnalyticsCache,
    scope: &Scope,
    department: Option<String>,
    year: Option<i32>,
    today: NaiveDate,
    local_date: impl Fn(chrono::DateTime<chrono::Utc>) -> NaiveDate,
) -> StoreResult<Arc<Figures>> {
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
        let _one = cache.building.lock().await;
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
    let figures = tokio::task::spawn_blocking(move || Figures::compute(&f2, &filter, year, today))
        .await
        .map_err(|e| StoreError::Other(e.into()))?;
    let figures = Arc::new(figures);
    cache.store(company, revision, today, facts, key, figures.clone());
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
