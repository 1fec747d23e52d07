//! firstkiss: answers fans' questions about the 2014 short film "First Kiss" from a
//! curated, cited fact base.
//!
//! This library is the domain, and knows nothing of Discord: [`knowledge`] loads and
//! checks the fact base, [`matcher`] maps a question to a fact (or abstains),
//! [`reply`] builds the reply model with its citations and [`render`] writes it as
//! text or JSON. [`Engine`] ties them together. The adapters (command line, Discord
//! bot, mock Discord) sit around it. See ARCHITECTURE.md for the map.

mod builtin;
pub mod compiled;
pub mod complete;
pub mod curate;
pub mod discord;
pub mod engine;
pub mod eval;
pub mod knowledge;
pub mod lint;
pub mod logging;
pub mod matcher;
#[cfg(feature = "mock")]
pub mod mock;
pub mod quotes;
pub mod reference;
pub mod render;
pub mod reply;
pub mod smalltalk;
pub mod store;
pub mod text;

pub use engine::Engine;

/// The allocator the bot's binary runs on, and the benchmarks measure with. With
/// glibc's malloc, allocating and freeing across threads were about a quarter of
/// the CPU samples of a burst of a thousand replies; with mimalloc the burst drains
/// about twice as fast (BENCHMARKS.md).
pub use mimalloc::MiMalloc as Allocator;

/// What a scoped worker thread returned; its panic, if it panicked, goes on in the
/// thread that waited for it, as if the work had run there. Start-up shares its
/// steps out to such threads.
pub(crate) fn joined<T>(worker: std::thread::ScopedJoinHandle<'_, T>) -> T {
    worker.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}
