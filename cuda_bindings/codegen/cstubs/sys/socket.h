/* SPDX-License-Identifier: Apache-2.0 */
/* Minimal libc stand-in for parsing CUDA headers (see stddef.h): cufile.h names struct sockaddr. */
#ifndef CODEGEN_SYS_SOCKET_H
#define CODEGEN_SYS_SOCKET_H
#include <sys/types.h>
struct sockaddr;
#endif
