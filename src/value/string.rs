//! realm-core's string operators on UTF-8 byte slices: ordering, `[c]` case folding, the
//! substring operators and LIKE.
//!
//! Everything here works on borrowed bytes and allocates nothing; only [`CaseFold::new`], built
//! once per constant pattern, allocates. Binaries use the same functions (realm-core treats their
//! bytes as UTF-8 text for `[c]` and LIKE).
//!
//! `[c]` is deliberately not Unicode case folding: like realm-core, it maps ASCII `a`–`z` and the
//! Latin-1 letters U+00E0–U+00FE (except `÷`) to U+00C0–U+00DE (except `×`) and nothing else.
//! Both variants of a pattern therefore have the pattern's byte length and differ from it in at
//! most one byte per character, so matching compares byte by byte against either variant.

use std::cmp::Ordering;

use super::CmpOp;

/// Unsigned byte-wise order, a proper prefix first (realm-core's string and binary order).
pub(crate) fn compare_bytes(a: &[u8], b: &[u8]) -> Ordering {
    a.cmp(b)
}

/// Whether realm-core's case mapper accepts the pattern: every lead byte is followed by the
/// continuation bytes its length asks for. (It checks no more than that: overlong forms and
/// surrogates pass.) A rejected pattern matches nothing under `[c]`.
fn case_mappable(pattern: &[u8]) -> bool {
    let mut i = 0;
    while let Some(&b) = pattern.get(i) {
        let len = match b {
            0x00..=0x7f => 1,
            _ if b & 0xe0 == 0xc0 => 2,
            _ if b & 0xf0 == 0xe0 => 3,
            _ if b & 0xf8 == 0xf0 => 4,
            _ => return false,
        };
        let Some(tail) = pattern.get(i + 1..i + len) else { return false };
        if !tail.iter().all(|&c| c & 0xc0 == 0x80) {
            return false;
        }
        i += len;
    }
    true
}

/// The upper- and lower-case variant of the pattern byte at `i`.
fn fold_at(pattern: &[u8], i: usize) -> (u8, u8) {
    let Some(&b) = pattern.get(i) else { return (0, 0) };
    if b.is_ascii_alphabetic() {
        return (b.to_ascii_uppercase(), b.to_ascii_lowercase());
    }
    // Second byte of a two-byte character led by 0xC3 (U+00C0..U+00FF).
    if i > 0 && pattern.get(i - 1) == Some(&0xc3) {
        return match b {
            0x80..=0x9e if b != 0x97 => (b, b + 0x20),
            0xa0..=0xbe if b != 0xb7 => (b - 0x20, b),
            _ => (b, b),
        };
    }
    (b, b)
}

/// Access to the two case variants of a pattern, either precomputed ([`CaseFold`]) or computed
/// byte by byte from the pattern itself ([`Folded`]).
pub(crate) trait Variants {
    /// Byte length of the pattern (and of each variant).
    fn len(&self) -> usize;
    /// Whether the pattern is empty.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Whether realm-core could case-map the pattern; if not, nothing matches it.
    fn valid(&self) -> bool;
    /// Upper and lower variant of the byte at `i` (`i < len`).
    fn at(&self, i: usize) -> (u8, u8);
    /// Whether text byte `t` matches pattern byte `i` under `[c]`.
    fn byte_matches(&self, i: usize, t: u8) -> bool {
        let (u, l) = self.at(i);
        t == u || t == l
    }
}

/// A pattern folded on the fly: no allocation, used when the pattern is not a constant.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Folded<'p> {
    pattern: &'p [u8],
    valid: bool,
}

impl<'p> Folded<'p> {
    /// Views `pattern` for `[c]` matching (one validation pass over it).
    pub(crate) fn new(pattern: &'p [u8]) -> Folded<'p> {
        Folded { pattern, valid: case_mappable(pattern) }
    }
}

impl Variants for Folded<'_> {
    fn len(&self) -> usize {
        self.pattern.len()
    }
    fn valid(&self) -> bool {
        self.valid
    }
    fn at(&self, i: usize) -> (u8, u8) {
        fold_at(self.pattern, i)
    }
}

/// A constant pattern with both case variants precomputed, built once when a query is compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CaseFold {
    upper: Vec<u8>,
    lower: Vec<u8>,
    valid: bool,
}

impl CaseFold {
    /// Precomputes the variants of `pattern`.
    pub(crate) fn new(pattern: &[u8]) -> CaseFold {
        let valid = case_mappable(pattern);
        let (upper, lower) = (0..pattern.len()).map(|i| fold_at(pattern, i)).unzip();
        CaseFold { upper, lower, valid }
    }
}

impl Variants for CaseFold {
    fn len(&self) -> usize {
        self.upper.len()
    }
    fn valid(&self) -> bool {
        self.valid
    }
    fn at(&self, i: usize) -> (u8, u8) {
        (self.upper.get(i).copied().unwrap_or(0), self.lower.get(i).copied().unwrap_or(0))
    }
}

/// Whether `text` equals the pattern under `[c]`.
pub(crate) fn equals_ins<V: Variants + ?Sized>(text: &[u8], pattern: &V) -> bool {
    pattern.valid() && text.len() == pattern.len() && matches_at(text, 0, pattern)
}

/// Whether the pattern matches `text` starting at byte `start` (bounds are the caller's).
fn matches_at<V: Variants + ?Sized>(text: &[u8], start: usize, pattern: &V) -> bool {
    text.get(start..start + pattern.len())
        .is_some_and(|window| window.iter().enumerate().all(|(i, &t)| pattern.byte_matches(i, t)))
}

/// Whether `text` begins with the pattern under `[c]`.
pub(crate) fn begins_with_ins<V: Variants + ?Sized>(text: &[u8], pattern: &V) -> bool {
    pattern.valid() && matches_at(text, 0, pattern)
}

/// Whether `text` ends with the pattern under `[c]`.
pub(crate) fn ends_with_ins<V: Variants + ?Sized>(text: &[u8], pattern: &V) -> bool {
    pattern.valid()
        && text.len() >= pattern.len()
        && matches_at(text, text.len() - pattern.len(), pattern)
}

/// Whether `text` contains the pattern under `[c]`; the empty pattern is in every text.
pub(crate) fn contains_ins<V: Variants + ?Sized>(text: &[u8], pattern: &V) -> bool {
    if pattern.is_empty() {
        return true;
    }
    pattern.valid()
        && text.len() >= pattern.len()
        && (0..=text.len() - pattern.len()).any(|start| matches_at(text, start, pattern))
}

/// Whether `text` contains `pattern` byte for byte; the empty pattern is in every text.
pub(crate) fn contains(text: &[u8], pattern: &[u8]) -> bool {
    match pattern.len() {
        0 => true,
        n if n > text.len() => false,
        _ => text.windows(pattern.len()).any(|w| w == pattern),
    }
}

/// How one pattern byte is matched in LIKE: exactly, or against either case variant.
trait LikeBytes {
    fn len(&self) -> usize;
    fn get(&self, i: usize) -> Option<u8>;
    fn matches(&self, i: usize, t: u8) -> bool;
}

struct Exact<'p>(&'p [u8]);

impl LikeBytes for Exact<'_> {
    fn len(&self) -> usize {
        self.0.len()
    }
    fn get(&self, i: usize) -> Option<u8> {
        self.0.get(i).copied()
    }
    fn matches(&self, i: usize, t: u8) -> bool {
        self.0.get(i) == Some(&t)
    }
}

struct Insensitive<'v, V: ?Sized>(&'v V);

impl<V: Variants + ?Sized> LikeBytes for Insensitive<'_, V> {
    fn len(&self) -> usize {
        self.0.len()
    }
    fn get(&self, i: usize) -> Option<u8> {
        // `*` and `?` are ASCII non-letters, identical in both variants.
        (i < self.0.len()).then(|| self.0.at(i).0)
    }
    fn matches(&self, i: usize, t: u8) -> bool {
        self.0.byte_matches(i, t)
    }
}

/// Byte length of what `?` consumes at `text[i]`: one byte, or a non-ASCII byte plus the
/// continuation bytes after it (realm-core's notion of a character).
fn one_char(text: &[u8], i: usize) -> usize {
    match text.get(i) {
        Some(&b) if b & 0x80 != 0 => {
            1 + text.get(i + 1..).map_or(0, |t| t.iter().take_while(|&&c| c & 0xc0 == 0x80).count())
        }
        _ => 1,
    }
}

/// realm-core's LIKE in O(|text| × |pattern|) time and no allocation.
///
/// realm-core backtracks over every `*` with a stack. Only the most recent `*` needs to be
/// retried: any placement of an earlier star is covered by the later star absorbing more text,
/// because how far the star-free piece after a star reaches grows with where it starts (`?`
/// included). realm-core also abandons a star once a retry ran out of text, which the same
/// monotonicity makes final, so running out of text ends the search here. The one departure from
/// a plain glob is realm-core's end-of-text rule, kept exactly: when the text is used up, the
/// rest of the pattern matches only if it is empty or a single `*`.
fn like_impl<P: LikeBytes>(text: &[u8], pattern: &P) -> bool {
    like_counted(text, pattern, &mut NoCount)
}

/// Counts the matcher's loop iterations, so that a test can hold the bound above to a number;
/// the production instance counts nothing and compiles away.
trait Steps {
    fn step(&mut self);
}

struct NoCount;

impl Steps for NoCount {
    #[inline(always)]
    fn step(&mut self) {}
}

#[cfg(test)]
impl Steps for u64 {
    fn step(&mut self) {
        *self += 1;
    }
}

fn like_counted<P: LikeBytes, S: Steps>(text: &[u8], pattern: &P, steps: &mut S) -> bool {
    let n = text.len();
    let m = pattern.len();
    let mut i = 0; // text position
    let mut j = 0; // pattern position
    let mut star: Option<(usize, usize)> = None; // (text position, pattern position after `*`)
    loop {
        steps.step();
        if i == n {
            if j == m || (j + 1 == m && pattern.get(j) == Some(b'*')) {
                return true;
            }
            return false;
        }
        let advanced = match pattern.get(j) {
            None => false,
            Some(b'*') => {
                star = Some((i, j + 1));
                j += 1;
                continue;
            }
            Some(b'?') => {
                i += one_char(text, i);
                j += 1;
                true
            }
            Some(_) => {
                let ok = text.get(i).is_some_and(|&t| pattern.matches(j, t));
                if ok {
                    i += 1;
                    j += 1;
                }
                ok
            }
        };
        if advanced {
            continue;
        }
        match star.as_mut() {
            None => return false,
            Some((si, sj)) => {
                *si += 1;
                i = *si;
                j = *sj;
            }
        }
    }
}

/// `text LIKE pattern`, case-sensitive: `*` any bytes, `?` one character, no escapes, anchored.
pub(crate) fn like(text: &[u8], pattern: &[u8]) -> bool {
    like_impl(text, &Exact(pattern))
}

/// `text LIKE[c] pattern` with the pattern's case variants.
pub(crate) fn like_ins<V: Variants + ?Sized>(text: &[u8], pattern: &V) -> bool {
    // realm-core matches a pattern it cannot case-map as if it were empty.
    if !pattern.valid() {
        return text.is_empty();
    }
    like_impl(text, &Insensitive(pattern))
}

/// Applies a string operator to two non-null operands; `ci` selects `[c]`. Any other
/// operator is false.
pub(crate) fn apply(op: CmpOp, text: &[u8], pattern: &[u8], ci: bool) -> bool {
    if ci {
        apply_ins(op, text, &Folded::new(pattern))
    } else {
        match op {
            CmpOp::BeginsWith => text.starts_with(pattern),
            CmpOp::EndsWith => text.ends_with(pattern),
            CmpOp::Contains => contains(text, pattern),
            CmpOp::Like => like(text, pattern),
            _ => false,
        }
    }
}

/// Applies a string operator under `[c]` with the pattern's case variants (computed once for
/// a constant pattern). Any other operator is false.
pub(crate) fn apply_ins<V: Variants + ?Sized>(op: CmpOp, text: &[u8], pattern: &V) -> bool {
    match op {
        CmpOp::BeginsWith => begins_with_ins(text, pattern),
        CmpOp::EndsWith => ends_with_ins(text, pattern),
        CmpOp::Contains => contains_ins(text, pattern),
        CmpOp::Like => like_ins(text, pattern),
        _ => false,
    }
}

/// The result of `op` when an operand is null and the haystack is a string property read
/// directly (not through a link or list): a null pattern is matched by every object for
/// BEGINSWITH/ENDSWITH/CONTAINS, a null haystack matches no non-null pattern, and LIKE with a
/// null matches exactly the null haystacks (rql.md §3.7.4). `None` when neither is null.
///
/// For binary properties realm-core differs in one case, `CONTAINS[c] NULL`, which matches only
/// non-null values; pass `binary` to get that.
pub(crate) fn direct_null_rule(
    op: CmpOp,
    text: Option<&[u8]>,
    pattern: Option<&[u8]>,
    ci: bool,
    binary: bool,
) -> Option<bool> {
    match (op, text, pattern) {
        (_, Some(_), Some(_)) => None,
        (CmpOp::Like, t, p) => Some(t.is_none() && p.is_none()),
        (CmpOp::Contains, t, None) if ci && binary => Some(t.is_some()),
        (_, _, None) => Some(true),
        (_, None, Some(_)) => Some(false),
    }
}

/// The result of `op` when an operand is null and the values come through links, lists or
/// `mixed` (realm-core's value-level rules): CONTAINS with a null pattern matches every non-null
/// haystack, LIKE matches when both are null, BEGINSWITH/ENDSWITH never match a null. `None`
/// when neither is null.
#[cfg(test)]
pub(crate) fn value_null_rule(
    op: CmpOp,
    text: Option<&[u8]>,
    pattern: Option<&[u8]>,
) -> Option<bool> {
    match (op, text, pattern) {
        (_, Some(_), Some(_)) => None,
        (CmpOp::Contains, t, None) => Some(t.is_some()),
        (CmpOp::Like, t, p) => Some(t.is_none() && p.is_none()),
        _ => Some(false),
    }
}

#[cfg(test)]
pub(crate) mod reference {
    //! A literal re-implementation of realm-core's backtracking LIKE matcher, used only to check
    //! the fast matcher against it.

    /// `upper`/`lower`: the two variants when matching under `[c]` (same length as `pattern`).
    pub(crate) fn matchlike(text: &[u8], pattern: &[u8], alternate: Option<&[u8]>) -> bool {
        let mut text_pos: Vec<usize> = Vec::new();
        let mut pattern_pos: Vec<usize> = Vec::new();
        let mut p1 = 0usize;
        let mut p2 = 0usize;
        loop {
            if p1 == text.len() {
                if p2 == pattern.len() {
                    return true;
                }
                if p2 + 1 == pattern.len() && pattern[p2] == b'*' {
                    return true;
                }
            } else if p2 < pattern.len() {
                if pattern[p2] == b'*' {
                    p2 += 1;
                    text_pos.push(p1);
                    pattern_pos.push(p2);
                    continue;
                }
                if pattern[p2] == b'?' {
                    if text[p1] & 0x80 == 0 {
                        p1 += 1;
                    } else {
                        let mut p = 1;
                        while p1 + p != text.len() && text[p1 + p] & 0xc0 == 0x80 {
                            p += 1;
                        }
                        p1 += p;
                    }
                    p2 += 1;
                    continue;
                }
                if pattern[p2] == text[p1] || alternate.is_some_and(|a| a[p2] == text[p1]) {
                    p1 += 1;
                    p2 += 1;
                    continue;
                }
            }
            // Mismatch: backtrack.
            if text_pos.is_empty() {
                return false;
            }
            if p1 == text.len() {
                text_pos.pop();
                pattern_pos.pop();
            }
            let (Some(t), Some(&p)) = (text_pos.last_mut(), pattern_pos.last()) else {
                return false;
            };
            *t += 1;
            p1 = *t;
            p2 = p;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Patterns built to make a backtracking matcher explode, in both case modes, with the
    /// number of loop iterations the matcher takes: at most (|text| + 1) × (|pattern| + 2),
    /// where a matcher that retried every star would need exponentially many.
    #[test]
    fn like_steps_are_bounded_by_text_times_pattern() {
        let text = "a".repeat(20_000);
        let cases = [
            (format!("{}b", "*a".repeat(5_000)), false),
            (format!("{}a", "*a".repeat(5_000)), true),
            (format!("{}*", "?*".repeat(5_000)), true),
            ("?".repeat(20_001), false),
            ("*".repeat(10_000), true),
            ("*a*a*a*a*a*a*a*a*a*a*b".to_owned(), false),
        ];
        for (pattern, expected) in cases {
            let bound = (text.len() as u64 + 1) * (pattern.len() as u64 + 2);
            let folded = CaseFold::new(pattern.as_bytes());
            for ci in [false, true] {
                let mut steps = 0_u64;
                let got = if ci {
                    like_counted(text.as_bytes(), &Insensitive(&folded), &mut steps)
                } else {
                    like_counted(text.as_bytes(), &Exact(pattern.as_bytes()), &mut steps)
                };
                let at = format!("{}… ci={ci}", &pattern[..20.min(pattern.len())]);
                assert_eq!(got, expected, "{at}");
                assert!(steps <= bound, "{at}: {steps} steps, bound {bound}");
            }
        }
        // Ten stars over a short text: a backtracking matcher explores C(40, 10) placements;
        // this one stays linear in the text for each star.
        let mut steps = 0_u64;
        let short = "a".repeat(40);
        assert!(!like_counted(short.as_bytes(), &Exact(b"*a*a*a*a*a*a*a*a*a*a*b"), &mut steps));
        assert!(steps <= 41 * 24, "{steps}");
    }

    fn like_ci(text: &str, pattern: &str) -> bool {
        like_ins(text.as_bytes(), &CaseFold::new(pattern.as_bytes()))
    }

    #[test]
    fn trailing_double_star_quirk() {
        assert!(!like(b"a", b"a**"));
        assert!(like(b"ab", b"a**"));
        assert!(!like(b"", b"**"));
        assert!(like(b"", b"*"));
        assert!(like(b"", b""));
        assert!(!like(b"ba", b"*a**"));
        assert!(like(b"abc", b"**"));
    }

    #[test]
    fn question_mark_takes_a_whole_character() {
        assert!(like("Bob".as_bytes(), b"?o?"));
        assert!(like("é".as_bytes(), b"?"));
        assert!(!like("é".as_bytes(), b"??"));
        assert!(like("🦄x".as_bytes(), b"?x"));
    }

    #[test]
    fn case_folding_is_ascii_and_latin1_only() {
        assert!(like_ci("StRiNg_1", "string_*"));
        assert!(equals_ins("É".as_bytes(), &CaseFold::new("é".as_bytes())));
        assert!(equals_ins("unicorn🦄".as_bytes(), &Folded::new("Unicorn🦄".as_bytes())));
        assert!(!equals_ins("Ω".as_bytes(), &Folded::new("ω".as_bytes())));
        assert!(!equals_ins("SS".as_bytes(), &Folded::new("ß".as_bytes())));
        assert!(!equals_ins("×".as_bytes(), &Folded::new("÷".as_bytes())));
        assert!(!equals_ins("ÿ".as_bytes(), &Folded::new("Ÿ".as_bytes())));
        assert!(contains_ins(b"", &Folded::new(b"")));
        assert!(!contains_ins(b"abc", &Folded::new(b"\xff")));
    }

    #[test]
    fn folded_and_precomputed_variants_agree() {
        let p = "aZé×÷ÿ🦄Àþ".as_bytes();
        let f = Folded::new(p);
        let c = CaseFold::new(p);
        for i in 0..p.len() {
            assert_eq!(f.at(i), c.at(i));
        }
    }

    fn alphabet() -> impl Strategy<Value = String> {
        let chars = prop::sample::select(vec!["a", "b", "A", "é", "É", "🦄", "ß"]);
        prop::collection::vec(chars, 0..7).prop_map(|v| v.concat())
    }

    fn pattern() -> impl Strategy<Value = String> {
        let chars = prop::sample::select(vec!["a", "b", "A", "é", "É", "🦄", "*", "?", "*"]);
        prop::collection::vec(chars, 0..7).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]
        #[test]
        fn like_agrees_with_realm_core(text in alphabet(), pat in pattern()) {
            let t = text.as_bytes();
            let p = pat.as_bytes();
            prop_assert_eq!(like(t, p), reference::matchlike(t, p, None), "{:?} LIKE {:?}", text, pat);
            let cf = CaseFold::new(p);
            prop_assert_eq!(
                like_ins(t, &cf),
                reference::matchlike(t, &cf.upper, Some(&cf.lower)),
                "{:?} LIKE[c] {:?}", text, pat
            );
        }

        #[test]
        fn like_agrees_on_arbitrary_bytes(t in prop::collection::vec(prop::sample::select(vec![b'a', 0xc3, 0xa9, 0x80, b'*', b'?']), 0..8),
                                          p in prop::collection::vec(prop::sample::select(vec![b'a', 0xc3, 0xa9, 0x80, b'*', b'?']), 0..8)) {
            prop_assert_eq!(like(&t, &p), reference::matchlike(&t, &p, None));
        }
    }
}
