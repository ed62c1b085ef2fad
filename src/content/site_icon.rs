//! The site's icon in the sizes browsers and phones ask for: from a picture of the library (the
//! `site_icon` setting), cropped square from its centre, or a default drawn here (the site's
//! colour with a white "N"), so `/favicon.ico` is never a 404.

use image::imageops::FilterType;
use image::{DynamicImage, ImageFormat, Rgba, RgbaImage};

/// The sizes served: the favicon, Apple's home-screen icon, and the manifest's two.
pub const SIZES: [u32; 4] = [32, 180, 192, 512];

/// The default icon's background (the theme's dark blue).
const BACKGROUND: Rgba<u8> = Rgba([0x1a, 0x3a, 0x5c, 0xff]);
const FOREGROUND: Rgba<u8> = Rgba([0xff, 0xff, 0xff, 0xff]);

/// The default icon at `size` pixels: a white "N" of three strokes on the site's colour.
pub fn default_icon(size: u32) -> RgbaImage {
    let s = size as f32;
    let (left, right, top, bottom) = (0.27 * s, 0.73 * s, 0.22 * s, 0.78 * s);
    let stroke = 0.13 * s;
    RgbaImage::from_fn(size, size, |x, y| {
        let (px, py) = (x as f32 + 0.5, y as f32 + 0.5);
        let inside_y = py >= top && py <= bottom;
        let left_bar = inside_y && px >= left && px <= left + stroke;
        let right_bar = inside_y && px >= right - stroke && px <= right;
        // The diagonal from the top of the left bar to the bottom of the right one.
        let t = (py - top) / (bottom - top);
        let diagonal_x = left + t * (right - stroke - left);
        let diagonal = inside_y && px >= diagonal_x && px <= diagonal_x + stroke;
        if left_bar || right_bar || diagonal {
            FOREGROUND
        } else {
            BACKGROUND
        }
    })
}

/// A picture made square (cropped from its centre) and scaled to `size`.
pub fn from_picture(picture: &DynamicImage, size: u32) -> RgbaImage {
    let side = picture.width().min(picture.height());
    let x = (picture.width() - side) / 2;
    let y = (picture.height() - side) / 2;
    picture
        .crop_imm(x, y, side, side)
        .resize_exact(size, size, FilterType::Lanczos3)
        .to_rgba8()
}

/// An image as PNG bytes.
pub fn png(icon: &RgbaImage) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    // Encoding an in-memory RGBA image to PNG cannot fail.
    let _ = icon.write_to(&mut out, ImageFormat::Png);
    out.into_inner()
}

/// An ICO file holding one PNG (every browser since 2007 reads PNG inside ICO).
pub fn ico(icon: &RgbaImage) -> Vec<u8> {
    let data = png(icon);
    let side = |v: u32| if v >= 256 { 0 } else { v as u8 };
    let mut out = Vec::with_capacity(22 + data.len());
    out.extend_from_slice(&[0, 0, 1, 0, 1, 0]); // reserved, type 1 (icon), one image
    out.push(side(icon.width()));
    out.push(side(icon.height()));
    out.extend_from_slice(&[0, 0]); // no palette, reserved
    out.extend_from_slice(&1u16.to_le_bytes()); // colour planes
    out.extend_from_slice(&32u16.to_le_bytes()); // bits per pixel
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out.extend_from_slice(&22u32.to_le_bytes()); // the image follows the header and its entry
    out.extend_from_slice(&data);
    out
}

/// The web app manifest: the site's name and its icons.
pub fn manifest(name: &str, short_name: &str) -> String {
    serde_json::json!({
        "name": name,
        "short_name": short_name,
        "start_url": "/",
        "display": "minimal-ui",
        "background_color": "#ffffff",
        "theme_color": "#1a3a5c",
        "icons": [
            {"src": "/icon-192.png", "sizes": "192x192", "type": "image/png"},
            {"src": "/icon-512.png", "sizes": "512x512", "type": "image/png"},
            {"src": "/icon-512.png", "sizes": "512x512", "type": "image/png", "purpose": "maskable"},
        ],
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_icon_is_a_letter_on_the_site_colour() {
        let icon = default_icon(64);
        assert_eq!(icon.get_pixel(2, 2), &BACKGROUND, "corner");
        assert_eq!(icon.get_pixel(19, 32), &FOREGROUND, "left stroke");
        assert_eq!(icon.get_pixel(44, 32), &FOREGROUND, "right stroke");
        assert_eq!(
            icon.get_pixel(32, 32),
            &FOREGROUND,
            "diagonal through the middle"
        );
        assert_eq!(
            icon.get_pixel(32, 18),
            &BACKGROUND,
            "beside the diagonal near the top"
        );
    }

    #[test]
    fn ico_files_carry_the_png_with_a_correct_directory() {
        let icon = default_icon(32);
        let bytes = ico(&icon);
        assert_eq!(&bytes[..6], &[0, 0, 1, 0, 1, 0]);
        assert_eq!((bytes[6], bytes[7]), (32, 32));
        let size = u32::from_le_bytes([bytes[14], bytes[15], bytes[16], bytes[17]]) as usize;
        assert_eq!(size, bytes.len() - 22);
        assert_eq!(&bytes[22..30], b"\x89PNG\r\n\x1a\n");
        let decoded = image::load_from_memory(&bytes[22..]).expect("png");
        assert_eq!((decoded.width(), decoded.height()), (32, 32));
    }

    #[test]
    fn pictures_are_cropped_square_from_the_centre() {
        let wide = DynamicImage::ImageRgba8(RgbaImage::from_fn(300, 100, |x, _| {
            if (100..200).contains(&x) {
                Rgba([255, 0, 0, 255])
            } else {
                Rgba([0, 0, 255, 255])
            }
        }));
        let icon = from_picture(&wide, 32);
        assert_eq!((icon.width(), icon.height()), (32, 32));
        assert_eq!(icon.get_pixel(1, 16)[0], 255, "only the red centre is kept");
    }
}
