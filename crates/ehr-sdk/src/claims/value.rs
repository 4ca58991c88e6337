//! The integers claims are about: calendar dates as days since 1970-01-01, decimals as
//! fixed-point integers with the number of decimals fixed by the committed field.

use super::ClaimsError;

/// Decimals kept for quantities: `6.5` is committed as `6500`.
pub const DECIMALS: u8 = 3;

/// Largest magnitude of a committed value: every offset a predicate takes stays far
/// inside the 64-bit range a proof covers, and far from the group order.
pub const MAX_ABS: i64 = 1 << 60;

/// How a committed field's integer is read.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind", deny_unknown_fields)]
pub enum FieldKind {
    /// A calendar date: days since 1970-01-01 (negative before).
    Date,
    /// A decimal quantity as a fixed-point integer: the value times 10^decimals.
    Decimal {
        /// Decimals kept.
        decimals: u8,
        /// The unit, as the record states it (UCUM code, else its text).
        unit: String,
    },
}

impl FieldKind {
    /// Reads a bound or a value written for this kind: `YYYY-MM-DD` for a date, a
    /// decimal number with at most the kept decimals for a quantity.
    pub fn parse(&self, text: &str) -> Result<i64, ClaimsError> {
        match self {
            FieldKind::Date => parse_date(text),
            FieldKind::Decimal { decimals, .. } => parse_decimal(text, *decimals),
        }
    }

    /// Writes a value of this kind the way people read it (`2008-12-05`, `6.5 %`).
    pub fn show(&self, value: i64) -> String {
        match self {
            FieldKind::Date => show_date(value),
            FieldKind::Decimal { decimals, unit } => {
                let text = show_decimal(value, *decimals);
                if unit.is_empty() {
                    text
                } else {
                    format!("{text} {unit}")
                }
            }
        }
    }
}

fn bad(text: &str, why: &str) -> ClaimsError {
    ClaimsError::BadValue {
        text: text.to_string(),
        why: why.to_string(),
    }
}

/// Days since 1970-01-01 of a full date `YYYY-MM-DD`, or of the date part of a FHIR
/// `dateTime` (`YYYY-MM-DDThh:mm:ss...`, the calendar date as the record writes it).
/// Partial dates (`2024`, `2024-10`) are refused: they name no single day.
pub fn parse_date(text: &str) -> Result<i64, ClaimsError> {
    let date = text.split('T').next().unwrap_or(text);
    let parts: Vec<&str> = date.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return Err(bad(text, "expected a full date YYYY-MM-DD"));
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return Err(bad(text, "expected a full date YYYY-MM-DD"));
    }
    let num = |s: &str| {
        s.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| s.parse::<i64>().ok())
            .flatten()
            .ok_or_else(|| bad(text, "expected a full date YYYY-MM-DD"))
    };
    let (y, m, d) = (num(y)?, num(m)?, num(d)?);
    if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return Err(bad(text, "no such day"));
    }
    Ok(days_from_civil(y, m, d))
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (the well-known era algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date `days` after 1970-01-01, as `YYYY-MM-DD`.
pub fn show_date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Today (UTC) in days since 1970-01-01.
pub fn today() -> i64 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    i64::try_from(secs / 86_400).unwrap_or(0)
}

/// A decimal number as a fixed-point integer with `decimals` decimals, exactly: a number
/// with more decimals than that is refused, never rounded.
pub fn parse_decimal(text: &str, decimals: u8) -> Result<i64, ClaimsError> {
    let t = text.trim();
    let (negative, digits) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let is_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty()
        || !is_digits(int)
        || !is_digits(frac)
        || (digits.contains('.') && frac.is_empty())
    {
        return Err(bad(text, "expected a decimal number such as 6.5"));
    }
    let frac = frac.trim_end_matches('0');
    if frac.len() > usize::from(decimals) {
        return Err(bad(
            text,
            &format!("more than {decimals} decimals: claims keep {decimals}"),
        ));
    }
    let scaled = format!("{int}{frac:0<width$}", width = usize::from(decimals));
    let magnitude: i64 = scaled
        .trim_start_matches('0')
        .parse()
        .or_else(|_| {
            if scaled.bytes().all(|b| b == b'0') {
                Ok(0)
            } else {
                Err(())
            }
        })
        .map_err(|()| bad(text, "too large"))?;
    if magnitude > MAX_ABS {
        return Err(bad(text, "too large"));
    }
    Ok(if negative { -magnitude } else { magnitude })
}

/// A fixed-point integer with `decimals` decimals as a decimal number (`6500`, 3 -> `6.5`).
pub fn show_decimal(value: i64, decimals: u8) -> String {
    let scale = 10i128.pow(u32::from(decimals));
    let v = i128::from(value);
    let sign = if v < 0 { "-" } else { "" };
    let (int, frac) = (v.abs() / scale, v.abs() % scale);
    let frac = format!("{frac:0width$}", width = usize::from(decimals));
    let frac = frac.trim_end_matches('0');
    if frac.is_empty() {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{frac}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_and_known_days() {
        assert_eq!(parse_date("1970-01-01").unwrap(), 0);
        assert_eq!(parse_date("2000-03-01").unwrap(), 11_017);
        assert_eq!(parse_date("1969-12-31").unwrap(), -1);
        assert_eq!(
            parse_date("2024-10-01T08:30:00+02:00").unwrap(),
            parse_date("2024-10-01").unwrap()
        );
        for d in [-700_000, -1, 0, 59, 60, 11_016, 19_999, 100_000] {
            assert_eq!(parse_date(&show_date(d)).unwrap(), d);
        }
        for bad in [
            "2024",
            "2024-10",
            "2023-02-29",
            "2024-13-01",
            "24-01-01",
            "2024-1-01",
        ] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
        assert!(parse_date("2024-02-29").is_ok());
    }

    #[test]
    fn decimals_are_exact_or_refused() {
        assert_eq!(parse_decimal("6.5", 3).unwrap(), 6500);
        assert_eq!(parse_decimal("140", 3).unwrap(), 140_000);
        assert_eq!(parse_decimal("-0.25", 3).unwrap(), -250);
        assert_eq!(parse_decimal("0", 3).unwrap(), 0);
        assert_eq!(parse_decimal("1.2340", 3).unwrap(), 1234);
        for bad in [
            "1.2345",
            "abc",
            "",
            ".5",
            "5.",
            "1e3",
            "99999999999999999999",
        ] {
            assert!(parse_decimal(bad, 3).is_err(), "{bad}");
        }
        assert_eq!(show_decimal(6500, 3), "6.5");
        assert_eq!(show_decimal(-250, 3), "-0.25");
        assert_eq!(show_decimal(140_000, 3), "140");
    }
}
