//! N-API link settings (on macOS the N-API symbols are left for the Node process to provide).

fn main() {
    napi_build::setup();
}
