// RUN: not cnnc-opt %s -split-input-file 2>&1 | FileCheck %s
// Diagnostics name the layer from the op's NameLoc: `<op> '<layer>': ...`.

// CHECK: error: {{.*}}conv2d 'c3': input has 3 channels but the filters expect 2 (groups = 1)
func.func @shape_rule(%x: tensor<1x3x8x8xf32>, %w: tensor<4x2x3x3xf32>) {
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x3x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32> loc("c3")
  return
}

// -----

// A NameLoc wrapping a file location, as the frontends produce.
// CHECK: model.graph:12:3: error: {{.*}}clip 'relu6': min 6.000000 is greater than max 0.000000
func.func @verifier(%x: tensor<1x4xf32>) {
  %0 = cnn.clip %x {min = 6.0 : f32, max = 0.0 : f32} : tensor<1x4xf32> loc("relu6"("model.graph":12:3))
  return
}

// -----

// The name is found inside a fused location too.
// CHECK: error: {{.*}}reshape 'r1': cannot reshape [2, 3] (6 elements) to [4, 2]
func.func @fused(%x: tensor<2x3xf32>) {
  %0 = cnn.reshape %x {shape = array<i64: 4, 2>} : (tensor<2x3xf32>) -> tensor<4x2xf32> loc(fused["r1", "model.graph":3:1])
  return
}

// -----

// Without a name the message starts with the op.
// CHECK: layer-names.mlir:[[# @LINE + 2]]:8: error: transpose: perm [0, 0] is not a permutation of rank 2
func.func @unnamed(%x: tensor<2x3xf32>) {
  %0 = cnn.transpose %x {perm = array<i64: 0, 0>} : (tensor<2x3xf32>) -> tensor<2x2xf32>
  return
}
