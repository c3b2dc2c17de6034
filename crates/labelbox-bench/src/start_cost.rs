//! `labelbox-bench start-cost`: what one in-process emulator costs a test, start and
//! shutdown, the figure the README's testing section quotes.

use std::time::{Duration, Instant};

use labelbox_emulator::{Emulator, EmulatorConfig};

use crate::stats;

/// Starts and stops `starts` emulators one after another on a two-worker runtime (as a
/// `#[tokio::test(flavor = "multi_thread")]` would) and prints the medians. The first start
/// of the process (the schema parsed for the first time) is reported on its own.
pub fn run(starts: usize) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("runtime: {e}"))?;
    runtime.block_on(async {
        let mut first = None;
        let (mut start_ms, mut stop_ms) = (Vec::new(), Vec::new());
        for _ in 0..=starts {
            let started = Instant::now();
            let emulator = Emulator::start(EmulatorConfig::default())
                .await
                .map_err(|e| format!("the emulator did not start: {e}"))?;
            let start = started.elapsed();
            let stopping = Instant::now();
            emulator.shutdown().await;
            let stop = stopping.elapsed();
            if first.is_none() {
                first = Some(start);
                continue;
            }
            start_ms.push(ms(start));
            stop_ms.push(ms(stop));
        }
        println!(
            "emulator start: median {:.2} ms over {starts} starts (first start in the process: \
             {:.2} ms); shutdown: median {:.2} ms",
            stats::median(&start_ms),
            ms(first.unwrap_or_default()),
            stats::median(&stop_ms),
        );
        Ok(())
    })
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}
