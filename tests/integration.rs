//! The one integration test binary: real temporary git repositories, the real built
//! `zoomguard` binary, real `git commit`; and the labelled detector corpus.
