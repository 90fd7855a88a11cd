//! Third-party readers that still panic on some damaged files (found by fuzzing, inputs in
//! tests/fixtures/import/crashes/): calamine's legacy `.xls` (BIFF) record parsers index past short
//! records; the parquet crate asserts on damaged page data. Natively such a panic becomes the
//! file's format error here. In the browser a panic is a wasm trap (panics abort on wasm32): the
//! worker reports it with the file's name and the reader's words and restarts the core, keeping
//! every layer loaded before (src/wasm/panic.rs, www/worker.js).

/// Run `read`; a panic inside it becomes `on_fault(what the reader said)`.
pub fn guard<T>(
    read: impl FnOnce() -> Result<T, super::ImportError>,
    on_fault: impl FnOnce(&str) -> super::ImportError,
) -> Result<T, super::ImportError> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        use std::panic::{catch_unwind, AssertUnwindSafe};
        catch_unwind(AssertUnwindSafe(read)).unwrap_or_else(|panic| {
            let what = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("unknown fault");
            Err(on_fault(what))
        })
    }
    #[cfg(target_arch = "wasm32")]
    {
        let _ = on_fault;
        read()
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::analysis::import::ImportError;

    fn fault(what: &str) -> ImportError {
        ImportError::Format {
            file: "f".into(),
            format: "x".into(),
            reason: format!("stopped: {what}"),
        }
    }

    #[test]
    fn a_panic_becomes_the_fault_error_with_its_message() {
        let r: Result<(), _> = guard(|| panic!("index 7 out of range"), fault);
        assert!(r
            .unwrap_err()
            .to_string()
            .contains("stopped: index 7 out of range"));
        let r: Result<(), _> = guard(|| std::panic::panic_any(3_u8), fault);
        assert!(r
            .unwrap_err()
            .to_string()
            .contains("stopped: unknown fault"));
    }

    #[test]
    fn results_pass_through_unchanged() {
        assert_eq!(guard(|| Ok(5), fault).unwrap(), 5);
        let e = guard::<()>(|| Err(fault("own")), fault).unwrap_err();
        assert!(e.to_string().contains("stopped: own"));
    }
}
