//! Cooldowns for unprompted and mention answers: after the bot answers a user, or in
//! a channel, it waits before doing so again, so a burst of messages gets one answer
//! and a busy channel is not flooded.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use serenity::all::{ChannelId, UserId};
use tokio::time::Instant;

/// Past this many remembered entries, expired ones are dropped, so memory stays
/// bounded however many users write.
const PRUNE_AT: usize = 10_000;

#[derive(Debug)]
pub struct Cooldowns {
    per_user: Duration,
    per_channel: Duration,
    last: Mutex<Last>,
}

#[derive(Debug, Default)]
struct Last {
    users: HashMap<UserId, Instant>,
    channels: HashMap<ChannelId, Instant>,
}

impl Cooldowns {
    pub fn new(per_user: Duration, per_channel: Duration) -> Cooldowns {
        Cooldowns { per_user, per_channel, last: Mutex::default() }
    }

    /// Whether `user` in `channel` could take a turn now, without taking it: the
    /// cheap check before the work of an answer.
    #[cfg(test)]
    pub fn ready(&self, user: UserId, channel: ChannelId) -> bool {
        self.ready_with(user, channel, self.waits())
    }

    /// The configured waits, per user and per channel.
    #[cfg(test)]
    pub fn waits(&self) -> (Duration, Duration) {
        (self.per_user, self.per_channel)
    }

    /// [`Self::ready`] with a server's own waits (its `/settings`).
    pub fn ready_with(&self, user: UserId, channel: ChannelId, waits: (Duration, Duration)) -> bool {
        let last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        Self::is_ready(&last, user, channel, Instant::now(), waits)
    }

    fn is_ready(last: &Last, user: UserId, channel: ChannelId, now: Instant, waits: (Duration, Duration)) -> bool {
        let ready = |at: Option<&Instant>, wait: Duration| at.is_none_or(|t| now.duration_since(*t) >= wait);
        ready(last.users.get(&user), waits.0) && ready(last.channels.get(&channel), waits.1)
    }

    /// Takes a turn for `user` in `channel` if neither is cooling down: check and
    /// record in one step, so that of two messages arriving together only one wins.
    #[cfg(test)]
    pub fn try_take(&self, user: UserId, channel: ChannelId) -> bool {
        self.try_take_with(user, channel, self.waits())
    }

    /// [`Self::try_take`] with a server's own waits.
    pub fn try_take_with(&self, user: UserId, channel: ChannelId, waits: (Duration, Duration)) -> bool {
        let now = Instant::now();
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        if !Self::is_ready(&last, user, channel, now, waits) {
            return false;
        }
        if !waits.0.is_zero() {
            last.users.insert(user, now);
        }
        if !waits.1.is_zero() {
            last.channels.insert(channel, now);
        }
        if last.users.len() + last.channels.len() > PRUNE_AT {
            let (user_wait, channel_wait) = (self.per_user.max(waits.0), self.per_channel.max(waits.1));
            last.users.retain(|_, t| now.duration_since(*t) < user_wait);
            last.channels.retain(|_, t| now.duration_since(*t) < channel_wait);
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_burst_gets_one_turn_then_the_cooldown_ends() {
        let c = Cooldowns::new(Duration::from_secs(10), Duration::from_secs(2));
        let (alice, bob, room) = (UserId::new(1), UserId::new(2), ChannelId::new(9));
        assert!(c.ready(alice, room) && c.ready(alice, room), "looking takes no turn");
        assert!(c.try_take(alice, room));
        assert!(!c.ready(alice, room) && !c.ready(bob, room));
        assert!(!c.try_take(alice, room), "same user, same moment");
        assert!(!c.try_take(bob, room), "the channel cools down too");
        tokio::time::advance(Duration::from_secs(3)).await;
        assert!(c.try_take(bob, room), "channel cooldown over, bob is fresh");
        assert!(!c.try_take(alice, ChannelId::new(8)), "alice still cooling down elsewhere");
        tokio::time::advance(Duration::from_secs(10)).await;
        assert!(c.try_take(alice, room));
    }

    #[tokio::test(start_paused = true)]
    async fn zero_turns_a_cooldown_off() {
        let c = Cooldowns::new(Duration::ZERO, Duration::ZERO);
        assert!((0..5).all(|_| c.try_take(UserId::new(1), ChannelId::new(1))));
    }

    #[tokio::test(start_paused = true)]
    async fn memory_stays_bounded() {
        let c = Cooldowns::new(Duration::from_secs(1), Duration::ZERO);
        for user in 1..=(PRUNE_AT as u64 * 2) {
            if user % 1000 == 0 {
                tokio::time::advance(Duration::from_secs(2)).await;
            }
            assert!(c.try_take(UserId::new(user), ChannelId::new(1)));
        }
        assert!(c.last.lock().unwrap().users.len() <= PRUNE_AT + 1);
    }
}
