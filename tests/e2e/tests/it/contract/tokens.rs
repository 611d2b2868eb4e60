//! Token attacks: each forged or stale bearer token is refused with 401 and its reason.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use ed25519_dalek::{SigningKey, pkcs8::DecodePrivateKey, pkcs8::EncodePrivateKey};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{assert_error, assert_ready, send};
use crate::support::Platform;

/// Mints tokens as `auth` would, with its real key read from the platform's state folder.
struct Mint {
    kid: String,
    real: EncodingKey,
    public: [u8; 32],
    user_id: String,
}

impl Mint {
    async fn new(platform: &Platform, token: &str) -> Self {
        let pem_path = platform.state_dir().join("secrets/auth_signing_key.pem");
        let pem = std::fs::read_to_string(&pem_path).expect("up writes auth's signing key");
        let key = SigningKey::from_pkcs8_pem(&pem).expect("an Ed25519 PKCS#8 key");
        let header = jsonwebtoken::decode_header(token).expect("a real token");
        let claims = claims_of(token);
        Self {
            kid: header.kid.expect("real tokens carry a kid"),
            real: encoding_key(&key),
            public: key.verifying_key().to_bytes(),
            user_id: claims["sub"].as_str().expect("sub").to_owned(),
        }
    }

    fn claims(&self) -> Value {
        let now = jsonwebtoken::get_current_timestamp();
        json!({
            "sub": self.user_id, "jti": uuid::Uuid::new_v4().to_string(),
            "iat": now, "nbf": now, "exp": now + 600, "iss": "anb-auth", "aud": "anb",
        })
    }

    fn sign(&self, claims: &Value) -> String {
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.real).expect("signing cannot fail")
    }

    /// The claims with `edit` applied, signed by the real key.
    fn signed_with(&self, edit: impl FnOnce(&mut Value)) -> String {
        let mut claims = self.claims();
        edit(&mut claims);
        self.sign(&claims)
    }
}

fn encoding_key(key: &SigningKey) -> EncodingKey {
    let der = key.to_pkcs8_der().expect("an Ed25519 key encodes");
    EncodingKey::from_ed_der(der.as_bytes())
}

fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a JWS has a payload");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64url")).expect("JSON")
}

fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

#[tokio::test]
async fn forged_and_stale_tokens_are_refused_with_401_and_a_reason() {
    let platform = Platform::from_env();
    let player = platform.sign_up_and_log_in().await.expect("player");
    let mint = Mint::new(&platform, &player.token).await;
    let now = jsonwebtoken::get_current_timestamp();
    let (head, rest) = player.token.split_once('.').expect("a JWS");
    let signature = rest.split_once('.').expect("a JWS").1;

    let other_key = SigningKey::from_bytes(&[7; 32]);
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(mint.kid.clone());
    let by_other_key =
        jsonwebtoken::encode(&header, &mint.claims(), &encoding_key(&other_key)).expect("sign");
    header.kid = Some("forged-kid".to_owned());
    let unknown_kid =
        jsonwebtoken::encode(&header, &mint.claims(), &encoding_key(&other_key)).expect("sign");
    header.kid = None;
    let no_kid = jsonwebtoken::encode(&header, &mint.claims(), &mint.real).expect("sign");
    let mut hs256 = Header::new(Algorithm::HS256);
    hs256.kid = Some(mint.kid.clone());
    let hs256 = jsonwebtoken::encode(
        &hs256,
        &mint.claims(),
        &EncodingKey::from_secret(&mint.public).expect("any bytes are an HMAC key"),
    )
    .expect("sign");
    let unsigned = format!(
        "{}.{}.",
        b64(&json!({ "alg": "none", "typ": "JWT", "kid": mint.kid })),
        b64(&mint.claims())
    );
    let mut stolen = mint.claims();
    stolen["sub"] = json!(uuid::Uuid::new_v4().to_string());
    let swapped_payload = format!("{head}.{}.{signature}", b64(&stolen));

    let cases = [
        (
            mint.signed_with(|c| {
                c["exp"] = json!(now - 120);
                c["iat"] = json!(now - 900);
                c["nbf"] = json!(now - 900);
            }),
            "token_expired",
        ),
        (
            mint.signed_with(|c| c["nbf"] = json!(now + 120)),
            "token_not_yet_valid",
        ),
        (
            mint.signed_with(|c| {
                c.as_object_mut().expect("claims").remove("exp");
            }),
            // jsonwebtoken fails to read the claims before it checks them: a shape error.
            "malformed_token",
        ),
        (
            mint.signed_with(|c| c["iss"] = json!("someone-else")),
            "invalid_claims",
        ),
        (
            mint.signed_with(|c| c["aud"] = json!("other-app")),
            "invalid_claims",
        ),
        (
            mint.signed_with(|c| c["sub"] = json!("1 OR 1=1")),
            "invalid_claims",
        ),
        (swapped_payload, "bad_signature"),
        (by_other_key, "bad_signature"),
        (unknown_kid, "unknown_key"),
        (no_kid, "unknown_key"),
        (hs256, "malformed_token"),
        (unsigned, "malformed_token"),
        ("a.b.c".to_owned(), "malformed_token"),
        ("x".repeat(16 * 1024), "malformed_token"),
    ];
    for (case, (token, code)) in cases.into_iter().enumerate() {
        let answer = send(
            platform
                .http
                .get(platform.url("/api/videos"))
                .bearer_auth(&token),
        )
        .await;
        assert_eq!(answer.1["code"], code, "case {case}");
        assert_error(&answer, StatusCode::UNAUTHORIZED, code);
    }

    // A token minted the same way but valid is accepted: the refusals above are the attacks.
    let fresh = mint.sign(&mint.claims());
    let accepted = send(
        platform
            .http
            .get(platform.url("/api/videos"))
            .bearer_auth(&fresh),
    )
    .await;
    assert_eq!(accepted, (StatusCode::OK, json!([])));
    assert_ready(&platform).await;
}

#[tokio::test]
async fn tokens_outside_the_bearer_header_are_missing() {
    let platform = Platform::from_env();
    let player = platform.sign_up_and_log_in().await.expect("player");
    let url = platform.url("/api/auth/profile");
    let requests = [
        platform
            .http
            .get(&url)
            .header("authorization", format!("Basic {}", player.token)),
        platform.http.get(&url).header("authorization", "Bearer"),
        platform
            .http
            .get(format!("{url}?access_token={}", player.token)),
        platform
            .http
            .get(&url)
            .header("cookie", format!("token={}", player.token)),
    ];
    for request in requests {
        assert_error(
            &send(request).await,
            StatusCode::UNAUTHORIZED,
            "missing_token",
        );
    }
}
