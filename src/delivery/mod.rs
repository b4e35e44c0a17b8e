//! Delivery: the scheduler claims due deliveries, workers sign and POST
//! them, the retry policy decides what follows a failure. Endpoint health
//! (circuit breakers, concurrency), alerts, the update bus behind
//! StreamDeliveries and this process's counters live here too: the
//! delivery path drives them.

pub mod adaptive;
pub mod alert;
pub mod circuit_breaker;
pub mod counters;
pub mod health;
pub mod http_client;
mod launch;
pub mod operational;
pub mod probe;
pub mod resolver;
pub mod retry;
pub mod retry_budget;
pub mod scheduler;
pub mod updates;
pub mod worker;

pub use http_client::DeliveryClient;
pub use retry::RetryPolicy;
pub use scheduler::{Scheduler, SchedulerSettings};
pub use worker::{AttemptOutcome, DeliveryContext};
