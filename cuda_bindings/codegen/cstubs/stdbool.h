/* SPDX-License-Identifier: Apache-2.0 */
/* Minimal libc stand-in for parsing CUDA headers (see stddef.h). */
#ifndef CODEGEN_STDBOOL_H
#define CODEGEN_STDBOOL_H
#define bool _Bool
#define true 1
#define false 0
#endif
