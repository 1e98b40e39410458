//! The listener loop shared by the emulator and the AWS proxy, and [`EmulatorHandle`], which
//! runs either on a private tokio runtime for synchronous tests.

use std::future::Future;
use std::net::SocketAddr;

use anyhow::Context;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::Request;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::{JoinHandle, JoinSet};

use super::http::{Dropped, Resp};

/// A running HTTP/1 server: accept loop plus one task per connection.
pub(crate) struct ServerTask {
    addr: SocketAddr,
    stop: oneshot::Sender<()>,
    join: JoinHandle<()>,
}

impl ServerTask {
    /// Binds `bind` and serves every connection with `handler`.
    pub(crate) async fn spawn<H, F>(bind: SocketAddr, handler: H) -> anyhow::Result<ServerTask>
    where
        H: Fn(Request<Incoming>) -> F + Clone + Send + Sync + 'static,
        F: Future<Output = Result<Resp, Dropped>> + Send + 'static,
    {
        let listener = TcpListener::bind(bind)
            .await
            .with_context(|| format!("cannot listen on {bind}"))?;
        let addr = listener
            .local_addr()
            .context("listener has no local address")?;
        let (stop, mut stopped) = oneshot::channel::<()>();
        let join = tokio::spawn(async move {
            let mut conns = JoinSet::new();
            loop {
                tokio::select! {
                    _ = &mut stopped => break,
                    accepted = listener.accept() => match accepted {
                        Ok((stream, _)) => {
                            let handler = handler.clone();
                            conns.spawn(async move {
                                let svc = service_fn(handler);
                                // An error here is a client hang-up or an injected drop: nothing to do.
                                let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), svc).await;
                            });
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, "accept failed");
                            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                        }
                    },
                    Some(_) = conns.join_next(), if !conns.is_empty() => {}
                }
            }
            // Tests are done with us: cut open connections rather than wait for idle keep-alives.
            conns.shutdown().await;
        });
        Ok(ServerTask { addr, stop, join })
    }

    /// `http://IP:PORT` of the listener.
    pub(crate) fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting, closes every connection and waits for the loop to end.
    pub(crate) async fn shutdown(self) {
        let _ = self.stop.send(());
        let _ = self.join.await;
    }
}

/// An emulator (or AWS proxy) running on its own thread and tokio runtime, for plain `#[test]`
/// functions. Dropping it stops the server and joins the thread.
pub struct EmulatorHandle {
    base_url: String,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl EmulatorHandle {
    /// Runs `start` on a new thread with a two-worker runtime and waits until it is listening.
    pub(crate) fn spawn<R, S, F>(start: S) -> anyhow::Result<EmulatorHandle>
    where
        R: Into<ServerTask>,
        S: FnOnce() -> F + Send + 'static,
        F: Future<Output = anyhow::Result<R>>,
    {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<anyhow::Result<String>>();
        let (stop, stopped) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("gcoauth-emulator".into())
            .spawn(move || {
                let rt = match tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        let _ = ready_tx.send(Err(
                            anyhow::Error::new(e).context("cannot build tokio runtime")
                        ));
                        return;
                    }
                };
                rt.block_on(async move {
                    match start().await {
                        Ok(server) => {
                            let server: ServerTask = server.into();
                            let _ = ready_tx.send(Ok(server.base_url()));
                            let _ = stopped.await;
                            server.shutdown().await;
                        }
                        Err(e) => {
                            let _ = ready_tx.send(Err(e));
                        }
                    }
                });
            })
            .context("cannot spawn the server thread")?;
        let base_url = ready_rx
            .recv()
            .context("server thread ended before it started listening")??;
        Ok(EmulatorHandle {
            base_url,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }
}

impl Drop for EmulatorHandle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
