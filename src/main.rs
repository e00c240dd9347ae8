//! Browser entry point of the console: installs the panic hook and mounts [`acr_console::App`]
//! on `<body>`. Nothing else lives here.

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(acr_console::App);
}
