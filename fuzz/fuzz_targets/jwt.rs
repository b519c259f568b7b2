//! The JWT decoder on arbitrary bytes, and on arbitrary JSON put into a token's shape, so
//! that the fuzzer reaches the claim reading and not only the base64 check.
#![no_main]

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use libfuzzer_sys::fuzz_target;
use zoomguard::detect::classify_jwt;

fuzz_target!(|data: &[u8]| {
    let _ = classify_jwt(data);
    // Split the input into a header and claims at the first NUL, and sign with 32 or 64 bytes.
    let (header, claims) = data.split_at(data.iter().position(|&b| b == 0).unwrap_or(data.len()));
    let signature = [7u8; 64];
    for len in [32, 64] {
        let token = format!(
            "{}.{}.{}",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(claims.get(1..).unwrap_or_default()),
            URL_SAFE_NO_PAD.encode(&signature[..len])
        );
        let _ = classify_jwt(token.as_bytes());
    }
});
