/* SPDX-License-Identifier: Apache-2.0 */
/* Minimal libc stand-in for parsing CUDA headers (see stddef.h). */
#ifndef CODEGEN_ARPA_INET_H
#define CODEGEN_ARPA_INET_H
#include <sys/socket.h>
#endif
