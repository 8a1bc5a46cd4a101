//! Turning what people type into a competitor's fields, or saying what is wrong.
use crate::error::{FieldErrors, Result};
use crate::types::competitor_limits as limits;
use crate::types::CompetitorInput;

/// A competitor's fields after validation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fields {
    pub name: String,
    /// Lower-cased name: unique across competitors.
    pub name_key: String,
    pub website: String,
    pub description: String,
    pub tags: Vec<String>,
    pub keywords: Vec<String>,
}

pub fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

pub fn parse(input: &CompetitorInput) -> Result<Fields> {
    let mut errors = FieldErrors::default();
    let name = collapse_spaces(&input.name);
    if name.is_empty() {
        errors.add("name", "Enter the competitor's name.");
    } else if name.chars().count() > limits::NAME_MAX {
        errors.add(
            "name",
            format!("Keep the name under {} characters.", limits::NAME_MAX + 1),
        );
    }
    let website = match parse_website(&input.website) {
        Ok(w) => w,
        Err(m) => {
            errors.add("website", m);
            String::new()
        }
    };
    let description = input.description.trim().replace("\r\n", "\n");
    if description.chars().count() > limits::DESCRIPTION_MAX {
        errors.add(
            "description",
            format!(
                "Keep the description under {} characters.",
                limits::DESCRIPTION_MAX + 1
            ),
        );
    }
    let tags = split_list(&input.tags, &[',']);
    if tags.len() > limits::TAGS_MAX {
        errors.add("tags", format!("Use at most {} tags.", limits::TAGS_MAX));
    } else if let Some(t) = tags.iter().find(|t| t.chars().count() > limits::TAG_MAX) {
        errors.add(
            "tags",
            format!(
                "The tag “{}…” is too long; keep tags under {} characters.",
                short(t),
                limits::TAG_MAX + 1
            ),
        );
    }
    let keywords = split_list(&input.keywords, &[',', '\n']);
    if keywords.len() > limits::KEYWORDS_MAX {
        errors.add(
            "keywords",
            format!("Use at most {} keywords.", limits::KEYWORDS_MAX),
        );
    } else if let Some(k) = keywords
        .iter()
        .find(|k| k.chars().count() > limits::KEYWORD_MAX)
    {
        errors.add(
            "keywords",
            format!(
                "The keyword “{}…” is too long; keep keywords under {} characters.",
                short(k),
                limits::KEYWORD_MAX + 1
            ),
        );
    }
    errors.finish()?;
    Ok(Fields {
        name_key: name_key(&name),
        name,
        website,
        description,
        tags,
        keywords,
    })
}

fn short(text: &str) -> String {
    text.chars().take(20).collect()
}

fn collapse_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A list typed with separators: trimmed, empty entries dropped, duplicates (ignoring
/// case) dropped, order kept. Tags are lower-cased so filters match.
fn split_list(text: &str, separators: &[char]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in text.split(|c| separators.contains(&c)) {
        let item = collapse_spaces(item);
        if !item.is_empty() && !out.iter().any(|o| o.to_lowercase() == item.to_lowercase()) {
            out.push(item);
        }
    }
    out
}

/// An http(s) address; a bare domain gets `https://`. Empty is allowed.
pub fn parse_website(text: &str) -> std::result::Result<String, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(String::new());
    }
    if text.chars().count() > limits::WEBSITE_MAX {
        return Err("That address is too long.".into());
    }
    let with_scheme = if text.contains("://") {
        text.to_string()
    } else {
        format!("https://{text}")
    };
    let url = url::Url::parse(&with_scheme)
        .map_err(|_| "Enter a web address like https://example.com.".to_string())?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("Use an http:// or https:// address.".into());
    }
    match url.host() {
        Some(url::Host::Domain(host)) if host.contains('.') || host == "localhost" => {}
        Some(url::Host::Ipv4(_) | url::Host::Ipv6(_)) => {}
        _ => return Err("Enter a web address like https://example.com.".into()),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("Leave user names and passwords out of the address.".into());
    }
    Ok(url.to_string())
}

/// Tags stored lower-case.
pub fn tag_key(tag: &str) -> String {
    tag.to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn websites_are_normalised_or_refused() {
        assert_eq!(parse_website("acme.com").unwrap(), "https://acme.com/");
        assert_eq!(
            parse_website(" https://acme.com/pricing ").unwrap(),
            "https://acme.com/pricing"
        );
        assert!(parse_website("javascript:alert(1)").is_err());
        assert!(parse_website("ftp://acme.com").is_err());
        assert!(parse_website("not a url").is_err());
        assert!(parse_website("https://user:pw@acme.com").is_err());
        assert_eq!(parse_website("").unwrap(), "");
    }

    #[test]
    fn lists_are_trimmed_and_deduplicated() {
        let input = CompetitorInput {
            name: "  Acme   Corp ".into(),
            tags: "Enterprise, CRM,,enterprise , ".into(),
            keywords: "acme pricing\nacme outage, Acme Pricing".into(),
            ..Default::default()
        };
        let f = parse(&input).unwrap();
        assert_eq!(f.name, "Acme Corp");
        assert_eq!(f.name_key, "acme corp");
        assert_eq!(f.tags, vec!["Enterprise", "CRM"]);
        assert_eq!(f.keywords, vec!["acme pricing", "acme outage"]);
    }

    #[test]
    fn every_problem_is_reported() {
        let input = CompetitorInput {
            name: "x".repeat(101),
            website: "javascript:alert(1)".into(),
            tags: (0..25)
                .map(|i| format!("t{i}"))
                .collect::<Vec<_>>()
                .join(","),
            ..Default::default()
        };
        let Err(crate::Error::Validation(errors)) = parse(&input) else {
            panic!("expected validation errors")
        };
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["name", "website", "tags"]);
    }
}
