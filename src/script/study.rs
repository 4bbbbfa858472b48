//! Script functions of the `study` domain: the synthetic study, reading a study folder, result
//! caching, small table readers, and the voxel-class analysis. The per-lesion pipeline itself
//! is Rhai (`stdlib/study.rhai`), built on these and the domain functions.
use super::convert::{map_of, to_array, Opts};
use super::docs::FnDoc;
use super::{err, rerr, RResult};
use crate::roi::Mask;
use crate::study::{self, cache, classes, tsv::Tsv, Size, Study, SynthOptions};
use crate::volume::Volume;
use rhai::{Array, Dynamic, Engine, Map, FLOAT, INT};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Help entries of this domain (one per script-visible function).
pub const DOCS: &[FnDoc] = &[
    FnDoc { name: "synth_study", domain: "study", signature: "synth_study(dir, #{seed: 1, size: \"small\"|\"paper\", noise: 1.0}) -> map",
        doc: "Write the synthetic FMISO PET/MRI breast study (29 patients, 32 lesions with the paper's Table 1 counts; layout in docs/STUDY.md) into `dir`, which must be new or empty. Seeded and deterministic. `noise` scales the default noise levels (0 = noise-free). Returns #{dir, participants, lesions, bytes, hf_zero, hf_low, hf_high} (lesions with true %HF = 0, in (0, 1], > 1).",
        example: "let r = synth_study(\"/tmp/study\", #{seed: 7});\nprint(r.lesions);  // 32" },
    FnDoc { name: "study_open", domain: "study", signature: "study_open(dir) -> map",
        doc: "Read a study folder's participants.tsv and lesions.tsv and look up each lesion's inputs. Returns #{dir, problems: [..], lesions: [#{participant, lesion, subtype, grade, hr, her2, path_size_mm, clinical: #{..participants.tsv row..}, files: #{vfa, b1, dce, dwi, bval, pet, blood, muscle, mask}, problems: [..]}]}; a missing input is absent from `files` and named in `problems`.",
        example: "let s = study_open(\"petmr-demo\");\nfor l in s.lesions { print(l.participant + \" \" + l.problems.len()); }" },
    FnDoc { name: "study_fingerprint", domain: "study", signature: "study_fingerprint(paths, extra) -> string",
        doc: "A stable hash of the paths, sizes and modification times of input files (missing files count as absent) and of the text `extra` (options, pipeline version).",
        example: "let fp = study_fingerprint([\"a.nii.gz\", \"b.tsv\"], \"v1\");" },
    FnDoc { name: "study_cache_load", domain: "study", signature: "study_cache_load(dir, key, fingerprint) -> value or ()",
        doc: "The value cached under `key` in DIR/derivatives/petmr/cache/ if it was stored with this fingerprint, else ().",
        example: "let rows = study_cache_load(dir, \"sub-01\", fp);\nif rows == () { /* compute */ }" },
    FnDoc { name: "study_cache_store", domain: "study", signature: "study_cache_store(dir, key, fingerprint, value)",
        doc: "Store a value (numbers, strings, (), arrays and maps of those) under `key` with its input fingerprint in DIR/derivatives/petmr/cache/key.json.",
        example: "study_cache_store(dir, \"sub-01\", fp, rows);" },
    FnDoc { name: "tsv_columns", domain: "study", signature: "tsv_columns(path) -> map of arrays",
        doc: "Read a tab-separated file (header row; `n/a` or empty = missing) as #{column: array}; cells that parse as numbers are numbers, missing cells are ().",
        example: "let b = tsv_columns(\"sub-01/pet/sub-01_blood.tsv\");\nprint(b.time_s);" },
    FnDoc { name: "read_bvals", domain: "study", signature: "read_bvals(path) -> array",
        doc: "The b-values (s/mm²) of an FSL/BIDS .bval file (numbers separated by spaces or newlines).",
        example: "let b = read_bvals(\"sub-01/dwi/sub-01_dwi.bval\");  // [0.0, 900.0]" },
    FnDoc { name: "voxel_classes", domain: "study", signature: "voxel_classes(ki, ktrans, tumour, muscle, #{ktrans_split: 0.25, k_sd: 2}) -> map",
        doc: "Beyond the paper: percent of tumour voxels that are hypoxic/normoxic × hypo-/hyperperfused, and the voxelwise Pearson r of Ki vs Ktrans. Ki (mL/cm³/min, on the DCE grid) is hypoxic above mean + k_sd·SD of Ki in the muscle mask (the %HF rule); Ktrans (1/min) is hyperperfused at or above `ktrans_split`. Returns #{hypoxic_hypo, hypoxic_hyper, normoxic_hypo, normoxic_hyper, r_ki_ktrans, n, ki_threshold}.",
        example: "let c = voxel_classes(ki, fit.ktrans, tumour, muscle);\nprint(c.hypoxic_hyper);" },
];

fn study_err(e: study::StudyError) -> Box<rhai::EvalAltResult> {
    rerr(e)
}

fn num_or_unit(x: Option<f64>) -> Dynamic {
    match x {
        Some(v) if v.is_finite() => Dynamic::from_float(v),
        _ => Dynamic::UNIT,
    }
}

fn text_or_unit(x: &Option<String>) -> Dynamic {
    match x {
        Some(s) => Dynamic::from(s.clone()),
        None => Dynamic::UNIT,
    }
}

/// A TSV cell as a number if it parses, a string otherwise, () if missing.
fn cell_dynamic(x: &Option<String>) -> Dynamic {
    match x {
        None => Dynamic::UNIT,
        Some(s) => match s.parse::<f64>() {
            Ok(v) => Dynamic::from_float(v),
            Err(_) => Dynamic::from(s.clone()),
        },
    }
}

fn synth(dir: &str, opts: Map) -> RResult<Map> {
    let o = Opts::new("synth_study", opts, &["seed", "size", "noise"])?;
    let seed = o.int("seed", 1)?;
    if seed < 0 {
        return Err(err(format!(
            "synth_study: option 'seed' must be ≥ 0, got {seed}"
        )));
    }
    let size = Size::parse(&o.choice("size", "small", &["small", "paper"])?).map_err(study_err)?;
    let opts = SynthOptions {
        seed: seed as u64,
        size,
        noise: o.f64("noise", 1.0)?,
    };
    let r = study::synth_study(Path::new(dir), &opts).map_err(study_err)?;
    Ok(map_of(vec![
        ("dir", Dynamic::from(r.dir.display().to_string())),
        ("participants", Dynamic::from_int(r.participants as INT)),
        ("lesions", Dynamic::from_int(r.lesions as INT)),
        ("bytes", Dynamic::from_int(r.bytes as INT)),
        ("hf_zero", Dynamic::from_int(r.hf_classes[0] as INT)),
        ("hf_low", Dynamic::from_int(r.hf_classes[1] as INT)),
        ("hf_high", Dynamic::from_int(r.hf_classes[2] as INT)),
    ]))
}

fn open(dir: &str) -> RResult<Map> {
    let s = Study::open(Path::new(dir)).map_err(study_err)?;
    let strings = |v: &[String]| -> Array { v.iter().map(|m| Dynamic::from(m.clone())).collect() };
    let lesions: Array = s
        .lesions
        .iter()
        .map(|l| {
            let clinical: Map = l
                .participant_cols
                .iter()
                .map(|(k, v)| (k.as_str().into(), cell_dynamic(v)))
                .collect();
            let files: Map = l
                .files
                .iter()
                .map(|(k, p)| (k.as_str().into(), Dynamic::from(p.display().to_string())))
                .collect();
            Dynamic::from_map(map_of(vec![
                ("participant", Dynamic::from(l.participant.clone())),
                ("lesion", Dynamic::from_int(l.lesion)),
                ("subtype", text_or_unit(&l.subtype)),
                (
                    "grade",
                    l.grade.map(Dynamic::from_int).unwrap_or(Dynamic::UNIT),
                ),
                ("hr", text_or_unit(&l.hr)),
                ("her2", text_or_unit(&l.her2)),
                ("path_size_mm", num_or_unit(l.path_size_mm)),
                ("clinical", Dynamic::from_map(clinical)),
                ("files", Dynamic::from_map(files)),
                ("problems", Dynamic::from_array(strings(&l.problems))),
            ]))
        })
        .collect();
    Ok(map_of(vec![
        ("dir", Dynamic::from(s.dir.display().to_string())),
        ("problems", Dynamic::from_array(strings(&s.problems))),
        ("lesions", Dynamic::from_array(lesions)),
    ]))
}

/// A script value as JSON (numbers, strings, bools, (), arrays and maps).
fn to_json(d: &Dynamic) -> RResult<Value> {
    if d.is_unit() {
        return Ok(Value::Null);
    }
    if let Some(b) = d.clone().try_cast::<bool>() {
        return Ok(Value::Bool(b));
    }
    if let Some(i) = d.clone().try_cast::<INT>() {
        return Ok(Value::from(i));
    }
    if let Some(f) = d.clone().try_cast::<FLOAT>() {
        return Ok(serde_json::Number::from_f64(f)
            .map(Value::Number)
            .unwrap_or(Value::Null));
    }
    if d.is_string() {
        return Ok(Value::String(d.clone().into_string().unwrap_or_default()));
    }
    if let Some(a) = d.clone().try_cast::<Array>() {
        return a
            .iter()
            .map(to_json)
            .collect::<RResult<Vec<_>>>()
            .map(Value::Array);
    }
    if let Some(m) = d.clone().try_cast::<Map>() {
        let mut o = serde_json::Map::new();
        for (k, v) in m {
            o.insert(k.to_string(), to_json(&v)?);
        }
        return Ok(Value::Object(o));
    }
    Err(err(format!(
        "study_cache_store: cannot cache a value of type {} (only numbers, strings, bools, (), arrays and maps)",
        d.type_name()
    )))
}

fn tsv_columns(path: &str) -> RResult<Map> {
    let t = Tsv::read(Path::new(path)).map_err(study_err)?;
    Ok(t.columns
        .iter()
        .enumerate()
        .map(|(c, name)| {
            let col: Array = t.rows.iter().map(|r| cell_dynamic(&r[c])).collect();
            (name.as_str().into(), Dynamic::from_array(col))
        })
        .collect())
}

fn read_bvals(path: &str) -> RResult<Array> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| err(format!("read_bvals: {path}: cannot read: {e}")))?;
    let v = text
        .split_whitespace()
        .map(|x| {
            x.parse::<f64>()
                .map_err(|_| err(format!("read_bvals: {path}: '{x}' is not a number")))
        })
        .collect::<RResult<Vec<f64>>>()?;
    if v.is_empty() {
        return Err(err(format!("read_bvals: {path}: no b-values in the file")));
    }
    Ok(to_array(&v))
}

fn voxel_classes(ki: Volume, kt: Volume, tum: Mask, mus: Mask, opts: Map) -> RResult<Map> {
    let o = Opts::new("voxel_classes", opts, &["ktrans_split", "k_sd"])?;
    let c = classes::voxel_classes(
        &ki,
        &kt,
        &tum,
        &mus,
        o.f64("ktrans_split", classes::KTRANS_SPLIT_PER_MIN)?,
        o.f64("k_sd", 2.0)?,
    )
    .map_err(study_err)?;
    let f = |x: f64| num_or_unit(Some(x));
    Ok(map_of(vec![
        ("hypoxic_hypo", f(c.hypoxic_hypo)),
        ("hypoxic_hyper", f(c.hypoxic_hyper)),
        ("normoxic_hypo", f(c.normoxic_hypo)),
        ("normoxic_hyper", f(c.normoxic_hyper)),
        ("r_ki_ktrans", f(c.r_ki_ktrans)),
        ("n", Dynamic::from_int(c.n as INT)),
        ("ki_threshold", f(c.ki_threshold)),
    ]))
}

/// Register this domain's types and functions.
pub fn register(e: &mut Engine) {
    e.register_fn("synth_study", |d: &str| synth(d, Map::new()));
    e.register_fn("synth_study", synth);
    e.register_fn("study_open", open);
    e.register_fn(
        "study_fingerprint",
        |paths: Array, extra: &str| -> RResult<String> {
            let p = paths
                .iter()
                .map(|d| {
                    d.clone().into_string().map(PathBuf::from).map_err(|t| {
                        err(format!("study_fingerprint: paths must be strings, got {t}"))
                    })
                })
                .collect::<RResult<Vec<_>>>()?;
            Ok(cache::fingerprint(&p, extra))
        },
    );
    e.register_fn(
        "study_cache_load",
        |dir: &str, key: &str, fp: &str| -> RResult<Dynamic> {
            Ok(cache::load(Path::new(dir), key, fp)
                .map_err(study_err)?
                .map(|v| super::convert::json_to_dynamic(&v))
                .unwrap_or(Dynamic::UNIT))
        },
    );
    e.register_fn(
        "study_cache_store",
        |dir: &str, key: &str, fp: &str, v: Dynamic| -> RResult<()> {
            cache::store(Path::new(dir), key, fp, to_json(&v)?).map_err(study_err)
        },
    );
    e.register_fn("tsv_columns", tsv_columns);
    e.register_fn("read_bvals", read_bvals);
    e.register_fn("voxel_classes", voxel_classes);
    e.register_fn("voxel_classes", |a: Volume, b: Volume, c: Mask, d: Mask| {
        voxel_classes(a, b, c, d, Map::new())
    });
}
