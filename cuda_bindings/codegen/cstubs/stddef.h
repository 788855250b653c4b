/* SPDX-License-Identifier: Apache-2.0 */
/* Minimal libc stand-in for parsing CUDA headers: the model must not depend on
   the machine's C library. Types keep their standard names in the model. */
#ifndef CODEGEN_STDDEF_H
#define CODEGEN_STDDEF_H
typedef unsigned long size_t;
typedef long ptrdiff_t;
#define NULL ((void *)0)
#endif
