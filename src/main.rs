//! The `grace` binary; everything lives in the library.

fn main() -> std::process::ExitCode {
    grace::cli::run()
}
