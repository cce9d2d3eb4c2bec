//! End-to-end tests of the client over real HTTP against the local KSeF simulator
//! (`ksef-sim` on 127.0.0.1:0). One binary; one module per area.

// Test code: helpers outside `#[test]` fns fail loudly too (clippy.toml only covers the fns).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

mod auth;
mod batch;
mod certs;
mod faults;
mod hygiene;
mod online;
mod query;
mod tokens;
