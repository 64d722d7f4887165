mod small_block_allocator;

/// The shell's allocator; other programs built on the library keep their own.
#[global_allocator]
static ALLOCATOR: small_block_allocator::SmallBlockAllocator =
    small_block_allocator::SmallBlockAllocator::new();

fn main() {
    std::process::exit(virtsh::shell::main());
}
