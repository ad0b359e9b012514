;; SIMD loops for the wasm backend kernels of src-main/engine/backend (loaded by grad-kernels.ts). They run on the tfjs
;; wasm backend's own memory (imported), over NHWC rows; the JS side walks the geometry and calls them
;; once per output row and filter tap. Assembled by build-grad-kernels.ts with wabt's wat2wasm.
(module
  (import "env" "memory" (memory 0 65536))

  ;; MaxPoolGrad, one filter tap over one output row: for each of `cols` windows and C channels,
  ;; if the window has no maximum yet (mask lane 0) and x == y (the forward max), then dx += dy there
  ;; and the mask lane is set. Taps are visited in window order, so ties go to the first maximum.
  ;; x and dx (= x + dxDelta) advance xStep bytes per window; y, dy and mask advance C*4 bytes.
  (func (export "maxPoolTap")
    (param $x i32) (param $y i32) (param $g i32) (param $dxDelta i32) (param $mask i32)
    (param $cols i32) (param $xStep i32) (param $C i32)
    (local $cBytes i32) (local $vBytes i32) (local $i i32) (local $take v128) (local $m v128)
    (local.set $cBytes (i32.shl (local.get $C) (i32.const 2)))
    (local.set $vBytes (i32.and (local.get $cBytes) (i32.const -16)))
    (block $done
      (loop $col
        (br_if $done (i32.le_s (local.get $cols) (i32.const 0)))
        (local.set $i (i32.const 0))
        (block $vEnd
          (loop $v
            (br_if $vEnd (i32.ge_u (local.get $i) (local.get $vBytes)))
            (local.set $m (v128.load (i32.add (local.get $mask) (local.get $i))))
            (local.set $take
              (v128.andnot
                (f32x4.eq (v128.load (i32.add (local.get $x) (local.get $i)))
                          (v128.load (i32.add (local.get $y) (local.get $i))))
                (local.get $m)))
            (v128.store (i32.add (i32.add (local.get $x) (local.get $dxDelta)) (local.get $i))
              (f32x4.add (v128.load (i32.add (i32.add (local.get $x) (local.get $dxDelta)) (local.get $i)))
                         (v128.and (local.get $take) (v128.load (i32.add (local.get $g) (local.get $i))))))
            (v128.store (i32.add (local.get $mask) (local.get $i)) (v128.or (local.get $m) (local.get $take)))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (br $v)))
        (block $sEnd
          (loop $s
            (br_if $sEnd (i32.ge_u (local.get $i) (local.get $cBytes)))
            (if (i32.and
                  (i32.eqz (i32.load (i32.add (local.get $mask) (local.get $i))))
                  (f32.eq (f32.load (i32.add (local.get $x) (local.get $i)))
                          (f32.load (i32.add (local.get $y) (local.get $i)))))
              (then
                (f32.store (i32.add (i32.add (local.get $x) (local.get $dxDelta)) (local.get $i))
                  (f32.add (f32.load (i32.add (i32.add (local.get $x) (local.get $dxDelta)) (local.get $i)))
                           (f32.load (i32.add (local.get $g) (local.get $i)))))
                (i32.store (i32.add (local.get $mask) (local.get $i)) (i32.const -1))))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $s)))
        (local.set $x (i32.add (local.get $x) (local.get $xStep)))
        (local.set $y (i32.add (local.get $y) (local.get $cBytes)))
        (local.set $g (i32.add (local.get $g) (local.get $cBytes)))
        (local.set $mask (i32.add (local.get $mask) (local.get $cBytes)))
        (local.set $cols (i32.sub (local.get $cols) (i32.const 1)))
        (br $col))))

  ;; Depthwise filter gradient, one filter tap over one output row: acc[c] (f64) += sum over `cols`
  ;; windows of x[c] * dy[c]. x advances xStep bytes per window, dy C*4 bytes. The row sum runs in f32
  ;; lanes (a few dozen terms), the total over rows in f64, so long sums keep their precision.
  (func (export "depthwiseFilterRow")
    (param $x i32) (param $g i32) (param $acc i32) (param $cols i32) (param $xStep i32) (param $C i32)
    (local $cBytes i32) (local $vBytes i32) (local $i i32) (local $k i32)
    (local $xp i32) (local $gp i32) (local $a i32) (local $sum v128) (local $s f32)
    (local.set $cBytes (i32.shl (local.get $C) (i32.const 2)))
    (local.set $vBytes (i32.and (local.get $cBytes) (i32.const -16)))
    (local.set $i (i32.const 0))
    (block $vEnd
      (loop $v
        (br_if $vEnd (i32.ge_u (local.get $i) (local.get $vBytes)))
        (local.set $sum (v128.const f32x4 0 0 0 0))
        (local.set $xp (i32.add (local.get $x) (local.get $i)))
        (local.set $gp (i32.add (local.get $g) (local.get $i)))
        (local.set $k (local.get $cols))
        (block $rEnd
          (loop $r
            (br_if $rEnd (i32.le_s (local.get $k) (i32.const 0)))
            (local.set $sum (f32x4.add (local.get $sum)
              (f32x4.mul (v128.load (local.get $xp)) (v128.load (local.get $gp)))))
            (local.set $xp (i32.add (local.get $xp) (local.get $xStep)))
            (local.set $gp (i32.add (local.get $gp) (local.get $cBytes)))
            (local.set $k (i32.sub (local.get $k) (i32.const 1)))
            (br $r)))
        (local.set $a (i32.add (local.get $acc) (i32.shl (local.get $i) (i32.const 1))))
        (v128.store (local.get $a)
          (f64x2.add (v128.load (local.get $a)) (f64x2.promote_low_f32x4 (local.get $sum))))
        (v128.store offset=16 (local.get $a)
          (f64x2.add (v128.load offset=16 (local.get $a))
            (f64x2.promote_low_f32x4
              (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $sum) (local.get $sum)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $v)))
    (block $sEnd
      (loop $c
        (br_if $sEnd (i32.ge_u (local.get $i) (local.get $cBytes)))
        (local.set $s (f32.const 0))
        (local.set $xp (i32.add (local.get $x) (local.get $i)))
        (local.set $gp (i32.add (local.get $g) (local.get $i)))
        (local.set $k (local.get $cols))
        (block $rEnd
          (loop $r
            (br_if $rEnd (i32.le_s (local.get $k) (i32.const 0)))
            (local.set $s (f32.add (local.get $s) (f32.mul (f32.load (local.get $xp)) (f32.load (local.get $gp)))))
            (local.set $xp (i32.add (local.get $xp) (local.get $xStep)))
            (local.set $gp (i32.add (local.get $gp) (local.get $cBytes)))
            (local.set $k (i32.sub (local.get $k) (i32.const 1)))
            (br $r)))
        (local.set $a (i32.add (local.get $acc) (i32.shl (local.get $i) (i32.const 1))))
        (f64.store (local.get $a) (f64.add (f64.load (local.get $a)) (f64.promote_f32 (local.get $s))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $c))))
;; Strided row copy (Slice/SplitV/Concat along one axis): `rows` rows of rowBytes bytes, src rows
  ;; srcStride bytes apart, dst rows dstStride bytes apart.
  (func (export "copyRows")
    (param $src i32) (param $dst i32) (param $rows i32) (param $rowBytes i32) (param $srcStride i32) (param $dstStride i32)
    (block $done
      (loop $row
        (br_if $done (i32.le_s (local.get $rows) (i32.const 0)))
        (memory.copy (local.get $dst) (local.get $src) (local.get $rowBytes))
        (local.set $src (i32.add (local.get $src) (local.get $srcStride)))
        (local.set $dst (i32.add (local.get $dst) (local.get $dstStride)))
        (local.set $rows (i32.sub (local.get $rows) (i32.const 1)))
        (br $row))))

  ;; Column sums (Sum/Mean over leading axes): acc[c] (f64) += sum over `rows` rows of x[r*C + c].
  ;; Rows are summed in f32 lanes in blocks of 16, each block's total added in f64.
  (func (export "sumRows")
    (param $x i32) (param $acc i32) (param $rows i32) (param $C i32)
    (local $cBytes i32) (local $vBytes i32) (local $i i32) (local $k i32) (local $left i32)
    (local $xp i32) (local $xBlock i32) (local $a i32) (local $sum v128) (local $s f32)
    (local.set $cBytes (i32.shl (local.get $C) (i32.const 2)))
    (local.set $vBytes (i32.and (local.get $cBytes) (i32.const -16)))
    (local.set $xBlock (local.get $x))
    (local.set $left (local.get $rows))
    (block $blocksDone
      (loop $block
        (br_if $blocksDone (i32.le_s (local.get $left) (i32.const 0)))
        (local.set $i (i32.const 0))
        (block $vEnd
          (loop $v
            (br_if $vEnd (i32.ge_u (local.get $i) (local.get $vBytes)))
            (local.set $sum (v128.const f32x4 0 0 0 0))
            (local.set $xp (i32.add (local.get $xBlock) (local.get $i)))
            (local.set $k (select (local.get $left) (i32.const 16) (i32.lt_s (local.get $left) (i32.const 16))))
            (block $rEnd
              (loop $r
                (br_if $rEnd (i32.le_s (local.get $k) (i32.const 0)))
                (local.set $sum (f32x4.add (local.get $sum) (v128.load (local.get $xp))))
                (local.set $xp (i32.add (local.get $xp) (local.get $cBytes)))
                (local.set $k (i32.sub (local.get $k) (i32.const 1)))
                (br $r)))
            (local.set $a (i32.add (local.get $acc) (i32.shl (local.get $i) (i32.const 1))))
            (v128.store (local.get $a)
              (f64x2.add (v128.load (local.get $a)) (f64x2.promote_low_f32x4 (local.get $sum))))
            (v128.store offset=16 (local.get $a)
              (f64x2.add (v128.load offset=16 (local.get $a))
                (f64x2.promote_low_f32x4
                  (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $sum) (local.get $sum)))))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (br $v)))
        (block $sEnd
          (loop $c
            (br_if $sEnd (i32.ge_u (local.get $i) (local.get $cBytes)))
            (local.set $s (f32.const 0))
            (local.set $xp (i32.add (local.get $xBlock) (local.get $i)))
            (local.set $k (select (local.get $left) (i32.const 16) (i32.lt_s (local.get $left) (i32.const 16))))
            (block $rEnd
              (loop $r
                (br_if $rEnd (i32.le_s (local.get $k) (i32.const 0)))
                (local.set $s (f32.add (local.get $s) (f32.load (local.get $xp))))
                (local.set $xp (i32.add (local.get $xp) (local.get $cBytes)))
                (local.set $k (i32.sub (local.get $k) (i32.const 1)))
                (br $r)))
            (local.set $a (i32.add (local.get $acc) (i32.shl (local.get $i) (i32.const 1))))
            (f64.store (local.get $a) (f64.add (f64.load (local.get $a)) (f64.promote_f32 (local.get $s))))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $c)))
        (local.set $xBlock (i32.add (local.get $xBlock) (i32.shl (local.get $cBytes) (i32.const 4))))
        (local.set $left (i32.sub (local.get $left) (i32.const 16)))
        (br $block))))

  ;; out[r, c] = a[r, c] * v[c] for `rows` rows of C channels (a binary op broadcasting a per-channel
  ;; vector, as batch norm and its gradient do; wasm's broadcasting path is ~10x slower than same-shape).
  (func (export "mulRowVector")
    (param $a i32) (param $v i32) (param $out i32) (param $rows i32) (param $C i32)
    (local $cBytes i32) (local $vBytes i32) (local $i i32)
    (local.set $cBytes (i32.shl (local.get $C) (i32.const 2)))
    (local.set $vBytes (i32.and (local.get $cBytes) (i32.const -16)))
    (block $done
      (loop $row
        (br_if $done (i32.le_s (local.get $rows) (i32.const 0)))
        (local.set $i (i32.const 0))
        (block $vEnd
          (loop $vl
            (br_if $vEnd (i32.ge_u (local.get $i) (local.get $vBytes)))
            (v128.store (i32.add (local.get $out) (local.get $i))
              (f32x4.mul (v128.load (i32.add (local.get $a) (local.get $i))) (v128.load (i32.add (local.get $v) (local.get $i)))))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (br $vl)))
        (block $sEnd
          (loop $sl
            (br_if $sEnd (i32.ge_u (local.get $i) (local.get $cBytes)))
            (f32.store (i32.add (local.get $out) (local.get $i))
              (f32.mul (f32.load (i32.add (local.get $a) (local.get $i))) (f32.load (i32.add (local.get $v) (local.get $i)))))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $sl)))
        (local.set $a (i32.add (local.get $a) (local.get $cBytes)))
        (local.set $out (i32.add (local.get $out) (local.get $cBytes)))
        (local.set $rows (i32.sub (local.get $rows) (i32.const 1)))
        (br $row))))

  ;; out[r, c] = a[r, c] + v[c] for `rows` rows of C channels (a binary op broadcasting a per-channel
  ;; vector, as batch norm and its gradient do; wasm's broadcasting path is ~10x slower than same-shape).
  (func (export "addRowVector")
    (param $a i32) (param $v i32) (param $out i32) (param $rows i32) (param $C i32)
    (local $cBytes i32) (local $vBytes i32) (local $i i32)
    (local.set $cBytes (i32.shl (local.get $C) (i32.const 2)))
    (local.set $vBytes (i32.and (local.get $cBytes) (i32.const -16)))
    (block $done
      (loop $row
        (br_if $done (i32.le_s (local.get $rows) (i32.const 0)))
        (local.set $i (i32.const 0))
        (block $vEnd
          (loop $vl
            (br_if $vEnd (i32.ge_u (local.get $i) (local.get $vBytes)))
            (v128.store (i32.add (local.get $out) (local.get $i))
              (f32x4.add (v128.load (i32.add (local.get $a) (local.get $i))) (v128.load (i32.add (local.get $v) (local.get $i)))))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (br $vl)))
        (block $sEnd
          (loop $sl
            (br_if $sEnd (i32.ge_u (local.get $i) (local.get $cBytes)))
            (f32.store (i32.add (local.get $out) (local.get $i))
              (f32.add (f32.load (i32.add (local.get $a) (local.get $i))) (f32.load (i32.add (local.get $v) (local.get $i)))))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $sl)))
        (local.set $a (i32.add (local.get $a) (local.get $cBytes)))
        (local.set $out (i32.add (local.get $out) (local.get $cBytes)))
        (local.set $rows (i32.sub (local.get $rows) (i32.const 1)))
        (br $row))))

  ;; out[r, c] = a[r, c] - v[c] for `rows` rows of C channels (a binary op broadcasting a per-channel
  ;; vector, as batch norm and its gradient do; wasm's broadcasting path is ~10x slower than same-shape).
  (func (export "subRowVector")
    (param $a i32) (param $v i32) (param $out i32) (param $rows i32) (param $C i32)
    (local $cBytes i32) (local $vBytes i32) (local $i i32)
    (local.set $cBytes (i32.shl (local.get $C) (i32.const 2)))
    (local.set $vBytes (i32.and (local.get $cBytes) (i32.const -16)))
    (block $done
      (loop $row
        (br_if $done (i32.le_s (local.get $rows) (i32.const 0)))
        (local.set $i (i32.const 0))
        (block $vEnd
          (loop $vl
            (br_if $vEnd (i32.ge_u (local.get $i) (local.get $vBytes)))
            (v128.store (i32.add (local.get $out) (local.get $i))
              (f32x4.sub (v128.load (i32.add (local.get $a) (local.get $i))) (v128.load (i32.add (local.get $v) (local.get $i)))))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (br $vl)))
        (block $sEnd
          (loop $sl
            (br_if $sEnd (i32.ge_u (local.get $i) (local.get $cBytes)))
            (f32.store (i32.add (local.get $out) (local.get $i))
              (f32.sub (f32.load (i32.add (local.get $a) (local.get $i))) (f32.load (i32.add (local.get $v) (local.get $i)))))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $sl)))
        (local.set $a (i32.add (local.get $a) (local.get $cBytes)))
        (local.set $out (i32.add (local.get $out) (local.get $cBytes)))
        (local.set $rows (i32.sub (local.get $rows) (i32.const 1)))
        (br $row))))

  ;; Centered products (batch norm's variance, and its gamma gradient): acc[c] (f64) += sum over `rows`
  ;; rows of (x[r*C + c] - mean[c]) * y[r*C + c]; y = x gives the sum of squared deviations. Rows are summed
  ;; in f32 lanes in blocks of 16, each block's total added in f64, as in sumRows.
  (func (export "centeredDotRows")
    (param $x i32) (param $y i32) (param $mean i32) (param $acc i32) (param $rows i32) (param $C i32)
    (local $cBytes i32) (local $vBytes i32) (local $i i32) (local $k i32) (local $left i32)
    (local $xp i32) (local $yp i32) (local $xBlock i32) (local $yBlock i32) (local $a i32)
    (local $sum v128) (local $m v128) (local $s f32) (local $ms f32)
    (local.set $cBytes (i32.shl (local.get $C) (i32.const 2)))
    (local.set $vBytes (i32.and (local.get $cBytes) (i32.const -16)))
    (local.set $xBlock (local.get $x))
    (local.set $yBlock (local.get $y))
    (local.set $left (local.get $rows))
    (block $blocksDone
      (loop $block
        (br_if $blocksDone (i32.le_s (local.get $left) (i32.const 0)))
        (local.set $i (i32.const 0))
        (block $vEnd
          (loop $v
            (br_if $vEnd (i32.ge_u (local.get $i) (local.get $vBytes)))
            (local.set $sum (v128.const f32x4 0 0 0 0))
            (local.set $m (v128.load (i32.add (local.get $mean) (local.get $i))))
            (local.set $xp (i32.add (local.get $xBlock) (local.get $i)))
            (local.set $yp (i32.add (local.get $yBlock) (local.get $i)))
            (local.set $k (select (local.get $left) (i32.const 16) (i32.lt_s (local.get $left) (i32.const 16))))
            (block $rEnd
              (loop $r
                (br_if $rEnd (i32.le_s (local.get $k) (i32.const 0)))
                (local.set $sum (f32x4.add (local.get $sum)
                  (f32x4.mul (f32x4.sub (v128.load (local.get $xp)) (local.get $m)) (v128.load (local.get $yp)))))
                (local.set $xp (i32.add (local.get $xp) (local.get $cBytes)))
                (local.set $yp (i32.add (local.get $yp) (local.get $cBytes)))
                (local.set $k (i32.sub (local.get $k) (i32.const 1)))
                (br $r)))
            (local.set $a (i32.add (local.get $acc) (i32.shl (local.get $i) (i32.const 1))))
            (v128.store (local.get $a)
              (f64x2.add (v128.load (local.get $a)) (f64x2.promote_low_f32x4 (local.get $sum))))
            (v128.store offset=16 (local.get $a)
              (f64x2.add (v128.load offset=16 (local.get $a))
                (f64x2.promote_low_f32x4
                  (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $sum) (local.get $sum)))))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (br $v)))
        (block $sEnd
          (loop $c
            (br_if $sEnd (i32.ge_u (local.get $i) (local.get $cBytes)))
            (local.set $s (f32.const 0))
            (local.set $ms (f32.load (i32.add (local.get $mean) (local.get $i))))
            (local.set $xp (i32.add (local.get $xBlock) (local.get $i)))
            (local.set $yp (i32.add (local.get $yBlock) (local.get $i)))
            (local.set $k (select (local.get $left) (i32.const 16) (i32.lt_s (local.get $left) (i32.const 16))))
            (block $rEnd
              (loop $r
                (br_if $rEnd (i32.le_s (local.get $k) (i32.const 0)))
                (local.set $s (f32.add (local.get $s)
                  (f32.mul (f32.sub (f32.load (local.get $xp)) (local.get $ms)) (f32.load (local.get $yp)))))
                (local.set $xp (i32.add (local.get $xp) (local.get $cBytes)))
                (local.set $yp (i32.add (local.get $yp) (local.get $cBytes)))
                (local.set $k (i32.sub (local.get $k) (i32.const 1)))
                (br $r)))
            (local.set $a (i32.add (local.get $acc) (i32.shl (local.get $i) (i32.const 1))))
            (f64.store (local.get $a) (f64.add (f64.load (local.get $a)) (f64.promote_f32 (local.get $s))))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $c)))
        (local.set $xBlock (i32.add (local.get $xBlock) (i32.shl (local.get $cBytes) (i32.const 4))))
        (local.set $yBlock (i32.add (local.get $yBlock) (i32.shl (local.get $cBytes) (i32.const 4))))
        (local.set $left (i32.sub (local.get $left) (i32.const 16)))
        (br $block))))

  ;; out[r, c] = p[r, c] * a[c] + q[r, c] * b[c] + d[c] for `rows` rows of C channels: batch norm's output
  ;; (q = p, b = 0) and its input gradient (p = dy, q = x) in one pass each.
  (func (export "affineRows")
    (param $p i32) (param $q i32) (param $a i32) (param $b i32) (param $d i32) (param $out i32) (param $rows i32) (param $C i32)
    (local $cBytes i32) (local $vBytes i32) (local $i i32)
    (local.set $cBytes (i32.shl (local.get $C) (i32.const 2)))
    (local.set $vBytes (i32.and (local.get $cBytes) (i32.const -16)))
    (block $done
      (loop $row
        (br_if $done (i32.le_s (local.get $rows) (i32.const 0)))
        (local.set $i (i32.const 0))
        (block $vEnd
          (loop $vl
            (br_if $vEnd (i32.ge_u (local.get $i) (local.get $vBytes)))
            (v128.store (i32.add (local.get $out) (local.get $i))
              (f32x4.add
                (f32x4.add
                  (f32x4.mul (v128.load (i32.add (local.get $p) (local.get $i))) (v128.load (i32.add (local.get $a) (local.get $i))))
                  (f32x4.mul (v128.load (i32.add (local.get $q) (local.get $i))) (v128.load (i32.add (local.get $b) (local.get $i)))))
                (v128.load (i32.add (local.get $d) (local.get $i)))))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (br $vl)))
        (block $sEnd
          (loop $sl
            (br_if $sEnd (i32.ge_u (local.get $i) (local.get $cBytes)))
            (f32.store (i32.add (local.get $out) (local.get $i))
              (f32.add
                (f32.add
                  (f32.mul (f32.load (i32.add (local.get $p) (local.get $i))) (f32.load (i32.add (local.get $a) (local.get $i))))
                  (f32.mul (f32.load (i32.add (local.get $q) (local.get $i))) (f32.load (i32.add (local.get $b) (local.get $i)))))
                (f32.load (i32.add (local.get $d) (local.get $i)))))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $sl)))
        (local.set $p (i32.add (local.get $p) (local.get $cBytes)))
        (local.set $q (i32.add (local.get $q) (local.get $cBytes)))
        (local.set $out (i32.add (local.get $out) (local.get $cBytes)))
        (local.set $rows (i32.sub (local.get $rows) (i32.const 1)))
        (br $row))))
)
