/* SPDX-License-Identifier: Apache-2.0
 *
 * Bind dlsym to the version every glibc has, not the one the build machine's glibc (2.34+, where
 * libdl moved into libc) would pick: the wheel then needs only glibc 2.17 (manylinux2014), as
 * the rest of the extensions do. Included by loader.pyx before it calls dlsym.
 */
#if defined(__GLIBC__) && defined(__x86_64__)
__asm__(".symver dlsym,dlsym@GLIBC_2.2.5");
#elif defined(__GLIBC__) && defined(__aarch64__)
__asm__(".symver dlsym,dlsym@GLIBC_2.17");
#endif
