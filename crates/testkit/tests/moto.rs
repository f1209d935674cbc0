//! The moto launcher: it starts, isolates accounts by access key, stops, and fails loudly when
//! moto is missing.
// Test code: clippy.toml's test allowances (unwrap, expect, panic, indexing) apply to all of it.
#![cfg(test)]

use std::net::TcpStream;
use std::time::{Duration, Instant};

use aws_sdk_iam::error::ProvideErrorMetadata as _;
use chatlog_testkit::{MotoServer, fresh_account, s3_client};

#[test]
fn fresh_accounts_are_twelve_digits_and_never_repeat() {
    let accounts: Vec<String> = (0..200).map(|_| fresh_account()).collect();
    for account in &accounts {
        assert_eq!(account.len(), 12, "{account}");
        assert!(account.chars().all(|c| c.is_ascii_digit()), "{account}");
        assert_ne!(account, "123456789012");
    }
    let mut unique = accounts.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), accounts.len());
}

#[test]
fn a_missing_venv_is_an_error_that_says_how_to_install_moto() {
    let error = MotoServer::start_in(std::path::Path::new("/nonexistent/venv")).unwrap_err();
    assert!(
        error.contains("run scripts/test (it installs moto into .venv)"),
        "{error}"
    );
    assert!(error.contains("/nonexistent/venv"), "{error}");
}

#[test]
fn a_started_server_answers_and_stops_when_dropped() {
    let server = MotoServer::start().unwrap();
    let address = server.endpoint().trim_start_matches("http://").to_owned();
    assert!(TcpStream::connect(&address).is_ok());
    drop(server);
    let deadline = Instant::now() + Duration::from_secs(5);
    while TcpStream::connect(&address).is_ok() {
        assert!(Instant::now() < deadline, "moto still listens on {address}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[tokio::test]
async fn each_access_key_is_its_own_account() {
    let moto = MotoServer::shared().unwrap();
    let (a, b) = (fresh_account(), fresh_account());
    let sts_a = account_seen_by_moto(moto, &a).await;
    assert_eq!(
        sts_a, a,
        "moto must take a 12-digit access key as the account"
    );

    let iam_a = aws_sdk_iam::Client::new(&moto.sdk_config(&a, "us-east-1"));
    let iam_b = aws_sdk_iam::Client::new(&moto.sdk_config(&b, "us-east-1"));
    let created = iam_a
        .create_role()
        .role_name("isolated")
        .assume_role_policy_document("{}")
        .send()
        .await
        .unwrap();
    assert!(created.role().unwrap().arn().contains(&format!(":{a}:")));
    let other = iam_b
        .get_role()
        .role_name("isolated")
        .send()
        .await
        .unwrap_err();
    assert_eq!(other.code(), Some("NoSuchEntity"));

    // Buckets are listed per account, too.
    let bucket = format!("isolation-{a}");
    let s3_a = s3_client(&moto.sdk_config(&a, "us-east-1"));
    let s3_b = s3_client(&moto.sdk_config(&b, "us-east-1"));
    s3_a.create_bucket().bucket(&bucket).send().await.unwrap();
    let names = |out: aws_sdk_s3::operation::list_buckets::ListBucketsOutput| -> Vec<String> {
        out.buckets()
            .iter()
            .filter_map(|b| b.name().map(str::to_owned))
            .collect()
    };
    assert!(names(s3_a.list_buckets().send().await.unwrap()).contains(&bucket));
    assert!(!names(s3_b.list_buckets().send().await.unwrap()).contains(&bucket));
}

/// The account moto puts in the ARN of the calling user for `account`'s credentials.
async fn account_seen_by_moto(moto: &MotoServer, account: &str) -> String {
    let iam = aws_sdk_iam::Client::new(&moto.sdk_config(account, "us-east-1"));
    // IAM GetUser without a name describes the caller; its ARN carries the account.
    let user = iam.get_user().send().await.unwrap();
    let arn = user.user().unwrap().arn().to_owned();
    arn.split(':').nth(4).unwrap().to_owned()
}
