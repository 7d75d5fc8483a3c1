//! `wordvec serve`: one page and a small JSON API over vectors files and runs — neighbours,
//! analogies, maps, two models side by side, runs' curves — for a browser on this machine.
//! The page is embedded in the binary (no build step, nothing fetched at run time); the server
//! listens on loopback unless told otherwise.

mod api;
mod catalog;
mod params;
mod tsne;

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use tiny_http::{Header, Method, Request, Response};

pub use catalog::{Catalog, ServedVectors};

use crate::error::{Error, Result};
use params::{ApiError, Params};

/// Where to listen and what to serve.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Run folders, sweep folders and vectors files.
    pub paths: Vec<PathBuf>,
    pub address: IpAddr,
    /// 0: any free port (the chosen one is in [`Server::address`]).
    pub port: u16,
    /// Requests answered at once.
    pub threads: usize,
}

/// The page's files, compiled in.
const PAGE: [(&str, &str, &str); 3] = [
    (
        "/",
        "text/html; charset=utf-8",
        include_str!("page/index.html"),
    ),
    (
        "/app.js",
        "text/javascript; charset=utf-8",
        include_str!("page/app.js"),
    ),
    (
        "/style.css",
        "text/css; charset=utf-8",
        include_str!("page/style.css"),
    ),
];

/// A server that has opened what it serves and is listening.
pub struct Server {
    http: Arc<tiny_http::Server>,
    catalog: Arc<Catalog>,
    threads: usize,
}

impl Server {
    /// Opens every path and starts listening (nothing is answered before [`Server::run`]).
    pub fn open(options: &ServeOptions) -> Result<Server> {
        let catalog = Catalog::open(&options.paths)?;
        let address = SocketAddr::new(options.address, options.port);
        let http = tiny_http::Server::http(address).map_err(|e| Error::Listen {
            address: address.to_string(),
            message: e.to_string(),
        })?;
        Ok(Server {
            http: Arc::new(http),
            catalog: Arc::new(catalog),
            threads: options.threads.max(1),
        })
    }

    /// The address it listens on (the port chosen when asked for 0).
    pub fn address(&self) -> SocketAddr {
        self.http
            .server_addr()
            .to_ip()
            .expect("an HTTP server listens on an IP address")
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// Answers requests until the process ends.
    pub fn run(self) {
        let workers: Vec<_> = (0..self.threads)
            .map(|_| {
                let (http, catalog) = (Arc::clone(&self.http), Arc::clone(&self.catalog));
                std::thread::spawn(move || {
                    for request in http.incoming_requests() {
                        respond(&catalog, request);
                    }
                })
            })
            .collect();
        for worker in workers {
            let _ = worker.join();
        }
    }
}

fn respond(catalog: &Catalog, request: Request) {
    let (status, content_type, body) = match request.method() {
        Method::Get | Method::Head => {
            // A panic in a query is a 500 for that request, never the end of the server.
            let url = request.url().to_string();
            std::panic::catch_unwind(|| route(catalog, &url)).unwrap_or_else(|_| {
                error_body(ApiError {
                    status: 500,
                    message: format!("internal error answering {url}"),
                })
            })
        }
        other => error_body(ApiError {
            status: 405,
            message: format!("{other} is not answered here: the page and the API take GET"),
        }),
    };
    let header = Header::from_bytes("Content-Type", content_type).expect("a valid header");
    let response = Response::from_data(body)
        .with_status_code(status)
        .with_header(header)
        .with_header(Header::from_bytes("Cache-Control", "no-store").expect("a valid header"));
    // A client that went away is no concern of the others.
    let _ = request.respond(response);
}

/// Status, content type and body for a GET of `url`.
fn route(catalog: &Catalog, url: &str) -> (u16, &'static str, Vec<u8>) {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    if let Some(endpoint) = path.strip_prefix("/api/") {
        return match api::answer(catalog, endpoint, &Params::parse(query)) {
            Ok(value) => (
                200,
                "application/json; charset=utf-8",
                value.to_string().into_bytes(),
            ),
            Err(e) => error_body(e),
        };
    }
    match PAGE.iter().find(|(p, _, _)| *p == path) {
        Some((_, content_type, text)) => (200, content_type, text.as_bytes().to_vec()),
        None => error_body(ApiError::not_found(format!(
            "no page at {path}: the page is at / and the API under /api/"
        ))),
    }
}

fn error_body(e: ApiError) -> (u16, &'static str, Vec<u8>) {
    let body = serde_json::json!({ "error": e.message });
    (
        e.status,
        "application/json; charset=utf-8",
        body.to_string().into_bytes(),
    )
}
