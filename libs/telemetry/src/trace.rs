//! Trace context of spans: the trace id that log lines, the gateway's `x-trace-id` header and
//! the W3C `traceparent` passed between services share.
//!
//! When spans are exported, the OpenTelemetry layer owns the ids. When nothing exports them,
//! [`IdLayer`] gives each span a trace id (its parent's, or a new one for a root) and a span
//! id, and nothing else: building OpenTelemetry spans that are thrown away at close was the
//! largest cost of tracing on the busiest routes (docs/benchmarks.md). The functions here
//! read whichever of the two is installed.

use std::{
    collections::HashMap,
    fmt,
    num::{NonZeroU64, NonZeroU128},
};

use opentelemetry::trace::TraceContextExt as _;
use tracing::{Span, span};
use tracing_opentelemetry::OpenTelemetrySpanExt as _;
use tracing_subscriber::{Layer, Registry, layer::Context, registry::LookupSpan};

/// The ids of one span in a trace, as a W3C `traceparent` carries them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceParent {
    /// Shared by every span of the trace.
    pub trace_id: u128,
    /// This span's own id.
    pub span_id: u64,
    /// W3C trace flags; bit 0 means the caller samples the trace.
    pub flags: u8,
}

impl TraceParent {
    /// Reads a version-00 `traceparent` header value. All-zero ids are invalid per the W3C
    /// specification, and so are upper-case hex digits and other versions' longer values.
    pub fn parse(value: &str) -> Option<Self> {
        let mut parts = value.trim().split('-');
        let (version, trace, span, flags) =
            (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || version != "00" {
            return None;
        }
        let trace_id = lower_hex(trace, 32).and_then(|hex| u128::from_str_radix(hex, 16).ok())?;
        let span_id = lower_hex(span, 16).and_then(|hex| u64::from_str_radix(hex, 16).ok())?;
        let flags = lower_hex(flags, 2).and_then(|hex| u8::from_str_radix(hex, 16).ok())?;
        (trace_id != 0 && span_id != 0).then_some(Self {
            trace_id,
            span_id,
            flags,
        })
    }

    /// The trace id as 32 lower-case hex digits.
    pub fn trace_id_hex(&self) -> String {
        format!("{:032x}", self.trace_id)
    }
}

fn lower_hex(text: &str, len: usize) -> Option<&str> {
    (text.len() == len && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
        .then_some(text)
}

impl fmt::Display for TraceParent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "00-{:032x}-{:016x}-{:02x}",
            self.trace_id, self.span_id, self.flags
        )
    }
}

/// Sampled, as the OpenTelemetry SDK's default sampler marks the traces it starts.
const SAMPLED: u8 = 1;

/// Gives every span a [`TraceParent`] in its extensions: a child shares its parent's trace
/// id, a root starts a new trace.
#[derive(Debug, Default, Clone, Copy)]
pub struct IdLayer;

impl<S> Layer<S> for IdLayer
where
    S: tracing::Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, _attrs: &span::Attributes<'_>, id: &span::Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let inherited = span
            .parent()
            .and_then(|parent| parent.extensions().get::<TraceParent>().copied());
        let ids = TraceParent {
            trace_id: inherited.map_or_else(new_trace_id, |parent| parent.trace_id),
            span_id: new_span_id(),
            flags: inherited.map_or(SAMPLED, |parent| parent.flags),
        };
        span.extensions_mut().insert(ids);
    }
}

fn new_trace_id() -> u128 {
    rand::random::<NonZeroU128>().get()
}

fn new_span_id() -> u64 {
    rand::random::<NonZeroU64>().get()
}

/// Runs `f` on the stored data of `span`, if the registry holds it (every subscriber this
/// crate installs is built on one).
fn with_span_data<T>(
    span: &Span,
    f: impl FnOnce(&tracing_subscriber::registry::SpanRef<'_, Registry>) -> Option<T>,
) -> Option<T> {
    span.with_subscriber(|(id, dispatch)| {
        let registry = dispatch.downcast_ref::<Registry>()?;
        f(&registry.span(id)?)
    })
    .flatten()
}

/// The ids [`IdLayer`] gave `span`, if that layer is installed.
fn own_ids(span: &Span) -> Option<TraceParent> {
    with_span_data(span, |data| data.extensions().get::<TraceParent>().copied())
}

/// The trace context of `span`, from whichever layer gives spans ids; `None` when neither
/// is installed (or the span is disabled).
pub fn trace_parent(span: &Span) -> Option<TraceParent> {
    if let Some(ids) = own_ids(span) {
        return Some(ids);
    }
    let context = span.context();
    let otel_span = context.span();
    let span_context = otel_span.span_context();
    span_context.is_valid().then(|| TraceParent {
        trace_id: u128::from_be_bytes(span_context.trace_id().to_bytes()),
        span_id: u64::from_be_bytes(span_context.span_id().to_bytes()),
        flags: span_context.trace_flags().to_u8(),
    })
}

/// The trace id of `span` in hex.
pub fn trace_id(span: &Span) -> Option<String> {
    trace_parent(span).map(|ids| ids.trace_id_hex())
}

/// Makes `span` part of the trace a caller sent in `traceparent` (its own span id stays).
/// An invalid value is ignored: the span keeps the new trace it started. Call it before
/// `span` has children.
pub fn continue_trace(span: &Span, traceparent: &str) {
    let Some(remote) = TraceParent::parse(traceparent) else {
        return;
    };
    let adopted = with_span_data(span, |data| {
        let mut extensions = data.extensions_mut();
        let ids = extensions.get_mut::<TraceParent>()?;
        ids.trace_id = remote.trace_id;
        // Only the flags this version defines go on; unknown bits are not ours to pass.
        ids.flags = remote.flags & SAMPLED;
        Some(())
    });
    if adopted.is_none() {
        let carrier = HashMap::from([("traceparent".to_owned(), remote.to_string())]);
        let parent = opentelemetry::global::get_text_map_propagator(|propagator| {
            propagator.extract(&carrier)
        });
        // Fails only when no OpenTelemetry layer is installed either: nothing to join.
        let _ = span.set_parent(parent);
    }
}

#[cfg(test)]
mod tests {
    use tracing_subscriber::layer::SubscriberExt as _;

    use super::*;

    const SENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    fn with_ids<T>(f: impl FnOnce() -> T) -> T {
        let subscriber = tracing_subscriber::registry().with(IdLayer);
        tracing::subscriber::with_default(subscriber, f)
    }

    #[test]
    fn a_traceparent_reads_back_as_written() {
        let parsed = TraceParent::parse(SENT).expect("valid");

        assert_eq!(parsed.trace_id_hex(), "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_eq!(parsed.span_id, 0x00f0_67aa_0ba9_02b7);
        assert_eq!(parsed.flags, 1);
        assert_eq!(parsed.to_string(), SENT);
    }

    #[test]
    fn malformed_traceparents_are_refused() {
        for value in [
            "",
            "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
            "00-+bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        ] {
            assert_eq!(TraceParent::parse(value), None, "{value:?}");
        }
    }

    #[test]
    fn children_share_the_trace_of_their_parent_and_roots_start_new_ones() {
        let (parent, child, other) = with_ids(|| {
            let parent = tracing::info_span!("parent");
            let child = parent.in_scope(|| tracing::info_span!("child"));
            let other = tracing::info_span!("other");
            (
                trace_parent(&parent).expect("ids"),
                trace_parent(&child).expect("ids"),
                trace_parent(&other).expect("ids"),
            )
        });

        assert_eq!(child.trace_id, parent.trace_id);
        assert_ne!(child.span_id, parent.span_id);
        assert_ne!(other.trace_id, parent.trace_id);
        assert_eq!(parent.flags, SAMPLED);
    }

    #[test]
    fn a_continued_span_and_its_children_join_the_callers_trace() {
        let (span, child) = with_ids(|| {
            let span = tracing::info_span!("server");
            continue_trace(&span, SENT);
            let child = span.in_scope(|| tracing::info_span!("handler"));
            (
                trace_parent(&span).expect("ids"),
                trace_parent(&child).expect("ids"),
            )
        });

        assert_eq!(span.trace_id_hex(), "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_eq!(child.trace_id, span.trace_id);
        assert_ne!(span.span_id, 0x00f0_67aa_0ba9_02b7);
    }

    #[test]
    fn an_invalid_traceparent_leaves_the_new_trace_alone() {
        let (before, after) = with_ids(|| {
            let span = tracing::info_span!("server");
            let before = trace_parent(&span).expect("ids");
            continue_trace(&span, "00-zz-00f067aa0ba902b7-01");
            (before, trace_parent(&span).expect("ids"))
        });

        assert_eq!(after, before);
    }

    #[test]
    fn without_a_layer_that_gives_ids_there_is_no_trace() {
        let subscriber = tracing_subscriber::registry();
        let ids = tracing::subscriber::with_default(subscriber, || {
            trace_parent(&tracing::info_span!("alone"))
        });

        assert_eq!(ids, None);
    }
}
