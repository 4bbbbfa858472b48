//! Script glue for volumes, masks and curves: types, operators, I/O and ROI statistics.
use super::convert::{f64_vec, to_array};
use super::docs::FnDoc;
use super::{err, rerr, RResult};
use crate::roi::{self, Cmp, Mask, RoiStat};
use crate::volume::nifti_io::{self, OutType};
use crate::volume::ops::BinOp;
use crate::volume::{Curve, Volume};
use rhai::{Array, Dynamic, Engine, Map, FLOAT, INT};
use std::path::Path;

pub const DOCS: &[FnDoc] = &[
    FnDoc { name: "load", domain: "volume", signature: "load(path) -> Volume",
        doc: "Read a NIfTI-1/2 image (.nii or .nii.gz, any common datatype, scl_slope applied) and its JSON sidecar. Frame timing comes from FrameTimesStart/FrameDuration (s) in the sidecar, else pixdim[4].",
        example: "let pet = load(\"sub-01/pet/pet.nii.gz\");\nprint(pet);  // Volume 64×64×32×12 @ 2×2×2 mm, ..." },
    FnDoc { name: "load_mask", domain: "volume", signature: "load_mask(path) -> Mask · load_mask(path, label) -> Mask",
        doc: "Read a 3-D image as a mask: non-zero voxels, or the voxels equal to `label`.",
        example: "let tumour = load_mask(\"sub-01/roi/lesion-1.nii.gz\");\nlet muscle = load_mask(\"sub-01/roi/labels.nii.gz\", 2);" },
    FnDoc { name: "save", domain: "volume", signature: "save(vol_or_mask, path) · vol.save(path) · mask.save(path)",
        doc: "Write a volume as float32 NIfTI-1 or a mask as uint8 (.nii or .nii.gz by extension), atomically, keeping the affine and its codes; frame timing and metadata go to a JSON sidecar. Never overwrites a file that was read as an input.",
        example: "ktrans.save(\"derivatives/ktrans.nii.gz\");" },
    FnDoc { name: "file_exists", domain: "volume", signature: "file_exists(path) -> bool",
        doc: "True if `path` names an existing file.",
        example: "if file_exists(\"sub-01/dwi/sub-01_dwi.nii.gz\") { print(\"has DWI\"); }" },
    FnDoc { name: "curve", domain: "volume", signature: "curve(times_s, values) -> Curve",
        doc: "A time curve from two arrays (times in seconds, strictly increasing). Linear between samples.",
        example: "let c = curve([0, 60, 120], [0.0, 1.5, 1.2]);\nprint(c.at(30));  // 0.75" },
    FnDoc { name: "roi_curve", domain: "volume", signature: "roi_curve(series_4d, mask) -> Curve",
        doc: "Mean time curve of a 4-D series inside a mask, at mid-frame times (s). NaN voxels are skipped.",
        example: "let tac = roi_curve(pet, tumour);\nprint(tac.values);" },
    FnDoc { name: "shape", domain: "volume", signature: "vol.shape -> array",
        doc: "Dimensions: [nx, ny, nz] or [nx, ny, nz, nt].", example: "print(vol.shape);" },
    FnDoc { name: "voxel_mm", domain: "volume", signature: "vol.voxel_mm -> array",
        doc: "Voxel size in mm (lengths of the affine columns).", example: "print(vol.voxel_mm);" },
    FnDoc { name: "affine", domain: "volume", signature: "vol.affine -> array of 4 rows",
        doc: "Voxel-to-world affine (mm): sform if set, else qform, else a pixdim affine (nibabel's rule).", example: "print(vol.affine[0]);" },
    FnDoc { name: "n_frames", domain: "volume", signature: "vol.n_frames -> int",
        doc: "Number of frames (1 for a 3-D volume).", example: "print(dce.n_frames);" },
    FnDoc { name: "times", domain: "volume", signature: "vol.times -> array",
        doc: "Mid-frame times in seconds (empty if the series has no timing). See also frame_start_s, frame_duration_s.", example: "print(pet.times);" },
    FnDoc { name: "frame_start_s", domain: "volume", signature: "vol.frame_start_s -> array",
        doc: "Frame start times in seconds (BIDS FrameTimesStart).", example: "print(pet.frame_start_s);" },
    FnDoc { name: "frame_duration_s", domain: "volume", signature: "vol.frame_duration_s -> array",
        doc: "Frame durations in seconds (BIDS FrameDuration).", example: "print(pet.frame_duration_s);" },
    FnDoc { name: "meta", domain: "volume", signature: "vol.meta -> map",
        doc: "The JSON sidecar read with the image, as an object map.", example: "print(dce.meta.RepetitionTime);" },
    FnDoc { name: "frame", domain: "volume", signature: "vol.frame(i) -> Volume",
        doc: "Frame i (from 0) of a series as a 3-D volume.", example: "let first = dce.frame(0);" },
    FnDoc { name: "mean_frames", domain: "volume", signature: "vol.mean_frames(start_min, end_min) -> Volume",
        doc: "Average of the frames whose mid-time lies in [start_min, end_min] minutes, weighted by frame duration.",
        example: "let late = pet.mean_frames(150, 180);" },
    FnDoc { name: "resample_to", domain: "volume", signature: "vol.resample_to(reference) -> Volume · mask.resample_to(reference) -> Mask",
        doc: "Resample onto the grid of `reference` (a Volume or Mask) through both affines: trilinear for volumes (outside → NaN), nearest neighbour for masks (outside → false).",
        example: "let pet_on_mri = pet.resample_to(dce);" },
    FnDoc { name: "values", domain: "volume", signature: "vol.values(mask) -> array",
        doc: "Values of a 3-D volume inside a mask (NaN voxels skipped).", example: "let v = ktrans.values(tumour);" },
    FnDoc { name: "mean", domain: "volume", signature: "vol.mean(mask) -> float", doc: "Mean inside a mask (NaN skipped).", example: "print(suv.mean(tumour));" },
    FnDoc { name: "median", domain: "volume", signature: "vol.median(mask) -> float", doc: "Median inside a mask (NaN skipped).", example: "print(adc.median(tumour));" },
    FnDoc { name: "max", domain: "volume", signature: "vol.max(mask) -> float", doc: "Maximum inside a mask (NaN skipped).", example: "print(suv.max(tumour));" },
    FnDoc { name: "min", domain: "volume", signature: "vol.min(mask) -> float", doc: "Minimum inside a mask (NaN skipped).", example: "print(suv.min(tumour));" },
    FnDoc { name: "sd", domain: "volume", signature: "vol.sd(mask) -> float", doc: "Sample standard deviation (n − 1) inside a mask.", example: "print(ki.sd(muscle));" },
    FnDoc { name: "masked", domain: "volume", signature: "vol.masked(mask) -> Volume", doc: "The volume with NaN outside the mask.", example: "let k = ktrans.masked(tumour);" },
    FnDoc { name: "count", domain: "volume", signature: "mask.count() -> int", doc: "Number of voxels in the mask.", example: "print(tumour.count());" },
    FnDoc { name: "volume_ml", domain: "volume", signature: "mask.volume_ml() -> float", doc: "Mask volume in mL.", example: "print(tumour.volume_ml());" },
    FnDoc { name: "longest_diameter_mm", domain: "volume", signature: "mask.longest_diameter_mm() -> float",
        doc: "Largest distance between two voxel centres of the mask, in world mm.", example: "print(tumour.longest_diameter_mm());" },
    FnDoc { name: "dilate", domain: "volume", signature: "mask.dilate(n) -> Mask", doc: "Grow by n voxels (6-connected).", example: "let ring = tumour.dilate(2) & !tumour;" },
    FnDoc { name: "erode", domain: "volume", signature: "mask.erode(n) -> Mask", doc: "Shrink by n voxels (6-connected).", example: "let core = tumour.erode(1);" },
    FnDoc { name: "largest_component", domain: "volume", signature: "mask.largest_component() -> Mask", doc: "The largest 6-connected component.", example: "let main = (suv > 2.0).largest_component();" },
    FnDoc { name: "to_volume", domain: "volume", signature: "mask.to_volume() -> Volume", doc: "The mask as a 0/1 volume.", example: "let m = tumour.to_volume();" },
    FnDoc { name: "at", domain: "volume", signature: "curve.at(t_s) -> float", doc: "Linear interpolation at t seconds (error outside the curve).", example: "print(aif.at(90.0));" },
    FnDoc { name: "integral", domain: "volume", signature: "curve.integral() -> float", doc: "Trapezoidal integral (value × s).", example: "print(aif.integral());" },
    FnDoc { name: "scale", domain: "volume", signature: "curve.scale(k) -> Curve", doc: "The curve with every value multiplied by k.", example: "let plasma = blood.scale(1.0 / (1.0 - 0.42));" },
    FnDoc { name: "len", domain: "volume", signature: "curve.len() -> int", doc: "Number of samples.", example: "print(aif.len());" },
    FnDoc { name: "values", domain: "volume", signature: "curve.values -> array", doc: "Curve values.", example: "print(c.values);" },
];

fn volume_err(e: crate::volume::VolError) -> Box<rhai::EvalAltResult> {
    rerr(e)
}

fn save_volume(v: &mut Volume, path: &str) -> RResult<()> {
    nifti_io::write(v, Path::new(path), OutType::Float32).map_err(volume_err)
}

fn save_mask(m: &mut Mask, path: &str) -> RResult<()> {
    m.save(Path::new(path)).map_err(volume_err)
}

fn stat(v: &mut Volume, m: Mask, s: RoiStat) -> RResult<FLOAT> {
    roi::stat(v, &m, s).map_err(volume_err)
}

fn grid_of(d: &Dynamic) -> RResult<crate::volume::Grid> {
    if let Some(v) = d.clone().try_cast::<Volume>() {
        Ok(v.grid)
    } else if let Some(m) = d.clone().try_cast::<Mask>() {
        Ok(m.grid)
    } else {
        Err(err(format!(
            "resample_to: reference must be a Volume or Mask, got {}",
            d.type_name()
        )))
    }
}

pub fn register(e: &mut Engine) {
    e.register_type_with_name::<Volume>("Volume")
        .register_type_with_name::<Mask>("Mask")
        .register_type_with_name::<Curve>("Curve");

    // ---- I/O
    e.register_fn("load", |p: &str| {
        nifti_io::read(Path::new(p)).map_err(volume_err)
    });
    e.register_fn("load_mask", |p: &str| {
        Mask::load(Path::new(p), None).map_err(volume_err)
    });
    e.register_fn("load_mask", |p: &str, l: INT| {
        Mask::load(Path::new(p), Some(l as f64)).map_err(volume_err)
    });
    e.register_fn("load_mask", |p: &str, l: FLOAT| {
        Mask::load(Path::new(p), Some(l)).map_err(volume_err)
    });
    e.register_fn("file_exists", |p: &str| Path::new(p).is_file());
    e.register_fn("save", save_volume);
    e.register_fn("save", save_mask);
    e.register_fn("save", |mut v: Volume, p: &str| save_volume(&mut v, p));
    e.register_fn("save", |mut m: Mask, p: &str| save_mask(&mut m, p));

    // ---- Volume properties
    e.register_get("shape", |v: &mut Volume| -> Array {
        v.shape()
            .into_iter()
            .map(|d| Dynamic::from_int(d as INT))
            .collect()
    });
    e.register_get("voxel_mm", |v: &mut Volume| to_array(&v.grid.voxel_mm()));
    e.register_get("affine", |v: &mut Volume| -> Array {
        (0..4)
            .map(|r| Dynamic::from_array(to_array(&[0, 1, 2, 3].map(|c| v.grid.affine[(r, c)]))))
            .collect()
    });
    e.register_get("n_frames", |v: &mut Volume| v.n_frames() as INT);
    e.register_get("times", |v: &mut Volume| {
        to_array(&v.times.as_ref().map(|t| t.mid_s()).unwrap_or_default())
    });
    e.register_get("frame_start_s", |v: &mut Volume| {
        to_array(
            v.times
                .as_ref()
                .map(|t| t.start_s.as_slice())
                .unwrap_or(&[]),
        )
    });
    e.register_get("frame_duration_s", |v: &mut Volume| {
        to_array(
            v.times
                .as_ref()
                .map(|t| t.duration_s.as_slice())
                .unwrap_or(&[]),
        )
    });
    e.register_get("meta", |v: &mut Volume| -> Map {
        v.meta
            .iter()
            .map(|(k, x)| (k.into(), super::convert::json_to_dynamic(x)))
            .collect()
    });
    e.register_fn("frame", |v: &mut Volume, i: INT| {
        if i < 0 {
            return Err(err(format!("frame: index {i} is negative")));
        }
        v.frame(i as usize).map_err(volume_err)
    });
    e.register_fn("mean_frames", |v: &mut Volume, a: Dynamic, b: Dynamic| {
        let a = super::convert::num(&a, "mean_frames: start_min")?;
        let b = super::convert::num(&b, "mean_frames: end_min")?;
        v.mean_frames(a, b).map_err(volume_err)
    });
    e.register_fn("resample_to", |v: &mut Volume, r: Dynamic| {
        v.resample_to(&grid_of(&r)?).map_err(volume_err)
    });
    e.register_fn("resample_to", |m: &mut Mask, r: Dynamic| {
        m.resample_to(&grid_of(&r)?).map_err(volume_err)
    });

    // ---- ROI statistics
    e.register_fn("values", |v: &mut Volume, m: Mask| {
        roi::values(v, &m, "values")
            .map(|x| to_array(&x))
            .map_err(volume_err)
    });
    e.register_fn("mean", |v: &mut Volume, m: Mask| stat(v, m, RoiStat::Mean));
    e.register_fn("median", |v: &mut Volume, m: Mask| {
        stat(v, m, RoiStat::Median)
    });
    e.register_fn("max", |v: &mut Volume, m: Mask| stat(v, m, RoiStat::Max));
    e.register_fn("min", |v: &mut Volume, m: Mask| stat(v, m, RoiStat::Min));
    e.register_fn("sd", |v: &mut Volume, m: Mask| stat(v, m, RoiStat::Sd));
    e.register_fn("masked", |v: &mut Volume, m: Mask| {
        roi::masked(v, &m).map_err(volume_err)
    });
    e.register_fn("roi_curve", |v: Volume, m: Mask| {
        let (t, y) = roi::roi_curve(&v, &m).map_err(volume_err)?;
        Curve::new(t, y).map_err(volume_err)
    });

    // ---- arithmetic
    for (name, op) in [
        ("+", BinOp::Add),
        ("-", BinOp::Sub),
        ("*", BinOp::Mul),
        ("/", BinOp::Div),
    ] {
        e.register_fn(name, move |a: Volume, b: Volume| {
            a.binary(&b, op).map_err(volume_err)
        });
        e.register_fn(name, move |a: Volume, k: FLOAT| a.scalar(k, op, false));
        e.register_fn(name, move |a: Volume, k: INT| a.scalar(k as f64, op, false));
        e.register_fn(name, move |k: FLOAT, a: Volume| a.scalar(k, op, true));
        e.register_fn(name, move |k: INT, a: Volume| a.scalar(k as f64, op, true));
    }
    e.register_fn("-", |a: Volume| a.map(|x| -x));
    for (name, op) in [
        (">", Cmp::Gt),
        ("<", Cmp::Lt),
        (">=", Cmp::Ge),
        ("<=", Cmp::Le),
    ] {
        e.register_fn(name, move |a: Volume, k: FLOAT| {
            Mask::compare(&a, k, op).map_err(volume_err)
        });
        e.register_fn(name, move |a: Volume, k: INT| {
            Mask::compare(&a, k as f64, op).map_err(volume_err)
        });
    }

    // ---- masks
    e.register_fn("count", |m: &mut Mask| m.count() as INT);
    e.register_fn("volume_ml", |m: &mut Mask| m.volume_ml());
    e.register_fn("longest_diameter_mm", |m: &mut Mask| {
        m.longest_diameter_mm().map_err(volume_err)
    });
    e.register_fn("&", |a: Mask, b: Mask| {
        a.combine(&b, "operator &", |x, y| x && y)
            .map_err(volume_err)
    });
    e.register_fn("|", |a: Mask, b: Mask| {
        a.combine(&b, "operator |", |x, y| x || y)
            .map_err(volume_err)
    });
    e.register_fn("!", |a: Mask| a.not());
    e.register_fn("dilate", |m: &mut Mask, n: INT| m.dilate(n.max(0) as usize));
    e.register_fn("erode", |m: &mut Mask, n: INT| m.erode(n.max(0) as usize));
    e.register_fn("largest_component", |m: &mut Mask| m.largest_component());
    e.register_fn("to_volume", |m: &mut Mask| m.to_volume());

    // ---- curves
    e.register_fn("curve", |t: Array, v: Array| {
        Curve::new(
            f64_vec(&t, "curve: times_s")?,
            f64_vec(&v, "curve: values")?,
        )
        .map_err(volume_err)
    });
    e.register_get("times", |c: &mut Curve| to_array(&c.times_s));
    e.register_get("values", |c: &mut Curve| to_array(&c.values));
    e.register_fn("len", |c: &mut Curve| c.len() as INT);
    e.register_fn("at", |c: &mut Curve, t: Dynamic| {
        let t = super::convert::num(&t, "at: t_s")?;
        c.at(t).ok_or_else(|| {
            err(format!(
                "at: {t} s is outside the curve ({}–{} s)",
                c.times_s[0],
                c.times_s[c.len() - 1]
            ))
        })
    });
    e.register_fn("integral", |c: &mut Curve| c.integral());
    e.register_fn("scale", |c: &mut Curve, k: FLOAT| c.scale(k));
    e.register_fn("scale", |c: &mut Curve, k: INT| c.scale(k as f64));

    // ---- display
    e.register_fn("to_string", |v: &mut Volume| v.summary());
    e.register_fn("to_debug", |v: &mut Volume| v.summary());
    e.register_fn("to_string", |m: &mut Mask| m.summary());
    e.register_fn("to_debug", |m: &mut Mask| m.summary());
    e.register_fn("to_string", |c: &mut Curve| c.summary());
    e.register_fn("to_debug", |c: &mut Curve| c.summary());
}
