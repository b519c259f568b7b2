//! The one integration test binary: real temporary git repositories, the real built
//! `zoomguard` binary, real `git commit`; the labelled detector corpus; and property tests.

#[path = "it/badinput.rs"]
mod badinput;
#[path = "it/corpus.rs"]
mod corpus;
#[path = "it/hook.rs"]
mod hook;
#[path = "it/props.rs"]
mod props;
#[path = "it/push.rs"]
mod push;
#[path = "it/support.rs"]
mod support;
