//! Authentication with a KSeF token (`POST /auth/ksef-token`) or a certificate (an
//! `AuthTokenRequest` signed with XAdES, `POST /auth/xades-signature`). Only the init
//! step differs — challenge, status polling, redeem, refresh and re-auth are shared.
//!
//! Tokens live only in [`secrecy::SecretString`]s inside the client; nothing here logs them.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::Method;
use rsa::RsaPublicKey;
use secrecy::{ExposeSecret, SecretString};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use crate::client::{Call, CallAuth, CallBody, Inner, KsefClient};
use crate::crypto;
use crate::error::{KsefError, Result};
use crate::limiter::EndpointGroup;
use crate::model::{
    AuthenticationChallengeResponse, AuthenticationInitResponseWire, AuthenticationMethodInfo,
    AuthenticationOperationStatusResponse, AuthenticationTokenRefreshResponseWire,
    AuthenticationTokensResponseWire, ContextIdentifier, ContextIdentifierType,
    InitTokenAuthenticationRequest, PublicKeyCertificate, PublicKeyCertificateUsage,
};

/// What the client authenticates with.
#[derive(Clone)]
#[non_exhaustive]
pub enum Credentials {
    /// A KSeF token for a context (usually a NIP).
    KsefToken {
        /// The context.
        context: ContextIdentifier,
        /// The token (never logged).
        token: SecretString,
    },
    /// A certificate and its key: a qualified signature or seal, a KSeF certificate
    /// (type `Authentication`) or, on KSeF Test, a self-signed one. The client signs an
    /// `AuthTokenRequest` with XAdES. Only a NIP context is supported.
    Certificate {
        /// The context (a NIP).
        context: ContextIdentifier,
        /// The certificate with its private key (never logged).
        credential: Arc<ksef_xades::SigningCredential>,
        /// How KSeF identifies the signer: `CertificateSubject` reads the NIP or PESEL
        /// in the certificate (qualified certificates, KSeF certificates of a NIP/PESEL
        /// subject); `CertificateFingerprint` uses its SHA-256 fingerprint (a
        /// certificate without an identifier, whose fingerprint was granted rights).
        subject: ksef_xades::SubjectIdentifierType,
    },
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credentials::KsefToken { context, .. } => f
                .debug_struct("KsefToken")
                .field("context", context)
                .finish_non_exhaustive(),
            Credentials::Certificate {
                context,
                credential,
                subject,
            } => f
                .debug_struct("Certificate")
                .field("context", context)
                .field(
                    "fingerprint",
                    &credential.certificate().fingerprint_sha256_hex,
                )
                .field("subject", subject)
                .finish_non_exhaustive(),
        }
    }
}

/// Non-secret facts about the current authentication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthInfo {
    /// Reference number of the authentication operation.
    pub reference_number: String,
    /// Access token expiry.
    pub access_valid_until: DateTime<Utc>,
    /// Refresh token expiry.
    pub refresh_valid_until: DateTime<Utc>,
    /// How KSeF says the sign-in was made (`authenticationMethodInfo`: category
    /// `Token` / `XadesSignature` / ..., a code and a display name).
    pub method: Option<AuthenticationMethodInfo>,
}

pub(crate) struct AuthState {
    credentials: Credentials,
    access: SecretString,
    access_valid_until: DateTime<Utc>,
    refresh: SecretString,
    refresh_valid_until: DateTime<Utc>,
    reference_number: String,
    method: Option<AuthenticationMethodInfo>,
}

impl AuthState {
    fn info(&self) -> AuthInfo {
        AuthInfo {
            reference_number: self.reference_number.clone(),
            access_valid_until: self.access_valid_until,
            refresh_valid_until: self.refresh_valid_until,
            method: self.method.clone(),
        }
    }
}

pub(crate) struct CertCache {
    fetched: Instant,
    certs: Arc<Vec<PublicKeyCertificate>>,
}

impl KsefClient {
    /// Authenticates with a KSeF token for `nip` (challenge, token encryption with the MF
    /// key, init, status polling, redeem). The client keeps the tokens, refreshes the access
    /// token before expiry and re-authenticates with the same credentials when refreshing fails.
    pub async fn authenticate_with_token(
        &self,
        nip: &str,
        token: SecretString,
        cancel: &CancellationToken,
    ) -> Result<AuthInfo> {
        self.authenticate(
            Credentials::KsefToken {
                context: ContextIdentifier::nip(nip),
                token,
            },
            cancel,
        )
        .await
    }

    /// Authenticates with a certificate for `nip`: the signed `AuthTokenRequest`, status
    /// polling, redeem; refresh and re-login as for tokens.
    pub async fn authenticate_with_certificate(
        &self,
        nip: &str,
        credential: Arc<ksef_xades::SigningCredential>,
        subject: ksef_xades::SubjectIdentifierType,
        cancel: &CancellationToken,
    ) -> Result<AuthInfo> {
        self.authenticate(
            Credentials::Certificate {
                context: ContextIdentifier::nip(nip),
                credential,
                subject,
            },
            cancel,
        )
        .await
    }

    /// Authenticates with any supported credentials.
    pub async fn authenticate(
        &self,
        credentials: Credentials,
        cancel: &CancellationToken,
    ) -> Result<AuthInfo> {
        let mut guard = self.inner.auth.lock().await;
        let state = self
            .inner
            .login(credentials, cancel)
            .instrument(tracing::info_span!("ksef_authenticate"))
            .await?;
        let info = state.info();
        *guard = Some(state);
        Ok(info)
    }

    /// Current authentication facts (None before `authenticate*`).
    pub async fn auth_info(&self) -> Option<AuthInfo> {
        self.inner.auth.lock().await.as_ref().map(AuthState::info)
    }

    /// Refreshes the access token now (`POST /auth/token/refresh`), falling back to a full
    /// re-authentication if the refresh token is rejected or expired.
    pub async fn refresh_now(&self, cancel: &CancellationToken) -> Result<AuthInfo> {
        self.inner.invalidate_access_token().await;
        self.inner.access_token(cancel).await?;
        self.auth_info().await.ok_or(KsefError::NotAuthenticated)
    }

    /// Revokes the current authentication (`DELETE /auth/sessions/current`) and forgets the tokens.
    pub async fn logout(&self, cancel: &CancellationToken) -> Result<()> {
        let call = Call::new(
            "auth.sessions.revoke_current",
            Method::DELETE,
            self.inner.url("auth/sessions/current")?,
            EndpointGroup::Other,
        )
        .idempotent(false);
        let r = self.inner.send(&call, cancel).await.map(|_| ());
        *self.inner.auth.lock().await = None;
        r
    }

    /// The MF public-key certificates (`GET /security/public-key-certificates`), cached.
    pub async fn public_key_certificates(
        &self,
        cancel: &CancellationToken,
    ) -> Result<Arc<Vec<PublicKeyCertificate>>> {
        self.inner.certificates(false, cancel).await
    }
}

impl Inner {
    pub(crate) async fn certificates(
        &self,
        force: bool,
        cancel: &CancellationToken,
    ) -> Result<Arc<Vec<PublicKeyCertificate>>> {
        let mut cache = self.certs.lock().await;
        if let Some(c) = cache.as_ref() {
            if !force && c.fetched.elapsed() < self.config.certificate_cache_ttl {
                return Ok(c.certs.clone());
            }
        }
        let call = Call::new(
            "security.public_key_certificates",
            Method::GET,
            self.url("security/public-key-certificates")?,
            EndpointGroup::Auth,
        )
        .auth(CallAuth::None);
        let certs: Vec<PublicKeyCertificate> = self.call_json(call, cancel).await?;
        let certs = Arc::new(certs);
        *cache = Some(CertCache {
            fetched: Instant::now(),
            certs: certs.clone(),
        });
        Ok(certs)
    }

    /// The currently valid MF key for `usage` (newest `validFrom` first), re-fetching the
    /// list once if the cached one has none valid.
    pub(crate) async fn mf_key(
        &self,
        usage: PublicKeyCertificateUsage,
        cancel: &CancellationToken,
    ) -> Result<RsaPublicKey> {
        for force in [false, true] {
            let certs = self.certificates(force, cancel).await?;
            if let Some(cert) = select_certificate(&certs, usage, Utc::now()) {
                let der = crypto::b64_decode(&cert.certificate)?;
                return crypto::public_key_from_cert_der(&der);
            }
        }
        Err(KsefError::NoCertificate(match usage {
            PublicKeyCertificateUsage::KsefTokenEncryption => "KsefTokenEncryption",
            _ => "SymmetricKeyEncryption",
        }))
    }

    async fn login(
        &self,
        credentials: Credentials,
        cancel: &CancellationToken,
    ) -> Result<AuthState> {
        // 1. challenge
        let challenge: AuthenticationChallengeResponse = self
            .call_json(
                Call::new(
                    "auth.challenge",
                    Method::POST,
                    self.url("auth/challenge")?,
                    EndpointGroup::Auth,
                )
                .auth(CallAuth::None)
                .idempotent(true),
                cancel,
            )
            .await?;
        // 2. method-specific init
        let init: AuthenticationInitResponseWire = match &credentials {
            Credentials::KsefToken { context, token } => {
                let key = self
                    .mf_key(PublicKeyCertificateUsage::KsefTokenEncryption, cancel)
                    .await?;
                let plaintext = SecretString::from(format!(
                    "{}|{}",
                    token.expose_secret(),
                    challenge.timestamp_ms
                ));
                let encrypted =
                    crypto::rsa_oaep_sha256(&key, plaintext.expose_secret().as_bytes())?;
                let body = InitTokenAuthenticationRequest {
                    challenge: challenge.challenge.clone(),
                    context_identifier: context.clone(),
                    encrypted_token: crypto::b64(&encrypted),
                    public_key_id: None,
                    authorization_policy: None,
                };
                let call = Call::new(
                    "auth.ksef_token",
                    Method::POST,
                    self.url("auth/ksef-token")?,
                    EndpointGroup::Auth,
                )
                .auth(CallAuth::None)
                .json(&body)?;
                self.call_json(call, cancel).await?
            }
            Credentials::Certificate {
                context,
                credential,
                subject,
            } => {
                if context.kind != ContextIdentifierType::Nip {
                    return Err(KsefError::Config(
                        "a certificate signs in to a NIP context only".into(),
                    ));
                }
                let unsigned =
                    ksef_xades::auth_token_request(&challenge.challenge, &context.value, *subject);
                let signed = ksef_xades::sign_enveloped(&unsigned, credential, Utc::now())?;
                let mut call = Call::new(
                    "auth.xades_signature",
                    Method::POST,
                    self.url("auth/xades-signature")?,
                    EndpointGroup::Auth,
                )
                .auth(CallAuth::None);
                call.headers
                    .push(("content-type".into(), "application/xml".into()));
                call.body = CallBody::Raw(signed.into_bytes());
                self.call_json(call, cancel).await?
            }
        };
        let auth_token = SecretString::from(init.authentication_token.token);
        let reference_number = init.reference_number;
        // 3. poll status
        let started = Instant::now();
        let mut delay = self.config.poll.initial;
        let method = loop {
            let call = Call::new(
                "auth.status",
                Method::GET,
                self.url(&format!("auth/{reference_number}"))?,
                EndpointGroup::Auth,
            )
            .auth(CallAuth::Bearer(auth_token.clone()));
            let status: AuthenticationOperationStatusResponse =
                self.call_json(call, cancel).await?;
            match status.status.code {
                100 => {}
                200 => break status.authentication_method_info,
                _ => {
                    return Err(KsefError::AuthenticationFailed {
                        status: status.status.to_detail(),
                    })
                }
            }
            if started.elapsed() >= self.config.poll.auth_timeout {
                return Err(KsefError::AuthenticationTimeout(started.elapsed()));
            }
            sleep(delay, cancel).await?;
            delay = (delay * 2).min(self.config.poll.max);
        };
        // 4. redeem (one-shot)
        let call = Call::new(
            "auth.token.redeem",
            Method::POST,
            self.url("auth/token/redeem")?,
            EndpointGroup::Auth,
        )
        .auth(CallAuth::Bearer(auth_token));
        let tokens: AuthenticationTokensResponseWire = self.call_json(call, cancel).await?;
        tracing::info!(reference_number = %reference_number, access_valid_until = %tokens.access_token.valid_until, "authenticated");
        Ok(AuthState {
            credentials,
            access: SecretString::from(tokens.access_token.token),
            access_valid_until: tokens.access_token.valid_until,
            refresh: SecretString::from(tokens.refresh_token.token),
            refresh_valid_until: tokens.refresh_token.valid_until,
            reference_number,
            method,
        })
    }

    pub(crate) async fn invalidate_access_token(&self) {
        if let Some(s) = self.auth.lock().await.as_mut() {
            s.access_valid_until = DateTime::<Utc>::MIN_UTC;
        }
    }

    /// A valid access token: the cached one, a refreshed one, or one from a new login.
    /// The lock makes concurrent callers share one refresh.
    pub(crate) async fn access_token(&self, cancel: &CancellationToken) -> Result<SecretString> {
        let mut guard = self.auth.lock().await;
        let Some(state) = guard.as_mut() else {
            return Err(KsefError::NotAuthenticated);
        };
        let margin = chrono::Duration::from_std(self.config.refresh_margin).unwrap_or_default();
        let now = Utc::now();
        if state.access_valid_until > now + margin {
            return Ok(state.access.clone());
        }
        if state.refresh_valid_until > now + margin {
            let call = Call::new(
                "auth.token.refresh",
                Method::POST,
                self.url("auth/token/refresh")?,
                EndpointGroup::Auth,
            )
            .auth(CallAuth::Bearer(state.refresh.clone()))
            .idempotent(true);
            match self
                .call_json::<AuthenticationTokenRefreshResponseWire>(call, cancel)
                .await
            {
                Ok(r) => {
                    tracing::info!(access_valid_until = %r.access_token.valid_until, "access token refreshed");
                    state.access = SecretString::from(r.access_token.token);
                    state.access_valid_until = r.access_token.valid_until;
                    return Ok(state.access.clone());
                }
                Err(
                    e @ (KsefError::Unauthorized { .. }
                    | KsefError::Forbidden { .. }
                    | KsefError::Api { .. }
                    | KsefError::Gone { .. }
                    | KsefError::NotFound { .. }),
                ) => {
                    tracing::warn!(error = %e, "refresh rejected; re-authenticating");
                }
                Err(e) => return Err(e),
            }
        }
        let credentials = state.credentials.clone();
        let new_state = self.login(credentials, cancel).await?;
        let token = new_state.access.clone();
        *guard = Some(new_state);
        Ok(token)
    }
}

/// The valid certificate for `usage` with the newest `validFrom`.
pub(crate) fn select_certificate(
    certs: &[PublicKeyCertificate],
    usage: PublicKeyCertificateUsage,
    now: DateTime<Utc>,
) -> Option<&PublicKeyCertificate> {
    certs
        .iter()
        .filter(|c| c.usage.contains(&usage) && c.valid_from <= now && now <= c.valid_to)
        .max_by_key(|c| c.valid_from)
}

pub(crate) async fn sleep(d: Duration, cancel: &CancellationToken) -> Result<()> {
    tokio::select! {
        () = cancel.cancelled() => Err(KsefError::Cancelled),
        () = tokio::time::sleep(d) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert(
        id: &str,
        usage: PublicKeyCertificateUsage,
        from: &str,
        to: &str,
    ) -> PublicKeyCertificate {
        PublicKeyCertificate {
            certificate: String::new(),
            certificate_id: id.into(),
            public_key_id: id.into(),
            valid_from: from.parse().unwrap(),
            valid_to: to.parse().unwrap(),
            usage: vec![usage],
        }
    }

    #[test]
    fn selects_valid_newest_certificate_per_usage() {
        use PublicKeyCertificateUsage::*;
        let certs = vec![
            cert(
                "old",
                KsefTokenEncryption,
                "2024-01-01T00:00:00Z",
                "2027-01-01T00:00:00Z",
            ),
            cert(
                "new",
                KsefTokenEncryption,
                "2025-06-01T00:00:00Z",
                "2027-01-01T00:00:00Z",
            ),
            cert(
                "future",
                KsefTokenEncryption,
                "2030-01-01T00:00:00Z",
                "2031-01-01T00:00:00Z",
            ),
            cert(
                "expired",
                SymmetricKeyEncryption,
                "2020-01-01T00:00:00Z",
                "2021-01-01T00:00:00Z",
            ),
            cert(
                "sym",
                SymmetricKeyEncryption,
                "2025-01-01T00:00:00Z",
                "2027-01-01T00:00:00Z",
            ),
        ];
        let now: DateTime<Utc> = "2026-01-01T00:00:00Z".parse().unwrap();
        assert_eq!(
            select_certificate(&certs, KsefTokenEncryption, now)
                .unwrap()
                .certificate_id,
            "new"
        );
        assert_eq!(
            select_certificate(&certs, SymmetricKeyEncryption, now)
                .unwrap()
                .certificate_id,
            "sym"
        );
        let later: DateTime<Utc> = "2028-01-01T00:00:00Z".parse().unwrap();
        assert!(select_certificate(&certs, SymmetricKeyEncryption, later).is_none());
    }

    #[test]
    fn credentials_debug_hides_token() {
        let c = Credentials::KsefToken {
            context: ContextIdentifier::nip("5265877635"),
            token: SecretString::from("super-secret-token".to_string()),
        };
        let s = format!("{c:?}");
        assert!(s.contains("5265877635"));
        assert!(!s.contains("super-secret"));
    }
}
