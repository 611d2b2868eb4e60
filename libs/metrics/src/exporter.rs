//! The scrape endpoint: `GET /metrics` in the Prometheus text format, on its own listener.

use std::{future::Future, net::SocketAddr, pin::Pin, sync::Arc, time::Duration};

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode, header};
use http_body_util::Full;
use hyper::{body::Incoming, service::service_fn};
use hyper_util::rt::{TokioIo, TokioTimer};
use prometheus::{Encoder as _, TextEncoder};
use tokio::net::TcpListener;

/// Work done before each scrape, for values read from elsewhere rather than counted as they
/// happen (the transcoder's queue depth lives in Redis).
pub type Refresh = Arc<dyn Fn() -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

/// A scrape must answer even when a refresh hangs on an unreachable dependency; the last
/// values are served then.
const REFRESH_LIMIT: Duration = Duration::from_secs(2);
/// A scraper that opens a connection and sends nothing must not hold it forever.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Binds `address` and serves the metrics on it in the background for the life of the
/// process, running `refresh` before each scrape. Returns the bound address (useful with
/// port 0).
///
/// # Errors
/// When `address` cannot be bound.
pub async fn start(address: SocketAddr, refresh: Option<Refresh>) -> std::io::Result<SocketAddr> {
    let listener = TcpListener::bind(address).await?;
    let bound = listener.local_addr()?;
    tracing::info!(address = %bound, "metrics listening");
    tokio::spawn(accept(listener, refresh));
    Ok(bound)
}

/// Everything in the process registry, in the Prometheus text format.
pub fn render() -> String {
    let mut text = Vec::new();
    TextEncoder::new()
        .encode(&prometheus::gather(), &mut text)
        .expect("the text encoder writes only to memory and our metric names are valid");
    String::from_utf8(text).expect("the text format is UTF-8")
}

async fn accept(listener: TcpListener, refresh: Option<Refresh>) {
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(err) => {
                // Running out of file descriptors must not spin the loop.
                tracing::warn!(error = %err, "metrics: cannot accept a connection");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let refresh = refresh.clone();
        let service = service_fn(move |request| respond(request, refresh.clone()));
        tokio::spawn(async move {
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT)
                .serve_connection(TokioIo::new(stream), service);
            if let Err(err) = connection.await {
                tracing::debug!(error = %err, "metrics connection ended with an error");
            }
        });
    }
}

async fn respond(
    request: Request<Incoming>,
    refresh: Option<Refresh>,
) -> Result<Response<Full<Bytes>>, std::convert::Infallible> {
    if request.method() != Method::GET || request.uri().path() != "/metrics" {
        return Ok(plain(
            StatusCode::NOT_FOUND,
            "only GET /metrics is served here\n",
        ));
    }
    if let Some(refresh) = refresh
        && tokio::time::timeout(REFRESH_LIMIT, refresh())
            .await
            .is_err()
    {
        tracing::warn!(
            limit_ms = REFRESH_LIMIT.as_millis() as u64,
            "metrics refresh took too long; serving the last values"
        );
    }

    let mut response = plain(StatusCode::OK, render());
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    Ok(response)
}

fn plain(status: StatusCode, body: impl Into<Bytes>) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = status;
    response
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU64, Ordering};

    use super::*;

    static REFRESHES: AtomicU64 = AtomicU64::new(0);

    #[tokio::test]
    async fn scrape_serves_registered_metrics_after_refreshing_them() {
        let counter = crate::counter("anb_test_scrapes_total", "a test counter");
        counter.inc_by(3);
        let refresh: Refresh = Arc::new(|| {
            Box::pin(async {
                REFRESHES.fetch_add(1, Ordering::SeqCst);
            })
        });
        let address = start(
            "127.0.0.1:0".parse().expect("a literal address"),
            Some(refresh),
        )
        .await
        .expect("port 0 binds");

        let body = reqwest::get(format!("http://{address}/metrics"))
            .await
            .expect("the endpoint answers")
            .text()
            .await
            .expect("a text body");
        let other = reqwest::get(format!("http://{address}/other"))
            .await
            .expect("the endpoint answers");

        assert!(body.contains("anb_test_scrapes_total 3\n"), "{body}");
        assert_eq!(REFRESHES.load(Ordering::SeqCst), 1);
        assert_eq!(other.status(), reqwest::StatusCode::NOT_FOUND);
    }
}
