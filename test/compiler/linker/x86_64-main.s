# Object 0 of test/compiler/AotLinkerTest.cpp for x86-64: one function per
# relocation kind AotLinker accepts, each returning a value it can only produce
# if the relocation was resolved right (the same names and values as for AArch64
# where the kind exists on both).
  .text
  .p2align 4
  .globl ldst8
ldst8:
  movzbl v8(%rip), %eax             # R_X86_64_PC32 (a section symbol + addend)
  ret
  .globl ldst64
ldst64:
  movq v64(%rip), %rax
  ret
  .globl call_internal
call_internal:
  pushq %rbp
  movq %rsp, %rbp
  call other_seven                  # R_X86_64_PLT32, into the other object
  addq $1, %rax
  popq %rbp
  ret
  .globl call_external
call_external:
  pushq %rbp
  movq %rsp, %rbp
  call linker_test_external         # R_X86_64_PLT32 through a stub and a slot
  addq $1, %rax
  popq %rbp
  ret
  .globl jump_internal
jump_internal:
  jmp other_seven                   # R_X86_64_PLT32
  .globl jump_external
jump_external:
  jmp linker_test_external          # R_X86_64_PLT32 through a stub and a slot
  .globl got_internal
got_internal:
  movq other_value@GOTPCREL(%rip), %rax # R_X86_64_REX_GOTPCRELX
  movq (%rax), %rax
  ret
  .globl got_external
got_external:
  jmp *linker_test_external@GOTPCREL(%rip) # R_X86_64_GOTPCRELX
  .globl got_plain
got_plain:
  leaq got_offset(%rip), %rax
  movslq got_offset(%rip), %rcx     # the GOT slot of other_value, PC-relative
  movq (%rax,%rcx), %rax
  movq (%rax), %rax
  ret
  .globl abs64
abs64:
  movq pointer(%rip), %rax
  movq (%rax), %rax
  ret
  .globl abs64_code
abs64_code:
  jmp *code_pointer(%rip)
  .globl prel32
prel32:
  leaq offset32(%rip), %rax
  movslq offset32(%rip), %rcx
  movq (%rax,%rcx), %rax
  ret
  .globl prel64
prel64:
  leaq offset64(%rip), %rax
  addq offset64(%rip), %rax
  movq (%rax), %rax
  ret

  .section .rodata,"a"
  .p2align 4
  .zero 4200
v8:
  .byte 0x11
  .p2align 3
v64:
  .quad 0x4444444444444444
offset32:
  .long other_value - .             # R_X86_64_PC32 in data
got_offset:
  .long other_value@GOTPCREL        # R_X86_64_GOTPCREL
  .p2align 3
offset64:
  .quad other_value - .             # R_X86_64_PC64

  .data
  .p2align 3
pointer:
  .quad v64                         # R_X86_64_64: a load-time binding
code_pointer:
  .quad other_seven
