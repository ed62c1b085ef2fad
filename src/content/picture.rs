//! Pictures as uploaded → pictures safe to publish: recognised by their bytes (never by name or
//! Content-Type), sized up before decoding (a decompression bomb is refused from its header),
//! turned upright by their EXIF orientation, re-encoded without any metadata (EXIF, GPS, XMP,
//! comments are simply not written), and made into the sizes readers' screens ask for, in WebP
//! with a JPEG (or, with transparency, PNG) fallback. Pure CPU work: callers run it off the
//! async runtime.

use std::io::Cursor;

use fast_image_resize as fr;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader};

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
    let (w, h) = (img.width(), img.height());
    let original = encode(&img, fallback)?;
    let mut widths: Vec<u32> = WIDTHS.iter().copied().filter(|x| *x < w).collect();
    if w <= WIDTHS[WIDTHS.len() - 1] {
        widths.push(w);
    }
    let mut variants = Vec::new();
    for target in widths {
        let sized = if target == w {
            img.clone()
        } else {
            resize(&img, target, alpha)?
        };
        variants.push(encode(&sized, Encoding::Webp)?);
        variants.push(encode(&sized, fallback)?);
    }
    Ok(Processed {
        source_format: format_name(format),
        width: w,
        height: h,
        original,
        variants,
    })
}

/// Whether any pixel is not fully opaque (a PNG with an unused alpha channel is a photo).
fn has_transparency(img: &DynamicImage) -> bool {
    img.to_rgba8().pixels().any(|p| p.0[3] < 255)
}

/// `img` scaled to `width` (height in proportion) with a Lanczos filter.
fn resize(img: &DynamicImage, width: u32, alpha: bool) -> Result<DynamicImage, Refusal> {
    let height = ((u64::from(img.height()) * u64::from(width)) / u64::from(img.width().max(1)))
        .max(1) as u32;
    let failed = |e: String| Refusal::Broken(format!("resizing: {e}"));
    let options =
        fr::ResizeOptions::new().resize_alg(fr::ResizeAlg::Convolution(fr::FilterType::Lanczos3));
    let mut resizer = fr::Resizer::new();
    if alpha {
        let src = img.to_rgba8();
        let source = fr::images::Image::from_vec_u8(
            src.width(),
            src.height(),
            src.into_raw(),
            fr::PixelType::U8x4,
        )
        .map_err(|e| failed(e.to_string()))?;
        let mut out = fr::images::Image::new(width, height, fr::PixelType::U8x4);
        resizer
            .resize(&source, &mut out, &options)
            .map_err(|e| failed(e.to_string()))?;
        image::RgbaImage::from_raw(width, height, out.into_vec())
            .map(DynamicImage::ImageRgba8)
            .ok_or_else(|| failed("buffer size".into()))
    } else {
        let src = img.to_rgb8();
        let source = fr::images::Image::from_vec_u8(
            src.width(),
            src.height(),
            src.into_raw(),
            fr::PixelType::U8x3,
        )
        .map_err(|e| failed(e.to_string()))?;
        let mut out = fr::images::Image::new(width, height, fr::PixelType::U8x3);
        resizer
            .resize(&source, &mut out, &options)
            .map_err(|e| failed(e.to_string()))?;
        image::RgbImage::from_raw(width, height, out.into_vec())
            .map(DynamicImage::ImageRgb8)
            .ok_or_else(|| failed("buffer size".into()))
    }
}

/// Encode without metadata: the encoders here write pixels only.
fn encode(img: &DynamicImage, encoding: Encoding) -> Result<Encoded, Refusal> {
    let failed = |e: String| Refusal::Broken(format!("encoding: {e}"));
    let (width, height) = (img.width(), img.height());
    let bytes = match encoding {
        Encoding::Webp => {
            let memory = if img.color().has_alpha() {
                let rgba = img.to_rgba8();
                webp::Encoder::from_rgba(&rgba, width, height).encode(WEBP_QUALITY)
            } else {
                let rgb = img.to_rgb8();
                webp::Encoder::from_rgb(&rgb, width, height).encode(WEBP_QUALITY)
            };
            memory.to_vec()
        }
        Encoding::Jpeg => {
            let mut out = Vec::new();
            let encoder =
                image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY);
            img.to_rgb8()
                .write_with_encoder(encoder)
                .map_err(|e| failed(e.to_string()))?;
            out
        }
        Encoding::Png => {
            let mut out = Vec::new();
            img.write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
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
    }
}
