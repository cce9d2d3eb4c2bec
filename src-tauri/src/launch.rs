//! How the app was started: `--data-dir DIR` (or `KSEF_DESK_DATA_DIR`) picks
//! the profile directory, `--demo` (or `KSEF_DESK_DEMO=1`) opens the demo
//! profile, seeded with a sample company on first start.

use std::path::PathBuf;

pub const DATA_DIR_ENV: &str = "KSEF_DESK_DATA_DIR";
pub const DEMO_ENV: &str = "KSEF_DESK_DEMO";

#[derive(Debug, Default, PartialEq, Eq)]
pub struct LaunchOptions {
    pub data_dir: Option<PathBuf>,
    pub demo: bool,
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
            } else {
                options
                    .warnings
                    .push(format!("ignoring unknown argument {arg:?}"));
            }
        }
        options
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
                warnings: vec![],
            }
        );
        assert_eq!(parse(&["--data-dir=/y"]).data_dir, Some("/y".into()));
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
        let base = PathBuf::from("/data/pl.ksefdesk.app");
        assert_eq!(parse(&[]).data_dir(base.clone()), base);
        assert_eq!(parse(&["--demo"]).data_dir(base.clone()), base.join("demo"));
        assert_eq!(
            parse(&["--demo", "--data-dir", "/t"]).data_dir(base),
            PathBuf::from("/t")
        );
    }
}
