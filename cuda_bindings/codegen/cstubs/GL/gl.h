/* SPDX-License-Identifier: Apache-2.0 */
/* The OpenGL types the CUDA interop headers use (parsing only; the bindings declare their own). */
#ifndef CODEGEN_GL_H
#define CODEGEN_GL_H
typedef unsigned int GLuint;
typedef unsigned int GLenum;
#endif
