//! Temporary copies of `examples/kpt` and the real kpt (`kpt` on PATH) run on them, the function
//! either as this build's binary (`exec:`) or as the container image (`image:`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// The Kptfile mutator of `examples/kpt`, which every copy replaces.
pub const EXAMPLE_EXEC: &str = "exec: ./target/release/dittofs-krm";

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_dittofs-krm")
}

/// A copy of `examples/kpt` in a fresh temporary directory, with the function its Kptfile and
/// `kpt fn eval` run.
pub struct Package {
    _tmp: tempfile::TempDir,
    pub dir: PathBuf,
    /// How `kpt fn eval` names the function, and what `kpt fn render` needs to run it.
    eval_function: Vec<String>,
    render_flags: Vec<String>,
}

impl Package {
    /// The Kptfile execs this build's binary by absolute path (a relative `exec:` resolves from
    /// kpt's working directory, not from the package).
    pub fn new() -> Package {
        Package::of("examples/kpt")
    }

    /// A copy of another example package, such as `examples/kpt-v0.29`, running this build.
    pub fn of(example: &str) -> Package {
        Package::with(example, &format!("exec: {}", bin()), &["--exec", bin()], &["--allow-exec"])
    }

    /// The Kptfile runs the container image, which must be present: kpt never pulls it.
    pub fn image(image: &str) -> Package {
        let never = ["--image-pull-policy", "never"];
        Package::with("examples/kpt", &format!("image: {image}"), &["--image", image, never[0], never[1]], &never)
    }

    fn with(example: &str, function: &str, eval_function: &[&str], render_flags: &[&str]) -> Package {
        let tmp = tempfile::tempdir().expect("temporary directory");
        let dir = tmp.path().join("dittofs-pkg");
        copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join(example), &dir);
        let kptfile = read(&dir.join("Kptfile"));
        assert!(kptfile.contains(EXAMPLE_EXEC), "{example}/Kptfile no longer has `{EXAMPLE_EXEC}`");
        std::fs::write(dir.join("Kptfile"), kptfile.replace(EXAMPLE_EXEC, function)).unwrap();
        let owned = |args: &[&str]| args.iter().map(|a| a.to_string()).collect();
        Package { _tmp: tmp, dir, eval_function: owned(eval_function), render_flags: owned(render_flags) }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.join(rel)
    }

    pub fn read(&self, rel: &str) -> String {
        read(&self.path(rel))
    }

    /// Replaces `from` (which must occur) by `to` in one file of the package.
    pub fn edit(&self, rel: &str, from: &str, to: &str) {
        let text = self.read(rel);
        assert!(text.contains(from), "{rel} does not contain {from:?}");
        std::fs::write(self.path(rel), text.replacen(from, to, 1)).unwrap();
    }

    /// Every file of the package (relative path → bytes).
    pub fn files(&self) -> BTreeMap<String, Vec<u8>> {
        let mut out = BTreeMap::new();
        collect_files(&self.dir, &self.dir, &mut out);
        out
    }

    /// `kpt fn eval DIR <function> [-- config...]`.
    pub fn eval(&self, config: &[&str]) -> Kpt {
        let mut args = vec!["fn", "eval", self.dir.to_str().unwrap()];
        args.extend(self.eval_function.iter().map(String::as_str));
        if !config.is_empty() {
            args.push("--");
            args.extend_from_slice(config);
        }
        kpt(&args)
    }

    /// `kpt fn render DIR`: the Kptfile pipeline.
    pub fn render(&self) -> Kpt {
        let mut args = vec!["fn", "render", self.dir.to_str().unwrap()];
        args.extend(self.render_flags.iter().map(String::as_str));
        kpt(&args)
    }
}

pub struct Kpt {
    pub success: bool,
    /// stderr then stdout: kpt prints its progress and the function's results on stderr.
    pub output: String,
}

pub fn kpt(args: &[&str]) -> Kpt {
    let start = Instant::now();
    let out = Command::new("kpt").args(args).output().unwrap_or_else(|e| panic!("cannot run kpt ({e}): these tests need kpt on PATH"));
    // Timing is reported (`--nocapture`), never asserted.
    eprintln!("kpt {} -> {} in {:?}", args[..2].join(" "), out.status, start.elapsed());
    let output = String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    Kpt { success: out.status.success(), output }
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn collect_files(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect_files(root, &path, out);
        } else {
            let rel = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
            out.insert(rel, std::fs::read(&path).unwrap());
        }
    }
}

pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// Paths whose bytes differ between two snapshots, or that exist in only one.
pub fn changed(before: &BTreeMap<String, Vec<u8>>, after: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let mut paths: Vec<&String> = before.keys().chain(after.keys()).collect();
    paths.sort();
    paths.dedup();
    paths.into_iter().filter(|p| before.get(*p) != after.get(*p)).cloned().collect()
}

/// Removes the package's `storageclass.yaml`, so the DittoServer's StorageClass cannot be
/// verified: `kpt fn eval -- storageClassCheck=strict` must then fail with that error result and
/// write nothing, which shows the argument reached the function. Returns the package's files.
pub fn assert_strict_eval_fails_without_storage_classes(pkg: &Package) -> BTreeMap<String, Vec<u8>> {
    std::fs::remove_file(pkg.path("storageclass.yaml")).unwrap();
    let before = pkg.files();
    let run = pkg.eval(&["storageClassCheck=strict"]);
    assert!(!run.success, "strict check passed without StorageClass objects:\n{}", run.output);
    assert!(run.output.contains("[error]") && run.output.contains("Could not verify StorageClass \"local-path\""), "{}", run.output);
    assert_eq!(changed(&before, &pkg.files()), Vec::<String>::new(), "a failing eval wrote files");
    before
}
