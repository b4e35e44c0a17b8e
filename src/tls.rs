//! TLS for the gRPC and HTTP listeners (rustls), with optional client
//! certificate verification (mTLS). The files are read and checked once, when
//! the app is built; both listeners serve the same certificate.

use std::io;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;
use tracing::debug;

use crate::config::{ConfigError, ListenerTlsConfig};

/// A client has this long to finish its handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Handshaken connections waiting for the HTTP server to take them.
const ACCEPTED_BACKLOG: usize = 64;

/// The PEM contents of the configured files.
#[derive(Clone)]
pub struct ListenerTls {
    cert_pem: Vec<u8>,
    key_pem: Vec<u8>,
    client_ca_pem: Option<Vec<u8>>,
}

/// A certificate or key file that cannot serve, with the config key that
/// names it. The reason names neither key material nor more than the path.
#[derive(Debug, thiserror::Error)]
#[error("`{key}`: {reason}")]
pub struct TlsFileError {
    pub key: &'static str,
    pub reason: String,
}

impl TlsFileError {
    fn new(key: &'static str, reason: impl Into<String>) -> Self {
        TlsFileError {
            key,
            reason: reason.into(),
        }
    }
}

impl From<TlsFileError> for ConfigError {
    fn from(error: TlsFileError) -> Self {
        ConfigError::invalid(error.key, error.reason)
    }
}

fn read_pem(key: &'static str, path: &Path) -> Result<Vec<u8>, TlsFileError> {
    std::fs::read(path)
        .map_err(|e| TlsFileError::new(key, format!("cannot read {}: {e}", path.display())))
}

impl ListenerTls {
    /// Loads and checks the files of `config`.
    pub fn load(config: &ListenerTlsConfig) -> Result<Self, TlsFileError> {
        let cert_pem = read_pem("server.tls.cert_file", &config.cert_file)?;
        let key_pem = read_pem("server.tls.key_file", &config.key_file)?;
        let client_ca_pem = config
            .client_ca_file
            .as_deref()
            .map(|path| read_pem("server.tls.client_ca_file", path))
            .transpose()?;
        let tls = ListenerTls {
            cert_pem,
            key_pem,
            client_ca_pem,
        };
        tls.rustls_config(&[])?;
        Ok(tls)
    }

    /// Whether clients must present a certificate signed by the client CA.
    pub fn verifies_clients(&self) -> bool {
        self.client_ca_pem.is_some()
    }

    /// For the gRPC listener (tonic negotiates HTTP/2 itself).
    pub fn grpc(&self) -> tonic::transport::ServerTlsConfig {
        let identity = tonic::transport::Identity::from_pem(&self.cert_pem, &self.key_pem);
        let config = tonic::transport::ServerTlsConfig::new()
            .identity(identity)
            .timeout(HANDSHAKE_TIMEOUT);
        match &self.client_ca_pem {
            Some(ca) => config.client_ca_root(tonic::transport::Certificate::from_pem(ca)),
            None => config,
        }
    }

    /// A rustls server config offering `alpn` protocols.
    pub fn rustls_config(&self, alpn: &[&[u8]]) -> Result<Arc<rustls::ServerConfig>, TlsFileError> {
        let invalid = |key, reason: String| TlsFileError::new(key, reason);
        let certs = CertificateDer::pem_slice_iter(&self.cert_pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| {
                invalid(
                    "server.tls.cert_file",
                    format!("not a PEM certificate chain: {e}"),
                )
            })?;
        if certs.is_empty() {
            return Err(invalid(
                "server.tls.cert_file",
                "holds no PEM certificate".to_owned(),
            ));
        }
        let key = PrivateKeyDer::from_pem_slice(&self.key_pem).map_err(|e| {
            invalid(
                "server.tls.key_file",
                format!("not a PEM private key (PKCS#8, PKCS#1 or SEC1): {e}"),
            )
        })?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ServerConfig::builder_with_provider(Arc::clone(&provider))
            .with_safe_default_protocol_versions()
            .map_err(|e| invalid("server.tls", e.to_string()))?;
        let builder = match &self.client_ca_pem {
            None => builder.with_no_client_auth(),
            Some(ca) => {
                let mut roots = rustls::RootCertStore::empty();
                for cert in CertificateDer::pem_slice_iter(ca) {
                    let cert = cert.map_err(|e| {
                        invalid(
                            "server.tls.client_ca_file",
                            format!("not a PEM certificate: {e}"),
                        )
                    })?;
                    roots.add(cert).map_err(|e| {
                        invalid("server.tls.client_ca_file", format!("unusable CA: {e}"))
                    })?;
                }
                let verifier =
                    WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                        .build()
                        .map_err(|e| invalid("server.tls.client_ca_file", e.to_string()))?;
                builder.with_client_cert_verifier(verifier)
            }
        };
        let mut config = builder.with_single_cert(certs, key).map_err(|e| {
            invalid(
                "server.tls.key_file",
                format!("does not match the certificate: {e}"),
            )
        })?;
        config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
        Ok(Arc::new(config))
    }
}

/// A TLS listener for `axum::serve`: handshakes run in their own tasks, so
/// one slow client delays nobody else.
pub struct TlsListener {
    accepted: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local_addr: SocketAddr,
}

impl TlsListener {
    pub fn new(listener: TcpListener, config: Arc<rustls::ServerConfig>) -> io::Result<Self> {
        let local_addr = listener.local_addr()?;
        let (sender, accepted) = mpsc::channel(ACCEPTED_BACKLOG);
        let acceptor = TlsAcceptor::from(config);
        tokio::spawn(async move {
            loop {
                let (stream, peer) = match listener.accept().await {
                    Ok(accepted) => accepted,
                    Err(e) => {
                        debug!(error.message = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                if sender.is_closed() {
                    return;
                }
                let _ = stream.set_nodelay(true);
                let acceptor = acceptor.clone();
                let handshaken = sender.clone();
                tokio::spawn(async move {
                    match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                        Ok(Ok(tls)) => {
                            let _ = handshaken.send((tls, peer)).await;
                        }
                        Ok(Err(e)) => debug!(%peer, error.message = %e, "TLS handshake failed"),
                        Err(_) => debug!(%peer, "TLS handshake timed out"),
                    }
                });
            }
        });
        Ok(TlsListener {
            accepted,
            local_addr,
        })
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.accepted.recv().await {
            Some(accepted) => accepted,
            // The accept task only ends when this listener is dropped.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(self.local_addr)
    }
}
