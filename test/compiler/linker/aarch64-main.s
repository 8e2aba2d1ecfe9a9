// Object 0 of test/compiler/AotLinkerTest.cpp for AArch64: one function per
// relocation kind AotLinker accepts, each returning a value it can only produce
// if the relocation was resolved right. LLVM emits only some of these kinds for
// wasm code today (CALL26, ADR_PREL_PG_HI21, ADD and LDST64/128 ABS_LO12_NC);
// the others would otherwise first run when code generation changes.
  .text
  .p2align 2
  .globl ldst8
ldst8:
  adrp x0, v8                       // R_AARCH64_ADR_PREL_PG_HI21
  ldrb w0, [x0, :lo12:v8]           // R_AARCH64_LDST8_ABS_LO12_NC
  ret
  .globl ldst16
ldst16:
  adrp x0, v16
  ldrh w0, [x0, :lo12:v16]          // R_AARCH64_LDST16_ABS_LO12_NC
  ret
  .globl ldst32
ldst32:
  adrp x0, v32
  ldr w0, [x0, :lo12:v32]           // R_AARCH64_LDST32_ABS_LO12_NC
  ret
  .globl ldst64
ldst64:
  adrp x0, v64
  ldr x0, [x0, :lo12:v64]           // R_AARCH64_LDST64_ABS_LO12_NC
  ret
  .globl ldst128
ldst128:
  adrp x0, v128
  ldr q0, [x0, :lo12:v128]          // R_AARCH64_LDST128_ABS_LO12_NC
  fmov x0, d0
  mov x1, v0.d[1]
  eor x0, x0, x1
  ret
  .globl add_lo12
add_lo12:
  adrp x0, v64
  add x0, x0, :lo12:v64             // R_AARCH64_ADD_ABS_LO12_NC
  ldr x0, [x0]
  ret
  .globl adr
adr:
  adr x0, v32                       // R_AARCH64_ADR_PREL_LO21
  ldr w0, [x0]
  ret
  .globl call_internal
call_internal:
  stp x29, x30, [sp, #-16]!
  mov x29, sp
  bl other_seven                    // R_AARCH64_CALL26, into the other object
  add x0, x0, #1
  ldp x29, x30, [sp], #16
  ret
  .globl call_external
call_external:
  stp x29, x30, [sp, #-16]!
  mov x29, sp
  bl linker_test_external           // R_AARCH64_CALL26 through a stub and a slot
  add x0, x0, #1
  ldp x29, x30, [sp], #16
  ret
  .globl jump_internal
jump_internal:
  b other_seven                     // R_AARCH64_JUMP26
  .globl jump_external
jump_external:
  b linker_test_external            // R_AARCH64_JUMP26 through a stub and a slot
  .globl condbr
condbr:
  cmp xzr, xzr
  b.eq other_seven                  // R_AARCH64_CONDBR19
  mov x0, #0
  ret
  .globl tstbr
tstbr:
  mov x0, #2
  tbz x0, #0, other_seven           // R_AARCH64_TSTBR14
  mov x0, #0
  ret
  .globl got_internal
got_internal:
  adrp x0, :got:other_value         // R_AARCH64_ADR_GOT_PAGE
  ldr x0, [x0, :got_lo12:other_value] // R_AARCH64_LD64_GOT_LO12_NC
  ldr x0, [x0]
  ret
  .globl got_external
got_external:
  adrp x16, :got:linker_test_external
  ldr x16, [x16, :got_lo12:linker_test_external]
  br x16
  .globl abs64
abs64:
  adrp x0, pointer
  ldr x0, [x0, :lo12:pointer]
  ldr x0, [x0]
  ret
  .globl abs64_code
abs64_code:
  adrp x16, code_pointer
  ldr x16, [x16, :lo12:code_pointer]
  br x16
  .globl prel32
prel32:
  adrp x0, offset32
  add x0, x0, :lo12:offset32
  ldrsw x1, [x0]
  add x0, x0, x1
  ldr x0, [x0]
  ret
  .globl prel64
prel64:
  adrp x0, offset64
  add x0, x0, :lo12:offset64
  ldr x1, [x0]
  add x0, x0, x1
  ldr x0, [x0]
  ret

  .section .rodata,"a"
  .p2align 4
  // The values lie in another 4 KiB page than the section's start and have
  // nonzero low 12 bits, so page and low-bit arithmetic both matter.
  .zero 4200
v8:
  .byte 0x11
  .p2align 1
v16:
  .hword 0x2222
  .p2align 2
v32:
  .word 0x33333333
  .p2align 3
v64:
  .xword 0x4444444444444444
  .p2align 4
v128:
  .xword 0x5555555555555555, 0x0f0f0f0f0f0f0f0f
offset32:
  .word other_value - .             // R_AARCH64_PREL32
  .p2align 3
offset64:
  .xword other_value - .            // R_AARCH64_PREL64

  .data
  .p2align 3
pointer:
  .xword v64                        // R_AARCH64_ABS64: a load-time binding
code_pointer:
  .xword other_seven
