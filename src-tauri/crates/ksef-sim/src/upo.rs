//! UPO (Urzędowe Poświadczenie Odbioru) XML, schema `upo-v4-3.xsd`.
//!
//! Real UPOs carry an XAdES signature of the Ministry; the simulator's are unsigned
//! (the schema does not require the signature).

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};

/// The UPO namespace.
pub const UPO_NAMESPACE: &str = "http://upo.schematy.mf.gov.pl/KSeF/v4-3";

/// One confirmed document.
#[derive(Debug, Clone)]
pub struct UpoDocument {
    /// Seller NIP.
    pub seller_nip: String,
    /// KSeF number.
    pub ksef_number: String,
    /// `P_2`.
    pub invoice_number: String,
    /// `P_1`.
    pub issue_date: NaiveDate,
    /// When the document was received.
    pub sent: DateTime<Utc>,
    /// When the KSeF number was assigned.
    pub acquired: DateTime<Utc>,
    /// Base64 SHA-256 of the invoice file.
    pub hash: String,
    /// `Online` or `Offline`.
    pub mode: String,
}

/// Who authenticated the session.
#[derive(Debug, Clone)]
pub struct UpoContext {
    /// Session reference number.
    pub session_reference: String,
    /// Context NIP.
    pub context_nip: String,
    /// Reference number of the KSeF token used to authenticate.
    pub token_reference: String,
}

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(c),
        }
    }
    out
}

fn dt(d: DateTime<Utc>) -> String {
    d.to_rfc3339_opts(SecondsFormat::Millis, false)
}

fn header(ctx: &UpoContext) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Potwierdzenie xmlns=\"{UPO_NAMESPACE}\">\n\
         \t<NazwaPodmiotuPrzyjmujacego>Ministerstwo Finansów</NazwaPodmiotuPrzyjmujacego>\n\
         \t<NumerReferencyjnySesji>{}</NumerReferencyjnySesji>\n\
         \t<Uwierzytelnienie>\n\t\t<IdKontekstu>\n\t\t\t<Nip>{}</Nip>\n\t\t</IdKontekstu>\n\
         \t\t<NumerReferencyjnyTokenaKSeF>{}</NumerReferencyjnyTokenaKSeF>\n\t</Uwierzytelnienie>\n",
        esc(&ctx.session_reference),
        esc(&ctx.context_nip),
        esc(&ctx.token_reference)
    )
}

fn form() -> &'static str {
    "\t<NazwaStrukturyLogicznej>Schemat_FA(3)_v1-0E.xsd</NazwaStrukturyLogicznej>\n\t<KodFormularza>FA (3)</KodFormularza>\n"
}

fn document(d: &UpoDocument) -> String {
    format!(
        "\t<Dokument>\n\t\t<NipSprzedawcy>{}</NipSprzedawcy>\n\t\t<NumerKSeFDokumentu>{}</NumerKSeFDokumentu>\n\
         \t\t<NumerFaktury>{}</NumerFaktury>\n\t\t<DataWystawieniaFaktury>{}</DataWystawieniaFaktury>\n\
         \t\t<DataPrzeslaniaDokumentu>{}</DataPrzeslaniaDokumentu>\n\t\t<DataNadaniaNumeruKSeF>{}</DataNadaniaNumeruKSeF>\n\
         \t\t<SkrotDokumentu>{}</SkrotDokumentu>\n\t\t<TrybWysylki>{}</TrybWysylki>\n\t</Dokument>\n",
        esc(&d.seller_nip),
        esc(&d.ksef_number),
        esc(&d.invoice_number),
        d.issue_date.format("%Y-%m-%d"),
        dt(d.sent),
        dt(d.acquired),
        esc(&d.hash),
        esc(&d.mode)
    )
}

/// The UPO of one invoice.
pub fn invoice_upo(ctx: &UpoContext, doc: &UpoDocument) -> String {
    let mut xml = header(ctx);
    xml.push_str(form());
    xml.push_str(&document(doc));
    xml.push_str("</Potwierdzenie>\n");
    xml
}

/// The session UPO (one page) listing every accepted document. `docs` must not be empty.
pub fn session_upo(ctx: &UpoContext, docs: &[UpoDocument]) -> String {
    let mut xml = header(ctx);
    let n = docs.len().max(1);
    xml.push_str(&format!(
        "\t<OpisPotwierdzenia>\n\t\t<Strona>1</Strona>\n\t\t<LiczbaStron>1</LiczbaStron>\n\
         \t\t<ZakresDokumentowOd>1</ZakresDokumentowOd>\n\t\t<ZakresDokumentowDo>{n}</ZakresDokumentowDo>\n\
         \t\t<CalkowitaLiczbaDokumentow>{n}</CalkowitaLiczbaDokumentow>\n\t</OpisPotwierdzenia>\n"
    ));
    xml.push_str(form());
    for d in docs {
        xml.push_str(&document(d));
    }
    xml.push_str("</Potwierdzenie>\n");
    xml
}
