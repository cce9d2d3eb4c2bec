//! KSeF environments and their base URLs (official values from the MF documentation).

use url::Url;

use crate::error::{KsefError, Result};
use crate::limiter::RateLimitTable;

/// Where the client talks to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Environment {
    /// KSeF TEST (release candidate): `https://api-test.ksef.mf.gov.pl/v2`.
    Test,
    /// KSeF DEMO (pre-production): `https://api-demo.ksef.mf.gov.pl/v2`.
    Demo,
    /// KSeF production: `https://api.ksef.mf.gov.pl/v2`.
    Production,
    /// Any other base URL (the local simulator). `api_base` includes the `/v2` prefix if the
    /// server uses one; the Latarnia (status) base is optional.
    Custom {
        /// API base, e.g. `http://127.0.0.1:41234/v2`.
        api_base: Url,
        /// Latarnia base (serves `/status`, `/messages`), if any.
        latarnia_base: Option<Url>,
    },
}

impl Environment {
    /// A custom environment from strings (the simulator).
    pub fn custom(api_base: &str, latarnia_base: Option<&str>) -> Result<Self> {
        let parse = |s: &str| {
            Url::parse(s).map_err(|e| KsefError::Config(format!("bad base URL {s:?}: {e}")))
        };
        Ok(Environment::Custom {
            api_base: parse(api_base)?,
            latarnia_base: latarnia_base.map(parse).transpose()?,
        })
    }

    /// API base URL.
    pub fn api_base(&self) -> Url {
        match self {
            Environment::Test => known("https://api-test.ksef.mf.gov.pl/v2"),
            Environment::Demo => known("https://api-demo.ksef.mf.gov.pl/v2"),
            Environment::Production => known("https://api.ksef.mf.gov.pl/v2"),
            Environment::Custom { api_base, .. } => api_base.clone(),
        }
    }

    /// Latarnia (KSeF status service) base URL. DEMO has none published.
    pub fn latarnia_base(&self) -> Option<Url> {
        match self {
            Environment::Test => Some(known("https://api-latarnia-test.ksef.mf.gov.pl")),
            Environment::Demo => None,
            Environment::Production => Some(known("https://api-latarnia.ksef.mf.gov.pl")),
            Environment::Custom { latarnia_base, .. } => latarnia_base.clone(),
        }
    }

    /// The documented rate limits for this environment (TEST has 10x production).
    /// Custom environments get no client-side limit unless configured.
    pub fn default_rate_limits(&self) -> RateLimitTable {
        match self {
            Environment::Test => RateLimitTable::production().scaled(10),
            Environment::Demo | Environment::Production => RateLimitTable::production(),
            Environment::Custom { .. } => RateLimitTable::unlimited(),
        }
    }
}

fn known(s: &str) -> Url {
    // Only called with the literals above, covered by `official_urls`.
    Url::parse(s).unwrap_or_else(|e| unreachable!("static URL {s}: {e}"))
}

/// `base` + relative `path` (`path` without a leading slash), keeping base's path prefix.
pub(crate) fn join(base: &Url, path: &str) -> Result<Url> {
    let mut base = base.clone();
    if !base.path().ends_with('/') {
        let p = format!("{}/", base.path());
        base.set_path(&p);
    }
    base.join(path.trim_start_matches('/'))
        .map_err(|e| KsefError::Config(format!("bad path {path:?}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn official_urls() {
        assert_eq!(
            Environment::Test.api_base().as_str(),
            "https://api-test.ksef.mf.gov.pl/v2"
        );
        assert_eq!(
            Environment::Demo.api_base().as_str(),
            "https://api-demo.ksef.mf.gov.pl/v2"
        );
        assert_eq!(
            Environment::Production.api_base().as_str(),
            "https://api.ksef.mf.gov.pl/v2"
        );
        assert_eq!(
            Environment::Production
                .latarnia_base()
                .map(|u| u.to_string()),
            Some("https://api-latarnia.ksef.mf.gov.pl/".to_string())
        );
        assert!(Environment::Demo.latarnia_base().is_none());
    }

    #[test]
    fn join_keeps_prefix() {
        let base = Environment::Production.api_base();
        assert_eq!(
            join(&base, "/auth/challenge").unwrap().as_str(),
            "https://api.ksef.mf.gov.pl/v2/auth/challenge"
        );
        let env = Environment::custom("http://127.0.0.1:9/v2/", None).unwrap();
        assert_eq!(
            join(&env.api_base(), "sessions/online").unwrap().as_str(),
            "http://127.0.0.1:9/v2/sessions/online"
        );
        assert!(Environment::custom("not a url", None).is_err());
    }
}
