#[corio::main(flavor = "turbo")]
async fn main() {}
