use anb_auth::db::user;
use anb_grpc::reason_of;
use anb_proto::auth::v1::SignUpRequest;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use tonic::Code;

use crate::harness::{PASSWORD, sign_up_request, start_fresh, unique_email};

/// Edits a valid request so that it breaks one rule.
type BreakRule = fn(&mut SignUpRequest);

#[tokio::test]
async fn sign_up_returns_the_trimmed_user_with_the_email_as_typed() {
    let mut auth = start_fresh().await;
    let mut request = sign_up_request("  Ana.Perez@Example.COM ");
    request.first_name = "  Ana ".to_owned();

    let user = auth
        .client
        .sign_up(request)
        .await
        .expect("sign-up succeeds")
        .into_inner()
        .user;

    let user = user.expect("the created user is returned");
    assert_eq!(user.first_name, "Ana");
    assert_eq!(user.last_name, "Pérez");
    assert_eq!(user.email, "Ana.Perez@Example.COM");
    assert_eq!(
        (user.city.as_str(), user.country.as_str()),
        ("Bogotá", "Colombia")
    );
    let id = uuid::Uuid::parse_str(&user.user_id).expect("user_id is a UUID");
    assert_eq!(id.get_version_num(), 7);
    assert!(user.created_at.ends_with('Z'), "{}", user.created_at);
    auth.finish().await;
}

#[tokio::test]
async fn sign_up_with_an_email_taken_in_another_case_is_already_exists() {
    let mut auth = start_fresh().await;
    auth.sign_up("Taken@Example.com").await;

    let status = auth
        .client
        .sign_up(sign_up_request(" tAKEN@example.COM"))
        .await
        .expect_err("the email is taken");

    assert_eq!(status.code(), Code::AlreadyExists);
    assert_eq!(reason_of(&status), Some("duplicate_email"));
    auth.finish().await;
}

#[tokio::test]
async fn each_validation_rule_is_invalid_argument_with_its_reason() {
    let mut auth = start_fresh().await;
    let cases: Vec<(&str, BreakRule)> = vec![
        ("missing_field", |r| r.first_name = " ".to_owned()),
        ("missing_field", |r| r.last_name = String::new()),
        ("missing_field", |r| r.email = String::new()),
        ("missing_field", |r| r.password1 = String::new()),
        ("missing_field", |r| r.password2 = String::new()),
        ("missing_field", |r| r.city = String::new()),
        ("missing_field", |r| r.country = "\t".to_owned()),
        ("field_too_long", |r| r.first_name = "a".repeat(101)),
        ("field_too_long", |r| r.city = "c".repeat(101)),
        ("field_too_long", |r| {
            r.email = format!("{}@example.com", "e".repeat(243))
        }),
        ("field_too_long", |r| {
            r.password1 = format!("Aa1{}", "p".repeat(126));
            r.password2 = r.password1.clone();
        }),
        ("invalid_characters", |r| r.last_name = "Pé\nrez".to_owned()),
        ("invalid_email", |r| r.email = "ana@".to_owned()),
        ("invalid_email", |r| {
            r.email = "ana at example.com".to_owned()
        }),
        ("weak_password", |r| {
            r.password1 = "Sh0rt".to_owned();
            r.password2 = r.password1.clone();
        }),
        ("weak_password", |r| {
            r.password1 = "nouppercase123".to_owned();
            r.password2 = r.password1.clone();
        }),
        ("weak_password", |r| {
            r.password1 = "NOLOWERCASE123".to_owned();
            r.password2 = r.password1.clone();
        }),
        ("weak_password", |r| {
            r.password1 = "NoDigitsAtAll".to_owned();
            r.password2 = r.password1.clone();
        }),
        ("passwords_mismatch", |r| {
            r.password2 = "StrongPass124".to_owned()
        }),
    ];

    for (expected, break_rule) in cases {
        let mut request = sign_up_request(&unique_email());
        break_rule(&mut request);

        let status = auth
            .client
            .sign_up(request)
            .await
            .expect_err("a rule is broken");

        assert_eq!(
            status.code(),
            Code::InvalidArgument,
            "{expected}: {status:?}"
        );
        assert_eq!(reason_of(&status), Some(expected), "{status:?}");
    }
    let accounts = user::Entity::find()
        .count(&auth.db)
        .await
        .expect("count users");
    assert_eq!(accounts, 0);
    auth.finish().await;
}

#[tokio::test]
async fn concurrent_sign_ups_with_one_email_create_exactly_one_account() {
    let auth = start_fresh().await;
    let emails = [
        "race@example.com",
        "RACE@example.com",
        "Race@Example.com",
        "race@EXAMPLE.COM",
    ];

    let attempts = emails.iter().cycle().take(8).map(|email| {
        let mut client = auth.client.clone();
        let request = sign_up_request(email);
        async move { client.sign_up(request).await }
    });
    let results = futures::future::join_all(attempts).await;

    let created = results.iter().filter(|result| result.is_ok()).count();
    let duplicates = results
        .iter()
        .filter_map(|result| result.as_ref().err())
        .filter(|status| status.code() == Code::AlreadyExists)
        .count();
    assert_eq!((created, duplicates), (1, 7));
    let rows = user::Entity::find()
        .filter(user::Column::EmailNormalized.eq("race@example.com"))
        .count(&auth.db)
        .await
        .expect("count users");
    assert_eq!(rows, 1);
    auth.finish().await;
}

#[tokio::test]
async fn stored_password_hash_is_argon2id_and_never_the_password() {
    let mut auth = start_fresh().await;
    let email = unique_email();
    let created = auth.sign_up(&email).await;

    let row = user::Entity::find()
        .filter(user::Column::EmailNormalized.eq(email.as_str()))
        .one(&auth.db)
        .await
        .expect("query users")
        .expect("the account row exists");

    assert_eq!(row.id.to_string(), created.user_id);
    assert!(
        row.password_hash.starts_with("$argon2id$v=19$"),
        "{}",
        row.password_hash
    );
    assert_ne!(row.password_hash, PASSWORD);
    assert!(!row.password_hash.contains(PASSWORD));
    auth.finish().await;
}
