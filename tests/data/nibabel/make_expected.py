"""Produce expected.json: what nibabel reads from each file here (shape, affine, data checks),
plus the affine of "anat_moved" for the SPM resampling test. Run once with nibabel installed:
    python3 make_expected.py
petmr's tests compare their own reads against this file; no Python at test time."""
import json
import numpy as np
import nibabel as nib
from nibabel.affines import from_matvec
from nibabel.eulerangles import euler2mat

FILES = ["anatomical.nii", "functional.nii", "example4d.nii.gz", "example_nifti2.nii.gz",
         "standard.nii.gz", "resampled_anat_moved.nii", "reoriented_anat_moved.nii"]
rng = np.random.default_rng(1234)
out = {"nibabel_version": nib.__version__, "files": {}}
for f in FILES:
    img = nib.load(f)
    data = np.asarray(img.dataobj).astype(np.float64)  # scaled by scl_slope/scl_inter
    shape = list(data.shape)
    flat_idx = rng.integers(0, data.size, size=25)
    idx = [list(map(int, np.unravel_index(i, data.shape))) for i in flat_idx]
    hdr = img.header
    out["files"][f] = {
        "shape": shape,
        "affine": img.affine.tolist(),
        "zooms": [float(z) for z in hdr.get_zooms()],
        "qform_code": int(hdr["qform_code"]),
        "sform_code": int(hdr["sform_code"]),
        "time_unit": hdr.get_xyzt_units()[1],
        "sum": float(np.nansum(data)),
        "min": float(np.nanmin(data)),
        "max": float(np.nanmax(data)),
        "samples": [{"index": i, "value": None if np.isnan(data[tuple(i)]) else float(data[tuple(i)])}
                    for i in idx],  # NaN voxels as null
    }
A = nib.load("anatomical.nii").affine
moved = from_matvec(euler2mat(0.1, 0.2, 0.3), [3, 4, 5]) @ A
out["anat_moved_affine"] = moved.tolist()
with open("expected.json", "w") as fh:
    json.dump(out, fh, indent=1, allow_nan=False)
print("wrote expected.json")
