//! zoomguard: a git hook that stops Zoom API credentials from entering a repository.
//!
//! The flow is `source` (what changed, from git) → `detect` (pure: text in, findings out)
//! → `allow` (what the user vouched for) → `report` (what the user reads). `main.rs` only
//! parses arguments and maps the outcome to an exit code.
#![deny(missing_docs)]

pub mod allow;
pub mod change;
pub mod cli;
pub mod commands;
pub mod detect;
pub mod engine;
pub mod install;
pub mod inventory;
pub mod outcome;
pub mod output;
pub mod report;
pub mod source;
/// Test support, never in the binary: seeded synthetic credentials for the unit and
/// integration tests, the benches and the fuzz targets (the `synth` feature).
#[cfg(any(test, feature = "synth"))]
pub mod synth;
pub mod threads;
