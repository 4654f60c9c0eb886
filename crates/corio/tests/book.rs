//! The code samples of the book (docs/), compiled and run as tests: each chapter includes
//! the region between its `ANCHOR` markers, so a sample cannot drift from the code.

use std::time::Duration;

// ANCHOR: intro
async fn fetch() -> &'static str {
    corio::sleep(Duration::from_millis(10)).await; // the network
    "page"
}

#[corio::test]
async fn intro() {
    let task = corio::create_task(fetch());
    corio::sleep(Duration::from_millis(1)).await;
    println!("{:?}", task.await);
}
// ANCHOR_END: intro

// ANCHOR: paused
#[corio::test(start_paused = true)]
async fn retries_back_off() {
    let t0 = corio::clock::now();
    corio::sleep(Duration::from_secs(3600)).await;
    assert_eq!(corio::clock::now() - t0, Duration::from_secs(3600));
}
// ANCHOR_END: paused

async fn download() -> Vec<u8> {
    corio::sleep(Duration::from_secs(60)).await;
    vec![1, 2, 3]
}

#[corio::test]
async fn cancel() {
    // ANCHOR: cancel
    let mut task = corio::spawn(download());
    corio::yield_now().await; // it starts, and waits on the network
    let cancelled = task.cancel_with("user pressed stop").await; // waits until unwound
    assert!(cancelled);
    let err = task.await.unwrap_err();
    assert!(err.is_cancelled());
    assert_eq!(err.to_string(), "task was cancelled: user pressed stop");
    // ANCHOR_END: cancel
}

fn crunch(chunk: Vec<u64>) -> u64 {
    chunk.iter().map(|x| x * x).sum()
}

#[test]
fn multi_thread() {
    let chunks: Vec<Vec<u64>> = (0..8).map(|i| (i * 100..(i + 1) * 100).collect()).collect();
    // ANCHOR: multi_thread
    let ex = corio::Builder::multi_thread().workers(4).build();
    let total = ex.block_on(async {
        let parts: Vec<_> = chunks
            .into_iter()
            .map(|c| corio::spawn_send(async move { crunch(c) }))
            .collect();
        let mut total = 0;
        for p in parts {
            total += p.await.unwrap();
        }
        total
    });
    // ANCHOR_END: multi_thread
    assert_eq!(total, (0..800u64).map(|x| x * x).sum::<u64>());
}

#[corio::test]
async fn networking() -> std::io::Result<()> {
    // ANCHOR: networking
    // asyncio's start_server: a handler per connection, with buffered reader and writer.
    let server = corio::start_server("127.0.0.1:0", |mut reader, mut writer| async move {
        let mut name = String::new();
        reader.read_line(&mut name).await.unwrap();
        writer
            .write_all(format!("hello, {name}").as_bytes())
            .await
            .unwrap();
    })
    .await?;

    // asyncio's open_connection.
    let (mut reader, mut writer) = corio::open_connection(server.local_addr()?).await?;
    writer.write_all(b"corio\n").await?;
    let mut reply = String::new();
    reader.read_line(&mut reply).await?;
    assert_eq!(reply, "hello, corio\n");
    server.shutdown(Duration::from_secs(1)).await?;
    // ANCHOR_END: networking
    Ok(())
}

/// Sends `signal` to this process, as `kill -SIGNAL <pid>` from another terminal would.
#[cfg(unix)]
async fn kill_self(signal: &str) {
    corio::process::Command::new("kill")
        .args([format!("-{signal}"), std::process::id().to_string()])
        .status()
        .await
        .unwrap();
}

#[cfg(unix)]
#[corio::test]
async fn signals() -> std::io::Result<()> {
    // ANCHOR: signals
    use corio::StreamExt;
    use corio::signal::{SIGHUP, SIGTERM, Signals};

    // asyncio: loop.add_signal_handler(SIGHUP, reload); loop.add_signal_handler(SIGTERM, stop)
    let mut signals = Signals::new([SIGHUP, SIGTERM])?;
    // Here another process would run `kill -HUP <pid>`, wait for the reload, then
    // `kill -TERM <pid>`. Two different signals sent back to back may arrive in either
    // order (the kernel hands each to any thread), hence the wait.
    let reloaded = std::sync::Arc::new(corio::Event::new());
    let _sender = corio::spawn({
        let reloaded = reloaded.clone();
        async move {
            kill_self("HUP").await;
            reloaded.wait().await;
            kill_self("TERM").await;
        }
    });
    let mut reloads = 0;
    while let Some(signal) = signals.next().await {
        if signal == SIGHUP {
            reloads += 1;
            println!("SIGHUP: reloading the configuration");
            reloaded.set();
        } else {
            println!("SIGTERM: shutting down");
            break;
        }
    }
    // ANCHOR_END: signals
    assert_eq!(reloads, 1);
    Ok(())
}

#[cfg(unix)]
#[corio::test]
async fn subprocesses() -> std::io::Result<()> {
    // ANCHOR: subprocess_output
    use corio::process::Command;

    // asyncio: proc = await create_subprocess_exec("git", "--version", stdout=PIPE)
    //          out, err = await proc.communicate()
    let out = Command::new("sh")
        .args(["-c", "echo $0 $1", "hello", "world"])
        .output()
        .await?;
    assert!(out.status.success());
    assert_eq!(out.stdout, b"hello world\n");

    // asyncio: create_subprocess_shell("ls | wc -l")
    let out = Command::shell("printf 'a\\nb\\n' | wc -l").output().await?;
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "2");
    // ANCHOR_END: subprocess_output

    // ANCHOR: subprocess_pipes
    use corio::process::Stdio;

    // `cat` as an echo peer: write to its stdin, read its stdout, line by line.
    let mut cat = Command::new("cat")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .kill_on_drop(true) // if this function is cancelled, so is cat (and it is reaped)
        .spawn()?;
    let mut stdin = cat.stdin.take().unwrap();
    let mut stdout = cat.stdout.take().unwrap();
    stdin.write_all(b"ping\n").await?;
    let mut buf = [0; 5];
    let n = stdout.read(&mut buf).await?;
    assert_eq!(&buf[..n], b"ping\n");
    drop(stdin); // end of input: cat exits
    let status = cat.wait().await?;
    assert!(status.success());
    // ANCHOR_END: subprocess_pipes

    // ANCHOR: subprocess_timeout
    // asyncio: try: await wait_for(proc.wait(), 1) except TimeoutError: proc.kill()
    let mut child = Command::new("sleep").arg("60").spawn()?;
    if corio::timeout(Duration::from_millis(50), child.wait())
        .await
        .is_err()
    {
        child.kill()?;
    }
    let status = child.wait().await?; // reaped: no zombie
    assert!(!status.success());
    // ANCHOR_END: subprocess_timeout
    Ok(())
}

// ANCHOR: http_server
/// An aiohttp.web handler: a request in, a response out.
async fn hello(req: corio::http::server::Request) -> corio::http::server::Response {
    corio::http::server::text(format!("you asked for {}", req.uri().path()))
}

async fn start_site() -> std::io::Result<corio::http::ServerHandle> {
    let server = corio::http::Server::bind("127.0.0.1:0")
        .await?
        .header_read_timeout(Duration::from_secs(10)) // slowloris defence
        .max_connections(10_000)
        .serve(hello);
    Ok(server)
}
// ANCHOR_END: http_server

// ANCHOR: http_client
async fn fetch_all(base: &str) -> Result<Vec<String>, corio::http::Error> {
    // aiohttp.ClientSession(connector=TCPConnector(limit_per_host=10),
    //                       timeout=ClientTimeout(total=30, sock_read=10))
    let client = corio::http::Client::builder()
        .limit_per_host(10)
        .timeout(Duration::from_secs(30))
        .read_timeout(Duration::from_secs(10))
        .build()?;
    let pages = corio::gather((0..20).map(|i| {
        let (client, url) = (client.clone(), format!("{base}/page/{i}"));
        async move {
            let resp = client.get(&url).send().await?;
            resp.error_for_status()?.text().await // raise_for_status(), await resp.text()
        }
    }))
    .await;
    pages.into_iter().collect() // the first error, or every page
}
// ANCHOR_END: http_client

#[corio::test]
async fn http_fetch_all() {
    // ANCHOR: http_shutdown
    let server = start_site().await.unwrap();
    let base = format!("http://{}", server.local_addr());
    let pages = fetch_all(&base).await.unwrap();
    assert_eq!(pages[3], "you asked for /page/3");
    // Stop accepting, let in-flight requests finish (up to 5 s), then close the rest.
    let cut_off = server.shutdown(Duration::from_secs(5)).await;
    assert_eq!(cut_off, 0);
    // ANCHOR_END: http_shutdown
}

#[corio::test]
async fn http_stream() {
    let server = start_site().await.unwrap();
    let url = format!("http://{}/big", server.local_addr());
    // ANCHOR: http_stream
    // async for chunk in resp.content.iter_any(): never the whole body in memory
    let client = corio::http::Client::new();
    let mut resp = client.get(&url).send().await.unwrap();
    let mut size = 0;
    while let Some(chunk) = resp.chunk().await.unwrap() {
        size += chunk.len();
    }
    assert_eq!(size, "you asked for /big".len());
    // ANCHOR_END: http_stream
    server.shutdown(Duration::from_secs(5)).await;
}

#[corio::test]
async fn http_errors() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    // ANCHOR: http_errors
    use corio::http::ErrorKind;
    let client = corio::http::Client::new();
    let url = format!("http://127.0.0.1:{port}/"); // nothing listens there
    match client.get(&url).send().await {
        Ok(resp) => println!("{}", resp.status()),
        Err(e) if e.kind() == ErrorKind::ConnectRefused => {
            // aiohttp.ClientConnectorError; the message names the address
            assert!(e.to_string().contains(&format!("127.0.0.1:{port}")));
        }
        Err(e) if e.is_timeout() => println!("too slow: {:?}", e.timeout_kind()),
        Err(e) => panic!("{e}"),
    }
    let err = client.get("ftp://example.com/").send().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidUrl);
    // ANCHOR_END: http_errors
}

// ANCHOR: http_paused
#[corio::test(start_paused = true)]
async fn read_timeout_in_virtual_time() {
    // A peer that accepts and never answers.
    let listener = corio::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let _peer = corio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((conn, _)) = listener.accept().await {
            held.push(conn);
        }
    });
    let client = corio::http::Client::builder()
        .read_timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let t0 = corio::clock::now();
    let err = client
        .get(format!("http://{addr}/"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.timeout_kind(), Some(corio::http::TimeoutKind::Read));
    assert!(corio::clock::now() - t0 >= Duration::from_secs(60)); // virtual: no real wait
}
// ANCHOR_END: http_paused

/// Every Rust sample of the book (`docs/src/*.md`) is compiled as a user's crate that
/// depends on `corio` alone would compile it: each ```rust block only includes
/// (`{{#include}}`) an example or this test file of the `corio` crate (both built by
/// `cargo test`; scripts/test.sh also runs the examples), and the included code names no
/// crate that such a user lacks: no corio sub-crate (`corio_sync::...`; use `corio::...`)
/// and none of the facade's own dependencies or dev-dependencies.
#[test]
fn book_samples_are_compiled_as_a_corio_user_would() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let src = root.join("docs/src");

    // The crates an example of the `corio` package can name but a user's crate cannot.
    let manifest = std::fs::read_to_string(root.join("crates/corio/Cargo.toml")).unwrap();
    let mut forbidden: Vec<String> = Vec::new();
    let mut in_deps = false;
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_deps = line.ends_with("dependencies]");
            continue;
        }
        if let Some((name, _)) = line.split_once('=').filter(|_| in_deps) {
            forbidden.push(name.trim().split('.').next().unwrap().replace('-', "_"));
        }
    }
    for dir in std::fs::read_dir(root.join("crates")).unwrap() {
        let name = dir.unwrap().file_name().to_string_lossy().replace('-', "_");
        if name != "corio" && !forbidden.contains(&name) {
            forbidden.push(name);
        }
    }
    assert!(forbidden.iter().any(|c| c == "corio_sync"), "{forbidden:?}");

    let names_crate = |code: &str, krate: &str| {
        code.match_indices(krate).any(|(at, _)| {
            let before = code[..at].chars().next_back();
            let after = &code[at + krate.len()..];
            !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':')
                && (after.starts_with("::") || code[..at].trim_end().ends_with("extern crate"))
        }) || code.contains(&format!("use {krate}"))
    };

    let mut problems = Vec::new();
    let mut samples = 0;
    let mut pages: Vec<_> = std::fs::read_dir(&src)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    pages.sort();
    for page in pages {
        let text = std::fs::read_to_string(&page).unwrap();
        let page_name = page.file_name().unwrap().to_string_lossy().into_owned();
        let mut lines = text.lines().enumerate();
        while let Some((n, line)) = lines.next() {
            let Some(info) = line.trim_start().strip_prefix("```") else {
                continue;
            };
            let is_rust = info.split(',').next().is_some_and(|l| l.trim() == "rust");
            let body: Vec<&str> = lines
                .by_ref()
                .take_while(|(_, l)| !l.trim_start().starts_with("```"))
                .map(|(_, l)| l)
                .collect();
            if !is_rust {
                continue;
            }
            samples += 1;
            let at = format!("{page_name}:{}", n + 1);
            let [include] = body.as_slice() else {
                problems.push(format!(
                    "{at}: a rust block must hold exactly one {{{{#include ...}}}} of compiled code"
                ));
                continue;
            };
            let Some(target) = include
                .trim()
                .strip_prefix("{{#include ")
                .or_else(|| include.trim().strip_prefix("{{#rustdoc_include "))
                .and_then(|t| t.strip_suffix("}}"))
            else {
                problems.push(format!("{at}: inline code is not compiled; include it from crates/corio/examples or crates/corio/tests/book.rs"));
                continue;
            };
            let (path, anchor) = match target.trim().split_once(':') {
                Some((p, a)) => (p, Some(a)),
                None => (target.trim(), None),
            };
            let file = src.join(path);
            let rel = path.trim_start_matches("../../");
            if !(rel.starts_with("crates/corio/examples/") || rel == "crates/corio/tests/book.rs") {
                problems.push(format!(
                    "{at}: {rel} is not compiled as the `corio` crate's example or book test"
                ));
                continue;
            }
            let Ok(code) = std::fs::read_to_string(&file) else {
                problems.push(format!("{at}: {rel} does not exist"));
                continue;
            };
            let region = match anchor {
                None => code,
                Some(a) => {
                    let start = format!("ANCHOR: {a}\n");
                    let end = format!("ANCHOR_END: {a}");
                    match code
                        .split_once(&start)
                        .and_then(|(_, r)| r.split_once(&end))
                    {
                        Some((region, _)) => region.to_string(),
                        None => {
                            problems.push(format!("{at}: no anchor {a} in {rel}"));
                            continue;
                        }
                    }
                }
            };
            for krate in &forbidden {
                if names_crate(&region, krate) {
                    problems.push(format!(
                        "{at}: the sample from {rel} names `{krate}`, which a crate depending \
                         on `corio` alone cannot (use `corio::...`)"
                    ));
                }
            }
        }
    }
    assert!(
        samples >= 10,
        "only {samples} rust samples found in docs/src"
    );
    assert!(
        problems.is_empty(),
        "book samples a corio user could not compile:\n  {}",
        problems.join("\n  ")
    );
}

// ANCHOR: files
#[corio::test]
async fn files() -> std::io::Result<()> {
    use corio::StreamExt; // for `.next()` on the streams below
    let dir = std::env::temp_dir().join(format!("corio-book-files-{}", std::process::id()));

    // os.makedirs(dir, exist_ok=True); Path(p).write_text(..); Path(p).read_text()
    corio::fs::create_dir_all(&dir).await?;
    corio::fs::write(dir.join("notes.txt"), "first\nsecond\n").await?;
    let text = corio::fs::read_to_string(dir.join("notes.txt")).await?;
    assert_eq!(text, "first\nsecond\n");

    // async with aiofiles.open(p, "a") as f: await f.write("third\n")
    let path = dir.join("notes.txt");
    let mut log = corio::fs::File::options().append(true).open(&path).await?;
    log.write_all(b"third\n").await?;
    log.flush().await?; // a write's error shows here (or in sync_all)

    // async with aiofiles.open(p) as f: async for line in f: ...
    let mut lines = corio::io::lines(corio::fs::File::open(&path).await?);
    let mut seen = Vec::new();
    while let Some(line) = lines.next().await {
        seen.push(line?);
    }
    assert_eq!(seen, ["first", "second", "third"]);

    // for entry in os.scandir(dir): ...
    let mut entries = corio::fs::read_dir(&dir).await?;
    while let Some(entry) = entries.next().await {
        let entry = entry?;
        println!(
            "{:?} is a file: {}",
            entry.file_name(),
            entry.file_type()?.is_file()
        );
    }

    corio::fs::remove_dir_all(&dir).await?; // shutil.rmtree(dir)
    Ok(())
}
// ANCHOR_END: files

#[corio::test]
async fn file_errors() {
    // ANCHOR: file_errors
    let err = corio::fs::read_to_string("settings.toml")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::NotFound); // Python: FileNotFoundError
    assert_eq!(
        err.to_string(),
        "read `settings.toml`: No such file or directory (os error 2)"
    );
    // ANCHOR_END: file_errors
}

// ANCHOR: stdin
/// `for line in sys.stdin: print(line.upper())`, without blocking the loop: the reads
/// and writes run on the blocking pool.
async fn shout() -> std::io::Result<()> {
    use corio::StreamExt;
    let mut lines = corio::io::stdin().lines();
    let mut out = corio::io::stdout();
    while let Some(line) = lines.next().await {
        out.write_all(line?.to_uppercase().as_bytes()).await?;
        out.write_all(b"\n").await?;
    }
    out.flush().await // before the program exits
}
// ANCHOR_END: stdin

/// The stdin sample is compiled here; tests/io_stdio.rs in corio-fs runs the same loop
/// in a child process with a piped stdin.
#[test]
fn stdin_sample_compiles() {
    let _never_polled = shout();
}
