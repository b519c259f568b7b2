//! The one integration test binary: real temporary git repositories, the real built
//! `zoomguard` binary, real `git commit`; and the labelled detector corpus.

#[path = "it/allowing.rs"]
mod allowing;
#[path = "it/cli.rs"]
mod cli;
#[path = "it/corpus.rs"]
mod corpus;
#[path = "it/formats.rs"]
mod formats;
#[path = "it/hook.rs"]
mod hook;
#[path = "it/managers.rs"]
mod managers;
#[path = "it/push.rs"]
mod push;
#[path = "it/scan.rs"]
mod scan;
#[path = "it/support.rs"]
mod support;
#[path = "it/tools.rs"]
mod tools;
