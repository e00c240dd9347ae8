//! The `acr-emulator` command (placeholder while the library is written).

fn main() {}
