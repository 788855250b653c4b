/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CODEGEN_LIMITS_H
#define CODEGEN_LIMITS_H
#define INT_MAX 2147483647
#define UINT_MAX 4294967295U
#endif
