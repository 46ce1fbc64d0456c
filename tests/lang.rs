//! socktool in the student's language: the same runs under
//! `LANG=zh_CN.UTF-8`, `LANG=C.UTF-8` and `--lang`, checked for what changes
//! (notes, hints, errors, goodbyes, summaries, usage errors) and for what
//! must not (the tutorial's own lines, socket calls, errno names, exit
//! codes, the readiness line scripts wait for).
//!
//! The locale comes from the environment, so every test sets all three
//! variables itself (`common::socktool` starts from `LANG=C.UTF-8`).

// Helpers of the Unix-only tests are unused on Windows (tests/common/mod.rs).
#![cfg_attr(not(unix), allow(dead_code, unused_imports))]

mod common;
use common::*;

use std::io::Write;
use std::thread;

use predicates::prelude::*;
use predicates::str::contains;

/// `socktool` with `vars` set on top of the English baseline.
fn socktool_in(vars: &[(&str, &str)]) -> assert_cmd::Command {
    let mut cmd = socktool();
    for (k, v) in vars {
        cmd.env(k, v);
    }
    cmd
}

const ZH: &[(&str, &str)] = &[("LANG", "zh_CN.UTF-8")];
const C: &[(&str, &str)] = &[("LANG", "C.UTF-8")];

// ---------------------------------------------------------------------------
// A resolve failure: the tutorial's line stays, socktool's words change.

#[test]
fn a_resolve_failure_under_a_chinese_locale_keeps_the_tutorial_line_and_explains_in_chinese() {
    socktool_in(ZH)
        .args(["resolve", "nosuch.invalid"])
        .assert()
        .code(68)
        .stdout("")
        .stderr(contains(
            "socktool: 错误: Hostname could not be resolved. Exiting (nosuch.invalid: ",
        ))
        .stderr(contains(
            "提示: 检查拼写和网络:`getent hosts nosuch.invalid`",
        ))
        .stderr(contains("hint:").not());
}

#[test]
fn a_resolve_failure_under_the_c_locale_is_english() {
    socktool_in(C)
        .args(["resolve", "nosuch.invalid"])
        .assert()
        .code(68)
        .stderr(contains(
            "socktool: error: Hostname could not be resolved. Exiting (nosuch.invalid: ",
        ))
        .stderr(contains(
            "hint: check the spelling and your network: `getent hosts nosuch.invalid`",
        ));
}

#[test]
fn lang_overrides_the_locale_both_ways() {
    socktool_in(C)
        .args(["--lang", "zh", "resolve", "nosuch.invalid"])
        .assert()
        .code(68)
        .stderr(contains("提示: "));
    // After the step's name too, and as --lang=en.
    socktool_in(ZH)
        .args(["resolve", "nosuch.invalid", "--lang=en"])
        .assert()
        .code(68)
        .stderr(contains("hint: check the spelling"))
        .stderr(contains("提示").not());
}

#[test]
fn lc_all_then_lc_messages_then_lang_decide() {
    let hint = |vars: &[(&str, &str)]| {
        let out = socktool_in(vars)
            .args(["resolve", "nosuch.invalid"])
            .assert()
            .code(68)
            .get_output()
            .stderr
            .clone();
        String::from_utf8(out).unwrap().contains("提示: ")
    };
    assert!(
        !hint(&[("LC_ALL", "C"), ("LANG", "zh_CN.UTF-8")]),
        "LC_ALL wins"
    );
    assert!(
        hint(&[("LC_ALL", "zh_TW.UTF-8"), ("LANG", "C")]),
        "zh_TW is Chinese"
    );
    assert!(hint(&[("LC_MESSAGES", "zh_CN.UTF-8"), ("LANG", "C")]));
    assert!(!hint(&[
        ("LC_MESSAGES", "en_GB.UTF-8"),
        ("LANG", "zh_CN.UTF-8")
    ]));
    assert!(hint(&[("LANG", "zh")]));
}

#[test]
fn an_odd_or_unknown_locale_is_english_and_never_a_panic() {
    for odd in ["fr_FR.UTF-8", "xx", "@", "_.", "\u{4e2d}\u{6587}"] {
        socktool_in(&[("LANG", odd)])
            .args(["resolve", "nosuch.invalid"])
            .assert()
            .code(68)
            .stderr(contains("hint: check the spelling"))
            .stderr(contains("panicked").not());
    }
}

// ---------------------------------------------------------------------------
// Usage errors: exit 2 in every language.

#[test]
fn an_unknown_lang_is_one_clear_line_and_exit_2() {
    let out = socktool_in(C)
        .args(["--lang", "fr", "resolve", "localhost"])
        .assert()
        .code(2)
        .stdout("")
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8(out).unwrap();
    let first = err.lines().next().unwrap_or("");
    assert!(
        first.contains("'fr'") && first.contains("--lang") && first.contains("en, zh"),
        "{err}"
    );
    // A locale name is not a language for the flag.
    socktool_in(C)
        .args(["resolve", "localhost", "--lang", "zh_CN.UTF-8"])
        .assert()
        .code(2);
}

#[test]
fn a_bad_port_is_a_usage_error_in_chinese_with_the_same_exit_code() {
    socktool_in(ZH)
        .args(["connect", "localhost", "70000"])
        .assert()
        .code(2)
        .stderr(contains("端口 70000 超出了范围:端口是 1 到 65535"));
    socktool_in(C)
        .args(["connect", "localhost", "70000"])
        .assert()
        .code(2)
        .stderr(contains(
            "port 70000 is out of range: ports go from 1 to 65535",
        ));
    // clap's frame around it is Chinese too.
    socktool_in(ZH)
        .args(["conect", "localhost", "8888"])
        .assert()
        .code(2)
        .stderr(contains("错误: 没有这个子命令:'conect'"))
        .stderr(contains("有一个相近的:'connect'"))
        .stderr(contains("error:").not());
    socktool_in(ZH)
        .args(["resolve", "--hex", "localhost"])
        .assert()
        .code(2)
        .stderr(contains("--hex 对 `socktool resolve` 不起作用"));
}

// ---------------------------------------------------------------------------
// http-get: the notes about recv, in Chinese; the tutorial's lines as they are.

#[test]
fn http_get_notes_are_chinese_and_the_tutorial_lines_stay() {
    let body = b"<html>hello</html>\n";
    let reply = [
        b"HTTP/1.1 200 OK\r\nContent-Length: 19\r\nConnection: close\r\n\r\n".as_slice(),
        body,
    ]
    .concat();
    let (addr, server) = http_responder(reply.clone());
    let out = socktool_in(ZH)
        .args(["http-get", &format!("127.0.0.1:{}", addr.port()), "--trace"])
        .assert()
        .code(0)
        .stdout(predicate::eq(&reply[..]))
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8(out).unwrap();
    server.join().unwrap();
    for line in [
        "Socket created",
        "Socket Connected to 127.0.0.1 on ip 127.0.0.1",
        "Message sent successfully",
        "说明: recv 返回 0:服务器关闭了连接,响应收全了",
        "共收到 ",
    ] {
        assert!(err.contains(line), "no {line:?} in:\n{err}");
    }
    // --trace lines are the calls as strace would show them, in any language.
    assert!(
        err.contains(&format!("  connect(127.0.0.1:{}", addr.port())),
        "{err}"
    );
    assert!(err.lines().any(|l| l.starts_with("  recv(fd ")), "{err}");
    assert!(!err.contains("note:"), "{err}");
}

// ---------------------------------------------------------------------------
// A server: the readiness line, `Connected with`, then a Chinese goodbye and
// summary.

#[test]
fn a_servers_goodbye_and_summary_are_chinese_and_its_readiness_line_is_not() {
    let mut cmd = socktool_std();
    cmd.env("LANG", "zh_CN.UTF-8")
        .args(["serve-once", "--port", "0", "--trace"]);
    // Readiness: the English line, whatever the language.
    let mut server = start_server_cmd(cmd);
    let mut c = server.connect();
    c.write_all(b"happy\r\n").unwrap();
    assert_eq!(read_to_end(&mut c), b"happy\r\n");
    let connected = server.wait_for("Connected with 127.0.0.1:");
    let peer = connected.rsplit(' ').next().unwrap().trim().to_string();
    let goodbye = server.wait_for("已断开 ");
    assert!(
        goodbye.starts_with(&format!("已断开 {peer},连接了 ")),
        "{goodbye}"
    );
    assert!(
        goodbye.ends_with("收到 7 字节,发出 7 字节;服务器先关闭(回显完毕,服务了一个客户端)"),
        "{goodbye}"
    );
    let summary = server.wait_for("服务器已停止:");
    assert_eq!(
        summary,
        "服务器已停止:服务了 1 个客户端,收到 7 字节,发出 7 字节"
    );
    assert_eq!(server.wait_exit(), Some(0));
    let err = server.stderr_so_far();
    for line in ["Socket created", "Socket bind complete"] {
        assert!(err.lines().any(|l| l == line), "no {line:?} in:\n{err}");
    }
    assert!(err.contains("  shutdown(fd "), "{err}");
    assert!(!err.contains("Disconnected"), "{err}");
}

#[test]
fn a_bind_failure_keeps_the_tutorial_line_and_hints_in_chinese() {
    let server = start_server(&["serve-threaded", "--port", "0"]);
    let port = server.addr.port().to_string();
    socktool_in(ZH)
        .args(["serve-once", "--port", &port])
        .assert()
        .code(71)
        .stderr(contains("socktool: 错误: Bind failed. Error Code : "))
        .stderr(contains(format!(
            "提示: 端口 {port} 被另一个还在运行的服务器占着"
        )));
    drop(server);
}

#[test]
fn a_refused_connect_names_the_errno_and_explains_in_chinese() {
    // A port nothing listens on: bound, then released.
    let port = {
        let (l, addr) = listener();
        drop(l);
        addr.port()
    };
    socktool_in(ZH)
        .args(["connect", "127.0.0.1", &port.to_string()])
        .assert()
        .code(69)
        .stderr(contains(format!(
            "socktool: 错误: 无法连接到 127.0.0.1:{port}:ECONNREFUSED ("
        )))
        .stderr(contains(format!("提示: 端口 {port} 上没有程序在监听")));
}

// ---------------------------------------------------------------------------
// --help

#[test]
fn help_is_chinese_where_clap_lets_it_be() {
    let out = socktool_in(ZH)
        .args(["serve-once", "--help"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let help = String::from_utf8(out).unwrap();
    // Option names and the usage line stay; the words are Chinese.
    assert!(help.contains("--port <PORT>"), "{help}");
    assert!(help.contains("--lang <LANG>"), "{help}");
    assert!(help.contains("套接字") || help.contains("客户端"), "{help}");
    // clap's own words around them too: the usage heading, the defaults.
    assert!(
        help.contains("用法: socktool serve-once [OPTIONS]"),
        "{help}"
    );
    assert!(help.contains("[默认:8888]"), "{help}");
    assert!(!help.contains("[default:"), "{help}");
    let english = socktool_in(C)
        .args(["serve-once", "--help"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    assert_ne!(english, help.as_bytes());
}

#[test]
fn a_thread_per_run_does_not_mix_languages() {
    // Two runs at once in two languages: the language is per process.
    let zh = thread::spawn(|| {
        socktool_in(ZH)
            .args(["resolve", "nosuch.invalid"])
            .assert()
            .code(68)
            .stderr(contains("提示: "));
    });
    socktool_in(C)
        .args(["resolve", "nosuch.invalid"])
        .assert()
        .code(68)
        .stderr(contains("hint: "));
    zh.join().unwrap();
}

// ---------------------------------------------------------------------------
// lab and ladder: their notes, warnings and legend in Chinese; the drawing's
// calls, segments and states as they are.

#[test]
fn labs_fallback_warning_lesson_and_legend_are_chinese_and_its_calls_are_not() {
    let out = socktool_in(ZH)
        .args(["lab", "handshake", "--no-namespace"])
        .assert()
        .code(0)
        .get_output()
        .clone();
    let (drawing, err) = (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    );
    assert!(
        err.contains("说明: lab handshake: connect 发出 SYN"),
        "{err}"
    );
    assert!(
        err.contains("警告: 没有线路那一列:给了 --no-namespace;"),
        "{err}"
    );
    assert!(!err.contains("warning:"), "{err}");
    for call in ["listen(128)", "accept -> fd", "close(fd"] {
        assert!(drawing.contains(call), "no {call:?} in:\n{drawing}");
    }
    assert!(drawing.contains("connect:三次握手"), "{drawing}");
}

#[test]
fn lab_and_ladder_usage_errors_are_chinese_with_exit_2() {
    socktool_in(ZH)
        .args(["lab", "nosuch"])
        .assert()
        .code(2)
        .stderr(contains("没有叫 \"nosuch\" 的场景"));
    socktool_in(C)
        .args(["lab", "nosuch"])
        .assert()
        .code(2)
        .stderr(contains("there is no scenario \"nosuch\""));
    socktool_in(ZH)
        .args(["lab", "--list"])
        .assert()
        .code(0)
        .stdout(contains("half-close    shutdown(SHUT_WR) 发出 FIN"));
}

#[test]
fn every_steps_help_is_chinese_under_a_chinese_locale() {
    let steps = [
        "resolve",
        "http-get",
        "serve-once",
        "serve-loop",
        "serve-threaded",
        "connect",
        "udp-serve",
        "udp-send",
        "udp-ping",
        "serve-poll",
        "ladder",
        "serve-chat",
        "lab",
        "completions",
        "man",
        "load",
    ];
    for step in steps {
        let out = socktool_in(ZH)
            .args([step, "--help"])
            .assert()
            .code(0)
            .get_output()
            .stdout
            .clone();
        let help = String::from_utf8(out).unwrap();
        assert!(help.contains("用法: socktool "), "{step}:\n{help}");
        assert!(help.contains("例子:socktool "), "{step}:\n{help}");
        for english in [
            "Usage:",
            "Options:",
            "[default:",
            "Socket calls:",
            "Print help",
        ] {
            assert!(!help.contains(english), "{step}: {english:?} in:\n{help}");
        }
    }
    let root = socktool_in(ZH)
        .arg("--help")
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let root = String::from_utf8(root).unwrap();
    assert!(root.contains("退出码:\n"), "{root}");
    assert!(root.contains("子命令:\n"), "{root}");
}

// ---------------------------------------------------------------------------
// load's story of a failed client: the words change, the bytes quoted and
// the exit code do not.

#[test]
fn loads_failure_story_is_chinese_and_quotes_the_bytes_as_they_came() {
    // serve-threaded says its welcome line first; load without --welcome
    // expects "OK..." there, so the first byte differs.
    let server = start_server(&["serve-threaded", "--port", "0"]);
    let port = server.addr.port().to_string();
    let args = [
        "load",
        "127.0.0.1",
        &port,
        "--clients",
        "1",
        "--messages",
        "1",
        "--duration",
        "5",
    ];
    socktool_in(ZH)
        .args(args)
        .assert()
        .code(76)
        .stderr(contains(
            "客户端 0,第 1 条消息:回复的第 0 字节是 'W',应该是 'O'(期望 \"OK...",
        ))
        .stderr(contains("从第 0 字节起收到的是 \"Welcome to the server."))
        .stderr(contains("reply byte").not());
    socktool_in(C)
        .args(args)
        .assert()
        .code(76)
        .stderr(contains(
            "client 0, message 1: reply byte 0 is 'W', expected 'O' (expected \"OK...",
        ))
        .stderr(contains("received from byte 0: \"Welcome to the server."));
}
