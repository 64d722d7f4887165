fn main() {
    std::process::exit(virtsh::shell::main());
}
