fn main() {
    eprintln!("veerkracht: no commands yet");
    std::process::exit(2);
}
