//! What a Rust panic says, kept for the page. In the browser a panic aborts the wasm instance (a
//! trap: JS sees only "unreachable"); before that, this hook logs the panic to the console and
//! hands its message to the worker (`self.veerkrachtPanic`, see www/worker.js), which tells the
//! user what stopped and restarts the core with every loaded layer kept.
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// The worker's receiver; absent (an Err here) outside the worker, e.g. in wasm-bindgen tests.
    #[wasm_bindgen(catch, js_namespace = globalThis, js_name = veerkrachtPanic)]
    fn report_panic(message: &str) -> Result<(), JsValue>;
}

#[wasm_bindgen(start)]
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let message = info.to_string();
        web_sys::console::error_1(&JsValue::from_str(&message));
        let _ = report_panic(&message);
    }));
}
