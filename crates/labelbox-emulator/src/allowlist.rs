//! IP allowlists of keys: validation and normalisation as the server does them, and the
//! check of a peer address against a stored allowlist.

use ipnet::IpNet;

/// The most unique entries an allowlist may hold.
pub const MAX_ALLOWLIST_ENTRIES: usize = 50;

/// Whether `ip` may use a key with the stored allowlist `entries` (`None`: anywhere).
pub(crate) fn allows(entries: Option<&[String]>, ip: std::net::IpAddr) -> bool {
    let ip = canonical_ip(ip);
    match entries {
        None => true,
        Some(entries) => entries.iter().any(|e| match parse_entry(e) {
            Ok(net) => net.contains(&ip),
            Err(_) => false,
        }),
    }
}

/// IPv4-mapped IPv6 peers (`::ffff:a.b.c.d`) are matched as IPv4.
fn canonical_ip(ip: std::net::IpAddr) -> std::net::IpAddr {
    match ip {
        std::net::IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => std::net::IpAddr::V4(v4),
            None => ip,
        },
        v4 => v4,
    }
}

/// Parses one allowlist entry: an address (a host network) or a strict network. An
/// IPv4-mapped IPv6 entry (`::ffff:10.0.0.0/104`) becomes its IPv4 network, as peers in that
/// range are matched as IPv4 (otherwise it could never match any peer).
fn parse_entry(entry: &str) -> Result<IpNet, ()> {
    if let Ok(ip) = entry.parse::<std::net::IpAddr>() {
        return Ok(IpNet::from(canonical_ip(ip)));
    }
    let net: IpNet = entry.parse().map_err(|_| ())?;
    if net.trunc() != net {
        return Err(());
    }
    if let IpNet::V6(v6) = net {
        if let (Some(v4), Some(len)) = (v6.addr().to_ipv4_mapped(), v6.prefix_len().checked_sub(96))
        {
            if let Ok(v4net) = ipnet::Ipv4Net::new(v4, len) {
                return Ok(IpNet::V4(v4net));
            }
        }
    }
    Ok(net)
}

/// Validates and normalises an allowlist as the server does: each entry trimmed, an address
/// or a strict network, written canonically; duplicates dropped (first kept); at most 50.
/// An empty list is refused: it would read as "nowhere", and storing it as "no allowlist"
/// (anywhere) would fail open. No allowlist is null or an absent field.
pub(crate) fn normalise_allowlist(entries: &[String]) -> Result<Vec<String>, String> {
    if entries.is_empty() {
        return Err(EMPTY_ALLOWLIST.to_owned());
    }
    let mut out: Vec<String> = Vec::new();
    for raw in entries {
        let entry = raw.trim();
        if entry.is_empty() {
            return Err("allowedIpCidrs entries must not be empty".to_owned());
        }
        let canonical = if let Ok(ip) = entry.parse::<std::net::IpAddr>() {
            ip.to_string()
        } else {
            match entry.parse::<IpNet>() {
                Ok(net) if net.trunc() == net => net.to_string(),
                Ok(_) => {
                    return Err(format!(
                        "Invalid IP address or CIDR range: '{entry}' has host bits set"
                    ))
                }
                Err(_) => return Err(format!("Invalid IP address or CIDR range: '{entry}'")),
            }
        };
        if !out.contains(&canonical) {
            out.push(canonical);
        }
    }
    if out.len() > MAX_ALLOWLIST_ENTRIES {
        return Err(format!(
            "allowedIpCidrs cannot contain more than {MAX_ALLOWLIST_ENTRIES} unique entries"
        ));
    }
    Ok(out)
}

/// The refusal of `allowedIpCidrs: []`.
pub(crate) const EMPTY_ALLOWLIST: &str = "allowedIpCidrs must not be empty: an empty allowlist would allow no address; send null (or leave it out) for no allowlist";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowlist_normalisation() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            normalise_allowlist(&s(&[
                " 10.0.0.0/8 ",
                "2001:0db8::0/32",
                "10.0.0.0/8",
                "1.2.3.4"
            ])),
            Ok(s(&["10.0.0.0/8", "2001:db8::/32", "1.2.3.4"]))
        );
        assert_eq!(normalise_allowlist(&[]), Err(EMPTY_ALLOWLIST.to_owned()));
        assert!(normalise_allowlist(&s(&["10.0.0.1/8"]))
            .unwrap_err()
            .contains("host bits"));
        assert!(normalise_allowlist(&s(&["nope"])).is_err());
        assert!(normalise_allowlist(&s(&[" "])).is_err());
        let many: Vec<String> = (0..51).map(|i| format!("10.0.0.{i}")).collect();
        assert!(normalise_allowlist(&many).unwrap_err().contains("50"));
        assert!(normalise_allowlist(&many[..50]).is_ok());
    }

    #[test]
    fn allows_checks_networks_and_mapped_addresses() {
        let list = |entries: &[&str]| entries.iter().map(|e| e.to_string()).collect::<Vec<_>>();
        let ip = |text: &str| text.parse::<std::net::IpAddr>().unwrap();
        let ten = list(&["10.0.0.0/8"]);
        assert!(!allows(Some(&ten), ip("127.0.0.1")));
        assert!(allows(Some(&ten), ip("10.1.2.3")));
        assert!(allows(Some(&ten), ip("::ffff:10.1.2.3")));
        assert!(allows(Some(&list(&["127.0.0.1"])), ip("127.0.0.1")));
        // IPv4-mapped entries match the IPv4 peers (and mapped peers) they name.
        let mapped = list(&["::ffff:127.0.0.1"]);
        assert!(allows(Some(&mapped), ip("127.0.0.1")));
        assert!(allows(Some(&mapped), ip("::ffff:127.0.0.1")));
        assert!(!allows(Some(&mapped), ip("127.0.0.2")));
        let mapped_net = list(&["::ffff:10.0.0.0/104"]);
        assert!(allows(Some(&mapped_net), ip("10.1.2.3")));
        assert!(!allows(Some(&mapped_net), ip("11.0.0.1")));
        assert!(allows(None, ip("192.0.2.1")));
    }
}
