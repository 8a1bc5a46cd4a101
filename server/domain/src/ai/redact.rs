//! Personal data out before text leaves the machine: e-mail addresses, phone numbers,
//! card-like numbers (Luhn-checked) and the names in obvious contact lines ("Reviewed
//! by Jane Miller", "Contact: Tom Baker"). Each becomes a labelled placeholder.
use std::sync::LazyLock;

use regex::Regex;

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}\b").expect("email pattern")
});
/// 13–19 digits, optionally split by spaces or dashes.
static CARD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(?:\d[ -]?){12,18}\d\b").expect("card pattern"));
/// International or North-American style numbers with at least 9 digits.
static PHONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)\s?|\b\d{2,4}[\s.-]?)\d{3,4}[\s.-]?\d{3,4}\b")
        .expect("phone pattern")
});
/// A person's name after a contact cue.
static CONTACT_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i:\b(?:reviewed by|written by|posted by|contact|contact person|name|author|by|call|ask for|email|e-mail)\s*:?\s+)(\p{Lu}\p{Ll}+(?:\s+\p{Lu}\.)?\s+\p{Lu}[\p{Ll}'-]+)",
    )
    .expect("name pattern")
});

fn luhn(digits: &str) -> bool {
    let ds: Vec<u32> = digits.chars().filter_map(|c| c.to_digit(10)).collect();
    if !(13..=19).contains(&ds.len()) {
        return false;
    }
    let sum: u32 = ds
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| {
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                *d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// `text` with personal data replaced by `[email]`, `[phone]`, `[card number]` and
/// `[name]`.
pub fn redact(text: &str) -> String {
    let text = EMAIL.replace_all(text, "[email]");
    let text = CARD.replace_all(&text, |c: &regex::Captures| {
        if luhn(&c[0]) {
            "[card number]".to_string()
        } else {
            c[0].to_string()
        }
    });
    let text = PHONE.replace_all(&text, |c: &regex::Captures| {
        let digits = c[0].chars().filter(char::is_ascii_digit).count();
        // Prices and years are short; a phone number has 9 to 15 digits.
        if (9..=15).contains(&digits) {
            "[phone]".to_string()
        } else {
            c[0].to_string()
        }
    });
    CONTACT_NAME
        .replace_all(&text, |c: &regex::Captures| {
            let whole = &c[0];
            let name = &c[1];
            format!("{}[name]", &whole[..whole.len() - name.len()])
        })
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn personal_data_is_replaced_and_facts_are_kept() {
        let text = "Reviewed by Jane Miller, Sales Director. Email: jane.miller@example.com\n\
                    Call +1 (415) 555-0134 or 020 7946 0958. Card 4111 1111 1111 1111 on file.\n\
                    The Pro plan costs $65 per user per month; 12,000 companies; order 1234567890123.";
        let out = redact(text);
        for gone in [
            "Jane Miller",
            "jane.miller@example.com",
            "555-0134",
            "7946 0958",
            "4111 1111",
        ] {
            assert!(!out.contains(gone), "{gone} survived: {out}");
        }
        assert!(out.contains("Reviewed by [name]"), "{out}");
        assert!(
            out.contains("[email]") && out.contains("[phone]") && out.contains("[card number]")
        );
        for kept in [
            "$65 per user per month",
            "12,000 companies",
            "1234567890123",
        ] {
            assert!(out.contains(kept), "{kept} was lost: {out}");
        }
    }
}
