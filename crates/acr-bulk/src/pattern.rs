//! Name patterns: globs for repositories and tags (`*` within one path segment, `**` across
//! segments, `?` one character), and regular expressions as an option for tags. A pattern always
//! matches the whole name.

use std::fmt;

/// A pattern that cannot be used, with the reason in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError {
    /// The pattern as typed.
    pub pattern: String,
    /// Why it cannot be used.
    pub reason: String,
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "'{}' cannot be used: {}", self.pattern, self.reason)
    }
}

impl std::error::Error for PatternError {}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    /// A character to match exactly.
    Char(char),
    /// `?`: any one character except `/`.
    One,
    /// `*`: any run of characters without `/`.
    Segment,
    /// `**`: any run of characters, `/` included.
    Any,
}

/// A glob: `*` matches within one path segment, `**` across segments (`prod/**` matches
/// `prod/api` and `prod/payments/api`), `?` one character. Every other character matches
/// itself; matching is case-sensitive, as registry names are lowercase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glob {
    text: String,
    parts: Vec<Part>,
}

impl Glob {
    /// Reads a glob; an empty one is refused.
    pub fn new(text: &str) -> Result<Self, PatternError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(PatternError { pattern: text.into(), reason: "it is empty".into() });
        }
        let mut parts = Vec::with_capacity(text.len());
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            parts.push(match c {
                '*' if chars.peek() == Some(&'*') => {
                    chars.next();
                    while chars.peek() == Some(&'*') {
                        chars.next();
                    }
                    Part::Any
                }
                '*' => Part::Segment,
                '?' => Part::One,
                c => Part::Char(c),
            });
        }
        // `a/**/b` also matches `a/b`: the `**` segment may be empty.
        Ok(Self { text: text.to_owned(), parts })
    }

    /// The glob as typed.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// True when the glob has no wildcard (it names one thing).
    pub fn is_literal(&self) -> bool {
        self.parts.iter().all(|p| matches!(p, Part::Char(_)))
    }

    /// True when `name` matches the whole glob.
    pub fn matches(&self, name: &str) -> bool {
        let name: Vec<char> = name.chars().collect();
        // reach[j]: the parts so far can consume exactly name[..j].
        let mut reach = vec![false; name.len() + 1];
        reach[0] = true;
        let mut i = 0;
        while i < self.parts.len() {
            let part = &self.parts[i];
            // `a/**/b`: the `**/` may match nothing at all.
            let skip_slash = *part == Part::Any && self.parts.get(i + 1) == Some(&Part::Char('/'));
            let mut next = vec![false; name.len() + 1];
            match part {
                Part::Char(c) => {
                    for j in 0..name.len() {
                        next[j + 1] = reach[j] && name[j] == *c;
                    }
                }
                Part::One => {
                    for j in 0..name.len() {
                        next[j + 1] = reach[j] && name[j] != '/';
                    }
                }
                Part::Segment | Part::Any => {
                    let any = *part == Part::Any;
                    let mut on = false;
                    for j in 0..=name.len() {
                        on = reach[j] || (on && j > 0 && (any || name[j - 1] != '/'));
                        next[j] = on;
                    }
                }
            }
            if skip_slash {
                // Either `**` then `/`, or neither.
                let mut after_slash = vec![false; name.len() + 1];
                for j in 0..name.len() {
                    after_slash[j + 1] = next[j] && name[j] == '/';
                }
                for (j, r) in after_slash.iter_mut().enumerate() {
                    *r = *r || reach[j];
                }
                reach = after_slash;
                i += 2;
                continue;
            }
            reach = next;
            i += 1;
        }
        reach[name.len()]
    }
}

/// How a tag pattern is read.
#[derive(Debug, Clone)]
pub enum NamePattern {
    /// A glob ([`Glob`]).
    Glob(Glob),
    /// A regular expression that must match the whole name.
    Regex {
        /// As typed.
        text: String,
        /// Compiled, anchored at both ends.
        regex: regex_lite::Regex,
    },
}

impl PartialEq for NamePattern {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str() && self.is_regex() == other.is_regex()
    }
}

impl NamePattern {
    /// A glob pattern.
    pub fn glob(text: &str) -> Result<Self, PatternError> {
        Glob::new(text).map(Self::Glob)
    }

    /// A regular expression (whole-name match).
    pub fn regex(text: &str) -> Result<Self, PatternError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(PatternError { pattern: text.into(), reason: "it is empty".into() });
        }
        let regex = regex_lite::Regex::new(&format!("^(?:{text})$")).map_err(|e| PatternError {
            pattern: text.into(),
            reason: format!(
                "it is not a valid regular expression ({})",
                e.to_string().lines().last().unwrap_or("").trim()
            ),
        })?;
        Ok(Self::Regex { text: text.to_owned(), regex })
    }

    /// The pattern as typed.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Glob(g) => g.as_str(),
            Self::Regex { text, .. } => text,
        }
    }

    /// True for a regular expression.
    pub fn is_regex(&self) -> bool {
        matches!(self, Self::Regex { .. })
    }

    /// True when `name` matches the whole pattern.
    pub fn matches(&self, name: &str) -> bool {
        match self {
            Self::Glob(g) => g.matches(name),
            Self::Regex { regex, .. } => regex.is_match(name),
        }
    }
}

/// Splits a list of patterns typed in one box (commas, spaces or new lines between them).
pub fn split_list(text: &str) -> Vec<&str> {
    text.split(|c: char| c == ',' || c.is_whitespace()).filter(|s| !s.is_empty()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(p: &str, name: &str) -> bool {
        Glob::new(p).unwrap().matches(name)
    }

    #[test]
    fn a_single_star_stays_within_a_segment() {
        assert!(g("prod/*", "prod/api"));
        assert!(!g("prod/*", "prod/payments/api"));
        assert!(!g("prod/*", "prod"));
        assert!(g("*", "api"));
        assert!(!g("*", "prod/api"));
        assert!(g("prod/*/api", "prod/payments/api"));
        assert!(g("1.*", "1.4.2"));
        assert!(!g("1.*", "2.0"));
        assert!(g("*-dev", "1.0-dev"));
        assert!(!g("*-dev", "1.0-dev1"));
    }

    #[test]
    fn a_double_star_crosses_segments_and_may_be_empty() {
        assert!(g("prod/**", "prod/api"));
        assert!(g("prod/**", "prod/payments/api"));
        assert!(!g("prod/**", "production/api"));
        assert!(!g("prod/**", "staging/prod/api"));
        assert!(g("**", "a/b/c"));
        assert!(g("**/api", "prod/payments/api"));
        assert!(g("**/api", "api"), "'**/' may match nothing");
        assert!(g("prod/**/api", "prod/api"));
        assert!(g("prod/**/api", "prod/a/b/api"));
        assert!(!g("prod/**/api", "prod/apix"));
    }

    #[test]
    fn question_marks_and_literals() {
        assert!(g("v?", "v1"));
        assert!(!g("v?", "v10"));
        assert!(!g("a?b", "a/b"));
        assert!(g("latest", "latest"));
        assert!(!g("latest", "latest2"));
        assert!(Glob::new("latest").unwrap().is_literal());
        assert!(!Glob::new("v*").unwrap().is_literal());
        assert!(Glob::new("  ").is_err());
    }

    #[test]
    fn regular_expressions_match_the_whole_name() {
        let r = NamePattern::regex(r"v\d+\.\d+\.\d+").unwrap();
        assert!(r.matches("v1.4.2"));
        assert!(!r.matches("v1.4.2-rc1"), "anchored at the end");
        assert!(!r.matches("xv1.4.2"), "anchored at the start");
        let alt = NamePattern::regex("1|2").unwrap();
        assert!(alt.matches("2") && !alt.matches("12"), "alternation stays inside the anchors");
        let e = NamePattern::regex("v(").unwrap_err();
        assert!(e.to_string().contains("not a valid regular expression"), "{e}");
    }

    #[test]
    fn lists_split_on_commas_and_spaces() {
        assert_eq!(split_list("latest, *-dev\n nightly"), ["latest", "*-dev", "nightly"]);
        assert!(split_list(" , ").is_empty());
    }
}
