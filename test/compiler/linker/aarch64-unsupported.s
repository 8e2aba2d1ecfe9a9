// test/compiler/AotLinkerTest.cpp: an absolute (non-PIC) reference, a
// relocation kind AotLinker does not accept; linking must fail, not guess.
  .text
  .p2align 2
  .globl absolute
absolute:
  movz x0, #:abs_g0_nc:absolute     // R_AARCH64_MOVW_UABS_G0_NC
  ret
