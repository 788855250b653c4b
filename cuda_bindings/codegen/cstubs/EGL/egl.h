/* SPDX-License-Identifier: Apache-2.0 */
/* The EGL types the CUDA interop headers use (parsing only; the bindings declare their own). */
#ifndef CODEGEN_EGL_H
#define CODEGEN_EGL_H
#include <stdint.h>
typedef int32_t EGLint;
#endif
