use std::time::Duration;

use rand::Rng as _;

/// Pauses between retries: doubling from `base` up to `max`, each drawn at random from the
/// upper half of its step so that workers which failed together do not retry together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    base: Duration,
    max: Duration,
}

impl Backoff {
    /// A schedule starting at `base` and never above `max`.
    pub fn new(base: Duration, max: Duration) -> Self {
        Self {
            base,
            max: max.max(base),
        }
    }

    /// The pause before retry number `retry` (1 for the first retry).
    pub fn delay(&self, retry: u32) -> Duration {
        self.delay_with(retry, rand::thread_rng().gen_range(0.0..1.0))
    }

    /// [`Self::delay`] with the random draw `unit` in `[0, 1)` given, for tests.
    fn delay_with(&self, retry: u32, unit: f64) -> Duration {
        let doublings = retry.saturating_sub(1);
        let step = self
            .base
            .saturating_mul(2_u32.saturating_pow(doublings))
            .min(self.max);
        step / 2 + step.mul_f64(unit.clamp(0.0, 1.0) / 2.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCHEDULE: Backoff = Backoff {
        base: Duration::from_secs(2),
        max: Duration::from_secs(60),
    };

    #[test]
    fn steps_double_from_the_base_and_stop_at_the_cap() {
        let upper: Vec<u64> = (1..=7)
            .map(|retry| SCHEDULE.delay_with(retry, 1.0).as_secs())
            .collect();

        assert_eq!(upper, [2, 4, 8, 16, 32, 60, 60]);
        assert_eq!(SCHEDULE.delay_with(1000, 1.0), Duration::from_secs(60));
    }

    #[test]
    fn jitter_stays_within_the_upper_half_of_the_step() {
        assert_eq!(SCHEDULE.delay_with(3, 0.0), Duration::from_secs(4));
        assert_eq!(SCHEDULE.delay_with(3, 0.5), Duration::from_secs(6));
        for _ in 0..100 {
            let delay = SCHEDULE.delay(3);
            assert!(delay >= Duration::from_secs(4) && delay <= Duration::from_secs(8));
        }
    }
}
