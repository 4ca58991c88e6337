//! Block heights as approximate dates: the chain's recent pace, read from the node API's
//! block times ([`NodeClient::block_time`]), turns a height (an expiry, a record's block)
//! into "about 2026-12-12, in 7 days".

use super::{NodeClient, NodeError};

/// How many blocks back the pace is measured over (about a day of ten-minute blocks).
pub const PACE_WINDOW: u64 = 144;

/// The seconds per block assumed when the recent blocks tell no pace (a devnet that
/// mines many blocks in one second, or a window too short): ten minutes, the pace of the
/// pages' "about 144 blocks a day".
pub const NOMINAL_SECONDS_PER_BLOCK: u64 = 600;

/// Where the chain stands in time: its tip, the tip's time, and the recent pace.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BlockClock {
    /// The tip's height.
    pub tip: u64,
    /// The tip's time (Unix seconds).
    pub tip_time: u64,
    /// Mean seconds between blocks over the last [`PACE_WINDOW`] blocks.
    pub seconds_per_block: f64,
}

impl BlockClock {
    /// A clock from the tip's time and an earlier block's: the pace between them, or
    /// [`NOMINAL_SECONDS_PER_BLOCK`] when they tell none.
    pub fn from_times(tip: u64, tip_time: u64, earlier: Option<(u64, u64)>) -> Self {
        let measured = earlier.and_then(|(height, time)| {
            let blocks = tip.checked_sub(height).filter(|b| *b > 0)?;
            let seconds = tip_time.checked_sub(time).filter(|s| *s >= blocks)?;
            Some(seconds as f64 / blocks as f64)
        });
        BlockClock {
            tip,
            tip_time,
            seconds_per_block: measured.unwrap_or(NOMINAL_SECONDS_PER_BLOCK as f64),
        }
    }

    /// Reads the times of block `tip` and of the block [`PACE_WINDOW`] before it; `None`
    /// when the node API tells no block times (a bare node).
    pub async fn read(node: &NodeClient, tip: u64) -> Result<Option<Self>, NodeError> {
        let earlier = tip.saturating_sub(PACE_WINDOW);
        let (now, then) =
            futures_util::future::join(node.block_time(tip), node.block_time(earlier)).await;
        let Some(tip_time) = now? else {
            return Ok(None);
        };
        let then = then?.map(|t| (earlier, t));
        Ok(Some(BlockClock::from_times(tip, tip_time, then)))
    }

    /// The estimated Unix time of block `height` (past blocks too: an estimate, from the
    /// same pace).
    pub fn time_of(&self, height: u64) -> u64 {
        let offset = (height as f64 - self.tip as f64) * self.seconds_per_block;
        (self.tip_time as f64 + offset).max(0.0) as u64
    }

    /// Block `height` in words, seen at Unix time `now`: `about 2026-12-12, in 7 days`,
    /// `about 2026-11-28, 7 days ago`.
    pub fn describe(&self, height: u64, now: u64) -> String {
        let at = self.time_of(height);
        let date = &crate::fhir::instant(at)[..10];
        let (ahead, gap) = if at >= now {
            (true, at - now)
        } else {
            (false, now - at)
        };
        let span = match gap {
            g if g < 3_600 => format!("{} minute{}", g / 60, plural(g / 60)),
            g if g < 2 * 86_400 => format!("{} hour{}", g / 3_600, plural(g / 3_600)),
            g => format!("{} days", g / 86_400),
        };
        if ahead {
            format!("about {date}, in {span}")
        } else {
            format!("about {date}, {span} ago")
        }
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_765_000_000; // 2025-12-06T05:46:40Z

    #[test]
    fn the_pace_comes_from_the_recent_blocks() {
        let clock = BlockClock::from_times(1_000, NOW, Some((856, NOW - 144 * 300)));
        assert_eq!(clock.seconds_per_block, 300.0);
        assert_eq!(clock.time_of(1_288), NOW + 288 * 300);
    }

    #[test]
    fn blocks_without_a_pace_count_ten_minutes() {
        // A devnet mining many blocks a second.
        let fast = BlockClock::from_times(1_000, NOW, Some((856, NOW - 2)));
        assert_eq!(fast.seconds_per_block, 600.0);
        let alone = BlockClock::from_times(3, NOW, None);
        assert_eq!(alone.seconds_per_block, 600.0);
    }

    #[test]
    fn heights_read_as_dates_ahead_and_behind() {
        let clock = BlockClock::from_times(2_000, NOW, None);
        assert_eq!(clock.describe(3_008, NOW), "about 2025-12-13, in 7 days");
        assert_eq!(clock.describe(992, NOW), "about 2025-11-29, 7 days ago");
        assert_eq!(clock.describe(2_012, NOW), "about 2025-12-06, in 2 hours");
        assert_eq!(
            clock.describe(2_001, NOW),
            "about 2025-12-06, in 10 minutes"
        );
        assert_eq!(clock.describe(2_000, NOW), "about 2025-12-06, in 0 minutes");
    }
}
