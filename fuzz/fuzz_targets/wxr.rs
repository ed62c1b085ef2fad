//! WordPress exports (WXR) as uploaded: the streaming reader ends with records or an error,
//! never a panic or a hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use newsroom::wxr::read::Reader;

fuzz_target!(|data: &[u8]| {
    let mut reader = Reader::new(data);
    for _ in 0..10_000 {
        match reader.next_record() {
            Ok(Some(_)) => {}
            Ok(None) | Err(_) => break,
        }
    }
});
