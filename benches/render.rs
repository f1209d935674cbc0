//! Benchmark (not a test): validate + render of generated specs with many rooms over several
//! deployments. `cargo bench --bench render -- [ROOMS] [DEPLOYMENTS] [RUNS]`; without arguments
//! it runs 5,000 and 50,000 rooms over 5 deployments. Prints the median and every run's time;
//! measure peak memory with `/usr/bin/time -v target/release/deps/render-* 50000 5 1`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::time::{Duration, Instant};

use chatlog::render::{self, Target, TemplateFormat};
use chatlog::spec::load::Input;

const REGIONS: [&str; 7] = [
    "us-east-1",
    "us-west-2",
    "eu-west-1",
    "eu-central-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-south-1",
];

/// A spec like a real large one: per deployment a created bucket, a created log group and an
/// existing Firehose stream, three logging configurations; rooms spread over the deployments,
/// each logging to two of them, with tags and a message limit.
fn spec(rooms: usize, deployments: usize) -> String {
    let mut s = String::from(
        "version: 1\ndefaults:\n  account: \"111122223333\"\n  region: us-east-1\n  tags:\n    team: live\n    cost-center: \"4711\"\n",
    );
    let regions: Vec<&str> = (0..deployments)
        .map(|i| REGIONS[i % REGIONS.len()])
        .collect();
    s.push_str("destinations:\n");
    for (i, r) in regions.iter().enumerate() {
        s.push_str(&format!("  archive-{i}:\n    region: {r}\n    s3:\n      bucket: acme-chat-bench-{i}-{r}\n      create: true\n"));
        s.push_str(&format!("  tail-{i}:\n    region: {r}\n    cloudwatch_logs:\n      log_group: /aws/vendedlogs/ivschat/bench-{i}\n      create: true\n      retention_days: 30\n"));
        s.push_str(&format!(
            "  stream-{i}:\n    region: {r}\n    firehose:\n      delivery_stream: chat-bench-{i}\n"
        ));
    }
    s.push_str("logging_configurations:\n");
    for i in 0..deployments {
        for kind in ["archive", "tail", "stream"] {
            s.push_str(&format!("  {kind}-{i}:\n    destination: {kind}-{i}\n"));
        }
    }
    s.push_str("rooms:\n");
    for n in 0..rooms {
        let i = n % deployments;
        s.push_str(&format!(
            "  room-{n:06}:\n    region: {}\n    logging: [archive-{i}, tail-{i}]\n    maximum_message_length: 500\n    maximum_message_rate_per_second: 10\n    tags:\n      show: show-{}\n",
            regions[i],
            n % 97
        ));
    }
    s
}

fn once(text: &str) -> (Duration, usize, usize) {
    let start = Instant::now();
    let v = chatlog::validate::validate(vec![Input {
        name: "bench.yaml".into(),
        bytes: text.as_bytes().to_vec(),
    }]);
    assert!(!v.has_errors(), "{:?}", v.diagnostics.first());
    let model = v.model.as_ref().unwrap();
    let validated = start.elapsed();
    let r = render::render(
        model,
        &v.sources,
        &[Target::CloudFormation, Target::Policies],
        TemplateFormat::Yaml,
    )
    .unwrap();
    assert!(!r.has_errors());
    let bytes = r.files.iter().map(|f| f.contents.len()).sum();
    if std::env::var_os("BENCH_SPLIT").is_some() {
        eprintln!(
            "validate {:.3} s, render {:.3} s",
            validated.as_secs_f64(),
            (start.elapsed() - validated).as_secs_f64()
        );
    }
    (start.elapsed(), r.files.len(), bytes)
}

fn bench(rooms: usize, deployments: usize, runs: usize) {
    let text = spec(rooms, deployments);
    let mut times = Vec::new();
    let mut shape = (0, 0);
    for _ in 0..runs {
        let (t, files, bytes) = once(&text);
        times.push(t);
        shape = (files, bytes);
    }
    let mut sorted = times.clone();
    sorted.sort();
    let median = sorted[sorted.len() / 2];
    println!(
        "{rooms} rooms, {deployments} deployments, spec {} KB -> {} files, {} KB: median {:.3} s over {runs} runs {:?}",
        text.len() / 1024,
        shape.0,
        shape.1 / 1024,
        median.as_secs_f64(),
        times
            .iter()
            .map(|t| format!("{:.3}", t.as_secs_f64()))
            .collect::<Vec<_>>()
    );
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    match args.as_slice() {
        [rooms, deployments, runs, ..] => bench(*rooms, *deployments, *runs),
        [rooms, deployments] => bench(*rooms, *deployments, 5),
        [rooms] => bench(*rooms, 5, 5),
        _ => {
            bench(5_000, 5, 5);
            bench(50_000, 5, 3);
        }
    }
}
