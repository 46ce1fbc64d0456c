//! `socktool resolve`: names to addresses and back. Only names the hosts
//! file answers (localhost) and names under .invalid, which socktool refuses
//! itself, so no test ever asks a DNS server.

mod common;
use common::*;

use predicates::prelude::*;
use predicates::str::contains;

#[test]
fn default_is_gethostbyname_first_ipv4_on_stdout() {
    socktool()
        .args(["resolve", "localhost"])
        .assert()
        .success()
        .stdout("Ip address of localhost is 127.0.0.1\n");
}

#[test]
fn all_lists_each_address_with_its_family() {
    let out = socktool()
        .args(["resolve", "localhost", "--all"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let out = text(&out);
    assert!(
        out.contains("Ip address of localhost is 127.0.0.1 (IPv4)\n"),
        "{out}"
    );
    let lines: Vec<&str> = out.lines().collect();
    let mut unique = lines.clone();
    unique.dedup();
    assert_eq!(lines.len(), unique.len(), "duplicates in {out}");
    if hosts_has_v6_localhost() {
        assert!(out.contains("is ::1 (IPv6)"), "{out}");
    }
}

#[test]
fn short_prints_bare_addresses() {
    socktool()
        .args(["resolve", "localhost", "--short"])
        .assert()
        .success()
        .stdout("127.0.0.1\n");
}

#[test]
fn ipv6_only_where_localhost_has_v6() {
    if !hosts_has_v6_localhost() {
        // Asking for AAAA of localhost would go past the hosts file to DNS.
        eprintln!("skipped: /etc/hosts has no ::1 localhost line on this machine");
        return;
    }
    socktool()
        .args(["resolve", "-6", "localhost", "--short"])
        .assert()
        .success()
        .stdout("::1\n");
}

#[test]
fn an_address_is_looked_up_in_reverse() {
    socktool()
        .args(["resolve", "127.0.0.1"])
        .assert()
        .success()
        .stdout("Host name of 127.0.0.1 is localhost\n");
}

#[test]
fn unknown_name_prints_the_tutorial_line_and_exits_68() {
    socktool()
        .args(["resolve", "nosuch.invalid"])
        .assert()
        .code(68)
        .stdout("")
        .stderr(contains("Hostname could not be resolved. Exiting"))
        .stderr(contains("Name or service not known"));
}

#[test]
fn the_hint_after_an_unknown_name_names_it_and_never_suggests_all() {
    for extra in [None, Some("--all")] {
        let mut cmd = socktool();
        cmd.args(["resolve", "nosuch.invalid"]).args(extra);
        cmd.assert()
            .code(68)
            .stderr(contains(
                "hint: check the spelling and your network: `getent hosts nosuch.invalid`",
            ))
            .stderr(contains("--all").not())
            .stderr(contains("HOST").not());
    }
}

#[test]
fn trace_names_the_resolver_call() {
    socktool()
        .args(["resolve", "localhost", "--trace"])
        .assert()
        .success()
        .stderr(contains(
            "getaddrinfo(\"localhost\", AF_UNSPEC, SOCK_STREAM) -> ",
        ));
}

#[test]
fn bad_hosts_are_usage_errors() {
    for (host, why) in [
        ("", "empty"),
        ("a..b", "empty label"),
        ("bad host", "contains"),
    ] {
        socktool()
            .args(["resolve", host])
            .assert()
            .code(2)
            .stderr(contains(why));
    }
}

#[test]
fn a_pasted_url_resolves_its_host_and_says_what_was_left_out() {
    for pasted in ["http://localhost:8000/index.html?x=1", "localhost:8888"] {
        socktool()
            .args(["resolve", pasted])
            .assert()
            .success()
            .stdout("Ip address of localhost is 127.0.0.1\n")
            .stderr(contains(format!("resolving localhost from {pasted}")));
    }
    // What is left is still checked as a host name.
    socktool()
        .args(["resolve", "https://bad host/"])
        .assert()
        .code(2)
        .stderr(contains("which a host name cannot"));
}
