//! The metrics behind `GET /metrics`, kept and written (OpenMetrics text) by
//! `prometheus-client`: requests by route pattern and status, their durations, the requests in
//! flight, the statements sent and the database pools, summed. Route patterns
//! (`/api/v1/events/{key}`), not paths, so that ids do not multiply the series.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use crate::db::PoolsStatus;

/// Upper bounds of the duration histogram, in seconds.
const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

/// The `Content-Type` of [`Metrics::render`].
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Answered {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Route {
    method: String,
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Connections {
    /// `idle`, `in_use` or `max`.
    state: &'static str,
}

type Durations = Family<Route, Histogram, fn() -> Histogram>;

/// The metrics, shared by every worker.
pub struct Metrics {
    registry: Registry,
    requests: Family<Answered, Counter>,
    durations: Durations,
    /// Requests being answered now.
    pub in_flight: Gauge,
    /// Statements sent to the database, counted by each pooled connection.
    pub database_queries: Counter,
    connections: Family<Connections, Gauge>,
    waiting: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::default();
        let requests = Family::<Answered, Counter>::default();
        let durations: Durations = Family::new_with_constructor(|| Histogram::new(BUCKETS));
        let in_flight = Gauge::default();
        let database_queries = Counter::default();
        let connections = Family::<Connections, Gauge>::default();
        let waiting = Gauge::default();
        registry.register(
            "relais_http_requests",
            "HTTP requests answered",
            requests.clone(),
        );
        registry.register(
            "relais_http_request_duration_seconds",
            "Time to answer, by route",
            durations.clone(),
        );
        registry.register(
            "relais_http_requests_in_flight",
            "Requests being answered",
            in_flight.clone(),
        );
        registry.register(
            "relais_database_queries",
            "Statements sent to the database",
            database_queries.clone(),
        );
        registry.register(
            "relais_db_pool_connections",
            "Database connections by state",
            connections.clone(),
        );
        registry.register(
            "relais_db_pool_waiting",
            "Requests waiting for a database connection",
            waiting.clone(),
        );
        Metrics {
            registry,
            requests,
            durations,
            in_flight,
            database_queries,
            connections,
            waiting,
        }
    }
}

impl Metrics {
    pub fn record(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let (method, route) = (method.to_string(), route.to_string());
        self.requests
            .get_or_create(&Answered {
                method: method.clone(),
                route: route.clone(),
                status,
            })
            .inc();
        self.durations
            .get_or_create(&Route { method, route })
            .observe(seconds);
    }

    /// The metrics now, the pools read at this moment.
    pub fn render(&self, status: PoolsStatus) -> String {
        let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        for (state, value) in [
            ("idle", status.available),
            ("in_use", status.size.saturating_sub(status.available)),
            ("max", status.max_size),
        ] {
            self.connections
                .get_or_create(&Connections { state })
                .set(count(value));
        }
        self.waiting.set(count(status.waiting));
        let mut out = String::new();
        if let Err(e) = prometheus_client::encoding::text::encode(&mut out, &self.registry) {
            log::error!("writing the metrics: {e}");
        }
        out
    }
}
