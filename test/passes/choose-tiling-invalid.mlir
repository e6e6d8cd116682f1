// RUN: cnnc-opt %s -split-input-file --cnn-choose-tiling -verify-diagnostics
// A cnn.tiling written into the input must name keys the pass writes, each
// of the kind it writes (a positive count, a bool, a string).

func.func @unknown_key(%x: tensor<1x16x8x8xf32>, %w: tensor<16x16x3x3xf32>) -> tensor<1x16x8x8xf32> {
  // expected-error @+1 {{unknown cnn.tiling key 'tile_z'}}
  %0 = cnn.conv2d %x, %w {cnn.tiling = {tile_z = 2 : i64}, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x16x8x8xf32>, tensor<16x16x3x3xf32>) -> tensor<1x16x8x8xf32>
  return %0 : tensor<1x16x8x8xf32>
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
