//! `s3://bucket/prefix`: audits every object under the prefix (remote S3 backend states),
//! downloading concurrently. Objects are recognised by content like walked files.

use std::sync::Arc;

use anyhow::Context;

use super::input::{audit_bytes, Ctx, InputReport, Origin};

/// Downloads at most this many objects at once.
const CONCURRENCY: usize = 8;

/// Splits `s3://bucket/prefix`.
pub fn parse_url(url: &str) -> anyhow::Result<(String, String)> {
    let rest = url
        .strip_prefix("s3://")
        .context("an S3 location must start with s3://")?;
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    anyhow::ensure!(!bucket.is_empty(), "{url}: missing bucket name");
    Ok((bucket.to_string(), prefix.to_string()))
}

async fn client() -> anyhow::Result<aws_sdk_s3::Client> {
    let conf = aws_config::load_from_env().await;
    crate::endpoints::check_aws_endpoints("AWS_ENDPOINT_URL_S3", conf.endpoint_url())?;
    let mut b = aws_sdk_s3::config::Builder::from(&conf);
    // Emulators (moto, MinIO, LocalStack) behind AWS_ENDPOINT_URL need path-style requests.
    if std::env::var_os("AWS_ENDPOINT_URL").is_some()
        || std::env::var_os("AWS_ENDPOINT_URL_S3").is_some()
    {
        b = b.force_path_style(true);
    }
    Ok(aws_sdk_s3::Client::from_conf(b.build()))
}

/// Audits every object under each `s3://` location. Failures become input errors.
pub fn audit_all(urls: &[String], ctx: Arc<Ctx>) -> anyhow::Result<Vec<InputReport>> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    rt.block_on(async move {
        let client = client().await?;
        let mut reports = Vec::new();
        for url in urls {
            let (bucket, prefix) = match parse_url(url) {
                Ok(x) => x,
                Err(e) => {
                    reports.push(InputReport::error(url, format!("{e:#}")));
                    continue;
                }
            };
            let mut keys = Vec::new();
            let mut pages = client
                .list_objects_v2()
                .bucket(&bucket)
                .prefix(&prefix)
                .into_paginator()
                .send();
            let mut failed = false;
            while let Some(page) = pages.next().await {
                match page {
                    Ok(p) => keys.extend(
                        p.contents()
                            .iter()
                            .filter_map(|o| o.key().map(str::to_string)),
                    ),
                    Err(e) => {
                        let e = aws_sdk_s3::Error::from(e);
                        reports.push(InputReport::error(url, format!("cannot list objects: {e}")));
                        failed = true;
                        break;
                    }
                }
            }
            if failed {
                continue;
            }
            if keys.is_empty() {
                reports.push(InputReport::error(url, "no objects under this prefix"));
                continue;
            }
            keys.sort();
            let sem = Arc::new(tokio::sync::Semaphore::new(CONCURRENCY));
            let mut tasks = Vec::new();
            for key in keys {
                let (client, bucket, sem, ctx) =
                    (client.clone(), bucket.clone(), sem.clone(), ctx.clone());
                tasks.push(tokio::spawn(async move {
                    let _permit = sem.acquire().await;
                    let name = format!("s3://{bucket}/{key}");
                    let body = match client.get_object().bucket(&bucket).key(&key).send().await {
                        Ok(o) => o
                            .body
                            .collect()
                            .await
                            .map(|b| b.into_bytes())
                            .map_err(|e| e.to_string()),
                        Err(e) => Err(aws_sdk_s3::Error::from(e).to_string()),
                    };
                    match body {
                        Ok(bytes) => tokio::task::spawn_blocking(move || {
                            audit_bytes(&bytes, &name, Origin::WalkedLenient, &ctx)
                        })
                        .await
                        .unwrap_or_else(|e| {
                            InputReport::error(
                                &format!("s3://{bucket}/{key}"),
                                format!("scan task failed: {e}"),
                            )
                        }),
                        Err(e) => InputReport::error(&name, format!("cannot download: {e}")),
                    }
                }));
            }
            for t in tasks {
                match t.await {
                    Ok(r) => reports.push(r),
                    Err(e) => reports.push(InputReport::error(
                        url,
                        format!("download task failed: {e}"),
                    )),
                }
            }
        }
        Ok(reports)
    })
}
