//! The fuzzer's allocator: the system's, counting the bytes held so that an
//! execution's peak is known, and refusing to go past a hard limit so that a
//! runaway allocation ends the worker (a finding) before it takes the machine.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicPtr, AtomicU32, AtomicUsize, Ordering};

pub struct CountingAlloc;

static HELD: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static LIMIT: AtomicUsize = AtomicUsize::new(usize::MAX);
/// Set to 1 when the limit refused an allocation: a word the parent can read
/// after the worker has died of it.
static REFUSED: AtomicPtr<AtomicU32> = AtomicPtr::new(std::ptr::null_mut());

/// Bytes held now.
pub fn held() -> usize {
    HELD.load(Ordering::Relaxed)
}

/// Starts a new peak at what is held now.
pub fn reset_peak() {
    PEAK.store(HELD.load(Ordering::Relaxed), Ordering::Relaxed);
}

/// The most bytes held since `reset_peak`.
pub fn peak() -> usize {
    PEAK.load(Ordering::Relaxed)
}

/// Refuses allocations that would hold more than `bytes`, flagging `refused`.
pub fn set_limit(bytes: usize, refused: &'static AtomicU32) {
    REFUSED.store(
        refused as *const AtomicU32 as *mut AtomicU32,
        Ordering::Relaxed,
    );
    LIMIT.store(bytes, Ordering::Relaxed);
}

fn take(size: usize) -> bool {
    let now = HELD.fetch_add(size, Ordering::Relaxed) + size;
    if now > LIMIT.load(Ordering::Relaxed) {
        HELD.fetch_sub(size, Ordering::Relaxed);
        let flag = REFUSED.load(Ordering::Relaxed);
        if !flag.is_null() {
            // SAFETY: set_limit stored a reference that lives for the process.
            unsafe { (*flag).store(1, Ordering::Relaxed) };
        }
        return false;
    }
    PEAK.fetch_max(now, Ordering::Relaxed);
    true
}

fn give(size: usize) {
    HELD.fetch_sub(size, Ordering::Relaxed);
}

// SAFETY: every call is passed on to the system allocator unchanged; only
// the counters are added.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if !take(layout.size()) {
            return std::ptr::null_mut();
        }
        let p = System.alloc(layout);
        if p.is_null() {
            give(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if !take(layout.size()) {
            return std::ptr::null_mut();
        }
        let p = System.alloc_zeroed(layout);
        if p.is_null() {
            give(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        give(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let old = layout.size();
        if new_size > old && !take(new_size - old) {
            return std::ptr::null_mut();
        }
        let p = System.realloc(ptr, layout, new_size);
        if p.is_null() {
            if new_size > old {
                give(new_size - old);
            }
        } else if new_size < old {
            give(old - new_size);
        }
        p
    }
}
