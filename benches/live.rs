//! Benchmark (not a test): `chatlog plan` and `chatlog drift` over 1,000 rooms and 10 logging
//! configurations, through the real binary, against the project's IVS Chat server answering with
//! realistic latency and enforcing the real TPS quotas (aws-facts.md §1(b)), and moto for STS.
//! Reports API calls per operation and wall time against the lower bound the quotas allow.
//!
//! `cargo bench --bench live -- [ROOMS] [LATENCY_MS] [WARM_RUNS]` (defaults 1000, 50, 3). Needs
//! the venv with moto (`scripts/test` makes it). Under `cargo test` it does nothing.
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
    let control = server.control();
    control.clear_calls();
    let start = Instant::now();
    let out = Command::new(binary)
        .args(args)
        .env("AWS_ACCESS_KEY_ID", ACCOUNT)
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
