//! Prints the caller's email and the names of its API keys, with an operation this crate
//! keeps in `graphql/my_key_names.graphql`.
//!
//! ```text
//! LABELBOX_API_KEY=... cargo run -p labelbox-example-consumer
//! ```
//! (`LABELBOX_ENDPOINT` points it at another server, for example `labelbox emulator`.)

use labelbox_example_consumer::key_names;
use labelbox_sdk::Client;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::from_env()?;
    match key_names(&client).await? {
        Some(user) => {
            println!("{}", user.email);
            for key in user.api_keys {
                println!("  {}  {}", key.id, key.name);
            }
        }
        None => println!("the server returned no user"),
    }
    Ok(())
}
