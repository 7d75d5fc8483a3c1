//! What stops a run from outside: SIGINT (Ctrl-C), SIGTERM (what Slurm, Kubernetes, systemd and
//! `timeout` send before they kill) and SIGHUP (a closed terminal) all save a checkpoint and stop;
//! a second signal exits at once, removing the run's scratch files first. The exit code says which signal stopped the run (128 + its
//! number: 130, 143, 129), as a shell reports a process killed by it.

use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::{Arc, OnceLock};

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

/// The signal that asked the run to stop.
static STOPPED_BY: AtomicI32 = AtomicI32::new(SIGINT);

/// Set by the first of the signals (the run saves a checkpoint and stops); one listener per
/// process, shared by every run a sweep makes.
pub fn stop_flag() -> Arc<AtomicBool> {
    static FLAG: OnceLock<Arc<AtomicBool>> = OnceLock::new();
    FLAG.get_or_init(|| {
        let flag = Arc::new(AtomicBool::new(false));
        match Signals::new([SIGINT, SIGTERM, SIGHUP]) {
            Ok(mut signals) => {
                let seen = flag.clone();
                std::thread::spawn(move || {
                    for signal in signals.forever() {
                        let name = name(signal);
                        if seen.swap(true, Ordering::SeqCst) {
                            eprintln!("\nsecond {name}: stopping without saving");
                            // Exiting runs no destructors: the scratch goes first.
                            wordvec::files::remove_scratch();
                            std::process::exit(128 + signal);
                        }
                        STOPPED_BY.store(signal, Ordering::SeqCst);
                        eprintln!(
                            "\n{name}: saving a checkpoint, then stopping (send it again to abort)"
                        );
                    }
                });
            }
            Err(e) => eprintln!("warning: a signal will not save a checkpoint: {e}"),
        }
        flag
    })
    .clone()
}

/// The exit code of a run that a signal stopped (after its checkpoint): 128 + the signal.
pub fn stopped_exit_code() -> i32 {
    128 + STOPPED_BY.load(Ordering::SeqCst)
}

fn name(signal: i32) -> &'static str {
    match signal {
        SIGINT => "Ctrl-C (SIGINT)",
        SIGTERM => "SIGTERM",
        SIGHUP => "SIGHUP",
        _ => "a signal",
    }
}
