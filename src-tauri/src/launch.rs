//! How the app was started: `--data-dir DIR` (or `KSEF_DESK_DATA_DIR`) picks
//! the profile directory, `--demo` (or `KSEF_DESK_DEMO=1`) opens the demo
//! profile, seeded with a sample company on first start.
//! `--sim-refuse-tokens-from INSTANT` (or `KSEF_DESK_SIM_REFUSE_TOKENS_FROM`, RFC 3339,
//! e.g. `2027-01-01T00:00:00+01:00`) makes the built-in simulator refuse token sign-in
//! from that instant, to rehearse 1 January 2027 when KSeF stops accepting tokens.

use std::path::PathBuf;

use chrono::{DateTime, Utc};

pub const DATA_DIR_ENV: &str = "KSEF_DESK_DATA_DIR";
pub const DEMO_ENV: &str = "KSEF_DESK_DEMO";
pub const SIM_REFUSE_TOKENS_FROM_ENV: &str = "KSEF_DESK_SIM_REFUSE_TOKENS_FROM";
const SIM_REFUSE_TOKENS_FROM_ARG: &str = "--sim-refuse-tokens-from";

#[derive(Debug, Default, PartialEq, Eq)]
pub struct LaunchOptions {
    pub data_dir: Option<PathBuf>,
    pub demo: bool,
    /// When the built-in simulator starts refusing token sign-in (none: never).
    pub sim_refuse_tokens_from: Option<DateTime<Utc>>,
    /// Problems with the arguments, logged once logging is up; they never stop
    /// the app (a desktop launcher may pass arguments of its own).
    pub warnings: Vec<String>,
}

impl LaunchOptions {
    pub fn from_env_and_args(args: impl Iterator<Item = String>) -> LaunchOptions {
        let mut options = LaunchOptions::parse(args);
        if options.data_dir.is_none() {
            options.data_dir = std::env::var_os(DATA_DIR_ENV)
                .filter(|dir| !dir.is_empty())
                .map(PathBuf::from);
        }
        if std::env::var_os(DEMO_ENV).is_some_and(|v| v == "1") {
            options.demo = true;
        }
        if options.sim_refuse_tokens_from.is_none() {
            if let Ok(value) = std::env::var(SIM_REFUSE_TOKENS_FROM_ENV) {
                options.set_refuse_tokens_from(&value, SIM_REFUSE_TOKENS_FROM_ENV);
            }
        }
        options
    }

    fn parse(mut args: impl Iterator<Item = String>) -> LaunchOptions {
        let mut options = LaunchOptions::default();
        while let Some(arg) = args.next() {
            if arg == "--demo" {
                options.demo = true;
            } else if arg == "--data-dir" {
                match args.next() {
                    Some(dir) if !dir.is_empty() => options.data_dir = Some(dir.into()),
                    _ => options
                        .warnings
                        .push("--data-dir needs a directory; using the default".into()),
                }
            } else if let Some(dir) = arg.strip_prefix("--data-dir=") {
                options.data_dir = Some(dir.into());
            } else if arg == SIM_REFUSE_TOKENS_FROM_ARG {
                let value = args.next().unwrap_or_default();
                options.set_refuse_tokens_from(&value, SIM_REFUSE_TOKENS_FROM_ARG);
            } else if let Some(value) = arg
                .strip_prefix(SIM_REFUSE_TOKENS_FROM_ARG)
                .and_then(|rest| rest.strip_prefix('='))
            {
                options.set_refuse_tokens_from(value, SIM_REFUSE_TOKENS_FROM_ARG);
            } else {
                options
                    .warnings
                    .push(format!("ignoring unknown argument {arg:?}"));
            }
        }
        options
    }

    /// Reads an RFC 3339 instant; a bad one is a warning and leaves tokens working.
    fn set_refuse_tokens_from(&mut self, value: &str, name: &str) {
        match DateTime::parse_from_rfc3339(value.trim()) {
            Ok(instant) => self.sim_refuse_tokens_from = Some(instant.with_timezone(&Utc)),
            Err(error) => self.warnings.push(format!(
                "{name} needs an RFC 3339 instant such as 2027-01-01T00:00:00+01:00, got \
                 {value:?} ({error}); token sign-in stays on"
            )),
        }
    }

    /// Whether this is the profile a plain launch (a desktop icon) opens.
    pub fn is_default_profile(&self) -> bool {
        self.data_dir.is_none() && !self.demo
    }

    /// The profile directory: the one asked for, else the OS app-data dir
    /// (with the demo profile kept apart from real data).
    pub fn data_dir(&self, app_data_dir: PathBuf) -> PathBuf {
        match (&self.data_dir, self.demo) {
            (Some(dir), _) => dir.clone(),
            (None, true) => app_data_dir.join("demo"),
            (None, false) => app_data_dir,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> LaunchOptions {
        LaunchOptions::parse(args.iter().map(|a| a.to_string()))
    }

    #[test]
    fn reads_both_data_dir_spellings_and_demo() {
        assert_eq!(
            parse(&["--data-dir", "/tmp/x", "--demo"]),
            LaunchOptions {
                data_dir: Some("/tmp/x".into()),
                demo: true,
                sim_refuse_tokens_from: None,
                warnings: vec![],
            }
        );
        assert_eq!(parse(&["--data-dir=/y"]).data_dir, Some("/y".into()));
    }

    #[test]
    fn reads_when_the_simulator_refuses_tokens() {
        let new_year = DateTime::parse_from_rfc3339("2026-12-31T23:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        for args in [
            &["--sim-refuse-tokens-from", "2027-01-01T00:00:00+01:00"][..],
            &["--sim-refuse-tokens-from=2027-01-01T00:00:00+01:00"][..],
        ] {
            let options = parse(args);
            assert_eq!(options.sim_refuse_tokens_from, Some(new_year), "{args:?}");
            assert!(options.warnings.is_empty());
        }
        let options = parse(&["--sim-refuse-tokens-from", "1 stycznia"]);
        assert_eq!(options.sim_refuse_tokens_from, None);
        assert!(options.warnings[0].contains("RFC 3339"));
    }

    #[test]
    fn bad_arguments_are_warnings_not_failures() {
        let options = parse(&["--frobnicate", "--data-dir"]);
        assert_eq!(options.data_dir, None);
        assert_eq!(options.warnings.len(), 2);
        assert!(options.warnings[0].contains("--frobnicate"));
    }

    #[test]
    fn demo_data_lives_apart_from_real_data() {
        let base = PathBuf::from("/data/pl.ksefdesk.desk");
        assert_eq!(parse(&[]).data_dir(base.clone()), base);
        assert_eq!(parse(&["--demo"]).data_dir(base.clone()), base.join("demo"));
        assert_eq!(
            parse(&["--demo", "--data-dir", "/t"]).data_dir(base),
            PathBuf::from("/t")
        );
        assert!(parse(&[]).is_default_profile());
        assert!(!parse(&["--demo"]).is_default_profile());
        assert!(!parse(&["--data-dir", "/t"]).is_default_profile());
    }
}
