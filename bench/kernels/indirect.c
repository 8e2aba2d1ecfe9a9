// Indirect-call kernel: a tiny bytecode interpreter dispatching every
// instruction through a function-pointer table (call_indirect in wasm).
#include "Kernel.h"

typedef struct {
  int64_t acc;
  int64_t reg;
  uint32_t pc;
} Machine;
typedef void (*Handler)(Machine *, uint32_t operand);

__attribute__((noinline)) static void opAdd(Machine *m, uint32_t x) { m->acc += x; }
__attribute__((noinline)) static void opMul(Machine *m, uint32_t x) { m->acc = m->acc * (x | 1) % 1000003; }
__attribute__((noinline)) static void opXor(Machine *m, uint32_t x) { m->acc ^= (int64_t)x << 3; }
__attribute__((noinline)) static void opSwap(Machine *m, uint32_t x) {
  int64_t t = m->acc;
  m->acc = m->reg + x;
  m->reg = t;
}
__attribute__((noinline)) static void opJump(Machine *m, uint32_t x) {
  if (m->acc & 1)
    m->pc = (m->pc + x) & 255;
}

static Handler table[5] = {opAdd, opMul, opXor, opSwap, opJump};
static uint8_t program[256];
static uint32_t operands[256];

KERNEL_EXPORT uint64_t KERNEL_RUN(uint32_t scale) {
  uint32_t seed = 12345;
  for (int i = 0; i < 256; ++i) {
    seed = seed * 1103515245u + 12345u;
    program[i] = (uint8_t)((seed >> 16) % 5);
    operands[i] = (seed >> 8) & 15;
  }
  Machine machine = {1, 2, 0};
  for (uint32_t step = 0; step < scale * 1000000u; ++step) {
    uint32_t pc = machine.pc;
    machine.pc = (pc + 1) & 255;
    table[program[pc]](&machine, operands[pc]);
  }
  return (uint64_t)(machine.acc ^ machine.reg);
}
