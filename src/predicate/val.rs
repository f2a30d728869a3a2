//! The values a compiled predicate compares, and realm-core's rules for comparing them.
//!
//! A [`Val`] borrows from the document (or from a compiled constant), so reading a value never
//! allocates. Two comparison regimes exist in realm-core and both are kept here:
//!
//! - *value level* (lists, embedded objects, `mixed`, aggregates, sorting): NaN sorts below every
//!   number and equals a NaN with the same bits; values of incomparable types are simply unequal;
//! - *column level* (an own scalar property against a constant): IEEE rules for NaN, and the
//!   null rules of realm-core's string column nodes (§3.7.4 of the specification).

use std::cmp::Ordering;

use crate::value::Decimal128;

/// A timestamp: nanoseconds since the Unix epoch. realm-core stores seconds and nanoseconds with
/// the same sign, which orders exactly like the total nanosecond count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Ts(pub(crate) i128);

impl Ts {
    pub(crate) fn from_millis(ms: i64) -> Ts {
        Ts(i128::from(ms) * 1_000_000)
    }

    pub(crate) fn from_parts(seconds: i64, nanos: i64) -> Ts {
        Ts(i128::from(seconds) * 1_000_000_000 + i128::from(nanos))
    }
}

/// A set of realm type names, the value of `.@type` (one bit per type, `numeric` = several).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct TypeSet(pub(crate) u16);

impl TypeSet {
    pub(crate) const NULL: u16 = 1;
    pub(crate) const INT: u16 = 1 << 1;
    pub(crate) const BOOL: u16 = 1 << 2;
    pub(crate) const STRING: u16 = 1 << 3;
    pub(crate) const BINARY: u16 = 1 << 4;
    pub(crate) const TIMESTAMP: u16 = 1 << 5;
    pub(crate) const FLOAT: u16 = 1 << 6;
    pub(crate) const DOUBLE: u16 = 1 << 7;
    pub(crate) const DECIMAL: u16 = 1 << 8;
    pub(crate) const LINK: u16 = 1 << 9;
    pub(crate) const OBJECT_ID: u16 = 1 << 10;
    pub(crate) const UUID: u16 = 1 << 11;
    pub(crate) const DICTIONARY: u16 = 1 << 12;
    pub(crate) const LIST: u16 = 1 << 13;

    /// Reads one type name as realm-core's `@type` strings spell them (ASCII case-insensitive).
    pub(crate) fn parse(name: &[u8]) -> Option<TypeSet> {
        let lower: Vec<u8> = name.to_ascii_lowercase();
        let bits = match lower.as_slice() {
            b"null" => Self::NULL,
            b"int" | b"integer" | b"int16" | b"int32" | b"int64" | b"short" | b"long" | b"byte"
            | b"char" => Self::INT,
            b"bool" | b"boolean" => Self::BOOL,
            b"string" => Self::STRING,
            b"binary" | b"data" | b"bytearray" | b"byte[]" | b"bindata" => Self::BINARY,
            b"date" | b"datetimeoffset" | b"timestamp" => Self::TIMESTAMP,
            b"float" => Self::FLOAT,
            b"double" => Self::DOUBLE,
            b"decimal128" | b"decimal" => Self::DECIMAL,
            b"objectlink" | b"link" => Self::LINK,
            b"objectid" => Self::OBJECT_ID,
            b"uuid" | b"guid" => Self::UUID,
            b"numeric" => Self::INT | Self::DOUBLE | Self::FLOAT | Self::DECIMAL,
            b"object" | b"dictionary" => Self::DICTIONARY,
            b"array" | b"list" => Self::LIST,
            b"collection" => Self::DICTIONARY | Self::LIST,
            _ => return None,
        };
        Some(TypeSet(bits))
    }

    /// The names accepted by [`TypeSet::parse`], in realm-core's order (used in its error text).
    pub(crate) const NAMES: &'static str = "null, int, integer, int16, int32, int64, short, long, byte, char, bool, boolean, string, binary, data, bytearray, byte[], date, datetimeoffset, timestamp, float, double, decimal128, decimal, objectlink, link, objectid, uuid, guid, numeric, bindata, object, dictionary, array, list, collection";
}

/// One value as realm-core sees it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Val<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Float(f32),
    Double(f64),
    Decimal(Decimal128),
    /// UTF-8 text (bytes, because a base64 literal may decode to anything).
    Str(&'a [u8]),
    Bin(&'a [u8]),
    Ts(Ts),
    Oid([u8; 12]),
    Uuid([u8; 16]),
    /// The result of `.@type`.
    Type(TypeSet),
    /// A non-null embedded object (a link, in realm-core's terms).
    Object,
    /// A nested list inside a `mixed` value.
    List,
    /// A nested dictionary inside a `mixed` value.
    Dict,
    /// A BSON value realm cannot hold (regex, JavaScript, …): equal to nothing.
    Other,
}

impl Val<'_> {
    pub(crate) fn is_null(&self) -> bool {
        matches!(self, Val::Null)
    }

    fn is_numeric(&self) -> bool {
        matches!(self, Val::Int(_) | Val::Float(_) | Val::Double(_) | Val::Decimal(_))
    }

    /// The `@type` of this value.
    pub(crate) fn type_of(&self) -> TypeSet {
        TypeSet(match self {
            Val::Null => TypeSet::NULL,
            Val::Bool(_) => TypeSet::BOOL,
            Val::Int(_) => TypeSet::INT,
            Val::Float(_) => TypeSet::FLOAT,
            Val::Double(_) => TypeSet::DOUBLE,
            Val::Decimal(_) => TypeSet::DECIMAL,
            Val::Str(_) => TypeSet::STRING,
            Val::Bin(_) => TypeSet::BINARY,
            Val::Ts(_) => TypeSet::TIMESTAMP,
            Val::Oid(_) => TypeSet::OBJECT_ID,
            Val::Uuid(_) => TypeSet::UUID,
            Val::Object => TypeSet::LINK,
            Val::List => TypeSet::LIST,
            Val::Dict => TypeSet::DICTIONARY,
            Val::Type(_) | Val::Other => 0,
        })
    }

    /// Rank of the type in realm-core's Mixed sort order.
    fn rank(&self) -> u8 {
        match self {
            Val::Null => 0,
            Val::Bool(_) => 1,
            Val::Int(_) | Val::Float(_) | Val::Double(_) | Val::Decimal(_) => 2,
            Val::Str(_) => 3,
            Val::Bin(_) => 4,
            Val::Ts(_) => 5,
            Val::Oid(_) => 6,
            Val::Uuid(_) => 7,
            Val::Object => 9,
            Val::Type(_) => 10,
            Val::List => 11,
            Val::Dict => 12,
            Val::Other => 13,
        }
    }

    /// As a float for arithmetic on the numeric group.
    pub(crate) fn as_f64(&self) -> Option<f64> {
        match *self {
            #[expect(clippy::cast_precision_loss, reason = "realm-core converts the same way")]
            Val::Int(i) => Some(i as f64),
            Val::Float(f) => Some(f64::from(f)),
            Val::Double(d) => Some(d),
            Val::Decimal(d) => Some(d.to_f64()),
            _ => None,
        }
    }
}

/// IEEE comparison of two floats with NaN ordered first (realm-core's `compare_float`).
fn cmp_float(a: f64, b: f64) -> Ordering {
    match (a.is_nan(), b.is_nan()) {
        (false, false) => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
        (true, true) => a.to_bits().cmp(&b.to_bits()),
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
    }
}

fn cmp_float32(a: f32, b: f32) -> Ordering {
    match (a.is_nan(), b.is_nan()) {
        (false, false) => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
        (true, true) => a.to_bits().cmp(&b.to_bits()),
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
    }
}

/// An integer against a double, exactly (no rounding of the integer).
fn cmp_int_double(i: i64, d: f64) -> Ordering {
    if d.is_nan() {
        return Ordering::Greater;
    }
    const PRECISE: i64 = 1 << 53;
    if (-PRECISE..=PRECISE).contains(&i) {
        #[expect(clippy::cast_precision_loss, reason = "exact within ±2^53")]
        return cmp_float(i as f64, d);
    }
    const BOUND: f64 = 9_223_372_036_854_775_808.0;
    if d >= BOUND {
        return Ordering::Less;
    }
    if d < -BOUND {
        return Ordering::Greater;
    }
    #[expect(clippy::cast_possible_truncation, reason = "in range, fraction irrelevant here")]
    let t = d as i64;
    i.cmp(&t)
}

/// Order of two values when their types are comparable (same type, or both numeric); `None`
/// when they are not. Value-level NaN rules.
pub(crate) fn compare(a: &Val<'_>, b: &Val<'_>) -> Option<Ordering> {
    use Val as V;
    Some(match (a, b) {
        (V::Null, V::Null) => Ordering::Equal,
        (V::Bool(x), V::Bool(y)) => x.cmp(y),
        (V::Int(x), V::Int(y)) => x.cmp(y),
        (V::Int(x), V::Float(y)) => cmp_int_double(*x, f64::from(*y)),
        (V::Int(x), V::Double(y)) => cmp_int_double(*x, *y),
        (V::Float(x), V::Int(y)) => cmp_int_double(*y, f64::from(*x)).reverse(),
        (V::Double(x), V::Int(y)) => cmp_int_double(*y, *x).reverse(),
        (V::Float(x), V::Float(y)) => cmp_float32(*x, *y),
        (V::Float(x), V::Double(y)) => cmp_float(f64::from(*x), *y),
        (V::Double(x), V::Float(y)) => cmp_float(*x, f64::from(*y)),
        (V::Double(x), V::Double(y)) => cmp_float(*x, *y),
        (V::Decimal(x), V::Decimal(y)) => x.total_cmp(*y),
        (V::Decimal(x), other) | (other, V::Decimal(x)) if other.is_numeric() => {
            let o = match other {
                V::Int(i) => Decimal128::from_i64(*i),
                V::Float(f) => Decimal128::from_f32(*f),
                V::Double(d) => Decimal128::from_f64(*d),
                _ => return None,
            };
            let ord = x.total_cmp(o);
            if matches!(a, V::Decimal(_)) { ord } else { ord.reverse() }
        }
        (V::Str(x), V::Str(y)) => x.cmp(y),
        (V::Bin(x), V::Bin(y)) => x.cmp(y),
        (V::Ts(x), V::Ts(y)) => x.cmp(y),
        (V::Oid(x), V::Oid(y)) => x.cmp(y),
        (V::Uuid(x), V::Uuid(y)) => x.cmp(y),
        (V::Type(x), V::Type(y)) => {
            if x.0 & y.0 != 0 {
                Ordering::Equal
            } else {
                x.0.cmp(&y.0)
            }
        }
        (V::Object, V::Object) | (V::List, V::List) | (V::Dict, V::Dict) => Ordering::Equal,
        _ => return None,
    })
}

/// realm-core's Mixed total order (sorting, `@min`/`@max` of mixed, DISTINCT).
pub(crate) fn total_order(a: &Val<'_>, b: &Val<'_>) -> Ordering {
    compare(a, b).unwrap_or_else(|| a.rank().cmp(&b.rank()))
}

/// The comparison operators, after `IN` has become `==`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    BeginsWith,
    EndsWith,
    Contains,
    Like,
}

/// A pattern with its case-folded variants (`[c]`): for each byte of the pattern, the byte of the
/// upper-case and of the lower-case variant at the same position.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Pattern<'a> {
    /// Compared byte for byte.
    Exact(&'a [u8]),
    /// Both variants computed in advance (constant patterns).
    Folded { upper: &'a [u8], lower: &'a [u8] },
    /// Folded on demand (patterns read from documents).
    Live(&'a [u8]),
}

impl Pattern<'_> {
    fn len(&self) -> usize {
        match self {
            Pattern::Exact(p) | Pattern::Live(p) => p.len(),
            Pattern::Folded { upper, .. } => upper.len(),
        }
    }

    /// The pattern byte at `i` (wildcards `*` and `?` fold to themselves).
    fn byte(&self, i: usize) -> u8 {
        match self {
            Pattern::Exact(p) | Pattern::Live(p) => p.get(i).copied().unwrap_or(0),
            Pattern::Folded { upper, .. } => upper.get(i).copied().unwrap_or(0),
        }
    }

    /// Whether text byte `b` matches the pattern byte at `i`.
    fn matches(&self, i: usize, b: u8) -> bool {
        match self {
            Pattern::Exact(p) => p.get(i) == Some(&b),
            Pattern::Folded { upper, lower } => {
                upper.get(i) == Some(&b) || lower.get(i) == Some(&b)
            }
            Pattern::Live(p) => {
                if p.get(i) == Some(&b) {
                    return true;
                }
                let (u, l) = live_fold_at(p, i);
                u == Some(b) || l == Some(b)
            }
        }
    }

    /// Whether `text` equals the pattern (case-folded where the pattern says so).
    fn equals(&self, text: &[u8]) -> bool {
        text.len() == self.len() && text.iter().enumerate().all(|(i, b)| self.matches(i, *b))
    }

    fn matches_at(&self, text: &[u8], start: usize) -> bool {
        let n = self.len();
        match text.get(start..start.saturating_add(n)) {
            Some(window) if window.len() == n => {
                window.iter().enumerate().all(|(i, b)| self.matches(i, *b))
            }
            _ => false,
        }
    }
}

/// Upper and lower case of one character, realm-core style: ASCII and the Latin-1 Supplement
/// letters only, every other character unchanged.
pub(crate) fn fold_char(c: char) -> (char, char) {
    let u = c as u32;
    match u {
        0x61..=0x7a => (char::from_u32(u - 32).unwrap_or(c), c),
        0x41..=0x5a => (c, char::from_u32(u + 32).unwrap_or(c)),
        0xe0..=0xfe if u != 0xf7 => (char::from_u32(u - 32).unwrap_or(c), c),
        0xc0..=0xde if u != 0xd7 => (c, char::from_u32(u + 32).unwrap_or(c)),
        _ => (c, c),
    }
}

/// The upper- and lower-case variants of a pattern; `None` when it is not UTF-8 (realm-core
/// then has empty variants, which match nothing).
pub(crate) fn fold_pattern(p: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    let s = std::str::from_utf8(p).ok()?;
    let mut upper = String::with_capacity(s.len());
    let mut lower = String::with_capacity(s.len());
    for c in s.chars() {
        let (u, l) = fold_char(c);
        upper.push(u);
        lower.push(l);
    }
    Some((upper.into_bytes(), lower.into_bytes()))
}

/// The folded variants' bytes at position `i` of a pattern read at run time.
fn live_fold_at(p: &[u8], i: usize) -> (Option<u8>, Option<u8>) {
    let mut start = i;
    while start > 0 && p.get(start).is_some_and(|b| b & 0xc0 == 0x80) {
        start -= 1;
    }
    let mut end = start + 1;
    while p.get(end).is_some_and(|b| b & 0xc0 == 0x80) {
        end += 1;
    }
    let Some(c) =
        p.get(start..end).and_then(|s| std::str::from_utf8(s).ok()).and_then(|s| s.chars().next())
    else {
        return (None, None);
    };
    let (u, l) = fold_char(c);
    let (mut ub, mut lb) = ([0u8; 4], [0u8; 4]);
    let (us, ls) = (u.encode_utf8(&mut ub).as_bytes(), l.encode_utf8(&mut lb).as_bytes());
    (us.get(i - start).copied(), ls.get(i - start).copied())
}

fn contains(text: &[u8], pat: &Pattern<'_>) -> bool {
    let n = pat.len();
    if n == 0 {
        return true;
    }
    if n > text.len() {
        return false;
    }
    (0..=text.len() - n).any(|s| pat.matches_at(text, s))
}

/// realm-core's LIKE: `*` any run, `?` one UTF-8 character, everything else itself; at the end of
/// the text only an empty rest or a single `*` matches (the documented quirk).
pub(crate) fn like(text: &[u8], pat: &Pattern<'_>) -> bool {
    // Backtrack points; a fixed array covers realistic patterns, a vector the rest.
    let mut small = [(0usize, 0usize); 16];
    let mut spill: Vec<(usize, usize)> = Vec::new();
    let mut depth = 0usize;
    let plen = pat.len();
    let (mut t, mut p) = (0usize, 0usize);
    loop {
        if t == text.len() {
            if p == plen || (p + 1 == plen && pat.byte(p) == b'*') {
                return true;
            }
        } else if p < plen {
            let pc = pat.byte(p);
            if pc == b'*' {
                p += 1;
                if let Some(slot) = small.get_mut(depth) {
                    *slot = (t, p);
                } else {
                    spill.push((t, p));
                }
                depth += 1;
                continue;
            }
            let tc = text.get(t).copied().unwrap_or(0);
            if pc == b'?' {
                t += 1;
                if tc & 0x80 != 0 {
                    while t < text.len() && text.get(t).is_some_and(|b| b & 0xc0 == 0x80) {
                        t += 1;
                    }
                }
                p += 1;
                continue;
            }
            if pat.matches(p, tc) {
                t += 1;
                p += 1;
                continue;
            }
        }
        if depth == 0 {
            return false;
        }
        if t == text.len() {
            depth -= 1;
            if depth >= small.len() {
                spill.pop();
            }
        }
        if depth == 0 {
            return false;
        }
        let top = if depth <= small.len() { small.get_mut(depth - 1) } else { spill.last_mut() };
        let Some(top) = top else { return false };
        top.0 += 1;
        t = top.0;
        p = top.1;
    }
}

/// How a comparison treats NaN and null strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Level {
    /// An own scalar property against a constant: realm-core's column nodes.
    Column,
    /// Everything else: realm-core's Mixed comparisons.
    Value,
}

/// `left op right` for one pair of values. `pattern` is the right side prepared for string
/// operators and `[c]` (or `None` to derive it from `right`).
pub(crate) fn apply(
    op: Op,
    left: &Val<'_>,
    right: &Val<'_>,
    folded: Option<Pattern<'_>>,
    ci: bool,
    level: Level,
) -> bool {
    if level == Level::Column {
        let nan = |v: &Val<'_>| match v {
            Val::Double(d) => d.is_nan(),
            Val::Float(f) => f.is_nan(),
            _ => false,
        };
        let relational = matches!(op, Op::Lt | Op::Le | Op::Gt | Op::Ge);
        if (nan(left) || nan(right))
            && !left.is_null()
            && !right.is_null()
            && (relational || matches!(op, Op::Eq | Op::Ne))
        {
            return op == Op::Ne;
        }
        // A string column orders null below every string (realm-core's column comparison).
        let texty = |v: &Val<'_>| matches!(v, Val::Str(_) | Val::Null);
        if relational && texty(left) && texty(right) {
            let o = match (left, right) {
                (Val::Null, Val::Null) => Ordering::Equal,
                (Val::Null, _) => Ordering::Less,
                (_, Val::Null) => Ordering::Greater,
                (a, b) => compare(a, b).unwrap_or(Ordering::Equal),
            };
            return match op {
                Op::Lt => o.is_lt(),
                Op::Le => o.is_le(),
                Op::Gt => o.is_gt(),
                _ => o.is_ge(),
            };
        }
    }
    match op {
        Op::Eq => equal(left, right, folded, ci),
        Op::Ne => !equal(left, right, folded, ci),
        Op::Lt => compare(left, right) == Some(Ordering::Less) && !left.is_null(),
        Op::Gt => compare(left, right) == Some(Ordering::Greater) && !left.is_null(),
        Op::Le => matches!(compare(left, right), Some(Ordering::Less | Ordering::Equal)),
        Op::Ge => matches!(compare(left, right), Some(Ordering::Greater | Ordering::Equal)),
        Op::BeginsWith | Op::EndsWith | Op::Contains | Op::Like => {
            string_op(op, left, right, folded, ci, level)
        }
    }
}

fn text_of<'v>(v: &Val<'v>) -> Option<(&'v [u8], bool)> {
    match v {
        Val::Str(s) => Some((s, false)),
        Val::Bin(b) => Some((b, true)),
        _ => None,
    }
}

fn pattern_for<'p>(right: &Val<'p>, folded: Option<Pattern<'p>>, ci: bool) -> Option<Pattern<'p>> {
    if let Some(p) = folded {
        return Some(p);
    }
    let (bytes, _) = text_of(right)?;
    Some(if ci { Pattern::Live(bytes) } else { Pattern::Exact(bytes) })
}

fn equal(left: &Val<'_>, right: &Val<'_>, folded: Option<Pattern<'_>>, ci: bool) -> bool {
    if ci && let (Some((l, lb)), Some((_, rb))) = (text_of(left), text_of(right)) {
        if lb != rb {
            return false;
        }
        return pattern_for(right, folded, ci).is_some_and(|p| p.equals(l));
    }
    compare(left, right) == Some(Ordering::Equal)
}

fn string_op(
    op: Op,
    left: &Val<'_>,
    right: &Val<'_>,
    folded: Option<Pattern<'_>>,
    ci: bool,
    level: Level,
) -> bool {
    let hay = text_of(left);
    let pat = text_of(right);
    if level == Level::Column {
        // realm-core's string column nodes: a null pattern is the empty pattern, except for LIKE.
        match (hay, right.is_null()) {
            (_, true) if op == Op::Like => return left.is_null(),
            (None, true) => {
                // A null haystack with a null pattern: true, except CONTAINS[c] on binary.
                return left.is_null();
            }
            (Some((_, true)), true) if op == Op::Contains && ci => return true,
            (Some(_), true) => return true,
            (None, false) => return false,
            _ => {}
        }
    } else {
        match op {
            Op::Contains if right.is_null() => return !left.is_null(),
            Op::Like if left.is_null() && right.is_null() => return true,
            _ => {}
        }
    }
    let (Some((h, hb)), Some((_, pb))) = (hay, pat) else { return false };
    if hb != pb {
        return false;
    }
    let Some(p) = pattern_for(right, folded, ci) else { return false };
    match op {
        Op::BeginsWith => p.matches_at(h, 0),
        Op::EndsWith => h.len() >= p.len() && p.matches_at(h, h.len() - p.len()),
        Op::Contains => contains(h, &p),
        Op::Like => like(h, &p),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lk(t: &str, p: &str) -> bool {
        like(t.as_bytes(), &Pattern::Exact(p.as_bytes()))
    }

    #[test]
    fn like_follows_realm_core() {
        assert!(lk("Bob", "?o?"));
        assert!(lk("abc", "a*"));
        assert!(lk("ab", "a**"));
        assert!(!lk("a", "a**"));
        assert!(!lk("", "**"));
        assert!(lk("", "*"));
        assert!(!lk("ba", "*a**"));
        assert!(lk("abc", "**"));
        assert!(lk("Crème", "Cr?me"));
        assert!(lk("100% cotton *towel*", "1*0* co*ton *towel*"));
    }

    #[test]
    fn case_folding_is_ascii_and_latin1_only() {
        let (u, l) = fold_pattern("crème".as_bytes()).unwrap();
        let p = Pattern::Folded { upper: &u, lower: &l };
        assert!(p.equals("CRÈME".as_bytes()));
        let (u, l) = fold_pattern("чашка".as_bytes()).unwrap();
        let p = Pattern::Folded { upper: &u, lower: &l };
        assert!(!p.equals("ЧАШКА".as_bytes()));
        assert!(Pattern::Live("crème".as_bytes()).equals("CRÈME".as_bytes()));
    }

    #[test]
    fn numbers_compare_across_types() {
        assert_eq!(compare(&Val::Int(3), &Val::Double(3.0)), Some(Ordering::Equal));
        assert_eq!(compare(&Val::Double(f64::NAN), &Val::Int(0)), Some(Ordering::Less));
        assert_eq!(compare(&Val::Int(i64::MAX), &Val::Double(9.3e18)), Some(Ordering::Less));
        assert_eq!(compare(&Val::Str(b"a"), &Val::Int(0)), None);
    }
}
