#[corio::main]
async fn start() {}

fn main() {}
