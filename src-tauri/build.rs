fn main() {
    let attributes =
        tauri_build::Attributes::new().capabilities_path_pattern("./src-tauri/capabilities/**/*");
    if let Err(error) = tauri_build::try_build(attributes) {
        // A build script reports failure by exiting non-zero; the message is cargo's output.
        #[allow(clippy::print_stderr)]
        {
            eprintln!("tauri-build failed: {error:#}");
        }
        std::process::exit(1);
    }
}
