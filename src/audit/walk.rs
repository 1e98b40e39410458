//! Expanding directory arguments into the files worth auditing.
//!
//! On Linux every directory and file is opened relative to its parent's descriptor
//! (`openat`), so the kernel resolves one name per open rather than the whole path again: on a
//! tree of 10,000 small states, path lookups were a tenth of the run's CPU time. Elsewhere the
//! same walk goes through paths ([`ByPath`]).

use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use super::input::Origin;

/// A file found in a walk, or a walk error to report.
pub enum Walked<D = Native> {
    File(Found<D>),
    Error(String, String),
}

/// A file found in a walk, to be opened (on any thread) relative to its directory.
pub struct Found<D = Native> {
    pub path: PathBuf,
    pub origin: Origin,
    dir: Arc<D>,
    name: OsString,
}

impl<D: DirOps> Found<D> {
    /// Opens the file for reading.
    pub fn open(&self) -> io::Result<File> {
        self.dir.open_file(&self.name)
    }
}

#[cfg(target_os = "linux")]
type Native = linux::AtDir;
#[cfg(not(target_os = "linux"))]
type Native = ByPath;

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
/// starts like a zip (a plan file under any name, e.g. `plan.out`). A file that cannot be
/// opened or read is an error, not "no plan": it could be one.
fn worth_sniffing<D: DirOps>(dir: &D, name: &OsStr, path: &Path) -> io::Result<bool> {
    if path.extension().is_some_and(|e| e == "json") {
        return Ok(true);
    }
    let mut head = [0u8; 4];
    match io::Read::read_exact(&mut dir.open_file(name)?, &mut head) {
        Ok(()) => Ok(super::kinds::is_zip(&head)),
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(false),
        Err(e) => Err(e),
    }
}

/// Walks `root` recursively (sorted by name, `.git` directories below it skipped, symlinks
/// followed, a symlink back to a directory being walked or above `root` skipped), handing
/// each file to `found` as soon as it is seen, so scanning can start while the walk goes on.
pub fn walk_each(root: &Path, mut found: impl FnMut(Walked)) {
    walk::<Native>(root, &mut found);
}

/// The type of a directory entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    Dir,
    File,
    Symlink,
    Other,
}

impl From<std::fs::FileType> for Type {
    fn from(t: std::fs::FileType) -> Self {
        if t.is_dir() {
            Type::Dir
        } else if t.is_file() {
            Type::File
        } else if t.is_symlink() {
            Type::Symlink
        } else {
            Type::Other
        }
    }
}

/// What the walk needs from the file system.
pub trait DirOps: Sized {
    /// Identifies a directory, to notice a symlink back to one being walked.
    type Id: PartialEq;
    fn open_root(path: &Path) -> io::Result<Self>;
    fn open_dir(&self, name: &OsStr) -> io::Result<Self>;
    fn open_file(&self, name: &OsStr) -> io::Result<File>;
    /// The entries (but `.` and `..`) with their types if the directory listing tells them;
    /// `scratch` is a buffer kept across calls.
    fn entries(&mut self, scratch: &mut Vec<u64>) -> io::Result<Vec<(OsString, Option<Type>)>>;
    /// The type of an entry (of its target if `follow`), and its id.
    fn stat(&self, name: &OsStr, follow: bool) -> io::Result<(Type, Self::Id)>;
    fn id(&self) -> io::Result<Self::Id>;
    /// The id of the directory at `path` (following symlinks).
    fn path_id(path: &Path) -> io::Result<Self::Id>;
}

/// Directories kept open on the walk's branch; the ones above are closed and reopened by
/// path when the walk comes back to them (as walkdir does), so depth cannot exhaust
/// descriptors.
const MAX_OPEN: usize = 32;
/// Directory depth at which the walk stops (reported): loops through symlinks are skipped,
/// but a bind mount of a directory inside itself is a loop no link shows.
const MAX_DEPTH: usize = 512;

struct Frame<D: DirOps> {
    /// `None` while closed (see [`MAX_OPEN`]).
    dir: Option<Arc<D>>,
    path: PathBuf,
    entries: std::vec::IntoIter<(OsString, Option<Type>)>,
    id: OnceLock<Option<D::Id>>,
}

impl<D: DirOps> Frame<D> {
    fn id(&self) -> Option<&D::Id> {
        self.id
            .get_or_init(|| self.dir.as_ref().and_then(|d| d.id().ok()))
            .as_ref()
    }
}

/// Lists `dir` onto the stack, or reports why it cannot be.
fn enter<D: DirOps>(
    stack: &mut Vec<Frame<D>>,
    dir: io::Result<D>,
    path: PathBuf,
    scratch: &mut Vec<u64>,
    found: &mut dyn FnMut(Walked<D>),
) {
    match dir.and_then(|mut d| d.entries(scratch).map(|e| (d, e))) {
        Ok((dir, mut entries)) => {
            entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
            stack.push(Frame {
                dir: Some(Arc::new(dir)),
                path,
                entries: entries.into_iter(),
                id: OnceLock::new(),
            });
            if let Some(old) = stack.len().checked_sub(MAX_OPEN + 1) {
                let old = &mut stack[old];
                old.id();
                old.dir = None;
            }
        }
        Err(e) => found(Walked::Error(
            path.display().to_string(),
            format!("cannot walk: {e}"),
        )),
    }
}

fn walk<D: DirOps>(root: &Path, found: &mut dyn FnMut(Walked<D>)) {
    let mut stack: Vec<Frame<D>> = Vec::new();
    let mut scratch = Vec::new();
    enter(
        &mut stack,
        D::open_root(root),
        root.to_path_buf(),
        &mut scratch,
        found,
    );
    // The real directories above the root, for a symlink that leads up there.
    let above: OnceLock<Vec<D::Id>> = OnceLock::new();
    while let Some(top) = stack.last_mut() {
        let Some((name, listed)) = top.entries.next() else {
            stack.pop();
            continue;
        };
        let dir = match &top.dir {
            Some(d) => d.clone(),
            None => match D::open_root(&top.path) {
                Ok(d) => top.dir.insert(Arc::new(d)).clone(),
                Err(e) => {
                    let path = top.path.display().to_string();
                    stack.pop();
                    found(Walked::Error(path, format!("cannot walk: {e}")));
                    continue;
                }
            },
        };
        let path = top.path.join(&name);
        let mut ty = match listed {
            Some(t) => Ok(t),
            None => dir.stat(&name, false).map(|(t, _)| t),
        };
        if ty.as_ref().is_ok_and(|t| *t == Type::Symlink) {
            ty = match dir.stat(&name, true) {
                Ok((Type::Dir, id)) if is_ancestor(&stack, &above, root, &id) => {
                    tracing::debug!("skipping symlink loop: {}", path.display());
                    continue;
                }
                Ok((t, _)) => Ok(t),
                Err(e) => Err(e),
            };
        }
        match ty {
            Ok(Type::Dir) if name == ".git" => {}
            Ok(Type::Dir) if stack.len() >= MAX_DEPTH => found(Walked::Error(
                path.display().to_string(),
                format!("cannot walk: more than {MAX_DEPTH} directories deep (a mount loop?)"),
            )),
            Ok(Type::Dir) => {
                let sub = dir.open_dir(&name);
                enter(&mut stack, sub, path, &mut scratch, found);
            }
            Ok(Type::File) => {
                let origin = origin_for(&path);
                let wanted = match origin {
                    Origin::WalkedStrict => Ok(true),
                    _ => worth_sniffing(&*dir, &name, &path),
                };
                match wanted {
                    Ok(true) => found(Walked::File(Found {
                        path,
                        origin,
                        dir,
                        name,
                    })),
                    Ok(false) => {}
                    Err(e) => found(Walked::Error(
                        path.display().to_string(),
                        format!("cannot read: {e}"),
                    )),
                }
            }
            Ok(_) => {}
            Err(e) => found(Walked::Error(
                path.display().to_string(),
                format!("cannot walk: {e}"),
            )),
        }
    }
}

/// Whether `id` is a directory on the walk's current branch or above its root.
fn is_ancestor<D: DirOps>(
    stack: &[Frame<D>],
    above: &OnceLock<Vec<D::Id>>,
    root: &Path,
    id: &D::Id,
) -> bool {
    let above = above.get_or_init(|| match std::fs::canonicalize(root) {
        Ok(real) => real
            .ancestors()
            .skip(1)
            .filter_map(|p| D::path_id(p).ok())
            .collect(),
        Err(_) => Vec::new(),
    });
    stack.iter().any(|f| f.id() == Some(id)) || above.contains(id)
}

/// The walk through paths (any platform): each open resolves the whole path.
pub struct ByPath(PathBuf);

impl DirOps for ByPath {
    type Id = PathBuf;

    fn open_root(path: &Path) -> io::Result<Self> {
        Ok(ByPath(path.to_path_buf()))
    }

    fn open_dir(&self, name: &OsStr) -> io::Result<Self> {
        Ok(ByPath(self.0.join(name)))
    }

    fn open_file(&self, name: &OsStr) -> io::Result<File> {
        File::open(self.0.join(name))
    }

    fn entries(&mut self, _: &mut Vec<u64>) -> io::Result<Vec<(OsString, Option<Type>)>> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(&self.0)? {
            let e = e?;
            out.push((e.file_name(), e.file_type().ok().map(Type::from)));
        }
        Ok(out)
    }

    fn stat(&self, name: &OsStr, follow: bool) -> io::Result<(Type, PathBuf)> {
        let path = self.0.join(name);
        let m = if follow {
            std::fs::metadata(&path)?
        } else {
            std::fs::symlink_metadata(&path)?
        };
        let ty = Type::from(m.file_type());
        let id = if ty == Type::Dir {
            std::fs::canonicalize(&path)?
        } else {
            path
        };
        Ok((ty, id))
    }

    fn id(&self) -> io::Result<PathBuf> {
        std::fs::canonicalize(&self.0)
    }

    fn path_id(path: &Path) -> io::Result<PathBuf> {
        std::fs::canonicalize(path)
    }
}

#[cfg(target_os = "linux")]
mod linux {
    //! The walk through `openat` and `getdents64`.

    use std::ffi::{CString, OsStr, OsString};
    use std::fs::File;
    use std::io;
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    use std::os::unix::ffi::{OsStrExt, OsStringExt};
    use std::path::Path;

    use super::{DirOps, Type};

    /// An open directory.
    pub struct AtDir(OwnedFd);

    fn cstr(name: &OsStr) -> io::Result<CString> {
        CString::new(name.as_bytes()).map_err(|_| io::ErrorKind::InvalidInput.into())
    }

    fn check(r: libc::c_int) -> io::Result<libc::c_int> {
        if r < 0 {
            Err(io::Error::last_os_error())
        } else {
            Ok(r)
        }
    }

    fn open_at(dir: libc::c_int, name: &OsStr, flags: libc::c_int) -> io::Result<OwnedFd> {
        let name = cstr(name)?;
        loop {
            // SAFETY: `name` is a NUL-terminated string that outlives the call.
            match check(unsafe { libc::openat(dir, name.as_ptr(), flags | libc::O_CLOEXEC) }) {
                // SAFETY: a descriptor just returned by openat, owned by nobody else.
                Ok(fd) => return Ok(unsafe { OwnedFd::from_raw_fd(fd) }),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    fn type_of(mode: libc::mode_t) -> Type {
        match mode & libc::S_IFMT {
            libc::S_IFDIR => Type::Dir,
            libc::S_IFREG => Type::File,
            libc::S_IFLNK => Type::Symlink,
            _ => Type::Other,
        }
    }

    fn stat_fd(fd: libc::c_int, name: &CString, flags: libc::c_int) -> io::Result<libc::stat> {
        // SAFETY: all-zero is a valid `stat`; fstatat fills it.
        let mut st: libc::stat = unsafe { std::mem::zeroed() };
        // SAFETY: `name` is NUL-terminated and `st` is a valid out-pointer.
        check(unsafe { libc::fstatat(fd, name.as_ptr(), &mut st, flags) })?;
        Ok(st)
    }

    impl DirOps for AtDir {
        type Id = (u64, u64);

        fn open_root(path: &Path) -> io::Result<Self> {
            open_at(
                libc::AT_FDCWD,
                path.as_os_str(),
                libc::O_RDONLY | libc::O_DIRECTORY,
            )
            .map(AtDir)
        }

        fn open_dir(&self, name: &OsStr) -> io::Result<Self> {
            open_at(self.0.as_raw_fd(), name, libc::O_RDONLY | libc::O_DIRECTORY).map(AtDir)
        }

        fn open_file(&self, name: &OsStr) -> io::Result<File> {
            open_at(self.0.as_raw_fd(), name, libc::O_RDONLY).map(File::from)
        }

        fn entries(&mut self, buf: &mut Vec<u64>) -> io::Result<Vec<(OsString, Option<Type>)>> {
            // u64s keep the records' 8-byte alignment.
            buf.resize(4096, 0);
            let mut out = Vec::new();
            loop {
                // SAFETY: the buffer is valid for writes of its size in bytes.
                let n = unsafe {
                    libc::syscall(
                        libc::SYS_getdents64,
                        self.0.as_raw_fd(),
                        buf.as_mut_ptr(),
                        buf.len() * 8,
                    )
                };
                if n < 0 {
                    let e = io::Error::last_os_error();
                    if e.kind() == io::ErrorKind::Interrupted {
                        continue;
                    }
                    return Err(e);
                }
                if n == 0 {
                    return Ok(out);
                }
                // SAFETY: the kernel wrote `n` bytes of linux_dirent64 records.
                let bytes =
                    unsafe { std::slice::from_raw_parts(buf.as_ptr().cast::<u8>(), n as usize) };
                let mut at = 0;
                // Each record: d_ino u64, d_off i64, d_reclen u16, d_type u8, d_name NUL-terminated.
                while at + 19 < bytes.len() {
                    let reclen = u16::from_ne_bytes([bytes[at + 16], bytes[at + 17]]) as usize;
                    if reclen < 20 || at + reclen > bytes.len() {
                        return Err(io::Error::other("malformed directory listing"));
                    }
                    let d_type = bytes[at + 18];
                    let raw = &bytes[at + 19..at + reclen];
                    let name = &raw[..memchr::memchr(0, raw).unwrap_or(raw.len())];
                    at += reclen;
                    if name == b"." || name == b".." {
                        continue;
                    }
                    let ty = match d_type {
                        libc::DT_DIR => Some(Type::Dir),
                        libc::DT_REG => Some(Type::File),
                        libc::DT_LNK => Some(Type::Symlink),
                        libc::DT_UNKNOWN => None,
                        _ => Some(Type::Other),
                    };
                    out.push((OsString::from_vec(name.to_vec()), ty));
                }
            }
        }

        fn stat(&self, name: &OsStr, follow: bool) -> io::Result<(Type, (u64, u64))> {
            let flags = if follow { 0 } else { libc::AT_SYMLINK_NOFOLLOW };
            let st = stat_fd(self.0.as_raw_fd(), &cstr(name)?, flags)?;
            Ok((type_of(st.st_mode), (st.st_dev as u64, st.st_ino as u64)))
        }

        fn id(&self) -> io::Result<(u64, u64)> {
            let st = stat_fd(self.0.as_raw_fd(), &CString::default(), libc::AT_EMPTY_PATH)?;
            Ok((st.st_dev as u64, st.st_ino as u64))
        }

        fn path_id(path: &Path) -> io::Result<(u64, u64)> {
            use std::os::unix::fs::MetadataExt;
            let m = std::fs::metadata(path)?;
            Ok((m.dev(), m.ino()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Everything a walk reports: files as "path origin" and errors as "path: cannot walk",
    /// paths relative to `root`.
    fn walk_with<D: DirOps>(root: &Path) -> (Vec<String>, Vec<String>) {
        let (mut files, mut errors) = (Vec::new(), Vec::new());
        let rel = |p: &Path| p.strip_prefix(root).unwrap().display().to_string();
        walk::<D>(root, &mut |w| match w {
            Walked::File(f) => {
                // The handle opens the very file the path names.
                let mut opened = Vec::new();
                io::Read::read_to_end(&mut f.open().unwrap(), &mut opened).unwrap();
                assert_eq!(
                    std::fs::read(&f.path).unwrap(),
                    opened,
                    "{}",
                    f.path.display()
                );
                files.push(format!("{} {:?}", rel(&f.path), f.origin));
            }
            Walked::Error(path, message) => {
                errors.push(format!(
                    "{}: {}",
                    rel(Path::new(&path)),
                    message.split(':').next().unwrap()
                ));
            }
        });
        (files, errors)
    }

    /// A generic file that opens but cannot be read might be a plan file: reported, not
    /// skipped as "not a zip".
    #[cfg(target_os = "linux")]
    #[test]
    fn an_unreadable_generic_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("short"), b"PK").unwrap();
        // Opens (also as root), then every read fails with EIO.
        std::os::unix::fs::symlink("/proc/self/mem", dir.path().join("plan.out")).unwrap();
        for (files, errors) in [
            walk_with::<linux::AtDir>(dir.path()),
            walk_with::<ByPath>(dir.path()),
        ] {
            assert!(files.is_empty(), "{files:?}");
            assert_eq!(errors, ["plan.out: cannot read"]);
        }
    }

    #[test]
    fn the_walk_is_sorted_skips_git_follows_symlinks_and_stops_at_loops() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let w = |p: &str, data: &[u8]| {
            let p = d.join(p);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, data).unwrap();
        };
        w("b/terraform.tfstate", b"{}");
        w("a/z.json", b"{}");
        w("a/plan.out", b"PK\x03\x04rest");
        w("a/notes.txt", b"client_secret = x");
        w("a/terraform.tfstate.d/dev/state", b"{}");
        w(".git/objects/x.tfstate", b"{}");
        w("outside/linked.tfstate", b"{}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::symlink;
            symlink(d, d.join("a/loop")).unwrap();
            symlink(d.join("outside"), d.join("c-link")).unwrap();
            symlink(d.join("b/terraform.tfstate"), d.join("d.tfstate")).unwrap();
            symlink(d.join("missing"), d.join("e.tfstate")).unwrap();
            std::fs::create_dir(d.join("f")).unwrap();
            symlink(d.join("f"), d.join("f/self")).unwrap();
        }
        let expected_files = [
            "a/plan.out WalkedLenient",
            "a/terraform.tfstate.d/dev/state WalkedStrict",
            "a/z.json WalkedLenient",
            "b/terraform.tfstate WalkedStrict",
            #[cfg(unix)]
            "c-link/linked.tfstate WalkedStrict",
            #[cfg(unix)]
            "d.tfstate WalkedStrict",
            "outside/linked.tfstate WalkedStrict",
        ];
        #[cfg(unix)]
        let expected_errors = ["e.tfstate: cannot walk"];
        #[cfg(not(unix))]
        let expected_errors: [&str; 0] = [];
        let by_path = walk_with::<ByPath>(d);
        assert_eq!(by_path.0, expected_files);
        assert_eq!(by_path.1, expected_errors);
        assert_eq!(walk_with::<Native>(d), by_path);
        assert_eq!(walk_with::<NoTypes>(d), by_path);
        // A `.git` directory named as the root is walked: it was asked for.
        let git = walk_with::<Native>(&d.join(".git"));
        assert_eq!(
            git,
            (vec!["objects/x.tfstate WalkedStrict".to_string()], vec![])
        );
    }

    /// Directories that do not tell entry types (as some file systems do not).
    struct NoTypes(Native);

    impl DirOps for NoTypes {
        type Id = <Native as DirOps>::Id;
        fn open_root(path: &Path) -> io::Result<Self> {
            Native::open_root(path).map(NoTypes)
        }
        fn open_dir(&self, name: &OsStr) -> io::Result<Self> {
            self.0.open_dir(name).map(NoTypes)
        }
        fn open_file(&self, name: &OsStr) -> io::Result<File> {
            self.0.open_file(name)
        }
        fn entries(&mut self, scratch: &mut Vec<u64>) -> io::Result<Vec<(OsString, Option<Type>)>> {
            let listed = self.0.entries(scratch)?;
            Ok(listed.into_iter().map(|(n, _)| (n, None)).collect())
        }
        fn stat(&self, name: &OsStr, follow: bool) -> io::Result<(Type, Self::Id)> {
            self.0.stat(name, follow)
        }
        fn id(&self) -> io::Result<Self::Id> {
            self.0.id()
        }
        fn path_id(path: &Path) -> io::Result<Self::Id> {
            Native::path_id(path)
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_up_above_the_root_is_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("repo");
        std::fs::create_dir_all(root.join("env")).unwrap();
        std::fs::write(root.join("env/terraform.tfstate"), b"{}").unwrap();
        std::fs::write(dir.path().join("outside.tfstate"), b"{}").unwrap();
        std::os::unix::fs::symlink("../..", root.join("env/up")).unwrap();
        let expected = (
            vec!["env/terraform.tfstate WalkedStrict".to_string()],
            vec![],
        );
        assert_eq!(walk_with::<ByPath>(&root), expected);
        assert_eq!(walk_with::<Native>(&root), expected);
        assert_eq!(walk_with::<NoTypes>(&root), expected);
    }

    #[test]
    fn a_tree_deeper_than_the_open_directories_is_walked_whole() {
        let dir = tempfile::tempdir().unwrap();
        let mut p = dir.path().to_path_buf();
        let mut expected = Vec::new();
        for depth in 0..3 * MAX_OPEN {
            p.push(format!("d{depth}"));
            std::fs::create_dir(&p).unwrap();
            // Files before and after the subdirectory: the walk comes back up for them.
            for name in ["a.tfstate", "z.tfstate"] {
                std::fs::write(p.join(name), b"{}").unwrap();
            }
        }
        let mut rel = PathBuf::new();
        for depth in 0..3 * MAX_OPEN {
            rel.push(format!("d{depth}"));
            expected.push(format!("{} WalkedStrict", rel.join("a.tfstate").display()));
        }
        for depth in (0..3 * MAX_OPEN).rev() {
            let mut r = PathBuf::new();
            for d in 0..=depth {
                r.push(format!("d{d}"));
            }
            expected.push(format!("{} WalkedStrict", r.join("z.tfstate").display()));
        }
        // Sorted: `a.tfstate` < `d<n+1>` < `z.tfstate` at every level.
        assert_eq!(walk_with::<ByPath>(dir.path()), (expected.clone(), vec![]));
        assert_eq!(walk_with::<Native>(dir.path()), (expected, vec![]));
        #[cfg(target_os = "linux")]
        {
            // And no more than MAX_OPEN directories were open at once.
            let fds = || std::fs::read_dir("/proc/self/fd").unwrap().count();
            let (before, mut most) = (fds(), 0);
            walk::<Native>(dir.path(), &mut |_| most = most.max(fds()));
            assert!(
                most <= before + MAX_OPEN + 2,
                "{most} open, {before} before"
            );
        }
    }

    #[test]
    fn a_walk_stops_at_max_depth_and_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let mut p = dir.path().to_path_buf();
        // Short names: deeper than PATH_MAX would be a test of the file system, not of this.
        for _ in 0..MAX_DEPTH + 1 {
            p.push("d");
        }
        std::fs::create_dir_all(&p).unwrap();
        std::fs::write(p.join("deep.tfstate"), b"{}").unwrap();
        let (files, errors) = walk_with::<Native>(dir.path());
        assert!(files.is_empty(), "{files:?}");
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].ends_with(": cannot walk"), "{errors:?}");
        assert_eq!(errors[0].matches('d').count(), MAX_DEPTH);
    }

    #[test]
    fn an_unlistable_root_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("gone");
        for errors in [
            walk_with::<ByPath>(&missing).1,
            walk_with::<Native>(&missing).1,
        ] {
            assert_eq!(errors, [": cannot walk"]);
        }
    }
}
