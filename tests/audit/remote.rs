//! S3 sweeps and `--known-secret aws-sm:` against a real moto server. The harness exports
//! `GCOAUTH_TEST_AWS_ENDPOINT`; without it these tests fail (they must not pass silently).

use crate::util::{cmd, fixture, run_with};

fn endpoint() -> String {
    std::env::var("GCOAUTH_TEST_AWS_ENDPOINT")
        .expect("GCOAUTH_TEST_AWS_ENDPOINT is not set: start `moto_server -H 127.0.0.1 -p PORT` and export GCOAUTH_TEST_AWS_ENDPOINT=http://127.0.0.1:PORT")
}

fn aws_cmd(ep: &str) -> std::process::Command {
    let mut c = cmd();
    c.env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ENDPOINT_URL", ep)
        .env("AWS_EC2_METADATA_DISABLED", "true");
    c
}

async fn sdk_conf(ep: &str) -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .endpoint_url(ep)
        .credentials_provider(aws_sdk_s3::config::Credentials::new(
            "test", "test", None, None, "test",
        ))
        .load()
        .await
}

fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{prefix}-{}-{nanos}", std::process::id())
}

#[test]
fn s3_sweep_audits_every_state_object() {
    let ep = endpoint();
    let bucket = unique("gcoauth-audit");
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let conf = sdk_conf(&ep).await;
        let s3 = aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&conf)
                .force_path_style(true)
                .build(),
        );
        s3.create_bucket()
            .bucket(&bucket)
            .send()
            .await
            .expect("create bucket");
        for (key, fx) in [
            ("states/prod/terraform.tfstate", "tf/leaky.tfstate"),
            (
                "states/env:/dev/prod/terraform.tfstate",
                "hand/oauth-client.tfstate",
            ),
            ("states/clean/network", "tf/clean.tfstate"),
            (
                "states/prod/terraform.tfstate.tflock",
                "hand/not-terraform.json",
            ),
            ("other/terraform.tfstate", "hand/oauth-client.tfstate"),
        ] {
            let body = std::fs::read(fixture(fx)).unwrap();
            s3.put_object()
                .bucket(&bucket)
                .key(key)
                .body(body.into())
                .send()
                .await
                .expect("put object");
        }
    });
    let url = format!("s3://{bucket}/states/");
    let r = run_with(aws_cmd(&ep), &[&url, "--format", "json"], None);
    r.assert_no_secret();
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let v = r.json();
    assert_eq!(
        v["files_scanned"], 3,
        "two leaky states and one clean; the lock file is skipped"
    );
    let files: std::collections::BTreeSet<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["file"].as_str().unwrap())
        .collect();
    assert_eq!(
        files.into_iter().collect::<Vec<_>>(),
        vec![
            format!("s3://{bucket}/states/env:/dev/prod/terraform.tfstate"),
            format!("s3://{bucket}/states/prod/terraform.tfstate")
        ]
    );
    // An empty prefix or a missing bucket is an error, not a clean run.
    let r = run_with(
        aws_cmd(&ep),
        &[&format!("s3://{bucket}/nothing-here/")],
        None,
    );
    assert_eq!(r.code, 2);
    let r = run_with(
        aws_cmd(&ep),
        &[&format!("s3://{}/x", unique("missing"))],
        None,
    );
    assert_eq!(r.code, 2);
}

#[test]
fn known_secret_from_secrets_manager() {
    let ep = endpoint();
    let name = unique("genesys/oauth");
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let conf = sdk_conf(&ep).await;
        let sm = aws_sdk_secretsmanager::Client::new(&conf);
        sm.create_secret()
            .name(&name)
            .secret_string(
                r#"{"client_id":"c0ffee00","client_secret":"FAKEplanSecret9876543210zyxQ"}"#,
            )
            .send()
            .await
            .expect("create secret");
    });
    let spec = format!("aws-sm:{name}");
    let r = run_with(
        aws_cmd(&ep),
        &[
            fixture("tf/leaky.tfplan").to_str().unwrap(),
            "--known-secret",
            &spec,
            "--format",
            "json",
        ],
        None,
    );
    r.assert_no_secret();
    assert_eq!(r.code, 1);
    assert!(
        r.json()["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["member"] == "tfplan" && x["rule"] == "known-secret"),
        "{}",
        r.stdout
    );
    // A missing secret is an error (exit 2), not a silent pass.
    let r = run_with(
        aws_cmd(&ep),
        &[
            fixture("tf/clean.tfstate").to_str().unwrap(),
            "--known-secret",
            "aws-sm:does-not-exist",
        ],
        None,
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
}
