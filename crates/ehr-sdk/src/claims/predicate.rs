//! The statements a proof makes about a committed integer `v`, and the non-negative
//! offsets that prove them: `v >= min` is `v - min >= 0`, `v < max` is `max - 1 - v >= 0`,
//! each shown with a 64-bit range proof on a commitment the verifier derives from `C`.

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;

use super::commit::scalar;
use super::value::{FieldKind, MAX_ABS};
use super::ClaimsError;

/// Longest look-back of a date-within claim: 100 years.
pub const MAX_WITHIN_DAYS: u32 = 36_525;

/// What is claimed about a field's value `v` (integers in the field's own scale).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case", tag = "type", deny_unknown_fields)]
pub enum Predicate {
    /// `v >= min`.
    AtLeast {
        /// The lower bound, included.
        min: i64,
    },
    /// `v < max`.
    Below {
        /// The upper bound, excluded.
        max: i64,
    },
    /// `min <= v <= max`.
    Range {
        /// The lower bound, included.
        min: i64,
        /// The upper bound, included.
        max: i64,
    },
    /// A date `v` within the `days` days up to `as_of` (both days since 1970-01-01):
    /// `as_of - days <= v <= as_of`.
    DateWithin {
        /// How many days back.
        days: u32,
        /// The day the claim speaks of (when the proof was made).
        as_of: i64,
    },
}

/// A claim as a person words it: bounds in the field's own terms (`6.5`, `2024-10-01`),
/// or a number of days back from today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim<'a> {
    /// Below a bound (excluded).
    Below(&'a str),
    /// At least a bound (included).
    AtLeast(&'a str),
    /// Between two bounds (both included).
    Between(&'a str, &'a str),
    /// A date within this many days up to today.
    WithinDays(u32),
}

impl Predicate {
    /// The predicate `claim` words, read in the scale of a field of `kind`; a date-within
    /// claim counts back from `today` (days since 1970-01-01).
    pub fn from_claim(claim: Claim<'_>, kind: &FieldKind, today: i64) -> Result<Self, ClaimsError> {
        Ok(match claim {
            Claim::Below(x) => Predicate::Below {
                max: kind.parse(x)?,
            },
            Claim::AtLeast(x) => Predicate::AtLeast {
                min: kind.parse(x)?,
            },
            Claim::Between(a, b) => Predicate::Range {
                min: kind.parse(a)?,
                max: kind.parse(b)?,
            },
            Claim::WithinDays(days) => Predicate::DateWithin { days, as_of: today },
        })
    }
}

/// One side of a predicate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    /// `v >= bound`: offset `v - bound`, commitment `C - bound·B`.
    Lower(i64),
    /// `v <= bound`: offset `bound - v`, commitment `bound·B - C`.
    Upper(i64),
}

impl Side {
    /// The offset for value `v`, when the side holds and fits 64 bits.
    pub(crate) fn offset(self, v: i64) -> Option<u64> {
        let o = match self {
            Side::Lower(b) => i128::from(v) - i128::from(b),
            Side::Upper(b) => i128::from(b) - i128::from(v),
        };
        u64::try_from(o).ok()
    }

    /// The offset's blinding factor, from the value's.
    pub(crate) fn blinding(self, r: &Scalar) -> Scalar {
        match self {
            Side::Lower(_) => *r,
            Side::Upper(_) => -r,
        }
    }

    /// The commitment to the offset, from the value's commitment `c`.
    pub(crate) fn commitment(self, c: &RistrettoPoint, base: &RistrettoPoint) -> RistrettoPoint {
        match self {
            Side::Lower(b) => c - base * scalar(b.into()),
            Side::Upper(b) => base * scalar(b.into()) - c,
        }
    }
}

impl Predicate {
    /// Checks the predicate makes sense for a field of `kind`, and returns its sides.
    pub(crate) fn sides(&self, kind: &FieldKind) -> Result<Vec<Side>, ClaimsError> {
        let bad = |why: &str| Err(ClaimsError::BadPredicate(why.to_string()));
        let in_range = |b: i64| (-MAX_ABS..=MAX_ABS).contains(&b);
        // The bounds as given (a proof file may hold any integer) before any arithmetic.
        let given = match *self {
            Predicate::AtLeast { min } => vec![min],
            Predicate::Below { max } => vec![max],
            Predicate::Range { min, max } => vec![min, max],
            Predicate::DateWithin { as_of, .. } => vec![as_of],
        };
        if !given.into_iter().all(in_range) {
            return bad("a bound is out of range");
        }
        let sides = match *self {
            Predicate::AtLeast { min } => vec![Side::Lower(min)],
            Predicate::Below { max } => vec![Side::Upper(max - 1)],
            Predicate::Range { min, max } => {
                if min > max {
                    return bad("the range's lower bound is above its upper bound");
                }
                vec![Side::Lower(min), Side::Upper(max)]
            }
            Predicate::DateWithin { days, as_of } => {
                if *kind != FieldKind::Date {
                    return bad("date-within is a claim about a date field");
                }
                if days > MAX_WITHIN_DAYS {
                    return bad("date-within looks back 36525 days (100 years) at most");
                }
                vec![Side::Lower(as_of - i64::from(days)), Side::Upper(as_of)]
            }
        };
        for side in &sides {
            let (Side::Lower(b) | Side::Upper(b)) = *side;
            if !in_range(b) {
                return bad("a bound is out of range");
            }
        }
        Ok(sides)
    }

    /// The predicate in words, for a field of `kind`.
    pub fn describe(&self, kind: &FieldKind) -> String {
        match *self {
            Predicate::AtLeast { min } => format!("is at least {}", kind.show(min)),
            Predicate::Below { max } => format!("is below {}", kind.show(max)),
            Predicate::Range { min, max } => {
                format!(
                    "is between {} and {} (both included)",
                    kind.show(min),
                    kind.show(max)
                )
            }
            Predicate::DateWithin { days, as_of } => format!(
                "is within the {days} days up to {} (from {})",
                kind.show(as_of),
                kind.show(as_of - i64::from(days))
            ),
        }
    }
}
