//! The client's IP: the socket's peer, or — only when that peer is a configured trusted proxy —
//! the nearest untrusted address in `Forwarded` / `X-Forwarded-For`. A spoofed header from anyone
//! else changes nothing.

use std::net::{IpAddr, SocketAddr};

use axum::http::HeaderMap;
use ipnet::IpNet;

/// The address a request is from, as far as the site can trust.
pub fn client_ip(peer: SocketAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    let peer_ip = canonical(peer.ip());
    if !is_trusted(&peer_ip) {
        return peer_ip;
    }
    let hops = forwarded_hops(headers);
    // Walk from the nearest hop outwards: the first address not of our own proxies is the client.
    for hop in hops.iter().rev() {
        if !is_trusted(hop) {
            return *hop;
        }
    }
    hops.first().copied().unwrap_or(peer_ip)
}

/// Whether the request reached the site over HTTPS: said by a trusted proxy (`Forwarded: proto=`,
/// else `X-Forwarded-Proto`), since TLS ends at the proxy; from anyone else the header is ignored.
pub fn came_over_https(peer: SocketAddr, headers: &HeaderMap, trusted: &[IpNet]) -> bool {
    let peer_ip = canonical(peer.ip());
    if !trusted.iter().any(|net| net.contains(&peer_ip)) {
        return false;
    }
    let forwarded = headers
        .get_all("forwarded")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .next_back()
        .and_then(|element| {
            element.split(';').find_map(|pair| {
                let (k, v) = pair.trim().split_once('=')?;
                k.eq_ignore_ascii_case("proto")
                    .then(|| v.trim_matches('"').eq_ignore_ascii_case("https"))
            })
        });
    forwarded.unwrap_or_else(|| {
        headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next_back())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"))
    })
}

/// IPv4-mapped IPv6 addresses (`::ffff:1.2.3.4`) as plain IPv4, so one client has one key.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

/// The client-side addresses of `Forwarded` (RFC 7239) if present, else `X-Forwarded-For`, in order.
fn forwarded_hops(headers: &HeaderMap) -> Vec<IpAddr> {
    let forwarded: Vec<IpAddr> = headers
        .get_all("forwarded")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|element| {
            element.split(';').find_map(|pair| {
                let (k, v) = pair.trim().split_once('=')?;
                k.eq_ignore_ascii_case("for").then(|| parse_node(v))?
            })
        })
        .collect();
    if !forwarded.is_empty() {
        return forwarded;
    }
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(parse_node)
        .collect()
}

/// `1.2.3.4`, `1.2.3.4:80`, `"[2001:db8::1]:4711"` or `2001:db8::1` → an address.
fn parse_node(raw: &str) -> Option<IpAddr> {
    let s = raw.trim().trim_matches('"');
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Some(canonical(ip));
    }
    if let Some(rest) = s.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok().map(canonical);
    }
    s.rsplit_once(':')
        .and_then(|(host, _)| host.parse().ok())
        .map(canonical)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, v.parse().unwrap());
        }
        h
    }

    fn peer(ip: &str) -> SocketAddr {
        SocketAddr::new(ip.parse().unwrap(), 5555)
    }

    #[test]
    fn untrusted_peers_cannot_spoof_their_address() {
        let h = headers(&[("x-forwarded-for", "1.2.3.4")]);
        assert_eq!(
            client_ip(peer("9.9.9.9"), &h, &[]),
            "9.9.9.9".parse::<IpAddr>().unwrap()
        );
        let trusted = ["10.0.0.0/8".parse().unwrap()];
        assert_eq!(
            client_ip(peer("9.9.9.9"), &h, &trusted),
            "9.9.9.9".parse::<IpAddr>().unwrap()
        );
    }

    #[test]
    fn trusted_proxies_pass_on_the_nearest_untrusted_hop() {
        let trusted = ["10.0.0.0/8".parse().unwrap()];
        let h = headers(&[("x-forwarded-for", "6.6.6.6, 1.2.3.4, 10.0.0.2")]);
        assert_eq!(
            client_ip(peer("10.0.0.1"), &h, &trusted),
            "1.2.3.4".parse::<IpAddr>().unwrap(),
            "a forged first hop is ignored"
        );
        let h = headers(&[(
            "forwarded",
            "for=\"[2001:db8::1]:4711\";proto=https, for=10.0.0.3",
        )]);
        assert_eq!(
            client_ip(peer("10.0.0.1"), &h, &trusted),
            "2001:db8::1".parse::<IpAddr>().unwrap()
        );
        assert_eq!(
            client_ip(peer("10.0.0.1"), &HeaderMap::new(), &trusted),
            "10.0.0.1".parse::<IpAddr>().unwrap()
        );
    }

    #[test]
    fn https_is_believed_from_trusted_proxies_only() {
        let trusted = ["10.0.0.0/8".parse().unwrap()];
        let h = headers(&[("x-forwarded-proto", "https")]);
        assert!(came_over_https(peer("10.0.0.1"), &h, &trusted));
        assert!(!came_over_https(peer("9.9.9.9"), &h, &trusted));
        let h = headers(&[("forwarded", "for=1.2.3.4;proto=http")]);
        assert!(!came_over_https(peer("10.0.0.1"), &h, &trusted));
        let h = headers(&[("forwarded", "for=1.2.3.4;proto=https")]);
        assert!(came_over_https(peer("10.0.0.1"), &h, &trusted));
    }

    #[test]
    fn mapped_ipv6_is_ipv4() {
        assert_eq!(
            client_ip(peer("::ffff:1.2.3.4"), &HeaderMap::new(), &[]),
            "1.2.3.4".parse::<IpAddr>().unwrap()
        );
    }
}
