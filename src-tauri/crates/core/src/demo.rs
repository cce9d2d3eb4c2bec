//! The demo profile: a sample company with contractors and a user holding
//! every role, so that a first start shows a working app.

use desk_store::{
    KsefEnvironment, NewAuditEntry, NewCompany, NewContractor, NewUser, Role, Timestamp, Tx,
};

use secrecy::SecretString;

use crate::access::authorize;
use crate::{CoreError, Desk, Result};

/// The demo company's NIP (valid checksum; it is the simulator's demo company).
pub const DEMO_NIP: &str = "5265877635";

impl Desk {
    /// Fills an empty profile with the demo company (and its sales, see
    /// [`Desk::seed_demo_sales`]). Returns `false` and
    /// changes nothing when the profile already has a company.
    pub fn seed_demo(&self) -> Result<bool> {
        let now = self.clock().now();
        self.store().write_with(|tx| {
            if !tx.list_companies()?.is_empty() {
                return Ok(false);
            }
            let company = tx.insert_company(
                &NewCompany {
                    nip: DEMO_NIP.into(),
                    name: "Pracownia Demo Sp. z o.o.".into(),
                    address_line1: "ul. Marszałkowska 84/92".into(),
                    address_line2: "00-514 Warszawa".into(),
                    ksef_environment: KsefEnvironment::Simulator,
                    ksef_base_url: None,
                },
                now,
            )?;
            for contractor in demo_contractors() {
                tx.insert_contractor(company.id, &contractor, now)?;
            }
            let user = tx.insert_user(
                &NewUser {
                    login: "demo".into(),
                    display_name: "Użytkownik demo".into(),
                },
                now,
            )?;
            for role in Role::ALL {
                tx.grant_role(user.id, company.id, role)?;
            }
            crate::sales::seed_demo_sales_in(tx, &company, now)?;
            tx.append_audit(&NewAuditEntry {
                at: now,
                user_id: Some(user.id),
                company_id: Some(company.id),
                action: "demo.seeded",
                detail: "",
            })?;
            Ok(true)
        })
    }
}

impl Desk {
    /// Whether this profile may be wiped back to the demo data: every company in it
    /// works with a simulator (nothing real is lost) and the user administers them all.
    pub fn check_demo_reset(&self) -> Result<()> {
        let now = self.clock().now();
        self.store().write(|tx| Ok(demo_reset_allowed(tx, now)))?
    }

    /// Whether any company works with the built-in simulator (which then must run).
    pub fn has_simulator_companies(&self) -> Result<bool> {
        Ok(self.store().read(|tx| {
            Ok(tx
                .list_companies()?
                .iter()
                .any(|c| c.ksef_environment == KsefEnvironment::Simulator))
        })?)
    }

    /// Points the simulator companies at the built-in simulator, whose port
    /// changes with each start.
    pub fn point_simulator_companies_at(&self, base_url: &str) -> Result<usize> {
        Ok(self
            .store()
            .write(|tx| tx.set_simulator_base_url(base_url))?)
    }

    /// Points the simulator companies at the built-in simulator, whose port
    /// changes with each start, and connects the demo company with the
    /// simulator's demo token (a real authentication over loopback).
    pub async fn connect_demo_company(&self, base_url: &str, token: SecretString) -> Result<()> {
        let demo = self.store().write(|tx| {
            tx.set_simulator_base_url(base_url)?;
            Ok(tx
                .list_companies()?
                .into_iter()
                .find(|c| c.nip == DEMO_NIP && c.ksef_environment == KsefEnvironment::Simulator))
        })?;
        if let Some(company) = demo {
            self.replace_token(company.id, token).await?;
        }
        Ok(())
    }

    /// [`Desk::connect_demo_company`] with a certificate the simulator issued (the way
    /// every company signs in from 2027): points the simulator companies at `base_url`
    /// and moves the demo company to the certificate with a real XAdES sign-in.
    pub async fn connect_demo_company_by_certificate(
        &self,
        base_url: &str,
        certificate_der: Vec<u8>,
        private_key_der: Vec<u8>,
    ) -> Result<()> {
        let demo = self.store().write(|tx| {
            tx.set_simulator_base_url(base_url)?;
            Ok(tx
                .list_companies()?
                .into_iter()
                .find(|c| c.nip == DEMO_NIP && c.ksef_environment == KsefEnvironment::Simulator))
        })?;
        if let Some(company) = demo {
            let files = crate::credentials::import::CertificateFiles::Pem {
                certificate: certificate_der,
                private_key: zeroize::Zeroizing::new(private_key_der),
                password: None,
            };
            self.use_certificate(company.id, files, &ksef_client::CancellationToken::new())
                .await?;
        }
        Ok(())
    }
}

fn demo_contractors() -> Vec<NewContractor> {
    let pl = |nip: &str, name: &str, line1: &str, line2: &str, trusted: bool| NewContractor {
        nip: Some(nip.into()),
        eu_vat_id: None,
        name: name.into(),
        address_line1: line1.into(),
        address_line2: line2.into(),
        country_code: "PL".into(),
        email: None,
        trusted,
    };
    vec![
        pl(
            "7740001454",
            "Hurtownia Papiernicza Kałamarz S.A.",
            "ul. Żółkiewskiego 12",
            "87-100 Toruń",
            true,
        ),
        pl(
            "9542751368",
            "Biuro Rachunkowe Księgowa Sp. j.",
            "ul. Łąkowa 7",
            "40-001 Katowice",
            true,
        ),
        pl(
            "6793108059",
            "Serwis IT Bajt Sp. z o.o.",
            "al. Pokoju 18",
            "31-564 Kraków",
            false,
        ),
        pl(
            "8992689516",
            "Drukarnia Świt s.c.",
            "ul. Legnicka 55",
            "54-203 Wrocław",
            false,
        ),
        pl(
            "5260181596",
            "Kancelaria Podatkowa Lex Sp. z o.o.",
            "ul. Nowy Świat 21",
            "00-029 Warszawa",
            true,
        ),
        pl(
            "1860913901",
            "Przedsiębiorstwo Transportowe Wóz s.c.",
            "ul. Kolejowa 4",
            "35-001 Rzeszów",
            false,
        ),
        pl(
            "6281948218",
            "Studio Graficzne Kreska",
            "ul. Szeroka 9",
            "80-835 Gdańsk",
            true,
        ),
        pl(
            "9935181904",
            "Agencja Reklamowa Żuraw Sp. z o.o.",
            "ul. Piotrkowska 120",
            "90-006 Łódź",
            false,
        ),
        pl(
            "9378657972",
            "Hurtownia Spożywcza Łan S.A.",
            "ul. Rolnicza 30",
            "60-101 Poznań",
            true,
        ),
        pl(
            "5432319484",
            "Pracownia Stolarska Dąb",
            "ul. Leśna 2",
            "15-001 Białystok",
            false,
        ),
        pl(
            "7574911868",
            "Zakład Poligraficzny Czcionka",
            "ul. Drukarzy 11",
            "45-001 Opole",
            false,
        ),
        pl(
            "2527601891",
            "Usługi Sprzątające Błysk",
            "ul. Czysta 5",
            "25-001 Kielce",
            true,
        ),
        pl(
            "5559797114",
            "Sklep Komputerowy Procesor",
            "ul. Kopernika 33",
            "87-100 Toruń",
            false,
        ),
        pl(
            "4710497466",
            "Catering Smaczna Chwila",
            "ul. Gdańska 18",
            "85-005 Bydgoszcz",
            false,
        ),
        pl(
            "5075291702",
            "Firma Budowlana Cegła Sp. j.",
            "ul. Murarska 7",
            "20-001 Lublin",
            true,
        ),
        pl(
            "3423667121",
            "Księgarnia Akademicka Pióro",
            "ul. Uniwersytecka 3",
            "50-137 Wrocław",
            false,
        ),
        pl(
            "7684268468",
            "Apteka Pod Orłem",
            "Rynek 12",
            "26-600 Radom",
            false,
        ),
        pl(
            "5632122332",
            "Warsztat Samochodowy Tłok",
            "ul. Mechaników 8",
            "41-200 Sosnowiec",
            false,
        ),
        pl(
            "8599528907",
            "Biuro Podróży Żagiel",
            "ul. Morska 40",
            "70-001 Szczecin",
            true,
        ),
        NewContractor {
            nip: None,
            eu_vat_id: Some("DE811569869".into()),
            name: "Müller Bürobedarf GmbH".into(),
            address_line1: "Friedrichstraße 100".into(),
            address_line2: "10117 Berlin".into(),
            country_code: "DE".into(),
            email: Some("rechnung@example.de".into()),
            trusted: false,
        },
    ]
}

fn demo_reset_allowed(tx: &Tx<'_>, now: Timestamp) -> Result<()> {
    for company in tx.list_companies()? {
        if company.ksef_environment != KsefEnvironment::Simulator {
            return Err(CoreError::NotADemoProfile {
                company: company.name,
            });
        }
        authorize(tx, now, company.id, Role::Admin)?;
    }
    Ok(())
}
