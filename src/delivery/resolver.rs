//! Name resolution for the delivery client: every name is resolved here,
//! and only addresses the network policy allows are returned, so a name
//! that rebinds to a private address between checks cannot slip through.

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use hyper_util::client::legacy::connect::dns::Name;

use crate::domain::network::{NetworkPolicy, filter_allowed};

/// A name lookup, injectable so tests can rebind names at will.
pub trait Lookup: Send + Sync + 'static {
    fn lookup(
        &self,
        host: String,
    ) -> Pin<Box<dyn Future<Output = std::io::Result<Vec<IpAddr>>> + Send>>;
}

/// The system resolver.
pub struct SystemLookup;

impl Lookup for SystemLookup {
    fn lookup(
        &self,
        host: String,
    ) -> Pin<Box<dyn Future<Output = std::io::Result<Vec<IpAddr>>> + Send>> {
        Box::pin(async move {
            Ok(tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .map(|addr| addr.ip())
                .collect())
        })
    }
}

/// A name that could not be resolved; the client's errors carry it, so a
/// failed delivery is told apart as a DNS failure by type.
#[derive(Debug, thiserror::Error)]
#[error("dns error: cannot resolve {host}: {source}")]
pub struct ResolveError {
    pub host: String,
    #[source]
    pub source: std::io::Error,
}

/// Resolves names for the delivery client, keeping only allowed addresses.
/// The client connects only to what this returns. A `tower` service, as
/// hyper's connector takes it; clones share the policy and the lookup.
pub struct GuardedResolver<L> {
    pub policy: Arc<NetworkPolicy>,
    pub lookup: Arc<L>,
}

impl<L> Clone for GuardedResolver<L> {
    fn clone(&self) -> Self {
        GuardedResolver {
            policy: Arc::clone(&self.policy),
            lookup: Arc::clone(&self.lookup),
        }
    }
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl<L: Lookup> tower::Service<Name> for GuardedResolver<L> {
    type Response = std::vec::IntoIter<SocketAddr>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, name: Name) -> Self::Future {
        let policy = Arc::clone(&self.policy);
        let host = name.as_str().to_owned();
        let lookup = self.lookup.lookup(host.clone());
        Box::pin(async move {
            let resolved = lookup.await.map_err(|source| ResolveError {
                host: host.clone(),
                source,
            })?;
            let allowed = filter_allowed(&policy, &host, resolved)?;
            // The connector sets each address's port from the URL.
            let addrs: Vec<SocketAddr> = allowed
                .into_iter()
                .map(|ip| SocketAddr::new(ip, 0))
                .collect();
            Ok(addrs.into_iter())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    fn ip(raw: &str) -> IpAddr {
        raw.parse().unwrap()
    }

    /// Answers each lookup with the next of its scripted answers.
    struct Rebinding(Mutex<Vec<Vec<IpAddr>>>);

    impl Lookup for Rebinding {
        fn lookup(
            &self,
            _: String,
        ) -> Pin<Box<dyn Future<Output = std::io::Result<Vec<IpAddr>>> + Send>> {
            let answer = self.0.lock().unwrap().remove(0);
            Box::pin(async move { Ok(answer) })
        }
    }

    #[tokio::test]
    async fn a_rebinding_name_never_yields_a_forbidden_address() {
        use tower::Service;
        let mut resolver = GuardedResolver {
            policy: Arc::new(NetworkPolicy::default()),
            lookup: Arc::new(Rebinding(Mutex::new(vec![
                vec![ip("93.184.216.34")],
                vec![ip("127.0.0.1")],
                vec![ip("10.0.0.5"), ip("93.184.216.34")],
            ]))),
        };
        let name = |host: &str| host.parse::<Name>().unwrap();
        let first: Vec<_> = resolver
            .call(name("rebind.example"))
            .await
            .unwrap()
            .collect();
        assert_eq!(first, [SocketAddr::new(ip("93.184.216.34"), 0)]);
        let second = resolver.call(name("rebind.example")).await;
        let error = second.expect_err("a name that now resolves to loopback is blocked");
        assert!(error.to_string().contains("127.0.0.1: loopback"), "{error}");
        let third: Vec<_> = resolver
            .call(name("rebind.example"))
            .await
            .unwrap()
            .collect();
        assert_eq!(
            third,
            [SocketAddr::new(ip("93.184.216.34"), 0)],
            "only the allowed address is kept"
        );
    }
}
