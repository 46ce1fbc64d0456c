//! `socktool http-get https://` and `connect --tls` against TLS peers the
//! test starts on 127.0.0.1 port 0: a rustls server with certificates
//! made here (rcgen), or a raw peer that answers a ClientHello with the
//! bytes a broken or old server sends. Every listener is bound before
//! socktool runs, so nothing waits; no test leaves loopback.

mod common;
use common::*;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};

use predicates::str::contains;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    date_time_ymd,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::{ServerConfig, ServerConnection, StreamOwned};

// ---------------------------------------------------------------------------
// Certificates

/// A classroom CA: its PEM (for --cacert) and what signs with it.
struct Ca {
    pem: String,
    issuer: Issuer<'static, KeyPair>,
}

fn ca() -> Ca {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, "socktool test CA");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let key = KeyPair::generate().unwrap();
    let pem = params.self_signed(&key).unwrap().pem();
    Ca {
        pem,
        issuer: Issuer::new(params, key),
    }
}

/// A server certificate for `names`, valid from `from` to `until`
/// (year, month, day), signed by `ca`.
struct Leaf {
    der: CertificateDer<'static>,
    key: PrivateKeyDer<'static>,
}

fn leaf_dated(ca: &Ca, names: &[&str], from: (i32, u8, u8), until: (i32, u8, u8)) -> Leaf {
    let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    let mut params = CertificateParams::new(names.clone()).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, names[0].as_str());
    params.not_before = date_time_ymd(from.0, from.1, from.2);
    params.not_after = date_time_ymd(until.0, until.1, until.2);
    let key = KeyPair::generate().unwrap();
    let cert = params.signed_by(&key, &ca.issuer).unwrap();
    Leaf {
        der: cert.der().clone(),
        key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
    }
}

/// Valid for years around now.
fn leaf(ca: &Ca, names: &[&str]) -> Leaf {
    leaf_dated(ca, names, (2020, 1, 1), (2090, 1, 1))
}

/// A directory of its own for one test's files.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("socktool-https-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write_ca(ca: &Ca, dir: &Path) -> String {
    let path = dir.join("ca.pem");
    std::fs::write(&path, &ca.pem).unwrap();
    path.to_string_lossy().into_owned()
}

// ---------------------------------------------------------------------------
// Servers

/// The secrets the server saw, in the NSS key log format, to compare with
/// what socktool wrote.
#[derive(Debug, Default)]
struct ServerKeys(Mutex<Vec<String>>);

impl rustls::KeyLog for ServerKeys {
    fn log(&self, label: &str, client_random: &[u8], secret: &[u8]) {
        let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
        self.0
            .lock()
            .unwrap()
            .push(format!("{label} {} {}", hex(client_random), hex(secret)));
    }
}

fn server_config(leaf: Leaf, tls12_only: bool, keys: Arc<ServerKeys>) -> Arc<ServerConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let versions: &[&rustls::SupportedProtocolVersion] = if tls12_only {
        &[&rustls::version::TLS12]
    } else {
        &[&rustls::version::TLS13, &rustls::version::TLS12]
    };
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(versions)
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![leaf.der], leaf.key)
        .unwrap();
    config.key_log = keys;
    Arc::new(config)
}

/// Per connection: what the client sent (its TLS plaintext), or the
/// server's error when the handshake failed.
type Served = Vec<Result<Vec<u8>, String>>;

/// A TLS server for `connections` clients in turn: each gets `answer`
/// applied to what it sent.
fn tls_server(
    config: Arc<ServerConfig>,
    connections: usize,
    answer: fn(&mut StreamOwned<ServerConnection, TcpStream>) -> Vec<u8>,
) -> (SocketAddr, JoinHandle<Served>) {
    let (l, addr) = listener();
    let handle = thread::spawn(move || {
        (0..connections)
            .map(|_| {
                let (s, _) = l.accept().expect("accept");
                s.set_read_timeout(Some(PATIENCE)).unwrap();
                s.set_write_timeout(Some(PATIENCE)).unwrap();
                let conn = ServerConnection::new(Arc::clone(&config)).unwrap();
                let mut tls = StreamOwned::new(conn, s);
                let mut handshake = || {
                    while tls.conn.is_handshaking() {
                        tls.conn
                            .complete_io(&mut tls.sock)
                            .map_err(|e| e.to_string())?;
                    }
                    Ok::<(), String>(())
                };
                handshake()?;
                Ok(answer(&mut tls))
            })
            .collect()
    });
    (addr, handle)
}

/// An HTTPS server's answer: reads the request head, replies with a short
/// page, then close_notify and close.
fn web(tls: &mut StreamOwned<ServerConnection, TcpStream>) -> Vec<u8> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match tls.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => break,
        }
    }
    let _ = tls.write_all(PAGE);
    tls.conn.send_close_notify();
    let _ = tls.flush();
    head
}

const PAGE: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\nhello\n";

/// An echo over TLS: every byte back, until the client's close_notify.
fn echo(tls: &mut StreamOwned<ServerConnection, TcpStream>) -> Vec<u8> {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match tls.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                got.extend_from_slice(&buf[..n]);
                let _ = tls.write_all(&buf[..n]);
                let _ = tls.flush();
            }
        }
    }
    tls.conn.send_close_notify();
    let _ = tls.flush();
    got
}

/// A raw peer: reads what the client sends first (its ClientHello), then
/// writes `reply` and closes.
fn answers_hello_with(reply: Vec<u8>) -> (SocketAddr, JoinHandle<Vec<u8>>) {
    peer(move |mut s| {
        let mut hello = vec![0u8; 4096];
        let n = s.read(&mut hello).unwrap_or(0);
        hello.truncate(n);
        let _ = s.write_all(&reply);
        hello
    })
}

fn url(addr: SocketAddr, path: &str) -> String {
    format!("https://localhost:{}{path}", addr.port())
}

fn stderr_of(out: &std::process::Output) -> String {
    text(&out.stderr)
}

// ---------------------------------------------------------------------------
// http-get https://

#[test]
fn a_classroom_ca_is_trusted_with_cacert_and_the_handshake_is_narrated() {
    let ca = ca();
    let dir = scratch("cacert");
    let cacert = write_ca(&ca, &dir);
    let keys = Arc::new(ServerKeys::default());
    let config = server_config(leaf(&ca, &["localhost", "127.0.0.1"]), false, keys);
    let (addr, server) = tls_server(config, 1, web);
    let out = socktool()
        .args(["http-get", &url(addr, "/x"), "--cacert", &cacert])
        .assert()
        .success()
        .get_output()
        .clone();
    assert_eq!(
        out.stdout, PAGE,
        "stdout is the decrypted reply, byte for byte"
    );
    let request = server.join().unwrap().remove(0).unwrap();
    assert!(
        text(&request).starts_with(&format!(
            "GET /x HTTP/1.1\r\nHost: localhost:{}\r\n",
            addr.port()
        )),
        "{}",
        text(&request)
    );
    let stderr = stderr_of(&out);
    for line in [
        "Socket Connected to localhost on ip 127.0.0.1",
        "TLS handshake with localhost",
        "> ClientHello: TLS 1.3 and 1.2 with 9 cipher suites, server name (SNI) localhost, ALPN http/1.1",
        "< ServerHello: TLS 1.3, cipher suite TLS13_",
        "< Certificate: 1 certificate from the server",
        "  0 subject CN=localhost",
        "    issuer  CN=socktool test CA",
        "    valid   2020-01-01 00:00 UTC to 2090-01-01 00:00 UTC (",
        "    names   localhost, 127.0.0.1",
        "Certificate verified: signed by a CA we trust (--cacert ",
        "made out for localhost",
        "> GET /x HTTP/1.1",
        "Message sent successfully",
        "the server sent close_notify",
        "Received 63 bytes in 2 recv calls",
    ] {
        assert!(stderr.contains(line), "missing {line:?} in:\n{stderr}");
    }
}

#[test]
fn a_tls_1_2_server_is_spoken_to_in_tls_1_2() {
    let ca = ca();
    let dir = scratch("tls12");
    let cacert = write_ca(&ca, &dir);
    let config = server_config(leaf(&ca, &["localhost"]), true, Arc::default());
    let (addr, server) = tls_server(config, 1, web);
    socktool()
        .args(["http-get", &url(addr, "/"), "--cacert", &cacert])
        .assert()
        .success()
        .stdout(PAGE)
        .stderr(contains("< ServerHello: TLS 1.2, cipher suite TLS_ECDHE_"));
    server.join().unwrap().remove(0).unwrap();
}

#[test]
fn an_unknown_issuer_is_exit_60_and_names_the_issuer() {
    let ca = ca();
    let config = server_config(leaf(&ca, &["localhost"]), false, Arc::default());
    let (addr, _server) = tls_server(config, 1, web);
    // No --cacert: only Mozilla's roots, which never signed a test CA.
    let out = socktool()
        .args(["http-get", &url(addr, "/")])
        .assert()
        .code(60)
        .get_output()
        .clone();
    assert!(out.stdout.is_empty());
    let stderr = stderr_of(&out);
    for part in [
        "  0 subject CN=localhost",
        &format!(
            "socktool: error: cannot trust the certificate of {addr}: unknown issuer: it was signed by \"CN=socktool test CA\", which is not among the CAs we trust (Mozilla's list of "
        ),
        "hint: a CA of your own (a classroom's, a company's): trust it with --cacert CA.pem",
    ] {
        assert!(stderr.contains(part), "missing {part:?} in:\n{stderr}");
    }
    assert_eq!(stderr.matches("socktool: error:").count(), 1, "{stderr}");
}

#[test]
fn an_expired_certificate_is_exit_60_and_says_since_when() {
    let ca = ca();
    let dir = scratch("expired");
    let cacert = write_ca(&ca, &dir);
    let old = leaf_dated(&ca, &["localhost"], (2019, 1, 1), (2020, 1, 1));
    let (addr, _server) = tls_server(server_config(old, false, Arc::default()), 1, web);
    socktool()
        .args(["http-get", &url(addr, "/"), "--cacert", &cacert])
        .assert()
        .code(60)
        .stderr(contains(
            "it has expired: it was valid until 2020-01-01 00:00 UTC, ",
        ))
        .stderr(contains("expired ")) // the chain's own line: "expired N days ago"
        .stderr(contains("hint: check this computer's clock"));
}

#[test]
fn a_certificate_not_valid_yet_is_exit_60_and_says_from_when() {
    let ca = ca();
    let dir = scratch("not-yet");
    let cacert = write_ca(&ca, &dir);
    let early = leaf_dated(&ca, &["localhost"], (2080, 1, 1), (2090, 1, 1));
    let (addr, _server) = tls_server(server_config(early, false, Arc::default()), 1, web);
    socktool()
        .args(["http-get", &url(addr, "/"), "--cacert", &cacert])
        .assert()
        .code(60)
        .stderr(contains(
            "it is not valid yet: it is valid from 2080-01-01 00:00 UTC",
        ))
        .stderr(contains("hint: check this computer's clock"));
}

#[test]
fn a_certificate_for_other_names_is_exit_60_and_lists_them() {
    let ca = ca();
    let dir = scratch("name");
    let cacert = write_ca(&ca, &dir);
    let other = leaf(&ca, &["www.example.test", "example.test"]);
    let (addr, _server) = tls_server(server_config(other, false, Arc::default()), 1, web);
    socktool()
        .args(["http-get", &url(addr, "/"), "--cacert", &cacert])
        .assert()
        .code(60)
        .stderr(contains(
            "it is not valid for the name localhost: it is valid for www.example.test, example.test",
        ))
        .stderr(contains("hint: ask for a name the certificate lists (e.g. www.example.test)"));
}

#[test]
fn insecure_goes_on_with_a_warning_that_says_what_it_gives_up() {
    let ca = ca();
    let config = server_config(leaf(&ca, &["localhost"]), false, Arc::default());
    let (addr, server) = tls_server(config, 1, web);
    socktool()
        .args(["http-get", &url(addr, "/"), "--insecure"])
        .assert()
        .success()
        .stdout(PAGE)
        .stderr(contains(
            "warning: --insecure: the certificate was NOT verified, and would have failed (unknown issuer",
        ))
        .stderr(contains("anyone on the path can pose as the server"));
    server.join().unwrap().remove(0).unwrap();
}

#[test]
fn an_alert_is_exit_35_and_says_what_we_offered() {
    // handshake_failure (40), as a server that shares nothing with us says.
    let (addr, peer) = answers_hello_with(vec![0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28]);
    socktool()
        .args(["http-get", &url(addr, "/")])
        .assert()
        .code(35)
        .stderr(contains(format!(
            "socktool: error: TLS handshake with {addr} failed: the server refused with alert handshake_failure (40); we offered TLS 1.3 and 1.2 with 9 cipher suites"
        )))
        .stderr(contains("hint: the server wants what we did not offer"));
    let hello = peer.join().unwrap();
    assert_eq!(&hello[..3], [0x16, 0x03, 0x01], "a ClientHello record");
}

#[test]
fn an_old_server_is_exit_35_and_says_what_it_chose() {
    // A ServerHello for TLS 1.0 with TLS_RSA_WITH_AES_128_CBC_SHA (002f).
    let mut hello = vec![
        0x16, 0x03, 0x01, 0x00, 0x2a, 0x02, 0x00, 0x00, 0x26, 0x03, 0x01,
    ];
    hello.extend([0x42; 32]);
    hello.extend([0x00, 0x00, 0x2f, 0x00]);
    let (addr, _peer) = answers_hello_with(hello);
    socktool()
        .args(["http-get", &url(addr, "/")])
        .assert()
        .code(35)
        .stderr(contains(
            "the server's hello chose TLS 1.0 with cipher suite TLS_RSA_WITH_AES_128_CBC_SHA (002f)",
        ))
        .stderr(contains("hint: the server speaks only what rustls refuses"));
}

#[test]
fn plain_http_on_a_tls_port_is_exit_35_and_said_as_such() {
    let (addr, _peer) = answers_hello_with(
        b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec(),
    );
    socktool()
        .args(["http-get", &url(addr, "/")])
        .assert()
        .code(35)
        .stderr(contains(
            "failed: the server answered in plain HTTP, not TLS: \"HTTP/1.1 400 Bad Request\\r\\n\"",
        ))
        .stderr(contains("hint: this port speaks plain HTTP: use http://"));
    // python3 -m http.server answers what it cannot parse with a page and
    // no status line (HTTP/0.9's way): plain HTTP all the same.
    let (addr, _peer) = answers_hello_with(b"<!DOCTYPE HTML>\n<html lang=\"en\">\n".to_vec());
    socktool()
        .args(["http-get", &url(addr, "/")])
        .assert()
        .code(35)
        .stderr(contains(
            "the server answered in plain HTTP, not TLS: \"<!DOCTYPE HTML>\\n\"",
        ));
}

#[test]
fn a_server_that_never_answers_the_hello_times_out_in_the_handshake() {
    // Reads, then waits for the client to go: never a byte back.
    let (addr, peer) = peer(|mut s| {
        let mut buf = [0u8; 4096];
        while matches!(s.read(&mut buf), Ok(n) if n > 0) {}
    });
    socktool()
        .args(["http-get", &url(addr, "/"), "--timeout", "0.5"])
        .assert()
        .code(75)
        .stderr(contains(format!(
            "timed out after 0.5s while doing the TLS handshake with {addr}"
        )))
        .stderr(contains("never finished the handshake"));
    peer.join().unwrap();
}

#[test]
fn the_key_log_holds_the_servers_own_secrets_in_nss_format() {
    let ca = ca();
    let dir = scratch("keylog");
    let cacert = write_ca(&ca, &dir);
    for (how, file) in [("--keylog", "flag.log"), ("SSLKEYLOGFILE", "env.log")] {
        let keys = Arc::new(ServerKeys::default());
        let config = server_config(leaf(&ca, &["localhost"]), false, Arc::clone(&keys));
        let (addr, server) = tls_server(config, 1, web);
        let path = dir.join(file);
        let mut cmd = socktool();
        cmd.args(["http-get", &url(addr, "/"), "--cacert", &cacert]);
        if how == "--keylog" {
            cmd.arg("--keylog").arg(&path);
        } else {
            cmd.env("SSLKEYLOGFILE", &path);
        }
        cmd.assert().success().stderr(contains(format!(
            "this connection's secrets appended to {} ({how}), in the NSS key log format",
            path.display()
        )));
        server.join().unwrap().remove(0).unwrap();
        let written = std::fs::read_to_string(&path).unwrap();
        let mut ours: Vec<&str> = written.lines().collect();
        let theirs = keys.0.lock().unwrap().clone();
        ours.sort();
        let mut theirs: Vec<&str> = theirs.iter().map(String::as_str).collect();
        theirs.sort();
        assert_eq!(ours, theirs, "{how}: the server derived the same secrets");
        for label in [
            "CLIENT_HANDSHAKE_TRAFFIC_SECRET ",
            "SERVER_HANDSHAKE_TRAFFIC_SECRET ",
            "CLIENT_TRAFFIC_SECRET_0 ",
            "SERVER_TRAFFIC_SECRET_0 ",
        ] {
            assert!(written.contains(label), "{how}: no {label} in {written}");
        }
    }
}

#[test]
fn hex_shows_the_records_on_the_socket_and_the_plaintext_inside() {
    let ca = ca();
    let dir = scratch("hex");
    let cacert = write_ca(&ca, &dir);
    let config = server_config(leaf(&ca, &["localhost"]), false, Arc::default());
    let (addr, server) = tls_server(config, 1, web);
    let out = socktool()
        .args(["http-get", &url(addr, "/"), "--cacert", &cacert, "--hex"])
        .assert()
        .success()
        .get_output()
        .clone();
    server.join().unwrap().remove(0).unwrap();
    let stderr = stderr_of(&out);
    for part in [
        // The ClientHello on the socket, then its header read out.
        "  0000  16 03 01 ",
        "  > TLS record: handshake (16) ClientHello, version 03 01, ",
        "  < TLS record: handshake (16) ServerHello, version 03 03, ",
        "  < TLS record: application_data (17), version 03 03, ",
        // The request before it is encrypted, and the reply after.
        " bytes, to be sent inside TLS",
        "  0000  47 45 54 20 2f 20 48 54  54 50 2f 31 2e 31 0d 0a  |GET / HTTP/1.1..|",
        "< plaintext 63 bytes, decrypted from the records above",
    ] {
        assert!(stderr.contains(part), "missing {part:?} in:\n{stderr}");
    }
    // What crossed the socket after the handshake is never the plaintext.
    let sent_request = stderr
        .split(" bytes, to be sent inside TLS")
        .nth(1)
        .and_then(|rest| rest.split("> sent ").nth(1))
        .unwrap_or_default();
    assert!(
        sent_request.contains("|....") && !sent_request.contains("|GET /"),
        "the request went out encrypted:\n{sent_request}"
    );
}

// ---------------------------------------------------------------------------
// -L: redirects

#[test]
fn a_redirect_from_http_to_https_is_followed_and_narrated() {
    let ca = ca();
    let dir = scratch("redirect");
    let cacert = write_ca(&ca, &dir);
    let config = server_config(leaf(&ca, &["localhost"]), false, Arc::default());
    let (tls_addr, server) = tls_server(config, 1, web);
    let moved = format!(
        "HTTP/1.1 301 Moved Permanently\r\nLocation: https://localhost:{}/final\r\nContent-Length: 9\r\n\r\nnot this\n",
        tls_addr.port()
    );
    let (http_addr, plain) = http_responder(moved.into_bytes());
    socktool()
        .args([
            "http-get",
            &format!("http://localhost:{}/start", http_addr.port()),
            "-L",
            "--cacert",
            &cacert,
        ])
        .assert()
        .success()
        .stdout(PAGE)
        .stderr(contains(format!(
            "note: 301 is a redirect: the server sends us to https://localhost:{}/final; -L follows it, redirect 1 of at most 10 (from http:// to https://: this hop speaks TLS)",
            tls_addr.port()
        )));
    assert!(text(&plain.join().unwrap()).starts_with("GET /start "));
    let request = server.join().unwrap().remove(0).unwrap();
    assert!(text(&request).starts_with("GET /final HTTP/1.1\r\n"));
}

#[test]
fn redirects_in_a_loop_stop_at_max_redirs_with_exit_76() {
    let (l, addr) = listener();
    let looping = thread::spawn(move || {
        for _ in 0..3 {
            let (mut s, _) = l.accept().unwrap();
            s.set_read_timeout(Some(PATIENCE)).unwrap();
            read_head(&mut s);
            let _ =
                s.write_all(b"HTTP/1.1 302 Found\r\nLocation: /again\r\nContent-Length: 0\r\n\r\n");
        }
    });
    socktool()
        .args(["http-get", &addr.to_string(), "-L", "--max-redirs", "2"])
        .assert()
        .code(76)
        .stderr(contains("gave up after 2 redirects (--max-redirs): "))
        .stderr(contains("(302 to /again) sends us on again"));
    looping.join().unwrap();
}

// ---------------------------------------------------------------------------
// connect --tls

#[test]
fn connect_tls_talks_to_an_echo_and_closes_with_close_notify() {
    let ca = ca();
    let dir = scratch("connect");
    let cacert = write_ca(&ca, &dir);
    let config = server_config(leaf(&ca, &["127.0.0.1"]), false, Arc::default());
    let (addr, server) = tls_server(config, 1, echo);
    let out = socktool()
        .args([
            "connect",
            "127.0.0.1",
            &addr.port().to_string(),
            "--tls",
            "--cacert",
            &cacert,
        ])
        .write_stdin("hello\nagain\n")
        .assert()
        .success()
        .get_output()
        .clone();
    assert_eq!(out.stdout, b"hello\nagain\n");
    assert_eq!(server.join().unwrap().remove(0).unwrap(), b"hello\nagain\n");
    let stderr = stderr_of(&out);
    for part in [
        "> ClientHello: TLS 1.3 and 1.2 with 9 cipher suites, no server name (SNI carries names, not addresses), no ALPN",
        "    names   127.0.0.1",
        "Certificate verified",
        "note: sent close_notify",
        "the server sent close_notify",
        "Sent 12 bytes, received 12 bytes",
    ] {
        assert!(stderr.contains(part), "missing {part:?} in:\n{stderr}");
    }
}

#[test]
fn connect_tls_refuses_an_unknown_issuer_with_exit_60() {
    let ca = ca();
    let config = server_config(leaf(&ca, &["127.0.0.1"]), false, Arc::default());
    let (addr, _server) = tls_server(config, 1, echo);
    socktool()
        .args(["connect", "127.0.0.1", &addr.port().to_string(), "--tls"])
        .write_stdin("secret\n")
        .assert()
        .code(60)
        .stdout("")
        .stderr(contains("unknown issuer"));
}
