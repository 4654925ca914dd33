//! Prints the client source generated from an OpenAPI document: `cargo run -p kajabi-codegen --example dump -- openapi.yaml`.
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: dump <openapi.yaml>")?;
    print!(
        "{}",
        kajabi_codegen::generate_from_yaml(&std::fs::read_to_string(path)?)?
    );
    Ok(())
}
