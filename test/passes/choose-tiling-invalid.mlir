// RUN: cnnc-opt %s -split-input-file --cnn-choose-tiling -verify-diagnostics
// A cnn.tiling written into the input must name keys the pass writes, each
// of the kind it writes (a positive count, a bool, a string).

func.func @unknown_key(%x: tensor<1x16x8x8xf32>, %w: tensor<16x16x3x3xf32>) -> tensor<1x16x8x8xf32> {
  // expected-error @+1 {{unknown cnn.tiling key 'tile_z'}}
  %0 = cnn.conv2d %x, %w {cnn.tiling = {tile_z = 2 : i64}, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x16x8x8xf32>, tensor<16x16x3x3xf32>) -> tensor<1x16x8x8xf32>
  return %0 : tensor<1x16x8x8xf32>
}

// -----

// kx_inner may be given on any conv (choose-tiling.mlir), but a dense op has
// no kernel columns.
func.func @kx_inner_dense(%a: tensor<1x64xf32>, %b: tensor<64x32xf32>) -> tensor<1x32xf32> {
  // expected-error @+1 {{unknown cnn.tiling key 'kx_inner'}}
  %0 = cnn.dense %a, %b {cnn.tiling = {kx_inner = true}, alpha = 1.000000e+00 : f32, beta = 1.000000e+00 : f32, trans_a = false, trans_b = false} : (tensor<1x64xf32>, tensor<64x32xf32>) -> tensor<1x32xf32>
  return %0 : tensor<1x32xf32>
}

// -----

func.func @wrong_kind(%x: tensor<1x16x8x8xf32>, %w: tensor<16x16x3x3xf32>) -> tensor<1x16x8x8xf32> {
  // expected-error @+1 {{cnn.tiling key 'tile_x' must be like 8 : i64}}
  %0 = cnn.conv2d %x, %w {cnn.tiling = {tile_x = "eight"}, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x16x8x8xf32>, tensor<16x16x3x3xf32>) -> tensor<1x16x8x8xf32>
  return %0 : tensor<1x16x8x8xf32>
}

// -----

func.func @not_positive(%x: tensor<1x16x8x8xf32>, %w: tensor<16x16x3x3xf32>) -> tensor<1x16x8x8xf32> {
  // expected-error @+1 {{cnn.tiling key 'tile_y' must be positive}}
  %0 = cnn.conv2d %x, %w {cnn.tiling = {tile_y = 0 : i64}, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x16x8x8xf32>, tensor<16x16x3x3xf32>) -> tensor<1x16x8x8xf32>
  return %0 : tensor<1x16x8x8xf32>
}

// -----

func.func @not_a_dictionary(%x: tensor<1x16x8x8xf32>, %w: tensor<16x16x3x3xf32>) -> tensor<1x16x8x8xf32> {
  // expected-error @+1 {{cnn.tiling must be a dictionary}}
  %0 = cnn.conv2d %x, %w {cnn.tiling = 4 : i64, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x16x8x8xf32>, tensor<16x16x3x3xf32>) -> tensor<1x16x8x8xf32>
  return %0 : tensor<1x16x8x8xf32>
}

// -----

// Winograd has tables for F(2x2, 3x3), F(4x4, 3x3) and F(2x2, 2x2) only.
func.func @winograd_tile(%x: tensor<1x16x8x8xf32>) -> tensor<1x16x8x8xf32> {
  %w = cnn.constant dense<0.5> : tensor<16x16x3x3xf32>
  // expected-error @+1 {{cnn.tiling winograd_tile 3 has no tables for 3x3 taps (F(3x3, 3x3)): they take 2 or 4}}
  %0 = cnn.conv2d %x, %w {cnn.tiling = {algorithm = "winograd", winograd_tile = 3 : i64}, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x16x8x8xf32>, tensor<16x16x3x3xf32>) -> tensor<1x16x8x8xf32>
  return %0 : tensor<1x16x8x8xf32>
}

// -----

// A transposed conv's 2x2-tap phases have no F(4x4, 2x2) tables (codegen
// would keep the direct loop without a word).
func.func @winograd_tile_two_taps(%x: tensor<1x256x8x8xf32>) -> tensor<1x128x16x16xf32> {
  %w = cnn.constant dense<0.5> : tensor<256x128x4x4xf32>
  // expected-error @+1 {{cnn.tiling winograd_tile 4 has no tables for 2x2 taps (F(4x4, 2x2)): they take 2}}
  %0 = cnn.conv_transpose2d %x, %w {cnn.tiling = {algorithm = "winograd", winograd_tile = 4 : i64}, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, output_padding = array<i64: 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x256x8x8xf32>, tensor<256x128x4x4xf32>) -> tensor<1x128x16x16xf32>
  return %0 : tensor<1x128x16x16xf32>
}

// -----

// Winograd needs a stride-1 conv: a given algorithm = "winograd" on a
// strided one is an error, not a silent direct loop.
func.func @winograd_strided(%x: tensor<1x16x8x8xf32>) -> tensor<1x16x4x4xf32> {
  %w = cnn.constant dense<0.5> : tensor<16x16x3x3xf32>
  // expected-error @+1 {{cnn.tiling algorithm 'winograd' needs a conv2d with an r x r kernel, stride 1 and groups 1, or a conv_transpose2d (groups 1, dilation 1) whose sub-pixel phases have r x r taps, r > 1, with constant weights}}
  %0 = cnn.conv2d %x, %w {cnn.tiling = {algorithm = "winograd"}, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x16x8x8xf32>, tensor<16x16x3x3xf32>) -> tensor<1x16x4x4xf32>
  return %0 : tensor<1x16x4x4xf32>
}

// -----

// ... and constant weights (they are transformed at compile time).
func.func @winograd_weights_argument(%x: tensor<1x16x8x8xf32>, %w: tensor<16x16x3x3xf32>) -> tensor<1x16x8x8xf32> {
  // expected-error @+1 {{cnn.tiling algorithm 'winograd' needs}}
  %0 = cnn.conv2d %x, %w {cnn.tiling = {algorithm = "winograd"}, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x16x8x8xf32>, tensor<16x16x3x3xf32>) -> tensor<1x16x8x8xf32>
  return %0 : tensor<1x16x8x8xf32>
}

// -----

// No tables for 5x5 taps at any tile size.
func.func @winograd_five_taps(%x: tensor<1x16x8x8xf32>) -> tensor<1x16x8x8xf32> {
  %w = cnn.constant dense<0.5> : tensor<16x16x5x5xf32>
  // expected-error @+1 {{cnn.tiling algorithm 'winograd': no tables for 5x5 taps (there are F(2x2, 2x2), F(2x2, 3x3) and F(4x4, 3x3))}}
  %0 = cnn.conv2d %x, %w {cnn.tiling = {algorithm = "winograd"}, strides = array<i64: 1, 1>, pads = array<i64: 2, 2, 2, 2>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x16x8x8xf32>, tensor<16x16x5x5xf32>) -> tensor<1x16x8x8xf32>
  return %0 : tensor<1x16x8x8xf32>
}

// -----

// A transposed conv given the "nchw" layout runs by its column lowering,
// which has no Winograd form.
func.func @winograd_deconv_nchw(%x: tensor<1x256x8x8xf32>) -> tensor<1x128x16x16xf32> {
  %w = cnn.constant dense<0.5> : tensor<256x128x4x4xf32>
  // expected-error @+1 {{cnn.tiling algorithm 'winograd' runs a conv_transpose2d in the blocked layout, not 'nchw'}}
  %0 = cnn.conv_transpose2d %x, %w {cnn.tiling = {algorithm = "winograd", layout = "nchw"}, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, output_padding = array<i64: 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x256x8x8xf32>, tensor<256x128x4x4xf32>) -> tensor<1x128x16x16xf32>
  return %0 : tensor<1x128x16x16xf32>
}

// -----

// Winograd's keys are taken where algorithm = "winograd" is given (above:
// the pass chose it; choose-tiling.mlir @winograd_given: given), and
// stationary names one of the GEMM's operands.
func.func @winograd_stationary(%x: tensor<1x16x8x8xf32>) -> tensor<1x8x8x8xf32> {
  %w = cnn.constant dense<0.5> : tensor<8x16x3x3xf32>
  // expected-error @+1 {{cnn.tiling stationary must be 'weights' or 'inputs', got 'both'}}
  %0 = cnn.conv2d %x, %w {cnn.tiling = {algorithm = "winograd", stationary = "both"}, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x16x8x8xf32>, tensor<8x16x3x3xf32>) -> tensor<1x8x8x8xf32>
  return %0 : tensor<1x8x8x8xf32>
}

// -----

// Without algorithm = "winograd" given, a conv the pass keeps direct has no
// winograd_tile key.
func.func @winograd_tile_direct(%x: tensor<1x16x8x8xf32>) -> tensor<1x8x8x8xf32> {
  %w = cnn.constant dense<0.5> : tensor<8x16x3x3xf32>
  // expected-error @+1 {{unknown cnn.tiling key 'winograd_tile'}}
  %0 = cnn.conv2d %x, %w {cnn.tiling = {winograd_tile = 4 : i64}, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x16x8x8xf32>, tensor<8x16x3x3xf32>) -> tensor<1x8x8x8xf32>
  return %0 : tensor<1x8x8x8xf32>
}
