//! asyncio's async generators and `async for`, in corio: a paginated API consumed as it
//! arrives, fetched with a concurrency limit, and a real-time feed batched by size or time.
//!
//! Run with `cargo run --example async_generators`.

use std::pin::pin;
use std::time::Duration;

use corio::StreamExt;
use corio::stream::interval_stream;

/// Stand-in for an HTTP call returning one page of ids, `None` after the last page.
async fn fetch_page(page: u32) -> Option<Vec<u32>> {
    corio::sleep(Duration::from_millis(20)).await;
    (page < 3).then(|| (0..4).map(|i| page * 100 + i).collect())
}

/// Stand-in for fetching one item's details.
async fn fetch_item(id: u32) -> String {
    corio::sleep(Duration::from_millis(5 + u64::from(id % 7))).await;
    format!("item #{id}")
}

fn main() {
    corio::run(async {
        // `async def ids(): ... yield id` — pages are fetched only as the consumer needs them.
        let ids = corio::generate(|co| async move {
            let mut page = 0;
            while let Some(batch) = fetch_page(page).await {
                for id in batch {
                    co.yield_(id).await;
                }
                page += 1;
            }
        });

        // The web-scraping pattern: at most 4 detail requests in flight.
        let mut details = pin!(ids.map(fetch_item).buffer_unordered(4));
        while let Some(d) = details.next().await {
            println!("got {d}");
        }

        // A real-time feed, written out in batches of 5 or every 50 ms.
        let feed = interval_stream(Duration::from_millis(12))
            .enumerate()
            .map(|(n, _)| n)
            .take(12);
        let mut batches = pin!(feed.chunks_timeout(5, Duration::from_millis(50)));
        while let Some(batch) = batches.next().await {
            println!("write {batch:?}");
        }
    });
}
