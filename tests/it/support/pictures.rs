//! Picture files for tests, made here: JPEG, PNG (with transparency), WebP and GIF of any size,
//! a JPEG carrying EXIF with an orientation and a GPS position, and a PNG that claims to be huge
//! (a decompression bomb).

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};

/// A photo-like RGB image (gradients, so encoders have something to do).
fn rgb(w: u32, h: u32) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| {
        Rgb([
            (x * 255 / w.max(1)) as u8,
            (y * 255 / h.max(1)) as u8,
            ((x ^ y) & 0xff) as u8,
        ])
    })
}

fn encode(img: DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Vec::new();
    img.write_to(&mut Cursor::new(&mut out), format)
        .expect("encode");
    out
}

/// A JPEG.
pub fn jpeg(w: u32, h: u32) -> Vec<u8> {
    encode(DynamicImage::ImageRgb8(rgb(w, h)), ImageFormat::Jpeg)
}

/// A JPEG of noise, which compresses badly: about a megabyte per 1.5 megapixels.
pub fn noisy_jpeg(w: u32, h: u32) -> Vec<u8> {
    let mut seed = 0x9E37_79B9u32;
    let img = RgbImage::from_fn(w, h, |_, _| {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let [a, b, c, _] = seed.to_le_bytes();
        Rgb([a, b, c])
    });
    encode(DynamicImage::ImageRgb8(img), ImageFormat::Jpeg)
}

/// A PNG whose left half is transparent.
pub fn png_with_alpha(w: u32, h: u32) -> Vec<u8> {
    let img = RgbaImage::from_fn(w, h, |x, y| {
        Rgba([200, (y % 255) as u8, 40, if x < w / 2 { 0 } else { 255 }])
    });
    encode(DynamicImage::ImageRgba8(img), ImageFormat::Png)
}

/// A GIF.
pub fn gif(w: u32, h: u32) -> Vec<u8> {
    encode(
        DynamicImage::ImageRgba8(DynamicImage::ImageRgb8(rgb(w, h)).to_rgba8()),
        ImageFormat::Gif,
    )
}

/// A WebP.
pub fn webp(w: u32, h: u32) -> Vec<u8> {
    let img = rgb(w, h);
    webp::Encoder::from_rgb(&img, w, h).encode(75.0).to_vec()
}

/// An EXIF block (little-endian TIFF): Orientation, and a GPS position (latitude 50°27'N).
fn exif(orientation: u16) -> Vec<u8> {
    let mut t: Vec<u8> = b"II*\0".to_vec();
    t.extend(8u32.to_le_bytes());
    let entry = |tag: u16, kind: u16, count: u32, value: u32| {
        let mut e = tag.to_le_bytes().to_vec();
        e.extend(kind.to_le_bytes());
        e.extend(count.to_le_bytes());
        e.extend(value.to_le_bytes());
        e
    };
    // IFD0 at 8: two entries (2 + 2×12 + 4 = 30 bytes), so the GPS IFD starts at 38.
    t.extend(2u16.to_le_bytes());
    t.extend(entry(0x0112, 3, 1, u32::from(orientation)));
    t.extend(entry(0x8825, 4, 1, 38));
    t.extend(0u32.to_le_bytes());
    // GPS IFD at 38: two entries, then the three rationals of the latitude at 38 + 30 = 68.
    t.extend(2u16.to_le_bytes());
    t.extend(entry(0x0001, 2, 2, u32::from_le_bytes(*b"N\0\0\0")));
    t.extend(entry(0x0002, 5, 3, 68));
    t.extend(0u32.to_le_bytes());
    for (num, den) in [(50u32, 1u32), (27, 1), (0, 1)] {
        t.extend(num.to_le_bytes());
        t.extend(den.to_le_bytes());
    }
    t
}

/// A JPEG of `w` × `h` stored pixels with an EXIF block: `orientation` (6 = turn 90° clockwise
/// to view) and a GPS position.
pub fn jpeg_with_exif(w: u32, h: u32, orientation: u16) -> Vec<u8> {
    let plain = jpeg(w, h);
    let mut payload = b"Exif\0\0".to_vec();
    payload.extend(exif(orientation));
    let mut out = plain[..2].to_vec();
    out.extend([0xFF, 0xE1]);
    out.extend(((payload.len() + 2) as u16).to_be_bytes());
    out.extend(payload);
    out.extend(&plain[2..]);
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for b in bytes {
        crc ^= u32::from(*b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    let mut body = kind.to_vec();
    body.extend(data);
    out.extend(&body);
    out.extend(crc32(&body).to_be_bytes());
    out
}

/// A tiny PNG file whose header claims `w` × `h` pixels: decoding it would need gigabytes.
pub fn png_bomb(w: u32, h: u32) -> Vec<u8> {
    let mut ihdr = w.to_be_bytes().to_vec();
    ihdr.extend(h.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend(chunk(b"IHDR", &ihdr));
    out.extend(chunk(
        b"IDAT",
        &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    ));
    out.extend(chunk(b"IEND", &[]));
    out
}

/// Whether bytes carry EXIF, read with a real EXIF reader.
pub fn has_exif(bytes: &[u8]) -> bool {
    exif::Reader::new()
        .read_from_container(&mut Cursor::new(bytes))
        .is_ok()
}

/// Whether bytes carry a GPS latitude in their EXIF.
pub fn has_gps(bytes: &[u8]) -> bool {
    exif::Reader::new()
        .read_from_container(&mut Cursor::new(bytes))
        .is_ok_and(|e| {
            e.get_field(exif::Tag::GPSLatitude, exif::In::PRIMARY)
                .is_some()
        })
}
