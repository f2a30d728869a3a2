//! Points in time as realm-core stores them: whole seconds and nanoseconds since the Unix epoch.

use std::fmt;

const NANOS_PER_SEC: i64 = 1_000_000_000;
const NANOS_PER_MILLI: i64 = 1_000_000;

/// A timestamp: `seconds + nanos × 10⁻⁹` seconds since 1970-01-01T00:00:00 UTC.
///
/// Invariant (realm-core's): `|nanos| < 10⁹` and `seconds` and `nanos` never have opposite
/// signs, so every instant has exactly one representation and the derived ordering by
/// `(seconds, nanos)` is chronological.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    seconds: i64,
    nanos: i32,
}

/// Why a timestamp could not be built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TimestampError {
    /// Seconds and nanoseconds have opposite signs (`T-1:1`).
    #[error("seconds and nanoseconds of a timestamp must not have opposite signs")]
    MixedSigns,
    /// The nanoseconds are a full second or more.
    #[error("the nanoseconds of a timestamp must be less than one second")]
    NanosOutOfRange,
    /// A calendar date before the year 1900, which realm-core refuses.
    #[error("Conversion of dates before 1900 is not supported.")]
    Before1900,
    /// Negative nanoseconds in a calendar date literal.
    #[error("The nanoseconds of a Timestamp cannot be negative.")]
    NegativeNanos,
    /// The date lies beyond what 64-bit seconds can hold.
    #[error("the date is out of range")]
    OutOfRange,
}

impl Timestamp {
    /// The epoch itself.
    pub const EPOCH: Timestamp = Timestamp { seconds: 0, nanos: 0 };

    /// Builds a timestamp, enforcing realm-core's invariant (`T<seconds>:<nanos>` literals).
    pub fn new(seconds: i64, nanos: i64) -> Result<Timestamp, TimestampError> {
        if nanos.abs() >= NANOS_PER_SEC {
            return Err(TimestampError::NanosOutOfRange);
        }
        if (seconds > 0 && nanos < 0) || (seconds < 0 && nanos > 0) {
            return Err(TimestampError::MixedSigns);
        }
        let nanos = i32::try_from(nanos).map_err(|_| TimestampError::NanosOutOfRange)?;
        Ok(Timestamp { seconds, nanos })
    }

    /// Whole seconds since the epoch.
    pub fn seconds(self) -> i64 {
        self.seconds
    }

    /// Nanoseconds, with the sign of [`Timestamp::seconds`].
    pub fn nanos(self) -> i32 {
        self.nanos
    }

    /// The instant of a BSON date (milliseconds since the epoch); negative values keep both
    /// parts negative (-1500 ms is -1 s -500,000,000 ns).
    pub fn from_millis(ms: i64) -> Timestamp {
        // Truncating division keeps the remainder's sign equal to the dividend's.
        let seconds = ms / 1000;
        let nanos = (ms % 1000) * NANOS_PER_MILLI;
        Timestamp { seconds, nanos: i32::try_from(nanos).unwrap_or(0) }
    }

    /// Milliseconds since the epoch, truncated toward zero (BSON dates have no finer unit);
    /// saturates at the ends of the `i64` range.
    pub fn to_millis(self) -> i64 {
        self.seconds.saturating_mul(1000).saturating_add(i64::from(self.nanos) / NANOS_PER_MILLI)
    }

    /// Converts a calendar date literal `YYYY-MM-DD@HH:MM:SS[:NANOS]` (UTC).
    ///
    /// Fields are normalised as C `timegm` does: month 13 is January of the next year, day 32
    /// rolls into the next month, hour 25 into the next day, and so on, with no range checks.
    /// Years before 1900 are refused as in realm-core. When the resulting seconds are negative
    /// the nanoseconds are negated, so `1969-12-31@23:59:59:1` is one second and one nanosecond
    /// before the epoch.
    ///
    /// Divergence: realm-core truncates the seconds to 32 bits on Linux and macOS, so dates
    /// after 2038-01-19 wrap into the early 1900s there; the seconds here are computed in 64 bits
    /// and are always the calendar's answer.
    pub fn from_date(
        year: i64,
        month: i64,
        day: i64,
        hour: i64,
        minute: i64,
        second: i64,
        nanos: i64,
    ) -> Result<Timestamp, TimestampError> {
        if year < 1900 {
            return Err(TimestampError::Before1900);
        }
        if nanos < 0 {
            return Err(TimestampError::NegativeNanos);
        }
        if nanos >= NANOS_PER_SEC {
            return Err(TimestampError::NanosOutOfRange);
        }
        let m0 = month.checked_sub(1).ok_or(TimestampError::OutOfRange)?;
        let y = year.checked_add(m0.div_euclid(12)).ok_or(TimestampError::OutOfRange)?;
        let m = m0.rem_euclid(12) + 1;
        let days = days_from_civil(y, m).ok_or(TimestampError::OutOfRange)?;
        let total = (|| {
            let d = days.checked_add(day.checked_sub(1)?)?;
            d.checked_mul(86_400)?
                .checked_add(hour.checked_mul(3600)?)?
                .checked_add(minute.checked_mul(60)?)?
                .checked_add(second)
        })()
        .ok_or(TimestampError::OutOfRange)?;
        let nanos = if total < 0 { -nanos } else { nanos };
        Timestamp::new(total, nanos)
    }
}

/// Days from 1970-01-01 to the first of the given month of the proleptic Gregorian calendar
/// (`month` in 1..=12).
fn days_from_civil(year: i64, month: i64) -> Option<i64> {
    // Shift the year to start in March so the leap day is the last day of the year.
    let y = if month <= 2 { year.checked_sub(1)? } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era.checked_mul(146_097)?.checked_add(doe - 719_468)
}

/// `T<seconds>:<nanos>`, the form realm-core's query serializer writes.
impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "T{}:{}", self.seconds, self.nanos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bson_millis_keep_one_sign() {
        let t = Timestamp::from_millis(-1500);
        assert_eq!((t.seconds(), t.nanos()), (-1, -500_000_000));
        assert_eq!(t.to_millis(), -1500);
        assert!(Timestamp::from_millis(-1) < Timestamp::EPOCH);
        assert!(Timestamp::from_millis(-1001) < Timestamp::from_millis(-1000));
    }

    #[test]
    fn opposite_signs_are_refused() {
        assert_eq!(Timestamp::new(-1, 1), Err(TimestampError::MixedSigns));
        assert_eq!(Timestamp::new(1, -1), Err(TimestampError::MixedSigns));
        assert!(Timestamp::new(0, -5).is_ok());
        assert_eq!(Timestamp::new(0, 1_000_000_000), Err(TimestampError::NanosOutOfRange));
    }
}
