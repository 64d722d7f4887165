//! The process's memory allocator: small blocks from free lists, one list
//! per 16-byte size class.
//!
//! virtsh makes and drops small objects at a high rate: the element tree of
//! every XML document it reads, the strings of every definition. glibc's
//! malloc spends much of that time on bookkeeping (bins, consolidation).
//! Blocks of up to 1 KiB come from 64 KiB chunks instead, and a freed block
//! goes onto its class's list for the next request of that size, never back
//! to the system: a shell's working set is what it last held. Larger
//! blocks, and blocks aligned to more than 16 bytes, are the system's.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::UnsafeCell;
use std::ptr;
use std::sync::atomic::{AtomicBool, Ordering};

/// Size classes are multiples of this, which is also every block's alignment.
const GRAIN: usize = 16;
/// Classes of 16, 32, … 1024 bytes.
const CLASSES: usize = 64;
const CHUNK: usize = 64 * 1024;

pub struct SmallBlockAllocator {
    locked: AtomicBool,
    lists: UnsafeCell<Lists>,
}

/// What the lock guards: the free lists and the rest of the current chunk.
struct Lists {
    free: [*mut FreeBlock; CLASSES],
    next: *mut u8,
    end: *mut u8,
}

/// A free block holds the link to the next free block of its class.
struct FreeBlock {
    next: *mut FreeBlock,
}

// SAFETY: `lists` is only reached through `with_lists`, under the lock.
unsafe impl Sync for SmallBlockAllocator {}

impl SmallBlockAllocator {
    pub const fn new() -> SmallBlockAllocator {
        SmallBlockAllocator {
            locked: AtomicBool::new(false),
            lists: UnsafeCell::new(Lists {
                free: [ptr::null_mut(); CLASSES],
                next: ptr::null_mut(),
                end: ptr::null_mut(),
            }),
        }
    }

    /// The size class serving `layout`, if it serves one.
    fn class(layout: Layout) -> Option<usize> {
        (layout.size() <= GRAIN * CLASSES && layout.align() <= GRAIN)
            .then(|| layout.size().max(1).div_ceil(GRAIN) - 1)
    }

    /// Runs `f` on the lists, holding the lock; `f` must not allocate.
    fn with_lists<R>(&self, f: impl FnOnce(&mut Lists) -> R) -> R {
        while self
            .locked
            .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            std::hint::spin_loop();
        }
        // SAFETY: the lock is held, so this is the only reference.
        let result = f(unsafe { &mut *self.lists.get() });
        self.locked.store(false, Ordering::Release);
        result
    }

    /// A block of class `class`: a freed one, else the next piece of the
    /// current chunk, else of a new chunk. Null when the system has none.
    fn take(&self, class: usize) -> *mut u8 {
        let size = (class + 1) * GRAIN;
        self.with_lists(|lists| {
            let head = lists.free[class];
            if !head.is_null() {
                // SAFETY: a listed block is ours, free, and holds its link.
                lists.free[class] = unsafe { (*head).next };
                return head.cast();
            }
            if (lists.end as usize) - (lists.next as usize) < size {
                // SAFETY: CHUNK is non-zero and GRAIN a power of two. The
                // system allocator takes no lock of ours.
                let chunk =
                    unsafe { System.alloc(Layout::from_size_align_unchecked(CHUNK, GRAIN)) };
                if chunk.is_null() {
                    return chunk;
                }
                lists.next = chunk;
                // SAFETY: one past the end of the chunk.
                lists.end = unsafe { chunk.add(CHUNK) };
            }
            let block = lists.next;
            // SAFETY: at least `size` bytes remain in the chunk.
            lists.next = unsafe { block.add(size) };
            block
        })
    }

    /// Puts a block of class `class` back on its list.
    ///
    /// # Safety
    /// `block` came from `take(class)` and is no longer used.
    unsafe fn give_back(&self, block: *mut u8, class: usize) {
        self.with_lists(|lists| {
            let block = block.cast::<FreeBlock>();
            // SAFETY: the block is at least GRAIN bytes, aligned to GRAIN,
            // and free, so it can hold the link.
            unsafe {
                block.write(FreeBlock {
                    next: lists.free[class],
                })
            };
            lists.free[class] = block;
        })
    }
}

impl Default for SmallBlockAllocator {
    fn default() -> SmallBlockAllocator {
        SmallBlockAllocator::new()
    }
}

// SAFETY: blocks of a class are GRAIN-aligned, hold at least the requested
// size and are handed out once until given back; everything else is the
// system allocator's.
unsafe impl GlobalAlloc for SmallBlockAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        match Self::class(layout) {
            Some(class) => self.take(class),
            // SAFETY: the caller's layout, passed on.
            None => unsafe { System.alloc(layout) },
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        match Self::class(layout) {
            Some(class) => {
                let block = self.take(class);
                if !block.is_null() {
                    // SAFETY: the block holds at least `layout.size()` bytes.
                    unsafe { ptr::write_bytes(block, 0, layout.size()) };
                }
                block
            }
            // SAFETY: the caller's layout, passed on.
            None => unsafe { System.alloc_zeroed(layout) },
        }
    }

    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        match Self::class(layout) {
            // SAFETY: allocated with this layout, so from this class.
            Some(class) => unsafe { self.give_back(block, class) },
            // SAFETY: allocated with this layout, so by the system.
            None => unsafe { System.dealloc(block, layout) },
        }
    }

    unsafe fn realloc(&self, block: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller guarantees a valid size for this alignment.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        match (Self::class(layout), Self::class(new_layout)) {
            // SAFETY: a system block, resized by the system.
            (None, None) => unsafe { System.realloc(block, layout, new_size) },
            (Some(old), Some(new)) if old == new => block,
            _ => {
                // SAFETY: as `alloc` with the new layout.
                let moved = unsafe { self.alloc(new_layout) };
                if !moved.is_null() {
                    // SAFETY: both blocks hold the smaller of the two sizes
                    // and are distinct; the old one is then given up.
                    unsafe {
                        ptr::copy_nonoverlapping(block, moved, layout.size().min(new_size));
                        self.dealloc(block, layout);
                    }
                }
                moved
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(size: usize, align: usize) -> Layout {
        Layout::from_size_align(size, align).unwrap()
    }

    #[test]
    fn classes_cover_sizes_up_to_a_kibibyte() {
        assert_eq!(SmallBlockAllocator::class(layout(1, 1)), Some(0));
        assert_eq!(SmallBlockAllocator::class(layout(16, 8)), Some(0));
        assert_eq!(SmallBlockAllocator::class(layout(17, 8)), Some(1));
        assert_eq!(SmallBlockAllocator::class(layout(1024, 16)), Some(63));
        assert_eq!(SmallBlockAllocator::class(layout(1025, 8)), None);
        assert_eq!(SmallBlockAllocator::class(layout(64, 32)), None);
    }

    #[test]
    fn freed_blocks_are_reused_by_their_class_only() {
        let allocator = SmallBlockAllocator::new();
        unsafe {
            let a = allocator.alloc(layout(24, 8));
            let b = allocator.alloc(layout(24, 8));
            assert_ne!(a, b);
            assert_eq!(a as usize % GRAIN, 0);
            allocator.dealloc(a, layout(24, 8));
            assert_ne!(allocator.alloc(layout(100, 8)), a);
            assert_eq!(allocator.alloc(layout(32, 8)), a);
        }
    }

    #[test]
    fn blocks_keep_their_bytes_through_realloc() {
        let allocator = SmallBlockAllocator::new();
        unsafe {
            let mut size = 3;
            let mut block = allocator.alloc(layout(size, 1));
            ptr::copy_nonoverlapping(b"abc".as_ptr(), block, 3);
            // Through the classes, out to the system and back.
            for new_size in [8, 40, 1000, 5000, 20, 3] {
                block = allocator.realloc(block, layout(size, 1), new_size);
                assert_eq!(std::slice::from_raw_parts(block, 3), b"abc");
                size = new_size;
            }
            allocator.dealloc(block, layout(size, 1));
            let zeroed = allocator.alloc_zeroed(layout(48, 8));
            assert!(std::slice::from_raw_parts(zeroed, 48)
                .iter()
                .all(|&b| b == 0));
        }
    }

    #[test]
    fn chunks_are_refilled() {
        let allocator = SmallBlockAllocator::new();
        let blocks: Vec<usize> = (0..200)
            .map(|_| unsafe { allocator.alloc(layout(1024, 16)) } as usize)
            .collect();
        let mut sorted = blocks.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), blocks.len());
        assert!(sorted.windows(2).all(|w| w[1] - w[0] >= 1024));
    }

    #[test]
    fn threads_share_the_allocator() {
        static POOL: SmallBlockAllocator = SmallBlockAllocator::new();
        let workers: Vec<_> = (0..4)
            .map(|t| {
                std::thread::spawn(move || {
                    for i in 0..10_000usize {
                        let l = layout(8 + (i + t) % 200, 8);
                        unsafe {
                            let p = POOL.alloc(l);
                            p.write(t as u8);
                            assert_eq!(p.read(), t as u8);
                            POOL.dealloc(p, l);
                        }
                    }
                })
            })
            .collect();
        for w in workers {
            w.join().unwrap();
        }
    }
}
