//! Edge coverage from LLVM's SanitizerCoverage, which stable rustc runs when
//! asked (`-C passes=sancov-module` with `-sanitizer-coverage-level=3` and
//! `-sanitizer-coverage-inline-8bit-counters`, as scripts/fuzz.sh builds).
//! Each instrumented module then keeps one 8-bit counter per edge in a
//! section and, before `main`, hands its bounds to
//! `__sanitizer_cov_8bit_counters_init`, defined here. Built without those
//! flags nothing calls it: there are no counters and the fuzzer is a plain
//! mutational one.

use std::sync::atomic::{AtomicUsize, Ordering};

const MAX_REGIONS: usize = 1024;

static STARTS: [AtomicUsize; MAX_REGIONS] = [const { AtomicUsize::new(0) }; MAX_REGIONS];
static ENDS: [AtomicUsize; MAX_REGIONS] = [const { AtomicUsize::new(0) }; MAX_REGIONS];
static REGIONS: AtomicUsize = AtomicUsize::new(0);

/// Called by every instrumented module's constructor, before `main`; the
/// modules of one binary may all pass the same whole-section bounds.
///
/// # Safety
/// `start..stop` must be the module's counter array.
#[no_mangle]
pub unsafe extern "C" fn __sanitizer_cov_8bit_counters_init(start: *mut u8, stop: *mut u8) {
    let (start, stop) = (start as usize, stop as usize);
    let n = REGIONS.load(Ordering::Relaxed);
    if stop <= start || n == MAX_REGIONS {
        return;
    }
    if (0..n).any(|i| STARTS[i].load(Ordering::Relaxed) == start) {
        return;
    }
    STARTS[n].store(start, Ordering::Relaxed);
    ENDS[n].store(stop, Ordering::Relaxed);
    REGIONS.store(n + 1, Ordering::Relaxed);
}

/// The PC table some LLVM versions emit alongside the counters; unused.
///
/// # Safety
/// Nothing is read.
#[no_mangle]
pub unsafe extern "C" fn __sanitizer_cov_pcs_init(_start: *const usize, _stop: *const usize) {}

/// The counters of this process and what the fuzzer has seen of them.
pub struct Coverage {
    regions: Vec<&'static mut [u8]>,
    /// The counters as the execution left them. The fuzzer's own code is
    /// instrumented too, so they go on changing while they are read: they
    /// are copied at once (by the uninstrumented memcpy) and judged here.
    taken: Vec<u8>,
    /// Per counter, the hit-count classes seen so far (one bit each).
    seen: Vec<u8>,
    edges: usize,
}

impl Coverage {
    pub fn new() -> Coverage {
        let n = REGIONS.load(Ordering::Relaxed);
        let mut regions = Vec::new();
        for i in 0..n {
            let start = STARTS[i].load(Ordering::Relaxed);
            let end = ENDS[i].load(Ordering::Relaxed);
            // SAFETY: the instrumented modules own these counters for the
            // life of the process and only ever increment them.
            regions.push(unsafe { std::slice::from_raw_parts_mut(start as *mut u8, end - start) });
        }
        let total = regions.iter().map(|r| r.len()).sum();
        Coverage {
            regions,
            taken: vec![0; total],
            seen: vec![0; total],
            edges: 0,
        }
    }

    /// Whether the binary was built with coverage counters.
    pub fn instrumented(&self) -> bool {
        !self.seen.is_empty()
    }

    /// Counters in the binary: the edges there are.
    pub fn counters(&self) -> usize {
        self.seen.len()
    }

    /// Edges seen at least once.
    pub fn edges(&self) -> usize {
        self.edges
    }

    /// Zeroes the counters before an execution.
    pub fn clear(&mut self) {
        for r in &mut self.regions {
            r.fill(0);
        }
    }

    /// Copies the counters, right after an execution.
    pub fn take(&mut self) {
        let mut base = 0;
        for r in &self.regions {
            self.taken[base..base + r.len()].copy_from_slice(r);
            base += r.len();
        }
    }

    /// Folds the counters taken after an execution into what was seen;
    /// true when it reached an edge, or an edge's hit-count class, not seen
    /// before. `commit` false only asks.
    pub fn novel(&mut self, commit: bool) -> bool {
        let mut novel = false;
        // Most counters stay zero: skip them a block at a time.
        for (b, block) in self.taken.chunks(64).enumerate() {
            if block.iter().fold(0u8, |a, &c| a | c) == 0 {
                continue;
            }
            for (i, &c) in block.iter().enumerate() {
                let class = class_bit(c);
                let s = &mut self.seen[b * 64 + i];
                if *s & class != class {
                    novel = true;
                    if !commit {
                        return true;
                    }
                    if *s == 0 {
                        self.edges += 1;
                    }
                    *s |= class;
                }
            }
        }
        novel
    }
}

/// AFL's hit-count classes: 1, 2, 3, 4–7, 8–15, 16–31, 32–127, 128+.
fn class_bit(count: u8) -> u8 {
    match count {
        0 => 0,
        1 => 1,
        2 => 2,
        3 => 4,
        4..=7 => 8,
        8..=15 => 16,
        16..=31 => 32,
        32..=127 => 64,
        _ => 128,
    }
}
