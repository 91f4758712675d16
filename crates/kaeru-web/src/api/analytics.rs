//! `/api/v1/analytics/…`: the figures of the analytics pages as JSON, from the same cache (per company
//! revision) — turnover, returns, retention, offers and the pipeline, the network, the hiring cost saved, and
//! this month's headline.

use super::{Caller, Params};
use crate::AppState;
use crate::api::ApiError;
use crate::api::error::ApiErrorBody;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use chrono::NaiveDate;
use kaeru_app::analytics::Figures;
use kaeru_domain::analytics::{Boomerang, Headline, Network, Offers, Retention, Savings, Turnover};
use kaeru_domain::{FieldErrors, Invalid};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::{IntoParams, ToSchema};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/analytics/headline", get(headline))
        .route("/analytics/turnover", get(turnover))
        .route("/analytics/returns", get(returns))
        .route("/analytics/retention", get(retention))
        .route("/analytics/offers", get(offers))
        .route("/analytics/network", get(network))
        .route("/analytics/savings", get(savings))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AnalyticsParams {
    /// Only stints of this department (turnover, returns, retention); the whole company when absent.
    pub department: Option<String>,
    /// The year whose turnover is broken down by department (default: this year).
    pub year: Option<i32>,
}

/// Figures with what they were computed for.
#[derive(Debug, Serialize, ToSchema)]
pub struct Analytics<T> {
    /// The company's day the figures are as of.
    pub today: NaiveDate,
    pub department: Option<String>,
    /// The years of the yearly series (the last ten, not before the first stint).
    pub years: Vec<i32>,
    /// The departments named on stints.
    pub departments: Vec<String>,
    /// No employment history yet: the figures mean nothing until stints are recorded.
    pub empty: bool,
    pub figures: T,
}

async fn load(
    state: &AppState,
    caller: &Caller,
    q: &AnalyticsParams,
) -> Result<Arc<Figures>, ApiError> {
    let today = caller.today();
    if let Some(y) = q.year {
        use chrono::Datelike;
        if !(today.year() - 100..=today.year()).contains(&y) {
            let mut e = FieldErrors::new();
            e.add("year", Invalid::new("error.year_range"));
            return Err(ApiError::BadParams(e));
        }
    }
    Ok(kaeru_app::analytics::figures(
        &state.db,
        &state.search.analytics,
        &caller.scope,
        &caller.company.time_zone,
        q.department.clone(),
        q.year,
        today,
    )
    .await?)
}

fn wrap<T>(f: &Figures, figures: T) -> Json<Analytics<T>> {
    Json(Analytics {
        today: f.today,
        department: f.department.clone(),
        years: f.years.clone(),
        departments: f.departments.clone(),
        empty: f.empty,
        figures,
    })
}

macro_rules! endpoint {
    ($name:ident, $op:literal, $path:literal, $ty:ty, $field:ident, $doc:literal) => {
        #[doc = $doc]
        #[utoipa::path(get, operation_id = $op, path = $path, tag = "analytics",
            params(AnalyticsParams),
            responses(
                (status = 200, description = "The figures", body = Analytics<$ty>),
                (status = 400, description = "A parameter is out of range", body = ApiErrorBody),
                (status = 401, description = "No valid token", body = ApiErrorBody),
            ))]
        pub async fn $name(
            State(state): State<AppState>,
            caller: Caller,
            Params(q): Params<AnalyticsParams>,
        ) -> Result<Json<Analytics<$ty>>, ApiError> {
            let f = load(&state, &caller, &q).await?;
            Ok(wrap(&f, f.$field.clone()))
        }
    };
}

endpoint!(
    headline,
    "get_analytics_headline",
    "/api/v1/analytics/headline",
    Headline,
    headline,
    "This month so far: returners who started, contacts logged, business brought, return offers standing."
);
endpoint!(
    turnover,
    "get_analytics_turnover",
    "/api/v1/analytics/turnover",
    Turnover,
    turnover,
    "離職率 by year as the labour ministry defines it (leavers ÷ regular employees on 1 January × 100), \
     voluntary and other, regrettable leavers; and by department for `year`."
);
endpoint!(
    returns,
    "get_analytics_returns",
    "/api/v1/analytics/returns",
    Boomerang,
    boomerang,
    "Boomerang share of hires by year, return rate by year of leaving, time away, reasons for a second exit."
);
endpoint!(
    retention,
    "get_analytics_retention",
    "/api/v1/analytics/retention",
    Retention,
    retention,
    "Kaplan–Meier survival of returners and outside hires (12 and 24 months, the curve by month), and \
     turnover before and after the date the return policy was adopted."
);
endpoint!(
    offers,
    "get_analytics_offers",
    "/api/v1/analytics/offers",
    Offers,
    offers,
    "Return offers issued → confirmed → exercised or expired, learning missions at their level, and the \
     comeback pipeline with conversion and median days at each stage."
);
endpoint!(
    network,
    "get_analytics_network",
    "/api/v1/analytics/network",
    Network,
    network,
    "Reachable alumni, warmth now and at each of the last twelve month ends, referrals and business, \
     support to ventures and business received by year, contract days a week."
);
endpoint!(
    savings,
    "get_analytics_savings",
    "/api/v1/analytics/savings",
    Savings,
    savings,
    "Hiring cost saved by returners and hires from referrals, at the company's cost of a hire."
);
