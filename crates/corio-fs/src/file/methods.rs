//! aiofiles' methods on [`File`]: `read`, `write_all`, `seek`..., as inherent async
//! methods, so that a program needs no `futures` extension trait to use a file. Each is
//! the `futures_io` trait method it wraps, with the same buffering and cancel safety.

use std::future::poll_fn;
use std::io::{self, SeekFrom};
use std::pin::Pin;
use std::task::Poll;

use futures_io::{AsyncBufRead, AsyncRead, AsyncSeek, AsyncWrite};

use super::File;

impl File {
    /// Reads up to `buf.len()` bytes; `Ok(0)` at end of file (aiofiles: `await f.read(n)`).
    ///
    /// # Errors
    ///
    /// A read error, or the error of an earlier write that ran behind, naming the path.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future loses no bytes: a read in flight completes into the file's
    /// buffer, and the next read returns them.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio_executor::run(async {
    /// let mut file = corio_fs::File::open("Cargo.toml").await?;
    /// let mut head = [0u8; 9];
    /// let n = file.read(&mut head).await?;
    /// assert_eq!(&head[..n], &b"[package]"[..n]);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub async fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        poll_fn(|cx| Pin::new(&mut *self).poll_read(cx, buf)).await
    }

    /// Reads to the end of the file, appending to `out`; returns the bytes read (aiofiles:
    /// `await f.read()`). A whole buffer is copied at a time.
    ///
    /// # Errors
    ///
    /// A read error, naming the path; `out` keeps what was read before it.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future loses nothing: `out` holds every byte read so far, and the
    /// file's position is just after them.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio_executor::run(async {
    /// let mut file = corio_fs::File::open("Cargo.toml").await?;
    /// let mut all = Vec::new();
    /// file.read_to_end(&mut all).await?;
    /// assert_eq!(all, std::fs::read("Cargo.toml")?);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub async fn read_to_end(&mut self, out: &mut Vec<u8>) -> io::Result<usize> {
        let start = out.len();
        loop {
            let n = poll_fn(|cx| match Pin::new(&mut *self).poll_fill_buf(cx) {
                Poll::Ready(Ok(chunk)) => {
                    out.extend_from_slice(chunk);
                    Poll::Ready(Ok(chunk.len()))
                }
                Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
                Poll::Pending => Poll::Pending,
            })
            .await?;
            if n == 0 {
                return Ok(out.len() - start);
            }
            Pin::new(&mut *self).consume(n);
        }
    }

    /// Reads to the end of the file as UTF-8, appending to `out`; returns the bytes read.
    ///
    /// # Errors
    ///
    /// A read error, naming the path, or `InvalidData` when the bytes are not UTF-8 (then
    /// `out` is unchanged and the bytes read are dropped).
    ///
    /// # Cancel safety
    ///
    /// Dropping the future drops the bytes it read so far (they are not valid UTF-8 text
    /// until the end is seen); the file's position is after them. Use
    /// [`read_to_end`](File::read_to_end) to keep them.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio_executor::run(async {
    /// let mut text = String::new();
    /// corio_fs::File::open("Cargo.toml").await?.read_to_string(&mut text).await?;
    /// assert!(text.starts_with("[package]"));
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub async fn read_to_string(&mut self, out: &mut String) -> io::Result<usize> {
        let mut bytes = Vec::new();
        self.read_to_end(&mut bytes).await?;
        let text = String::from_utf8(bytes).map_err(|e| {
            let err = io::Error::new(io::ErrorKind::InvalidData, e.utf8_error());
            match self.path() {
                Some(p) => crate::error::with_path("read", p, err),
                None => err,
            }
        })?;
        out.push_str(&text);
        Ok(text.len())
    }

    /// Writes all of `data` into the file's buffer, handing full buffers to the pool
    /// (aiofiles: `await f.write(data)`). [`flush`](File::flush) to know it reached the
    /// file.
    ///
    /// # Errors
    ///
    /// The error of an earlier write that ran behind, naming the path.
    ///
    /// # Cancel safety
    ///
    /// Bytes accepted before the future was dropped are written; how many is not told.
    /// Use the `futures_io` [`AsyncWrite::poll_write`] (or `futures`' `write`) to count
    /// them.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio_executor::run(async {
    /// # let dir = tempfile::tempdir()?;
    /// let mut file = corio_fs::File::create(dir.path().join("out.txt")).await?;
    /// file.write_all(b"hello\n").await?;
    /// file.flush().await?;
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub async fn write_all(&mut self, mut data: &[u8]) -> io::Result<()> {
        while !data.is_empty() {
            let n = poll_fn(|cx| Pin::new(&mut *self).poll_write(cx, data)).await?;
            if n == 0 {
                return Err(io::ErrorKind::WriteZero.into());
            }
            data = &data[n..];
        }
        Ok(())
    }

    /// Writes out every buffered byte and waits until it is written (to the OS; see
    /// [`sync_all`](File::sync_all) for the device).
    ///
    /// # Errors
    ///
    /// The error of a buffered write, naming the path.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future loses nothing: the write in flight completes, and the next call
    /// reports its error, if any.
    ///
    /// # Examples
    ///
    /// See [`write_all`](File::write_all).
    pub async fn flush(&mut self) -> io::Result<()> {
        poll_fn(|cx| Pin::new(&mut *self).poll_flush(cx)).await
    }

    /// Moves the position, accounting for buffered bytes; returns the new position from
    /// the start (aiofiles: `await f.seek(offset, whence)`).
    ///
    /// # Errors
    ///
    /// `InvalidInput` for a position before the start, or a buffered write's error, naming
    /// the path.
    ///
    /// # Cancel safety
    ///
    /// A seek that reached the pool takes effect even if the future is dropped; calling
    /// `seek` again with the same argument takes its result instead of moving twice.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::SeekFrom;
    /// # corio_executor::run(async {
    /// let mut file = corio_fs::File::open("Cargo.toml").await?;
    /// let len = file.seek(SeekFrom::End(0)).await?;
    /// assert_eq!(len, std::fs::metadata("Cargo.toml")?.len());
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub async fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        poll_fn(|cx| Pin::new(&mut *self).poll_seek(cx, pos)).await
    }
}
