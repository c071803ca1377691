//! Repairs the commonest mojibake: UTF-8 text that was decoded as Windows-1252 (or Latin-1) and
//! encoded as UTF-8 again, so that `—` reads `â€”` and 🔴 reads `ðŸ”´`.
//!
//! The repair is all-or-nothing: every character of the document must map back to one byte and
//! those bytes must form valid UTF-8. Text that is merely non-ASCII (`café`, `naïve`) fails
//! that round trip and is left exactly as it was.

use std::borrow::Cow;

/// Windows-1252's printable characters in 0x80..=0x9F, indexed by `byte - 0x80`. The five
/// undefined bytes (0x81, 0x8D, 0x8F, 0x90, 0x9D) are `None`: decoders pass them through as
/// the C1 control characters of the same value, which [`to_byte`] also accepts.
const CP1252_HIGH: [Option<char>; 32] = [
    Some('€'),
    None,
    Some('‚'),
    Some('ƒ'),
    Some('„'),
    Some('…'),
    Some('†'),
    Some('‡'),
    Some('ˆ'),
    Some('‰'),
    Some('Š'),
    Some('‹'),
    Some('Œ'),
    None,
    Some('Ž'),
    None,
    None,
    Some('‘'),
    Some('’'),
    Some('“'),
    Some('”'),
    Some('•'),
    Some('–'),
    Some('—'),
    Some('˜'),
    Some('™'),
    Some('š'),
    Some('›'),
    Some('œ'),
    None,
    Some('ž'),
    Some('Ÿ'),
];

/// The Windows-1252 byte a character came from, if it is one.
fn to_byte(c: char) -> Option<u8> {
    let code = c as u32;
    if code < 0x80 || (0xA0..=0xFF).contains(&code) || (0x80..=0x9F).contains(&code) {
        return Some(code as u8);
    }
    CP1252_HIGH
        .iter()
        .position(|m| *m == Some(c))
        .map(|i| 0x80 + i as u8)
}

/// The repaired text when the whole document round-trips through Windows-1252 into valid,
/// different UTF-8; otherwise the input unchanged.
pub fn repair(text: &str) -> Cow<'_, str> {
    if text.is_ascii() {
        return Cow::Borrowed(text);
    }
    let mut bytes = Vec::with_capacity(text.len());
    for c in text.chars() {
        match to_byte(c) {
            Some(b) => bytes.push(b),
            None => return Cow::Borrowed(text),
        }
    }
    match String::from_utf8(bytes) {
        Ok(fixed) if fixed != text => Cow::Owned(fixed),
        _ => Cow::Borrowed(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str = include_str!("../../tests/fixtures/gaps.md");

    #[test]
    fn seed_registry_dashes_and_emoji_are_restored() {
        let fixed = repair(SEED);
        assert!(matches!(fixed, Cow::Owned(_)), "seed should need repair");
        assert!(fixed.starts_with("# gaps.md — Action Items Registry"));
        assert!(fixed.contains("| **Priority** | 🔴 Critical |"));
        assert!(fixed.contains("🟡 High"));
        assert!(fixed.contains("🟢 Normal"));
        assert!(!fixed.contains('â') && !fixed.contains('ð'));
        // Everything else is byte-for-byte the same.
        assert_eq!(fixed.lines().count(), SEED.lines().count());
    }

    #[test]
    fn correct_utf8_is_left_alone() {
        let good = "# gaps.md — registry 🔴 café";
        assert!(matches!(repair(good), Cow::Borrowed(_)));
        assert_eq!(repair(good), good);
    }

    #[test]
    fn latin1_text_that_is_not_mojibake_is_left_alone() {
        // "café" as Latin-1 bytes is not valid UTF-8, so nothing changes.
        assert_eq!(repair("café naïve"), "café naïve");
    }

    #[test]
    fn mixed_document_is_not_half_repaired() {
        // One genuine emoji (outside Windows-1252) makes the round trip impossible: leave all.
        let mixed = "â€” and a real 🔴";
        assert_eq!(repair(mixed), mixed);
    }

    #[test]
    fn ascii_is_borrowed() {
        assert!(matches!(repair("plain"), Cow::Borrowed("plain")));
    }
}
