//! TCP: [`TcpListener`] (listener.rs), [`TcpStream`] (stream.rs) and the stream's owned
//! halves (split.rs).

mod listener;
mod split;
mod stream;

pub use listener::{Incoming, TcpListener};
pub use split::{TcpReadHalf, TcpWriteHalf};
pub use stream::TcpStream;
