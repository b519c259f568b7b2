//! The rule table's examples are templates, never credentials: `ZOOM_CLIENT_SECRET={s32}`
//! names the shape of each value in a `{slot}`. Tests fill the slots with seeded synthetic
//! values (the `synth` test support); `zoomguard rules` shows them as descriptions of their
//! shape, so the help never prints anything credential-shaped.

/// `template` with every `{slot}` replaced by what `value` gives for it; braces for which it
/// gives nothing are kept as they are.
pub fn fill(template: &str, mut value: impl FnMut(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}').and_then(|close| Some((close, value(&after[..close])?))) {
            Some((close, filled)) => {
                out.push_str(&filled);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `template` with every slot replaced by a description of its shape, such as
/// `<32 letters and digits>`: how `zoomguard rules` shows examples without any value.
pub fn describe(template: &str) -> String {
    fill(template, |slot| {
        let shape = match slot {
            "s32" => "32 letters and digits",
            "s36" => "36 letters and digits",
            "u22" => "22-character id",
            "c21" => "client id",
            "hex32" => "32 hex digits",
            "hex40" => "40 hex digits",
            "jwt-app" | "jwt-app-expired" => "JWT eyJ… signed HS256, iss = API key",
            "oauth-access" | "oauth-access-expired" | "oauth-s2s" => "JWT eyJ… signed HS512 by zoom.us",
            "oauth-refresh" => "JWT eyJ… signed HS512, type 1",
            "zak" | "zak-sv" => "JWT eyJ… ZAK",
            "jwt-app-noexp" => "JWT eyJ… signed HS256, iss = API key, no exp",
            "sdk-legacy" | "sdk-legacy-36" | "sdk-legacy-sample" => {
                "base64 of key.meeting.timestamp.role.hmac"
            }
            "sdk-init" => "JWT eyJ… signed with the SDK secret, key and expiry only",
            "sdk-sample" | "jwt-test" => "a sample JWT",
            "sdk-meeting" | "sdk-video" => "JWT eyJ… signed with the SDK secret",
            "jwt-hs256-other" | "jwt-rs256" | "jwt-supabase" => "another vendor's JWT",
            "basic-client" => "base64 of client id:client secret",
            "basic-other" => "base64 of user:password",
            other if other.starts_with("b64-") => "base64 of a value",
            other if other.starts_with('a') && other[1..].parse::<usize>().is_ok() => "part of a value",
            _ => return None,
        };
        Some(format!("<{shape}>"))
    })
}
