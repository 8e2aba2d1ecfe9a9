(module
  (global $g (mut i64) (i64.const -1))
  (func (export "loop") (param $n i32) (result i32) (local $acc i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $acc (i32.add (local.get $acc) (local.get $n)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $acc))
  (func (param f64) (result i64 f32)
    (i64.trunc_sat_f64_s (local.get 0)) (f32.demote_f64 (local.get 0)))
  (func (result externref) (ref.null extern))
  (start 3)
  (func (global.set $g (i64.extend_i32_s (i32.const 5)))))
