#[corio::main]
async fn main(_argc: i32) {}
