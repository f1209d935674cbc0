//! Runs the local IVS Chat server for manual use:
//!
//! ```text
//! ivschat-local [--port N] [--state-delay-ms N] [--latency-ms N] [--enforce-tps]
//!               [--moto-endpoint URL] [--logging-configuration-quota N]
//!               [--fault OPERATION:STATUS:TIMES[:after|:hang-up|:lost]]...
//! ```
//!
//! `--fault CreateRoom:500:2:after` serves the next two CreateRoom calls and then answers 500
//! (the write took effect, its answer is lost); `:hang-up` closes the connection instead of
//! answering; `:lost` answers 200 without serving; without a timing the fault answers instead
//! of serving.
//!
//! Point a client at it with `AWS_ENDPOINT_URL_IVSCHAT=http://127.0.0.1:N`; use a 12-digit
//! access key id to act as that account.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use chatlog_testkit::{FaultRule, IvsChatServer, ServerConfig};

const USAGE: &str = "usage: ivschat-local [--port N] [--state-delay-ms N] [--latency-ms N] \
[--enforce-tps] [--moto-endpoint URL] [--logging-configuration-quota N] \
[--fault OPERATION:STATUS:TIMES[:after|:hang-up|:lost]]...";

const VALUED: [&str; 6] = [
    "--fault",
    "--port",
    "--state-delay-ms",
    "--latency-ms",
    "--moto-endpoint",
    "--logging-configuration-quota",
];

/// `OPERATION:STATUS:TIMES[:after|:hang-up|:lost]`.
fn fault(value: &str) -> Result<FaultRule, String> {
    let bad = || format!("--fault: `{value}` is not OPERATION:STATUS:TIMES[:after|:hang-up|:lost]");
    let parts: Vec<&str> = value.split(':').collect();
    let (operation, status, times, timing) = match parts.as_slice() {
        [o, s, t] => (*o, *s, *t, None),
        [o, s, t, w] => (*o, *s, *t, Some(*w)),
        _ => return Err(bad()),
    };
    let status: u16 = status.parse().map_err(|_| bad())?;
    let times: usize = times.parse().map_err(|_| bad())?;
    if operation.is_empty() {
        return Err(bad());
    }
    match timing {
        None => Ok(FaultRule::on(operation, status, times)),
        Some("after") => Ok(FaultRule::after_effect(operation, status, times)),
        Some("hang-up") => Ok(FaultRule::hang_up_after_effect(operation, times)),
        Some("lost") => Ok(FaultRule::lost_write(operation, times)),
        Some(_) => Err(bad()),
    }
}

/// The port, the server's configuration and the faults to inject once it runs.
fn parse(args: &[String]) -> Result<(u16, ServerConfig, Vec<FaultRule>), String> {
    let mut port = 0;
    let mut config = ServerConfig::default();
    let mut faults = Vec::new();
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        if flag == "--enforce-tps" {
            config.enforce_tps = true;
            continue;
        }
        if flag == "-h" || flag == "--help" {
            return Err(USAGE.to_owned());
        }
        if !VALUED.contains(&flag.as_str()) {
            return Err(format!("unknown argument `{flag}`\n{USAGE}"));
        }
        let value = args
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        let number = || {
            value
                .parse::<u64>()
                .map_err(|_| format!("{flag}: `{value}` is not a number"))
        };
        match flag.as_str() {
            "--port" => {
                port = u16::try_from(number()?)
                    .map_err(|_| format!("--port: `{value}` is too big"))?;
            }
            "--state-delay-ms" => config.state_delay = Duration::from_millis(number()?),
            "--latency-ms" => config.latency = Duration::from_millis(number()?),
            "--moto-endpoint" => config.moto_endpoint = Some(value.clone()),
            "--fault" => faults.push(fault(value)?),
            "--logging-configuration-quota" => {
                config.logging_configuration_quota =
                    usize::try_from(number()?).map_err(|_| format!("{flag}: too big"))?;
            }
            _ => return Err(format!("unknown argument `{flag}`\n{USAGE}")),
        }
    }
    Ok((port, config, faults))
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (port, config, faults) = match parse(&args) {
        Ok(parsed) => parsed,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let server = match IvsChatServer::bind(SocketAddr::from(([127, 0, 0, 1], port)), config) {
        Ok(server) => server,
        Err(error) => {
            eprintln!("ivschat-local: cannot listen on 127.0.0.1:{port}: {error}");
            return ExitCode::from(2);
        }
    };
    for rule in faults {
        server.control().inject(rule);
    }
    println!("ivschat-local listening on {}", server.endpoint());
    // Serves until the process is interrupted (Ctrl-C ends it; tokio's signal feature would
    // change the AWS stack's features, see Cargo.toml).
    std::future::pending::<()>().await;
    drop(server);
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn flags_fill_the_config() {
        let (port, config, faults) = parse(&args(
            "--port 5000 --state-delay-ms 250 --enforce-tps --moto-endpoint http://m --logging-configuration-quota 20 --fault CreateRoom:500:2:after --fault GetRoom:429:1 --fault CreateLoggingConfiguration:0:1:hang-up --fault TagResource:0:3:lost",
        ))
        .unwrap();
        assert_eq!(
            faults,
            [
                FaultRule::after_effect("CreateRoom", 500, 2),
                FaultRule::on("GetRoom", 429, 1),
                FaultRule::hang_up_after_effect("CreateLoggingConfiguration", 1),
                FaultRule::lost_write("TagResource", 3),
            ]
        );
        assert_eq!(port, 5000);
        assert_eq!(config.state_delay, Duration::from_millis(250));
        assert!(config.enforce_tps);
        assert_eq!(config.moto_endpoint.as_deref(), Some("http://m"));
        assert_eq!(config.logging_configuration_quota, 20);
    }

    #[test]
    fn unknown_flags_missing_values_and_bad_numbers_are_refused() {
        assert!(
            parse(&args("--bogus"))
                .unwrap_err()
                .starts_with("unknown argument `--bogus`")
        );
        assert!(
            parse(&args("--port"))
                .unwrap_err()
                .starts_with("--port needs a value")
        );
        assert!(
            parse(&args("--port 70000"))
                .unwrap_err()
                .contains("too big")
        );
        for bad in [
            "CreateRoom",
            "CreateRoom:x:1",
            "CreateRoom:500:1:later",
            ":500:1",
        ] {
            assert!(
                parse(&args(&format!("--fault {bad}")))
                    .unwrap_err()
                    .contains("is not OPERATION:STATUS:TIMES"),
                "{bad}"
            );
        }
        assert!(
            parse(&args("--latency-ms x"))
                .unwrap_err()
                .contains("not a number")
        );
    }
}
