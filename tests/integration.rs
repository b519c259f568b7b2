//! The one integration test binary: real temporary git repositories, the real built
//! `zoomguard` binary, real `git commit`; the labelled detector corpus; and property tests.

#[path = "it/allowing.rs"]
mod allowing;
#[path = "it/architecture.rs"]
mod architecture;
#[path = "it/badinput.rs"]
mod badinput;
#[path = "it/cli.rs"]
mod cli;
#[path = "it/corpus.rs"]
mod corpus;
#[path = "it/depth.rs"]
mod depth;
#[path = "it/formats.rs"]
mod formats;
#[path = "it/gitformats.rs"]
mod gitformats;
#[path = "it/hook.rs"]
mod hook;
#[path = "it/image.rs"]
mod image;
#[path = "it/managers.rs"]
mod managers;
#[path = "it/partial.rs"]
mod partial;
#[path = "it/policy.rs"]
mod policy;
#[path = "it/project.rs"]
mod project;
#[path = "it/props.rs"]
mod props;
#[path = "it/push.rs"]
mod push;
#[path = "it/renames.rs"]
mod renames;
#[path = "it/scan.rs"]
mod scan;
#[path = "it/support.rs"]
mod support;
#[path = "it/tools.rs"]
mod tools;
