//! Pieces shared by the `make bench` tools: the loopback-only address check,
//! the webhook signing scheme, a small seeded random source, and the
//! contract-shaped /rates body returned by the ceiling server.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// A server address that is known to be on this machine's loopback interface.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoopbackTarget {
    pub address: SocketAddr,
    /// The Host header to send, as the base URL spelled it.
    pub host_header: String,
}

/// Parses `http://HOST[:PORT][/]` and accepts only 127.0.0.1, localhost and
/// ::1 as HOST. The tools must never send load anywhere but this machine, so
/// no name is resolved: `localhost` maps to 127.0.0.1 directly.
pub fn parse_loopback_url(base_url: &str) -> Result<LoopbackTarget, String> {
    let rest = base_url
        .strip_prefix("http://")
        .ok_or_else(|| format!("{base_url:?}: only plain http:// base URLs are supported"))?;
    let authority = rest.strip_suffix('/').unwrap_or(rest);
    if authority.contains('/') || authority.contains('?') || authority.contains('@') {
        return Err(format!(
            "{base_url:?}: give the base URL without a path, query or user, e.g. http://127.0.0.1:8080"
        ));
    }
    let (host, port) = split_host_port(authority)?;
    let ip = loopback_ip(host).ok_or_else(|| {
        format!(
            "{base_url:?}: host {host:?} refused; only 127.0.0.1, localhost and [::1] are allowed"
        )
    })?;
    Ok(LoopbackTarget {
        address: SocketAddr::new(ip, port),
        host_header: authority.to_owned(),
    })
}

/// Checks a listen address for the ceiling server: loopback only.
pub fn parse_loopback_bind(bind: &str) -> Result<SocketAddr, String> {
    let (host, port) = split_host_port(bind)?;
    let ip = loopback_ip(host)
        .ok_or_else(|| format!("{bind:?}: only 127.0.0.1, localhost and [::1] may be bound"))?;
    Ok(SocketAddr::new(ip, port))
}

fn split_host_port(authority: &str) -> Result<(&str, u16), String> {
    let (host, port) = if let Some(bracketed) = authority.strip_prefix('[') {
        let (host, after) = bracketed
            .split_once(']')
            .ok_or_else(|| format!("{authority:?}: unclosed '[' in the host"))?;
        (host, after.strip_prefix(':'))
    } else {
        match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    let port = match port {
        None => 80,
        Some(text) => text.parse::<u16>().map_err(|_| {
            format!("{authority:?}: the port {text:?} is not a number from 0 to 65535")
        })?,
    };
    Ok((host, port))
}

fn loopback_ip(host: &str) -> Option<IpAddr> {
    match host {
        "127.0.0.1" | "localhost" => Some(IpAddr::V4(Ipv4Addr::LOCALHOST)),
        "::1" => Some(IpAddr::V6(Ipv6Addr::LOCALHOST)),
        _ => None,
    }
}

/// grace's webhook signature: lowercase hex HMAC-SHA256 of the secret over
/// the X-Timestamp bytes followed directly by the raw body bytes.
pub fn sign(secret: &[u8], timestamp: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC accepts keys of any length");
    mac.update(timestamp.as_bytes());
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// SplitMix64: fast, seedable and good enough to spread requests; the load
/// generator needs reproducible variety, not cryptographic randomness.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Returns a number in `low..=high`. The modulo bias is negligible for these small ranges.
    pub fn range(&mut self, low: u64, high: u64) -> u64 {
        low + self.next_u64() % (high - low + 1)
    }
}

/// The demo room types: code, name, maximum guests, nightly rate in fils.
pub const DEMO_ROOM_TYPES: [(&str, &str, u32, u64); 4] = [
    ("DLX", "Deluxe", 2, 45_000),
    ("FAM", "Family", 4, 60_000),
    ("STD", "Standard", 2, 35_000),
    ("STE", "Suite", 3, 90_000),
];

/// Formats an amount in fils as the contract's decimal string, e.g. "450.00".
pub fn format_amount(minor: u64) -> String {
    format!("{}.{:02}", minor / 100, minor % 100)
}

/// Builds a /rates 200 body shaped like the contract's, with the first
/// `offers` demo room types and `nights` nights from 2026-12-10.
pub fn rates_body(offers: usize, nights: u32) -> String {
    let first = chrono::NaiveDate::from_ymd_opt(2026, 12, 10).expect("a valid date");
    let dates: Vec<_> = first.iter_days().take(nights as usize).collect();
    let offers: Vec<_> = DEMO_ROOM_TYPES
        .iter()
        .take(offers)
        .map(|(code, name, max_guests, amount)| {
            let nightly: Vec<_> = dates
                .iter()
                .map(|date| serde_json::json!({"date": date.to_string(), "amount": format_amount(*amount)}))
                .collect();
            serde_json::json!({
                "room_type": code,
                "name": name,
                "max_guests": max_guests,
                "available": 7,
                "nightly": nightly,
                "total": format_amount(amount * u64::from(nights)),
            })
        })
        .collect();
    let check_out = first + chrono::Days::new(u64::from(nights));
    serde_json::json!({
        "property": "GRACE-DXB",
        "currency": "AED",
        "check_in": first.to_string(),
        "check_out": check_out.to_string(),
        "nights": nights,
        "offers": offers,
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts_are_accepted() {
        let v4 = parse_loopback_url("http://127.0.0.1:8080").unwrap();
        assert_eq!(v4.address, "127.0.0.1:8080".parse().unwrap());
        assert_eq!(v4.host_header, "127.0.0.1:8080");
        let name = parse_loopback_url("http://localhost:9000/").unwrap();
        assert_eq!(name.address, "127.0.0.1:9000".parse().unwrap());
        let v6 = parse_loopback_url("http://[::1]:7000").unwrap();
        assert_eq!(v6.address, "[::1]:7000".parse().unwrap());
        assert_eq!(
            parse_loopback_url("http://localhost")
                .unwrap()
                .address
                .port(),
            80
        );
    }

    #[test]
    fn other_hosts_are_refused() {
        for url in [
            "http://10.0.0.1:8080",
            "http://127.0.0.2:8080",
            "http://example.com",
            "http://169.254.169.254/",
            "https://127.0.0.1:8080",
            "http://user@127.0.0.1:8080",
            "http://127.0.0.1:8080/rates",
            "http://localhost.example.com:80",
            "http://[::2]:80",
        ] {
            assert!(parse_loopback_url(url).is_err(), "{url} was accepted");
        }
        assert!(parse_loopback_bind("0.0.0.0:8080").is_err());
        assert_eq!(parse_loopback_bind("127.0.0.1:0").unwrap().port(), 0);
    }

    #[test]
    fn signature_matches_grace_known_vector() {
        // The vector from grace's src/signature.rs tests.
        let body = br#"{"hotel_id":"H-TEST-1","rate":"129.00"}"#;
        assert_eq!(
            sign(b"test-secret-not-real", "1700000000", body),
            "7a3b4099745f46e1fe639cd4641a3ec05faffc2b42418d566dd9f4c4af539ae7"
        );
    }

    #[test]
    fn rates_body_has_the_contract_shape() {
        let body: serde_json::Value = serde_json::from_str(&rates_body(4, 3)).unwrap();
        assert_eq!(body["nights"], 3);
        assert_eq!(body["check_out"], "2026-12-13");
        let offers = body["offers"].as_array().unwrap();
        assert_eq!(offers.len(), 4);
        assert_eq!(offers[0]["nightly"].as_array().unwrap().len(), 3);
        assert_eq!(offers[0]["total"], "1350.00");
    }

    #[test]
    fn rng_stays_in_range() {
        let mut rng = Rng::new(7);
        for _ in 0..10_000 {
            let value = rng.range(1, 5);
            assert!((1..=5).contains(&value));
        }
    }
}
