// The embedded registry and seeds come from these directories; cargo cannot see
// files a proc-macro reads, so without this an edited migration would not rebuild.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=seeds");
}
