//! NIfTI-1 and NIfTI-2 reading, NIfTI-1 writing, and BIDS JSON sidecars.
//!
//! NIfTI-1 headers are parsed by the `nifti` crate; NIfTI-2 headers (which it does not read) are
//! parsed here. Everything after the header is done here so that every broken file gives a
//! clear error instead of a panic: the crate's affine helpers panic on some valid headers
//! (qform with pixdim[0] = 0, negative pixdim), so the affine follows nibabel's rule directly:
//! sform if `sform_code > 0`, else qform if `qform_code > 0`, else a centred pixdim affine.
use super::{Grid, SpaceCodes, TimeAxis, VolError, Volume};
use nalgebra::{Matrix3, Matrix4};
use ndarray::Array4;
use serde_json::{Map, Value};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Header fields petmr uses, common to NIfTI-1 and NIfTI-2.
#[derive(Clone, Debug)]
pub struct Header {
    pub version: u8,
    pub dim: [i64; 8],
    pub datatype: i16,
    pub pixdim: [f64; 8],
    pub vox_offset: f64,
    pub scl_slope: f64,
    pub scl_inter: f64,
    pub toffset: f64,
    pub qform_code: i32,
    pub sform_code: i32,
    pub quatern: [f64; 3],
    pub qoffset: [f64; 3],
    pub srow: [[f64; 4]; 3],
    pub xyzt_units: u8,
    pub big_endian: bool,
    pub single_file: bool,
}

fn nerr(path: &Path, what: impl Into<String>) -> VolError {
    VolError::Nifti {
        path: path.display().to_string(),
        what: what.into(),
    }
}

/// Read the whole file, gunzipping `.gz`.
fn read_bytes(path: &Path) -> Result<Vec<u8>, VolError> {
    let f = std::fs::File::open(path).map_err(|e| nerr(path, format!("cannot open: {e}")))?;
    let mut buf = Vec::new();
    let gz = path.to_string_lossy().to_ascii_lowercase().ends_with(".gz");
    let r = if gz {
        flate2::read::MultiGzDecoder::new(f).read_to_end(&mut buf)
    } else {
        std::io::BufReader::new(f).read_to_end(&mut buf)
    };
    r.map_err(|e| {
        nerr(
            path,
            format!("read failed{}: {e}", if gz { " (gzip stream)" } else { "" }),
        )
    })?;
    Ok(buf)
}

fn parse_header(bytes: &[u8], path: &Path) -> Result<Header, VolError> {
    if bytes.is_empty() {
        return Err(nerr(path, "empty file"));
    }
    if bytes.len() < 4 {
        return Err(nerr(
            path,
            format!("truncated header: {} bytes", bytes.len()),
        ));
    }
    let le = i32::from_le_bytes(bytes[0..4].try_into().expect("4 bytes"));
    let be = i32::from_be_bytes(bytes[0..4].try_into().expect("4 bytes"));
    if le == 540 || be == 540 {
        return parse_nifti2(bytes, path, be == 540);
    }
    if le != 348 && be != 348 {
        return Err(nerr(
            path,
            format!(
                "not a NIfTI file: sizeof_hdr is {le}, expected 348 (NIfTI-1) or 540 (NIfTI-2)"
            ),
        ));
    }
    if bytes.len() < 348 {
        return Err(nerr(
            path,
            format!(
                "truncated header: {} bytes, a NIfTI-1 header needs 348",
                bytes.len()
            ),
        ));
    }
    let h = nifti::NiftiHeader::from_reader(&bytes[..348]).map_err(|e| match e {
        nifti::NiftiError::InvalidFormat => nerr(
            path,
            format!(
                "wrong magic {:?}: expected \"n+1\" or \"ni1\"",
                String::from_utf8_lossy(&bytes[344..348]).trim_end_matches('\0')
            ),
        ),
        other => nerr(path, format!("bad header: {other}")),
    })?;
    let big_endian = h.endianness == nifti::Endianness::Big;
    // dim is read as u16 by the crate; reinterpret as the signed short the standard defines
    let dim = h.dim.map(|d| d as i16 as i64);
    Ok(Header {
        version: 1,
        dim,
        datatype: h.datatype,
        pixdim: h.pixdim.map(|p| p as f64),
        vox_offset: h.vox_offset as f64,
        scl_slope: h.scl_slope as f64,
        scl_inter: h.scl_inter as f64,
        toffset: h.toffset as f64,
        qform_code: h.qform_code as i32,
        sform_code: h.sform_code as i32,
        quatern: [h.quatern_b, h.quatern_c, h.quatern_d].map(|x| x as f64),
        qoffset: [h.quatern_x, h.quatern_y, h.quatern_z].map(|x| x as f64),
        srow: [h.srow_x, h.srow_y, h.srow_z].map(|r| r.map(|x| x as f64)),
        xyzt_units: h.xyzt_units,
        big_endian,
        single_file: &h.magic == b"n+1\0",
    })
}

/// NIfTI-2: 540-byte header with 64-bit fields (layout from nifti2.h).
fn parse_nifti2(bytes: &[u8], path: &Path, big: bool) -> Result<Header, VolError> {
    if bytes.len() < 540 {
        return Err(nerr(
            path,
            format!("truncated NIfTI-2 header: {} bytes, needs 540", bytes.len()),
        ));
    }
    let magic = &bytes[4..8];
    if magic != b"n+2\0" && magic != b"ni2\0" {
        return Err(nerr(
            path,
            format!("wrong NIfTI-2 magic {:?}", String::from_utf8_lossy(magic)),
        ));
    }
    let rd = |o: usize, n: usize| -> &[u8] { &bytes[o..o + n] };
    let f64_at = |o: usize| {
        let b: [u8; 8] = rd(o, 8).try_into().expect("8 bytes");
        if big {
            f64::from_be_bytes(b)
        } else {
            f64::from_le_bytes(b)
        }
    };
    let i64_at = |o: usize| {
        let b: [u8; 8] = rd(o, 8).try_into().expect("8 bytes");
        if big {
            i64::from_be_bytes(b)
        } else {
            i64::from_le_bytes(b)
        }
    };
    let i32_at = |o: usize| {
        let b: [u8; 4] = rd(o, 4).try_into().expect("4 bytes");
        if big {
            i32::from_be_bytes(b)
        } else {
            i32::from_le_bytes(b)
        }
    };
    let i16_at = |o: usize| {
        let b: [u8; 2] = rd(o, 2).try_into().expect("2 bytes");
        if big {
            i16::from_be_bytes(b)
        } else {
            i16::from_le_bytes(b)
        }
    };
    let mut dim = [0i64; 8];
    let mut pixdim = [0f64; 8];
    for i in 0..8 {
        dim[i] = i64_at(16 + 8 * i);
        pixdim[i] = f64_at(104 + 8 * i);
    }
    let row = |o: usize| [f64_at(o), f64_at(o + 8), f64_at(o + 16), f64_at(o + 24)];
    Ok(Header {
        version: 2,
        dim,
        datatype: i16_at(12),
        pixdim,
        vox_offset: i64_at(168) as f64,
        scl_slope: f64_at(176),
        scl_inter: f64_at(184),
        toffset: f64_at(216),
        qform_code: i32_at(344),
        sform_code: i32_at(348),
        quatern: [f64_at(352), f64_at(360), f64_at(368)],
        qoffset: [f64_at(376), f64_at(384), f64_at(392)],
        srow: [row(400), row(432), row(464)],
        xyzt_units: i32_at(500) as u8,
        big_endian: big,
        single_file: magic == b"n+2\0",
    })
}

/// (bytes per voxel, name) of a NIfTI datatype code petmr reads.
fn datatype_info(code: i16) -> Option<(usize, &'static str)> {
    Some(match code {
        2 => (1, "uint8"),
        4 => (2, "int16"),
        8 => (4, "int32"),
        16 => (4, "float32"),
        64 => (8, "float64"),
        256 => (1, "int8"),
        512 => (2, "uint16"),
        768 => (4, "uint32"),
        1024 => (8, "int64"),
        1280 => (8, "uint64"),
        _ => return None,
    })
}

fn datatype_name(code: i16) -> &'static str {
    match code {
        0 => "unknown",
        1 => "binary",
        32 => "complex64",
        128 => "rgb24",
        1536 => "float128",
        1792 => "complex128",
        2048 => "complex256",
        2304 => "rgba32",
        _ => "not a NIfTI datatype",
    }
}

/// Decode `n` voxels of datatype `code` to f64, applying byte order.
fn decode(raw: &[u8], code: i16, big: bool, out: &mut [f32], slope: f64, inter: f64) {
    macro_rules! conv {
        ($t:ty, $n:expr) => {
            for (o, c) in out.iter_mut().zip(raw.chunks_exact($n)) {
                let b: [u8; $n] = c.try_into().expect("chunk size");
                let x = if big {
                    <$t>::from_be_bytes(b)
                } else {
                    <$t>::from_le_bytes(b)
                };
                *o = (x as f64 * slope + inter) as f32;
            }
        };
    }
    match code {
        2 => conv!(u8, 1),
        256 => conv!(i8, 1),
        4 => conv!(i16, 2),
        512 => conv!(u16, 2),
        8 => conv!(i32, 4),
        768 => conv!(u32, 4),
        16 => conv!(f32, 4),
        64 => conv!(f64, 8),
        1024 => conv!(i64, 8),
        1280 => conv!(u64, 8),
        _ => unreachable!("datatype checked by caller"),
    }
}

/// Rotation matrix from the NIfTI quaternion (b, c, d); a = sqrt(1 − b² − c² − d²).
fn quat_to_rot(b: f64, c: f64, d: f64) -> Matrix3<f64> {
    let w2 = 1.0 - (b * b + c * c + d * d);
    let a = if w2 < 0.0 { 0.0 } else { w2.sqrt() };
    // renormalise when the stored quaternion is slightly off the unit sphere (nibabel does too)
    let (a, b, c, d) = if w2 < 0.0 {
        let n = (b * b + c * c + d * d).sqrt();
        (0.0, b / n, c / n, d / n)
    } else {
        (a, b, c, d)
    };
    Matrix3::new(
        a * a + b * b - c * c - d * d,
        2.0 * (b * c - a * d),
        2.0 * (b * d + a * c),
        2.0 * (b * c + a * d),
        a * a + c * c - b * b - d * d,
        2.0 * (c * d - a * b),
        2.0 * (b * d - a * c),
        2.0 * (c * d + a * b),
        a * a + d * d - c * c - b * b,
    )
}

fn check_pixdim(h: &Header, path: &Path, which: &str) -> Result<[f64; 3], VolError> {
    let z = [h.pixdim[1], h.pixdim[2], h.pixdim[3]];
    if let Some(i) = z.iter().position(|p| !(p.is_finite() && *p > 0.0)) {
        return Err(nerr(
            path,
            format!(
                "pixdim[{}] = {} is not a positive voxel size, and the {which} affine needs it",
                i + 1,
                z[i]
            ),
        ));
    }
    Ok(z)
}

/// The voxel-to-world affine by nibabel's rule.
pub fn header_affine(h: &Header, path: &Path, shape: [usize; 3]) -> Result<Matrix4<f64>, VolError> {
    let mut a = Matrix4::identity();
    if h.sform_code > 0 {
        for r in 0..3 {
            for c in 0..4 {
                a[(r, c)] = h.srow[r][c];
            }
        }
    } else if h.qform_code > 0 {
        let z = check_pixdim(h, path, "qform")?;
        let qfac = if h.pixdim[0] < 0.0 { -1.0 } else { 1.0 };
        let r = quat_to_rot(h.quatern[0], h.quatern[1], h.quatern[2]);
        let s = Matrix3::from_diagonal(&nalgebra::Vector3::new(z[0], z[1], z[2] * qfac));
        a.fixed_view_mut::<3, 3>(0, 0).copy_from(&(r * s));
        for r in 0..3 {
            a[(r, 3)] = h.qoffset[r];
        }
    } else {
        // nibabel's fallback: x flipped, centred on the grid
        let z = check_pixdim(h, path, "fallback (no sform or qform)")?;
        let zs = [-z[0], z[1], z[2]];
        for d in 0..3 {
            a[(d, d)] = zs[d];
            a[(d, 3)] = -((shape[d] as f64 - 1.0) / 2.0) * zs[d];
        }
    }
    if a.iter().any(|x| !x.is_finite()) || a.fixed_view::<3, 3>(0, 0).determinant().abs() < 1e-12 {
        return Err(nerr(path, "the affine is singular or not finite"));
    }
    Ok(a)
}

/// Path of the JSON sidecar beside an image (`x.nii.gz` → `x.json`).
pub fn sidecar_path(path: &Path) -> PathBuf {
    let s = path.to_string_lossy();
    let stem = s.strip_suffix(".gz").unwrap_or(&s);
    let stem = stem.strip_suffix(".nii").unwrap_or(stem);
    PathBuf::from(format!("{stem}.json"))
}

fn read_sidecar(path: &Path) -> Result<Map<String, Value>, VolError> {
    let sc = sidecar_path(path);
    if !sc.exists() {
        return Ok(Map::new());
    }
    let serr = |what: String| VolError::Sidecar {
        path: sc.display().to_string(),
        what,
    };
    let text = std::fs::read_to_string(&sc).map_err(|e| serr(format!("cannot read: {e}")))?;
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(serr("not a JSON object".into())),
        Err(e) => Err(serr(format!("invalid JSON: {e}"))),
    }
}

/// Numbers of a sidecar array key, with an error naming the key.
pub fn sidecar_numbers(
    meta: &Map<String, Value>,
    key: &str,
    sc: &Path,
) -> Result<Option<Vec<f64>>, VolError> {
    let serr = |what: String| VolError::Sidecar {
        path: sc.display().to_string(),
        what,
    };
    match meta.get(key) {
        None => Ok(None),
        Some(Value::Array(a)) => a
            .iter()
            .enumerate()
            .map(|(i, v)| {
                v.as_f64()
                    .ok_or_else(|| serr(format!("{key}[{i}] is not a number")))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(Value::Number(n)) => Ok(Some(vec![n.as_f64().unwrap_or(f64::NAN)])),
        Some(_) => Err(serr(format!(
            "{key} is not a number or an array of numbers"
        ))),
    }
}

/// Time unit of `xyzt_units` in seconds per unit (s, ms, µs), default s.
fn time_unit_s(xyzt: u8) -> f64 {
    match xyzt & 0x38 {
        16 => 1e-3,
        24 => 1e-6,
        _ => 1.0,
    }
}

/// Frame timing from the sidecar (`FrameTimesStart` + `FrameDuration`) or from pixdim[4].
fn time_axis(
    h: &Header,
    meta: &Map<String, Value>,
    path: &Path,
    nt: usize,
) -> Result<Option<TimeAxis>, VolError> {
    let sc = sidecar_path(path);
    let starts = sidecar_numbers(meta, "FrameTimesStart", &sc)?;
    let durs = sidecar_numbers(meta, "FrameDuration", &sc)?;
    let serr = |what: String| VolError::Sidecar {
        path: sc.display().to_string(),
        what,
    };
    match (starts, durs) {
        (Some(s), Some(d)) => {
            if s.len() != nt || d.len() != nt {
                return Err(serr(format!(
                    "FrameTimesStart has {} and FrameDuration {} entries but the image has {nt} frames",
                    s.len(),
                    d.len()
                )));
            }
            Ok(Some(TimeAxis {
                start_s: s,
                duration_s: d,
            }))
        }
        (Some(_), None) => Err(serr(
            "FrameTimesStart is given but FrameDuration is missing".into(),
        )),
        (None, Some(_)) => Err(serr(
            "FrameDuration is given but FrameTimesStart is missing".into(),
        )),
        (None, None) => {
            let dt = h.pixdim[4] * time_unit_s(h.xyzt_units);
            if h.dim[0] < 4 || nt < 2 || !(dt.is_finite() && dt > 0.0) {
                return Ok(None);
            }
            let t0 = if h.toffset.is_finite() {
                h.toffset * time_unit_s(h.xyzt_units)
            } else {
                0.0
            };
            Ok(Some(TimeAxis {
                start_s: (0..nt).map(|i| t0 + i as f64 * dt).collect(),
                duration_s: vec![dt; nt],
            }))
        }
    }
}

/// Read a NIfTI image (and its JSON sidecar, if any) into a [`Volume`].
pub fn read(path: &Path) -> Result<Volume, VolError> {
    let bytes = read_bytes(path)?;
    let h = parse_header(&bytes, path)?;
    if !h.single_file {
        return Err(nerr(
            path,
            "this is the header of a .hdr/.img pair; petmr reads single-file .nii/.nii.gz",
        ));
    }
    let nd = h.dim[0];
    if !(1..=7).contains(&nd) {
        return Err(nerr(path, format!("dim[0] = {nd} must be 1..7")));
    }
    let nd = nd as usize;
    let mut d = [1usize; 7];
    for (i, di) in d.iter_mut().enumerate().take(nd) {
        let x = h.dim[i + 1];
        if x < 1 {
            return Err(nerr(
                path,
                format!("dim[{}] = {x} must be at least 1", i + 1),
            ));
        }
        *di = x as usize;
    }
    if d[4..].iter().any(|&x| x > 1) {
        return Err(nerr(
            path,
            format!(
                "{nd}-D images with dim[5..7] = {:?} are not supported (3-D or 4-D only)",
                &d[4..nd.max(4)]
            ),
        ));
    }
    let (bpv, _) = datatype_info(h.datatype).ok_or_else(|| {
        nerr(
            path,
            format!(
                "unsupported datatype {} ({})",
                h.datatype,
                datatype_name(h.datatype)
            ),
        )
    })?;
    let (nx, ny, nz, nt) = (d[0], d[1], d[2], d[3]);
    let n = nx
        .checked_mul(ny)
        .and_then(|v| v.checked_mul(nz))
        .and_then(|v| v.checked_mul(nt))
        .ok_or_else(|| nerr(path, "dims overflow"))?;
    let off = h.vox_offset;
    if !(off.is_finite() && off >= 0.0) {
        return Err(nerr(path, format!("vox_offset = {off} is invalid")));
    }
    let off = (off as usize).max(if h.version == 2 { 540 } else { 348 });
    let need = n
        .checked_mul(bpv)
        .and_then(|b| b.checked_add(off))
        .ok_or_else(|| nerr(path, "dims overflow"))?;
    if bytes.len() < need {
        return Err(nerr(
            path,
            format!(
                "file holds {} bytes but dims {}×{}×{}×{} of {} need {} (truncated file, or dims inconsistent with the data)",
                bytes.len(),
                nx,
                ny,
                nz,
                nt,
                datatype_info(h.datatype).map(|x| x.1).unwrap_or("?"),
                need
            ),
        ));
    }
    let (slope, inter) = if h.scl_slope.is_finite() && h.scl_slope != 0.0 {
        (
            h.scl_slope,
            if h.scl_inter.is_finite() {
                h.scl_inter
            } else {
                0.0
            },
        )
    } else {
        (1.0, 0.0)
    };
    let mut fdata = vec![0f32; n];
    decode(
        &bytes[off..off + n * bpv],
        h.datatype,
        h.big_endian,
        &mut fdata,
        slope,
        inter,
    );
    drop(bytes);
    let affine = header_affine(&h, path, [nx, ny, nz])?;
    // disk order is x fastest; petmr keeps time fastest
    let arr = Array4::from_shape_vec((nx, ny, nz, nt).f(), fdata)
        .map_err(|e| nerr(path, format!("shape error: {e}")))?
        .as_standard_layout()
        .to_owned();
    let meta = read_sidecar(path)?;
    let times = time_axis(&h, &meta, path, nt)?;
    let mut v = Volume::new(Grid::new([nx, ny, nz], affine), arr, times)?;
    v.meta = Arc::new(meta);
    v.codes = SpaceCodes {
        qform_code: h.qform_code as i16,
        sform_code: h.sform_code as i16,
    };
    crate::fsutil::register_input(path);
    Ok(v)
}

use ndarray::ShapeBuilder;

/// Quaternion (b, c, d), qfac and voxel sizes closest to the affine's 3×3 part (polar
/// decomposition, as nibabel's `set_qform`).
fn affine_to_quat(a: &Matrix4<f64>) -> ([f64; 3], f64, [f64; 3]) {
    let m = a.fixed_view::<3, 3>(0, 0).into_owned();
    let zooms = [0, 1, 2].map(|c| m.column(c).norm());
    let mut r = m;
    for (c, &z) in zooms.iter().enumerate() {
        if z > 0.0 {
            r.column_mut(c).scale_mut(1.0 / z);
        }
    }
    let mut qfac = 1.0;
    if r.determinant() < 0.0 {
        qfac = -1.0;
        r.column_mut(2).scale_mut(-1.0);
    }
    let svd = r.svd(true, true);
    if let (Some(u), Some(vt)) = (svd.u, svd.v_t) {
        r = u * vt;
    }
    // rotation matrix → unit quaternion with a ≥ 0
    let tr = r[(0, 0)] + r[(1, 1)] + r[(2, 2)];
    let (a_, b, c, d);
    if tr > 0.0 {
        let s = (tr + 1.0).sqrt() * 2.0;
        a_ = 0.25 * s;
        b = (r[(2, 1)] - r[(1, 2)]) / s;
        c = (r[(0, 2)] - r[(2, 0)]) / s;
        d = (r[(1, 0)] - r[(0, 1)]) / s;
    } else if r[(0, 0)] > r[(1, 1)] && r[(0, 0)] > r[(2, 2)] {
        let s = (1.0 + r[(0, 0)] - r[(1, 1)] - r[(2, 2)]).sqrt() * 2.0;
        a_ = (r[(2, 1)] - r[(1, 2)]) / s;
        b = 0.25 * s;
        c = (r[(0, 1)] + r[(1, 0)]) / s;
        d = (r[(0, 2)] + r[(2, 0)]) / s;
    } else if r[(1, 1)] > r[(2, 2)] {
        let s = (1.0 + r[(1, 1)] - r[(0, 0)] - r[(2, 2)]).sqrt() * 2.0;
        a_ = (r[(0, 2)] - r[(2, 0)]) / s;
        b = (r[(0, 1)] + r[(1, 0)]) / s;
        c = 0.25 * s;
        d = (r[(1, 2)] + r[(2, 1)]) / s;
    } else {
        let s = (1.0 + r[(2, 2)] - r[(0, 0)] - r[(1, 1)]).sqrt() * 2.0;
        a_ = (r[(1, 0)] - r[(0, 1)]) / s;
        b = (r[(0, 2)] + r[(2, 0)]) / s;
        c = (r[(1, 2)] + r[(2, 1)]) / s;
        d = 0.25 * s;
    }
    let sign = if a_ < 0.0 { -1.0 } else { 1.0 };
    ([b * sign, c * sign, d * sign], qfac, zooms)
}

/// Datatype written by [`write`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum OutType {
    Float32,
    Uint8,
}

/// Write a volume as NIfTI-1 (`.nii`, or gzipped `.nii.gz`), atomically, keeping the affine in
/// both sform and qform with the volume's codes, units mm and s, and frame timing in pixdim[4].
/// Frame timing and metadata also go to a JSON sidecar when the series has irregular frames or
/// metadata.
pub fn write(vol: &Volume, path: &Path, ty: OutType) -> Result<(), VolError> {
    let name = path.to_string_lossy().to_ascii_lowercase();
    let gz = name.ends_with(".nii.gz");
    if !gz && !name.ends_with(".nii") {
        return Err(nerr(path, "output name must end in .nii or .nii.gz"));
    }
    let [nx, ny, nz] = vol.grid.dim;
    let nt = vol.n_frames();
    // NIfTI-1 stores each dimension as a 16-bit integer
    if let Some(d) = [nx, ny, nz, nt]
        .into_iter()
        .find(|&d| d > i16::MAX as usize)
    {
        return Err(nerr(
            path,
            format!("a dimension of {d} voxels/frames does not fit NIfTI-1 (at most 32767)"),
        ));
    }
    let hdr = build_header(vol, ty);
    // data in disk order (x fastest)
    let src = vol.as_slice();
    let bpv = if ty == OutType::Float32 { 4 } else { 1 };
    let mut data = Vec::with_capacity(nx * ny * nz * nt * bpv);
    for t in 0..nt {
        for k in 0..nz {
            for j in 0..ny {
                for i in 0..nx {
                    let x = src[((i * ny + j) * nz + k) * nt + t];
                    match ty {
                        OutType::Float32 => data.extend_from_slice(&x.to_le_bytes()),
                        OutType::Uint8 => data.push(if x.is_finite() {
                            x.round().clamp(0.0, 255.0) as u8
                        } else {
                            0
                        }),
                    }
                }
            }
        }
    }
    crate::fsutil::write_atomic(path, |w| {
        if gz {
            let mut e = flate2::write::GzEncoder::new(w, flate2::Compression::new(4));
            e.write_all(&hdr)?;
            e.write_all(&data)?;
            e.finish()?;
        } else {
            w.write_all(&hdr)?;
            w.write_all(&data)?;
        }
        Ok(())
    })
    .map_err(|e| nerr(path, e))?;
    write_sidecar(vol, path)
}

fn write_sidecar(vol: &Volume, path: &Path) -> Result<(), VolError> {
    let mut meta = (*vol.meta).clone();
    if let Some(t) = &vol.times {
        meta.insert("FrameTimesStart".into(), Value::from(t.start_s.clone()));
        meta.insert("FrameDuration".into(), Value::from(t.duration_s.clone()));
    } else {
        meta.remove("FrameTimesStart");
        meta.remove("FrameDuration");
    }
    if meta.is_empty() {
        return Ok(());
    }
    let sc = sidecar_path(path);
    let text = serde_json::to_string_pretty(&Value::Object(meta)).unwrap_or_default();
    crate::fsutil::write_atomic(&sc, |w| w.write_all(text.as_bytes())).map_err(|e| {
        VolError::Sidecar {
            path: sc.display().to_string(),
            what: e,
        }
    })
}

fn build_header(vol: &Volume, ty: OutType) -> Vec<u8> {
    let [nx, ny, nz] = vol.grid.dim;
    let nt = vol.n_frames();
    let a = &vol.grid.affine;
    let (q, qfac, zooms) = affine_to_quat(a);
    let mut h = vec![0u8; 352];
    let put_i16 = |h: &mut Vec<u8>, o: usize, v: i16| h[o..o + 2].copy_from_slice(&v.to_le_bytes());
    let put_i32 = |h: &mut Vec<u8>, o: usize, v: i32| h[o..o + 4].copy_from_slice(&v.to_le_bytes());
    let put_f32 = |h: &mut Vec<u8>, o: usize, v: f32| h[o..o + 4].copy_from_slice(&v.to_le_bytes());
    put_i32(&mut h, 0, 348);
    h[39] = 0; // dim_info
    let ndim: i16 = if vol.is_4d() { 4 } else { 3 };
    let dims = [ndim, nx as i16, ny as i16, nz as i16, nt as i16, 1, 1, 1];
    for (i, d) in dims.iter().enumerate() {
        put_i16(&mut h, 40 + 2 * i, *d);
    }
    let (code, bitpix) = match ty {
        OutType::Float32 => (16i16, 32i16),
        OutType::Uint8 => (2, 8),
    };
    put_i16(&mut h, 70, code);
    put_i16(&mut h, 72, bitpix);
    let dt = vol
        .times
        .as_ref()
        .map(|t| t.duration_s.first().copied().unwrap_or(0.0))
        .unwrap_or(0.0);
    let pix = [qfac, zooms[0], zooms[1], zooms[2], dt, 1.0, 1.0, 1.0];
    for (i, p) in pix.iter().enumerate() {
        put_f32(&mut h, 76 + 4 * i, *p as f32);
    }
    put_f32(&mut h, 108, 352.0); // vox_offset
    put_f32(&mut h, 112, 1.0); // scl_slope
    put_f32(&mut h, 116, 0.0); // scl_inter
    h[123] = 2 | 8; // xyzt_units: mm, s
    let toff = vol
        .times
        .as_ref()
        .and_then(|t| t.start_s.first().copied())
        .unwrap_or(0.0);
    put_f32(&mut h, 140, toff as f32);
    let desc = b"petmr";
    h[148..148 + desc.len()].copy_from_slice(desc);
    let (qc, sc) = (vol.codes.qform_code, vol.codes.sform_code);
    put_i16(&mut h, 252, qc);
    put_i16(&mut h, 254, sc);
    put_f32(&mut h, 256, q[0] as f32);
    put_f32(&mut h, 260, q[1] as f32);
    put_f32(&mut h, 264, q[2] as f32);
    for r in 0..3 {
        put_f32(&mut h, 268 + 4 * r, a[(r, 3)] as f32);
        for c in 0..4 {
            put_f32(&mut h, 280 + 16 * r + 4 * c, a[(r, c)] as f32);
        }
    }
    h[344..348].copy_from_slice(b"n+1\0");
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dimension_beyond_nifti_1_is_refused_not_truncated() {
        let g = Grid::axis_aligned([40_000, 1, 1], [1.0; 3], [0.0; 3]);
        let v = Volume::filled(g, 1, 0.0);
        let p = std::env::temp_dir().join(format!("petmr-big-{}.nii", std::process::id()));
        let e = write(&v, &p, OutType::Uint8).unwrap_err().to_string();
        assert!(e.contains("40000") && e.contains("32767"), "{e}");
        assert!(!p.exists());
    }
    use nalgebra::Rotation3;

    #[test]
    fn quaternion_round_trip() {
        let r = Rotation3::from_euler_angles(0.1, -0.2, 0.3).into_inner();
        let mut a = Matrix4::identity();
        a.fixed_view_mut::<3, 3>(0, 0)
            .copy_from(&(r * Matrix3::from_diagonal(&nalgebra::Vector3::new(2.0, 3.0, -4.0))));
        let (q, qfac, z) = affine_to_quat(&a);
        assert_eq!(qfac, -1.0);
        let back = quat_to_rot(q[0], q[1], q[2])
            * Matrix3::from_diagonal(&nalgebra::Vector3::new(z[0], z[1], z[2] * qfac));
        assert!((back - a.fixed_view::<3, 3>(0, 0)).abs().max() < 1e-12);
    }

    #[test]
    fn sidecar_path_strips_extensions() {
        assert_eq!(
            sidecar_path(Path::new("a/b.nii.gz")),
            PathBuf::from("a/b.json")
        );
        assert_eq!(sidecar_path(Path::new("b.nii")), PathBuf::from("b.json"));
    }
}
