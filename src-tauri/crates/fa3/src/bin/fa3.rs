//! `fa3` command-line tool (filled in below).
fn main() {}
