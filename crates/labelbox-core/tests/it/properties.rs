//! Property tests of the public parsing and normalisation API (issue 6, "Fuzzing and
//! properties"). The unit tests in `src/` already check the seconds-only display round
//! trip, `Validity::new` bounds, allowlist idempotence over canonical entries and role
//! normalisation over printable text; these add the spellings, sums, error kinds,
//! canonical forms, duplicate handling and the text/JSON forms.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use labelbox_core::{
    normalize_role_name, AllowedIp, AllowedIpError, AllowlistError, IpAllowlist, Role, RoleRef,
    TimeUnit, Validity, ValidityError, MAX_ALLOWLIST_ENTRIES,
};
use proptest::prelude::*;
use proptest::sample::select;

// ---------------------------------------------------------------------------------------
// Validity

const MAX_SECONDS: i64 = 15_120_000;

fn unit() -> impl Strategy<Value = TimeUnit> {
    select(TimeUnit::ALL.to_vec())
}

/// Every spelling `TimeUnit::from_str` documents for `unit`.
fn spellings(unit: TimeUnit) -> &'static [&'static str] {
    match unit {
        TimeUnit::Second => &["s", "sec", "secs", "second", "seconds"],
        TimeUnit::Minute => &["m", "min", "mins", "minute", "minutes"],
        TimeUnit::Hour => &["h", "hr", "hrs", "hour", "hours"],
        TimeUnit::Day => &["d", "day", "days"],
        TimeUnit::Week => &["w", "wk", "wks", "week", "weeks"],
    }
}

/// A spelling of `unit` in a random mix of upper and lower case.
fn spelled(unit: TimeUnit) -> impl Strategy<Value = String> {
    (select(spellings(unit).to_vec()), any::<u64>()).prop_map(|(word, case_bits)| {
        word.chars()
            .enumerate()
            .map(|(i, c)| {
                if case_bits >> (i % 64) & 1 == 1 {
                    c.to_ascii_uppercase()
                } else {
                    c
                }
            })
            .collect()
    })
}

/// An amount and unit whose product is a valid validity.
fn valid_amount_and_unit() -> impl Strategy<Value = (i64, TimeUnit)> {
    unit().prop_flat_map(|unit| {
        let size = unit.seconds();
        let low = (60 + size - 1) / size; // smallest amount reaching a minute
        (low..=MAX_SECONDS / size, Just(unit))
    })
}

fn space() -> impl Strategy<Value = &'static str> {
    select(vec!["", " ", "  ", "\t"])
}

proptest! {
    /// `<amount><space><unit spelling>` parses to exactly `Validity::new(amount, unit)`,
    /// whatever the spelling, case and surrounding whitespace.
    #[test]
    fn validity_text_round_trips_through_new(
        (amount, unit, spelling) in valid_amount_and_unit()
            .prop_flat_map(|(amount, unit)| (Just(amount), Just(unit), spelled(unit))),
        before in space(),
        between in space(),
        after in space(),
    ) {
        let text = format!("{before}{amount}{between}{spelling}{after}");
        let expected = Validity::new(amount, unit).unwrap();
        prop_assert_eq!(text.parse::<Validity>(), Ok(expected), "{:?}", text);
        prop_assert_eq!(expected.as_seconds(), amount * unit.seconds());
    }

    /// The display of any valid validity parses back to it, and is the most compact
    /// exact form: no larger unit divides the length.
    #[test]
    fn validity_display_is_compact_and_round_trips((amount, unit) in valid_amount_and_unit()) {
        let v = Validity::new(amount, unit).unwrap();
        let text = v.to_string();
        prop_assert_eq!(text.parse::<Validity>(), Ok(v));
        let (shown_amount, shown_unit) = v.compact();
        prop_assert_eq!(text, format!("{shown_amount}{}", shown_unit.suffix()));
        for larger in TimeUnit::ALL.iter().filter(|u| **u > shown_unit) {
            prop_assert_ne!(v.as_seconds() % larger.seconds(), 0);
        }
        // The wire form is the seconds.
        let json = serde_json::to_string(&v).unwrap();
        prop_assert_eq!(&json, &v.as_seconds().to_string());
        prop_assert_eq!(serde_json::from_str::<Validity>(&json).unwrap(), v);
    }

    /// Several parts (`1h30m`, `2w 3d`) add up; the sum is checked against the bounds
    /// with the contract's errors.
    #[test]
    fn validity_parts_add_up(
        parts in prop::collection::vec((0i64..400, unit(), space()), 1..5),
    ) {
        let text: String = parts
            .iter()
            .map(|(amount, unit, sep)| format!("{amount}{}{sep}", unit.suffix()))
            .collect();
        let total: i64 = parts.iter().map(|(a, u, _)| a * u.seconds()).sum();
        let expected = if total < 60 {
            Err(ValidityError::TooShort)
        } else if total > MAX_SECONDS {
            Err(ValidityError::TooLong)
        } else {
            Ok(Validity::from_seconds(total).unwrap())
        };
        prop_assert_eq!(text.parse::<Validity>(), expected, "{:?}", text);
    }

    /// Out-of-range amounts get the contract's error, by text and by `new`, checked in
    /// the contract's order (negative first).
    #[test]
    fn validity_out_of_range_errors(amount in any::<i64>(), unit in unit()) {
        let expected = match amount.checked_mul(unit.seconds()) {
            _ if amount < 0 => Err(ValidityError::Negative { amount, unit }),
            Some(s) if s < 60 => Err(ValidityError::TooShort),
            Some(s) if s <= MAX_SECONDS => Ok(s),
            _ => Err(ValidityError::TooLong),
        };
        prop_assert_eq!(Validity::new(amount, unit).map(Validity::as_seconds), expected.clone());
        let text = format!("{amount}{}", unit.suffix());
        // `-9223372036854775808s` too: the negative error carries the amount as given.
        prop_assert_eq!(text.parse::<Validity>().map(Validity::as_seconds), expected);
    }
}

// ---------------------------------------------------------------------------------------
// Allowlist

/// An entry written the way a person might (expanded, upper-case IPv6, whitespace
/// around), and the canonical text it must become.
#[derive(Debug, Clone)]
struct Written {
    text: String,
    canonical: String,
}

fn expanded_v6(addr: Ipv6Addr) -> String {
    addr.segments()
        .iter()
        .map(|s| format!("{s:04X}"))
        .collect::<Vec<_>>()
        .join(":")
}

fn padding() -> impl Strategy<Value = (&'static str, &'static str)> {
    (
        select(vec!["", " ", "\t", "  "]),
        select(vec!["", " ", "\t"]),
    )
}

fn written_entry() -> impl Strategy<Value = Written> {
    let entry = prop_oneof![
        any::<Ipv4Addr>().prop_map(|a| (a.to_string(), a.to_string())),
        any::<Ipv6Addr>().prop_map(|a| (expanded_v6(a), a.to_string())),
        (any::<Ipv4Addr>(), 0u8..=32).prop_map(|(a, p)| {
            let net = Ipv4Net::new(a, p).unwrap().trunc();
            (net.to_string(), format!("{}/{}", net.network(), p))
        }),
        (any::<Ipv6Addr>(), 0u8..=128).prop_map(|(a, p)| {
            let net = Ipv6Net::new(a, p).unwrap().trunc();
            (
                format!("{}/{}", expanded_v6(net.network()), p),
                format!("{}/{}", net.network(), p),
            )
        }),
        // IPv4-mapped IPv6 stays IPv6.
        any::<Ipv4Addr>().prop_map(|a| {
            let mapped = a.to_ipv6_mapped();
            (format!("::FFFF:{a}"), mapped.to_string())
        }),
    ];
    (entry, padding()).prop_map(|((text, canonical), (before, after))| Written {
        text: format!("{before}{text}{after}"),
        canonical,
    })
}

/// The entries whose canonical form was not seen before, in order.
fn dedup(entries: Vec<Written>) -> Vec<Written> {
    let mut seen = Vec::new();
    entries
        .into_iter()
        .filter(|e| {
            let new = !seen.contains(&e.canonical);
            if new {
                seen.push(e.canonical.clone());
            }
            new
        })
        .collect()
}

/// Unique (by canonical form) written entries, at most `max`.
/// At least one entry: an allowlist is never empty.
fn unique_entries(max: usize) -> impl Strategy<Value = Vec<Written>> {
    prop::collection::vec(written_entry(), 1..=max).prop_map(dedup)
}

proptest! {
    /// Each entry parses to its canonical form, which parses back to the same entry,
    /// strictly and leniently.
    #[test]
    fn entry_parses_to_canonical_form(entry in written_entry()) {
        let parsed: AllowedIp = entry.text.parse().unwrap();
        prop_assert_eq!(parsed.to_string(), entry.canonical.clone());
        prop_assert_eq!(entry.canonical.parse::<AllowedIp>(), Ok(parsed));
        prop_assert_eq!(AllowedIp::parse_lenient(&entry.text), Ok(parsed));
        // An address stays an address: no `/32` or `/128` is added.
        prop_assert_eq!(matches!(parsed, AllowedIp::Network(_)), entry.text.contains('/'));
    }

    /// A network with host bits set is refused with the truncated network as the
    /// suggestion, and kept as written by the lenient parser.
    #[test]
    fn host_bits_are_refused_with_the_network(addr in any::<IpAddr>(), prefix in 0u8..=128) {
        let net = match addr {
            IpAddr::V4(a) => IpNet::V4(Ipv4Net::new(a, prefix % 33).unwrap()),
            IpAddr::V6(a) => IpNet::V6(Ipv6Net::new(a, prefix).unwrap()),
        };
        let text = net.to_string();
        if net.trunc() == net {
            prop_assert_eq!(text.parse::<AllowedIp>(), Ok(AllowedIp::Network(net)));
        } else {
            prop_assert_eq!(
                text.parse::<AllowedIp>(),
                Err(AllowedIpError::HostBitsSet {
                    entry: text.clone(),
                    network: net.trunc().to_string()
                })
            );
            prop_assert_eq!(AllowedIp::parse_lenient(&text), Ok(AllowedIp::Network(net)));
            prop_assert_eq!(AllowedIp::parse_lenient(&text).unwrap().to_string(), text);
        }
    }

    /// Unique entries, shuffled with duplicates (in other spellings) mixed in, give the
    /// canonical entries in first-seen order with the duplicates dropped.
    #[test]
    fn shuffled_duplicates_are_dropped_keeping_first_seen_order(
        (input, unique) in unique_entries(MAX_ALLOWLIST_ENTRIES)
            .prop_flat_map(|unique| {
                let picks = prop::collection::vec(any::<prop::sample::Index>(), 0..=2 * unique.len());
                (Just(unique), picks)
            })
            .prop_flat_map(|(unique, picks)| {
                let mut input = unique.clone();
                if !unique.is_empty() {
                    // Each duplicate is written in canonical form, with spaces around.
                    input.extend(picks.iter().map(|pick| {
                        let e = pick.get(&unique);
                        Written { text: format!(" {} ", e.canonical), canonical: e.canonical.clone() }
                    }));
                }
                (Just(input).prop_shuffle(), Just(unique.len()))
            }),
    ) {
        let mut expected: Vec<String> = Vec::new();
        for e in &input {
            if !expected.contains(&e.canonical) {
                expected.push(e.canonical.clone());
            }
        }
        prop_assert_eq!(expected.len(), unique);
        let texts: Vec<&str> = input.iter().map(|e| e.text.as_str()).collect();
        let list = IpAllowlist::new(&texts).unwrap();
        prop_assert_eq!(list.to_strings(), expected);
    }

    /// More than 50 unique entries are refused with their count, however many
    /// duplicates come along.
    #[test]
    fn more_than_fifty_unique_entries_are_refused(
        unique in prop::collection::vec(written_entry(), 55..=80)
            .prop_map(dedup)
            .prop_filter("over 50 unique", |u| u.len() > MAX_ALLOWLIST_ENTRIES),
    ) {
        let mut texts: Vec<String> = unique.iter().map(|e| e.text.clone()).collect();
        texts.extend(unique.iter().map(|e| e.canonical.clone()));
        prop_assert_eq!(
            IpAllowlist::new(&texts),
            Err(AllowlistError::TooMany { count: unique.len() })
        );
    }

    /// Normalisation is idempotent, whichever form the list is read back from: its
    /// canonical strings, its comma-separated display, or its JSON.
    #[test]
    fn allowlist_normalisation_is_idempotent(unique in unique_entries(MAX_ALLOWLIST_ENTRIES)) {
        let texts: Vec<&str> = unique.iter().map(|e| e.text.as_str()).collect();
        let list = IpAllowlist::new(&texts).unwrap();
        prop_assert_eq!(IpAllowlist::new(list.to_strings()), Ok(list.clone()));
        prop_assert_eq!(list.to_string().parse::<IpAllowlist>(), Ok(list.clone()));
        let json = serde_json::to_string(&list).unwrap();
        prop_assert_eq!(serde_json::from_str::<IpAllowlist>(&json).unwrap(), list.clone());
        for (entry, written) in list.iter().zip(&unique) {
            prop_assert!(list.contains(match entry {
                AllowedIp::Address(a) => *a,
                AllowedIp::Network(n) => n.addr(),
            }), "{}", written.text);
        }
    }
}

proptest! {
    /// Whether an address is allowed does not depend on how it is written: plain IPv4 or
    /// IPv4-mapped IPv6, against IPv4 networks, mapped IPv6 networks and addresses.
    #[test]
    fn contains_does_not_depend_on_how_the_address_is_written(
        v4 in any::<Ipv4Addr>(),
        kind in 0u8..4,
        prefix in 0u8..=32,
        other in any::<Ipv4Addr>(),
    ) {
        let mapped = v4.to_ipv6_mapped();
        let entry = match kind {
            0 => Ipv4Net::new(v4, prefix).unwrap().trunc().to_string(),
            1 => Ipv6Net::new(mapped, 96 + prefix).unwrap().trunc().to_string(),
            2 => mapped.to_string(),
            _ => v4.to_string(),
        };
        let list = IpAllowlist::new([entry.as_str()]).unwrap();
        prop_assert!(list.contains(IpAddr::V4(v4)), "{} in {}", v4, entry);
        prop_assert!(list.contains(IpAddr::V6(mapped)), "{} in {}", mapped, entry);
        prop_assert_eq!(
            list.contains(IpAddr::V4(other)),
            list.contains(IpAddr::V6(other.to_ipv6_mapped())),
            "{} in {}", other, entry
        );
    }
}

// ---------------------------------------------------------------------------------------
// Role names

/// A role name from words, with each character's case and each separator (space or
/// underscore) chosen at random.
fn role_name_variant(words: &'static [&'static str]) -> impl Strategy<Value = String> {
    (any::<u64>(), any::<u8>()).prop_map(move |(case_bits, sep_bits)| {
        let mut out = String::new();
        for (i, word) in words.iter().enumerate() {
            if i > 0 {
                out.push(if sep_bits >> (i % 8) & 1 == 1 {
                    '_'
                } else {
                    ' '
                });
            }
            for (j, c) in word.chars().enumerate() {
                out.push(if case_bits >> ((i * 16 + j) % 64) & 1 == 1 {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                });
            }
        }
        out
    })
}

fn role(name: &str) -> Role {
    Role::new(name)
}

proptest! {
    /// Normalising twice is normalising once, for any text (control characters and all
    /// of Unicode included), and a role value matches the server name it normalises to.
    #[test]
    fn role_name_normalisation_is_idempotent(name in any::<String>()) {
        let once = normalize_role_name(&name);
        prop_assert_eq!(normalize_role_name(&once), once.clone());
        prop_assert!(!once.contains(' '));
        prop_assert!(RoleRef::from(role(&name)).matches(&once));
    }

    /// Every case and separator spelling of "Tenant Admin" and "None" is never grantable,
    /// and all spellings of a name normalise alike.
    #[test]
    fn never_grantable_roles_whatever_the_spelling(
        tenant_admin in role_name_variant(&["tenant", "admin"]),
        none in role_name_variant(&["none"]),
        manager in role_name_variant(&["team", "manager"]),
    ) {
        prop_assert!(role(&tenant_admin).is_never_grantable(), "{}", tenant_admin);
        prop_assert!(role(&none).is_never_grantable(), "{}", none);
        prop_assert!(!role(&manager).is_never_grantable());
        prop_assert_eq!(normalize_role_name(&manager), "TEAM_MANAGER");
        prop_assert!(RoleRef::from(role(&manager)).matches("Team Manager"));
    }
}
