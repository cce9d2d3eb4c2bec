//! Integration tests for `fa3`, one binary (see STYLE.md).

// Helpers outside `#[test]` functions are test code too; clippy.toml's
// in-test allowances do not reach them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod cli;
mod fuzz_corpus;
mod golden;
mod hostile;
mod props;
mod render;
mod samples;
mod support;
