//! A moto server (S3, CloudWatch Logs, IAM, STS, Firehose in server mode) for tests, and SDK
//! configurations that talk to it as a given account.
//!
//! moto runs from the venv that `scripts/test` builds from `tests/requirements.txt`. A missing venv
//! is an error, never a reason to skip: a test that silently does not run proves nothing.

use std::io::Read as _;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_s3::config::{Credentials, SharedCredentialsProvider};

/// The hint every "moto is missing" error carries.
const INSTALL_HINT: &str = "run scripts/test (it installs moto into .venv)";

/// How long moto may take to listen. It imports every service's models on start, which takes
/// 1-2 s on an idle machine and much longer on a busy 2-core one.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// Runs moto inside a small Python wrapper with two jobs:
///
/// 1. Exit as soon as stdin reaches end-of-file. The test process holds the only write end of that
///    pipe, so moto goes away when the test process does, however it ends (panic, abort, SIGKILL),
///    and no moto outlives its tests.
/// 2. Derive the account from a 12-digit access key id. moto 5.2 maps an access key to an account
///    only when the key was created in moto's IAM, and only reads 20-character keys; every other
///    caller is account 123456789012 (`moto/core/responses.py`, `get_current_account` and
///    `access_key_regex`). Tests isolate themselves by using a fresh account as their access key,
///    in moto and in the local IVS Chat server alike, so the wrapper teaches moto that rule. moto's
///    own ways to choose an account (`MOTO_ACCOUNT_ID`, the `x-moto-account-id` header, keys made
///    in its IAM) keep working.
const WRAPPER: &str = r#"
import os, re, sys, threading

def _exit_when_parent_goes():
    try:
        while sys.stdin.buffer.read(4096):
            pass
    finally:
        os._exit(0)

threading.Thread(target=_exit_when_parent_goes, daemon=True).start()

from moto.core.responses import BaseResponse

_moto_account = BaseResponse.get_current_account
_account_key = re.compile(r"Credential=([0-9]{12})/")

def _current_account(self):
    chosen = "MOTO_ACCOUNT_ID" in os.environ or "x-moto-account-id" in self.headers
    found = _account_key.search(self.headers.get("Authorization") or "")
    return found.group(1) if found and not chosen else _moto_account(self)

BaseResponse.get_current_account = _current_account

from moto.server import main
main(sys.argv[1:])
"#;

/// A running moto server on 127.0.0.1. Dropping it stops the server.
#[derive(Debug)]
pub struct MotoServer {
    endpoint: String,
    child: Child,
    // Held open for the server's lifetime: closing it is what stops the wrapper.
    stdin: Option<ChildStdin>,
    log: PathBuf,
}

impl MotoServer {
    /// Starts a new moto server on a free port and waits until it accepts connections.
    ///
    /// # Errors
    /// When the venv or moto is missing (the message says to run scripts/test), or moto does not
    /// come up (the message carries the end of its log).
    pub fn start() -> Result<Self, String> {
        Self::start_in(&venv_dir())
    }

    /// Starts a new moto server from the venv at `venv` (see [`MotoServer::start`]).
    ///
    /// # Errors
    /// As [`MotoServer::start`].
    pub fn start_in(venv: &Path) -> Result<Self, String> {
        let python = venv.join("bin").join("python");
        let moto_server = venv.join("bin").join("moto_server");
        if !python.exists() || !moto_server.exists() {
            return Err(format!(
                "moto is not installed in {}: {INSTALL_HINT}",
                venv.display()
            ));
        }
        // The port is free when chosen but could be taken before moto binds it; try a few.
        let mut last_error = String::new();
        for _ in 0..3 {
            match Self::start_once(&python) {
                Ok(server) => return Ok(server),
                Err(error) => last_error = error,
            }
        }
        Err(last_error)
    }

    /// One moto server per test process, started on first use. moto takes seconds to start, so
    /// tests share it and isolate themselves by account (see [`fresh_account`]).
    ///
    /// It is never dropped; it stops when the test process exits (see the wrapper above).
    ///
    /// # Errors
    /// As [`MotoServer::start`]; the first error is kept and returned to every caller.
    pub fn shared() -> Result<&'static Self, String> {
        static SHARED: OnceLock<Result<MotoServer, String>> = OnceLock::new();
        SHARED
            .get_or_init(Self::start)
            .as_ref()
            .map_err(Clone::clone)
    }

    /// `http://127.0.0.1:PORT`.
    #[must_use]
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// An SDK configuration for this server as `account` in `region` (see [`sdk_config`]).
    #[must_use]
    pub fn sdk_config(&self, account: &str, region: &str) -> SdkConfig {
        sdk_config(&self.endpoint, account, region)
    }

    fn start_once(python: &Path) -> Result<Self, String> {
        let port = free_port().map_err(|e| format!("no free port for moto: {e}"))?;
        let log =
            std::env::temp_dir().join(format!("chatlog-moto-{}-{port}.log", std::process::id()));
        let log_file = std::fs::File::create(&log)
            .map_err(|e| format!("cannot create moto log {}: {e}", log.display()))?;
        let log_err = log_file
            .try_clone()
            .map_err(|e| format!("cannot share moto log {}: {e}", log.display()))?;
        let mut child = Command::new(python)
            .arg("-c")
            .arg(WRAPPER)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::piped())
            .stdout(log_file)
            .stderr(log_err)
            .spawn()
            .map_err(|e| format!("cannot start moto ({}): {e}", python.display()))?;
        let stdin = child.stdin.take();
        let mut server = Self {
            endpoint: format!("http://127.0.0.1:{port}"),
            child,
            stdin,
            log,
        };
        server.wait_until_listening(port)?;
        // The shared server lives in a static, which is never dropped: the log is removed now
        // (moto keeps writing to its open file), or every test process would leave one behind.
        // It only served to explain a start that failed.
        let _ = std::fs::remove_file(&server.log);
        Ok(server)
    }

    fn wait_until_listening(&mut self, port: u16) -> Result<(), String> {
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                return Ok(());
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!(
                    "moto exited ({status}) before listening on port {port}: {}",
                    self.log_tail()
                ));
            }
            if Instant::now() >= deadline {
                return Err(format!(
                    "moto did not listen on port {port} within {}s: {}",
                    START_TIMEOUT.as_secs(),
                    self.log_tail()
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn log_tail(&self) -> String {
        let mut text = String::new();
        if let Ok(mut file) = std::fs::File::open(&self.log) {
            let _ = file.read_to_string(&mut text);
        }
        let start = text.len().saturating_sub(2000);
        let tail = text.get(start..).unwrap_or(&text);
        format!("log {}: {tail}", self.log.display())
    }
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        // Closing stdin asks the wrapper to exit; kill it if it does not within a second.
        drop(self.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(1);
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                let _ = std::fs::remove_file(&self.log);
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

/// The venv holding the Python checkers and moto: `CHATLOG_VENV`, else `<workspace root>/.venv`.
#[must_use]
pub fn venv_dir() -> PathBuf {
    std::env::var_os("CHATLOG_VENV").map_or_else(|| workspace_root().join(".venv"), PathBuf::from)
}

fn workspace_root() -> PathBuf {
    // This crate lives in <root>/crates/testkit.
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind(("127.0.0.1", 0))?.local_addr()?.port())
}

/// A 12-digit account id no other call in any running test process returns: `9`, the process id
/// (7 digits) and a per-process counter (4 digits).
///
/// Use it as the access key (see [`sdk_config`]) so that tests sharing one moto or IVS Chat
/// server never see each other's resources. The leading 9 keeps it apart from moto's default
/// account 123456789012.
#[must_use]
pub fn fresh_account() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed) % 10_000;
    let pid = std::process::id() % 10_000_000;
    format!("9{pid:07}{n:04}")
}

/// An SDK configuration for a local endpoint: static credentials whose access key id is
/// `account` (the moto wrapper and the local IVS Chat server both derive the account from it),
/// `region`, and retries disabled so that a test sees every error the server answers.
///
/// Build S3 clients with [`s3_client`]: moto needs path-style addressing.
#[must_use]
pub fn sdk_config(endpoint: &str, account: &str, region: &str) -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region.to_owned()))
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            account,
            "chatlog-testkit-secret",
            None,
            None,
            "chatlog-testkit",
        )))
        .endpoint_url(endpoint)
        .retry_config(RetryConfig::disabled())
        .build()
}

/// An S3 client for `config` with path-style addressing (`http://127.0.0.1:PORT/bucket/key`):
/// virtual-host style would need `bucket.127.0.0.1` to resolve.
#[must_use]
pub fn s3_client(config: &SdkConfig) -> aws_sdk_s3::Client {
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(config)
            .force_path_style(true)
            .build(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moto_exits_when_the_test_process_closes_its_stdin() {
        // What happens when the test process dies in any way: the pipe's only write end closes.
        let mut server = MotoServer::start().unwrap();
        drop(server.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut exited = false;
        while Instant::now() < deadline && !exited {
            exited = matches!(server.child.try_wait(), Ok(Some(_)));
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(exited, "moto still runs after its stdin closed");
    }
}
