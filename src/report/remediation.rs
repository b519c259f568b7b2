//! What a developer should do after zoomguard blocks a commit.
//!
//! A blocked commit is only useful if the message says how to fix it: why the value matters,
//! where to get a new one, how to read it from the environment in the language of the file
//! that held it, and when rotating is unavoidable. This module holds that advice as plain data
//! so that the report code only lays it out, and so that the tests below can check that every
//! `Kind` and every `Language` has something sensible to say. No snippet here may contain
//! anything that looks like a real credential.

use crate::detect::Kind;

/// Per-kind advice.
pub struct Advice {
    /// One or two sentences on why the leak matters: what an attacker can do with the value and
    /// how long it stays usable.
    pub why: &'static str,
    /// Where in Zoom to get a replacement, as a menu path; for short-lived tokens, what to do
    /// instead (let it expire, rotate the secret that minted it).
    pub regenerate: &'static str,
    /// The environment variable we suggest reading the value from, e.g. `ZOOM_CLIENT_SECRET`.
    pub env_var: &'static str,
}

/// The advice shown for a finding of `kind`.
pub fn advice(kind: Kind) -> &'static Advice {
    match kind {
        Kind::JwtApiSecret => &Advice {
            why: "Whoever holds it can sign their own API tokens for the app. Zoom turned JWT \
                  apps off on 2023-09-08, but the same key/secret scheme still signs Video SDK \
                  and Account Settings API tokens, so treat it as live until proven otherwise.",
            regenerate: "Zoom App Marketplace > Manage > your app > App Credentials > Regenerate \
                         the API secret (for a Video SDK account, regenerate its API secret); \
                         delete the app if it is a retired JWT app.",
            env_var: "ZOOM_API_SECRET",
        },
        Kind::JwtAppToken => &Advice {
            why: "It is a ready-made bearer token: anyone can call the Zoom API with it, no \
                  secret needed, until its expiry time, which is often months away.",
            regenerate: "It cannot be revoked on its own: regenerate the API secret that signed \
                         it (Zoom App Marketplace > Manage > your app > App Credentials), which \
                         voids every token signed with the old secret.",
            env_var: "ZOOM_JWT_TOKEN",
        },
        Kind::ClientSecret => &Advice {
            why: "Together with the client ID (and, for Server-to-Server apps, the account ID) it \
                  mints fresh one-hour access tokens whenever asked, so it grants API access \
                  for as long as it stays unchanged.",
            regenerate: "Zoom App Marketplace > Manage > your app > App Credentials > Regenerate \
                         (general apps have separate development and production secrets: \
                         regenerate the one that leaked).",
            env_var: "ZOOM_CLIENT_SECRET",
        },
        Kind::OAuthAccessToken => &Advice {
            why: "It calls the Zoom API with every scope granted to the app for up to one hour \
                  after it was issued; a committed one has often expired, but the code that \
                  wrote it down may leak the next one.",
            regenerate: "Let it expire (1 h); if the client secret that minted it was exposed too, \
                         regenerate that in App Credentials. Deactivating a Server-to-Server app \
                         kills its live tokens at once.",
            env_var: "ZOOM_ACCESS_TOKEN",
        },
        Kind::OAuthRefreshToken => &Advice {
            why: "Used with the app's client credentials it keeps minting new access tokens for \
                  the user's account for up to 90 days.",
            regenerate: "Revoke the app's access for that user (they remove the app in the Zoom \
                         App Marketplace, or you call Zoom's OAuth revoke endpoint) and \
                         re-authorise; regenerate the client secret too if it was exposed.",
            env_var: "ZOOM_REFRESH_TOKEN",
        },
        Kind::ZakToken => &Advice {
            why: "It lets anyone start meetings as the host it belongs to (it often hides in a \
                  committed start_url) until it expires, about two hours after issue.",
            regenerate: "It expires by itself within about 2 h: fetch ZAKs at run time only, and \
                         rotate the credentials of the app that requested it if they leaked too.",
            env_var: "ZOOM_ZAK",
        },
        Kind::SdkSecret => &Advice {
            why: "It signs SDK JWTs, so its holder can join or start meetings and sessions as \
                  your app, with any role, for as long as it stays unchanged.",
            regenerate: "Zoom App Marketplace > Manage > your app > App Credentials > Regenerate \
                         (for the Video SDK, regenerate the SDK secret in your Video SDK account).",
            env_var: "ZOOM_SDK_SECRET",
        },
        Kind::SdkSignature => &Advice {
            why: "It lets anyone join, or with a host role start, the meeting or session it was \
                  made for until it expires, between 30 minutes and 48 hours after issue.",
            regenerate: "It expires by itself (48 h at most): sign signatures on a server at \
                         request time, and regenerate the SDK secret if that leaked too.",
            env_var: "ZOOM_SDK_SIGNATURE",
        },
        Kind::WebhookSecretToken => &Advice {
            why: "With it anyone can forge correctly signed webhook events that your endpoint \
                  will trust, and answer Zoom's endpoint URL validation challenges.",
            regenerate: "Zoom App Marketplace > Manage > your app > Features > Secret Token > \
                         Regenerate, then redeploy the endpoint with the new value.",
            env_var: "ZOOM_WEBHOOK_SECRET_TOKEN",
        },
        Kind::WebhookVerificationToken => &Advice {
            why: "An endpoint that still compares this legacy token accepts any forged event \
                  that carries it; Zoom has deprecated it in favour of the secret token.",
            regenerate: "Regenerate it where the app shows it (Zoom App Marketplace > Manage > \
                         your app > Features), and move the endpoint to x-zm-signature checks \
                         with the secret token.",
            env_var: "ZOOM_VERIFICATION_TOKEN",
        },
    }
}

/// The language a file is written in, as far as the fix snippet cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// Python source or a Jupyter notebook.
    Python,
    /// JavaScript, including ES modules, CommonJS and JSX.
    JavaScript,
    /// TypeScript, including TSX.
    TypeScript,
    /// Java.
    Java,
    /// Kotlin, including Gradle Kotlin scripts.
    Kotlin,
    /// Go.
    Go,
    /// Ruby, including Gemfiles and Rakefiles.
    Ruby,
    /// PHP.
    Php,
    /// C#.
    CSharp,
    /// Rust.
    Rust,
    /// POSIX-style shell scripts and Dockerfiles.
    Shell,
    /// `.env` files and other `KEY=value` configuration (properties, ini, cfg, conf).
    DotEnv,
    /// YAML, including docker-compose files and Kubernetes manifests.
    Yaml,
    /// GitHub Actions workflows (`.github/workflows/*.yml`).
    GithubActions,
    /// JSON.
    Json,
    /// TOML.
    Toml,
    /// Terraform configuration and variable files.
    Terraform,
    /// Anything else.
    Other,
}

impl Language {
    /// Guesses the language of a repository-relative path (`/`-separated) from its file name and
    /// extension, ignoring case.
    ///
    /// Workflow files under `.github/workflows/` are `GithubActions`; other `.yml`/`.yaml` files
    /// (docker-compose, Kubernetes) are `Yaml`. `.env`, `.env.<anything>` and `*.env` are
    /// `DotEnv`, and so are `.properties`, `.ini`, `.cfg` and `.conf`, which are `key=value`
    /// files too. Dockerfiles are `Shell`, notebooks (`.ipynb`) are `Python`.
    pub fn from_path(path: &str) -> Language {
        let lower = path.to_ascii_lowercase();
        let name = lower.rsplit('/').next().unwrap_or(lower.as_str());
        let ext = name.rsplit_once('.').map_or("", |(_, ext)| ext);
        let in_workflows = lower.starts_with(".github/workflows/") || lower.contains("/.github/workflows/");
        if in_workflows && matches!(ext, "yml" | "yaml") {
            return Language::GithubActions;
        }
        match name {
            "dockerfile" | "containerfile" | ".envrc" | ".bashrc" | ".zshrc" | ".profile"
            | ".bash_profile" => return Language::Shell,
            "gemfile" | "rakefile" | "vagrantfile" | "podfile" => return Language::Ruby,
            _ if name.starts_with("dockerfile.") => return Language::Shell,
            _ => {}
        }
        match ext {
            "py" | "pyw" | "pyi" | "ipynb" => Language::Python,
            "js" | "mjs" | "cjs" | "jsx" | "vue" | "svelte" => Language::JavaScript,
            "ts" | "mts" | "cts" | "tsx" => Language::TypeScript,
            "java" => Language::Java,
            "kt" | "kts" => Language::Kotlin,
            "go" => Language::Go,
            "rb" | "rake" | "gemspec" => Language::Ruby,
            "php" | "phtml" => Language::Php,
            "cs" | "csx" => Language::CSharp,
            "rs" => Language::Rust,
            "sh" | "bash" | "zsh" | "ksh" | "dockerfile" => Language::Shell,
            "env" | "properties" | "ini" | "cfg" | "conf" => Language::DotEnv,
            "yml" | "yaml" => Language::Yaml,
            "json" | "jsonc" => Language::Json,
            "toml" => Language::Toml,
            "tf" | "tfvars" => Language::Terraform,
            // `.env.local`, `.env.production`, `.env.example`, ...
            _ if name.starts_with(".env.") => Language::DotEnv,
            _ => Language::Other,
        }
    }

    /// A short name for the language, e.g. "Python".
    pub fn name(self) -> &'static str {
        match self {
            Language::Python => "Python",
            Language::JavaScript => "JavaScript",
            Language::TypeScript => "TypeScript",
            Language::Java => "Java",
            Language::Kotlin => "Kotlin",
            Language::Go => "Go",
            Language::Ruby => "Ruby",
            Language::Php => "PHP",
            Language::CSharp => "C#",
            Language::Rust => "Rust",
            Language::Shell => "Shell",
            Language::DotEnv => ".env",
            Language::Yaml => "YAML",
            Language::GithubActions => "GitHub Actions",
            Language::Json => "JSON",
            Language::Toml => "TOML",
            Language::Terraform => "Terraform",
            Language::Other => "other",
        }
    }
}

/// A short fix for a file in `lang`: up to four lines, joined by `\n` without a trailing newline,
/// that read `var` from the environment instead of holding the value.
///
/// For code the lines are code. For files that cannot read the environment themselves (`.env`,
/// JSON, TOML) they are advice: keep the real value in an untracked file and commit an example
/// with an empty value. YAML gets `${VAR}` interpolation or a Kubernetes `secretKeyRef`, GitHub
/// Actions `${{ secrets.VAR }}`, Terraform a sensitive variable without a default that is set
/// through `TF_VAR_...`, and anything else a generic shell-style hint. No snippet holds anything
/// that looks like a secret value.
///
/// `var` should be an environment variable name such as `ZOOM_CLIENT_SECRET`; the local variable
/// in code snippets is named after it without the `ZOOM_` prefix (`client_secret`, `clientSecret`).
pub fn env_snippet(lang: Language, var: &str) -> String {
    let snake = snake_case(var);
    let camel = camel_case(var);
    match lang {
        Language::Python => format!("import os\n{snake} = os.environ[\"{var}\"]"),
        Language::JavaScript | Language::TypeScript => format!(
            "const {camel} = process.env.{var};\n\
             if (!{camel}) throw new Error(\"{var} is not set\");\n\
             // Server side only: a VITE_ or NEXT_PUBLIC_ name would ship it to browsers."
        ),
        Language::Java => format!("String {camel} = System.getenv(\"{var}\"); // null if unset"),
        Language::Kotlin => {
            format!("val {camel} = System.getenv(\"{var}\")\n    ?: error(\"{var} is not set\")")
        }
        Language::Go => format!(
            "{camel} := os.Getenv(\"{var}\")\n\
             if {camel} == \"\" {{\n    log.Fatal(\"{var} is not set\")\n}}"
        ),
        Language::Ruby => format!("{snake} = ENV.fetch(\"{var}\")"),
        Language::Php => format!(
            "${camel} = getenv('{var}');\n\
             // Laravel: env('{var}') in config/, value in an untracked .env"
        ),
        Language::CSharp => {
            format!("var {camel} = Environment.GetEnvironmentVariable(\"{var}\");")
        }
        Language::Rust => {
            format!("let {snake} = std::env::var(\"{var}\")\n    .expect(\"{var} is not set\");")
        }
        Language::Shell => format!(
            ": \"${{{var}:?set it in your environment}}\"\n\
             # then use \"${var}\" wherever the literal value was\n\
             # Docker: docker run -e {var}, not ENV or ARG in the image"
        ),
        Language::DotEnv => format!(
            "Keep the real value out of git: list this file (e.g. .env) in .gitignore and\n\
             commit a .env.example with an empty {var}= line instead.\n\
             Already tracked? Untrack it with: git rm --cached .env"
        ),
        Language::Yaml => format!(
            "# docker-compose: interpolate it from the shell or an untracked .env file\n\
             {var}: ${{{var}}}\n\
             # Kubernetes: valueFrom.secretKeyRef naming a Secret created outside git"
        ),
        Language::GithubActions => format!(
            "# Store it under Settings > Secrets and variables > Actions, then:\n\
             env:\n  {var}: ${{{{ secrets.{var} }}}}"
        ),
        Language::Json => format!(
            "JSON cannot read the environment: have the code that loads this file take\n\
             {var} from the environment instead, or commit a template with an\n\
             empty value and keep the real file out of git (.gitignore)."
        ),
        Language::Toml => format!(
            "Keep the value out of the committed TOML: have the program read\n\
             {var} from the environment, or commit a template with an empty\n\
             value and keep the real file out of git (.gitignore)."
        ),
        Language::Terraform => {
            let tf = var.to_ascii_lowercase();
            format!(
                "variable \"{tf}\" {{\n  \
                 sensitive = true # no default; export TF_VAR_{tf} instead\n\
                 }}"
            )
        }
        Language::Other => format!(
            "# Keep the value out of this file and read it from the environment at run\n\
             # time, e.g. \"${var}\" in a shell."
        ),
    }
}

/// The words of `var` that name the value: `ZOOM_CLIENT_SECRET` gives `["client", "secret"]`.
/// Falls back to `["secret"]` when they would not make an identifier.
fn words(var: &str) -> Vec<String> {
    let has_prefix = var.get(..5).is_some_and(|p| p.eq_ignore_ascii_case("zoom_"));
    let rest = match var.get(5..) {
        Some(rest) if has_prefix && !rest.is_empty() => rest,
        _ => var,
    };
    let words: Vec<String> = rest
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    let starts_with_letter = words.first().is_some_and(|w| w.starts_with(|c: char| c.is_ascii_alphabetic()));
    if starts_with_letter {
        words
    } else {
        vec!["secret".to_string()]
    }
}

/// `ZOOM_CLIENT_SECRET` as a `snake_case` local name: `client_secret`.
fn snake_case(var: &str) -> String {
    words(var).join("_")
}

/// `ZOOM_CLIENT_SECRET` as a `camelCase` local name: `clientSecret`.
fn camel_case(var: &str) -> String {
    let mut out = String::new();
    for (i, word) in words(var).iter().enumerate() {
        let mut chars = word.chars();
        match chars.next() {
            Some(first) if i > 0 => {
                out.push(first.to_ascii_uppercase());
                out.push_str(chars.as_str());
            }
            _ => out.push_str(word),
        }
    }
    out
}

/// Secret stores to keep the value in instead of the repository, as `(name, how)`: how to fetch
/// a secret at run time from AWS Secrets Manager, HashiCorp Vault and CyberArk Conjur.
pub const SECRET_MANAGERS: [(&str, &str); 3] = [
    (
        "AWS Secrets Manager",
        "aws secretsmanager get-secret-value --secret-id zoom/client-secret \
         (GetSecretValue in the SDKs)",
    ),
    (
        "HashiCorp Vault",
        "vault kv get -field=client_secret secret/zoom (or the KV HTTP API, /v1/secret/data/zoom)",
    ),
    (
        "CyberArk Conjur",
        "conjur variable get -i zoom/client-secret (or GET /secrets/{account}/variable/{id})",
    ),
];

/// When and how to rotate, one short line per step: a value that was ever pushed, shared or
/// logged must be replaced, the replacement rolled out everywhere, and the old one retired.
pub const ROTATE_STEPS: &[&str] = &[
    "Ever pushed, shared, pasted or logged? Treat it as exposed and rotate it.",
    "Regenerate it in the Zoom App Marketplace; store the new value outside git.",
    "Update every service, CI job and teammate that uses it; check each still works.",
    "Retire the old value: deactivate or delete it if regenerating did not already.",
    "Watch your app's logs and Zoom account activity for calls you did not make.",
];

/// What to do about a secret in a container image (`scan --image`), one step a line. The
/// image is the leak: every layer ships to everyone who pulls it, so a file a later layer
/// deletes, or an `ENV` line, stays readable until the image itself is gone.
pub const IMAGE_STEPS: [&str; 4] = [
    "Rebuild the image without the value. Keep secret files out of the build context with \
     .dockerignore (.env, *.env, config/*.secret), and out of ENV and ARG lines, which land in \
     the image's config and history for anyone to read with docker inspect or docker history.",
    "A build step that needs it gets a build secret, never a layer: docker build --secret \
     id=zoom,env=ZOOM_CLIENT_SECRET with RUN --mount=type=secret,id=zoom in the Dockerfile. The \
     running container gets it from its environment (docker run -e, a Kubernetes Secret).",
    "Deleting the file in a later layer (RUN rm) does not help: the layer that added it still \
     ships. If the image was pushed, delete the tag and the image from every registry it reached \
     (skopeo delete docker://REGISTRY/IMAGE:TAG, or the registry's UI), and from mirrors and caches.",
    "Rotate the credential: whoever pulled the image has a copy.",
];

/// What to do about a secret in an annotated tag's message, one step a line, `{tag}` standing
/// for the tag's name. A tag object cannot be edited: the fix is a new tag, and every copy of
/// the old one must go.
pub const TAG_MESSAGE_STEPS: [&str; 3] = [
    "A tag's message cannot be edited: delete the tag and make it again without the value, \
     naming the credential instead of pasting it: git tag -d {tag}, then git tag -a {tag} <commit>.",
    "If the tag was pushed, delete it there too: git push --delete origin {tag}, then push the new \
     one. Clones that fetched it keep it until they run git tag -d {tag} (or git fetch --prune \
     --prune-tags).",
    "Rotate the credential if the tag ever left this clone (a push, a fetch, a release page):",
];

/// One paragraph on what to do about a finding of `kind`: move it out, then rotate.
pub fn summary(kind: Kind) -> String {
    let advice = advice(kind);
    format!(
        "Remove the value from the file and read it from the environment ({}) or a secrets manager; \
         rotate it if it was ever pushed or shared: {}",
        advice.env_var, advice.regenerate
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const LANGUAGES: [Language; 18] = [
        Language::Python,
        Language::JavaScript,
        Language::TypeScript,
        Language::Java,
        Language::Kotlin,
        Language::Go,
        Language::Ruby,
        Language::Php,
        Language::CSharp,
        Language::Rust,
        Language::Shell,
        Language::DotEnv,
        Language::Yaml,
        Language::GithubActions,
        Language::Json,
        Language::Toml,
        Language::Terraform,
        Language::Other,
    ];

    /// Languages whose snippet is advice in prose or config rather than code reading `var`.
    const ADVICE_ONLY: [Language; 7] = [
        Language::DotEnv,
        Language::Json,
        Language::Toml,
        Language::Yaml,
        Language::GithubActions,
        Language::Terraform,
        Language::Other,
    ];

    /// Real API names that are long runs of letters but plainly not secrets.
    const KNOWN_IDENTIFIERS: [&str; 1] = ["GetEnvironmentVariable"];

    fn longest_alnum_run(text: &str) -> usize {
        text.split(|c: char| !c.is_ascii_alphanumeric()).map(str::len).max().unwrap_or(0)
    }

    #[test]
    fn every_kind_has_advice() {
        let mut vars = Vec::new();
        for kind in Kind::ALL {
            let a = advice(kind);
            assert!(!a.why.is_empty() && !a.regenerate.is_empty(), "{kind:?}");
            assert!(a.env_var.starts_with("ZOOM_"), "{kind:?}: {}", a.env_var);
            assert!(!vars.contains(&a.env_var), "{kind:?} reuses {}", a.env_var);
            vars.push(a.env_var);
        }
    }

    #[test]
    fn language_from_path() {
        let cases = [
            (".env", Language::DotEnv),
            (".env.local", Language::DotEnv),
            ("config/.env.production", Language::DotEnv),
            ("deploy/x.env", Language::DotEnv),
            ("src/main/resources/application.properties", Language::DotEnv),
            ("app/settings.py", Language::Python),
            ("notebook.ipynb", Language::Python),
            ("src/index.ts", Language::TypeScript),
            ("web/App.tsx", Language::TypeScript),
            ("server.mjs", Language::JavaScript),
            ("src/Zoom.jsx", Language::JavaScript),
            (".github/workflows/ci.yml", Language::GithubActions),
            ("sub/.github/workflows/release.yaml", Language::GithubActions),
            ("k8s/deploy.yaml", Language::Yaml),
            ("docker-compose.yml", Language::Yaml),
            ("Dockerfile", Language::Shell),
            ("docker/Dockerfile.dev", Language::Shell),
            ("scripts/setup.sh", Language::Shell),
            ("main.go", Language::Go),
            ("Foo.cs", Language::CSharp),
            ("lib.rs", Language::Rust),
            ("App.java", Language::Java),
            ("build.gradle.kts", Language::Kotlin),
            ("config/zoom.rb", Language::Ruby),
            ("Gemfile", Language::Ruby),
            ("config/services.php", Language::Php),
            ("appsettings.json", Language::Json),
            ("config.toml", Language::Toml),
            ("infra/main.tf", Language::Terraform),
            ("prod.tfvars", Language::Terraform),
            ("x.unknown", Language::Other),
            ("README", Language::Other),
        ];
        for (path, want) in cases {
            assert_eq!(Language::from_path(path), want, "{path}");
        }
    }

    #[test]
    fn every_language_has_a_name() {
        for lang in LANGUAGES {
            assert!(!lang.name().is_empty(), "{lang:?}");
        }
    }

    #[test]
    fn snippets_are_short_and_name_the_variable() {
        for kind in Kind::ALL {
            let var = advice(kind).env_var;
            for lang in LANGUAGES {
                let snippet = env_snippet(lang, var);
                let lines: Vec<&str> = snippet.split('\n').collect();
                assert!((1..=4).contains(&lines.len()), "{lang:?}/{var}:\n{snippet}");
                for line in &lines {
                    assert!(line.chars().count() <= 90, "{lang:?}/{var}: {line}");
                }
                if !ADVICE_ONLY.contains(&lang) {
                    assert!(snippet.contains(var), "{lang:?}/{var}:\n{snippet}");
                }
            }
        }
    }

    #[test]
    fn snippets_hold_nothing_secret_looking() {
        for kind in Kind::ALL {
            let var = advice(kind).env_var;
            for lang in LANGUAGES {
                let mut rest = env_snippet(lang, var).replace(var, " ");
                for known in KNOWN_IDENTIFIERS {
                    rest = rest.replace(known, " ");
                }
                assert!(longest_alnum_run(&rest) < 20, "{lang:?}/{var}:\n{rest}");
            }
        }
    }

    #[test]
    fn local_names_follow_the_variable() {
        assert_eq!(env_snippet(Language::Python, "ZOOM_CLIENT_SECRET").lines().count(), 2);
        assert!(env_snippet(Language::Python, "ZOOM_CLIENT_SECRET").contains("client_secret ="));
        assert!(env_snippet(Language::Go, "ZOOM_SDK_SECRET").starts_with("sdkSecret :="));
        assert!(env_snippet(Language::Ruby, "9LIVES").starts_with("secret ="));
        assert!(env_snippet(Language::Terraform, "ZOOM_ZAK").contains("TF_VAR_zoom_zak"));
    }

    #[test]
    fn image_steps_name_the_build_secret_the_registry_and_rotation() {
        let all = IMAGE_STEPS.join(" ");
        for needed in [".dockerignore", "--secret", "RUN --mount=type=secret", "registry", "Rotate"] {
            assert!(all.contains(needed), "the image steps do not say {needed}");
        }
        assert!(IMAGE_STEPS.iter().all(|step| longest_alnum_run(step) < 20));
    }

    #[test]
    fn tag_message_steps_delete_the_tag_everywhere_and_rotate() {
        let all = TAG_MESSAGE_STEPS.join(" ");
        for needed in ["git tag -d {tag}", "git tag -a {tag}", "git push --delete origin {tag}", "Rotate"] {
            assert!(all.contains(needed), "the tag message steps do not say {needed}");
        }
        assert!(TAG_MESSAGE_STEPS.iter().all(|step| longest_alnum_run(step) < 20));
    }

    #[test]
    fn secret_managers_and_rotation_steps() {
        let names: Vec<&str> = SECRET_MANAGERS.iter().map(|(name, _)| *name).collect();
        assert_eq!(names, ["AWS Secrets Manager", "HashiCorp Vault", "CyberArk Conjur"]);
        for (name, how) in SECRET_MANAGERS {
            assert!(!how.is_empty() && !how.contains('\n'), "{name}");
        }
        assert!((3..=5).contains(&ROTATE_STEPS.len()));
        for step in ROTATE_STEPS {
            assert!(!step.is_empty() && step.len() <= 90, "{step}");
        }
    }
}
