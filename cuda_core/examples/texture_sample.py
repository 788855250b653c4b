# SPDX-License-Identifier: Apache-2.0
"""Upscale an image twice with a texture's bilinear filtering, checked against numpy.

    python texture_sample.py

An OpaqueArray holds the image (copied in from host memory); a TextureObject with linear
filtering and clamped addressing samples it from a kernel at the centres of the output pixels,
so the hardware does the interpolation. The result is compared with the same interpolation
computed by numpy (the texture unit weighs with 8-bit fractions: hence the tolerance).
"""

from __future__ import annotations

import sys

import numpy as np

from cuda.core import Device, LaunchConfig, LegacyPinnedMemoryResource, Program, ProgramOptions, launch
from cuda.core.texture import OpaqueArrayOptions, ResourceDescriptor, TextureObjectOptions

SOURCE = r"""
extern "C" __global__ void upscale(unsigned long long tex, float* out, long long w, long long h, double scale) {
    int x = blockIdx.x * blockDim.x + threadIdx.x;
    int y = blockIdx.y * blockDim.y + threadIdx.y;
    if (x < w && y < h) {
        // the centre of output pixel (x, y) in input coordinates (texel centres are at i + 0.5)
        float u = (x + 0.5f) / (float)scale, v = (y + 0.5f) / (float)scale;
        out[y * w + x] = tex2D<float>((cudaTextureObject_t)tex, u, v);
    }
}
"""


def bilinear(image: np.ndarray, scale: int) -> np.ndarray:
    """What the texture unit computes: clamped bilinear interpolation at the output centres."""
    h, w = image.shape
    ys = (np.arange(h * scale) + 0.5) / scale - 0.5
    xs = (np.arange(w * scale) + 0.5) / scale - 0.5
    y0, x0 = np.floor(ys).astype(int), np.floor(xs).astype(int)
    fy, fx = (ys - y0)[:, None], (xs - x0)[None, :]
    y0c, y1c = np.clip(y0, 0, h - 1), np.clip(y0 + 1, 0, h - 1)
    x0c, x1c = np.clip(x0, 0, w - 1), np.clip(x0 + 1, 0, w - 1)
    top = image[y0c][:, x0c] * (1 - fx) + image[y0c][:, x1c] * fx
    bottom = image[y1c][:, x0c] * (1 - fx) + image[y1c][:, x1c] * fx
    return (top * (1 - fy) + bottom * fy).astype(np.float32)


def main(width: int = 64, height: int = 48, scale: int = 2) -> int:
    dev = Device(0)
    dev.set_current()
    stream = dev.create_stream()
    kernel = Program(SOURCE, "c++", ProgramOptions(arch=f"sm_{dev.arch}")).compile("cubin").get_kernel("upscale")

    image = np.random.default_rng(0).random((height, width), dtype=np.float32)
    array = dev.create_opaque_array(OpaqueArrayOptions(shape=(width, height), format="float32", num_channels=1))
    array.copy_from(image, stream=stream)
    texture = dev.create_texture_object(
        resource=ResourceDescriptor.from_opaque_array(array),
        options=TextureObjectOptions(address_mode="clamp", filter_mode="linear"),
    )

    w, h = width * scale, height * scale
    out = dev.allocate(w * h * 4, stream=stream)
    config = LaunchConfig(grid=((w + 15) // 16, (h + 15) // 16), block=(16, 16))
    launch(stream, config, kernel, texture.handle, out, w, h, float(scale))
    pinned = LegacyPinnedMemoryResource().allocate(w * h * 4)  # Buffer.copy_to takes a Buffer
    out.copy_to(pinned, stream=stream)
    stream.sync()
    result = np.from_dlpack(pinned).view(np.float32).reshape(h, w)

    error = float(np.abs(result - bilinear(image, scale)).max())
    good = error < 1e-2
    print(f"texture_sample: {width}x{height} -> {w}x{h}, max error {error:.2e}: {'ok' if good else 'MISMATCH'}")
    texture.close()
    array.close()
    out.close(stream)
    pinned.close()
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
