//! The events the bot is handling right now, so that shutdown can stop taking new
//! ones and wait for those in flight (a reply waiting out a 429, say) instead of
//! losing them when the process exits.

use std::sync::Arc;

use tokio::sync::watch;

#[derive(Debug, Default, Clone, Copy)]
struct State {
    closed: bool,
    running: usize,
}

/// A count of the events being handled, and whether new ones are still taken.
#[derive(Debug)]
pub struct InFlight {
    // One lock for both, so an event cannot slip in between the close and the count.
    state: watch::Sender<State>,
}

impl Default for InFlight {
    fn default() -> Self {
        InFlight { state: watch::channel(State::default()).0 }
    }
}

/// Held while an event is handled; dropping it ends the event.
#[derive(Debug)]
pub struct Ticket(Arc<InFlight>);

impl Drop for Ticket {
    fn drop(&mut self) {
        self.0.state.send_modify(|s| s.running -= 1);
    }
}

impl InFlight {
    /// A ticket for a new event, or `None` once shutdown has begun.
    pub fn enter(self: &Arc<Self>) -> Option<Ticket> {
        let taken = self.state.send_if_modified(|s| {
            if s.closed {
                return false;
            }
            s.running += 1;
            true
        });
        taken.then(|| Ticket(self.clone()))
    }

    /// Takes no new events from now on.
    pub fn close(&self) {
        self.state.send_modify(|s| s.closed = true);
    }

    /// Whether shutdown has begun.
    pub fn is_closed(&self) -> bool {
        self.state.borrow().closed
    }

    /// How many events are being handled.
    pub fn running(&self) -> usize {
        self.state.borrow().running
    }

    /// Completes when no event is being handled.
    pub async fn drained(&self) {
        let mut state = self.state.subscribe();
        // The sender lives in `self`, so the channel cannot close while we wait.
        let _ = state.wait_for(|s| s.running == 0).await;
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn closing_turns_new_events_away_and_waits_for_the_rest() {
        let inflight = Arc::new(InFlight::default());
        let ticket = inflight.enter().expect("open");
        inflight.close();
        assert!(inflight.enter().is_none(), "closed to new events");
        assert_eq!(inflight.running(), 1);
        let waiting = tokio::spawn({
            let inflight = inflight.clone();
            async move { inflight.drained().await }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!waiting.is_finished(), "one event still running");
        drop(ticket);
        tokio::time::timeout(Duration::from_secs(1), waiting).await.expect("drained").expect("no panic");
    }
}
