//! Test harness: a Genesys emulator in process, a real moto (from `GCOAUTH_TEST_AWS_ENDPOINT`,
//! started by scripts/test.sh) behind gcoauth's AWS fault proxy, and the real `gcoauth`
//! binary as a child process with a cleared environment. Every output of every run is kept
//! so a test can assert that no secret ever appeared in it.
#![allow(dead_code)]

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Command, Stdio};

use gcoauth::emulator::{AwsProxy, Emulator, EmulatorConfig};
use gcoauth::secret::Secret;
use serde_json::{json, Value};

/// One `gcoauth` run.
#[derive(Debug)]
pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Out {
    /// The stdout JSON line.
    pub fn json(&self) -> Value {
        serde_json::from_str(self.stdout.trim())
            .unwrap_or_else(|e| panic!("stdout is not one JSON line ({e}): {self:?}"))
    }
}

pub struct Harness {
    pub rt: tokio::runtime::Runtime,
    pub emu: Option<Emulator>,
    pub proxy: Option<AwsProxy>,
    pub moto: String,
    pub admin_id: String,
    pub admin_secret: String,
    pub prefix: String,
    pub sm: aws_sdk_secretsmanager::Client,
    http: reqwest::Client,
    outputs: RefCell<Vec<String>>,
    secrets_seen: RefCell<Vec<String>>,
}

pub fn moto_endpoint() -> String {
    std::env::var("GCOAUTH_TEST_AWS_ENDPOINT").unwrap_or_else(|_| {
        panic!("GCOAUTH_TEST_AWS_ENDPOINT is not set: run the suite with scripts/test.sh (it starts moto), or start `moto_server -H 127.0.0.1 -p PORT` and export GCOAUTH_TEST_AWS_ENDPOINT=http://127.0.0.1:PORT")
    })
}

impl Harness {
    pub fn new() -> Self {
        Self::with_config(|_| {})
    }

    pub fn with_config(tweak: impl FnOnce(&mut EmulatorConfig)) -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let admin_id = format!("admin-{}", uuid::Uuid::new_v4().simple());
        let admin_secret = format!("ADMINsecret{}", uuid::Uuid::new_v4().simple());
        let mut cfg = EmulatorConfig::new(admin_id.clone(), Secret::new(admin_secret.clone()));
        tweak(&mut cfg);
        let emu = rt.block_on(Emulator::start(cfg)).expect("emulator starts");
        let moto = moto_endpoint();
        let proxy = rt
            .block_on(AwsProxy::start(
                moto.clone(),
                "127.0.0.1:0".parse().unwrap(),
            ))
            .expect("aws proxy starts");
        let sm = rt.block_on(async {
            let conf = aws_config::defaults(aws_config::BehaviorVersion::latest())
                .region(aws_config::Region::new("us-east-1"))
                .endpoint_url(&moto)
                .credentials_provider(aws_sdk_secretsmanager::config::Credentials::new(
                    "test", "test", None, None, "static",
                ))
                .load()
                .await;
            aws_sdk_secretsmanager::Client::new(&conf)
        });
        Harness {
            rt,
            emu: Some(emu),
            proxy: Some(proxy),
            moto,
            secrets_seen: RefCell::new(vec![admin_secret.clone()]),
            admin_id,
            admin_secret,
            prefix: format!("gcoauth-test/{}", uuid::Uuid::new_v4().simple()),
            sm,
            http: reqwest::Client::new(),
            outputs: RefCell::new(Vec::new()),
        }
    }

    pub fn emu_url(&self) -> String {
        self.emu.as_ref().unwrap().base_url()
    }

    pub fn proxy_url(&self) -> String {
        self.proxy.as_ref().unwrap().base_url()
    }

    /// A unique secret name for this test.
    pub fn secret_name(&self, suffix: &str) -> String {
        format!("{}/{suffix}", self.prefix)
    }

    /// A valid client-credentials spec storing into `secret_name(suffix)`.
    pub fn spec(&self, suffix: &str) -> Value {
        json!({
            "name": format!("test client {suffix}"),
            "description": "made by the test suite",
            "grant_type": "CLIENT-CREDENTIALS",
            "roles": [{"role_id": "role-1", "division_id": "*"}],
            "access_token_validity_seconds": 3600,
            "store": {"type": "aws_secretsmanager", "name": self.secret_name(suffix), "region": "us-east-1", "recovery_window_days": 0}
        })
    }

    fn base_env(&self) -> BTreeMap<String, String> {
        let mut env = BTreeMap::new();
        for (k, v) in [
            ("PATH", std::env::var("PATH").unwrap_or_default()),
            ("HOME", std::env::temp_dir().display().to_string()),
            ("GENESYSCLOUD_OAUTHCLIENT_ID", self.admin_id.clone()),
            ("GENESYSCLOUD_OAUTHCLIENT_SECRET", self.admin_secret.clone()),
            ("GCOAUTH_API_URL", self.emu_url()),
            ("GCOAUTH_LOGIN_URL", self.emu_url()),
            ("AWS_ENDPOINT_URL", self.proxy_url()),
            ("AWS_ACCESS_KEY_ID", "test".into()),
            ("AWS_SECRET_ACCESS_KEY", "test".into()),
            ("AWS_REGION", "us-east-1".into()),
            ("AWS_EC2_METADATA_DISABLED", "true".into()),
            ("GCOAUTH_RETRY_MAX_SECONDS", "8".into()),
            ("GCOAUTH_HTTP_TIMEOUT_SECONDS", "3".into()),
            ("RUST_LOG", "trace".into()),
        ] {
            env.insert(k.to_string(), v);
        }
        env
    }

    /// Runs `gcoauth client <cmd>` with the spec in GCOAUTH_SPEC.
    pub fn client(&self, cmd: &str, spec: &Value) -> Out {
        self.run(&["client", cmd], Some(spec), &[], None)
    }

    /// Runs gcoauth with extra environment (`("VAR", None)` removes a variable).
    pub fn run(
        &self,
        args: &[&str],
        spec: Option<&Value>,
        extra: &[(&str, Option<&str>)],
        stdin: Option<&str>,
    ) -> Out {
        let mut child = self
            .command(args, spec, extra)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("gcoauth runs");
        if let Some(input) = stdin {
            child
                .stdin
                .take()
                .unwrap()
                .write_all(input.as_bytes())
                .unwrap();
        }
        drop(child.stdin.take());
        let out = child.wait_with_output().unwrap();
        let out = Out {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into(),
            stderr: String::from_utf8_lossy(&out.stderr).into(),
        };
        self.outputs
            .borrow_mut()
            .push(format!("{}\n{}", out.stdout, out.stderr));
        out
    }

    /// The `gcoauth` command `run` would execute (cleared environment, the harness's variables,
    /// the spec in GCOAUTH_SPEC, `extra` applied), for callers that need the child process
    /// itself (kill tests, /proc sampling). Its output is not recorded: pass it to
    /// `record_output` so `assert_no_leaks` covers it.
    pub fn command(
        &self,
        args: &[&str],
        spec: Option<&Value>,
        extra: &[(&str, Option<&str>)],
    ) -> Command {
        let mut env = self.base_env();
        if let Some(s) = spec {
            env.insert("GCOAUTH_SPEC".into(), s.to_string());
        }
        for (k, v) in extra {
            match v {
                Some(v) => env.insert(k.to_string(), v.to_string()),
                None => env.remove(*k),
            };
        }
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_gcoauth"));
        cmd.args(args).env_clear().envs(&env);
        cmd
    }

    /// Adds text (a run's output, a sampled /proc file, a temp file) to what
    /// `assert_no_leaks` searches.
    pub fn record_output(&self, text: String) {
        self.outputs.borrow_mut().push(text);
    }

    /// Secrets `assert_no_leaks` looks for (admin secret + every stored client secret seen).
    pub fn known_secrets(&self) -> Vec<String> {
        self.secrets_seen.borrow().clone()
    }

    /// Spawns gcoauth without waiting (for kill tests).
    pub fn spawn(&self, args: &[&str], spec: &Value) -> std::process::Child {
        self.command(args, Some(spec), &[])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    }

    // ---- emulator control plane
    pub fn emu_post(&self, path: &str, body: Value) -> Value {
        let url = format!("{}{path}", self.emu_url());
        self.rt.block_on(async {
            let r = self.http.post(url).json(&body).send().await.unwrap();
            let status = r.status();
            let text = r.text().await.unwrap();
            assert!(status.is_success(), "control plane {path}: {status} {text}");
            serde_json::from_str(&text).unwrap_or(Value::Null)
        })
    }
    /// An admin access token from the emulator (client-credentials grant).
    pub fn admin_token(&self) -> String {
        let url = format!("{}/oauth/token", self.emu_url());
        let body: Value = self.rt.block_on(async {
            let r = self
                .http
                .post(url)
                .basic_auth(&self.admin_id, Some(&self.admin_secret))
                .form(&[("grant_type", "client_credentials")])
                .send()
                .await
                .unwrap();
            r.json().await.unwrap()
        });
        body["access_token"].as_str().unwrap().to_string()
    }

    /// Creates a client directly through the API (as someone other than gcoauth would);
    /// returns its id.
    pub fn api_create(&self, request: Value) -> String {
        let url = format!("{}/api/v2/oauth/clients", self.emu_url());
        let token = self.admin_token();
        let c: Value = self.rt.block_on(async {
            self.http
                .post(url)
                .bearer_auth(token)
                .json(&request)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap()
        });
        c["id"].as_str().unwrap().to_string()
    }

    pub fn emu_get(&self, path: &str) -> Value {
        self.get_json(&format!("{}{path}", self.emu_url()))
    }

    /// GET a control-plane URL and parse its JSON answer.
    pub fn get_json(&self, url: &str) -> Value {
        self.rt.block_on(async {
            self.http
                .get(url)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap()
        })
    }
    pub fn fault(&self, rule: Value) {
        self.emu_post("/__emulator/faults", rule);
    }
    pub fn clear_faults(&self) {
        let url = format!("{}/__emulator/faults", self.emu_url());
        self.rt
            .block_on(async { self.http.delete(url).send().await.unwrap() });
    }
    pub fn aws_fault(&self, rule: Value) {
        let url = format!("{}/__proxy/faults", self.proxy_url());
        self.rt.block_on(async {
            let r = self.http.post(url).json(&rule).send().await.unwrap();
            assert!(r.status().is_success(), "proxy fault: {}", r.status());
        });
    }
    pub fn clear_aws_faults(&self) {
        let url = format!("{}/__proxy/faults", self.proxy_url());
        self.rt
            .block_on(async { self.http.delete(url).send().await.unwrap() });
    }

    /// Clients that exist (not deleted) in the emulator.
    pub fn live_clients(&self) -> Vec<Value> {
        let all = self.emu_get("/__emulator/clients");
        let list = all["entities"].as_array().cloned().unwrap_or_default();
        list.into_iter()
            .filter(|c| c["state"] != "deleted")
            .collect()
    }

    /// Live clients whose name is the spec's name.
    pub fn clients_named(&self, name: &str) -> Vec<Value> {
        self.live_clients()
            .into_iter()
            .filter(|c| c["name"] == name)
            .collect()
    }

    pub fn verify_secret(&self, client_id: &str, secret: &str) -> bool {
        self.emu_post(
            "/__emulator/verify-secret",
            json!({"client_id": client_id, "secret": secret}),
        )["valid"]
            == true
    }

    pub fn stats(&self) -> Value {
        self.emu_get("/__emulator/stats")
    }

    // ---- AWS (moto, directly)
    /// The stored secret value as JSON; remembers the secret for leak checks.
    pub fn stored(&self, suffix: &str) -> Option<Value> {
        let name = self.secret_name(suffix);
        let v = self
            .rt
            .block_on(self.sm.get_secret_value().secret_id(&name).send())
            .ok()?;
        let parsed: Value = serde_json::from_str(v.secret_string()?).unwrap();
        if let Some(s) = parsed["client_secret"].as_str() {
            self.secrets_seen.borrow_mut().push(s.to_string());
        }
        Some(parsed)
    }

    /// Tags on the secret (None if absent).
    pub fn tags(&self, suffix: &str) -> Option<BTreeMap<String, String>> {
        let d = self
            .rt
            .block_on(
                self.sm
                    .describe_secret()
                    .secret_id(self.secret_name(suffix))
                    .send(),
            )
            .ok()?;
        Some(
            d.tags()
                .iter()
                .map(|t| {
                    (
                        t.key().unwrap_or_default().to_string(),
                        t.value().unwrap_or_default().to_string(),
                    )
                })
                .collect(),
        )
    }

    /// Whether the secret exists and is not scheduled for deletion.
    pub fn secret_exists(&self, suffix: &str) -> bool {
        match self.rt.block_on(
            self.sm
                .describe_secret()
                .secret_id(self.secret_name(suffix))
                .send(),
        ) {
            Ok(d) => d.deleted_date().is_none(),
            Err(_) => false,
        }
    }

    /// Creates a secret gcoauth did not create.
    pub fn foreign_secret(&self, suffix: &str) {
        self.rt
            .block_on(
                self.sm
                    .create_secret()
                    .name(self.secret_name(suffix))
                    .secret_string("{\"x\":1}")
                    .send(),
            )
            .unwrap();
    }

    /// Asserts that no secret seen so far (admin secret, stored client secrets) appears in
    /// any output of any run.
    pub fn assert_no_leaks(&self) {
        let outputs = self.outputs.borrow();
        for s in self.secrets_seen.borrow().iter() {
            for (i, o) in outputs.iter().enumerate() {
                assert!(
                    !o.contains(s.as_str()),
                    "run {i} leaked a secret ({} chars) in its output",
                    s.len()
                );
            }
        }
        for (i, o) in outputs.iter().enumerate() {
            assert!(
                !o.contains("GcSec"),
                "run {i} printed an emulator-issued secret"
            );
        }
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        let emu = self.emu.take();
        let proxy = self.proxy.take();
        self.rt.block_on(async {
            if let Some(e) = emu {
                e.shutdown().await;
            }
            if let Some(p) = proxy {
                p.shutdown().await;
            }
        });
    }
}
