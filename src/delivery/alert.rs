//! Alerts when an endpoint is disabled and when it recovers: an email
//! through SMTP (`alerts.email`), an operational webhook
//! (`alerts.webhook_endpoints`, see `operational`), always a log line.
//! Sending happens on background tasks; a failure is logged and never
//! reaches the delivery path. Dead letters go to the operational webhooks
//! only.

use std::time::Duration;

use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::ExposeSecret;
use tokio::sync::mpsc;
use tracing::{error, info, warn};

use super::operational::{DeadLetter, OperationalEvents};
use crate::clock::rfc3339;
use crate::config::{EmailAlertsConfig, SmtpTls};
use crate::domain::EndpointId;

/// Why alert email cannot be set up or sent.
#[derive(Debug, thiserror::Error)]
pub enum AlertError {
    #[error("alerts.email: {0}")]
    Transport(#[from] lettre::transport::smtp::Error),
    #[error("cannot build the alert email: {0}")]
    Message(#[from] lettre::error::Error),
}

/// Alerts waiting to be sent; later ones are dropped (and logged) when full.
const QUEUE_CAPACITY: usize = 1000;

/// Pauses between tries to send one alert.
const SEND_RETRY_DELAYS: [Duration; 3] = [
    Duration::from_secs(1),
    Duration::from_secs(5),
    Duration::from_secs(30),
];

/// What happened to an endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlertKind {
    Disabled { reason: String, last_error: String },
    Recovered { how: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    pub kind: AlertKind,
    pub endpoint_id: EndpointId,
    pub url: String,
    /// Unix milliseconds.
    pub at: i64,
}

impl Alert {
    fn subject(&self) -> String {
        match &self.kind {
            AlertKind::Disabled { .. } => {
                format!("[webhookd] endpoint {} disabled", self.endpoint_id)
            }
            AlertKind::Recovered { .. } => {
                format!("[webhookd] endpoint {} re-enabled", self.endpoint_id)
            }
        }
    }

    // Long because it is mostly the mail's text, one template per kind.
    fn body(&self) -> String {
        let time = rfc3339(self.at);
        match &self.kind {
            AlertKind::Disabled { reason, last_error } => format!(
                "webhookd disabled endpoint {id} at {time}.\n\n\
                 Endpoint: {id}\nURL: {url}\nTime: {time}\nReason: {reason}\nLast error: {last_error}\n\n\
                 Its deliveries are kept, paused. Re-enable it with EnableEndpoint once the receiver works again:\n\
                 grpcurl -plaintext -d '{{\"id\":\"{id}\"}}' <host>:50051 webhook.v1.WebhookService/EnableEndpoint\n",
                id = self.endpoint_id,
                url = self.url,
            ),
            AlertKind::Recovered { how } => format!(
                "webhookd re-enabled endpoint {id} at {time} ({how}).\n\n\
                 Endpoint: {id}\nURL: {url}\nTime: {time}\n\nIts paused deliveries resume now.\n",
                id = self.endpoint_id,
                url = self.url,
            ),
        }
    }
}

/// Hands alerts to the sender task.
#[derive(Clone)]
pub struct Alerter {
    queue: Option<mpsc::Sender<Alert>>,
    operational: Option<OperationalEvents>,
}

impl Alerter {
    /// Starts the email sender when email is configured; sends
    /// operational webhooks when `operational` is given; logs always.
    pub fn start(
        config: Option<&EmailAlertsConfig>,
        operational: Option<OperationalEvents>,
    ) -> Result<Self, AlertError> {
        let queue = match config {
            Some(config) => {
                let sender = EmailSender::new(config)?;
                let (queue, receiver) = mpsc::channel(QUEUE_CAPACITY);
                tokio::spawn(sender.run(receiver));
                Some(queue)
            }
            None => None,
        };
        Ok(Alerter { queue, operational })
    }

    pub fn send(&self, alert: Alert) {
        match &alert.kind {
            AlertKind::Disabled { reason, last_error } => {
                warn!(endpoint_id = %alert.endpoint_id, url = %alert.url, reason, "endpoint disabled");
                if let Some(operational) = &self.operational {
                    operational.endpoint_disabled(
                        &alert.endpoint_id,
                        &alert.url,
                        reason,
                        last_error,
                        alert.at,
                    );
                }
            }
            AlertKind::Recovered { how } => {
                info!(endpoint_id = %alert.endpoint_id, how, "endpoint re-enabled");
                if let Some(operational) = &self.operational {
                    operational.endpoint_recovered(&alert.endpoint_id, &alert.url, how, alert.at);
                }
            }
        }
        if let Some(queue) = &self.queue
            && queue.try_send(alert).is_err()
        {
            error!("alert queue full: an alert email was dropped");
        }
    }

    /// A delivery was dead-lettered: an operational webhook, no email.
    pub fn dead_lettered(&self, dead: DeadLetter) {
        if let Some(operational) = &self.operational {
            operational.dead_lettered(&dead);
        }
    }
}

struct EmailSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    to: Vec<Mailbox>,
}

impl EmailSender {
    fn new(config: &EmailAlertsConfig) -> Result<Self, AlertError> {
        let builder = match config.tls {
            SmtpTls::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&config.host),
            SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&config.host),
            SmtpTls::None => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(
                &config.host,
            )),
        }?;
        let mut builder = builder
            .port(config.port)
            .timeout(Some(Duration::from_secs(20)));
        if let (Some(user), Some(password)) = (&config.username, &config.password) {
            builder = builder.credentials(Credentials::new(
                user.clone(),
                password.expose_secret().to_owned(),
            ));
        }
        Ok(EmailSender {
            transport: builder.build(),
            from: config.from.clone(),
            to: config.to.clone(),
        })
    }

    async fn run(self, mut queue: mpsc::Receiver<Alert>) {
        while let Some(alert) = queue.recv().await {
            self.send_with_retries(&alert).await;
        }
    }

    async fn send_with_retries(&self, alert: &Alert) {
        let mut delays = SEND_RETRY_DELAYS.iter();
        loop {
            match self.send(alert).await {
                Ok(()) => {
                    info!(endpoint_id = %alert.endpoint_id, "alert email sent");
                    return;
                }
                Err(e) => match delays.next() {
                    Some(delay) => {
                        warn!(error.message = %e, retry_in_ms = delay.as_millis() as u64, "failed to send alert email, retrying");
                        tokio::time::sleep(*delay).await;
                    }
                    None => {
                        error!(error.message = %e, endpoint_id = %alert.endpoint_id, "failed to send alert email, giving up");
                        return;
                    }
                },
            }
        }
    }

    async fn send(&self, alert: &Alert) -> Result<(), AlertError> {
        let mut message = Message::builder()
            .from(self.from.clone())
            .subject(alert.subject());
        for to in &self.to {
            message = message.to(to.clone());
        }
        let message = message.body(alert.body())?;
        self.transport.send(message).await?;
        Ok(())
    }
}
