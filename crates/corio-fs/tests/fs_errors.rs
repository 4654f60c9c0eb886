//! Errors are typed (std's `ErrorKind`) and name the path they concern.

use std::io::ErrorKind;
use std::path::Path;

use corio_fs::{File, OpenOptions, PathError};

/// The error's kind, and its message naming `path`; the `PathError` inside agrees.
fn check(err: std::io::Error, kind: ErrorKind, path: &Path) {
    assert_eq!(err.kind(), kind, "{err}");
    let shown = path.display().to_string();
    assert!(
        err.to_string().contains(&shown),
        "`{err}` does not name {shown}"
    );
    let inner = err.get_ref().and_then(|e| e.downcast_ref::<PathError>());
    assert_eq!(inner.map(PathError::path), Some(path), "{err:?}");
    assert!(inner.unwrap().os_error().raw_os_error().is_some());
}

#[test]
fn missing_file_errors_name_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-file.txt");
    corio_executor::run(async {
        check(
            corio_fs::read(&missing).await.unwrap_err(),
            ErrorKind::NotFound,
            &missing,
        );
        check(
            corio_fs::read_to_string(&missing).await.unwrap_err(),
            ErrorKind::NotFound,
            &missing,
        );
        check(
            File::open(&missing).await.unwrap_err(),
            ErrorKind::NotFound,
            &missing,
        );
        check(
            corio_fs::metadata(&missing).await.unwrap_err(),
            ErrorKind::NotFound,
            &missing,
        );
        check(
            corio_fs::symlink_metadata(&missing).await.unwrap_err(),
            ErrorKind::NotFound,
            &missing,
        );
        check(
            corio_fs::canonicalize(&missing).await.unwrap_err(),
            ErrorKind::NotFound,
            &missing,
        );
        check(
            corio_fs::remove_file(&missing).await.unwrap_err(),
            ErrorKind::NotFound,
            &missing,
        );
        check(
            corio_fs::remove_dir(&missing).await.unwrap_err(),
            ErrorKind::NotFound,
            &missing,
        );
        check(
            corio_fs::remove_dir_all(&missing).await.unwrap_err(),
            ErrorKind::NotFound,
            &missing,
        );
        check(
            corio_fs::read_dir(&missing).await.unwrap_err(),
            ErrorKind::NotFound,
            &missing,
        );
        check(
            corio_fs::write(missing.join("child"), "x")
                .await
                .unwrap_err(),
            ErrorKind::NotFound,
            &missing.join("child"),
        );
        check(
            corio_fs::create_dir(missing.join("child"))
                .await
                .unwrap_err(),
            ErrorKind::NotFound,
            &missing.join("child"),
        );
        let err = corio_fs::copy(&missing, dir.path().join("to"))
            .await
            .unwrap_err();
        check(err, ErrorKind::NotFound, &missing);
        let err = corio_fs::rename(&missing, dir.path().join("to"))
            .await
            .unwrap_err();
        assert!(err.to_string().contains("to`"), "{err}");
        check(err, ErrorKind::NotFound, &missing);
    });
}

#[test]
fn directory_where_a_file_is_expected() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_owned();
    corio_executor::run(async {
        check(
            corio_fs::read(&d).await.unwrap_err(),
            ErrorKind::IsADirectory,
            &d,
        );
        check(
            corio_fs::read_to_string(&d).await.unwrap_err(),
            ErrorKind::IsADirectory,
            &d,
        );
        check(
            corio_fs::write(&d, "x").await.unwrap_err(),
            ErrorKind::IsADirectory,
            &d,
        );
        check(
            File::create(&d).await.unwrap_err(),
            ErrorKind::IsADirectory,
            &d,
        );
        check(
            corio_fs::remove_file(&d).await.unwrap_err(),
            ErrorKind::IsADirectory,
            &d,
        );
        // std opens a directory for reading; the first read says what is wrong.
        let mut file = File::open(&d).await.unwrap();
        let mut buf = [0u8; 16];
        check(
            file.read(&mut buf).await.unwrap_err(),
            ErrorKind::IsADirectory,
            &d,
        );
    });
}

#[test]
fn other_kinds_keep_their_kind() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("file");
    std::fs::write(&file, "x").unwrap();
    let full = dir.path().join("full");
    std::fs::create_dir(&full).unwrap();
    std::fs::write(full.join("inside"), "x").unwrap();
    corio_executor::run(async {
        check(
            OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&file)
                .await
                .unwrap_err(),
            ErrorKind::AlreadyExists,
            &file,
        );
        check(
            corio_fs::create_dir(&file).await.unwrap_err(),
            ErrorKind::AlreadyExists,
            &file,
        );
        check(
            corio_fs::read_dir(&file).await.unwrap_err(),
            ErrorKind::NotADirectory,
            &file,
        );
        check(
            corio_fs::read(file.join("below")).await.unwrap_err(),
            ErrorKind::NotADirectory,
            &file.join("below"),
        );
        check(
            corio_fs::remove_dir(&full).await.unwrap_err(),
            ErrorKind::DirectoryNotEmpty,
            &full,
        );
        check(
            corio_fs::read_link(&file).await.unwrap_err(),
            ErrorKind::InvalidInput,
            &file,
        );
        // Not UTF-8: std's InvalidData, with the path.
        std::fs::write(&file, [0xff, 0xfe]).unwrap();
        let err = corio_fs::read_to_string(&file).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidData);
        assert!(err.to_string().contains(&file.display().to_string()));
        // A file opened read-only refuses set_len; the error names it.
        let mut ro = File::open(&file).await.unwrap();
        let err = ro.set_len(0).await.unwrap_err();
        assert!(
            err.to_string().contains(&file.display().to_string()),
            "{err}"
        );
    });
}

#[test]
fn write_errors_name_the_path_on_the_next_call() {
    // /dev/full accepts the open and fails every write with ENOSPC.
    if !Path::new("/dev/full").exists() {
        eprintln!("SKIPPED: no /dev/full");
        return;
    }
    corio_executor::run(async {
        let mut file = OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .await
            .unwrap();
        file.write_all(b"buffered, so accepted").await.unwrap();
        let err = file.flush().await.unwrap_err();
        check(err, ErrorKind::StorageFull, Path::new("/dev/full"));
    });
}
