//! IEEE-754 decimal128 numbers with realm-core's comparison and conversion rules.
//!
//! Values are kept in their 16-byte BID encoding so that a decimal read from a BSON document is
//! used as is; the parts (sign, coefficient, exponent) are unpacked on demand, which is a few
//! shifts. Arithmetic is exact on a 256-bit intermediate and rounds once, half to even, to 34
//! significant digits, which is what the decimal128 format and realm-core's `@sum`/`@avg` do.

use std::cmp::Ordering;
use std::fmt;

/// Largest coefficient the format holds: 34 nines.
const MAX_COEFF: u128 = 9_999_999_999_999_999_999_999_999_999_999_999;
/// Number of significant digits of the format.
const DIGITS: u32 = 34;
/// Smallest exponent of the coefficient (subnormal floor).
const EXP_MIN: i32 = -6176;
/// Largest exponent of the coefficient.
const EXP_MAX: i32 = 6111;
/// Bias added to the exponent when it is stored.
const EXP_BIAS: i32 = 6176;

const SIGN_BIT: u128 = 1 << 127;
const INF_BITS: u128 = 0x7800_0000_0000_0000 << 64;
const NAN_BITS: u128 = 0x7c00_0000_0000_0000 << 64;

/// A decimal128 value in BID encoding.
///
/// Equality (`==`) follows realm-core: numerically equal finite values are equal whatever their
/// exponents (`1.5 == 1.50`, `-0 == 0`), and two NaNs are equal only when their encodings are
/// identical. [`Decimal128::total_cmp`] is realm-core's total order, in which NaN sorts below
/// every number.
#[derive(Clone, Copy)]
pub struct Decimal128 {
    bits: u128,
}

/// The unpacked form of a decimal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Parts {
    /// `(-1)^neg × coeff × 10^exp`.
    Finite { neg: bool, coeff: u128, exp: i32 },
    /// Signed infinity.
    Inf { neg: bool },
    /// Not a number (any payload).
    NaN,
}

/// Powers of ten that fit in a `u128` (10^0 ..= 10^38).
fn pow10(n: u32) -> Option<u128> {
    10u128.checked_pow(n)
}

/// Number of decimal digits of `v` (1 for zero).
fn digit_count(v: u128) -> u32 {
    v.checked_ilog10().map_or(1, |d| d + 1)
}

/// Divides `v` by 10^n, rounding half to even; `sticky` says that nonzero digits were already
/// dropped below `v` (so an exact half is in fact above half).
fn round_div_pow10(v: u128, n: u32, sticky: bool) -> u128 {
    if n == 0 {
        return v;
    }
    let Some(p) = pow10(n) else {
        // Everything is dropped: the result rounds to zero (v < 10^39 < 0.5 × 10^n never holds
        // for n ≥ 39 except that v ≤ u128::MAX < 5 × 10^38 ≤ half).
        return 0;
    };
    let q = v / p;
    let r = v % p;
    let half = p / 2;
    match r.cmp(&half) {
        Ordering::Less => q,
        Ordering::Greater => q + 1,
        Ordering::Equal if sticky => q + 1,
        Ordering::Equal => q + (q & 1),
    }
}

impl Decimal128 {
    /// Positive zero with exponent 0.
    pub const ZERO: Decimal128 = Decimal128 { bits: (EXP_BIAS as u128) << 113 };
    /// The quiet NaN realm-core and the BSON tools produce.
    pub const NAN: Decimal128 = Decimal128 { bits: NAN_BITS };

    /// Decodes the 16 bytes of a BSON decimal128 (little-endian BID).
    pub fn from_bytes(bytes: [u8; 16]) -> Decimal128 {
        Decimal128 { bits: u128::from_le_bytes(bytes) }
    }

    /// Encodes as the 16 bytes of a BSON decimal128.
    pub fn to_bytes(self) -> [u8; 16] {
        self.bits.to_le_bytes()
    }

    /// Converts from the `bson` crate's opaque decimal.
    pub fn from_bson(d: bson::Decimal128) -> Decimal128 {
        Decimal128::from_bytes(d.bytes())
    }

    /// Converts to the `bson` crate's opaque decimal.
    pub fn to_bson(self) -> bson::Decimal128 {
        bson::Decimal128::from_bytes(self.to_bytes())
    }

    /// Unpacks sign, coefficient and exponent. Non-canonical coefficients (above 34 nines, which
    /// no conforming encoder writes) read as zero, as the standard prescribes.
    pub(crate) fn parts(self) -> Parts {
        let hi = (self.bits >> 64) as u64;
        let neg = self.bits & SIGN_BIT != 0;
        if hi & 0x7c00_0000_0000_0000 == 0x7c00_0000_0000_0000 {
            return Parts::NaN;
        }
        if hi & 0x7800_0000_0000_0000 == 0x7800_0000_0000_0000 {
            return Parts::Inf { neg };
        }
        let (exp_raw, coeff) = if hi & 0x6000_0000_0000_0000 == 0x6000_0000_0000_0000 {
            // Large-coefficient form: always above the maximum, so the value is zero.
            (((self.bits >> 111) & 0x3fff) as i32, 0)
        } else {
            (((self.bits >> 113) & 0x3fff) as i32, self.bits & ((1u128 << 113) - 1))
        };
        let coeff = if coeff > MAX_COEFF { 0 } else { coeff };
        Parts::Finite { neg, coeff, exp: exp_raw - EXP_BIAS }
    }

    /// `(-1)^neg × coeff × 10^exp` exactly, when the coefficient has at most 34 digits and the
    /// exponent is in range (the sync protocol's form of a decimal).
    pub(crate) fn from_parts(neg: bool, coeff: u128, exp: i32) -> Option<Decimal128> {
        (coeff <= MAX_COEFF && (EXP_MIN..=EXP_MAX).contains(&exp))
            .then(|| Decimal128::pack(neg, coeff, exp))
    }

    /// Sign, coefficient and exponent of a finite value; `None` for NaN and infinities.
    pub(crate) fn finite_parts(self) -> Option<(bool, u128, i32)> {
        match self.parts() {
            Parts::Finite { neg, coeff, exp } => Some((neg, coeff, exp)),
            Parts::Inf { .. } | Parts::NaN => None,
        }
    }

    /// Packs parts whose coefficient is at most 34 digits and whose exponent is in range.
    fn pack(neg: bool, coeff: u128, exp: i32) -> Decimal128 {
        let sign = if neg { SIGN_BIT } else { 0 };
        let e = u128::try_from(exp + EXP_BIAS).unwrap_or(0) & 0x3fff;
        Decimal128 { bits: sign | (e << 113) | coeff }
    }

    /// Signed infinity.
    pub fn infinity(neg: bool) -> Decimal128 {
        Decimal128 { bits: INF_BITS | if neg { SIGN_BIT } else { 0 } }
    }

    /// Builds `(-1)^neg × coeff × 10^exp`, rounding half to even to 34 digits and into the
    /// exponent range; overflow gives infinity, underflow gives (signed) zero. `sticky` says that
    /// nonzero digits below `coeff` were already dropped.
    fn round_from(neg: bool, coeff: u128, exp: i64, sticky: bool) -> Decimal128 {
        let mut coeff = coeff;
        let mut exp = exp;
        let mut sticky = sticky;
        let digits = digit_count(coeff);
        if digits > DIGITS {
            let drop = digits - DIGITS;
            let lost = pow10(drop).is_some_and(|p| !coeff.is_multiple_of(p));
            coeff = round_div_pow10(coeff, drop, sticky);
            sticky |= lost;
            exp += i64::from(drop);
            if coeff > MAX_COEFF {
                coeff /= 10;
                exp += 1;
            }
        }
        if exp < i64::from(EXP_MIN) {
            let drop = u32::try_from(i64::from(EXP_MIN) - exp).unwrap_or(u32::MAX);
            coeff = round_div_pow10(coeff, drop, sticky);
            exp = i64::from(EXP_MIN);
        }
        if coeff == 0 {
            let exp = exp.clamp(i64::from(EXP_MIN), i64::from(EXP_MAX)) as i32;
            return Decimal128::pack(neg, 0, exp);
        }
        while exp > i64::from(EXP_MAX) {
            // Clamp by padding the coefficient with zeros while it still fits.
            match coeff.checked_mul(10) {
                Some(c) if c <= MAX_COEFF => {
                    coeff = c;
                    exp -= 1;
                }
                _ => return Decimal128::infinity(neg),
            }
        }
        Decimal128::pack(neg, coeff, exp as i32)
    }

    /// An exact decimal for a 64-bit integer.
    pub fn from_i64(v: i64) -> Decimal128 {
        Decimal128::pack(v < 0, u128::from(v.unsigned_abs()), 0)
    }

    /// realm-core's conversion of a double: the binary value is taken to 34 significant digits
    /// and then, when that needs more than 15 digits, rounded half to even to exactly 15.
    /// Infinities and NaN map to their decimal counterparts.
    pub fn from_f64(v: f64) -> Decimal128 {
        Decimal128::from_binary(v, 15)
    }

    /// realm-core's conversion of a float: as [`Decimal128::from_f64`] with 7 digits.
    pub fn from_f32(v: f32) -> Decimal128 {
        Decimal128::from_binary(f64::from(v), 7)
    }

    fn from_binary(v: f64, keep: u32) -> Decimal128 {
        if v.is_nan() {
            return Decimal128::NAN;
        }
        if v.is_infinite() {
            return Decimal128::infinity(v < 0.0);
        }
        // Exact, correctly rounded 34-digit scientific form of the binary value.
        let mut buf = StackText::default();
        if fmt::write(&mut buf, format_args!("{:.33e}", v.abs())).is_err() {
            return Decimal128::NAN;
        }
        let Some(parsed) = Decimal128::parse(buf.as_str()) else {
            return Decimal128::NAN;
        };
        let Parts::Finite { coeff, exp, .. } = parsed.parts() else {
            return parsed;
        };
        let neg = v.is_sign_negative();
        let (mut c, mut e) = (coeff, exp);
        while c != 0 && c % 10 == 0 {
            c /= 10;
            e += 1;
        }
        let digits = digit_count(c);
        if c == 0 {
            return Decimal128::pack(neg, 0, 0);
        }
        if digits <= keep {
            return Decimal128::pack(neg, c, e);
        }
        let drop = digits - keep;
        let mut r = round_div_pow10(c, drop, false);
        let mut re = e + drop as i32;
        if digit_count(r) > keep {
            r /= 10;
            re += 1;
        }
        Decimal128::pack(neg, r, re)
    }

    /// Parses decimal text as IEEE-754 decimal128 (round half to even to 34 digits).
    ///
    /// Accepted: an optional sign, then digits with an optional point (`1`, `1.`, `.5`, `0.1`)
    /// and an optional exponent (`1E1`, `-6E-6`, `+3E+3`), or `inf`, `infinity`, `nan` in any
    /// case. Anything else (empty text, `.`, `e10`, `-+2`, `2e1.3`, trailing characters) is
    /// refused with `None`.
    pub fn parse(text: &str) -> Option<Decimal128> {
        let bytes = text.as_bytes();
        let (neg, rest) = match bytes.first() {
            Some(b'-') => (true, bytes.get(1..)?),
            Some(b'+') => (false, bytes.get(1..)?),
            _ => (false, bytes),
        };
        if rest.eq_ignore_ascii_case(b"inf") || rest.eq_ignore_ascii_case(b"infinity") {
            return Some(Decimal128::infinity(neg));
        }
        if rest.eq_ignore_ascii_case(b"nan") {
            return Some(Decimal128 { bits: NAN_BITS | if neg { SIGN_BIT } else { 0 } });
        }
        let mut coeff: u128 = 0;
        let mut kept: u32 = 0;
        let mut exp: i64 = 0;
        let mut seen_digit = false;
        let mut seen_point = false;
        // First dropped digit decides the rounding; later nonzero digits make it sticky.
        let mut first_dropped: Option<u8> = None;
        let mut sticky = false;
        let mut i = 0;
        while let Some(&b) = rest.get(i) {
            match b {
                b'0'..=b'9' => {
                    seen_digit = true;
                    let d = b - b'0';
                    if coeff == 0 && d == 0 {
                        // Leading zeros carry no significance.
                        if seen_point {
                            exp -= 1;
                        }
                    } else if kept < DIGITS {
                        coeff = coeff * 10 + u128::from(d);
                        kept += 1;
                        if seen_point {
                            exp -= 1;
                        }
                    } else {
                        match first_dropped {
                            None => first_dropped = Some(d),
                            Some(_) => sticky |= d != 0,
                        }
                        if !seen_point {
                            exp += 1;
                        }
                    }
                }
                b'.' if !seen_point => seen_point = true,
                _ => break,
            }
            i += 1;
        }
        if !seen_digit {
            return None;
        }
        if let Some(&b) = rest.get(i) {
            if b != b'e' && b != b'E' {
                return None;
            }
            i += 1;
            let (eneg, start) = match rest.get(i) {
                Some(b'-') => (true, i + 1),
                Some(b'+') => (false, i + 1),
                _ => (false, i),
            };
            let digits = rest.get(start..)?;
            if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
                return None;
            }
            let mut e: i64 = 0;
            for &d in digits {
                e = (e * 10 + i64::from(d - b'0')).min(1 << 40);
            }
            exp += if eneg { -e } else { e };
        }
        let coeff = match first_dropped {
            None => coeff,
            Some(d) => {
                let up = d > 5 || (d == 5 && (sticky || coeff & 1 == 1));
                if up { coeff + 1 } else { coeff }
            }
        };
        let lost = first_dropped.is_some_and(|d| d != 0) || sticky;
        Some(Decimal128::round_from(neg, coeff, exp, lost && coeff > MAX_COEFF))
    }

    /// Whether the value is a NaN.
    pub fn is_nan(self) -> bool {
        matches!(self.parts(), Parts::NaN)
    }

    /// Whether the value is finite or infinite and its sign bit is set.
    fn is_neg(self) -> bool {
        self.bits & SIGN_BIT != 0
    }

    /// IEEE comparison: `None` when either side is NaN.
    pub fn partial_compare(self, other: Decimal128) -> Option<Ordering> {
        let (a, b) = (self.parts(), other.parts());
        match (a, b) {
            (Parts::NaN, _) | (_, Parts::NaN) => None,
            (Parts::Inf { neg: n1 }, Parts::Inf { neg: n2 }) => Some(n2.cmp(&n1)),
            (Parts::Inf { neg }, _) => Some(if neg { Ordering::Less } else { Ordering::Greater }),
            (_, Parts::Inf { neg }) => Some(if neg { Ordering::Greater } else { Ordering::Less }),
            (
                Parts::Finite { neg: n1, coeff: c1, exp: e1 },
                Parts::Finite { neg: n2, coeff: c2, exp: e2 },
            ) => Some(compare_finite(n1, c1, e1, n2, c2, e2)),
        }
    }

    /// realm-core's total order: numbers by value, NaN below every number, two NaNs by their
    /// encodings (high word, then low word, unsigned).
    pub fn total_cmp(self, other: Decimal128) -> Ordering {
        match (self.is_nan(), other.is_nan()) {
            (false, false) => self.partial_compare(other).unwrap_or(Ordering::Equal),
            (true, true) => self.bits.cmp(&other.bits),
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
        }
    }

    /// Adds with 34-digit rounding.
    fn add_impl(self, other: Decimal128) -> Decimal128 {
        match (self.parts(), other.parts()) {
            (Parts::NaN, _) | (_, Parts::NaN) => Decimal128::NAN,
            (Parts::Inf { neg: a }, Parts::Inf { neg: b }) if a != b => Decimal128::NAN,
            (Parts::Inf { .. }, _) => self,
            (_, Parts::Inf { .. }) => other,
            (
                Parts::Finite { neg: n1, coeff: c1, exp: e1 },
                Parts::Finite { neg: n2, coeff: c2, exp: e2 },
            ) => add_finite(n1, c1, e1, n2, c2, e2),
        }
    }

    /// Subtracts with 34-digit rounding.
    fn sub_impl(self, other: Decimal128) -> Decimal128 {
        self.add_impl(other.negate())
    }

    /// Flips the sign (NaN stays NaN).
    pub fn negate(self) -> Decimal128 {
        if self.is_nan() { self } else { Decimal128 { bits: self.bits ^ SIGN_BIT } }
    }

    /// Multiplies with 34-digit rounding.
    fn mul_impl(self, other: Decimal128) -> Decimal128 {
        let neg = self.is_neg() != other.is_neg();
        match (self.parts(), other.parts()) {
            (Parts::NaN, _) | (_, Parts::NaN) => Decimal128::NAN,
            (Parts::Inf { .. }, Parts::Finite { coeff: 0, .. })
            | (Parts::Finite { coeff: 0, .. }, Parts::Inf { .. }) => Decimal128::NAN,
            (Parts::Inf { .. }, _) | (_, Parts::Inf { .. }) => Decimal128::infinity(neg),
            (
                Parts::Finite { coeff: c1, exp: e1, .. },
                Parts::Finite { coeff: c2, exp: e2, .. },
            ) => {
                let wide = U256::mul(c1, c2);
                let (c, dropped, sticky) = wide.shrink();
                let exp = i64::from(e1) + i64::from(e2) + i64::from(dropped);
                Decimal128::round_from(neg, c, exp, sticky)
            }
        }
    }

    /// Divides with 34-digit rounding; `x / 0` is ±infinity (NaN for `0 / 0`), as IEEE says.
    fn div_impl(self, other: Decimal128) -> Decimal128 {
        let neg = self.is_neg() != other.is_neg();
        match (self.parts(), other.parts()) {
            (Parts::NaN, _) | (_, Parts::NaN) => Decimal128::NAN,
            (Parts::Inf { .. }, Parts::Inf { .. }) => Decimal128::NAN,
            (Parts::Inf { .. }, _) => Decimal128::infinity(neg),
            (Parts::Finite { exp: e1, .. }, Parts::Inf { .. }) => {
                Decimal128::round_from(neg, 0, i64::from(e1).min(0), false)
            }
            (Parts::Finite { coeff: 0, .. }, Parts::Finite { coeff: 0, .. }) => Decimal128::NAN,
            (Parts::Finite { .. }, Parts::Finite { coeff: 0, .. }) => Decimal128::infinity(neg),
            (
                Parts::Finite { coeff: c1, exp: e1, .. },
                Parts::Finite { coeff: c2, exp: e2, .. },
            ) => {
                let ideal = i64::from(e1) - i64::from(e2);
                let mut q = c1 / c2;
                let mut r = c1 % c2;
                let mut exp = ideal;
                // Produce digits until there are 35 (one guard digit) or the division is exact.
                while r != 0 && digit_count(q) < DIGITS + 1 {
                    r *= 10;
                    q = q * 10 + r / c2;
                    r %= c2;
                    exp -= 1;
                }
                if r == 0 {
                    // Exact: prefer the exponent closest to the ideal one.
                    while exp < ideal && q != 0 && q % 10 == 0 {
                        q /= 10;
                        exp += 1;
                    }
                }
                Decimal128::round_from(neg, q, exp, r != 0)
            }
        }
    }

    /// The closest double, for averages reported as doubles and for messages.
    pub fn to_f64(self) -> f64 {
        let mut buf = StackText::default();
        if fmt::write(&mut buf, format_args!("{self}")).is_err() {
            return f64::NAN;
        }
        buf.as_str().parse::<f64>().unwrap_or(f64::NAN)
    }
}

fn compare_finite(n1: bool, c1: u128, e1: i32, n2: bool, c2: u128, e2: i32) -> Ordering {
    let z1 = c1 == 0;
    let z2 = c2 == 0;
    let sign = |neg: bool| if neg { Ordering::Less } else { Ordering::Greater };
    match (z1, z2) {
        (true, true) => return Ordering::Equal,
        (true, false) => return sign(n2).reverse(),
        (false, true) => return sign(n1),
        (false, false) => {}
    }
    if n1 != n2 {
        return sign(n1);
    }
    let magnitude = {
        let d1 = digit_count(c1);
        let d2 = digit_count(c2);
        let adj1 = i64::from(e1) + i64::from(d1);
        let adj2 = i64::from(e2) + i64::from(d2);
        if adj1 != adj2 {
            adj1.cmp(&adj2)
        } else {
            // Same order of magnitude: scale both to 34 digits and compare coefficients.
            let s1 = c1 * pow10(DIGITS.saturating_sub(d1)).unwrap_or(1);
            let s2 = c2 * pow10(DIGITS.saturating_sub(d2)).unwrap_or(1);
            s1.cmp(&s2)
        }
    };
    if n1 { magnitude.reverse() } else { magnitude }
}

fn add_finite(n1: bool, c1: u128, e1: i32, n2: bool, c2: u128, e2: i32) -> Decimal128 {
    // `big` has the larger exponent.
    let ((nb, cb, eb), (ns, cs, es)) =
        if e1 >= e2 { ((n1, c1, e1), (n2, c2, e2)) } else { ((n2, c2, e2), (n1, c1, e1)) };
    let diff = u32::try_from(i64::from(eb) - i64::from(es)).unwrap_or(u32::MAX);
    // Scale the larger-exponent operand up to at most 36 digits; whatever is left of the
    // exponent gap is taken off the other operand, remembering dropped digits as a sticky unit.
    let room = 36u32.saturating_sub(digit_count(cb));
    let shift = diff.min(room);
    let rest = diff - shift;
    let mut big = cb * pow10(shift).unwrap_or(1);
    let mut exp = i64::from(eb) - i64::from(shift);
    let mut small = cs;
    if rest > 0 {
        let (q, lost) = match pow10(rest) {
            Some(p) => (cs / p, cs % p != 0),
            None => (0, cs != 0),
        };
        big *= 10;
        small = q * 10 + u128::from(lost);
        exp -= 1;
    }
    let (neg, coeff) = if nb == ns {
        (nb, big + small)
    } else if big >= small {
        (nb, big - small)
    } else {
        (ns, small - big)
    };
    if coeff == 0 {
        // An exact zero sum is positive (round-to-nearest rule), unless both were negative.
        let neg = nb && ns;
        let e = i64::from(e1.min(e2));
        return Decimal128::round_from(neg, 0, e, false);
    }
    Decimal128::round_from(neg, coeff, exp, false)
}

/// A 256-bit unsigned integer as four little-endian 64-bit limbs: just enough for the exact
/// product of two coefficients.
struct U256([u64; 4]);

impl U256 {
    fn mul(a: u128, b: u128) -> U256 {
        let a = [a as u64, (a >> 64) as u64];
        let b = [b as u64, (b >> 64) as u64];
        let mut out = [0u64; 4];
        for (i, &x) in a.iter().enumerate() {
            let mut carry: u128 = 0;
            for (j, &y) in b.iter().enumerate() {
                if let Some(slot) = out.get_mut(i + j) {
                    let t = u128::from(x) * u128::from(y) + u128::from(*slot) + carry;
                    *slot = t as u64;
                    carry = t >> 64;
                }
            }
            if let Some(slot) = out.get_mut(i + 2) {
                *slot = carry as u64;
            }
        }
        U256(out)
    }

    /// Divides by 10 in place, returning the remainder.
    fn div10(&mut self) -> u64 {
        let mut rem: u128 = 0;
        for limb in self.0.iter_mut().rev() {
            let cur = (rem << 64) | u128::from(*limb);
            *limb = (cur / 10) as u64;
            rem = cur % 10;
        }
        rem as u64
    }

    /// Drops decimal digits until the value fits in 38 digits of a `u128`, keeping one round
    /// digit: returns the value, how many digits went, and whether any dropped digit was nonzero.
    fn shrink(mut self) -> (u128, u32, bool) {
        let mut dropped = 0;
        let mut sticky = false;
        loop {
            let [l0, l1, l2, l3] = self.0;
            if l2 == 0 && l3 == 0 {
                let v = u128::from(l0) | (u128::from(l1) << 64);
                if v <= MAX_COEFF * 1000 {
                    return (v, dropped, sticky);
                }
            }
            sticky |= self.div10() != 0;
            dropped += 1;
        }
    }
}

/// A fixed buffer for formatting numbers without allocating.
pub(crate) struct StackText {
    buf: [u8; 64],
    len: usize,
}

impl Default for StackText {
    fn default() -> Self {
        StackText { buf: [0; 64], len: 0 }
    }
}

impl StackText {
    pub(crate) fn as_str(&self) -> &str {
        self.buf.get(..self.len).and_then(|b| std::str::from_utf8(b).ok()).unwrap_or("")
    }
}

impl fmt::Write for StackText {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        let slot = self.buf.get_mut(self.len..end).ok_or(fmt::Error)?;
        slot.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

macro_rules! decimal_op {
    ($trait:ident, $method:ident, $imp:ident, $what:literal) => {
        #[doc = concat!("Decimal ", $what, " with one rounding, half to even, to 34 digits.")]
        impl std::ops::$trait for Decimal128 {
            type Output = Decimal128;
            fn $method(self, other: Decimal128) -> Decimal128 {
                self.$imp(other)
            }
        }
    };
}

decimal_op!(Add, add, add_impl, "addition");
decimal_op!(Sub, sub, sub_impl, "subtraction");
decimal_op!(Mul, mul, mul_impl, "multiplication");
decimal_op!(Div, div, div_impl, "division (`x / 0` is signed infinity, `0 / 0` NaN)");

impl std::ops::Neg for Decimal128 {
    type Output = Decimal128;
    fn neg(self) -> Decimal128 {
        self.negate()
    }
}

impl PartialEq for Decimal128 {
    fn eq(&self, other: &Decimal128) -> bool {
        match self.partial_compare(*other) {
            Some(o) => o == Ordering::Equal,
            None => self.is_nan() && other.is_nan() && self.bits == other.bits,
        }
    }
}

impl fmt::Debug for Decimal128 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Decimal128({self})")
    }
}

/// The standard scientific-string form MongoDB and Extended JSON print, which is the `bson`
/// crate's: plain notation when the exponent is at most 0 and the adjusted exponent is at least
/// -6, `d.dddE+n` otherwise; `NaN`, `Infinity`, `-Infinity`. realm-core's own form, which its
/// messages quote, is [`Decimal128::realm_text`].
impl fmt::Display for Decimal128 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.to_bson(), f)
    }
}

impl Decimal128 {
    /// The text realm-core's `Decimal128::to_string` gives, which its messages quote: the
    /// coefficient's digits with the exponent moved into them until one digit is left before
    /// the point, then `E` and the exponent if one remains, without a `+` (`5E3`, `1.23E-3`,
    /// `1.50`); `NaN` and `Inf` after the sign. A coefficient of 2^64 or more is printed as
    /// Intel's decimal library prints it (`+digitsE+exp`).
    pub fn realm_text(self) -> String {
        let (neg, coeff, exp) = match self.parts() {
            Parts::NaN => return if self.is_sign_negative() { "-NaN" } else { "NaN" }.to_owned(),
            Parts::Inf { neg } => return if neg { "-Inf" } else { "Inf" }.to_owned(),
            Parts::Finite { neg, coeff, exp } => (neg, coeff, exp),
        };
        let digits = coeff.to_string();
        if u64::try_from(coeff).is_err() {
            let sign = if neg { '-' } else { '+' };
            return format!("{sign}{digits}E{exp:+}");
        }
        let mut exp = i64::from(exp);
        let mut before = digits.len();
        while before > 1 && exp != 0 {
            before -= 1;
            exp += 1;
        }
        let (int, frac) = digits.split_at(before);
        let mut out = String::with_capacity(digits.len() + 8);
        if neg {
            out.push('-');
        }
        out.push_str(int);
        if !frac.is_empty() {
            out.push('.');
            out.push_str(frac);
        }
        if exp != 0 {
            out.push('E');
            out.push_str(&exp.to_string());
        }
        out
    }

    fn is_sign_negative(self) -> bool {
        self.bits & SIGN_BIT != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> Decimal128 {
        Decimal128::parse(s).unwrap_or_else(|| panic!("`{s}` should parse"))
    }

    #[test]
    fn bytes_round_trip_through_bson() {
        for s in ["0", "1.5", "-9.1E+9", "1E-6176", "9999999999999999999999999999999999E6111"] {
            let v = d(s);
            let b: bson::Decimal128 = v.to_bson();
            assert_eq!(Decimal128::from_bson(b).to_bytes(), v.to_bytes());
            assert_eq!(b.to_string(), v.to_string(), "display agrees with bson for `{s}`");
        }
    }

    #[test]
    fn parse_refuses_malformed_text() {
        for s in [
            ".", "e10", "E-12", "infin", "-+2", "+-2", "2e+-12", "2e-+12", "2e1.3", "/2.0", "*2.0",
            "",
        ] {
            assert!(Decimal128::parse(s).is_none(), "`{s}` must be refused");
        }
    }

    #[test]
    fn rounding_is_half_even_at_34_digits() {
        assert_eq!(
            d("1234567890123456789012345678901234.5").to_string(),
            "1234567890123456789012345678901234"
        );
        assert_eq!(
            d("1234567890123456789012345678901235.5").to_string(),
            "1234567890123456789012345678901236"
        );
        assert_eq!(
            d("1234567890123456789012345678901234.50001").to_string(),
            "1234567890123456789012345678901235"
        );
        assert_eq!(
            d("9999999999999999999999999999999999.5").to_string(),
            "1.000000000000000000000000000000000E+34"
        );
    }

    #[test]
    fn binary_conversion_keeps_15_or_7_digits() {
        assert_eq!(Decimal128::from_f64(0.1).to_string(), "0.100000000000000");
        assert_eq!(Decimal128::from_f64(0.5).to_string(), "0.5");
        assert_eq!(Decimal128::from_f32(0.1).to_string(), "0.1000000");
        assert!(Decimal128::from_f64(f64::NAN).is_nan());
        assert_eq!(Decimal128::from_f64(f64::NEG_INFINITY).to_string(), "-Infinity");
        assert_eq!(Decimal128::from_f64(-2.5), d("-2.5"));
    }

    #[test]
    fn nan_is_lowest_and_equal_only_to_itself() {
        let nan = Decimal128::NAN;
        assert_eq!(nan, nan);
        assert_eq!(nan.total_cmp(d("-inf")), Ordering::Less);
        assert_eq!(nan.partial_compare(d("1")), None);
        assert_ne!(nan, d("-nan"));
    }

    #[test]
    fn arithmetic_rounds_once() {
        assert_eq!((d("1") / d("3")).to_string(), "0.3333333333333333333333333333333333");
        assert_eq!((d("2") / d("3")).to_string(), "0.6666666666666666666666666666666667");
        assert_eq!((d("1") + d("1E-40")).to_string(), "1.000000000000000000000000000000000");
        assert_eq!((d("1") - d("1E-40")).to_string(), "1.000000000000000000000000000000000");
        assert_eq!((d("1") - d("1E-34")).to_string(), "0.9999999999999999999999999999999999");
        assert_eq!((d("6") / d("2")).to_string(), "3");
        assert_eq!((d("1.5") + d("1.50")).to_string(), "3.00");
        let big = d("9999999999999999999999999999999999");
        assert_eq!((big * big).to_string(), "9.999999999999999999999999999999998E+67");
    }

    /// Value of a small decimal as an exact rational `num / 10^k` in i128 (None when too big).
    fn scaled(coeff: u128, exp: i32, neg: bool) -> i128 {
        let v = i128::try_from(coeff).unwrap() * 10i128.pow((exp + 10) as u32);
        if neg { -v } else { v }
    }

    proptest! {
        #[test]
        fn compare_matches_exact_rationals(c1 in 0u64..1_000_000, e1 in -10i32..8, n1: bool,
                                           c2 in 0u64..1_000_000, e2 in -10i32..8, n2: bool) {
            let a = Decimal128::pack(n1, u128::from(c1), e1);
            let b = Decimal128::pack(n2, u128::from(c2), e2);
            let expected = scaled(u128::from(c1), e1, n1).cmp(&scaled(u128::from(c2), e2, n2));
            prop_assert_eq!(a.partial_compare(b), Some(expected));
            prop_assert_eq!(a.total_cmp(b), expected);
            prop_assert_eq!(a == b, expected == Ordering::Equal);
            // Small exact sums are exact.
            let sum = a + b;
            let want = scaled(u128::from(c1), e1, n1) + scaled(u128::from(c2), e2, n2);
            let back = d(&sum.to_string());
            prop_assert_eq!(back.partial_compare(sum), Some(Ordering::Equal));
            let Parts::Finite { neg, coeff, exp } = sum.parts() else { panic!("finite") };
            prop_assert_eq!(scaled(coeff, exp, neg), want);
        }

        #[test]
        fn parse_agrees_with_the_bson_crate(digits in "[0-9]{1,34}", point in 0usize..35, exp in -6000i32..6000, neg: bool) {
            let point = point.min(digits.len());
            let text = format!("{}{}.{}E{}", if neg { "-" } else { "" }, &digits[..point], &digits[point..], exp);
            let ours = d(&text);
            let theirs: bson::Decimal128 = text.parse().unwrap();
            prop_assert_eq!(ours.to_bytes(), theirs.bytes(), "{}", text);
        }

        #[test]
        fn display_parses_back_to_the_same_bits(c in 0u128..=MAX_COEFF, e in -6176i32..=6111, n: bool) {
            let v = Decimal128::pack(n, c, e);
            prop_assert_eq!(d(&v.to_string()).to_bytes(), v.to_bytes());
        }
    }
}
#[cfg(test)]
mod display {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Display is bson's, whatever the bits (non-canonical coefficients, NaN payloads).
        #[test]
        fn display_is_bsons(bytes in any::<[u8; 16]>()) {
            let v = Decimal128::from_bytes(bytes);
            prop_assert_eq!(v.to_string(), v.to_bson().to_string());
        }
    }

    /// Where realm-core's text differs from the standard form, and where it agrees.
    #[test]
    fn realm_text_differs_from_the_standard_form_where_realm_core_does() {
        let d = |s: &str| Decimal128::parse(s).unwrap();
        let cases = [
            // (value, standard form, realm-core's form)
            ("1E+2", "1E+2", "1E2"),
            ("5E3", "5E+3", "5E3"),
            ("50E1", "5.0E+2", "5.0E2"),
            ("0.00123", "0.00123", "1.23E-3"),
            ("1.50", "1.50", "1.50"),
            ("123", "123", "123"),
            ("-123.0", "-123.0", "-123.0"),
            ("1.23E-8", "1.23E-8", "1.23E-8"),
            ("Infinity", "Infinity", "Inf"),
            ("-Infinity", "-Infinity", "-Inf"),
            ("NaN", "NaN", "NaN"),
        ];
        for (text, standard, realm) in cases {
            assert_eq!(d(text).to_string(), standard, "{text}");
            assert_eq!(d(text).realm_text(), realm, "{text}");
        }
        let wide = Decimal128::from_parts(false, 1u128 << 64, -3).unwrap();
        assert_eq!(wide.realm_text(), "+18446744073709551616E-3");
    }
}
