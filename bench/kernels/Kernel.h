// Every benchmark kernel defines one entry point with this signature. Built
// natively the symbol is renamed per kernel (-DKERNEL_RUN=...); built for
// wasm32 it is exported as "kernel_run". The result is a checksum, so native
// and wasm runs can be compared for equality.
#pragma once
#include <stdint.h>

#ifndef KERNEL_RUN
#define KERNEL_RUN kernel_run
#endif

#if defined(__wasm__)
#define KERNEL_EXPORT __attribute__((export_name("kernel_run")))
#else
#define KERNEL_EXPORT
#endif

#ifdef __cplusplus
extern "C"
#endif
KERNEL_EXPORT uint64_t KERNEL_RUN(uint32_t scale);
