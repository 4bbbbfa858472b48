//! A minimal PNG encoder for 8-bit RGB buffers (zlib via flate2), so figures can be rendered in
//! memory and written atomically without an image codec dependency.
use flate2::write::ZlibEncoder;
use flate2::{Compression, Crc};
use std::io::Write;

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc = Crc::new();
    crc.update(kind);
    crc.update(data);
    out.extend_from_slice(&crc.sum().to_be_bytes());
}

/// Encode an RGB buffer (`3·w·h` bytes, rows top to bottom) as a PNG file (colour type 2,
/// 8 bits, no interlace; each row uses the "Sub" filter, which suits flat plot backgrounds).
///
/// # Panics
/// If `rgb.len() != 3·w·h` (a programming error of the caller).
pub fn encode_png(rgb: &[u8], w: u32, h: u32) -> Vec<u8> {
    let (wu, hu) = (w as usize, h as usize);
    assert_eq!(rgb.len(), wu * hu * 3, "encode_png: buffer size");
    let mut raw = Vec::with_capacity(hu * (wu * 3 + 1));
    for row in rgb.chunks_exact(wu * 3) {
        raw.push(1u8); // Sub filter: byte minus the byte of the pixel to its left
        for (i, &b) in row.iter().enumerate() {
            let left = if i >= 3 { row[i - 3] } else { 0 };
            raw.push(b.wrapping_sub(left));
        }
    }
    let mut z = ZlibEncoder::new(Vec::new(), Compression::default());
    // Writing into a Vec cannot fail.
    let _ = z.write_all(&raw);
    let idat = z.finish().unwrap_or_default();
    let mut out = Vec::with_capacity(idat.len() + 64);
    out.extend_from_slice(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]);
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &idat);
    chunk(&mut out, b"IEND", &[]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_and_crc() {
        let png = encode_png(&[255, 0, 0, 0, 255, 0], 2, 1);
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        assert_eq!(&png[12..16], b"IHDR");
        assert_eq!(u32::from_be_bytes(png[16..20].try_into().unwrap()), 2);
        assert_eq!(u32::from_be_bytes(png[20..24].try_into().unwrap()), 1);
        // CRC-32 of "IEND" with no data is the well-known constant AE 42 60 82.
        assert_eq!(&png[png.len() - 4..], &[0xAE, 0x42, 0x60, 0x82]);
    }
}
