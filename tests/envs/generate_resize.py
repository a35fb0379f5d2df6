"""Records OpenCV's INTER_AREA resize, the one Gymnasium's ResizeObservation calls
(cv2.resize(obs, (width, height), interpolation=cv2.INTER_AREA), reshaped to the wrapper's
shape), into tests/envs/data/resize_inter_area.jsonl. tests/envs/image_wrappers_test.cpp feeds
the same images through rein's ResizeObservation and demands every pixel equal. CI needs no
OpenCV: the fixture is committed.

Run with Debian's OpenCV (apt-get install python3-opencv):
    /usr/bin/python3 tests/envs/generate_resize.py
    /usr/bin/python3 tests/envs/generate_resize.py --random 500 --out /tmp/many.jsonl  # more cases

The first line names the OpenCV and NumPy versions; then one case a line: name, input and output
shapes, and either the seed of a random input (numpy.random.default_rng(seed).integers(0, 256,
size=n), which rein's NpRandom reproduces, with a checksum to prove it did) or the input itself
in base64; the output always in base64.
"""

import argparse
import base64
import json
import os

import cv2
import numpy as np


def checksum(img):
    """sum((i + 1) * v) mod 2^32 over the flattened bytes: proves the regenerated input."""
    flat = img.reshape(-1).astype(np.uint64)
    return int(np.sum(flat * np.arange(1, flat.size + 1, dtype=np.uint64)) % (1 << 32))


def random_image(seed, shape):
    n = int(np.prod(shape))
    return np.random.default_rng(seed).integers(0, 256, size=n).astype(np.uint8).reshape(shape)


def resize(img, height, width):
    # As Gymnasium's ResizeObservation: cv2 drops a trailing channel axis of 1, reshape restores.
    out = cv2.resize(img, (width, height), interpolation=cv2.INTER_AREA)
    return out.reshape((height, width) + img.shape[2:])


def b64(img):
    return base64.b64encode(img.tobytes()).decode("ascii")


def record(name, img, height, width, seed=None):
    case = {"name": name, "in_shape": list(img.shape), "out_shape": [height, width]}
    if seed is None:
        case["input"] = b64(img)
    else:
        case["seed"] = seed
        case["input_checksum"] = checksum(img)
    case["output"] = b64(resize(img, height, width))
    return case


# (name, input shape, output height, output width): random inputs, seeds 1, 2, ...
RANDOM = [
    # CarRacing's 96x96 RGB frames to the sizes RL Zoo presets and papers use.
    ("car_racing_84", (96, 96, 3), 84, 84),
    ("car_racing_64", (96, 96, 3), 64, 64),  # factor 1.5
    ("car_racing_48", (96, 96, 3), 48, 48),  # factor 2: OpenCV's 2x2 path, halves round up
    ("car_racing_32", (96, 96, 3), 32, 32),  # factor 3: integer path, halves to even
    # Atari frames (210x160) to 84x84: RGB, grey (H, W) and grey with keep_dim (H, W, 1).
    ("atari_rgb_84", (210, 160, 3), 84, 84),
    ("atari_grey_84", (210, 160), 84, 84),
    ("atari_grey_keep_dim_84", (210, 160, 1), 84, 84),
    # Odd fractional factors, different in each axis.
    ("odd_97x53_to_40x31", (97, 53, 3), 40, 31),
    ("odd_10x10_to_3x7", (10, 10), 3, 7),
    ("odd_4ch_50x40_to_21x17", (50, 40, 4), 21, 17),
    ("odd_2ch_30x30_to_13x11", (30, 30, 2), 13, 11),
    ("mixed_integer_96x96_to_32x48", (96, 96), 32, 48),  # factors 3 and 2: integer path
    ("mixed_integer_fraction_96x96_to_32x36", (96, 96, 3), 32, 36),  # 3 and 8/3
    # 1/(1/49) is not 49 in doubles: OpenCV takes its fractional path for an integer factor.
    ("factor_49_to_1x1", (49, 49, 3), 1, 1),
    ("factor_49_98x49_to_2x1", (98, 49), 2, 1),
    # Integer factors on 2 and 4 channels (the 2x2 rounding-up path is for 1, 3, 4 channels).
    ("halve_2ch", (30, 30, 2), 15, 15),
    ("halve_4ch", (40, 40, 4), 20, 20),
    ("quarter_5ch", (16, 12, 5), 4, 3),  # integer path on more than 4 channels
    # Shrink one axis, enlarge the other: OpenCV's bilinear-like area mode for both axes.
    ("shrink_enlarge_20x8_to_10x13", (20, 8, 3), 10, 13),
    ("shrink_enlarge_9x30_to_14x11", (9, 30), 14, 11),
    # Pure enlargement.
    ("enlarge_7x5_to_16x11", (7, 5, 3), 16, 11),
    ("enlarge_36x36_to_84x84", (36, 36, 3), 84, 84),
    ("enlarge_4ch_5x6_to_9x13", (5, 6, 4), 9, 13),
    ("enlarge_5ch_3x4_to_7x9", (3, 4, 5), 7, 9),
    ("same_size_13x17", (13, 17, 3), 13, 17),
    # 1xN and Nx1.
    ("row_1x10_to_1x3", (1, 10), 1, 3),
    ("row_1x10_to_1x1", (1, 10, 3), 1, 1),
    ("column_10x1_to_3x1", (10, 1), 3, 1),
    ("column_10x1_to_4x1", (10, 1, 3), 4, 1),
    ("pixel_1x1_to_4x5", (1, 1, 3), 4, 5),
    ("row_1x3_to_2x6", (1, 3), 2, 6),
    ("square_5x5_to_1x1", (5, 5), 1, 1),
    ("row_1x7_to_3x2", (1, 7, 3), 3, 2),
]


def patterns():
    """Images whose exact area means land on or near halves."""
    y, x = np.mgrid[0:48, 0:48]
    blocks = (np.random.default_rng(7).integers(0, 256, size=(6, 6)) * 1).astype(np.uint8)
    out = [
        ("checker_0_255_to_42", ((x + y) % 2 * 255).astype(np.uint8), 42, 42),
        ("checker_0_255_to_32", ((x + y) % 2 * 255).astype(np.uint8), 32, 32),
        ("checker_0_1_halved", ((x + y) % 2).astype(np.uint8), 24, 24),  # means of exactly .5
        ("checker_0_1_thirds", ((x + y) % 2).astype(np.uint8), 16, 16),  # means 4/9, 5/9
        ("stripes_0_1_to_32x36", (x % 2).astype(np.uint8), 32, 36),
        ("stripes_127_128_to_42x20", (127 + y % 2).astype(np.uint8), 42, 20),
        ("constant_blocks_8x8_to_42", np.kron(blocks, np.ones((8, 8), np.uint8)), 42, 42),
        ("constant_blocks_8x8_to_28x36", np.kron(blocks, np.ones((8, 8), np.uint8)), 28, 36),
        ("ramp_x_plus_y_to_42", ((x + y) * 5 % 256).astype(np.uint8), 42, 42),
        ("ramp_x_to_32x45", (x * 5 + 3).astype(np.uint8), 32, 45),
        ("ramp_enlarge_to_84", ((x + 2 * y) % 256).astype(np.uint8)[:12, :12], 84, 84),
        ("all_255_to_42", np.full((48, 48, 3), 255, np.uint8), 42, 42),
        ("all_255_enlarge", np.full((7, 5, 3), 255, np.uint8), 16, 11),
    ]
    rgb = np.stack([(x + y) % 2 * 255, x % 2 * 255, (y * 5) % 256], axis=-1).astype(np.uint8)
    out.append(("rgb_checker_stripes_ramp_to_42", rgb, 42, 42))
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", help="fixture path (default: tests/envs/data/...)")
    parser.add_argument("--random", type=int, default=0,
                        help="write N extra random cases of random shapes instead (not committed)")
    args = parser.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    path = args.out or os.path.join(here, "data", "resize_inter_area.jsonl")
    lines = [{"opencv_version": cv2.__version__, "numpy_version": np.__version__}]
    if args.random:
        shapes = np.random.default_rng(2024)
        for i in range(args.random):
            h, w = (int(v) for v in shapes.integers(1, 120, size=2))
            oh, ow = (int(v) for v in shapes.integers(1, 100, size=2))
            c = int(shapes.choice([0, 1, 2, 3, 4]))
            shape = (h, w) if c == 0 else (h, w, c)
            lines.append(record(f"random_{i}", random_image(1000 + i, shape), oh, ow, 1000 + i))
    else:
        for seed, (name, shape, h, w) in enumerate(RANDOM, start=1):
            lines.append(record(name, random_image(seed, shape), h, w, seed))
        for name, img, h, w in patterns():
            lines.append(record(name, img, h, w))
    with open(path, "w") as f:
        for line in lines:
            f.write(json.dumps(line, separators=(",", ":")) + "\n")
    print(f"wrote {len(lines) - 1} cases to {path} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    main()
