//! Delivery: the scheduler claims due deliveries, workers sign and POST
//! them, and the retry policy decides what follows a failure.

pub mod circuit_breaker;
pub mod http_client;
pub mod probe;
pub mod resolver;
pub mod retry;
pub mod scheduler;
pub mod worker;

pub use http_client::DeliveryClient;
pub use retry::RetryPolicy;
pub use scheduler::{Scheduler, SchedulerSettings};
pub use worker::{AttemptOutcome, DeliveryContext};
