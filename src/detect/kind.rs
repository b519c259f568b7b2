//! The kinds of Zoom credential that zoomguard knows, and which of them are secrets.
//!
//! A `Kind` names what a finding *is*; everything known about it (its name, severity, how it
//! is found, its examples) is its one entry in the rule table (`rules.rs`). Remediation keys
//! its advice on `Kind`, so adding a kind forces the advice to say something about it (the
//! match is exhaustive).

/// A Zoom secret that blocks a commit when it is added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// Legacy JWT-app API secret: 36 letters and digits.
    JwtApiSecret,
    /// Legacy JWT-app token: an HS256 JWT whose `iss` is the API key.
    JwtAppToken,
    /// OAuth or Server-to-Server OAuth client secret: 32 letters and digits.
    ClientSecret,
    /// OAuth access token: an HS512 JWT issued by `zoom.us`, valid for an hour.
    OAuthAccessToken,
    /// OAuth refresh token: an HS512 JWT with `"type":1`, valid for 90 days.
    OAuthRefreshToken,
    /// ZAK (Zoom Access Key): lets the Meeting SDK start a meeting as its user.
    ZakToken,
    /// Meeting SDK or Video SDK secret.
    SdkSecret,
    /// Meeting/Video/Cobrowse SDK signature: an HS256 JWT signed with the SDK secret.
    SdkSignature,
    /// Webhook secret token: signs every event Zoom sends to the app's endpoint.
    WebhookSecretToken,
    /// Legacy webhook verification token.
    WebhookVerificationToken,
}

impl Kind {
    /// Every kind, in the order reports list them.
    pub const ALL: [Kind; 10] = [
        Kind::JwtApiSecret,
        Kind::JwtAppToken,
        Kind::ClientSecret,
        Kind::OAuthAccessToken,
        Kind::OAuthRefreshToken,
        Kind::ZakToken,
        Kind::SdkSecret,
        Kind::SdkSignature,
        Kind::WebhookSecretToken,
        Kind::WebhookVerificationToken,
    ];
}

/// A Zoom identifier: not a secret on its own, but it names the app a secret belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdentifierKind {
    /// OAuth / Server-to-Server / new Meeting SDK client ID.
    ClientId,
    /// Server-to-Server OAuth account ID.
    AccountId,
    /// Legacy JWT-app API key (the `iss` of its tokens).
    ApiKey,
    /// Meeting/Video SDK key.
    SdkKey,
}

impl IdentifierKind {
    /// The label shown next to a finding ("client ID FAKE…").
    pub fn label(self) -> &'static str {
        match self {
            IdentifierKind::ClientId => "client ID",
            IdentifierKind::AccountId => "account ID",
            IdentifierKind::ApiKey => "API key",
            IdentifierKind::SdkKey => "SDK key",
        }
    }
}

/// How urgent a finding is. Ordered: `Low < Medium < High < Critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// An expired token: it grants nothing any more, but it names the app (an audit wants
    /// it), and whatever wrote it down can leak the next one. Hooks let it through with a notice.
    Low,
    /// The lowest severity that blocks a hook by default.
    Medium,
    /// A live secret.
    High,
    /// A live token that acts as the app for a long time (a refresh token, a JWT-app token).
    Critical,
}

impl Severity {
    /// Every severity, lowest first.
    pub const ALL: [Severity; 4] = [Severity::Low, Severity::Medium, Severity::High, Severity::Critical];

    /// The severity named `name` (`low`, `medium`, `high`, `critical`), if any.
    pub fn from_name(name: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|s| s.name().eq_ignore_ascii_case(name.trim()))
    }

    /// The lower-case name used in output and options.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// The CVSS-like score that code-scanning dashboards read from SARIF's
    /// `security-severity` (critical is 9.0 and above, high 7.0 to 8.9, medium 4.0 to 6.9, low 0.1 to 3.9).
    pub fn score(self) -> &'static str {
        match self {
            Severity::Low => "2.0",
            Severity::Medium => "5.0",
            Severity::High => "8.0",
            Severity::Critical => "9.5",
        }
    }
}
