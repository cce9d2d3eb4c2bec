//! What crosses IPC. These types exist for the UI: the TypeScript bindings
//! are generated from them, and the core's domain types stay free of serde.

pub mod costs;
pub mod credentials;
pub mod ksef_certificates;
pub mod tokens;

use desk_core::{
    Company, CompanyOverview, ConnectionReport, ConnectionState, Contractor, CostCounts, Dashboard,
    FeatureState, KsefEnvironment, Locale, PermissionState, SalesCounts, StatusSummary,
};
use serde::{Deserialize, Serialize};
use specta::Type;

mod sales;

pub use sales::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum LocaleDto {
    Pl,
    En,
}

impl From<Locale> for LocaleDto {
    fn from(locale: Locale) -> LocaleDto {
        match locale {
            Locale::Pl => LocaleDto::Pl,
            Locale::En => LocaleDto::En,
        }
    }
}

impl LocaleDto {
    pub fn tag(self) -> &'static str {
        match self {
            LocaleDto::Pl => "pl",
            LocaleDto::En => "en",
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum EnvironmentDto {
    Test,
    Demo,
    Production,
    Simulator,
}

impl From<KsefEnvironment> for EnvironmentDto {
    fn from(environment: KsefEnvironment) -> EnvironmentDto {
        match environment {
            KsefEnvironment::Test => EnvironmentDto::Test,
            KsefEnvironment::Demo => EnvironmentDto::Demo,
            KsefEnvironment::Production => EnvironmentDto::Production,
            KsefEnvironment::Simulator => EnvironmentDto::Simulator,
        }
    }
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CompanyDto {
    pub id: i64,
    pub nip: String,
    pub name: String,
    pub address_line1: String,
    pub address_line2: String,
    pub environment: EnvironmentDto,
}

impl From<Company> for CompanyDto {
    fn from(company: Company) -> CompanyDto {
        CompanyDto {
            id: company.id,
            nip: company.nip,
            name: company.name,
            address_line1: company.address_line1,
            address_line2: company.address_line2,
            environment: company.ksef_environment.into(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ContractorDto {
    pub id: i64,
    pub nip: Option<String>,
    pub eu_vat_id: Option<String>,
    pub name: String,
    pub address_line1: String,
    pub address_line2: String,
    pub country_code: String,
    pub email: Option<String>,
    pub trusted: bool,
}

impl From<Contractor> for ContractorDto {
    fn from(contractor: Contractor) -> ContractorDto {
        ContractorDto {
            id: contractor.id,
            nip: contractor.nip,
            eu_vat_id: contractor.eu_vat_id,
            name: contractor.name,
            address_line1: contractor.address_line1,
            address_line2: contractor.address_line2,
            country_code: contractor.country_code,
            email: contractor.email,
            trusted: contractor.trusted,
        }
    }
}

/// Everything the window needs to draw its first frame, in one call.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct StartupDto {
    pub locale: LocaleDto,
    pub companies: Vec<CompanyDto>,
    pub active_company_id: Option<i64>,
    pub version: String,
    /// The app runs on the demo profile (`--demo`): demo data may be reset.
    pub demo: bool,
    /// The last day KSeF accepts token sign-in, `YYYY-MM-DD` (the wizard's label; the
    /// UI never keeps its own copy of the date).
    pub token_last_day: String,
}

#[derive(Debug, Clone, Copy, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum ConnectionDto {
    NotConnected,
    Online,
    Unavailable,
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct StatusDto {
    pub environment: Option<EnvironmentDto>,
    pub connection: ConnectionDto,
    pub queued: u32,
    /// The active company's sign-in warning (token cut-off, certificate expiry).
    pub credential_alert: Option<credentials::CredentialAlertDto>,
}

impl From<StatusSummary> for StatusDto {
    fn from(status: StatusSummary) -> StatusDto {
        StatusDto {
            environment: status.environment.map(Into::into),
            connection: match status.connection {
                ConnectionState::NotConnected => ConnectionDto::NotConnected,
                ConnectionState::Online => ConnectionDto::Online,
                ConnectionState::Unavailable => ConnectionDto::Unavailable,
            },
            queued: status.queued,
            credential_alert: status.credential_alert.map(Into::into),
        }
    }
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SalesCountsDto {
    pub draft: u32,
    pub issued: u32,
    pub queued: u32,
    pub sending: u32,
    pub accepted: u32,
    pub rejected: u32,
}

impl From<SalesCounts> for SalesCountsDto {
    fn from(c: SalesCounts) -> SalesCountsDto {
        SalesCountsDto {
            draft: c.draft,
            issued: c.issued,
            queued: c.queued,
            sending: c.sending,
            accepted: c.accepted,
            rejected: c.rejected,
        }
    }
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CostCountsDto {
    pub new: u32,
    pub described: u32,
    pub approved: u32,
    pub rejected: u32,
    pub paid: u32,
}

impl From<CostCounts> for CostCountsDto {
    fn from(c: CostCounts) -> CostCountsDto {
        CostCountsDto {
            new: c.new,
            described: c.described,
            approved: c.approved,
            rejected: c.rejected,
            paid: c.paid,
        }
    }
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DashboardDto {
    pub company: CompanyDto,
    pub sales: SalesCountsDto,
    pub costs: CostCountsDto,
    pub contractors: u32,
}

impl From<Dashboard> for DashboardDto {
    fn from(d: Dashboard) -> DashboardDto {
        DashboardDto {
            company: d.company.into(),
            sales: d.sales.into(),
            costs: d.costs.into(),
            contractors: d.contractors,
        }
    }
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CompanyOverviewDto {
    pub dashboard: DashboardDto,
    pub connected: bool,
}

impl From<CompanyOverview> for CompanyOverviewDto {
    fn from(o: CompanyOverview) -> CompanyOverviewDto {
        CompanyOverviewDto {
            dashboard: o.dashboard.into(),
            connected: o.connected,
        }
    }
}

impl From<EnvironmentDto> for KsefEnvironment {
    fn from(environment: EnvironmentDto) -> KsefEnvironment {
        match environment {
            EnvironmentDto::Test => KsefEnvironment::Test,
            EnvironmentDto::Demo => KsefEnvironment::Demo,
            EnvironmentDto::Production => KsefEnvironment::Production,
            EnvironmentDto::Simulator => KsefEnvironment::Simulator,
        }
    }
}

/// "Test connection" in the wizard. Deliberately not `Debug`: it holds the token.
#[derive(Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionRequestDto {
    pub nip: String,
    pub environment: EnvironmentDto,
    pub token: String,
}

/// "Connect company" in the wizard. Deliberately not `Debug`: it holds the token.
#[derive(Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct NewCompanyDto {
    pub nip: String,
    pub name: String,
    pub address_line1: String,
    pub address_line2: String,
    pub environment: EnvironmentDto,
    pub token: String,
}

#[derive(Debug, Clone, Copy, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum CheckStateDto {
    Yes,
    No,
    Unknown,
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PermissionCheckDto {
    pub code: String,
    pub label: String,
    pub state: CheckStateDto,
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct FeatureCheckDto {
    pub code: String,
    pub label: String,
    pub state: CheckStateDto,
    /// Labels of the permissions of which the feature needs any one.
    pub requires: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionReportDto {
    pub nip: String,
    pub permissions: Vec<PermissionCheckDto>,
    pub features: Vec<FeatureCheckDto>,
}

impl ConnectionReportDto {
    pub fn from_report(report: &ConnectionReport, locale: Locale) -> ConnectionReportDto {
        ConnectionReportDto {
            nip: report.nip.to_string(),
            permissions: report
                .permissions
                .iter()
                .map(|check| PermissionCheckDto {
                    code: check.permission.code().to_owned(),
                    label: check.permission.label(locale).to_owned(),
                    state: match check.state {
                        PermissionState::Granted => CheckStateDto::Yes,
                        PermissionState::Missing => CheckStateDto::No,
                        PermissionState::Unknown => CheckStateDto::Unknown,
                    },
                })
                .collect(),
            features: report
                .features
                .iter()
                .map(|check| FeatureCheckDto {
                    code: check.feature.code().to_owned(),
                    label: check.feature.label(locale).to_owned(),
                    state: match check.state {
                        FeatureState::Enabled => CheckStateDto::Yes,
                        FeatureState::Blocked => CheckStateDto::No,
                        FeatureState::Unknown => CheckStateDto::Unknown,
                    },
                    requires: check
                        .feature
                        .requires_any_of()
                        .iter()
                        .map(|p| p.label(locale).to_owned())
                        .collect(),
                })
                .collect(),
        }
    }
}
