//! The IP allowlist of a new API key: [`IpAllowlist`] of [`AllowedIp`] entries.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use ipnet::IpNet;

pub use crate::contract::MAX_ALLOWLIST_ENTRIES;

/// One allowlist entry: a single address or a CIDR network.
///
/// Parse it with [`FromStr`], which trims the text, canonicalises it (IPv6 compressed,
/// lower case) and rejects a network with host bits set. An address written without a
/// prefix stays an address (`192.168.1.5`, not `192.168.1.5/32`).
///
/// ```
/// use labelbox_core::AllowedIp;
///
/// let net: AllowedIp = " 2001:DB8:0:0::/32 ".parse()?;
/// assert_eq!(net.to_string(), "2001:db8::/32");
/// assert!(net.contains("2001:db8::7".parse()?));
///
/// let err = "10.0.0.1/8".parse::<AllowedIp>().unwrap_err();
/// assert_eq!(err.to_string(), "10.0.0.1/8 has host bits set; did you mean 10.0.0.0/8?");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AllowedIp {
    /// A single address, written without a prefix length.
    Address(IpAddr),
    /// A network in CIDR notation. Built by [`FromStr`] it never has host bits set.
    Network(IpNet),
}

impl AllowedIp {
    /// Parses an entry as the server returned it: like [`FromStr`] (trimmed, canonical
    /// text) but a network with host bits set is kept as written instead of rejected,
    /// so that reading a key's allowlist never fails on an entry this crate would not
    /// have sent.
    ///
    /// ```
    /// use labelbox_core::AllowedIp;
    ///
    /// assert_eq!(AllowedIp::parse_lenient("10.0.0.1/8")?.to_string(), "10.0.0.1/8");
    /// assert!(AllowedIp::parse_lenient("nonsense").is_err());
    /// # Ok::<(), labelbox_core::AllowedIpError>(())
    /// ```
    pub fn parse_lenient(text: &str) -> Result<AllowedIp, AllowedIpError> {
        match text.parse() {
            Err(AllowedIpError::HostBitsSet { entry, .. }) => entry
                .parse()
                .map(AllowedIp::Network)
                .map_err(|_| AllowedIpError::Invalid { entry }),
            other => other,
        }
    }

    /// Whether `ip` is this address or inside this network. An IPv4-mapped IPv6
    /// address (`::ffff:10.0.0.1`) matches the IPv4 entries it maps to, and vice versa.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let canonical = ip.to_canonical();
        match self {
            AllowedIp::Address(addr) => addr.to_canonical() == canonical,
            AllowedIp::Network(net) => {
                net.contains(&ip)
                    || net.contains(&canonical)
                    || match canonical {
                        // An IPv4 address also as its mapped form, for IPv6 networks.
                        IpAddr::V4(v4) => net.contains(&IpAddr::V6(v4.to_ipv6_mapped())),
                        IpAddr::V6(_) => false,
                    }
            }
        }
    }
}

impl fmt::Display for AllowedIp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AllowedIp::Address(addr) => addr.fmt(f),
            AllowedIp::Network(net) => net.fmt(f),
        }
    }
}

impl FromStr for AllowedIp {
    type Err = AllowedIpError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let entry = s.trim();
        if entry.is_empty() {
            return Err(AllowedIpError::Empty);
        }
        let invalid = || AllowedIpError::Invalid {
            entry: entry.to_owned(),
        };
        if entry.contains('/') {
            let net: IpNet = entry.parse().map_err(|_| invalid())?;
            let network = net.trunc();
            if network != net {
                return Err(AllowedIpError::HostBitsSet {
                    entry: entry.to_owned(),
                    network: network.to_string(),
                });
            }
            Ok(AllowedIp::Network(net))
        } else {
            entry.parse().map(AllowedIp::Address).map_err(|_| invalid())
        }
    }
}

impl From<IpAddr> for AllowedIp {
    fn from(addr: IpAddr) -> Self {
        AllowedIp::Address(addr)
    }
}

impl serde::Serialize for AllowedIp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for AllowedIp {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Why one allowlist entry was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AllowedIpError {
    /// Empty, or only whitespace.
    #[error("entry is empty")]
    Empty,
    /// Neither an IPv4/IPv6 address nor a CIDR network.
    #[error("'{entry}' is not an IPv4/IPv6 address or CIDR network")]
    Invalid {
        /// The entry, trimmed.
        entry: String,
    },
    /// A network whose address has bits set beyond its prefix (strict networks only).
    #[error("{entry} has host bits set; did you mean {network}?")]
    HostBitsSet {
        /// The entry, trimmed.
        entry: String,
        /// The network the entry probably meant (host bits cleared).
        network: String,
    },
}

/// Why an allowlist was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AllowlistError {
    /// The entry at `index` (zero-based, in the input order) is not acceptable.
    #[error("allowed_ip_cidrs[{index}]: {reason}")]
    Entry {
        /// Zero-based position of the entry in the input.
        index: usize,
        /// What is wrong with it.
        reason: AllowedIpError,
    },
    /// No entry at all. An empty allowlist would mean "from nowhere", but the API stores
    /// an empty list as "no allowlist" ("from anywhere"), so it is refused: omit the
    /// allowlist for a key usable from anywhere.
    #[error("an IP allowlist needs at least one entry; to allow any address, give no allowlist")]
    Empty,
    /// More than [`MAX_ALLOWLIST_ENTRIES`] unique entries.
    #[error("At most {max} unique allowed IP entries are allowed; got {count}", max = MAX_ALLOWLIST_ENTRIES)]
    TooMany {
        /// How many unique entries were given.
        count: usize,
    },
}

/// A key's IP allowlist, built by the contract's rules.
///
/// Each entry is trimmed, must be non-empty and an IPv4/IPv6 address or CIDR network,
/// is turned into canonical text (IPv6 compressed), and must not have host bits set;
/// duplicates (by canonical form) are dropped keeping the first; at most 50 unique
/// entries remain. Errors name the entry and its zero-based index. An allowlist has at
/// least one entry: no entries is [`AllowlistError::Empty`] (the API reads an empty list as
/// "no allowlist", so "nowhere" would silently become "anywhere"; for no restriction,
/// give no allowlist at all).
///
/// ```
/// use labelbox_core::{AllowlistError, IpAllowlist};
///
/// let list = IpAllowlist::new(["192.168.1.5", " 10.0.0.0/8 ", "2001:db8:0::1", "192.168.1.5"])?;
/// assert_eq!(list.to_strings(), ["192.168.1.5", "10.0.0.0/8", "2001:db8::1"]);
/// assert!(list.contains("10.1.2.3".parse()?));
/// assert!(!list.contains("192.168.1.6".parse()?));
///
/// let err = IpAllowlist::new(["10.0.0.0/8", "10.0.0.1/8"]).unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "allowed_ip_cidrs[1]: 10.0.0.1/8 has host bits set; did you mean 10.0.0.0/8?"
/// );
///
/// assert_eq!(IpAllowlist::new(Vec::<String>::new()), Err(AllowlistError::Empty));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IpAllowlist {
    entries: Vec<AllowedIp>,
}

impl IpAllowlist {
    /// Builds an allowlist from entries given as text, applying every rule; no entries
    /// at all is [`AllowlistError::Empty`].
    pub fn new<I, S>(entries: I) -> Result<IpAllowlist, AllowlistError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut unique: Vec<AllowedIp> = Vec::new();
        for (index, text) in entries.into_iter().enumerate() {
            let entry: AllowedIp = text
                .as_ref()
                .parse()
                .map_err(|reason| AllowlistError::Entry { index, reason })?;
            if !unique.contains(&entry) {
                unique.push(entry);
            }
        }
        if unique.is_empty() {
            return Err(AllowlistError::Empty);
        }
        if unique.len() > MAX_ALLOWLIST_ENTRIES {
            return Err(AllowlistError::TooMany {
                count: unique.len(),
            });
        }
        Ok(IpAllowlist { entries: unique })
    }

    /// The unique entries, in first-seen order.
    pub fn entries(&self) -> &[AllowedIp] {
        &self.entries
    }

    /// The entries' canonical text, in order (what the API's `allowedIpCidrs` takes).
    pub fn to_strings(&self) -> Vec<String> {
        self.entries.iter().map(ToString::to_string).collect()
    }

    /// Whether `ip` matches any entry.
    pub fn contains(&self, ip: IpAddr) -> bool {
        self.entries.iter().any(|entry| entry.contains(ip))
    }

    /// The number of entries (at least one).
    #[allow(clippy::len_without_is_empty)] // never empty: `new` refuses no entries
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// The entries, in order.
    pub fn iter(&self) -> std::slice::Iter<'_, AllowedIp> {
        self.entries.iter()
    }
}

impl<'a> IntoIterator for &'a IpAllowlist {
    type Item = &'a AllowedIp;
    type IntoIter = std::slice::Iter<'a, AllowedIp>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter()
    }
}

impl TryFrom<Vec<String>> for IpAllowlist {
    type Error = AllowlistError;

    fn try_from(entries: Vec<String>) -> Result<Self, Self::Error> {
        IpAllowlist::new(entries)
    }
}

impl FromStr for IpAllowlist {
    type Err = AllowlistError;

    /// Comma-separated entries (`"10.0.0.0/8, 192.168.1.5"`), as a command line gives them.
    /// Empty text is [`AllowlistError::Empty`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.trim().is_empty() {
            return Err(AllowlistError::Empty);
        }
        IpAllowlist::new(s.split(','))
    }
}

impl fmt::Display for IpAllowlist {
    /// Entries separated by `", "`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, entry) in self.entries.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            entry.fmt(f)?;
        }
        Ok(())
    }
}

impl serde::Serialize for IpAllowlist {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(&self.entries)
    }
}

impl<'de> serde::Deserialize<'de> for IpAllowlist {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let entries = Vec::<String>::deserialize(deserializer)?;
        IpAllowlist::new(entries).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn strings(list: &IpAllowlist) -> Vec<String> {
        list.to_strings()
    }

    #[test]
    fn trims_and_canonicalises() {
        let list = IpAllowlist::new([
            "  192.168.1.5 ",
            "2001:0DB8:0000:0000:0000:0000:0000:0001",
            "2001:db8:abcd::/48",
            "10.0.0.0/8",
            "0.0.0.0/0",
            "::/0",
            "10.0.0.5/32",
        ])
        .unwrap();
        assert_eq!(
            strings(&list),
            [
                "192.168.1.5",
                "2001:db8::1",
                "2001:db8:abcd::/48",
                "10.0.0.0/8",
                "0.0.0.0/0",
                "::/0",
                "10.0.0.5/32"
            ]
        );
        assert_eq!(
            list.entries()[0],
            AllowedIp::Address("192.168.1.5".parse().unwrap())
        );
    }

    #[test]
    fn empty_entries_are_rejected_with_index() {
        let err = IpAllowlist::new(["10.0.0.0/8", "   "]).unwrap_err();
        assert_eq!(
            err,
            AllowlistError::Entry {
                index: 1,
                reason: AllowedIpError::Empty
            }
        );
        assert_eq!(err.to_string(), "allowed_ip_cidrs[1]: entry is empty");
        assert!(IpAllowlist::new([""]).is_err());
    }

    #[test]
    fn no_entries_is_refused_not_read_as_anywhere() {
        let err = IpAllowlist::new(Vec::<&str>::new()).unwrap_err();
        assert_eq!(err, AllowlistError::Empty);
        assert_eq!(
            err.to_string(),
            "an IP allowlist needs at least one entry; to allow any address, give no allowlist"
        );
    }

    #[test]
    fn invalid_entries_are_named() {
        for bad in [
            "not-an-ip",
            "256.0.0.1",
            "10.0.0.0/33",
            "2001:db8::/129",
            "10.0.0.0/",
            "/8",
            "1.2.3",
            "10.0.0.0/8/8",
            "fe80::1%eth0",
        ] {
            let err = IpAllowlist::new(["1.1.1.1", bad]).unwrap_err();
            assert_eq!(
                err,
                AllowlistError::Entry {
                    index: 1,
                    reason: AllowedIpError::Invalid { entry: bad.into() }
                },
                "{bad}"
            );
            assert_eq!(
                err.to_string(),
                format!("allowed_ip_cidrs[1]: '{bad}' is not an IPv4/IPv6 address or CIDR network")
            );
        }
    }

    #[test]
    fn lenient_parsing_keeps_host_bits() {
        let entry = AllowedIp::parse_lenient(" 10.0.0.1/8 ").unwrap();
        assert_eq!(entry.to_string(), "10.0.0.1/8");
        assert!(entry.contains("10.9.9.9".parse().unwrap()));
        assert_eq!(
            AllowedIp::parse_lenient("2001:DB8::1").unwrap().to_string(),
            "2001:db8::1"
        );
        assert_eq!(AllowedIp::parse_lenient(""), Err(AllowedIpError::Empty));
    }

    #[test]
    fn host_bits_are_rejected_with_a_suggestion() {
        let err = IpAllowlist::new([" 10.0.0.1/8 "]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "allowed_ip_cidrs[0]: 10.0.0.1/8 has host bits set; did you mean 10.0.0.0/8?"
        );
        let err = IpAllowlist::new(["2001:db8::1/32"]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "allowed_ip_cidrs[0]: 2001:db8::1/32 has host bits set; did you mean 2001:db8::/32?"
        );
    }

    #[test]
    fn duplicates_are_dropped_keeping_first_order() {
        let list = IpAllowlist::new([
            "10.0.0.0/8",
            "2001:db8::1",
            " 10.0.0.0/8",
            "2001:DB8:0::1",
            "1.2.3.4",
        ])
        .unwrap();
        assert_eq!(strings(&list), ["10.0.0.0/8", "2001:db8::1", "1.2.3.4"]);
    }

    #[test]
    fn at_most_fifty_unique_entries() {
        let fifty: Vec<String> = (0..50).map(|i| format!("10.0.0.{i}")).collect();
        assert_eq!(IpAllowlist::new(&fifty).unwrap().len(), 50);

        // Duplicates do not count against the limit.
        let mut with_duplicates = fifty.clone();
        with_duplicates.extend(fifty.iter().cloned());
        assert_eq!(IpAllowlist::new(&with_duplicates).unwrap().len(), 50);

        let fifty_one: Vec<String> = (0..51).map(|i| format!("10.0.0.{i}")).collect();
        let err = IpAllowlist::new(&fifty_one).unwrap_err();
        assert_eq!(err, AllowlistError::TooMany { count: 51 });
        assert_eq!(
            err.to_string(),
            "At most 50 unique allowed IP entries are allowed; got 51"
        );
    }

    #[test]
    fn contains_matches_addresses_and_networks() {
        let list = IpAllowlist::new(["192.168.1.5", "10.0.0.0/8", "2001:db8::/32"]).unwrap();
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert!(list.contains(ip("192.168.1.5")));
        assert!(!list.contains(ip("192.168.1.6")));
        assert!(list.contains(ip("10.255.0.1")));
        assert!(!list.contains(ip("11.0.0.1")));
        assert!(list.contains(ip("2001:db8:1::9")));
        assert!(!list.contains(ip("2001:db9::1")));
        assert!(list.contains(ip("::ffff:10.1.1.1")));
        assert!(list.contains(ip("::ffff:192.168.1.5")));
    }

    #[test]
    fn text_and_serde_forms() {
        let list: IpAllowlist = "10.0.0.0/8, 2001:DB8::1".parse().unwrap();
        assert_eq!(list.to_string(), "10.0.0.0/8, 2001:db8::1");
        assert_eq!(
            serde_json::to_string(&list).unwrap(),
            r#"["10.0.0.0/8","2001:db8::1"]"#
        );
        let back: IpAllowlist = serde_json::from_str(r#"["10.0.0.0/8","2001:db8::1"]"#).unwrap();
        assert_eq!(back, list);
        assert!(serde_json::from_str::<IpAllowlist>(r#"["10.0.0.1/8"]"#).is_err());
        assert_eq!("".parse::<IpAllowlist>(), Err(AllowlistError::Empty));
        assert_eq!(" ".parse::<IpAllowlist>(), Err(AllowlistError::Empty));
        assert_eq!(
            serde_json::from_str::<IpAllowlist>("[]")
                .unwrap_err()
                .to_string(),
            AllowlistError::Empty.to_string()
        );
    }

    fn entry_strategy() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<std::net::Ipv4Addr>().prop_map(|a| a.to_string()),
            any::<std::net::Ipv6Addr>().prop_map(|a| a.to_string()),
            (any::<std::net::Ipv4Addr>(), 0u8..=32)
                .prop_map(|(a, p)| { ipnet::Ipv4Net::new(a, p).unwrap().trunc().to_string() }),
            (any::<std::net::Ipv6Addr>(), 0u8..=128).prop_map(|(a, p)| {
                // Written expanded and upper case, so canonicalisation has work to do.
                let net = ipnet::Ipv6Net::new(a, p).unwrap().trunc();
                let segments = net.addr().segments();
                let long: Vec<String> = segments.iter().map(|s| format!("{s:04X}")).collect();
                format!(" {}/{} ", long.join(":"), net.prefix_len())
            }),
            Just("10.0.0.0/8".to_string()),
        ]
    }

    proptest! {
        #[test]
        fn canonicalisation_is_idempotent(entries in prop::collection::vec(entry_strategy(), 0..60)) {
            if let Ok(list) = IpAllowlist::new(&entries) {
                let again = IpAllowlist::new(list.to_strings()).unwrap();
                prop_assert_eq!(again.to_strings(), list.to_strings());
                prop_assert!(list.len() <= MAX_ALLOWLIST_ENTRIES);
            }
        }

        #[test]
        fn parsing_never_panics(text in "\\PC{0,40}") {
            let _ = text.parse::<AllowedIp>();
        }
    }
}
