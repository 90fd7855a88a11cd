#[cfg(not(target_arch = "wasm32"))]
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    std::process::exit(veerkracht::cli::run(&args));
}

#[cfg(target_arch = "wasm32")]
fn main() {}
