;; The local provider's inner loops: mixing notes into a chunk's buses and the master (limiter
;; and 16-bit conversion). `npm run wasm:emit` assembles this file into audio.kernels.wasm.ts.
;;
;; Every result is bit for bit what the plain TypeScript formulas give (tests hold them to it):
;; samples are 32-bit floats in memory, all arithmetic is in double precision, in the formulas'
;; order, with no fused multiply-add, and each sum is rounded to float once, when stored. The
;; speed comes from doing two frames per instruction (f64x2) with no bounds checks or boxing.
;;
;; Each loop takes frames in pairs. For an odd count the last turn computes a pair but stores
;; only its first frame; it reads one float past the end of each input, which the caller's
;; memory layout leaves room for (audio.kernels.ts).
;;
;; Pointers are byte offsets into the exported memory: `tone` is the note's frame `from`
;; (copied there by the mixer), a bus pointer is the same frame's place in the chunk. `i0` is
;; `from` as a double: envelopes are slope * i + offset at the note's frame i.
(module
  ;; 4 MiB from the start, enough for a chunk of one second at up to about 140 kHz
  ;; (audio.kernels.ts lays it out): growing the memory later detaches its old ArrayBuffer, and a
  ;; detached buffer anywhere in the process makes V8 check every typed array access for one
  ;; from then on, which slowed the tone synthesis (plain TypeScript) by half.
  (memory (export "memory") 64)

  ;; centre[k] += tone[k] * gain: a flat stretch of a note heard equally on both sides.
  (func (export "sustain_centred") (param $tone i32) (param $centre i32) (param $count i32) (param $gain f64)
    (local $g v128) (local $sum v128)
    (local.set $g (f64x2.splat (local.get $gain)))
    (block $done
      (loop $pairs
        (br_if $done (i32.le_s (local.get $count) (i32.const 0)))
        (local.set $sum (f32x4.demote_f64x2_zero (f64x2.add
          (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $centre)))
          (f64x2.mul (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $tone))) (local.get $g)))))
        (if (i32.ge_s (local.get $count) (i32.const 2))
          (then (v128.store64_lane 0 (local.get $centre) (local.get $sum)))
          (else (v128.store32_lane 0 (local.get $centre) (local.get $sum))))
        (local.set $tone (i32.add (local.get $tone) (i32.const 8)))
        (local.set $centre (i32.add (local.get $centre) (i32.const 8)))
        (local.set $count (i32.sub (local.get $count) (i32.const 2)))
        (br $pairs))))

  ;; left[k] += tone[k] * toLeft; right[k] += tone[k] * toRight: a flat stretch of a panned note.
  (func (export "sustain_panned") (param $tone i32) (param $left i32) (param $right i32) (param $count i32) (param $toLeft f64) (param $toRight f64)
    (local $gl v128) (local $gr v128) (local $sample v128) (local $l v128) (local $r v128)
    (local.set $gl (f64x2.splat (local.get $toLeft)))
    (local.set $gr (f64x2.splat (local.get $toRight)))
    (block $done
      (loop $pairs
        (br_if $done (i32.le_s (local.get $count) (i32.const 0)))
        (local.set $sample (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $tone))))
        (local.set $l (f32x4.demote_f64x2_zero (f64x2.add
          (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $left)))
          (f64x2.mul (local.get $sample) (local.get $gl)))))
        (local.set $r (f32x4.demote_f64x2_zero (f64x2.add
          (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $right)))
          (f64x2.mul (local.get $sample) (local.get $gr)))))
        (if (i32.ge_s (local.get $count) (i32.const 2))
          (then
            (v128.store64_lane 0 (local.get $left) (local.get $l))
            (v128.store64_lane 0 (local.get $right) (local.get $r)))
          (else
            (v128.store32_lane 0 (local.get $left) (local.get $l))
            (v128.store32_lane 0 (local.get $right) (local.get $r))))
        (local.set $tone (i32.add (local.get $tone) (i32.const 8)))
        (local.set $left (i32.add (local.get $left) (i32.const 8)))
        (local.set $right (i32.add (local.get $right) (i32.const 8)))
        (local.set $count (i32.sub (local.get $count) (i32.const 2)))
        (br $pairs))))

  ;; A pad chord's flat stretch: left[k] += a*la + b*lb + c*lc, right[k] += a*ra + b*rb + c*rc.
  (func (export "sustain_chord") (param $a i32) (param $b i32) (param $c i32) (param $left i32) (param $right i32) (param $count i32)
    (param $la f64) (param $lb f64) (param $lc f64) (param $ra f64) (param $rb f64) (param $rc f64)
    (local $gla v128) (local $glb v128) (local $glc v128) (local $gra v128) (local $grb v128) (local $grc v128)
    (local $x v128) (local $y v128) (local $z v128) (local $l v128) (local $r v128)
    (local.set $gla (f64x2.splat (local.get $la)))
    (local.set $glb (f64x2.splat (local.get $lb)))
    (local.set $glc (f64x2.splat (local.get $lc)))
    (local.set $gra (f64x2.splat (local.get $ra)))
    (local.set $grb (f64x2.splat (local.get $rb)))
    (local.set $grc (f64x2.splat (local.get $rc)))
    (block $done
      (loop $pairs
        (br_if $done (i32.le_s (local.get $count) (i32.const 0)))
        (local.set $x (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $a))))
        (local.set $y (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $b))))
        (local.set $z (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $c))))
        (local.set $l (f32x4.demote_f64x2_zero (f64x2.add
          (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $left)))
          (f64x2.add
            (f64x2.add (f64x2.mul (local.get $x) (local.get $gla)) (f64x2.mul (local.get $y) (local.get $glb)))
            (f64x2.mul (local.get $z) (local.get $glc))))))
        (local.set $r (f32x4.demote_f64x2_zero (f64x2.add
          (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $right)))
          (f64x2.add
            (f64x2.add (f64x2.mul (local.get $x) (local.get $gra)) (f64x2.mul (local.get $y) (local.get $grb)))
            (f64x2.mul (local.get $z) (local.get $grc))))))
        (if (i32.ge_s (local.get $count) (i32.const 2))
          (then
            (v128.store64_lane 0 (local.get $left) (local.get $l))
            (v128.store64_lane 0 (local.get $right) (local.get $r)))
          (else
            (v128.store32_lane 0 (local.get $left) (local.get $l))
            (v128.store32_lane 0 (local.get $right) (local.get $r))))
        (local.set $a (i32.add (local.get $a) (i32.const 8)))
        (local.set $b (i32.add (local.get $b) (i32.const 8)))
        (local.set $c (i32.add (local.get $c) (i32.const 8)))
        (local.set $left (i32.add (local.get $left) (i32.const 8)))
        (local.set $right (i32.add (local.get $right) (i32.const 8)))
        (local.set $count (i32.sub (local.get $count) (i32.const 2)))
        (br $pairs))))

  ;; centre[k] += tone[k] * (gain * (slope * i + offset)): a centred note's rise or fall.
  (func (export "ramp_centred") (param $tone i32) (param $centre i32) (param $count i32) (param $i0 f64) (param $gain f64) (param $slope f64) (param $offset f64)
    (local $i v128) (local $g v128) (local $s v128) (local $o v128) (local $sum v128)
    (local.set $i (f64x2.replace_lane 1 (f64x2.splat (local.get $i0)) (f64.add (local.get $i0) (f64.const 1))))
    (local.set $g (f64x2.splat (local.get $gain)))
    (local.set $s (f64x2.splat (local.get $slope)))
    (local.set $o (f64x2.splat (local.get $offset)))
    (block $done
      (loop $pairs
        (br_if $done (i32.le_s (local.get $count) (i32.const 0)))
        (local.set $sum (f32x4.demote_f64x2_zero (f64x2.add
          (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $centre)))
          (f64x2.mul
            (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $tone)))
            (f64x2.mul (local.get $g) (f64x2.add (f64x2.mul (local.get $s) (local.get $i)) (local.get $o)))))))
        (if (i32.ge_s (local.get $count) (i32.const 2))
          (then (v128.store64_lane 0 (local.get $centre) (local.get $sum)))
          (else (v128.store32_lane 0 (local.get $centre) (local.get $sum))))
        (local.set $i (f64x2.add (local.get $i) (f64x2.splat (f64.const 2))))
        (local.set $tone (i32.add (local.get $tone) (i32.const 8)))
        (local.set $centre (i32.add (local.get $centre) (i32.const 8)))
        (local.set $count (i32.sub (local.get $count) (i32.const 2)))
        (br $pairs))))

  ;; sample = tone[k] * (slope * i + offset); left[k] += sample * toLeft; right[k] += sample * toRight.
  (func (export "ramp_panned") (param $tone i32) (param $left i32) (param $right i32) (param $count i32) (param $i0 f64)
    (param $toLeft f64) (param $toRight f64) (param $slope f64) (param $offset f64)
    (local $i v128) (local $gl v128) (local $gr v128) (local $s v128) (local $o v128) (local $sample v128) (local $l v128) (local $r v128)
    (local.set $i (f64x2.replace_lane 1 (f64x2.splat (local.get $i0)) (f64.add (local.get $i0) (f64.const 1))))
    (local.set $gl (f64x2.splat (local.get $toLeft)))
    (local.set $gr (f64x2.splat (local.get $toRight)))
    (local.set $s (f64x2.splat (local.get $slope)))
    (local.set $o (f64x2.splat (local.get $offset)))
    (block $done
      (loop $pairs
        (br_if $done (i32.le_s (local.get $count) (i32.const 0)))
        (local.set $sample (f64x2.mul
          (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $tone)))
          (f64x2.add (f64x2.mul (local.get $s) (local.get $i)) (local.get $o))))
        (local.set $l (f32x4.demote_f64x2_zero (f64x2.add
          (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $left)))
          (f64x2.mul (local.get $sample) (local.get $gl)))))
        (local.set $r (f32x4.demote_f64x2_zero (f64x2.add
          (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $right)))
          (f64x2.mul (local.get $sample) (local.get $gr)))))
        (if (i32.ge_s (local.get $count) (i32.const 2))
          (then
            (v128.store64_lane 0 (local.get $left) (local.get $l))
            (v128.store64_lane 0 (local.get $right) (local.get $r)))
          (else
            (v128.store32_lane 0 (local.get $left) (local.get $l))
            (v128.store32_lane 0 (local.get $right) (local.get $r))))
        (local.set $i (f64x2.add (local.get $i) (f64x2.splat (f64.const 2))))
        (local.set $tone (i32.add (local.get $tone) (i32.const 8)))
        (local.set $left (i32.add (local.get $left) (i32.const 8)))
        (local.set $right (i32.add (local.get $right) (i32.const 8)))
        (local.set $count (i32.sub (local.get $count) (i32.const 2)))
        (br $pairs))))

  ;; A chord's rise or fall: gain = slope * i + offset scales each tone, then as sustain_chord.
  (func (export "ramp_chord") (param $a i32) (param $b i32) (param $c i32) (param $left i32) (param $right i32) (param $count i32) (param $i0 f64)
    (param $la f64) (param $lb f64) (param $lc f64) (param $ra f64) (param $rb f64) (param $rc f64) (param $slope f64) (param $offset f64)
    (local $i v128) (local $s v128) (local $o v128) (local $gain v128)
    (local $gla v128) (local $glb v128) (local $glc v128) (local $gra v128) (local $grb v128) (local $grc v128)
    (local $x v128) (local $y v128) (local $z v128) (local $l v128) (local $r v128)
    (local.set $i (f64x2.replace_lane 1 (f64x2.splat (local.get $i0)) (f64.add (local.get $i0) (f64.const 1))))
    (local.set $s (f64x2.splat (local.get $slope)))
    (local.set $o (f64x2.splat (local.get $offset)))
    (local.set $gla (f64x2.splat (local.get $la)))
    (local.set $glb (f64x2.splat (local.get $lb)))
    (local.set $glc (f64x2.splat (local.get $lc)))
    (local.set $gra (f64x2.splat (local.get $ra)))
    (local.set $grb (f64x2.splat (local.get $rb)))
    (local.set $grc (f64x2.splat (local.get $rc)))
    (block $done
      (loop $pairs
        (br_if $done (i32.le_s (local.get $count) (i32.const 0)))
        (local.set $gain (f64x2.add (f64x2.mul (local.get $s) (local.get $i)) (local.get $o)))
        (local.set $x (f64x2.mul (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $a))) (local.get $gain)))
        (local.set $y (f64x2.mul (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $b))) (local.get $gain)))
        (local.set $z (f64x2.mul (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $c))) (local.get $gain)))
        (local.set $l (f32x4.demote_f64x2_zero (f64x2.add
          (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $left)))
          (f64x2.add
            (f64x2.add (f64x2.mul (local.get $x) (local.get $gla)) (f64x2.mul (local.get $y) (local.get $glb)))
            (f64x2.mul (local.get $z) (local.get $glc))))))
        (local.set $r (f32x4.demote_f64x2_zero (f64x2.add
          (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $right)))
          (f64x2.add
            (f64x2.add (f64x2.mul (local.get $x) (local.get $gra)) (f64x2.mul (local.get $y) (local.get $grb)))
            (f64x2.mul (local.get $z) (local.get $grc))))))
        (if (i32.ge_s (local.get $count) (i32.const 2))
          (then
            (v128.store64_lane 0 (local.get $left) (local.get $l))
            (v128.store64_lane 0 (local.get $right) (local.get $r)))
          (else
            (v128.store32_lane 0 (local.get $left) (local.get $l))
            (v128.store32_lane 0 (local.get $right) (local.get $r))))
        (local.set $i (f64x2.add (local.get $i) (f64x2.splat (f64.const 2))))
        (local.set $a (i32.add (local.get $a) (i32.const 8)))
        (local.set $b (i32.add (local.get $b) (i32.const 8)))
        (local.set $c (i32.add (local.get $c) (i32.const 8)))
        (local.set $left (i32.add (local.get $left) (i32.const 8)))
        (local.set $right (i32.add (local.get $right) (i32.const 8)))
        (local.set $count (i32.sub (local.get $count) (i32.const 2)))
        (br $pairs))))

  ;; The master: softLimit(gain * (channel + centre)) rounded half up to 16 bits. softLimit is
  ;; the rational tanh of soft.limiter.ts, x * (27 + x²) / (27 + 9x²), 1 from 3 up and -1 from -3
  ;; down. Clamping x to ±3 first gives exactly that (the formula is exactly ±1 at ±3), and a NaN
  ;; stays NaN, which truncates to 0 as JavaScript's `| 0` does. Rounding is floor(y * 32767 +
  ;; 32768.5) - 32768, as wav.encoder.ts documents.
  ;;
  ;; The formula is written out in each loop rather than called: V8 in Node 20 does not inline
  ;; calls between wasm functions, and the call per pair made the stereo master 1.7 times slower.
  ;; Both channels of a pair are independent chains, which keeps the CPU's units busy.

  ;; Stereo master: out gets little-endian 16-bit frames, left then right.
  (func (export "limit_stereo") (param $left i32) (param $right i32) (param $centre i32) (param $out i32) (param $count i32) (param $gain f64)
    (local $g v128) (local $k27 v128) (local $k9 v128) (local $k3 v128) (local $km3 v128) (local $full v128) (local $half v128) (local $mid v128)
    (local $c v128) (local $xl v128) (local $xr v128) (local $pcm v128)
    (local.set $g (f64x2.splat (local.get $gain)))
    (local.set $k27 (f64x2.splat (f64.const 27)))
    (local.set $k9 (f64x2.splat (f64.const 9)))
    (local.set $k3 (f64x2.splat (f64.const 3)))
    (local.set $km3 (f64x2.splat (f64.const -3)))
    (local.set $full (f64x2.splat (f64.const 32767)))
    (local.set $half (f64x2.splat (f64.const 32768.5)))
    (local.set $mid (i32x4.splat (i32.const 32768)))
    (block $done
      (loop $pairs
        (br_if $done (i32.le_s (local.get $count) (i32.const 0)))
        (local.set $c (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $centre))))
        (local.set $xl (f64x2.pmax (f64x2.pmin
          (f64x2.mul (local.get $g) (f64x2.add (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $left))) (local.get $c)))
          (local.get $k3)) (local.get $km3)))
        (local.set $xr (f64x2.pmax (f64x2.pmin
          (f64x2.mul (local.get $g) (f64x2.add (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $right))) (local.get $c)))
          (local.get $k3)) (local.get $km3)))
        ;; [l0 l1 _ _] and [r0 r1 _ _] interleaved to [l0 r0 l1 r1], then narrowed to 16 bits.
        (local.set $pcm (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23
          (i32x4.sub
            (i32x4.trunc_sat_f64x2_s_zero (f64x2.add
              (f64x2.mul
                (f64x2.div
                  (f64x2.mul (local.get $xl) (f64x2.add (local.get $k27) (f64x2.mul (local.get $xl) (local.get $xl))))
                  (f64x2.add (local.get $k27) (f64x2.mul (local.get $k9) (f64x2.mul (local.get $xl) (local.get $xl)))))
                (local.get $full))
              (local.get $half)))
            (local.get $mid))
          (i32x4.sub
            (i32x4.trunc_sat_f64x2_s_zero (f64x2.add
              (f64x2.mul
                (f64x2.div
                  (f64x2.mul (local.get $xr) (f64x2.add (local.get $k27) (f64x2.mul (local.get $xr) (local.get $xr))))
                  (f64x2.add (local.get $k27) (f64x2.mul (local.get $k9) (f64x2.mul (local.get $xr) (local.get $xr)))))
                (local.get $full))
              (local.get $half)))
            (local.get $mid))))
        (local.set $pcm (i16x8.narrow_i32x4_s (local.get $pcm) (local.get $pcm)))
        (if (i32.ge_s (local.get $count) (i32.const 2))
          (then (v128.store64_lane 0 (local.get $out) (local.get $pcm)))
          (else (v128.store32_lane 0 (local.get $out) (local.get $pcm))))
        (local.set $left (i32.add (local.get $left) (i32.const 8)))
        (local.set $right (i32.add (local.get $right) (i32.const 8)))
        (local.set $centre (i32.add (local.get $centre) (i32.const 8)))
        (local.set $out (i32.add (local.get $out) (i32.const 8)))
        (local.set $count (i32.sub (local.get $count) (i32.const 2)))
        (br $pairs))))

  ;; Mono master: out gets little-endian 16-bit samples.
  (func (export "limit_mono") (param $source i32) (param $centre i32) (param $out i32) (param $count i32) (param $gain f64)
    (local $g v128) (local $k27 v128) (local $k9 v128) (local $k3 v128) (local $km3 v128) (local $full v128) (local $half v128) (local $mid v128)
    (local $c v128) (local $x v128) (local $pcm v128)
    (local.set $g (f64x2.splat (local.get $gain)))
    (local.set $k27 (f64x2.splat (f64.const 27)))
    (local.set $k9 (f64x2.splat (f64.const 9)))
    (local.set $k3 (f64x2.splat (f64.const 3)))
    (local.set $km3 (f64x2.splat (f64.const -3)))
    (local.set $full (f64x2.splat (f64.const 32767)))
    (local.set $half (f64x2.splat (f64.const 32768.5)))
    (local.set $mid (i32x4.splat (i32.const 32768)))
    (block $done
      (loop $pairs
        (br_if $done (i32.le_s (local.get $count) (i32.const 0)))
        (local.set $c (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $centre))))
        (local.set $x (f64x2.pmax (f64x2.pmin
          (f64x2.mul (local.get $g) (f64x2.add (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $source))) (local.get $c)))
          (local.get $k3)) (local.get $km3)))
        (local.set $pcm (i32x4.sub
            (i32x4.trunc_sat_f64x2_s_zero (f64x2.add
              (f64x2.mul
                (f64x2.div
                  (f64x2.mul (local.get $x) (f64x2.add (local.get $k27) (f64x2.mul (local.get $x) (local.get $x))))
                  (f64x2.add (local.get $k27) (f64x2.mul (local.get $k9) (f64x2.mul (local.get $x) (local.get $x)))))
                (local.get $full))
              (local.get $half)))
            (local.get $mid)))
        (local.set $pcm (i16x8.narrow_i32x4_s (local.get $pcm) (local.get $pcm)))
        (if (i32.ge_s (local.get $count) (i32.const 2))
          (then (v128.store32_lane 0 (local.get $out) (local.get $pcm)))
          (else (v128.store16_lane 0 (local.get $out) (local.get $pcm))))
        (local.set $source (i32.add (local.get $source) (i32.const 8)))
        (local.set $centre (i32.add (local.get $centre) (i32.const 8)))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (local.set $count (i32.sub (local.get $count) (i32.const 2)))
        (br $pairs))))
)
