//! Fetching a user-supplied URL without letting it reach inside the network. Every
//! hop's host is resolved and refused when any address it resolves to is loopback,
//! private, link-local, unique-local, multicast, unspecified or a cloud metadata
//! address — unless the configured allow-list names it. The HTTP client connects
//! through a resolver applying the same rule, so a DNS answer that changes between
//! the check and the connection cannot slip through. Redirects are followed by hand,
//! each checked again.
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::header::{HeaderValue, CONTENT_TYPE, LOCATION, USER_AGENT};
use url::Url;

/// An address range, e.g. `127.0.0.0/8` or `::1/128`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IpNet {
    addr: IpAddr,
    prefix: u8,
}

impl IpNet {
    pub fn parse(text: &str) -> Option<IpNet> {
        let (addr, prefix) = match text.trim().split_once('/') {
            Some((a, p)) => (a.parse::<IpAddr>().ok()?, p.parse::<u8>().ok()?),
            None => {
                let a = text.trim().parse::<IpAddr>().ok()?;
                (a, if a.is_ipv4() { 32 } else { 128 })
            }
        };
        let max = if addr.is_ipv4() { 32 } else { 128 };
        (prefix <= max).then_some(IpNet { addr, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// Whether an address is inside the machine's or the network's own space.
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local() // includes 169.254.169.254, the metadata address
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || o[0] == 0
                || (o[0] == 100 && (o[1] & 0xC0) == 64) // carrier-grade NAT 100.64/10
                || (o[0] == 192 && o[1] == 0 && o[2] == 0) // IETF protocol assignments
                || (o[0] == 198 && (o[1] & 0xFE) == 18) // benchmarking 198.18/15
                || o[0] >= 240 // reserved
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_internal(IpAddr::V4(v4));
            }
            let s = v6.segments();
            let v4_at = |hi: u16, lo: u16| {
                IpAddr::V4(std::net::Ipv4Addr::new(
                    (hi >> 8) as u8,
                    hi as u8,
                    (lo >> 8) as u8,
                    lo as u8,
                ))
            };
            // Forms that carry an IPv4 address and reach it: IPv4-compatible ::a.b.c.d
            // (deprecated, still routed by some stacks), IPv4-translated
            // ::ffff:0:a.b.c.d, and 6to4 2002:aabb:ccdd::/48.
            if s[..6] == [0, 0, 0, 0, 0, 0] && !v6.is_loopback() && !v6.is_unspecified() {
                return is_internal(v4_at(s[6], s[7]));
            }
            if s[..4] == [0, 0, 0, 0] && s[4] == 0xFFFF && s[5] == 0 {
                return is_internal(v4_at(s[6], s[7]));
            }
            if s[0] == 0x2002 && is_internal(v4_at(s[1], s[2])) {
                return true;
            }
            v6.is_loopback()
                || (s[0] == 0x2001 && s[1] == 0) // Teredo 2001::/32 relays to any IPv4 it names
                || (s[0] == 0x0100 && s[1..4] == [0, 0, 0]) // discard-only 100::/64
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xFE00) == 0xFC00 // unique local fc00::/7 (incl. fd00:ec2::254)
                || (s[0] & 0xFFC0) == 0xFE80 // link local fe80::/10
                || (s[0] & 0xFFC0) == 0xFEC0 // site local (deprecated)
                || (s[0] == 0x64 && s[1] == 0xFF9B) // NAT64 may embed an internal v4
                || (s[0] == 0x2001 && s[1] == 0x0DB8) // documentation
        }
    }
}

/// What may be fetched, and how much.
#[derive(Clone, Debug)]
pub struct FetchPolicy {
    /// Internal ranges that are nevertheless allowed (tests: `127.0.0.1/32`).
    pub allow: Vec<IpNet>,
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub max_bytes: usize,
    pub max_redirects: usize,
    pub user_agent: String,
}

impl Default for FetchPolicy {
    fn default() -> Self {
        Self {
            allow: Vec::new(),
            timeout: Duration::from_secs(15),
            connect_timeout: Duration::from_secs(5),
            max_bytes: 5 * 1024 * 1024,
            max_redirects: 5,
            user_agent: format!(
                "Outrival/{} (competitive intelligence; +https://github.com/outrival)",
                env!("CARGO_PKG_VERSION")
            ),
        }
    }
}

impl FetchPolicy {
    pub fn permits(&self, ip: IpAddr) -> bool {
        !is_internal(ip) || self.allow.iter().any(|net| net.contains(ip))
    }
}

/// Why a fetch failed, in words for the person who added the URL.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Unreachable(String),
    #[error("The page took longer than {0} s to answer.")]
    Timeout(u64),
    #[error("The site answered {status}{}.", if *.retryable { "; it may work later" } else { "" })]
    Status { status: u16, retryable: bool },
    #[error("{0}")]
    Unsupported(String),
    #[error("The page is larger than {} MB, the limit.", .0 / (1024 * 1024))]
    TooLarge(usize),
}

impl FetchError {
    /// Whether trying again later could help.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            FetchError::Unreachable(_)
                | FetchError::Timeout(_)
                | FetchError::Status {
                    retryable: true,
                    ..
                }
        )
    }
}

/// A fetched page.
#[derive(Clone, Debug)]
pub struct Fetched {
    pub final_url: String,
    pub status: u16,
    pub content_type: String,
    pub body: Vec<u8>,
}

#[derive(Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    policy: Arc<FetchPolicy>,
}

impl std::fmt::Debug for Fetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fetcher")
            .field("policy", &self.policy)
            .finish()
    }
}

/// Resolves like the system, then drops every address the policy refuses.
struct GuardedResolver {
    policy: Arc<FetchPolicy>,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy.clone();
        Box::pin(async move {
            let addrs = resolve_checked(&policy, name.as_str(), 0)
                .await
                .map_err(|e| -> Box<dyn std::error::Error + Send + Sync> { Box::new(e) })?;
            let addrs: Addrs = Box::new(addrs.into_iter());
            Ok(addrs)
        })
    }
}

/// The host's addresses, or why it may not be fetched.
async fn resolve_checked(
    policy: &FetchPolicy,
    host: &str,
    port: u16,
) -> Result<Vec<SocketAddr>, FetchError> {
    let found: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|_| {
            FetchError::Unreachable(format!("The address {host} could not be found (DNS)."))
        })?
        .collect();
    if found.is_empty() {
        return Err(FetchError::Unreachable(format!(
            "The address {host} could not be found (DNS)."
        )));
    }
    if let Some(bad) = found.iter().find(|a| !policy.permits(a.ip())) {
        return Err(refused(host, bad.ip()));
    }
    Ok(found)
}

fn refused(host: &str, ip: IpAddr) -> FetchError {
    FetchError::Refused(format!(
        "Outrival does not fetch {host}: it points to {ip}, an internal or reserved network address."
    ))
}

/// Checks a URL's form before anything is fetched: http(s), a host, no credentials.
pub fn check_url(url: &Url) -> Result<(), FetchError> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(FetchError::Refused(format!(
            "Only http and https addresses can be fetched, not {}:.",
            url.scheme()
        )));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(FetchError::Refused(
            "Addresses with a user name or password are not fetched.".into(),
        ));
    }
    if url.host().is_none() {
        return Err(FetchError::Refused("The address has no host name.".into()));
    }
    Ok(())
}

impl Fetcher {
    pub fn new(policy: FetchPolicy) -> anyhow::Result<Self> {
        let policy = Arc::new(policy);
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(Arc::new(GuardedResolver {
                policy: policy.clone(),
            }))
            .no_proxy()
            .timeout(policy.timeout)
            .connect_timeout(policy.connect_timeout)
            .build()?;
        Ok(Self { client, policy })
    }

    pub fn policy(&self) -> &FetchPolicy {
        &self.policy
    }

    /// GETs `url`, following redirects (each checked), reading at most the size cap.
    pub async fn get(&self, url: &str) -> Result<Fetched, FetchError> {
        let mut url = Url::parse(url.trim())
            .map_err(|_| FetchError::Refused(format!("“{url}” is not a valid web address.")))?;
        let seconds = self.policy.timeout.as_secs().max(1);
        for _ in 0..=self.policy.max_redirects {
            self.check_host(&url).await?;
            let response = self
                .client
                .get(url.clone())
                .header(
                    USER_AGENT,
                    HeaderValue::from_str(&self.policy.user_agent)
                        .unwrap_or(HeaderValue::from_static("Outrival")),
                )
                .header(
                    reqwest::header::ACCEPT,
                    "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.5",
                )
                .send()
                .await
                .map_err(|e| transport_error(&url, &e, seconds))?;
            let status = response.status();
            if status.is_redirection() {
                let Some(next) = response
                    .headers()
                    .get(LOCATION)
                    .and_then(|v| v.to_str().ok())
                else {
                    return Err(FetchError::Status {
                        status: status.as_u16(),
                        retryable: false,
                    });
                };
                url = url.join(next).map_err(|_| {
                    FetchError::Refused("The site redirected to an invalid address.".into())
                })?;
                continue;
            }
            if !status.is_success() {
                let code = status.as_u16();
                return Err(FetchError::Status {
                    status: code,
                    retryable: code == 408 || code == 429 || code >= 500,
                });
            }
            let content_type = response
                .headers()
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_ascii_lowercase();
            if !is_text_type(&content_type) {
                return Err(FetchError::Unsupported(format!(
                    "The address returned {}, not a web page or text; upload documents instead.",
                    content_type.split(';').next().unwrap_or("an unknown type")
                )));
            }
            if response
                .content_length()
                .is_some_and(|n| n as usize > self.policy.max_bytes)
            {
                return Err(FetchError::TooLarge(self.policy.max_bytes));
            }
            let final_url = url.to_string();
            let body = read_capped(response, self.policy.max_bytes, &url, seconds).await?;
            return Ok(Fetched {
                final_url,
                status: status.as_u16(),
                content_type,
                body,
            });
        }
        Err(FetchError::Unreachable(format!(
            "The site redirected more than {} times.",
            self.policy.max_redirects
        )))
    }

    async fn check_host(&self, url: &Url) -> Result<(), FetchError> {
        check_url(url)?;
        match url.host() {
            Some(url::Host::Ipv4(ip)) if !self.policy.permits(IpAddr::V4(ip)) => {
                Err(refused(&ip.to_string(), IpAddr::V4(ip)))
            }
            Some(url::Host::Ipv6(ip)) if !self.policy.permits(IpAddr::V6(ip)) => {
                Err(refused(&ip.to_string(), IpAddr::V6(ip)))
            }
            Some(url::Host::Domain(host)) => {
                resolve_checked(&self.policy, host, 0).await.map(|_| ())
            }
            _ => Ok(()),
        }
    }
}

fn is_text_type(content_type: &str) -> bool {
    let mime = content_type.split(';').next().unwrap_or("").trim();
    mime.is_empty()
        || mime == "text/html"
        || mime == "application/xhtml+xml"
        || mime == "text/plain"
}

async fn read_capped(
    mut response: reqwest::Response,
    max: usize,
    url: &Url,
    seconds: u64,
) -> Result<Vec<u8>, FetchError> {
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| transport_error(url, &e, seconds))?
    {
        if body.len() + chunk.len() > max {
            return Err(FetchError::TooLarge(max));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn transport_error(url: &Url, error: &reqwest::Error, seconds: u64) -> FetchError {
    if error.is_timeout() {
        return FetchError::Timeout(seconds);
    }
    // The guarded resolver's refusal travels inside the connect error.
    let mut source: Option<&dyn std::error::Error> = Some(error);
    while let Some(e) = source {
        if let Some(fetch) = e.downcast_ref::<FetchError>() {
            return fetch.clone();
        }
        source = e.source();
    }
    let host = url.host_str().unwrap_or("the site");
    if error.is_connect() {
        FetchError::Unreachable(format!("Could not connect to {host}."))
    } else {
        FetchError::Unreachable(format!(
            "The connection to {host} failed while reading the page."
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_ranges_are_recognised() {
        for ip in [
            "127.0.0.1",
            "10.0.0.1",
            "172.16.5.4",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "ff02::1",
            "::7f00:1",
            "::127.0.0.1",
            "::a9fe:a9fe",
            "::ffff:0:127.0.0.1",
            "::ffff:0:a00:1",
            "2002:7f00:1::1",
            "2002:a9fe:a9fe::",
            "2002:c0a8:101::1",
            "2001:0:4136:e378:8000:63bf:3fff:fdd2",
            "2001::1",
            "64:ff9b::7f00:1",
            "64:ff9b:1::a00:1",
            "100::1",
        ] {
            assert!(is_internal(ip.parse().unwrap()), "{ip} should be internal");
        }
        for ip in [
            "93.184.216.34",
            "8.8.8.8",
            "2606:4700::1111",
            "2002:5db8:d822::1",
            "2001:4860:4860::8888",
        ] {
            assert!(!is_internal(ip.parse().unwrap()), "{ip} should be public");
        }
    }

    #[test]
    fn allow_list_ranges_match() {
        let net = IpNet::parse("127.0.0.0/8").unwrap();
        assert!(net.contains("127.3.4.5".parse().unwrap()));
        assert!(!net.contains("128.0.0.1".parse().unwrap()));
        let one = IpNet::parse("::1").unwrap();
        assert!(one.contains("::1".parse().unwrap()));
        assert!(!one.contains("::2".parse().unwrap()));
        assert!(IpNet::parse("10.0.0.0/33").is_none());
        let policy = FetchPolicy {
            allow: vec![IpNet::parse("127.0.0.1").unwrap()],
            ..Default::default()
        };
        assert!(policy.permits("127.0.0.1".parse().unwrap()));
        assert!(!policy.permits("127.0.0.2".parse().unwrap()));
        assert!(!policy.permits("10.0.0.1".parse().unwrap()));
    }

    #[test]
    fn only_plain_web_addresses_pass() {
        assert!(check_url(&Url::parse("https://example.com/x").unwrap()).is_ok());
        assert!(check_url(&Url::parse("ftp://example.com/x").unwrap()).is_err());
        assert!(check_url(&Url::parse("https://user:pw@example.com/").unwrap()).is_err());
        assert!(check_url(&Url::parse("file:///etc/passwd").unwrap()).is_err());
    }
}
