//! `File`: a 64 MiB round trip in 4 KiB pieces, random interleavings of read / write /
//! seek / set_len / fill_buf checked against `std::io::Cursor` as the oracle, and
//! futures dropped mid-operation losing nothing.

use std::future::Future;
use std::io::{Cursor, Read as _, Seek as _, SeekFrom, Write as _};
use std::task::{Context, Poll};

use corio_fs::{File, OpenOptions};
use futures::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};

/// Deterministic bytes for offset `at` of the big file (not periodic on 4 KiB).
fn pattern(at: usize, out: &mut [u8]) {
    for (i, b) in out.iter_mut().enumerate() {
        let x = (at + i) as u64;
        *b = (x.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 56) as u8 ^ (x >> 12) as u8;
    }
}

#[test]
fn file_64_mib_written_and_read_back_in_4_kib_pieces() {
    const SIZE: usize = 64 << 20;
    const PIECE: usize = 4 << 10;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big");
    corio_executor::run(async {
        let mut file = File::create(&path).await.unwrap();
        let mut piece = vec![0u8; PIECE];
        for at in (0..SIZE).step_by(PIECE) {
            pattern(at, &mut piece);
            file.write_all(&piece).await.unwrap();
        }
        file.sync_all().await.unwrap();
        assert_eq!(file.metadata().await.unwrap().len(), SIZE as u64);
        drop(file);

        let mut file = File::open(&path).await.unwrap();
        let mut expected = vec![0u8; PIECE];
        let mut at = 0;
        loop {
            let n = file.read(&mut piece).await.unwrap();
            if n == 0 {
                break;
            }
            pattern(at, &mut expected[..n]);
            assert!(piece[..n] == expected[..n], "bytes differ at offset {at}");
            at += n;
        }
        assert_eq!(at, SIZE);
    });
    // And std agrees, byte for byte.
    let on_disk = std::fs::read(&path).unwrap();
    let mut expected = vec![0u8; SIZE];
    pattern(0, &mut expected);
    assert!(on_disk == expected);
}

#[derive(Debug)]
enum Op {
    Read(usize),
    Write(Vec<u8>),
    Seek(SeekFrom),
    FillBufConsume(usize),
    Flush,
    SetLen(u64),
    Len,
    /// A read polled once and dropped.
    DroppedRead(usize),
    /// A write polled once and dropped.
    DroppedWrite(Vec<u8>),
}

fn random_op(rng: &mut fastrand::Rng, len: u64) -> Op {
    let size = |rng: &mut fastrand::Rng| match rng.u8(0..10) {
        0..=5 => rng.usize(0..100),
        6..=8 => rng.usize(0..5_000),
        _ => rng.usize(0..200_000),
    };
    match rng.u8(0..24) {
        20 | 21 => Op::DroppedRead(size(rng)),
        22 | 23 => {
            let n = size(rng);
            Op::DroppedWrite((0..n).map(|_| rng.u8(..)).collect())
        }
        0..=5 => Op::Read(size(rng)),
        6..=10 => {
            let n = size(rng);
            Op::Write((0..n).map(|_| rng.u8(..)).collect())
        }
        11..=14 => Op::Seek(match rng.u8(0..3) {
            0 => SeekFrom::Start(rng.u64(0..len + 1000)),
            1 => SeekFrom::Current(rng.i64(-70_000..70_000)),
            _ => SeekFrom::End(rng.i64(-(len as i64) - 10..1000)),
        }),
        15..=16 => Op::FillBufConsume(size(rng)),
        17 => Op::Flush,
        18 => Op::SetLen(rng.u64(0..len + 100_000)),
        _ => Op::Len,
    }
}

/// One seeded run: every op applied to a corio `File` and to a `Cursor`, results compared.
async fn oracle_run(seed: u64, ops: usize, dir: &std::path::Path) {
    let mut rng = fastrand::Rng::with_seed(seed);
    let path = dir.join(format!("oracle-{seed}"));
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(&path)
        .await
        .unwrap();
    file.set_read_ahead(seed % 4 == 1); // half the streaky seeds read ahead
    let mut oracle = Cursor::new(Vec::new());
    let mut log = Vec::new();
    // Odd seeds run in streaks: mostly the same kind of op again, 4-100 KiB at a time, so
    // reads go straight through several buffers (read-ahead) and writes fill several
    // (write-behind) before a seek or the other kind interrupts them.
    let streaky = seed % 2 == 1;
    let mut last: Option<Op> = None;
    for step in 0..ops {
        let len = oracle.get_ref().len() as u64;
        let op = match &last {
            Some(Op::Read(_)) if streaky && rng.u8(0..10) < 9 => {
                Op::Read(rng.usize(4_096..100_000))
            }
            Some(Op::Write(_)) if streaky && rng.u8(0..10) < 9 => {
                Op::Write((0..rng.usize(4_096..100_000)).map(|_| rng.u8(..)).collect())
            }
            _ => random_op(&mut rng, len),
        };
        let at = format!("seed {seed}, step {step}: {op:?}, after {log:?}");
        match &op {
            Op::Read(n) => {
                let mut a = vec![0u8; *n];
                let mut b = vec![0u8; *n];
                // A short read is allowed; compare what each gave, then catch the oracle up.
                let got = file.read(&mut a).await.unwrap();
                let want = oracle.read(&mut b[..got]).unwrap();
                assert_eq!(got, want, "{at}");
                assert_eq!(a[..got], b[..got], "{at}");
                if got == 0 && *n > 0 {
                    let p = oracle.position();
                    assert_eq!(
                        oracle.read(&mut b).unwrap(),
                        0,
                        "{at}: early EOF at {p} of {}, {file:?}",
                        oracle.get_ref().len()
                    );
                }
            }
            Op::Write(data) => {
                file.write_all(data).await.unwrap();
                // (A Cursor grows to its position even on an empty write; a file does not.)
                if !data.is_empty() {
                    oracle.write_all(data).unwrap();
                }
            }
            Op::Seek(pos) => {
                let got = file.seek(*pos).await.map_err(|e| e.kind());
                let want = oracle.seek(*pos).map_err(|e| e.kind());
                assert_eq!(got, want, "{at}");
            }
            Op::FillBufConsume(n) => {
                let buf = file.fill_buf().await.unwrap();
                let take = buf.len().min(*n);
                let mut b = vec![0u8; take];
                oracle.read_exact(&mut b).unwrap();
                assert_eq!(&buf[..take], &b[..], "{at}");
                if buf.is_empty() {
                    assert!(oracle.position() >= oracle.get_ref().len() as u64, "{at}");
                }
                file.consume_unpin(take);
            }
            Op::Flush => file.flush().await.unwrap(),
            Op::SetLen(len) => {
                file.set_len(*len).await.unwrap();
                oracle.get_mut().resize(*len as usize, 0);
            }
            Op::DroppedRead(n) => {
                let mut a = vec![0u8; *n];
                if let Poll::Ready(got) = poll_once_and_drop(file.read(&mut a)) {
                    let got = got.unwrap();
                    let mut b = vec![0u8; got];
                    assert_eq!(oracle.read(&mut b).unwrap(), got, "{at}");
                    assert_eq!(a[..got], b[..], "{at}");
                }
            }
            Op::DroppedWrite(data) => {
                if let Poll::Ready(n) = poll_once_and_drop(file.write(data)) {
                    let n = n.unwrap();
                    if n > 0 {
                        oracle.write_all(&data[..n]).unwrap();
                    }
                }
            }
            Op::Len => {
                let len = file.metadata().await.unwrap().len();
                assert_eq!(len, oracle.get_ref().len() as u64, "{at}");
            }
        }
        let kind = match &op {
            Op::Read(_) => Some(Op::Read(0)),
            Op::Write(_) => Some(Op::Write(Vec::new())),
            _ => None,
        };
        log.push(match op {
            Op::Write(d) => format!("Write({})", d.len()),
            Op::DroppedWrite(d) => format!("DroppedWrite({})", d.len()),
            other => format!("{other:?}"),
        });
        if log.len() > 12 {
            log.remove(0);
        }
        last = kind;
    }
    file.flush().await.unwrap();
    drop(file);
    assert!(
        std::fs::read(&path).unwrap() == *oracle.get_ref(),
        "seed {seed}: final contents"
    );
}

#[test]
fn file_random_interleavings_match_std_cursor() {
    let dir = tempfile::tempdir().unwrap();
    let seeds: u64 = std::env::var("CORIO_FS_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(40);
    corio_executor::run(async {
        for seed in 0..seeds {
            oracle_run(seed, 300, dir.path()).await;
        }
    });
}

/// Polls `fut` once with a waker that does nothing, then drops it.
fn poll_once_and_drop<F: Future>(fut: F) -> Poll<F::Output> {
    let waker = futures::task::noop_waker();
    let mut cx = Context::from_waker(&waker);
    std::pin::pin!(fut).poll(&mut cx)
}

#[test]
fn file_dropped_reads_lose_no_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data");
    let mut data = vec![0u8; 3 << 20];
    pattern(7, &mut data);
    std::fs::write(&path, &data).unwrap();
    corio_executor::run(async {
        let mut rng = fastrand::Rng::with_seed(1);
        let mut file = File::open(&path).await.unwrap();
        file.set_read_ahead(true); // dropped reads while a chunk is read ahead, too
        let mut got = Vec::new();
        let mut abandoned = 0;
        loop {
            let mut buf = vec![0u8; rng.usize(1..20_000)];
            if rng.bool() {
                // Start a read and drop it: if it completed at once, its bytes count.
                match poll_once_and_drop(file.read(&mut buf)) {
                    Poll::Ready(n) => got.extend_from_slice(&buf[..n.unwrap()]),
                    Poll::Pending => abandoned += 1,
                }
                continue;
            }
            let n = file.read(&mut buf).await.unwrap();
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..n]);
        }
        assert!(abandoned > 0, "no read was dropped in flight");
        assert!(got == data, "bytes lost or duplicated by dropped reads");
    });
}

#[test]
fn file_dropped_writes_and_seeks_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out");
    let expected = corio_executor::run(async {
        let mut rng = fastrand::Rng::with_seed(2);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)
            .await
            .unwrap();
        let mut oracle = Cursor::new(Vec::new());
        let mut abandoned = 0;
        for _ in 0..2_000 {
            let chunk: Vec<u8> = (0..rng.usize(1..40_000)).map(|_| rng.u8(..)).collect();
            match rng.u8(0..6) {
                0 | 1 => match poll_once_and_drop(file.write(&chunk)) {
                    // Accepted bytes are the file's, even though the future is gone.
                    Poll::Ready(n) => oracle.write_all(&chunk[..n.unwrap()]).unwrap(),
                    Poll::Pending => abandoned += 1,
                },
                2 => {
                    // A seek dropped in flight still happens; retried with the same
                    // argument, it is not done twice.
                    let back = rng.i64(0..1000).min(oracle.position() as i64);
                    let pos = SeekFrom::Current(-back);
                    let want = oracle.seek(pos).unwrap();
                    let got = match poll_once_and_drop(file.seek(pos)) {
                        Poll::Ready(p) => p.unwrap(),
                        Poll::Pending => {
                            abandoned += 1;
                            file.seek(pos).await.unwrap()
                        }
                    };
                    assert_eq!(got, want);
                }
                3 => {
                    if poll_once_and_drop(file.flush()).is_pending() {
                        abandoned += 1;
                    }
                }
                _ => {
                    file.write_all(&chunk).await.unwrap();
                    oracle.write_all(&chunk).unwrap();
                }
            }
        }
        assert!(abandoned > 0, "nothing was dropped in flight");
        file.flush().await.unwrap();
        assert_eq!(
            file.metadata().await.unwrap().len(),
            oracle.get_ref().len() as u64
        );
        oracle.into_inner()
    });
    assert!(std::fs::read(&path).unwrap() == expected);
}

#[test]
fn file_dropped_with_unflushed_bytes_still_writes_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dropped");
    corio_executor::run(async {
        let mut file = File::create(&path).await.unwrap();
        file.write_all(b"kept though never flushed").await.unwrap();
        drop(file);
        // A detached pool job writes the bytes; look (through the pool) until they have
        // arrived, a bounded number of times rather than for a bounded time.
        for _ in 0..1_000_000 {
            if !corio_fs::read(&path).await.unwrap().is_empty() {
                break;
            }
            corio_executor::yield_now().await;
        }
    });
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "kept though never flushed"
    );
}

#[test]
fn file_buf_read_lines_and_into_std() {
    use futures::StreamExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lines");
    std::fs::write(&path, "one\r\ntwo\n\nlast").unwrap();
    corio_executor::run(async {
        let lines: Vec<String> = corio_fs::io::lines(File::open(&path).await.unwrap())
            .map(Result::unwrap)
            .collect()
            .await;
        assert_eq!(lines, ["one", "two", "", "last"]);

        let mut file = File::open(&path).await.unwrap();
        let mut first = [0u8; 3];
        file.read_exact(&mut first).await.unwrap();
        let mut std_file = file.into_std().await.unwrap();
        let mut rest = String::new();
        std_file.read_to_string(&mut rest).unwrap();
        assert_eq!(rest, "\r\ntwo\n\nlast");
    });
}

#[test]
fn file_works_outside_a_corio_loop() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plain");
    futures::executor::block_on(async {
        let mut file = File::create(&path).await.unwrap();
        file.write_all(b"under futures' executor").await.unwrap();
        file.flush().await.unwrap();
        let mut text = String::new();
        File::open(&path)
            .await
            .unwrap()
            .read_to_string(&mut text)
            .await
            .unwrap();
        assert_eq!(text, "under futures' executor");
    });
}

#[test]
fn file_position_is_exact_after_read_ahead() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ahead");
    let mut data = vec![0u8; 8 << 20];
    pattern(3, &mut data);
    std::fs::write(&path, &data).unwrap();
    corio_executor::run(async {
        for consumed in [4096usize, 300_000, 1 << 20, 3_000_001] {
            let mut file = File::open(&path).await.unwrap();
            file.set_read_ahead(true);
            let mut buf = vec![0u8; 4096];
            let mut at = 0;
            while at < consumed {
                let want = buf.len().min(consumed - at);
                let n = file.read(&mut buf[..want]).await.unwrap();
                assert!(buf[..n] == data[at..at + n]);
                at += n;
            }
            // Several buffers in, a chunk is being (or has been) read ahead: the position
            // is still exactly what was consumed, for seek and for into_std alike.
            assert_eq!(
                file.seek(SeekFrom::Current(0)).await.unwrap(),
                consumed as u64
            );
            let mut std_file = file.into_std().await.unwrap();
            assert_eq!(std_file.stream_position().unwrap(), consumed as u64);
        }
    });
}

#[test]
fn file_dropped_during_write_behind_still_writes_everything() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("behind");
    let mut data = vec![0u8; (1 << 20) + 12_345];
    pattern(11, &mut data);
    corio_executor::run(async {
        let mut file = File::create(&path).await.unwrap();
        for piece in data.chunks(4096) {
            file.write_all(piece).await.unwrap();
        }
        // Full buffers went behind; the last bytes sit in the buffer. Drop without flush.
        drop(file);
        // The bytes arrive through detached pool jobs; look (through the pool) until they
        // have, a bounded number of times rather than for a bounded time.
        for _ in 0..1_000_000 {
            if corio_fs::metadata(&path).await.unwrap().len() == data.len() as u64 {
                break;
            }
            corio_executor::yield_now().await;
        }
    });
    assert!(std::fs::read(&path).unwrap() == data);
}
