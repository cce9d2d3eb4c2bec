//! Integration tests: end to end over real HTTP on 127.0.0.1:0 with real crypto.
//! Every JSON response seen by these tests is validated against the official
//! OpenAPI schemas (see `spec.rs`), so the flows double as conformance tests.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers outside #[test] fns: a failed step is a failed test"
)]

mod common;
mod spec;

mod auth;
mod batch;
mod certs;
mod cli;
mod faults;
mod online;
mod query;
