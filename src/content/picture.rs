//! Pictures as uploaded → pictures safe to publish: recognised by their bytes (never by name or
//! Content-Type), sized up before decoding (a decompression bomb is refused from its header),
//! turned upright by their EXIF orientation, re-encoded without any metadata (EXIF, GPS, XMP,
//! comments are simply not written), and made into the sizes readers' screens ask for, in WebP
//! with a JPEG (or, with transparency, PNG) fallback. Pure CPU work: callers run it off the
//! async runtime.

use std::io::Cursor;

use fast_image_resize as fr;
use image::{DynamicImage, ImageDecoder, ImageEncoder, ImageFormat, ImageReader};

/// The longest side taken: WebP's own limit.
pub const MAX_SIDE: u32 = 16_383;

/// The widths made for `srcset`, never wider than the picture itself.
pub const WIDTHS: [u32; 4] = [320, 640, 1024, 1600];
/// JPEG quality of derived sizes and of re-encoded originals.
const JPEG_QUALITY: u8 = 85;
/// WebP quality of derived sizes.
const WEBP_QUALITY: f32 = 80.0;

/// What a picture may be.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Bytes of the file as uploaded.
    pub max_bytes: usize,
    /// Width × height: more is refused before anything is decoded.
    pub max_pixels: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 20 * 1024 * 1024,
            max_pixels: 60_000_000,
        }
    }
}

/// Why a file was not taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    TooLarge {
        bytes: usize,
        max: usize,
    },
    TooManyPixels {
        width: u32,
        height: u32,
        max: u64,
    },
    TooLong {
        width: u32,
        height: u32,
    },
    /// A picture format we recognise but do not take (SVG, AVIF, HEIC, TIFF…), named.
    Unsupported(&'static str),
    NotAPicture,
    Broken(String),
}

impl Refusal {
    /// What the person is told.
    pub fn message(&self) -> String {
        match self {
            Refusal::TooLarge { bytes, max } => format!(
                "This file is {:.1} MB; pictures can be at most {} MB.",
                *bytes as f64 / 1_048_576.0,
                max / 1_048_576
            ),
            Refusal::TooManyPixels { width, height, max } => format!(
                "This picture is {width} × {height} pixels; at most {} megapixels are taken. Export it smaller.",
                max / 1_000_000
            ),
            Refusal::TooLong { width, height } => format!(
                "This picture is {width} × {height} pixels; a side can be at most {MAX_SIDE} pixels. Export it smaller or cut it in parts."
            ),
            Refusal::Unsupported(kind) => {
                format!("{kind} files are not taken. Please upload a JPEG, PNG, WebP or GIF.")
            }
            Refusal::NotAPicture => {
                "This file is not a picture (JPEG, PNG, WebP or GIF), whatever its name says."
                    .into()
            }
            Refusal::Broken(why) => format!("This picture could not be read: {why}."),
        }
    }
}

/// An encoding of a stored file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Encoding {
    Webp,
    Jpeg,
    Png,
}

impl Encoding {
    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Encoding::Webp => "webp",
            Encoding::Jpeg => "jpg",
            Encoding::Png => "png",
        }
    }

    /// The `Content-Type`.
    pub fn mime(self) -> &'static str {
        match self {
            Encoding::Webp => "image/webp",
            Encoding::Jpeg => "image/jpeg",
            Encoding::Png => "image/png",
        }
    }

    /// Read an extension back.
    pub fn from_extension(ext: &str) -> Option<Encoding> {
        match ext {
            "webp" => Some(Encoding::Webp),
            "jpg" => Some(Encoding::Jpeg),
            "png" => Some(Encoding::Png),
            _ => None,
        }
    }
}

/// One encoded file of a picture.
#[derive(Debug, Clone)]
pub struct Encoded {
    pub width: u32,
    pub height: u32,
    pub encoding: Encoding,
    pub bytes: Vec<u8>,
}

/// A picture ready to store.
#[derive(Debug, Clone)]
pub struct Processed {
    /// The format it came in.
    pub source_format: &'static str,
    pub width: u32,
    pub height: u32,
    /// Full size, re-encoded (JPEG, or PNG when it has transparency), no metadata.
    pub original: Encoded,
    /// Smaller sizes, each in WebP and in the fallback encoding.
    pub variants: Vec<Encoded>,
}

/// What the bytes are, by their first bytes.
pub fn sniff(bytes: &[u8]) -> Result<ImageFormat, Refusal> {
    let head = &bytes[..bytes.len().min(512)];
    let text = String::from_utf8_lossy(head).to_ascii_lowercase();
    if text.trim_start().starts_with("<?xml") || text.contains("<svg") {
        return Err(Refusal::Unsupported("SVG"));
    }
    if head.len() >= 12 && &head[4..8] == b"ftyp" {
        let brand = &head[8..12];
        return Err(Refusal::Unsupported(match brand {
            b"avif" | b"avis" => "AVIF",
            b"heic" | b"heix" | b"mif1" | b"msf1" => "HEIC",
            _ => "MP4/QuickTime",
        }));
    }
    match image::guess_format(head) {
        Ok(f @ (ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP | ImageFormat::Gif)) => {
            Ok(f)
        }
        Ok(ImageFormat::Tiff) => Err(Refusal::Unsupported("TIFF")),
        Ok(ImageFormat::Bmp) => Err(Refusal::Unsupported("BMP")),
        Ok(ImageFormat::Avif) => Err(Refusal::Unsupported("AVIF")),
        _ => Err(Refusal::NotAPicture),
    }
}

fn format_name(f: ImageFormat) -> &'static str {
    match f {
        ImageFormat::Jpeg => "jpeg",
        ImageFormat::Png => "png",
        ImageFormat::WebP => "webp",
        _ => "gif",
    }
}

/// Check, decode, straighten, strip and size a picture.
pub fn process(bytes: &[u8], limits: Limits) -> Result<Processed, Refusal> {
    if bytes.len() > limits.max_bytes {
        return Err(Refusal::TooLarge {
            bytes: bytes.len(),
            max: limits.max_bytes,
        });
    }
    let format = sniff(bytes)?;
    let broken = |e: image::ImageError| Refusal::Broken(e.to_string());
    // The header alone says how large it is: a bomb is refused before a pixel is decoded.
    let (width, height) = ImageReader::with_format(Cursor::new(bytes), format)
        .into_dimensions()
        .map_err(broken)?;
    if width.max(height) > MAX_SIDE {
        return Err(Refusal::TooLong { width, height });
    }
    if u64::from(width) * u64::from(height) > limits.max_pixels {
        return Err(Refusal::TooManyPixels {
            width,
            height,
            max: limits.max_pixels,
        });
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut guard = image::Limits::default();
    guard.max_alloc = Some(limits.max_pixels * 8);
    reader.limits(guard);
    let mut decoder = reader.into_decoder().map_err(broken)?;
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(decoder).map_err(broken)?;
    img.apply_orientation(orientation);
    let alpha = img.color().has_alpha() && has_transparency(&img);
    let fallback = if alpha { Encoding::Png } else { Encoding::Jpeg };
    // One 8-bit buffer from here on: every size is read from it, never a further full copy.
    let full = Pixels::of(img, alpha);
    let original = encode(&full, fallback)?;
    let mut widths: Vec<u32> = WIDTHS.iter().copied().filter(|x| *x < full.width).collect();
    if full.width <= WIDTHS[WIDTHS.len() - 1] {
        widths.push(full.width);
    }
    // Largest first, each made from the one before: only the first reads the full picture, and
    // no step shrinks by more than about 2.5×, which Lanczos does without visible loss.
    let mut variants = Vec::new();
    let mut larger: Option<Pixels> = None;
    for &target in widths.iter().rev() {
        if target == full.width {
            variants.push(encode(&full, Encoding::Webp)?);
            // The full-size fallback is the original itself: the same bytes, stored once.
            variants.push(original.clone());
            continue;
        }
        let sized = larger.as_ref().unwrap_or(&full).resized(target)?;
        variants.push(encode(&sized, Encoding::Webp)?);
        variants.push(encode(&sized, fallback)?);
        larger = Some(sized);
    }
    // Smallest first, as `srcset` lists them.
    variants.reverse();
    for pair in variants.chunks_mut(2) {
        pair.sort_by_key(|v| v.encoding != Encoding::Webp);
    }
    let (width, height) = (full.width, full.height);
    Ok(Processed {
        source_format: format_name(format),
        width,
        height,
        original,
        variants,
    })
}

/// Whether any pixel is not fully opaque (a PNG with an unused alpha channel is a photo).
fn has_transparency(img: &DynamicImage) -> bool {
    match img.as_rgba8() {
        Some(rgba) => rgba.pixels().any(|p| p.0[3] < 255),
        None => img.to_rgba8().pixels().any(|p| p.0[3] < 255),
    }
}

/// A picture's pixels, 8 bits per channel: RGB, or RGBA when it has transparency.
struct Pixels {
    width: u32,
    height: u32,
    alpha: bool,
    bytes: Vec<u8>,
}

impl Pixels {
    fn of(img: DynamicImage, alpha: bool) -> Pixels {
        let (width, height) = (img.width(), img.height());
        // `into_*` hands over the buffer when it already has that layout (the usual JPEG case).
        let bytes = if alpha {
            img.into_rgba8().into_raw()
        } else {
            img.into_rgb8().into_raw()
        };
        Pixels {
            width,
            height,
            alpha,
            bytes,
        }
    }

    fn pixel_type(&self) -> fr::PixelType {
        if self.alpha {
            fr::PixelType::U8x4
        } else {
            fr::PixelType::U8x3
        }
    }

    /// Scaled to `width` (height in proportion) with a Lanczos filter.
    fn resized(&self, width: u32) -> Result<Pixels, Refusal> {
        let height = ((u64::from(self.height) * u64::from(width)) / u64::from(self.width.max(1)))
            .max(1) as u32;
        let failed = |e: String| Refusal::Broken(format!("resizing: {e}"));
        let source =
            fr::images::ImageRef::new(self.width, self.height, &self.bytes, self.pixel_type())
                .map_err(|e| failed(e.to_string()))?;
        let mut out = fr::images::Image::new(width, height, self.pixel_type());
        let options = fr::ResizeOptions::new()
            .resize_alg(fr::ResizeAlg::Convolution(fr::FilterType::Lanczos3));
        fr::Resizer::new()
            .resize(&source, &mut out, &options)
            .map_err(|e| failed(e.to_string()))?;
        Ok(Pixels {
            width,
            height,
            alpha: self.alpha,
            bytes: out.into_vec(),
        })
    }
}

/// Encode pixels alone: nothing else (EXIF, GPS, XMP, comments, trailing data) is written.
fn encode(p: &Pixels, encoding: Encoding) -> Result<Encoded, Refusal> {
    let failed = |e: String| Refusal::Broken(format!("encoding: {e}"));
    let (width, height) = (p.width, p.height);
    let bytes = match encoding {
        Encoding::Webp => {
            let encoder = if p.alpha {
                webp::Encoder::from_rgba(&p.bytes, width, height)
            } else {
                webp::Encoder::from_rgb(&p.bytes, width, height)
            };
            encoder
                .encode_simple(false, WEBP_QUALITY)
                .map_err(|e| failed(format!("{e:?}")))?
                .to_vec()
        }
        Encoding::Jpeg => {
            let mut out = Vec::new();
            let mut encoder = jpeg_encoder::Encoder::new(&mut out, JPEG_QUALITY);
            // Tables fitted to the picture make files readers download about a quarter smaller,
            // but need the whole picture's coefficients in memory: worth it for the sizes that
            // are served, not for the full-size original of a big photo, which is only kept.
            encoder.set_optimized_huffman_tables(width <= WIDTHS[WIDTHS.len() - 1]);
            let side = |n: u32| u16::try_from(n).map_err(|_| failed("too large for JPEG".into()));
            encoder
                .encode(
                    &p.bytes,
                    side(width)?,
                    side(height)?,
                    jpeg_encoder::ColorType::Rgb,
                )
                .map_err(|e| failed(e.to_string()))?;
            out
        }
        Encoding::Png => {
            let mut out = Vec::new();
            let color = if p.alpha {
                image::ExtendedColorType::Rgba8
            } else {
                image::ExtendedColorType::Rgb8
            };
            image::codecs::png::PngEncoder::new(&mut out)
                .write_image(&p.bytes, width, height, color)
                .map_err(|e| failed(e.to_string()))?;
            out
        }
    };
    Ok(Encoded {
        width,
        height,
        encoding,
        bytes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([x as u8, y as u8, 90]));
        let mut out = Vec::new();
        DynamicImage::ImageRgb8(img)
            .write_to(&mut Cursor::new(&mut out), ImageFormat::Jpeg)
            .unwrap();
        out
    }

    #[test]
    fn formats_are_known_by_their_bytes() {
        assert_eq!(sniff(&jpeg(8, 8)), Ok(ImageFormat::Jpeg));
        assert_eq!(
            sniff(b"<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"/>"),
            Err(Refusal::Unsupported("SVG"))
        );
        assert_eq!(
            sniff(b"\0\0\0\x1cftypavif\0\0\0\0avifmif1"),
            Err(Refusal::Unsupported("AVIF"))
        );
        assert_eq!(sniff(b"just some text"), Err(Refusal::NotAPicture));
    }

    #[test]
    fn sizes_are_made_up_to_the_original_width_never_beyond() {
        let p = process(&jpeg(1200, 600), Limits::default()).unwrap();
        let widths: Vec<(u32, Encoding)> =
            p.variants.iter().map(|v| (v.width, v.encoding)).collect();
        assert_eq!(
            widths,
            vec![
                (320, Encoding::Webp),
                (320, Encoding::Jpeg),
                (640, Encoding::Webp),
                (640, Encoding::Jpeg),
                (1024, Encoding::Webp),
                (1024, Encoding::Jpeg),
                (1200, Encoding::Webp),
                (1200, Encoding::Jpeg),
            ]
        );
        assert_eq!((p.variants[0].height, p.width, p.height), (160, 1200, 600));
        let small = process(&jpeg(100, 50), Limits::default()).unwrap();
        assert_eq!(small.variants.len(), 2, "only its own size, not upscaled");
    }

    #[test]
    fn limits_are_checked_before_decoding() {
        let big = jpeg(300, 300);
        let r = process(
            &big,
            Limits {
                max_bytes: 100,
                ..Limits::default()
            },
        );
        assert!(matches!(r, Err(Refusal::TooLarge { .. })));
        let r = process(
            &big,
            Limits {
                max_pixels: 50_000,
                ..Limits::default()
            },
        );
        assert!(r.unwrap_err().message().contains("300 × 300 pixels"));
        let tall = process(&jpeg(40, 16_400), Limits::default());
        assert_eq!(
            tall.unwrap_err(),
            Refusal::TooLong {
                width: 40,
                height: 16_400
            }
        );
    }

    #[test]
    fn a_picture_as_wide_as_a_size_is_stored_once_for_both() {
        let p = process(&jpeg(640, 480), Limits::default()).unwrap();
        let own = p
            .variants
            .iter()
            .find(|v| v.width == 640 && v.encoding == Encoding::Jpeg);
        assert_eq!(own.map(|v| &v.bytes), Some(&p.original.bytes));
        for v in &p.variants {
            let img = image::load_from_memory(&v.bytes).unwrap();
            assert_eq!(
                (img.width(), img.height()),
                (v.width, v.height),
                "each file is the size it says"
            );
        }
    }
}
