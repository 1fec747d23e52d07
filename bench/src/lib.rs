//! Shared helpers for the benchmarks (see BENCHMARKS.md).
