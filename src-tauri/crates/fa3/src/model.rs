//! The typed FA(3) invoice.
//!
//! Field docs name the XSD element each field stands for. What a small company
//! issues and receives is typed; every other part of a valid document is kept
//! as raw [`Element`]s in the nearest `extra` and written back in schema order,
//! so parsing and writing never lose data.

use chrono::{DateTime, FixedOffset, NaiveDate};
use rust_decimal::Decimal;

use crate::xml::Element;

/// One FA(3) invoice (`Faktura`).
#[derive(Debug, Clone, PartialEq)]
pub struct Invoice {
    /// `Naglowek`.
    pub header: Header,
    /// `Podmiot1`: the seller.
    pub seller: Seller,
    /// `Podmiot2`: the buyer.
    pub buyer: Buyer,
    /// `Podmiot3`: other parties (factor, recipient, payer, ...), up to 100.
    pub third_parties: Vec<ThirdParty>,
    /// `Fa`: the invoice proper.
    pub fa: Fa,
    /// `Stopka`.
    pub footer: Option<Footer>,
    /// Unmodelled children of `Faktura` (`PodmiotUpowazniony`, `Zalacznik`).
    pub extra: Vec<Element>,
}

impl Invoice {
    /// Seller NIP (`Podmiot1/DaneIdentyfikacyjne/NIP`).
    pub fn seller_nip(&self) -> &str {
        &self.seller.nip
    }
    /// Issue date (`Fa/P_1`).
    pub fn issue_date(&self) -> NaiveDate {
        self.fa.issue_date
    }
    /// Invoice number (`Fa/P_2`).
    pub fn number(&self) -> &str {
        &self.fa.number
    }
    /// Gross total (`Fa/P_15`).
    pub fn gross_total(&self) -> Decimal {
        self.fa.totals.gross
    }
    /// Invoice kind (`Fa/RodzajFaktury`).
    pub fn kind(&self) -> InvoiceKind {
        self.fa.kind
    }
}

/// `Naglowek`. The form code and variant are fixed by the schema and implied.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    /// `DataWytworzeniaFa`: when the document was produced.
    pub created: DateTime<FixedOffset>,
    /// `SystemInfo`: name of the producing program.
    pub system_info: Option<String>,
}

/// `TAdres`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Address {
    /// `KodKraju`, ISO 3166 alpha-2.
    pub country: String,
    /// `AdresL1`.
    pub line1: String,
    /// `AdresL2`.
    pub line2: Option<String>,
    /// `GLN`.
    pub gln: Option<String>,
}

/// `DaneKontaktowe`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Contact {
    /// `Email`.
    pub email: Option<String>,
    /// `Telefon`.
    pub phone: Option<String>,
}

/// `Podmiot1`: the seller, always identified by a Polish NIP.
#[derive(Debug, Clone, PartialEq)]
pub struct Seller {
    /// `PrefiksPodatnika` (only `PL` is allowed).
    pub vat_prefix: Option<String>,
    /// `NrEORI`.
    pub eori: Option<String>,
    /// `DaneIdentyfikacyjne/NIP`.
    pub nip: String,
    /// `DaneIdentyfikacyjne/Nazwa`.
    pub name: String,
    /// `Adres`.
    pub address: Address,
    /// `AdresKoresp`.
    pub correspondence: Option<Address>,
    /// `DaneKontaktowe`, up to 3.
    pub contacts: Vec<Contact>,
    /// `StatusInfoPodatnika` (1 liquidation, 2 restructuring, 3 bankruptcy, 4 inheritance).
    pub taxpayer_status: Option<u8>,
    /// Unmodelled children.
    pub extra: Vec<Element>,
}

/// How a buyer or third party is identified (`TPodmiot2`/`TPodmiot3` choice).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartyId {
    /// Polish NIP.
    Nip(String),
    /// `IDWew`: internal id of a unit of a NIP holder (third parties only).
    InternalId(String),
    /// EU VAT number: `KodUE` + `NrVatUE`.
    EuVat {
        /// Member state code (`EL` for Greece).
        country: String,
        /// Number without the country prefix.
        number: String,
    },
    /// Other tax id: optional `KodKraju` + `NrID`.
    Foreign {
        /// Country code.
        country: Option<String>,
        /// The id.
        id: String,
    },
    /// `BrakID`: no tax id (e.g. a private person).
    None,
}

/// `Podmiot2`: the buyer.
#[derive(Debug, Clone, PartialEq)]
pub struct Buyer {
    /// `NrEORI`.
    pub eori: Option<String>,
    /// Identification.
    pub id: PartyId,
    /// `Nazwa` (optional in the schema).
    pub name: Option<String>,
    /// `Adres`.
    pub address: Option<Address>,
    /// `AdresKoresp`.
    pub correspondence: Option<Address>,
    /// `DaneKontaktowe`, up to 3.
    pub contacts: Vec<Contact>,
    /// `NrKlienta`.
    pub customer_number: Option<String>,
    /// `IDNabywcy`: id linking the buyer to a correction.
    pub buyer_id: Option<String>,
    /// `JST`: the buyer is a unit of local government (1) or not (2).
    pub jst: bool,
    /// `GV`: the buyer is a member of a VAT group (1) or not (2).
    pub gv: bool,
    /// Unmodelled children.
    pub extra: Vec<Element>,
}

/// `Rola` of a third party, or `RolaInna` + `OpisRoli`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ThirdPartyRole {
    /// Code 1..11 (1 factor, 2 recipient, 3 original entity, 4 additional buyer,
    /// 5 issuer, 6 payer, 7 JST issuer, 8 JST recipient, 9 VAT group member
    /// issuer, 10 VAT group member recipient, 11 employee).
    Code(u8),
    /// Another role, described.
    Other(String),
}

/// `Podmiot3`.
#[derive(Debug, Clone, PartialEq)]
pub struct ThirdParty {
    /// `IDNabywcy`.
    pub buyer_id: Option<String>,
    /// `NrEORI`.
    pub eori: Option<String>,
    /// Identification.
    pub id: PartyId,
    /// `Nazwa`.
    pub name: Option<String>,
    /// `Adres`.
    pub address: Option<Address>,
    /// `AdresKoresp`.
    pub correspondence: Option<Address>,
    /// `DaneKontaktowe`.
    pub contacts: Vec<Contact>,
    /// Role.
    pub role: ThirdPartyRole,
    /// `Udzial`: share in percent (additional buyers).
    pub share: Option<Decimal>,
    /// `NrKlienta`.
    pub customer_number: Option<String>,
    /// Unmodelled children.
    pub extra: Vec<Element>,
}

/// `RodzajFaktury`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InvoiceKind {
    /// Basic VAT invoice.
    Vat,
    /// Correction.
    Kor,
    /// Advance invoice.
    Zal,
    /// Settlement invoice after advances.
    Roz,
    /// Simplified invoice (up to 450 PLN / 100 EUR).
    Upr,
    /// Correction of an advance invoice.
    KorZal,
    /// Correction of a settlement invoice.
    KorRoz,
}

impl InvoiceKind {
    /// All kinds.
    pub const ALL: [InvoiceKind; 7] = [
        InvoiceKind::Vat,
        InvoiceKind::Kor,
        InvoiceKind::Zal,
        InvoiceKind::Roz,
        InvoiceKind::Upr,
        InvoiceKind::KorZal,
        InvoiceKind::KorRoz,
    ];
    /// The schema code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Vat => "VAT",
            Self::Kor => "KOR",
            Self::Zal => "ZAL",
            Self::Roz => "ROZ",
            Self::Upr => "UPR",
            Self::KorZal => "KOR_ZAL",
            Self::KorRoz => "KOR_ROZ",
        }
    }
    /// Parse a schema code.
    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }
    /// Whether this is one of the correction kinds.
    pub fn is_correction(self) -> bool {
        matches!(self, Self::Kor | Self::KorZal | Self::KorRoz)
    }
}

/// Sale date: `P_6` or the period `OkresFa`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaleDate {
    /// `P_6`.
    Date(NaiveDate),
    /// `OkresFa/P_6_Od`..`P_6_Do`.
    Period {
        /// Start.
        from: NaiveDate,
        /// End.
        to: NaiveDate,
    },
}

/// Net, VAT and (for foreign currency) VAT in PLN for one rate group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TaxedTotal {
    /// `P_13_x`.
    pub net: Decimal,
    /// `P_14_x`.
    pub vat: Decimal,
    /// `P_14_xW`: the VAT converted to PLN, required when the currency is not PLN.
    pub vat_pln: Option<Decimal>,
}

/// `P_13_5` and the optional `P_14_5` (VAT of the OSS procedure).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OssTotal {
    /// `P_13_5`.
    pub net: Decimal,
    /// `P_14_5`.
    pub vat: Option<Decimal>,
}

/// Totals of `Fa` (`P_13_*`, `P_14_*`, `P_15`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Totals {
    /// 23% or 22% (`P_13_1`, `P_14_1`, `P_14_1W`).
    pub basic: Option<TaxedTotal>,
    /// 8% or 7% (`P_13_2`...).
    pub reduced1: Option<TaxedTotal>,
    /// 5% (`P_13_3`...).
    pub reduced2: Option<TaxedTotal>,
    /// 4% or 3%, flat-rate taxi (`P_13_4`...).
    pub taxi: Option<TaxedTotal>,
    /// OSS/IOSS special procedure (`P_13_5`, `P_14_5`).
    pub oss: Option<OssTotal>,
    /// 0% domestic (`P_13_6_1`).
    pub zero_domestic: Option<Decimal>,
    /// 0% intra-EU supply of goods (`P_13_6_2`).
    pub zero_intra_eu: Option<Decimal>,
    /// 0% export (`P_13_6_3`).
    pub zero_export: Option<Decimal>,
    /// Exempt, `zw` (`P_13_7`).
    pub exempt: Option<Decimal>,
    /// Outside Poland, `np I` (`P_13_8`).
    pub outside_country: Option<Decimal>,
    /// EU services art. 100(1)(4), `np II` (`P_13_9`).
    pub eu_services: Option<Decimal>,
    /// Reverse charge, `oo` (`P_13_10`).
    pub reverse_charge: Option<Decimal>,
    /// Margin schemes (`P_13_11`).
    pub margin: Option<Decimal>,
    /// Gross total (`P_15`).
    pub gross: Decimal,
}

/// `Zwolnienie`: exemption basis.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Exemption {
    /// `P_19N`: no exempt supply.
    #[default]
    None,
    /// `P_19A`: provision of the Polish VAT act.
    Statute(String),
    /// `P_19B`: provision of Directive 2006/112/EC.
    Directive(String),
    /// `P_19C`: another legal basis.
    Other(String),
}

/// `PMarzy`: margin schemes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarginScheme {
    /// `P_PMarzy_2`: travel agencies.
    Travel,
    /// `P_PMarzy_3_1`: second-hand goods.
    UsedGoods,
    /// `P_PMarzy_3_2`: works of art.
    Art,
    /// `P_PMarzy_3_3`: collectors' items and antiques.
    Antiques,
}

/// `Adnotacje`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Annotations {
    /// `P_16`: cash accounting (metoda kasowa).
    pub cash_accounting: bool,
    /// `P_17`: self-billing (samofakturowanie).
    pub self_billing: bool,
    /// `P_18`: reverse charge (odwrotne obciążenie).
    pub reverse_charge: bool,
    /// `P_18A`: split payment (mechanizm podzielonej płatności).
    pub split_payment: bool,
    /// `Zwolnienie`.
    pub exemption: Exemption,
    /// `NoweSrodkiTransportu` when it describes new vehicles (kept raw); `None`
    /// stands for `P_22N`.
    pub new_transport: Option<Element>,
    /// `P_23`: simplified triangular procedure.
    pub simplified_triangular: bool,
    /// `PMarzy`; `None` stands for `P_PMarzyN`.
    pub margin: Option<MarginScheme>,
}

/// `DaneFaKorygowanej`: an invoice this one corrects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorrectedInvoice {
    /// `DataWystFaKorygowanej`.
    pub issue_date: NaiveDate,
    /// `NrFaKorygowanej`.
    pub number: String,
    /// `NrKSeFFaKorygowanej`; `None` = `NrKSeFN` (issued outside KSeF).
    pub ksef_number: Option<String>,
}

/// The correction part of `Fa`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correction {
    /// `PrzyczynaKorekty`.
    pub reason: Option<String>,
    /// `TypKorekty`: 1 effect at original date, 2 at correction date, 3 other.
    pub effect: Option<u8>,
    /// `DaneFaKorygowanej`, at least one.
    pub corrected: Vec<CorrectedInvoice>,
    /// `OkresFaKorygowanej`: period for collective rebates.
    pub period: Option<String>,
    /// `NrFaKorygowany`: the right number when the correction fixes P_2.
    pub corrected_number: Option<String>,
}

/// `P_12`: VAT rate of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum VatRate {
    /// 23%.
    R23,
    /// 22% (historic).
    R22,
    /// 8%.
    R8,
    /// 7% (historic).
    R7,
    /// 5%.
    R5,
    /// 4% (flat-rate taxi).
    R4,
    /// 3% (historic flat-rate taxi).
    R3,
    /// `0 KR`: 0% domestic.
    ZeroDomestic,
    /// `0 WDT`: 0% intra-EU supply of goods.
    ZeroIntraEu,
    /// `0 EX`: 0% export.
    ZeroExport,
    /// `zw`: exempt.
    Exempt,
    /// `oo`: reverse charge.
    ReverseCharge,
    /// `np I`: outside Poland.
    OutsideCountry,
    /// `np II`: EU services, art. 100(1)(4).
    EuServices,
}

impl VatRate {
    /// All rates.
    pub const ALL: [VatRate; 14] = [
        Self::R23,
        Self::R22,
        Self::R8,
        Self::R7,
        Self::R5,
        Self::R4,
        Self::R3,
        Self::ZeroDomestic,
        Self::ZeroIntraEu,
        Self::ZeroExport,
        Self::Exempt,
        Self::ReverseCharge,
        Self::OutsideCountry,
        Self::EuServices,
    ];
    /// The schema code.
    pub fn code(self) -> &'static str {
        match self {
            Self::R23 => "23",
            Self::R22 => "22",
            Self::R8 => "8",
            Self::R7 => "7",
            Self::R5 => "5",
            Self::R4 => "4",
            Self::R3 => "3",
            Self::ZeroDomestic => "0 KR",
            Self::ZeroIntraEu => "0 WDT",
            Self::ZeroExport => "0 EX",
            Self::Exempt => "zw",
            Self::ReverseCharge => "oo",
            Self::OutsideCountry => "np I",
            Self::EuServices => "np II",
        }
    }
    /// Parse a schema code.
    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == s)
    }
    /// The percentage for taxed rates, `None` for 0/zw/oo/np.
    pub fn percent(self) -> Option<Decimal> {
        Some(Decimal::from(match self {
            Self::R23 => 23,
            Self::R22 => 22,
            Self::R8 => 8,
            Self::R7 => 7,
            Self::R5 => 5,
            Self::R4 => 4,
            Self::R3 => 3,
            _ => return None,
        }))
    }
}

/// `FaWiersz`: one invoice line.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Line {
    /// `NrWierszaFa`, from 1.
    pub number: u64,
    /// `UU_ID`.
    pub uu_id: Option<String>,
    /// `P_6A`: sale date of this line when lines differ.
    pub sale_date: Option<NaiveDate>,
    /// `P_7`: name of goods or service.
    pub name: Option<String>,
    /// `Indeks`.
    pub index: Option<String>,
    /// `GTIN`.
    pub gtin: Option<String>,
    /// `PKWiU`.
    pub pkwiu: Option<String>,
    /// `CN`.
    pub cn: Option<String>,
    /// `PKOB`.
    pub pkob: Option<String>,
    /// `P_8A`: unit of measure.
    pub unit: Option<String>,
    /// `P_8B`: quantity.
    pub quantity: Option<Decimal>,
    /// `P_9A`: unit net price.
    pub unit_net_price: Option<Decimal>,
    /// `P_9B`: unit gross price (gross-priced invoices, art. 106e ust. 7-8).
    pub unit_gross_price: Option<Decimal>,
    /// `P_10`: discounts and rebates on the line, as an amount.
    pub discount: Option<Decimal>,
    /// `P_11`: net value.
    pub net: Option<Decimal>,
    /// `P_11A`: gross value.
    pub gross: Option<Decimal>,
    /// `P_11Vat`: VAT of the line.
    pub vat: Option<Decimal>,
    /// `P_12`.
    pub rate: Option<VatRate>,
    /// `P_12_XII`: OSS rate in percent.
    pub oss_rate: Option<Decimal>,
    /// `P_12_Zal_15`: goods or services of annex 15 (split payment list).
    pub annex15: bool,
    /// `KwotaAkcyzy`.
    pub excise: Option<Decimal>,
    /// `GTU`: `GTU_01`..`GTU_13`.
    pub gtu: Option<String>,
    /// `Procedura`.
    pub procedure: Option<String>,
    /// `KursWaluty`: exchange rate for this line.
    pub exchange_rate: Option<Decimal>,
    /// `StanPrzed`: row shows the state before correction.
    pub before_correction: bool,
    /// Unmodelled children.
    pub extra: Vec<Element>,
}

/// `ZamowienieWiersz`: a line of the order an advance invoice is paid for.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OrderLine {
    /// `NrWierszaZam`.
    pub number: u64,
    /// `P_7Z`.
    pub name: Option<String>,
    /// `P_8AZ`.
    pub unit: Option<String>,
    /// `P_8BZ`.
    pub quantity: Option<Decimal>,
    /// `P_9AZ`: unit net price.
    pub unit_net_price: Option<Decimal>,
    /// `P_11NettoZ`.
    pub net: Option<Decimal>,
    /// `P_11VatZ`.
    pub vat: Option<Decimal>,
    /// `P_12Z`.
    pub rate: Option<VatRate>,
    /// `P_12Z_Zal_15`: annex-15 goods.
    pub annex15: bool,
    /// `StanPrzedZ`.
    pub before_correction: bool,
    /// Unmodelled children (`UU_IDZ`, `IndeksZ`, `GTINZ`, `PKWiUZ`, `CNZ`, ...).
    pub extra: Vec<Element>,
}

/// `Zamowienie`: the order (or contract) an advance invoice is paid for.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Order {
    /// `WartoscZamowienia`: total gross value of the order.
    pub value: Decimal,
    /// `ZamowienieWiersz`, at least one.
    pub lines: Vec<OrderLine>,
}

/// `DodatkowyOpis`: free-text key/value notes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// `NrWiersza`: line the note refers to.
    pub line: Option<u64>,
    /// `Klucz`.
    pub key: String,
    /// `Wartosc`.
    pub value: String,
}

/// `FakturaZaliczkowa`: an advance invoice a settlement refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdvanceInvoiceRef {
    /// `NrKSeFFaZaliczkowej`.
    Ksef(String),
    /// `NrKSeFZN` + `NrFaZaliczkowej`: issued outside KSeF.
    Outside(String),
}

/// `TFormaPlatnosci` or `PlatnoscInna` + `OpisPlatnosci`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentMethod {
    /// 1 cash, 2 card, 3 voucher, 4 cheque, 5 credit, 6 transfer, 7 mobile.
    Code(u8),
    /// Another method, described.
    Other(String),
}

/// `ZaplataCzesciowa`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartialPayment {
    /// `KwotaZaplatyCzesciowej`.
    pub amount: Decimal,
    /// `DataZaplatyCzesciowej`.
    pub date: NaiveDate,
    /// Method.
    pub method: Option<PaymentMethod>,
}

/// Whether and how the invoice was paid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Paid {
    /// `Zaplacono` + `DataZaplaty`.
    Full {
        /// `DataZaplaty`.
        date: NaiveDate,
    },
    /// `ZnacznikZaplatyCzesciowej` + `ZaplataCzesciowa`.
    Partial {
        /// 1 partly paid, 2 paid in full in parts.
        marker: u8,
        /// The parts.
        parts: Vec<PartialPayment>,
    },
}

/// `TerminOpis`: a due date described relative to an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermDescription {
    /// `Ilosc`.
    pub count: i64,
    /// `Jednostka` (e.g. "dni").
    pub unit: String,
    /// `ZdarzeniePoczatkowe` (e.g. "od daty wystawienia").
    pub event: String,
}

/// `TerminPlatnosci`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PaymentTerm {
    /// `Termin`.
    pub due: Option<NaiveDate>,
    /// `TerminOpis`.
    pub description: Option<TermDescription>,
}

/// `TRachunekBankowy`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BankAccount {
    /// `NrRB`: account number (IBAN or NRB).
    pub number: String,
    /// `SWIFT`.
    pub swift: Option<String>,
    /// `RachunekWlasnyBanku`.
    pub bank_own: Option<u8>,
    /// `NazwaBanku`.
    pub bank_name: Option<String>,
    /// `OpisRachunku`.
    pub description: Option<String>,
}

/// `Platnosc`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Payment {
    /// Paid flag and dates.
    pub paid: Option<Paid>,
    /// `TerminPlatnosci`, up to 100.
    pub terms: Vec<PaymentTerm>,
    /// Method.
    pub method: Option<PaymentMethod>,
    /// `RachunekBankowy`.
    pub bank_accounts: Vec<BankAccount>,
    /// `RachunekBankowyFaktora`.
    pub factor_accounts: Vec<BankAccount>,
    /// `Skonto`: (conditions, amount) of a cash discount.
    pub cash_discount: Option<(String, String)>,
    /// `LinkDoPlatnosci`.
    pub link: Option<String>,
    /// `IPKSeF`.
    pub ipksef: Option<String>,
    /// Unmodelled children.
    pub extra: Vec<Element>,
}

/// `Fa`: the invoice proper.
#[derive(Debug, Clone, PartialEq)]
pub struct Fa {
    /// `KodWaluty`, ISO 4217.
    pub currency: String,
    /// `P_1`: issue date.
    pub issue_date: NaiveDate,
    /// `P_1M`: place of issue.
    pub issue_place: Option<String>,
    /// `P_2`: invoice number.
    pub number: String,
    /// `WZ`: delivery note numbers.
    pub delivery_notes: Vec<String>,
    /// `P_6` / `OkresFa`.
    pub sale_date: Option<SaleDate>,
    /// Totals.
    pub totals: Totals,
    /// `KursWalutyZ`: exchange rate for advance invoices.
    pub advance_exchange_rate: Option<Decimal>,
    /// `Adnotacje`.
    pub annotations: Annotations,
    /// `RodzajFaktury`.
    pub kind: InvoiceKind,
    /// Correction data (required for the correction kinds).
    pub correction: Option<Correction>,
    /// `FP`: invoice for a receipt (faktura do paragonu).
    pub for_receipt: bool,
    /// `TP`: related parties (art. 32 ust. 2 pkt 1).
    pub related_parties: bool,
    /// `DodatkowyOpis`.
    pub notes: Vec<Note>,
    /// `FakturaZaliczkowa`.
    pub advance_invoices: Vec<AdvanceInvoiceRef>,
    /// `FaWiersz`.
    pub lines: Vec<Line>,
    /// `Platnosc`.
    pub payment: Option<Payment>,
    /// `Zamowienie`: the order, on advance invoices.
    pub order: Option<Order>,
    /// Unmodelled children (`Podmiot1K`, `P_15ZK`, `ZaliczkaCzesciowa`,
    /// `ZwrotAkcyzy`, `Rozliczenie`, `WarunkiTransakcji`, ...).
    pub extra: Vec<Element>,
}

impl Fa {
    /// An empty invoice body of `kind`: no lines, zero totals, all annotations
    /// "no". Fill lines, then call [`crate::amounts::recompute`].
    pub fn new(kind: InvoiceKind, currency: &str, issue_date: NaiveDate, number: &str) -> Self {
        Self {
            currency: currency.to_owned(),
            issue_date,
            issue_place: None,
            number: number.to_owned(),
            delivery_notes: Vec::new(),
            sale_date: None,
            totals: Totals::default(),
            advance_exchange_rate: None,
            annotations: Annotations::default(),
            kind,
            correction: None,
            for_receipt: false,
            related_parties: false,
            notes: Vec::new(),
            advance_invoices: Vec::new(),
            lines: Vec::new(),
            payment: None,
            order: None,
            extra: Vec::new(),
        }
    }
}

impl Seller {
    /// A seller with just the required data.
    pub fn new(nip: &str, name: &str, address: Address) -> Self {
        Self {
            vat_prefix: None,
            eori: None,
            nip: nip.to_owned(),
            name: name.to_owned(),
            address,
            correspondence: None,
            contacts: Vec::new(),
            taxpayer_status: None,
            extra: Vec::new(),
        }
    }
}

impl Buyer {
    /// A buyer with an id, a name and an address; not a JST, not in a VAT group.
    pub fn new(id: PartyId, name: &str, address: Address) -> Self {
        Self {
            eori: None,
            id,
            name: Some(name.to_owned()),
            address: Some(address),
            correspondence: None,
            contacts: Vec::new(),
            customer_number: None,
            buyer_id: None,
            jst: false,
            gv: false,
            extra: Vec::new(),
        }
    }
}

impl Address {
    /// An address in `country` with one line.
    pub fn new(country: &str, line1: &str) -> Self {
        Self {
            country: country.to_owned(),
            line1: line1.to_owned(),
            line2: None,
            gln: None,
        }
    }
}

/// `Rejestry`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Register {
    /// `PelnaNazwa`.
    pub full_name: Option<String>,
    /// `KRS`.
    pub krs: Option<String>,
    /// `REGON`.
    pub regon: Option<String>,
    /// `BDO`.
    pub bdo: Option<String>,
}

/// `Stopka`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Footer {
    /// `Informacje/StopkaFaktury`, up to 3 (an empty string = empty `Informacje`).
    pub info: Vec<String>,
    /// `Rejestry`.
    pub registers: Vec<Register>,
}
