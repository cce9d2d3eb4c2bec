//! Certificate sign-in (XAdES), KSeF certificates and the signed-in person's rights,
//! end to end against the simulator.

use std::sync::Arc;

use chrono::Utc;
use ksef_client::ksef_xades::{self, SigningCredential, SubjectIdentifierType};
use ksef_client::{
    CancellationToken, CertificateEnrollment, CertificateQuery, CertificateStatus, CertificateType,
    KsefClient, KsefError, PermissionScope, RevocationReason, SecretString,
};
use ksef_sim::certs::{self_signed, TestKey};
use ksef_sim::{CertificateKind, Permission, SimConfig, SubjectId};

use crate::common::*;

const SEAL: &str = "CN=Firma Testowa,O=Firma Testowa Sp. z o.o.,2.5.4.97=VATPL-5265877635,C=PL";
const PERSON: &str = "CN=Anna Nowak,2.5.4.42=Anna,2.5.4.4=Nowak,2.5.4.5=PNOPL-85020254321,C=PL";

fn credential(parts: &(Vec<u8>, Vec<u8>)) -> Arc<SigningCredential> {
    Arc::new(SigningCredential::from_parts(&parts.0, &parts.1).unwrap())
}

fn test_cert(subject: &str, key: TestKey) -> Arc<SigningCredential> {
    let now = Utc::now();
    credential(
        &self_signed(
            subject,
            key,
            now - chrono::Duration::days(1),
            now + chrono::Duration::days(365),
        )
        .unwrap(),
    )
}

async fn sign_in(
    client: &KsefClient,
    nip: &str,
    credential: Arc<SigningCredential>,
) -> ksef_client::Result<ksef_client::AuthInfo> {
    client
        .authenticate_with_certificate(
            nip,
            credential,
            SubjectIdentifierType::CertificateSubject,
            &CancellationToken::new(),
        )
        .await
}

fn auth_status(err: KsefError) -> ksef_client::StatusDetail {
    match err {
        KsefError::AuthenticationFailed { status } => status,
        other => panic!("expected an authentication failure, got {other:?}"),
    }
}

#[tokio::test]
async fn the_owners_self_signed_rsa_seal_signs_in_and_has_every_right() {
    let env = start(SimConfig::default()).await;
    let info = sign_in(&env.client, &env.sim.nip, test_cert(SEAL, TestKey::Rsa2048))
        .await
        .unwrap();
    let method = info.method.unwrap();
    assert_eq!(method.category, "XadesSignature");
    let perms = env.client.personal_permissions(&env.cancel).await.unwrap();
    let mut scopes: Vec<PermissionScope> = perms.iter().map(|p| p.permission_scope).collect();
    scopes.sort_by_key(|s| format!("{s:?}"));
    assert_eq!(scopes.len(), 7, "{perms:?}");
    assert!(scopes.contains(&PermissionScope::InvoiceWrite));
    // The refresh path works as for tokens, and the API is usable.
    env.client.refresh_now(&env.cancel).await.unwrap();
    env.client.list_tokens(&env.cancel).await.unwrap();
}

#[tokio::test]
async fn a_ksef_ec_certificate_signs_in_and_is_refused_when_revoked_or_expired() {
    let env = start(SimConfig::default()).await;
    let nip = env.sim.nip.clone();
    let issued = env
        .sim
        .issue_certificate(&nip, CertificateKind::Authentication)
        .unwrap();
    let info = sign_in(&env.client, &nip, credential(&issued))
        .await
        .unwrap();
    assert_eq!(info.method.unwrap().code, "xades.certificate.ksef");

    let now = Utc::now();
    let expired = env
        .sim
        .issue_certificate_valid(
            &nip,
            CertificateKind::Authentication,
            now - chrono::Duration::days(10),
            now - chrono::Duration::days(1),
        )
        .unwrap();
    let other = client_for(&env.sim, fast_config());
    let status = auth_status(
        sign_in(&other, &nip, credential(&expired))
            .await
            .unwrap_err(),
    );
    assert_eq!(status.code, 460, "{status:?}");

    // The owner lists and revokes its certificate; it signs in no more.
    let listed = env
        .client
        .query_certificates(&CertificateQuery::default(), &env.cancel)
        .await
        .unwrap();
    let serial = listed
        .iter()
        .find(|c| c.status == CertificateStatus::Active)
        .unwrap()
        .certificate_serial_number
        .clone();
    env.client
        .revoke_certificate(&serial, Some(RevocationReason::KeyCompromise), &env.cancel)
        .await
        .unwrap();
    let status = auth_status(
        sign_in(&other, &nip, credential(&issued))
            .await
            .unwrap_err(),
    );
    assert_eq!(status.code, 460);
    assert_eq!(status.details, ["Certyfikat odwołany"]);
}

#[tokio::test]
async fn a_person_signs_in_only_with_a_grant_and_sees_just_that_right() {
    let env = start(SimConfig::default()).await;
    let nip = env.sim.nip.clone();
    let person = test_cert(PERSON, TestKey::EcP256);
    let status = auth_status(
        sign_in(&env.client, &nip, person.clone())
            .await
            .unwrap_err(),
    );
    assert_eq!(status.code, 415, "{status:?}");
    env.sim.grant(
        &nip,
        SubjectId::Pesel("85020254321".into()),
        vec![Permission::InvoiceRead],
    );
    sign_in(&env.client, &nip, person).await.unwrap();
    let perms = env.client.personal_permissions(&env.cancel).await.unwrap();
    let scopes: Vec<PermissionScope> = perms.iter().map(|p| p.permission_scope).collect();
    assert_eq!(scopes, [PermissionScope::InvoiceRead]);
    let who = perms[0].authorized_identifier.as_ref().unwrap();
    assert_eq!(
        (who.kind.as_str(), who.value.as_str()),
        ("Pesel", "85020254321")
    );
}

#[tokio::test]
async fn after_the_cut_off_tokens_are_refused_and_certificates_still_work() {
    let env = start(SimConfig {
        token_auth_refused_from: Some(Utc::now() - chrono::Duration::minutes(1)),
        ..SimConfig::default()
    })
    .await;
    let err = env
        .client
        .authenticate_with_token(
            &env.sim.nip,
            SecretString::from(env.sim.token.clone()),
            &env.cancel,
        )
        .await
        .unwrap_err();
    let status = auth_status(err);
    assert_eq!(
        (status.code, status.details[0].as_str()),
        (450, "Token nieaktywny")
    );
    let issued = env
        .sim
        .issue_certificate(&env.sim.nip, CertificateKind::Authentication)
        .unwrap();
    sign_in(&env.client, &env.sim.nip, credential(&issued))
        .await
        .unwrap();
}

#[tokio::test]
async fn enrolment_is_refused_after_a_token_sign_in() {
    let env = start_authenticated().await;
    let err = env
        .client
        .certificate_enrollment_data(&env.cancel)
        .await
        .unwrap_err();
    assert_eq!(err.ksef_codes(), [25001], "{err:?}");
    let limits = env.client.certificate_limits(&env.cancel).await.unwrap();
    assert!(!limits.can_request);
    let key = ksef_xades::new_p256_key();
    let csr = ksef_xades::build_csr(&key, &[("2.5.4.3".into(), "X".into())]).unwrap();
    let err = env
        .client
        .enroll_certificate(
            &CertificateEnrollment {
                name: "Certyfikat tokenu".into(),
                kind: CertificateType::Authentication,
                csr_der: csr,
                valid_from: None,
            },
            &env.cancel,
        )
        .await
        .unwrap_err();
    assert_eq!(err.ksef_codes(), [25002], "{err:?}");
}

#[tokio::test]
async fn enrol_a_certificate_in_the_app_and_sign_in_with_it() {
    let env = start(SimConfig::default()).await;
    let nip = env.sim.nip.clone();
    sign_in(&env.client, &nip, test_cert(SEAL, TestKey::EcP256))
        .await
        .unwrap();
    let limits = env.client.certificate_limits(&env.cancel).await.unwrap();
    assert!(limits.can_request);
    assert_eq!(limits.certificate.remaining, 2);
    let data = env
        .client
        .certificate_enrollment_data(&env.cancel)
        .await
        .unwrap();
    assert_eq!(
        data.organization_identifier.as_deref(),
        Some("VATPL-5265877635")
    );
    let key = ksef_xades::new_p256_key();
    let csr = ksef_xades::build_csr(&key, &data.subject_attributes()).unwrap();
    let reference = env
        .client
        .enroll_certificate(
            &CertificateEnrollment {
                name: "KSeF Desk logowanie".into(),
                kind: CertificateType::Authentication,
                csr_der: csr,
                valid_from: None,
            },
            &env.cancel,
        )
        .await
        .unwrap();
    let serial = env
        .client
        .wait_for_enrollment(&reference, &env.cancel)
        .await
        .unwrap();
    let got = env
        .client
        .retrieve_certificates(std::slice::from_ref(&serial), &env.cancel)
        .await
        .unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].kind, CertificateType::Authentication);
    let new = Arc::new(SigningCredential::from_parts(&got[0].der, &key).unwrap());
    assert_eq!(new.certificate().serial_hex.to_uppercase(), serial);

    let second = client_for(&env.sim, fast_config());
    let info = sign_in(&second, &nip, new.clone()).await.unwrap();
    assert_eq!(info.method.unwrap().code, "xades.certificate.ksef");
    let listed = second
        .query_certificates(
            &CertificateQuery {
                kind: Some(CertificateType::Authentication),
                ..CertificateQuery::default()
            },
            &env.cancel,
        )
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].certificate_serial_number, serial);
    assert_eq!(listed[0].name, "KSeF Desk logowanie");
    assert!(listed[0].last_use_date.is_some());

    env.client
        .revoke_certificate(&serial, None, &env.cancel)
        .await
        .unwrap();
    let third = client_for(&env.sim, fast_config());
    let status = auth_status(sign_in(&third, &nip, new).await.unwrap_err());
    assert_eq!(status.code, 460);
    let limits = env.client.certificate_limits(&env.cancel).await.unwrap();
    assert_eq!(limits.enrollment.remaining, limits.enrollment.limit - 1);
}
