//! Revocation against a real Redis (`ANB_TEST_REDIS_URL`): tokens signed here, verified by a
//! [`TokenVerifier`] with a fixed key, each test under its own key prefix.

use std::time::Duration;

use anb_identity::{AUDIENCE, Claims, ISSUER, Revocations, TokenError, TokenVerifier};
use anb_proto::auth::v1::PublicKey;
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use ed25519_dalek::pkcs8::EncodePrivateKey as _;
use fred::prelude::{Builder, Client, ClientLike as _, Config, KeysInterface as _};
use jsonwebtoken::{Algorithm, EncodingKey, Header};

const KID: &str = "test-key";

struct Signer {
    key: ed25519_dalek::SigningKey,
}

impl Signer {
    fn new() -> Self {
        Self {
            key: ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng),
        }
    }

    fn verifier(&self) -> TokenVerifier {
        let public = PublicKey {
            kid: KID.to_owned(),
            algorithm: "EdDSA".to_owned(),
            x: URL_SAFE_NO_PAD.encode(self.key.verifying_key().as_bytes()),
        };
        TokenVerifier::from_keys(&[public]).expect("valid public key")
    }

    /// A token with a fresh `jti`, valid for an hour; returns it with its claims.
    fn token(&self) -> (String, Claims) {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: uuid::Uuid::new_v4().to_string(),
            jti: uuid::Uuid::new_v4().to_string(),
            iat: now,
            nbf: now,
            exp: now + 3600,
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
        };
        let der = self.key.to_pkcs8_der().expect("key encodes");
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(KID.to_owned());
        let token =
            jsonwebtoken::encode(&header, &claims, &EncodingKey::from_ed_der(der.as_bytes()))
                .expect("token signs");
        (token, claims)
    }
}

async fn redis() -> Client {
    let url = std::env::var("ANB_TEST_REDIS_URL").expect(
        "ANB_TEST_REDIS_URL must name a Redis server for these tests \
         (deploy/local/test sets it; see deploy/local/lib.sh to start one)",
    );
    let client = Builder::from_config(Config::from_url(&url).expect("valid Redis URL"))
        .build()
        .expect("client builds");
    client.init().await.expect("test Redis reachable");
    client
}

fn unique_prefix() -> String {
    format!("anb_t_{}", uuid::Uuid::new_v4().simple())
}

#[tokio::test]
async fn a_revoked_token_is_refused_and_other_tokens_still_pass() {
    let signer = Signer::new();
    let client = redis().await;
    let prefix = unique_prefix();
    let verifier = signer.verifier().with_revocations(client.clone(), &prefix);
    let (revoked, claims) = signer.token();
    let (other, _) = signer.token();

    let revocations = Revocations::new(client, &prefix);
    let now = chrono::Utc::now().timestamp();
    let first = revocations.revoke(&claims.jti, claims.exp, now).await;

    assert!(first.expect("revocation written"));
    // Whether Redis or the announcement answers, the refusal follows within moments.
    assert_eq!(
        refused_within(&verifier, &revoked).await,
        Some(TokenError::Revoked)
    );
    assert!(verifier.verify(&other).await.is_ok());
}

/// Writes and announces the revocation of `claims`' token, as `auth` does at log-out.
async fn revoke(client: Client, prefix: &str, claims: &Claims) {
    let now = chrono::Utc::now().timestamp();
    Revocations::new(client, prefix)
        .revoke(&claims.jti, claims.exp, now)
        .await
        .expect("revocation written");
}

/// Verifies `token` until it is refused, for at most two seconds.
async fn refused_within(verifier: &TokenVerifier, token: &str) -> Option<TokenError> {
    for _ in 0..100 {
        if let Err(err) = verifier.verify(token).await {
            return Some(err);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    None
}

/// Waits until `verifier` answers revocation checks from memory, for at most five seconds.
async fn mirrored(verifier: &TokenVerifier) -> bool {
    for _ in 0..250 {
        if verifier.revocations_mirrored() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    false
}

#[tokio::test]
async fn revocations_written_before_the_verifier_started_are_loaded_into_memory() {
    let signer = Signer::new();
    let client = redis().await;
    let prefix = unique_prefix();
    let (revoked, claims) = signer.token();
    let (other, _) = signer.token();
    revoke(client.clone(), &prefix, &claims).await;

    let verifier = signer.verifier().with_revocations(client, &prefix);

    assert!(mirrored(&verifier).await);
    // Answered from the loaded copy: no announcement was ever seen for this token.
    assert_eq!(verifier.verify(&revoked).await, Err(TokenError::Revoked));
    assert!(verifier.verify(&other).await.is_ok());
}

#[tokio::test]
async fn a_revocation_announced_later_reaches_the_copy() {
    let signer = Signer::new();
    let client = redis().await;
    let prefix = unique_prefix();
    let verifier = signer.verifier().with_revocations(client.clone(), &prefix);
    assert!(mirrored(&verifier).await);
    let (revoked, claims) = signer.token();
    assert!(verifier.verify(&revoked).await.is_ok());

    revoke(client, &prefix, &claims).await;

    assert_eq!(
        refused_within(&verifier, &revoked).await,
        Some(TokenError::Revoked)
    );
    assert!(verifier.revocations_mirrored());
}

#[tokio::test]
async fn a_log_out_noted_by_this_process_is_refused_at_once() {
    let signer = Signer::new();
    let client = redis().await;
    let prefix = unique_prefix();
    let verifier = signer.verifier().with_revocations(client, &prefix);
    assert!(mirrored(&verifier).await);
    let (token, _) = signer.token();
    let identity = verifier.verify(&token).await.expect("valid before log-out");

    verifier.note_revoked(&identity);

    // No mark in Redis and no announcement: only the note refuses it.
    assert_eq!(verifier.verify(&token).await, Err(TokenError::Revoked));
}

#[tokio::test]
async fn revoking_twice_reports_the_second_time_and_the_mark_expires_with_the_token() {
    let signer = Signer::new();
    let client = redis().await;
    let prefix = unique_prefix();
    let revocations = Revocations::new(client.clone(), &prefix);
    let (_, claims) = signer.token();
    let now = chrono::Utc::now().timestamp();

    let first = revocations.revoke(&claims.jti, claims.exp, now).await;
    let second = revocations.revoke(&claims.jti, claims.exp, now).await;
    let ttl: i64 = client
        .ttl(format!("{prefix}:auth:revoked:{}", claims.jti))
        .await
        .expect("ttl readable");

    assert_eq!((first.ok(), second.ok()), (Some(true), Some(false)));
    // Until `exp` plus the verifiers' 5 s leeway, never forever.
    assert!((3600..=3605).contains(&ttl), "ttl was {ttl}");
}

#[tokio::test]
async fn without_a_reachable_redis_the_check_fails_open() {
    let signer = Signer::new();
    // Port 1 on loopback: nothing listens there, so every command fails.
    let client = Builder::from_config(Config::from_url("redis://127.0.0.1:1").expect("valid URL"))
        .build()
        .expect("client builds");
    let _ = client.init().await;
    let verifier = signer.verifier().with_revocations(client, "anb");
    let (token, claims) = signer.token();

    let started = std::time::Instant::now();
    let identity = verifier.verify(&token).await;

    assert_eq!(identity.map(|id| id.token_id), Ok(claims.jti));
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn the_copy_stays_trusted_while_its_connection_answers_pings() {
    let signer = Signer::new();
    let client = redis().await;
    let verifier = signer.verifier().with_revocations(client, &unique_prefix());
    assert!(mirrored(&verifier).await);

    // Past the 3 s after which an unanswered subscription stops being trusted.
    tokio::time::sleep(Duration::from_secs(4)).await;

    assert!(verifier.revocations_mirrored());
}

#[tokio::test]
async fn a_copy_whose_redis_went_away_is_not_trusted_until_it_is_loaded_again() {
    use fred::prelude::ReconnectPolicy;

    let signer = Signer::new();
    let mut own = anb_testkit::OwnRedis::start();
    let client = Builder::from_config(Config::from_url(&own.url()).expect("valid URL"))
        .set_policy(ReconnectPolicy::new_constant(0, 100))
        .build()
        .expect("client builds");
    let mut connected = false;
    for _ in 0..50 {
        if client.init().await.is_ok() {
            connected = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(connected, "own redis did not start");
    let prefix = unique_prefix();
    let verifier = signer.verifier().with_revocations(client.clone(), &prefix);
    assert!(mirrored(&verifier).await);
    let (noted, _) = signer.token();
    let (other, _) = signer.token();
    let identity = verifier.verify(&noted).await.expect("valid before log-out");
    verifier.note_revoked(&identity);

    own.kill();
    let mut distrusted = false;
    for _ in 0..100 {
        if !verifier.revocations_mirrored() {
            distrusted = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    assert!(
        distrusted,
        "the copy was still trusted 2 s after redis died"
    );
    // Listed tokens stay refused without Redis; others fail open as before.
    assert_eq!(verifier.verify(&noted).await, Err(TokenError::Revoked));
    assert!(verifier.verify(&other).await.is_ok());

    own.restart();
    assert!(mirrored(&verifier).await, "the copy was not loaded again");
    let (later, claims) = signer.token();
    revoke(client, &prefix, &claims).await;
    assert_eq!(
        refused_within(&verifier, &later).await,
        Some(TokenError::Revoked)
    );
}
