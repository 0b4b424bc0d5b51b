//! The `childchain` command's library: [`spawn`] registers a child chain on
//! a running hub and waits until its committee serves and anchors it. The
//! `childchain` binary and `hub devnet` both spawn through it; the
//! templates themselves are `tributary-childchain`, which does no I/O.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod spawn;
