//! `#[corio::main]` and `#[corio::test]`: what they run, and their misuse errors.

#[corio::test]
async fn test_macro_runs_the_body_on_a_corio_loop() {
    assert!(corio::in_loop());
    let t = corio::spawn(async { 40 + 2 });
    assert_eq!(t.await.unwrap(), 42);
}

#[corio::test(flavor = "local")]
async fn test_macro_accepts_the_local_flavor() {
    corio::yield_now().await;
}

#[corio::test]
async fn test_macro_passes_the_return_value_through() -> Result<(), String> {
    corio::yield_now().await;
    Ok(())
}

#[corio::test]
#[should_panic(expected = "failing on purpose")]
async fn test_macro_reports_a_panicking_body_as_a_failed_test() {
    panic!("failing on purpose");
}

#[test]
fn misuse_of_the_macros_is_a_clear_compile_error() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}

#[corio::test(flavor = "multi_thread", workers = 2)]
async fn test_macro_runs_on_the_multi_thread_executor() {
    let worker = corio::spawn_send(async { std::thread::current().name().map(str::to_owned) })
        .await
        .unwrap()
        .unwrap();
    assert!(worker.starts_with("corio-worker"), "{worker}");
}

#[corio::test(start_paused = true)]
async fn test_macro_start_paused_runs_on_virtual_time() {
    let t0 = corio::clock::now();
    let wall = std::time::Instant::now();
    corio::sleep(std::time::Duration::from_secs(3600)).await;
    assert_eq!(
        corio::clock::now() - t0,
        std::time::Duration::from_secs(3600)
    );
    assert!(wall.elapsed() < std::time::Duration::from_secs(5));
}
