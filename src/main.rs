mod pool;

#[global_allocator]
static ALLOCATOR: pool::SmallBlockPool = pool::SmallBlockPool::new();

fn main() {
    std::process::exit(virtsh::shell::main());
}
