//! How a project shows that it uses Zoom, when the file holding a secret never says so.
//!
//! Real leaks sit in `config.js`, `.env` or `application.properties` files under generic
//! names (`API_SECRET`, `clientSecret`), while the project around them depends on a Zoom SDK,
//! calls Zoom's API hosts, or is named after Zoom. Sources hand detection the texts and names
//! that may say so (a few manifests, the other files of the change, the repository's name);
//! this module decides, from the tables below, whether one does and how to say why.

use aho_corasick::AhoCorasick;
use once_cell::sync::Lazy;

use super::context::mentions_zoom;

/// The file names of dependency manifests, whose text names the packages a project uses.
pub const MANIFEST_NAMES: &[&str] = &[
    "package.json",
    "requirements.txt",
    "requirements-dev.txt",
    "pyproject.toml",
    "Pipfile",
    "setup.py",
    "setup.cfg",
    "environment.yml",
    "composer.json",
    "Gemfile",
    "go.mod",
    "pom.xml",
    "build.gradle",
    "build.gradle.kts",
    "Cargo.toml",
    "pubspec.yaml",
    "Podfile",
    "packages.config",
    "Directory.Packages.props",
];

/// Zoom's SDKs and client libraries, as package names in a manifest (npm, PyPI, Composer,
/// RubyGems, Go, NuGet, Maven, CocoaPods, pub). A name counts only as a whole token, so that
/// `zoom-level`, `@zoom-image/core` and `vue-zoomer` do not.
const ZOOM_PACKAGES: &[&str] = &[
    "@zoom/meetingsdk",
    "@zoom/videosdk",
    "@zoom/videosdk-ui-toolkit",
    "@zoom/appssdk",
    "@zoom/rivet",
    "@zoom/rtms",
    "@zoom/probesdk",
    "@zoom/meetingsdk-react-native",
    "@zoom/react-native-videosdk",
    "@zoomus/websdk",
    "@zoomus/instantsdk",
    "react-native-zoom-us",
    "zoomus",
    "zoom-python-client",
    "zoom-meeting-sdk",
    "pyzoom",
    "zoomrs",
    "macsidigital/laravel-zoom",
    "jubaer/zoom-laravel",
    "zoom_rb",
    "github.com/zoom-lib-golang/zoom-lib-golang",
    "github.com/himalayan-institute/zoom-lib-golang",
    "ZoomNet",
    "us.zoom.sdk",
    "us.zoom.videosdk",
    "MobileRTC",
    "flutter_zoom_sdk",
];

/// What code that talks to Zoom writes: its API and OAuth hosts, its SDKs' globals, its
/// webhook headers and events. Hosts are matched in any case, names as written.
const ZOOM_CODE_SIGNS: &[&str] = &[
    "ZoomMtg",
    "ZoomVideo",
    "zoom.us/oauth",
    "api.zoom.us",
    "marketplace.zoom.us",
    "source.zoom.us",
    "x-zm-signature",
    "x-zm-request-timestamp",
    "endpoint.url_validation",
    "@xmpp.zoom.us",
    "from zoomus import",
    "ZoomClient(",
    "us.zoom.sdk",
];

/// The word that Zoom's webhook headers share, for the detector's one keyword pass: a file
/// (other than a manifest) with neither it nor `zoom` shows no sign of Zoom, and is not
/// searched. (A handler that answers `endpoint.url_validation` reads `x-zm-signature` too.)
pub const KEYWORDS_WITHOUT_ZOOM: [&str; 1] = ["x-zm-"];

/// One search for every package name and code sign: a file is read once, whatever the tables hold.
struct Signs {
    automaton: AhoCorasick,
    /// For each pattern, whether it is a package name (else a code sign).
    is_package: Vec<bool>,
    patterns: Vec<&'static str>,
}

static SIGNS: Lazy<Signs> = Lazy::new(|| {
    let patterns: Vec<&'static str> = ZOOM_PACKAGES.iter().chain(ZOOM_CODE_SIGNS).copied().collect();
    let is_package = patterns.iter().enumerate().map(|(i, _)| i < ZOOM_PACKAGES.len()).collect();
    let automaton = AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(&patterns)
        .expect("the Zoom signs build an automaton");
    Signs { automaton, is_package, patterns }
});

/// Whether `path` names a dependency manifest (by its last segment).
pub fn is_manifest(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    MANIFEST_NAMES.contains(&name) || name.ends_with(".csproj") || name.ends_with(".gemspec")
}

/// Why the file at `path` with `text` shows that its project uses Zoom, if it does: a
/// manifest that depends on a Zoom package ("package.json depends on @zoom/meetingsdk"), or
/// code that calls Zoom ("src/meeting.js calls ZoomMtg").
pub fn signal(path: &str, text: &[u8]) -> Option<String> {
    let manifest = is_manifest(path);
    let signs = &*SIGNS;
    for found in signs.automaton.find_overlapping_iter(text) {
        let index = found.pattern().as_usize();
        let pattern = signs.patterns[index];
        let written = &text[found.range()];
        if signs.is_package[index] {
            if manifest && is_whole_token(text, found.start(), found.end()) {
                return Some(format!("{} depends on {pattern}", shown(path)));
            }
            continue;
        }
        // Names (`ZoomMtg`, `ZoomClient(`) are matched as written; hosts and headers in any case.
        let is_name = pattern.bytes().any(|b| b.is_ascii_uppercase());
        if is_name && written != pattern.as_bytes() {
            continue;
        }
        return Some(format!("{} uses {pattern}", shown(path)));
    }
    None
}

/// Why a name (the repository's directory, a remote's URL) shows that the project is about
/// Zoom, if it does: `zoom` as a word in it (`zoom-bot`, `ZoomIntegration`, not `zoomable`).
pub fn name_signal(what: &str, name: &str) -> Option<String> {
    mentions_zoom(name.as_bytes()).then(|| format!("{what} names Zoom ({})", shown(name)))
}

/// A manifest token ends where a package name can end: quotes, spaces, `=`, `<`, `>`, `~`,
/// `^`, `@` (a version), `,`, `;`, `[`, brackets, a newline.
fn is_whole_token(text: &[u8], start: usize, end: usize) -> bool {
    let edge = |b: u8| !(b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'/' || b == b'.');
    let before_ok = start == 0 || edge(text[start - 1]);
    let after_ok = text.get(end).is_none_or(|&b| edge(b));
    before_ok && after_ok
}

/// A path or name as the reason shows it: control characters dropped, at most 80 characters.
fn shown(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).take(80).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifests_that_depend_on_zoom() {
        let cases = [
            ("package.json", "{\"dependencies\": {\"@zoom/meetingsdk\": \"^3.1.0\"}}", true),
            ("web/package.json", "{\"dependencies\": {\"@zoomus/websdk\": \"2.9.5\"}}", true),
            ("requirements.txt", "flask==3.0\nzoomus==1.2.1\n", true),
            ("composer.json", "{\"require\": {\"macsidigital/laravel-zoom\": \"^5.0\"}}", true),
            ("Gemfile", "gem 'zoom_rb', '~> 1.1'\n", true),
            ("go.mod", "require github.com/zoom-lib-golang/zoom-lib-golang v1.0.0\n", true),
            ("package.json", "{\"dependencies\": {\"react-zoom-pan-pinch\": \"3.0\"}}", false),
            (
                "package.json",
                "{\"dependencies\": {\"@zoom-image/core\": \"0.4\", \"zoom-level\": \"1\"}}",
                false,
            ),
            ("requirements.txt", "zoomus-fork==1.0\n", false),
            ("notes.txt", "we might use zoomus one day\n", false),
        ];
        for (path, text, zoom) in cases {
            assert_eq!(signal(path, text.as_bytes()).is_some(), zoom, "{path}: {text}");
        }
        assert_eq!(
            signal("package.json", br#"{"dependencies": {"@zoom/videosdk": "1.10"}}"#).as_deref(),
            Some("package.json depends on @zoom/videosdk")
        );
    }

    #[test]
    fn code_that_calls_zoom() {
        for text in [
            "ZoomMtg.init({ leaveUrl })",
            "fetch('https://zoom.us/oauth/token', opts)",
            "const url = 'https://API.ZOOM.US/v2/users/me'",
            "if (req.headers['x-zm-signature'] !== expected)",
            "if event == 'endpoint.url_validation':",
            "from zoomus import ZoomClient",
        ] {
            assert!(signal("src/app.js", text.as_bytes()).is_some(), "{text}");
        }
        for text in ["zoommtg is not a thing", ".card { zoom: 1.25 }", "map.setZoom(3)", "d3.zoom()"] {
            assert_eq!(signal("src/app.js", text.as_bytes()), None, "{text}");
        }
        assert_eq!(
            signal("views/join.erb", b"ZoomMtg.join({})").as_deref(),
            Some("views/join.erb uses ZoomMtg")
        );
    }

    #[test]
    fn names() {
        assert!(name_signal("the repository directory", "zoom-attendance-bot").is_some());
        assert!(name_signal("remote origin", "git@example.invalid:me/ZoomIntegration.git").is_some());
        assert!(name_signal("the repository directory", "image-zoomer").is_none());
        assert!(name_signal("the repository directory", "zoomable-gallery").is_none());
    }
}
