//! The demo's pictures, drawn by the project itself (so they are free to use, with no one's
//! rights to clear): simple illustrations in the mood of each demo story, 1200 × 675 JPEGs that go
//! through the same upload pipeline as any photograph.

use std::collections::HashMap;
use std::f32::consts::PI;
use std::io::Cursor;
use std::sync::{Arc, Mutex, OnceLock};

use image::{DynamicImage, ImageFormat, Rgb, RgbImage};

use crate::content::picture::{self, Limits, Processed, Refusal};

/// Width and height of a demo picture.
const W: u32 = 1200;
const H: u32 = 675;

/// A scene a demo article's picture shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scene {
    Waterfront,
    Library,
    Chart,
    River,
    Observatory,
    Record,
}

impl Scene {
    /// Read a scene name from a demo file.
    pub fn parse(name: &str) -> Option<Scene> {
        Some(match name.trim() {
            "waterfront" => Scene::Waterfront,
            "library" => Scene::Library,
            "chart" => Scene::Chart,
            "river" => Scene::River,
            "observatory" => Scene::Observatory,
            "record" => Scene::Record,
            _ => return None,
        })
    }
}

fn mix(a: [u8; 3], b: [u8; 3], t: f32) -> Rgb<u8> {
    let t = t.clamp(0.0, 1.0);
    Rgb([0, 1, 2].map(|i| (f32::from(a[i]) * (1.0 - t) + f32::from(b[i]) * t) as u8))
}

fn sky(img: &mut RgbImage, top: [u8; 3], bottom: [u8; 3]) {
    for (_, y, p) in img.enumerate_pixels_mut() {
        *p = mix(top, bottom, y as f32 / H as f32);
    }
}

fn disc(img: &mut RgbImage, cx: f32, cy: f32, r: f32, color: [u8; 3]) {
    for (x, y, p) in img.enumerate_pixels_mut() {
        let d = ((x as f32 - cx).powi(2) + (y as f32 - cy).powi(2)).sqrt();
        if d < r {
            *p = Rgb(color);
        } else if d < r + 1.5 {
            *p = mix(p.0, color, r + 1.5 - d);
        }
    }
}

fn rect(img: &mut RgbImage, x0: u32, y0: u32, w: u32, h: u32, color: [u8; 3]) {
    for y in y0..(y0 + h).min(H) {
        for x in x0..(x0 + w).min(W) {
            img.put_pixel(x, y, Rgb(color));
        }
    }
}

/// Fill below the curve `height(x)` (measured up from the bottom) with a color.
fn ground(img: &mut RgbImage, color: [u8; 3], height: impl Fn(f32) -> f32) {
    for x in 0..W {
        let top = H as f32 - height(x as f32);
        for y in (top.max(0.0) as u32)..H {
            img.put_pixel(x, y, Rgb(color));
        }
    }
}

/// A drawn scene as uploaded bytes and as processed for the library, made once per process: the
/// pictures never change, and every site seeded with the demo (every test) shares the work.
pub fn prepared(scene: Scene) -> Result<Arc<(Vec<u8>, Processed)>, Refusal> {
    type Prepared = Arc<(Vec<u8>, Processed)>;
    static CACHE: OnceLock<Mutex<HashMap<Scene, Prepared>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(hit) = cache.lock().ok().and_then(|c| c.get(&scene).cloned()) {
        return Ok(hit);
    }
    let bytes = draw(scene);
    let processed = picture::process(&bytes, Limits::default())?;
    let entry = Arc::new((bytes, processed));
    if let Ok(mut c) = cache.lock() {
        c.insert(scene, entry.clone());
    }
    Ok(entry)
}

/// Draw a scene as a JPEG.
pub fn draw(scene: Scene) -> Vec<u8> {
    let mut img = RgbImage::new(W, H);
    match scene {
        Scene::Waterfront => {
            sky(&mut img, [36, 52, 110], [240, 150, 90]);
            disc(&mut img, 860.0, 300.0, 70.0, [255, 214, 150]);
            // Domes and minarets against the evening sky.
            for (cx, r) in [(260.0, 90.0), (420.0, 60.0), (560.0, 75.0)] {
                disc(&mut img, cx, 420.0, r, [40, 36, 60]);
            }
            rect(&mut img, 150, 330, 14, 150, [40, 36, 60]);
            rect(&mut img, 660, 300, 14, 180, [40, 36, 60]);
            rect(&mut img, 120, 420, 560, 60, [40, 36, 60]);
            for y in 480..H {
                for x in 0..W {
                    let wave = ((x as f32 / 37.0 + y as f32 / 9.0).sin() * 0.5 + 0.5) * 0.25;
                    img.put_pixel(x, y, mix([28, 44, 92], [230, 140, 90], wave));
                }
            }
        }
        Scene::Library => {
            sky(&mut img, [92, 64, 44], [60, 40, 28]);
            let colors = [
                [170, 60, 50],
                [50, 90, 140],
                [200, 160, 60],
                [60, 120, 80],
                [120, 70, 130],
                [210, 200, 180],
            ];
            for shelf in 0..5u32 {
                let y = 40 + shelf * 125;
                rect(&mut img, 40, y + 100, 1120, 12, [130, 92, 60]);
                let mut x = 50;
                let mut n = shelf as usize * 7;
                while x < 1140 {
                    let w = 18 + ((n * 37) % 23) as u32;
                    let h = 70 + ((n * 53) % 28) as u32;
                    rect(&mut img, x, y + 100 - h, w, h, colors[n % colors.len()]);
                    x += w + 3;
                    n += 1;
                }
            }
        }
        Scene::Chart => {
            sky(&mut img, [248, 246, 240], [236, 232, 222]);
            for i in 0..6u32 {
                rect(&mut img, 80, 90 + i * 95, 1040, 2, [205, 200, 190]);
            }
            for i in 0..12u32 {
                let h = 120 + ((i as f32 * 0.7).sin() * 90.0 + i as f32 * 18.0) as u32;
                rect(&mut img, 110 + i * 85, 565 - h, 52, h, [46, 96, 160]);
            }
            let mut last = None;
            for x in 100..1120u32 {
                let y = 420.0 - ((x as f32 / 160.0).sin() * 60.0) - (x as f32 - 100.0) * 0.12;
                if let Some(prev) = last {
                    let (a, b): (f32, f32) = (prev, y);
                    for yy in (a.min(b) as u32 - 2)..(a.max(b) as u32 + 3) {
                        img.put_pixel(x, yy.min(H - 1), Rgb([200, 60, 50]));
                    }
                }
                last = Some(y);
            }
        }
        Scene::River => {
            sky(&mut img, [120, 150, 180], [200, 210, 215]);
            ground(&mut img, [90, 120, 80], |x| {
                300.0 + (x / 140.0).sin() * 40.0
            });
            ground(&mut img, [70, 100, 65], |x| {
                240.0 + (x / 90.0 + 1.0).sin() * 25.0
            });
            for y in 430..H {
                for x in 0..W {
                    let ripple =
                        ((x as f32 / 23.0 + (y as f32 / 5.0).sin()).sin() * 0.5 + 0.5) * 0.3;
                    img.put_pixel(x, y, mix([70, 90, 100], [150, 170, 180], ripple));
                }
            }
            rect(&mut img, 0, 415, W, 16, [120, 110, 100]);
        }
        Scene::Observatory => {
            sky(&mut img, [6, 10, 30], [30, 40, 80]);
            for i in 0..260u32 {
                let x = (i * 7919) % W;
                let y = (i * 104_729) % 420;
                let b = 150 + ((i * 31) % 105) as u8;
                img.put_pixel(x, y, Rgb([b, b, b]));
            }
            ground(&mut img, [20, 20, 28], |x| {
                180.0 + (1.0 - ((x - 600.0) / 600.0).powi(2)) * 120.0
            });
            disc(&mut img, 600.0, 380.0, 60.0, [200, 200, 210]);
            rect(&mut img, 540, 380, 120, 40, [200, 200, 210]);
            rect(&mut img, 596, 322, 8, 60, [20, 20, 28]);
        }
        Scene::Record => {
            sky(&mut img, [230, 120, 60], [180, 60, 90]);
            let (cx, cy) = (600.0, 337.0);
            for (x, y, p) in img.enumerate_pixels_mut() {
                let d = ((x as f32 - cx).powi(2) + (y as f32 - cy).powi(2)).sqrt();
                if d < 290.0 {
                    let groove = ((d / 3.0 * PI).sin() * 0.5 + 0.5) * 0.12;
                    *p = mix([16, 16, 18], [70, 70, 76], groove);
                }
                if d < 95.0 {
                    *p = Rgb([240, 210, 90]);
                }
                if d < 8.0 {
                    *p = Rgb([30, 20, 20]);
                }
            }
        }
    }
    let mut out = Vec::new();
    // A drawing encodes; a failure here would be a bug in this file, and the demo goes on without it.
    let _ = DynamicImage::ImageRgb8(img).write_to(&mut Cursor::new(&mut out), ImageFormat::Jpeg);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scene_draws_a_jpeg() {
        for name in [
            "waterfront",
            "library",
            "chart",
            "river",
            "observatory",
            "record",
        ] {
            let bytes = draw(Scene::parse(name).unwrap());
            assert_eq!(&bytes[..2], &[0xFF, 0xD8], "{name} is a JPEG");
        }
        assert!(Scene::parse("bogus").is_none());
    }
}
