//! asyncio's streams: [`open_connection`], [`StreamReader`] (reader.rs) and
//! [`StreamWriter`] (writer.rs).

mod reader;
mod writer;

pub use reader::StreamReader;
pub use writer::StreamWriter;

use std::io;
use std::net::ToSocketAddrs;

use crate::tcp::{TcpReadHalf, TcpStream, TcpWriteHalf};

/// asyncio's `open_connection`: connects to `addr` and returns a buffered reader and a
/// writer over the two halves of the connection.
///
/// # Errors
///
/// As [`TcpStream::connect`]: refused, unreachable, ... with the address in the message.
///
/// # Cancel safety
///
/// Dropping the future closes the half-made connection.
///
/// # Examples
///
/// ```
/// use corio_net::{TcpListener, open_connection};
/// use futures::AsyncWriteExt;
///
/// corio_executor::run(async {
///     let listener = TcpListener::bind("127.0.0.1:0").await?;
///     let (mut reader, mut writer) = open_connection(listener.local_addr()?).await?;
///     let (mut server, _) = listener.accept().await?;
///     server.write_all(b"HTTP/1.0 200 OK\r\n\r\nbody").await?;
///     server.close().await?;
///     let mut status = String::new();
///     reader.read_line(&mut status).await?;
///     assert_eq!(status, "HTTP/1.0 200 OK\r\n");
///     let mut rest = Vec::new();
///     reader.read_to_end(&mut rest).await?;
///     assert_eq!(rest, b"\r\nbody");
///     writer.close().await?;
///     std::io::Result::Ok(())
/// }).unwrap();
/// ```
pub async fn open_connection(
    addr: impl ToSocketAddrs,
) -> io::Result<(StreamReader<TcpReadHalf>, StreamWriter<TcpWriteHalf>)> {
    let (r, w) = TcpStream::connect(addr).await?.split();
    Ok((StreamReader::new(r), StreamWriter::new(w)))
}
