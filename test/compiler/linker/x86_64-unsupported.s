# test/compiler/AotLinkerTest.cpp: an absolute (non-PIC) reference, a
# relocation kind AotLinker does not accept; linking must fail, not guess.
  .text
  .globl absolute
absolute:
  movl $absolute, %eax              # R_X86_64_32
  ret
