//! The container image under its real clients: kpt (`kpt fn render` with an `image:` mutator,
//! `kpt fn eval --image`), kustomize's container run (kustomize itself is not installed here, so
//! the test runs `docker` with exactly the arguments kustomize passes), and Argo CD's plugin
//! sidecar (uid 999, read-only root filesystem, the application mounted read-only). Each run's
//! output must equal that of this build's binary on the same input.
//!
//! Policy: these tests need a Docker engine and the image `make image` builds, so they are
//! `#[ignore]`d and a plain `cargo test` lists them as ignored. `make test` starts the engine,
//! builds the image and runs them with `cargo test --release --locked --test image -- --ignored`,
//! where a missing engine or image fails them. `docker` is the first one on PATH, as for kpt.

use crate::support::argocd;
use crate::support::kpt;
use crate::support::krm;

use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Command, Output, Stdio};

use kpt::{changed, Package};

/// `make image`'s tag: the crate's version, never `latest`.
pub(crate) fn image() -> String {
    let image = format!("ghcr.io/dittofs/dittofs-krm:v{}", env!("CARGO_PKG_VERSION"));
    let present = docker(&["image", "inspect", "--format", "{{.Id}}", &image], b"");
    assert!(present.status.success(), "no image {image} (`make image` builds it): {}", String::from_utf8_lossy(&present.stderr));
    image
}

/// `docker ARGS` with `stdin` on its standard input.
fn docker(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new("docker")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run docker ({e}); `make test` installs and starts the engine"));
    let mut input = child.stdin.take().unwrap();
    let stdin = stdin.to_vec();
    let writer = std::thread::spawn(move || input.write_all(&stdin));
    let out = child.wait_with_output().expect("docker finishes");
    writer.join().unwrap().expect("docker reads its stdin");
    out
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A package snapshot without its Kptfile, the one file in which an `exec:` and an `image:`
/// package differ.
fn without_kptfile(mut files: BTreeMap<String, Vec<u8>>) -> BTreeMap<String, Vec<u8>> {
    assert!(files.remove("Kptfile").is_some(), "no Kptfile");
    files
}

#[test]
#[ignore = "needs a Docker engine and the image: `make test` runs it"]
fn the_image_holds_the_binary_the_plugin_and_two_accounts_and_no_shell() {
    let image = image();
    let inspect = docker(&["image", "inspect", "--format", "{{.Size}} {{.Config.User}} {{json .Config.Entrypoint}}", &image], b"");
    let inspect = text(&inspect.stdout);
    let (size, rest) = inspect.trim().split_once(' ').unwrap();
    let size: u64 = size.parse().unwrap();
    eprintln!("{image}: {size} bytes");
    assert!(size < 8_000_000, "the image grew to {size} bytes");
    assert_eq!(rest, r#"65534:65534 ["/usr/local/bin/dittofs-krm"]"#);

    // The files of a container made from the image, less those Docker itself adds to every one.
    let created = docker(&["create", &image], b"");
    assert!(created.status.success(), "{}", text(&created.stderr));
    let container = text(&created.stdout).trim().to_string();
    let export = docker(&["export", &container], b"");
    let plugin = docker(&["cp", &format!("{container}:/home/argocd/cmp-server/config/plugin.yaml"), "-"], b"");
    assert!(docker(&["rm", &container], b"").status.success());
    assert!(export.status.success(), "{}", text(&export.stderr));
    let mut listing = Command::new("tar").arg("-t").stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    listing.stdin.take().unwrap().write_all(&export.stdout).unwrap();
    let listing = text(&listing.wait_with_output().unwrap().stdout);
    let docker_own = [".dockerenv", "dev/", "etc/hostname", "etc/hosts", "etc/mtab", "etc/resolv.conf", "proc/", "sys/"];
    let files: Vec<&str> =
        listing.lines().filter(|f| !f.ends_with('/') && !docker_own.iter().any(|d| f.starts_with(d))).collect();
    assert_eq!(files, ["etc/group", "etc/passwd", "home/argocd/cmp-server/config/plugin.yaml", "usr/local/bin/dittofs-krm"]);

    // `docker cp ... -` writes a tar archive of the one file; its content sits at offset 512.
    let example = std::fs::read(argocd::root().join("examples/argocd/plugin.yaml")).unwrap();
    assert!(plugin.status.success(), "{}", text(&plugin.stderr));
    assert_eq!(&plugin.stdout[512..512 + example.len()], &example[..], "the image carries examples/argocd/plugin.yaml");

    let shell = docker(&["run", "--rm", "--network", "none", "--entrypoint", "/bin/sh", &image, "-c", "true"], b"");
    assert!(!shell.status.success(), "the image has a shell");
    assert!(text(&shell.stderr).contains("no such file or directory"), "{}", text(&shell.stderr));
}

#[test]
#[ignore = "needs a Docker engine and the image: `make test` runs it"]
fn kpt_render_runs_the_image_like_the_binary_and_a_second_render_changes_nothing() {
    let image = image();
    let pkg = Package::image(&image);
    assert!(pkg.read("Kptfile").contains(&format!("- image: {image}\n")));
    let first = pkg.render();
    assert!(first.success, "kpt fn render with the image failed:\n{}", first.output);
    assert!(first.output.contains(&format!("[PASS] \"{image}\"")) && first.output.contains("Successfully executed 1 function(s)"), "{}", first.output);
    let rendered = pkg.files();

    let second = pkg.render();
    assert!(second.success, "second render failed:\n{}", second.output);
    assert_eq!(changed(&rendered, &pkg.files()), Vec::<String>::new(), "the second render changed files");

    let exec = Package::new();
    let run = exec.render();
    assert!(run.success, "kpt fn render with the binary failed:\n{}", run.output);
    let exec_files = without_kptfile(exec.files());
    assert!(exec_files.keys().any(|k| k == "dittofs/dittofs/statefulset_dittofs.yaml"), "{:?}", exec_files.keys());
    assert_eq!(without_kptfile(rendered), exec_files, "the image and the binary render different files");
}

#[test]
#[ignore = "needs a Docker engine and the image: `make test` runs it"]
fn kpt_eval_passes_key_value_arguments_to_the_image() {
    let image = image();
    // The argument reaches the function in the container ...
    kpt::assert_strict_eval_fails_without_storage_classes(&Package::image(&image));

    // ... and, with the StorageClass in the package, it writes what the binary writes.
    let pkg = Package::image(&image);
    let run = pkg.eval(&["storageClassCheck=strict"]);
    assert!(run.success, "kpt fn eval --image -- storageClassCheck=strict failed:\n{}", run.output);
    let exec = Package::new();
    assert!(exec.eval(&["storageClassCheck=strict"]).success);
    assert_eq!(without_kptfile(pkg.files()), without_kptfile(exec.files()), "the image and the binary write different files");
}

/// `docker run` as kustomize's container runtime (kyaml `fn/runtime/container`) runs a function,
/// with the ResourceList on stdin.
fn kustomize_run(image: &str, input: &[u8]) -> Output {
    let args = ["run", "--rm", "-i", "-a", "STDIN", "-a", "STDOUT", "-a", "STDERR", "--network", "none", "--user", "nobody"];
    docker(&[&args[..], &["--security-opt=no-new-privileges", image]].concat(), input)
}

#[test]
#[ignore = "needs a Docker engine and the image: `make test` runs it"]
fn kustomize_container_run_gives_the_binarys_output() {
    let image = image();
    let example = std::fs::read(argocd::root().join("examples/resource-list.yaml")).unwrap();
    let invalid = krm::server_list("bad", "    storage:\n      metadataSize: 10GB\n", "");
    for input in [&example[..], invalid.as_bytes()] {
        let native = krm::run(input);
        let contained = kustomize_run(&image, input);
        assert_eq!(contained.status.code(), Some(native.code), "{}", text(&contained.stderr));
        assert_eq!(text(&contained.stdout), native.stdout, "the image writes another ResourceList than the binary");
        assert_eq!(text(&contained.stderr), native.stderr);
    }
    assert_eq!(krm::run(&example).code, 0);
    assert!(krm::run(&example).stdout.contains("kind: StatefulSet"));
    assert_eq!(krm::run(invalid.as_bytes()).code, 1);
}

#[test]
#[ignore = "needs a Docker engine and the image: `make test` runs it"]
fn argocd_sidecar_runs_the_plugin_as_uid_999_on_a_read_only_filesystem() {
    let image = image();
    let app = argocd::root().join("examples/argocd/app");
    let command = argocd::generate_command();
    let parameters = argocd::strict_parameters();
    // Argo CD's CMP server runs the command in the Application's directory, which it unpacked
    // into the sidecar's /tmp.
    let workdir = "/tmp/_cmp_server/dittofs";
    let mut args: Vec<String> = ["run", "--rm", "--network", "none", "--user", "999", "--read-only", "--cap-drop", "ALL"]
        .iter()
        .map(|a| a.to_string())
        .collect();
    args.push("--security-opt=no-new-privileges".into());
    args.extend(["-v".into(), format!("{}:{workdir}:ro", app.display()), "-w".into(), workdir.into()]);
    for (name, value) in argocd::APP_ENV {
        args.extend(["-e".into(), format!("{name}={value}")]);
    }
    args.extend(["-e".into(), format!("ARGOCD_APP_PARAMETERS={parameters}")]);
    args.extend(["--entrypoint".into(), command[0].clone(), image]);
    args.extend(command[1..].iter().cloned());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = docker(&args, b"");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    argocd::assert_valid_example_stream(&out.stdout);

    let native = Command::new(kpt::bin())
        .args(&command[1..])
        .current_dir(&app)
        .envs(argocd::APP_ENV.iter().copied())
        .env("ARGOCD_APP_PARAMETERS", &parameters)
        .output()
        .unwrap();
    assert_eq!(text(&out.stdout), text(&native.stdout), "the sidecar prints another stream than the binary");
}
