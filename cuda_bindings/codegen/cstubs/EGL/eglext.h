/* SPDX-License-Identifier: Apache-2.0 */
/* The EGL extension types the CUDA interop headers use (parsing only). */
#ifndef CODEGEN_EGLEXT_H
#define CODEGEN_EGLEXT_H
typedef void *EGLImageKHR;
typedef void *EGLStreamKHR;
typedef void *EGLSyncKHR;
#endif
