//! The baseline of `scripts/bench-votes`: a bare hyper server that answers every request with
//! the bytes of one file as `application/json`, so the gateway's GET rankings can be compared
//! with the cheapest server that returns the same body.
//!
//! Usage: `bare_bytes <127.0.0.1:port> <body file>`

use std::{convert::Infallible, net::SocketAddr};

use anyhow::Context as _;
use bytes::Bytes;
use http_body_util::Full;
use hyper::{Request, Response, header, service::service_fn};
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpListener;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let address: SocketAddr = args
        .next()
        .context("usage: bare_bytes <address> <body file>")?
        .parse()?;
    let body = Bytes::from(std::fs::read(args.next().context("missing body file")?)?);
    let listener = TcpListener::bind(address).await?;

    loop {
        let (stream, _) = listener.accept().await?;
        let body = body.clone();
        let service = service_fn(move |_: Request<hyper::body::Incoming>| {
            let response = Response::builder()
                .header(header::CONTENT_TYPE, "application/json")
                .body(Full::new(body.clone()))
                .expect("static headers are valid");
            async move { Ok::<_, Infallible>(response) }
        });
        tokio::spawn(async move {
            let builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
            let _ = builder
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
