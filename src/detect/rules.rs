//! The detector table: one entry per Zoom secret, with a stable id, the keywords that must
//! occur for it to run, what it matches, and examples that a unit test runs through the real
//! scanner.
//!
//! Examples are templates (see [`super::examples`]): `{s32}`, `{u22}`, `{oauth-refresh}`… are
//! filled at test time by the `synth` test support, so no credential-shaped literal is ever
//! committed. Rule ids are a contract: they appear in output, in ignore files and in docs, and
//! never change meaning.

use super::kind::{IdentifierKind, Kind, Severity};
use super::shape::Shape;

/// What the name in front of a value says it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// `…secret…`, `…password…`.
    Secret,
    /// `…token…` (not access/refresh tokens, which are JWTs).
    Token,
    /// `…verification_token…`.
    Verification,
    /// `…id`, `…key…`: client ID, account ID, API key, SDK key.
    Identifier,
}

/// Whether the key must mention an SDK for a keyed rule to apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SdkName {
    /// Only under a name that mentions `sdk`.
    Required,
    /// Only under a name that does not.
    Absent,
    /// Either way.
    Any,
}

/// Whether a key's name (or a parent key's) names an SDK (`ZOOM_SDK_SECRET`,
/// `meeting_sdk:` / `  secret: …`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SdkInName {
    /// It does.
    Named,
    /// It does not.
    Unnamed,
}

impl SdkInName {
    /// Whether `normalized` (a name in lower-case letters and digits) names an SDK.
    pub fn of(normalized: &str) -> SdkInName {
        if normalized.contains("sdk") {
            SdkInName::Named
        } else {
            SdkInName::Unnamed
        }
    }
}

/// How a rule finds its secret.
#[derive(Debug, Clone, Copy)]
pub enum Matcher {
    /// A JWT whose decoded header and claims pass this test (see `jwt.rs`). JWT rules are
    /// tried in table order and the first that passes names the token.
    Token(TokenTest),
    /// A value of one of `shapes` under a key of one of `roles`, in Zoom context (see `keyed.rs`).
    Keyed {
        /// The value shapes the rule takes.
        shapes: &'static [Shape],
        /// The key roles the rule takes.
        roles: &'static [Role],
        /// Whether the key must (or must not) mention an SDK.
        sdk: SdkName,
        /// The rule's secrets written after their identifier with no name at all
        /// (`curl -u '<id>:<secret>'`, `ZoomClient('<key>', '<secret>')`), if it takes them.
        pair: Option<PairShapes>,
    },
}

/// An identifier and a secret written side by side with no name (see `keyed::PAIR`): the
/// shapes that make them one rule's pair.
#[derive(Debug, Clone, Copy)]
pub struct PairShapes {
    /// The identifier's shapes.
    pub ids: &'static [Shape],
    /// The secret's shapes.
    pub secrets: &'static [Shape],
    /// What the identifier is.
    pub id_kind: IdentifierKind,
}

/// What a JWT's decoded header and claims must show to be one rule's token.
#[derive(Debug, Clone, Copy)]
pub struct TokenTest {
    /// The `alg` values taken.
    pub algs: &'static [&'static str],
    /// Header keys one of which must be there (none: no such need).
    pub header_any: &'static [&'static str],
    /// Header keys none of which may be there: the marks of another rule's tokens.
    pub header_none: &'static [&'static str],
    /// Claims that must all hold.
    pub claims: &'static [Claim],
    /// Claims none of which may hold: the marks of another rule's tokens.
    pub claims_none: &'static [Claim],
    /// Where the token names the app it belongs to, if it does.
    pub identifier: Option<IdentifierClaim>,
    /// Whether the app signs these tokens with one of its own secrets, so that a secret
    /// found in the same change can be proved real by the token's HMAC (Zoom signs OAuth
    /// tokens and ZAKs with keys of its own).
    pub signed_by_app: bool,
}

/// One thing a token's claims may show.
#[derive(Debug, Clone, Copy)]
pub enum Claim {
    /// This string claim has this value.
    Is(&'static str, &'static str),
    /// This string claim starts with this.
    StartsWith(&'static str, &'static str),
    /// This number claim has this value.
    Number(&'static str, i64),
    /// One of these claims is there, whatever its value.
    AnyKey(&'static [&'static str]),
    /// One of these holds.
    AnyOf(&'static [Claim]),
    /// The identifier the token names (see [`IdentifierClaim`]) has the shape of one of
    /// Zoom's keys.
    IdentifierIsKeyShaped,
}

/// Where a token names the app it belongs to.
#[derive(Debug, Clone, Copy)]
pub struct IdentifierClaim {
    /// What the identifier is.
    pub kind: IdentifierKind,
    /// The string claims that may hold it: the first one there is read.
    pub keys: &'static [&'static str],
    /// What it is written behind (`zm:cid:`): a value without it names nothing.
    pub prefix: Option<&'static str>,
    /// What the value must look like; a value that does not fails the test.
    pub value: IdentifierValue,
    /// Whether a token that names no identifier fails the test.
    pub required: bool,
}

/// What an identifier inside a token must look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentifierValue {
    /// Anything but a placeholder (too short, odd characters, a placeholder word): docs sign
    /// their samples with `abc123` or `VIDEO_SDK_KEY`.
    NotMadeUp,
    /// A 22-character base64url UUIDv4, as a JWT app's API key.
    ApiKey,
}

/// One detector.
#[derive(Debug)]
pub struct Rule {
    /// Stable kebab-case id, as shown in output and accepted in ignore files.
    pub id: &'static str,
    /// The credential this rule finds, and the key of its remediation advice
    /// (`report::remediation`).
    pub kind: Kind,
    /// The human name shown in reports.
    pub name: &'static str,
    /// How urgent a live (unexpired, unverified) finding is: long-lived tokens that act as
    /// the app are critical, every other secret is high.
    pub severity: Severity,
    /// How it finds it.
    pub matcher: Matcher,
    /// The case-insensitive words of the one keyword pass whose hits feed this rule: a token
    /// rule reads tokens where its keyword starts one; a keyed rule takes its keyword's hits
    /// as references to Zoom, which put the values near them in Zoom context (a file without
    /// one is read for keyed values only where its path or its project says Zoom).
    pub keywords: &'static [&'static str],
    /// One line on what the rule matches.
    pub matches: &'static str,
    /// Texts (synth templates) in which the rule must find exactly one secret.
    pub examples: &'static [&'static str],
    /// Texts (synth templates) in which no rule may find anything.
    pub negatives: &'static [&'static str],
}

const JWT_KEYWORDS: &[&str] = &["eyJ"];
/// Zoom signs every token with HMAC; RS256 or ES256 tokens are never Zoom's.
const HMAC: &[&str] = &["HS256", "HS512"];
/// A ZAK's header mark.
const ZAK_HEADER: &[&str] = &["zm_skm"];
/// What marks an OAuth token: Zoom's audience, or a client ID as its issuer.
const OAUTH_CLAIMS: &[Claim] =
    &[Claim::AnyOf(&[Claim::Is("aud", "https://oauth.zoom.us"), Claim::StartsWith("iss", "zm:cid:")])];
/// The client ID an OAuth token names as its issuer, when it names one.
const OAUTH_CLIENT: Option<IdentifierClaim> = Some(IdentifierClaim {
    kind: IdentifierKind::ClientId,
    keys: &["iss"],
    prefix: Some("zm:cid:"),
    value: IdentifierValue::NotMadeUp,
    required: false,
});
/// Zoom's `sv` header and a ZAK's mark: a token that has them and is no OAuth token or ZAK
/// is nothing else of Zoom's either.
const OAUTH_OR_ZAK_HEADER: &[&str] = &["sv", "zm_skm"];
const ZOOM_KEYWORDS: &[&str] = &["zoom"];
const SECRETISH: &[Role] = &[Role::Secret, Role::Token];
/// The shapes of the identifiers Zoom issues beside a client secret or an API secret.
const ZOOM_IDS: &[Shape] = &[Shape::Uuid22, Shape::ShortClientId];

/// Every detector, in the order findings of equal position are listed.
pub static RULES: &[Rule] = &[
    Rule {
        id: "zoom-oauth-refresh-token",
        kind: Kind::OAuthRefreshToken,
        name: "Zoom OAuth refresh token",
        severity: Severity::Critical,
        matcher: Matcher::Token(TokenTest {
            algs: HMAC,
            header_any: &[],
            header_none: ZAK_HEADER,
            claims: &[OAUTH_CLAIMS[0], Claim::Number("type", 1)],
            claims_none: &[],
            identifier: OAUTH_CLIENT,
            signed_by_app: false,
        }),
        keywords: JWT_KEYWORDS,
        matches: "HS512 JWT with Zoom's `sv` header, audience https://oauth.zoom.us and \"type\":1",
        examples: &["refresh_token = \"{oauth-refresh}\"", "{\"refresh_token\":\"{oauth-refresh}\"}"],
        negatives: &["refresh_token = \"eyJzdiI6IjAwMDAwMiIsImFsZyI6IkhTNTEyIn0...\""],
    },
    Rule {
        id: "zoom-oauth-access-token",
        kind: Kind::OAuthAccessToken,
        name: "Zoom OAuth access token",
        severity: Severity::High,
        matcher: Matcher::Token(TokenTest {
            algs: HMAC,
            header_any: &[],
            header_none: ZAK_HEADER,
            claims: OAUTH_CLAIMS,
            claims_none: &[],
            identifier: OAUTH_CLIENT,
            signed_by_app: false,
        }),
        keywords: JWT_KEYWORDS,
        matches: "HS512 JWT with Zoom's `sv` header and audience https://oauth.zoom.us",
        examples: &[
            "curl -H \"Authorization: Bearer {oauth-access}\" https://api.zoom.us/v2/users/me",
            "GET /v2/users?access_token={oauth-s2s}",
            "ZOOM_ACCESS_TOKEN={oauth-access-expired}",
        ],
        negatives: &["Authorization: Bearer {jwt-rs256}", "Authorization: Bearer 12345abcde"],
    },
    Rule {
        id: "zoom-zak-token",
        kind: Kind::ZakToken,
        name: "Zoom ZAK token",
        severity: Severity::High,
        matcher: Matcher::Token(TokenTest {
            algs: HMAC,
            header_any: ZAK_HEADER,
            header_none: &[],
            claims: &[],
            claims_none: &[],
            identifier: None,
            signed_by_app: false,
        }),
        keywords: JWT_KEYWORDS,
        matches: "HS256 JWT whose header carries \"zm_skm\", alone or in a start_url's ?zak=",
        examples: &["\"start_url\": \"https://us02web.zoom.us/s/81234567890?zak={zak}\"", "zak={zak-sv}&tk=1"],
        negatives: &["\"join_url\": \"https://us02web.zoom.us/j/81234567890?pwd=Zm9vYmFy\""],
    },
    Rule {
        id: "zoom-sdk-signature",
        kind: Kind::SdkSignature,
        name: "Zoom SDK signature",
        severity: Severity::High,
        matcher: Matcher::Token(TokenTest {
            algs: HMAC,
            header_any: &[],
            header_none: OAUTH_OR_ZAK_HEADER,
            // The native SDKs' init tokens carry the key alone, without session claims: then
            // the key must have a Zoom key's shape.
            claims: &[Claim::AnyOf(&[
                Claim::AnyKey(&["mn", "role", "tokenExp", "tpc", "role_type"]),
                Claim::IdentifierIsKeyShaped,
            ])],
            claims_none: OAUTH_CLAIMS,
            identifier: Some(IdentifierClaim {
                kind: IdentifierKind::SdkKey,
                keys: &["appKey", "sdkKey", "app_key"],
                prefix: None,
                value: IdentifierValue::NotMadeUp,
                required: true,
            }),
            signed_by_app: true,
        }),
        keywords: JWT_KEYWORDS,
        matches: "HS256 JWT with appKey/sdkKey/app_key and meeting or session claims, or the old \
                  base64 of key.meeting.timestamp.role.hmac beside a Zoom call",
        examples: &[
            "signature: '{sdk-meeting}',",
            "const token = \"{sdk-video}\";",
            "ZoomMtg.join({ signature: \"{sdk-legacy}\", meetingNumber })",
            "ZoomMtg.join({\n  signature: '{sdk-legacy-36}',\n})",
        ],
        negatives: &[
            "const token = \"{jwt-hs256-other}\";",
            "ZoomMtg.join({ signature: '{sdk-sample}' })",
            "ZoomMtg.join({ signature: '{b64-s36}' })",
        ],
    },
    Rule {
        id: "zoom-jwt-app-token",
        kind: Kind::JwtAppToken,
        name: "Zoom JWT app token",
        severity: Severity::Critical,
        matcher: Matcher::Token(TokenTest {
            algs: &["HS256"],
            header_any: &[],
            header_none: OAUTH_OR_ZAK_HEADER,
            claims: &[],
            claims_none: OAUTH_CLAIMS,
            // Marketplace tokens carry an `exp`; hand-made ones sometimes none (they never expire).
            identifier: Some(IdentifierClaim {
                kind: IdentifierKind::ApiKey,
                keys: &["iss"],
                prefix: None,
                value: IdentifierValue::ApiKey,
                required: true,
            }),
            signed_by_app: true,
        }),
        keywords: JWT_KEYWORDS,
        matches: "HS256 JWT whose iss is a 22-character Zoom API key, with an exp",
        examples: &["ZOOM_JWT={jwt-app}", "jwtToken: '{jwt-app-expired}'", "token: '{jwt-app-noexp}'"],
        negatives: &["SUPABASE_ANON_KEY={jwt-supabase}", "ZOOM_JWT=eyJhbGciOiJIUzI1NiJ9...", "ZOOM_JWT={jwt-test}"],
    },
    Rule {
        id: "zoom-webhook-verification-token",
        kind: Kind::WebhookVerificationToken,
        name: "Zoom webhook verification token",
        severity: Severity::High,
        matcher: Matcher::Keyed {
            shapes: &[Shape::Uuid22],
            roles: &[Role::Verification],
            sdk: SdkName::Any,
            pair: None,
        },
        keywords: ZOOM_KEYWORDS,
        matches: "22-character base64url UUIDv4 under a Zoom verification-token name",
        examples: &[
            "ZOOM_VERIFICATION_TOKEN={u22}",
            "zoom:\n  verification_token: \"{u22}\"",
            "zoom.api.key={u22}\nzoom.evennotification.request={u22}",
            "# zoom events\nif request.headers['authorization'] == '{u22}':",
        ],
        negatives: &[
            "ZOOM_VERIFICATION_TOKEN=your-verification-token",
            "ZOOM_VERIFICATION_TOKEN=",
            "zoom:\n  notification_id: {u22}",
        ],
    },
    Rule {
        id: "zoom-webhook-secret-token",
        kind: Kind::WebhookSecretToken,
        name: "Zoom webhook secret token",
        severity: Severity::High,
        matcher: Matcher::Keyed { shapes: &[Shape::Uuid22], roles: SECRETISH, sdk: SdkName::Any, pair: None },
        keywords: ZOOM_KEYWORDS,
        matches: "22-character base64url UUIDv4 under a Zoom secret or token name",
        examples: &[
            "ZOOM_WEBHOOK_SECRET_TOKEN={u22}",
            "zoom:\n  webhook:\n    secretToken: '{u22}'",
            "const hash = crypto.createHmac('sha256', '{u22}').update(message);\nif (req.headers['x-zm-signature'] === sig) {}",
        ],
        negatives: &[
            "zoom:\n  next_page_token: '{u22}'",
            "crypto.createHmac('sha256', '{u22}') // stripe",
            "ZOOM_WEBHOOK_SECRET_TOKEN=your_webhook_secret",
            "ZOOM_WEBHOOK_SECRET_TOKEN={{ secrets.ZOOM_WEBHOOK_SECRET_TOKEN }}",
        ],
    },
    Rule {
        id: "zoom-sdk-secret",
        kind: Kind::SdkSecret,
        name: "Zoom SDK secret",
        severity: Severity::High,
        matcher: Matcher::Keyed {
            shapes: &[Shape::Alnum36, Shape::Alnum32],
            roles: SECRETISH,
            sdk: SdkName::Required,
            // The legacy SDK key and secret: 36 and 36.
            pair: Some(PairShapes {
                ids: &[Shape::Alnum36],
                secrets: &[Shape::Alnum36],
                id_kind: IdentifierKind::SdkKey,
            }),
        },
        keywords: ZOOM_KEYWORDS,
        matches: "36 or 32 letters and digits under a Zoom SDK secret name",
        examples: &[
            "ZOOM_MEETING_SDK_SECRET={s36}",
            "package us.zoom.sdksample;\npublic final static String SDK_SECRET = \"{s36}\";",
            "VITE_ZOOM_SDK_SECRET={s32}",
        ],
        negatives: &["ZOOM_SDK_SECRET=VIDEO_SDK_SECRET_HERE", "ZOOM_SDK_KEY={s36}"],
    },
    Rule {
        id: "zoom-jwt-api-secret",
        kind: Kind::JwtApiSecret,
        name: "Zoom JWT app API secret",
        severity: Severity::High,
        matcher: Matcher::Keyed {
            shapes: &[Shape::Alnum36],
            roles: SECRETISH,
            sdk: SdkName::Absent,
            pair: Some(PairShapes { ids: ZOOM_IDS, secrets: &[Shape::Alnum36], id_kind: IdentifierKind::ApiKey }),
        },
        keywords: ZOOM_KEYWORDS,
        matches: "36 letters and digits under a Zoom API secret name",
        examples: &[
            "ZOOM_API_SECRET={s36}",
            "Zoom.configure do |c|\n  c.api_secret = '{s36}'\nend",
            "let API_SECRET = \"{s36}\";\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\nZoomMtg.init({})",
            "ZoomMtg.preLoadWasm();\ntoken = JWT.encode({ iss: '{u22}', exp: 1 }, '{s36}', 'HS256')",
        ],
        negatives: &[
            "ZOOM_API_SECRET=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "ZOOM_API_KEY={u22}",
            "ZOOM_API_SECRET=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9...",
        ],
    },
    Rule {
        id: "zoom-client-secret",
        kind: Kind::ClientSecret,
        name: "Zoom OAuth client secret",
        severity: Severity::High,
        matcher: Matcher::Keyed {
            shapes: &[Shape::Alnum32],
            roles: &[Role::Secret, Role::Token, Role::Identifier],
            sdk: SdkName::Absent,
            pair: Some(PairShapes { ids: ZOOM_IDS, secrets: &[Shape::Alnum32], id_kind: IdentifierKind::ClientId }),
        },
        keywords: ZOOM_KEYWORDS,
        matches: "32 letters and digits under a Zoom secret name (or any Zoom credential name)",
        examples: &[
            "ZOOM_CLIENT_SECRET={s32}",
            "export ZOOM_CLIENT_SECRET='{s32}'",
            "zoom:\n  client_id: {u22}\n  client_secret: {s32}",
            "[zoom]\nclient_secret = \"{s32}\"",
            "os.getenv(\"ZOOM_CLIENT_SECRET\", \"{s32}\")",
            "r = requests.post('https://zoom.us/oauth/token',\n    auth=(\"{u22}\", \"{s32}\"))",
        ],
        negatives: &[
            "ZOOM_CLIENT_SECRET=your_client_secret",
            "ZOOM_CLIENT_SECRET=${ZOOM_CLIENT_SECRET}",
            "ZOOM_CLIENT_SECRET={hex32}",
            "CLIENT_SECRET={s32}",
            ".card { zoom: 1.25; }\nCLIENT_SECRET={s32}",
            "ZoomMtg.init({})\n\n\n\nSESSION_SECRET={s32}",
            "ZoomMtg.init({})\n# Twilio\nAUTH_TOKEN={s32}",
            "ZoomMtg.init({})\nencrypted_password: {s32}",
        ],
    },
];

/// What a kind's rule says about it.
impl Kind {
    /// Whether this kind is a token (a JWT issued from a secret) rather than a secret: its
    /// rule tests tokens.
    pub fn is_token(self) -> bool {
        matches!(rule_for(self).matcher, Matcher::Token(_))
    }

    /// How urgent a live finding of this kind is.
    pub fn severity(self) -> Severity {
        rule_for(self).severity
    }

    /// The human name shown in reports.
    pub fn name(self) -> &'static str {
        rule_for(self).name
    }
}

/// The rule for a kind.
pub fn rule_for(kind: Kind) -> &'static Rule {
    RULES.iter().find(|r| r.kind == kind).expect("every kind has exactly one rule (tested)")
}

/// The secret kind of a keyed value of `shape` under a key of `role`, if any rule takes it.
pub fn keyed_kind(shape: Shape, role: Role, name: SdkInName) -> Option<Kind> {
    let mentions_sdk = name == SdkInName::Named;
    RULES.iter().find_map(|rule| match rule.matcher {
        Matcher::Keyed { shapes, roles, sdk, .. }
            if shapes.contains(&shape)
                && roles.contains(&role)
                && match sdk {
                    SdkName::Required => mentions_sdk,
                    SdkName::Absent => !mentions_sdk,
                    SdkName::Any => true,
                } =>
        {
            Some(rule.kind)
        }
        _ => None,
    })
}

/// The secret kind, and what the identifier is, of an unnamed identifier–secret pair of these
/// shapes, if any rule takes it.
pub fn paired_kind(id: Shape, secret: Shape) -> Option<(Kind, IdentifierKind)> {
    RULES.iter().find_map(|rule| match rule.matcher {
        Matcher::Keyed { pair: Some(pair), .. }
            if pair.ids.contains(&id) && pair.secrets.contains(&secret) =>
        {
            Some((rule.kind, pair.id_kind))
        }
        _ => None,
    })
}

/// Every distinct keyword of the table, for the one-pass prefilter.
pub fn all_keywords() -> Vec<&'static str> {
    let mut words: Vec<&str> = RULES.iter().flat_map(|r| r.keywords.iter().copied()).collect();
    words.sort_unstable();
    words.dedup();
    words
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::change::Change;
    use crate::detect::{scan, ScanOptions};
    use crate::synth::Synth;

    fn findings(template: &str, seed: u64) -> Vec<&'static str> {
        let text = Synth::new(seed).expand(template);
        let change = Change::new_file("config/settings.txt", text.into_bytes());
        scan(&change, &ScanOptions::default()).iter().map(|f| f.rule.id).collect()
    }

    #[test]
    fn every_kind_has_one_rule_with_unique_id() {
        for kind in Kind::ALL {
            assert_eq!(RULES.iter().filter(|r| r.kind == kind).count(), 1, "{kind:?}");
        }
        let mut ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), RULES.len());
    }

    #[test]
    fn examples_are_found_by_their_rule() {
        for rule in RULES {
            assert!(!rule.examples.is_empty(), "{} has no example", rule.id);
            for (i, example) in rule.examples.iter().enumerate() {
                for seed in 0..20 {
                    assert_eq!(findings(example, seed), vec![rule.id], "{} example {i} seed {seed}", rule.id);
                }
            }
        }
    }

    #[test]
    fn negatives_find_nothing() {
        for rule in RULES {
            assert!(!rule.negatives.is_empty(), "{} has no negative", rule.id);
            for (i, negative) in rule.negatives.iter().enumerate() {
                assert!(findings(negative, 1).is_empty(), "{} negative {i}", rule.id);
            }
        }
    }
}
