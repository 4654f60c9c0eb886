//! Every public type is `Send`, `Sync` where it can be, and `Unpin`, checked at compile
//! time; so are the futures of the async functions.

#![allow(dead_code)]

use corio_fs::io::{Lines, Stderr, Stdin, Stdout};
use corio_fs::{DirEntry, File, OpenOptions, PathError, ReadDir};

fn send<T: Send>() {}
fn sync<T: Sync>() {}
fn unpin<T: Unpin>() {}
fn send_val<T: Send>(_: &T) {}

#[test]
fn public_types_are_send_and_unpin() {
    send::<File>();
    unpin::<File>();
    send::<OpenOptions>();
    sync::<OpenOptions>();
    send::<ReadDir>();
    unpin::<ReadDir>();
    send::<DirEntry>();
    sync::<DirEntry>();
    send::<PathError>();
    sync::<PathError>();
    send::<Stdin>();
    unpin::<Stdin>();
    send::<Stdout>();
    sync::<Stdout>();
    unpin::<Stdout>();
    send::<Stderr>();
    sync::<Stderr>();
    send::<Lines<Stdin>>();
    unpin::<Lines<Stdin>>();
}

#[test]
fn futures_are_send() {
    // Built, never polled: only their types matter.
    send_val(&corio_fs::read("x"));
    send_val(&corio_fs::read_to_string("x"));
    send_val(&corio_fs::write("x", "y"));
    send_val(&corio_fs::copy("x", "y"));
    send_val(&corio_fs::rename("x", "y"));
    send_val(&corio_fs::read_dir("x"));
    send_val(&corio_fs::metadata("x"));
    send_val(&File::open("x"));
    send_val(&File::create("x"));
    let opts = OpenOptions::new();
    send_val(&opts.open("x"));
    fn file_futures(f: &mut File) {
        send_val(&f.sync_all());
        send_val(&f.metadata());
        send_val(&f.set_len(0));
    }
}
