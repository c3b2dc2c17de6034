//! Regression tests for bugs found by fuzzing and property testing (issue 6). Each test
//! names the input that found the bug.

use std::net::IpAddr;

use labelbox_core::{AllowedIp, IpAllowlist};

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

/// Found while writing the `allowlist_parse` fuzz target's invariant that `contains`
/// does not depend on how an address is written (plain IPv4 or IPv4-mapped IPv6): an IPv4 address was not matched by an IPv4-mapped IPv6 *network*, although
/// `AllowedIp::contains` documents that mapped and plain forms match "and vice versa"
/// (it already held for a mapped *address* entry).
#[test]
fn ipv4_address_matches_an_ipv4_mapped_network() {
    let network: AllowedIp = "::ffff:10.0.0.0/104".parse().unwrap();
    assert!(network.contains(ip("::ffff:10.1.2.3")));
    assert!(network.contains(ip("10.1.2.3")));
    assert!(!network.contains(ip("11.1.2.3")));
    assert!(!network.contains(ip("::ffff:11.1.2.3")));

    let list = IpAllowlist::new(["::ffff:192.168.0.0/112"]).unwrap();
    assert!(list.contains(ip("192.168.7.7")));
    assert!(!list.contains(ip("192.169.7.7")));

    // Already right before the fix: a mapped address entry, and a plain IPv4 network.
    assert!(AllowedIp::from(ip("::ffff:10.0.0.1")).contains(ip("10.0.0.1")));
    let v4: AllowedIp = "10.0.0.0/8".parse().unwrap();
    assert!(v4.contains(ip("::ffff:10.9.9.9")));
    // Matching depends on the address, not on how it is written: an IPv6 network that
    // covers the mapped range covers the plain IPv4 addresses too.
    let all_v6: AllowedIp = "::/0".parse().unwrap();
    assert_eq!(
        all_v6.contains(ip("10.0.0.1")),
        all_v6.contains(ip("::ffff:10.0.0.1"))
    );
    assert!(!"2001:db8::/32"
        .parse::<AllowedIp>()
        .unwrap()
        .contains(ip("10.0.0.1")));
}
