# Object 1 of test/compiler/AotLinkerTest.cpp for x86-64: the targets of
# references from object 0 that cross objects.
  .text
  .p2align 4
  .globl other_seven
other_seven:
  movl $7, %eax
  ret

  .section .rodata,"a"
  .p2align 3
  .globl other_value
other_value:
  .quad 0x7777777777777777
