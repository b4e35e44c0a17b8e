//! Outbound safety (SSRF): deliveries go to public addresses only, unless
//! `security.allowed_networks` opens an exception. The policy is checked
//! when an endpoint is created (its URL) and again at connect time, when
//! the delivery client's resolver (`delivery::resolver`) drops forbidden
//! addresses before anything is dialled. `security.https_only` refuses
//! plain `http://` URLs at the same two points.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::IpNet;

use super::endpoint::redact_credentials;

/// Why a URL or a name may not be delivered to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NetworkError {
    #[error(
        "`{url}` points at a forbidden address ({reason}); add its network to security.allowed_networks to allow it"
    )]
    ForbiddenUrl { url: String, reason: &'static str },
    #[error("`{url}` is not an https:// URL; security.https_only allows only HTTPS endpoints")]
    NotHttps { url: String },
    #[error("blocked: {host} resolves only to forbidden addresses ({reasons})")]
    Blocked { host: String, reasons: String },
}

/// Which addresses deliveries may reach.
#[derive(Debug, Clone, Default)]
pub struct NetworkPolicy {
    /// Exceptions to the forbidden ranges.
    allowed: Vec<IpNet>,
    /// Refuse URLs whose scheme is not `https`.
    https_only: bool,
}

impl NetworkPolicy {
    pub fn new(allowed: Vec<IpNet>) -> Self {
        NetworkPolicy {
            allowed,
            https_only: false,
        }
    }

    /// The same policy, refusing plain HTTP URLs when `https_only`.
    pub fn with_https_only(self, https_only: bool) -> Self {
        NetworkPolicy { https_only, ..self }
    }

    /// Why `ip` may not be reached, or `None` when it may.
    pub fn refuses(&self, ip: IpAddr) -> Option<&'static str> {
        let reason = forbidden_reason(ip)?;
        // An exception may name the address in either form.
        let embedded = embedded_ipv4(ip).map(IpAddr::V4);
        let allowed = self
            .allowed
            .iter()
            .any(|net| net.contains(&ip) || embedded.is_some_and(|v4| net.contains(&v4)));
        (!allowed).then_some(reason)
    }

    /// Checks a delivery URL's host before anything is resolved: IP literals
    /// in any encoding (the URL parser normalises `2130706433` and `0x7f.1`)
    /// and `localhost` names. Other names are checked when they resolve.
    pub fn check_url(&self, url: &url::Url) -> Result<(), NetworkError> {
        if self.https_only && url.scheme() != "https" {
            return Err(NetworkError::NotHttps {
                url: redact_credentials(url.as_str()),
            });
        }
        let refused = match url.host() {
            Some(url::Host::Ipv4(v4)) => self.refuses(IpAddr::V4(v4)),
            Some(url::Host::Ipv6(v6)) => self.refuses(IpAddr::V6(v6)),
            Some(url::Host::Domain(name)) if is_localhost_name(name) => {
                self.refuses(IpAddr::V4(Ipv4Addr::LOCALHOST))
            }
            _ => None,
        };
        match refused {
            Some(reason) => Err(NetworkError::ForbiddenUrl {
                url: redact_credentials(url.as_str()),
                reason,
            }),
            None => Ok(()),
        }
    }
}

fn is_localhost_name(name: &str) -> bool {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost" || name.ends_with(".localhost")
}

/// The IPv4 address carried inside an IPv6 one: IPv4-mapped, -compatible,
/// NAT64 (64:ff9b::/96) and 6to4 (2002::/16).
fn embedded_ipv4(ip: IpAddr) -> Option<Ipv4Addr> {
    let IpAddr::V6(v6) = ip else { return None };
    let s = v6.segments();
    let low = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    match s {
        [0, 0, 0, 0, 0, 0xffff, _, _] => Some(low),
        [0, 0, 0, 0, 0, 0, _, _] if v6 != Ipv6Addr::UNSPECIFIED && v6 != Ipv6Addr::LOCALHOST => {
            Some(low)
        }
        [0x64, 0xff9b, 0, 0, 0, 0, _, _] => Some(low),
        [0x2002, hi, lo, ..] => Some(Ipv4Addr::new(
            (hi >> 8) as u8,
            hi as u8,
            (lo >> 8) as u8,
            lo as u8,
        )),
        _ => None,
    }
}

fn v4_reason(v4: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = v4.octets();
    Some(match (a, b, c) {
        (0, _, _) => "unspecified (0.0.0.0/8)",
        (127, _, _) => "loopback",
        (10, _, _) => "private (10.0.0.0/8)",
        (172, 16..=31, _) => "private (172.16.0.0/12)",
        (192, 168, _) => "private (192.168.0.0/16)",
        (169, 254, _) => "link-local (169.254.0.0/16, cloud metadata)",
        (100, 64..=127, _) => "shared address space (CGNAT, 100.64.0.0/10)",
        (192, 0, 0) => "IETF protocol assignments (192.0.0.0/24)",
        (192, 0, 2) | (198, 51, 100) | (203, 0, 113) => "documentation",
        (198, 18..=19, _) => "benchmarking (198.18.0.0/15)",
        (192, 88, 99) => "6to4 relay anycast",
        (224..=239, _, _) => "multicast",
        (240..=255, _, _) => "reserved or broadcast",
        _ => return None,
    })
}

/// Why `ip` is in a forbidden range, or `None` for a public address.
pub fn forbidden_reason(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => v4_reason(v4),
        IpAddr::V6(v6) => {
            if v6.is_unspecified() {
                return Some("unspecified (::)");
            }
            if v6.is_loopback() {
                return Some("loopback");
            }
            if let Some(v4) = embedded_ipv4(ip) {
                // A public IPv4 inside is fine; anything else is refused as
                // what it wraps.
                return v4_reason(v4);
            }
            let s = v6.segments();
            Some(match s[0] {
                0xfc00..=0xfdff => "unique local (fc00::/7)",
                0xfe80..=0xfebf => "link-local (fe80::/10)",
                0xfec0..=0xfeff => "site-local (fec0::/10)",
                0xff00..=0xffff => "multicast",
                0x2001 if s[1] == 0x0db8 => "documentation (2001:db8::/32)",
                0x2001 if s[1] == 0 => "Teredo (2001::/32)",
                0x0100 if s[1..4] == [0, 0, 0] => "discard (100::/64)",
                0x0000..=0x00ff => "reserved (::/8)",
                _ => return None,
            })
        }
    }
}

/// Keeps the allowed addresses of `host`; `NetworkError::Blocked` when
/// none is left.
pub fn filter_allowed(
    policy: &NetworkPolicy,
    host: &str,
    resolved: Vec<IpAddr>,
) -> Result<Vec<IpAddr>, NetworkError> {
    let mut reasons = Vec::new();
    let allowed: Vec<IpAddr> = resolved
        .into_iter()
        .filter(|ip| match policy.refuses(*ip) {
            Some(reason) => {
                reasons.push(format!("{ip}: {reason}"));
                false
            }
            None => true,
        })
        .collect();
    if allowed.is_empty() {
        return Err(NetworkError::Blocked {
            host: host.to_owned(),
            reasons: if reasons.is_empty() {
                "no address".to_owned()
            } else {
                reasons.join(", ")
            },
        });
    }
    Ok(allowed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_only_refuses_plain_http_and_keeps_the_address_rules() {
        let policy = NetworkPolicy::new(vec!["127.0.0.0/8".parse().unwrap()]).with_https_only(true);
        let url = |raw: &str| url::Url::parse(raw).unwrap();
        assert!(
            policy
                .check_url(&url("https://127.0.0.1:8443/hook"))
                .is_ok()
        );
        let refused = policy
            .check_url(&url("http://user:pw@127.0.0.1/hook"))
            .unwrap_err();
        assert!(
            matches!(refused, NetworkError::NotHttps { .. }),
            "{refused:?}"
        );
        let message = refused.to_string();
        assert!(message.contains("security.https_only"), "{message}");
        assert!(!message.contains("pw"), "credentials echoed: {message}");
        assert!(matches!(
            policy.check_url(&url("https://10.0.0.1/hook")),
            Err(NetworkError::ForbiddenUrl { .. })
        ));
        let plain = NetworkPolicy::new(vec!["127.0.0.0/8".parse().unwrap()]);
        assert!(plain.check_url(&url("http://127.0.0.1/hook")).is_ok());
    }

    #[test]
    fn a_forbidden_url_is_reported_without_its_credentials() {
        let url = url::Url::parse("https://alice:s3cret@10.0.0.1/hook").unwrap();
        let message = NetworkPolicy::default()
            .check_url(&url)
            .unwrap_err()
            .to_string();
        assert!(!message.contains("s3cret"), "{message}");
        assert!(message.contains("***@10.0.0.1"), "{message}");
    }

    fn ip(raw: &str) -> IpAddr {
        raw.parse().unwrap()
    }

    /// (address or URL, allowed?) — checked with no exceptions configured.
    const CASES: &[(&str, bool)] = &[
        ("8.8.8.8", true),
        ("1.1.1.1", true),
        ("93.184.216.34", true),
        ("172.15.255.255", true),
        ("172.32.0.1", true),
        ("100.63.255.255", true),
        ("100.128.0.1", true),
        ("192.169.0.1", true),
        ("198.17.255.255", true),
        ("198.20.0.1", true),
        ("223.255.255.255", true),
        ("2606:4700:4700::1111", true),
        ("2001:4860:4860::8888", true),
        ("::ffff:8.8.8.8", true),
        ("64:ff9b::808:808", true),
        ("2002:808:808::1", true),
        ("0.0.0.0", false),
        ("0.1.2.3", false),
        ("127.0.0.1", false),
        ("127.255.255.254", false),
        ("10.0.0.1", false),
        ("10.255.255.255", false),
        ("172.16.0.1", false),
        ("172.31.255.255", false),
        ("192.168.0.1", false),
        ("192.168.255.255", false),
        ("169.254.169.254", false),
        ("169.254.0.1", false),
        ("100.64.0.1", false),
        ("100.127.255.255", false),
        ("192.0.0.1", false),
        ("192.0.2.1", false),
        ("198.51.100.7", false),
        ("203.0.113.9", false),
        ("198.18.0.1", false),
        ("198.19.255.255", false),
        ("192.88.99.1", false),
        ("224.0.0.1", false),
        ("239.255.255.250", false),
        ("240.0.0.1", false),
        ("255.255.255.255", false),
        ("::", false),
        ("::1", false),
        ("fc00::1", false),
        ("fd12:3456::1", false),
        ("fe80::1", false),
        ("febf::1", false),
        ("fec0::1", false),
        ("ff02::1", false),
        ("2001:db8::1", false),
        ("2001::1", false),
        ("100::1", false),
        ("::ffff:127.0.0.1", false),
        ("::ffff:7f00:1", false),
        ("::ffff:169.254.169.254", false),
        ("::ffff:10.0.0.1", false),
        ("::127.0.0.1", false),
        ("64:ff9b::7f00:1", false),
        ("64:ff9b::a9fe:a9fe", false),
        ("2002:7f00:1::", false),
        ("2002:c0a8:101::1", false),
    ];

    #[test]
    fn classifies_every_address_in_the_table() {
        let policy = NetworkPolicy::default();
        for (raw, allowed) in CASES {
            assert_eq!(policy.refuses(ip(raw)).is_none(), *allowed, "{raw}");
        }
        assert!(CASES.len() >= 60);
    }

    #[test]
    fn catches_ip_literals_in_every_url_encoding_and_localhost_names() {
        let policy = NetworkPolicy::default();
        let cases = [
            ("http://2130706433/", false),
            ("http://0x7f.1/", false),
            ("http://0x7f000001/", false),
            ("http://017700000001/", false),
            ("http://127.1/", false),
            ("http://[::ffff:7f00:1]/", false),
            ("http://[::1]:8080/x", false),
            ("http://localhost/", false),
            ("http://LOCALHOST./", false),
            ("http://api.localhost/", false),
            ("http://169.254.169.254/latest/meta-data", false),
            ("https://example.com/hooks", true),
            ("https://8.8.8.8/", true),
            ("https://localhost.example.com/", true),
        ];
        for (raw, allowed) in cases {
            let url = url::Url::parse(raw).unwrap();
            assert_eq!(policy.check_url(&url).is_ok(), allowed, "{raw}");
        }
    }

    #[test]
    fn exceptions_open_exactly_their_networks() {
        let policy = NetworkPolicy::new(vec!["127.0.0.0/8".parse().unwrap()]);
        assert!(policy.refuses(ip("127.0.0.1")).is_none());
        assert!(
            policy.refuses(ip("::ffff:127.0.0.1")).is_none(),
            "the mapped form too"
        );
        assert!(policy.refuses(ip("10.0.0.1")).is_some());
        assert!(
            policy
                .check_url(&url::Url::parse("http://localhost:9000/").unwrap())
                .is_ok()
        );
    }

    // Fuzz: any URL text classifies without panicking, and every way of
    // writing an IPv4 address classifies like the address itself.
    proptest::proptest! {
        #[test]
        fn fuzz_any_url_classifies(text in "\\PC{0,80}", host in "[a-z0-9.:\\[\\]%-]{0,40}") {
            let policy = NetworkPolicy::new(Vec::new());
            for candidate in [text.clone(), format!("http://{host}/hook"), format!("https://{text}")] {
                if let Ok(url) = url::Url::parse(&candidate) {
                    let _ = policy.check_url(&url);
                }
            }
        }

        #[test]
        fn fuzz_ipv4_encodings_classify_like_the_address(raw: u32) {
            let policy = NetworkPolicy::new(Vec::new());
            let address = std::net::Ipv4Addr::from(raw);
            let forbidden = forbidden_reason(IpAddr::V4(address)).is_some();
            let [a, b, c, d] = address.octets();
            for form in [
                address.to_string(),
                raw.to_string(),
                format!("{raw:#x}"),
                format!("{a:#x}.{b}.{c}.{d}"),
                format!("{a}.{}", u32::from_be_bytes([0, b, c, d])),
            ] {
                let url = url::Url::parse(&format!("http://{form}/")).unwrap();
                proptest::prop_assert_eq!(policy.check_url(&url).is_err(), forbidden, "{}", form);
            }
            // The IPv4-mapped IPv6 form of a forbidden address is forbidden too.
            if forbidden {
                let mapped = url::Url::parse(&format!("http://[::ffff:{address}]/")).unwrap();
                proptest::prop_assert!(policy.check_url(&mapped).is_err());
            }
        }
    }
}
