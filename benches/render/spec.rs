//! The generated spec the render benchmark reads: shaped like a real large one, so the figures
//! stay comparable from run to run and with the measurements in issue 17.

const REGIONS: [&str; 7] = [
    "us-east-1",
    "us-west-2",
    "eu-west-1",
    "eu-central-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-south-1",
];

/// Per deployment a created bucket, a created log group and an existing Firehose stream, three
/// logging configurations; rooms spread over the deployments, each logging to two of them, with
/// tags and a message limit.
pub fn spec(rooms: usize, deployments: usize) -> String {
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
