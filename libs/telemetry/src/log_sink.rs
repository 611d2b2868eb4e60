//! Where log lines go: standard output, gathered in memory and written when the buffer
//! fills or every 50 ms. A busy gateway logs a line per request; one system call per line,
//! or a wake-up of a writer thread per line, cost it more than routing the request.
//! A process killed outright loses at most the last 50 ms of lines.

use std::{
    fs::File,
    io::{self, BufWriter, Write},
    os::fd::AsFd as _,
    sync::{Arc, Mutex, MutexGuard, PoisonError, mpsc},
    thread::JoinHandle,
    time::Duration,
};

use tracing_subscriber::fmt::MakeWriter;

/// Longest a line waits in memory.
const FLUSH_EVERY: Duration = Duration::from_millis(50);
/// Bytes gathered before a write happens regardless of time.
const BUFFER_BYTES: usize = 64 * 1024;

/// The shared buffer in front of standard output; cloning shares it.
#[derive(Clone)]
pub(crate) struct LogSink(Arc<Mutex<BufWriter<File>>>);

/// Stops the flushing thread and writes what is left when dropped.
pub(crate) struct LogFlusher {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
    sink: LogSink,
}

/// Opens the sink and starts its flushing thread.
pub(crate) fn stdout_sink() -> io::Result<(LogSink, LogFlusher)> {
    // A duplicate of the descriptor, because `Stdout` itself flushes at every newline.
    let stdout = File::from(io::stdout().as_fd().try_clone_to_owned()?);
    let sink = LogSink(Arc::new(Mutex::new(BufWriter::with_capacity(
        BUFFER_BYTES,
        stdout,
    ))));
    let (stop, stopped) = mpsc::channel::<()>();
    let flushed = sink.clone();
    let thread = std::thread::Builder::new()
        .name("anb-log-flush".to_owned())
        .spawn(move || {
            while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(FLUSH_EVERY) {
                let _ = flushed.lock().flush();
            }
        })?;
    Ok((
        sink.clone(),
        LogFlusher {
            stop: Some(stop),
            thread: Some(thread),
            sink,
        },
    ))
}

impl LogSink {
    fn lock(&self) -> MutexGuard<'_, BufWriter<File>> {
        // A panic while holding the lock can at worst leave half a line in the buffer.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for LogFlusher {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        let _ = self.sink.lock().flush();
    }
}

/// One log line being written into the buffer.
pub(crate) struct LogLine<'a>(MutexGuard<'a, BufWriter<File>>);

impl Write for LogLine<'_> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0.write(bytes)
    }

    // Lines leave with the buffer, not one by one.
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for LogSink {
    type Writer = LogLine<'a>;

    fn make_writer(&'a self) -> Self::Writer {
        LogLine(self.lock())
    }
}
