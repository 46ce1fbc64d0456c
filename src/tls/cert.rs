//! A certificate put into words: who it names, who signed it, when it is
//! valid, and for which host names.
//!
//! A certificate is a signed statement: "the key in here belongs to
//! `localhost`, from this date to that one; signed, the issuer". Its
//! fields are DER (binary ASN.1); x509-parser reads them, and this file
//! says them the way a student can check them against the URL typed.

use std::net::IpAddr;
use std::time::{SystemTime, UNIX_EPOCH};

use rustls::pki_types::CertificateDer;
use x509_parser::extensions::GeneralName;
use x509_parser::prelude::{FromDer, X509Certificate};

use crate::tr;

/// What a certificate says, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Described {
    /// Its subject, as a distinguished name: `CN=localhost`.
    pub subject: String,
    /// Who signed it: the issuer's distinguished name.
    pub issuer: String,
    /// Seconds since 1970: valid from, valid until.
    pub not_before: i64,
    pub not_after: i64,
    /// The host names and addresses it is valid for (subjectAltName).
    pub names: Vec<String>,
    /// Whether it may sign other certificates (a CA's).
    pub ca: bool,
}

/// Reads `der`; `None` when it is not a certificate x509-parser can read
/// (rustls will refuse it too, and say why).
pub fn describe(der: &CertificateDer<'_>) -> Option<Described> {
    let (_, cert) = X509Certificate::from_der(der.as_ref()).ok()?;
    let names = match cert.subject_alternative_name() {
        Ok(Some(san)) => san
            .value
            .general_names
            .iter()
            .filter_map(|name| match name {
                GeneralName::DNSName(dns) => Some(dns.to_string()),
                GeneralName::IPAddress(bytes) => ip_of(bytes).map(|ip| ip.to_string()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    Some(Described {
        subject: name_or_empty(cert.subject().to_string()),
        issuer: name_or_empty(cert.issuer().to_string()),
        not_before: cert.validity().not_before.timestamp(),
        not_after: cert.validity().not_after.timestamp(),
        names,
        ca: cert.is_ca(),
    })
}

fn name_or_empty(dn: String) -> String {
    if dn.is_empty() { "(empty)".into() } else { dn }
}

/// An IP address as a certificate stores it: 4 or 16 bytes.
fn ip_of(bytes: &[u8]) -> Option<IpAddr> {
    match bytes.len() {
        4 => <[u8; 4]>::try_from(bytes).ok().map(IpAddr::from),
        16 => <[u8; 16]>::try_from(bytes).ok().map(IpAddr::from),
        _ => None,
    }
}

/// Seconds since 1970 now.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

impl Described {
    /// The lines of this certificate in a chain: number `i`, then its
    /// fields one a line, aligned.
    pub fn lines(&self, i: usize, now: i64) -> Vec<String> {
        let mut lines = vec![
            format!("  {i} subject {}", self.subject),
            format!("    issuer  {}", self.issuer),
            format!(
                "    valid   {} to {} ({})",
                date(self.not_before),
                date(self.not_after),
                self.left(now)
            ),
        ];
        if !self.names.is_empty() {
            lines.push(format!("    names   {}", self.names.join(", ")));
        } else if self.ca {
            lines.push(tr!("cert-line-ca"));
        }
        lines
    }

    /// `364 days left`, `expired 3 days ago`, `not valid for 2 hours yet`.
    fn left(&self, now: i64) -> String {
        if now < self.not_before {
            tr!("cert-not-yet", span = span(self.not_before - now))
        } else if now > self.not_after {
            tr!("cert-expired-ago", span = span(now - self.not_after))
        } else {
            tr!("cert-left", span = span(self.not_after - now))
        }
    }
}

/// A span of seconds in the largest unit that fits: `3 days`, `1 hour`.
pub fn span(secs: i64) -> String {
    let secs = secs.max(0) as u64;
    let (n, unit) = match secs {
        s if s >= 2 * 86_400 => (s / 86_400, "day"),
        s if s >= 2 * 3_600 => (s / 3_600, "hour"),
        s if s >= 2 * 60 => (s / 60, "minute"),
        s => (s, "second"),
    };
    tr!("span", count = n, unit = unit)
}

/// Seconds since 1970 as a UTC date and time: `2026-12-02 05:51 UTC`.
pub fn date(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rest = secs.rem_euclid(86_400);
    let (y, m, d) = civil(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        rest / 3600,
        rest % 3600 / 60
    )
}

/// Days since 1970-01-01 as (year, month, day), proleptic Gregorian
/// (Howard Hinnant's `civil_from_days`).
fn civil(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_spans() {
        assert_eq!(date(0), "1970-01-01 00:00 UTC");
        assert_eq!(date(951_782_400), "2000-02-29 00:00 UTC");
        assert_eq!(date(1_798_761_599), "2026-12-31 23:59 UTC");
        assert_eq!(date(-86_400), "1969-12-31 00:00 UTC");
        assert_eq!(span(86_400 * 364), "364 days");
        assert_eq!(span(3 * 3600 + 5), "3 hours");
        assert_eq!(span(90), "90 seconds");
        assert_eq!(span(-5), "0 seconds");
    }

    #[test]
    fn addresses_as_certificates_store_them() {
        assert_eq!(ip_of(&[127, 0, 0, 1]), Some("127.0.0.1".parse().unwrap()));
        assert_eq!(ip_of(&[0; 16]), Some("::".parse().unwrap()));
        assert_eq!(ip_of(&[1, 2, 3]), None);
    }
}
