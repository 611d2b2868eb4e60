//! The sign-up rules. Each refusal carries a stable reason and a message naming the field,
//! which the gateway shows the player as is.

use anb_proto::auth::v1::SignUpRequest;
use secrecy::SecretString;

/// Longest accepted name, city or country, in characters.
pub const MAX_TEXT_CHARS: usize = 100;
/// Longest accepted email address (the SMTP path limit).
pub const MAX_EMAIL_CHARS: usize = 254;
/// Shortest accepted password, in characters.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Longest accepted password; bounds the hashing work a request can ask for.
pub const MAX_PASSWORD_CHARS: usize = 128;

const MAX_LOCAL_PART_CHARS: usize = 64;
const MAX_LABEL_CHARS: usize = 63;

/// Why a sign-up field was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Stable snake_case reason, e.g. `weak_password`.
    pub reason: &'static str,
    /// Human message naming the field.
    pub message: String,
}

impl Violation {
    fn new(reason: &'static str, message: String) -> Self {
        Self { reason, message }
    }
}

/// A sign-up that passed every rule, with text fields trimmed.
#[derive(Debug)]
pub struct NewAccount {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub email_normalized: String,
    pub password: SecretString,
    pub city: String,
    pub country: String,
}

/// Checks the fields in form order and reports the first violation.
///
/// # Errors
/// The [`Violation`] of the first field that breaks a rule.
pub fn validate_sign_up(request: SignUpRequest) -> Result<NewAccount, Violation> {
    let first_name = text_field("first_name", &request.first_name)?;
    let last_name = text_field("last_name", &request.last_name)?;
    let email = email_field(&request.email)?;
    password_field(&request.password1)?;
    if request.password2.is_empty() {
        return Err(missing("password2"));
    }
    if request.password2 != request.password1 {
        return Err(Violation::new(
            "passwords_mismatch",
            "password2 must be the same as password1".to_owned(),
        ));
    }
    let city = text_field("city", &request.city)?;
    let country = text_field("country", &request.country)?;

    Ok(NewAccount {
        first_name,
        last_name,
        email_normalized: normalize_email(&email),
        email,
        password: SecretString::from(request.password1),
        city,
        country,
    })
}

/// The form of an email address that identifies an account: trimmed and lowercased.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_ascii_lowercase()
}

fn missing(field: &str) -> Violation {
    Violation::new("missing_field", format!("{field} is required"))
}

fn text_field(field: &str, value: &str) -> Result<String, Violation> {
    let value = value.trim();
    if value.is_empty() {
        return Err(missing(field));
    }
    if value.chars().count() > MAX_TEXT_CHARS {
        return Err(Violation::new(
            "field_too_long",
            format!("{field} must be at most {MAX_TEXT_CHARS} characters"),
        ));
    }
    // Names are shown to other players; control characters would garble the page.
    if value.chars().any(char::is_control) {
        return Err(Violation::new(
            "invalid_characters",
            format!("{field} must not contain control characters"),
        ));
    }
    Ok(value.to_owned())
}

fn email_field(value: &str) -> Result<String, Violation> {
    let value = value.trim();
    if value.is_empty() {
        return Err(missing("email"));
    }
    if value.chars().count() > MAX_EMAIL_CHARS {
        return Err(Violation::new(
            "field_too_long",
            format!("email must be at most {MAX_EMAIL_CHARS} characters"),
        ));
    }
    if !is_valid_email(value) {
        return Err(Violation::new(
            "invalid_email",
            "email is not a valid address".to_owned(),
        ));
    }
    Ok(value.to_owned())
}

fn password_field(password: &str) -> Result<(), Violation> {
    if password.is_empty() {
        return Err(missing("password1"));
    }
    let length = password.chars().count();
    if length > MAX_PASSWORD_CHARS {
        return Err(Violation::new(
            "field_too_long",
            format!("password1 must be at most {MAX_PASSWORD_CHARS} characters"),
        ));
    }
    let strong = length >= MIN_PASSWORD_CHARS
        && password.chars().any(char::is_lowercase)
        && password.chars().any(char::is_uppercase)
        && password.chars().any(|c| c.is_ascii_digit());
    if !strong {
        return Err(Violation::new(
            "weak_password",
            format!(
                "password1 must have at least {MIN_PASSWORD_CHARS} characters, including a \
                 lowercase letter, an uppercase letter and a digit"
            ),
        ));
    }
    Ok(())
}

/// A practical subset of RFC 5321 addresses: ASCII dot-atom local part and a DNS host name
/// with at least two labels. Quoted local parts and IP literals are refused on purpose.
fn is_valid_email(address: &str) -> bool {
    let Some((local, domain)) = address.split_once('@') else {
        return false;
    };
    is_valid_local_part(local) && is_valid_domain(domain)
}

fn is_valid_local_part(local: &str) -> bool {
    const SPECIALS: &str = "!#$%&'*+/=?^_`{|}~-";
    !local.is_empty()
        && local.len() <= MAX_LOCAL_PART_CHARS
        && local.split('.').all(|atom| {
            !atom.is_empty()
                && atom
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || SPECIALS.contains(c))
        })
}

fn is_valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    let top_level_is_name = labels
        .last()
        .is_some_and(|tld| tld.len() >= 2 && tld.chars().any(|c| c.is_ascii_alphabetic()));
    labels.len() >= 2
        && top_level_is_name
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= MAX_LABEL_CHARS
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::*;

    /// Edits a valid request so that it breaks one rule.
    type BreakRule = fn(&mut SignUpRequest);

    fn valid_request() -> SignUpRequest {
        SignUpRequest {
            first_name: " Ana ".to_owned(),
            last_name: "Pérez".to_owned(),
            email: " Ana.Perez+hoops@Example.COM ".to_owned(),
            password1: "StrongPass123".to_owned(),
            password2: "StrongPass123".to_owned(),
            city: "Bogotá".to_owned(),
            country: "Colombia".to_owned(),
        }
    }

    fn reason_of(request: SignUpRequest) -> &'static str {
        validate_sign_up(request)
            .expect_err("request breaks a rule")
            .reason
    }

    #[test]
    fn valid_sign_up_is_trimmed_and_keeps_the_typed_email_case() {
        let account = validate_sign_up(valid_request()).expect("request is valid");

        assert_eq!(account.first_name, "Ana");
        assert_eq!(account.email, "Ana.Perez+hoops@Example.COM");
        assert_eq!(account.email_normalized, "ana.perez+hoops@example.com");
        assert_eq!(account.password.expose_secret(), "StrongPass123");
    }

    #[test]
    fn each_broken_rule_has_its_reason() {
        let cases: Vec<(&str, BreakRule)> = vec![
            ("missing_field", |r| r.first_name = "  ".to_owned()),
            ("missing_field", |r| r.city = String::new()),
            ("missing_field", |r| r.password2 = String::new()),
            ("field_too_long", |r| r.last_name = "x".repeat(101)),
            ("field_too_long", |r| r.country = "y".repeat(101)),
            ("invalid_characters", |r| {
                r.first_name = "Ana\u{7}".to_owned()
            }),
            ("invalid_email", |r| r.email = "ana.example.com".to_owned()),
            ("field_too_long", |r| {
                r.email = format!("{}@example.com", "a".repeat(243))
            }),
            ("weak_password", |r| r.password1 = "Short1a".to_owned()),
            ("weak_password", |r| {
                r.password1 = "alllowercase123".to_owned()
            }),
            ("weak_password", |r| {
                r.password1 = "ALLUPPERCASE123".to_owned()
            }),
            ("weak_password", |r| r.password1 = "NoDigitsHere".to_owned()),
            ("field_too_long", |r| {
                r.password1 = format!("Aa1{}", "x".repeat(126))
            }),
            ("passwords_mismatch", |r| {
                r.password2 = "StrongPass124".to_owned()
            }),
        ];

        for (expected, breaker) in cases {
            let mut request = valid_request();
            breaker(&mut request);
            assert_eq!(reason_of(request.clone()), expected, "{request:?}");
        }
    }

    #[test]
    fn limits_are_inclusive() {
        let mut request = valid_request();
        request.first_name = "n".repeat(MAX_TEXT_CHARS);
        request.password1 = format!("Aa1{}", "x".repeat(MAX_PASSWORD_CHARS - 3));
        request.password2 = request.password1.clone();
        request.email = format!(
            "{}@{}.{}.com",
            "a".repeat(64),
            "b".repeat(63),
            "c".repeat(63)
        );

        assert!(validate_sign_up(request).is_ok());
    }

    #[test]
    fn email_syntax_accepts_common_addresses_and_refuses_malformed_ones() {
        for good in [
            "a@b.co",
            "first.last@sub.example.org",
            "x_y-z+tag@my-host.io",
        ] {
            assert!(is_valid_email(good), "{good}");
        }
        for bad in [
            "@example.com",
            "ana@",
            "ana@localhost",
            "ana@@example.com",
            "ana@exa mple.com",
            ".ana@example.com",
            "ana..perez@example.com",
            "ana@-example.com",
            "ana@example.c",
            "ana@127.0.0.1",
            "ana@example..com",
            "añа@example.com",
        ] {
            assert!(!is_valid_email(bad), "{bad}");
        }
    }
}
