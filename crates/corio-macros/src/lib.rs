//! `#[corio::main]` and `#[corio::test]`: run an `async fn` on a corio event loop.
//!
//! Use them through the `corio` facade (`#[corio::main]`), which they expand to calls of.
//!
//! ```ignore
//! #[corio::main]
//! async fn main() {
//!     println!("running on corio");
//! }
//! ```
//!
//! Options, written `#[corio::main(key = value, ..)]`:
//! - `flavor = "local"`: the single-thread loop (the default; asyncio's model).
//! - `flavor = "multi_thread"`: the work-stealing executor; `workers = N` sets its
//!   number of worker threads (default: one per core).
//! - `start_paused = true`: the loop's clock starts paused (virtual time): sleeps complete
//!   as soon as every task waits, so a test that sleeps an hour takes milliseconds.
//! - `ctrl_c = false` (`#[corio::main]` only): turns off asyncio.run's Ctrl-C rule, which
//!   is on by default there: the first Ctrl-C cancels `main` (its destructors run, the
//!   other tasks are cancelled and drained) and the process exits with status 130; a
//!   second Ctrl-C during that cleanup ends it at once. See
//!   `corio::Builder::ctrl_c_cancels_main`.
//!
//! Misuse is a compile error that says what is wrong: a function that is not `async`,
//! a `main` with parameters, an unknown option.
//!
//! The corio book, in the repository's `docs/` directory (this crate: `docs/src/getting-started.md`),
//! explains this crate to someone coming from asyncio. It is not published online: build
//! and read it with `mdbook serve docs` (`cargo install --locked mdbook` first).
#![forbid(unsafe_code)]

use proc_macro::TokenStream;
use proc_macro2::TokenStream as TokenStream2;
use quote::{quote, quote_spanned};
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, ItemFn, Lit, Meta, Token};

/// Runs an `async fn main` on a corio event loop (asyncio's `asyncio.run(main())`).
///
/// The body runs inside `corio::run` (the facade's function; this crate cannot link to it):
/// when it returns, the tasks still alive are cancelled and dropped. `main` may return a
/// value, a `Result` for instance.
///
/// ```ignore
/// #[corio::main]
/// async fn main() -> Result<(), Box<dyn std::error::Error>> {
///     let t = corio::spawn(async { 21 * 2 });
///     println!("{}", t.await?);
///     Ok(())
/// }
/// ```
///
/// Options: `flavor = "local"` (the default) or `flavor = "multi_thread"`, with
/// `workers = N` for the latter; `ctrl_c = false` to turn off asyncio.run's Ctrl-C rule
/// (on by default: the first Ctrl-C cancels `main`, drains the tasks and exits with
/// status 130; a second one exits at once; a program that awaits
/// `corio::signal::ctrl_c()` handles Ctrl-C itself instead).
#[proc_macro_attribute]
pub fn main(args: TokenStream, item: TokenStream) -> TokenStream {
    expand(args.into(), item.into(), Kind::Main).into()
}

/// Runs an `async fn` test on its own corio event loop; the test fails if the body panics.
///
/// ```ignore
/// #[corio::test]
/// async fn spawned_tasks_return_values() {
///     assert_eq!(corio::spawn(async { 1 }).await.unwrap(), 1);
/// }
/// ```
///
/// Options: as [`macro@main`].
#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    expand(args.into(), item.into(), Kind::Test).into()
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Main,
    Test,
}

impl Kind {
    fn attr(self) -> &'static str {
        match self {
            Kind::Main => "#[corio::main]",
            Kind::Test => "#[corio::test]",
        }
    }
}

fn expand(args: TokenStream2, item: TokenStream2, kind: Kind) -> TokenStream2 {
    let mut func: ItemFn = match syn::parse2(item.clone()) {
        Ok(f) => f,
        Err(e) => {
            let msg = format!("{} can only be put on a function: {e}", kind.attr());
            return with_error(item, syn::Error::new(e.span(), msg));
        }
    };
    let options = match parse_options(args, kind) {
        Ok(o) => o,
        Err(e) => return with_error(sanitized(&func, kind), e),
    };
    if func.sig.asyncness.is_none() {
        let e = syn::Error::new(
            func.sig.fn_token.span(),
            format!(
                "{} needs an `async fn`: the `async` keyword is missing from the function declaration",
                kind.attr()
            ),
        );
        return with_error(sanitized(&func, kind), e);
    }
    if !func.sig.inputs.is_empty() {
        let what = if kind == Kind::Main { "main" } else { "a test" };
        let e = syn::Error::new(
            func.sig.inputs.span(),
            format!("{}: {what} cannot take parameters", kind.attr()),
        );
        return with_error(sanitized(&func, kind), e);
    }
    if kind == Kind::Main && func.sig.ident != "main" {
        let e = syn::Error::new(
            func.sig.ident.span(),
            "#[corio::main] goes on `async fn main`; use #[corio::test] for tests, or call corio::run(..) in other functions",
        );
        return with_error(sanitized(&func, kind), e);
    }
    if kind == Kind::Test {
        if let Some(attr) = func.attrs.iter().find(|a| a.path().is_ident("test")) {
            let e = syn::Error::new(
                attr.span(),
                "#[corio::test] already adds #[test]; remove this one",
            );
            return with_error(sanitized(&func, kind), e);
        }
    }

    func.sig.asyncness = None;
    let body = &func.block;
    let span = body.span();
    let paused = options.start_paused;
    // asyncio.run's Ctrl-C rule: on for `main` (unless `ctrl_c = false`), never for tests.
    let ctrl_c = if kind == Kind::Main && options.ctrl_c {
        quote!(.ctrl_c_cancels_main(true))
    } else {
        TokenStream2::new()
    };
    let run = match options.flavor {
        Flavor::Local if !paused && ctrl_c.is_empty() => quote!(::corio::run(body)),
        Flavor::Local => {
            quote!(::corio::Builder::new() #ctrl_c .start_paused(#paused).run(body))
        }
        Flavor::MultiThread => {
            let workers = options
                .workers
                .map(|n| quote!(.workers(#n)))
                .unwrap_or_default();
            quote!(::corio::Builder::multi_thread() #workers #ctrl_c .start_paused(#paused).run(body))
        }
    };
    let new_body = quote_spanned! {span=>
        {
            let body = async move #body;
            #run
        }
    };
    func.block = match syn::parse2(new_body) {
        Ok(b) => b,
        Err(e) => return e.to_compile_error(),
    };
    let test_attr = if kind == Kind::Test {
        quote!(#[::core::prelude::v1::test])
    } else {
        TokenStream2::new()
    };
    quote! {
        #test_attr
        #func
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Flavor {
    Local,
    MultiThread,
}

struct Options {
    flavor: Flavor,
    workers: Option<usize>,
    start_paused: bool,
    ctrl_c: bool,
}

fn parse_options(args: TokenStream2, kind: Kind) -> syn::Result<Options> {
    let metas = Punctuated::<Meta, Token![,]>::parse_terminated.parse2(args)?;
    let mut options = Options {
        flavor: Flavor::Local,
        workers: None,
        start_paused: false,
        ctrl_c: true,
    };
    let mut workers_span = None;
    for meta in metas {
        let nv = match &meta {
            Meta::NameValue(nv) => nv,
            other => {
                return Err(syn::Error::new(
                    other.span(),
                    format!("{}: options are written `key = \"value\"`", kind.attr()),
                ));
            }
        };
        let key = nv
            .path
            .get_ident()
            .map(|i| i.to_string())
            .unwrap_or_default();
        match key.as_str() {
            "flavor" => {
                let value = string_value(&nv.value, kind)?;
                options.flavor = match value.as_str() {
                    "local" | "current_thread" => Flavor::Local,
                    "multi_thread" => Flavor::MultiThread,
                    other => {
                        return Err(syn::Error::new(
                            nv.value.span(),
                            format!(
                                "{}: unknown flavor \"{other}\"; the flavors are \"local\" (one thread, the default) and \"multi_thread\"",
                                kind.attr()
                            ),
                        ));
                    }
                };
            }
            "start_paused" => {
                options.start_paused = match &nv.value {
                    Expr::Lit(ExprLit {
                        lit: Lit::Bool(b), ..
                    }) => b.value,
                    other => {
                        return Err(syn::Error::new(
                            other.span(),
                            format!("{}: start_paused takes true or false", kind.attr()),
                        ));
                    }
                };
            }
            "ctrl_c" if kind == Kind::Main => {
                options.ctrl_c = match &nv.value {
                    Expr::Lit(ExprLit {
                        lit: Lit::Bool(b), ..
                    }) => b.value,
                    other => {
                        return Err(syn::Error::new(
                            other.span(),
                            format!("{}: ctrl_c takes true or false", kind.attr()),
                        ));
                    }
                };
            }
            "workers" => {
                let n = match &nv.value {
                    Expr::Lit(ExprLit {
                        lit: Lit::Int(i), ..
                    }) => i.base10_parse::<usize>()?,
                    other => {
                        return Err(syn::Error::new(
                            other.span(),
                            format!("{}: workers = N takes a number", kind.attr()),
                        ));
                    }
                };
                if n == 0 {
                    return Err(syn::Error::new(
                        nv.value.span(),
                        format!("{}: workers must be at least 1", kind.attr()),
                    ));
                }
                options.workers = Some(n);
                workers_span = Some(nv.value.span());
            }
            other => {
                return Err(syn::Error::new(
                    nv.path.span(),
                    format!(
                        "{}: unknown option `{other}`; the options are: flavor, workers, start_paused{}",
                        kind.attr(),
                        if kind == Kind::Main { ", ctrl_c" } else { "" }
                    ),
                ));
            }
        }
    }
    if let (Some(span), Flavor::Local) = (workers_span, options.flavor) {
        return Err(syn::Error::new(
            span,
            format!(
                "{}: workers = N needs flavor = \"multi_thread\" (the local loop has one thread)",
                kind.attr()
            ),
        ));
    }
    Ok(options)
}

fn string_value(expr: &Expr, kind: Kind) -> syn::Result<String> {
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) => Ok(s.value()),
        other => Err(syn::Error::new(
            other.span(),
            format!("{}: expected a string literal", kind.attr()),
        )),
    }
}

/// The item as a plain function with a diverging body: emitted beside an error so that
/// the compiler reports ours and not a cascade (`main` may not be async, and so on).
fn sanitized(func: &ItemFn, kind: Kind) -> TokenStream2 {
    let mut f = func.clone();
    f.sig.asyncness = None;
    if kind == Kind::Main {
        f.sig.inputs.clear();
    }
    f.attrs.retain(|a| !a.path().is_ident("test"));
    *f.block = syn::parse_quote!({ ::core::unreachable!() });
    quote!(#f)
}

/// Emits the error beside the item, so the user sees one error, not a cascade.
fn with_error(item: TokenStream2, e: syn::Error) -> TokenStream2 {
    let err = e.to_compile_error();
    quote! { #err #item }
}
