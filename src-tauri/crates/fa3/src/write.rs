//! Typed [`Invoice`] -> element tree in schema order.
//!
//! Kept unknown elements (`extra`) are merged back by their position in the
//! parent's content model, which is read from the compiled schema, so the
//! writer does not repeat the XSD's ordering by hand for them.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::model::*;
use crate::xml::Element;
use crate::xsd::{Schema, FA_NS};

struct B {
    el: Element,
}

impl B {
    fn new(name: &str) -> Self {
        Self {
            el: Element::new(FA_NS, name),
        }
    }
    fn text(&mut self, name: &str, v: impl Into<String>) -> &mut Self {
        self.el.children.push(Element::leaf(FA_NS, name, v));
        self
    }
    fn opt(&mut self, name: &str, v: &Option<String>) -> &mut Self {
        if let Some(v) = v {
            self.text(name, v.clone());
        }
        self
    }
    fn dec(&mut self, name: &str, v: Decimal) -> &mut Self {
        self.text(name, v.to_string())
    }
    fn opt_dec(&mut self, name: &str, v: Option<Decimal>) -> &mut Self {
        if let Some(v) = v {
            self.dec(name, v);
        }
        self
    }
    fn date(&mut self, name: &str, d: NaiveDate) -> &mut Self {
        self.text(name, d.format("%Y-%m-%d").to_string())
    }
    fn opt_date(&mut self, name: &str, d: Option<NaiveDate>) -> &mut Self {
        if let Some(d) = d {
            self.date(name, d);
        }
        self
    }
    fn yes_no(&mut self, name: &str, v: bool) -> &mut Self {
        self.text(name, if v { "1" } else { "2" })
    }
    fn flag(&mut self, name: &str, v: bool) -> &mut Self {
        if v {
            self.text(name, "1");
        }
        self
    }
    fn child(&mut self, el: Element) -> &mut Self {
        self.el.children.push(el);
        self
    }
    /// Append `extra` and order all children as the schema's content model at
    /// `path` lists them; a stable sort keeps repeated elements in order.
    fn finish(mut self, extra: &[Element], schema: &Schema, path: &[&str]) -> Element {
        if !extra.is_empty() {
            self.el.children.extend(extra.iter().cloned());
            let order = schema.child_order(path);
            let rank = |n: &str| order.iter().position(|o| *o == n).unwrap_or(usize::MAX);
            self.el.children.sort_by_key(|c| rank(&c.name));
        }
        self.el
    }
    fn done(self) -> Element {
        self.el
    }
}

/// Build the `Faktura` element.
pub(crate) fn invoice(inv: &Invoice, schema: &Schema) -> Element {
    let mut b = B::new("Faktura");
    b.child(header(&inv.header));
    b.child(seller(&inv.seller, schema));
    b.child(buyer(&inv.buyer, schema));
    for p in &inv.third_parties {
        b.child(third_party(p, schema));
    }
    b.child(fa(&inv.fa, schema));
    if let Some(f) = &inv.footer {
        b.child(footer(f));
    }
    b.finish(&inv.extra, schema, &[])
}

fn header(h: &Header) -> Element {
    let mut b = B::new("Naglowek");
    let mut code = Element::leaf(FA_NS, "KodFormularza", "FA");
    code.attrs = vec![
        crate::xml::Attr {
            ns: String::new(),
            name: "kodSystemowy".into(),
            value: "FA (3)".into(),
        },
        crate::xml::Attr {
            ns: String::new(),
            name: "wersjaSchemy".into(),
            value: "1-0E".into(),
        },
    ];
    b.child(code);
    b.text("WariantFormularza", "3");
    b.text(
        "DataWytworzeniaFa",
        h.created
            .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
    );
    b.opt("SystemInfo", &h.system_info);
    b.done()
}

fn address(name: &str, a: &Address) -> Element {
    let mut b = B::new(name);
    b.text("KodKraju", a.country.clone())
        .text("AdresL1", a.line1.clone())
        .opt("AdresL2", &a.line2)
        .opt("GLN", &a.gln);
    b.done()
}

fn contact(c: &Contact) -> Element {
    let mut b = B::new("DaneKontaktowe");
    b.opt("Email", &c.email).opt("Telefon", &c.phone);
    b.done()
}

fn seller(s: &Seller, schema: &Schema) -> Element {
    let mut b = B::new("Podmiot1");
    b.opt("PrefiksPodatnika", &s.vat_prefix)
        .opt("NrEORI", &s.eori);
    let mut id = B::new("DaneIdentyfikacyjne");
    id.text("NIP", s.nip.clone()).text("Nazwa", s.name.clone());
    b.child(id.done());
    b.child(address("Adres", &s.address));
    if let Some(a) = &s.correspondence {
        b.child(address("AdresKoresp", a));
    }
    for c in &s.contacts {
        b.child(contact(c));
    }
    if let Some(st) = s.taxpayer_status {
        b.text("StatusInfoPodatnika", st.to_string());
    }
    b.finish(&s.extra, schema, &["Podmiot1"])
}

fn party_id(id: &PartyId, name: &Option<String>) -> Element {
    let mut b = B::new("DaneIdentyfikacyjne");
    match id {
        PartyId::Nip(n) => {
            b.text("NIP", n.clone());
        }
        PartyId::InternalId(n) => {
            b.text("IDWew", n.clone());
        }
        PartyId::EuVat { country, number } => {
            b.text("KodUE", country.clone())
                .text("NrVatUE", number.clone());
        }
        PartyId::Foreign { country, id } => {
            b.opt("KodKraju", country).text("NrID", id.clone());
        }
        PartyId::None => {
            b.text("BrakID", "1");
        }
    }
    b.opt("Nazwa", name);
    b.done()
}

fn buyer(p: &Buyer, schema: &Schema) -> Element {
    let mut b = B::new("Podmiot2");
    b.opt("NrEORI", &p.eori);
    b.child(party_id(&p.id, &p.name));
    if let Some(a) = &p.address {
        b.child(address("Adres", a));
    }
    if let Some(a) = &p.correspondence {
        b.child(address("AdresKoresp", a));
    }
    for c in &p.contacts {
        b.child(contact(c));
    }
    b.opt("NrKlienta", &p.customer_number)
        .opt("IDNabywcy", &p.buyer_id)
        .yes_no("JST", p.jst)
        .yes_no("GV", p.gv);
    b.finish(&p.extra, schema, &["Podmiot2"])
}

fn third_party(p: &ThirdParty, schema: &Schema) -> Element {
    let mut b = B::new("Podmiot3");
    b.opt("IDNabywcy", &p.buyer_id).opt("NrEORI", &p.eori);
    b.child(party_id(&p.id, &p.name));
    if let Some(a) = &p.address {
        b.child(address("Adres", a));
    }
    if let Some(a) = &p.correspondence {
        b.child(address("AdresKoresp", a));
    }
    for c in &p.contacts {
        b.child(contact(c));
    }
    match &p.role {
        ThirdPartyRole::Code(c) => {
            b.text("Rola", c.to_string());
        }
        ThirdPartyRole::Other(d) => {
            b.text("RolaInna", "1").text("OpisRoli", d.clone());
        }
    }
    b.opt_dec("Udzial", p.share)
        .opt("NrKlienta", &p.customer_number);
    b.finish(&p.extra, schema, &["Podmiot3"])
}

fn taxed(b: &mut B, t: &Option<TaxedTotal>, net: &str, vat: &str, pln: &str) {
    if let Some(t) = t {
        b.dec(net, t.net).dec(vat, t.vat).opt_dec(pln, t.vat_pln);
    }
}

fn fa(f: &Fa, schema: &Schema) -> Element {
    let mut b = B::new("Fa");
    b.text("KodWaluty", f.currency.clone())
        .date("P_1", f.issue_date)
        .opt("P_1M", &f.issue_place);
    b.text("P_2", f.number.clone());
    for wz in &f.delivery_notes {
        b.text("WZ", wz.clone());
    }
    match f.sale_date {
        Some(SaleDate::Date(d)) => {
            b.date("P_6", d);
        }
        Some(SaleDate::Period { from, to }) => {
            let mut p = B::new("OkresFa");
            p.date("P_6_Od", from).date("P_6_Do", to);
            b.child(p.done());
        }
        None => {}
    }
    let t = &f.totals;
    taxed(&mut b, &t.basic, "P_13_1", "P_14_1", "P_14_1W");
    taxed(&mut b, &t.reduced1, "P_13_2", "P_14_2", "P_14_2W");
    taxed(&mut b, &t.reduced2, "P_13_3", "P_14_3", "P_14_3W");
    taxed(&mut b, &t.taxi, "P_13_4", "P_14_4", "P_14_4W");
    if let Some(o) = &t.oss {
        b.dec("P_13_5", o.net).opt_dec("P_14_5", o.vat);
    }
    b.opt_dec("P_13_6_1", t.zero_domestic)
        .opt_dec("P_13_6_2", t.zero_intra_eu)
        .opt_dec("P_13_6_3", t.zero_export)
        .opt_dec("P_13_7", t.exempt)
        .opt_dec("P_13_8", t.outside_country)
        .opt_dec("P_13_9", t.eu_services)
        .opt_dec("P_13_10", t.reverse_charge)
        .opt_dec("P_13_11", t.margin)
        .dec("P_15", t.gross)
        .opt_dec("KursWalutyZ", f.advance_exchange_rate);
    b.child(annotations(&f.annotations));
    b.text("RodzajFaktury", f.kind.code());
    if let Some(c) = &f.correction {
        b.opt("PrzyczynaKorekty", &c.reason);
        if let Some(e) = c.effect {
            b.text("TypKorekty", e.to_string());
        }
        for k in &c.corrected {
            let mut d = B::new("DaneFaKorygowanej");
            d.date("DataWystFaKorygowanej", k.issue_date)
                .text("NrFaKorygowanej", k.number.clone());
            match &k.ksef_number {
                Some(n) => d.text("NrKSeF", "1").text("NrKSeFFaKorygowanej", n.clone()),
                None => d.text("NrKSeFN", "1"),
            };
            b.child(d.done());
        }
        b.opt("OkresFaKorygowanej", &c.period)
            .opt("NrFaKorygowany", &c.corrected_number);
    }
    b.flag("FP", f.for_receipt).flag("TP", f.related_parties);
    for n in &f.notes {
        let mut d = B::new("DodatkowyOpis");
        if let Some(l) = n.line {
            d.text("NrWiersza", l.to_string());
        }
        d.text("Klucz", n.key.clone())
            .text("Wartosc", n.value.clone());
        b.child(d.done());
    }
    for a in &f.advance_invoices {
        let mut z = B::new("FakturaZaliczkowa");
        match a {
            AdvanceInvoiceRef::Ksef(k) => z.text("NrKSeFFaZaliczkowej", k.clone()),
            AdvanceInvoiceRef::Outside(n) => {
                z.text("NrKSeFZN", "1").text("NrFaZaliczkowej", n.clone())
            }
        };
        b.child(z.done());
    }
    for l in &f.lines {
        b.child(line(l, schema));
    }
    if let Some(p) = &f.payment {
        b.child(payment(p, schema));
    }
    if let Some(o) = &f.order {
        b.child(order(o, schema));
    }
    b.finish(&f.extra, schema, &["Fa"])
}

fn order(o: &Order, schema: &Schema) -> Element {
    let mut b = B::new("Zamowienie");
    b.dec("WartoscZamowienia", o.value);
    for l in &o.lines {
        let mut w = B::new("ZamowienieWiersz");
        w.text("NrWierszaZam", l.number.to_string())
            .opt("P_7Z", &l.name)
            .opt("P_8AZ", &l.unit)
            .opt_dec("P_8BZ", l.quantity)
            .opt_dec("P_9AZ", l.unit_net_price)
            .opt_dec("P_11NettoZ", l.net)
            .opt_dec("P_11VatZ", l.vat);
        if let Some(r) = l.rate {
            w.text("P_12Z", r.code());
        }
        w.flag("P_12Z_Zal_15", l.annex15)
            .flag("StanPrzedZ", l.before_correction);
        b.child(w.finish(&l.extra, schema, &["Fa", "Zamowienie", "ZamowienieWiersz"]));
    }
    b.done()
}

fn annotations(a: &Annotations) -> Element {
    let mut b = B::new("Adnotacje");
    b.yes_no("P_16", a.cash_accounting)
        .yes_no("P_17", a.self_billing)
        .yes_no("P_18", a.reverse_charge)
        .yes_no("P_18A", a.split_payment);
    let mut z = B::new("Zwolnienie");
    match &a.exemption {
        Exemption::None => z.text("P_19N", "1"),
        Exemption::Statute(s) => z.text("P_19", "1").text("P_19A", s.clone()),
        Exemption::Directive(s) => z.text("P_19", "1").text("P_19B", s.clone()),
        Exemption::Other(s) => z.text("P_19", "1").text("P_19C", s.clone()),
    };
    b.child(z.done());
    match &a.new_transport {
        Some(raw) => b.child(raw.clone()),
        None => {
            let mut n = B::new("NoweSrodkiTransportu");
            n.text("P_22N", "1");
            b.child(n.done())
        }
    };
    b.yes_no("P_23", a.simplified_triangular);
    let mut m = B::new("PMarzy");
    match a.margin {
        None => m.text("P_PMarzyN", "1"),
        Some(s) => m.text("P_PMarzy", "1").text(
            match s {
                MarginScheme::Travel => "P_PMarzy_2",
                MarginScheme::UsedGoods => "P_PMarzy_3_1",
                MarginScheme::Art => "P_PMarzy_3_2",
                MarginScheme::Antiques => "P_PMarzy_3_3",
            },
            "1",
        ),
    };
    b.child(m.done());
    b.done()
}

fn line(l: &Line, schema: &Schema) -> Element {
    let mut b = B::new("FaWiersz");
    b.text("NrWierszaFa", l.number.to_string())
        .opt("UU_ID", &l.uu_id)
        .opt_date("P_6A", l.sale_date)
        .opt("P_7", &l.name)
        .opt("Indeks", &l.index)
        .opt("GTIN", &l.gtin)
        .opt("PKWiU", &l.pkwiu)
        .opt("CN", &l.cn)
        .opt("PKOB", &l.pkob)
        .opt("P_8A", &l.unit)
        .opt_dec("P_8B", l.quantity)
        .opt_dec("P_9A", l.unit_net_price)
        .opt_dec("P_9B", l.unit_gross_price)
        .opt_dec("P_10", l.discount)
        .opt_dec("P_11", l.net)
        .opt_dec("P_11A", l.gross)
        .opt_dec("P_11Vat", l.vat);
    if let Some(r) = l.rate {
        b.text("P_12", r.code());
    }
    b.opt_dec("P_12_XII", l.oss_rate)
        .flag("P_12_Zal_15", l.annex15)
        .opt_dec("KwotaAkcyzy", l.excise)
        .opt("GTU", &l.gtu)
        .opt("Procedura", &l.procedure)
        .opt_dec("KursWaluty", l.exchange_rate)
        .flag("StanPrzed", l.before_correction);
    b.finish(&l.extra, schema, &["Fa", "FaWiersz"])
}

fn method(b: &mut B, m: &Option<PaymentMethod>) {
    match m {
        Some(PaymentMethod::Code(c)) => {
            b.text("FormaPlatnosci", c.to_string());
        }
        Some(PaymentMethod::Other(d)) => {
            b.text("PlatnoscInna", "1").text("OpisPlatnosci", d.clone());
        }
        None => {}
    }
}

fn bank_account(name: &str, a: &BankAccount) -> Element {
    let mut b = B::new(name);
    b.text("NrRB", a.number.clone()).opt("SWIFT", &a.swift);
    if let Some(o) = a.bank_own {
        b.text("RachunekWlasnyBanku", o.to_string());
    }
    b.opt("NazwaBanku", &a.bank_name)
        .opt("OpisRachunku", &a.description);
    b.done()
}

fn payment(p: &Payment, schema: &Schema) -> Element {
    let mut b = B::new("Platnosc");
    match &p.paid {
        Some(Paid::Full { date }) => {
            b.text("Zaplacono", "1").date("DataZaplaty", *date);
        }
        Some(Paid::Partial { marker, parts }) => {
            b.text("ZnacznikZaplatyCzesciowej", marker.to_string());
            for part in parts {
                let mut z = B::new("ZaplataCzesciowa");
                z.dec("KwotaZaplatyCzesciowej", part.amount)
                    .date("DataZaplatyCzesciowej", part.date);
                method(&mut z, &part.method);
                b.child(z.done());
            }
        }
        None => {}
    }
    for t in &p.terms {
        let mut z = B::new("TerminPlatnosci");
        z.opt_date("Termin", t.due);
        if let Some(d) = &t.description {
            let mut o = B::new("TerminOpis");
            o.text("Ilosc", d.count.to_string())
                .text("Jednostka", d.unit.clone())
                .text("ZdarzeniePoczatkowe", d.event.clone());
            z.child(o.done());
        }
        b.child(z.done());
    }
    method(&mut b, &p.method);
    for a in &p.bank_accounts {
        b.child(bank_account("RachunekBankowy", a));
    }
    for a in &p.factor_accounts {
        b.child(bank_account("RachunekBankowyFaktora", a));
    }
    if let Some((cond, amount)) = &p.cash_discount {
        let mut s = B::new("Skonto");
        s.text("WarunkiSkonta", cond.clone())
            .text("WysokoscSkonta", amount.clone());
        b.child(s.done());
    }
    b.opt("LinkDoPlatnosci", &p.link).opt("IPKSeF", &p.ipksef);
    b.finish(&p.extra, schema, &["Fa", "Platnosc"])
}

fn footer(f: &Footer) -> Element {
    let mut b = B::new("Stopka");
    for i in &f.info {
        let mut z = B::new("Informacje");
        if !i.is_empty() {
            z.text("StopkaFaktury", i.clone());
        }
        b.child(z.done());
    }
    for r in &f.registers {
        let mut z = B::new("Rejestry");
        z.opt("PelnaNazwa", &r.full_name)
            .opt("KRS", &r.krs)
            .opt("REGON", &r.regon)
            .opt("BDO", &r.bdo);
        b.child(z.done());
    }
    b.done()
}
