//! Measurement utilities: robust per-call timing, percentiles, the process's memory
//! from `/proc/self/status`, and a counting global allocator for the binaries that
//! need exact heap figures.

use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The median of `values` (sorted in place); 0 when empty.
pub fn median(values: &mut [f64]) -> f64 {
    percentile(values, 50.0)
}

/// The `p`-th percentile (nearest rank) of `values`, sorted in place; 0 when empty.
pub fn percentile(values: &mut [f64], p: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * values.len() as f64).ceil() as usize;
    values[rank.clamp(1, values.len()) - 1]
}

/// Time of one call, on the wall clock and on this thread's CPU clock (the latter
/// leaves out time the thread spent preempted, which matters on a shared machine).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PerCall {
    pub wall_ns: f64,
    pub cpu_ns: f64,
}

/// This thread's CPU time, in nanoseconds (CLOCK_THREAD_CPUTIME_ID).
pub fn thread_cpu_ns() -> f64 {
    cpu_ns(libc::CLOCK_THREAD_CPUTIME_ID)
}

/// The CPU time of all this process's threads, in nanoseconds.
pub fn process_cpu_ns() -> f64 {
    cpu_ns(libc::CLOCK_PROCESS_CPUTIME_ID)
}

fn cpu_ns(clock: libc::clockid_t) -> f64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes one timespec through a valid pointer.
    let ok = unsafe { libc::clock_gettime(clock, &mut ts) } == 0;
    if ok {
        ts.tv_sec as f64 * 1e9 + ts.tv_nsec as f64
    } else {
        0.0
    }
}

/// Median time of one call of `f`: calls are batched so that a batch lasts about
/// `batch` (timer overhead vanishes), `samples` batches are timed, and the median
/// batch gives the figure (robust to a preempted batch), on both clocks.
pub fn time_per_call<R>(mut f: impl FnMut() -> R, batch: Duration, samples: usize) -> PerCall {
    // Warm up and calibrate.
    let start = Instant::now();
    let mut calls = 0u64;
    while start.elapsed() < batch / 4 || calls < 3 {
        std::hint::black_box(f());
        calls += 1;
    }
    let per_call = start.elapsed().as_secs_f64() / calls as f64;
    let n = ((batch.as_secs_f64() / per_call).ceil() as u64).max(1);
    let (mut wall, mut cpu): (Vec<f64>, Vec<f64>) = (0..samples.max(1))
        .map(|_| {
            let (t, c) = (Instant::now(), thread_cpu_ns());
            for _ in 0..n {
                std::hint::black_box(f());
            }
            let c = thread_cpu_ns() - c;
            (t.elapsed().as_nanos() as f64 / n as f64, c / n as f64)
        })
        .unzip();
    PerCall { wall_ns: median(&mut wall), cpu_ns: median(&mut cpu) }
}

/// Resident and peak resident memory of this process, in KiB, from /proc/self/status
/// (VmRSS and VmHWM). Zero where /proc is not available.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Memory {
    pub rss_kib: u64,
    pub hwm_kib: u64,
}

impl Memory {
    pub fn now() -> Memory {
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|n| n.parse().ok())
                .unwrap_or(0)
        };
        Memory { rss_kib: field("VmRSS:"), hwm_kib: field("VmHWM:") }
    }
}

/// Resets VmHWM to the current RSS (Linux: write "5" to /proc/self/clear_refs), so
/// that a later peak reflects only what happened since. Returns whether it worked.
pub fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// A global allocator that counts live heap bytes and their peak, around the
/// allocator the bot's binary uses ([`firstkiss::Allocator`]). Install it with
/// `#[global_allocator] static A: CountingAlloc = CountingAlloc;` in a binary that
/// measures memory (it costs an atomic add per allocation, so the latency benchmarks
/// do not use it).
pub struct CountingAlloc;

static COUNTING: AtomicBool = AtomicBool::new(true);
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

fn counting() -> bool {
    COUNTING.load(Ordering::Relaxed)
}

fn grew(bytes: usize) {
    let live = LIVE.fetch_add(bytes, Ordering::Relaxed).wrapping_add(bytes);
    PEAK.fetch_max(live, Ordering::Relaxed);
}

fn shrank(bytes: usize) {
    LIVE.fetch_sub(bytes, Ordering::Relaxed);
}

// SAFETY: every call is forwarded to the bot's allocator unchanged; only counters
// are updated around it.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { firstkiss::Allocator.alloc(layout) };
        if !p.is_null() && counting() {
            grew(layout.size());
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { firstkiss::Allocator.alloc_zeroed(layout) };
        if !p.is_null() && counting() {
            grew(layout.size());
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { firstkiss::Allocator.dealloc(ptr, layout) };
        if counting() {
            shrank(layout.size());
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { firstkiss::Allocator.realloc(ptr, layout, new_size) };
        if !p.is_null() && counting() {
            if new_size >= layout.size() {
                grew(new_size - layout.size());
            } else {
                shrank(layout.size() - new_size);
            }
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        p
    }
}

/// Heap figures of a binary that installed [`CountingAlloc`] (all zero otherwise).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Heap {
    pub live_bytes: usize,
    pub peak_bytes: usize,
    pub allocations: usize,
}

impl Heap {
    pub fn now() -> Heap {
        Heap {
            live_bytes: LIVE.load(Ordering::Relaxed),
            peak_bytes: PEAK.load(Ordering::Relaxed),
            allocations: ALLOCATIONS.load(Ordering::Relaxed),
        }
    }

    /// Turns counting on or off (on at start). Counting costs atomic updates of
    /// shared counters on every allocation, which multi-threaded code contends on:
    /// turn it on only around a measurement. While it is off, `live_bytes` goes
    /// stale, so across an off period only differences taken while on mean
    /// anything ([`Heap::since`]).
    pub fn set_counting(on: bool) {
        COUNTING.store(on, Ordering::Relaxed);
    }

    /// Net bytes allocated between `earlier` and now (negative when freed).
    pub fn since(earlier: Heap) -> f64 {
        Heap::now().live_bytes.wrapping_sub(earlier.live_bytes) as isize as f64
    }

    /// Starts a new peak from the current live bytes.
    pub fn reset_peak() {
        PEAK.store(LIVE.load(Ordering::Relaxed), Ordering::Relaxed);
    }
}

/// Bytes as MiB, for reports.
pub fn mib(bytes: f64) -> f64 {
    bytes / (1024.0 * 1024.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_by_nearest_rank() {
        let mut v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&mut v, 50.0), 50.0);
        assert_eq!(percentile(&mut v, 99.0), 99.0);
        assert_eq!(percentile(&mut v, 100.0), 100.0);
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&mut []), 0.0);
    }
}
