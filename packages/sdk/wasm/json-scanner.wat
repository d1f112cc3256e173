;; The JSON check behind checkJsonBytes (src/json-validation.ts), as WebAssembly: the same
;; one-pass scan the SDK did in TypeScript, four times faster (a 100 KB answer of short
;; strings and numbers: ~250 µs in TypeScript, ~65 µs here), because it needs no bounds checks and
;; finds the end of a string 16 bytes at a time.
;;
;; Compiled by `npm run build:wasm` into src/json-scanner-binary.ts; a test fails when the two
;; disagree. Every helper is written out where it is used: V8 (Node 20) does not inline calls
;; between WebAssembly functions, and the calls cost more than the scan itself.
;;
;; Memory, as the exported offsets say (the `offset=` immediates below are the same numbers):
;;   0    .. 255   1 for a byte that stands in a string as it is (not a control character,
;;                 a quote or a backslash)
;;   256  .. 511   1 for JSON whitespace (space, tab, line feed, carriage return)
;;   512  .. 767   1 for a decimal digit
;;   768  .. 1023  1 for a hexadecimal digit
;;   1024 .. 1279  1 for a letter that makes an escape after a backslash, but for `u`
;;   2048 ..       the text, then 8 zero bytes, then the stack of open brackets (one byte per
;;                 level, so as many bytes as the text has). The caller fills the tables and
;;                 copies the text in, with memory for 2 × its length + 64 bytes past 2048.
;;
;; The zero byte after the text ends every scan without a bounds check: it is not whitespace,
;; not a digit, not a byte a string may hold, not any literal's letter. Reads run at most 16
;; bytes past the text (a 16-byte load that starts on the last byte), which the caller's 64
;; spare bytes cover.
(module
  (memory (export "memory") 1)
  (global (export "plainTable") i32 (i32.const 0))
  (global (export "whitespaceTable") i32 (i32.const 256))
  (global (export "digitTable") i32 (i32.const 512))
  (global (export "hexTable") i32 (i32.const 768))
  (global (export "escapeTable") i32 (i32.const 1024))
  (global $text (export "text") i32 (i32.const 2048))

  ;; The verdict on the `length` bytes at `text`: 0 valid, 1 invalid, 2 valid but nested
  ;; deeper than `maxNesting`. A JSON text that is invalid and too deep is invalid.
  (func (export "check") (param $length i32) (param $maxNesting i32) (result i32)
    (local $i i32) (local $end i32) (local $stack i32) (local $depth i32) (local $deepest i32)
    (local $c i32) (local $opening i32) (local $isName i32) (local $start i32)
    (local $chunk v128) (local $special i32)
    (local.set $i (global.get $text))
    (local.set $end (i32.add (global.get $text) (local.get $length)))
    (i64.store (local.get $end) (i64.const 0))
    (local.set $stack (i32.add (local.get $end) (i32.const 8)))
    (block $invalid
      ;; `i` is at a value, or whitespace before it; a member's name when `isName` is set.
      (loop $value
        (loop $whitespace
          (if (i32.load8_u offset=256 (i32.load8_u (local.get $i)))
            (then (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $whitespace))))
        (local.set $c (i32.load8_u (local.get $i)))
        (block $afterValue
          (if (i32.eq (local.get $c) (i32.const 0x22)) ;; "
            (then
              (loop $character
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                ;; The first of the next 16 bytes that is a quote, a backslash or a control
                ;; character (the zero after the text is one).
                (local.set $chunk (v128.load (local.get $i)))
                (local.set $special (i8x16.bitmask (v128.or (v128.or
                  (i8x16.eq (local.get $chunk) (i8x16.splat (i32.const 0x22)))
                  (i8x16.eq (local.get $chunk) (i8x16.splat (i32.const 0x5c))))
                  (i8x16.lt_u (local.get $chunk) (i8x16.splat (i32.const 0x20))))))
                (if (i32.eqz (local.get $special))
                  (then (local.set $i (i32.add (local.get $i) (i32.const 15))) (br $character)))
                (local.set $i (i32.add (local.get $i) (i32.ctz (local.get $special))))
                (local.set $c (i32.load8_u (local.get $i)))
                (if (i32.ne (local.get $c) (i32.const 0x22))
                  (then
                    (br_if $invalid (i32.ne (local.get $c) (i32.const 0x5c))) ;; a control character
                    (local.set $i (i32.add (local.get $i) (i32.const 1)))
                    (local.set $c (i32.load8_u (local.get $i)))
                    (if (i32.eq (local.get $c) (i32.const 0x75)) ;; \u and four hex digits
                      (then
                        (br_if $invalid (i32.eqz (i32.and
                          (i32.and (i32.load8_u offset=768 (i32.load8_u offset=1 (local.get $i)))
                                   (i32.load8_u offset=768 (i32.load8_u offset=2 (local.get $i))))
                          (i32.and (i32.load8_u offset=768 (i32.load8_u offset=3 (local.get $i)))
                                   (i32.load8_u offset=768 (i32.load8_u offset=4 (local.get $i)))))))
                        (local.set $i (i32.add (local.get $i) (i32.const 4)))
                        (br $character)))
                    (br_if $character (i32.load8_u offset=1024 (local.get $c)))
                    (br $invalid))))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $afterValue (i32.eqz (local.get $isName)))
              ;; That was a member's name: its colon, then its value.
              (loop $whitespace
                (if (i32.load8_u offset=256 (i32.load8_u (local.get $i)))
                  (then (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $whitespace))))
              (br_if $invalid (i32.ne (i32.load8_u (local.get $i)) (i32.const 0x3a))) ;; :
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (local.set $isName (i32.const 0))
              (br $value)))
          (br_if $invalid (local.get $isName))
          ;; { or [ (their codes differ in one bit; each closing bracket's code is two higher)
          (if (i32.eq (i32.and (local.get $c) (i32.const 0xdf)) (i32.const 0x5b))
            (then
              (i32.store8 (i32.add (local.get $stack) (local.get $depth)) (local.get $c))
              (local.set $depth (i32.add (local.get $depth) (i32.const 1)))
              (if (i32.gt_u (local.get $depth) (local.get $deepest)) (then (local.set $deepest (local.get $depth))))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (loop $whitespace
                (if (i32.load8_u offset=256 (i32.load8_u (local.get $i)))
                  (then (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $whitespace))))
              (if (i32.eq (i32.load8_u (local.get $i)) (i32.add (local.get $c) (i32.const 2)))
                (then ;; {} or []
                  (local.set $depth (i32.sub (local.get $depth) (i32.const 1)))
                  (local.set $i (i32.add (local.get $i) (i32.const 1)))
                  (br $afterValue)))
              (local.set $isName (i32.eq (local.get $c) (i32.const 0x7b)))
              (br $value)))
          ;; true, false, null: four bytes compared at once (little-endian)
          (if (i32.eq (local.get $c) (i32.const 0x74))
            (then
              (br_if $invalid (i32.ne (i32.load (local.get $i)) (i32.const 0x65757274))) ;; "true"
              (local.set $i (i32.add (local.get $i) (i32.const 4)))
              (br $afterValue)))
          (if (i32.eq (local.get $c) (i32.const 0x66))
            (then
              (br_if $invalid (i32.ne (i32.load offset=1 (local.get $i)) (i32.const 0x65736c61))) ;; "alse"
              (local.set $i (i32.add (local.get $i) (i32.const 5)))
              (br $afterValue)))
          (if (i32.eq (local.get $c) (i32.const 0x6e))
            (then
              (br_if $invalid (i32.ne (i32.load (local.get $i)) (i32.const 0x6c6c756e))) ;; "null"
              (local.set $i (i32.add (local.get $i) (i32.const 4)))
              (br $afterValue)))
          ;; A number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
          (if (i32.eq (local.get $c) (i32.const 0x2d)) ;; -
            (then
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (local.set $c (i32.load8_u (local.get $i)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          ;; After a 0 the integer part is over: a digit there fails as what follows a value.
          (if (i32.ne (local.get $c) (i32.const 0x30))
            (then
              (br_if $invalid (i32.gt_u (i32.sub (local.get $c) (i32.const 0x31)) (i32.const 8)))
              (loop $digit
                (if (i32.load8_u offset=512 (i32.load8_u (local.get $i)))
                  (then (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $digit))))))
          (if (i32.eq (i32.load8_u (local.get $i)) (i32.const 0x2e)) ;; .
            (then
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (local.set $start (local.get $i))
              (loop $digit
                (if (i32.load8_u offset=512 (i32.load8_u (local.get $i)))
                  (then (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $digit))))
              (br_if $invalid (i32.eq (local.get $i) (local.get $start)))))
          (if (i32.eq (i32.or (i32.load8_u (local.get $i)) (i32.const 0x20)) (i32.const 0x65)) ;; e or E
            (then
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (local.set $c (i32.load8_u (local.get $i)))
              (if (i32.or (i32.eq (local.get $c) (i32.const 0x2b)) (i32.eq (local.get $c) (i32.const 0x2d)))
                (then (local.set $i (i32.add (local.get $i) (i32.const 1)))))
              (local.set $start (local.get $i))
              (loop $digit
                (if (i32.load8_u offset=512 (i32.load8_u (local.get $i)))
                  (then (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $digit))))
              (br_if $invalid (i32.eq (local.get $i) (local.get $start))))))
        ;; After a value: the containers it closes, then a comma before the next value, or the end.
        (loop $after
          (loop $whitespace
            (if (i32.load8_u offset=256 (i32.load8_u (local.get $i)))
              (then (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $whitespace))))
          (if (i32.eqz (local.get $depth))
            (then
              (br_if $invalid (i32.ne (local.get $i) (local.get $end)))
              (return (select (i32.const 2) (i32.const 0) (i32.gt_u (local.get $deepest) (local.get $maxNesting))))))
          (local.set $opening (i32.load8_u (i32.sub (i32.add (local.get $stack) (local.get $depth)) (i32.const 1))))
          (local.set $c (i32.load8_u (local.get $i)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (if (i32.eq (local.get $c) (i32.const 0x2c)) ;; ,
            (then
              (local.set $isName (i32.eq (local.get $opening) (i32.const 0x7b)))
              (br $value)))
          (br_if $invalid (i32.ne (local.get $c) (i32.add (local.get $opening) (i32.const 2))))
          (local.set $depth (i32.sub (local.get $depth) (i32.const 1)))
          (br $after))))
    (i32.const 1))
)
