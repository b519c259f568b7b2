//! git's pre-push standard input, as any bytes: parsed or refused, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zoomguard::source::push::parse_pre_push;

fuzz_target!(|data: &[u8]| {
    if let Ok(updates) = parse_pre_push(&String::from_utf8_lossy(data)) {
        assert!(updates.iter().all(|u| !u.local_ref.is_empty() && !u.remote_ref.is_empty()));
    }
});
