//! The gRPC contracts of the mesh, one module per versioned package (`anb.<service>.v1`).
//! Servers register [`FILE_DESCRIPTOR_SET`] with gRPC reflection so `grpcurl` can list and
//! describe every method without the `.proto` files.
#![allow(missing_docs, clippy::all)]

/// `anb.auth.v1`: accounts, log-in, token signing keys.
pub mod auth {
    pub mod v1 {
        tonic::include_proto!("anb.auth.v1");
    }
}

/// `anb.videos.v1`: video records and uploads.
pub mod videos {
    pub mod v1 {
        tonic::include_proto!("anb.videos.v1");
    }
}

/// `anb.votes.v1`: votes and rankings.
pub mod votes {
    pub mod v1 {
        tonic::include_proto!("anb.votes.v1");
    }
}

/// `anb.transcoder.v1`: the operator API of the processing pipeline.
pub mod transcoder {
    pub mod v1 {
        tonic::include_proto!("anb.transcoder.v1");
    }
}

/// Encoded descriptors of every package, for gRPC reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] = tonic::include_file_descriptor_set!("anb_descriptor");
