//! corio::fs beside tokio::fs and async-fs (smol's), each on its own runtime's usual
//! set-up (corio's local loop; tokio's current-thread runtime; async-fs under
//! `futures_lite::future::block_on`), all three doing blocking I/O on a thread pool:
//!
//! - reading a 64 MiB file in 4 KiB reads, the shape of a parser reading a file in small
//!   pieces. tokio's `File` hands each read to its pool (one hop per 4 KiB), so tokio is
//!   also measured behind a 64 KiB `BufReader`, what a tuned tokio program writes; corio's
//!   and async-fs's files buffer by themselves;
//! - writing a 64 MiB file in 4 KiB writes, then flushing;
//! - listing a directory of 10 000 entries (`read_dir` as a stream).
//!
//! The files live in the system's temp directory and stay in the page cache after the
//! first iteration: this measures the hops and the copying, not the disk.

#![allow(missing_docs)] // criterion_group! generates undocumented functions

use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const SIZE: usize = 64 << 20;
const PIECE: usize = 4 << 10;
const ENTRIES: usize = 10_000;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("corio-bench-fs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn big_file() -> PathBuf {
    let path = scratch("big");
    if std::fs::metadata(&path).map_or(true, |m| m.len() as usize != SIZE) {
        let data: Vec<u8> = (0..SIZE).map(|i| (i * 31 % 251) as u8).collect();
        std::fs::write(&path, data).unwrap();
    }
    path
}

fn tokio_rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Reads `r` to its end in 4 KiB reads (futures-io side: corio and async-fs).
async fn fio_read_all<R: futures::io::AsyncRead + Unpin>(mut r: R) -> usize {
    use futures::io::AsyncReadExt;
    let mut buf = [0u8; PIECE];
    let mut total = 0;
    loop {
        match r.read(&mut buf).await.unwrap() {
            0 => return total,
            n => total += n,
        }
    }
}

async fn tokio_read_all<R: tokio::io::AsyncRead + Unpin>(mut r: R) -> usize {
    use tokio::io::AsyncReadExt;
    let mut buf = [0u8; PIECE];
    let mut total = 0;
    loop {
        match r.read(&mut buf).await.unwrap() {
            0 => return total,
            n => total += n,
        }
    }
}

fn read_4k(c: &mut Criterion) {
    let path = big_file();
    let mut g = c.benchmark_group("fs/read_64mib_in_4k");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(SIZE as u64));

    g.bench_function("corio", |b| {
        let ex = corio::Builder::new().build_local();
        b.iter(|| {
            ex.block_on(async {
                let f = corio::fs::File::open(&path).await.unwrap();
                assert_eq!(fio_read_all(f).await, SIZE);
            })
        })
    });
    g.bench_function("tokio", |b| {
        let rt = tokio_rt();
        b.iter(|| {
            rt.block_on(async {
                let f = tokio::fs::File::open(&path).await.unwrap();
                assert_eq!(tokio_read_all(f).await, SIZE);
            })
        })
    });
    g.bench_function("tokio_bufreader_64k", |b| {
        let rt = tokio_rt();
        b.iter(|| {
            rt.block_on(async {
                let f = tokio::fs::File::open(&path).await.unwrap();
                let f = tokio::io::BufReader::with_capacity(64 << 10, f);
                assert_eq!(tokio_read_all(f).await, SIZE);
            })
        })
    });
    g.bench_function("async_fs", |b| {
        b.iter(|| {
            futures_lite::future::block_on(async {
                let f = async_fs::File::open(&path).await.unwrap();
                assert_eq!(fio_read_all(f).await, SIZE);
            })
        })
    });
    g.finish();
}

fn write_4k(c: &mut Criterion) {
    let path = scratch("written");
    let piece = [7u8; PIECE];
    let mut g = c.benchmark_group("fs/write_64mib_in_4k");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(SIZE as u64));

    g.bench_function("corio", |b| {
        let ex = corio::Builder::new().build_local();
        b.iter(|| {
            ex.block_on(async {
                // File's own write_all / flush (the futures-io trait methods underneath).
                let mut f = corio::fs::File::create(&path).await.unwrap();
                for _ in 0..SIZE / PIECE {
                    f.write_all(&piece).await.unwrap();
                }
                f.flush().await.unwrap();
            })
        })
    });
    g.bench_function("tokio", |b| {
        let rt = tokio_rt();
        b.iter(|| {
            rt.block_on(async {
                use tokio::io::AsyncWriteExt;
                let mut f = tokio::fs::File::create(&path).await.unwrap();
                for _ in 0..SIZE / PIECE {
                    f.write_all(&piece).await.unwrap();
                }
                f.flush().await.unwrap();
            })
        })
    });
    g.bench_function("async_fs", |b| {
        b.iter(|| {
            futures_lite::future::block_on(async {
                use futures::io::AsyncWriteExt;
                let mut f = async_fs::File::create(&path).await.unwrap();
                for _ in 0..SIZE / PIECE {
                    f.write_all(&piece).await.unwrap();
                }
                f.flush().await.unwrap();
            })
        })
    });
    g.finish();
}

fn entries_dir() -> PathBuf {
    let dir = scratch("entries");
    if std::fs::read_dir(&dir).map(|d| d.count()).unwrap_or(0) != ENTRIES {
        std::fs::create_dir_all(&dir).unwrap();
        for i in 0..ENTRIES {
            std::fs::write(dir.join(format!("entry-{i:05}")), b"").unwrap();
        }
    }
    dir
}

fn read_dir(c: &mut Criterion) {
    let dir = entries_dir();
    let mut g = c.benchmark_group("fs/read_dir_10k");
    g.sample_size(20);
    g.throughput(Throughput::Elements(ENTRIES as u64));

    g.bench_function("corio", |b| {
        let ex = corio::Builder::new().build_local();
        b.iter(|| {
            ex.block_on(async {
                use futures::StreamExt;
                let mut entries = corio::fs::read_dir(&dir).await.unwrap();
                let mut n = 0;
                while let Some(e) = entries.next().await {
                    e.unwrap();
                    n += 1;
                }
                assert_eq!(n, ENTRIES);
            })
        })
    });
    g.bench_function("tokio", |b| {
        let rt = tokio_rt();
        b.iter(|| {
            rt.block_on(async {
                let mut entries = tokio::fs::read_dir(&dir).await.unwrap();
                let mut n = 0;
                while let Some(_e) = entries.next_entry().await.unwrap() {
                    n += 1;
                }
                assert_eq!(n, ENTRIES);
            })
        })
    });
    g.bench_function("async_fs", |b| {
        b.iter(|| {
            futures_lite::future::block_on(async {
                use futures_lite::StreamExt;
                let mut entries = async_fs::read_dir(&dir).await.unwrap();
                let mut n = 0;
                while let Some(e) = entries.next().await {
                    e.unwrap();
                    n += 1;
                }
                assert_eq!(n, ENTRIES);
            })
        })
    });
    g.finish();
}

fn cleanup(_: &mut Criterion) {
    let dir: &Path = &std::env::temp_dir().join(format!("corio-bench-fs-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(dir);
}

criterion_group!(benches, read_4k, write_4k, read_dir, cleanup);
criterion_main!(benches);
