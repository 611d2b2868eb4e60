use std::{env, path::PathBuf};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out_dir = PathBuf::from(env::var("OUT_DIR")?);
    let protos = [
        "anb/auth/v1/auth.proto",
        "anb/videos/v1/videos.proto",
        "anb/votes/v1/votes.proto",
        "anb/transcoder/v1/transcoder.proto",
    ];

    tonic_prost_build::configure()
        .file_descriptor_set_path(out_dir.join("anb_descriptor.bin"))
        .compile_protos(&protos, &["."])?;

    for proto in protos {
        println!("cargo:rerun-if-changed={proto}");
    }
    Ok(())
}
