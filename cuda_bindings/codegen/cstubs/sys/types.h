/* SPDX-License-Identifier: Apache-2.0 */
/* Minimal libc stand-in for parsing CUDA headers (see stddef.h): the POSIX sizes cufile.h uses. */
#ifndef CODEGEN_SYS_TYPES_H
#define CODEGEN_SYS_TYPES_H
#include <stddef.h>
typedef long ssize_t;
typedef long off_t;
typedef long loff_t;
#endif
