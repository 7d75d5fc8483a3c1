//! `serve`: the page and JSON API over vectors files and runs (see `wordvec::serve`).

use std::io::Write;
use std::net::IpAddr;
use std::path::PathBuf;

use clap::Args;
use wordvec::serve::{ServeOptions, Server};

#[derive(Args)]
pub struct ServeArgs {
    /// Run folders (their vectors and metrics), sweep folders (each of their runs) and
    /// vectors files (word2vec binary ones are memory-mapped, so big files open at once).
    #[arg(required = true, num_args = 1..)]
    paths: Vec<PathBuf>,
    /// Port to listen on (0: any free one; the address is printed).
    #[arg(long, default_value_t = 8000)]
    port: u16,
    /// Address to listen on. Anything but loopback lets other machines read the vectors.
    #[arg(long, default_value = "127.0.0.1")]
    address: IpAddr,
    /// Requests answered at once.
    #[arg(long, default_value_t = 4)]
    threads: usize,
}

pub fn run(args: ServeArgs) -> anyhow::Result<()> {
    if !args.address.is_loopback() {
        eprintln!(
            "warning: listening on {}, not loopback: anyone who can reach this machine can query these vectors and read the runs' settings",
            args.address
        );
    }
    let server = Server::open(&ServeOptions {
        paths: args.paths,
        address: args.address,
        port: args.port,
        threads: args.threads,
    })?;
    let catalog = server.catalog();
    eprintln!(
        "serving {} vectors file(s) and {} run(s); Ctrl-C stops",
        catalog.models.len(),
        catalog.runs.runs.len()
    );
    let mut out = std::io::stdout();
    writeln!(out, "http://{}/", server.address())?;
    out.flush()?;
    server.run();
    Ok(())
}
