//! Benchmark (not a test): `chatlog plan` and `chatlog drift` over 1,000 rooms and 10 logging
//! configurations, through the real binary, against the project's IVS Chat server answering with
//! realistic latency and enforcing the real TPS quotas (aws-facts.md §1(b)), and moto for STS.
//! Reports API calls per operation and wall time against the lower bound the quotas allow.
//!
//! `cargo bench --bench live -- [ROOMS] [LATENCY_MS] [WARM_RUNS]` (defaults 1000, 50, 3). Needs
//! the venv with moto (`scripts/test` makes it). Under `cargo test` it does nothing.
//!
//! `cargo bench --bench live -- deployments [ROOMS] [LATENCY_MS] [RUNS]` (e.g. `200 50 3`):
//! apply from nothing, cold drift and warm drift over 1 and then 8 deployments (regions) of
//! ROOMS rooms each, medians of RUNS, against the bound the quotas allow per deployment
//! (ROOMS/5 s for creates and GetRoom, ROOMS/250 s for listing).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;
use std::process::Command;
use std::time::{Duration, Instant};

use chatlog_testkit::ivschat::{IvsChatServer, ServerConfig};
use chatlog_testkit::moto::{MotoServer, s3_client};

const ACCOUNT: &str = "111122223333";
const REGION: &str = "us-west-2";
const CONFIGURATIONS: usize = 10;

fn spec(rooms: usize) -> String {
    let mut s = format!(
        "version: 1\nname: bench\ndefaults: {{account: \"{ACCOUNT}\", region: {REGION}}}\ndestinations:\n"
    );
    for c in 0..CONFIGURATIONS {
        s.push_str(&format!(
            "  d{c}: {{s3: {{bucket: chatlog-bench-{c}-{ACCOUNT}}}}}\n"
        ));
    }
    s.push_str("logging_configurations:\n");
    for c in 0..CONFIGURATIONS {
        s.push_str(&format!("  c{c}: {{destination: d{c}}}\n"));
    }
    s.push_str("rooms:\n");
    for r in 0..rooms {
        s.push_str(&format!(
            "  room-{r}: {{logging: [c{}], maximum_message_rate_per_second: {}}}\n",
            r % CONFIGURATIONS,
            1 + r % 100
        ));
    }
    s
}

fn owned(key: &str) -> std::collections::HashMap<String, String> {
    [("chatlog:spec", "bench"), ("chatlog:key", key)]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

/// The account as the spec wants it, so that plan finds nothing to change.
fn populate(server: &IvsChatServer, moto: &MotoServer, rooms: usize) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let s3 = s3_client(&moto.sdk_config(ACCOUNT, REGION));
        let chat = aws_sdk_ivschat::Client::new(&server.sdk_config(ACCOUNT, REGION));
        let mut arns = Vec::new();
        for c in 0..CONFIGURATIONS {
            let bucket = format!("chatlog-bench-{c}-{ACCOUNT}");
            s3.create_bucket()
                .bucket(&bucket)
                .create_bucket_configuration(
                    aws_sdk_s3::types::CreateBucketConfiguration::builder()
                        .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::UsWest2)
                        .build(),
                )
                .send()
                .await
                .unwrap();
            let out = chat
                .create_logging_configuration()
                .name(format!("c{c}"))
                .destination_configuration(aws_sdk_ivschat::types::DestinationConfiguration::S3(
                    aws_sdk_ivschat::types::S3DestinationConfiguration::builder()
                        .bucket_name(bucket)
                        .build()
                        .unwrap(),
                ))
                .set_tags(Some(owned(&format!("c{c}"))))
                .send()
                .await
                .unwrap();
            arns.push(out.arn().unwrap().to_owned());
        }
        for r in 0..rooms {
            chat.create_room()
                .name(format!("room-{r}"))
                .maximum_message_rate_per_second(i32::try_from(1 + r % 100).unwrap())
                .logging_configuration_identifiers(arns[r % CONFIGURATIONS].clone())
                .set_tags(Some(owned(&format!("room-{r}"))))
                .send()
                .await
                .unwrap();
        }
    });
}

struct Run {
    wall: Duration,
    calls: BTreeMap<String, usize>,
    throttled: usize,
}

fn run(
    binary: &std::path::Path,
    server: &IvsChatServer,
    moto: &MotoServer,
    args: &[&str],
    cache: &std::path::Path,
) -> Run {
    run_as(binary, server, moto, ACCOUNT, args, cache)
}

fn run_as(
    binary: &std::path::Path,
    server: &IvsChatServer,
    moto: &MotoServer,
    account: &str,
    args: &[&str],
    cache: &std::path::Path,
) -> Run {
    let control = server.control();
    control.clear_calls();
    let start = Instant::now();
    let out = Command::new(binary)
        .args(args)
        .env("AWS_ACCESS_KEY_ID", account)
        .env("AWS_SECRET_ACCESS_KEY", "bench")
        .env("AWS_REGION", REGION)
        .env("AWS_ENDPOINT_URL", moto.endpoint())
        .env("AWS_ENDPOINT_URL_IVSCHAT", server.endpoint())
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
        .env("CHATLOG_CACHE_DIR", cache)
        .output()
        .unwrap();
    let wall = start.elapsed();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.code() == Some(0),
        "{args:?} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut calls = BTreeMap::new();
    let mut throttled = 0;
    for c in control.calls() {
        *calls.entry(c.operation.clone()).or_insert(0) += 1;
        if c.status == 429 {
            throttled += 1;
        }
    }
    Run {
        wall,
        calls,
        throttled,
    }
}

fn report(label: &str, runs: &[Run], bound: Duration) {
    let mut walls: Vec<Duration> = runs.iter().map(|r| r.wall).collect();
    walls.sort();
    let median = walls[walls.len() / 2];
    println!(
        "{label}: median {:.2}s over {} run(s) (runs: {}); lower bound {:.2}s; calls per run {:?}; 429 answers {}",
        median.as_secs_f64(),
        runs.len(),
        walls
            .iter()
            .map(|w| format!("{:.2}s", w.as_secs_f64()))
            .collect::<Vec<_>>()
            .join(", "),
        bound.as_secs_f64(),
        runs.iter()
            .map(|r| r.calls.values().sum::<usize>())
            .collect::<Vec<_>>(),
        runs.iter().map(|r| r.throttled).sum::<usize>()
    );
    for (i, r) in runs.iter().enumerate() {
        println!(
            "  run {}: {:.2}s, calls {:?}",
            i + 1,
            r.wall.as_secs_f64(),
            r.calls
        );
    }
}

/// The quotas allow `tps` calls a second, the first at once: n calls need (n-1)/tps seconds.
fn bound(calls: usize, tps: u32) -> Duration {
    Duration::from_secs_f64(calls.saturating_sub(1) as f64 / f64::from(tps))
}

/// Regions the multi-deployment runs spread over, one deployment each.
const DEPLOYMENT_REGIONS: [&str; 8] = [
    "us-east-1",
    "us-west-2",
    "eu-west-1",
    "eu-central-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-south-1",
    "ca-central-1",
];
const LOG_GROUP: &str = "/aws/vendedlogs/ivschat/bench";

/// `deployments` regions of `account`, each with an existing log group, one logging
/// configuration and `rooms` rooms.
fn deployments_spec(account: &str, deployments: usize, rooms: usize) -> String {
    let regions = DEPLOYMENT_REGIONS.iter().take(deployments);
    let mut s = format!(
        "version: 1\nname: bench\ndefaults: {{account: \"{account}\", region: us-east-1}}\ndestinations:\n"
    );
    for r in regions.clone() {
        s.push_str(&format!(
            "  tail-{r}: {{region: {r}, cloudwatch_logs: {{log_group: {LOG_GROUP}}}}}\n"
        ));
    }
    s.push_str("logging_configurations:\n");
    for r in regions.clone() {
        s.push_str(&format!("  tail-{r}: {{destination: tail-{r}}}\n"));
    }
    s.push_str("rooms:\n");
    for r in regions {
        for n in 0..rooms {
            s.push_str(&format!(
                "  room-{r}-{n}: {{region: {r}, logging: [tail-{r}], maximum_message_rate_per_second: {}}}\n",
                1 + n % 100
            ));
        }
    }
    s
}

/// A fresh account with the log groups the spec of `deployments` names.
fn fresh_world(moto: &MotoServer, deployments: usize) -> String {
    let account = chatlog_testkit::moto::fresh_account();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        for r in DEPLOYMENT_REGIONS.iter().take(deployments) {
            aws_sdk_cloudwatchlogs::Client::new(&moto.sdk_config(&account, r))
                .create_log_group()
                .log_group_name(LOG_GROUP)
                .send()
                .await
                .unwrap();
        }
    });
    account
}

fn median(mut walls: Vec<Duration>) -> Duration {
    walls.sort();
    walls[walls.len() / 2]
}

/// Apply from nothing, then drift cold (GetRoom for every room) and warm (the room cache), for
/// 1 and 8 deployments of `rooms` rooms: each deployment is paced at its own quotas, so 8 should
/// take about as long as 1.
fn deployments_bench(
    binary: &std::path::Path,
    moto: &MotoServer,
    latency: Duration,
    rooms: usize,
    runs: usize,
) {
    for deployments in [1, 8] {
        let server = IvsChatServer::start_in_background(ServerConfig {
            moto_endpoint: Some(moto.endpoint().to_owned()),
            ..ServerConfig::default()
        })
        .unwrap();
        let control = server.control();
        control.set_latency(latency);
        control.set_enforce_tps(true);
        let dir = std::env::temp_dir().join(format!(
            "chatlog-bench-deployments-{}-{deployments}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let create_bound = bound(rooms, 5);
        let list_bound = bound(rooms.div_ceil(50), 5);
        println!(
            "{deployments} deployment(s) x {rooms} rooms, {}ms latency per call, quotas enforced",
            latency.as_millis()
        );
        let mut applies = Vec::new();
        let mut last = None;
        for run_index in 0..runs {
            let account = fresh_world(moto, deployments);
            let spec = dir.join(format!("spec-{run_index}.yaml"));
            std::fs::write(&spec, deployments_spec(&account, deployments, rooms)).unwrap();
            let cache = dir.join(format!("cache-{run_index}"));
            let r = run_as(
                binary,
                &server,
                moto,
                &account,
                &["apply", "--auto-approve", spec.to_str().unwrap()],
                &cache,
            );
            applies.push(r);
            last = Some((account, spec, cache));
        }
        report(
            &format!("apply, {deployments} deployment(s) from nothing"),
            &applies,
            create_bound,
        );
        let (account, spec, cache) = last.unwrap();
        let spec = spec.to_str().unwrap();
        let cold: Vec<Run> = (0..runs)
            .map(|_| {
                run_as(
                    binary,
                    &server,
                    moto,
                    &account,
                    &["drift", "--no-cache", spec],
                    &cache,
                )
            })
            .collect();
        report(
            &format!("drift, cold, {deployments} deployment(s) (GetRoom for every room)"),
            &cold,
            create_bound,
        );
        // The cache only trusts rooms whose updateTime is at least 30 s old.
        std::thread::sleep(Duration::from_secs(31));
        let _ = run_as(binary, &server, moto, &account, &["drift", spec], &cache);
        let warm: Vec<Run> = (0..runs)
            .map(|_| run_as(binary, &server, moto, &account, &["drift", spec], &cache))
            .collect();
        report(
            &format!("drift, warm, {deployments} deployment(s)"),
            &warm,
            list_bound,
        );
        println!(
            "  medians: apply {:.2}s, cold drift {:.2}s, warm drift {:.2}s",
            median(applies.iter().map(|r| r.wall).collect()).as_secs_f64(),
            median(cold.iter().map(|r| r.wall).collect()).as_secs_f64(),
            median(warm.iter().map(|r| r.wall).collect()).as_secs_f64(),
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if !args.iter().any(|a| a == "--bench") {
        println!("live benchmark: run it with `cargo bench --bench live`");
        return;
    }
    let numbers: Vec<u64> = args.iter().filter_map(|a| a.parse().ok()).collect();
    let rooms = numbers.first().copied().unwrap_or(1000) as usize;
    let latency = Duration::from_millis(numbers.get(1).copied().unwrap_or(50));
    let warm_runs = numbers.get(2).copied().unwrap_or(3) as usize;

    let moto = MotoServer::start().unwrap();
    if args.iter().any(|a| a == "deployments") {
        let dir = std::env::temp_dir().join(format!("chatlog-bench-bin-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let binary = dir.join("chatlog");
        std::fs::copy(env!("CARGO_BIN_EXE_chatlog"), &binary).unwrap();
        deployments_bench(&binary, &moto, latency, rooms, warm_runs);
        let _ = std::fs::remove_dir_all(&dir);
        return;
    }
    // The server writes AWS's log-delivery statements into moto as configurations are created,
    // so the existing buckets are as a real account would have them.
    let server = IvsChatServer::start_in_background(ServerConfig {
        moto_endpoint: Some(moto.endpoint().to_owned()),
        ..ServerConfig::default()
    })
    .unwrap();
    populate(&server, &moto, rooms);
    let control = server.control();
    control.set_latency(latency);
    control.set_enforce_tps(true);

    let dir = std::env::temp_dir().join(format!("chatlog-bench-live-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let spec_path = dir.join("bench.yaml");
    std::fs::write(&spec_path, spec(rooms)).unwrap();
    let spec_arg = spec_path.to_str().unwrap();
    let cache = dir.join("cache");
    // A private copy: a concurrent `cargo build` of another feature set may replace the original.
    let binary = dir.join("chatlog");
    std::fs::copy(env!("CARGO_BIN_EXE_chatlog"), &binary).unwrap();
    println!(
        "{rooms} rooms, {CONFIGURATIONS} logging configurations, {}ms latency per call, quotas enforced",
        latency.as_millis()
    );
    let pages = rooms.div_ceil(50);
    let list_bound = bound(pages, 5);

    let cold = run(
        &binary,
        &server,
        &moto,
        &["plan", "--detailed-exitcode", spec_arg],
        &cache,
    );
    report(
        "plan, cold (GetRoom for every room)",
        &[cold],
        bound(rooms, 5).max(list_bound),
    );
    // The cache only trusts rooms whose updateTime is at least 30 s old.
    std::thread::sleep(Duration::from_secs(31));
    let _ = run(&binary, &server, &moto, &["plan", spec_arg], &cache);
    let warm: Vec<Run> = (0..warm_runs)
        .map(|_| {
            run(
                &binary,
                &server,
                &moto,
                &["plan", "--detailed-exitcode", spec_arg],
                &cache,
            )
        })
        .collect();
    report(
        "plan, warm (rooms unchanged since the last run)",
        &warm,
        list_bound,
    );
    let drift: Vec<Run> = (0..warm_runs)
        .map(|_| run(&binary, &server, &moto, &["drift", spec_arg], &cache))
        .collect();
    report("drift, warm", &drift, list_bound);
    let _ = std::fs::remove_dir_all(&dir);
}
