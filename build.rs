// The migrations are embedded in the binary (`embed_migrations!`): a new or edited migration
// must rebuild it, though no Rust file changed.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
