//! `IpAllowlist` / `AllowedIp` parsing and normalisation (and role-name normalisation,
//! which is also text normalisation of user input).
//!
//! The input is text; its lines are the allowlist entries, and the whole text is also
//! parsed as the comma-separated command-line form and as the JSON wire form.
//!
//! Invariants, for any input:
//! - nothing panics, and every error's `Display` and `Debug` work;
//! - an accepted allowlist has at most 50 entries, no duplicates, the entries' first-seen
//!   order, and re-normalising its `to_strings()` gives the same list;
//! - a rejected allowlist names the first bad entry by index (with the reason that entry
//!   alone gives), or counts more than 50 unique entries;
//! - a strictly parsed entry's text parses back to the same entry, strictly and leniently;
//!   a leniently parsed entry's text parses back leniently to the same entry;
//! - whether an address is allowed does not depend on how it is written (IPv4 or
//!   IPv4-mapped IPv6);
//! - `normalize_role_name` is idempotent.
#![no_main]

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use labelbox_core::{
    normalize_role_name, AllowedIp, AllowedIpError, AllowlistError, IpAllowlist,
    MAX_ALLOWLIST_ENTRIES,
};
use libfuzzer_sys::fuzz_target;

fn formats<E: std::fmt::Display + std::fmt::Debug>(e: &E) {
    assert!(!e.to_string().is_empty());
    let _ = format!("{e:?}");
}

fn check_list(list: &IpAllowlist) {
    assert!(list.len() <= MAX_ALLOWLIST_ENTRIES);
    let strings = list.to_strings();
    let again = IpAllowlist::new(&strings).expect("canonical entries are accepted");
    assert_eq!(again.to_strings(), strings);
    assert_eq!(&again, list);
    for (i, a) in list.entries().iter().enumerate() {
        assert!(!list.entries()[..i].contains(a), "duplicate entry {a}");
    }
    let json = serde_json::to_string(list).unwrap();
    assert_eq!(&serde_json::from_str::<IpAllowlist>(&json).unwrap(), list);
    let _ = list.to_string();
    let _ = format!("{list:?}");
}

fn check_entry(text: &str) -> Result<AllowedIp, AllowedIpError> {
    let strict = text.parse::<AllowedIp>();
    let lenient = AllowedIp::parse_lenient(text);
    match &strict {
        Ok(entry) => {
            let canonical = entry.to_string();
            assert_eq!(
                canonical.parse::<AllowedIp>().as_ref(),
                Ok(entry),
                "{text:?}"
            );
            assert_eq!(lenient.as_ref(), Ok(entry), "{text:?}");
            match entry {
                AllowedIp::Address(addr) => assert!(entry.contains(*addr)),
                AllowedIp::Network(net) => {
                    assert!(entry.contains(net.network()));
                    assert!(entry.contains(net.broadcast()));
                }
            }
        }
        Err(e) => {
            formats(e);
            if let AllowedIpError::HostBitsSet { network, .. } = e {
                assert!(network.parse::<AllowedIp>().is_ok(), "suggestion {network}");
                assert!(lenient.is_ok(), "{text:?}");
            } else {
                assert_eq!(lenient.as_ref(), Err(e), "{text:?}");
            }
        }
    }
    if let Ok(entry) = &lenient {
        assert_eq!(
            AllowedIp::parse_lenient(&entry.to_string()).as_ref(),
            Ok(entry)
        );
    }
    strict
}

fn check_role_name(name: &str) {
    let once = normalize_role_name(name);
    assert_eq!(normalize_role_name(&once), once, "{name:?}");
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let lines: Vec<&str> = text.split('\n').collect();

    let parsed: Vec<Result<AllowedIp, AllowedIpError>> =
        lines.iter().map(|line| check_entry(line)).collect();
    for line in &lines {
        check_role_name(line);
    }

    match IpAllowlist::new(&lines) {
        Ok(list) => {
            check_list(&list);
            // Exactly the parsed entries, first-seen order, duplicates dropped.
            let mut expected: Vec<AllowedIp> = Vec::new();
            for entry in &parsed {
                let entry = entry.as_ref().expect("accepted list had a bad entry");
                if !expected.contains(entry) {
                    expected.push(*entry);
                }
            }
            assert_eq!(list.entries(), expected.as_slice());
            // Matching does not depend on how an address is written (plain IPv4 or
            // IPv4-mapped IPv6).
            if data.len() >= 4 {
                let v4 = Ipv4Addr::from(<[u8; 4]>::try_from(&data[..4]).unwrap());
                assert_eq!(
                    list.contains(IpAddr::V4(v4)),
                    list.contains(IpAddr::V6(v4.to_ipv6_mapped())),
                    "{v4} in {list}"
                );
            }
            if data.len() >= 16 {
                let v6 = Ipv6Addr::from(<[u8; 16]>::try_from(&data[..16]).unwrap());
                let ip = IpAddr::V6(v6);
                assert_eq!(
                    list.contains(ip),
                    list.contains(ip.to_canonical()),
                    "{ip} in {list}"
                );
            }
        }
        Err(e) => {
            formats(&e);
            formats(&labelbox_core::ValidationError::from(e.clone()));
            match e {
                AllowlistError::Entry { index, reason } => {
                    assert!(parsed[..index].iter().all(Result::is_ok));
                    assert_eq!(parsed[index].as_ref(), Err(&reason));
                }
                AllowlistError::TooMany { count } => {
                    assert!(count > MAX_ALLOWLIST_ENTRIES);
                    assert!(parsed.iter().all(Result::is_ok));
                }
                other => panic!("unexpected error {other:?}"),
            }
        }
    }

    // The comma-separated command-line form and the JSON wire form.
    match text.parse::<IpAllowlist>() {
        Ok(list) => check_list(&list),
        Err(e) => formats(&e),
    }
    if let Ok(list) = serde_json::from_slice::<IpAllowlist>(data) {
        check_list(&list);
    }
});
