//! A local Amazon IVS Chat control-plane server (moto has no ivschat).
//!
//! It speaks the service's restJson1 protocol as the model defines it (aws-facts §1(a); the
//! model is `reference/ivschat-service-2.json`) for the logging-configuration, room and tag
//! operations, so the real `aws-sdk-ivschat` client talks to it unchanged:
//!
//! - validation with `ValidationException` (`FIELD_VALIDATION_FAILED`, `fieldList`);
//! - `nextToken` paging; ListRooms newest `updateTime` first, with its filters;
//! - logging configurations CREATING → ACTIVE, UPDATING → ACTIVE, DELETING → gone after
//!   [`ServerConfig::state_delay`];
//! - the refusals: `ConflictException` deleting a configuration a room uses (or one not ACTIVE),
//!   `ServiceQuotaExceededException` (402) past the configuration quota, `ValidationException`
//!   for a fourth configuration on a room, `ResourceNotFoundException` for unknown identifiers;
//! - throttling (429) at the real TPS quotas when [`ServerConfig::enforce_tps`] is on; injected
//!   faults and latency through [`Control`]; every call recorded;
//! - with [`ServerConfig::moto_endpoint`], the log-delivery side effects AWS writes when a
//!   configuration is created or re-pointed (bucket policy, log resource policy, service-linked
//!   role, stream tag) written into moto. Deleting a configuration leaves them in place, as AWS
//!   is assumed to (aws-facts §1(c), UNVERIFIED).
//!
//! State is kept per (account, region) of the caller, taken from the SigV4 credential scope, so
//! tests that use [`crate::fresh_account`] never see each other's resources.

mod control;
mod delivery;
mod error;
mod http;
mod ids;
mod model;
mod ops;
mod policy;
mod rest;
mod throttle;
mod validate;

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use aws_config::SdkConfig;
use tokio::net::TcpListener;
use tokio::sync::watch;

pub use control::{Control, FaultRule, FaultTiming, RecordedCall};
pub use throttle::tps_limit;

/// How a server behaves. Every field can be left at its default with
/// `ServerConfig { state_delay: .., ..ServerConfig::default() }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerConfig {
    /// How long a logging configuration stays CREATING, UPDATING or DELETING (default zero:
    /// ACTIVE at once, gone at once). Changeable later with [`Control::set_state_delay`].
    pub state_delay: Duration,
    /// Delay before every answer (default zero). Changeable with [`Control::set_latency`].
    pub latency: Duration,
    /// Answer `ThrottlingException` (429) above the service's TPS quotas: 3 per second for each
    /// logging-configuration operation, 5 for room operations, 10 for tag operations, per
    /// account, region and operation (aws-facts §1(b)). Default off.
    pub enforce_tps: bool,
    /// A moto endpoint (`http://127.0.0.1:PORT`) to write log-delivery side effects into, as the
    /// caller's account. Default none: no side effects, destinations are not checked.
    pub moto_endpoint: Option<String>,
    /// Logging configurations per account and region (default 10, aws-facts §1(b)).
    pub logging_configuration_quota: usize,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            state_delay: Duration::ZERO,
            latency: Duration::ZERO,
            enforce_tps: false,
            moto_endpoint: None,
            logging_configuration_quota: 10,
        }
    }
}

/// A running server on 127.0.0.1. Dropping it stops it.
#[derive(Debug)]
pub struct IvsChatServer {
    endpoint: String,
    addr: SocketAddr,
    control: Arc<Control>,
    // Dropping the sender tells the accept loop and every connection to stop.
    stop: Option<watch::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl IvsChatServer {
    /// Starts a server on a free port of 127.0.0.1, on the current tokio runtime.
    ///
    /// It answers only while that runtime runs: a test that blocks its thread (waiting for a
    /// child process such as the chatlog binary, or `block_on` of a second runtime) on a
    /// current-thread runtime stalls it. Use [`IvsChatServer::start_in_background`] there.
    ///
    /// # Errors
    /// When called outside a tokio runtime, or binding fails.
    pub fn start(config: ServerConfig) -> io::Result<Self> {
        Self::bind(SocketAddr::from(([127, 0, 0, 1], 0)), config)
    }

    /// Starts a server on `addr`, on the current tokio runtime.
    ///
    /// # Errors
    /// When called outside a tokio runtime, or binding fails.
    pub fn bind(addr: SocketAddr, config: ServerConfig) -> io::Result<Self> {
        let handle = tokio::runtime::Handle::try_current().map_err(io::Error::other)?;
        let listener = std::net::TcpListener::bind(addr)?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let (service, control) = service(config);
        let (stop, stopped) = watch::channel(());
        let _guard = handle.enter();
        let listener = TcpListener::from_std(listener)?;
        handle.spawn(serve(listener, service, stopped));
        Ok(Self::running(addr, control, stop, None))
    }

    /// Starts a server on a free port of 127.0.0.1 on a runtime of its own, in a thread of its
    /// own: for synchronous tests, and for tests that block their own runtime.
    ///
    /// # Errors
    /// When the runtime cannot be built or binding fails.
    pub fn start_in_background(config: ServerConfig) -> io::Result<Self> {
        let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let (service, control) = service(config);
        let (stop, stopped) = watch::channel(());
        let thread = std::thread::Builder::new()
            .name(format!("ivschat-local-{}", addr.port()))
            .spawn(move || {
                runtime.block_on(async move {
                    if let Ok(listener) = TcpListener::from_std(listener) {
                        serve(listener, service, stopped).await;
                    }
                });
            })?;
        Ok(Self::running(addr, control, stop, Some(thread)))
    }

    fn running(
        addr: SocketAddr,
        control: Arc<Control>,
        stop: watch::Sender<()>,
        thread: Option<std::thread::JoinHandle<()>>,
    ) -> Self {
        Self {
            endpoint: format!("http://{addr}"),
            addr,
            control,
            stop: Some(stop),
            thread,
        }
    }

    /// `http://127.0.0.1:PORT`.
    #[must_use]
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Faults, latency, TPS enforcement and the call record of this server.
    #[must_use]
    pub fn control(&self) -> Arc<Control> {
        Arc::clone(&self.control)
    }

    /// An SDK configuration for this server as `account` in `region` (see
    /// [`crate::sdk_config`]): `aws_sdk_ivschat::Client::new(&server.sdk_config(..))`.
    #[must_use]
    pub fn sdk_config(&self, account: &str, region: &str) -> SdkConfig {
        crate::moto::sdk_config(&self.endpoint, account, region)
    }
}

impl Drop for IvsChatServer {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn service(config: ServerConfig) -> (Arc<ops::Service>, Arc<Control>) {
    let control = Arc::new(Control::new(
        config.latency,
        config.state_delay,
        config.enforce_tps,
    ));
    let delivery = config.moto_endpoint.map(delivery::Delivery::new);
    let service = ops::Service::new(
        Arc::clone(&control),
        config.logging_configuration_quota,
        delivery,
    );
    (Arc::new(service), control)
}

async fn serve(listener: TcpListener, service: Arc<ops::Service>, stopped: watch::Receiver<()>) {
    let handler = move |request| {
        let service = Arc::clone(&service);
        async move { rest::handle(&service, request).await }
    };
    http::serve(listener, handler, stopped).await;
}
