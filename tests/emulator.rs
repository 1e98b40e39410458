//! Integration tests of the Genesys Cloud API emulator and the AWS fault proxy, through real
//! HTTP (reqwest) against in-process servers, the built binary, and a real moto for the proxy.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use gcoauth::emulator::{AwsProxy, Emulator, EmulatorConfig, Permission};
use gcoauth::secret::Secret;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const ADMIN_ID: &str = "admin-client-id";
const ADMIN_SECRET: &str = "admin-secret-0123456789";
const CLIENTS: &str = "/api/v2/oauth/clients";

fn config() -> EmulatorConfig {
    EmulatorConfig::new(ADMIN_ID, Secret::new(ADMIN_SECRET.into()))
}

/// A running emulator plus an HTTP client that never reuses connections (so an injected drop
/// hits exactly the request it was meant for) and ignores proxy environment variables.
struct Env {
    emu: Option<Emulator>,
    base: String,
    http: reqwest::Client,
}

fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

async fn start_with(config: EmulatorConfig) -> Env {
    let emu = Emulator::start(config).await.expect("emulator starts");
    let base = emu.base_url();
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");
    Env {
        emu: Some(emu),
        base,
        http: http_client(),
    }
}

async fn start() -> Env {
    start_with(config()).await
}

/// A default emulator and an admin token.
async fn start_admin() -> (Env, String) {
    let env = start().await;
    let token = env.admin_token().await;
    (env, token)
}

fn cc_client(name: &str) -> Value {
    json!({
        "name": name,
        "description": "made by a test",
        "authorizedGrantType": "CLIENT-CREDENTIALS",
        "accessTokenValiditySeconds": 3600,
        "state": "active",
        "roleDivisions": [{"roleId": "role-1", "divisionId": "div-1"}],
    })
}

impl Env {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn token_raw(&self, id: &str, secret: &str, grant: Option<&str>) -> reqwest::Response {
        let mut req = self
            .http
            .post(self.url("/oauth/token"))
            .basic_auth(id, Some(secret));
        if let Some(g) = grant {
            req = req.form(&[("grant_type", g)]);
        } else {
            req = req.form(&[("scope", "x")]);
        }
        req.send().await.unwrap()
    }

    async fn token(&self, id: &str, secret: &str) -> reqwest::Response {
        self.token_raw(id, secret, Some("client_credentials")).await
    }

    async fn admin_token(&self) -> String {
        let resp = self.token(ADMIN_ID, ADMIN_SECRET).await;
        assert_eq!(resp.status(), 200);
        resp.json::<Value>().await.unwrap()["access_token"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    async fn api(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> reqwest::Response {
        let mut req = self.http.request(method, self.url(path)).bearer_auth(token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        req.send().await.unwrap()
    }

    /// Creates a client and returns its JSON (with `secret`).
    async fn create(&self, token: &str, body: Value) -> Value {
        let resp = self.api(Method::POST, CLIENTS, token, Some(body)).await;
        assert_eq!(resp.status(), 200, "create is 200, not 201");
        resp.json().await.unwrap()
    }

    async fn control(&self, method: Method, path: &str, body: Option<Value>) -> Value {
        let mut req = self.http.request(method, self.url(path));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), 200, "control call {path}");
        resp.json().await.unwrap()
    }

    /// Every client the emulator holds (control plane, no secrets).
    async fn clients(&self) -> Value {
        self.control(Method::GET, "/__emulator/clients", None).await["entities"].clone()
    }

    async fn client_count(&self) -> usize {
        self.clients().await.as_array().unwrap().len()
    }

    /// POSTs a new client; `Err` when the connection fails (e.g. an injected drop).
    async fn try_create(&self, token: &str) -> Result<reqwest::Response, reqwest::Error> {
        self.http
            .post(self.url(CLIENTS))
            .bearer_auth(token)
            .json(&cc_client("x"))
            .send()
            .await
    }

    async fn status(&self, method: Method, path: &str, token: &str) -> u16 {
        self.api(method, path, token, None).await.status().as_u16()
    }

    async fn fault(&self, rule: Value) {
        self.control(Method::POST, "/__emulator/faults", Some(rule))
            .await;
    }

    async fn set_config(&self, patch: Value) {
        self.control(Method::POST, "/__emulator/config", Some(patch))
            .await;
    }

    async fn verify(&self, client_id: &str, secret: &str) -> bool {
        let v = self
            .control(
                Method::POST,
                "/__emulator/verify-secret",
                Some(json!({"client_id": client_id, "secret": secret})),
            )
            .await;
        v["valid"].as_bool().unwrap()
    }

    async fn shutdown(mut self) {
        if let Some(e) = self.emu.take() {
            e.shutdown().await;
        }
    }
}

/// Asserts an `ErrorBody` with `status`/`code` and returns it; also checks that the
/// `ININ-Correlation-Id` header equals `contextId`.
async fn expect_error(resp: reqwest::Response, status: u16, code: &str) -> Value {
    assert_eq!(resp.status().as_u16(), status);
    let corr = resp
        .headers()
        .get("ININ-Correlation-Id")
        .expect("correlation header")
        .to_str()
        .unwrap()
        .to_owned();
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["status"], status);
    assert_eq!(body["contextId"], corr.as_str());
    assert_eq!(body["details"], json!([]));
    assert_eq!(body["errors"], json!([]));
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
    body
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

// ---------------------------------------------------------------- token endpoint

#[tokio::test]
async fn token_grant_accepts_admin_and_rejects_bad_credentials_and_grants() {
    let env = start().await;
    let ok = env.token(ADMIN_ID, ADMIN_SECRET).await;
    assert_eq!(ok.status(), 200);
    let body: Value = ok.json().await.unwrap();
    assert_eq!(
        keys(&body),
        set(&["access_token", "token_type", "expires_in"])
    );
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 86400);

    let invalid = json!({"error": "invalid_client", "description": "authentication failed", "error_description": "authentication failed"});
    for (id, pw) in [(ADMIN_ID, "wrong"), ("nobody", ADMIN_SECRET)] {
        let resp = env.token(id, pw).await;
        assert_eq!(resp.status(), 401);
        assert_eq!(resp.json::<Value>().await.unwrap(), invalid);
    }
    let no_auth = env
        .http
        .post(env.url("/oauth/token"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(no_auth.status(), 401);

    let wrong = env
        .token_raw(ADMIN_ID, ADMIN_SECRET, Some("password"))
        .await;
    assert_eq!(wrong.status(), 400);
    assert_eq!(
        wrong.json::<Value>().await.unwrap()["error"],
        "unsupported_grant_type"
    );
    let missing = env.token_raw(ADMIN_ID, ADMIN_SECRET, None).await;
    assert_eq!(missing.status(), 400);
    assert_eq!(
        missing.json::<Value>().await.unwrap()["error"],
        "invalid_request"
    );
    env.shutdown().await;
}

#[tokio::test]
async fn token_rate_limit_is_a_400_invalid_request() {
    let mut cfg = config();
    cfg.settings.token_rate_limit = Some(2);
    cfg.settings.rate_window_secs = 1;
    let env = start_with(cfg).await;
    assert_eq!(env.token(ADMIN_ID, ADMIN_SECRET).await.status(), 200);
    assert_eq!(env.token(ADMIN_ID, ADMIN_SECRET).await.status(), 200);
    let limited = env.token(ADMIN_ID, ADMIN_SECRET).await;
    assert_eq!(limited.status(), 400);
    let body: Value = limited.json().await.unwrap();
    assert_eq!(body["error"], "invalid_request");
    for k in ["description", "error_description"] {
        assert!(
            body[k]
                .as_str()
                .unwrap()
                .starts_with("rate limit exceeded;"),
            "{body}"
        );
    }
    // Per client id: another id is not limited (it fails on credentials instead).
    assert_eq!(env.token("other", "x").await.status(), 401);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(env.token(ADMIN_ID, ADMIN_SECRET).await.status(), 200);
    let stats = env.control(Method::GET, "/__emulator/stats", None).await;
    assert_eq!(stats["token_rate_limited"], 1);
    assert_eq!(stats["token_requests"], 5);
    env.shutdown().await;
}

// ---------------------------------------------------------------- bearer checks

#[tokio::test]
async fn bearer_missing_invalid_and_expired_tokens_get_401() {
    let mut cfg = config();
    cfg.settings.token_ttl_secs = Some(1);
    let env = start_with(cfg).await;
    let resp = env.http.get(env.url(CLIENTS)).send().await.unwrap();
    expect_error(resp, 401, "authentication.required").await;
    expect_error(
        env.api(Method::GET, CLIENTS, "not-a-token", None).await,
        401,
        "bad.credentials",
    )
    .await;

    let token = env.admin_token().await;
    assert_eq!(env.status(Method::GET, CLIENTS, &token).await, 200);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    expect_error(
        env.api(Method::GET, CLIENTS, &token, None).await,
        401,
        "bad.credentials",
    )
    .await;
    env.shutdown().await;
}

#[tokio::test]
async fn missing_permissions_get_403_naming_the_permission() {
    let mut cfg = config();
    cfg.settings.admin_permissions = [Permission::View].into_iter().collect();
    let env = start_with(cfg).await;
    let token = env.admin_token().await;
    assert_eq!(env.status(Method::GET, CLIENTS, &token).await, 200);
    let body = expect_error(
        env.api(Method::POST, CLIENTS, &token, Some(cc_client("a")))
            .await,
        403,
        "missing.any.permissions",
    )
    .await;
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("oauth:client:add"),
        "{body}"
    );

    // Permissions are read per request, so a runtime change applies to existing tokens.
    env.set_config(json!({"admin_permissions": ["oauth:client:view", "oauth:client:add"]}))
        .await;
    let client = env.create(&token, cc_client("a")).await;
    let id = client["id"].as_str().unwrap();
    let one = format!("{CLIENTS}/{id}");
    for (method, path, perm) in [
        (Method::PUT, one.clone(), "oauth:client:edit"),
        (Method::POST, format!("{one}/secret"), "oauth:client:edit"),
        (Method::DELETE, one.clone(), "oauth:client:delete"),
    ] {
        let body = if method == Method::PUT {
            Some(cc_client("b"))
        } else {
            None
        };
        let err = expect_error(
            env.api(method, &path, &token, body).await,
            403,
            "missing.any.permissions",
        )
        .await;
        assert!(err["message"].as_str().unwrap().contains(perm), "{err}");
    }

    // A token minted by an emulated client has no oauth:client:* permission at all.
    let resp = env.token(id, client["secret"].as_str().unwrap()).await;
    assert_eq!(resp.status(), 200);
    let client_token = resp.json::<Value>().await.unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let err = expect_error(
        env.api(Method::GET, CLIENTS, &client_token, None).await,
        403,
        "missing.any.permissions",
    )
    .await;
    assert!(err["message"]
        .as_str()
        .unwrap()
        .contains("oauth:client:view"));
    env.shutdown().await;
}

// ---------------------------------------------------------------- the six endpoints

const CLIENT_FIELDS: &[&str] = &[
    "id",
    "name",
    "description",
    "accessTokenValiditySeconds",
    "registeredRedirectUri",
    "authorizedGrantType",
    "scope",
    "roleDivisions",
    "state",
    "dateCreated",
    "dateModified",
    "createdBy",
    "modifiedBy",
    "selfUri",
];

fn assert_secret_shape(secret: &str) {
    assert!(
        (20..=22).contains(&secret.len()),
        "secret length {}",
        secret.len()
    );
    assert!(secret.bytes().all(|b| b.is_ascii_alphanumeric()));
}

#[tokio::test]
async fn crud_endpoints_use_the_public_field_names_and_show_the_secret_only_on_create_and_regenerate(
) {
    let (env, token) = start_admin().await;
    let created = env.create(&token, cc_client("ci-deployer")).await;
    let mut with_secret = set(CLIENT_FIELDS);
    with_secret.insert("secret".into());
    assert_eq!(keys(&created), with_secret);
    let id = created["id"].as_str().unwrap().to_owned();
    let secret = created["secret"].as_str().unwrap().to_owned();
    assert_secret_shape(&secret);
    assert_eq!(created["authorizedGrantType"], "CLIENT-CREDENTIALS");
    assert_eq!(
        created["roleDivisions"],
        json!([{"roleId": "role-1", "divisionId": "div-1"}])
    );
    assert_eq!(created["accessTokenValiditySeconds"], 3600);
    assert_eq!(created["state"], "active");
    assert_eq!(created["selfUri"], format!("{CLIENTS}/{id}"));
    assert_eq!(keys(&created["createdBy"]), set(&["id", "selfUri"]));
    assert!(created["dateCreated"].as_str().unwrap().ends_with('Z'));

    // GET: same fields, no secret.
    let got: Value = env
        .api(Method::GET, &format!("{CLIENTS}/{id}"), &token, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(keys(&got), set(CLIENT_FIELDS));
    assert_eq!(got["name"], "ci-deployer");

    // List: a single page with everything, query parameters ignored (no filter, no paging).
    env.create(
        &token,
        json!({"name": "other", "authorizedGrantType": "CODE", "scope": ["admin"]}),
    )
    .await;
    let list: Value = env
        .api(
            Method::GET,
            &format!("{CLIENTS}?name=ci-deployer&pageSize=1&pageNumber=2"),
            &token,
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        keys(&list),
        set(&[
            "entities",
            "pageSize",
            "pageNumber",
            "total",
            "firstUri",
            "lastUri",
            "selfUri",
            "pageCount"
        ])
    );
    assert_eq!(list["total"], 2);
    assert_eq!(list["pageCount"], 1);
    let entities = list["entities"].as_array().unwrap();
    assert_eq!(entities.len(), 2);
    assert!(entities.iter().all(|e| e.get("secret").is_none()));

    // PUT: full request, response without secret, secret unchanged.
    let mut update = cc_client("ci-deployer-renamed");
    update["description"] = json!("changed");
    let resp = env
        .api(
            Method::PUT,
            &format!("{CLIENTS}/{id}"),
            &token,
            Some(update),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let put: Value = resp.json().await.unwrap();
    assert_eq!(keys(&put), set(CLIENT_FIELDS));
    assert_eq!(put["name"], "ci-deployer-renamed");
    assert_eq!(put["description"], "changed");
    assert!(env.verify(&id, &secret).await);

    // The stored secret really works: it mints a token.
    assert_eq!(env.token(&id, &secret).await.status(), 200);

    // Regenerate: new secret in the response, the old one stops working.
    let resp = env
        .api(
            Method::POST,
            &format!("{CLIENTS}/{id}/secret"),
            &token,
            None,
        )
        .await;
    assert_eq!(resp.status(), 200);
    let regen: Value = resp.json().await.unwrap();
    assert_eq!(keys(&regen), with_secret);
    let new_secret = regen["secret"].as_str().unwrap();
    assert_secret_shape(new_secret);
    assert_ne!(new_secret, secret);
    assert!(env.verify(&id, new_secret).await);
    assert!(!env.verify(&id, &secret).await);
    assert_eq!(env.token(&id, &secret).await.status(), 401);
    assert_eq!(env.token(&id, new_secret).await.status(), 200);

    // The control plane lists clients without secrets.
    let all = env.control(Method::GET, "/__emulator/clients", None).await;
    let text = all.to_string();
    assert_eq!(all["entities"].as_array().unwrap().len(), 2);
    assert!(!text.contains(new_secret) && !text.contains("\"secret\""));
    env.shutdown().await;
}

#[tokio::test]
async fn saml2bearer_is_accepted_and_returned_as_saml2_bearer() {
    let (env, token) = start_admin().await;
    let c = env
        .create(
            &token,
            json!({"name": "s", "authorizedGrantType": "SAML2BEARER"}),
        )
        .await;
    assert_eq!(c["authorizedGrantType"], "SAML2-BEARER");
    let c = env
        .create(
            &token,
            json!({"name": "s2", "authorizedGrantType": "SAML2-BEARER"}),
        )
        .await;
    assert_eq!(c["authorizedGrantType"], "SAML2-BEARER");
    // Non-client-credentials clients cannot mint client-credentials tokens.
    assert_eq!(
        env.token(c["id"].as_str().unwrap(), c["secret"].as_str().unwrap())
            .await
            .status(),
        401
    );
    assert!(
        env.verify(c["id"].as_str().unwrap(), c["secret"].as_str().unwrap())
            .await
    );
    env.shutdown().await;
}

#[tokio::test]
async fn validation_errors_use_the_documented_codes() {
    let (env, token) = start_admin().await;
    let cases = [
        (json!({"authorizedGrantType": "CODE"}), "bad.request"),
        (
            json!({"name": "", "authorizedGrantType": "CODE"}),
            "bad.request",
        ),
        (json!({"name": "a"}), "grant.type.required"),
        (
            json!({"name": "a", "authorizedGrantType": "CLIENT_CREDENTIALS", "roleDivisions": [{"roleId": "r", "divisionId": "d"}]}),
            "bad.grant.type",
        ),
        (
            json!({"name": "a", "authorizedGrantType": "IMPLICIT"}),
            "bad.grant.type",
        ),
        (
            json!({"name": "a", "authorizedGrantType": "CLIENT-CREDENTIALS"}),
            "missing.client.roles",
        ),
        (
            json!({"name": "a", "authorizedGrantType": "CLIENT-CREDENTIALS", "roleDivisions": []}),
            "missing.client.roles",
        ),
        (
            json!({"name": "a", "authorizedGrantType": "CODE", "state": "deleted"}),
            "invalid.value",
        ),
        (
            json!({"name": "a", "authorizedGrantType": "CODE", "accessTokenValiditySeconds": 299}),
            "invalid.value",
        ),
        (
            json!({"name": "a", "authorizedGrantType": "CODE", "accessTokenValiditySeconds": 38_880_001}),
            "invalid.value",
        ),
        (
            json!({"name": "a", "authorizedGrantType": "CODE", "dateToDelete": "next week"}),
            "invalid.date",
        ),
        (
            json!({"name": 5, "authorizedGrantType": "CODE"}),
            "bad.request",
        ),
    ];
    for (body, code) in cases {
        expect_error(
            env.api(Method::POST, CLIENTS, &token, Some(body)).await,
            400,
            code,
        )
        .await;
    }
    // Boundaries are accepted.
    for v in [300, 38_880_000] {
        env.create(
            &token,
            json!({"name": "b", "authorizedGrantType": "CODE", "accessTokenValiditySeconds": v}),
        )
        .await;
    }
    // Malformed JSON and a non-JSON content type.
    let raw = |ct: &'static str, body: &'static str| {
        env.http
            .post(env.url(CLIENTS))
            .bearer_auth(&token)
            .header("content-type", ct)
            .body(body)
            .send()
    };
    expect_error(
        raw("application/json", "{\"name\": ").await.unwrap(),
        400,
        "bad.request",
    )
    .await;
    expect_error(
        raw("text/plain", "{}").await.unwrap(),
        415,
        "unsupported.media.type",
    )
    .await;
    // PUT validates the same way.
    let c = env.create(&token, cc_client("p")).await;
    let one = format!("{CLIENTS}/{}", c["id"].as_str().unwrap());
    expect_error(
        env.api(Method::PUT, &one, &token, Some(json!({"name": "p"})))
            .await,
        400,
        "grant.type.required",
    )
    .await;
    expect_error(
        env.api(
            Method::PUT,
            &one,
            &token,
            Some(json!({"name": "p", "authorizedGrantType": "TOKENS"})),
        )
        .await,
        400,
        "bad.grant.type",
    )
    .await;
    // 404s.
    let missing = format!("{CLIENTS}/00000000-aaaa-bbbb-cccc-000000000000");
    expect_error(
        env.api(Method::GET, &missing, &token, None).await,
        404,
        "not.found",
    )
    .await;
    expect_error(
        env.api(Method::PUT, &missing, &token, Some(cc_client("x")))
            .await,
        404,
        "not.found",
    )
    .await;
    expect_error(
        env.api(Method::POST, &format!("{missing}/secret"), &token, None)
            .await,
        404,
        "not.found",
    )
    .await;
    env.shutdown().await;
}

#[tokio::test]
async fn client_limit_gives_auth_too_many_clients() {
    let mut cfg = config();
    cfg.settings.max_clients = 1;
    let env = start_with(cfg).await;
    let token = env.admin_token().await;
    let c = env.create(&token, cc_client("one")).await;
    expect_error(
        env.api(Method::POST, CLIENTS, &token, Some(cc_client("two")))
            .await,
        400,
        "auth.too.many.clients",
    )
    .await;
    // Deleted clients no longer count.
    let one = format!("{CLIENTS}/{}", c["id"].as_str().unwrap());
    let mut inactive = cc_client("one");
    inactive["state"] = json!("inactive");
    assert_eq!(
        env.api(Method::PUT, &one, &token, Some(inactive))
            .await
            .status(),
        200
    );
    assert_eq!(env.status(Method::DELETE, &one, &token).await, 204);
    env.create(&token, cc_client("two")).await;
    env.shutdown().await;
}

#[tokio::test]
async fn delete_requires_inactive_then_404_or_deleted_state() {
    let (env, token) = start_admin().await;
    let c = env.create(&token, cc_client("d")).await;
    let (id, secret) = (c["id"].as_str().unwrap(), c["secret"].as_str().unwrap());
    let one = format!("{CLIENTS}/{id}");
    let client_token = env.token(id, secret).await.json::<Value>().await.unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();

    let err = expect_error(
        env.api(Method::DELETE, &one, &token, None).await,
        400,
        "cannot.delete.client",
    )
    .await;
    assert_eq!(
        err["message"],
        "Clients must be marked as inactive to be eligible for deletion."
    );
    let mut body = cc_client("d");
    body["state"] = json!("disabled");
    env.api(Method::PUT, &one, &token, Some(body.clone())).await;
    expect_error(
        env.api(Method::DELETE, &one, &token, None).await,
        400,
        "cannot.delete.client",
    )
    .await;
    body["state"] = json!("inactive");
    let put: Value = env
        .api(Method::PUT, &one, &token, Some(body))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(put["state"], "inactive");
    // Inactive clients mint no new tokens.
    assert_eq!(env.token(id, secret).await.status(), 401);

    let resp = env.api(Method::DELETE, &one, &token, None).await;
    assert_eq!(resp.status(), 204);
    assert!(resp.bytes().await.unwrap().is_empty());
    expect_error(
        env.api(Method::GET, &one, &token, None).await,
        404,
        "not.found",
    )
    .await;
    expect_error(
        env.api(Method::DELETE, &one, &token, None).await,
        404,
        "not.found",
    )
    .await;
    let list: Value = env
        .api(Method::GET, CLIENTS, &token, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 0);
    // The deleted client's tokens and secret are dead.
    expect_error(
        env.api(Method::GET, CLIENTS, &client_token, None).await,
        401,
        "bad.credentials",
    )
    .await;
    assert!(!env.verify(id, secret).await);
    // The control plane keeps the tombstone.
    let all = env.control(Method::GET, "/__emulator/clients", None).await;
    assert_eq!(all["entities"][0]["state"], "deleted");

    // Switch: GET shows the client with state "deleted" (both are seen in the wild).
    env.set_config(json!({"deleted_visible": true})).await;
    let got = env.api(Method::GET, &one, &token, None).await;
    assert_eq!(got.status(), 200);
    assert_eq!(got.json::<Value>().await.unwrap()["state"], "deleted");
    let list: Value = env
        .api(Method::GET, CLIENTS, &token, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["entities"][0]["state"], "deleted");

    // Delete status 200 is selectable.
    env.set_config(json!({"delete_status": 200})).await;
    let mut c2 = cc_client("e");
    c2["state"] = json!("inactive");
    let c2 = env.create(&token, c2).await;
    let resp = env
        .api(
            Method::DELETE,
            &format!("{CLIENTS}/{}", c2["id"].as_str().unwrap()),
            &token,
            None,
        )
        .await;
    assert_eq!(resp.status(), 200);
    env.shutdown().await;
}

// ---------------------------------------------------------------- API rate limit

#[tokio::test]
async fn api_rate_limit_gives_normalised_429_with_retry_after() {
    let env = start().await;
    env.set_config(json!({"api_rate_limit": 2, "rate_window_secs": 1}))
        .await;
    let token = env.admin_token().await;
    assert_eq!(env.status(Method::GET, CLIENTS, &token).await, 200);
    assert_eq!(env.status(Method::GET, CLIENTS, &token).await, 200);
    let resp = env.api(Method::GET, CLIENTS, &token, None).await;
    let retry: u64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&retry), "{retry}");
    let body = expect_error(resp, 429, "too.many.requests.retry.after").await;
    assert_eq!(
        body["message"],
        format!("Rate limit exceeded the maximum. Retry the request in [{retry}] seconds")
    );
    // Per token: a second token is not limited.
    let other = env.admin_token().await;
    assert_eq!(env.status(Method::GET, CLIENTS, &other).await, 200);
    tokio::time::sleep(Duration::from_secs(retry)).await;
    assert_eq!(env.status(Method::GET, CLIENTS, &token).await, 200);
    let stats = env.control(Method::GET, "/__emulator/stats", None).await;
    assert_eq!(stats["rate_limited"], 1);
    assert_eq!(stats["api_requests"]["GET /api/v2/oauth/clients"], 5);
    env.set_config(json!({"api_rate_limit": null})).await;
    for _ in 0..4 {
        assert_eq!(env.status(Method::GET, CLIENTS, &token).await, 200);
    }
    env.shutdown().await;
}

// ---------------------------------------------------------------- faults

#[tokio::test]
async fn status_fault_before_answers_without_executing() {
    let (env, token) = start_admin().await;
    env.fault(json!({"method": "POST", "path": CLIENTS, "status": 503}))
        .await;
    expect_error(
        env.api(Method::POST, CLIENTS, &token, Some(cc_client("x")))
            .await,
        503,
        "service.unavailable",
    )
    .await;
    let all = env.control(Method::GET, "/__emulator/clients", None).await;
    assert_eq!(all["entities"], json!([]), "nothing created");
    // times defaults to 1.
    env.create(&token, cc_client("x")).await;
    // A custom body is sent as given.
    env.fault(json!({"path": CLIENTS, "method": "get", "status": 502, "body": {"message": "gateway", "code": "bad.gateway"}})).await;
    let resp = env.api(Method::GET, CLIENTS, &token, None).await;
    assert_eq!(resp.status(), 502);
    assert_eq!(resp.json::<Value>().await.unwrap()["code"], "bad.gateway");
    let stats = env.control(Method::GET, "/__emulator/stats", None).await;
    assert_eq!(stats["faults_fired"], 2);
    env.shutdown().await;
}

#[tokio::test]
async fn status_fault_after_executes_then_replaces_the_response() {
    let (env, token) = start_admin().await;
    env.fault(json!({"method": "POST", "path": CLIENTS, "status": 500, "phase": "after"}))
        .await;
    expect_error(
        env.api(Method::POST, CLIENTS, &token, Some(cc_client("x")))
            .await,
        500,
        "internal.server.error",
    )
    .await;
    assert_eq!(env.client_count().await, 1, "the client was created");
    env.shutdown().await;
}

#[tokio::test]
async fn drop_fault_closes_the_connection_before_or_after_executing() {
    let (env, token) = start_admin().await;
    env.fault(json!({"method": "POST", "path": CLIENTS, "drop": true}))
        .await;
    let err = env.try_create(&token).await;
    assert!(err.is_err(), "a dropped connection is a transport error");
    assert_eq!(env.clients().await, json!([]));

    env.fault(json!({"method": "POST", "path": CLIENTS, "drop": true, "phase": "after"}))
        .await;
    let err = env.try_create(&token).await;
    assert!(err.is_err());
    assert_eq!(env.client_count().await, 1, "created, caller never told");
    env.shutdown().await;
}

#[tokio::test]
async fn delay_fault_before_and_after() {
    let (env, token) = start_admin().await;
    env.fault(json!({"method": "GET", "path": CLIENTS, "delay_ms": 300}))
        .await;
    let t = Instant::now();
    assert_eq!(env.status(Method::GET, CLIENTS, &token).await, 200);
    assert!(t.elapsed() >= Duration::from_millis(300));

    // "after": the client exists while the caller is still waiting for the response.
    env.fault(json!({"method": "POST", "path": CLIENTS, "delay_ms": 800, "phase": "after"}))
        .await;
    let t = Instant::now();
    let pending = tokio::spawn({
        let (http, url, token) = (env.http.clone(), env.url(CLIENTS), token.clone());
        async move {
            http.post(url)
                .bearer_auth(token)
                .json(&cc_client("slow"))
                .send()
                .await
                .unwrap()
                .status()
        }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(env.client_count().await, 1, "created before the response");
    assert!(!pending.is_finished());
    assert_eq!(pending.await.unwrap(), StatusCode::OK);
    assert!(t.elapsed() >= Duration::from_millis(800));
    env.shutdown().await;
}

#[tokio::test]
async fn fault_times_skip_wildcards_token_endpoint_and_clear() {
    let (env, token) = start_admin().await;
    env.fault(json!({"method": "GET", "path": CLIENTS, "status": 503, "skip": 1, "times": 2}))
        .await;
    let mut seen = Vec::new();
    for _ in 0..4 {
        seen.push(env.status(Method::GET, CLIENTS, &token).await);
    }
    assert_eq!(seen, [200, 503, 503, 200]);

    // `*` matches one segment.
    let c = env.create(&token, cc_client("w")).await;
    let id = c["id"].as_str().unwrap();
    env.fault(json!({"path": "/api/v2/oauth/clients/*/secret", "status": 504, "times": null}))
        .await;
    assert_eq!(
        env.status(Method::GET, &format!("{CLIENTS}/{id}"), &token)
            .await,
        200
    );
    for _ in 0..2 {
        assert_eq!(
            env.api(
                Method::POST,
                &format!("{CLIENTS}/{id}/secret"),
                &token,
                None
            )
            .await
            .status(),
            504
        );
    }
    // The token endpoint gets a token-error body; a 400 there is its rate-limit signal.
    env.fault(json!({"path": "/oauth/token", "status": 400}))
        .await;
    let resp = env.token(ADMIN_ID, ADMIN_SECRET).await;
    assert_eq!(resp.status(), 400);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "invalid_request");
    assert!(body["error_description"]
        .as_str()
        .unwrap()
        .starts_with("rate limit exceeded;"));

    let listed = env.control(Method::GET, "/__emulator/faults", None).await;
    assert_eq!(listed["rules"].as_array().unwrap().len(), 3);
    env.control(Method::DELETE, "/__emulator/faults", None)
        .await;
    assert_eq!(
        env.api(
            Method::POST,
            &format!("{CLIENTS}/{id}/secret"),
            &token,
            None
        )
        .await
        .status(),
        200
    );

    // Typos in a rule are refused, not silently ignored.
    let bad = env
        .http
        .post(env.url("/__emulator/faults"))
        .json(&json!({"path": CLIENTS, "stauts": 500}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    env.shutdown().await;
}

// ---------------------------------------------------------------- control plane

#[tokio::test]
async fn verify_secret_stats_and_reset() {
    let env = start().await;
    assert!(env.verify(ADMIN_ID, ADMIN_SECRET).await);
    assert!(!env.verify(ADMIN_ID, "nope").await);
    assert!(!env.verify("unknown", "nope").await);
    let token = env.admin_token().await;
    let c = env.create(&token, cc_client("v")).await;
    assert!(
        env.verify(c["id"].as_str().unwrap(), c["secret"].as_str().unwrap())
            .await
    );
    env.api(Method::GET, CLIENTS, &token, None).await;
    env.api(
        Method::GET,
        &format!("{CLIENTS}/{}", c["id"].as_str().unwrap()),
        &token,
        None,
    )
    .await;
    let stats = env.control(Method::GET, "/__emulator/stats", None).await;
    assert_eq!(stats["token_requests"], 1);
    assert_eq!(stats["api_requests"]["POST /api/v2/oauth/clients"], 1);
    assert_eq!(stats["api_requests"]["GET /api/v2/oauth/clients"], 1);
    assert_eq!(stats["api_requests"]["GET /api/v2/oauth/clients/{id}"], 1);
    assert_eq!(stats["api_requests_total"], 3);

    env.set_config(json!({"max_clients": 7})).await;
    env.fault(json!({"path": CLIENTS, "status": 500})).await;
    env.control(Method::POST, "/__emulator/reset", None).await;
    let stats = env.control(Method::GET, "/__emulator/stats", None).await;
    assert_eq!(stats["api_requests_total"], 0);
    assert_eq!(env.clients().await, json!([]));
    assert_eq!(
        env.control(Method::GET, "/__emulator/config", None).await["max_clients"],
        7,
        "settings kept"
    );
    // Faults cleared; the admin token survives.
    assert_eq!(env.status(Method::GET, CLIENTS, &token).await, 200);
    let bad = env
        .http
        .post(env.url("/__emulator/config"))
        .json(&json!({"rate_window_secs": 0}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    env.shutdown().await;
}

#[test]
fn blocking_handle_serves_and_stops_on_drop() {
    let handle = gcoauth::emulator::spawn_blocking_runtime(config()).unwrap();
    let base = handle.base_url();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let http = http_client();
    let url = format!("{base}/oauth/token");
    let status = rt.block_on(async {
        http.post(&url)
            .basic_auth(ADMIN_ID, Some(ADMIN_SECRET))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .unwrap()
            .status()
    });
    assert_eq!(status, 200);
    drop(handle);
    let after = rt.block_on(async { http.post(&url).send().await });
    assert!(after.is_err(), "server stopped with the handle");
}

// ---------------------------------------------------------------- the binary

fn emulator_bin() -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_gcoauth-emulator"));
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default());
    cmd
}

/// Reads the first stdout line within 10 s.
fn first_line(child: &mut std::process::Child) -> String {
    use std::io::BufRead;
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = std::io::BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    rx.recv_timeout(Duration::from_secs(10))
        .expect("binary printed its URL")
}

fn wait_exit(child: &mut std::process::Child) -> std::process::ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("binary did not exit after SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn binary_prints_its_url_serves_logs_no_secret_and_exits_on_sigterm() {
    use std::process::Stdio;
    let log = tempfile::NamedTempFile::new().unwrap();
    let mut child = emulator_bin()
        .args(["--port", "0", "--max-clients", "3"])
        .env("GCOAUTH_EMULATOR_CLIENT_ID", ADMIN_ID)
        .env("GCOAUTH_EMULATOR_CLIENT_SECRET", ADMIN_SECRET)
        .env("RUST_LOG", "trace")
        .stdout(Stdio::piped())
        .stderr(log.reopen().unwrap())
        .spawn()
        .unwrap();
    let line = first_line(&mut child);
    let url = line.strip_suffix('\n').expect("one full line");
    let port: u16 = url
        .strip_prefix("http://127.0.0.1:")
        .expect("loopback URL")
        .parse()
        .unwrap();
    assert_ne!(port, 0);
    // The secret is not on the command line.
    let cmdline = std::fs::read(format!("/proc/{}/cmdline", child.id())).unwrap();
    assert!(!String::from_utf8_lossy(&cmdline).contains(ADMIN_SECRET));

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let http = http_client();
    let (cfg, client_secret): (Value, String) = rt.block_on(async {
        let tok: Value = http
            .post(format!("{url}/oauth/token"))
            .basic_auth(ADMIN_ID, Some(ADMIN_SECRET))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let created: Value = http
            .post(format!("{url}{CLIENTS}"))
            .bearer_auth(tok["access_token"].as_str().unwrap())
            .json(&cc_client("logged"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let client_secret = created["secret"].as_str().unwrap().to_owned();
        let cfg = http
            .get(format!("{url}/__emulator/config"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        (cfg, client_secret)
    });
    assert_eq!(cfg["max_clients"], 3);

    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    assert!(wait_exit(&mut child).success());
    let logged = std::fs::read_to_string(log.path()).unwrap();
    assert!(
        logged.contains("/api/v2/oauth/clients"),
        "requests are logged at debug: {logged}"
    );
    assert!(!logged.contains(ADMIN_SECRET) && !logged.contains(&client_secret));
}

#[test]
fn binary_refuses_missing_credentials_and_non_loopback_bind() {
    let out = emulator_bin().output().unwrap();
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("GCOAUTH_EMULATOR_CLIENT_SECRET"), "{err}");

    let out = emulator_bin()
        .args(["--bind", "0.0.0.0"])
        .env("GCOAUTH_EMULATOR_CLIENT_ID", ADMIN_ID)
        .env("GCOAUTH_EMULATOR_CLIENT_SECRET", ADMIN_SECRET)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--allow-non-loopback"));
}

// ---------------------------------------------------------------- AWS proxy (real moto)

fn moto_endpoint() -> String {
    std::env::var("GCOAUTH_TEST_AWS_ENDPOINT").expect(
        "GCOAUTH_TEST_AWS_ENDPOINT is not set: start `moto_server -H 127.0.0.1 -p PORT` and export \
         GCOAUTH_TEST_AWS_ENDPOINT=http://127.0.0.1:PORT to run the AWS proxy tests",
    )
}

/// A Secrets Manager JSON 1.1 call with a dummy SigV4 header (moto routes by its service name
/// but does not verify signatures).
async fn sm(
    http: &reqwest::Client,
    base: &str,
    action: &str,
    body: Value,
) -> Result<reqwest::Response, reqwest::Error> {
    http.post(format!("{base}/"))
        .header("X-Amz-Target", format!("secretsmanager.{action}"))
        .header("Content-Type", "application/x-amz-json-1.1")
        .header(
            "Authorization",
            "AWS4-HMAC-SHA256 Credential=AKIDTEST/20260101/us-east-1/secretsmanager/aws4_request, SignedHeaders=host, Signature=00",
        )
        .body(body.to_string())
        .send()
        .await
}

async fn proxy_control(
    http: &reqwest::Client,
    base: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Value {
    let mut req = http.request(method, format!("{base}{path}"));
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.unwrap();
    assert_eq!(resp.status(), 200);
    resp.json().await.unwrap()
}

#[tokio::test]
async fn aws_proxy_forwards_to_moto_and_injects_faults() {
    let upstream = moto_endpoint();
    let proxy = AwsProxy::start(upstream, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let base = proxy.base_url();
    let http = http_client();
    let name = format!("gcoauth-test-{}", uuid::Uuid::new_v4());

    let created = sm(
        &http,
        &base,
        "CreateSecret",
        json!({"Name": name, "SecretString": "v1"}),
    )
    .await
    .unwrap();
    assert_eq!(created.status(), 200);
    assert_eq!(
        created.json::<Value>().await.unwrap()["Name"],
        name.as_str()
    );

    // Ready-made faults, each for one request, per action.
    let cases = [
        ("access_denied", 400, "AccessDeniedException"),
        ("throttling", 400, "ThrottlingException"),
        ("internal", 500, "InternalServiceError"),
        ("unavailable", 503, "ServiceUnavailable"),
    ];
    for (fault, status, kind) in cases {
        proxy_control(
            &http,
            &base,
            Method::POST,
            "/__proxy/faults",
            Some(json!({"action": "PutSecretValue", "fault": fault})),
        )
        .await;
        let resp = sm(
            &http,
            &base,
            "PutSecretValue",
            json!({"SecretId": name, "SecretString": "nope"}),
        )
        .await
        .unwrap();
        assert_eq!(resp.status().as_u16(), status, "{fault}");
        assert_eq!(resp.headers()["x-amzn-ErrorType"], kind);
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["__type"], kind);
        if fault == "access_denied" {
            assert!(body["Message"]
                .as_str()
                .unwrap()
                .contains("secretsmanager:PutSecretValue"));
        }
    }
    // Other actions pass untouched; a custom body is used as given.
    proxy_control(
        &http,
        &base,
        Method::POST,
        "/__proxy/faults",
        Some(json!({"action": "PutSecretValue", "status": 400, "body": {"__type": "LimitExceededException", "Message": "too many versions"}})),
    )
    .await;
    let got = sm(&http, &base, "GetSecretValue", json!({"SecretId": name}))
        .await
        .unwrap();
    assert_eq!(got.json::<Value>().await.unwrap()["SecretString"], "v1");
    let resp = sm(
        &http,
        &base,
        "PutSecretValue",
        json!({"SecretId": name, "SecretString": "nope"}),
    )
    .await
    .unwrap();
    assert_eq!(resp.headers()["x-amzn-ErrorType"], "LimitExceededException");

    // Drop after executing: moto stored the value, the caller saw a transport error.
    proxy_control(
        &http,
        &base,
        Method::POST,
        "/__proxy/faults",
        Some(json!({"action": "PutSecretValue", "drop": true, "phase": "after"})),
    )
    .await;
    assert!(sm(
        &http,
        &base,
        "PutSecretValue",
        json!({"SecretId": name, "SecretString": "v2"})
    )
    .await
    .is_err());
    let got = sm(&http, &base, "GetSecretValue", json!({"SecretId": name}))
        .await
        .unwrap();
    assert_eq!(got.json::<Value>().await.unwrap()["SecretString"], "v2");

    // Errors from moto itself are forwarded as-is.
    let missing = sm(
        &http,
        &base,
        "GetSecretValue",
        json!({"SecretId": format!("{name}-missing")}),
    )
    .await
    .unwrap();
    // moto answers 404 here (real AWS: 400); either way the proxy must not change it.
    assert_eq!(missing.status(), 404);
    assert_eq!(
        missing.headers()["x-amzn-ErrorType"],
        "ResourceNotFoundException"
    );

    let stats = proxy_control(&http, &base, Method::GET, "/__proxy/stats", None).await;
    assert_eq!(stats["actions"]["CreateSecret"], 1);
    assert_eq!(stats["actions"]["PutSecretValue"], 6);
    assert_eq!(stats["actions"]["GetSecretValue"], 3);
    assert_eq!(stats["faults_fired"], 6);
    proxy_control(&http, &base, Method::DELETE, "/__proxy/faults", None).await;
    let ok = sm(
        &http,
        &base,
        "PutSecretValue",
        json!({"SecretId": name, "SecretString": "v3"}),
    )
    .await
    .unwrap();
    assert_eq!(ok.status(), 200);
    sm(
        &http,
        &base,
        "DeleteSecret",
        json!({"SecretId": name, "ForceDeleteWithoutRecovery": true}),
    )
    .await
    .unwrap();
    proxy.shutdown().await;
}

#[tokio::test]
async fn aws_proxy_works_with_the_aws_sdk() {
    let upstream = moto_endpoint();
    let proxy = AwsProxy::start(upstream, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let creds = aws_sdk_secretsmanager::config::Credentials::new(
        "AKIDTEST",
        "test-secret-key",
        None,
        None,
        "test",
    );
    let conf = aws_sdk_secretsmanager::Config::builder()
        .behavior_version(aws_sdk_secretsmanager::config::BehaviorVersion::latest())
        .region(aws_sdk_secretsmanager::config::Region::new("us-east-1"))
        .credentials_provider(creds)
        .endpoint_url(proxy.base_url())
        .retry_config(aws_sdk_secretsmanager::config::retry::RetryConfig::disabled())
        .build();
    let sdk = aws_sdk_secretsmanager::Client::from_conf(conf);
    let name = format!("gcoauth-sdk-{}", uuid::Uuid::new_v4());
    sdk.create_secret()
        .name(&name)
        .secret_string("s1")
        .send()
        .await
        .expect("signed request passes the proxy");
    let http = http_client();
    proxy_control(
        &http,
        &proxy.base_url(),
        Method::POST,
        "/__proxy/faults",
        Some(json!({"action": "PutSecretValue", "fault": "access_denied"})),
    )
    .await;
    let err = sdk
        .put_secret_value()
        .secret_id(&name)
        .secret_string("s2")
        .send()
        .await
        .unwrap_err();
    let meta = aws_sdk_secretsmanager::error::ProvideErrorMetadata::code(&err).map(str::to_owned);
    assert_eq!(meta.as_deref(), Some("AccessDeniedException"));
    let got = sdk
        .get_secret_value()
        .secret_id(&name)
        .send()
        .await
        .unwrap();
    assert_eq!(got.secret_string(), Some("s1"));
    sdk.delete_secret()
        .secret_id(&name)
        .force_delete_without_recovery(true)
        .send()
        .await
        .unwrap();
    proxy.shutdown().await;
}
