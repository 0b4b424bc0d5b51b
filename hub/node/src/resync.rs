//! `hub resync`: what a node does with a database it refused at start
//! (`chain::RECOVER`): move it aside, start empty, and sync the chain again
//! from peers.
//!
//! A validator that lost its database also lost its record of the votes it
//! signed, and signing again at a height it already signed for is a double
//! sign (slashed, jailed for good). So the resynced node follows without
//! signing until the chain is past every height it may have signed at: the
//! old database's latest height + 2 (the height it was voting on, and one
//! more for a vote in flight), written to `data/signing-floor`. `hub start`
//! reads it, runs as a follower under the same peer identity, and once the
//! chain reaches the floor removes the file and starts again, signing.

use crate::config::Home;
use anyhow::{bail, Context};
use std::path::PathBuf;
use tributary_store::{Column, Store};

/// The file that holds a resynced validator's signing floor.
pub const FLOOR_FILE: &str = "signing-floor";

/// What `resync` did.
#[derive(Debug, serde::Serialize)]
pub struct Resynced {
    /// Where the old database now is (kept, for a look at what went wrong).
    pub moved_to: PathBuf,
    /// The old database's latest height, when it could still be read.
    pub old_height: Option<u64>,
    /// The node signs nothing below this height.
    pub signing_floor: u64,
}

/// The latest height an old database records, if it opens at all.
fn old_height(data: &std::path::Path) -> Option<u64> {
    let store = Store::open(data).ok()?;
    let bytes = store.get(Column::Meta, b"latest_height").ok()??;
    Some(u64::from_be_bytes(bytes.try_into().ok()?))
}

/// Move `home`'s database aside, start an empty one with a signing floor of
/// the old latest height + 2 (or `floor`, if higher; required when the old
/// database cannot be read), and say what was done.
pub fn resync(home: &Home, floor: Option<u64>, now_secs: u64) -> anyhow::Result<Resynced> {
    let data = home.data();
    if !data.exists() {
        bail!("{} has no database to resync; `hub start` syncs an empty home by itself", home.root.display());
    }
    let old = old_height(&data);
    let signing_floor = match (old, floor) {
        (Some(old), floor) => (old + 2).max(floor.unwrap_or(0)),
        (None, Some(floor)) => floor,
        (None, None) => bail!(
            "the old database cannot be read, so the heights this validator may have signed at are unknown: pass \
             --floor HEIGHT with a height above any it signed (e.g. the chain's height now, from another node)"
        ),
    };
    let moved_to = home.root.join(format!("data.corrupt-{now_secs}"));
    std::fs::rename(&data, &moved_to)
        .with_context(|| format!("cannot move {} to {}", data.display(), moved_to.display()))?;
    std::fs::create_dir_all(&data).with_context(|| format!("cannot create {}", data.display()))?;
    std::fs::write(data.join(FLOOR_FILE), format!("{signing_floor}\n"))
        .with_context(|| format!("cannot write {}", data.join(FLOOR_FILE).display()))?;
    Ok(Resynced { moved_to, old_height: old, signing_floor })
}

/// A home's signing floor, if it was resynced and has not reached it yet.
pub fn signing_floor(home: &Home) -> anyhow::Result<Option<u64>> {
    let path = home.data().join(FLOOR_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(Some(
            text.trim()
                .parse()
                .with_context(|| format!("{} holds no height: remove it or write one", path.display()))?,
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

/// The chain reached the floor: the node may sign again.
pub fn clear_floor(home: &Home) -> anyhow::Result<()> {
    let path = home.data().join(FLOOR_FILE);
    std::fs::remove_file(&path).with_context(|| format!("cannot remove {}", path.display()))
}
