//! Per-client rate limits: a token bucket per client IP address. A client
//! over its rate gets HTTP 429 with `Retry-After`, and everyone else is
//! served as before. The table of clients is bounded: when it is full,
//! clients whose buckets have refilled (idle ones) are forgotten first.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Most clients tracked at once.
pub const CLIENTS_MAX: usize = 10_000;

pub struct RateLimiter {
    per_second: f64,
    burst: f64,
    buckets: Mutex<HashMap<IpAddr, (f64, Instant)>>,
}

impl RateLimiter {
    /// `per_second` sustained, `burst` at once; 0 turns the limit off.
    pub fn new(per_second: u32, burst: u32) -> Self {
        RateLimiter { per_second: per_second as f64, burst: burst.max(1) as f64, buckets: Mutex::default() }
    }

    /// Take one request's token for `client` at `now`; how long to wait when none is left.
    pub fn check(&self, client: IpAddr, now: Instant) -> Result<(), Duration> {
        if self.per_second <= 0.0 {
            return Ok(());
        }
        let Ok(mut buckets) = self.buckets.lock() else { return Ok(()) };
        if buckets.len() >= CLIENTS_MAX && !buckets.contains_key(&client) {
            let full_after = Duration::from_secs_f64(self.burst / self.per_second);
            buckets.retain(|_, (_, seen)| now.duration_since(*seen) < full_after);
            if buckets.len() >= CLIENTS_MAX {
                return Err(Duration::from_secs(1));
            }
        }
        let (tokens, seen) = buckets.entry(client).or_insert((self.burst, now));
        let refilled = (*tokens + now.duration_since(*seen).as_secs_f64() * self.per_second).min(self.burst);
        *seen = now;
        if refilled >= 1.0 {
            *tokens = refilled - 1.0;
            Ok(())
        } else {
            *tokens = refilled;
            Err(Duration::from_secs_f64((1.0 - refilled) / self.per_second))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_gets_its_burst_then_its_rate_and_others_are_unaffected() {
        let limiter = RateLimiter::new(10, 5);
        let (a, b) = ("127.0.0.1".parse().unwrap(), "127.0.0.2".parse().unwrap());
        let start = Instant::now();
        for _ in 0..5 {
            assert!(limiter.check(a, start).is_ok());
        }
        let wait = limiter.check(a, start).unwrap_err();
        assert!(wait > Duration::ZERO && wait <= Duration::from_millis(100), "{wait:?}");
        assert!(limiter.check(b, start).is_ok(), "another client keeps its own bucket");
        // 100 ms later one token has come back.
        assert!(limiter.check(a, start + Duration::from_millis(100)).is_ok());
        assert!(limiter.check(a, start + Duration::from_millis(100)).is_err());
    }

    #[test]
    fn zero_turns_the_limit_off() {
        let limiter = RateLimiter::new(0, 0);
        let a = "127.0.0.1".parse().unwrap();
        for _ in 0..1000 {
            assert!(limiter.check(a, Instant::now()).is_ok());
        }
    }
}
