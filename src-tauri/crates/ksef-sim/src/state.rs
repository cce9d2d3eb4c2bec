//! The simulated service: credentials, sessions, receipt and processing.
//!
//! Asynchronous processing is modelled by time: every decision is taken on receipt,
//! and what a client sees is a function of the present (status 100, then 150, then
//! the outcome once `ready_at` has passed). No background tasks, no races.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use crate::certs::{AuthMethod, CertState, Signer};
use crate::config::{FaultConfig, OneShotFault, Permission, SimConfig, TokenSpec};
use crate::crypto::{self, SimKeys};
use crate::error::SimError;
use crate::http::error::ApiError;
use crate::ids::{self, RefKind};
use crate::receipt::{check_invoice, InvoiceFacts, Rejection};
use crate::store::{fmt_dt, Store, StoredInvoice};
use crate::upo::{self, UpoContext, UpoDocument};

fn auth_op_json(op: &AuthOperation, now: DateTime<Utc>) -> Value {
    let status = if now < op.ready_at {
        json!({"code": 100, "description": "Uwierzytelnianie w toku"})
    } else {
        json!({"code": op.outcome.code, "description": op.outcome.description, "details": op.outcome.details})
    };
    let (method, category, code, display_name) = op.method.describe();
    json!({
        "startDate": fmt_dt(op.started),
        "authenticationMethod": method,
        "authenticationMethodInfo": {"category": category, "code": code, "displayName": display_name},
        "status": status,
        "isTokenRedeemed": op.redeemed,
        "lastTokenRefreshDate": op.last_refresh.map(fmt_dt),
        "refreshTokenValidUntil": op.refresh_valid_until.map(fmt_dt),
    })
}

/// Marks the simulator's own demo-company token (reused from a data directory).
const DEMO_TOKEN_DESCRIPTION: &str = "Token firmy demonstracyjnej (ksef-sim)";

pub(crate) fn chrono_dur(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::zero())
}

/// A KSeF token known to the simulator.
#[derive(Debug, Clone)]
pub struct KsefToken {
    /// Its reference number (appears in UPO).
    pub reference: String,
    /// What it may do and where.
    pub spec: TokenSpec,
    /// Revoked by the owner.
    pub revoked: bool,
    /// Description given when generated.
    pub description: String,
    /// When it was created.
    pub created: DateTime<Utc>,
    /// Last successful authentication.
    pub last_use: Option<DateTime<Utc>>,
    /// Who generated it (context NIP for tokens made by the simulator itself).
    pub author_nip: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BearerKind {
    Authentication,
    Access,
    Refresh,
}

#[derive(Debug, Clone)]
pub(crate) struct BearerGrant {
    pub kind: BearerKind,
    pub auth_reference: String,
    pub context_nip: String,
    pub permissions: Vec<Permission>,
    pub valid_until: DateTime<Utc>,
    pub ksef_token: Option<String>,
    /// Who signed in with a certificate (`None` after a KSeF-token sign-in).
    pub signer: Option<Arc<Signer>>,
}

#[derive(Debug, Clone)]
pub(crate) struct AuthOutcome {
    pub code: u16,
    pub description: &'static str,
    pub details: Vec<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct AuthOperation {
    pub started: DateTime<Utc>,
    pub ready_at: DateTime<Utc>,
    pub context_nip: String,
    pub outcome: AuthOutcome,
    pub token_reference: String,
    pub redeemed: bool,
    pub last_refresh: Option<DateTime<Utc>>,
    pub refresh_valid_until: Option<DateTime<Utc>>,
    pub method: AuthMethod,
}

/// Online or batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    /// Interactive.
    Online,
    /// Batch.
    Batch,
}

#[derive(Debug, Clone)]
pub(crate) struct BatchPart {
    pub ordinal: u32,
    pub size: u64,
    pub hash: String,
    pub data: Option<Vec<u8>>,
}

#[derive(Debug, Clone)]
pub(crate) struct BatchState {
    pub file_size: u64,
    pub file_hash: String,
    pub parts: Vec<BatchPart>,
}

#[derive(Debug, Clone)]
pub(crate) enum Outcome {
    Accepted {
        ksef_number: String,
        invoice_number: String,
        issue_date: chrono::NaiveDate,
        seller_nip: String,
        acquisition: DateTime<Utc>,
        permanent_storage: DateTime<Utc>,
    },
    Rejected {
        code: u16,
        details: Vec<String>,
        extensions: Option<Value>,
        invoice_number: Option<String>,
    },
}

#[derive(Debug, Clone)]
pub(crate) struct SessionInvoice {
    pub ordinal: u32,
    pub reference: String,
    pub invoice_hash: String,
    pub file_name: Option<String>,
    pub received: DateTime<Utc>,
    pub processing_at: DateTime<Utc>,
    pub ready_at: DateTime<Utc>,
    pub offline: bool,
    pub outcome: Outcome,
}

#[derive(Debug, Clone)]
pub(crate) struct SessionFailure {
    pub code: u16,
    pub description: &'static str,
    pub details: Vec<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Session {
    pub reference: String,
    pub kind: SessionKind,
    pub context_nip: String,
    pub token_reference: String,
    pub key: Option<Vec<u8>>,
    pub iv: Vec<u8>,
    pub created: DateTime<Utc>,
    pub updated: DateTime<Utc>,
    pub valid_until: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    /// A closed batch whose package is being decrypted, unpacked and checked.
    pub processing: bool,
    pub invoices: Vec<SessionInvoice>,
    pub failure: Option<SessionFailure>,
    pub upo_reference: String,
    pub batch: Option<BatchState>,
    pub offline_mode: bool,
}

/// What a pre-signed URL gives access to.
#[derive(Debug, Clone)]
pub(crate) enum Presigned {
    SessionUpo { session: String },
    InvoiceUpo { session: String, invoice: String },
    ExportPart { export: String, ordinal: u32 },
    BatchPart { session: String, ordinal: u32 },
}

#[derive(Debug, Clone)]
pub(crate) struct ExportPart {
    pub name: String,
    pub plain_size: u64,
    pub plain_hash: String,
    pub data: Vec<u8>,
}

#[derive(Debug, Clone)]
pub(crate) struct Export {
    pub context_nip: String,
    pub created: DateTime<Utc>,
    pub ready_at: DateTime<Utc>,
    pub result: Result<ExportPackage, SessionFailure>,
}

#[derive(Debug, Clone)]
pub(crate) struct ExportPackage {
    pub invoice_count: u64,
    pub size: u64,
    pub is_truncated: bool,
    pub last_issue_date: Option<chrono::NaiveDate>,
    pub last_invoicing_date: Option<DateTime<Utc>>,
    pub last_permanent_storage_date: Option<DateTime<Utc>>,
    pub hwm: Option<DateTime<Utc>>,
    pub parts: Vec<ExportPart>,
}

#[derive(Debug, Default)]
pub(crate) struct Inner {
    pub challenges: HashMap<String, (i64, DateTime<Utc>)>,
    pub tokens: HashMap<String, KsefToken>,
    pub auth_ops: HashMap<String, AuthOperation>,
    pub bearers: HashMap<String, BearerGrant>,
    pub sessions: HashMap<String, Session>,
    pub presigned: HashMap<String, (Presigned, DateTime<Utc>)>,
    pub exports: HashMap<String, Export>,
    pub rate_windows: HashMap<String, Vec<DateTime<Utc>>>,
}

/// Test-data switches (`/testdata/...`). Its lock is taken after `inner`, never before.
#[derive(Debug, Default)]
pub(crate) struct Policy {
    /// `/testdata/attachment[/revoke]`: per-NIP override of `attachments_allowed`.
    pub attachment_nips: HashMap<String, bool>,
    /// `/testdata/context/block`: contexts whose authentication is blocked.
    pub blocked_contexts: std::collections::HashSet<String>,
}

#[derive(Debug, Default)]
pub(crate) struct FaultState {
    pub config: FaultConfig,
    pub one_shot: Vec<(Option<String>, OneShotFault)>,
    pub counter: u64,
}

/// Shared state of one simulator instance.
pub struct AppState {
    pub(crate) keys: Arc<SimKeys>,
    pub(crate) config: SimConfig,
    pub(crate) origin: String,
    pub(crate) store: Store,
    pub(crate) inner: Mutex<Inner>,
    pub(crate) faults: Mutex<FaultState>,
    pub(crate) policy: Mutex<Policy>,
    /// The certificate authority and grants (`certs.rs`). Taken after `inner`, never before.
    pub(crate) certs: Mutex<CertState>,
    jwt_secret: Vec<u8>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// An authenticated caller of a protected endpoint.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    pub context_nip: String,
    pub token_reference: String,
    pub permissions: Vec<Permission>,
    pub auth_reference: String,
}

impl AppState {
    pub(crate) fn new(
        keys: Arc<SimKeys>,
        config: SimConfig,
        origin: String,
        store: Store,
    ) -> Result<Self, SimError> {
        let faults = FaultState {
            config: config.faults.clone(),
            ..FaultState::default()
        };
        let mut certs = CertState::new()?;
        for (context, subject, permissions) in &config.grants {
            certs
                .grants
                .insert((context.clone(), subject.clone()), permissions.clone());
        }
        Ok(Self {
            keys,
            config,
            origin,
            store,
            inner: Mutex::new(Inner::default()),
            faults: Mutex::new(faults),
            policy: Mutex::new(Policy::default()),
            certs: Mutex::new(certs),
            jwt_secret: ids::random_hex(64).into_bytes(),
        })
    }

    pub(crate) fn cert_state(&self) -> MutexGuard<'_, CertState> {
        lock(&self.certs)
    }

    pub(crate) fn inner(&self) -> MutexGuard<'_, Inner> {
        lock(&self.inner)
    }

    pub(crate) fn fault_state(&self) -> MutexGuard<'_, FaultState> {
        lock(&self.faults)
    }

    pub(crate) fn base_url(&self) -> String {
        format!("{}/v2", self.origin)
    }

    fn processing_delay(&self) -> chrono::Duration {
        let extra = self.fault_state().config.slow_processing_ms;
        chrono_dur(self.config.timing.processing_delay)
            + chrono::Duration::milliseconds(extra as i64)
    }

    // ----------------------------------------------------------------- tokens

    /// Creates a KSeF token and returns its secret value.
    pub(crate) fn add_token(&self, spec: TokenSpec) -> String {
        self.generate_token(spec, "Token utworzony przez symulator".into(), None)
            .1
    }

    /// Creates a KSeF token; returns (referenceNumber, secret).
    pub(crate) fn generate_token(
        &self,
        spec: TokenSpec,
        description: String,
        author: Option<String>,
    ) -> (String, String) {
        let now = Utc::now();
        let reference = ids::reference_number(RefKind::Token, now);
        let value = format!(
            "{}|nip-{}|{}",
            reference,
            spec.context_nip,
            ids::random_hex(64).to_ascii_lowercase()
        );
        let author_nip = author.unwrap_or_else(|| spec.context_nip.clone());
        let token = KsefToken {
            reference: reference.clone(),
            spec,
            revoked: false,
            description,
            created: now,
            last_use: None,
            author_nip,
        };
        self.persist_token(&value, &token);
        self.inner().tokens.insert(value.clone(), token);
        (reference, value)
    }

    fn persist_token(&self, value: &str, token: &KsefToken) {
        if let Err(e) = self.store.save_token(value, token) {
            tracing::warn!(error = %e, "could not save a KSeF token");
        }
    }

    /// Loads saved tokens; returns the demo token (an active, full-permission token of
    /// `demo_nip` made by the simulator) if there is one.
    pub(crate) fn load_tokens(&self, demo_nip: &str) -> Option<String> {
        let saved = match self.store.load_tokens() {
            Ok(saved) => saved,
            Err(e) => {
                tracing::warn!(error = %e, "could not load saved KSeF tokens");
                return None;
            }
        };
        let demo = saved
            .iter()
            .find(|(_, t)| {
                !t.revoked
                    && t.spec.context_nip == demo_nip
                    && t.description == DEMO_TOKEN_DESCRIPTION
                    && t.spec.valid_until.is_none()
            })
            .map(|(v, _)| v.clone());
        self.inner().tokens.extend(saved);
        demo
    }

    /// The demo company's token: the saved one, or a new one.
    pub(crate) fn demo_token(&self, demo_nip: &str) -> String {
        if let Some(t) = self.load_tokens(demo_nip) {
            return t;
        }
        self.generate_token(
            TokenSpec::full(demo_nip),
            DEMO_TOKEN_DESCRIPTION.into(),
            None,
        )
        .1
    }

    /// Token metadata as SPEC `TokenStatusResponse` / `QueryTokensResponseItem`.
    pub(crate) fn token_json(t: &KsefToken) -> Value {
        let now = Utc::now();
        let status = if t.revoked {
            "Revoked"
        } else if t.spec.valid_until.is_some_and(|u| u <= now) {
            "Failed"
        } else {
            "Active"
        };
        let perms: Vec<&str> = t.spec.permissions.iter().map(|p| p.as_str()).collect();
        let mut v = json!({
            "referenceNumber": t.reference,
            "authorIdentifier": {"type": "Nip", "value": t.author_nip},
            "contextIdentifier": {"type": "Nip", "value": t.spec.context_nip},
            "description": t.description,
            "requestedPermissions": perms,
            "dateCreated": fmt_dt(t.created),
            "status": status,
        });
        if let Some(d) = t.last_use {
            v["lastUseDate"] = json!(fmt_dt(d));
        }
        v
    }

    /// Revokes a KSeF token; returns whether it existed.
    pub(crate) fn revoke_token(&self, value: &str) -> bool {
        let revoked = match self.inner().tokens.get_mut(value) {
            Some(t) => {
                t.revoked = true;
                Some(t.clone())
            }
            None => None,
        };
        match revoked {
            Some(t) => {
                self.persist_token(value, &t);
                true
            }
            None => false,
        }
    }

    /// Revokes a token by reference number within a context; Err(()) if unknown.
    pub(crate) fn revoke_token_reference(&self, context_nip: &str, reference: &str) -> bool {
        let value = self
            .inner()
            .tokens
            .iter()
            .find(|(_, t)| t.reference == reference && t.spec.context_nip == context_nip)
            .map(|(v, _)| v.clone());
        value.is_some_and(|v| self.revoke_token(&v))
    }

    pub(crate) fn issue_bearer(
        &self,
        inner: &mut Inner,
        grant: BearerGrant,
    ) -> (String, DateTime<Utc>) {
        let kind = match grant.kind {
            BearerKind::Authentication => "auth",
            BearerKind::Access => "access",
            BearerKind::Refresh => "refresh",
        };
        let perms: Vec<&str> = grant.permissions.iter().map(|p| p.as_str()).collect();
        let claims = json!({
            "iss": "ksef-sim",
            "sub": grant.context_nip,
            "typ": kind,
            "ref": grant.auth_reference,
            "per": perms,
            "jti": ids::random_hex(16),
            "iat": Utc::now().timestamp(),
            "exp": grant.valid_until.timestamp(),
        });
        let token = ids::jwt(&claims, &self.jwt_secret);
        let until = grant.valid_until;
        if inner.bearers.len() > 10_000 {
            let now = Utc::now();
            inner.bearers.retain(|_, g| g.valid_until > now);
        }
        inner.bearers.insert(token.clone(), grant);
        (token, until)
    }

    // ------------------------------------------------------------------- auth

    pub(crate) fn challenge(&self) -> (String, DateTime<Utc>) {
        let now = Utc::now();
        let challenge = ids::reference_number(RefKind::Challenge, now);
        let mut inner = self.inner();
        if inner.challenges.len() > 10_000 {
            inner
                .challenges
                .retain(|_, (_, created)| now - *created < chrono::Duration::minutes(10));
        }
        inner
            .challenges
            .insert(challenge.clone(), (now.timestamp_millis(), now));
        (challenge, now)
    }

    /// `POST /auth/ksef-token`: returns (referenceNumber, token, validUntil).
    pub(crate) fn init_token_auth(
        &self,
        challenge: &str,
        context_type: &str,
        context_value: &str,
        encrypted_token: &str,
        public_key_id: Option<&str>,
    ) -> Result<(String, String, DateTime<Utc>), ApiError> {
        let now = Utc::now();
        if let Some(id) = public_key_id {
            if id != self.keys.token.public_key_id {
                return Err(ApiError::bad(
                    21470,
                    "Przesłany identyfikator klucza jest nieznany lub wskazuje na wycofany klucz.",
                    format!("Klucz o identyfikatorze {id} nie jest wspierany."),
                ));
            }
        }
        let mut inner = self.inner();
        let Some((challenge_ms, created)) = inner.challenges.remove(challenge) else {
            return Err(ApiError::bad(
                21111,
                "Nieprawidłowe wyzwanie autoryzacyjne.",
                "",
            ));
        };
        if now - created > chrono::Duration::minutes(10) {
            return Err(ApiError::bad(
                21111,
                "Nieprawidłowe wyzwanie autoryzacyjne.",
                "",
            ));
        }
        let encrypted = crypto::b64_decode(encrypted_token)
            .map_err(|_| ApiError::validation("encryptedToken nie jest poprawnym Base64"))?;

        let bad_token = |detail: &str| AuthOutcome {
            code: 450,
            description: "Uwierzytelnianie zakończone niepowodzeniem z powodu błędnego tokenu",
            details: vec![detail.to_owned()],
        };
        let mut permissions = Vec::new();
        let mut ksef_token = None;
        let mut token_reference = ids::reference_number(RefKind::Token, now);
        let outcome = match self.keys.token.decrypt_oaep(&encrypted) {
            Err(_) => bad_token("Nieprawidłowy token"),
            Ok(plain) => {
                let plain = String::from_utf8_lossy(&plain).into_owned();
                match plain.rsplit_once('|') {
                    None => bad_token("Nieprawidłowy token"),
                    Some((value, ts)) => {
                        if ts.trim().parse::<i64>().ok() != Some(challenge_ms) {
                            bad_token("Nieprawidłowy czas tokena")
                        } else {
                            match inner.tokens.get(value) {
                                None => bad_token("Nieprawidłowy token"),
                                Some(t) if t.revoked => bad_token("Token unieważniony"),
                                Some(t) if t.spec.valid_until.is_some_and(|u| u <= now) => {
                                    bad_token("Token nieaktywny")
                                }
                                Some(t)
                                    if context_type != "Nip"
                                        || t.spec.context_nip != context_value =>
                                {
                                    AuthOutcome {
                                        code: 415,
                                        description: "Uwierzytelnianie zakończone niepowodzeniem",
                                        details: vec!["Brak przypisanych uprawnień".into()],
                                    }
                                }
                                Some(t) if t.spec.permissions.is_empty() => AuthOutcome {
                                    code: 415,
                                    description: "Uwierzytelnianie zakończone niepowodzeniem",
                                    details: vec!["Brak przypisanych uprawnień".into()],
                                },
                                Some(t) => {
                                    let _ = t;
                                    let t = match inner.tokens.get_mut(value) {
                                        Some(t) => {
                                            t.last_use = Some(now);
                                            t.clone()
                                        }
                                        None => return Err(ApiError::internal("token vanished")),
                                    };
                                    permissions = t.spec.permissions.clone();
                                    ksef_token = Some(value.to_owned());
                                    token_reference = t.reference.clone();
                                    AuthOutcome {
                                        code: 200,
                                        description: "Uwierzytelnianie zakończone sukcesem",
                                        details: vec![],
                                    }
                                }
                            }
                        }
                    }
                }
            }
        };
        let outcome = match self.config.token_auth_refused_from {
            // Rehearses 1 January 2027: KSeF tokens stop working, certificates remain.
            Some(from) if now >= from => bad_token("Token nieaktywny"),
            _ => outcome,
        };
        let outcome = if self.policy().blocked_contexts.contains(context_value) {
            AuthOutcome {
                code: 480,
                description: "Uwierzytelnienie zablokowane",
                details: vec!["Podejrzenie incydentu bezpieczeństwa. Skontaktuj się z Ministerstwem Finansów przez formularz zgłoszeniowy.".into()],
            }
        } else {
            outcome
        };
        if outcome.code != 200 {
            permissions.clear();
            ksef_token = None;
        }
        tracing::info!(code = outcome.code, "authentication operation started");
        let reference = ids::reference_number(RefKind::Auth, now);
        inner.auth_ops.insert(
            reference.clone(),
            AuthOperation {
                started: now,
                ready_at: now + chrono_dur(self.config.timing.auth_delay),
                context_nip: context_value.to_owned(),
                outcome,
                token_reference,
                redeemed: false,
                last_refresh: None,
                refresh_valid_until: None,
                method: AuthMethod::Token,
            },
        );
        let (token, until) = self.issue_bearer(
            &mut inner,
            BearerGrant {
                kind: BearerKind::Authentication,
                auth_reference: reference.clone(),
                context_nip: context_value.to_owned(),
                permissions,
                valid_until: now + chrono_dur(self.config.timing.auth_token_ttl),
                ksef_token,
                signer: None,
            },
        );
        Ok((reference, token, until))
    }

    /// Resolves a bearer token of the given kind.
    pub(crate) fn bearer(
        &self,
        inner: &Inner,
        token: Option<&str>,
        kind: BearerKind,
    ) -> Result<BearerGrant, ApiError> {
        let Some(token) = token else {
            return Err(ApiError::Unauthorized(
                "Wymagane jest uwierzytelnienie.".into(),
            ));
        };
        let grant = inner
            .bearers
            .get(token)
            .filter(|g| g.kind == kind)
            .ok_or_else(|| ApiError::Unauthorized("Nieprawidłowy token.".into()))?;
        if grant.valid_until <= Utc::now() {
            return Err(ApiError::Unauthorized("Token wygasł.".into()));
        }
        if let Some(t) = &grant.ksef_token {
            if inner.tokens.get(t).is_none_or(|t| t.revoked) {
                return Err(ApiError::Unauthorized(
                    "Token KSeF został unieważniony.".into(),
                ));
            }
        }
        Ok(grant.clone())
    }

    pub(crate) fn auth_status(
        &self,
        bearer: Option<&str>,
        reference: &str,
    ) -> Result<Value, ApiError> {
        let inner = self.inner();
        let grant = self.bearer(&inner, bearer, BearerKind::Authentication)?;
        let op = inner.auth_ops.get(reference).ok_or_else(|| {
            ApiError::bad(
                21304,
                "Brak uwierzytelnienia.",
                format!("Operacja uwierzytelniania o numerze referencyjnym {reference} nie została znaleziona."),
            )
        })?;
        if Utc::now() - op.started > chrono::Duration::days(7) {
            return Err(ApiError::Gone(format!(
                "Operacja uwierzytelniania {reference} nie jest już dostępna."
            )));
        }
        if grant.auth_reference != reference {
            return Err(ApiError::Forbidden {
                reason_code: "insufficient-resource-access",
                detail: "Brak dostępu do wskazanego zasobu.".into(),
                security: None,
            });
        }
        Ok(auth_op_json(op, Utc::now()))
    }

    /// `GET /auth/sessions`: active (redeemed, not revoked) authentications of the context.
    pub(crate) fn auth_sessions(&self, caller: &Caller) -> Value {
        let now = Utc::now();
        let inner = self.inner();
        let mut ops: Vec<(&String, &AuthOperation)> = inner
            .auth_ops
            .iter()
            .filter(|(_, op)| {
                op.context_nip == caller.context_nip
                    && op.redeemed
                    && op.outcome.code == 200
                    && op.refresh_valid_until.is_some_and(|u| u > now)
            })
            .collect();
        ops.sort_by_key(|(_, op)| std::cmp::Reverse(op.started));
        let items: Vec<Value> = ops
            .into_iter()
            .map(|(reference, op)| {
                let mut v = auth_op_json(op, now);
                v["referenceNumber"] = json!(reference);
                v["isCurrent"] = json!(*reference == caller.auth_reference);
                v
            })
            .collect();
        json!({"items": items})
    }

    /// `DELETE /auth/sessions/{referenceNumber}`: false when unknown in the context.
    pub(crate) fn revoke_auth_in_context(&self, caller: &Caller, reference: &str) -> bool {
        let known = self
            .inner()
            .auth_ops
            .get(reference)
            .is_some_and(|op| op.context_nip == caller.context_nip);
        if known {
            self.revoke_auth(reference);
        }
        known
    }

    pub(crate) fn redeem(&self, bearer: Option<&str>) -> Result<Value, ApiError> {
        let mut inner = self.inner();
        let grant = self.bearer(&inner, bearer, BearerKind::Authentication)?;
        let now = Utc::now();
        let reference = grant.auth_reference.clone();
        let op = inner.auth_ops.get_mut(&reference).ok_or_else(|| {
            ApiError::bad(21304, "Brak uwierzytelnienia.", format!("Operacja uwierzytelniania o numerze referencyjnym {reference} nie została znaleziona."))
        })?;
        if op.redeemed {
            return Err(ApiError::bad(
                21301,
                "Brak autoryzacji.",
                format!("Tokeny dla operacji uwierzytelniania {reference} zostały już pobrane."),
            ));
        }
        let code = if now < op.ready_at {
            100
        } else {
            op.outcome.code
        };
        if code != 200 {
            return Err(ApiError::bad(
                21301,
                "Brak autoryzacji.",
                format!("Status uwierzytelniania ({code}) nie pozwala na pobranie tokenów."),
            ));
        }
        let refresh_until = now + chrono_dur(self.config.timing.refresh_token_ttl);
        op.redeemed = true;
        op.refresh_valid_until = Some(refresh_until);
        let access_until = now + chrono_dur(self.config.timing.access_token_ttl);
        let base = BearerGrant {
            kind: BearerKind::Access,
            auth_reference: reference,
            context_nip: grant.context_nip,
            permissions: grant.permissions,
            valid_until: access_until,
            ksef_token: grant.ksef_token,
            signer: grant.signer,
        };
        let (access, a_until) = self.issue_bearer(&mut inner, base.clone());
        let (refresh, r_until) = self.issue_bearer(
            &mut inner,
            BearerGrant {
                kind: BearerKind::Refresh,
                valid_until: refresh_until,
                ..base
            },
        );
        Ok(json!({
            "accessToken": {"token": access, "validUntil": fmt_dt(a_until)},
            "refreshToken": {"token": refresh, "validUntil": fmt_dt(r_until)},
        }))
    }

    pub(crate) fn refresh(&self, bearer: Option<&str>) -> Result<Value, ApiError> {
        let mut inner = self.inner();
        let grant = self.bearer(&inner, bearer, BearerKind::Refresh)?;
        let now = Utc::now();
        let until = (now + chrono_dur(self.config.timing.access_token_ttl)).min(grant.valid_until);
        if let Some(op) = inner.auth_ops.get_mut(&grant.auth_reference) {
            op.last_refresh = Some(now);
        }
        let (access, a_until) = self.issue_bearer(
            &mut inner,
            BearerGrant {
                kind: BearerKind::Access,
                valid_until: until,
                ..grant
            },
        );
        Ok(json!({"accessToken": {"token": access, "validUntil": fmt_dt(a_until)}}))
    }

    /// Checks an access token and that it carries one of `any_of` (empty: none needed).
    pub(crate) fn caller(
        &self,
        bearer: Option<&str>,
        any_of: &[Permission],
    ) -> Result<Caller, ApiError> {
        let inner = self.inner();
        let grant = self.bearer(&inner, bearer, BearerKind::Access)?;
        if !any_of.is_empty() && !any_of.iter().any(|p| grant.permissions.contains(p)) {
            let required: Vec<&str> = any_of.iter().map(|p| p.as_str()).collect();
            let present: Vec<&str> = grant.permissions.iter().map(|p| p.as_str()).collect();
            return Err(ApiError::Forbidden {
                reason_code: "missing-permissions",
                detail: "Brak wymaganych uprawnień do wykonania operacji w bieżącym kontekście."
                    .into(),
                security: Some(
                    json!({"requiredAnyOfPermissions": required, "presentPermissions": present}),
                ),
            });
        }
        if self.policy().blocked_contexts.contains(&grant.context_nip) {
            return Err(ApiError::Forbidden {
                reason_code: "security-service-blocked",
                detail: "Żądanie zostało zablokowane przez mechanizmy bezpieczeństwa.".into(),
                security: Some(json!({"incidentId": ids::random_hex(12), "clientIp": "127.0.0.1"})),
            });
        }
        let token_reference = inner
            .auth_ops
            .get(&grant.auth_reference)
            .map(|op| op.token_reference.clone())
            .unwrap_or_default();
        Ok(Caller {
            context_nip: grant.context_nip,
            token_reference,
            permissions: grant.permissions,
            auth_reference: grant.auth_reference,
        })
    }

    /// Revokes the caller's authentication (`DELETE /auth/sessions/current`).
    pub(crate) fn revoke_auth(&self, auth_reference: &str) {
        let mut inner = self.inner();
        inner
            .bearers
            .retain(|_, g| g.auth_reference != auth_reference);
        if let Some(op) = inner.auth_ops.get_mut(auth_reference) {
            op.outcome = AuthOutcome {
                code: 425,
                description: "Uwierzytelnienie unieważnione",
                details: vec!["Uwierzytelnienie i powiązane refresh tokeny zostały unieważnione przez użytkownika".into()],
            };
        }
    }

    // --------------------------------------------------------------- sessions

    /// Decrypts an `encryption` block: Ok(Some(key)) / Ok(None) when the key does not decrypt.
    pub(crate) fn session_key(
        &self,
        encrypted_key: &str,
        iv: &str,
        public_key_id: Option<&str>,
    ) -> Result<(Option<Vec<u8>>, Vec<u8>), ApiError> {
        if let Some(id) = public_key_id {
            if id != self.keys.symmetric.public_key_id {
                return Err(ApiError::bad(
                    21470,
                    "Przesłany identyfikator klucza jest nieznany lub wskazuje na wycofany klucz.",
                    format!("Klucz o identyfikatorze {id} nie jest wspierany."),
                ));
            }
        }
        let iv = crypto::b64_decode(iv)
            .ok()
            .filter(|v| v.len() == 16)
            .ok_or_else(|| {
                ApiError::validation("initializationVector musi mieć 16 bajtów (Base64)")
            })?;
        let wrapped = crypto::b64_decode(encrypted_key)
            .map_err(|_| ApiError::validation("encryptedSymmetricKey nie jest poprawnym Base64"))?;
        let key = self
            .keys
            .symmetric
            .decrypt_oaep(&wrapped)
            .ok()
            .filter(|k| k.len() == 32);
        Ok((key, iv))
    }

    pub(crate) fn open_session(
        &self,
        caller: &Caller,
        kind: SessionKind,
        key: Option<Vec<u8>>,
        iv: Vec<u8>,
        batch: Option<BatchState>,
        offline_mode: bool,
    ) -> Session {
        let now = Utc::now();
        let reference = ids::reference_number(
            match kind {
                SessionKind::Online => RefKind::OnlineSession,
                SessionKind::Batch => RefKind::BatchSession,
            },
            now,
        );
        let failure = key.is_none().then(|| SessionFailure {
            code: 415,
            description: "Błąd odszyfrowania dostarczonego klucza",
            details: vec![],
        });
        let session = Session {
            reference: reference.clone(),
            kind,
            context_nip: caller.context_nip.clone(),
            token_reference: caller.token_reference.clone(),
            key,
            iv,
            created: now,
            updated: now,
            valid_until: now + chrono_dur(self.config.timing.online_session_ttl),
            closed_at: None,
            processing: false,
            invoices: Vec::new(),
            failure,
            upo_reference: ids::reference_number(RefKind::Upo, now),
            batch,
            offline_mode,
        };
        self.inner().sessions.insert(reference, session.clone());
        tracing::info!(session = %session.reference, ?kind, "session opened");
        session
    }

    /// Looks a session up for its owner (400 21173 otherwise).
    pub(crate) fn with_session<T>(
        &self,
        caller: &Caller,
        reference: &str,
        f: impl FnOnce(&mut Session) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let mut inner = self.inner();
        match inner.sessions.get_mut(reference) {
            Some(s) if s.context_nip == caller.context_nip => f(s),
            _ => Err(no_session(reference)),
        }
    }

    /// Records one decrypted, already assessed invoice in a session (online or batch).
    /// Call [`assess`] outside the state lock: it is the expensive part.
    pub(crate) fn record(
        &self,
        session: &mut Session,
        xml: &[u8],
        assessed: Result<InvoiceFacts, Rejection>,
        file_name: Option<String>,
        offline: bool,
        hash_of_corrected: Option<String>,
    ) -> Result<String, ApiError> {
        let now = Utc::now();
        let ordinal = u32::try_from(session.invoices.len() + 1).unwrap_or(u32::MAX);
        let reference = ids::reference_number(RefKind::Invoice, now);
        let invoice_hash = crypto::sha256_b64(xml);
        let delay = self.processing_delay();
        let ready_at = now + delay;
        let processing_at = now + delay / 2;
        let mut offline = offline;
        let outcome = match assessed {
            Err(r) => Outcome::Rejected {
                code: r.code,
                details: r.details,
                extensions: None,
                invoice_number: r.invoice_number,
            },
            Ok(facts) => {
                // KSeF classifies an invoice issued before the day of receipt as Offline.
                offline = offline || facts.issue_date < ids::polish_date(now);
                self.accept(
                    session,
                    &facts,
                    xml,
                    &reference,
                    now,
                    ready_at,
                    offline,
                    hash_of_corrected,
                )?
            }
        };
        let code = match &outcome {
            Outcome::Accepted { .. } => 200,
            Outcome::Rejected { code, .. } => *code,
        };
        tracing::info!(session = %session.reference, invoice = %reference, code, "invoice received");
        session.invoices.push(SessionInvoice {
            ordinal,
            reference: reference.clone(),
            invoice_hash,
            file_name,
            received: now,
            processing_at,
            ready_at,
            offline,
            outcome,
        });
        session.updated = now;
        Ok(reference)
    }

    /// Records an invoice whose content does not decrypt with the session key (435).
    pub(crate) fn reject_undecryptable(
        &self,
        session: &mut Session,
        invoice_hash: &str,
        offline: bool,
    ) -> String {
        let now = Utc::now();
        let delay = self.processing_delay();
        let reference = ids::reference_number(RefKind::Invoice, now);
        session.invoices.push(SessionInvoice {
            ordinal: u32::try_from(session.invoices.len() + 1).unwrap_or(u32::MAX),
            reference: reference.clone(),
            invoice_hash: invoice_hash.to_owned(),
            file_name: None,
            received: now,
            processing_at: now + delay / 2,
            ready_at: now + delay,
            offline,
            outcome: Outcome::Rejected {
                code: 435,
                details: vec!["Nie można odszyfrować pliku faktury kluczem sesji".into()],
                extensions: None,
                invoice_number: None,
            },
        });
        session.updated = now;
        reference
    }

    #[allow(clippy::too_many_arguments)]
    fn accept(
        &self,
        session: &Session,
        facts: &InvoiceFacts,
        xml: &[u8],
        invoice_reference: &str,
        now: DateTime<Utc>,
        ready_at: DateTime<Utc>,
        offline: bool,
        hash_of_corrected: Option<String>,
    ) -> Result<Outcome, ApiError> {
        if facts.seller_nip != session.context_nip {
            return Ok(Outcome::Rejected {
                code: 410,
                details: vec![format!(
                    "Brak uprawnień do wystawienia faktury w imieniu podmiotu {} w kontekście {}",
                    facts.seller_nip, session.context_nip
                )],
                extensions: None,
                invoice_number: Some(facts.invoice_number.clone()),
            });
        }
        // Attachments: only in batch sessions (online only for a technical correction),
        // and only for taxpayers who registered for them.
        let attachment_refusal = if !facts.has_attachment {
            None
        } else if !self.inner_attachment_allowed(&facts.seller_nip) {
            Some("Podmiot nie zgłosił możliwości wystawiania faktur z załącznikiem")
        } else if session.kind == SessionKind::Online && hash_of_corrected.is_none() {
            Some("Faktury z załącznikiem można wysyłać tylko w sesji wsadowej")
        } else {
            None
        };
        if let Some(detail) = attachment_refusal {
            return Ok(Outcome::Rejected {
                code: 415,
                details: vec![detail.into()],
                extensions: None,
                invoice_number: Some(facts.invoice_number.clone()),
            });
        }
        if facts.issue_date > ids::polish_date(now) {
            return Ok(Outcome::Rejected {
                code: 450,
                details: vec![format!(
                    "Data wystawienia faktury (P_1 = {}) jest późniejsza niż data przyjęcia dokumentu do KSeF",
                    facts.issue_date
                )],
                extensions: None,
                invoice_number: Some(facts.invoice_number.clone()),
            });
        }
        if let Some((ksef, original_session)) = self.store.find_duplicate(
            &facts.seller_nip,
            &facts.invoice_type,
            &facts.invoice_number,
        )? {
            return Ok(Outcome::Rejected {
                code: 440,
                details: vec![format!(
                    "Duplikat faktury. Faktura o numerze KSeF: {ksef} została już prawidłowo przesłana do systemu w sesji: {original_session}"
                )],
                extensions: Some(json!({
                    "originalSessionReferenceNumber": original_session,
                    "originalKsefNumber": ksef,
                })),
                invoice_number: Some(facts.invoice_number.clone()),
            });
        }
        let ksef_number = ids::ksef_number(&facts.seller_nip, ids::polish_date(ready_at));
        let permanent_storage = ready_at + chrono_dur(self.config.timing.permanent_storage_lag);
        self.store.insert(&stored_from_facts(
            facts,
            xml,
            &ksef_number,
            now,
            ready_at,
            permanent_storage,
            if offline { "Offline" } else { "Online" },
            hash_of_corrected,
            &session.reference,
            invoice_reference,
        ))?;
        Ok(Outcome::Accepted {
            ksef_number,
            invoice_number: facts.invoice_number.clone(),
            issue_date: facts.issue_date,
            seller_nip: facts.seller_nip.clone(),
            acquisition: ready_at,
            permanent_storage,
        })
    }

    fn inner_attachment_allowed(&self, nip: &str) -> bool {
        self.policy()
            .attachment_nips
            .get(nip)
            .copied()
            .unwrap_or(self.config.attachments_allowed)
    }

    pub(crate) fn policy(&self) -> MutexGuard<'_, Policy> {
        lock(&self.policy)
    }

    /// Adds a pre-signed URL and returns it.
    pub(crate) fn presign(&self, inner: &mut Inner, target: Presigned) -> (String, DateTime<Utc>) {
        let now = Utc::now();
        if inner.presigned.len() > 10_000 {
            inner.presigned.retain(|_, (_, until)| *until > now);
        }
        let sig = ids::random_hex(40).to_ascii_lowercase();
        let until = now + chrono_dur(self.config.timing.presigned_url_ttl);
        inner.presigned.insert(sig.clone(), (target, until));
        (format!("{}/storage/{sig}", self.origin), until)
    }

    pub(crate) fn invoice_status_json(
        &self,
        inner: &mut Inner,
        session: &str,
        inv: &SessionInvoice,
    ) -> Value {
        let now = Utc::now();
        let mut v = json!({
            "ordinalNumber": inv.ordinal,
            "referenceNumber": inv.reference,
            "invoiceHash": inv.invoice_hash,
            "invoicingDate": fmt_dt(inv.received),
            "invoicingMode": if inv.offline { "Offline" } else { "Online" },
        });
        let Some(obj) = v.as_object_mut() else {
            return v;
        };
        if let Some(name) = &inv.file_name {
            obj.insert("invoiceFileName".into(), json!(name));
        }
        if now < inv.processing_at {
            obj.insert(
                "status".into(),
                json!({"code": 100, "description": invoice_status_description(100)}),
            );
        } else if now < inv.ready_at {
            obj.insert(
                "status".into(),
                json!({"code": 150, "description": "Trwa przetwarzanie"}),
            );
        } else {
            match &inv.outcome {
                Outcome::Accepted {
                    ksef_number,
                    invoice_number,
                    acquisition,
                    permanent_storage,
                    ..
                } => {
                    obj.insert("ksefNumber".into(), json!(ksef_number));
                    obj.insert("invoiceNumber".into(), json!(invoice_number));
                    obj.insert("acquisitionDate".into(), json!(fmt_dt(*acquisition)));
                    if *permanent_storage <= now {
                        obj.insert(
                            "permanentStorageDate".into(),
                            json!(fmt_dt(*permanent_storage)),
                        );
                    }
                    let (url, until) = self.presign(
                        inner,
                        Presigned::InvoiceUpo {
                            session: session.to_owned(),
                            invoice: inv.reference.clone(),
                        },
                    );
                    obj.insert("upoDownloadUrl".into(), json!(url));
                    obj.insert("upoDownloadUrlExpirationDate".into(), json!(fmt_dt(until)));
                    obj.insert(
                        "status".into(),
                        json!({"code": 200, "description": "Sukces"}),
                    );
                }
                Outcome::Rejected {
                    code,
                    details,
                    extensions,
                    invoice_number,
                } => {
                    if let Some(n) = invoice_number {
                        obj.insert("invoiceNumber".into(), json!(n));
                    }
                    let mut status = json!({"code": code, "description": invoice_status_description(*code), "details": details});
                    if let (Some(ext), Some(s)) = (extensions, status.as_object_mut()) {
                        s.insert("extensions".into(), ext.clone());
                    }
                    obj.insert("status".into(), status);
                }
            }
        }
        v
    }

    /// The session status code and description at `now`.
    pub(crate) fn session_status(
        session: &Session,
        now: DateTime<Utc>,
    ) -> (u16, &'static str, Vec<String>) {
        if let Some(f) = &session.failure {
            return (f.code, f.description, f.details.clone());
        }
        if session.processing {
            return (150, "Trwa przetwarzanie", vec![]);
        }
        let closed = session
            .closed_at
            .or((session.valid_until <= now).then_some(session.valid_until));
        let Some(_closed) = closed else {
            return match session.kind {
                SessionKind::Online => (100, "Sesja interaktywna otwarta", vec![]),
                SessionKind::Batch => (100, "Sesja wsadowa rozpoczęta", vec![]),
            };
        };
        if session.invoices.is_empty() {
            return (440, "Sesja anulowana", vec!["Nie przesłano faktur".into()]);
        }
        if session.invoices.iter().any(|i| now < i.ready_at) {
            return match session.kind {
                SessionKind::Online => (170, "Sesja interaktywna zamknięta", vec![]),
                SessionKind::Batch => (150, "Trwa przetwarzanie", vec![]),
            };
        }
        if !session
            .invoices
            .iter()
            .any(|i| matches!(i.outcome, Outcome::Accepted { .. }))
        {
            return (445, "Błąd weryfikacji, brak poprawnych faktur", vec![]);
        }
        match session.kind {
            SessionKind::Online => (200, "Sesja interaktywna przetworzona pomyślnie", vec![]),
            SessionKind::Batch => (200, "Sesja wsadowa przetworzona pomyślnie", vec![]),
        }
    }

    pub(crate) fn upo_context(session: &Session) -> UpoContext {
        UpoContext {
            session_reference: session.reference.clone(),
            context_nip: session.context_nip.clone(),
            token_reference: session.token_reference.clone(),
        }
    }

    pub(crate) fn upo_document(inv: &SessionInvoice) -> Option<UpoDocument> {
        match &inv.outcome {
            Outcome::Accepted {
                ksef_number,
                invoice_number,
                issue_date,
                seller_nip,
                acquisition,
                ..
            } => Some(UpoDocument {
                seller_nip: seller_nip.clone(),
                ksef_number: ksef_number.clone(),
                invoice_number: invoice_number.clone(),
                issue_date: *issue_date,
                sent: inv.received,
                acquired: *acquisition,
                hash: inv.invoice_hash.clone(),
                mode: if inv.offline { "Offline" } else { "Online" }.into(),
            }),
            Outcome::Rejected { .. } => None,
        }
    }

    /// The session UPO, once the session is processed (status 200).
    pub(crate) fn session_upo_xml(session: &Session) -> Option<String> {
        let (code, _, _) = Self::session_status(session, Utc::now());
        if code != 200 {
            return None;
        }
        let docs: Vec<UpoDocument> = session
            .invoices
            .iter()
            .filter_map(Self::upo_document)
            .collect();
        Some(upo::session_upo(&Self::upo_context(session), &docs))
    }

    /// An invoice UPO, once the invoice is accepted.
    pub(crate) fn invoice_upo_xml(session: &Session, inv: &SessionInvoice) -> Option<String> {
        if Utc::now() < inv.ready_at {
            return None;
        }
        Self::upo_document(inv).map(|d| upo::invoice_upo(&Self::upo_context(session), &d))
    }

    pub(crate) fn session_by_reference(&self, reference: &str) -> Option<Session> {
        self.inner().sessions.get(reference).cloned()
    }
}

/// Invoice size limits: 1 MB, or 3 MB with an attachment (`Zalacznik`).
fn too_big(len: usize, has_attachment: bool) -> bool {
    len > if has_attachment { 3 } else { 1 } * 1024 * 1024
}

/// The receipt checks of one decrypted invoice (structure, semantics, size). Pure and
/// possibly slow (full XSD validation): run it outside the state lock.
pub(crate) fn assess(xml: &[u8]) -> Result<InvoiceFacts, Rejection> {
    let facts = check_invoice(xml)?;
    if too_big(xml.len(), facts.has_attachment) {
        return Err(Rejection {
            code: 430,
            details: vec![format!(
                "Rozmiar pliku faktury ({} B) przekracza limit {} MB",
                xml.len(),
                if facts.has_attachment { 3 } else { 1 }
            )],
            invoice_number: Some(facts.invoice_number),
        });
    }
    Ok(facts)
}

pub(crate) fn no_session(reference: &str) -> ApiError {
    ApiError::bad(
        21173,
        "Brak sesji o wskazanym numerze referencyjnym.",
        format!("Sesja o numerze referencyjnym {reference} nie została odnaleziona."),
    )
}

/// The official description of an invoice status code.
pub fn invoice_status_description(code: u16) -> &'static str {
    match code {
        100 => "Faktura przyjęta do dalszego przetwarzania",
        150 => "Trwa przetwarzanie",
        200 => "Sukces",
        405 => "Przetwarzanie anulowane z powodu błędu sesji",
        410 => "Nieprawidłowy zakres uprawnień",
        415 => "Brak możliwości wysyłania faktury z załącznikiem",
        430 => "Błąd weryfikacji pliku faktury",
        435 => "Błąd odszyfrowania pliku",
        440 => "Duplikat faktury",
        450 => "Błąd weryfikacji semantyki dokumentu faktury",
        550 => "Operacja została anulowana przez system",
        _ => "Nieznany błąd (500)",
    }
}

/// Builds the stored row of an accepted invoice.
#[allow(clippy::too_many_arguments)]
pub(crate) fn stored_from_facts(
    facts: &InvoiceFacts,
    xml: &[u8],
    ksef_number: &str,
    invoicing: DateTime<Utc>,
    acquisition: DateTime<Utc>,
    permanent_storage: DateTime<Utc>,
    mode: &str,
    hash_of_corrected: Option<String>,
    session_reference: &str,
    invoice_reference: &str,
) -> StoredInvoice {
    StoredInvoice {
        ksef_number: ksef_number.to_owned(),
        seller_nip: facts.seller_nip.clone(),
        seller_name: facts.seller_name.clone(),
        buyer_id_type: facts.buyer.type_str().to_owned(),
        buyer_id_value: facts.buyer.value().map(str::to_owned),
        buyer_name: facts.buyer_name.clone(),
        invoice_number: facts.invoice_number.clone(),
        issue_date: facts.issue_date,
        invoicing_date: invoicing,
        acquisition_date: acquisition,
        permanent_storage_date: permanent_storage,
        net_amount: facts.net_amount,
        gross_amount: facts.gross_amount,
        vat_amount: facts.vat_amount,
        currency: facts.currency.clone(),
        invoice_type: facts.invoice_type.clone(),
        system_code: facts.system_code.clone(),
        schema_version: facts.schema_version.clone(),
        invoicing_mode: mode.to_owned(),
        is_self_invoicing: facts.is_self_invoicing,
        has_attachment: facts.has_attachment,
        invoice_hash: crypto::sha256_b64(xml),
        hash_of_corrected_invoice: hash_of_corrected,
        session_reference: session_reference.to_owned(),
        invoice_reference: invoice_reference.to_owned(),
        xml: xml.to_vec(),
    }
}

impl From<SimError> for SessionFailure {
    fn from(_: SimError) -> Self {
        SessionFailure {
            code: 500,
            description: "Nieznany błąd",
            details: vec![],
        }
    }
}
