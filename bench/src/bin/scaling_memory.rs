//! Memory of the engine on a generated fact base, measured in a fresh process with a
//! counting allocator (exact heap bytes) and from /proc/self/status (resident set).
//!
//!     cargo run --release -p firstkiss-bench --bin scaling-memory -- FACTS
//!
//! Prints one JSON object: the heap the loaded engine keeps (`engine_heap_bytes`),
//! the extra heap at the peak of loading (`load_peak_heap_bytes`), the resident set
//! before and after loading and its peak, and the load times. The scaling benchmark
//! runs it once per size.

use std::time::Instant;

use firstkiss::Engine;
use firstkiss_bench::measure::{reset_peak_rss, CountingAlloc, Heap, Memory};
use firstkiss_bench::synth;
use serde_json::json;

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

fn main() {
    let facts: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1_000);
    let generated = synth::standard(facts, 0);
    let text_bytes = generated.text_bytes();
    let heap_before = Heap::now();
    let rss_before = Memory::now();
    let peak_reset = reset_peak_rss();
    Heap::reset_peak();
    let start = Instant::now();
    let kb = generated.parse().unwrap_or_else(|e| panic!("the generated base is invalid: {e}"));
    let parsed = start.elapsed();
    let engine = Engine::new(kb);
    let loaded = start.elapsed();
    let heap_after = Heap::now();
    let rss_after = Memory::now();
    // The generated text is the loader's input, not the engine: free it and see
    // what the engine alone keeps.
    drop(generated);
    let heap_engine_only = Heap::now();
    let reply = engine.ask("who directed it");
    std::hint::black_box(reply);
    let out = json!({
        "facts": facts,
        "text_bytes": text_bytes,
        "parse_s": parsed.as_secs_f64(),
        "load_s": loaded.as_secs_f64(),
        "vocabulary": engine.matcher().vocabulary(),
        "engine_heap_bytes": heap_after.live_bytes.saturating_sub(heap_before.live_bytes),
        "engine_heap_bytes_alone": heap_engine_only.live_bytes,
        "load_peak_heap_bytes": heap_after.peak_bytes.saturating_sub(heap_before.live_bytes),
        "allocations_during_load": heap_after.allocations - heap_before.allocations,
        "rss_before_kib": rss_before.rss_kib,
        "rss_after_kib": rss_after.rss_kib,
        "rss_peak_kib": rss_after.hwm_kib,
        "rss_peak_reset": peak_reset,
    });
    println!("{out}");
}
