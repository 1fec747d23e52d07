//! Keeps serenity's rate limiter from growing for as long as the bot runs.
//!
//! serenity 0.12 keeps one rate-limit bucket per route and never drops one, and the
//! reply to an interaction has a route of its own (its id): a bot that answers a
//! million questions would hold a million buckets, about 170 bytes each (measured
//! in BENCHMARKS.md). A bucket whose window has passed, and that no request is
//! using, tells serenity nothing a fresh one would not, so dropping it is safe:
//! [`prune`] drops those, and the bot runs it every [`PRUNE_EVERY`].

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serenity::all::{Http, Ratelimiter};
use tracing::debug;

/// How often the bot drops spent buckets: memory stays bounded by the replies sent
/// in this long.
pub const PRUNE_EVERY: Duration = Duration::from_secs(10);

/// Drops the buckets no request holds whose reset time has passed or that never
/// had one; returns how many buckets there were and how many remain.
pub async fn prune(ratelimiter: &Ratelimiter) -> (usize, usize) {
    let routes = ratelimiter.routes();
    // Under the write lock nobody can take a bucket, so one held by the map alone
    // is one no request is using.
    let mut routes = routes.write().await;
    let before = routes.len();
    let now = SystemTime::now();
    routes.retain(|_, bucket| {
        Arc::strong_count(bucket) > 1
            || bucket.try_lock().map_or(true, |limit| limit.reset().is_some_and(|reset| reset > now))
    });
    // A burst's worth of buckets would otherwise keep its table's size for good.
    if routes.capacity() > 4 * routes.len() + 64 {
        routes.shrink_to_fit();
    }
    (before, routes.len())
}

/// Prunes `http`'s rate limiter every [`PRUNE_EVERY`], until dropped.
pub async fn keep_pruned(http: Arc<Http>) {
    let Some(ratelimiter) = &http.ratelimiter else { return };
    let mut every = tokio::time::interval(PRUNE_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        let (before, after) = prune(ratelimiter).await;
        if before != after {
            debug!(before, after, "dropped spent rate-limit buckets");
        }
    }
}

#[cfg(test)]
mod tests {
    use serenity::all::{InteractionId, Ratelimit, Route};
    use tokio::sync::Mutex;

    use super::*;

    fn bucket(id: u64) -> serenity::all::RatelimitingBucket {
        Route::InteractionResponse { interaction_id: InteractionId::new(id), token: "t" }.ratelimiting_bucket()
    }

    #[tokio::test]
    async fn spent_buckets_go_and_buckets_in_use_stay() {
        let limiter = Ratelimiter::new(reqwest::Client::new(), "token");
        let routes = limiter.routes();
        let in_use = Arc::new(Mutex::new(Ratelimit::default()));
        {
            let mut routes = routes.write().await;
            for id in 1..=100 {
                routes.insert(bucket(id), Arc::new(Mutex::new(Ratelimit::default())));
            }
            routes.insert(bucket(101), in_use.clone());
        }
        assert_eq!(prune(&limiter).await, (101, 1));
        assert!(routes.read().await.contains_key(&bucket(101)), "a request holds it");
        drop(in_use);
        assert_eq!(prune(&limiter).await, (1, 0));
    }

    #[tokio::test]
    async fn a_bucket_still_limiting_stays() {
        let limiter = Ratelimiter::new(reqwest::Client::new(), "token");
        let route = Route::InteractionResponse { interaction_id: InteractionId::new(7), token: "t" };
        let mut limit = Ratelimit::default();
        let response: reqwest::Response = hyper::Response::builder()
            .header("x-ratelimit-limit", "5")
            .header("x-ratelimit-remaining", "0")
            .header("x-ratelimit-reset-after", "60")
            .body("")
            .expect("a valid response")
            .into();
        let request = serenity::all::Request::new(route, serenity::all::LightMethod::Post);
        limit.post_hook(&response, &request, &|_| {}, false).await.expect("the headers parse");
        limiter.routes().write().await.insert(bucket(7), Arc::new(Mutex::new(limit)));
        assert_eq!(prune(&limiter).await, (1, 1), "its window has a minute to run");
    }
}
