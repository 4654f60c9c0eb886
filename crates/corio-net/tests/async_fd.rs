//! `AsyncFd`: readiness waits, `try_io`, and the `AsyncRead`/`AsyncWrite` of std types,
//! over socket pairs and pipes, on the single-thread loop and the multi-thread executor.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;

use corio_core::Driver;
use corio_net::{AsyncFd, Interest, IoDriver};
use futures::{AsyncReadExt, AsyncWriteExt};

fn pair() -> (AsyncFd<UnixStream>, AsyncFd<UnixStream>) {
    let (a, b) = UnixStream::pair().unwrap();
    a.set_nonblocking(true).unwrap();
    b.set_nonblocking(true).unwrap();
    (AsyncFd::new(a).unwrap(), AsyncFd::new(b).unwrap())
}

fn local_loop() -> corio_executor::LocalExecutor {
    corio_executor::Builder::new()
        .driver(|_| Box::new(IoDriver::new().unwrap()))
        .build_local()
}

#[test]
fn four_mebibytes_cross_a_full_buffer_both_ways() {
    local_loop().run(async {
        let (mut a, mut b) = pair();
        let data: Vec<u8> = (0..4 << 20).map(|i: u32| (i % 251) as u8).collect();
        let expect = data.clone();
        // The writer blocks on a full socket buffer many times; the reader drains it.
        let writer = corio_executor::spawn(async move {
            a.write_all(&data).await.unwrap();
            drop(a); // end of stream
        });
        let mut got = Vec::new();
        b.read_to_end(&mut got).await.unwrap();
        writer.await.unwrap();
        assert_eq!(got.len(), expect.len());
        assert!(got == expect);
    });
}

#[test]
fn readable_sleeps_after_would_block_and_wakes_on_data() {
    local_loop().run(async {
        let (a, b) = pair();
        let mut buf = [0u8; 8];
        // Presumed ready at first: the attempt says WouldBlock and is remembered.
        a.readable().await.unwrap();
        let err = a
            .try_io(Interest::Read, |mut s| s.read(&mut buf))
            .unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock);
        let sender = corio_executor::spawn(async move {
            corio_executor::yield_now().await;
            b.get_ref().write_all(b"late").unwrap();
            b
        });
        a.readable().await.unwrap(); // sleeps until the write above
        let n = a.try_io(Interest::Read, |mut s| s.read(&mut buf)).unwrap();
        assert_eq!(&buf[..n], b"late");
        drop(sender.await.unwrap());
    });
}

#[test]
fn writable_after_the_buffer_drains() {
    local_loop().run(async {
        let (a, b) = pair();
        let chunk = [7u8; 65536];
        // Fill the buffer until the kernel says WouldBlock.
        loop {
            match a.try_io(Interest::Write, |mut s| s.write(&chunk)) {
                Ok(_) => continue,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                Err(e) => panic!("{e}"),
            }
        }
        let reader = corio_executor::spawn(async move {
            let mut buf = vec![0u8; 1 << 20];
            let mut b = b;
            let _ = b.read(&mut buf).await.unwrap();
            b
        });
        a.writable().await.unwrap();
        assert!(a.try_io(Interest::Write, |mut s| s.write(b"x")).is_ok());
        drop(reader.await.unwrap());
    });
}

#[test]
fn pipes_from_std_process_work() {
    // A pipe, not a socket: made by spawning `cat` through std.
    local_loop().run(async {
        let mut child = std::process::Command::new("cat")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = std::os::fd::OwnedFd::from(child.stdin.take().unwrap());
        let stdout = std::os::fd::OwnedFd::from(child.stdout.take().unwrap());
        let (stdin, stdout) = (std::fs::File::from(stdin), std::fs::File::from(stdout));
        for f in [&stdin, &stdout] {
            set_nonblocking(f);
        }
        let mut stdin = AsyncFd::new(stdin).unwrap();
        let mut stdout = AsyncFd::new(stdout).unwrap();
        stdin.write_all(b"through cat\n").await.unwrap();
        drop(stdin);
        let mut out = String::new();
        stdout.read_to_string(&mut out).await.unwrap();
        assert_eq!(out, "through cat\n");
        child.wait().unwrap();
    });
}

/// Sets O_NONBLOCK through `/proc`-free std means: a socket2 SockRef works on any fd.
fn set_nonblocking(f: &std::fs::File) {
    // `fcntl` without unsafe: socket2's `set_nonblocking` uses FIONBIO, valid for pipes.
    socket2::SockRef::from(f).set_nonblocking(true).unwrap();
}

#[test]
fn into_inner_deregisters() {
    let driver = IoDriver::new().unwrap();
    driver.entry().scope(|| {
        let (a, b) = pair();
        assert_eq!(driver.registered(), 2);
        let a = a.into_inner();
        assert_eq!(driver.registered(), 1);
        drop(b);
        assert_eq!(driver.registered(), 0);
        drop(a);
    });
}

#[test]
fn works_on_the_multi_thread_executor() {
    let ex = corio_executor::Builder::multi_thread()
        .workers(2)
        .driver(|_| Box::new(IoDriver::new().unwrap()))
        .build();
    let n = ex.block_on(async {
        let tasks: Vec<_> = (0..16)
            .map(|i| {
                corio_executor::spawn_send(async move {
                    let (mut a, mut b) = pair();
                    let msg = format!("message {i}");
                    a.write_all(msg.as_bytes()).await.unwrap();
                    drop(a);
                    let mut got = String::new();
                    b.read_to_string(&mut got).await.unwrap();
                    assert_eq!(got, msg);
                    1
                })
            })
            .collect();
        let mut n = 0;
        for t in tasks {
            n += t.await.unwrap();
        }
        n
    });
    assert_eq!(n, 16);
}

#[test]
fn auto_traits() {
    fn send_sync<T: Send + Sync + Unpin>() {}
    send_sync::<AsyncFd<UnixStream>>();
    send_sync::<Interest>();
}
