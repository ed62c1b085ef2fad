//! What a photo costs: turning a camera's 24-megapixel JPEG and a phone's 12-megapixel JPEG into
//! the stored original and its sizes (time, and the process's peak memory while doing it), and a
//! whole upload through `actions::media::upload` (processing, files, database) on SQLite.
//! Prints figures; passes or fails nothing.
//!
//! cargo bench --bench media [-- ROUNDS]

use std::io::Cursor;
use std::time::{Duration, Instant};

use image::{DynamicImage, ImageFormat, Rgb, RgbImage};
use newsroom::actions::capability::Actor;
use newsroom::actions::media::{self, Upload};
use newsroom::app::AppState;
use newsroom::config::Config;
use newsroom::content::picture::{self, Limits};

/// A photo-like picture: sky and sea gradients, soft waves and a little grain, so the encoders
/// see what they see in real photos rather than flat colour or pure noise.
fn photo(w: u32, h: u32) -> Vec<u8> {
    let mut seed = 0x2545_F491u32;
    let img = RgbImage::from_fn(w, h, |x, y| {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let grain = (seed % 17) as f32 - 8.0;
        let (fx, fy) = (x as f32 / w as f32, y as f32 / h as f32);
        let wave = ((fx * 40.0 + fy * 7.0).sin() * (fy * 25.0).cos()) * 30.0;
        let sky = fy < 0.45;
        let base = if sky {
            [90.0 + 120.0 * fy, 140.0 + 80.0 * fy, 210.0 - 20.0 * fx]
        } else {
            [20.0 + 40.0 * fx, 70.0 + 30.0 * fy, 110.0 + 40.0 * fy]
        };
        let c = |v: f32| (v + wave * if sky { 0.2 } else { 1.0 } + grain).clamp(0.0, 255.0) as u8;
        Rgb([c(base[0]), c(base[1]), c(base[2])])
    });
    let mut out = Vec::new();
    DynamicImage::ImageRgb8(img)
        .write_to(&mut Cursor::new(&mut out), ImageFormat::Jpeg)
        .expect("encode");
    out
}

/// The process's resident memory now and at its peak, in MB (Linux).
fn memory() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = |key: &str| {
        status
            .lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|n| n.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (kb("VmRSS:") / 1024.0, kb("VmHWM:") / 1024.0)
}

/// Start counting the peak again from the present (Linux: writing 5 to clear_refs).
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn summary(name: &str, mut times: Vec<Duration>) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let mean = times.iter().sum::<Duration>() / times.len() as u32;
    println!(
        "{name:<34} n={:<3} mean {:>8.1} ms   min {:>8.1} ms   max {:>8.1} ms",
        times.len(),
        ms(mean),
        ms(times[0]),
        ms(*times.last().expect("times"))
    );
}

/// `bytes` made a different file (a JPEG comment after the start marker), so it is not deduplicated.
fn distinct(bytes: &[u8], n: usize) -> Vec<u8> {
    let note = format!("bench upload {n}");
    let mut out = bytes[..2].to_vec();
    out.extend([0xFF, 0xFE]);
    out.extend(((note.len() + 2) as u16).to_be_bytes());
    out.extend(note.as_bytes());
    out.extend(&bytes[2..]);
    out
}

/// One whole upload, as the admin makes it.
async fn upload(state: &AppState, bytes: Vec<u8>, file_name: String) {
    let upload = Upload {
        bytes,
        file_name,
        text: Default::default(),
    };
    let settings = state.site().settings.clone();
    media::upload(
        state.db(),
        state.media(),
        &settings,
        &Actor::operator(),
        upload,
    )
    .await
    .expect("upload")
    .expect("taken");
}

#[tokio::main]
async fn main() {
    let rounds: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(5);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("Newsroom pictures: {rounds} rounds each, {cores} cores");
    for (name, w, h) in [
        ("camera, 24 MP (6000×4000)", 6000, 4000),
        ("phone, 12 MP (4000×3000)", 4000, 3000),
    ] {
        let bytes = photo(w, h);
        let (before, _) = memory();
        let peak_resets = reset_peak();
        let mut times = Vec::new();
        let mut stored = 0;
        for _ in 0..rounds {
            let started = Instant::now();
            let p = picture::process(&bytes, Limits::default()).expect("processed");
            times.push(started.elapsed());
            stored =
                p.original.bytes.len() + p.variants.iter().map(|v| v.bytes.len()).sum::<usize>();
        }
        let (_, peak) = memory();
        summary(&format!("process {name}"), times);
        println!(
            "{:<34} upload {:.1} MB, stored {:.1} MB in 9 files; peak memory {} MB above the {:.0} MB before",
            "",
            bytes.len() as f64 / 1e6,
            stored as f64 / 1e6,
            if peak_resets {
                format!("{:.0}", peak - before)
            } else {
                "(not measurable here)".into()
            },
            before
        );
    }

    // A whole upload: processing off the async runtime, files written and synced, the row and
    // the change log in the database.
    let dir = std::env::temp_dir().join(format!("newsroom_bench_media_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let state = AppState::open(Config::for_data(&dir, None))
        .await
        .expect("open");
    let phone = photo(4000, 3000);
    let mut times = Vec::new();
    for n in 0..rounds {
        let bytes = distinct(&phone, n);
        let started = Instant::now();
        upload(&state, bytes, format!("IMG_{n:04}.jpg")).await;
        times.push(started.elapsed());
    }
    summary("upload phone photo (SQLite, disk)", times);

    // Several reporters at once: uploads finish in about the time of one per core.
    reset_peak();
    let (before, _) = memory();
    let started = Instant::now();
    // Meanwhile a reader's request (a database read on the same runtime) every 5 ms: processing
    // runs on blocking threads, so these keep being answered.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader = {
        let (state, stop) = (state.clone(), stop.clone());
        tokio::spawn(async move {
            let mut times = Vec::new();
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let asked = Instant::now();
                newsroom::db::article::count(state.db(), "post")
                    .await
                    .expect("read");
                times.push(asked.elapsed());
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            times
        })
    };
    let uploads = (0..cores * 2).map(|n| {
        let (state, bytes) = (state.clone(), distinct(&phone, 1000 + n));
        tokio::spawn(async move { upload(&state, bytes, format!("together_{n}.jpg")).await })
    });
    for u in uploads.collect::<Vec<_>>() {
        u.await.expect("join");
    }
    let elapsed = started.elapsed();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let reads = reader.await.expect("reader");
    println!(
        "{:<34} {} at once in {:.1} ms: {:.2} photos/s; peak memory {:.0} MB above the {:.0} MB before",
        "upload phone photos together",
        cores * 2,
        elapsed.as_secs_f64() * 1000.0,
        (cores * 2) as f64 / elapsed.as_secs_f64(),
        memory().1 - before,
        before
    );
    summary("  a database read meanwhile", reads);
    state.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}
