//! The client's address, for the per-address login throttle and the audit log.
//!
//! Behind proxies it comes from `X-Forwarded-For`, read from the right: every proxy
//! appends the address it received the request from, so the entry `hops` places from
//! the right was written by the outermost proxy we trust. Everything to its left came
//! with the request and says whatever the client wants.
use std::net::{IpAddr, SocketAddr};

use http::HeaderMap;

/// How far `X-Forwarded-For` is believed (TRUST_PROXY, TRUSTED_PROXY_HOPS).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProxyTrust {
    /// Proxies in front of us that append to the header; 0: the header is ignored.
    hops: usize,
}

impl ProxyTrust {
    /// The header is ignored: the peer of the TCP connection is the client.
    pub const NONE: ProxyTrust = ProxyTrust { hops: 0 };

    pub fn new(trust_proxy: bool, hops: usize) -> Self {
        Self {
            hops: if trust_proxy { hops } else { 0 },
        }
    }

    /// The client's address: the one our outermost trusted proxy saw, or the peer's
    /// when there is no such proxy, the header is too short, or that entry is not an
    /// address (a proxy that always appends one is misconfigured; never guess).
    pub fn client_ip(self, headers: &HeaderMap, peer: IpAddr) -> IpAddr {
        if self.hops == 0 {
            return peer.to_canonical();
        }
        // Several header lines form one list, in order (RFC 9110 §5.3). Entries are
        // split as bytes: junk the client put on the left cannot spoil the right.
        let entries: Vec<&[u8]> = headers
            .get_all("x-forwarded-for")
            .iter()
            .flat_map(|line| line.as_bytes().split(|b| *b == b','))
            .collect();
        entries
            .len()
            .checked_sub(self.hops)
            .and_then(|i| parse_entry(entries[i]))
            .unwrap_or(peer)
            .to_canonical()
    }
}

/// One `X-Forwarded-For` entry: an address, possibly with a port (`1.2.3.4:5678`,
/// `[2001:db8::1]:443`) or in brackets.
fn parse_entry(raw: &[u8]) -> Option<IpAddr> {
    let text = std::str::from_utf8(raw).ok()?.trim();
    text.parse::<IpAddr>()
        .ok()
        .or_else(|| text.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .or_else(|| text.strip_prefix('[')?.strip_suffix(']')?.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    const PEER: &str = "10.0.0.2";

    fn ip(hops: usize, lines: &[&[u8]]) -> String {
        let mut headers = HeaderMap::new();
        for line in lines {
            headers.append(
                "x-forwarded-for",
                HeaderValue::from_bytes(line).expect("a header value"),
            );
        }
        ProxyTrust::new(true, hops)
            .client_ip(&headers, PEER.parse().unwrap())
            .to_string()
    }

    #[test]
    fn one_proxy_means_the_rightmost_entry() {
        assert_eq!(ip(1, &[b"203.0.113.7"]), "203.0.113.7");
        assert_eq!(
            ip(1, &[b"1.2.3.4, 203.0.113.7"]),
            "203.0.113.7",
            "spoofed left"
        );
        assert_eq!(
            ip(1, &[b"1.2.3.4", b"203.0.113.7"]),
            "203.0.113.7",
            "two lines"
        );
        assert_eq!(ip(1, &[b"1.2.3.4,203.0.113.7:51234"]), "203.0.113.7");
        assert_eq!(ip(1, &[b"[2001:db8::7]:443"]), "2001:db8::7");
        assert_eq!(ip(1, &[b"::ffff:203.0.113.7"]), "203.0.113.7");
    }

    #[test]
    fn two_proxies_mean_the_second_from_the_right() {
        assert_eq!(ip(2, &[b"1.2.3.4, 203.0.113.7, 10.0.0.9"]), "203.0.113.7");
        assert_eq!(ip(2, &[b"203.0.113.7, 10.0.0.9"]), "203.0.113.7");
        assert_eq!(
            ip(2, &[b"1.2.3.4, 2001:db8::7", b"10.0.0.9"]),
            "2001:db8::7"
        );
    }

    #[test]
    fn too_few_entries_mean_the_peer() {
        assert_eq!(ip(2, &[b"203.0.113.7"]), PEER);
        assert_eq!(ip(3, &[b"1.2.3.4, 203.0.113.7"]), PEER);
        assert_eq!(ip(1, &[]), PEER, "no header");
    }

    #[test]
    fn garbage_and_empty_entries_never_become_the_address() {
        assert_eq!(ip(1, &[b""]), PEER);
        assert_eq!(ip(1, &[b"1.2.3.4, "]), PEER);
        assert_eq!(ip(1, &[b"1.2.3.4, not-an-address"]), PEER);
        assert_eq!(ip(1, &[b"1.2.3.4, 203.0.113.7; drop table"]), PEER);
        assert_eq!(ip(2, &[b"unknown, 10.0.0.9"]), PEER);
        // Junk on the client's side does not matter.
        assert_eq!(ip(1, &[b"<script>, \xff\xfe, 203.0.113.7"]), "203.0.113.7");
        assert_eq!(ip(1, &[b",,, 203.0.113.7"]), "203.0.113.7");
    }

    #[test]
    fn without_trust_the_header_is_ignored() {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", HeaderValue::from_static("203.0.113.7"));
        let peer: IpAddr = PEER.parse().unwrap();
        assert_eq!(ProxyTrust::NONE.client_ip(&headers, peer), peer);
        assert_eq!(ProxyTrust::new(false, 2).client_ip(&headers, peer), peer);
    }
}
