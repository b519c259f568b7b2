//! What a key's name says about the value under it: its role (secret, token, verification
//! token, identifier), whether it names another vendor or an application's own secret, and
//! the stricter bar a value must clear when only the project says Zoom. Shared by the keyed
//! detector and the detector of unnamed secrets, which reads names in calls.

use super::context::mentions_zoom;
use super::kind::IdentifierKind;
use super::rules::Role;
use super::shape::Shape;
use crate::change::line_around;

/// Key endings that name something about the secret rather than the secret itself.
const NOT_A_VALUE_SUFFIXES: &[&str] = &[
    "name", "path", "file", "url", "uri", "env", "ref", "arn", "header", "field", "param", "length", "len",
    "type", "version", "hash", "format", "prefix",
];

/// Other vendors' names: a key that names one of them (and not Zoom) is theirs.
pub(super) const OTHER_VENDORS: &[&str] = &[
    "stripe", "aws", "github", "gitlab", "slack", "twilio", "google", "gcp", "azure", "mapbox", "sendgrid",
    "mailgun", "openai", "facebook", "twitter", "okta", "auth0", "supabase", "firebase", "paypal", "shopify",
    "webex", "teams", "discord", "algolia", "pusher", "sentry",
];

/// Lower-case letters and digits of a key: `zoom.client-secret` → `zoomclientsecret`.
pub(super) fn normalized(key: &[u8]) -> String {
    key.iter().filter(|b| b.is_ascii_alphanumeric()).map(|b| char::from(b.to_ascii_lowercase())).collect()
}

/// What the value under this key is for, if the key names a credential at all.
pub(super) fn role_of(key: &[u8]) -> Option<Role> {
    let key = normalized(key);
    if NOT_A_VALUE_SUFFIXES.iter().any(|s| key.ends_with(s)) {
        return None;
    }
    let has = |words: &[&str]| words.iter().any(|w| key.contains(w));
    // A meeting's `encrypted_password` is a passcode hash, not a credential.
    if has(NOT_A_CREDENTIAL) {
        return None;
    }
    if has(&["verif"]) || has(EVENT_TOKEN_WORDS) && !key.ends_with("id") && !has(&["secret"]) {
        Some(Role::Verification)
    } else if has(&["secret", "password", "passwd"]) || has(MISSPELT_SECRET) {
        Some(Role::Secret)
    } else if has(&["token"]) {
        // Access, refresh and SDK tokens are JWTs, found by the JWT detector.
        // `plainToken` is the public challenge of Zoom's endpoint URL validation, and
        // `next_page_token` a cursor of the API's paginated lists.
        (!has(&[
            "access",
            "refresh",
            "jwt",
            "bearer",
            "zak",
            "oauth",
            "signature",
            "csrf",
            "plain",
            "page",
            "next",
            "cursor",
        ]))
        .then_some(Role::Token)
    } else if has(&["key"]) || key.ends_with("id") {
        Some(Role::Identifier)
    } else {
        None
    }
}

pub(super) fn names_other_vendor(key: &[u8]) -> bool {
    let key = normalized(key);
    OTHER_VENDORS.iter().any(|v| key.contains(v))
}

/// How real code misspells `secret` in the names of Zoom secrets (`zoom_secert`,
/// `zoom_secrect_key`, `ZOOM_CLIENT_SECRETE`, which `secret` already covers).
const MISSPELT_SECRET: &[&str] = &["secrect", "secert", "sercet", "scret"];

/// Pieces of the names that count where only the project says Zoom (see
/// [`counts_in_wide_context`]), in the cases names are written in: `secret` and its
/// misspellings, `password`, `verification`, `notification`, `EventsApi`, `webhook`, and the
/// calls whose arguments [`super::unnamed`] reads. A file that says no Zoom keyword and
/// holds none of these never meets the keyed patterns.
pub const WIDE_NAME_WORDS: &[&str] = &[
    "ecret",
    "ECRET",
    "ecrect",
    "ECRECT",
    "ecert",
    "ECERT",
    "ercet",
    "ERCET",
    "scret",
    "SCRET",
    "assw",
    "ASSW",
    "erif",
    "ERIF",
    "otification",
    "OTIFICATION",
    "ventsApi",
    "ventsapi",
    "VENTSAPI",
    "ebhook",
    "EBHOOK",
    "useState",
    ".sign(",
    ".encode(",
    "::encode(",
    "Buffer.from(",
];

/// Words in a key that make a value no credential at all, Zoom's or anyone's.
const NOT_A_CREDENTIAL: &[&str] = &["encrypted", "passcode", "meetingpassword"];

/// Words of the names real code gives a legacy webhook verification token without saying
/// so (`EventsApi`, a misspelt `zoom.evennotification.request`).
const EVENT_TOKEN_WORDS: &[&str] = &["eventsapi", "eventapi", "notification"];

/// Words of the names of an application's own secrets (its sessions, cookies, database,
/// signing keys): in a Zoom project these are still not Zoom's.
const OWN_SECRET_WORDS: &[&str] = &[
    "session",
    "cookie",
    "encrypt",
    "csrf",
    "xsrf",
    "nextauth",
    "django",
    "flask",
    "rails",
    "master",
    "database",
    "mongo",
    "redis",
    "mysql",
    "postgres",
    "smtp",
    "mail",
    "salt",
    "hash",
    "private",
    "public",
    "recaptcha",
    "captcha",
    "signing",
    "cipher",
    "aes",
    "hmackey",
    "license",
    "consumer",
    "jwt",
    "cron",
];

/// Whole names (letters and digits only) of a web framework's own secret: Django's and
/// Flask's `SECRET_KEY`, Rails' `SECRET_KEY_BASE`.
const OWN_SECRET_NAMES: &[&str] = &["secretkey", "secretkeybase"];

/// Whether `text` (and `lower`, the same text in lower case) holds `word` (lower case) as a
/// word of its own: `TWILIO_SID`, `# Twilio`, `twilioClient`, `new TwilioClient`, but not the
/// `aws` inside a random value.
pub(super) fn names_as_a_word(text: &[u8], lower: &[u8], word: &[u8]) -> bool {
    let lower_letter = |b: Option<&u8>| b.is_some_and(u8::is_ascii_lowercase);
    memchr::memmem::find_iter(lower, word).any(|at| {
        let before = at.checked_sub(1).and_then(|i| text.get(i));
        let starts = !before.is_some_and(u8::is_ascii_alphanumeric)
            || text[at].is_ascii_uppercase() && lower_letter(before);
        let after = text.get(at + word.len());
        starts && (!after.is_some_and(u8::is_ascii_alphanumeric) || after.is_some_and(u8::is_ascii_uppercase))
    })
}

/// Whether a name that does not say Zoom names an application's own secret
/// (`SESSION_SECRET`, a bare `SECRET_KEY`), unless a parent key says Zoom (`zoom:` / `secret:`).
pub(super) fn names_own_secret(key: &[u8], parents: &[&[u8]]) -> bool {
    let name = normalized(key);
    let own = OWN_SECRET_WORDS.iter().any(|w| name.contains(w)) || OWN_SECRET_NAMES.contains(&name.as_str());
    own && !parents.iter().any(|parent| mentions_zoom(parent))
}

/// Whether a generic name of `role` with a value of `shape` counts where only the file or the
/// project says Zoom: a credential's name that is not an application's own secret, with a
/// value that is plainly random (see [`strictly_random`]). Identifiers count too, so that
/// they can name the app of a secret beside them, but never as secrets.
pub(super) fn counts_in_wide_context(key: &[u8], role: Role, shape: Shape, value: &[u8]) -> bool {
    match role {
        Role::Identifier => matches!(shape, Shape::Uuid22 | Shape::ShortClientId),
        // `token` alone names too much (`csrfToken`, `deviceToken`); a webhook's token counts.
        Role::Token => normalized(key).contains("webhook") && strictly_random(Some(shape), value),
        Role::Secret | Role::Verification => strictly_random(Some(shape), value),
    }
}

/// The stricter bar for values that count through wide context only: a 22-character value
/// must be a UUIDv4, a 32- or 36-character one must mix upper case, lower case and digits.
pub(super) fn strictly_random(shape: Option<Shape>, value: &[u8]) -> bool {
    match shape {
        Some(Shape::Uuid22) => true,
        Some(Shape::Alnum32 | Shape::Alnum36) => {
            value.iter().any(u8::is_ascii_uppercase)
                && value.iter().any(u8::is_ascii_lowercase)
                && value.iter().any(u8::is_ascii_digit)
        }
        _ => false,
    }
}

pub(super) fn identifier_kind(key: &str, shape: Shape) -> IdentifierKind {
    if key.contains("account") {
        IdentifierKind::AccountId
    } else if key.contains("sdk") || shape == Shape::Alnum36 {
        IdentifierKind::SdkKey
    } else if key.contains("api") {
        IdentifierKind::ApiKey
    } else {
        IdentifierKind::ClientId
    }
}

/// How far back the keyed detector reads a line for the name of a generic `value:`: the name
/// stands beside its value, and the bound keeps many values on one long line linear.
pub(super) const NAME_LOOKBACK: usize = 256;

/// How many lines above a generic name [`other_vendor_above`] reads.
const VENDOR_LINES_ABOVE: usize = 3;

/// Whether the line of `at`, or one of the few lines above it, names another vendor
/// (`# Twilio`, `TWILIO_ACCOUNT_SID=…` above a generic `AUTH_TOKEN=…`) before one names
/// Zoom: the nearest name decides.
pub(super) fn other_vendor_above(text: &[u8], at: usize) -> bool {
    let line = line_around(text, at);
    // On a long (minified) line only the bytes around the name count: the bound keeps many
    // names on one line linear.
    let mut window = line.start.max(at.saturating_sub(NAME_LOOKBACK * 2))..line.end.min(at + NAME_LOOKBACK);
    for _ in 0..=VENDOR_LINES_ABOVE {
        let bytes = &text[window.clone()];
        if mentions_zoom(bytes) {
            return false;
        }
        let lower = bytes.to_ascii_lowercase();
        if OTHER_VENDORS.iter().any(|vendor| names_as_a_word(bytes, &lower, vendor.as_bytes())) {
            return true;
        }
        if window.start == 0 {
            break;
        }
        let above_end = window.start - 1;
        let above_start = text[..above_end].iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
        window = above_start.max(above_end.saturating_sub(NAME_LOOKBACK * 2))..above_end;
    }
    false
}
