//! How a project shows that it uses Zoom, when the file holding a secret never says so.
//!
//! Real leaks sit in `config.js`, `.env` or `application.properties` files under generic
//! names (`API_SECRET`, `clientSecret`), while the project around them depends on a Zoom SDK,
//! calls Zoom's API hosts, or is named after Zoom. Sources hand detection the texts and names
//! that may say so (a few manifests, the other files of the change, the repository's name);
//! this module decides, from the tables below, whether one does and how to say why.

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
    "@xmpp.zoom.us",
    "from zoomus import",
    "ZoomClient(",
    "us.zoom.sdk",
];

/// The word that Zoom's webhook headers share, for the detector's one keyword pass: a file
/// (other than a manifest) with neither it nor `zoom` shows no sign of Zoom, and is not
/// searched. (A handler that answers `endpoint.url_validation` reads `x-zm-signature` too.)
pub const KEYWORDS_WITHOUT_ZOOM: [&str; 1] = ["x-zm-"];

/// Every package name and code sign holds `zoom` (any case) or `x-zm-`, so each is looked for
/// only where the keyword pass found one of those: the signs, and where that word sits in each.
static SIGNS: Lazy<Vec<Sign>> = Lazy::new(|| {
    let sign = |pattern: &'static str, is_package: bool| {
        let lower = pattern.to_ascii_lowercase();
        let anchor =
            lower.find("zoom").or_else(|| lower.find("x-zm-")).expect("every sign holds zoom or x-zm-");
        Sign { pattern, is_package, anchor }
    };
    ZOOM_PACKAGES
        .iter()
        .map(|p| sign(p, true))
        .chain(ZOOM_CODE_SIGNS.iter().map(|p| sign(p, false)))
        .collect()
});

/// For each lower-case byte, the signs whose byte after their anchor's first four (`zoom`,
/// or `x-zm`) is that byte; a sign that ends there is under every byte. At the end of a text
/// no byte follows, and only such a sign can stand there.
static SIGNS_BY_NEXT_BYTE: Lazy<Vec<Vec<usize>>> = Lazy::new(|| {
    let mut table = vec![Vec::new(); 256];
    for (index, sign) in SIGNS.iter().enumerate() {
        match sign.pattern.as_bytes().get(sign.anchor + 4) {
            Some(next) => table[usize::from(next.to_ascii_lowercase())].push(index),
            // A sign that ends in `zoom` (`pyzoom`) can be followed by anything.
            None => table.iter_mut().for_each(|signs| signs.push(index)),
        }
    }
    table
});

/// One package name or code sign.
struct Sign {
    pattern: &'static str,
    /// A package name (counts only in a manifest, as a whole token), else a code sign.
    is_package: bool,
    /// Where `zoom` (or `x-zm-`) starts in it.
    anchor: usize,
}

/// Whether `path` names a dependency manifest (by its last segment).
pub fn is_manifest(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    MANIFEST_NAMES.contains(&name) || name.ends_with(".csproj") || name.ends_with(".gemspec")
}

/// Why the file at `path` with `text` shows that its project uses Zoom, if it does: a
/// manifest that depends on a Zoom package ("package.json depends on @zoom/meetingsdk"), or
/// code that calls Zoom ("src/meeting.js uses ZoomMtg"). `mentions` are the offsets of every
/// `zoom` and `x-zm-` in `text` (any case), as the keyword pass found them.
pub fn signal(path: &str, text: &[u8], mentions: &[usize]) -> Option<String> {
    let manifest = is_manifest(path);
    for &at in mentions {
        // The byte after `zoom` (or `x-zm`) picks the few signs that can stand here.
        let next = text.get(at + 4).map_or(0, u8::to_ascii_lowercase);
        for &index in &SIGNS_BY_NEXT_BYTE[usize::from(next)] {
            let sign = &SIGNS[index];
            let Some(start) = at.checked_sub(sign.anchor) else { continue };
            let end = start + sign.pattern.len();
            let Some(written) = text.get(start..end) else { continue };
            // The first and last bytes turn away nearly every other sign before the whole compare.
            let (first, last) = (sign.pattern.as_bytes()[0], sign.pattern.as_bytes()[sign.pattern.len() - 1]);
            if !written[0].eq_ignore_ascii_case(&first)
                || !written[written.len() - 1].eq_ignore_ascii_case(&last)
                || !written.eq_ignore_ascii_case(sign.pattern.as_bytes())
            {
                continue;
            }
            if sign.is_package {
                if manifest && is_whole_token(text, start, end) {
                    return Some(format!("{} depends on {}", shown(path), sign.pattern));
                }
                continue;
            }
            // Names (`ZoomMtg`, `ZoomClient(`) are matched as written; hosts and headers in any case.
            let is_name = sign.pattern.bytes().any(|b| b.is_ascii_uppercase());
            if is_name && written != sign.pattern.as_bytes() {
                continue;
            }
            return Some(format!("{} uses {}", shown(path), sign.pattern));
        }
    }
    None
}

/// [`signal`] for a text the keyword pass has not read: every `zoom` and `x-zm-` found here.
pub fn signal_of(path: &str, text: &[u8]) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let mut mentions: Vec<usize> = memchr::memmem::find_iter(&lower, b"zoom").collect();
    mentions.extend(memchr::memmem::find_iter(&lower, b"x-zm-"));
    mentions.sort_unstable();
    signal(path, text, &mentions)
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
            assert_eq!(signal_of(path, text.as_bytes()).is_some(), zoom, "{path}: {text}");
        }
        assert_eq!(
            signal_of("package.json", br#"{"dependencies": {"@zoom/videosdk": "1.10"}}"#).as_deref(),
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
            "ts = request.headers['x-zm-request-timestamp']",
            "from zoomus import ZoomClient",
        ] {
            assert!(signal_of("src/app.js", text.as_bytes()).is_some(), "{text}");
        }
        for text in ["zoommtg is not a thing", ".card { zoom: 1.25 }", "map.setZoom(3)", "d3.zoom()"] {
            assert_eq!(signal_of("src/app.js", text.as_bytes()), None, "{text}");
        }
        assert_eq!(
            signal_of("views/join.erb", b"ZoomMtg.join({})").as_deref(),
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
