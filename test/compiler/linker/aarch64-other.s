// Object 1 of test/compiler/AotLinkerTest.cpp for AArch64: the targets of
// references from object 0 that cross objects.
  .text
  .p2align 2
  .globl other_seven
other_seven:
  mov x0, #7
  ret

  .section .rodata,"a"
  .p2align 3
  .globl other_value
other_value:
  .xword 0x7777777777777777
