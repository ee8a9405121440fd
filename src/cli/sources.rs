//! `build`'s input: the named files, the manifests below the named directories, and stdin.

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// Reads every named file, every `*.yaml`/`*.yml` below a named directory (sorted, hidden
/// entries skipped) and stdin for `-`, as (name, text) pairs.
pub fn read(paths: &[String]) -> Result<Vec<(String, String)>, String> {
    let mut sources = Vec::new();
    let mut stdin_read = false;
    for path in paths {
        if path == "-" {
            if stdin_read {
                return Err("- (stdin) is named twice".into());
            }
            stdin_read = true;
            let mut text = String::new();
            io::stdin().read_to_string(&mut text).map_err(|e| format!("cannot read stdin: {e}"))?;
            sources.push(("stdin".to_string(), text));
            continue;
        }
        let p = Path::new(path);
        let meta = fs::metadata(p).map_err(|e| format!("{path}: {e}"))?;
        let files = if meta.is_dir() {
            let mut found = Vec::new();
            walk(p, &mut found).map_err(|e| format!("{path}: {e}"))?;
            found.sort();
            found
        } else {
            vec![p.to_path_buf()]
        };
        for file in files {
            let text = fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            sources.push((display_name(&file), text));
        }
    }
    Ok(sources)
}

fn walk(dir: &Path, found: &mut Vec<PathBuf>) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        // .git, .github and editor files are not manifests.
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        // Directory symlinks are not followed, so a link cycle cannot loop.
        let kind = entry.file_type()?;
        if kind.is_dir() {
            walk(&path, found)?;
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") && fs::metadata(&path)?.is_file() {
            found.push(path);
        }
    }
    Ok(())
}

/// `./a/b.yaml` is shown (and annotated) as `a/b.yaml`.
fn display_name(path: &Path) -> String {
    let text = path.to_string_lossy();
    text.strip_prefix("./").unwrap_or(&text).to_string()
}
