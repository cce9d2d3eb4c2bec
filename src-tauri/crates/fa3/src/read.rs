//! Schema-valid element tree -> typed [`Invoice`].
//!
//! Runs only after [`crate::xsd`] found no issue, so shapes are known; still,
//! every conversion is checked and reported as [`ParseError::Value`] rather
//! than trusted, so a schema-checker bug can never become a panic.

use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::model::*;
use crate::xml::Element;
use crate::ParseError;

type R<T> = Result<T, ParseError>;

/// Children of one element, consumed by name; what is left becomes `extra`.
struct Take<'a> {
    el: &'a Element,
    path: String,
    used: Vec<bool>,
}

impl<'a> Take<'a> {
    fn new(el: &'a Element, path: impl Into<String>) -> Self {
        Self {
            el,
            path: path.into(),
            used: vec![false; el.children.len()],
        }
    }
    fn one(&mut self, name: &str) -> Option<&'a Element> {
        let i = self
            .el
            .children
            .iter()
            .enumerate()
            .position(|(i, c)| !self.used[i] && c.name == name)?;
        self.used[i] = true;
        self.el.children.get(i)
    }
    fn all(&mut self, name: &str) -> Vec<&'a Element> {
        let mut out = Vec::new();
        for (i, c) in self.el.children.iter().enumerate() {
            if !self.used[i] && c.name == name {
                self.used[i] = true;
                out.push(c);
            }
        }
        out
    }
    fn req(&mut self, name: &str) -> R<&'a Element> {
        self.one(name).ok_or_else(|| ParseError::Value {
            path: format!("{}/{name}", self.path),
            message: "required element missing".into(),
        })
    }
    fn text(&mut self, name: &str) -> Option<String> {
        self.one(name).map(|e| collapse(&e.text))
    }
    fn req_text(&mut self, name: &str) -> R<String> {
        self.req(name).map(|e| collapse(&e.text))
    }
    fn dec(&mut self, name: &str) -> R<Option<Decimal>> {
        let path = self.sub(name);
        self.one(name).map(|e| decimal(&e.text, &path)).transpose()
    }
    fn req_dec(&mut self, name: &str) -> R<Decimal> {
        let path = self.sub(name);
        let e = self.req(name)?;
        decimal(&e.text, &path)
    }
    fn date(&mut self, name: &str) -> R<Option<NaiveDate>> {
        let path = self.sub(name);
        self.one(name).map(|e| date(&e.text, &path)).transpose()
    }
    fn req_date(&mut self, name: &str) -> R<NaiveDate> {
        let path = self.sub(name);
        let e = self.req(name)?;
        date(&e.text, &path)
    }
    /// `TWybor1_2`: 1 = yes, 2 = no.
    fn yes_no(&mut self, name: &str) -> R<bool> {
        Ok(self.req_text(name)? == "1")
    }
    /// `TWybor1` flag present (always "1" when present).
    fn flag(&mut self, name: &str) -> bool {
        self.one(name).is_some()
    }
    fn small(&mut self, name: &str) -> R<Option<u8>> {
        let path = self.sub(name);
        self.one(name)
            .map(|e| number::<u8>(&e.text, &path))
            .transpose()
    }
    fn sub(&self, name: &str) -> String {
        format!("{}/{name}", self.path)
    }
    fn rest(self) -> Vec<Element> {
        self.el
            .children
            .iter()
            .zip(self.used)
            .filter(|(_, u)| !u)
            .map(|(c, _)| c.clone())
            .collect()
    }
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn bad(path: &str, what: &str, value: &str) -> ParseError {
    ParseError::Value {
        path: path.to_owned(),
        message: format!("{what}: {value:?}"),
    }
}

fn decimal(s: &str, path: &str) -> R<Decimal> {
    Decimal::from_str(s.trim().trim_start_matches('+')).map_err(|_| bad(path, "not a decimal", s))
}

fn date(s: &str, path: &str) -> R<NaiveDate> {
    crate::xsd::parse_date(s.trim()).ok_or_else(|| bad(path, "not a date", s))
}

fn number<T: FromStr>(s: &str, path: &str) -> R<T> {
    s.trim()
        .trim_start_matches('+')
        .parse()
        .map_err(|_| bad(path, "not a number", s))
}

/// Map a schema-valid `Faktura` element to the model.
pub(crate) fn invoice(root: &Element) -> R<Invoice> {
    let mut t = Take::new(root, "Faktura");
    let header = header(t.req("Naglowek")?)?;
    let seller = seller(t.req("Podmiot1")?)?;
    let buyer = buyer(t.req("Podmiot2")?)?;
    let third_parties = t
        .all("Podmiot3")
        .into_iter()
        .map(third_party)
        .collect::<R<Vec<_>>>()?;
    let fa = fa(t.req("Fa")?)?;
    let footer = t.one("Stopka").map(footer);
    Ok(Invoice {
        header,
        seller,
        buyer,
        third_parties,
        fa,
        footer,
        extra: t.rest(),
    })
}

fn header(el: &Element) -> R<Header> {
    let mut t = Take::new(el, "Faktura/Naglowek");
    t.req("KodFormularza")?;
    t.req("WariantFormularza")?;
    let raw = t.req_text("DataWytworzeniaFa")?;
    let created = chrono::DateTime::parse_from_rfc3339(&raw)
        .ok()
        .or_else(|| crate::xsd::parse_datetime(&raw).map(|d| d.fixed_offset()))
        .ok_or_else(|| {
            bad(
                "Faktura/Naglowek/DataWytworzeniaFa",
                "not a date-time",
                &raw,
            )
        })?;
    Ok(Header {
        created,
        system_info: t.text("SystemInfo"),
    })
}

fn address(el: &Element) -> R<Address> {
    let mut t = Take::new(el, el.name.clone());
    Ok(Address {
        country: t.req_text("KodKraju")?,
        line1: t.req_text("AdresL1")?,
        line2: t.text("AdresL2"),
        gln: t.text("GLN"),
    })
}

fn contact(el: &Element, email: &str, phone: &str) -> Contact {
    let mut t = Take::new(el, "DaneKontaktowe");
    Contact {
        email: t.text(email),
        phone: t.text(phone),
    }
}

fn seller(el: &Element) -> R<Seller> {
    let mut t = Take::new(el, "Faktura/Podmiot1");
    let vat_prefix = t.text("PrefiksPodatnika");
    let eori = t.text("NrEORI");
    let mut id = Take::new(
        t.req("DaneIdentyfikacyjne")?,
        "Faktura/Podmiot1/DaneIdentyfikacyjne",
    );
    let nip = id.req_text("NIP")?;
    let name = id.req_text("Nazwa")?;
    Ok(Seller {
        vat_prefix,
        eori,
        nip,
        name,
        address: address(t.req("Adres")?)?,
        correspondence: t.one("AdresKoresp").map(address).transpose()?,
        contacts: t
            .all("DaneKontaktowe")
            .into_iter()
            .map(|c| contact(c, "Email", "Telefon"))
            .collect(),
        taxpayer_status: t.small("StatusInfoPodatnika")?,
        extra: t.rest(),
    })
}

fn party_id(el: &Element, path: &str) -> R<(PartyId, Option<String>)> {
    let mut t = Take::new(el, path);
    let id = if let Some(nip) = t.text("NIP") {
        PartyId::Nip(nip)
    } else if let Some(iw) = t.text("IDWew") {
        PartyId::InternalId(iw)
    } else if let Some(country) = t.text("KodUE") {
        PartyId::EuVat {
            country,
            number: t.req_text("NrVatUE")?,
        }
    } else if let Some(id) = t.one("NrID") {
        PartyId::Foreign {
            country: t.text("KodKraju"),
            id: id.text.trim().to_owned(),
        }
    } else if t.flag("BrakID") {
        PartyId::None
    } else {
        return Err(ParseError::Value {
            path: path.to_owned(),
            message: "no identification".into(),
        });
    };
    Ok((id, t.text("Nazwa")))
}

fn buyer(el: &Element) -> R<Buyer> {
    let mut t = Take::new(el, "Faktura/Podmiot2");
    let eori = t.text("NrEORI");
    let (id, name) = party_id(
        t.req("DaneIdentyfikacyjne")?,
        "Faktura/Podmiot2/DaneIdentyfikacyjne",
    )?;
    Ok(Buyer {
        eori,
        id,
        name,
        address: t.one("Adres").map(address).transpose()?,
        correspondence: t.one("AdresKoresp").map(address).transpose()?,
        contacts: t
            .all("DaneKontaktowe")
            .into_iter()
            .map(|c| contact(c, "Email", "Telefon"))
            .collect(),
        customer_number: t.text("NrKlienta"),
        buyer_id: t.text("IDNabywcy"),
        jst: t.yes_no("JST")?,
        gv: t.yes_no("GV")?,
        extra: t.rest(),
    })
}

fn third_party(el: &Element) -> R<ThirdParty> {
    let mut t = Take::new(el, "Faktura/Podmiot3");
    let buyer_id = t.text("IDNabywcy");
    let eori = t.text("NrEORI");
    let (id, name) = party_id(
        t.req("DaneIdentyfikacyjne")?,
        "Faktura/Podmiot3/DaneIdentyfikacyjne",
    )?;
    let address_ = t.one("Adres").map(address).transpose()?;
    let correspondence = t.one("AdresKoresp").map(address).transpose()?;
    let contacts = t
        .all("DaneKontaktowe")
        .into_iter()
        .map(|c| contact(c, "Email", "Telefon"))
        .collect();
    let role = match t.small("Rola")? {
        Some(code) => ThirdPartyRole::Code(code),
        None => {
            t.one("RolaInna");
            ThirdPartyRole::Other(t.req_text("OpisRoli")?)
        }
    };
    Ok(ThirdParty {
        buyer_id,
        eori,
        id,
        name,
        address: address_,
        correspondence,
        contacts,
        role,
        share: t.dec("Udzial")?,
        customer_number: t.text("NrKlienta"),
        extra: t.rest(),
    })
}

fn taxed(t: &mut Take<'_>, net: &str, vat: &str, pln: Option<&str>) -> R<Option<TaxedTotal>> {
    let Some(n) = t.dec(net)? else {
        return Ok(None);
    };
    Ok(Some(TaxedTotal {
        net: n,
        vat: t.dec(vat)?.unwrap_or_default(),
        vat_pln: match pln {
            Some(p) => t.dec(p)?,
            None => None,
        },
    }))
}

fn fa(el: &Element) -> R<Fa> {
    let mut t = Take::new(el, "Faktura/Fa");
    let currency = t.req_text("KodWaluty")?;
    let issue_date = t.req_date("P_1")?;
    let issue_place = t.text("P_1M");
    let number = t.req_text("P_2")?;
    let delivery_notes = t.all("WZ").into_iter().map(|e| collapse(&e.text)).collect();
    let sale_date = if let Some(d) = t.date("P_6")? {
        Some(SaleDate::Date(d))
    } else if let Some(p) = t.one("OkresFa") {
        let mut pt = Take::new(p, "Faktura/Fa/OkresFa");
        Some(SaleDate::Period {
            from: pt.req_date("P_6_Od")?,
            to: pt.req_date("P_6_Do")?,
        })
    } else {
        None
    };
    let totals = Totals {
        basic: taxed(&mut t, "P_13_1", "P_14_1", Some("P_14_1W"))?,
        reduced1: taxed(&mut t, "P_13_2", "P_14_2", Some("P_14_2W"))?,
        reduced2: taxed(&mut t, "P_13_3", "P_14_3", Some("P_14_3W"))?,
        taxi: taxed(&mut t, "P_13_4", "P_14_4", Some("P_14_4W"))?,
        oss: match t.dec("P_13_5")? {
            Some(net) => Some(OssTotal {
                net,
                vat: t.dec("P_14_5")?,
            }),
            None => None,
        },
        zero_domestic: t.dec("P_13_6_1")?,
        zero_intra_eu: t.dec("P_13_6_2")?,
        zero_export: t.dec("P_13_6_3")?,
        exempt: t.dec("P_13_7")?,
        outside_country: t.dec("P_13_8")?,
        eu_services: t.dec("P_13_9")?,
        reverse_charge: t.dec("P_13_10")?,
        margin: t.dec("P_13_11")?,
        gross: t.req_dec("P_15")?,
    };
    let advance_exchange_rate = t.dec("KursWalutyZ")?;
    let annotations = annotations(t.req("Adnotacje")?)?;
    let kind_raw = t.req_text("RodzajFaktury")?;
    let kind = InvoiceKind::from_code(&kind_raw).ok_or_else(|| {
        bad(
            "Faktura/Fa/RodzajFaktury",
            "unknown invoice kind",
            &kind_raw,
        )
    })?;
    let reason = t.text("PrzyczynaKorekty");
    let effect = t.small("TypKorekty")?;
    let corrected = t
        .all("DaneFaKorygowanej")
        .into_iter()
        .map(corrected)
        .collect::<R<Vec<_>>>()?;
    let correction = if corrected.is_empty() && reason.is_none() && effect.is_none() {
        None
    } else {
        Some(Correction {
            reason,
            effect,
            corrected,
            period: t.text("OkresFaKorygowanej"),
            corrected_number: t.text("NrFaKorygowany"),
        })
    };
    let for_receipt = t.flag("FP");
    let related_parties = t.flag("TP");
    let notes = t
        .all("DodatkowyOpis")
        .into_iter()
        .map(note)
        .collect::<R<Vec<_>>>()?;
    let advance_invoices = t
        .all("FakturaZaliczkowa")
        .into_iter()
        .map(|e| {
            let mut z = Take::new(e, "Faktura/Fa/FakturaZaliczkowa");
            match z.text("NrKSeFFaZaliczkowej") {
                Some(k) => Ok(AdvanceInvoiceRef::Ksef(k)),
                None => Ok(AdvanceInvoiceRef::Outside(z.req_text("NrFaZaliczkowej")?)),
            }
        })
        .collect::<R<Vec<_>>>()?;
    let lines = t
        .all("FaWiersz")
        .into_iter()
        .map(line)
        .collect::<R<Vec<_>>>()?;
    let payment = t.one("Platnosc").map(payment).transpose()?;
    let order = t.one("Zamowienie").map(order).transpose()?;
    Ok(Fa {
        currency,
        issue_date,
        issue_place,
        number,
        delivery_notes,
        sale_date,
        totals,
        advance_exchange_rate,
        annotations,
        kind,
        correction,
        for_receipt,
        related_parties,
        notes,
        advance_invoices,
        lines,
        payment,
        order,
        extra: t.rest(),
    })
}

fn order(el: &Element) -> R<Order> {
    let mut t = Take::new(el, "Faktura/Fa/Zamowienie");
    let value = t.req_dec("WartoscZamowienia")?;
    let lines = t
        .all("ZamowienieWiersz")
        .into_iter()
        .map(|e| {
            let mut w = Take::new(e, "Faktura/Fa/Zamowienie/ZamowienieWiersz");
            let number = number::<u64>(
                &w.req("NrWierszaZam")?.text,
                "Faktura/Fa/Zamowienie/ZamowienieWiersz/NrWierszaZam",
            )?;
            let rate = match w.text("P_12Z") {
                Some(r) => Some(VatRate::from_code(&r).ok_or_else(|| {
                    bad(
                        "Faktura/Fa/Zamowienie/ZamowienieWiersz/P_12Z",
                        "unknown rate",
                        &r,
                    )
                })?),
                None => None,
            };
            Ok(OrderLine {
                number,
                name: w.text("P_7Z"),
                unit: w.text("P_8AZ"),
                quantity: w.dec("P_8BZ")?,
                unit_net_price: w.dec("P_9AZ")?,
                net: w.dec("P_11NettoZ")?,
                vat: w.dec("P_11VatZ")?,
                rate,
                annex15: w.flag("P_12Z_Zal_15"),
                before_correction: w.flag("StanPrzedZ"),
                extra: w.rest(),
            })
        })
        .collect::<R<Vec<_>>>()?;
    Ok(Order { value, lines })
}

fn annotations(el: &Element) -> R<Annotations> {
    let mut t = Take::new(el, "Faktura/Fa/Adnotacje");
    let cash_accounting = t.yes_no("P_16")?;
    let self_billing = t.yes_no("P_17")?;
    let reverse_charge = t.yes_no("P_18")?;
    let split_payment = t.yes_no("P_18A")?;
    let mut z = Take::new(t.req("Zwolnienie")?, "Faktura/Fa/Adnotacje/Zwolnienie");
    let exemption = if let Some(a) = z.text("P_19A") {
        Exemption::Statute(a)
    } else if let Some(b) = z.text("P_19B") {
        Exemption::Directive(b)
    } else if let Some(c) = z.text("P_19C") {
        Exemption::Other(c)
    } else {
        Exemption::None
    };
    let nst = t.req("NoweSrodkiTransportu")?;
    let new_transport = if nst.child("P_22N").is_some() {
        None
    } else {
        Some(nst.clone())
    };
    let simplified_triangular = t.yes_no("P_23")?;
    let pm = t.req("PMarzy")?;
    let margin = if pm.child("P_PMarzy_2").is_some() {
        Some(MarginScheme::Travel)
    } else if pm.child("P_PMarzy_3_1").is_some() {
        Some(MarginScheme::UsedGoods)
    } else if pm.child("P_PMarzy_3_2").is_some() {
        Some(MarginScheme::Art)
    } else if pm.child("P_PMarzy_3_3").is_some() {
        Some(MarginScheme::Antiques)
    } else {
        None
    };
    Ok(Annotations {
        cash_accounting,
        self_billing,
        reverse_charge,
        split_payment,
        exemption,
        new_transport,
        simplified_triangular,
        margin,
    })
}

fn corrected(el: &Element) -> R<CorrectedInvoice> {
    let mut t = Take::new(el, "Faktura/Fa/DaneFaKorygowanej");
    Ok(CorrectedInvoice {
        issue_date: t.req_date("DataWystFaKorygowanej")?,
        number: t.req_text("NrFaKorygowanej")?,
        ksef_number: t.text("NrKSeFFaKorygowanej"),
    })
}

fn note(el: &Element) -> R<Note> {
    let mut t = Take::new(el, "Faktura/Fa/DodatkowyOpis");
    let line = match t.one("NrWiersza") {
        Some(e) => Some(number::<u64>(
            &e.text,
            "Faktura/Fa/DodatkowyOpis/NrWiersza",
        )?),
        None => None,
    };
    Ok(Note {
        line,
        key: t.req_text("Klucz")?,
        value: t.req_text("Wartosc")?,
    })
}

fn line(el: &Element) -> R<Line> {
    let mut t = Take::new(el, "Faktura/Fa/FaWiersz");
    let number = number::<u64>(
        &t.req("NrWierszaFa")?.text,
        "Faktura/Fa/FaWiersz/NrWierszaFa",
    )?;
    let rate = match t.text("P_12") {
        Some(r) => Some(
            VatRate::from_code(&r)
                .ok_or_else(|| bad("Faktura/Fa/FaWiersz/P_12", "unknown rate", &r))?,
        ),
        None => None,
    };
    // Fields are taken in schema order except P_12, which only affects `extra`.
    Ok(Line {
        number,
        uu_id: t.text("UU_ID"),
        sale_date: t.date("P_6A")?,
        name: t.text("P_7"),
        index: t.text("Indeks"),
        gtin: t.text("GTIN"),
        pkwiu: t.text("PKWiU"),
        cn: t.text("CN"),
        pkob: t.text("PKOB"),
        unit: t.text("P_8A"),
        quantity: t.dec("P_8B")?,
        unit_net_price: t.dec("P_9A")?,
        unit_gross_price: t.dec("P_9B")?,
        discount: t.dec("P_10")?,
        net: t.dec("P_11")?,
        gross: t.dec("P_11A")?,
        vat: t.dec("P_11Vat")?,
        rate,
        oss_rate: t.dec("P_12_XII")?,
        annex15: t.flag("P_12_Zal_15"),
        excise: t.dec("KwotaAkcyzy")?,
        gtu: t.text("GTU"),
        procedure: t.text("Procedura"),
        exchange_rate: t.dec("KursWaluty")?,
        before_correction: t.flag("StanPrzed"),
        extra: t.rest(),
    })
}

fn method(t: &mut Take<'_>) -> R<Option<PaymentMethod>> {
    if let Some(code) = t.small("FormaPlatnosci")? {
        return Ok(Some(PaymentMethod::Code(code)));
    }
    if t.flag("PlatnoscInna") {
        return Ok(Some(PaymentMethod::Other(t.req_text("OpisPlatnosci")?)));
    }
    Ok(None)
}

fn bank_account(el: &Element) -> R<BankAccount> {
    let mut t = Take::new(el, "Faktura/Fa/Platnosc/RachunekBankowy");
    Ok(BankAccount {
        number: t.req_text("NrRB")?,
        swift: t.text("SWIFT"),
        bank_own: t.small("RachunekWlasnyBanku")?,
        bank_name: t.text("NazwaBanku"),
        description: t.text("OpisRachunku"),
    })
}

fn payment(el: &Element) -> R<Payment> {
    let mut t = Take::new(el, "Faktura/Fa/Platnosc");
    let paid = if t.flag("Zaplacono") {
        Some(Paid::Full {
            date: t.req_date("DataZaplaty")?,
        })
    } else if let Some(marker) = t.small("ZnacznikZaplatyCzesciowej")? {
        let parts = t
            .all("ZaplataCzesciowa")
            .into_iter()
            .map(|e| {
                let mut p = Take::new(e, "Faktura/Fa/Platnosc/ZaplataCzesciowa");
                Ok(PartialPayment {
                    amount: p.req_dec("KwotaZaplatyCzesciowej")?,
                    date: p.req_date("DataZaplatyCzesciowej")?,
                    method: method(&mut p)?,
                })
            })
            .collect::<R<Vec<_>>>()?;
        Some(Paid::Partial { marker, parts })
    } else {
        None
    };
    let terms = t
        .all("TerminPlatnosci")
        .into_iter()
        .map(|e| {
            let mut p = Take::new(e, "Faktura/Fa/Platnosc/TerminPlatnosci");
            let due = p.date("Termin")?;
            let description = match p.one("TerminOpis") {
                Some(d) => {
                    let mut d = Take::new(d, "Faktura/Fa/Platnosc/TerminPlatnosci/TerminOpis");
                    let count = d.req("Ilosc")?;
                    Some(TermDescription {
                        count: number::<i64>(
                            &count.text,
                            "Faktura/Fa/Platnosc/TerminPlatnosci/TerminOpis/Ilosc",
                        )?,
                        unit: d.req_text("Jednostka")?,
                        event: d.req_text("ZdarzeniePoczatkowe")?,
                    })
                }
                None => None,
            };
            Ok(PaymentTerm { due, description })
        })
        .collect::<R<Vec<_>>>()?;
    let method = method(&mut t)?;
    let bank_accounts = t
        .all("RachunekBankowy")
        .into_iter()
        .map(bank_account)
        .collect::<R<Vec<_>>>()?;
    let factor_accounts = t
        .all("RachunekBankowyFaktora")
        .into_iter()
        .map(bank_account)
        .collect::<R<Vec<_>>>()?;
    let cash_discount = match t.one("Skonto") {
        Some(s) => {
            let mut s = Take::new(s, "Faktura/Fa/Platnosc/Skonto");
            Some((s.req_text("WarunkiSkonta")?, s.req_text("WysokoscSkonta")?))
        }
        None => None,
    };
    Ok(Payment {
        paid,
        terms,
        method,
        bank_accounts,
        factor_accounts,
        cash_discount,
        link: t.text("LinkDoPlatnosci"),
        ipksef: t.text("IPKSeF"),
        extra: t.rest(),
    })
}

fn footer(el: &Element) -> Footer {
    let mut t = Take::new(el, "Faktura/Stopka");
    let info = t
        .all("Informacje")
        .into_iter()
        .map(|i| {
            i.child("StopkaFaktury")
                .map(|s| s.text.clone())
                .unwrap_or_default()
        })
        .collect();
    let registers = t
        .all("Rejestry")
        .into_iter()
        .map(|r| {
            let mut r = Take::new(r, "Faktura/Stopka/Rejestry");
            Register {
                full_name: r.text("PelnaNazwa"),
                krs: r.text("KRS"),
                regon: r.text("REGON"),
                bdo: r.text("BDO"),
            }
        })
        .collect();
    Footer { info, registers }
}
