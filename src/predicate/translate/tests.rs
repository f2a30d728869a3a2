use super::*;

#[test]
fn fold_covers_ascii_and_latin1_letters_only() {
    assert_eq!(fold('a'), Some(('a', 'A')));
    assert_eq!(fold('Z'), Some(('z', 'Z')));
    assert_eq!(fold('é'), Some(('é', 'É')));
    assert_eq!(fold('Þ'), Some(('þ', 'Þ')));
    for ch in ['×', '÷', 'ß', 'ÿ', 'σ', '1', '_'] {
        assert_eq!(fold(ch), None, "{ch}");
    }
}

#[test]
fn escaped_patterns_match_themselves_literally() {
    let text = r"a.b*c+d?e(f)g[h]i{j}k^l$m|n\o";
    let mut re = String::from("^");
    for ch in text.chars() {
        push_char(&mut re, ch, false);
    }
    re.push_str("\\z");
    let compiled = regex::Regex::new(&re).unwrap();
    assert!(compiled.is_match(text));
    assert!(!compiled.is_match("aXb*c+d?e(f)g[h]i{j}k^l$m|n\\o"));
}

#[test]
fn constants_fold_in_logical_operators() {
    assert_eq!(F::and(vec![F::True, F::True]), F::True);
    assert_eq!(F::or(vec![F::False, F::True]), F::True);
    assert_eq!(F::nor(vec![F::False]), F::True);
    assert_eq!(F::False.into_document(), bson::doc! {"$nor": [{}]});
}
