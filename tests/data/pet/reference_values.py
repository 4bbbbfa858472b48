"""Independent reference numbers quoted in tests/it/pet.rs, tests/it/dwi.rs and src/pet/mod.rs
unit tests. Run: python3 tests/data/pet/reference_values.py"""
import numpy as np

T_HALF = 109.77  # F-18, min


def suv(act_bq_ml, dose_mbq, weight_kg, delay_min):
    return act_bq_ml * weight_kg * 1000 / (dose_mbq * 1e6 * 2 ** (-delay_min / T_HALF))


print("SUV 5000 Bq/mL, 300 MBq, 70 kg, 120 min:", suv(5000, 300, 70, 120))
print("SUV 4200 Bq/mL, 306 MBq, 62 kg, 150 min:", suv(4200, 306, 62, 150))

muscle = np.array([1, 2, 3, 4.0])
tumour = np.array([5, 5.1, 6, 2, 9.0])
for k in (2, 1):
    thr = muscle.mean() + k * muscle.std(ddof=1)
    print(f"%HF k={k}: threshold {thr:.7f}, {100 * (tumour > thr).mean():.1f} %")
print("Tmax/M:", tumour.max() / muscle.mean())
plasma = np.interp(165 * 60, [7080, 10920], [5000.0, 4000.0])
print("plasma at 165 min:", plasma, "Tmax/P:", tumour.max() / plasma)
print("ADC 3-point:", -np.polyfit([0, 500, 1000], np.log([1000, 700, 400]), 1)[0])
print("ADC 2-point 1000/400 at b=900:", np.log(2.5) / 900)
