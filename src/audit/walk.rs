//! Expanding directory arguments into the files worth auditing.

use std::path::{Path, PathBuf};

use super::input::Origin;

/// A file found in a walk, or a walk error to report.
#[derive(Debug)]
pub enum Walked {
    File(PathBuf, Origin),
    Error(String, String),
}

/// How a file name found in a walk is treated: Terraform names must parse, generic names
/// (`*.json`) are looked at by content, anything else is sniffed for a plan-file zip.
pub fn origin_for(path: &Path) -> Origin {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let in_workspaces = path
        .components()
        .any(|c| c.as_os_str() == "terraform.tfstate.d");
    if name.ends_with(".tfstate")
        || name.ends_with(".tfstate.backup")
        || name.ends_with(".tfplan")
        || in_workspaces
    {
        Origin::WalkedStrict
    } else {
        Origin::WalkedLenient
    }
}

/// Whether a generic file deserves a look: `*.json` always; anything else only when it
/// starts like a zip (a plan file under any name, e.g. `plan.out`).
fn worth_sniffing(path: &Path) -> bool {
    if path.extension().is_some_and(|e| e == "json") {
        return true;
    }
    let mut head = [0u8; 4];
    match std::fs::File::open(path).and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head)) {
        Ok(()) => super::kinds::is_zip(&head),
        Err(_) => false,
    }
}

/// Walks `root` recursively (sorted, `.git` skipped, symlinks followed with loop detection),
/// handing each entry to `found` as soon as it is seen, so scanning can start while the walk
/// goes on.
pub fn walk_each(root: &Path, mut found: impl FnMut(Walked)) {
    let it = walkdir::WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| !(e.file_type().is_dir() && e.file_name() == ".git"));
    for entry in it {
        match entry {
            Ok(e) if e.file_type().is_file() => {
                let p = e.into_path();
                let origin = origin_for(&p);
                if origin == Origin::WalkedStrict || worth_sniffing(&p) {
                    found(Walked::File(p, origin));
                }
            }
            Ok(_) => {}
            Err(e) if e.loop_ancestor().is_some() => {
                tracing::debug!("skipping symlink loop: {e}");
            }
            Err(e) => {
                let path = e
                    .path()
                    .map(|p| p.display().to_string())
                    .unwrap_or_else(|| root.display().to_string());
                found(Walked::Error(path, format!("cannot walk: {e}")));
            }
        }
    }
}
