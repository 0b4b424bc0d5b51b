//! Wall-clock time, in milliseconds since the Unix epoch: the one place the
//! node reads the system clock. Its own file so the engine, the API and the
//! command line all reach it without reaching into each other.

use std::time::{SystemTime, UNIX_EPOCH};

/// Now, in milliseconds since the Unix epoch (0 if the clock is before it).
pub fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

/// A clock handed to what must not read the system clock itself (the API's
/// resolvers get it as schema data), so a test can hold time still.
#[derive(Clone, Copy)]
pub struct Clock(pub fn() -> u64);

impl Clock {
    /// The system clock ([`now_ms`]).
    pub fn system() -> Self {
        Clock(now_ms)
    }

    pub fn now_ms(&self) -> u64 {
        (self.0)()
    }
}
