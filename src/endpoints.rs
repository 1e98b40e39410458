//! Where the Genesys Cloud API and login (token) hosts are: the provider's region table, the
//! `GCOAUTH_API_URL` / `GCOAUTH_LOGIN_URL` overrides, and the HTTPS-only rule.

use reqwest::Url;

/// Region name (as `GENESYSCLOUD_REGION` takes it) → domain. From the official provider's
/// `getRegionMap()`; the API host is `api.<domain>`, the login host `login.<domain>`.
pub const REGIONS: &[(&str, &str)] = &[
    ("us-east-1", "mypurecloud.com"),
    ("us-east-2", "use2.us-gov-pure.cloud"),
    ("us-west-2", "usw2.pure.cloud"),
    ("ca-central-1", "cac1.pure.cloud"),
    ("sa-east-1", "sae1.pure.cloud"),
    ("mx-central-1", "mxc1.pure.cloud"),
    ("eu-west-1", "mypurecloud.ie"),
    ("eu-west-2", "euw2.pure.cloud"),
    ("eu-central-1", "mypurecloud.de"),
    ("eu-central-2", "euc2.pure.cloud"),
    ("me-central-1", "mec1.pure.cloud"),
    ("ap-south-1", "aps1.pure.cloud"),
    ("ap-southeast-1", "apse1.pure.cloud"),
    ("ap-southeast-2", "mypurecloud.com.au"),
    ("ap-northeast-1", "mypurecloud.jp"),
    ("ap-northeast-2", "apne2.pure.cloud"),
    ("ap-northeast-3", "apne3.pure.cloud"),
    ("eusc-de-east-1", "edee1.eusc-pure.cloud"),
];

/// The API and login base URLs to talk to, plus the region name for context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    /// e.g. `https://api.mypurecloud.com`
    pub api: Url,
    /// e.g. `https://login.mypurecloud.com`
    pub login: Url,
    /// The region name, or `"custom"` when both URLs come from overrides.
    pub region: String,
}

/// Why endpoints could not be resolved.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EndpointError {
    /// The region name is not in the table.
    #[error("unknown GENESYSCLOUD_REGION {0:?}; expected one of: {1}")]
    UnknownRegion(String, String),
    /// Neither a region nor both overrides were given.
    #[error("GENESYSCLOUD_REGION is not set (or set both GCOAUTH_API_URL and GCOAUTH_LOGIN_URL)")]
    NoRegion,
    /// An override is not a usable base URL.
    #[error("{var}: {reason}")]
    BadUrl {
        /// The variable name.
        var: &'static str,
        /// What is wrong.
        reason: String,
    },
}

/// Looks up a region name (case-insensitive, `_` accepted for `-` as the SDKs spell it).
pub fn domain_for_region(region: &str) -> Option<&'static str> {
    let wanted = region.trim().to_ascii_lowercase().replace('_', "-");
    REGIONS.iter().find(|(r, _)| *r == wanted).map(|(_, d)| *d)
}

/// Resolves endpoints from a region and optional overrides (overrides win).
pub fn resolve(
    region: Option<&str>,
    api_override: Option<&str>,
    login_override: Option<&str>,
) -> Result<Endpoints, EndpointError> {
    let region_domain = match region.filter(|r| !r.trim().is_empty()) {
        Some(r) => Some((
            r.trim().to_ascii_lowercase(),
            domain_for_region(r).ok_or_else(|| {
                EndpointError::UnknownRegion(
                    r.to_string(),
                    REGIONS
                        .iter()
                        .map(|(r, _)| *r)
                        .collect::<Vec<_>>()
                        .join(", "),
                )
            })?,
        )),
        None => None,
    };
    let pick = |var: &'static str,
                over: Option<&str>,
                prefix: &str|
     -> Result<Url, EndpointError> {
        match (over.filter(|s| !s.trim().is_empty()), &region_domain) {
            (Some(u), _) => parse_base_url(var, u),
            (None, Some((_, domain))) => parse_base_url(var, &format!("https://{prefix}.{domain}")),
            (None, None) => Err(EndpointError::NoRegion),
        }
    };
    let api = pick("GCOAUTH_API_URL", api_override, "api")?;
    let login = pick("GCOAUTH_LOGIN_URL", login_override, "login")?;
    Ok(Endpoints {
        api,
        login,
        region: region_domain
            .map(|(r, _)| r)
            .unwrap_or_else(|| "custom".into()),
    })
}

/// Parses a base URL (scheme and host, no path, query or credentials) and enforces HTTPS,
/// allowing plain `http://` only for loopback hosts.
pub fn parse_base_url(var: &'static str, raw: &str) -> Result<Url, EndpointError> {
    let bad = |reason: &str| EndpointError::BadUrl {
        var,
        reason: reason.to_string(),
    };
    let url = Url::parse(raw.trim()).map_err(|e| bad(&format!("not a URL ({e})")))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad("must not contain credentials"));
    }
    if url.query().is_some()
        || url.fragment().is_some()
        || !(url.path() == "/" || url.path().is_empty())
    {
        return Err(bad("must be a base URL without path, query or fragment"));
    }
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(&url) => Ok(url),
        "http" => Err(bad("plain http:// is only allowed for loopback hosts (127.0.0.0/8, ::1, localhost); use https://")),
        other => Err(bad(&format!("unsupported scheme {other:?}; use https://"))),
    }
}

/// Checks an endpoint override such as `AWS_ENDPOINT_URL`: `https://`, or `http://` to a
/// loopback host only (the secret travels over it). Paths are allowed (some proxies need one).
pub fn check_transport(var: &'static str, raw: &str) -> Result<(), EndpointError> {
    let bad = |reason: String| EndpointError::BadUrl { var, reason };
    let url = Url::parse(raw.trim()).map_err(|e| bad(format!("not a URL ({e})")))?;
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(&url) => Ok(()),
        "http" => Err(bad("plain http:// is only allowed for loopback hosts (127.0.0.0/8, ::1, localhost); use https://".into())),
        other => Err(bad(format!("unsupported scheme {other:?}; use https://"))),
    }
}

/// Checks the AWS endpoint overrides in effect (`AWS_ENDPOINT_URL`, the per-service
/// `AWS_ENDPOINT_URL_<SERVICE>`, and the one the loaded config resolved, e.g. a profile's
/// `endpoint_url`) with [`check_transport`].
pub fn check_aws_endpoints(
    service_var: &'static str,
    resolved: Option<&str>,
) -> Result<(), EndpointError> {
    for var in ["AWS_ENDPOINT_URL", service_var] {
        if let Some(url) = std::env::var(var).ok().filter(|u| !u.trim().is_empty()) {
            check_transport(var, &url)?;
        }
    }
    match resolved {
        Some(url) => check_transport("endpoint_url (AWS config)", url),
        None => Ok(()),
    }
}

/// True for `localhost`, 127.0.0.0/8 and `::1`.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_maps_to_api_and_login_hosts() {
        let e = resolve(Some("eu-west-1"), None, None).unwrap();
        assert_eq!(e.api.as_str(), "https://api.mypurecloud.ie/");
        assert_eq!(e.login.as_str(), "https://login.mypurecloud.ie/");
        assert_eq!(
            resolve(Some("US_EAST_1"), None, None).unwrap().api.as_str(),
            "https://api.mypurecloud.com/"
        );
    }

    #[test]
    fn every_region_resolves() {
        for (r, d) in REGIONS {
            let e = resolve(Some(r), None, None).unwrap();
            assert_eq!(e.login.host_str().unwrap(), format!("login.{d}"));
        }
    }

    #[test]
    fn overrides_win_and_http_only_on_loopback() {
        let e = resolve(
            Some("us-east-1"),
            Some("http://127.0.0.1:8080"),
            Some("http://localhost:9"),
        )
        .unwrap();
        assert_eq!(e.api.as_str(), "http://127.0.0.1:8080/");
        assert!(resolve(None, Some("http://example.com"), Some("https://x.example")).is_err());
        assert!(resolve(None, Some("http://10.0.0.1"), Some("https://x.example")).is_err());
        assert!(resolve(None, Some("http://[::1]:5"), Some("http://127.9.9.9:1")).is_ok());
        assert!(resolve(
            None,
            Some("https://a.example/api"),
            Some("https://x.example")
        )
        .is_err());
        assert!(resolve(None, Some("ftp://a.example"), Some("https://x.example")).is_err());
        assert!(resolve(
            None,
            Some("https://u:p@a.example"),
            Some("https://x.example")
        )
        .is_err());
    }

    #[test]
    fn transport_check_for_other_endpoints() {
        assert!(check_transport("X", "https://secretsmanager.eu-west-1.amazonaws.com").is_ok());
        assert!(check_transport("X", "http://127.0.0.1:5000").is_ok());
        assert!(check_transport("X", "http://localstack.internal:4566").is_err());
        assert!(check_transport("X", "ftp://x").is_err());
    }

    #[test]
    fn missing_or_unknown_region() {
        assert_eq!(resolve(None, None, None), Err(EndpointError::NoRegion));
        assert!(matches!(
            resolve(Some("mars-1"), None, None),
            Err(EndpointError::UnknownRegion(..))
        ));
    }
}
