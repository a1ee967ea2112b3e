//! The counters behind `GET /metrics`, in the Prometheus text format: requests by route
//! pattern and status, their durations, and the database pool. Route patterns (`/api/v1/events/{key}`), not paths, so
//! that ids do not multiply the series.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::db::DbPool;

/// Upper bounds of the duration histogram, in seconds.
const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

#[derive(Default)]
struct Series {
    count: u64,
    sum: f64,
    buckets: [u64; BUCKETS.len()],
}

/// The counters, shared by every worker.
#[derive(Default)]
pub struct Metrics {
    /// (method, route, status) → series
    requests: Mutex<BTreeMap<(String, String, u16), Series>>,
    /// Statements sent to the database, counted by each pooled connection.
    pub database_queries: Arc<AtomicU64>,
}

impl Metrics {
    pub fn record(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let Ok(mut requests) = self.requests.lock() else {
            return;
        };
        let series = requests
            .entry((method.to_string(), route.to_string(), status))
            .or_default();
        series.count += 1;
        series.sum += seconds;
        for (bucket, bound) in series.buckets.iter_mut().zip(BUCKETS) {
            if seconds <= bound {
                *bucket += 1;
            }
        }
    }

    pub fn render(&self, pool: &DbPool) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP relais_http_requests_total HTTP requests answered."
        );
        let _ = writeln!(out, "# TYPE relais_http_requests_total counter");
        let requests = match self.requests.lock() {
            Ok(requests) => requests,
            Err(poisoned) => poisoned.into_inner(),
        };
        for ((method, route, status), series) in requests.iter() {
            let _ = writeln!(
                out,
                "relais_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {}",
                series.count
            );
        }
        let _ = writeln!(
            out,
            "# HELP relais_http_request_duration_seconds Time to answer, by route."
        );
        let _ = writeln!(out, "# TYPE relais_http_request_duration_seconds histogram");
        let mut by_route: BTreeMap<(&str, &str), Series> = BTreeMap::new();
        for ((method, route, _), series) in requests.iter() {
            let total = by_route.entry((method, route)).or_default();
            total.count += series.count;
            total.sum += series.sum;
            for (sum, add) in total.buckets.iter_mut().zip(series.buckets) {
                *sum += add;
            }
        }
        for ((method, route), series) in by_route {
            let labels = format!("method=\"{method}\",route=\"{route}\"");
            for (bound, count) in BUCKETS.iter().zip(series.buckets) {
                let _ = writeln!(
                    out,
                    "relais_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {count}"
                );
            }
            let _ = writeln!(
                out,
                "relais_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                series.count
            );
            let _ = writeln!(
                out,
                "relais_http_request_duration_seconds_sum{{{labels}}} {}",
                series.sum
            );
            let _ = writeln!(
                out,
                "relais_http_request_duration_seconds_count{{{labels}}} {}",
                series.count
            );
        }
        let _ = writeln!(
            out,
            "# HELP relais_database_queries_total Statements sent to the database."
        );
        let _ = writeln!(out, "# TYPE relais_database_queries_total counter");
        let _ = writeln!(
            out,
            "relais_database_queries_total {}",
            self.database_queries.load(Ordering::Relaxed)
        );
        let pool = pool.status();
        let _ = writeln!(
            out,
            "# HELP relais_db_pool_connections Database connections by state."
        );
        let _ = writeln!(out, "# TYPE relais_db_pool_connections gauge");
        let _ = writeln!(
            out,
            "relais_db_pool_connections{{state=\"idle\"}} {}",
            pool.available
        );
        let _ = writeln!(
            out,
            "relais_db_pool_connections{{state=\"in_use\"}} {}",
            pool.size.saturating_sub(pool.available)
        );
        let _ = writeln!(
            out,
            "relais_db_pool_connections{{state=\"max\"}} {}",
            pool.max_size
        );
        let _ = writeln!(
            out,
            "# HELP relais_db_pool_waiting Requests waiting for a database connection."
        );
        let _ = writeln!(out, "# TYPE relais_db_pool_waiting gauge");
        let _ = writeln!(out, "relais_db_pool_waiting {}", pool.waiting);
        out
    }
}
