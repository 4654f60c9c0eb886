//! asyncio's hello world: `asyncio.run(main())`.
//!
//! ```python
//! async def main():
//!     print("Hello ...")
//!     await asyncio.sleep(0)
//!     print("... World!")
//!
//! asyncio.run(main())
//! ```

#[corio::main]
async fn main() {
    println!("Hello ...");
    corio::yield_now().await; // give the loop one turn, like asyncio.sleep(0)
    println!("... World!");
}
