//! What can be wrong with a sales form, each finding naming its field and the fix.

use crate::nip::NipError;
use crate::Locale;

/// One problem of an invoice or contractor form. `field` is the form's path
/// (`contractor`, `lines.2.quantity`, ...), so the UI can put it next to the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SalesProblem {
    ContractorMissing,
    ContractorNameEmpty,
    ContractorNip(NipError),
    /// A Polish NIP typed as an EU VAT number: KSeF would file the invoice under an
    /// EU id and the buyer would never see it in KSeF.
    PolishNipAsEuVat {
        input: String,
    },
    EuVatInvalid {
        input: String,
    },
    NoLines,
    LineNameEmpty {
        line: usize,
    },
    LineQuantity {
        line: usize,
        input: String,
    },
    LinePrice {
        line: usize,
        input: String,
    },
    LineRate {
        line: usize,
        input: String,
    },
    Currency {
        input: String,
    },
    ExchangeRate {
        input: String,
    },
    BankAccount {
        input: String,
    },
    DueBeforeIssue,
    CorrectionReasonEmpty,
    EndOfDayTime {
        input: String,
    },
    SeriesPattern {
        input: String,
    },
    /// A date that is not `YYYY-MM-DD`.
    InvalidDate {
        field: &'static str,
        input: String,
    },
    /// A business rule of FA(3) (fa3's finding, already in both languages).
    Rule {
        code: &'static str,
        path: String,
        pl: String,
        en: String,
    },
}

impl SalesProblem {
    pub fn field(&self) -> String {
        match self {
            SalesProblem::ContractorMissing | SalesProblem::PolishNipAsEuVat { .. } => {
                "contractor".into()
            }
            SalesProblem::ContractorNameEmpty => "name".into(),
            SalesProblem::ContractorNip(_) => "nip".into(),
            SalesProblem::EuVatInvalid { .. } => "eu_vat_id".into(),
            SalesProblem::NoLines => "lines".into(),
            SalesProblem::LineNameEmpty { line } => format!("lines.{line}.name"),
            SalesProblem::LineQuantity { line, .. } => format!("lines.{line}.quantity"),
            SalesProblem::LinePrice { line, .. } => format!("lines.{line}.unit_price"),
            SalesProblem::LineRate { line, .. } => format!("lines.{line}.rate"),
            SalesProblem::Currency { .. } => "currency".into(),
            SalesProblem::ExchangeRate { .. } => "exchange_rate".into(),
            SalesProblem::BankAccount { .. } => "bank_account".into(),
            SalesProblem::DueBeforeIssue => "due_date".into(),
            SalesProblem::CorrectionReasonEmpty => "correction_reason".into(),
            SalesProblem::EndOfDayTime { .. } => "end_of_day_time".into(),
            SalesProblem::SeriesPattern { .. } => "series_pattern".into(),
            SalesProblem::InvalidDate { field, .. } => (*field).into(),
            SalesProblem::Rule { path, .. } => path.clone(),
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            SalesProblem::ContractorMissing => "contractor_missing",
            SalesProblem::ContractorNameEmpty => "contractor_name_empty",
            SalesProblem::ContractorNip(NipError::Empty) => "nip_empty",
            SalesProblem::ContractorNip(NipError::EuPrefix { .. }) => "nip_eu_prefix",
            SalesProblem::ContractorNip(NipError::InvalidCharacter { .. }) => {
                "nip_invalid_character"
            }
            SalesProblem::ContractorNip(NipError::WrongLength { .. }) => "nip_wrong_length",
            SalesProblem::ContractorNip(NipError::Checksum) => "nip_checksum",
            SalesProblem::PolishNipAsEuVat { .. } => "polish_nip_as_eu_vat",
            SalesProblem::EuVatInvalid { .. } => "eu_vat_invalid",
            SalesProblem::NoLines => "no_lines",
            SalesProblem::LineNameEmpty { .. } => "line_name_empty",
            SalesProblem::LineQuantity { .. } => "line_quantity",
            SalesProblem::LinePrice { .. } => "line_price",
            SalesProblem::LineRate { .. } => "line_rate",
            SalesProblem::Currency { .. } => "currency",
            SalesProblem::ExchangeRate { .. } => "exchange_rate",
            SalesProblem::BankAccount { .. } => "bank_account",
            SalesProblem::DueBeforeIssue => "due_before_issue",
            SalesProblem::CorrectionReasonEmpty => "correction_reason_empty",
            SalesProblem::EndOfDayTime { .. } => "end_of_day_time",
            SalesProblem::SeriesPattern { .. } => "series_pattern",
            SalesProblem::InvalidDate { .. } => "invalid_date",
            SalesProblem::Rule { code, .. } => code,
        }
    }

    pub fn message(&self, locale: Locale) -> String {
        let pl = locale == Locale::Pl;
        let line_no = |line: &usize| line + 1;
        match self {
            SalesProblem::ContractorMissing if pl => "Wybierz nabywcę albo dodaj nowego.".into(),
            SalesProblem::ContractorMissing => "Choose the buyer or add a new one.".into(),
            SalesProblem::ContractorNameEmpty if pl => "Podaj nazwę kontrahenta.".into(),
            SalesProblem::ContractorNameEmpty => "Enter the contractor's name.".into(),
            SalesProblem::ContractorNip(error) => {
                crate::connection::InputProblem::Nip(error.clone()).message(locale)
            }
            SalesProblem::PolishNipAsEuVat { input } if pl => format!(
                "„{input}” to polski NIP z przedrostkiem PL. Wpisz go w polu NIP (bez PL): \
                 z numerem VAT UE faktura w KSeF byłaby niewidoczna dla nabywcy."
            ),
            SalesProblem::PolishNipAsEuVat { input } => format!(
                "“{input}” is a Polish NIP with the PL prefix. Enter it as the NIP (without \
                 PL): under an EU VAT number the buyer would not see the invoice in KSeF."
            ),
            SalesProblem::EuVatInvalid { input } if pl => {
                format!("„{input}” nie jest numerem VAT UE: podaj kod kraju (np. DE) i numer.")
            }
            SalesProblem::EuVatInvalid { input } => format!(
                "“{input}” is not an EU VAT number: give the country code (e.g. DE) and the number."
            ),
            SalesProblem::NoLines if pl => "Dodaj co najmniej jedną pozycję faktury.".into(),
            SalesProblem::NoLines => "Add at least one invoice line.".into(),
            SalesProblem::LineNameEmpty { line } if pl => {
                format!("Pozycja {}: podaj nazwę towaru lub usługi.", line_no(line))
            }
            SalesProblem::LineNameEmpty { line } => {
                format!(
                    "Line {}: enter the name of the goods or service.",
                    line_no(line)
                )
            }
            SalesProblem::LineQuantity { line, input } if pl => format!(
                "Pozycja {}: ilość „{input}” nie jest liczbą większą od zera.",
                line_no(line)
            ),
            SalesProblem::LineQuantity { line, input } => format!(
                "Line {}: the quantity “{input}” is not a number above zero.",
                line_no(line)
            ),
            SalesProblem::LinePrice { line, input } if pl => format!(
                "Pozycja {}: cena „{input}” nie jest kwotą (np. 1 234,50).",
                line_no(line)
            ),
            SalesProblem::LinePrice { line, input } => format!(
                "Line {}: the price “{input}” is not an amount (e.g. 1234.50).",
                line_no(line)
            ),
            SalesProblem::LineRate { line, input } if pl => format!(
                "Pozycja {}: nieznana stawka VAT „{input}”. Wybierz stawkę z listy.",
                line_no(line)
            ),
            SalesProblem::LineRate { line, input } => format!(
                "Line {}: unknown VAT rate “{input}”. Choose a rate from the list.",
                line_no(line)
            ),
            SalesProblem::Currency { input } if pl => {
                format!("„{input}” nie jest kodem waluty (np. PLN, EUR).")
            }
            SalesProblem::Currency { input } => {
                format!("“{input}” is not a currency code (e.g. PLN, EUR).")
            }
            SalesProblem::ExchangeRate { input } if pl => format!(
                "Kurs waluty „{input}” jest niepoprawny. Dla waluty innej niż PLN podaj kurs \
                 większy od zera (np. 4,3215)."
            ),
            SalesProblem::ExchangeRate { input } => format!(
                "The exchange rate “{input}” is not valid. A currency other than PLN needs a \
                 rate above zero (e.g. 4.3215)."
            ),
            SalesProblem::BankAccount { input } if pl => format!(
                "Numer rachunku „{input}” ma błędną sumę kontrolną. Sprawdź, czy nie ma literówki."
            ),
            SalesProblem::BankAccount { input } => {
                format!("The account number “{input}” has a wrong checksum. Check it for a typo.")
            }
            SalesProblem::DueBeforeIssue if pl => {
                "Termin płatności jest przed datą wystawienia.".into()
            }
            SalesProblem::DueBeforeIssue => "The due date is before the issue date.".into(),
            SalesProblem::CorrectionReasonEmpty if pl => {
                "Podaj przyczynę korekty (np. rabat, zwrot, błędna cena).".into()
            }
            SalesProblem::CorrectionReasonEmpty => {
                "Enter the reason for the correction (e.g. discount, return, wrong price).".into()
            }
            SalesProblem::EndOfDayTime { input } if pl => format!(
                "Godzina „{input}” jest niepoprawna. Podaj godzinę w formacie GG:MM, \
                 najpóźniej 23:00, żeby wysyłka skończyła się tego samego dnia."
            ),
            SalesProblem::EndOfDayTime { input } => format!(
                "The time “{input}” is not valid. Use HH:MM, at the latest 23:00, so the run \
                 finishes the same day."
            ),
            SalesProblem::SeriesPattern { input } if pl => format!(
                "Wzór numeracji „{input}” musi zawierać {{n}} (kolejny numer) i {{YYYY}} (rok); \
                 przy numeracji miesięcznej także {{MM}}."
            ),
            SalesProblem::SeriesPattern { input } => format!(
                "The numbering pattern “{input}” must contain {{n}} (the number) and {{YYYY}} \
                 (the year); with a monthly reset also {{MM}}."
            ),
            SalesProblem::InvalidDate { input, .. } if pl => {
                format!("„{input}” nie jest datą. Podaj datę w formacie RRRR-MM-DD.")
            }
            SalesProblem::InvalidDate { input, .. } => {
                format!("“{input}” is not a date. Use YYYY-MM-DD.")
            }
            SalesProblem::Rule { pl: text, .. } if pl => text.clone(),
            SalesProblem::Rule { en, .. } => en.clone(),
        }
    }
}
