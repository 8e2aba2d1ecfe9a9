;; A tiny module: `wasmrt validate examples/hello.wat`.
(module
  (memory (export "memory") 1)
  (data (i32.const 16) "hello, wasm\n")
  (func $add (export "add") (param $a i32) (param $b i32) (result i32)
    (i32.add (local.get $a) (local.get $b)))
  (func (export "fac") (param $n i64) (result i64)
    (if (result i64) (i64.eqz (local.get $n))
      (then (i64.const 1))
      (else (i64.mul (local.get $n) (call 1 (i64.sub (local.get $n) (i64.const 1))))))))
